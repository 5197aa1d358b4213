//! The store at scale: 1,000,000 entries as 10,000 runs of 100 (each run started, its metadata
//! published in one write, finished: three transactions, as a run makes them), against SQLite's
//! own bulk insert of the same rows in one transaction with prepared statements, the limit.
//! Prints entries/s for both, their ratio, and the file's bytes per entry.
//!
//! `cargo bench -p run-metadata-benches --bench store_scale`; `RUN_METADATA_STORE_RUNS` sets the
//! number of runs (10,000 by default).

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use run_metadata::Metadata;
use run_metadata::store::Store;
use uuid::Uuid;

mod store_fixtures;
use store_fixtures::{component, run_with};

const PER_RUN: usize = 100;

fn metadata(run: usize) -> Metadata {
    let mut m = Metadata::with_capacity(PER_RUN);
    for i in 0..PER_RUN {
        let key = format!("metric_{i}");
        match i % 3 {
            0 => m.insert(key, (run * PER_RUN + i) as f64 * 0.5).unwrap(),
            1 => m.insert(key, format!("value-{run}-{i}")).unwrap(),
            _ => m.insert(key, vec![i as u32, 1, 2]).unwrap(),
        }
    }
    m
}

/// The size of the store's files (the database and its WAL), once closed.
fn size(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum()
}

fn millis(t: SystemTime) -> i64 {
    i64::try_from(t.duration_since(UNIX_EPOCH).unwrap().as_millis()).unwrap()
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list` and the like: nothing to list.
    }
    let runs: usize = std::env::var("RUN_METADATA_STORE_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let entries = (runs * PER_RUN) as f64;
    let all: Vec<Metadata> = (0..runs).map(metadata).collect();
    let root = std::env::temp_dir().join(format!("rm-store-scale-{}", Uuid::new_v4()));

    // Ours: a run as a run makes it.
    let ours_dir = root.join("ours");
    let mut store = Store::open(ours_dir.join("runs.db")).unwrap();
    let component = component();
    let start = Instant::now();
    for m in &all {
        run_with(&mut store, m);
    }
    let ours = start.elapsed();
    drop(store);
    let ours_size = size(&ours_dir);

    // SQLite's limit: the same rows, one transaction, prepared statements, into the same schema.
    let bulk_dir = root.join("bulk");
    drop(Store::open(bulk_dir.join("runs.db")).unwrap());
    let mut conn = rusqlite::Connection::open(bulk_dir.join("runs.db")).unwrap();
    conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
        .unwrap();
    let start = Instant::now();
    let tx = conn.transaction().unwrap();
    {
        let c = component.id.to_string();
        tx.execute(
            "INSERT INTO components (id, name, kind) VALUES (?1, ?2, ?3)",
            (&c, &component.name, component.kind.as_str()),
        )
        .unwrap();
        let mut run_row = tx
            .prepare(
                "INSERT INTO runs (id, name, pipeline, stack, status, started, finished)
                 VALUES (?1, 'scale', 'training', 'local', 'completed', ?2, ?2)",
            )
            .unwrap();
        let mut row = tx
            .prepare(
                "INSERT INTO run_metadata (key, value, type, stack_component_id, created)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .unwrap();
        let mut link = tx
            .prepare(
                "INSERT INTO run_metadata_resources (run_metadata_id, resource_id, resource_type)
                 VALUES (?1, ?2, 'pipeline_run')",
            )
            .unwrap();
        for m in &all {
            let id = Uuid::new_v4().to_string();
            let now = millis(SystemTime::now());
            run_row.execute((&id, now)).unwrap();
            for (key, value) in m {
                row.execute((
                    key,
                    value.to_json(),
                    value.metadata_type().as_str(),
                    &c,
                    now,
                ))
                .unwrap();
                link.execute((tx.last_insert_rowid(), &id)).unwrap();
            }
        }
    }
    tx.commit().unwrap();
    let bulk = start.elapsed();
    drop(conn);
    let bulk_size = size(&bulk_dir);
    let _ = std::fs::remove_dir_all(&root);

    println!(
        "{runs} runs of {PER_RUN} entries ({} entries)",
        runs * PER_RUN
    );
    println!(
        "ours (3 transactions per run): {:.2} s, {:.0} entries/s, {:.1} bytes per entry",
        ours.as_secs_f64(),
        entries / ours.as_secs_f64(),
        ours_size as f64 / entries
    );
    println!(
        "SQLite bulk (1 transaction):   {:.2} s, {:.0} entries/s, {:.1} bytes per entry",
        bulk.as_secs_f64(),
        entries / bulk.as_secs_f64(),
        bulk_size as f64 / entries
    );
    println!(
        "ours / bulk time: {:.2}",
        ours.as_secs_f64() / bulk.as_secs_f64()
    );
}
