//! Encoding a `Metadata` as the body of ZenML's `POST /api/v1/run-metadata`: the hand-written
//! `RunMetadataRequest::to_json` against `serde_json::to_string` of the same body in three forms,
//! each built beforehand (not timed): through the crate's own `Serialize` impls (`&Metadata` and
//! `Types`), as typed structs with one field per key (what serde alone gives a user), and as a
//! `serde_json::Value`. The first two are checked to give the bytes `to_json` gives, the `Value`
//! (whose objects are sorted by key) JSON of the same length.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
#[path = "common/mod.rs"]
mod common;

use common::{
    Body, WideDerived, WideSerde, assert_same_body, request, serde_impls, tracker, tracker_derived,
};
use run_metadata::zenml::RunMetadataRequest;
use run_metadata::{RunMetadata, StepRunInfo};
use serde::Serialize;
use uuid::Uuid;

/// The same request as a `serde_json::Value`, as a serde-based client would hold it.
fn as_value(request: &RunMetadataRequest<'_>) -> serde_json::Value {
    serde_json::from_str(&request.to_json()).expect("valid JSON")
}

/// One group: the request written by `to_json`, and by serde through the crate's impls, through
/// typed structs (`typed`), and from a `Value`.
fn group(c: &mut Criterion, name: &str, request: &RunMetadataRequest<'_>, typed: &impl Serialize) {
    let impls = serde_impls(request);
    assert_same_body(request, &impls, typed);
    let value = as_value(request);
    // A `Value`'s objects are sorted by key: the same JSON, not the same bytes.
    assert_eq!(
        serde_json::to_string(&value).unwrap().len(),
        request.to_json().len()
    );
    let mut group = c.benchmark_group(format!("encode/{name}"));
    group.bench_function("run-metadata to_json", |b| {
        b.iter(|| black_box(request).to_json());
    });
    group.bench_function("serde_json::to_string(crate impls)", |b| {
        b.iter(|| serde_json::to_string(black_box(&impls)).unwrap());
    });
    group.bench_function("serde_json::to_string(typed structs)", |b| {
        b.iter(|| serde_json::to_string(black_box(typed)).unwrap());
    });
    group.bench_function("serde_json::to_string(Value)", |b| {
        b.iter(|| serde_json::to_string(black_box(&value)).unwrap());
    });
    group.finish();
}

fn encode(c: &mut Criterion) {
    let info = StepRunInfo::new(Uuid::nil(), Uuid::nil(), "run", "train");
    let tracker = tracker();
    let m10 = tracker_derived().step_run_metadata(&info);
    let req10 = request(&m10);
    group(
        c,
        "10 fields",
        &req10,
        &Body::new(&req10, tracker.values(), tracker.types()),
    );
    let wide = WideSerde::fixture();
    let m200 = WideDerived::fixture().step_run_metadata(&info);
    let req200 = request(&m200);
    group(
        c,
        "200 fields",
        &req200,
        &Body::new(&req200, wide.values(), wide.types()),
    );
}

criterion_group!(benches, encode);
criterion_main!(benches);
