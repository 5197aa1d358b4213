//! The map layer: [`Metadata`](crate::Metadata), the ordered map of keys to values a hook returns,
//! and the index that finds a key in a wide one.

pub(crate) mod index;
pub(crate) mod metadata;
