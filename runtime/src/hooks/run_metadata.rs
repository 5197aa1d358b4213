//! The `RunMetadata` trait.

use uuid::Uuid;

use crate::hooks::error::HookError;
use crate::hooks::run_info::{PipelineRunInfo, StepRunInfo};
use crate::hooks::schema::Schema;
use crate::map::metadata::Metadata;

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
///
/// What the stack calls, and what the derive writes for it:
///
/// - the hooks through their fallible forms, [`try_pipeline_run_metadata_for`] (told the run:
///   its settings, and which component it runs for) and [`try_step_run_metadata`]; an `Err` drops
///   the component's metadata for that hook, as ZenML drops a hook that raises;
/// - the lifecycle, [`try_prepare_step_run`] (an `Err` fails the step before its body) and
///   [`try_cleanup_step_run`] (an `Err` fails the step after its hooks), as ZenML's step runner;
/// - settings: a component that implements [`ComponentSettings`](crate::ComponentSettings)
///   (`#[metadata(settings)]`) reads its own, resolved as ZenML's `get_settings` resolves them,
///   with [`StepRunInfo::settings_of`] and [`PipelineRunInfo::settings_of`];
/// - [`schema`](Self::schema): every key with its tag, whether it may be absent and with which
///   keys it comes (all or none), and whether each hook may fail.
///
/// The derive's documentation shows each: [`derive@RunMetadata`](crate::RunMetadata).
///
/// [`try_pipeline_run_metadata_for`]: Self::try_pipeline_run_metadata_for
/// [`try_step_run_metadata`]: Self::try_step_run_metadata
/// [`try_prepare_step_run`]: Self::try_prepare_step_run
/// [`try_cleanup_step_run`]: Self::try_cleanup_step_run
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
