//! HTML from stored text: escaping, and each value rendered by its tag.

use std::fmt::Write as _;

use run_metadata::MetadataValue;

/// Appends `text` as HTML text or a quoted attribute's value: `&`, `<`, `>`, `"` and `'` as
/// entities, so that nothing stored can become markup; control characters (NUL, ESC…) and the
/// invisible marks that reorder text (bidi overrides and isolates) as their visible escape,
/// `\u{202e}`, so that nothing stored can reach a terminal that shows the file or turn the page's
/// own words around.
pub(crate) fn escape(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(c),
            c if c.is_control() || reorders(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
}

/// The formatting characters that change the order text is shown in.
fn reorders(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text`, escaped.
pub(crate) fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape(&mut out, text);
    out
}

/// Whether a link to `uri` may be followed from the report: web addresses only. A
/// `javascript:` or `data:` URI stays text.
pub(crate) fn linkable(uri: &str) -> bool {
    // The text as the link will hold it: a browser strips leading spaces, not other marks, and
    // would resolve ` https://…` against the file's own folder.
    let scheme = uri.get(..8).unwrap_or(uri).to_ascii_lowercase();
    (scheme.starts_with("http://") || scheme.starts_with("https://"))
        && !uri
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || reorders(c))
}

/// `n` with thousands separators: `1,000,000`.
pub(crate) fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Appends `value` rendered by its tag: a `Uri` a link, a `Path` monospace with a copy button, a
/// `DType` a badge, a `StorageSize` in binary units with the exact bytes on hover, floats as
/// written (`NaN` and `inf` as words), containers as nested tables that say which they are.
pub(crate) fn value(out: &mut String, value: &MetadataValue) {
    match value {
        MetadataValue::Str(s) => {
            out.push_str("<span class=\"str\">");
            escape(out, s);
            out.push_str("</span>");
        }
        MetadataValue::Uri(uri) if linkable(uri.as_str()) => {
            out.push_str("<a class=\"uri\" rel=\"noopener noreferrer\" href=\"");
            escape(out, uri.as_str());
            out.push_str("\">");
            escape(out, uri.as_str());
            out.push_str("</a>");
        }
        MetadataValue::Uri(uri) => {
            out.push_str("<span class=\"uri\" title=\"not a web address: not a link\">");
            escape(out, uri.as_str());
            out.push_str("</span>");
        }
        MetadataValue::Path(path) => {
            out.push_str("<code class=\"path\">");
            escape(out, path.as_str());
            out.push_str("</code> <button type=\"button\" class=\"copy\" data-copy=\"");
            escape(out, path.as_str());
            out.push_str("\">copy</button>");
        }
        MetadataValue::DType(dtype) => {
            out.push_str("<span class=\"badge\">");
            escape(out, dtype.as_str());
            out.push_str("</span>");
        }
        MetadataValue::StorageSize(size) => {
            let _ = write!(
                out,
                "<span class=\"size\" title=\"{} bytes\">{size}</span>",
                grouped(size.bytes())
            );
        }
        MetadataValue::Int(_) | MetadataValue::Float(_) | MetadataValue::Bool(_) => {
            out.push_str("<span class=\"num\">");
            escape(out, &value.to_string());
            out.push_str("</span>");
        }
        MetadataValue::List(items) => sequence(out, "list", items),
        MetadataValue::Tuple(items) => sequence(out, "tuple", items),
        MetadataValue::Set(items) => sequence(out, "set", items),
        MetadataValue::Dict(entries) => {
            let _ = write!(
                out,
                "<table class=\"nested\"><caption>dict · {}</caption>",
                entries.len()
            );
            for (key, item) in entries {
                out.push_str("<tr><th>");
                escape(out, key);
                out.push_str("</th><td>");
                self::value(out, item);
                out.push_str("</td></tr>");
            }
            out.push_str("</table>");
        }
        other => {
            out.push_str("<span class=\"str\">");
            escape(out, &other.to_string());
            out.push_str("</span>");
        }
    }
}

/// A list, tuple or set: a table captioned with which it is and its length.
fn sequence(out: &mut String, kind: &str, items: &[MetadataValue]) {
    let _ = write!(
        out,
        "<table class=\"nested\"><caption>{kind} · {}</caption>",
        items.len()
    );
    for (i, item) in items.iter().enumerate() {
        let _ = write!(out, "<tr><th>{i}</th><td>");
        value(out, item);
        out.push_str("</td></tr>");
    }
    out.push_str("</table>");
}

#[cfg(test)]
mod tests {
    use run_metadata::{MetadataValue, Path, StorageSize, Uri};

    use super::{escaped, grouped, linkable, value};

    fn render(v: &MetadataValue) -> String {
        let mut out = String::new();
        value(&mut out, v);
        out
    }

    #[test]
    fn markup_in_stored_text_is_text() {
        assert_eq!(
            escaped("<script>alert('1')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;1&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        let html = render(&MetadataValue::Str("<img src=x onerror=alert(1)>".into()));
        assert!(!html.contains("<img"), "{html}");
    }

    #[test]
    fn invisible_and_control_characters_are_shown_escaped() {
        assert_eq!(
            escaped("a\u{202e}b\u{1b}[2Jc\0"),
            "a\\u{202e}b\\u{1b}[2Jc\\u{0}"
        );
        assert_eq!(escaped("line\nnext"), "line\nnext");
    }

    #[test]
    fn only_web_addresses_are_links() {
        assert!(linkable("https://example.com/a?b=c"));
        assert!(linkable("HTTP://x"));
        for bad in [
            "javascript:alert(1)",
            " data:text/html,x",
            "file:///etc",
            "http://a\nb",
        ] {
            assert!(!linkable(bad), "{bad}");
        }
        let html = render(&MetadataValue::Uri(Uri::new("javascript:alert(1)")));
        assert!(!html.contains("href"), "{html}");
        let html = render(&MetadataValue::Uri(Uri::new("https://x/\"><b>")));
        assert_eq!(
            html,
            "<a class=\"uri\" rel=\"noopener noreferrer\" href=\"https://x/&quot;&gt;&lt;b&gt;\">https://x/&quot;&gt;&lt;b&gt;</a>"
        );
    }

    #[test]
    fn each_tag_has_its_form() {
        assert_eq!(
            render(&MetadataValue::StorageSize(StorageSize::new(1_000_000))),
            "<span class=\"size\" title=\"1,000,000 bytes\">976.56 KiB</span>"
        );
        assert!(render(&MetadataValue::Path(Path::new("/a b"))).contains("data-copy=\"/a b\""));
        assert_eq!(
            render(&MetadataValue::Float(f64::NAN)),
            "<span class=\"num\">NaN</span>"
        );
        let tuple = render(&MetadataValue::Tuple(vec![MetadataValue::Bool(true)]));
        assert!(tuple.contains("<caption>tuple · 1</caption>"), "{tuple}");
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(1_234_567), "1,234,567");
    }
}
