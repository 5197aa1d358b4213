//! The YAML that ZenML's client writes (`config.yaml`, `credentials.yaml`: `PyYAML`'s block
//! style): nested mappings of scalars, read into a tree. What is not that (lists, anchors, flow
//! collections with content) is kept as [`Yaml::Other`], never guessed at.

/// A node of the tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Yaml {
    /// A mapping, in the file's order.
    Map(Vec<(String, Yaml)>),
    /// A scalar, unquoted as YAML would: `null` and `~` are [`Yaml::Null`].
    Text(String),
    /// `null`, `~`, or nothing after the colon with nothing nested under it.
    Null,
    /// Anything else: a list, a flow collection.
    Other,
}

impl Yaml {
    /// The value under `key` of a mapping.
    pub(crate) fn get(&self, key: &str) -> Option<&Yaml> {
        match self {
            Self::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The text of a scalar; `None` for anything else, `null` included.
    pub(crate) fn text(&self) -> Option<&str> {
        match self {
            Self::Text(t) => Some(t),
            _ => None,
        }
    }
}

/// `text` read as a mapping, or the line it cannot be read at and why.
pub(crate) fn parse(text: &str) -> Result<Yaml, (usize, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line.trim_end()))
        .filter(|(_, line)| {
            let body = line.trim_start();
            !body.is_empty() && !body.starts_with('#') && body != "---"
        })
        .collect();
    let mut at = 0;
    let map = mapping(&lines, &mut at, 0)?;
    match lines.get(at) {
        Some((n, _)) => Err((*n, "indented less than the lines before it".into())),
        None => Ok(map),
    }
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// How many mappings deep a file may nest: ZenML's nest three or four.
const NESTING: usize = 32;

/// The mapping whose keys are indented `depth` spaces, from line `at` on.
fn mapping(lines: &[(usize, &str)], at: &mut usize, depth: usize) -> Result<Yaml, (usize, String)> {
    if depth > NESTING * 8 {
        let n = lines.get(*at).map_or(0, |(n, _)| *n);
        return Err((n, format!("nested deeper than {NESTING} mappings")));
    }
    let mut entries = Vec::new();
    while let Some(&(n, line)) = lines.get(*at) {
        let here = indent(line);
        if here < depth {
            break;
        }
        if here > depth {
            return Err((n, "indented more than its mapping".into()));
        }
        let body = &line[here..];
        if body.starts_with("- ") || body == "-" {
            // A list where a key was expected: the whole list is kept as `Other`.
            return Ok(Yaml::Other);
        }
        let (key, rest) = split_key(body).ok_or((n, "expected `key: value`".to_owned()))?;
        *at += 1;
        let value = if rest.is_empty() {
            match lines.get(*at) {
                // `PyYAML` writes a list at its key's own indentation.
                Some(&(_, next)) if indent(next) == depth && next[depth..].starts_with('-') => {
                    while lines.get(*at).is_some_and(|(_, l)| {
                        indent(l) > depth || (indent(l) == depth && l[depth..].starts_with('-'))
                    }) {
                        *at += 1;
                    }
                    Yaml::Other
                }
                Some(&(_, next)) if indent(next) > depth => {
                    let inner = indent(next);
                    if next[inner..].starts_with('-') {
                        skip_deeper(lines, at, depth);
                        Yaml::Other
                    } else {
                        mapping(lines, at, inner)?
                    }
                }
                _ => Yaml::Null,
            }
        } else {
            scalar(lines, at, rest, n)?
        };
        entries.push((key, value));
    }
    Ok(Yaml::Map(entries))
}

/// Skips the lines nested deeper than `depth`.
fn skip_deeper(lines: &[(usize, &str)], at: &mut usize, depth: usize) {
    while lines.get(*at).is_some_and(|(_, l)| indent(l) > depth) {
        *at += 1;
    }
}

/// `key: rest` of a line: the key unquoted, the rest trimmed.
fn split_key(body: &str) -> Option<(String, &str)> {
    if let Some(quote @ ('\'' | '"')) = body.chars().next() {
        let close = body[1..].find(quote)? + 1;
        let rest = body[close + 1..].strip_prefix(':')?;
        return Some((body[1..close].to_owned(), rest.trim()));
    }
    // A plain key ends at the first `: ` (or a `:` ending the line); `http://host:8080` holds
    // colons that are not followed by a space.
    let end = body
        .match_indices(':')
        .map(|(i, _)| i)
        .find(|&i| body[i + 1..].is_empty() || body[i + 1..].starts_with(' '))?;
    Some((body[..end].trim().to_owned(), body[end + 1..].trim()))
}

/// The scalar starting with `first` on line `n`; a quoted one may go on over the next lines
/// (`PyYAML` folds long quoted text), whose breaks become spaces.
fn scalar(
    lines: &[(usize, &str)],
    at: &mut usize,
    first: &str,
    n: usize,
) -> Result<Yaml, (usize, String)> {
    match first.chars().next() {
        Some(quote @ ('\'' | '"')) => {
            let mut text = first.to_owned();
            // Looked for again only when a line brings the quote: linear in the value's length.
            let mut open = !closed(&text, quote);
            while open {
                let Some(&(_, next)) = lines.get(*at) else {
                    return Err((n, "a quoted value that is never closed".into()));
                };
                let next = next.trim();
                if quote == '"' && text.ends_with('\\') && !text.ends_with("\\\\") {
                    // An escaped line break: the lines join with nothing between them.
                    text.pop();
                } else {
                    text.push(' ');
                }
                text.push_str(next);
                *at += 1;
                open = !next.contains(quote) || !closed(&text, quote);
            }
            unquote(&text, quote)
                .map(Yaml::Text)
                .ok_or((n, "a quoted value with text after it".into()))
        }
        // Flow collections, anchors, aliases, tags, block scalars.
        Some('{' | '[' | '&' | '*' | '!' | '|' | '>') => Ok(Yaml::Other),
        _ => Ok(match first {
            "null" | "~" | "Null" | "NULL" => Yaml::Null,
            // A comment after a plain value.
            text => Yaml::Text(text.split(" #").next().unwrap_or(text).to_owned()),
        }),
    }
}

/// Whether quoted `text` (starting with `quote`) has its closing quote.
fn closed(text: &str, quote: char) -> bool {
    let body = &text[1..];
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            ('"', '\\') => {
                chars.next();
            }
            ('\'', '\'') if chars.peek() == Some(&'\'') => {
                chars.next();
            }
            (q, c) if c == q => return true,
            _ => {}
        }
    }
    false
}

/// The text of a quoted scalar: `''` in single quotes, the escapes of double quotes.
fn unquote(text: &str, quote: char) -> Option<String> {
    let body = &text[1..];
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            ('\'', '\'') if chars.peek() == Some(&'\'') => {
                chars.next();
                out.push('\'');
            }
            ('"', '\\') => match chars.next()? {
                'n' => out.push('\n'),
                't' | '\t' => out.push('\t'),
                'r' => out.push('\r'),
                '0' => out.push('\0'),
                'a' => out.push('\u{7}'),
                'b' => out.push('\u{8}'),
                'v' => out.push('\u{b}'),
                'f' => out.push('\u{c}'),
                'e' => out.push('\u{1b}'),
                'N' => out.push('\u{85}'),
                '_' => out.push('\u{a0}'),
                'L' => out.push('\u{2028}'),
                'P' => out.push('\u{2029}'),
                ' ' => out.push(' '),
                'x' => out.push(hex(&mut chars, 2)?),
                'u' => out.push(hex(&mut chars, 4)?),
                'U' => out.push(hex(&mut chars, 8)?),
                other => out.push(other),
            },
            (q, c) if c == q => {
                return chars.all(char::is_whitespace).then_some(out);
            }
            (_, c) => out.push(c),
        }
    }
    None
}

fn hex(chars: &mut impl Iterator<Item = char>, digits: usize) -> Option<char> {
    let text: String = chars.take(digits).collect();
    char::from_u32(u32::from_str_radix(&text, 16).ok()?)
}

#[cfg(test)]
mod tests {
    use super::{Yaml, parse};

    /// As `PyYAML`'s `yaml.dump(..., sort_keys=True)` writes ZenML's credentials store.
    #[test]
    fn reads_what_zenml_writes() {
        let text = "\
http://127.0.0.1:8080:
  api_token:
    access_token: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln
    device_metadata: {}
    expires_at: '2026-12-04T15:07:39.123456Z'
    leeway: 30
  password: ''
  url: http://127.0.0.1:8080
  username: default
https://zenml.example:
  api_key: ZENKEY_abc
  password: 'it''s a long password that `PyYAML` folds
    over two lines'
  tags:
  - a
  - b
  url: https://zenml.example
";
        let yaml = parse(text).unwrap();
        let local = yaml.get("http://127.0.0.1:8080").unwrap();
        let token = local.get("api_token").unwrap();
        assert_eq!(
            token.get("access_token").and_then(Yaml::text),
            Some("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln")
        );
        assert_eq!(
            token.get("expires_at").and_then(Yaml::text),
            Some("2026-12-04T15:07:39.123456Z")
        );
        assert_eq!(token.get("device_metadata"), Some(&Yaml::Other));
        assert_eq!(local.get("password").and_then(Yaml::text), Some(""));
        let remote = yaml.get("https://zenml.example").unwrap();
        assert_eq!(
            remote.get("password").and_then(Yaml::text),
            Some("it's a long password that `PyYAML` folds over two lines")
        );
        assert_eq!(remote.get("tags"), Some(&Yaml::Other));
        assert_eq!(
            remote.get("url").and_then(Yaml::text),
            Some("https://zenml.example")
        );
    }

    #[test]
    fn what_it_cannot_read_is_an_error_at_its_line() {
        assert_eq!(parse("a: 1\n   b: 2\n").unwrap_err().0, 2);
        assert_eq!(parse("a: 'open\n").unwrap_err().0, 1);
        assert_eq!(parse("just text\n").unwrap_err().0, 1);
        assert_eq!(
            parse("a:\nb: ~\n").unwrap(),
            Yaml::Map(vec![("a".into(), Yaml::Null), ("b".into(), Yaml::Null)])
        );
        assert_eq!(
            parse("k: \"tab\\there\\u00e9\"\n")
                .unwrap()
                .get("k")
                .and_then(Yaml::text),
            Some("tab\there\u{e9}")
        );
    }
}
