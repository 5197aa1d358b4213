//! The JSON writer: the bytes `serde_json::to_string` gives for the same values (UTF-8 kept,
//! floats by `zmij`, as `serde_json` does), with integers exact at any width.

use crate::value::tree::{MetadataValue, non_finite_word};

/// For each byte, how JSON writes it inside a string: 0 as it is, `u` as `\u00XX`, else the
/// second character of a two-character escape.
const ESCAPE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = b'u';
        b += 1;
    }
    table[b'\n' as usize] = b'n';
    table[b'\r' as usize] = b'r';
    table[b'\t' as usize] = b't';
    table[0x08] = b'b';
    table[0x0c] = b'f';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

pub(crate) fn write_str(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(s.len() + 2);
    out.push('"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape = ESCAPE[usize::from(b)];
        if escape == 0 {
            continue;
        }
        // Escaped bytes are ASCII, so `start..i` falls on character boundaries.
        out.push_str(&s[start..i]);
        out.push('\\');
        if escape == b'u' {
            out.push_str("u00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        } else {
            out.push(char::from(escape));
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

pub(crate) fn write_value(out: &mut String, value: &MetadataValue) {
    match value {
        MetadataValue::Str(s) => write_str(out, s),
        MetadataValue::Uri(s) => write_str(out, s.as_str()),
        MetadataValue::Path(s) => write_str(out, s.as_str()),
        MetadataValue::DType(s) => write_str(out, s.as_str()),
        MetadataValue::Int(i) => i.write_to(out),
        MetadataValue::StorageSize(s) => out.push_str(itoa::Buffer::new().format(s.bytes())),
        MetadataValue::Float(x) if x.is_finite() => {
            out.push_str(zmij::Buffer::new().format_finite(*x));
        }
        MetadataValue::Float(x) => {
            out.push('"');
            out.push_str(non_finite_word(*x));
            out.push('"');
        }
        MetadataValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        MetadataValue::List(items) | MetadataValue::Tuple(items) | MetadataValue::Set(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        MetadataValue::Dict(entries) => {
            write_object(
                out,
                entries.iter().map(|(k, v)| (k.as_str(), v)),
                write_value,
            );
        }
    }
}

/// Writes `{"key":value,...}`, each value by `write`.
pub(crate) fn write_object<'a, T>(
    out: &mut String,
    entries: impl Iterator<Item = (&'a str, T)>,
    mut write: impl FnMut(&mut String, T),
) {
    out.push('{');
    for (i, (k, v)) in entries.enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_str(out, k);
        out.push(':');
        write(out, v);
    }
    out.push('}');
}
