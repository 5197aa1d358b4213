//! ZenML 0.98.0's standard run metadata keys (`zenml.constants`), by ZenML's names: the keys
//! ZenML's own components report, which its dashboard knows.
//!
//! A derived field takes one with `rename`; the compiler checks it like a key written as a
//! string.
//!
//! ```
//! use run_metadata::zenml::keys::METADATA_EXPERIMENT_TRACKER_URL;
//! use run_metadata::{RunMetadata, StepRunInfo};
//! use uuid::Uuid;
//!
//! #[derive(RunMetadata)]
//! struct Tracker {
//!     #[metadata(step, uri, rename = METADATA_EXPERIMENT_TRACKER_URL)]
//!     run_url: String,
//! }
//!
//! let t = Tracker { run_url: "http://mlflow:5000/#/experiments/1/runs/3f9c".into() };
//! let m = t.step_run_metadata(&StepRunInfo::new(Uuid::nil(), Uuid::nil(), "run", "train"));
//! assert!(m.contains_key("experiment_tracker_url"));
//! ```

/// `METADATA_ORCHESTRATOR_URL`: the run in the orchestrator's UI.
pub const METADATA_ORCHESTRATOR_URL: &str = "orchestrator_url";
/// `METADATA_ORCHESTRATOR_LOGS_URL`: the run's logs in the orchestrator's UI.
pub const METADATA_ORCHESTRATOR_LOGS_URL: &str = "orchestrator_logs_url";
/// `METADATA_ORCHESTRATOR_RUN_ID`: the orchestrator's own id of the run.
pub const METADATA_ORCHESTRATOR_RUN_ID: &str = "orchestrator_run_id";
/// `METADATA_EXPERIMENT_TRACKER_URL`: the step's run in the experiment tracker's UI.
pub const METADATA_EXPERIMENT_TRACKER_URL: &str = "experiment_tracker_url";
/// `METADATA_DEPLOYED_MODEL_URL`: where a deployed model answers.
pub const METADATA_DEPLOYED_MODEL_URL: &str = "deployed_model_url";
