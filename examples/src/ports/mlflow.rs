//! `MLFlowExperimentTracker.get_step_run_metadata`:
//!
//! ```python
//! metadata = {METADATA_EXPERIMENT_TRACKER_URL: Uri(self.get_tracking_uri(as_plain_text=False))}
//! if run := mlflow.active_run():
//!     metadata["mlflow_run_id"] = run.info.run_id
//!     metadata["mlflow_experiment_id"] = run.info.experiment_id
//! return metadata
//! ```

use run_metadata::zenml::keys::METADATA_EXPERIMENT_TRACKER_URL;
use run_metadata::{RunMetadata, StepRunInfo};

use super::sdk::mlflow;

/// The tracker: its configured tracking URI (ZenML's local SQLite fallback is not ported).
#[derive(RunMetadata)]
#[metadata(step_with = Self::active_run)]
pub struct MlflowTracker {
    /// `config.tracking_uri`
    #[metadata(step, uri, rename = METADATA_EXPERIMENT_TRACKER_URL)]
    pub tracking_uri: String,
}

/// What the active run adds.
#[derive(RunMetadata)]
#[metadata(step)]
pub struct ActiveRun {
    #[metadata]
    mlflow_run_id: String,
    #[metadata]
    mlflow_experiment_id: String,
}

impl MlflowTracker {
    fn active_run(&self, _: &StepRunInfo) -> Option<ActiveRun> {
        mlflow::active_run().map(|run| ActiveRun {
            mlflow_run_id: run.run_id,
            mlflow_experiment_id: run.experiment_id,
        })
    }
}
