//! A Vertex-like orchestrator: the pipeline run gets the orchestrator's own run id and a link to
//! it in the cloud console, a `Uri` built from that id.
//!
//! Run with `cargo run --example orchestrator`.

use std::io::{self, Write};

use run_metadata::RunMetadata;
use run_metadata::zenml::keys::METADATA_ORCHESTRATOR_URL;
use uuid::Uuid;

#[derive(RunMetadata)]
#[metadata(pipeline_with = console_link)]
struct VertexOrchestrator {
    project: String,
    #[metadata(pipeline)]
    location: String,
    /// The Vertex pipeline job id, set when the run was submitted.
    #[metadata(pipeline, rename = "orchestrator_run_id")]
    job_id: String,
    credentials_file: String,
}

/// What the pipeline hook adds when it runs: declared as a type, so that `schema()` lists it.
#[derive(RunMetadata)]
#[metadata(pipeline)]
struct ConsoleLink {
    #[metadata(uri, rename = METADATA_ORCHESTRATOR_URL)]
    url: String,
}

/// `orchestrator_url`: the console page of this run's job.
fn console_link(o: &VertexOrchestrator, _: Uuid) -> ConsoleLink {
    ConsoleLink {
        url: format!(
            "https://console.cloud.google.com/vertex-ai/locations/{}/pipelines/runs/{}?project={}",
            o.location, o.job_id, o.project
        ),
    }
}

fn main() -> io::Result<()> {
    run(&mut io::stdout().lock())
}

/// Writes what the example shows; the tests read it too.
pub fn run(out: &mut dyn Write) -> io::Result<()> {
    let orchestrator = VertexOrchestrator {
        project: "ml-prod".into(),
        location: "europe-west4".into(),
        job_id: "training-20261129-161200".into(),
        credentials_file: "/secrets/sa.json".into(),
    };
    let m = orchestrator.pipeline_run_metadata(Uuid::from_u128(1));
    writeln!(out, "values: {}", m.to_json())?;
    writeln!(out, "types:  {}", m.types_json())?;
    for (key, value) in &m {
        writeln!(out, "  {key} ({}): {value}", value.metadata_type())?;
    }
    let _ = &orchestrator.credentials_file;
    Ok(())
}
