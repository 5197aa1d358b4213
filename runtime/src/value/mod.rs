//! The value layer: what one metadata value is and how it is written and read — integers exact
//! to 128 bits, ZenML's special types, the value tree, keys, the conversions from Rust types, and
//! ZenML's JSON.

pub(crate) mod convert;
pub(crate) mod integer;
pub(crate) mod json;
pub(crate) mod key;
pub(crate) mod special;
pub(crate) mod tree;
