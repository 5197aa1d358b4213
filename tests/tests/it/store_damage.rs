//! The store under bad conditions: many processes creating it at once, a folder that cannot be
//! written, files it must refuse without touching, records damaged by hand, and pages damaged
//! outside SQLite.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use run_metadata::sink::{Hook, HookFailure, RunRecord, Sink, Status, StepRecord};
use run_metadata::stack::{ComponentInfo, ComponentKind};
use run_metadata::store::{SCHEMA_VERSION, Store, StoreError};
use run_metadata::{MAX_DEPTH, Metadata, MetadataValue, Resource, metadata};
use run_metadata_tests::TempDir;
use uuid::Uuid;

fn component() -> ComponentInfo {
    ComponentInfo {
        id: Uuid::from_u128(7),
        name: "tracker".into(),
        kind: ComponentKind::ExperimentTracker,
    }
}

/// A time to the millisecond, as the store keeps it: `n` seconds after 2026-01-01.
fn at(n: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(1_767_225_600_000 + n * 1000)
}

/// A finished run named `name` with one step, `keys` metadata on each, and one hook failure.
fn recorded_run(store: &mut Store, name: &str, keys: usize) -> (RunRecord, StepRecord) {
    let started = store.runs().unwrap().len() as u64 * 10;
    let mut run = RunRecord {
        id: Uuid::new_v4(),
        name: name.into(),
        pipeline: "training".into(),
        stack: "local".into(),
        status: Status::Running,
        started: at(started),
        finished: None,
    };
    store.start_run(&mut run).unwrap();
    let mut step = StepRecord {
        id: Uuid::new_v4(),
        run_id: run.id,
        name: "train".into(),
        status: Status::Running,
        started: at(started + 1),
        finished: None,
    };
    store.start_step(&mut step).unwrap();
    let mut m = Metadata::new();
    for k in 0..keys {
        m.insert(format!("key_{k}"), format!("value {k} {}", "x".repeat(40)))
            .unwrap();
    }
    for resource in [Resource::pipeline_run(run.id), Resource::step_run(step.id)] {
        store.publish(resource, &component(), &m).unwrap();
    }
    let failure = HookFailure {
        component: component(),
        hook: Hook::Step,
        message: "no tracker run".into(),
        panicked: false,
    };
    store
        .hook_failed(Resource::step_run(step.id), &failure)
        .unwrap();
    (step.status, step.finished) = (Status::Completed, Some(at(started + 2)));
    store.finish_step(&step).unwrap();
    (run.status, run.finished) = (Status::Completed, Some(at(started + 3)));
    store.finish_run(&run).unwrap();
    (run, step)
}

fn sql(path: &Path, statements: &str) {
    rusqlite::Connection::open(path)
        .unwrap()
        .execute_batch(statements)
        .unwrap();
}

#[test]
fn eight_processes_creating_one_store_forty_times_all_succeed() {
    const PROCESSES: usize = 8;
    const ROUNDS: usize = 40;
    let dir = TempDir::new("creating");
    let mut failures = Vec::new();
    for round in 0..ROUNDS {
        let path = dir.path(&format!("round-{round}.db"));
        let run = Uuid::new_v4().to_string();
        let children: Vec<_> = (0..PROCESSES)
            .map(|w| {
                Command::new(env!("CARGO_BIN_EXE_store_writer"))
                    .args([path.to_str().unwrap(), &run, &w.to_string(), "1", "1"])
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            if !out.status.success() {
                failures.push(String::from_utf8_lossy(&out.stderr).into_owned());
            }
        }
        let store = Store::open(&path).unwrap();
        let groups = store
            .metadata_by_component(Resource::pipeline_run(Uuid::parse_str(&run).unwrap()))
            .unwrap();
        assert_eq!(groups.len(), PROCESSES - failures.len(), "round {round}");
    }
    assert!(
        failures.is_empty(),
        "{} of {} opens failed: {failures:?}",
        failures.len(),
        PROCESSES * ROUNDS
    );
}

/// Makes `dir` unwritable even for root (`chattr +i`), or says why the test cannot run.
struct Immutable<'a>(&'a Path);

impl<'a> Immutable<'a> {
    fn new(dir: &'a Path, test: &str) -> Option<Self> {
        let done = Command::new("chattr")
            .arg("+i")
            .arg(dir)
            .status()
            .is_ok_and(|s| s.success());
        if !done {
            eprintln!("{test}: NOT RUN: chattr +i is not available here");
            assert!(
                std::env::var_os("CI").is_none(),
                "CI runs as root and must run this test"
            );
            return None;
        }
        Some(Self(dir))
    }
}

impl Drop for Immutable<'_> {
    fn drop(&mut self) {
        let _ = Command::new("chattr").arg("-i").arg(self.0).status();
    }
}

#[test]
fn a_store_in_a_read_only_folder_is_read_and_writing_says_why() {
    let dir = TempDir::new("read-only");
    let folder = dir.path("folder");
    let path = folder.join("runs.db");
    let (run, step) = recorded_run(&mut Store::open(&path).unwrap(), "r1", 3);
    // Closed cleanly: WAL mode, with no -wal or -shm file beside it.
    assert!(!folder.join("runs.db-wal").exists());
    let Some(_locked) = Immutable::new(&folder, "a_store_in_a_read_only_folder") else {
        return;
    };
    assert!(std::fs::write(folder.join("probe"), b"").is_err());

    let store = Store::open_read_only(&path).unwrap();
    assert_eq!(store.runs().unwrap(), vec![run.clone()]);
    assert_eq!(store.steps(run.id).unwrap(), vec![step.clone()]);
    let m = store.metadata(Resource::step_run(step.id)).unwrap();
    assert_eq!(m.len(), 3);
    assert_eq!(
        store
            .hook_failures(Resource::step_run(step.id))
            .unwrap()
            .len(),
        1
    );
    assert!(store.check().unwrap().is_ok());

    // Writing says what is wrong, through the read-only store or a read-write open.
    let mut store = store;
    let err = store
        .publish(
            Resource::pipeline_run(run.id),
            &component(),
            &metadata! { "k" => 1 },
        )
        .unwrap_err();
    assert!(err.to_string().contains("cannot be written"), "{err}");
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::ReadOnly { .. }), "{err:?}");
    assert!(err.to_string().contains("read-only"), "{err}");
    drop(store);
    assert!(!folder.join("runs.db-wal").exists());
}

/// Every file in `dir`, with its length and a hash of its bytes.
fn snapshot(dir: &Path) -> Vec<(std::ffi::OsString, usize, u64)> {
    use std::hash::{Hash, Hasher};
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let bytes = std::fs::read(e.path()).unwrap();
            let mut hash = std::collections::hash_map::DefaultHasher::new();
            bytes.hash(&mut hash);
            (e.file_name(), bytes.len(), hash.finish())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn a_refused_file_stays_byte_identical_in_every_journal_mode() {
    let dir = TempDir::new("refused");
    for mode in ["delete", "truncate", "persist", "wal", "off"] {
        for (version, newer) in [(SCHEMA_VERSION + 1, true), (-3, false)] {
            let folder = dir.path(&format!("{mode}{version}"));
            std::fs::create_dir_all(&folder).unwrap();
            let path = folder.join("runs.db");
            sql(
                &path,
                &format!(
                    "PRAGMA journal_mode = {mode};
                     CREATE TABLE runs (id TEXT); INSERT INTO runs VALUES ('x');
                     PRAGMA application_id = {}; PRAGMA user_version = {version};",
                    0x524D_4554
                ),
            );
            let before = snapshot(&folder);
            for err in [
                Store::open(&path).unwrap_err(),
                Store::open_read_only(&path).unwrap_err(),
            ] {
                let text = err.to_string();
                if newer {
                    assert!(
                        matches!(err, StoreError::NewerSchema { .. }),
                        "{mode}: {err:?}"
                    );
                } else {
                    assert!(matches!(err, StoreError::UnknownSchema { found: -3, .. }));
                    assert!(text.contains("no version of run-metadata"), "{text}");
                }
                assert!(
                    text.ends_with("left as it is") || text.contains("upgrade"),
                    "{text}"
                );
                assert!(!text.contains("SQLite"), "{text}");
            }
            assert_eq!(snapshot(&folder), before, "{mode}, version {version}");
        }
    }
}

/// `levels` lists, one inside the other, around an integer.
fn nested(levels: usize) -> MetadataValue {
    let mut value = MetadataValue::Bool(true);
    for _ in 0..levels {
        value = MetadataValue::List(vec![value]);
    }
    value
}

#[test]
fn what_could_not_be_read_back_is_refused_when_written() {
    let dir = TempDir::new("deep");
    let mut store = Store::open(dir.path("runs.db")).unwrap();
    let resource = Resource::pipeline_run(Uuid::new_v4());
    let mut deepest = Metadata::new();
    deepest.insert("deepest", nested(MAX_DEPTH)).unwrap();
    store.publish(resource, &component(), &deepest).unwrap();
    assert_eq!(store.metadata(resource).unwrap(), deepest);

    let mut too_deep = Metadata::new();
    too_deep.insert("first", 1).unwrap();
    too_deep.insert("too_deep", nested(MAX_DEPTH + 1)).unwrap();
    let err = store
        .publish(resource, &component(), &too_deep)
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("\"too_deep\" nests deeper than 128"),
        "{text}"
    );
    // Nothing of that publish was written; what was there still reads.
    assert_eq!(store.metadata(resource).unwrap(), deepest);
    assert!(store.check().unwrap().is_ok());
}

/// What the store says is damaged in run `id`, as it says it.
fn reasons(store: &Store, id: Uuid) -> Vec<String> {
    store
        .damaged(id)
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// A store in `dir` with the runs `(name, keys)` recorded (see [`recorded_run`]), closed
/// again: its path, and each run with its step.
fn recorded_runs<const N: usize>(
    dir: &TempDir,
    runs: [(&str, usize); N],
) -> (PathBuf, [(RunRecord, StepRecord); N]) {
    let path = dir.path("runs.db");
    let mut store = Store::open(&path).unwrap();
    let ids = runs.map(|(name, steps)| recorded_run(&mut store, name, steps));
    (path, ids)
}

#[test]
fn a_damaged_record_is_named_and_hides_nothing_else() {
    let dir = TempDir::new("damaged");
    let (path, [(good, _), (bad, bad_step), (stopped, _)]) =
        recorded_runs(&dir, [("good", 2), ("bad", 4), ("stopped", 1)]);
    let row = |key: &str| -> i64 {
        rusqlite::Connection::open(&path)
            .unwrap()
            .query_row(
                "SELECT m.id FROM run_metadata m JOIN run_metadata_resources r
                 ON r.run_metadata_id = m.id
                 WHERE m.key = ?1 AND r.resource_id = ?2",
                [key, &bad_step.id.to_string()],
                |r| r.get(0),
            )
            .unwrap()
    };
    let (json_row, type_row, key_row) = (row("key_0"), row("key_1"), row("key_2"));
    // A newer status, bad JSON, an unknown tag, a key ZenML refuses, a hook of no name.
    sql(
        &path,
        &format!(
            "UPDATE runs SET status = 'stopped' WHERE id = '{}';
             UPDATE run_metadata SET value = '{{\"a\":' WHERE id = {json_row};
             UPDATE run_metadata SET type = 'Bogus' WHERE id = {type_row};
             UPDATE run_metadata SET key = '' WHERE id = {key_row};
             UPDATE hook_failures SET hook = 'sideways' WHERE resource_id = '{}';",
            stopped.id, bad_step.id
        ),
    );
    let store = Store::open(&path).unwrap();

    // `runs` lists every other run, and names the damaged one.
    let names: Vec<_> = store.runs().unwrap().into_iter().map(|r| r.name).collect();
    assert_eq!(names, ["bad", "good"]);
    let damaged = store.damaged_runs().unwrap();
    assert_eq!(damaged.len(), 1);
    assert_eq!(damaged[0].table, "runs");
    assert_eq!(
        damaged[0].to_string(),
        format!("runs row 3: status: unexpected value \"stopped\"")
    );
    let err = store.find_run(&stopped.id.to_string()).unwrap_err();
    assert!(matches!(err, StoreError::Damaged(_)), "{err:?}");

    // The run with damaged rows shows everything else.
    let step = Resource::step_run(bad_step.id);
    let groups = store.metadata_by_component(step).unwrap();
    assert_eq!(groups.len(), 1);
    let keys: Vec<_> = groups[0].metadata.keys().collect();
    assert_eq!(keys, ["key_3"]);
    let run_metadata = store.metadata(Resource::pipeline_run(bad.id)).unwrap();
    assert_eq!(run_metadata.len(), 4);
    assert!(matches!(
        store.metadata(step).unwrap_err(),
        StoreError::Damaged(_)
    ));
    assert!(store.hook_failures(step).unwrap().is_empty());
    let reasons = reasons(&store, bad.id);
    assert_eq!(reasons.len(), 4, "{reasons:#?}");
    assert!(reasons[0].starts_with(&format!("run_metadata row {json_row}: key \"key_0\": ")));
    assert!(reasons[1].contains("key \"key_1\"") && reasons[1].contains("Bogus"));
    assert!(reasons[2].contains("key \"\""), "{}", reasons[2]);
    assert!(reasons[3].starts_with("hook_failures row 2: hook: unexpected value \"sideways\""));

    // Read whole in one pass, the run gives the same records and names the same damage.
    let contents = store.run_contents(bad.id).unwrap();
    let named: Vec<String> = contents.damaged.iter().map(ToString::to_string).collect();
    assert_eq!(named, reasons);
    assert_eq!(contents.steps.len(), store.steps(bad.id).unwrap().len());
    for (step, reported) in &contents.steps {
        let resource = Resource::step_run(step.id);
        assert_eq!(
            reported.metadata,
            store.metadata_by_component(resource).unwrap()
        );
        assert_eq!(reported.failures, store.hook_failures(resource).unwrap());
    }
    assert_eq!(
        contents.pipeline.metadata,
        store
            .metadata_by_component(Resource::pipeline_run(bad.id))
            .unwrap()
    );

    // The good run is untouched; check names all five.
    assert!(store.damaged(good.id).unwrap().is_empty());
    let health = store.check().unwrap();
    assert!(health.integrity.is_empty());
    assert_eq!(health.damaged.len(), 5);
    assert_eq!((health.runs, health.steps), (2, 2));
}

#[test]
fn text_that_is_not_utf8_is_set_aside_and_named() {
    let dir = TempDir::new("not-utf8");
    let (path, [(good, _), (bad, bad_step), (broken, _)]) =
        recorded_runs(&dir, [("good", 2), ("bad", 3), ("broken", 1)]);
    // Bytes SQLite keeps as text but Rust cannot read as a string: in a run's name, a key, a
    // value and a step's name.
    sql(
        &path,
        &format!(
            "UPDATE runs SET name = CAST(x'41ff42' AS TEXT) WHERE id = '{}';
             UPDATE run_metadata SET key = CAST(x'6bff' AS TEXT) WHERE key = 'key_0'
               AND id IN (SELECT run_metadata_id FROM run_metadata_resources WHERE resource_id = '{}');
             UPDATE run_metadata SET value = CAST(x'22ff22' AS TEXT) WHERE key = 'key_1'
               AND id IN (SELECT run_metadata_id FROM run_metadata_resources WHERE resource_id = '{}');",
            broken.id, bad_step.id, bad_step.id
        ),
    );
    let store = Store::open(&path).unwrap();
    let names: Vec<_> = store.runs().unwrap().into_iter().map(|r| r.name).collect();
    assert_eq!(names, ["bad", "good"], "the other runs are listed");
    let damaged = store.damaged_runs().unwrap();
    assert_eq!(damaged.len(), 1);
    assert!(
        damaged[0]
            .to_string()
            .contains("name: text that is not UTF-8"),
        "{}",
        damaged[0]
    );
    let step = Resource::step_run(bad_step.id);
    let keys: Vec<_> = store.metadata_by_component(step).unwrap()[0]
        .metadata
        .keys()
        .map(str::to_owned)
        .collect();
    assert_eq!(keys, ["key_2"], "the readable row is read");
    let reasons = reasons(&store, bad.id);
    assert_eq!(reasons.len(), 2, "{reasons:#?}");
    assert!(
        reasons.iter().all(|r| r.contains("not UTF-8")),
        "{reasons:#?}"
    );
    assert!(store.damaged(good.id).unwrap().is_empty());
    assert_eq!(store.check().unwrap().damaged.len(), 3);
}

#[test]
fn a_page_damaged_outside_sqlite_is_found_and_named() {
    let dir = TempDir::new("malformed");
    let path = dir.path("runs.db");
    let mut store = Store::open(&path).unwrap();
    let (run, step) = recorded_run(&mut store, "r", 400);
    drop(store);
    let clean = std::fs::read(&path).unwrap();
    let page = 4096;
    let pages = clean.len() / page;
    assert!(pages > 9, "{pages} pages");
    // The first cell pointers of every page in the middle third, past the page's end; or the
    // header of each. The check says where: the page where SQLite can, else the table.
    let pointers = |bytes: &mut Vec<u8>| {
        for p in pages / 3..2 * pages / 3 {
            bytes[p * page + 8..p * page + 16].fill(0xFF);
        }
    };
    let headers = |bytes: &mut Vec<u8>| {
        for p in pages / 3..2 * pages / 3 {
            bytes[p * page..p * page + 8].fill(0xA5);
        }
    };
    for (how, damage) in [
        ("cell pointers", &pointers as &dyn Fn(&mut Vec<u8>)),
        ("page headers", &headers),
    ] {
        let mut bytes = clean.clone();
        damage(&mut bytes);
        std::fs::write(&path, &bytes).unwrap();

        let store = Store::open(&path).unwrap();
        let health = store.check().unwrap();
        assert!(!health.is_ok(), "{how}");
        assert!(
            health
                .integrity
                .iter()
                .any(|f| f.contains(" page ") || f.starts_with("table run_metadata")),
            "{how}: {:?}",
            health.integrity
        );
        let reads = [
            store.metadata(Resource::pipeline_run(run.id)).map(drop),
            store.metadata(Resource::step_run(step.id)).map(drop),
        ];
        let corrupt: Vec<_> = reads.into_iter().filter_map(Result::err).collect();
        assert!(!corrupt.is_empty(), "{how}: no read met the damaged pages");
        for err in corrupt {
            assert!(matches!(err, StoreError::Corrupt { .. }), "{how}: {err:?}");
            let text = err.to_string();
            assert!(text.contains(&*path.to_string_lossy()), "{text}");
            assert!(text.contains("run-metadata check"), "{text}");
        }
    }
}
