//! Two ZenML stack components whose run metadata is derived in Rust, for ZenML's own runtime to
//! call through `python/rust_components/flavors.py`:
//!
//! - [`Tracker`], an experiment tracker. The pipeline run gets the tracking server's address;
//!   each step that uses the tracker gets the run it opened for that step (`prepare_step_run`),
//!   named by its settings (the config's, updated by the step's, as ZenML's `get_settings`
//!   resolves them), with a link to it as `experiment_tracker_url`.
//! - [`Runner`], an orchestrator that runs steps as ZenML's local one does. The pipeline run
//!   gets a link to the run, its working folder, its memory limit and the seed it derived.
//!
//! Each is built from its ZenML component's config, whose fields its `Deserialize` reads.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

use pyo3::prelude::*;
use run_metadata::{HookError, RunMetadata, StepRunInfo};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The experiment tracker.
#[derive(RunMetadata, Deserialize)]
#[metadata(
    step_with = Tracker::active_run,
    prepare_step_run = Tracker::start_run,
    cleanup_step_run = Tracker::end_run
)]
pub struct Tracker {
    /// The tracking server, linked from the pipeline run.
    #[metadata(pipeline, uri)]
    tracking_uri: String,
    /// The experiment every run goes into.
    #[metadata(pipeline, step)]
    experiment: String,
    /// The configured settings: ZenML's config class extends the settings class, so they are
    /// read from the same config.
    #[metadata(settings)]
    #[serde(flatten)]
    settings: TrackerSettings,
    /// The run opened for each step, by step run id, while the step runs.
    #[serde(skip)]
    runs: Mutex<HashMap<Uuid, String>>,
}

/// The tracker's settings (`RustTrackerSettings` in the flavor).
#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
pub struct TrackerSettings {
    /// The tracker run's name: `{pipeline}`, `{step}` and `{run}` are replaced.
    pub run_name: Option<String>,
    /// Tags for the tracker run.
    pub tags: BTreeSet<String>,
}

/// What the tracker reports for a step: known only while its run is open.
#[derive(RunMetadata)]
struct TrackedRun {
    /// The tracker's page of this run.
    #[metadata(step, uri)]
    experiment_tracker_url: String,
    #[metadata(step)]
    tracker_run_id: String,
    #[metadata(step)]
    tracker_run_name: String,
    #[metadata(step)]
    tags: BTreeSet<String>,
}

impl Tracker {
    fn start_run(&self, info: &StepRunInfo) {
        let run_id = format!("{:032x}", info.step_run_id.as_u128() ^ 0x5eed);
        self.runs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(info.step_run_id, run_id);
    }

    fn end_run(&self, info: &StepRunInfo, _step_failed: bool) {
        self.runs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&info.step_run_id);
    }

    /// The run open for this step, named as its settings say.
    fn active_run(&self, info: &StepRunInfo) -> Result<TrackedRun, HookError> {
        let settings = info.settings_of(self)?;
        let run_id = (self.runs.lock().unwrap_or_else(|e| e.into_inner()))
            .get(&info.step_run_id)
            .cloned()
            .ok_or_else(|| {
                HookError::new(format!(
                    "no tracker run is open for step {}",
                    info.pipeline_step_name
                ))
            })?;
        let template = settings.run_name.as_deref().unwrap_or("{pipeline}-{step}");
        Ok(TrackedRun {
            experiment_tracker_url: format!(
                "{}/#/experiments/{}/runs/{run_id}",
                self.tracking_uri.trim_end_matches('/'),
                self.experiment
            ),
            tracker_run_id: run_id,
            tracker_run_name: render(template, info)?,
            tags: settings.tags,
        })
    }
}

/// `template` with `{pipeline}`, `{step}` and `{run}` replaced; any other `{…}` is an error.
fn render(template: &str, info: &StepRunInfo) -> Result<String, HookError> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..]
            .find('}')
            .ok_or_else(|| HookError::new(format!("run_name {template:?}: unclosed `{{`")))?;
        out.push_str(match &rest[open + 1..open + close] {
            "pipeline" => &info.pipeline_name,
            "step" => &info.pipeline_step_name,
            "run" => &info.run_name,
            other => {
                return Err(HookError::new(format!(
                    "run_name {template:?}: unknown placeholder {{{other}}} (use {{pipeline}}, {{step}} or {{run}})"
                )));
            }
        });
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The orchestrator: steps run in the calling process, as with ZenML's local orchestrator.
#[derive(RunMetadata, Deserialize)]
#[metadata(pipeline_with = Runner::run_links)]
pub struct Runner {
    /// Where each run's files go.
    #[metadata(pipeline, path)]
    work_dir: String,
    /// The memory each step may use, in bytes.
    #[metadata(pipeline, storage_size)]
    memory_limit: u64,
    /// The float type steps compute in.
    #[metadata(pipeline, dtype)]
    compute_dtype: String,
    /// The runner's version, as (major, minor, patch).
    #[metadata(pipeline)]
    version: (u32, u32, u32),
    /// Where the dashboard lives, for the run's link; not reported itself.
    dashboard_url: String,
}

/// What the runner reports for a run it started.
#[derive(RunMetadata)]
struct RunLinks {
    #[metadata(pipeline, uri)]
    orchestrator_url: String,
    /// The seed every step of the run derives its randomness from: the run id's 128 bits.
    #[metadata(pipeline)]
    run_seed: u128,
}

impl Runner {
    fn run_links(&self, run_id: Uuid) -> RunLinks {
        RunLinks {
            orchestrator_url: format!("{}/runs/{run_id}", self.dashboard_url.trim_end_matches('/')),
            run_seed: run_id.as_u128(),
        }
    }
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    run_metadata_python::add_component::<Tracker>(m, "Tracker")?;
    run_metadata_python::add_component::<Runner>(m, "Runner")
}
