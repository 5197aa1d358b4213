//! The metadata one stack component reports to ZenML, printed as ZenML's `values` and `types`.
//!
//! Run with `cargo run --example quickstart`.

use run_metadata::{Metadata, RunMetadata, StepRunInfo, StorageSize, Uri, metadata};
use uuid::Uuid;

/// An orchestrator that links each run to its console.
struct Orchestrator {
    console: String,
    region: String,
    node_memory: u64,
}

impl RunMetadata for Orchestrator {
    fn pipeline_run_metadata(&self, run_id: Uuid) -> Metadata {
        metadata! {
            "orchestrator_url" => Uri::new(format!("{}/runs/{run_id}", self.console)),
            "region" => &self.region,
        }
    }

    fn step_run_metadata(&self, info: &StepRunInfo) -> Metadata {
        metadata! {
            "pod_name" => format!("{}-{}", info.run_name, info.pipeline_step_name),
            "node_memory" => StorageSize::new(self.node_memory),
        }
    }
}

fn print(hook: &str, metadata: &Metadata) {
    println!("{hook}");
    println!("  values: {}", metadata.to_json());
    println!("  types:  {}", metadata.types_json());
    for (key, value) in metadata {
        println!("  {key} ({}): {value}", value.metadata_type());
    }
}

fn main() {
    let orchestrator = Orchestrator {
        console: "https://console.example".into(),
        region: "europe-west4".into(),
        node_memory: 16 << 30,
    };
    let run_id = Uuid::from_u128(0x5b1f_0a0e_2e3c_4c38_8e6c_1d2f_3a4b_5c6d);
    let step_run_id = Uuid::from_u128(0x9d3e_11aa_0b7c_4f21_a1d4_6e8f_2b3c_4d5e);
    print("pipeline run", &orchestrator.pipeline_run_metadata(run_id));
    let info = StepRunInfo::new(run_id, step_run_id, "training-1", "train");
    print("step run `train`", &orchestrator.step_run_metadata(&info));
}
