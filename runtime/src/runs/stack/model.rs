//! The stack model: components (who each is, and its hooks), the steps that use them, and the
//! stack that calls one hook of every component it holds.

use core::fmt;

use uuid::Uuid;

use crate::hooks::component::{ComponentInfo, ComponentKind};
use crate::hooks::error::{HookError, call_hook};
use crate::hooks::run_info::{PipelineRunInfo, StepRunInfo};
use crate::hooks::run_metadata::RunMetadata;
use crate::hooks::settings::ComponentRef;
use crate::map::metadata::Metadata;
use crate::runs::sink::{Hook, HookFailure};

/// A component in a stack: who it is, its flavor and its hooks.
pub struct Component {
    info: ComponentInfo,
    /// Its settings keys' names: kind, name and flavor.
    reference: ComponentRef,
    hooks: Box<dyn RunMetadata + Send + Sync>,
}

impl Component {
    /// A component of `kind` named `name`, with a new random id, of flavor
    /// [`rust`](ComponentRef::DEFAULT_FLAVOR) unless [`with_flavor`](Self::with_flavor) says.
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
        let name = name.into();
        Self {
            reference: ComponentRef::new(kind, name.clone(), ComponentRef::DEFAULT_FLAVOR),
            info: ComponentInfo { id, name, kind },
            hooks: Box::new(hooks),
        }
    }

    /// The component, of flavor `flavor` (`"wandb"`): step and run settings under
    /// `"{type}.{flavor}"` are its, unless some are under `"{type}:{name}"`.
    #[must_use]
    pub fn with_flavor(mut self, flavor: impl Into<String>) -> Self {
        self.reference.flavor = flavor.into();
        self
    }

    /// Its kind, name and flavor: what its settings are looked up by.
    #[must_use]
    pub fn reference(&self) -> &ComponentRef {
        &self.reference
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
            .field("flavor", &self.reference.flavor)
            .finish_non_exhaustive()
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
    /// The step's settings (ZenML's `settings={...}` of a step), over the run's: passed to
    /// every hook in [`StepRunInfo::settings`].
    pub settings: serde_json::Map<String, serde_json::Value>,
}

impl StepSpec {
    /// A step named `name` that uses no experiment tracker and no step operator.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            experiment_tracker: None,
            step_operator: None,
            settings: serde_json::Map::new(),
        }
    }

    /// The step's settings under `key` (`"experiment_tracker.wandb"`), as ZenML's
    /// `settings={...}` of a step.
    #[must_use]
    pub fn with_settings(mut self, key: impl Into<String>, value: serde_json::Value) -> Self {
        self.settings.insert(key.into(), value);
        self
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

/// What a run is, as far as the stack is concerned: its pipeline, its name, its settings.
///
/// ```
/// use run_metadata::stack::RunSpec;
///
/// let spec = RunSpec::new("training")
///     .named("training-42")
///     .with_settings("orchestrator:kubeflow", serde_json::json!({"user_namespace": "team-a"}));
/// assert_eq!(spec.pipeline, "training");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RunSpec {
    /// The pipeline's name.
    pub pipeline: String,
    /// The run's name; `None` names it as ZenML does (see
    /// [`default_run_name`](super::default_run_name)).
    pub name: Option<String>,
    /// The run's settings (ZenML's `settings={...}` of a pipeline): told to the pipeline hooks
    /// in [`PipelineRunInfo::settings`], and under each step's own.
    pub settings: serde_json::Map<String, serde_json::Value>,
}

impl RunSpec {
    /// A run of pipeline `pipeline`, named by its start time, with no settings.
    pub fn new(pipeline: impl Into<String>) -> Self {
        Self {
            pipeline: pipeline.into(),
            name: None,
            settings: serde_json::Map::new(),
        }
    }

    /// The run named `name`.
    #[must_use]
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The run's settings under `key` (`"orchestrator.kubeflow"`).
    #[must_use]
    pub fn with_settings(mut self, key: impl Into<String>, value: serde_json::Value) -> Self {
        self.settings.insert(key.into(), value);
        self
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

    /// Every component's pipeline metadata for `run`, each told it is the component (see
    /// [`PipelineRunInfo::settings_of`]).
    #[must_use]
    pub fn pipeline_run_metadata(&self, run: &PipelineRunInfo) -> Collected {
        let mut run = run.clone();
        Self::collect(Hook::Pipeline, self.components.iter(), |c| {
            run.component = Some(c.reference.clone());
            c.hooks.try_pipeline_run_metadata_for(&run)
        })
    }

    /// The step metadata of the components the step uses, each told it is the component (see
    /// [`StepRunInfo::settings_of`]).
    #[must_use]
    pub fn step_run_metadata(&self, info: &StepRunInfo, step: &StepSpec) -> Collected {
        let used = self.components.iter().filter(|c| step.uses(&c.info));
        let mut info = info.clone();
        Self::collect(Hook::Step, used, |c| {
            info.component = Some(c.reference.clone());
            c.hooks.try_step_run_metadata(&info)
        })
    }

    /// Calls `prepare_step_run` of the components the step uses, in stack order; the first
    /// that fails (returns an `Err` or panics) stops it there.
    ///
    /// # Errors
    ///
    /// The failure: the component, its error's or panic's message, whether it panicked.
    pub fn prepare_step_run(&self, info: &StepRunInfo, step: &StepSpec) -> Result<(), HookFailure> {
        let mut info = info.clone();
        for c in self.components.iter().filter(|c| step.uses(&c.info)) {
            info.component = Some(c.reference.clone());
            lifecycle(c, Hook::PrepareStepRun, || {
                c.hooks.try_prepare_step_run(&info)
            })?;
        }
        Ok(())
    }

    /// Calls `cleanup_step_run` of the components the step uses, each even if another fails;
    /// returns the failures (an `Err` or a panic).
    #[must_use]
    pub fn cleanup_step_run(
        &self,
        info: &StepRunInfo,
        step: &StepSpec,
        step_failed: bool,
    ) -> Vec<HookFailure> {
        let mut info = info.clone();
        self.components
            .iter()
            .filter(|c| step.uses(&c.info))
            .filter_map(|c| {
                info.component = Some(c.reference.clone());
                lifecycle(c, Hook::CleanupStepRun, || {
                    c.hooks.try_cleanup_step_run(&info, step_failed)
                })
                .err()
            })
            .collect()
    }

    fn collect<'a>(
        hook: Hook,
        components: impl Iterator<Item = &'a Component>,
        mut call: impl FnMut(&Component) -> Result<Metadata, HookError>,
    ) -> Collected {
        let mut out = Collected::default();
        for component in components {
            match call_hook(|| call(component)) {
                Ok(metadata) if metadata.is_empty() => {}
                Ok(metadata) => out.reports.push((component.info.clone(), metadata)),
                Err(failed) => out
                    .failures
                    .push(HookFailure::of(&component.info, hook, &failed)),
            }
        }
        out
    }
}

/// One lifecycle call of `c`, inside `catch_unwind`: an `Err` or a panic as a [`HookFailure`]
/// of `hook`.
fn lifecycle(
    c: &Component,
    hook: Hook,
    call: impl FnOnce() -> Result<(), crate::hooks::error::HookError>,
) -> Result<(), HookFailure> {
    call_hook(call).map_err(|failed| HookFailure::of(&c.info, hook, &failed))
}
