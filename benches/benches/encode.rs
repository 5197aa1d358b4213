//! Encoding a `Metadata` as the body of ZenML's `POST /api/v1/run-metadata` against
//! `serde_json::to_string` of the equivalent `serde_json::Value` (built beforehand, not timed).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
#[path = "common/mod.rs"]
mod common;

use common::WideDerived;
use run_metadata::Resource;
use run_metadata::zenml::RunMetadataRequest;
use run_metadata::{Metadata, RunMetadata, StepRunInfo, Uri, metadata};
use uuid::Uuid;

fn realistic() -> Metadata {
    metadata! {
        "tracking_uri" => Uri::new("http://mlflow.internal:5000"),
        "experiment_id" => "17",
        "run_name" => "training-2026-11-29",
        "epochs" => 30,
        "learning_rate" => 3e-4,
        "batch_size" => 256,
        "tags" => vec!["baseline", "gpu"],
        "artifact_bytes" => run_metadata::StorageSize::new(3 << 29),
        "notes" => "first run on the new data",
        "registered" => true,
    }
}

/// The same request as a `serde_json::Value`, as a serde-based client would hold it.
fn as_value(request: &RunMetadataRequest<'_>) -> serde_json::Value {
    serde_json::from_str(&request.to_json()).expect("valid JSON")
}

fn encode(c: &mut Criterion) {
    let project = Uuid::from_u128(1);
    let step = Resource::step_run(Uuid::from_u128(2));
    let wide = WideDerived::fixture().step_run_metadata(&StepRunInfo::new(
        Uuid::nil(),
        Uuid::nil(),
        "run",
        "train",
    ));
    for (name, metadata) in [("10 fields", realistic()), ("200 fields", wide)] {
        let request = RunMetadataRequest::new(project, step, &metadata)
            .with_stack_component(Uuid::from_u128(3));
        let value = as_value(&request);
        assert_eq!(
            serde_json::to_string(&value).unwrap().len(),
            request.to_json().len()
        );
        let mut group = c.benchmark_group(format!("encode/{name}"));
        group.bench_function("run-metadata to_json", |b| {
            b.iter(|| black_box(&request).to_json())
        });
        group.bench_function("serde_json::to_string(Value)", |b| {
            b.iter(|| serde_json::to_string(black_box(&value)).unwrap());
        });
        group.finish();
    }
}

criterion_group!(benches, encode);
criterion_main!(benches);
