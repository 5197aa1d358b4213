//! `VertexOrchestrator.get_pipeline_run_metadata`: the run id from the environment, and the
//! run's page in the Vertex console (a pipeline job, or a custom job for dynamic pipelines).

use run_metadata::zenml::keys::{METADATA_ORCHESTRATOR_RUN_ID, METADATA_ORCHESTRATOR_URL};
use run_metadata::{HookError, RunMetadata};
use uuid::Uuid;

use super::sdk::Env;

/// `ENV_ZENML_VERTEX_RUN_ID`
const ENV_ZENML_VERTEX_RUN_ID: &str = "ZENML_VERTEX_RUN_ID";

/// The orchestrator's configuration and environment.
#[derive(RunMetadata)]
#[metadata(pipeline_with = Self::run)]
pub struct VertexOrchestrator {
    /// `config.location`
    pub location: String,
    /// `config.project`
    pub project: Option<String>,
    /// Where it runs.
    pub env: Env,
}

/// What the hook reports.
#[derive(RunMetadata)]
#[metadata(pipeline)]
pub struct VertexRun {
    #[metadata(rename = METADATA_ORCHESTRATOR_RUN_ID)]
    run_id: String,
    #[metadata(uri, rename = METADATA_ORCHESTRATOR_URL)]
    url: String,
}

impl VertexOrchestrator {
    fn run(&self, _: Uuid) -> Result<VertexRun, HookError> {
        let run_id = self.env.first(
            &[ENV_ZENML_VERTEX_RUN_ID, "CLOUD_ML_JOB_ID"],
            "Unable to get orchestrator run id from environment.",
        )?;
        let kind = if self.env.get(ENV_ZENML_VERTEX_RUN_ID).is_some() {
            "pipelines/runs"
        } else {
            "training"
        };
        let mut url = format!(
            "https://console.cloud.google.com/vertex-ai/locations/{}/{kind}/{run_id}",
            self.location
        );
        if let Some(project) = self.project.as_deref().filter(|p| !p.is_empty()) {
            url += &format!("?project={project}");
        }
        Ok(VertexRun { run_id, url })
    }
}
