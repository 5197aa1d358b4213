//! The embedded store: typed round trips, ZenML's read rules, concurrent writers, and files that
//! are not stores.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::process::Command;

use run_metadata::Resource;
use run_metadata::sink::{Sink, Status};
use run_metadata::stack::{Component, ComponentInfo, ComponentKind, Stack, StepSpec};
use run_metadata::store::{SCHEMA_VERSION, Store, StoreError};
use run_metadata::{DType, Metadata, MetadataValue, RunMetadata, StorageSize, Uri, metadata};
use run_metadata_tests::TempDir;
use uuid::Uuid;

fn component(n: u128, kind: ComponentKind) -> ComponentInfo {
    ComponentInfo {
        id: Uuid::from_u128(n),
        name: format!("c{n}"),
        kind,
    }
}

fn every_tag() -> Metadata {
    metadata! {
        "str" => "text",
        "int" => i128::MIN,
        "big" => u128::MAX,
        "float" => 0.25,
        "whole" => 3.0,
        "nan" => f64::NAN,
        "bool" => true,
        "list" => vec![serde_json::json!(1), serde_json::json!("a")],
        "dict" => serde_json::json!({"a": {"b": [1.5]}}),
        "tuple" => (1, "x", false),
        "set" => BTreeSet::from([3, 1, 2]),
        "uri" => Uri::new("https://console.example/run/1"),
        "path" => run_metadata::Path::new("/mnt/a b"),
        "dtype" => DType::of::<f32>(),
        "size" => StorageSize::new(u64::MAX),
    }
}

#[test]
fn every_tag_comes_back_typed() {
    let dir = TempDir::new("tags");
    let mut store = Store::open(dir.path("runs.db")).unwrap();
    let run = Uuid::new_v4();
    let m = every_tag();
    store
        .publish(
            Resource::pipeline_run(run),
            &component(1, ComponentKind::Orchestrator),
            &m,
        )
        .unwrap();
    let back = store.metadata(Resource::pipeline_run(run)).unwrap();
    assert_eq!(back.to_json(), m.to_json());
    assert_eq!(back.types_json(), m.types_json());
    for key in [
        "str", "int", "big", "float", "whole", "bool", "list", "dict", "tuple", "set", "uri",
        "path", "dtype", "size",
    ] {
        assert_eq!(back.get(key), m.get(key), "{key}");
    }
    assert!(matches!(back.get("nan"), Some(MetadataValue::Float(x)) if x.is_nan()));
    // Another resource sees none of it.
    assert!(store.metadata(Resource::step_run(run)).unwrap().is_empty());
}

#[test]
fn reads_follow_zenml_newest_wins_and_dicts_merge() {
    let dir = TempDir::new("rules");
    let mut store = Store::open(dir.path("runs.db")).unwrap();
    let step = Resource::step_run(Uuid::new_v4());
    let a = component(1, ComponentKind::Orchestrator);
    let b = component(2, ComponentKind::ExperimentTracker);
    let publish =
        |store: &mut Store, c: &ComponentInfo, m: Metadata| store.publish(step, c, &m).unwrap();
    publish(
        &mut store,
        &a,
        metadata! { "n" => 1, "cfg" => serde_json::json!({"x": 1, "y": 1}), "mixed" => serde_json::json!({"k": 1}) },
    );
    publish(
        &mut store,
        &b,
        metadata! { "n" => 2, "cfg" => serde_json::json!({"y": 2, "z": 2}), "mixed" => 5 },
    );
    publish(&mut store, &a, metadata! { "only_a" => Uri::new("u") });
    let m = store.metadata(step).unwrap();
    assert_eq!(
        m.get("n"),
        Some(&MetadataValue::from_json("2", run_metadata::MetadataType::Int).unwrap())
    );
    assert_eq!(m.get("cfg").unwrap().to_json(), r#"{"x":1,"y":2,"z":2}"#);
    assert_eq!(m.get("mixed").unwrap().to_json(), "5");
    assert_eq!(
        m.keys().collect::<Vec<_>>(),
        ["n", "cfg", "mixed", "only_a"]
    );

    let groups = store.metadata_by_component(step).unwrap();
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0].component.as_ref(), Some(&a));
    assert_eq!(
        groups[0].metadata.to_json(),
        r#"{"n":1,"cfg":{"x":1,"y":1},"mixed":{"k":1},"only_a":"u"}"#
    );
    assert_eq!(groups[1].component.as_ref(), Some(&b));
    assert_eq!(
        groups[1].metadata.types_json(),
        r#"{"n":"int","cfg":"dict","mixed":"int"}"#
    );
}

#[derive(RunMetadata)]
struct Orchestrator {
    #[metadata(pipeline, uri)]
    console: String,
    #[metadata(step, storage_size)]
    memory: u64,
}

#[test]
fn runs_and_steps_are_recorded() {
    let dir = TempDir::new("runs");
    let mut store = Store::open(dir.path("runs.db")).unwrap();
    let stack = Stack::new("local").with(Component::new(
        ComponentKind::Orchestrator,
        "local",
        Orchestrator {
            console: "https://c.example".into(),
            memory: 1 << 30,
        },
    ));
    let mut first = stack.start_run(&mut store, "training", "training-1");
    let first_id = first.record().id;
    let _: Result<(), String> = first.step(&StepSpec::new("load"), || Ok(()));
    let _: Result<(), String> = first.step(&StepSpec::new("train"), || Err("nan loss".into()));
    first.cached_step(&StepSpec::new("evaluate"));
    assert!(first.finish().failures.is_empty());
    std::thread::sleep(std::time::Duration::from_millis(5));
    let second = stack.start_run(&mut store, "training", "training-2");
    let second_id = second.record().id;
    second.finish();

    let runs = store.runs().unwrap();
    assert_eq!(
        runs.iter().map(|r| r.id).collect::<Vec<_>>(),
        [second_id, first_id]
    );
    assert_eq!(runs[1].status, Status::Failed);
    assert_eq!(runs[0].status, Status::Completed);
    assert_eq!(store.find_run("latest").unwrap().id, second_id);
    assert_eq!(store.find_run("training-1").unwrap().id, first_id);
    assert_eq!(
        store.find_run(&first_id.to_string()[..8]).unwrap().id,
        first_id
    );
    assert!(matches!(
        store.find_run("nope"),
        Err(StoreError::RunNotFound { .. })
    ));

    let steps = store.steps(first_id).unwrap();
    let summary: Vec<(&str, Status)> = steps.iter().map(|s| (s.name.as_str(), s.status)).collect();
    assert_eq!(
        summary,
        [
            ("load", Status::Completed),
            ("train", Status::Failed),
            ("evaluate", Status::Cached)
        ]
    );
    let train = store.metadata(Resource::step_run(steps[1].id)).unwrap();
    assert_eq!(
        train.get("memory"),
        Some(&MetadataValue::StorageSize(StorageSize::new(1 << 30)))
    );
    assert!(
        store
            .metadata(Resource::step_run(steps[2].id))
            .unwrap()
            .is_empty()
    );
}

fn file_bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_left_untouched() {
    let dir = TempDir::new("corrupt");
    let path = dir.path("runs.db");
    let garbage: Vec<u8> = (0..8192u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&path, &garbage).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::NotADatabase { .. }), "{err}");
    assert!(err.to_string().contains("left as it is"));
    assert_eq!(file_bytes(&path), garbage);

    // An SQLite header over a damaged body: SQLite itself finds it out, still nothing written.
    let mut damaged = b"SQLite format 3\0".to_vec();
    damaged.extend(&garbage[16..]);
    std::fs::write(&path, &damaged).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::NotADatabase { .. }), "{err}");
    assert_eq!(file_bytes(&path), damaged);
    assert!(!dir.path("runs.db-wal").exists());

    // A short file.
    std::fs::write(&path, b"hello").unwrap();
    assert!(matches!(
        Store::open(&path),
        Err(StoreError::NotADatabase { .. })
    ));
    assert_eq!(file_bytes(&path), b"hello");
}

#[test]
fn another_programs_database_is_refused_and_left_untouched() {
    let dir = TempDir::new("foreign");
    let path = dir.path("app.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE users (id INTEGER); INSERT INTO users VALUES (1);")
            .unwrap();
    }
    let before = file_bytes(&path);
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::ForeignDatabase { .. }), "{err}");
    assert_eq!(file_bytes(&path), before);
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = TempDir::new("newer");
    let path = dir.path("runs.db");
    drop(Store::open(&path).unwrap());
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(&format!("PRAGMA user_version = {}", SCHEMA_VERSION + 1))
            .unwrap();
    }
    match Store::open(&path) {
        Err(StoreError::NewerSchema {
            found, supported, ..
        }) => {
            assert_eq!((found, supported), (SCHEMA_VERSION + 1, SCHEMA_VERSION));
        }
        other => panic!("expected NewerSchema, got {other:?}"),
    }
}

#[test]
fn an_empty_file_becomes_a_store_and_reopening_keeps_everything() {
    let dir = TempDir::new("empty");
    let path = dir.path("nested/dir/runs.db");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, b"").unwrap();
    let run = Uuid::new_v4();
    {
        let mut store = Store::open(&path).unwrap();
        store
            .publish(
                Resource::pipeline_run(run),
                &component(1, ComponentKind::Orchestrator),
                &metadata! { "k" => 1 },
            )
            .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store
            .metadata(Resource::pipeline_run(run))
            .unwrap()
            .to_json(),
        r#"{"k":1}"#
    );
    let version: i32 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
}

#[test]
fn four_processes_writing_at_once_lose_nothing() {
    const WRITERS: u16 = 4;
    const PUBLISHES: u32 = 1_000;
    const KEYS: u32 = 10;
    let dir = TempDir::new("concurrent");
    // The file does not exist yet: the writers also race to create and migrate it.
    let path = dir.path("runs.db");
    let run = Uuid::new_v4();
    let children: Vec<_> = (0..WRITERS)
        .map(|w| {
            Command::new(env!("CARGO_BIN_EXE_store_writer"))
                .args([
                    path.to_str().unwrap(),
                    &run.to_string(),
                    &w.to_string(),
                    &PUBLISHES.to_string(),
                    &KEYS.to_string(),
                ])
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let store = Store::open(&path).unwrap();
    let groups = store
        .metadata_by_component(Resource::pipeline_run(run))
        .unwrap();
    assert_eq!(groups.len(), usize::from(WRITERS));
    let mut seen: HashMap<String, String> = HashMap::new();
    for group in &groups {
        for (key, value) in &group.metadata {
            assert!(
                seen.insert(key.to_owned(), value.to_json()).is_none(),
                "{key} twice"
            );
        }
    }
    assert_eq!(
        seen.len(),
        usize::from(WRITERS) * (PUBLISHES * KEYS) as usize
    );
    for w in 0..WRITERS {
        for p in 0..PUBLISHES {
            for k in 0..KEYS {
                let key = format!("w{w}_p{p}_k{k}");
                assert_eq!(
                    seen.get(&key),
                    Some(&(u64::from(p) * 1000 + u64::from(k)).to_string()),
                    "{key}"
                );
            }
        }
    }
}

#[test]
fn default_path_honours_the_environment() {
    // Checked in a child process: changing this process's environment would race other tests.
    let dir = TempDir::new("default");
    let path = dir.path("from-env.db");
    let status = Command::new(env!("CARGO_BIN_EXE_store_writer"))
        .env("RUN_METADATA_STORE", &path)
        .args(["-", &Uuid::nil().to_string(), "0", "1", "1"])
        .status()
        .unwrap();
    assert!(status.success());
    assert!(
        path.exists(),
        "the writer opened the store named by RUN_METADATA_STORE"
    );
}
