//! A stack of components, and runs that call their hooks when ZenML would.
//!
//! ZenML calls each component's pipeline hook once, when a run starts, and its step hook after
//! every step the component takes part in — after success and after failure alike, never for a
//! cached step. Experiment trackers and step operators take part only in the steps that name
//! them; every other kind in every step. Each component's non-empty metadata is published on its
//! own, and a component whose hook fails is reported by name while the others still publish.
//! [`Stack`] and [`Run`] do exactly that, into any [`Sink`](crate::sink::Sink).
//!
//! The model ([`Stack`], [`Component`], [`StepSpec`]) lives apart from the driver ([`Run`]); the
//! records and the [`Sink`](crate::sink::Sink) contract are in [`sink`](crate::sink).

mod model;
mod run;

pub use crate::hooks::component::{ComponentInfo, ComponentKind};
pub use model::{Collected, Component, RunSpec, Stack, StepSpec};
pub use run::{Run, RunFailure, RunReport, default_run_name};

/// The former name of [`RunFailure`].
#[deprecated(
    since = "0.1.1",
    note = "renamed `RunFailure`: one name per kind of failure"
)]
pub type Failure = RunFailure;
