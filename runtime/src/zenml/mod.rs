//! ZenML: the body of `POST /api/v1/run-metadata` as ZenML's own client sends it, and (feature
//! `zenml`) a client of ZenML's REST API with a sink that publishes to it, in four groups, each
//! using only those before it and [`ZenmlError`] (`error`), which they all share:
//!
//! | group | modules | role |
//! |---|---|---|
//! | `wire` | `keys`, `request`, `bodies`, `answers` | ZenML's standard metadata keys; [`RunMetadataRequest`], the body; the other bodies and the answers, as types (serde out and in; run metadata by the crate's own JSON) |
//! | `transport` | `config`, `delivery`, `login`, `yaml`, `trust`, `http` | where the server is and how to log in ([`Config`], [`Auth`], [`Delivery`]; ZenML's own files read); [`TlsTrust`]; one server's connection: retries, re-login on 401, the one place server text is redacted |
//! | `endpoints` | `client`, `runs`, `stacks`, `publish`, `pylen`, `plan` | [`Client`]: ZenML's endpoints, publishing (read back before anything is sent again), runs and steps, the stack a run is created on, what a publish sends and skips ([`PublishReport`]), [`PlannedStep`] |
//! | `outbox` | `outbox` (with `kept`, `items`, `lease`, `records`, `schema`: its own tables in the store's file), `sync`, `sink`, `background`, `worker` | [`Outbox`]: what one server has not taken yet, kept in the store; [`sync`], [`SyncReport`]; [`ZenmlSink`], delivering beside the run or on its thread |

#[cfg(feature = "zenml")]
mod error;
mod wire;

pub use wire::keys;
pub use wire::request::RunMetadataRequest;

#[cfg(feature = "zenml")]
mod endpoints;
#[cfg(all(test, feature = "zenml"))]
mod fuzz;
#[cfg(feature = "zenml")]
mod outbox;
#[cfg(feature = "zenml")]
mod transport;

#[cfg(feature = "zenml")]
pub use self::{
    endpoints::client::Client,
    endpoints::plan::PlannedStep,
    endpoints::publish::{MAX_VALUE_JSON_LEN, PublishReport, SkipReason, Skipped},
    error::ZenmlError,
    outbox::items::Waiting,
    outbox::sink::ZenmlSink,
    outbox::sync::{Refusal, SyncOptions, SyncReport, sync, sync_with},
    outbox::{KeptMetadata, KeptStatus, Outbox, OutboxCount},
    transport::config::{Auth, Config},
    transport::delivery::Delivery,
    transport::trust::TlsTrust,
};
