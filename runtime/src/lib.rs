//! Typed run metadata for ML pipeline stack components.
//!
//! In ZenML every stack component may attach metadata to the runs it takes part in, through two
//! hooks returning name → value dicts whose values must be ZenML metadata types. This crate makes
//! that a compile-time matter:
//!
//! - [`RunMetadata`] is the pair of hooks, [`Metadata`] what they return, [`MetadataValue`] one
//!   value with one variant per ZenML type, and [`MetadataType`] ZenML's tags.
//! - [`ToMetadata`] says which Rust types are metadata; anything else fails to compile with an
//!   error that says how to cast it.
//! - [`metadata!`] builds a [`Metadata`] with type-checked values and compile-checked keys.
//! - [`Uri`], [`Path`], [`DType`] and [`StorageSize`] are ZenML's special types, rendered by its
//!   dashboard as links, paths, type names and sizes.
//! - [`zenml::RunMetadataRequest`] is the body ZenML's client sends.
//!
//! ```
//! use run_metadata::{metadata, MetadataType, StorageSize, Uri};
//!
//! let m = metadata! {
//!     "orchestrator_url" => Uri::new("https://console.example/run/1"),
//!     "size" => StorageSize::new(1024),
//!     "t" => (1, 2),
//! };
//! assert_eq!(m.to_json(), r#"{"orchestrator_url":"https://console.example/run/1","size":1024,"t":[1,2]}"#);
//! assert_eq!(m.types_json(), r#"{"orchestrator_url":"Uri","size":"StorageSize","t":"tuple"}"#);
//! assert_eq!(m.get("t").unwrap().metadata_type(), MetadataType::Tuple);
//! ```
//!
//! # Policies
//!
//! - `None` is no value: the key (or container element) is omitted. See [`ToMetadata`].
//! - NaN and infinities are written as the strings `"NaN"`, `"Infinity"`, `"-Infinity"`, tagged
//!   `float`, and read back as floats. See [`MetadataValue`].
//! - Output is deterministic: hash sets and maps are sorted by their Rust `Ord`.
//! - Values nest at most [`MAX_DEPTH`] (128) arrays or objects deep: the JSON reader refuses
//!   deeper input with [`DecodeError::TooDeep`], and a deeper `serde_json::Value` is converted
//!   down to that depth, with [`TOO_DEEP`] in place of what lies below. Every recursion in the
//!   crate is therefore bounded, whatever the input.
//! - Integers are exact for every Rust integer type. `serde_json::to_value` holds at most 64
//!   bits (without `serde_json`'s `arbitrary_precision`); [`Metadata::to_json`] and
//!   `serde_json::to_string` write any width.

mod hooks;
mod map;
mod runs;
mod value;

#[cfg(test)]
mod fuzz;
#[cfg(feature = "store")]
pub mod store;
pub mod zenml;

pub use crate::runs::{sink, stack, time};

#[doc(hidden)]
pub mod __private;

pub use crate::hooks::component::ComponentKind;
pub use crate::hooks::error::{CallFailure, HookError, call_hook, panic_message};
pub use crate::hooks::output::HookOutput;
pub use crate::hooks::run_info::{PipelineRunInfo, StepRunInfo};
pub use crate::hooks::run_metadata::RunMetadata;
pub use crate::hooks::schema::{Schema, SchemaEntry};
pub use crate::hooks::secret::{NeverTracked, Secret};
pub use crate::hooks::settings::{ComponentRef, ComponentSettings, resolve_settings};
pub use crate::map::metadata::{Iter, Metadata, Types};
pub use crate::runs::resource::{Resource, ResourceType};
pub use crate::value::convert::{MetadataKey, TOO_DEEP, ToMetadata};
pub use crate::value::integer::Integer;
pub use crate::value::json::DecodeError;
pub use crate::value::key::{KeyError, KeyProblem, MAX_KEY_LEN, check_key, key_problem};
pub use crate::value::special::{DType, HasDType, Path, StorageSize, Uri};
pub use crate::value::tree::{MAX_DEPTH, MetadataType, MetadataValue, UnknownType};
#[doc = include_str!("../docs/derive.md")]
pub use run_metadata_macros::RunMetadata;

/// Builds a [`Metadata`] from `"key" => value` pairs.
///
/// Values are type-checked through [`ToMetadata`]; a `None` value omits its key. Keys must be
/// string literals, and a key ZenML would refuse (empty, containing `:`, longer than 255 characters)
/// or a key given twice fails to compile, pointing at the key.
///
/// ```
/// use run_metadata::{metadata, Uri};
///
/// let run_id = "4f1c";
/// let m = metadata! {
///     "mlflow_run_id" => run_id,
///     "mlflow_tracking_uri" => Uri::new("http://127.0.0.1:5000"),
///     "notes" => None::<String>,
/// };
/// assert_eq!(m.keys().collect::<Vec<_>>(), ["mlflow_run_id", "mlflow_tracking_uri"]);
/// assert!(metadata! {}.is_empty());
/// ```
///
/// ```compile_fail
/// let m = run_metadata::metadata! { "a:b" => 1 }; // ZenML refuses `:` in keys
/// ```
#[macro_export]
macro_rules! metadata {
    ($($key:expr => $value:expr),* $(,)?) => {
        $crate::__private::metadata_impl! { ($crate) $($key => $value,)* }
    };
}
