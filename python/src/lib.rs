//! Expose a `#[derive(RunMetadata)]` struct to ZenML's Python runtime as a stack component's
//! metadata hooks: ZenML's own orchestrator calls them at its own moments, and publishes what
//! they return as a Python component's.
//!
//! The Rust side is a [pyo3] extension module that names each component:
//!
//! ```no_run
//! use pyo3::prelude::*;
//! use run_metadata::RunMetadata;
//! use serde::Deserialize;
//!
//! /// Built from the ZenML component's config, as its fields name them.
//! #[derive(RunMetadata, Deserialize)]
//! struct Tracker {
//!     #[metadata(pipeline, uri)]
//!     tracking_uri: String,
//! }
//!
//! #[pymodule]
//! fn my_components(m: &Bound<'_, PyModule>) -> PyResult<()> {
//!     run_metadata_python::add_component::<Tracker>(m, "Tracker")
//! }
//! ```
//!
//! and the ZenML flavor is a few lines of Python, with the `RustMetadata` mixin the module now
//! holds first among the component's bases:
//!
//! ```python
//! from my_components import RustMetadata, Tracker
//!
//! class MyTracker(RustMetadata, BaseExperimentTracker):
//!     rust_component = Tracker
//! ```
//!
//! A metadata hook that returns an error or panics raises `HookFailed` (a `RuntimeError`): ZenML
//! logs it and drops that component's metadata for that hook, as it does for a Python
//! component's, and the interpreter goes on. An `Err` or a panic in `prepare_step_run` or
//! `cleanup_step_run` raises it too, and there ZenML fails the step, as for any component. The
//! hooks run with the GIL released.
//!
//! Two values have no Python form ZenML can send as they are, and are given the nearest one that
//! keeps them whole (see [`to_python`]): a NaN or an infinity becomes its word, with a warning on
//! the `run_metadata` logger; inside a set, a list becomes a tuple and a set a `frozenset`.

mod bridge;
mod convert;

use std::ffi::CString;
use std::panic::catch_unwind;

use pyo3::create_exception;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyCFunction, PyDict, PyTuple};
use run_metadata::{CallFailure, HookError, Metadata, RunMetadata, call_hook, panic_message};
use serde::de::DeserializeOwned;
use uuid::Uuid;

pub use convert::{metadata_to_python, pipeline_run_info, step_run_info, to_python};

create_exception!(
    run_metadata,
    HookFailed,
    PyRuntimeError,
    "A Rust component's hook failed or panicked. ZenML logs it and drops that component's \
     metadata for that hook."
);

/// What [`Hooks`] calls: a [`RunMetadata`] type with its own type erased, as the Rust stack
/// holds its components.
type Component = dyn RunMetadata + Send + Sync;

/// One Rust component, built from its ZenML config: the hooks ZenML calls, with Python's
/// arguments and results. A config the struct cannot read is kept as the reason: each metadata
/// hook then fails with it (ZenML logs it and drops this component's metadata), and
/// `prepare_step_run`/`cleanup_step_run` fail the step only if the struct defines them.
#[pyclass(frozen, module = "run_metadata", name = "Hooks")]
pub struct Hooks {
    component: Result<Box<Component>, String>,
    type_name: &'static str,
    /// Whether the struct defines `prepare_step_run` / `cleanup_step_run` (its schema says).
    lifecycle: (bool, bool),
    /// Whether the struct's pipeline / step hook reports anything (its schema says): one that
    /// reports nothing is not failed by a config the struct cannot read.
    reports: (bool, bool),
}

impl Hooks {
    /// Runs `hook` without the GIL; an error or a panic becomes [`HookFailed`], naming the type
    /// and the hook.
    fn run<R: Send>(
        &self,
        py: Python<'_>,
        hook: &str,
        call: impl FnOnce(&Component) -> Result<R, HookError> + Send,
    ) -> PyResult<R> {
        let component = match &self.component {
            Ok(component) => &**component,
            Err(reason) => {
                return Err(HookFailed::new_err(format!(
                    "{} {hook} failed: {reason}",
                    self.type_name
                )));
            }
        };
        // The policy every caller of a hook follows: its `Err` or its panic is a failure.
        match py.detach(|| call_hook(|| call(component))) {
            Ok(out) => Ok(out),
            Err(CallFailure::Error(e)) => Err(HookFailed::new_err(format!(
                "{} {hook} failed: {e}",
                self.type_name
            ))),
            Err(CallFailure::Panicked(message)) => Err(HookFailed::new_err(format!(
                "{} {hook} panicked: {message}",
                self.type_name
            ))),
        }
    }

    /// As [`run`](Self::run), for a lifecycle function: one the struct does not define does
    /// nothing, even where the struct could not be built (its metadata hooks say why).
    fn run_lifecycle(
        &self,
        py: Python<'_>,
        hook: &str,
        defined: bool,
        call: impl FnOnce(&Component) -> Result<(), HookError> + Send,
    ) -> PyResult<()> {
        if !defined && self.component.is_err() {
            return Ok(());
        }
        self.run(py, hook, call)
    }
}

#[pymethods]
impl Hooks {
    /// ZenML's `get_pipeline_run_metadata(run_id)`, with the component whose settings to
    /// resolve (see [`pipeline_run_info`]).
    #[pyo3(signature = (run_id, component = None))]
    fn pipeline_run_metadata<'py>(
        &self,
        py: Python<'py>,
        run_id: &Bound<'py, PyAny>,
        component: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let text = run_id.str()?.to_string();
        let run_id = Uuid::parse_str(&text)
            .map_err(|e| PyValueError::new_err(format!("run_id {text:?}: {e}")))?;
        // Before the run's settings are fetched: a hook that reports nothing needs none.
        if self.component.is_err() && !self.reports.0 {
            return Ok(PyDict::new(py));
        }
        let run = pipeline_run_info(py, run_id, component)?;
        let metadata = self.run(py, "pipeline_run_metadata", |c| {
            c.try_pipeline_run_metadata_for(&run)
        })?;
        metadata_to_python(py, &metadata)
    }

    /// ZenML's `get_step_run_metadata(info)`, with ZenML's `StepRunInfo` and the component
    /// whose settings to resolve (see [`step_run_info`]).
    #[pyo3(signature = (info, component = None))]
    fn step_run_metadata<'py>(
        &self,
        py: Python<'py>,
        info: &Bound<'py, PyAny>,
        component: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        if self.component.is_err() && !self.reports.1 {
            return Ok(PyDict::new(py));
        }
        let info = step_run_info(info, component)?;
        let metadata = self.run(py, "step_run_metadata", |c| c.try_step_run_metadata(&info))?;
        metadata_to_python(py, &metadata)
    }

    /// ZenML's `prepare_step_run(info)`.
    #[pyo3(signature = (info, component = None))]
    fn prepare_step_run(
        &self,
        py: Python<'_>,
        info: &Bound<'_, PyAny>,
        component: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let info = step_run_info(info, component)?;
        self.run_lifecycle(py, "prepare_step_run", self.lifecycle.0, |c| {
            c.try_prepare_step_run(&info)
        })
    }

    /// ZenML's `cleanup_step_run(info, step_failed)`.
    #[pyo3(signature = (info, step_failed, component = None))]
    fn cleanup_step_run(
        &self,
        py: Python<'_>,
        info: &Bound<'_, PyAny>,
        step_failed: bool,
        component: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let info = step_run_info(info, component)?;
        self.run_lifecycle(py, "cleanup_step_run", self.lifecycle.1, |c| {
            c.try_cleanup_step_run(&info, step_failed)
        })
    }

    fn __repr__(&self) -> String {
        format!("<run_metadata.Hooks of {}>", self.type_name)
    }
}

/// Adds to `module` a constructor `name(config)` that builds a `T` from a ZenML component's
/// config (its pydantic model, a dict, or JSON text, read with `T`'s `Deserialize`) and returns
/// its [`Hooks`]; and, once per module, the `RustMetadata` mixin, the `Hooks` class, the
/// `HookFailed` exception and [`values_from_wire`].
///
/// # Errors
///
/// If `name` holds a NUL byte, or Python cannot add to the module.
pub fn add_component<T>(module: &Bound<'_, PyModule>, name: &str) -> PyResult<()>
where
    T: RunMetadata + DeserializeOwned + Send + Sync + 'static,
{
    let py = module.py();
    if !module.hasattr("RustMetadata")? {
        module.add("RustMetadata", bridge::module(py)?.getattr("RustMetadata")?)?;
        module.add_class::<Hooks>()?;
        module.add("HookFailed", py.get_type::<HookFailed>())?;
        module.add_function(wrap_pyfunction!(values_from_wire, module)?)?;
    }
    // The function's name must outlive it, and the module lives as long as the interpreter.
    let c_name = CString::new(name)
        .map_err(|_| PyValueError::new_err(format!("component name {name:?} holds a NUL")))?;
    let c_name: &'static std::ffi::CStr = Box::leak(c_name.into_boxed_c_str());
    let type_name = std::any::type_name::<T>();
    let schema = T::schema();
    let lifecycle = (schema.prepares_step_run, schema.cleans_up_step_run);
    let reports = (!schema.pipeline.is_empty(), !schema.step.is_empty());
    let build =
        move |args: &Bound<'_, PyTuple>, _: Option<&Bound<'_, PyDict>>| -> PyResult<Hooks> {
            let py = args.py();
            let (config,): (Bound<'_, PyAny>,) = args.extract()?;
            let component = build::<T>(py, &config).map(|c| Box::new(c) as Box<Component>);
            Ok(Hooks {
                component,
                type_name,
                lifecycle,
                reports,
            })
        };
    let function = PyCFunction::new_closure(py, Some(c_name), None, build)?;
    module.add(name, function)
}

/// A `T` from a ZenML component's config, or why not: the config's JSON cannot be made, does not
/// read as `T`, or `T`'s `Deserialize` panicked (an error, never an abort).
fn build<T: DeserializeOwned>(py: Python<'_>, config: &Bound<'_, PyAny>) -> Result<T, String> {
    let type_name = std::any::type_name::<T>();
    let json: String = bridge::call(py, "config_json", (config,))
        .and_then(|json| json.extract())
        .map_err(|e| format!("its config cannot be read: {e}"))?;
    match catch_unwind(|| serde_json::from_str(&json)) {
        Ok(Ok(component)) => Ok(component),
        Ok(Err(e)) => Err(format!("its config does not read as {type_name}: {e}")),
        Err(panic) => Err(format!(
            "reading its config as {type_name} panicked: {}",
            panic_message(panic)
        )),
    }
}

/// The Python values ZenML holds for metadata as it travels (`values` and `types` JSON, as in
/// ZenML's run-metadata request), read through this crate's own decoder: what a Rust hook that
/// reported that metadata returns to ZenML.
#[pyfunction]
pub fn values_from_wire<'py>(
    py: Python<'py>,
    values: &str,
    types: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let metadata =
        Metadata::from_json(values, types).map_err(|e| PyValueError::new_err(e.to_string()))?;
    metadata_to_python(py, &metadata)
}
