//! The main job: a three-step pipeline (load, train, evaluate) run on a stack of an
//! orchestrator, an MLflow-like experiment tracker that only `train` uses, and an artifact
//! store, all with derived metadata. The run is recorded in the embedded store, then printed as
//! `run-metadata show latest` prints it.
//!
//! Run with `cargo run --example quickstart`. The store is `$RUN_METADATA_STORE`, else the
//! default location (see `run_metadata::store::Store::default_path`).

use std::io::{self, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use run_metadata::stack::{Component, ComponentKind, Stack, StepSpec};
use run_metadata::store::Store;
use run_metadata::{Metadata, RunMetadata, StepRunInfo, StorageSize, Uri, metadata};
use uuid::Uuid;

/// Runs pipelines on a cluster; links each run to its page in the console.
#[derive(RunMetadata)]
#[metadata(pipeline_with = console_link)]
struct Orchestrator {
    #[metadata(pipeline, uri, rename = "orchestrator_console")]
    console: String,
    #[metadata(step, rename = "node_pool")]
    pool: String,
    /// For the cluster's API; never reported, as it carries no `#[metadata]`.
    #[allow(dead_code)]
    api_token: String,
}

fn console_link(o: &Orchestrator, run_id: Uuid) -> Metadata {
    metadata! { "orchestrator_url" => Uri::new(format!("{}/runs/{run_id}", o.console)) }
}

/// An MLflow-like tracker: the tracking URI on the run; on each step that uses it, the id of
/// the tracker run that step opened.
#[derive(RunMetadata)]
#[metadata(step_with = active_run)]
struct ExperimentTracker {
    #[metadata(pipeline, uri, rename = "mlflow_tracking_uri")]
    tracking_uri: String,
    #[metadata(step, rename = "mlflow_experiment_id")]
    experiment: String,
    /// The tracker run a step has open, as `mlflow.active_run()` would give it.
    active: Arc<Mutex<Option<String>>>,
}

fn active_run(t: &ExperimentTracker, _: &StepRunInfo) -> Metadata {
    match &*t.active.lock().unwrap_or_else(|e| e.into_inner()) {
        Some(run_id) => metadata! { "mlflow_run_id" => run_id.clone() },
        None => Metadata::new(),
    }
}

/// Stores artifacts: where, in which format, and how much the last step wrote.
#[derive(RunMetadata)]
struct ArtifactStore {
    #[metadata(pipeline, path)]
    root: String,
    #[metadata(pipeline, dtype)]
    tensor_dtype: &'static str,
    #[metadata(step, with = bytes, rename = "bytes_written")]
    written: Arc<AtomicU64>,
}

fn bytes(written: &Arc<AtomicU64>) -> StorageSize {
    StorageSize::new(written.load(Ordering::Relaxed))
}

fn main() -> io::Result<()> {
    let store_path = match Store::default_path() {
        Ok(path) => path,
        Err(e) => {
            eprintln!("quickstart: {e}");
            std::process::exit(1);
        }
    };
    let mut out = io::stdout().lock();
    run(&mut out, &store_path)?;
    writeln!(out)?;
    writeln!(out, "recorded in {}", store_path.display())?;
    writeln!(
        out,
        "see it again with: cargo run -p run-metadata-cli -- show latest"
    )
}

/// Runs the pipeline into the store at `store_path` and prints the run.
pub fn run(out: &mut dyn Write, store_path: &Path) -> io::Result<()> {
    let fail = |e: &dyn std::fmt::Display| io::Error::other(e.to_string());
    let mut store = Store::open(store_path).map_err(|e| fail(&e))?;
    let active_tracker_run = Arc::new(Mutex::new(None));
    let written = Arc::new(AtomicU64::new(0));
    let tracker = ExperimentTracker {
        tracking_uri: "http://127.0.0.1:5000".into(),
        experiment: "7".into(),
        active: Arc::clone(&active_tracker_run),
    };
    let stack = Stack::new("local-gpu")
        .with(Component::new(
            ComponentKind::Orchestrator,
            "cluster",
            Orchestrator {
                console: "https://console.example".into(),
                pool: "gpu-a100".into(),
                api_token: "never reported".into(),
            },
        ))
        .with(Component::new(
            ComponentKind::ExperimentTracker,
            "mlflow",
            tracker,
        ))
        .with(Component::new(
            ComponentKind::ArtifactStore,
            "artifacts",
            ArtifactStore {
                root: "/mnt/artifacts".into(),
                tensor_dtype: "float32",
                written: Arc::clone(&written),
            },
        ));

    let mut pipeline = stack.start_run(&mut store, "training", "training-quickstart");
    let rows: Result<Vec<f32>, String> = pipeline.step(&StepSpec::new("load"), || {
        let rows: Vec<f32> = (0..250_000u32).map(|i| (i % 1000) as f32).collect();
        written.store((rows.len() * size_of::<f32>()) as u64, Ordering::Relaxed);
        Ok(rows)
    });
    let rows = rows.map_err(|e| fail(&e))?;
    let mean: Result<f32, String> = pipeline.step(
        &StepSpec::new("train").with_experiment_tracker("mlflow"),
        || {
            // The step opens a tracker run; the tracker's step hook reads it afterwards.
            *active_tracker_run.lock().unwrap_or_else(|e| e.into_inner()) =
                Some("3f9c2a7e51d84b0c9e6a1f2d3c4b5a69".to_owned());
            written.store(4 * 1024, Ordering::Relaxed);
            Ok(rows.iter().sum::<f32>() / rows.len() as f32)
        },
    );
    let mean = mean.map_err(|e| fail(&e))?;
    let _accuracy: Result<f32, String> = pipeline.step(&StepSpec::new("evaluate"), || {
        written.store(512, Ordering::Relaxed);
        Ok((mean / 1000.0).min(1.0))
    });
    let run_id = pipeline.record().id;
    let report = pipeline.finish();
    for failure in &report.failures {
        writeln!(out, "warning: {failure}")?;
    }

    let record = store.find_run(&run_id.to_string()).map_err(|e| fail(&e))?;
    run_metadata_cli::write_run(out, &store, &record, false).map_err(|e| fail(&e))
}
