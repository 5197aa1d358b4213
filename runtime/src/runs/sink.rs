//! The sink contract: where a run's records and metadata go ([`Sink`]), the records themselves,
//! and [`MemorySink`], which keeps them in memory.

use core::fmt;
use std::error::Error;
use std::time::SystemTime;

use uuid::Uuid;

use crate::hooks::component::ComponentInfo;
use crate::map::metadata::Metadata;
use crate::runs::resource::Resource;

/// Where a run or step stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Status {
    /// Started, not finished.
    Running,
    /// Finished without error.
    Completed,
    /// Finished with an error or a panic.
    Failed,
    /// Not run: its outputs came from the cache.
    Cached,
}

impl Status {
    /// ZenML's name of the status.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Cached => "cached",
        }
    }

    /// The status ZenML names `name`.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Running, Self::Completed, Self::Failed, Self::Cached]
            .into_iter()
            .find(|s| s.as_str() == name)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A pipeline run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunRecord {
    /// Its id.
    pub id: Uuid,
    /// Its name.
    pub name: String,
    /// The pipeline's name.
    pub pipeline: String,
    /// The stack's name.
    pub stack: String,
    /// Where it stands.
    pub status: Status,
    /// When it started.
    pub started: SystemTime,
    /// When it finished.
    pub finished: Option<SystemTime>,
}

/// A step run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepRecord {
    /// Its id.
    pub id: Uuid,
    /// Its run's id.
    pub run_id: Uuid,
    /// The step's name.
    pub name: String,
    /// Where it stands.
    pub status: Status,
    /// When it started.
    pub started: SystemTime,
    /// When it finished.
    pub finished: Option<SystemTime>,
}

/// Which hook.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Hook {
    /// `pipeline_run_metadata`
    Pipeline,
    /// `step_run_metadata`
    Step,
    /// `prepare_step_run`, before the step: its failure fails the step.
    PrepareStepRun,
    /// `cleanup_step_run`, after the step's hooks: its failure fails the step.
    CleanupStepRun,
}

impl fmt::Display for Hook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Pipeline => "pipeline_run_metadata",
            Self::Step => "step_run_metadata",
            Self::PrepareStepRun => "prepare_step_run",
            Self::CleanupStepRun => "cleanup_step_run",
        })
    }
}

/// A hook that failed (a hook-time source returned an error) or panicked: its component
/// reported nothing for that hook, the others did. For `prepare_step_run` and
/// `cleanup_step_run`, the step failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HookFailure {
    /// The component.
    pub component: ComponentInfo,
    /// The hook.
    pub hook: Hook,
    /// The error's or the panic's message.
    pub message: String,
    /// Whether the hook panicked, rather than returned a [`HookError`](crate::HookError).
    pub panicked: bool,
}

impl HookFailure {
    /// The failure of `component`'s `hook`, as [`call_hook`](crate::call_hook) found it.
    #[must_use]
    pub fn of(component: &ComponentInfo, hook: Hook, failed: &crate::CallFailure) -> Self {
        Self {
            component: component.clone(),
            hook,
            message: failed.message().to_owned(),
            panicked: failed.panicked(),
        }
    }

    /// What the hook did: `"panicked"` or `"failed"`.
    #[must_use]
    pub const fn outcome(&self) -> &'static str {
        if self.panicked { "panicked" } else { "failed" }
    }
}

impl fmt::Display for HookFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}'s {} {}: {}",
            self.component,
            self.hook,
            self.outcome(),
            self.message
        )
    }
}

impl Hook {
    /// Both metadata hooks.
    pub const ALL: [Hook; 2] = [Hook::Pipeline, Hook::Step];

    /// The hook ZenML names `name` (`pipeline_run_metadata`, `step_run_metadata`,
    /// `prepare_step_run`, `cleanup_step_run`).
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        [
            Hook::Pipeline,
            Hook::Step,
            Hook::PrepareStepRun,
            Hook::CleanupStepRun,
        ]
        .into_iter()
        .find(|h| h.to_string() == name)
    }
}

/// An error a sink gives: its own, boxed.
#[derive(Debug)]
pub struct SinkError(Box<dyn Error + Send + Sync>);

impl SinkError {
    /// Wraps a sink's error.
    pub fn new(error: impl Into<Box<dyn Error + Send + Sync>>) -> Self {
        Self(error.into())
    }

    /// The sink's own error.
    #[must_use]
    pub fn into_inner(self) -> Box<dyn Error + Send + Sync> {
        self.0
    }
}

impl fmt::Display for SinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// Transparent: `Display` is the wrapped error's, so its source is too (a chained report prints
/// each cause once).
impl Error for SinkError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.0.source()
    }
}

/// Where runs, steps and their metadata go.
///
/// Only [`publish`](Sink::publish) is required: one component's metadata for one resource, as
/// one `POST /api/v1/run-metadata` of ZenML's. The others register runs and steps, for sinks
/// that keep them. A sink that gives runs and steps ids of its own (a server) sets them in
/// `start_run` and `start_step`: the hooks and every later call see those ids.
pub trait Sink {
    /// A run started.
    ///
    /// # Errors
    ///
    /// The sink's own, reported in the run's [`RunReport`](crate::stack::RunReport).
    fn start_run(&mut self, run: &mut RunRecord) -> Result<(), SinkError> {
        let _ = run;
        Ok(())
    }

    /// A run finished.
    ///
    /// # Errors
    ///
    /// As [`start_run`](Sink::start_run).
    fn finish_run(&mut self, run: &RunRecord) -> Result<(), SinkError> {
        let _ = run;
        Ok(())
    }

    /// A step started (or, cached, is recorded as such).
    ///
    /// # Errors
    ///
    /// As [`start_run`](Sink::start_run).
    fn start_step(&mut self, step: &mut StepRecord) -> Result<(), SinkError> {
        let _ = step;
        Ok(())
    }

    /// A step finished.
    ///
    /// # Errors
    ///
    /// As [`start_run`](Sink::start_run).
    fn finish_step(&mut self, step: &StepRecord) -> Result<(), SinkError> {
        let _ = step;
        Ok(())
    }

    /// A component's hook failed or panicked while reporting on `resource`: it reported
    /// nothing there. ZenML logs such a failure; a sink that keeps records keeps it too.
    ///
    /// # Errors
    ///
    /// As [`start_run`](Sink::start_run).
    fn hook_failed(&mut self, resource: Resource, failure: &HookFailure) -> Result<(), SinkError> {
        let _ = (resource, failure);
        Ok(())
    }

    /// Publishes `component`'s `metadata` for `resource`.
    ///
    /// # Errors
    ///
    /// As [`start_run`](Sink::start_run).
    fn publish(
        &mut self,
        resource: Resource,
        component: &ComponentInfo,
        metadata: &Metadata,
    ) -> Result<(), SinkError>;
}

impl<S: Sink + ?Sized> Sink for &mut S {
    fn start_run(&mut self, run: &mut RunRecord) -> Result<(), SinkError> {
        S::start_run(self, run)
    }

    fn finish_run(&mut self, run: &RunRecord) -> Result<(), SinkError> {
        S::finish_run(self, run)
    }

    fn start_step(&mut self, step: &mut StepRecord) -> Result<(), SinkError> {
        S::start_step(self, step)
    }

    fn finish_step(&mut self, step: &StepRecord) -> Result<(), SinkError> {
        S::finish_step(self, step)
    }

    fn hook_failed(&mut self, resource: Resource, failure: &HookFailure) -> Result<(), SinkError> {
        S::hook_failed(self, resource, failure)
    }

    fn publish(
        &mut self,
        resource: Resource,
        component: &ComponentInfo,
        metadata: &Metadata,
    ) -> Result<(), SinkError> {
        S::publish(self, resource, component, metadata)
    }
}

/// A sink that keeps everything in memory, in order: for tests, and for looking before
/// publishing.
#[derive(Debug, Default)]
pub struct MemorySink {
    /// Every event, in order.
    pub events: Vec<Event>,
}

/// What a [`MemorySink`] was told.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// [`Sink::start_run`]
    RunStarted(RunRecord),
    /// [`Sink::finish_run`]
    RunFinished(RunRecord),
    /// [`Sink::start_step`]
    StepStarted(StepRecord),
    /// [`Sink::finish_step`]
    StepFinished(StepRecord),
    /// [`Sink::publish`]
    Published(Resource, ComponentInfo, Metadata),
    /// [`Sink::hook_failed`]
    HookFailed(Resource, HookFailure),
}

impl Sink for MemorySink {
    fn start_run(&mut self, run: &mut RunRecord) -> Result<(), SinkError> {
        self.events.push(Event::RunStarted(run.clone()));
        Ok(())
    }

    fn finish_run(&mut self, run: &RunRecord) -> Result<(), SinkError> {
        self.events.push(Event::RunFinished(run.clone()));
        Ok(())
    }

    fn start_step(&mut self, step: &mut StepRecord) -> Result<(), SinkError> {
        self.events.push(Event::StepStarted(step.clone()));
        Ok(())
    }

    fn finish_step(&mut self, step: &StepRecord) -> Result<(), SinkError> {
        self.events.push(Event::StepFinished(step.clone()));
        Ok(())
    }

    fn hook_failed(&mut self, resource: Resource, failure: &HookFailure) -> Result<(), SinkError> {
        self.events
            .push(Event::HookFailed(resource, failure.clone()));
        Ok(())
    }

    fn publish(
        &mut self,
        resource: Resource,
        component: &ComponentInfo,
        metadata: &Metadata,
    ) -> Result<(), SinkError> {
        self.events.push(Event::Published(
            resource,
            component.clone(),
            metadata.clone(),
        ));
        Ok(())
    }
}
