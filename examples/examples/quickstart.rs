//! The main job: a three-step pipeline (load, train, evaluate) run on a stack of an
//! orchestrator, an MLflow-like experiment tracker that only `train` uses, and an artifact
//! store, all with derived metadata. The run is recorded in the embedded store, then printed as
//! `run-metadata show latest` prints it.
//!
//! Run with `cargo run --example quickstart`. The store is `$RUN_METADATA_STORE`, else the
//! default location (see `run_metadata::store::Store::default_path`).
//!
//! With `-- --zenml` (or ZenML's variables `ZENML_STORE_URL`, ...), the run is also registered
//! on a ZenML server and its metadata published there, as ZenML's own client would send it.

use std::io::{self, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use run_metadata::sink::Sink;
use run_metadata::stack::{Component, ComponentKind, RunReport, Stack, StepSpec};
use run_metadata::store::Store;
use run_metadata::zenml::keys::{METADATA_EXPERIMENT_TRACKER_URL, METADATA_ORCHESTRATOR_URL};
use run_metadata::zenml::{Auth, Client, Config, PlannedStep, ZenmlSink};
use run_metadata::{RunMetadata, StepRunInfo, StorageSize};
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

/// The run's page in the console, known once the run has its id.
#[derive(RunMetadata)]
#[metadata(pipeline)]
struct ConsoleLink {
    #[metadata(uri, rename = METADATA_ORCHESTRATOR_URL)]
    url: String,
}

fn console_link(o: &Orchestrator, run_id: Uuid) -> ConsoleLink {
    ConsoleLink {
        url: format!("{}/runs/{run_id}", o.console),
    }
}

/// An MLflow-like tracker, as ZenML 0.98.0's reports: on each step that uses it, the tracking
/// URI as `experiment_tracker_url` and the id of the tracker run that step opened.
#[derive(RunMetadata)]
#[metadata(step_with = active_run)]
struct ExperimentTracker {
    #[metadata(step, uri, rename = METADATA_EXPERIMENT_TRACKER_URL)]
    tracking_uri: String,
    #[metadata(step, rename = "mlflow_experiment_id")]
    experiment: String,
    /// The tracker run a step has open, as `mlflow.active_run()` would give it.
    active: Arc<Mutex<Option<String>>>,
}

/// The tracker run a step has open.
#[derive(RunMetadata)]
#[metadata(step)]
struct ActiveRun {
    #[metadata]
    mlflow_run_id: String,
}

fn active_run(t: &ExperimentTracker, _: &StepRunInfo) -> Option<ActiveRun> {
    let run = t.active.lock().unwrap_or_else(|e| e.into_inner()).clone()?;
    Some(ActiveRun { mlflow_run_id: run })
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

/// The steps, in order; ZenML's snapshot of a run lists them up front.
const STEPS: [&str; 3] = ["load", "train", "evaluate"];

fn main() -> std::process::ExitCode {
    match main_result() {
        Ok(true) => std::process::ExitCode::SUCCESS,
        // What did not reach the server was said, and is kept or refused.
        Ok(false) => std::process::ExitCode::FAILURE,
        Err(e) => {
            eprintln!("quickstart: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Runs the quickstart; whether everything reached where it was going.
fn main_result() -> Result<bool, Box<dyn std::error::Error>> {
    let zenml = std::env::args().skip(1).any(|a| a == "--zenml");
    let store_path = Store::default_path()?;
    let mut out = io::stdout().lock();
    let delivered = if zenml || std::env::var_os("ZENML_STORE_URL").is_some() {
        run_on_zenml(&mut out, &store_path, zenml_config()?)?
    } else {
        run(&mut out, &store_path)?;
        true
    };
    writeln!(out)?;
    writeln!(out, "recorded in {}", store_path.display())?;
    writeln!(
        out,
        "see it again with: cargo run -p run-metadata-cli -- show latest"
    )?;
    Ok(delivered)
}

/// The server ZenML's own client would use (its variables, else its login); else, for this
/// example, the local server `scripts/zenml-server.sh start` runs, as its `default` user.
fn zenml_config() -> Result<Config, run_metadata::zenml::ZenmlError> {
    Config::discover().or_else(|not_configured| {
        let port_file =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/zenml-server/server.port");
        let port = std::fs::read_to_string(port_file).map_err(|_| not_configured)?;
        Ok(Config::new(
            format!("http://127.0.0.1:{}", port.trim()),
            Auth::Password {
                username: "default".into(),
                password: String::new().into(),
            },
        ))
    })
}

/// The stack, and the state its components share with the steps (an open tracker run, the
/// bytes a step wrote), as a pipeline's real components would.
struct Pipeline {
    stack: Stack,
    active_tracker_run: Arc<Mutex<Option<String>>>,
    written: Arc<AtomicU64>,
}

impl Pipeline {
    fn new() -> Self {
        let active_tracker_run = Arc::new(Mutex::new(None));
        let written = Arc::new(AtomicU64::new(0));
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
                ExperimentTracker {
                    tracking_uri: "http://127.0.0.1:5000".into(),
                    experiment: "7".into(),
                    active: Arc::clone(&active_tracker_run),
                },
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
        Self {
            stack,
            active_tracker_run,
            written,
        }
    }

    /// Runs the three steps into `sink`; returns the run's id and what went wrong on the side.
    /// Runs the pipeline into `sink`: the run's id, its report, how long the run took up to its
    /// end, and how long its end took (a ZenML sink waits there for delivery).
    fn run(&self, sink: impl Sink) -> io::Result<(Uuid, RunReport, Duration, Duration)> {
        let fail = |e: String| io::Error::other(e);
        let started = Instant::now();
        // Named as ZenML names runs, from its start: every run has a name of its own.
        let mut pipeline = self.stack.start_run_named_by_time(sink, "training");
        let rows: Result<Vec<f32>, String> = pipeline.step(&StepSpec::new(STEPS[0]), || {
            let rows: Vec<f32> = (0..250_000u32)
                .map(|i| f32::from((i % 1000) as u16))
                .collect();
            self.written
                .store((rows.len() * size_of::<f32>()) as u64, Ordering::Relaxed);
            Ok(rows)
        });
        let rows = rows.map_err(fail)?;
        let mean: Result<f32, String> = pipeline.step(
            &StepSpec::new(STEPS[1]).with_experiment_tracker("mlflow"),
            || {
                // The step opens a tracker run; the tracker's step hook reads it afterwards.
                *self
                    .active_tracker_run
                    .lock()
                    .unwrap_or_else(|e| e.into_inner()) =
                    Some("3f9c2a7e51d84b0c9e6a1f2d3c4b5a69".to_owned());
                self.written.store(4 * 1024, Ordering::Relaxed);
                Ok(rows.iter().sum::<f32>() / rows.len() as f32)
            },
        );
        let mean = mean.map_err(fail)?;
        let _accuracy: Result<f32, String> = pipeline.step(&StepSpec::new(STEPS[2]), || {
            self.written.store(512, Ordering::Relaxed);
            Ok((mean / 1000.0).min(1.0))
        });
        let run_id = pipeline.record().id;
        let ran = started.elapsed();
        let report = pipeline.finish();
        Ok((run_id, report, ran, started.elapsed() - ran))
    }
}

fn print(out: &mut dyn Write, store: &Store, run_id: Uuid, report: &RunReport) -> io::Result<()> {
    for failure in &report.failures {
        writeln!(out, "warning: {failure}")?;
    }
    let record = store
        .find_run(&run_id.to_string())
        .map_err(|e| io::Error::other(e.to_string()))?;
    run_metadata_cli::write_run(out, store, &record, false)
        .map_err(|e| io::Error::other(e.to_string()))
}

/// Runs the pipeline into the store at `store_path` and prints the run.
pub fn run(out: &mut dyn Write, store_path: &Path) -> io::Result<()> {
    let mut store = Store::open(store_path).map_err(|e| io::Error::other(e.to_string()))?;
    let (run_id, report, ..) = Pipeline::new().run(&mut store)?;
    print(out, &store, run_id, &report)
}

/// As [`run`], also publishing to the ZenML server of `config`; says what reached the server,
/// what is kept for `run-metadata sync` and what was refused. Whether everything was delivered.
pub fn run_on_zenml(out: &mut dyn Write, store_path: &Path, config: Config) -> io::Result<bool> {
    let url = config.url().to_owned();
    // Not connected yet: a server that is away now does not stop the run, which is recorded
    // and kept for later.
    let client = Client::new(config);
    let store = Store::open(store_path).map_err(|e| io::Error::other(e.to_string()))?;
    let plan = [
        PlannedStep::new(STEPS[0]),
        PlannedStep::new(STEPS[1]).after([STEPS[0]]),
        PlannedStep::new(STEPS[2]).after([STEPS[1]]),
    ];
    let pipeline = Pipeline::new();
    // The run on its own stack, registered with its components, and the steps as a chain.
    let mut sink = ZenmlSink::new(client, store)
        .map_err(|e| io::Error::other(e.to_string()))?
        .with_steps(plan)
        .with_stack(&pipeline.stack);
    let (run_id, report, ran, delivering) = pipeline.run(&mut sink)?;
    // The server's id, if it registered the run after the run began.
    let run_id = sink
        .id_now(run_id)
        .map_err(|e| io::Error::other(e.to_string()))?;
    print(out, sink.store(), run_id, &report)?;
    let kept = sink.kept().map_err(|e| io::Error::other(e.to_string()))?;
    let published: usize = sink.reports().len();
    writeln!(out)?;
    // Delivery runs beside the run: the steps never wait for the server; the end of the run
    // waits for what is still being sent (RUN_METADATA_DELIVERY_TIMEOUT, 30 s by default).
    writeln!(
        out,
        "the run took {} ms; delivery to the ZenML server finished {} ms after it",
        ran.as_millis(),
        delivering.as_millis()
    )?;
    if kept.total() == 0 && kept.refused == 0 && report.failures.is_empty() {
        writeln!(
            out,
            "published to the ZenML server at {url}: run {run_id} (pipeline `training`), {published} metadata; open its dashboard to see it"
        )?;
        return Ok(true);
    }
    let mut line = format!(
        "the ZenML server at {url} took {published} metadata of this run; {} warnings above",
        report.failures.len()
    );
    if kept.total() > 0 {
        line += &format!(
            "; {} kept in the outbox ({} runs, {} steps, {} metadata, {} statuses): send them \
             with `cargo run -p run-metadata-cli -- sync`",
            kept.total(),
            kept.runs,
            kept.steps,
            kept.metadata,
            kept.statuses
        );
    }
    if kept.refused > 0 {
        line += &format!(
            "; {} refused by the server, parked with the reason: `cargo run -p run-metadata-cli -- sync` lists them",
            kept.refused
        );
    }
    writeln!(out, "{line}")?;
    Ok(false)
}
