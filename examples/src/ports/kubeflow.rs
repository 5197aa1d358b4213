//! `KubeflowOrchestrator.get_pipeline_run_metadata`: the Kubeflow UI's address, with the run's
//! page in the user's namespace when the run's settings name one. ZenML's hook fetches the run
//! to read its settings; here the run's settings come with the hook
//! ([`PipelineRunInfo::settings_of`]).

use run_metadata::zenml::keys::METADATA_ORCHESTRATOR_URL;
use run_metadata::{HookError, PipelineRunInfo, RunMetadata};
use serde::{Deserialize, Serialize};

use super::sdk::Env;

/// `ENV_KFP_RUN_ID`
const ENV_KFP_RUN_ID: &str = "KFP_RUN_ID";

/// The orchestrator's configuration and environment.
#[derive(RunMetadata, Deserialize)]
#[metadata(pipeline_with = Self::ui)]
pub struct KubeflowOrchestrator {
    /// `config.kubeflow_hostname`
    #[serde(default)]
    pub kubeflow_hostname: Option<String>,
    /// The configured settings (ZenML's config extends its settings).
    #[metadata(settings)]
    #[serde(flatten)]
    pub settings: KubeflowSettings,
    /// Where it runs.
    #[serde(skip)]
    pub env: Env,
}

/// `KubeflowOrchestratorSettings`, the field the hook reads.
#[derive(Serialize, Deserialize)]
pub struct KubeflowSettings {
    /// `user_namespace`
    #[serde(default)]
    pub user_namespace: Option<String>,
}

/// What the hook reports.
#[derive(RunMetadata)]
#[metadata(pipeline)]
pub struct KubeflowUi {
    #[metadata(uri, rename = METADATA_ORCHESTRATOR_URL)]
    url: String,
}

impl KubeflowOrchestrator {
    fn ui(&self, run: &PipelineRunInfo) -> Result<Option<KubeflowUi>, HookError> {
        let Some(hostname) = self.kubeflow_hostname.as_deref().filter(|h| !h.is_empty()) else {
            return Ok(None);
        };
        let hostname = hostname.trim_end_matches('/');
        let hostname = hostname.strip_suffix("/pipeline").unwrap_or(hostname);
        let settings = run.settings_of(self)?;
        let url = match settings.user_namespace.filter(|n| !n.is_empty()) {
            Some(namespace) => {
                let run_id = self.env.first(
                    &[ENV_KFP_RUN_ID],
                    "Unable to read run id from environment variable KFP_RUN_ID.",
                )?;
                format!("{hostname}/_/pipeline/?ns={namespace}#/runs/details/{run_id}")
            }
            None => hostname.to_owned(),
        };
        Ok(Some(KubeflowUi { url }))
    }
}
