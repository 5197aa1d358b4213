//! The run driver: [`Stack::start_run`] and [`Run`], which call the hooks in ZenML's order and
//! hand what they report to a [`Sink`].

use core::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::time::SystemTime;

use uuid::Uuid;

use super::model::{Collected, RunSpec, Stack, StepSpec};
use crate::hooks::component::ComponentInfo;
use crate::hooks::run_info::{PipelineRunInfo, StepRunInfo};
use crate::hooks::settings::step_settings;
use crate::runs::resource::Resource;
use crate::runs::sink::{Hook, HookFailure, RunRecord, Sink, SinkError, Status, StepRecord};
use crate::runs::time::Utc;

/// Something that went wrong during a run without stopping it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RunFailure {
    /// A component's hook failed or panicked: it reported nothing there.
    Hook(HookFailure),
    /// A component's `prepare_step_run` failed or panicked: the step failed before it ran.
    Prepare {
        /// The step.
        step: String,
        /// The component.
        component: ComponentInfo,
        /// The error's or the panic's message.
        message: String,
        /// Whether it panicked, rather than returned an error.
        panicked: bool,
    },
    /// A component's `cleanup_step_run` failed or panicked: the step failed after its hooks.
    Cleanup {
        /// The step.
        step: String,
        /// The component.
        component: ComponentInfo,
        /// The error's or the panic's message.
        message: String,
        /// Whether it panicked, rather than returned an error.
        panicked: bool,
    },
    /// The sink refused a component's metadata.
    Publish {
        /// Where it was to go.
        resource: Resource,
        /// Whose it was.
        component: ComponentInfo,
        /// The sink's error.
        error: String,
    },
    /// The sink could not record a run or step, its start or its end.
    Register {
        /// What was being registered.
        what: String,
        /// The sink's error.
        error: String,
    },
}

impl fmt::Display for RunFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Hook(h) => fmt::Display::fmt(h, f),
            Self::Prepare {
                step,
                component,
                message,
                panicked,
            } => write!(
                f,
                "{component}'s prepare_step_run {} before step `{step}`, which did not run: {message}",
                if *panicked { "panicked" } else { "failed" }
            ),
            Self::Cleanup {
                step,
                component,
                message,
                panicked,
            } => write!(
                f,
                "{component}'s cleanup_step_run {} after step `{step}`, which failed: {message}",
                if *panicked { "panicked" } else { "failed" }
            ),
            Self::Publish {
                resource,
                component,
                error,
            } => write!(
                f,
                "publishing {component}'s metadata for {} {} failed: {error}",
                resource.kind, resource.id
            ),
            Self::Register { what, error } => write!(f, "recording {what} failed: {error}"),
        }
    }
}

/// What happened in a run besides its steps' own results.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunReport {
    /// How many component reports were published.
    pub published: usize,
    /// What went wrong, in order.
    pub failures: Vec<RunFailure>,
}

impl Stack {
    /// Starts a run of pipeline `pipeline` named `run_name`: registers it with `sink`, then
    /// publishes every component's pipeline metadata.
    pub fn start_run<S: Sink>(
        &self,
        sink: S,
        pipeline: impl Into<String>,
        run_name: impl Into<String>,
    ) -> Run<'_, S> {
        self.start_run_with(sink, RunSpec::new(pipeline).named(run_name))
    }

    /// As [`start_run`](Self::start_run), the run named as ZenML names runs by default:
    /// `{pipeline}-{date}-{time}` of its start, in UTC (see [`default_run_name`]), so that
    /// every run of a pipeline has a name of its own.
    pub fn start_run_named_by_time<S: Sink>(
        &self,
        sink: S,
        pipeline: impl Into<String>,
    ) -> Run<'_, S> {
        self.start_run_with(sink, RunSpec::new(pipeline))
    }

    /// As [`start_run`](Self::start_run), for the run `spec` describes: its settings reach
    /// the pipeline hooks ([`PipelineRunInfo::settings`]) and, under each step's own, the step
    /// hooks, as ZenML's compiler merges them (see [`StepRunInfo::settings_of`]).
    ///
    /// ```
    /// use run_metadata::sink::MemorySink;
    /// use run_metadata::stack::{RunSpec, Stack};
    ///
    /// let stack = Stack::new("k8s");
    /// let mut sink = MemorySink::default();
    /// let spec = RunSpec::new("training")
    ///     .with_settings("orchestrator.kubeflow", serde_json::json!({"user_namespace": "team-a"}));
    /// let run = stack.start_run_with(&mut sink, spec);
    /// assert_eq!(run.record().pipeline, "training");
    /// ```
    pub fn start_run_with<S: Sink>(&self, sink: S, spec: RunSpec) -> Run<'_, S> {
        let RunSpec {
            pipeline,
            name,
            settings,
        } = spec;
        let started = SystemTime::now();
        let name = name.unwrap_or_else(|| default_run_name(&pipeline, started));
        let mut run = Run {
            stack: self,
            sink,
            record: RunRecord {
                id: Uuid::new_v4(),
                name,
                pipeline,
                stack: self.name().to_owned(),
                status: Status::Running,
                started,
                finished: None,
            },
            report: RunReport::default(),
            settings,
        };
        let registered = run.sink.start_run(&mut run.record);
        run.report
            .register(registered, || format!("run `{}`", run.record.name));
        let mut info = PipelineRunInfo::new(run.record.id)
            .with_run_name(run.record.name.clone())
            .with_pipeline_name(run.record.pipeline.clone());
        info.settings.clone_from(&run.settings);
        let collected = self.pipeline_run_metadata(&info);
        run.publish(Resource::pipeline_run(run.record.id), collected);
        run
    }
}

/// ZenML's default run name, `{pipeline}-{date}-{time}`, for a run started at `started`: the
/// date as `%Y_%m_%d` and the time as `%H_%M_%S_%f` (to the microsecond), in UTC.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use run_metadata::stack::default_run_name;
///
/// let at = UNIX_EPOCH + Duration::from_micros(1_795_968_720_000_042);
/// assert_eq!(default_run_name("training", at), "training-2026_11_29-16_12_00_000042");
/// ```
#[must_use]
pub fn default_run_name(pipeline: &str, started: SystemTime) -> String {
    let t = Utc::from(started);
    format!(
        "{pipeline}-{:04}_{:02}_{:02}-{:02}_{:02}_{:02}_{:06}",
        t.year, t.month, t.day, t.hour, t.minute, t.second, t.micros
    )
}

impl RunReport {
    /// Notes a sink's failure to register `what`.
    fn register(&mut self, result: Result<(), SinkError>, what: impl FnOnce() -> String) {
        if let Err(error) = result {
            self.failures.push(RunFailure::Register {
                what: what(),
                error: error.to_string(),
            });
        }
    }
}

/// A run in progress: runs steps, calls the step hooks after each, publishes.
///
/// ```
/// use run_metadata::stack::{Component, ComponentKind, Stack, StepSpec};
/// use run_metadata::sink::{Event, MemorySink};
/// use run_metadata::RunMetadata;
///
/// #[derive(RunMetadata)]
/// struct Store {
///     #[metadata(step, storage_size)]
///     written: u64,
/// }
///
/// let stack = Stack::new("local")
///     .with(Component::new(ComponentKind::ArtifactStore, "local", Store { written: 1024 }));
/// let mut sink = MemorySink::default();
/// let mut run = stack.start_run(&mut sink, "training", "training-1");
/// let trained: Result<u32, String> = run.step(&StepSpec::new("train"), || Ok(42));
/// let report = run.finish();
/// assert_eq!(trained, Ok(42));
/// assert_eq!(report.published, 1);
/// assert!(sink.events.iter().any(|e| matches!(e, Event::Published(..))));
/// ```
pub struct Run<'s, S: Sink> {
    stack: &'s Stack,
    sink: S,
    record: RunRecord,
    report: RunReport,
    /// The run's settings, under each step's.
    settings: serde_json::Map<String, serde_json::Value>,
}

impl<S: Sink> Run<'_, S> {
    /// The run's record.
    #[must_use]
    pub fn record(&self) -> &RunRecord {
        &self.record
    }

    /// What went wrong so far.
    #[must_use]
    pub fn report(&self) -> &RunReport {
        &self.report
    }

    /// Runs a step: its code, then — on success, on error and on panic alike — the step hooks of
    /// the components it uses, published; then the step's outcome. A panic resumes after
    /// publishing. A component whose `prepare_step_run` fails fails the step before its code
    /// runs, and this raises it (a panic), as ZenML's step runner raises;
    /// [`try_step`](Self::try_step) returns it instead.
    ///
    /// # Errors
    ///
    /// The step's own error, as the step returned it.
    pub fn step<T, E>(
        &mut self,
        spec: &StepSpec,
        body: impl FnOnce() -> Result<T, E>,
    ) -> Result<T, E> {
        match self.try_step(spec, body) {
            Ok(outcome) => outcome,
            Err(failure) => panic::resume_unwind(Box::new(failure.to_string())),
        }
    }

    /// As [`step`](Self::step), but a component whose `prepare_step_run` fails (returns an `Err`
    /// or panics) is returned, not raised: the step failed before its code ran, and no step hook
    /// or cleanup was called. The failure is in the run's report and with the sink too.
    ///
    /// ```
    /// use run_metadata::sink::MemorySink;
    /// use run_metadata::stack::{Component, ComponentKind, RunFailure, Stack, StepSpec};
    /// use run_metadata::{RunMetadata, StepRunInfo};
    ///
    /// #[derive(RunMetadata)]
    /// #[metadata(step, prepare_step_run = Self::open)]
    /// struct Tracker {
    ///     #[metadata]
    ///     experiment: &'static str,
    /// }
    ///
    /// impl Tracker {
    ///     fn open(&self, _: &StepRunInfo) -> Result<(), &'static str> {
    ///         Err("the tracker is away")
    ///     }
    /// }
    ///
    /// let stack = Stack::new("local").with(Component::new(
    ///     ComponentKind::ExperimentTracker,
    ///     "tracker",
    ///     Tracker { experiment: "exp" },
    /// ));
    /// let mut sink = MemorySink::default();
    /// let mut run = stack.start_run(&mut sink, "training", "r1");
    /// let spec = StepSpec::new("train").with_experiment_tracker("tracker");
    /// let outcome = run.try_step(&spec, || Ok::<(), String>(()));
    /// assert!(matches!(outcome, Err(RunFailure::Prepare { .. })));
    /// ```
    ///
    /// # Errors
    ///
    /// The preparation's failure ([`RunFailure::Prepare`]); the step's own outcome is the `Ok`.
    pub fn try_step<T, E>(
        &mut self,
        spec: &StepSpec,
        body: impl FnOnce() -> Result<T, E>,
    ) -> Result<Result<T, E>, RunFailure> {
        let mut step = self.new_step(spec, Status::Running);
        let registered = self.sink.start_step(&mut step);
        self.report
            .register(registered, || format!("step `{}`", spec.name));
        let mut info = StepRunInfo::new(
            self.record.id,
            step.id,
            self.record.name.clone(),
            spec.name.clone(),
        )
        .with_pipeline_name(self.record.pipeline.clone());
        info.settings = step_settings(&self.settings, &spec.settings);
        // As ZenML: the components prepare, the step runs; then, whatever its outcome, the
        // step hooks report and the components clean up.
        if let Err(failure) = self.stack.prepare_step_run(&info, spec) {
            let failure = self.lifecycle_failed(&step, spec, failure);
            self.end_step(&mut step, Status::Failed, SystemTime::now(), spec);
            return Err(failure);
        }
        let outcome = panic::catch_unwind(AssertUnwindSafe(body));
        // The step's own time: what the hooks and the sink take after it is not the step's.
        let finished = SystemTime::now();
        let mut failed = !matches!(outcome, Ok(Ok(_)));
        let collected = self.stack.step_run_metadata(&info, spec);
        self.publish(Resource::step_run(step.id), collected);
        for failure in self.stack.cleanup_step_run(&info, spec, failed) {
            // As ZenML: an exception in cleanup fails the step, even after a successful body.
            failed = true;
            let _ = self.lifecycle_failed(&step, spec, failure);
        }
        let status = if failed {
            Status::Failed
        } else {
            Status::Completed
        };
        self.end_step(&mut step, status, finished, spec);
        match outcome {
            Ok(result) => Ok(result),
            Err(payload) => panic::resume_unwind(payload),
        }
    }

    /// Records the step's end with `status` at `finished`; a failed step fails the run.
    fn end_step(
        &mut self,
        step: &mut StepRecord,
        status: Status,
        finished: SystemTime,
        spec: &StepSpec,
    ) {
        step.status = status;
        step.finished = Some(finished);
        if status == Status::Failed {
            self.record.status = Status::Failed;
        }
        let registered = self.sink.finish_step(step);
        self.report.register(registered, || {
            format!("the end ({status}) of step `{}`", spec.name)
        });
    }

    /// Records a cached step: it does not run, and no step hook is called.
    pub fn cached_step(&mut self, spec: &StepSpec) {
        let mut step = self.new_step(spec, Status::Cached);
        step.finished = Some(step.started);
        let registered = self.sink.start_step(&mut step);
        self.report
            .register(registered, || format!("step `{}`", spec.name));
    }

    /// Finishes the run: completed unless a step failed.
    pub fn finish(mut self) -> RunReport {
        if self.record.status == Status::Running {
            self.record.status = Status::Completed;
        }
        self.record.finished = Some(SystemTime::now());
        let registered = self.sink.finish_run(&self.record);
        self.report.register(registered, || {
            format!(
                "the end ({}) of run `{}`",
                self.record.status, self.record.name
            )
        });
        self.report
    }

    fn new_step(&self, spec: &StepSpec, status: Status) -> StepRecord {
        StepRecord {
            id: Uuid::new_v4(),
            run_id: self.record.id,
            name: spec.name.clone(),
            status,
            started: SystemTime::now(),
            finished: None,
        }
    }

    /// A component's `prepare_step_run` or `cleanup_step_run` failed: in the report (and
    /// returned), and to the sink, for the step.
    fn lifecycle_failed(
        &mut self,
        step: &StepRecord,
        spec: &StepSpec,
        failure: HookFailure,
    ) -> RunFailure {
        let kept = self.sink.hook_failed(Resource::step_run(step.id), &failure);
        let shown = failure.to_string();
        let HookFailure {
            component,
            hook,
            message,
            panicked,
        } = failure;
        let step_name = spec.name.clone();
        let failed = if hook == Hook::PrepareStepRun {
            RunFailure::Prepare {
                step: step_name,
                component,
                message,
                panicked,
            }
        } else {
            RunFailure::Cleanup {
                step: step_name,
                component,
                message,
                panicked,
            }
        };
        self.report.failures.push(failed.clone());
        self.report
            .register(kept, || format!("the failure ({shown})"));
        failed
    }

    fn publish(&mut self, resource: Resource, collected: Collected) {
        for failure in collected.failures {
            let kept = self.sink.hook_failed(resource, &failure);
            let shown = failure.to_string();
            self.report.failures.push(RunFailure::Hook(failure));
            self.report
                .register(kept, || format!("the failure ({shown})"));
        }
        for (component, metadata) in collected.reports {
            match self.sink.publish(resource, &component, &metadata) {
                Ok(()) => self.report.published += 1,
                Err(error) => self.report.failures.push(RunFailure::Publish {
                    resource,
                    component,
                    error: error.to_string(),
                }),
            }
        }
    }
}
