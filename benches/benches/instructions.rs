//! Instruction counts, for ratios that do not move with the machine's load: each run does
//! `ITERATIONS` of one variant, and `scripts/bench-instructions.sh` runs it under callgrind, once
//! per variant and once doing nothing, and divides the differences.
//!
//! `cargo bench --bench instructions -- VARIANT` (run with no variant to list them).

use std::hint::black_box;

#[path = "common/mod.rs"]
mod common;

use common::{
    Body, TrackerMacro, WideDerived, WideInsert, WideMacro, WideSerde, assert_same_body, request,
    serde_impls, tracker, tracker_derived, via_serde,
};
use run_metadata::RunMetadata;
use run_metadata::StepRunInfo;
use uuid::Uuid;

const ITERATIONS: usize = 2_000;

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
    let req10 = request(&m10);
    let req200 = request(&m200);
    let value10: serde_json::Value = serde_json::from_str(&req10.to_json()).expect("JSON");
    let value200: serde_json::Value = serde_json::from_str(&req200.to_json()).expect("JSON");
    let impls10 = serde_impls(&req10);
    let impls200 = serde_impls(&req200);
    let typed10 = Body::new(&req10, serde10.values(), serde10.types());
    let typed200 = Body::new(&req200, serde200.values(), serde200.types());
    assert_same_body(&req10, &impls10, &typed10);
    assert_same_body(&req200, &impls200, &typed200);
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
        "encode10-serde_impls" => {
            repeat(|| serde_json::to_string(black_box(&impls10)).expect("JSON"))
        }
        "encode10-serde_typed" => {
            repeat(|| serde_json::to_string(black_box(&typed10)).expect("JSON"))
        }
        "encode200-ours" => repeat(|| black_box(&req200).to_json()),
        "encode200-serde_json" => {
            repeat(|| serde_json::to_string(black_box(&value200)).expect("JSON"))
        }
        "encode200-serde_impls" => {
            repeat(|| serde_json::to_string(black_box(&impls200)).expect("JSON"))
        }
        "encode200-serde_typed" => {
            repeat(|| serde_json::to_string(black_box(&typed200)).expect("JSON"))
        }
        _ => {
            println!("iterations {ITERATIONS}");
            println!(
                "variants: none collect10-derive collect10-macro collect10-serde collect200-derive collect200-insert collect200-macro collect200-serde encode10-ours encode10-serde_json encode10-serde_impls encode10-serde_typed encode200-ours encode200-serde_json encode200-serde_impls encode200-serde_typed"
            );
        }
    }
}
