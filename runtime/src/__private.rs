//! What generated code calls. Not public API: no stability promise.

pub use core::option::Option::{self, None, Some};
pub use core::result::Result;
pub use std::borrow::Cow;
pub use uuid::Uuid;

use crate::map::metadata::Metadata;
use crate::value::convert::ToMetadata;
use crate::value::special::{DType, Path, StorageSize, Uri};
use crate::value::tree::MetadataValue;

pub use crate::hooks::run_info::{RunArg, run_of};
pub use crate::hooks::schema::{Schema, SchemaEntry};
pub use crate::{HookError, HookOutput, PipelineRunInfo, RunMetadata, StepRunInfo};
pub use run_metadata_macros::metadata_impl;

/// Appends `value` under a key the macro checked: valid, and unique in this hook.
#[inline]
pub fn push(metadata: &mut Metadata, key: &'static str, value: Option<MetadataValue>) {
    if let Some(value) = value {
        metadata.push_unique(key, value);
    }
}

/// Inserts `value` under a valid key that merged metadata may already hold; the value replaces.
#[inline]
pub fn put(metadata: &mut Metadata, key: &'static str, value: Option<MetadataValue>) {
    if let Some(value) = value {
        metadata.put(Cow::Borrowed(key), value);
    }
}

/// Merges metadata computed at hook time (flattened fields, `*_with` functions); later wins.
#[inline]
pub fn merge(metadata: &mut Metadata, other: Metadata) {
    metadata.extend(other);
}

/// A hook-time source (`pipeline_with = f`, `step_with = f`), typed once: the hook calls it,
/// the schema asks it for the keys its return type declares. The derive writes the same
/// `*_source(|this, arg| f(this, arg))` in both places, so that a function of the wrong
/// signature or return type gives one error, at its path. What the return type `R` must be is
/// checked once, where the source is made; its conversions are kept as function pointers, so
/// that nothing else depends on it.
pub struct Source<F, R> {
    call: F,
    pipeline: fn(R, &PipelineRunInfo) -> Result<Metadata, HookError>,
    step: fn(R, &StepRunInfo) -> Result<Metadata, HookError>,
    schema: fn(&'static str) -> Schema,
    keys: [Option<&'static [&'static str]>; 2],
}

/// `pipeline_with = f`. A `const fn`, so that the derive's compile-time checks make the source
/// exactly as the hook does: a wrong function is one error, not one per use.
#[inline]
pub const fn pipeline_source<S: ?Sized, R: HookOutput, F: Fn(&S, &PipelineRunInfo) -> R>(
    call: F,
) -> Source<F, R> {
    Source {
        call,
        pipeline: R::pipeline_output,
        step: R::step_output,
        schema: R::output_schema,
        keys: R::KEYS,
    }
}

/// `step_with = f` (see [`pipeline_source`]).
#[inline]
pub const fn step_source<S: ?Sized, R: HookOutput, F: Fn(&S, &StepRunInfo) -> R>(
    call: F,
) -> Source<F, R> {
    Source {
        call,
        pipeline: R::pipeline_output,
        step: R::step_output,
        schema: R::output_schema,
        keys: R::KEYS,
    }
}

impl<F, R> Source<F, R> {
    /// What the source reports for `run`.
    ///
    /// # Errors
    ///
    /// The source's.
    #[inline]
    pub fn pipeline<S: ?Sized>(
        &self,
        component: &S,
        run: &PipelineRunInfo,
    ) -> Result<Metadata, HookError>
    where
        F: Fn(&S, &PipelineRunInfo) -> R,
    {
        (self.pipeline)((self.call)(component, run), run)
    }

    /// What the source reports for the step.
    ///
    /// # Errors
    ///
    /// The source's.
    #[inline]
    pub fn step<S: ?Sized>(&self, component: &S, info: &StepRunInfo) -> Result<Metadata, HookError>
    where
        F: Fn(&S, &StepRunInfo) -> R,
    {
        (self.step)((self.call)(component, info), info)
    }

    /// The schema of what it returns; `name` names it where keys are known only at run time.
    pub fn schema_of(&self, name: &'static str) -> Schema {
        (self.schema)(name)
    }
}

/// What a fallible hook gives when called as the infallible one: nothing, on a failure.
#[inline]
#[must_use]
pub fn or_nothing(result: Result<Metadata, HookError>) -> Metadata {
    result.unwrap_or_default()
}

/// The value of a field; generated with the field type's span, so that an unsupported type is
/// reported at that type.
#[inline]
pub fn value<T: ToMetadata + ?Sized>(value: &T) -> Option<MetadataValue> {
    value.to_metadata_opt()
}

/// The value a field's `with` function returned; generated with the function's span.
#[inline]
pub fn with_value<T: WithOutput + ?Sized>(value: &T) -> Option<MetadataValue> {
    value.with_output()
}

/// What a field's `with` function may return: a metadata value. Its error speaks of the
/// function (the blanket impl is not recommended, so that rustc names this trait rather than
/// `ToMetadata`, whose advice is to write a `with` function).
#[diagnostic::on_unimplemented(
    message = "a `with` function returns `{Self}`, which cannot be tracked as run metadata",
    label = "returns `{Self}`",
    note = "return a metadata type: bool, integers, floats, strings, char, Uuid, paths, serde_json::Value, Uri, Path, DType, StorageSize, or lists, tuples, sets and string- or integer-keyed maps of them; or a type of your own crate implementing `run_metadata::ToMetadata`",
    note = "if it returns a `Result` (a value that may fail to come), read the value when the hook runs instead: a container attribute `step_with = f` (or `pipeline_with = f`) with `fn f(&self, info: &StepRunInfo) -> Result<Metadata, HookError>` (or a `Result` of a type deriving `RunMetadata`), whose `Err` drops this component's metadata for that hook, as ZenML drops a component whose hook raises; or, to leave only this key out on a failure, return an `Option` (`.ok()`)"
)]
pub trait WithOutput {
    /// The value.
    fn with_output(&self) -> Option<MetadataValue>;
}

#[diagnostic::do_not_recommend]
impl<T: ToMetadata + ?Sized> WithOutput for T {
    #[inline]
    fn with_output(&self) -> Option<MetadataValue> {
        self.to_metadata_opt()
    }
}

/// What a `prepare_step_run` / `cleanup_step_run` function may return: nothing, or whether it
/// worked.
#[diagnostic::on_unimplemented(
    message = "a `prepare_step_run` or `cleanup_step_run` function returns `{Self}`",
    label = "returns `{Self}`",
    note = "return `()`, or `Result<(), E>` with `E: Display`: an `Err` fails the step, as an exception in ZenML's `prepare_step_run` or `cleanup_step_run` does"
)]
pub trait Lifecycle {
    /// Whether it worked.
    ///
    /// # Errors
    ///
    /// Why not.
    fn into_result(self) -> Result<(), HookError>;
}

impl Lifecycle for () {
    #[inline]
    fn into_result(self) -> Result<(), HookError> {
        Ok(())
    }
}

impl<E: core::fmt::Display> Lifecycle for Result<(), E> {
    #[inline]
    fn into_result(self) -> Result<(), HookError> {
        self.map_err(HookError::new)
    }
}

/// A lifecycle function's outcome; generated with the function's span.
///
/// # Errors
///
/// The function's.
#[inline]
pub fn lifecycle<T: Lifecycle>(outcome: T) -> Result<(), HookError> {
    outcome.into_result()
}

/// The plain `prepare_step_run` / `cleanup_step_run` of a fallible one, for a caller outside a
/// stack: an `Err` is raised, as a panic, as ZenML's exception would be (a stack calls the
/// `try_*` form and reports it instead).
#[inline]
pub fn or_raise(outcome: Result<(), HookError>, which: &str) {
    if let Err(e) = outcome {
        panic!("{which} failed: {e}");
    }
}

/// `#[metadata(display)]`: the value's `to_string()`.
#[inline]
pub fn display<T: core::fmt::Display + ?Sized>(value: &T) -> MetadataValue {
    MetadataValue::Str(value.to_string())
}

/// Adds the keys a derived schema knows at compile time: `(key, tag, optional)`.
pub fn schema_keys(
    into: &mut std::vec::Vec<SchemaEntry>,
    keys: &[(&'static str, Option<crate::MetadataType>, bool)],
) {
    into.extend(keys.iter().map(|&(key, tag, optional)| SchemaEntry::Key {
        key: Cow::Borrowed(key),
        tag,
        optional,
        together: None,
    }));
}

/// `rename = CONSTANT`: the constant, if ZenML accepts it as a key; else a compile error (the
/// derive evaluates this in a `const` item).
#[must_use]
pub const fn const_key(key: &'static str) -> &'static str {
    match crate::value::key::key_problem(key) {
        None => key,
        Some(crate::KeyProblem::Empty) => panic!("this metadata key is empty"),
        Some(crate::KeyProblem::Colon) => {
            panic!("this metadata key contains `:`, which ZenML does not accept")
        }
        Some(_) => panic!("this metadata key is longer than ZenML's 255 characters"),
    }
}

/// The keys a derived type reports for each hook (declared in `hook`, the layer it belongs to).
pub use crate::hooks::output::Declared;

impl<F, R> Source<F, R> {
    /// Compile-time: the keys the source's type declares, per hook (pipeline, step).
    #[must_use]
    pub const fn declared(&self) -> [Option<&'static [&'static str]>; 2] {
        self.keys
    }
}

/// Compile-time: a source that declares its keys reports at least one; else a compile error
/// saying `message`.
pub const fn reports_something(keys: Option<&[&str]>, message: &'static str) {
    if let Some(keys) = keys {
        assert!(!keys.is_empty(), "{}", message);
    }
}

/// Compile-time: none of `own` is among the keys a source declares; else a compile error saying
/// `message`.
pub const fn none_of(own: &[&str], source: Option<&[&str]>, message: &'static str) {
    let Some(source) = source else {
        return;
    };
    let mut i = 0;
    while i < own.len() {
        let mut j = 0;
        while j < source.len() {
            assert!(!same(own[i], source[j]), "{}", message);
            j += 1;
        }
        i += 1;
    }
}

/// Compile-time: no two of `keys` are equal; else a compile error saying `message`.
pub const fn distinct_keys(keys: &[&str], message: &'static str) {
    let mut i = 0;
    while i < keys.len() {
        let mut j = i + 1;
        while j < keys.len() {
            assert!(!same(keys[i], keys[j]), "{}", message);
            j += 1;
        }
        i += 1;
    }
}

const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// `Metadata::with_capacity`, reachable through the hidden path.
#[inline]
#[must_use]
pub fn with_capacity(capacity: usize) -> Metadata {
    Metadata::with_capacity(capacity)
}

macro_rules! text_field {
    ($(#[$attr:meta])* $trait:ident, $method:ident, $variant:ident: $($ty:ty),*) => {
        $(#[$attr])*
        pub trait $trait {
            /// The field as that special type; `None` for an empty `Option`.
            fn $method(&self) -> Option<MetadataValue>;
        }

        $(
            impl $trait for $ty {
                #[inline]
                fn $method(&self) -> Option<MetadataValue> {
                    let text: &str = self.as_ref();
                    Some(MetadataValue::$variant($variant::new(text)))
                }
            }
        )*

        impl<T: $trait + ?Sized> $trait for &T {
            #[inline]
            fn $method(&self) -> Option<MetadataValue> {
                T::$method(self)
            }
        }

        impl<T: $trait> $trait for Option<T> {
            #[inline]
            fn $method(&self) -> Option<MetadataValue> {
                self.as_ref().and_then(T::$method)
            }
        }
    };
}

/// `#[metadata(uri)]` and `#[metadata(dtype)]`: any field that is text (`AsRef<str>`): the
/// string types, [`Uri`] and [`DType`] themselves, a URL type such as `url::Url`. The derive
/// unwraps an `Option` field itself.
macro_rules! as_text_field {
    ($(#[$attr:meta])* $trait:ident, $method:ident, $variant:ident) => {
        $(#[$attr])*
        pub trait $trait {
            /// The field as that special type.
            fn $method(&self) -> Option<MetadataValue>;
        }

        impl<T: AsRef<str> + ?Sized> $trait for T {
            #[inline]
            fn $method(&self) -> Option<MetadataValue> {
                Some(MetadataValue::$variant($variant::new(self.as_ref())))
            }
        }
    };
}

as_text_field! {
    /// `#[metadata(uri)]`.
    #[diagnostic::on_unimplemented(
        message = "`#[metadata(uri)]` needs a field that is text (`AsRef<str>`), not `{Self}`",
        label = "not text",
        note = "`uri` takes String, &str, Cow<str>, Box<str>, Arc<str>, Rc<str>, `run_metadata::Uri`, a URL type such as `url::Url`, or an Option of them; else build the URI with `#[metadata(with = path::to::function)]` returning `run_metadata::Uri`"
    )]
    UriField, uri, Uri
}

as_text_field! {
    /// `#[metadata(dtype)]`.
    #[diagnostic::on_unimplemented(
        message = "`#[metadata(dtype)]` needs a field that is text (`AsRef<str>`), not `{Self}`",
        label = "not text",
        note = "`dtype` takes String, &str, Cow<str>, Box<str>, Arc<str>, Rc<str>, `run_metadata::DType` or an Option of them; for a Rust type's name use `#[metadata(with = ...)]` returning `run_metadata::DType::of::<T>()`"
    )]
    DTypeField, dtype, DType
}

text_field! {
    /// `#[metadata(path)]`: string-like fields and std paths.
    #[diagnostic::on_unimplemented(
        message = "`#[metadata(path)]` needs a string or path field, not `{Self}`",
        label = "not a string or path type",
        note = "`path` takes String, &str, Cow<str>, Box<str>, Arc<str>, Rc<str>, PathBuf, &std::path::Path, `run_metadata::Path` or an Option of them"
    )]
    PathField, path, Path: str, String, Cow<'_, str>, Box<str>, std::sync::Arc<str>, std::rc::Rc<str>, Path
}

impl PathField for std::path::Path {
    #[inline]
    fn path(&self) -> Option<MetadataValue> {
        Some(MetadataValue::Path(Path::from(self)))
    }
}

impl PathField for std::path::PathBuf {
    #[inline]
    fn path(&self) -> Option<MetadataValue> {
        Some(MetadataValue::Path(Path::from(self.as_path())))
    }
}

/// `#[metadata(storage_size)]`: unsigned integer fields.
#[diagnostic::on_unimplemented(
    message = "`#[metadata(storage_size)]` needs an unsigned integer field (bytes), not `{Self}`",
    label = "not an unsigned integer type",
    note = "`storage_size` takes u8, u16, u32, u64, usize or an Option of them"
)]
pub trait StorageSizeField {
    /// The field as a storage size; `None` for an empty `Option`.
    fn storage_size(&self) -> Option<MetadataValue>;
}

macro_rules! size_field {
    ($($ty:ty),*) => {$(
        impl StorageSizeField for $ty {
            #[inline]
            fn storage_size(&self) -> Option<MetadataValue> {
                Some(MetadataValue::StorageSize(StorageSize::new(u64::from(*self))))
            }
        }
    )*};
}
size_field!(u8, u16, u32, u64);

impl StorageSizeField for usize {
    #[inline]
    fn storage_size(&self) -> Option<MetadataValue> {
        // `usize` is at most 64 bits wide on every target Rust supports.
        Some(MetadataValue::StorageSize(StorageSize::new(*self as u64)))
    }
}

impl<T: StorageSizeField + ?Sized> StorageSizeField for &T {
    #[inline]
    fn storage_size(&self) -> Option<MetadataValue> {
        T::storage_size(self)
    }
}

impl<T: StorageSizeField> StorageSizeField for Option<T> {
    #[inline]
    fn storage_size(&self) -> Option<MetadataValue> {
        self.as_ref().and_then(T::storage_size)
    }
}
