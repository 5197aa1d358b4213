//! The hooks layer: the [`RunMetadata`](crate::RunMetadata) trait and what its hooks are told and
//! give — the component kinds, the run and step info, settings, schemas, hook-time outputs,
//! secrets, and how a hook's failure is named and caught.

pub(crate) mod component;
pub(crate) mod error;
pub(crate) mod output;
pub(crate) mod run_info;
pub(crate) mod run_metadata;
pub(crate) mod schema;
pub(crate) mod secret;
pub(crate) mod settings;
