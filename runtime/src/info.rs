//! The `RunMetadata` trait, what a step hook is told, and why a hook may report nothing.

use core::fmt;

use uuid::Uuid;

use crate::metadata::Metadata;
use crate::schema::Schema;

/// A stack component that reports metadata on the runs it takes part in: ZenML's
/// `get_pipeline_run_metadata` and `get_step_run_metadata`.
///
/// Usually derived (see [`derive@RunMetadata`](crate::RunMetadata)); both hooks default to no
/// metadata, so a hand-written impl overrides only the ones it needs:
///
/// ```
/// use run_metadata::{Metadata, RunMetadata, StepRunInfo, Uri};
/// use uuid::Uuid;
///
/// struct Orchestrator {
///     console: String,
/// }
///
/// impl RunMetadata for Orchestrator {
///     fn pipeline_run_metadata(&self, run_id: Uuid) -> Metadata {
///         run_metadata::metadata! {
///             "orchestrator_url" => Uri::new(format!("{}/runs/{run_id}", self.console)),
///         }
///     }
/// }
///
/// let o = Orchestrator { console: "https://console.example".into() };
/// let m = o.pipeline_run_metadata(Uuid::nil());
/// assert_eq!(m.len(), 1);
/// let info = StepRunInfo::new(Uuid::nil(), Uuid::nil(), "run-1", "train");
/// assert!(o.step_run_metadata(&info).is_empty());
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not report run metadata",
    label = "`{Self}` does not implement `RunMetadata`",
    note = "`#[metadata(flatten)]` merges in the metadata of a component type: derive `RunMetadata` for it, or track the value itself without `flatten`"
)]
pub trait RunMetadata {
    /// Metadata for the whole pipeline run; called once, when the run starts.
    fn pipeline_run_metadata(&self, run_id: Uuid) -> Metadata {
        let _ = run_id;
        Metadata::new()
    }

    /// Metadata for one step run; called after the step finished (also when it failed), never
    /// for a cached step, and only on the components the step uses.
    fn step_run_metadata(&self, info: &StepRunInfo) -> Metadata {
        let _ = info;
        Metadata::new()
    }

    /// ZenML's `prepare_step_run`: called before each step this component takes part in, so
    /// that it can set up what its step hook reads (an experiment tracker opens its run). A
    /// panic here fails the step before it runs, as ZenML's exception would.
    fn prepare_step_run(&self, info: &StepRunInfo) {
        let _ = info;
    }

    /// ZenML's `cleanup_step_run`: called after the step's hooks, whether the step failed or
    /// not, so that the component can close what it opened.
    fn cleanup_step_run(&self, info: &StepRunInfo, step_failed: bool) {
        let _ = (info, step_failed);
    }

    /// [`prepare_step_run`](Self::prepare_step_run), or why the component could not prepare.
    /// The stack calls this one: an `Err` (or a panic) fails the step before its body runs, with
    /// no step hooks and no cleanup, as an exception in ZenML's `Stack.prepare_step_run` does.
    /// The derive implements it for `prepare_step_run = f` where `f` returns a `Result`.
    ///
    /// # Errors
    ///
    /// Why the component could not prepare.
    fn try_prepare_step_run(&self, info: &StepRunInfo) -> Result<(), HookError> {
        self.prepare_step_run(info);
        Ok(())
    }

    /// [`cleanup_step_run`](Self::cleanup_step_run), or why the component could not clean up.
    /// The stack calls this one: an `Err` (or a panic) fails the step after its hooks, as an
    /// exception in ZenML's `cleanup_step_run` (called in the step runner's `finally`) does.
    ///
    /// # Errors
    ///
    /// Why the component could not clean up.
    fn try_cleanup_step_run(&self, info: &StepRunInfo, step_failed: bool) -> Result<(), HookError> {
        self.cleanup_step_run(info, step_failed);
        Ok(())
    }

    /// The pipeline hook, or why it reports nothing: a hook-time source failed. The stack calls
    /// this one; by default it is [`pipeline_run_metadata`](Self::pipeline_run_metadata), which
    /// cannot fail. The derive implements it when the type has hook-time sources, and then
    /// `pipeline_run_metadata` gives empty metadata on a failure.
    ///
    /// # Errors
    ///
    /// [`HookError`]: ZenML drops the component's whole result for this hook, and so does the
    /// stack, reporting why.
    fn try_pipeline_run_metadata(&self, run_id: Uuid) -> Result<Metadata, HookError> {
        Ok(self.pipeline_run_metadata(run_id))
    }

    /// As [`try_pipeline_run_metadata`](Self::try_pipeline_run_metadata), for the step hook.
    ///
    /// # Errors
    ///
    /// As [`try_pipeline_run_metadata`](Self::try_pipeline_run_metadata).
    fn try_step_run_metadata(&self, info: &StepRunInfo) -> Result<Metadata, HookError> {
        Ok(self.step_run_metadata(info))
    }

    /// The keys each hook reports, with their tags, known without an instance. The derive
    /// states them; a hand-written impl reports its keys as [dynamic](crate::SchemaEntry::Dynamic)
    /// unless it overrides this.
    #[must_use]
    fn schema() -> Schema
    where
        Self: Sized,
    {
        Schema::unknown(core::any::type_name::<Self>())
    }
}

macro_rules! forward_run_metadata {
    ($($ty:ty),*) => {$(
        impl<T: RunMetadata + ?Sized> RunMetadata for $ty {
            fn pipeline_run_metadata(&self, run_id: Uuid) -> Metadata {
                T::pipeline_run_metadata(self, run_id)
            }

            fn step_run_metadata(&self, info: &StepRunInfo) -> Metadata {
                T::step_run_metadata(self, info)
            }

            fn try_pipeline_run_metadata(&self, run_id: Uuid) -> Result<Metadata, HookError> {
                T::try_pipeline_run_metadata(self, run_id)
            }

            fn try_step_run_metadata(&self, info: &StepRunInfo) -> Result<Metadata, HookError> {
                T::try_step_run_metadata(self, info)
            }

            fn prepare_step_run(&self, info: &StepRunInfo) {
                T::prepare_step_run(self, info);
            }

            fn cleanup_step_run(&self, info: &StepRunInfo, step_failed: bool) {
                T::cleanup_step_run(self, info, step_failed);
            }

            fn try_prepare_step_run(&self, info: &StepRunInfo) -> Result<(), HookError> {
                T::try_prepare_step_run(self, info)
            }

            fn try_cleanup_step_run(
                &self,
                info: &StepRunInfo,
                step_failed: bool,
            ) -> Result<(), HookError> {
                T::try_cleanup_step_run(self, info, step_failed)
            }
        }
    )*};
}

forward_run_metadata!(&T, &mut T, Box<T>, std::rc::Rc<T>, std::sync::Arc<T>);

/// A component that may be absent: `None` reports nothing.
impl<T: RunMetadata> RunMetadata for Option<T> {
    fn pipeline_run_metadata(&self, run_id: Uuid) -> Metadata {
        self.as_ref()
            .map_or_else(Metadata::new, |c| c.pipeline_run_metadata(run_id))
    }

    fn step_run_metadata(&self, info: &StepRunInfo) -> Metadata {
        self.as_ref()
            .map_or_else(Metadata::new, |c| c.step_run_metadata(info))
    }

    fn try_pipeline_run_metadata(&self, run_id: Uuid) -> Result<Metadata, HookError> {
        self.as_ref().map_or_else(
            || Ok(Metadata::new()),
            |c| c.try_pipeline_run_metadata(run_id),
        )
    }

    fn try_step_run_metadata(&self, info: &StepRunInfo) -> Result<Metadata, HookError> {
        self.as_ref()
            .map_or_else(|| Ok(Metadata::new()), |c| c.try_step_run_metadata(info))
    }

    fn prepare_step_run(&self, info: &StepRunInfo) {
        if let Some(c) = self {
            c.prepare_step_run(info);
        }
    }

    fn cleanup_step_run(&self, info: &StepRunInfo, step_failed: bool) {
        if let Some(c) = self {
            c.cleanup_step_run(info, step_failed);
        }
    }

    fn try_prepare_step_run(&self, info: &StepRunInfo) -> Result<(), HookError> {
        self.as_ref()
            .map_or(Ok(()), |c| c.try_prepare_step_run(info))
    }

    fn try_cleanup_step_run(&self, info: &StepRunInfo, step_failed: bool) -> Result<(), HookError> {
        self.as_ref()
            .map_or(Ok(()), |c| c.try_cleanup_step_run(info, step_failed))
    }

    fn schema() -> Schema {
        Schema::optional_of(T::schema())
    }
}

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
    /// The step's settings, as ZenML's `info.config.settings`, each a JSON object: keyed by
    /// `"{component type}.{flavor}"` (`"experiment_tracker.wandb"`), or, as ZenML 0.98 also
    /// keys them, `"{component type}:{component name}"`. Called from ZenML through
    /// `run-metadata-python`, the component's own settings as ZenML resolves them (its config
    /// overlaid with the step's) are under `"{component type}.{flavor}"`. Read them typed with
    /// [`settings`](Self::settings).
    pub settings: serde_json::Map<String, serde_json::Value>,
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
        }
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

/// Why a hook reported nothing: a source it reads failed. ZenML drops the component's whole
/// result for that hook, field keys included, and so does this crate; the stack reports the
/// failure (run report, store, `run-metadata show`).
///
/// `?` turns the errors a source meets into one: text (`String`, `&str`), a boxed error, I/O
/// and JSON errors.
///
/// ```
/// use run_metadata::HookError;
///
/// let e = HookError::new("no active MLflow run");
/// assert_eq!(e.to_string(), "no active MLflow run");
///
/// // An SDK that fails with text, a file read and a rule of its own, in one source.
/// fn active_run(sdk: Result<String, String>, config: &str) -> Result<String, HookError> {
///     let run = sdk?;
///     let config = std::fs::read_to_string(config)?;
///     if config.is_empty() {
///         return Err("an empty MLflow configuration".into());
///     }
///     Ok(run)
/// }
/// let e = active_run(Err("not logged in".into()), "mlflow.json").unwrap_err();
/// assert_eq!(e.message(), "not logged in");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HookError {
    message: String,
}

impl HookError {
    /// A failure, told by `message`.
    pub fn new(message: impl fmt::Display) -> Self {
        Self {
            message: message.to_string(),
        }
    }

    /// What went wrong.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for HookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for HookError {}

impl From<String> for HookError {
    fn from(message: String) -> Self {
        Self { message }
    }
}

impl From<&str> for HookError {
    fn from(message: &str) -> Self {
        Self::new(message)
    }
}

impl From<Box<dyn std::error::Error + Send + Sync>> for HookError {
    fn from(error: Box<dyn std::error::Error + Send + Sync>) -> Self {
        Self::new(error)
    }
}

impl From<std::io::Error> for HookError {
    fn from(error: std::io::Error) -> Self {
        Self::new(error)
    }
}

impl From<serde_json::Error> for HookError {
    fn from(error: serde_json::Error) -> Self {
        Self::new(error)
    }
}

impl From<core::fmt::Error> for HookError {
    fn from(error: core::fmt::Error) -> Self {
        Self::new(error)
    }
}
