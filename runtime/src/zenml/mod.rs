//! ZenML: the body of `POST /api/v1/run-metadata` as ZenML's own client sends it, and (feature
//! `zenml`) a client of ZenML's REST API with a sink that publishes to it, in three groups, each
//! using only those before it:
//!
//! | group | modules | role |
//! |---|---|---|
//! | wire | `keys`, `request` | ZenML's standard metadata keys; [`RunMetadataRequest`], the body |
//! | `transport` | `config`, `delivery`, `login`, `yaml`, `trust`, `error`, `http` | where the server is and how to log in ([`Config`], [`Auth`], [`Delivery`]; ZenML's own files read); [`TlsTrust`]; [`ZenmlError`]; one server's connection: retries, re-login on 401, the one place server text is redacted |
//! | `endpoints` | `client`, `runs`, `stacks`, `publish`, `pylen`, `plan` | [`Client`]: ZenML's endpoints, publishing (read back before anything is sent again), runs and steps, the stack a run is created on, what a publish sends and skips ([`PublishReport`]), [`PlannedStep`] |
//! | `outbox` | `outbox` (with `items`, `lease`, `records`), `sync`, `sink`, `background`, `worker` | [`Outbox`]: what one server has not taken yet, kept in the store; [`sync`], [`SyncReport`]; [`ZenmlSink`], delivering beside the run or on its thread |

pub mod keys;
mod request;

pub use request::RunMetadataRequest;

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
    outbox::items::Waiting,
    outbox::sink::ZenmlSink,
    outbox::sync::{Refusal, SyncOptions, SyncReport, sync, sync_with},
    outbox::{KeptMetadata, KeptStatus, Outbox, OutboxCount},
    transport::config::{Auth, Config},
    transport::delivery::Delivery,
    transport::error::ZenmlError,
    transport::trust::TlsTrust,
};
