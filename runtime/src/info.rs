//! The `RunMetadata` trait, and why a hook may report nothing.

use core::fmt;

use uuid::Uuid;

use crate::metadata::Metadata;
use crate::run_info::{PipelineRunInfo, StepRunInfo};
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

    /// The pipeline hook told the whole run: its settings, and the component whose hook it is
    /// ([`PipelineRunInfo`]). The stack and the Python bridge call this one; by default it is
    /// [`try_pipeline_run_metadata`](Self::try_pipeline_run_metadata) of the run's id. The
    /// derive implements it when the type has hook-time sources, which may take the
    /// `&PipelineRunInfo` instead of the run's id.
    ///
    /// # Errors
    ///
    /// As [`try_pipeline_run_metadata`](Self::try_pipeline_run_metadata).
    fn try_pipeline_run_metadata_for(&self, run: &PipelineRunInfo) -> Result<Metadata, HookError> {
        self.try_pipeline_run_metadata(run.run_id)
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

            fn try_pipeline_run_metadata_for(
                &self,
                run: &PipelineRunInfo,
            ) -> Result<Metadata, HookError> {
                T::try_pipeline_run_metadata_for(self, run)
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

    fn try_pipeline_run_metadata_for(&self, run: &PipelineRunInfo) -> Result<Metadata, HookError> {
        self.as_ref().map_or_else(
            || Ok(Metadata::new()),
            |c| c.try_pipeline_run_metadata_for(run),
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
