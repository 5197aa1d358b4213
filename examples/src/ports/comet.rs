//! `CometExperimentTracker.get_step_run_metadata`: the experiment's URL and name, else
//! defaults built from the configuration, the step's settings and the run.

use run_metadata::zenml::keys::METADATA_EXPERIMENT_TRACKER_URL;
use run_metadata::{HookError, RunMetadata, StepRunInfo};
use serde::{Deserialize, Serialize};

use super::sdk::comet;
use super::{or, py};

/// The tracker's configuration.
#[derive(RunMetadata)]
#[metadata(step_with = Self::experiment)]
#[derive(Deserialize)]
pub struct CometTracker {
    /// `config.workspace`
    pub workspace: Option<String>,
    /// `config.project_name`
    pub project_name: Option<String>,
    /// The configured settings (ZenML's config extends its settings).
    #[metadata(settings)]
    #[serde(flatten)]
    pub settings: CometSettings,
}

/// `CometExperimentTrackerSettings`, the field the hook reads.
#[derive(Serialize, Deserialize)]
pub struct CometSettings {
    /// `run_name`
    #[serde(default)]
    pub run_name: Option<String>,
}

/// What the hook reports.
#[derive(RunMetadata)]
#[metadata(step)]
pub struct Experiment {
    #[metadata(uri, rename = METADATA_EXPERIMENT_TRACKER_URL)]
    url: String,
    #[metadata]
    comet_experiment_name: String,
}

impl CometTracker {
    fn experiment(&self, info: &StepRunInfo) -> Result<Experiment, HookError> {
        let exp = comet::experiment().unwrap_or_default();
        let default_url = format!(
            "https://www.comet.com/{}/{}/experiments/",
            py(self.workspace.as_deref()),
            py(self.project_name.as_deref())
        );
        let s = info.settings_of(self)?;
        let default_name = format!("{}_{}", info.run_name, info.pipeline_step_name);
        Ok(Experiment {
            url: or(exp.url, Some(default_url)).unwrap_or_default(),
            comet_experiment_name: or(or(exp.name, s.run_name), Some(default_name))
                .unwrap_or_default(),
        })
    }
}
