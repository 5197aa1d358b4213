//! A stack of three components with derived run metadata, and what each reports to ZenML for a
//! run of a three-step pipeline, as ZenML's `values` and `types`.
//!
//! Run with `cargo run --example quickstart`.

use std::io::{self, Write};

use run_metadata::{Metadata, RunMetadata, StepRunInfo, metadata};
use uuid::Uuid;

/// Runs pipelines on a cluster; links each run to its console.
#[derive(RunMetadata)]
#[metadata(pipeline_with = console_link)]
struct Orchestrator {
    #[metadata(pipeline, uri, rename = "orchestrator_console")]
    console: String,
    #[metadata(step, rename = "node_pool")]
    pool: String,
    api_token: String,
}

fn console_link(o: &Orchestrator, run_id: Uuid) -> Metadata {
    metadata! { "orchestrator_url" => run_metadata::Uri::new(format!("{}/runs/{run_id}", o.console)) }
}

/// Tracks experiments; only the steps that use it get its step metadata.
#[derive(RunMetadata)]
#[metadata(step_with = active_run)]
struct ExperimentTracker {
    #[metadata(pipeline, uri, rename = "tracking_uri")]
    tracking_uri: String,
    #[metadata(step, rename = "experiment_id")]
    experiment: String,
}

fn active_run(t: &ExperimentTracker, info: &StepRunInfo) -> Metadata {
    metadata! { "tracker_run_id" => format!("{}-{}", t.experiment, info.pipeline_step_name) }
}

/// Stores artifacts; reports where and how much.
#[derive(RunMetadata)]
struct ArtifactStore {
    #[metadata(pipeline, path)]
    root: String,
    #[metadata(step, storage_size, rename = "bytes_written")]
    written: u64,
}

fn print(out: &mut dyn Write, what: &str, m: &Metadata) -> io::Result<()> {
    if m.is_empty() {
        return Ok(());
    }
    writeln!(out, "  {what}")?;
    for (key, value) in m {
        writeln!(out, "    {key} = {value}  [{}]", value.metadata_type())?;
    }
    Ok(())
}

fn main() -> io::Result<()> {
    run(&mut io::stdout().lock())
}

/// Writes what the example shows; the tests read it too.
pub fn run(out: &mut dyn Write) -> io::Result<()> {
    let orchestrator = Orchestrator {
        console: "https://console.example".into(),
        pool: "gpu-a100".into(),
        api_token: "never reported".into(),
    };
    let tracker = ExperimentTracker {
        tracking_uri: "http://127.0.0.1:5000".into(),
        experiment: "7".into(),
    };
    let store = ArtifactStore {
        root: "/mnt/artifacts".into(),
        written: 48 << 20,
    };
    let run_id = Uuid::from_u128(0x5b1f_0a0e_2e3c_4c38_8e6c_1d2f_3a4b_5c6d);
    writeln!(out, "pipeline run {run_id}")?;
    print(
        out,
        "orchestrator",
        &orchestrator.pipeline_run_metadata(run_id),
    )?;
    print(
        out,
        "experiment tracker",
        &tracker.pipeline_run_metadata(run_id),
    )?;
    print(out, "artifact store", &store.pipeline_run_metadata(run_id))?;
    for (i, step) in ["load", "train", "evaluate"].into_iter().enumerate() {
        let info = StepRunInfo::new(run_id, Uuid::from_u128(i as u128 + 1), "training-1", step);
        writeln!(out, "step {step}")?;
        print(out, "orchestrator", &orchestrator.step_run_metadata(&info))?;
        if step == "train" {
            print(out, "experiment tracker", &tracker.step_run_metadata(&info))?;
        }
        print(out, "artifact store", &store.step_run_metadata(&info))?;
    }
    let _ = &orchestrator.api_token;
    Ok(())
}
