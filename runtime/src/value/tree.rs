//! The value model: one variant per ZenML metadata type.

use core::fmt;
use core::str::FromStr;
use std::borrow::Cow;

use serde::ser::{SerializeMap, SerializeSeq};

use crate::value::integer::Integer;
use crate::value::special::{DType, Path, StorageSize, Uri};

/// How deep lists, tuples, sets and dicts may nest in a value.
///
/// The JSON reader refuses deeper input and a deeper `serde_json::Value` is converted down to
/// this depth, so every recursion over a value is bounded.
pub const MAX_DEPTH: usize = 128;

/// One metadata value, typed as ZenML types it.
///
/// Every variant is one of ZenML's `MetadataType`s; [`MetadataValue::metadata_type`] gives the
/// tag ZenML stores next to the value.
///
/// # Non-finite floats
///
/// JSON has no NaN or infinity, and ZenML's REST API refuses the `null` its own client writes in
/// their place (HTTP 422, the whole publish fails). This crate keeps such a value instead of
/// dropping it or failing: a non-finite [`Float`](MetadataValue::Float) is written as the JSON
/// string `"NaN"`, `"Infinity"` or `"-Infinity"` (the spellings of JavaScript and of Python's
/// `json` module), still tagged `float`. ZenML stores it unchecked and its dashboard shows the
/// word; reading a `float`-tagged value back turns the string into the float again. Inside a
/// container the tag is the container's, so there the string stays a string when read back.
///
/// # `None`
///
/// ZenML has no null metadata value. A `None` (or a JSON `null`) never becomes a value: at the top
/// level the key is omitted, inside a map the entry is omitted, and inside a list, tuple or set
/// the element is omitted.
///
/// # Display and Debug
///
/// `Display` gives the dashboard's form: strings, URIs and paths as their text, a storage size in
/// binary units (`1.50 GiB`), containers with their elements. `Debug` stays structural.
///
/// ```
/// use run_metadata::{MetadataType, MetadataValue, StorageSize, ToMetadata};
///
/// let size = StorageSize::new(3 << 29).to_metadata();
/// assert_eq!(size.metadata_type(), MetadataType::StorageSize);
/// assert_eq!(size.to_string(), "1.50 GiB");
/// assert_eq!((1, "a").to_metadata().to_string(), r#"(1, "a")"#);
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum MetadataValue {
    /// A string (`str`).
    Str(String),
    /// An integer of any Rust integer type, exact (`int`).
    Int(Integer),
    /// A float (`float`); see the type docs for NaN and infinities.
    Float(f64),
    /// A boolean (`bool`).
    Bool(bool),
    /// A list (`list`).
    List(Vec<MetadataValue>),
    /// A dict with string keys, in order (`dict`). Keys are expected to be unique.
    Dict(Vec<(String, MetadataValue)>),
    /// A tuple (`tuple`), sent as a JSON array.
    Tuple(Vec<MetadataValue>),
    /// A set (`set`), sent as a JSON array; elements are expected to be unique.
    Set(Vec<MetadataValue>),
    /// A URI, shown as a link by the dashboard (`Uri`).
    Uri(Uri),
    /// A filesystem path (`Path`).
    Path(Path),
    /// A data type name such as `float32` (`DType`).
    DType(DType),
    /// A size in bytes, shown in binary units (`StorageSize`).
    StorageSize(StorageSize),
}

impl MetadataValue {
    /// The ZenML type of this value.
    #[must_use]
    pub const fn metadata_type(&self) -> MetadataType {
        match self {
            Self::Str(_) => MetadataType::Str,
            Self::Int(_) => MetadataType::Int,
            Self::Float(_) => MetadataType::Float,
            Self::Bool(_) => MetadataType::Bool,
            Self::List(_) => MetadataType::List,
            Self::Dict(_) => MetadataType::Dict,
            Self::Tuple(_) => MetadataType::Tuple,
            Self::Set(_) => MetadataType::Set,
            Self::Uri(_) => MetadataType::Uri,
            Self::Path(_) => MetadataType::Path,
            Self::DType(_) => MetadataType::DType,
            Self::StorageSize(_) => MetadataType::StorageSize,
        }
    }

    /// The text of a `Str`, `Uri`, `Path` or `DType`.
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::Str(s) => Some(s),
            Self::Uri(s) => Some(s.as_str()),
            Self::Path(s) => Some(s.as_str()),
            Self::DType(s) => Some(s.as_str()),
            _ => None,
        }
    }

    /// The elements of a `List`, `Tuple` or `Set`.
    #[must_use]
    pub fn as_slice(&self) -> Option<&[MetadataValue]> {
        match self {
            Self::List(v) | Self::Tuple(v) | Self::Set(v) => Some(v),
            _ => None,
        }
    }

    /// Whether containers nest deeper than `limit` in this value, a top-level container being one
    /// level, as the JSON reader counts. Walks without recursion, so a value built by hand
    /// however deep is measured, not overflowed on. What nests deeper than [`MAX_DEPTH`] is
    /// refused by the store and by the Python bridge.
    ///
    /// ```
    /// use run_metadata::{MAX_DEPTH, MetadataValue};
    ///
    /// let mut v = MetadataValue::Int(1.into());
    /// for _ in 0..MAX_DEPTH {
    ///     v = MetadataValue::List(vec![v]);
    /// }
    /// assert!(!v.nests_deeper_than(MAX_DEPTH));
    /// assert!(MetadataValue::List(vec![v]).nests_deeper_than(MAX_DEPTH));
    /// ```
    #[must_use]
    pub fn nests_deeper_than(&self, limit: usize) -> bool {
        let mut pending = vec![(self, 0_usize)];
        while let Some((value, depth)) = pending.pop() {
            let children: Box<dyn Iterator<Item = &Self>> = match value {
                Self::List(v) | Self::Tuple(v) | Self::Set(v) => Box::new(v.iter()),
                Self::Dict(v) => Box::new(v.iter().map(|(_, v)| v)),
                _ => continue,
            };
            if depth == limit {
                return true;
            }
            pending.extend(children.map(|child| (child, depth + 1)));
        }
        false
    }

    /// Whether this value holds a NaN or an infinite float anywhere inside it.
    #[must_use]
    pub fn has_non_finite(&self) -> bool {
        match self {
            Self::Float(f) => !f.is_finite(),
            Self::List(v) | Self::Tuple(v) | Self::Set(v) => v.iter().any(Self::has_non_finite),
            Self::Dict(v) => v.iter().any(|(_, v)| v.has_non_finite()),
            _ => false,
        }
    }
}

/// ZenML's metadata type tags (`MetadataTypeEnum`).
///
/// ```
/// use run_metadata::MetadataType;
///
/// assert_eq!(MetadataType::StorageSize.as_str(), "StorageSize");
/// assert_eq!("tuple".parse::<MetadataType>(), Ok(MetadataType::Tuple));
/// assert!("Tuple".parse::<MetadataType>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum MetadataType {
    /// `str`
    Str,
    /// `int`
    Int,
    /// `float`
    Float,
    /// `bool`
    Bool,
    /// `list`
    List,
    /// `dict`
    Dict,
    /// `tuple`
    Tuple,
    /// `set`
    Set,
    /// `Uri`
    Uri,
    /// `Path`
    Path,
    /// `DType`
    DType,
    /// `StorageSize`
    StorageSize,
}

impl MetadataType {
    /// Every tag, in ZenML's order.
    pub const ALL: [MetadataType; 12] = [
        Self::Str,
        Self::Int,
        Self::Float,
        Self::Bool,
        Self::List,
        Self::Dict,
        Self::Tuple,
        Self::Set,
        Self::Uri,
        Self::Path,
        Self::DType,
        Self::StorageSize,
    ];

    /// ZenML's exact tag.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Str => "str",
            Self::Int => "int",
            Self::Float => "float",
            Self::Bool => "bool",
            Self::List => "list",
            Self::Dict => "dict",
            Self::Tuple => "tuple",
            Self::Set => "set",
            Self::Uri => "Uri",
            Self::Path => "Path",
            Self::DType => "DType",
            Self::StorageSize => "StorageSize",
        }
    }
}

impl fmt::Display for MetadataType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A tag that is not one of ZenML's metadata types.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownType(pub String);

impl fmt::Display for UnknownType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown metadata type tag {:?}", self.0)
    }
}

impl std::error::Error for UnknownType {}

impl FromStr for MetadataType {
    type Err = UnknownType;

    /// Parses ZenML's exact tag (case matters: `Uri`, but `str`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| UnknownType(s.to_owned()))
    }
}

impl serde::Serialize for MetadataType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl fmt::Display for MetadataValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Str(s) => f.write_str(s),
            Self::Uri(s) => f.write_str(s.as_str()),
            Self::Path(s) => f.write_str(s.as_str()),
            Self::DType(s) => f.write_str(s.as_str()),
            Self::StorageSize(s) => fmt::Display::fmt(s, f),
            Self::Int(i) => fmt::Display::fmt(i, f),
            Self::Bool(b) => f.write_str(if *b { "true" } else { "false" }),
            Self::Float(x) => f.write_str(&float_text(*x)),
            Self::List(v) => display_seq(f, "[", v, "]"),
            Self::Tuple(v) if v.len() == 1 => display_seq(f, "(", v, ",)"),
            Self::Tuple(v) => display_seq(f, "(", v, ")"),
            Self::Set(v) => display_seq(f, "{", v, "}"),
            Self::Dict(entries) => {
                f.write_str("{")?;
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k:?}: ")?;
                    display_inner(f, v)?;
                }
                f.write_str("}")
            }
        }
    }
}

fn display_seq(
    f: &mut fmt::Formatter<'_>,
    open: &str,
    items: &[MetadataValue],
    close: &str,
) -> fmt::Result {
    f.write_str(open)?;
    for (i, v) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        display_inner(f, v)?;
    }
    f.write_str(close)
}

/// Inside a container, text is quoted so that `["a, b"]` and `["a", "b"]` differ.
fn display_inner(f: &mut fmt::Formatter<'_>, v: &MetadataValue) -> fmt::Result {
    match v.as_str() {
        Some(s) => write!(f, "{s:?}"),
        None => fmt::Display::fmt(v, f),
    }
}

/// The text of a float: shortest round-trip form with `.0` on whole numbers; the words `NaN`,
/// `Infinity`, `-Infinity` for non-finite values.
fn float_text(x: f64) -> Cow<'static, str> {
    if x.is_finite() {
        Cow::Owned(zmij::Buffer::new().format_finite(x).to_owned())
    } else {
        Cow::Borrowed(non_finite_word(x))
    }
}

/// How a non-finite float is written: `NaN`, `Infinity` or `-Infinity`.
pub(crate) fn non_finite_word(x: f64) -> &'static str {
    if x.is_nan() {
        "NaN"
    } else if x > 0.0 {
        "Infinity"
    } else {
        "-Infinity"
    }
}

impl serde::Serialize for MetadataValue {
    /// ZenML's JSON form: tuples and sets as sequences, special types as plain strings and
    /// integers, non-finite floats as the strings `"NaN"`, `"Infinity"`, `"-Infinity"`.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Str(s) => serializer.serialize_str(s),
            Self::Uri(s) => serializer.serialize_str(s.as_str()),
            Self::Path(s) => serializer.serialize_str(s.as_str()),
            Self::DType(s) => serializer.serialize_str(s.as_str()),
            Self::Int(i) => {
                if let Some(v) = i.as_i64() {
                    serializer.serialize_i64(v)
                } else if let Some(v) = i.as_u64() {
                    serializer.serialize_u64(v)
                } else if let Some(v) = i.as_i128() {
                    serializer.serialize_i128(v)
                } else {
                    serializer.serialize_u128(i.as_u128().unwrap_or_default())
                }
            }
            Self::StorageSize(s) => serializer.serialize_u64(s.bytes()),
            Self::Float(x) if x.is_finite() => serializer.serialize_f64(*x),
            Self::Float(x) => serializer.serialize_str(non_finite_word(*x)),
            Self::Bool(b) => serializer.serialize_bool(*b),
            Self::List(items) | Self::Tuple(items) | Self::Set(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Self::Dict(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}
