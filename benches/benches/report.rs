//! `run-metadata report` on a large run: two runs of pipeline `training` with 10,000 keys each
//! (floats, strings and lists), the report of the pipeline (charts of the 3,334 numeric keys,
//! the changes, the two side by side, both runs) against `show --json` of one run, measured
//! together.
//!
//! Also writes both reports, of 10,000 keys and of 10, to `target/report-bench/`, for
//! `scripts/bench-report.sh` to time in Chromium; and reports of two runs each holding one long
//! value without spaces (1 KB, 1 MB, 10 MB, changed between the runs) and a value nested 128
//! deep.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use run_metadata::store::Store;
use run_metadata::{Metadata, MetadataValue};
use uuid::Uuid;

mod store_fixtures;
use store_fixtures::{entries, run_with};

/// A store of two runs of pipeline `training` with `keys` keys each (the second's floats one
/// more), in a folder of its own.
fn store(keys: usize) -> (Store, PathBuf) {
    let dir = std::env::temp_dir().join(format!("rm-report-bench-{}", Uuid::new_v4()));
    let mut store = Store::open(dir.join("runs.db")).unwrap();
    let first = entries(keys, 0);
    let mut second = Metadata::with_capacity(keys);
    for (key, value) in &first {
        let value = match value {
            MetadataValue::Float(f) => MetadataValue::Float(f + 1.0),
            other => other.clone(),
        };
        second.insert_value(key.to_owned(), value).unwrap();
    }
    run_with(&mut store, &first);
    run_with(&mut store, &second);
    (store, dir)
}

/// A store of two runs of pipeline `training`, each holding a value of `bytes` characters
/// without a space (the two differ in their last one) and a list nested 128 deep.
fn long_store(bytes: usize) -> (Store, PathBuf) {
    let dir = std::env::temp_dir().join(format!("rm-report-bench-{}", Uuid::new_v4()));
    let mut store = Store::open(dir.join("runs.db")).unwrap();
    for last in ['a', 'b'] {
        let mut blob = "x".repeat(bytes - 1);
        blob.push(last);
        let mut deep = MetadataValue::Int(1.into());
        for _ in 0..127 {
            deep = MetadataValue::List(vec![deep]);
        }
        let mut m = Metadata::new();
        m.insert("blob", blob).unwrap();
        m.insert_value("deep", deep).unwrap();
        run_with(&mut store, &m);
    }
    (store, dir)
}

fn report(c: &mut Criterion) {
    let out_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/report-bench");
    std::fs::create_dir_all(&out_dir).unwrap();
    for bytes in [1_000, 1_000_000, 10_000_000] {
        let (store, dir) = long_store(bytes);
        let mut page = Vec::new();
        run_metadata_cli::write_report(&mut page, &store, Some("training")).unwrap();
        std::fs::write(out_dir.join(format!("report-long-{bytes}.html")), &page).unwrap();
        println!(
            "report of 2 runs × one {bytes}-byte value and one 128 deep: {} bytes",
            page.len()
        );
        drop(store);
        let _ = std::fs::remove_dir_all(dir);
    }
    for keys in [10, 10_000] {
        let (store, dir) = store(keys);
        let runs = store.runs().unwrap();
        let mut page = Vec::new();
        run_metadata_cli::write_report(&mut page, &store, Some("training")).unwrap();
        std::fs::write(out_dir.join(format!("report-{keys}.html")), &page).unwrap();
        println!("report of 2 runs × {keys} keys: {} bytes", page.len());

        let mut g = c.benchmark_group(format!("report/{keys} keys"));
        g.sample_size(10);
        g.measurement_time(Duration::from_secs(if keys > 1000 { 10 } else { 3 }));
        g.bench_function("report (2 runs)", |b| {
            b.iter(|| {
                let mut out = Vec::with_capacity(page.len());
                run_metadata_cli::write_report(&mut out, &store, Some("training")).unwrap();
                black_box(out)
            });
        });
        g.bench_function("show --json (1 run)", |b| {
            b.iter(|| {
                let mut out = Vec::new();
                run_metadata_cli::write_run_json(&mut out, &store, &runs[0]).unwrap();
                black_box(out)
            });
        });
        g.finish();
        drop(store);
        let _ = std::fs::remove_dir_all(dir);
    }
}

criterion_group!(benches, report);
criterion_main!(benches);
