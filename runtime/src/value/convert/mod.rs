//! `ToMetadata`: which Rust types are metadata, and how they convert.
//!
//! | module | role |
//! |---|---|
//! | `traits` | [`ToMetadata`] (with the error that says how to cast) and [`MetadataKey`] |
//! | `scalar` | booleans, numbers, text, paths, ids, special types, `serde_json::Value` |
//! | `containers` | `Option`, pointers, lists, tuples, sets, maps |

mod containers;
mod scalar;
mod traits;

pub use scalar::TOO_DEEP;
pub use traits::{MetadataKey, ToMetadata};
