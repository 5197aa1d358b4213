//! What a hook is told: the step that just ran ([`StepRunInfo`]) or the run that started
//! ([`PipelineRunInfo`]), each with its settings and the component whose hook it is.

use uuid::Uuid;

use crate::hooks::error::HookError;
use crate::hooks::settings::{ComponentRef, ComponentSettings, resolve_settings};

/// What a step hook is told about the step that just ran (ZenML's `StepRunInfo`).
///
/// ```
/// use run_metadata::StepRunInfo;
/// use uuid::Uuid;
///
/// let info = StepRunInfo::new(Uuid::nil(), Uuid::max(), "training-2026_11_29", "train")
///     .with_pipeline_name("training");
/// assert_eq!(info.pipeline_name, "training");
/// assert_eq!(info.pipeline_step_name, "train");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct StepRunInfo {
    /// The pipeline run's id.
    pub run_id: Uuid,
    /// The step run's id.
    pub step_run_id: Uuid,
    /// The pipeline run's name.
    pub run_name: String,
    /// The pipeline's name; empty unless set.
    pub pipeline_name: String,
    /// The step's name in the pipeline.
    pub pipeline_step_name: String,
    /// The step's settings, as ZenML's `info.config.settings`, each a JSON object, keyed as
    /// ZenML keys them: `"{component type}:{component name}"` (`"experiment_tracker:tracker"`)
    /// or `"{component type}.{flavor}"` (`"experiment_tracker.wandb"`). A component reads its
    /// own with [`settings_of`](Self::settings_of), any with [`settings`](Self::settings).
    pub settings: serde_json::Map<String, serde_json::Value>,
    /// The component whose hook this is, set by the caller of the hook (the stack, the Python
    /// bridge): the keys [`settings_of`](Self::settings_of) reads.
    pub component: Option<ComponentRef>,
}

impl StepRunInfo {
    /// The info of step `pipeline_step_name` of run `run_id`; the pipeline name starts empty.
    pub fn new(
        run_id: Uuid,
        step_run_id: Uuid,
        run_name: impl Into<String>,
        pipeline_step_name: impl Into<String>,
    ) -> Self {
        Self {
            run_id,
            step_run_id,
            run_name: run_name.into(),
            pipeline_name: String::new(),
            pipeline_step_name: pipeline_step_name.into(),
            settings: serde_json::Map::new(),
            component: None,
        }
    }

    /// Names the component whose hook this is (see [`settings_of`](Self::settings_of)).
    #[must_use]
    pub fn with_component(mut self, component: ComponentRef) -> Self {
        self.component = Some(component);
        self
    }

    /// `component`'s settings for this step, as ZenML's `component.get_settings(info)` resolves
    /// them: its configured settings, updated field by field with the step's under
    /// `"{type}:{name}"`, else under `"{type}.{flavor}"` (see [`resolve_settings`]).
    ///
    /// ```
    /// use run_metadata::{ComponentKind, ComponentRef, RunMetadata, StepRunInfo};
    /// use serde::{Deserialize, Serialize};
    /// use uuid::Uuid;
    ///
    /// #[derive(Default, Serialize, Deserialize)]
    /// #[serde(default)]
    /// struct TrackerSettings {
    ///     run_name: Option<String>,
    ///     tags: Vec<String>,
    /// }
    ///
    /// #[derive(RunMetadata)]
    /// struct Tracker {
    ///     #[metadata(settings)]
    ///     configured: TrackerSettings,
    /// }
    ///
    /// let tracker = Tracker {
    ///     configured: TrackerSettings { run_name: None, tags: vec!["nightly".into()] },
    /// };
    /// let info = StepRunInfo::new(Uuid::nil(), Uuid::nil(), "run", "train")
    ///     .with_settings("experiment_tracker.wandb", serde_json::json!({"run_name": "by-flavor"}))
    ///     .with_settings("experiment_tracker:tracker", serde_json::json!({"run_name": "by-name"}))
    ///     .with_component(ComponentRef::new(ComponentKind::ExperimentTracker, "tracker", "wandb"));
    /// let s = info.settings_of(&tracker)?;
    /// assert_eq!(s.run_name.as_deref(), Some("by-name"));
    /// assert_eq!(s.tags, ["nightly"]);
    /// # Ok::<(), run_metadata::HookError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A [`HookError`] if the settings do not read as the component's settings type, or if the
    /// step has settings but names no component: returned from a hook-time source, it is that
    /// hook's failure, as in ZenML.
    pub fn settings_of<C: ComponentSettings + ?Sized>(
        &self,
        component: &C,
    ) -> Result<C::Settings, HookError> {
        resolve_settings(
            component.configured_settings(),
            &self.settings,
            self.component.as_ref(),
        )
    }

    /// Sets the settings under `key` (`"experiment_tracker.wandb"`).
    #[must_use]
    pub fn with_settings(mut self, key: impl Into<String>, value: serde_json::Value) -> Self {
        self.settings.insert(key.into(), value);
        self
    }

    /// The settings under `key`, read as `T` (any `serde::Deserialize` type); `None` if the
    /// step has none there.
    ///
    /// ```
    /// use run_metadata::StepRunInfo;
    /// use uuid::Uuid;
    ///
    /// let info = StepRunInfo::new(Uuid::nil(), Uuid::nil(), "run", "train")
    ///     .with_settings("experiment_tracker.wandb", serde_json::json!({"tags": ["nightly"]}));
    /// let tags: Option<serde_json::Value> = info.settings("experiment_tracker.wandb")?;
    /// assert_eq!(tags.unwrap()["tags"][0], "nightly");
    /// assert_eq!(info.settings::<serde_json::Value>("orchestrator.kubeflow")?, None);
    /// # Ok::<(), run_metadata::HookError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A [`HookError`] naming the key, if the settings there do not read as `T`: returned from
    /// a hook-time source, it is that hook's failure, as a ZenML component's would be.
    pub fn settings<T: serde::de::DeserializeOwned>(
        &self,
        key: &str,
    ) -> Result<Option<T>, HookError> {
        self.settings
            .get(key)
            .map(|value| {
                serde_json::from_value(value.clone())
                    .map_err(|e| HookError::new(format!("settings {key:?}: {e}")))
            })
            .transpose()
    }

    /// Sets the pipeline's name.
    #[must_use]
    pub fn with_pipeline_name(mut self, pipeline_name: impl Into<String>) -> Self {
        self.pipeline_name = pipeline_name.into();
        self
    }
}

/// What a pipeline hook is told about the run that started: its id, name and settings (ZenML's
/// `PipelineRunResponse`, which its orchestrators read with `get_settings(run)`).
///
/// A `pipeline_with` source may take it instead of the run's id:
///
/// ```
/// use run_metadata::{ComponentKind, ComponentRef, PipelineRunInfo, RunMetadata};
/// use serde::{Deserialize, Serialize};
/// use uuid::Uuid;
///
/// #[derive(Default, Serialize, Deserialize)]
/// struct KubeflowSettings {
///     user_namespace: Option<String>,
/// }
///
/// #[derive(RunMetadata)]
/// #[metadata(pipeline_with = Self::namespace)]
/// struct Orchestrator {
///     #[metadata(settings)]
///     configured: KubeflowSettings,
/// }
///
/// #[derive(RunMetadata)]
/// #[metadata(pipeline)]
/// struct Namespace {
///     #[metadata]
///     namespace: Option<String>,
/// }
///
/// impl Orchestrator {
///     fn namespace(&self, run: &PipelineRunInfo) -> Result<Namespace, run_metadata::HookError> {
///         Ok(Namespace { namespace: run.settings_of(self)?.user_namespace })
///     }
/// }
///
/// let o = Orchestrator { configured: KubeflowSettings::default() };
/// let run = PipelineRunInfo::new(Uuid::nil())
///     .with_settings("orchestrator.kubeflow", serde_json::json!({"user_namespace": "team-a"}))
///     .with_component(ComponentRef::new(ComponentKind::Orchestrator, "kf", "kubeflow"));
/// let m = o.try_pipeline_run_metadata_for(&run)?;
/// assert_eq!(m.get("namespace").unwrap().to_string(), "team-a");
/// # Ok::<(), run_metadata::HookError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PipelineRunInfo {
    /// The pipeline run's id.
    pub run_id: Uuid,
    /// The pipeline run's name; empty unless set.
    pub run_name: String,
    /// The pipeline's name; empty unless set.
    pub pipeline_name: String,
    /// The run's settings (ZenML's `run.config.settings`), keyed as [`StepRunInfo::settings`].
    pub settings: serde_json::Map<String, serde_json::Value>,
    /// The component whose hook this is (see [`StepRunInfo::component`]).
    pub component: Option<ComponentRef>,
}

impl PipelineRunInfo {
    /// The info of run `run_id`, with no name and no settings.
    #[must_use]
    pub fn new(run_id: Uuid) -> Self {
        Self {
            run_id,
            run_name: String::new(),
            pipeline_name: String::new(),
            settings: serde_json::Map::new(),
            component: None,
        }
    }

    /// Sets the run's name.
    #[must_use]
    pub fn with_run_name(mut self, run_name: impl Into<String>) -> Self {
        self.run_name = run_name.into();
        self
    }

    /// Sets the pipeline's name.
    #[must_use]
    pub fn with_pipeline_name(mut self, pipeline_name: impl Into<String>) -> Self {
        self.pipeline_name = pipeline_name.into();
        self
    }

    /// Sets the settings under `key` (`"orchestrator.kubeflow"`).
    #[must_use]
    pub fn with_settings(mut self, key: impl Into<String>, value: serde_json::Value) -> Self {
        self.settings.insert(key.into(), value);
        self
    }

    /// Names the component whose hook this is.
    #[must_use]
    pub fn with_component(mut self, component: ComponentRef) -> Self {
        self.component = Some(component);
        self
    }

    /// `component`'s settings for this run, as ZenML's `component.get_settings(run)` resolves
    /// them (see [`StepRunInfo::settings_of`]).
    ///
    /// # Errors
    ///
    /// As [`StepRunInfo::settings_of`].
    pub fn settings_of<C: ComponentSettings + ?Sized>(
        &self,
        component: &C,
    ) -> Result<C::Settings, HookError> {
        resolve_settings(
            component.configured_settings(),
            &self.settings,
            self.component.as_ref(),
        )
    }
}

/// What a `pipeline_with` function takes: the run's id, or the whole [`PipelineRunInfo`]. The
/// derive passes `RunArg::run_arg(run)`, and the function's parameter type picks the impl.
#[diagnostic::on_unimplemented(
    message = "a `pipeline_with` function takes the run's id or the run, not `{Self}`",
    label = "this function's second parameter is `{Self}`",
    note = "take `run_id: uuid::Uuid`, or `run: &run_metadata::PipelineRunInfo` to read the run's name and settings"
)]
#[doc(hidden)]
pub trait RunArg<'a> {
    /// The argument, from the run.
    fn run_arg(run: &'a PipelineRunInfo) -> Self;
}

impl RunArg<'_> for Uuid {
    #[inline]
    fn run_arg(run: &PipelineRunInfo) -> Self {
        run.run_id
    }
}

impl<'a> RunArg<'a> for &'a PipelineRunInfo {
    #[inline]
    fn run_arg(run: &'a PipelineRunInfo) -> Self {
        run
    }
}

/// The run a plain pipeline hook is told: only its id.
#[doc(hidden)]
#[inline]
#[must_use]
pub fn run_of(run_id: Uuid) -> PipelineRunInfo {
    PipelineRunInfo::new(run_id)
}
