//! Collecting one step's metadata: the derive against a careful hand-written impl (with the
//! checked `Metadata::insert_value`, and with `metadata!`) and against the serde route a user
//! might take instead (`#[derive(Serialize)]`, `serde_json::to_value`, then a `Metadata` built
//! from the value), for a realistic 10-field component and a 200-field one.

#[path = "common/mod.rs"]
mod common;

use std::hint::black_box;

use common::{
    TrackerInsert, TrackerMacro, WideDerived, WideInsert, WideMacro, WideSerde, tracker,
    tracker_derived, via_serde,
};
use criterion::{Criterion, criterion_group, criterion_main};
use run_metadata::{RunMetadata, StepRunInfo};
use serde::Serialize;
use uuid::Uuid;

/// One group: the four forms of one component, checked equal first.
fn group(
    c: &mut Criterion,
    name: &str,
    derived: &impl RunMetadata,
    insert: &impl RunMetadata,
    macro_: &impl RunMetadata,
    serde: &impl Serialize,
) {
    let info = StepRunInfo::new(Uuid::nil(), Uuid::nil(), "run", "train");
    assert_eq!(
        derived.step_run_metadata(&info),
        insert.step_run_metadata(&info)
    );
    assert_eq!(
        derived.step_run_metadata(&info),
        macro_.step_run_metadata(&info)
    );
    let mut group = c.benchmark_group(format!("collect/{name}"));
    group.bench_function("derive", |b| {
        b.iter(|| black_box(derived).step_run_metadata(&info))
    });
    group.bench_function("hand-written insert_value", |b| {
        b.iter(|| black_box(insert).step_run_metadata(&info));
    });
    group.bench_function("hand-written metadata!", |b| {
        b.iter(|| black_box(macro_).step_run_metadata(&info));
    });
    group.bench_function("serde route", |b| b.iter(|| via_serde(black_box(serde))));
    group.finish();
}

fn collect(c: &mut Criterion) {
    group(
        c,
        "10 fields",
        &tracker_derived(),
        &TrackerInsert(tracker()),
        &TrackerMacro(tracker()),
        &tracker(),
    );
    group(
        c,
        "200 fields",
        &WideDerived::fixture(),
        &WideInsert::fixture(),
        &WideMacro::fixture(),
        &WideSerde::fixture(),
    );
}

criterion_group!(benches, collect);
criterion_main!(benches);
