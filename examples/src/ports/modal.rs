//! `ModalOrchestrator.get_pipeline_run_metadata`: the run id from the environment, and the
//! Modal app's name if it is set.

use run_metadata::zenml::keys::METADATA_ORCHESTRATOR_RUN_ID;
use run_metadata::{HookError, RunMetadata};
use uuid::Uuid;

use super::sdk::Env;

/// The orchestrator's environment.
#[derive(RunMetadata)]
#[metadata(pipeline_with = Self::run)]
pub struct ModalOrchestrator {
    /// Where it runs.
    pub env: Env,
}

/// What the hook reports.
#[derive(RunMetadata)]
#[metadata(pipeline)]
pub struct ModalRun {
    #[metadata(rename = METADATA_ORCHESTRATOR_RUN_ID)]
    run_id: String,
    #[metadata]
    modal_app_name: Option<String>,
}

impl ModalOrchestrator {
    fn run(&self, _: Uuid) -> Result<ModalRun, HookError> {
        let run_id = self.env.first(
            &["ZENML_MODAL_RUN_ID"],
            "Unable to get Modal orchestrator run ID from the ZENML_MODAL_RUN_ID environment variable.",
        )?;
        let modal_app_name = self
            .env
            .get("ZENML_MODAL_APP_NAME")
            .filter(|n| !n.is_empty());
        Ok(ModalRun {
            run_id,
            modal_app_name,
        })
    }
}
