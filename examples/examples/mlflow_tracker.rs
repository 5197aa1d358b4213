//! ZenML 0.98.0's MLflow experiment tracker, with the metadata derived instead of written out.
//! Each step that uses the tracker gets:
//!
//! - `experiment_tracker_url`, the tracking URI cast to a `Uri` so the dashboard links it (the
//!   older page on custom component metadata put it on the pipeline run as
//!   `mlflow_tracking_uri`; ZenML 0.98.0 reports it on each step, and nothing on the run);
//! - `mlflow_run_id` and `mlflow_experiment_id` of the MLflow run active when the hook is
//!   called, hence `step_with`; none when no run is active.
//!
//! Run with `cargo run --example mlflow_tracker`.

use std::io::{self, Write};
use std::sync::Mutex;

use run_metadata::zenml::keys::METADATA_EXPERIMENT_TRACKER_URL;
use run_metadata::{Metadata, RunMetadata, StepRunInfo};
use uuid::Uuid;

/// What `mlflow.active_run().info` holds.
#[derive(Clone)]
struct MlflowRunInfo {
    run_id: String,
    experiment_id: String,
}

/// A stand-in for the MLflow client: the run it has open, if any.
#[derive(Default)]
struct MlflowClient {
    active_run: Mutex<Option<MlflowRunInfo>>,
}

impl MlflowClient {
    fn start_run(&self, experiment_id: &str, step: &str) {
        let run = MlflowRunInfo {
            run_id: format!("{:032x}", fxhash(step)),
            experiment_id: experiment_id.to_owned(),
        };
        *self.active_run.lock().unwrap_or_else(|e| e.into_inner()) = Some(run);
    }

    fn active_run(&self) -> Option<MlflowRunInfo> {
        self.active_run
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// A deterministic id for the example's output.
fn fxhash(text: &str) -> u128 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325_u128, |h, b| {
        (h ^ u128::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// The tracker component: only the tracking URI is a field worth reporting; the client is not.
#[derive(RunMetadata)]
#[metadata(step_with = Self::active_run)]
struct MlflowExperimentTracker {
    #[metadata(step, uri, rename = METADATA_EXPERIMENT_TRACKER_URL)]
    tracking_uri: String,
    client: MlflowClient,
}

/// What exists only when the step hook runs: the active MLflow run's ids. Declared as a type,
/// so that `schema()` lists its keys (both together, or neither) instead of `dynamic`.
#[derive(RunMetadata)]
#[metadata(step)]
struct ActiveRun {
    #[metadata]
    mlflow_run_id: String,
    #[metadata]
    mlflow_experiment_id: String,
}

impl MlflowExperimentTracker {
    /// `mlflow.active_run().info.run_id` and `.experiment_id`, read when the step hook runs.
    fn active_run(&self, _: &StepRunInfo) -> Option<ActiveRun> {
        let run = self.client.active_run()?;
        Some(ActiveRun {
            mlflow_run_id: run.run_id,
            mlflow_experiment_id: run.experiment_id,
        })
    }
}

fn print(out: &mut dyn Write, hook: &str, metadata: &Metadata) -> io::Result<()> {
    writeln!(out, "{hook}")?;
    writeln!(out, "  values: {}", metadata.to_json())?;
    writeln!(out, "  types:  {}", metadata.types_json())
}

fn main() -> io::Result<()> {
    run(&mut io::stdout().lock())
}

/// Writes what the example shows; the tests read it too.
pub fn run(out: &mut dyn Write) -> io::Result<()> {
    let tracker = MlflowExperimentTracker {
        tracking_uri: "http://127.0.0.1:5000".into(),
        client: MlflowClient::default(),
    };
    let run_id = Uuid::from_u128(0x5b1f_0a0e_2e3c_4c38_8e6c_1d2f_3a4b_5c6d);

    print(
        out,
        "get_pipeline_run_metadata",
        &tracker.pipeline_run_metadata(run_id),
    )?;

    // The step runs inside an MLflow run; the hook is called after it, while that run is active.
    tracker.client.start_run("7", "train");
    let info = StepRunInfo::new(run_id, Uuid::from_u128(1), "training-1", "train")
        .with_pipeline_name("training");
    print(
        out,
        "get_step_run_metadata (train)",
        &tracker.step_run_metadata(&info),
    )?;

    writeln!(out, "schema")?;
    for line in MlflowExperimentTracker::schema().to_string().lines() {
        writeln!(out, "  {line}")?;
    }
    Ok(())
}
