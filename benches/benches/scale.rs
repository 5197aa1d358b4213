//! Cost per key from 10 to 1,000,000 keys, for every path a key takes: inserted into one
//! `Metadata` and looked up, read from ZenML's `values`/`types` JSON, read as one dict value,
//! written to the store and read back (one run), and printed by `run-metadata show` (text and
//! `--json`). Each is reported per key (criterion's throughput, elements/s); flat per-key cost
//! is linear time.
//!
//! Beside them, the same work with std's `HashMap` and `serde_json::Value`: what the machine's
//! memory costs per key at each size, whatever the algorithm.
//!
//! `RUN_METADATA_SCALE_MAX` caps the largest size (1,000,000 by default).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use run_metadata::sink::Sink;
use run_metadata::store::Store;
use run_metadata::{Metadata, MetadataType, MetadataValue, Resource};
use uuid::Uuid;

mod store_fixtures;
use store_fixtures::{component, entries, run_with};

fn sizes() -> Vec<usize> {
    let max: usize = std::env::var("RUN_METADATA_SCALE_MAX")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    [10, 1_000, 100_000, 1_000_000]
        .into_iter()
        .filter(|&n| n <= max)
        .collect()
}

fn keys(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("metric_{i}")).collect()
}

/// A group whose samples are few where one iteration is long.
fn group<'a>(c: &'a mut Criterion, name: &str, n: usize) -> BenchmarkGroup<'a, WallTime> {
    let mut group = c.benchmark_group(format!("scale/{name}"));
    group.throughput(Throughput::Elements(n as u64));
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(if n >= 100_000 { 8 } else { 3 }));
    group
}

fn in_memory(c: &mut Criterion) {
    for n in sizes() {
        let names = keys(n);
        let m = entries(n, 0);
        let (values, types) = (m.to_json(), m.types_json());

        let mut g = group(c, "insert", n);
        g.bench_function(n.to_string(), |b| {
            b.iter(|| {
                let mut m = Metadata::new();
                for (i, key) in names.iter().enumerate() {
                    m.insert(key.clone(), i as u64).unwrap();
                }
                m
            });
        });
        g.finish();

        let mut g = group(c, "lookup", n);
        g.bench_function(n.to_string(), |b| {
            b.iter(|| names.iter().filter(|k| m.get(k).is_some()).count());
        });
        g.finish();

        // The floor: what the machine's memory costs the same work with std's map and
        // serde_json, measured beside ours at each size.
        let mut g = group(c, "std HashMap insert", n);
        g.bench_function(n.to_string(), |b| {
            b.iter(|| {
                let mut m = std::collections::HashMap::new();
                for (i, key) in names.iter().enumerate() {
                    m.insert(key.clone(), i as u64);
                }
                m
            });
        });
        g.finish();

        let std_map: std::collections::HashMap<String, u64> =
            names.iter().cloned().zip(0..).collect();
        let mut g = group(c, "std HashMap lookup", n);
        g.bench_function(n.to_string(), |b| {
            b.iter(|| names.iter().filter(|k| std_map.contains_key(*k)).count());
        });
        g.finish();

        let mut g = group(c, "serde_json Value", n);
        g.bench_function(n.to_string(), |b| {
            b.iter(|| serde_json::from_str::<serde_json::Value>(black_box(&values)).unwrap());
        });
        g.finish();

        let mut g = group(c, "from_json", n);
        g.bench_function(n.to_string(), |b| {
            b.iter(|| Metadata::from_json(black_box(&values), black_box(&types)).unwrap());
        });
        g.finish();

        let mut g = group(c, "dict value", n);
        g.bench_function(n.to_string(), |b| {
            b.iter(|| MetadataValue::from_json(black_box(&values), MetadataType::Dict).unwrap());
        });
        g.finish();
    }
}

/// A store of its own, removed when dropped.
struct TempStore(Store, std::path::PathBuf);

impl TempStore {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("rm-scale-{}", Uuid::new_v4()));
        Self(Store::open(dir.join("runs.db")).unwrap(), dir)
    }
}

impl Drop for TempStore {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.1);
    }
}

fn store(c: &mut Criterion) {
    for n in sizes() {
        let m = entries(n, 0);

        let mut g = group(c, "store write", n);
        g.bench_function(n.to_string(), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let mut store = TempStore::new();
                    let resource = Resource::pipeline_run(Uuid::new_v4());
                    let start = Instant::now();
                    store.0.publish(resource, &component(), &m).unwrap();
                    total += start.elapsed();
                }
                total
            });
        });
        g.finish();

        let mut store = TempStore::new();
        let run = run_with(&mut store.0, &m);
        let mut g = group(c, "store read", n);
        g.bench_function(n.to_string(), |b| {
            b.iter(|| store.0.metadata(Resource::pipeline_run(run.id)).unwrap());
        });
        g.finish();

        let mut g = group(c, "show", n);
        g.bench_function(n.to_string(), |b| {
            b.iter(|| {
                run_metadata_cli::write_run(&mut std::io::sink(), &store.0, &run, false).unwrap();
            });
        });
        g.finish();

        let mut g = group(c, "show --json", n);
        g.bench_function(n.to_string(), |b| {
            b.iter(|| {
                run_metadata_cli::write_run_json(&mut std::io::sink(), &store.0, &run).unwrap();
            });
        });
        g.finish();
    }
}

criterion_group!(benches, in_memory, store);
criterion_main!(benches);
