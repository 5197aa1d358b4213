//! The traits: which Rust types are metadata values, and which are dict keys.

use crate::value::tree::{MetadataType, MetadataValue};

/// A Rust type that converts to one of ZenML's metadata types.
///
/// Implemented for `bool`, every integer type, `f32`/`f64`, `char` and the string types,
/// `std::path::Path`/`PathBuf` (as [`Path`](crate::Path)), `uuid::Uuid` (as a lowercase hyphenated string),
/// `serde_json::Value`, [`Uri`](crate::Uri), [`Path`](crate::Path), [`DType`](crate::DType), [`StorageSize`](crate::StorageSize) and [`MetadataValue`]
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
