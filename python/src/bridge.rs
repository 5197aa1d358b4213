//! The Python half of the bridge (`bridge.py`): the `RustMetadata` mixin, and the helpers that
//! read ZenML's pydantic models as JSON. Compiled once per interpreter.

use pyo3::call::PyCallArgs;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyModule;

static BRIDGE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// The bridge module, compiled on first use.
pub(crate) fn module(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    BRIDGE
        .get_or_try_init(py, || {
            let module = PyModule::from_code(
                py,
                pyo3::ffi::c_str!(include_str!("bridge.py")),
                c"run_metadata_python/bridge.py",
                c"run_metadata_python_bridge",
            )?;
            Ok(module.unbind())
        })
        .map(|m| m.bind(py))
}

/// Calls the bridge's function `name` with `args` (a tuple).
pub(crate) fn call<'py>(
    py: Python<'py>,
    name: &str,
    args: impl PyCallArgs<'py>,
) -> PyResult<Bound<'py, PyAny>> {
    module(py)?.getattr(name)?.call1(args)
}
