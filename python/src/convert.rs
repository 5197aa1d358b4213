//! Between this crate's values and the Python objects ZenML holds: a [`Metadata`] becomes the
//! dict a component's hook returns, and ZenML's `StepRunInfo` becomes a [`StepRunInfo`].

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyDict, PyFloat, PyFrozenSet, PyInt, PyList, PySet, PyString, PyTuple, PyType,
};
use run_metadata::{
    ComponentKind, ComponentRef, Integer, MAX_DEPTH, Metadata, MetadataValue, PipelineRunInfo,
    StepRunInfo,
};
use uuid::Uuid;

use crate::bridge;

/// The dict a ZenML component's `get_pipeline_run_metadata` / `get_step_run_metadata` returns
/// for `metadata`: keys in order, each value as [`to_python`] makes it. If a value held a NaN or
/// an infinity, the logger `run_metadata` warns, naming the keys.
///
/// # Errors
///
/// As [`to_python`], naming the key; `HookFailed` for a value that nests deeper than
/// [`MAX_DEPTH`], before anything is converted.
pub fn metadata_to_python<'py>(
    py: Python<'py>,
    metadata: &Metadata,
) -> PyResult<Bound<'py, PyDict>> {
    if let Some((key, _)) = metadata
        .iter()
        .find(|(_, v)| v.nests_deeper_than(MAX_DEPTH))
    {
        return Err(crate::HookFailed::new_err(format!(
            "metadata key {key:?} nests deeper than {MAX_DEPTH} levels, more than ZenML's \
             store and this crate read back: the component's metadata for this hook is dropped"
        )));
    }
    let dict = PyDict::new(py);
    let mut non_finite = Vec::new();
    for (key, value) in metadata {
        let mut words = false;
        let value = convert(py, value, false, &mut words).map_err(|e| context(py, e, key))?;
        dict.set_item(key, value)?;
        if words {
            non_finite.push(key);
        }
    }
    if !non_finite.is_empty() {
        let keys = PyList::new(py, non_finite)?;
        bridge::call(py, "warn_non_finite", (keys,))?;
    }
    Ok(dict)
}

/// The Python value ZenML would hold for `value`, so that ZenML's own `get_metadata_type` gives
/// its tag back: `str`, `int` (exact at any size), `float`, `bool`, `list`, `tuple`, `set`,
/// `dict` (in order), and `zenml.metadata.metadata_types`'s `Uri`, `Path`, `DType` and
/// `StorageSize`.
///
/// Two values have no such form, and are given the nearest one that keeps them whole:
///
/// - a NaN or an infinity becomes the string `"NaN"`, `"Infinity"` or `"-Infinity"`, as this
///   crate writes it to ZenML (a `str` to ZenML's client, which cannot send a non-finite float:
///   it would fail the step's or the run's publish);
/// - inside a set, a list becomes a tuple and a set a `frozenset`, which Python can hash; ZenML
///   sends both as the same JSON array.
///
/// # Errors
///
/// `ImportError` if `zenml` cannot be imported (for the four special types); `TypeError` for a
/// set holding a dict, or elements Python holds equal (`1` and `true`, `1` and `1.0`), which no
/// Python set can keep apart.
pub fn to_python<'py>(py: Python<'py>, value: &MetadataValue) -> PyResult<Bound<'py, PyAny>> {
    convert(py, value, false, &mut false)
}

/// [`to_python`]; `hashable` inside a set; `words` set when a non-finite float became a word.
fn convert<'py>(
    py: Python<'py>,
    value: &MetadataValue,
    hashable: bool,
    words: &mut bool,
) -> PyResult<Bound<'py, PyAny>> {
    let mut items = |items: &[MetadataValue], hashable: bool| -> PyResult<Vec<Bound<'py, PyAny>>> {
        items
            .iter()
            .map(|v| convert(py, v, hashable, words))
            .collect()
    };
    Ok(match value {
        MetadataValue::Str(s) => PyString::new(py, s).into_any(),
        MetadataValue::Int(i) => integer(py, *i)?,
        MetadataValue::Float(f) if f.is_finite() => PyFloat::new(py, *f).into_any(),
        MetadataValue::Float(f) => {
            *words = true;
            let word = if f.is_nan() {
                "NaN"
            } else if f.is_sign_positive() {
                "Infinity"
            } else {
                "-Infinity"
            };
            PyString::new(py, word).into_any()
        }
        MetadataValue::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        MetadataValue::List(list) if hashable => PyTuple::new(py, items(list, true)?)?.into_any(),
        MetadataValue::List(list) => PyList::new(py, items(list, false)?)?.into_any(),
        MetadataValue::Tuple(tuple) => PyTuple::new(py, items(tuple, hashable)?)?.into_any(),
        MetadataValue::Set(set) => {
            let elements = items(set, true)?;
            let python = if hashable {
                PyFrozenSet::new(py, &elements)?.into_any()
            } else {
                PySet::new(py, &elements)?.into_any()
            };
            if python.len()? != elements.len() {
                return Err(PyTypeError::new_err(format!(
                    "a set whose elements Python holds equal (such as 1 and true, or 1 and 1.0) \
                     has no Python form: {}",
                    PyList::new(py, elements)?.repr()?
                )));
            }
            python
        }
        MetadataValue::Dict(_) if hashable => {
            return Err(PyTypeError::new_err(
                "a set holding a dict has no Python form: dicts cannot be hashed",
            ));
        }
        MetadataValue::Dict(entries) => {
            let dict = PyDict::new(py);
            for (key, value) in entries {
                let value = convert(py, value, false, words).map_err(|e| context(py, e, key))?;
                dict.set_item(key, value)?;
            }
            dict.into_any()
        }
        MetadataValue::Uri(uri) => special(py, &URI, "Uri")?.call1((uri.as_str(),))?,
        MetadataValue::Path(path) => special(py, &PATH, "Path")?.call1((path.as_str(),))?,
        MetadataValue::DType(dtype) => special(py, &DTYPE, "DType")?.call1((dtype.as_str(),))?,
        MetadataValue::StorageSize(size) => {
            special(py, &STORAGE_SIZE, "StorageSize")?.call1((size.bytes(),))?
        }
        other => {
            return Err(PyTypeError::new_err(format!(
                "no Python form for {:?} values yet",
                other.metadata_type()
            )));
        }
    })
}

/// An integer of any size, exactly: through `i64`/`u64` when it fits, else through its digits.
fn integer(py: Python<'_>, i: Integer) -> PyResult<Bound<'_, PyAny>> {
    if let Some(small) = i.as_i64() {
        return Ok(small.into_pyobject(py)?.into_any());
    }
    if let Some(unsigned) = i.as_u64() {
        return Ok(unsigned.into_pyobject(py)?.into_any());
    }
    py.get_type::<PyInt>().call1((i.to_string(),))
}

static URI: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static PATH: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static DTYPE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static STORAGE_SIZE: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// ZenML's class `name` from `zenml.metadata.metadata_types`, imported once.
fn special<'py>(
    py: Python<'py>,
    cell: &'static PyOnceLock<Py<PyType>>,
    name: &str,
) -> PyResult<&'py Bound<'py, PyType>> {
    cell.import(py, "zenml.metadata.metadata_types", name)
}

/// `e`, of the same type, saying which key it happened under.
fn context(py: Python<'_>, e: PyErr, key: &str) -> PyErr {
    let new = PyErr::from_type(e.get_type(py), format!("metadata key {key:?}: {e}"));
    new.set_cause(py, Some(e));
    new
}

/// ZenML's `StepRunInfo` (or any object with its attributes) as a [`StepRunInfo`]: the ids,
/// `run_name`, `pipeline_step_name`, `pipeline.name`, and each of `config.settings` as the JSON
/// of its pydantic model (`model_dump(mode="json")`), keyed as ZenML keys them; with the
/// `component` whose hook this is named in [`StepRunInfo::component`], so that
/// [`StepRunInfo::settings_of`] resolves its settings as its `get_settings(info)` would.
///
/// # Errors
///
/// `AttributeError` if an attribute is missing, `ValueError` if an id is not a UUID, the
/// settings do not encode as JSON, or the component's type is not one ZenML has.
pub fn step_run_info(
    info: &Bound<'_, PyAny>,
    component: Option<&Bound<'_, PyAny>>,
) -> PyResult<StepRunInfo> {
    let uuid = |name: &str| -> PyResult<Uuid> {
        let text = info.getattr(name)?.str()?.to_string();
        Uuid::parse_str(&text)
            .map_err(|e| PyValueError::new_err(format!("info.{name} = {text:?}: {e}")))
    };
    let run_name: String = info.getattr("run_name")?.extract()?;
    let step: String = info.getattr("pipeline_step_name")?.extract()?;
    let mut out = StepRunInfo::new(uuid("run_id")?, uuid("step_run_id")?, run_name, step);
    let pipeline = info.getattr("pipeline")?;
    if !pipeline.is_none() {
        out = out.with_pipeline_name(pipeline.getattr("name")?.extract::<String>()?);
    }
    let settings: String = bridge::call(info.py(), "settings_json", (info,))?.extract()?;
    out.settings = settings_map(&settings, "info.config.settings")?;
    if let Some(component) = component {
        out.component = component_ref(component)?;
    }
    Ok(out)
}

/// The run `run_id` as a pipeline hook is told it: with the `component` whose hook this is,
/// and, if that component has a settings class, the run's settings as ZenML's
/// `Client().get_pipeline_run(run_id).config.settings` gives them (what its `get_settings(run)`
/// reads; ZenML's own orchestrators fetch the run the same way).
///
/// # Errors
///
/// As [`step_run_info`], and whatever fetching the run raises.
pub fn pipeline_run_info(
    py: Python<'_>,
    run_id: Uuid,
    component: Option<&Bound<'_, PyAny>>,
) -> PyResult<PipelineRunInfo> {
    let mut out = PipelineRunInfo::new(run_id);
    if let Some(component) = component {
        let settings: String =
            bridge::call(py, "run_settings_json", (run_id.to_string(), component))?.extract()?;
        out.settings = settings_map(&settings, "run.config.settings")?;
        out.component = component_ref(component)?;
    }
    Ok(out)
}

fn settings_map(json: &str, what: &str) -> PyResult<serde_json::Map<String, serde_json::Value>> {
    serde_json::from_str(json).map_err(|e| PyValueError::new_err(format!("{what}: {e}")))
}

/// A ZenML component's type, name and flavor; `None` for an object that has none of them.
fn component_ref(component: &Bound<'_, PyAny>) -> PyResult<Option<ComponentRef>> {
    let named: Option<(String, String, String)> =
        bridge::call(component.py(), "component_ref", (component,))?.extract()?;
    named
        .map(|(kind, name, flavor)| {
            let kind = ComponentKind::from_name(&kind).ok_or_else(|| {
                PyValueError::new_err(format!("{kind:?} is not a ZenML stack component type"))
            })?;
            Ok(ComponentRef::new(kind, name, flavor))
        })
        .transpose()
}
