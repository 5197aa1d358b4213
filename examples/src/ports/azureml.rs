//! `AzureMLOrchestrator.get_pipeline_run_metadata`: the run id, and the job's Studio URL when
//! the service gives one. Any failure gives no metadata at all, and is not a failure of the
//! hook: ZenML catches it, logs a warning and returns `{}`.

use run_metadata::RunMetadata;
use run_metadata::zenml::keys::{METADATA_ORCHESTRATOR_RUN_ID, METADATA_ORCHESTRATOR_URL};
use uuid::Uuid;

use super::or;
use super::sdk::{Env, azureml};

/// The orchestrator's environment.
#[derive(RunMetadata)]
#[metadata(pipeline_with = Self::job)]
pub struct AzureMlOrchestrator {
    /// Where it runs.
    pub env: Env,
}

/// What the hook reports.
#[derive(RunMetadata)]
#[metadata(pipeline)]
pub struct AzureMlJob {
    #[metadata(rename = METADATA_ORCHESTRATOR_RUN_ID)]
    run_id: String,
    #[metadata(uri, rename = METADATA_ORCHESTRATOR_URL)]
    url: Option<String>,
}

impl AzureMlOrchestrator {
    fn job(&self, _: Uuid) -> Option<AzureMlJob> {
        let names = ["AZUREML_ROOT_RUN_ID", "AZUREML_RUN_ID", "AZUREML_JOB_ID"];
        let run_id = names.iter().find_map(|n| self.env.get(n))?;
        let job = azureml::get_job(&run_id).ok()?;
        Some(AzureMlJob {
            url: or(job.studio_url, job.studio_endpoint),
            run_id,
        })
    }
}
