//! Instruction counts, for ratios that do not move with the machine's load: each run does
//! `ITERATIONS` of one variant, and `scripts/bench-instructions.sh` runs it under callgrind, once
//! per variant and once doing nothing, and divides the differences.
//!
//! `cargo bench --bench instructions -- VARIANT` (run with no variant to list them).

use std::hint::black_box;

use run_metadata::zenml::{Resource, RunMetadataRequest};
use run_metadata::{
    Integer, Metadata, MetadataValue, RunMetadata, StepRunInfo, StorageSize, Uri, metadata,
};
use serde::Serialize;
use uuid::Uuid;

include!(concat!(env!("OUT_DIR"), "/wide.rs"));

const ITERATIONS: usize = 2_000;

#[derive(RunMetadata)]
#[metadata(step)]
struct TrackerDerived {
    #[metadata(uri)]
    tracking_uri: String,
    #[metadata]
    experiment_id: String,
    #[metadata]
    run_name: String,
    #[metadata]
    epochs: u32,
    #[metadata]
    learning_rate: f64,
    #[metadata]
    batch_size: u32,
    #[metadata]
    tags: Vec<String>,
    #[metadata(storage_size)]
    artifact_bytes: u64,
    #[metadata]
    notes: Option<String>,
    #[metadata]
    registered: bool,
}

#[derive(Serialize)]
struct TrackerSerde {
    tracking_uri: String,
    experiment_id: String,
    run_name: String,
    epochs: u32,
    learning_rate: f64,
    batch_size: u32,
    tags: Vec<String>,
    artifact_bytes: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    notes: Option<String>,
    registered: bool,
}

struct TrackerMacro(TrackerSerde);

impl RunMetadata for TrackerMacro {
    fn step_run_metadata(&self, _: &StepRunInfo) -> Metadata {
        let t = &self.0;
        metadata! {
            "tracking_uri" => Uri::new(t.tracking_uri.clone()),
            "experiment_id" => &t.experiment_id,
            "run_name" => &t.run_name,
            "epochs" => t.epochs,
            "learning_rate" => t.learning_rate,
            "batch_size" => t.batch_size,
            "tags" => &t.tags,
            "artifact_bytes" => StorageSize::new(t.artifact_bytes),
            "notes" => &t.notes,
            "registered" => t.registered,
        }
    }
}

fn tracker() -> TrackerSerde {
    TrackerSerde {
        tracking_uri: "http://mlflow.internal:5000".into(),
        experiment_id: "17".into(),
        run_name: "training-2026-11-29".into(),
        epochs: 30,
        learning_rate: 3e-4,
        batch_size: 256,
        tags: vec!["baseline".into(), "gpu".into()],
        artifact_bytes: 3 << 29,
        notes: Some("first run on the new data".into()),
        registered: true,
    }
}

fn tracker_derived() -> TrackerDerived {
    let t = tracker();
    TrackerDerived {
        tracking_uri: t.tracking_uri,
        experiment_id: t.experiment_id,
        run_name: t.run_name,
        epochs: t.epochs,
        learning_rate: t.learning_rate,
        batch_size: t.batch_size,
        tags: t.tags,
        artifact_bytes: t.artifact_bytes,
        notes: t.notes,
        registered: t.registered,
    }
}

fn via_serde<T: Serialize>(component: &T) -> Metadata {
    let serde_json::Value::Object(map) = serde_json::to_value(component).expect("serializable")
    else {
        unreachable!("a struct serializes to an object")
    };
    let mut m = Metadata::with_capacity(map.len());
    for (key, value) in map {
        m.insert(key, value).expect("field names are valid keys");
    }
    m
}

fn repeat<T>(f: impl Fn() -> T) {
    for _ in 0..ITERATIONS {
        black_box(f());
    }
}

fn main() {
    let info = StepRunInfo::new(Uuid::nil(), Uuid::nil(), "run", "train");
    // Every fixture is built whatever the variant, so that the baseline subtracts them all.
    let derived10 = tracker_derived();
    let macro10 = TrackerMacro(tracker());
    let serde10 = tracker();
    let derived200 = WideDerived::fixture();
    let insert200 = WideInsert::fixture();
    let macro200 = WideMacro::fixture();
    let serde200 = WideSerde::fixture();
    let m10 = derived10.step_run_metadata(&info);
    let m200 = derived200.step_run_metadata(&info);
    let req10 = RunMetadataRequest::new(
        Uuid::from_u128(1),
        Resource::step_run(Uuid::from_u128(2)),
        &m10,
    );
    let req200 = RunMetadataRequest::new(
        Uuid::from_u128(1),
        Resource::step_run(Uuid::from_u128(2)),
        &m200,
    );
    let value10: serde_json::Value = serde_json::from_str(&req10.to_json()).expect("JSON");
    let value200: serde_json::Value = serde_json::from_str(&req200.to_json()).expect("JSON");
    let variant = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or_default();
    match variant.as_str() {
        "none" => {}
        "collect10-derive" => repeat(|| black_box(&derived10).step_run_metadata(&info)),
        "collect10-macro" => repeat(|| black_box(&macro10).step_run_metadata(&info)),
        "collect10-serde" => repeat(|| via_serde(black_box(&serde10))),
        "collect200-derive" => repeat(|| black_box(&derived200).step_run_metadata(&info)),
        "collect200-insert" => repeat(|| black_box(&insert200).step_run_metadata(&info)),
        "collect200-macro" => repeat(|| black_box(&macro200).step_run_metadata(&info)),
        "collect200-serde" => repeat(|| via_serde(black_box(&serde200))),
        "encode10-ours" => repeat(|| black_box(&req10).to_json()),
        "encode10-serde_json" => {
            repeat(|| serde_json::to_string(black_box(&value10)).expect("JSON"))
        }
        "encode200-ours" => repeat(|| black_box(&req200).to_json()),
        "encode200-serde_json" => {
            repeat(|| serde_json::to_string(black_box(&value200)).expect("JSON"))
        }
        _ => {
            println!("iterations {ITERATIONS}");
            println!(
                "variants: none collect10-derive collect10-macro collect10-serde collect200-derive collect200-insert collect200-macro collect200-serde encode10-ours encode10-serde_json encode200-ours encode200-serde_json"
            );
        }
    }
    let _ = (MetadataValue::Bool(true), Integer::from(0u8));
}
