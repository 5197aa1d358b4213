//! Scalars: booleans, integers, floats, text, paths, ids, ZenML's special types, and
//! `serde_json::Value` (converted down to `MAX_DEPTH`).

use super::traits::ToMetadata;
use crate::value::integer::Integer;
use crate::value::special::{DType, Path, StorageSize, Uri};
use crate::value::tree::{MAX_DEPTH, MetadataType, MetadataValue};

impl ToMetadata for MetadataValue {
    #[inline]
    fn to_metadata(&self) -> MetadataValue {
        self.clone()
    }
}

impl ToMetadata for bool {
    const METADATA_TYPE: Option<MetadataType> = Some(MetadataType::Bool);

    #[inline]
    fn to_metadata(&self) -> MetadataValue {
        MetadataValue::Bool(*self)
    }
}

macro_rules! integers {
    ($($t:ty)*) => {$(
        impl ToMetadata for $t {
    const METADATA_TYPE: Option<MetadataType> = Some(MetadataType::Int);

            #[inline]
            fn to_metadata(&self) -> MetadataValue {
                MetadataValue::Int(Integer::from(*self))
            }
        }
    )*};
}
integers!(i8 i16 i32 i64 i128 isize u8 u16 u32 u64 u128 usize);

impl ToMetadata for f64 {
    const METADATA_TYPE: Option<MetadataType> = Some(MetadataType::Float);

    #[inline]
    fn to_metadata(&self) -> MetadataValue {
        MetadataValue::Float(*self)
    }
}

impl ToMetadata for f32 {
    const METADATA_TYPE: Option<MetadataType> = Some(MetadataType::Float);

    /// The `f64` nearest the `f32`'s shortest decimal form: `0.1f32` becomes `0.1`, not
    /// `0.10000000149011612`.
    #[inline]
    fn to_metadata(&self) -> MetadataValue {
        MetadataValue::Float(f32_to_f64(*self))
    }
}

/// The `f64` nearest `x`'s shortest round-tripping decimal form.
fn f32_to_f64(x: f32) -> f64 {
    if !x.is_finite() {
        return f64::from(x);
    }
    let mut buf = zmij::Buffer::new();
    // zmij's output always parses; the fallback only keeps this total.
    buf.format_finite(x).parse().unwrap_or(f64::from(x))
}

impl ToMetadata for char {
    const METADATA_TYPE: Option<MetadataType> = Some(MetadataType::Str);

    #[inline]
    fn to_metadata(&self) -> MetadataValue {
        MetadataValue::Str(self.to_string())
    }
}

impl ToMetadata for str {
    const METADATA_TYPE: Option<MetadataType> = Some(MetadataType::Str);

    #[inline]
    fn to_metadata(&self) -> MetadataValue {
        MetadataValue::Str(self.to_owned())
    }
}

impl ToMetadata for String {
    const METADATA_TYPE: Option<MetadataType> = Some(MetadataType::Str);

    #[inline]
    fn to_metadata(&self) -> MetadataValue {
        MetadataValue::Str(self.clone())
    }
}

impl ToMetadata for std::path::Path {
    const METADATA_TYPE: Option<MetadataType> = Some(MetadataType::Path);

    #[inline]
    fn to_metadata(&self) -> MetadataValue {
        MetadataValue::Path(Path::from(self))
    }
}

impl ToMetadata for std::path::PathBuf {
    const METADATA_TYPE: Option<MetadataType> = Some(MetadataType::Path);

    #[inline]
    fn to_metadata(&self) -> MetadataValue {
        MetadataValue::Path(Path::from(self.as_path()))
    }
}

impl ToMetadata for uuid::Uuid {
    const METADATA_TYPE: Option<MetadataType> = Some(MetadataType::Str);

    /// Lowercase and hyphenated, as Python's `str(uuid)`.
    #[inline]
    fn to_metadata(&self) -> MetadataValue {
        let mut buf = uuid::Uuid::encode_buffer();
        MetadataValue::Str(self.hyphenated().encode_lower(&mut buf).to_owned())
    }
}

#[cfg(feature = "url")]
impl ToMetadata for url::Url {
    const METADATA_TYPE: Option<MetadataType> = Some(MetadataType::Uri);

    /// The URL as a [`Uri`], in its serialized form.
    fn to_metadata(&self) -> MetadataValue {
        MetadataValue::Uri(Uri::new(self.as_str()))
    }
}

impl ToMetadata for Uri {
    const METADATA_TYPE: Option<MetadataType> = Some(MetadataType::Uri);

    #[inline]
    fn to_metadata(&self) -> MetadataValue {
        MetadataValue::Uri(self.clone())
    }
}

impl ToMetadata for Path {
    const METADATA_TYPE: Option<MetadataType> = Some(MetadataType::Path);

    #[inline]
    fn to_metadata(&self) -> MetadataValue {
        MetadataValue::Path(self.clone())
    }
}

impl ToMetadata for DType {
    const METADATA_TYPE: Option<MetadataType> = Some(MetadataType::DType);

    #[inline]
    fn to_metadata(&self) -> MetadataValue {
        MetadataValue::DType(self.clone())
    }
}

impl ToMetadata for StorageSize {
    const METADATA_TYPE: Option<MetadataType> = Some(MetadataType::StorageSize);

    #[inline]
    fn to_metadata(&self) -> MetadataValue {
        MetadataValue::StorageSize(*self)
    }
}

impl ToMetadata for serde_json::Value {
    fn to_metadata(&self) -> MetadataValue {
        self.to_metadata_opt()
            .unwrap_or_else(|| MetadataValue::Str(String::new()))
    }

    /// `null` is no value; inside arrays and objects it is omitted.
    ///
    /// Arrays and objects nested deeper than [`MAX_DEPTH`](crate::MAX_DEPTH) are not converted:
    /// in their place stands the string [`TOO_DEEP`](crate::TOO_DEEP), so that the conversion
    /// (and all that reads its result) stays within a bounded stack.
    fn to_metadata_opt(&self) -> Option<MetadataValue> {
        json_value(self, 0)
    }
}

/// What stands for a `serde_json::Value` array or object nested deeper than
/// [`MAX_DEPTH`](crate::MAX_DEPTH): the conversion stops there, visibly.
pub const TOO_DEEP: &str = "[nested deeper than 128 levels: not converted]";

fn json_value(value: &serde_json::Value, depth: usize) -> Option<MetadataValue> {
    use serde_json::Value;
    let nested = matches!(value, Value::Array(_) | Value::Object(_));
    if nested && depth >= MAX_DEPTH {
        return Some(MetadataValue::Str(TOO_DEEP.to_owned()));
    }
    Some(match value {
        Value::Null => return None,
        Value::Bool(b) => MetadataValue::Bool(*b),
        Value::Number(n) => number(n),
        Value::String(s) => MetadataValue::Str(s.clone()),
        Value::Array(items) => MetadataValue::List(
            items
                .iter()
                .filter_map(|v| json_value(v, depth + 1))
                .collect(),
        ),
        Value::Object(map) => MetadataValue::Dict(
            map.iter()
                .filter_map(|(k, v)| Some((k.clone(), json_value(v, depth + 1)?)))
                .collect(),
        ),
    })
}

fn number(n: &serde_json::Number) -> MetadataValue {
    if let Some(i) = n.as_i64() {
        MetadataValue::Int(Integer::from(i))
    } else if let Some(u) = n.as_u64() {
        MetadataValue::Int(Integer::from(u))
    } else if let Ok(i) = n.to_string().parse::<Integer>() {
        // Only reachable with serde_json's `arbitrary_precision`.
        MetadataValue::Int(i)
    } else if let Some(f) = n.as_f64() {
        MetadataValue::Float(f)
    } else {
        MetadataValue::Str(n.to_string())
    }
}
