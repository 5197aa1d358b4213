//! Ports of ZenML 0.98.0's own metadata hooks, each beside the Python it reproduces: the same
//! keys, in the same order, with the same tags and the same values for the same inputs (a test
//! runs ZenML's hook in Python with the vendor SDK stubbed and compares).
//!
//! Each port is a derived struct: the component's configuration is its fields, what exists only
//! when the hook runs comes from a `*_with` source returning a derived struct, so `schema()`
//! names every key with its tag and whether it may be absent. A component with settings holds
//! its configured ones in a `#[metadata(settings)]` field, and its hooks read them resolved as
//! ZenML's `get_settings` resolves them (`info.settings_of(self)`). The vendor SDKs are stand-ins in
//! [`sdk`], holding what the real ones hold (the active run, the environment).
//!
//! | port | ZenML | hook |
//! |---|---|---|
//! | [`mlflow::MlflowTracker`] | `MLFlowExperimentTracker` | step |
//! | [`wandb::WandbTracker`] | `WandbExperimentTracker` | step |
//! | [`comet::CometTracker`] | `CometExperimentTracker` | step |
//! | [`vertex::VertexOrchestrator`] | `VertexOrchestrator` | pipeline |
//! | [`azureml::AzureMlOrchestrator`] | `AzureMLOrchestrator` | pipeline |
//! | [`modal::ModalOrchestrator`] | `ModalOrchestrator` | pipeline |
//! | [`kubeflow::KubeflowOrchestrator`] | `KubeflowOrchestrator` | pipeline (reads the run's settings) |

pub mod azureml;
pub mod comet;
pub mod kubeflow;
pub mod mlflow;
pub mod modal;
pub mod sdk;
pub mod vertex;
pub mod wandb;

/// Python's `a or b` on optional strings: the first that is set and not empty.
pub fn or(a: Option<String>, b: Option<String>) -> Option<String> {
    a.filter(|s| !s.is_empty()).or(b.filter(|s| !s.is_empty()))
}

/// Python's `f"{x}"` of an optional string: `None` reads `None`.
pub fn py(x: Option<&str>) -> &str {
    x.unwrap_or("None")
}
