//! Instructions per key from 10 to 1,000,000 keys, for the paths of `benches/scale.rs`: the
//! algorithm's own cost, apart from what the machine's caches add at each size.
//!
//! `cargo bench --bench scale_instructions -- PATH N` does the work of `PATH` on `N` keys inside
//! [`measured`], `REPEAT / N` times (at least once, at most `STORE_ROUNDS` for the store's
//! paths), and prints how many keys that was;
//! `scripts/bench-scale.sh --instructions` runs it under callgrind, counting only inside
//! [`measured`], and divides by the keys handled. Run with no arguments to list the paths.

use std::hint::black_box;

use run_metadata::sink::Sink;
use run_metadata::store::Store;
use run_metadata::{Metadata, MetadataType, MetadataValue, Resource};
use uuid::Uuid;

mod store_fixtures;
use store_fixtures::{component, entries, run_with};

/// Keys handled per measurement at sizes below it, so that small sizes are not one-off costs.
const REPEAT: usize = 100_000;

/// Rounds of a store path at most: each writes a store of its own, open until the count ends.
const STORE_ROUNDS: usize = 100;

const PATHS: &[&str] = &[
    "insert",
    "std-insert",
    "lookup",
    "std-lookup",
    "from_json",
    "dict",
    "serde_json",
    "store-write",
    "store-read",
    "show",
    "show-json",
];

/// The only code callgrind counts (`--toggle-collect`).
#[inline(never)]
fn measured(times: usize, work: &mut dyn FnMut()) {
    for _ in 0..times {
        work();
    }
}

/// A store in a folder of its own, removed when dropped.
struct TempStore(Option<Store>, std::path::PathBuf);

impl TempStore {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("rm-scale-i-{}", Uuid::new_v4()));
        Self(Some(Store::open(dir.join("runs.db")).unwrap()), dir)
    }
    fn store(&mut self) -> &mut Store {
        self.0.as_mut().unwrap()
    }
}

impl Drop for TempStore {
    fn drop(&mut self) {
        drop(self.0.take());
        let _ = std::fs::remove_dir_all(&self.1);
    }
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let (Some(path), Some(n)) = (
        args.first(),
        args.get(1).and_then(|n| n.parse::<usize>().ok()),
    ) else {
        println!("paths: {}", PATHS.join(" "));
        return;
    };
    let rounds = (REPEAT / n).max(1);
    let times = if path.starts_with("store") || path.starts_with("show") {
        rounds.min(STORE_ROUNDS)
    } else {
        rounds
    };
    let names: Vec<String> = (0..n).map(|i| format!("metric_{i}")).collect();
    let m = entries(n, 0);
    match path.as_str() {
        "insert" => measured(times, &mut || {
            let mut m = Metadata::new();
            for (i, key) in names.iter().enumerate() {
                m.insert(key.clone(), i as u64).unwrap();
            }
            black_box(m);
        }),
        "std-insert" => measured(times, &mut || {
            let mut m = std::collections::HashMap::new();
            for (i, key) in names.iter().enumerate() {
                m.insert(key.clone(), i as u64);
            }
            black_box(m);
        }),
        "lookup" => measured(times, &mut || {
            black_box(names.iter().filter(|k| m.get(k).is_some()).count());
        }),
        "std-lookup" => {
            let std_map: std::collections::HashMap<String, u64> =
                names.iter().cloned().zip(0..).collect();
            measured(times, &mut || {
                black_box(names.iter().filter(|k| std_map.contains_key(*k)).count());
            });
        }
        "from_json" => {
            let (values, types) = (m.to_json(), m.types_json());
            measured(times, &mut || {
                black_box(Metadata::from_json(black_box(&values), black_box(&types)).unwrap());
            });
        }
        "dict" => {
            let values = m.to_json();
            measured(times, &mut || {
                black_box(MetadataValue::from_json(&values, MetadataType::Dict).unwrap());
            });
        }
        "serde_json" => {
            let values = m.to_json();
            measured(times, &mut || {
                black_box(serde_json::from_str::<serde_json::Value>(&values).unwrap());
            });
        }
        "store-write" => {
            // One fresh store per round, opened outside the count.
            let mut stores: Vec<TempStore> = (0..times).map(|_| TempStore::new()).collect();
            let mut next = stores.iter_mut();
            measured(times, &mut || {
                let store = next.next().unwrap().store();
                let resource = Resource::pipeline_run(Uuid::new_v4());
                store.publish(resource, &component(), &m).unwrap();
            });
        }
        "store-read" | "show" | "show-json" => {
            let mut store = TempStore::new();
            let run = run_with(store.store(), &m);
            let store = store.store();
            match path.as_str() {
                "store-read" => measured(times, &mut || {
                    black_box(store.metadata(Resource::pipeline_run(run.id)).unwrap());
                }),
                "show" => measured(times, &mut || {
                    run_metadata_cli::write_run(&mut std::io::sink(), store, &run, false).unwrap();
                }),
                _ => measured(times, &mut || {
                    run_metadata_cli::write_run_json(&mut std::io::sink(), store, &run).unwrap();
                }),
            }
        }
        other => {
            eprintln!("unknown path {other}; paths: {}", PATHS.join(" "));
            std::process::exit(2);
        }
    }
    println!("keys {}", times * n);
}
