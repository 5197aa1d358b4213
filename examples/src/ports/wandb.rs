//! `WandbExperimentTracker.get_step_run_metadata`: the current run's attributes, else the
//! component's configuration and the step's settings, else defaults; `None`s are left out.

use run_metadata::zenml::keys::METADATA_EXPERIMENT_TRACKER_URL;
use run_metadata::{HookError, RunMetadata, StepRunInfo};
use serde::{Deserialize, Serialize};

use super::sdk::wandb;
use super::{or, py};

/// The tracker's configuration.
#[derive(RunMetadata)]
#[metadata(step_with = Self::run_metadata)]
#[derive(Deserialize)]
pub struct WandbTracker {
    /// `config.entity`
    pub entity: Option<String>,
    /// `config.project_name`
    pub project_name: Option<String>,
    /// The configured settings: ZenML's config extends its settings, so they are read from
    /// the same fields.
    #[metadata(settings)]
    #[serde(flatten)]
    pub settings: WandbSettings,
}

/// `WandbExperimentTrackerSettings`, the fields the hook reads.
#[derive(Serialize, Deserialize)]
pub struct WandbSettings {
    /// `run_name`
    #[serde(default)]
    pub run_name: Option<String>,
    /// `enable_zenml_metadata`
    #[serde(default = "yes")]
    pub enable_zenml_metadata: bool,
    /// `group`
    #[serde(default)]
    pub group: Option<String>,
    /// `job_type`
    #[serde(default)]
    pub job_type: Option<String>,
}

fn yes() -> bool {
    true
}

/// What the hook reports.
#[derive(RunMetadata)]
#[metadata(step)]
pub struct WandbRun {
    #[metadata(uri, rename = METADATA_EXPERIMENT_TRACKER_URL)]
    url: String,
    #[metadata]
    wandb_run_name: String,
    #[metadata]
    wandb_run_id: Option<String>,
    #[metadata]
    wandb_run_path: Option<String>,
    #[metadata]
    wandb_project: Option<String>,
    #[metadata]
    wandb_entity: Option<String>,
    #[metadata]
    wandb_group: Option<String>,
    #[metadata]
    wandb_job_type: Option<String>,
    #[metadata]
    wandb_url: String,
}

impl WandbTracker {
    fn run_metadata(&self, info: &StepRunInfo) -> Result<WandbRun, HookError> {
        let run = wandb::run().unwrap_or_default();
        let default_url = format!(
            "https://wandb.ai/{}/{}/runs/",
            py(self.entity.as_deref()),
            py(self.project_name.as_deref())
        );
        let url = or(run.url, Some(default_url)).unwrap_or_default();
        let s = info.settings_of(self)?;
        let default_name = format!("{}_{}", info.run_name, info.pipeline_step_name);
        let default_group = s.enable_zenml_metadata.then(|| info.run_name.clone());
        Ok(WandbRun {
            wandb_run_name: or(or(run.name, s.run_name), Some(default_name)).unwrap_or_default(),
            wandb_run_id: run.id,
            wandb_run_path: run.path,
            wandb_project: or(run.project, self.project_name.clone()),
            wandb_entity: or(run.entity, self.entity.clone()),
            wandb_group: or(or(run.group, s.group), default_group),
            wandb_job_type: or(run.job_type, s.job_type),
            wandb_url: url.clone(),
            url,
        })
    }
}
