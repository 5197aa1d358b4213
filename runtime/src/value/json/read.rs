//! The JSON reader: a small recursive-descent parser, so that integers beyond 64 bits come back
//! exactly, and the retagging that gives a parsed value the type its ZenML tag names.

use core::fmt;

use crate::value::integer::Integer;
use crate::value::key::KeyError;
use crate::value::special::{DType, Path, StorageSize, Uri};
use crate::value::tree::{MAX_DEPTH, MetadataType, MetadataValue};

/// Why a `values` + `types` pair, or one tagged value, could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeError {
    /// The text is not valid JSON.
    Syntax {
        /// Byte offset of the problem.
        offset: usize,
        /// What was wrong there.
        message: &'static str,
    },
    /// Arrays and objects nest deeper than [`MAX_DEPTH`].
    TooDeep {
        /// Byte offset where the limit was passed.
        offset: usize,
    },
    /// `values` or `types` is not a JSON object.
    NotAnObject {
        /// `"values"` or `"types"`.
        which: &'static str,
    },
    /// A key of `values` has no entry in `types`.
    MissingType {
        /// The key.
        key: String,
    },
    /// A tag that is not one of ZenML's.
    UnknownType {
        /// The key it was given for.
        key: String,
        /// The tag.
        tag: String,
    },
    /// A tag in `types` that is not a string.
    TagNotAString {
        /// The key it was given for.
        key: String,
    },
    /// A value that does not fit its tag.
    Mismatch {
        /// The key, where the value had one.
        key: Option<String>,
        /// The tag.
        tag: MetadataType,
        /// What the value was instead.
        found: &'static str,
    },
    /// A single value that is `null`: ZenML has no null metadata value.
    Null {
        /// The key, where the value had one.
        key: Option<String>,
    },
    /// A key ZenML would refuse.
    InvalidKey(KeyError),
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key = |k: &Option<String>| match k {
            Some(k) => format!(" of key {k:?}"),
            None => String::new(),
        };
        match self {
            Self::Syntax { offset, message } => {
                write!(f, "invalid JSON at byte {offset}: {message}")
            }
            Self::TooDeep { offset } => write!(
                f,
                "JSON nests deeper than {MAX_DEPTH} arrays or objects (at byte {offset})"
            ),
            Self::NotAnObject { which } => write!(f, "`{which}` is not a JSON object"),
            Self::MissingType { key } => write!(f, "key {key:?} is in `values` but not in `types`"),
            Self::UnknownType { key, tag } => {
                write!(f, "key {key:?} has the unknown metadata type tag {tag:?}")
            }
            Self::TagNotAString { key } => write!(f, "the type tag of key {key:?} is not a string"),
            Self::Mismatch { key: k, tag, found } => {
                write!(f, "value{} is {found}, which is not a `{tag}`", key(k))
            }
            Self::Null { key: k } => write!(f, "value{} is null", key(k)),
            Self::InvalidKey(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            // Shown as it is: its source is its own.
            Self::InvalidKey(e) => std::error::Error::source(e),
            _ => None,
        }
    }
}

/// Gives `raw` (as the JSON reader or a `serde_json::Value` produced it) the type `tag` names.
/// On a mismatch, returns what was found instead.
pub(crate) fn retag(raw: MetadataValue, tag: MetadataType) -> Result<MetadataValue, &'static str> {
    use MetadataValue as V;
    let found = json_kind(&raw);
    Ok(match (tag, raw) {
        (MetadataType::Str, v @ V::Str(_))
        | (MetadataType::Int, v @ V::Int(_))
        | (MetadataType::Float, v @ V::Float(_))
        | (MetadataType::Bool, v @ V::Bool(_))
        | (MetadataType::List, v @ V::List(_))
        | (MetadataType::Dict, v @ V::Dict(_)) => v,
        // ZenML reads a float sent as `2` as the int 2; with its tag it is a float again.
        (MetadataType::Float, V::Int(i)) => V::Float(i.to_f64()),
        (MetadataType::Float, V::Str(s)) => match s.as_str() {
            "NaN" => V::Float(f64::NAN),
            "Infinity" => V::Float(f64::INFINITY),
            "-Infinity" => V::Float(f64::NEG_INFINITY),
            _ => return Err(found),
        },
        (MetadataType::Tuple, V::List(items)) => V::Tuple(items),
        (MetadataType::Set, V::List(items)) => V::Set(items),
        (MetadataType::Uri, V::Str(s)) => V::Uri(Uri::from(s)),
        (MetadataType::Path, V::Str(s)) => V::Path(Path::from(s)),
        (MetadataType::DType, V::Str(s)) => V::DType(DType::from(s)),
        (MetadataType::StorageSize, V::Int(i)) => match i.as_u64() {
            Some(bytes) => V::StorageSize(StorageSize::new(bytes)),
            None => return Err("an integer outside 0..=u64::MAX"),
        },
        _ => return Err(found),
    })
}

fn json_kind(v: &MetadataValue) -> &'static str {
    match v {
        MetadataValue::Str(_)
        | MetadataValue::Uri(_)
        | MetadataValue::Path(_)
        | MetadataValue::DType(_) => "a string",
        MetadataValue::Int(_) | MetadataValue::StorageSize(_) => "an integer",
        MetadataValue::Float(_) => "a float",
        MetadataValue::Bool(_) => "a boolean",
        MetadataValue::List(_) | MetadataValue::Tuple(_) | MetadataValue::Set(_) => "an array",
        MetadataValue::Dict(_) => "an object",
    }
}

/// A JSON reader producing untyped values: strings, integers, floats, booleans, lists and dicts;
/// `null` is `None`, omitted inside arrays and objects.
struct Parser<'a> {
    text: &'a str,
    pos: usize,
    depth: usize,
    limit: usize,
}

/// Reads `text` as untyped values (`null` is `None`), refusing arrays and objects nested
/// deeper than `limit` and integers beyond 128 bits.
pub(crate) fn parse(text: &str, limit: usize) -> Result<Option<MetadataValue>, DecodeError> {
    Parser {
        text,
        pos: 0,
        depth: 0,
        limit,
    }
    .parse_document()
}

type Parsed<T> = Result<T, DecodeError>;

impl Parser<'_> {
    fn parse_document(mut self) -> Parsed<Option<MetadataValue>> {
        let value = self.parse_value()?;
        self.skip_ws();
        if self.pos != self.text.len() {
            return Err(self.error("trailing characters after the JSON value"));
        }
        Ok(value)
    }

    fn error(&self, message: &'static str) -> DecodeError {
        DecodeError::Syntax {
            offset: self.pos,
            message,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, byte: u8, message: &'static str) -> Parsed<()> {
        self.skip_ws();
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(message))
        }
    }

    fn literal(&mut self, word: &'static str) -> Parsed<()> {
        if self.text[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(self.error("expected a JSON value"))
        }
    }

    fn parse_value(&mut self) -> Parsed<Option<MetadataValue>> {
        self.skip_ws();
        Ok(Some(match self.peek() {
            Some(b'"') => MetadataValue::Str(self.parse_string()?),
            Some(b'{') => self.nested(Self::parse_object)?,
            Some(b'[') => self.nested(Self::parse_array)?,
            Some(b't') => {
                self.literal("true")?;
                MetadataValue::Bool(true)
            }
            Some(b'f') => {
                self.literal("false")?;
                MetadataValue::Bool(false)
            }
            Some(b'n') => {
                self.literal("null")?;
                return Ok(None);
            }
            Some(b'-' | b'0'..=b'9') => self.parse_number()?,
            Some(_) => return Err(self.error("expected a JSON value")),
            None => return Err(self.error("unexpected end of input")),
        }))
    }

    fn nested(&mut self, parse: fn(&mut Self) -> Parsed<MetadataValue>) -> Parsed<MetadataValue> {
        if self.depth == self.limit {
            return Err(DecodeError::TooDeep { offset: self.pos });
        }
        self.depth += 1;
        let value = parse(self);
        self.depth -= 1;
        value
    }

    fn parse_array(&mut self) -> Parsed<MetadataValue> {
        self.pos += 1; // [
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(MetadataValue::List(items));
        }
        loop {
            items.extend(self.parse_value()?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(MetadataValue::List(items));
                }
                _ => return Err(self.error("expected `,` or `]` in an array")),
            }
        }
    }

    fn parse_object(&mut self) -> Parsed<MetadataValue> {
        self.pos += 1; // {
        let mut members: Vec<(String, Option<MetadataValue>)> = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(MetadataValue::Dict(Vec::new()));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a string key in an object"));
            }
            let key = self.parse_string()?;
            self.expect(b':', "expected `:` after an object key")?;
            members.push((key, self.parse_value()?));
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(MetadataValue::Dict(first_place_last_value(members)));
                }
                _ => return Err(self.error("expected `,` or `}` in an object")),
            }
        }
    }

    fn parse_number(&mut self) -> Parsed<MetadataValue> {
        let start = self.pos;
        let bytes = self.text.as_bytes();
        let digits = |pos: &mut usize| {
            let from = *pos;
            while bytes.get(*pos).is_some_and(u8::is_ascii_digit) {
                *pos += 1;
            }
            *pos - from
        };
        let mut pos = self.pos;
        if bytes[pos] == b'-' {
            pos += 1;
        }
        let int_start = pos;
        let int_len = digits(&mut pos);
        if int_len == 0 || (int_len > 1 && bytes[int_start] == b'0') {
            self.pos = int_start;
            return Err(self.error("invalid number"));
        }
        let mut is_float = false;
        if bytes.get(pos) == Some(&b'.') {
            pos += 1;
            is_float = true;
            if digits(&mut pos) == 0 {
                self.pos = pos;
                return Err(self.error("expected digits after `.`"));
            }
        }
        if matches!(bytes.get(pos), Some(b'e' | b'E')) {
            pos += 1;
            is_float = true;
            if matches!(bytes.get(pos), Some(b'+' | b'-')) {
                pos += 1;
            }
            if digits(&mut pos) == 0 {
                self.pos = pos;
                return Err(self.error("expected digits in an exponent"));
            }
        }
        self.pos = pos;
        let text = &self.text[start..pos];
        if is_float {
            // Grammar checked above; Rust's parser accepts every JSON number.
            text.parse::<f64>()
                .map(MetadataValue::Float)
                .map_err(|_| self.error("invalid number"))
        } else {
            match text.parse::<Integer>() {
                Ok(i) => Ok(MetadataValue::Int(i)),
                Err(_) => Err(DecodeError::Syntax {
                    offset: start,
                    message: "integer outside the range of i128 and u128",
                }),
            }
        }
    }

    fn parse_string(&mut self) -> Parsed<String> {
        self.pos += 1; // opening quote
        let mut out = String::new();
        loop {
            let rest = &self.text[self.pos..];
            let Some(stop) = rest.find(|c: char| c == '"' || c == '\\' || c < ' ') else {
                self.pos = self.text.len();
                return Err(self.error("unterminated string"));
            };
            out.push_str(&rest[..stop]);
            self.pos += stop;
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    self.parse_escape(&mut out)?;
                }
                _ => return Err(self.error("control character in a string")),
            }
        }
    }

    fn parse_escape(&mut self, out: &mut String) -> Parsed<()> {
        let Some(byte) = self.peek() else {
            return Err(self.error("unterminated string"));
        };
        self.pos += 1;
        out.push(match byte {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let high = self.hex4()?;
                let code = if (0xD800..0xDC00).contains(&high) {
                    if !self.text[self.pos..].starts_with("\\u") {
                        return Err(self.error("unpaired surrogate in a \\u escape"));
                    }
                    self.pos += 2;
                    let low = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&low) {
                        return Err(self.error("unpaired surrogate in a \\u escape"));
                    }
                    0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                } else {
                    high
                };
                char::from_u32(code)
                    .ok_or_else(|| self.error("unpaired surrogate in a \\u escape"))?
            }
            _ => {
                self.pos -= 1;
                return Err(self.error("invalid escape in a string"));
            }
        });
        Ok(())
    }

    fn hex4(&mut self) -> Parsed<u32> {
        let digits = self
            .text
            .get(self.pos..self.pos + 4)
            .filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| self.error("expected four hex digits after \\u"))?;
        self.pos += 4;
        u32::from_str_radix(digits, 16)
            .map_err(|_| self.error("expected four hex digits after \\u"))
    }
}

/// An object's members as a `Dict` as Python's `json.loads` (and so ZenML) reads it: a repeated
/// key keeps the place it first had and the value it last had; no `null`s. Up to 64 members are
/// searched in order, more through an index.
fn first_place_last_value(
    members: Vec<(String, Option<MetadataValue>)>,
) -> Vec<(String, MetadataValue)> {
    let mut out: Vec<(String, Option<MetadataValue>)> = Vec::with_capacity(members.len());
    if members.len() <= 64 {
        for (key, value) in members {
            match out.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = value,
                None => out.push((key, value)),
            }
        }
    } else {
        let mut at = std::collections::HashMap::with_capacity(members.len());
        for (key, value) in members {
            if let Some(&i) = at.get(&key) {
                out[i] = (key, value);
            } else {
                at.insert(key.clone(), out.len());
                out.push((key, value));
            }
        }
    }
    out.into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect()
}

#[cfg(all(test, feature = "zenml"))]
mod tests;
