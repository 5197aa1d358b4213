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

/// Text longer than this many characters is shown whole once, folded, and shortened elsewhere.
pub(crate) const LONG: usize = 1_000;

/// How many characters of a long text are shown where it is shortened.
const SHORT: usize = 160;

/// How deep containers are drawn as nested tables; deeper ones are shown as their JSON.
const NESTED: usize = 3;

/// What the page has shown so far: each long value is shown whole the first time, with an
/// anchor, and elsewhere shortened with a link to it. Values are told apart by where they sit
/// in memory: the report renders from one read of the store, which outlives the page.
#[derive(Default)]
pub(crate) struct Shown {
    anchors: std::collections::HashMap<usize, usize>,
}

impl Shown {
    /// The anchor of `value` and whether this is its first showing.
    fn anchor(&mut self, value: &MetadataValue) -> (usize, bool) {
        let next = self.anchors.len();
        let key = std::ptr::from_ref(value) as usize;
        let mut first = false;
        let anchor = *self.anchors.entry(key).or_insert_with(|| {
            first = true;
            next
        });
        (anchor, first)
    }
}

/// Appends `value` rendered by its tag: a `Uri` a link, a `Path` monospace with a copy button, a
/// `DType` a badge, a `StorageSize` in binary units with the exact bytes on hover, floats as
/// written (`NaN` and `inf` as words), containers as nested tables that say which they are —
/// past [`NESTED`] levels, as their JSON. Text past [`LONG`] characters is shown whole (folded)
/// the first time `shown` meets it, and shortened with a link to that elsewhere.
pub(crate) fn value(out: &mut String, shown: &mut Shown, value: &MetadataValue) {
    nested(out, shown, value, 0);
}

fn nested(out: &mut String, shown: &mut Shown, value: &MetadataValue, depth: usize) {
    match value {
        MetadataValue::List(items) | MetadataValue::Tuple(items) | MetadataValue::Set(items)
            if depth >= NESTED && !items.is_empty() =>
        {
            as_json(out, shown, value);
        }
        MetadataValue::Dict(entries) if depth >= NESTED && !entries.is_empty() => {
            as_json(out, shown, value);
        }
        MetadataValue::List(items) => sequence(out, shown, "list", items, depth),
        MetadataValue::Tuple(items) => sequence(out, shown, "tuple", items, depth),
        MetadataValue::Set(items) => sequence(out, shown, "set", items, depth),
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
                nested(out, shown, item, depth + 1);
                out.push_str("</td></tr>");
            }
            out.push_str("</table>");
        }
        _ => {
            let text = text_of(value);
            let chars = text.chars().count();
            if chars > LONG {
                long(out, shown, value, &text, chars, "str");
            } else {
                scalar(out, value);
            }
        }
    }
}

/// The text a scalar is shown as.
fn text_of(value: &MetadataValue) -> std::borrow::Cow<'_, str> {
    match value {
        MetadataValue::Str(s) => s.as_str().into(),
        MetadataValue::Uri(u) => u.as_str().into(),
        MetadataValue::Path(p) => p.as_str().into(),
        MetadataValue::DType(d) => d.as_str().into(),
        other => other.to_string().into(),
    }
}

/// A container nested past [`NESTED`]: its JSON, folded, long or not.
fn as_json(out: &mut String, shown: &mut Shown, value: &MetadataValue) {
    let json = value.to_json();
    let chars = json.chars().count();
    if chars > LONG {
        long(out, shown, value, &json, chars, "json");
        return;
    }
    let _ = write!(
        out,
        "<details class=\"deep\"><summary>{} · nested deeper, as JSON</summary><code class=\"json\">",
        value.metadata_type()
    );
    escape(out, &json);
    out.push_str("</code></details>");
}

/// A long text: whole, folded, the first time; else its start and a link to the whole.
fn long(
    out: &mut String,
    shown: &mut Shown,
    value: &MetadataValue,
    text: &str,
    chars: usize,
    class: &str,
) {
    let start = text
        .char_indices()
        .nth(SHORT)
        .map_or(text, |(at, _)| &text[..at]);
    let (anchor, first) = shown.anchor(value);
    if first {
        let _ = write!(
            out,
            "<details class=\"long\" id=\"v{anchor}\"><summary><span class=\"{class}\">"
        );
        escape(out, start);
        let _ = write!(
            out,
            "…</span> <span class=\"note\">{} characters: open to see all</span></summary><div class=\"whole {class}\">",
            grouped(chars as u64)
        );
        escape(out, text);
        out.push_str("</div></details>");
    } else {
        let _ = write!(out, "<span class=\"{class}\">");
        escape(out, start);
        let _ = write!(
            out,
            "…</span> <a class=\"whole-link\" href=\"#v{anchor}\">the whole value ({} characters)</a>",
            grouped(chars as u64)
        );
    }
}

/// A scalar, rendered by its tag.
fn scalar(out: &mut String, value: &MetadataValue) {
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
        other => {
            out.push_str("<span class=\"str\">");
            escape(out, &other.to_string());
            out.push_str("</span>");
        }
    }
}

/// A list, tuple or set: a table captioned with which it is and its length.
fn sequence(
    out: &mut String,
    shown: &mut Shown,
    kind: &str,
    items: &[MetadataValue],
    depth: usize,
) {
    let _ = write!(
        out,
        "<table class=\"nested\"><caption>{kind} · {}</caption>",
        items.len()
    );
    for (i, item) in items.iter().enumerate() {
        let _ = write!(out, "<tr><th>{i}</th><td>");
        nested(out, shown, item, depth + 1);
        out.push_str("</td></tr>");
    }
    out.push_str("</table>");
}

#[cfg(test)]
mod tests {
    use run_metadata::{MetadataValue, Path, StorageSize, Uri};

    use super::{LONG, Shown, escaped, grouped, linkable, value};

    fn render(v: &MetadataValue) -> String {
        let mut out = String::new();
        value(&mut out, &mut Shown::default(), v);
        out
    }

    #[test]
    fn a_long_value_is_whole_once_then_shortened_with_a_link() {
        let v = MetadataValue::Str("x".repeat(LONG + 1));
        let mut shown = Shown::default();
        let (mut first, mut again) = (String::new(), String::new());
        value(&mut first, &mut shown, &v);
        value(&mut again, &mut shown, &v);
        assert!(
            first.starts_with("<details class=\"long\" id=\"v0\">"),
            "{first}"
        );
        assert_eq!(first.matches('x').count(), 160 + LONG + 1, "{first}");
        assert!(again.contains("href=\"#v0\""), "{again}");
        assert_eq!(again.matches('x').count(), 160, "{again}");
        // Another value of the same text is shown whole on its own.
        let other = v.clone();
        let mut third = String::new();
        value(&mut third, &mut shown, &other);
        assert!(third.contains("id=\"v1\""), "{third}");
        // At the limit, it is shown as it is.
        assert!(!render(&MetadataValue::Str("x".repeat(LONG))).contains("<details"));
    }

    #[test]
    fn deep_values_are_tables_three_levels_down_then_json() {
        let mut v = MetadataValue::Int(7.into());
        for _ in 0..128 {
            v = MetadataValue::List(vec![v]);
        }
        let html = render(&v);
        assert_eq!(html.matches("<table").count(), 3, "{html}");
        assert!(
            html.contains("list · nested deeper, as JSON</summary><code class=\"json\">[[["),
            "{html}"
        );
        assert_eq!(html.matches('[').count(), 125, "{html}");
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
