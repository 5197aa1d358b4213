//! ZenML: the body of `POST /api/v1/run-metadata` as ZenML's own client sends it, and (feature
//! `zenml`) a client of ZenML's REST API with a sink that publishes to it.
//!
//! | module | role |
//! |---|---|
//! | `keys` | ZenML's standard metadata keys |
//! | `request` | [`RunMetadataRequest`], the body |
//! | `config` | [`Config`] and [`Auth`]: where the server is, how to log in |
//! | `trust` | [`TlsTrust`]: the URL checked, the certificates trusted, the warnings owed |
//! | `error` | [`ZenmlError`] |
//! | `http` | one server's connection: retries, re-login on 401, the one place server text is redacted |
//! | `client` | [`Client`]: ZenML's endpoints, publishing (read back before anything is sent again) |
//! | `runs` | the runs and steps a [`Client`] registers, their statuses |
//! | `stacks` | the stack a run is created on, registered with its components |
//! | `publish`, `pylen` | what a publish sends and skips, as ZenML's client would ([`PublishReport`]), measuring values as Python's `json.dumps` does |
//! | `outbox` | [`Outbox`]: what one server has not taken yet, kept in the store |
//! | `plan` | [`PlannedStep`]: a run's steps and the steps each runs after |
//! | `sink` | [`ZenmlSink`] |
//! | `delivery` | [`Delivery`]: sent beside the run by a worker of the sink's own, or on the run's thread |
//! | `background`, `worker` | the sink's side of background delivery (its records, what the end of a run says) and the worker |
//! | `sync` | [`sync`]: what an outbox keeps, sent in order, once; [`SyncReport`] |

pub mod keys;
mod request;

pub use request::RunMetadataRequest;

#[cfg(feature = "zenml")]
mod background;
#[cfg(feature = "zenml")]
mod client;
#[cfg(feature = "zenml")]
mod config;
#[cfg(feature = "zenml")]
mod delivery;
#[cfg(feature = "zenml")]
mod error;
#[cfg(all(test, feature = "zenml"))]
mod fuzz;
#[cfg(feature = "zenml")]
mod http;
#[cfg(feature = "zenml")]
mod login;
#[cfg(feature = "zenml")]
mod outbox;
#[cfg(feature = "zenml")]
mod plan;
#[cfg(feature = "zenml")]
mod publish;
#[cfg(feature = "zenml")]
mod pylen;
#[cfg(feature = "zenml")]
mod runs;
#[cfg(feature = "zenml")]
mod sink;
#[cfg(feature = "zenml")]
mod stacks;
#[cfg(feature = "zenml")]
mod sync;
#[cfg(feature = "zenml")]
mod trust;
#[cfg(feature = "zenml")]
mod worker;
#[cfg(feature = "zenml")]
mod yaml;

#[cfg(feature = "zenml")]
pub use client::Client;
#[cfg(feature = "zenml")]
pub use config::{Auth, Config};
#[cfg(feature = "zenml")]
pub use delivery::Delivery;
#[cfg(feature = "zenml")]
pub use error::ZenmlError;
#[cfg(feature = "zenml")]
pub use outbox::items::Waiting;
#[cfg(feature = "zenml")]
pub use outbox::{KeptMetadata, KeptStatus, Outbox, OutboxCount};
#[cfg(feature = "zenml")]
pub use plan::PlannedStep;
#[cfg(feature = "zenml")]
pub use publish::{MAX_VALUE_JSON_LEN, PublishReport, SkipReason, Skipped};
#[cfg(feature = "zenml")]
pub use sink::ZenmlSink;
#[cfg(feature = "zenml")]
pub use sync::{Refusal, SyncOptions, SyncReport, sync, sync_with};
#[cfg(feature = "zenml")]
pub use trust::TlsTrust;
