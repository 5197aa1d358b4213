//! The length of a value's JSON as ZenML's Python client measures it: `len(json.dumps(value))`,
//! with Python's defaults — `", "` and `": "` separators, non-ASCII escaped as `\uXXXX`.

use crate::value::tree::MetadataValue;

/// `len(json.dumps(value))` in Python, for the value as this crate sends it.
pub(crate) fn python_json_len(value: &MetadataValue) -> usize {
    match value {
        MetadataValue::Str(s) => str_len(s),
        MetadataValue::Uri(s) => str_len(s.as_str()),
        MetadataValue::Path(s) => str_len(s.as_str()),
        MetadataValue::DType(s) => str_len(s.as_str()),
        MetadataValue::Int(_) | MetadataValue::Float(_) | MetadataValue::StorageSize(_) => {
            value.to_json().len()
        }
        MetadataValue::Bool(b) => {
            if *b {
                4
            } else {
                5
            }
        }
        MetadataValue::List(items) | MetadataValue::Tuple(items) | MetadataValue::Set(items) => {
            2 + items.iter().map(python_json_len).sum::<usize>() + 2 * items.len().saturating_sub(1)
        }
        MetadataValue::Dict(entries) => {
            2 + entries
                .iter()
                .map(|(k, v)| str_len(k) + 2 + python_json_len(v))
                .sum::<usize>()
                + 2 * entries.len().saturating_sub(1)
        }
    }
}

/// A string's length in `json.dumps`: quotes, two-character escapes, `\u00XX` for other control
/// characters, `\uXXXX` for non-ASCII (twice, as a surrogate pair, beyond the BMP).
fn str_len(s: &str) -> usize {
    2 + s
        .chars()
        .map(|c| match c {
            '"' | '\\' | '\n' | '\r' | '\t' | '\u{8}' | '\u{c}' => 2,
            c if (c as u32) < 0x20 => 6,
            c if c.is_ascii() => 1,
            c if (c as u32) < 0x1_0000 => 6,
            _ => 12,
        })
        .sum::<usize>()
}

#[cfg(test)]
mod tests {
    use super::python_json_len;
    use crate::ToMetadata;

    /// Each expected length is what Python 3.11's `len(json.dumps(...))` gives.
    #[test]
    fn matches_python() {
        let cases: Vec<(crate::MetadataValue, usize)> = vec![
            ("abc".to_metadata(), 5),                                     // "abc"
            ("é".to_metadata(), 8),                                       // "\u00e9"
            ("😀".to_metadata(), 14),                                     // "\ud83d\ude00"
            ("a\"b\n".to_metadata(), 8),                                  // "a\"b\n"
            (vec![1, 2, 3].to_metadata(), 9),                             // [1, 2, 3]
            (serde_json::json!({"a": 1, "b": [true]}).to_metadata(), 21), // {"a": 1, "b": [true]}
            (Vec::<i32>::new().to_metadata(), 2),
            (2.5.to_metadata(), 3),
        ];
        for (value, len) in cases {
            assert_eq!(python_json_len(&value), len, "{value:?}");
        }
    }
}
