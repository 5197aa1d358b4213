//! Hook-time sources: what a `pipeline_with` / `step_with` function may return.
//!
//! A real component reports values that exist only when its hook runs (the tracker's active
//! run, an id the orchestrator put in the environment) and that may be missing or fail to
//! come. ZenML drops a component's whole result for a hook when that hook raises, and logs it;
//! [`HookError`](crate::HookError) is that failure here, and [`HookOutput`] says which return types declare their
//! keys, which may be absent, and which may fail.

use core::fmt;

use crate::hooks::error::HookError;
use crate::hooks::run_info::{PipelineRunInfo, StepRunInfo};
use crate::hooks::run_metadata::RunMetadata;
use crate::hooks::schema::Schema;
use crate::map::metadata::Metadata;

/// What a hook-time source (`#[metadata(pipeline_with = f)]`, `#[metadata(step_with = f)]`) may
/// return:
///
/// - a type that derives [`RunMetadata`]: its keys, tags and optional flags are declared, and
///   [`RunMetadata::schema`] lists them (so that the derive checks, when it is compiled, that the
///   source reports something for its hook and no key a field also reports);
/// - an `Option` of one: `None` reports nothing, and every key is optional;
/// - [`Metadata`]: keys known only at run time (the schema says `dynamic`);
/// - a `Result` of any of these whose error is `Display`: an `Err` drops the component's whole
///   metadata for that hook, as ZenML drops a hook that raises.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not what a hook-time source returns",
    label = "this function returns `{Self}`",
    note = "return a type that derives `RunMetadata` (its keys are then declared), an `Option` of one, `run_metadata::Metadata` (keys known only at run time), or a `Result` of any of these whose error implements `Display`"
)]
pub trait HookOutput {
    /// The metadata for the pipeline hook of `run`.
    ///
    /// # Errors
    ///
    /// The source's failure.
    fn pipeline_output(self, run: &PipelineRunInfo) -> Result<Metadata, HookError>;

    /// The metadata for the step hook.
    ///
    /// # Errors
    ///
    /// The source's failure.
    fn step_output(self, info: &StepRunInfo) -> Result<Metadata, HookError>;

    /// The keys it reports; `source` names the function, for keys known only at run time.
    fn output_schema(source: &'static str) -> Schema;

    /// The keys it reports per hook (pipeline, step), where they are all known when it is
    /// compiled: the derive's compile-time checks of sources read them.
    #[doc(hidden)]
    const KEYS: [Option<&'static [&'static str]>; 2];
}

#[diagnostic::do_not_recommend]
impl<T: RunMetadata + Declared> HookOutput for T {
    const KEYS: [Option<&'static [&'static str]>; 2] = <T as Declared>::KEYS;

    #[inline]
    fn pipeline_output(self, run: &PipelineRunInfo) -> Result<Metadata, HookError> {
        self.try_pipeline_run_metadata_for(run)
    }

    #[inline]
    fn step_output(self, info: &StepRunInfo) -> Result<Metadata, HookError> {
        self.try_step_run_metadata(info)
    }

    fn output_schema(_: &'static str) -> Schema {
        T::schema()
    }
}

impl HookOutput for Metadata {
    const KEYS: [Option<&'static [&'static str]>; 2] = [None, None];

    #[inline]
    fn pipeline_output(self, _: &PipelineRunInfo) -> Result<Metadata, HookError> {
        Ok(self)
    }

    #[inline]
    fn step_output(self, _: &StepRunInfo) -> Result<Metadata, HookError> {
        Ok(self)
    }

    fn output_schema(source: &'static str) -> Schema {
        Schema::unknown(source)
    }
}

impl<T: HookOutput, E: fmt::Display> HookOutput for Result<T, E> {
    const KEYS: [Option<&'static [&'static str]>; 2] = T::KEYS;

    #[inline]
    fn pipeline_output(self, run: &PipelineRunInfo) -> Result<Metadata, HookError> {
        self.map_err(HookError::new)?.pipeline_output(run)
    }

    #[inline]
    fn step_output(self, info: &StepRunInfo) -> Result<Metadata, HookError> {
        self.map_err(HookError::new)?.step_output(info)
    }

    fn output_schema(source: &'static str) -> Schema {
        let mut schema = T::output_schema(source);
        schema.pipeline_fallible = true;
        schema.step_fallible = true;
        schema
    }
}

/// The keys a derived type reports for each hook (pipeline, step), where the derive knows them
/// all: `Some(keys)` (maybe empty: that hook reports nothing); `None` where the hook also
/// reports what a flattened value or a hook-time source gives.
pub trait Declared {
    /// Per hook: pipeline, step.
    const KEYS: [Option<&'static [&'static str]>; 2];
}

impl<T: Declared> Declared for Option<T> {
    const KEYS: [Option<&'static [&'static str]>; 2] = T::KEYS;
}

impl<T: Declared + ?Sized> Declared for Box<T> {
    const KEYS: [Option<&'static [&'static str]>; 2] = T::KEYS;
}

impl<T: Declared + ?Sized> Declared for std::rc::Rc<T> {
    const KEYS: [Option<&'static [&'static str]>; 2] = T::KEYS;
}

impl<T: Declared + ?Sized> Declared for std::sync::Arc<T> {
    const KEYS: [Option<&'static [&'static str]>; 2] = T::KEYS;
}
