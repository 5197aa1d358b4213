//! ZenML's wire: its standard metadata keys, the body of `POST /api/v1/run-metadata`, and
//! (feature `zenml`) every other request body and answer, as types. One way per direction:
//! out, `Serialize` types written by `serde_json`; in, `Deserialize` types read by `serde_json`.
//! Run metadata is the exception both ways, written and read by the crate's own JSON, as ZenML
//! compares it: floats in Python's `repr` form, integers exact to 128 bits.

#[cfg(feature = "zenml")]
pub(crate) mod answers;
#[cfg(feature = "zenml")]
pub(crate) mod bodies;
pub mod keys;
pub(crate) mod request;
