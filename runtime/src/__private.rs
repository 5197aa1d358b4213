//! What generated code calls. Not public API: no stability promise.

pub use core::option::Option::{self, None, Some};
pub use std::borrow::Cow;
pub use uuid::Uuid;

use crate::convert::ToMetadata;
use crate::metadata::Metadata;
use crate::value::MetadataValue;

pub use crate::{RunMetadata, StepRunInfo};

/// Appends `value` under a key the macro checked: valid, and unique in this hook.
#[inline]
pub fn push(metadata: &mut Metadata, key: &'static str, value: Option<MetadataValue>) {
    if let Some(value) = value {
        metadata.push_unique(key, value);
    }
}

/// Merges metadata computed at hook time (flattened fields, `*_with` functions); later wins.
#[inline]
pub fn merge(metadata: &mut Metadata, other: Metadata) {
    metadata.extend(other);
}

/// The value of a field; generated with the field type's span, so that an unsupported type is
/// reported at that type.
#[inline]
pub fn value<T: ToMetadata + ?Sized>(value: &T) -> Option<MetadataValue> {
    value.to_metadata_opt()
}

/// `Metadata::with_capacity`, reachable through the hidden path.
#[inline]
#[must_use]
pub fn with_capacity(capacity: usize) -> Metadata {
    Metadata::with_capacity(capacity)
}
pub use run_metadata_macros::metadata_impl;
