//! The store under faults: a writer killed in the middle of a transaction, a full disk, a file
//! that cannot be written. Committed entries stay, whole; nothing is half-written.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use run_metadata::Resource;
use run_metadata::sink::Sink;
use run_metadata::stack::{ComponentInfo, ComponentKind};
use run_metadata::store::Store;
use run_metadata::{Metadata, metadata};
use run_metadata_tests::TempDir;
use uuid::Uuid;

/// Rows whose link is missing, links whose row is missing: a half-written publish.
fn orphans(path: &Path) -> (i64, i64, String) {
    let conn = rusqlite::Connection::open(path).unwrap();
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    let rows = count(
        "SELECT count(*) FROM run_metadata m WHERE NOT EXISTS
         (SELECT 1 FROM run_metadata_resources r WHERE r.run_metadata_id = m.id)",
    );
    let links = count(
        "SELECT count(*) FROM run_metadata_resources r WHERE NOT EXISTS
         (SELECT 1 FROM run_metadata m WHERE m.id = r.run_metadata_id)",
    );
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    (rows, links, integrity)
}

#[test]
fn a_writer_killed_mid_transaction_leaves_every_commit_whole() {
    const KEYS: usize = 500;
    let dir = TempDir::new("sigkill");
    let path = dir.path("runs.db");
    let run = Uuid::new_v4();
    for round in 0..3 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_store_crasher"))
            .args([path.to_str().unwrap(), &run.to_string(), &KEYS.to_string()])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        // Let it commit a few, then kill it at once: with 500 rows per transaction, it is most
        // likely inside one.
        let mut committed = 0;
        while committed < 3 + round {
            let line = lines.next().expect("the writer reports commits").unwrap();
            committed = line.trim_start_matches("committed ").parse().unwrap();
        }
        std::thread::sleep(Duration::from_millis(3));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        // What it reported after the last line read is committed too; count from the store.
        let store = Store::open(&path).unwrap();
        let m = store.metadata(Resource::pipeline_run(run)).unwrap();
        assert!(
            m.len() >= committed * KEYS,
            "round {round}: {} < {}",
            m.len(),
            committed * KEYS
        );
        assert_eq!(
            m.len() % KEYS,
            0,
            "round {round}: a publish is all or nothing"
        );
        drop(store);
        assert_eq!(orphans(&path), (0, 0, "ok".to_owned()), "round {round}");
    }
}

fn mount_tmpfs(dir: &Path, size: &str) -> bool {
    std::fs::create_dir_all(dir).unwrap();
    Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
        .arg(dir)
        .status()
        .is_ok_and(|s| s.success())
}

fn component() -> ComponentInfo {
    ComponentInfo {
        id: Uuid::from_u128(9),
        name: "c".into(),
        kind: ComponentKind::Orchestrator,
    }
}

#[test]
fn a_full_disk_is_a_clear_error_and_loses_nothing_committed() {
    let dir = TempDir::new("full");
    let mount = dir.path("tiny");
    if !mount_tmpfs(&mount, "600k") {
        eprintln!("a_full_disk: NOT RUN: mounting a 600 KiB tmpfs needs root (mount -t tmpfs)");
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs as root and must run this test"
        );
        return;
    }
    let path = mount.join("runs.db");
    let run = Resource::pipeline_run(Uuid::new_v4());
    let mut store = Store::open(&path).unwrap();
    let mut committed = 0usize;
    let error = loop {
        let mut m = Metadata::with_capacity(100);
        for k in 0..100 {
            m.insert(format!("b{committed}_k{k}"), "x".repeat(200))
                .unwrap();
        }
        match store.publish(run, &component(), &m) {
            Ok(()) => committed += 1,
            Err(e) => break e,
        }
        assert!(committed < 1000, "a 600 KiB disk cannot hold this much");
    };
    let text = error.to_string();
    assert!(text.contains("full") || text.contains("disk"), "{text}");
    assert!(committed > 0);
    // Everything committed before is there, whole, and the store still reads.
    let m = store.metadata(run).unwrap();
    assert_eq!(m.len(), committed * 100);
    drop(store);
    let reopened = Store::open(&path).unwrap();
    assert_eq!(reopened.metadata(run).unwrap().len(), committed * 100);
    drop(reopened);
    let _ = Command::new("umount").arg(&mount).status();
}

#[test]
fn a_file_that_cannot_be_written_is_a_clear_error_and_loses_nothing() {
    let dir = TempDir::new("readonly");
    let path = dir.path("runs.db");
    let run = Resource::pipeline_run(Uuid::new_v4());
    {
        let mut store = Store::open(&path).unwrap();
        store
            .publish(run, &component(), &metadata! { "kept" => 1 })
            .unwrap();
    }
    // `chattr +i`: not even root may write it (permissions alone do not stop root).
    let immutable = Command::new("chattr")
        .arg("+i")
        .arg(&path)
        .status()
        .is_ok_and(|s| s.success());
    if !immutable {
        eprintln!("a_file_that_cannot_be_written: NOT RUN: chattr +i is not available here");
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs as root and must run this test"
        );
        return;
    }
    let result = Store::open(&path).and_then(|mut store| {
        let kept = store.metadata(run)?;
        let err = store.publish(run, &component(), &metadata! { "new" => 2 });
        Ok((kept, err.map_err(|e| e.to_string())))
    });
    let _ = Command::new("chattr").arg("-i").arg(&path).status();
    match result {
        // Opening refused: a clear error naming the problem.
        Err(e) => {
            let text = e.to_string();
            assert!(
                text.contains("readonly")
                    || text.contains("read-only")
                    || text.contains("permission")
                    || text.contains("not permitted"),
                "{text}"
            );
        }
        // Opened for reading; the write is refused.
        Ok((kept, write)) => {
            assert_eq!(kept.to_json(), r#"{"kept":1}"#);
            let text = write.unwrap_err();
            assert!(
                text.contains("readonly") || text.contains("read-only"),
                "{text}"
            );
        }
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.metadata(run).unwrap().to_json(), r#"{"kept":1}"#);
}
