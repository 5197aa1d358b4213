//! The embedded store: entries inserted per second (10,000 entries of one run, in one publish
//! and in 100 publishes of 100), and reading back a run with 1,000 entries.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use run_metadata::Metadata;
use run_metadata::Resource;
use run_metadata::sink::Sink;
use run_metadata::stack::{ComponentInfo, ComponentKind};
use run_metadata::store::Store;
use uuid::Uuid;

mod store_fixtures;
use store_fixtures::{component, entries};

fn temp_store(name: &str) -> (Store, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("rm-bench-{name}-{}", Uuid::new_v4()));
    (Store::open(dir.join("runs.db")).unwrap(), dir)
}

fn insert(c: &mut Criterion) {
    let (mut store, dir) = temp_store("insert");
    let component = component();
    let one = entries(10_000, 0);
    let hundred: Vec<Metadata> = (0..100).map(|p| entries(100, p * 100)).collect();
    let mut group = c.benchmark_group("store/insert 10,000 entries of one run");
    group.throughput(Throughput::Elements(10_000));
    group.sample_size(20);
    group.bench_function("one publish", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let run = Resource::pipeline_run(Uuid::new_v4());
                let start = Instant::now();
                store.publish(run, &component, black_box(&one)).unwrap();
                total += start.elapsed();
            }
            total
        });
    });
    group.bench_function("100 publishes of 100", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let run = Resource::pipeline_run(Uuid::new_v4());
                let start = Instant::now();
                for m in &hundred {
                    store.publish(run, &component, black_box(m)).unwrap();
                }
                total += start.elapsed();
            }
            total
        });
    });
    group.finish();
    drop(store);
    let _ = std::fs::remove_dir_all(dir);
}

fn read(c: &mut Criterion) {
    let (mut store, dir) = temp_store("read");
    let run = Resource::pipeline_run(Uuid::new_v4());
    // 1,000 entries from 10 components, next to other runs' rows.
    for i in 0..10u128 {
        let component = ComponentInfo {
            id: Uuid::from_u128(100 + i),
            name: format!("component-{i}"),
            kind: ComponentKind::Orchestrator,
        };
        store
            .publish(run, &component, &entries(100, i as usize * 100))
            .unwrap();
        store
            .publish(
                Resource::pipeline_run(Uuid::new_v4()),
                &component,
                &entries(100, 0),
            )
            .unwrap();
    }
    assert_eq!(store.metadata(run).unwrap().len(), 1000);
    let mut group = c.benchmark_group("store/read a run of 1,000 entries");
    group.throughput(Throughput::Elements(1000));
    group.bench_function("metadata (ZenML's resolution)", |b| {
        b.iter(|| store.metadata(black_box(run)).unwrap())
    });
    group.bench_function("metadata_by_component", |b| {
        b.iter(|| store.metadata_by_component(black_box(run)).unwrap());
    });
    group.finish();
    drop(store);
    let _ = std::fs::remove_dir_all(dir);
}

criterion_group!(benches, insert, read);
criterion_main!(benches);
