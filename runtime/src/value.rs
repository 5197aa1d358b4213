//! The value model: one variant per ZenML metadata type.

use core::fmt;
use core::str::FromStr;

use crate::special::{DType, Path, StorageSize, Uri};

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

/// An integer of any Rust integer type, kept exactly (`u128::MAX` and `i128::MIN` included).
///
/// ZenML stores Python ints, which are unbounded; this type covers every Rust integer.
///
/// ```
/// use run_metadata::Integer;
///
/// assert_eq!(Integer::from(u128::MAX).to_string(), u128::MAX.to_string());
/// assert_eq!(Integer::from(-3_i8).as_i64(), Some(-3));
/// assert_eq!(Integer::from(u64::MAX).as_i64(), None);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Integer(Repr);

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Repr {
    /// Every value that fits an `i128`.
    Small(i128),
    /// Only values above `i128::MAX`, so that equality stays structural.
    Large(u128),
}

impl Integer {
    /// The value as an `i64`, if it fits.
    #[must_use]
    pub fn as_i64(self) -> Option<i64> {
        self.as_i128().and_then(|v| i64::try_from(v).ok())
    }

    /// The value as a `u64`, if it fits.
    #[must_use]
    pub fn as_u64(self) -> Option<u64> {
        self.as_u128().and_then(|v| u64::try_from(v).ok())
    }

    /// The value as an `i128`, if it fits.
    #[must_use]
    pub const fn as_i128(self) -> Option<i128> {
        match self.0 {
            Repr::Small(v) => Some(v),
            Repr::Large(_) => None,
        }
    }

    /// The value as a `u128`, if it fits.
    #[must_use]
    pub const fn as_u128(self) -> Option<u128> {
        match self.0 {
            Repr::Small(v) if v >= 0 => Some(v.cast_unsigned()),
            Repr::Small(_) => None,
            Repr::Large(v) => Some(v),
        }
    }

    /// Whether the value is below zero.
    #[must_use]
    pub const fn is_negative(self) -> bool {
        matches!(self.0, Repr::Small(v) if v < 0)
    }

    /// The value as the nearest `f64`.
    #[must_use]
    #[allow(clippy::cast_precision_loss)]
    pub const fn to_f64(self) -> f64 {
        match self.0 {
            Repr::Small(v) => v as f64,
            Repr::Large(v) => v as f64,
        }
    }

    pub(crate) fn write_to(self, out: &mut String) {
        let mut buf = itoa::Buffer::new();
        out.push_str(match self.0 {
            // 64-bit formatting is several times faster than 128-bit; most values fit.
            Repr::Small(v) => match i64::try_from(v) {
                Ok(small) => buf.format(small),
                Err(_) => buf.format(v),
            },
            Repr::Large(v) => buf.format(v),
        });
    }
}

macro_rules! integer_from {
    (small: $($t:ty)*) => {$(
        impl From<$t> for Integer {
            #[inline]
            fn from(v: $t) -> Self {
                Integer(Repr::Small(i128::from(v)))
            }
        }
    )*};
}
integer_from!(small: i8 i16 i32 i64 i128 u8 u16 u32 u64);

impl From<isize> for Integer {
    #[inline]
    fn from(v: isize) -> Self {
        // `isize` is at most 64 bits wide on every target Rust supports.
        Integer(Repr::Small(v as i128))
    }
}

impl From<usize> for Integer {
    #[inline]
    fn from(v: usize) -> Self {
        Integer(Repr::Small(v as i128))
    }
}

impl From<u128> for Integer {
    #[inline]
    fn from(v: u128) -> Self {
        match i128::try_from(v) {
            Ok(small) => Integer(Repr::Small(small)),
            Err(_) => Integer(Repr::Large(v)),
        }
    }
}

impl Ord for Integer {
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        match (self.0, other.0) {
            (Repr::Small(a), Repr::Small(b)) => a.cmp(&b),
            (Repr::Large(a), Repr::Large(b)) => a.cmp(&b),
            (Repr::Small(_), Repr::Large(_)) => core::cmp::Ordering::Less,
            (Repr::Large(_), Repr::Small(_)) => core::cmp::Ordering::Greater,
        }
    }
}

impl PartialOrd for Integer {
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Integer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Repr::Small(v) => fmt::Display::fmt(&v, f),
            Repr::Large(v) => fmt::Display::fmt(&v, f),
        }
    }
}

impl fmt::Debug for Integer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for Integer {
    type Err = core::num::ParseIntError;

    /// Parses decimal digits with an optional leading `-`, any width up to `u128::MAX`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.parse::<i128>() {
            Ok(v) => Ok(Integer(Repr::Small(v))),
            Err(small_err) => match s.parse::<u128>() {
                Ok(v) => Ok(Integer::from(v)),
                Err(_) => Err(small_err),
            },
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
            Self::Float(x) => f.write_str(&crate::json::float_text(*x)),
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
