//! Settings as ZenML resolves them: a component's configured settings, updated by a step's (or
//! a run's) under the component's keys. One function, [`resolve_settings`], for the Rust stack,
//! the Python bridge and any caller of a hook.

use core::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::hooks::component::ComponentKind;
use crate::hooks::error::HookError;

/// A component as ZenML's settings keys name it: its type, its name and its flavor.
///
/// ```
/// use run_metadata::{ComponentKind, ComponentRef};
///
/// let c = ComponentRef::new(ComponentKind::ExperimentTracker, "tracker", "wandb");
/// assert_eq!(c.settings_keys(), ["experiment_tracker:tracker", "experiment_tracker.wandb"]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ComponentRef {
    /// Its type.
    pub kind: ComponentKind,
    /// Its name.
    pub name: String,
    /// Its flavor.
    pub flavor: String,
}

impl ComponentRef {
    /// The flavor of a component that names none: the one this crate registers components
    /// with in ZenML.
    pub const DEFAULT_FLAVOR: &'static str = "rust";

    /// The component of `kind` named `name`, of flavor `flavor`.
    pub fn new(kind: ComponentKind, name: impl Into<String>, flavor: impl Into<String>) -> Self {
        Self {
            kind,
            name: name.into(),
            flavor: flavor.into(),
        }
    }

    /// The keys its settings are looked up under, in ZenML's order: `"{type}:{name}"`, then
    /// `"{type}.{flavor}"` (`settings_utils.get_stack_component_name_setting_key`, then
    /// `get_stack_component_setting_key`).
    #[must_use]
    pub fn settings_keys(&self) -> [String; 2] {
        [
            format!("{}:{}", self.kind, self.name),
            format!("{}.{}", self.kind, self.flavor),
        ]
    }
}

impl fmt::Display for ComponentRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} `{}` ({})", self.kind, self.name, self.flavor)
    }
}

/// A component with settings (ZenML's `settings_class`): what it was configured with, which
/// each step or run may update. `#[metadata(settings)]` on a field derives it: the field's type
/// is the settings type, its value the configured settings (ZenML's config extends its
/// settings; with serde, `#[serde(flatten)]` reads them from the same configuration).
///
/// Read them resolved with [`StepRunInfo::settings_of`](crate::StepRunInfo::settings_of) and
/// [`PipelineRunInfo::settings_of`](crate::PipelineRunInfo::settings_of).
#[diagnostic::on_unimplemented(
    message = "`{Self}` declares no settings",
    label = "`{Self}` does not implement `ComponentSettings`",
    note = "mark the field holding the component's configured settings `#[metadata(settings)]`"
)]
pub trait ComponentSettings {
    /// The settings: serialized as a JSON object (a struct or a map), so that a step's settings
    /// can update them field by field.
    type Settings: Serialize + DeserializeOwned;

    /// The settings the component was configured with.
    fn configured_settings(&self) -> &Self::Settings;
}

impl<T: ComponentSettings + ?Sized> ComponentSettings for &T {
    type Settings = T::Settings;

    fn configured_settings(&self) -> &Self::Settings {
        T::configured_settings(self)
    }
}

/// ZenML's `StackComponent.get_settings`: `configured` (as a JSON object), updated field by
/// field with the settings under the first of `component`'s keys that `settings` holds
/// (`"{type}:{name}"`, then `"{type}.{flavor}"`), read back as `T`.
///
/// With no component named, only settings that hold nothing resolve (to `configured`): which
/// of them would be this component's cannot be told.
///
/// ```
/// use run_metadata::{ComponentKind, ComponentRef, resolve_settings};
/// use serde_json::json;
///
/// let configured = json!({"user_namespace": null, "timeout": 1200});
/// let run = json!({"orchestrator.kubeflow": {"user_namespace": "team-a"}});
/// let kf = ComponentRef::new(ComponentKind::Orchestrator, "kf", "kubeflow");
/// let s: serde_json::Value =
///     resolve_settings(&configured, run.as_object().unwrap(), Some(&kf))?;
/// assert_eq!(s, json!({"user_namespace": "team-a", "timeout": 1200}));
/// # Ok::<(), run_metadata::HookError>(())
/// ```
///
/// # Errors
///
/// A [`HookError`] naming the component and the key: `configured` or the settings found are
/// not a JSON object, the result does not read as `T`, or settings are given with no
/// component named.
pub fn resolve_settings<T: Serialize + DeserializeOwned>(
    configured: &T,
    settings: &serde_json::Map<String, serde_json::Value>,
    component: Option<&ComponentRef>,
) -> Result<T, HookError> {
    let ty = core::any::type_name::<T>();
    let whose = component.map_or_else(|| "the component's".to_owned(), |c| format!("{c}'s"));
    let mut merged = match serde_json::to_value(configured) {
        Ok(serde_json::Value::Object(map)) => map,
        Ok(other) => {
            return Err(HookError::new(format!(
                "{whose} configured settings ({ty}) are {}, not a JSON object: settings are a \
                 struct or a map",
                json_kind(&other)
            )));
        }
        Err(e) => {
            return Err(HookError::new(format!(
                "{whose} configured settings ({ty}) do not serialize: {e}"
            )));
        }
    };
    let found = match component {
        Some(c) => c
            .settings_keys()
            .into_iter()
            .find_map(|key| settings.get(&key).map(|value| (key, value))),
        None if settings.is_empty() => None,
        None => {
            let keys: Vec<&str> = settings.keys().map(String::as_str).collect();
            return Err(HookError::new(format!(
                "settings {keys:?} are given, but no component is named whose they could be: \
                 the stack and the Python bridge name it; elsewhere, name it with \
                 `with_component`"
            )));
        }
    };
    let at = match found {
        Some((key, serde_json::Value::Object(update))) => {
            merged.extend(update.clone());
            format!(" under {key:?}")
        }
        Some((key, other)) => {
            return Err(HookError::new(format!(
                "{whose} settings under {key:?} are {}, not a JSON object",
                json_kind(other)
            )));
        }
        None => String::new(),
    };
    serde_json::from_value(serde_json::Value::Object(merged))
        .map_err(|e| HookError::new(format!("{whose} settings{at} do not read as {ty}: {e}")))
}

/// What a JSON value is, in words.
fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// A step's settings as ZenML's compiler makes them: the run's, updated key by key with the
/// step's, objects merged recursively, a step's `null` leaving the run's value
/// (`dict_utils.recursive_update(..., ignore_none=True)`).
pub(crate) fn step_settings(
    run: &serde_json::Map<String, serde_json::Value>,
    step: &serde_json::Map<String, serde_json::Value>,
) -> serde_json::Map<String, serde_json::Value> {
    let mut out = run.clone();
    recursive_update(&mut out, step);
    out
}

fn recursive_update(
    original: &mut serde_json::Map<String, serde_json::Value>,
    update: &serde_json::Map<String, serde_json::Value>,
) {
    for (key, value) in update {
        match value {
            serde_json::Value::Null => {}
            serde_json::Value::Object(inner) => match original.get_mut(key) {
                Some(serde_json::Value::Object(existing)) => recursive_update(existing, inner),
                // Python's `original.get(key) or {}`: a true value that is not a dict is
                // replaced as it is; a missing or false one by the update merged into `{}`.
                Some(existing) if truthy(existing) => {
                    *existing = value.clone();
                }
                _ => {
                    let mut fresh = serde_json::Map::new();
                    recursive_update(&mut fresh, inner);
                    original.insert(key.clone(), serde_json::Value::Object(fresh));
                }
            },
            other => {
                original.insert(key.clone(), other.clone());
            }
        }
    }
}

/// Python's truth of a JSON value.
fn truthy(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::Null => false,
        serde_json::Value::Bool(b) => *b,
        serde_json::Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        serde_json::Value::String(s) => !s.is_empty(),
        serde_json::Value::Array(a) => !a.is_empty(),
        serde_json::Value::Object(o) => !o.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::step_settings;

    /// ZenML's `dict_utils.recursive_update(run, step, ignore_none=True)`, case by case.
    #[test]
    fn step_settings_update_the_runs_as_zenml_merges_them() {
        let run = json!({
            "orchestrator:kf": {"ns": "a", "pod": {"cpu": 1, "mem": 2}, "flag": "on"},
            "experiment_tracker.wandb": {"tags": ["x"]},
            "resources": 0,
        });
        let step = json!({
            "orchestrator:kf": {"ns": null, "pod": {"cpu": 4, "gpu": null}, "flag": {"deep": null}},
            "resources": {"cpu": 2, "gpu": null},
            "step_operator.k8s": {"image": "i"},
        });
        let merged = step_settings(run.as_object().unwrap(), step.as_object().unwrap());
        assert_eq!(
            serde_json::Value::Object(merged),
            json!({
                // `None` keeps the run's value; dicts merge; a true non-dict is replaced by the
                // update as it is (nulls included), a false one by the update merged into `{}`.
                "orchestrator:kf": {"ns": "a", "pod": {"cpu": 4, "mem": 2}, "flag": {"deep": null}},
                "experiment_tracker.wandb": {"tags": ["x"]},
                "resources": {"cpu": 2},
                "step_operator.k8s": {"image": "i"},
            })
        );
    }
}
