//! A stack of components, and runs that call their hooks when ZenML would.
//!
//! ZenML calls each component's pipeline hook once, when a run starts, and its step hook after
//! every step the component takes part in — after success and after failure alike, never for a
//! cached step. Experiment trackers and step operators take part only in the steps that name
//! them; every other kind in every step. Each component's non-empty metadata is published on its
//! own, and a component whose hook fails is reported by name while the others still publish.
//! [`Stack`] and [`Run`] do exactly that, into any [`Sink`].

use core::fmt;
use std::any::Any;
use std::error::Error;
use std::panic::{self, AssertUnwindSafe};
use std::time::SystemTime;

use uuid::Uuid;

use crate::info::{RunMetadata, StepRunInfo};
use crate::metadata::Metadata;
use crate::zenml::Resource;

/// What a stack component is, as ZenML names its types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ComponentKind {
    /// `orchestrator`
    Orchestrator,
    /// `artifact_store`
    ArtifactStore,
    /// `container_registry`
    ContainerRegistry,
    /// `step_operator`: takes part only in the steps that name it.
    StepOperator,
    /// `model_deployer`
    ModelDeployer,
    /// `feature_store`
    FeatureStore,
    /// `experiment_tracker`: takes part only in the steps that name it.
    ExperimentTracker,
    /// `alerter`
    Alerter,
    /// `annotator`
    Annotator,
    /// `data_validator`
    DataValidator,
    /// `image_builder`
    ImageBuilder,
    /// `model_registry`
    ModelRegistry,
    /// `deployer`
    Deployer,
    /// `log_store`
    LogStore,
}

impl ComponentKind {
    /// Every kind.
    pub const ALL: [ComponentKind; 14] = [
        Self::Orchestrator,
        Self::ArtifactStore,
        Self::ContainerRegistry,
        Self::StepOperator,
        Self::ModelDeployer,
        Self::FeatureStore,
        Self::ExperimentTracker,
        Self::Alerter,
        Self::Annotator,
        Self::DataValidator,
        Self::ImageBuilder,
        Self::ModelRegistry,
        Self::Deployer,
        Self::LogStore,
    ];

    /// ZenML's name of the kind.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Orchestrator => "orchestrator",
            Self::ArtifactStore => "artifact_store",
            Self::ContainerRegistry => "container_registry",
            Self::StepOperator => "step_operator",
            Self::ModelDeployer => "model_deployer",
            Self::FeatureStore => "feature_store",
            Self::ExperimentTracker => "experiment_tracker",
            Self::Alerter => "alerter",
            Self::Annotator => "annotator",
            Self::DataValidator => "data_validator",
            Self::ImageBuilder => "image_builder",
            Self::ModelRegistry => "model_registry",
            Self::Deployer => "deployer",
            Self::LogStore => "log_store",
        }
    }

    /// The kind ZenML names `name`.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Whether a step must name a component of this kind for it to take part.
    #[must_use]
    pub const fn needs_opt_in(self) -> bool {
        matches!(self, Self::ExperimentTracker | Self::StepOperator)
    }
}

impl fmt::Display for ComponentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who a component is, without the component: what sinks and reports refer to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ComponentInfo {
    /// Its id (ZenML's `stack_component_id`).
    pub id: Uuid,
    /// Its name, unique in its stack.
    pub name: String,
    /// Its kind.
    pub kind: ComponentKind,
}

impl fmt::Display for ComponentInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} `{}`", self.kind, self.name)
    }
}

/// A component in a stack: who it is and its hooks.
pub struct Component {
    info: ComponentInfo,
    hooks: Box<dyn RunMetadata + Send + Sync>,
}

impl Component {
    /// A component of `kind` named `name`, with a new random id.
    pub fn new(
        kind: ComponentKind,
        name: impl Into<String>,
        hooks: impl RunMetadata + Send + Sync + 'static,
    ) -> Self {
        Self::with_id(Uuid::new_v4(), kind, name, hooks)
    }

    /// As [`new`](Self::new), with a given id (a component registered in ZenML keeps its id).
    pub fn with_id(
        id: Uuid,
        kind: ComponentKind,
        name: impl Into<String>,
        hooks: impl RunMetadata + Send + Sync + 'static,
    ) -> Self {
        Self {
            info: ComponentInfo {
                id,
                name: name.into(),
                kind,
            },
            hooks: Box::new(hooks),
        }
    }

    /// Who it is.
    #[must_use]
    pub fn info(&self) -> &ComponentInfo {
        &self.info
    }
}

impl fmt::Debug for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Component")
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

/// Which hook.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Hook {
    /// `pipeline_run_metadata`
    Pipeline,
    /// `step_run_metadata`
    Step,
}

impl fmt::Display for Hook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Pipeline => "pipeline_run_metadata",
            Self::Step => "step_run_metadata",
        })
    }
}

/// A hook that panicked; its component reported nothing, the others did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HookFailure {
    /// The component.
    pub component: ComponentInfo,
    /// The hook.
    pub hook: Hook,
    /// The panic's message.
    pub message: String,
}

impl fmt::Display for HookFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}'s {} panicked: {}",
            self.component, self.hook, self.message
        )
    }
}

/// What the components of a stack reported from one hook.
#[derive(Debug, Default)]
pub struct Collected {
    /// Each component's non-empty metadata, in stack order.
    pub reports: Vec<(ComponentInfo, Metadata)>,
    /// The components whose hook panicked.
    pub failures: Vec<HookFailure>,
}

/// What a step is, as far as the stack is concerned: its name and the opt-in components it uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepSpec {
    /// The step's name in its pipeline.
    pub name: String,
    /// The experiment tracker the step uses, by component name.
    pub experiment_tracker: Option<String>,
    /// The step operator the step runs on, by component name.
    pub step_operator: Option<String>,
}

impl StepSpec {
    /// A step named `name` that uses no experiment tracker and no step operator.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            experiment_tracker: None,
            step_operator: None,
        }
    }

    /// The step uses the experiment tracker named `name`.
    #[must_use]
    pub fn with_experiment_tracker(mut self, name: impl Into<String>) -> Self {
        self.experiment_tracker = Some(name.into());
        self
    }

    /// The step runs on the step operator named `name`.
    #[must_use]
    pub fn with_step_operator(mut self, name: impl Into<String>) -> Self {
        self.step_operator = Some(name.into());
        self
    }

    /// Whether `component` takes part in this step.
    #[must_use]
    pub fn uses(&self, component: &ComponentInfo) -> bool {
        let named = match component.kind {
            ComponentKind::ExperimentTracker => &self.experiment_tracker,
            ComponentKind::StepOperator => &self.step_operator,
            _ => return true,
        };
        named.as_deref() == Some(component.name.as_str())
    }
}

/// The components of one stack.
///
/// ```
/// use run_metadata::stack::{Component, ComponentKind, Stack, StepSpec};
/// use run_metadata::{RunMetadata, StepRunInfo};
/// use uuid::Uuid;
///
/// #[derive(RunMetadata)]
/// struct Tracker {
///     #[metadata(step)]
///     experiment: String,
/// }
///
/// let stack = Stack::new("default").with(Component::new(
///     ComponentKind::ExperimentTracker,
///     "mlflow",
///     Tracker { experiment: "7".into() },
/// ));
/// let info = StepRunInfo::new(Uuid::nil(), Uuid::nil(), "run", "train");
/// // The tracker reports only on steps that name it.
/// assert!(stack.step_run_metadata(&info, &StepSpec::new("train")).reports.is_empty());
/// let uses = StepSpec::new("train").with_experiment_tracker("mlflow");
/// assert_eq!(stack.step_run_metadata(&info, &uses).reports.len(), 1);
/// ```
#[derive(Debug)]
pub struct Stack {
    name: String,
    components: Vec<Component>,
}

impl Stack {
    /// An empty stack named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            components: Vec::new(),
        }
    }

    /// The stack with `component` added.
    #[must_use]
    pub fn with(mut self, component: Component) -> Self {
        self.components.push(component);
        self
    }

    /// The stack's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Who its components are, in order.
    pub fn components(&self) -> impl ExactSizeIterator<Item = &ComponentInfo> {
        self.components.iter().map(Component::info)
    }

    /// Every component's pipeline metadata for run `run_id`.
    #[must_use]
    pub fn pipeline_run_metadata(&self, run_id: Uuid) -> Collected {
        Self::collect(Hook::Pipeline, self.components.iter(), |c| {
            c.pipeline_run_metadata(run_id)
        })
    }

    /// The step metadata of the components the step uses.
    #[must_use]
    pub fn step_run_metadata(&self, info: &StepRunInfo, step: &StepSpec) -> Collected {
        let used = self.components.iter().filter(|c| step.uses(&c.info));
        Self::collect(Hook::Step, used, |c| c.step_run_metadata(info))
    }

    fn collect<'a>(
        hook: Hook,
        components: impl Iterator<Item = &'a Component>,
        call: impl Fn(&dyn RunMetadata) -> Metadata,
    ) -> Collected {
        let mut out = Collected::default();
        for component in components {
            match panic::catch_unwind(AssertUnwindSafe(|| call(&*component.hooks))) {
                Ok(metadata) if metadata.is_empty() => {}
                Ok(metadata) => out.reports.push((component.info.clone(), metadata)),
                Err(payload) => out.failures.push(HookFailure {
                    component: component.info.clone(),
                    hook,
                    message: panic_message(&*payload),
                }),
            }
        }
        out
    }

    /// Starts a run of pipeline `pipeline` named `run_name`: registers it with `sink`, then
    /// publishes every component's pipeline metadata.
    pub fn start_run<S: Sink>(
        &self,
        sink: S,
        pipeline: impl Into<String>,
        run_name: impl Into<String>,
    ) -> Run<'_, S> {
        let record = RunRecord {
            id: Uuid::new_v4(),
            name: run_name.into(),
            pipeline: pipeline.into(),
            stack: self.name.clone(),
            status: Status::Running,
            started: SystemTime::now(),
            finished: None,
        };
        let mut run = Run {
            stack: self,
            sink,
            record,
            report: RunReport::default(),
        };
        if let Err(error) = run.sink.start_run(&mut run.record) {
            run.report.failures.push(Failure::Register {
                what: format!("run `{}`", run.record.name),
                error: error.to_string(),
            });
        }
        let collected = self.pipeline_run_metadata(run.record.id);
        run.publish(Resource::pipeline_run(run.record.id), collected);
        run
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a payload that is not a string".to_owned()
    }
}

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

impl Error for SinkError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&*self.0)
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
    /// The sink's own, reported in the run's [`RunReport`].
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

/// Something that went wrong during a run without stopping it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Failure {
    /// A component's hook panicked.
    Hook(HookFailure),
    /// The sink refused a component's metadata.
    Publish {
        /// Where it was to go.
        resource: Resource,
        /// Whose it was.
        component: ComponentInfo,
        /// The sink's error.
        error: String,
    },
    /// The sink refused to register a run or step.
    Register {
        /// What was being registered.
        what: String,
        /// The sink's error.
        error: String,
    },
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Hook(h) => fmt::Display::fmt(h, f),
            Self::Publish {
                resource,
                component,
                error,
            } => write!(
                f,
                "publishing {component}'s metadata for {} {} failed: {error}",
                resource.kind, resource.id
            ),
            Self::Register { what, error } => write!(f, "registering {what} failed: {error}"),
        }
    }
}

/// What happened in a run besides its steps' own results.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunReport {
    /// How many component reports were published.
    pub published: usize,
    /// What went wrong, in order.
    pub failures: Vec<Failure>,
}

/// A run in progress: runs steps, calls the step hooks after each, publishes.
///
/// ```
/// use run_metadata::stack::{Component, ComponentKind, Event, MemorySink, Stack, StepSpec};
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
    /// publishing.
    ///
    /// # Errors
    ///
    /// The step's own error, as the step returned it.
    pub fn step<T, E>(
        &mut self,
        spec: &StepSpec,
        body: impl FnOnce() -> Result<T, E>,
    ) -> Result<T, E> {
        let mut step = StepRecord {
            id: Uuid::new_v4(),
            run_id: self.record.id,
            name: spec.name.clone(),
            status: Status::Running,
            started: SystemTime::now(),
            finished: None,
        };
        self.register(
            |sink| sink.start_step(&mut step),
            || format!("step `{}`", spec.name),
        );
        let outcome = panic::catch_unwind(AssertUnwindSafe(body));
        step.status = match &outcome {
            Ok(Ok(_)) => Status::Completed,
            Ok(Err(_)) | Err(_) => Status::Failed,
        };
        step.finished = Some(SystemTime::now());
        if step.status == Status::Failed {
            self.record.status = Status::Failed;
        }
        let info = StepRunInfo::new(
            self.record.id,
            step.id,
            self.record.name.clone(),
            spec.name.clone(),
        )
        .with_pipeline_name(self.record.pipeline.clone());
        let collected = self.stack.step_run_metadata(&info, spec);
        self.publish(Resource::step_run(step.id), collected);
        self.register(
            |sink| sink.finish_step(&step),
            || format!("step `{}`", spec.name),
        );
        match outcome {
            Ok(result) => result,
            Err(payload) => panic::resume_unwind(payload),
        }
    }

    /// Records a cached step: it does not run, and no step hook is called.
    pub fn cached_step(&mut self, spec: &StepSpec) {
        let now = SystemTime::now();
        let mut step = StepRecord {
            id: Uuid::new_v4(),
            run_id: self.record.id,
            name: spec.name.clone(),
            status: Status::Cached,
            started: now,
            finished: Some(now),
        };
        self.register(
            |sink| sink.start_step(&mut step),
            || format!("step `{}`", spec.name),
        );
    }

    /// Finishes the run: completed unless a step failed.
    pub fn finish(mut self) -> RunReport {
        if self.record.status == Status::Running {
            self.record.status = Status::Completed;
        }
        self.record.finished = Some(SystemTime::now());
        let record = self.record.clone();
        self.register(
            |sink| sink.finish_run(&record),
            || format!("run `{}`", record.name),
        );
        self.report
    }

    fn register(
        &mut self,
        call: impl FnOnce(&mut S) -> Result<(), SinkError>,
        what: impl FnOnce() -> String,
    ) {
        if let Err(error) = call(&mut self.sink) {
            self.report.failures.push(Failure::Register {
                what: what(),
                error: error.to_string(),
            });
        }
    }

    fn publish(&mut self, resource: Resource, collected: Collected) {
        self.report
            .failures
            .extend(collected.failures.into_iter().map(Failure::Hook));
        for (component, metadata) in collected.reports {
            match self.sink.publish(resource, &component, &metadata) {
                Ok(()) => self.report.published += 1,
                Err(error) => self.report.failures.push(Failure::Publish {
                    resource,
                    component,
                    error: error.to_string(),
                }),
            }
        }
    }
}
