//! `ToMetadata`: which Rust types are metadata, and how they convert.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::hash::BuildHasher;
use std::rc::Rc;
use std::sync::Arc;

use crate::integer::Integer;
use crate::special::{DType, Path, StorageSize, Uri};
use crate::value::{MAX_DEPTH, MetadataType, MetadataValue};

/// A Rust type that converts to one of ZenML's metadata types.
///
/// Implemented for `bool`, every integer type, `f32`/`f64`, `char` and the string types,
/// `std::path::Path`/`PathBuf` (as [`Path`]), `uuid::Uuid` (as a lowercase hyphenated string),
/// `serde_json::Value`, [`Uri`], [`Path`], [`DType`], [`StorageSize`] and [`MetadataValue`]
/// itself; for `Vec`, slices, arrays and `VecDeque` (lists), tuples up to 12 (tuples),
/// `HashSet`/`BTreeSet` (sets) and `HashMap`/`BTreeMap` with string or integer keys (dicts) of
/// those; and through `&`, `&mut`, `Box`, `Rc`, `Arc`, `Cow` and `Option`.
///
/// Output is deterministic: sets and hash maps are ordered by their Rust element or key type's
/// `Ord` before conversion (integer keys numerically).
///
/// `None`, and a JSON `null`, are no value: see [`to_metadata_opt`](ToMetadata::to_metadata_opt).
///
/// Implement it for a type of your own to make it trackable; that is the cast:
///
/// ```
/// use run_metadata::{MetadataValue, ToMetadata};
///
/// struct Accuracy(f64);
///
/// impl ToMetadata for Accuracy {
///     fn to_metadata(&self) -> MetadataValue {
///         self.0.to_metadata()
///     }
/// }
///
/// assert_eq!(Accuracy(0.5).to_metadata(), MetadataValue::Float(0.5));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be tracked as run metadata",
    label = "`{Self}` is not a ZenML metadata type",
    note = "metadata values are bool, integers, floats, strings, char, Uuid, paths, serde_json::Value, Uri, Path, DType, StorageSize, and lists, tuples, sets and string- or integer-keyed maps of them",
    note = "cast it with a function: `#[metadata(with = to_metadata)]` and `fn to_metadata(v: &{Self}) -> f64 {{ ... }}` (or any metadata type); a method works too, as in `with = std::time::Duration::as_secs_f64`",
    note = "a type of your own crate can implement `run_metadata::ToMetadata`; a type with `Display` can be tracked as text with `#[metadata(display)]`"
)]
pub trait ToMetadata {
    /// The tag every value of this type converts to, where it is one tag; `None` where it depends
    /// on the value (`serde_json::Value`, [`MetadataValue`]) or is not declared. Used by the
    /// derive's schema; implementing it is optional.
    const METADATA_TYPE: Option<MetadataType> = None;

    /// The value as metadata.
    fn to_metadata(&self) -> MetadataValue;

    /// The value as metadata, or `None` where there is no value.
    ///
    /// Only `Option::None` (at any depth of `Option`) and `serde_json::Value::Null` give `None`.
    /// Everything in this crate converts through this method: the derive and
    /// [`metadata!`](crate::metadata!) omit the key, containers omit the element or entry.
    /// `to_metadata` on such a value gives an empty string instead, as it must give something.
    #[inline]
    fn to_metadata_opt(&self) -> Option<MetadataValue> {
        Some(self.to_metadata())
    }
}

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
pub(crate) fn f32_to_f64(x: f32) -> f64 {
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

fn collect_seq<'a, T: ToMetadata + 'a>(
    items: impl IntoIterator<Item = &'a T>,
) -> Vec<MetadataValue> {
    items.into_iter().filter_map(T::to_metadata_opt).collect()
}

impl<T: ToMetadata> ToMetadata for Option<T> {
    const METADATA_TYPE: Option<MetadataType> = T::METADATA_TYPE;

    /// The inner value; `None` gives an empty string (see
    /// [`to_metadata_opt`](ToMetadata::to_metadata_opt), which everything here uses).
    #[inline]
    fn to_metadata(&self) -> MetadataValue {
        self.to_metadata_opt()
            .unwrap_or_else(|| MetadataValue::Str(String::new()))
    }

    #[inline]
    fn to_metadata_opt(&self) -> Option<MetadataValue> {
        self.as_ref().and_then(T::to_metadata_opt)
    }
}

macro_rules! forward {
    ($(impl[$($g:tt)*] $t:ty;)*) => {$(
        impl<$($g)*> ToMetadata for $t {
            const METADATA_TYPE: Option<MetadataType> = T::METADATA_TYPE;

            #[inline]
            fn to_metadata(&self) -> MetadataValue {
                T::to_metadata(self)
            }

            #[inline]
            fn to_metadata_opt(&self) -> Option<MetadataValue> {
                T::to_metadata_opt(self)
            }
        }
    )*};
}

forward! {
    impl[T: ToMetadata + ?Sized] &T;
    impl[T: ToMetadata + ?Sized] &mut T;
    impl[T: ToMetadata + ?Sized] Box<T>;
    impl[T: ToMetadata + ?Sized] Rc<T>;
    impl[T: ToMetadata + ?Sized] Arc<T>;
    impl['a, T: ToMetadata + ToOwned + ?Sized] Cow<'a, T>;
}

macro_rules! lists {
    ($(impl[$($g:tt)*] $t:ty;)*) => {$(
        impl<$($g)*> ToMetadata for $t {
            const METADATA_TYPE: Option<MetadataType> = Some(MetadataType::List);

            #[inline]
            fn to_metadata(&self) -> MetadataValue {
                MetadataValue::List(collect_seq(self.iter()))
            }
        }
    )*};
}

lists! {
    impl[T: ToMetadata] [T];
    impl[T: ToMetadata, const N: usize] [T; N];
    impl[T: ToMetadata] Vec<T>;
    impl[T: ToMetadata] VecDeque<T>;
}

macro_rules! tuples {
    ($(($($name:ident)+))*) => {$(
        impl<$($name: ToMetadata),+> ToMetadata for ($($name,)+) {
    const METADATA_TYPE: Option<MetadataType> = Some(MetadataType::Tuple);

            #[inline]
            #[allow(non_snake_case)]
            fn to_metadata(&self) -> MetadataValue {
                let ($($name,)+) = self;
                let mut items = Vec::with_capacity([$(stringify!($name)),+].len());
                $(items.extend($name.to_metadata_opt());)+
                MetadataValue::Tuple(items)
            }
        }
    )*};
}

tuples! {
    (A)
    (A B)
    (A B C)
    (A B C D)
    (A B C D E)
    (A B C D E F)
    (A B C D E F G)
    (A B C D E F G H)
    (A B C D E F G H I)
    (A B C D E F G H I J)
    (A B C D E F G H I J K)
    (A B C D E F G H I J K L)
}

fn set_of<'a, T: ToMetadata + 'a>(sorted: impl IntoIterator<Item = &'a T>) -> MetadataValue {
    let mut items = collect_seq(sorted);
    // Distinct Rust values can convert to one metadata value (`Some(1)` and `1` inside one
    // enum, say); a set stays a set.
    items.dedup();
    MetadataValue::Set(items)
}

impl<T: ToMetadata + Ord> ToMetadata for BTreeSet<T> {
    const METADATA_TYPE: Option<MetadataType> = Some(MetadataType::Set);

    fn to_metadata(&self) -> MetadataValue {
        set_of(self)
    }
}

impl<T: ToMetadata + Ord, S: BuildHasher> ToMetadata for HashSet<T, S> {
    const METADATA_TYPE: Option<MetadataType> = Some(MetadataType::Set);

    /// Ordered by `T`'s `Ord`, so the output does not depend on the hasher.
    fn to_metadata(&self) -> MetadataValue {
        let mut sorted: Vec<&T> = self.iter().collect();
        sorted.sort_unstable();
        set_of(sorted)
    }
}

/// A map key ZenML can store: strings, `char` and integers (written in decimal).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the key of a metadata dict",
    label = "metadata dict keys are strings, `char` or integers",
    note = "convert the map to one keyed by `String` first, or use `#[metadata(with = path::to::function)]`"
)]
pub trait MetadataKey {
    /// The key as ZenML stores it.
    fn to_key(&self) -> String;
}

impl MetadataKey for str {
    fn to_key(&self) -> String {
        self.to_owned()
    }
}

impl MetadataKey for String {
    fn to_key(&self) -> String {
        self.clone()
    }
}

impl MetadataKey for char {
    fn to_key(&self) -> String {
        self.to_string()
    }
}

macro_rules! integer_keys {
    ($($t:ty)*) => {$(
        impl MetadataKey for $t {
            fn to_key(&self) -> String {
                itoa::Buffer::new().format(*self).to_owned()
            }
        }
    )*};
}
integer_keys!(i8 i16 i32 i64 i128 isize u8 u16 u32 u64 u128 usize);

macro_rules! forward_keys {
    ($(impl[$($g:tt)*] $t:ty;)*) => {$(
        impl<$($g)*> MetadataKey for $t {
            fn to_key(&self) -> String {
                T::to_key(self)
            }
        }
    )*};
}

forward_keys! {
    impl[T: MetadataKey + ?Sized] &T;
    impl[T: MetadataKey + ?Sized] Box<T>;
    impl[T: MetadataKey + ?Sized] Rc<T>;
    impl[T: MetadataKey + ?Sized] Arc<T>;
    impl['a, T: MetadataKey + ToOwned + ?Sized] Cow<'a, T>;
}

fn dict_of<'a, K, V>(sorted: impl IntoIterator<Item = (&'a K, &'a V)>) -> MetadataValue
where
    K: MetadataKey + 'a + ?Sized,
    V: ToMetadata + 'a,
{
    MetadataValue::Dict(
        sorted
            .into_iter()
            .filter_map(|(k, v)| Some((k.to_key(), v.to_metadata_opt()?)))
            .collect(),
    )
}

impl<K: MetadataKey + Ord, V: ToMetadata> ToMetadata for BTreeMap<K, V> {
    const METADATA_TYPE: Option<MetadataType> = Some(MetadataType::Dict);

    fn to_metadata(&self) -> MetadataValue {
        dict_of(self)
    }
}

impl<K: MetadataKey + Ord, V: ToMetadata, S: BuildHasher> ToMetadata for HashMap<K, V, S> {
    const METADATA_TYPE: Option<MetadataType> = Some(MetadataType::Dict);

    /// Ordered by `K`'s `Ord` (integer keys numerically), so the output does not depend on the
    /// hasher.
    fn to_metadata(&self) -> MetadataValue {
        let mut sorted: Vec<(&K, &V)> = self.iter().collect();
        sorted.sort_unstable_by(|a, b| a.0.cmp(b.0));
        dict_of(sorted)
    }
}
