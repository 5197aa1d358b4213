//! Every value a run records reaches the ZenML server exactly once, whatever happens on the way:
//! a fleet of runners starting together on a fresh server, a client killed or an answer lost at
//! each request of a whole run, several syncs at once on one store, a run made with wrong
//! credentials. Checked row by row against the server's own database, never against our own
//! counts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use run_metadata_tests::proxy::{Fault, Proxy};
use run_metadata_tests::{OwnServer, TempDir, live_server};

/// One metadata row: resource id (hex, no hyphens), resource type, component name, key,
/// value's JSON, type tag.
type Row = (String, String, String, String, String, String);

fn runner(mode: &str, store: &Path, url: &str, password: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zenml_runner"));
    cmd.args([mode, &store.display().to_string(), url, password])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// Starts a runner that waits for its gate: its pid is known before its first request.
fn gated(cmd: &mut Command) -> Child {
    cmd.env("ZENML_RUNNER_GATE", "1")
        .stdin(Stdio::piped())
        .spawn()
        .expect("the runner starts")
}

/// Lets a gated runner go.
fn open_gate(mut child: Child) -> Child {
    use std::io::Write as _;
    let mut stdin = child.stdin.take().expect("a piped standard input");
    stdin.write_all(b"go\n").expect("the runner reads its gate");
    child
}

fn spawn(mode: &str, store: &Path, url: &str, password: &str) -> Child {
    runner(mode, store, url, password)
        .spawn()
        .expect("the runner starts")
}

/// What the runner said of the outbox: (kept, refused).
fn outbox_said(out: &Output) -> (usize, usize) {
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().last().unwrap_or_default();
    let numbers: Vec<usize> = line.split(' ').filter_map(|w| w.parse().ok()).collect();
    assert_eq!(
        numbers.len(),
        2,
        "runner said {line:?}; stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (numbers[0], numbers[1])
}

/// A [`Row`] from the columns resource id, resource type, component, key, value, tag.
fn row_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok((
        r.get::<_, String>(0)?.replace('-', ""),
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
    ))
}

/// The store's metadata rows and the ids of its runs and steps.
fn local_rows(store: &Path) -> (Vec<Row>, Vec<String>) {
    let conn = rusqlite::Connection::open(store).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT l.resource_id, l.resource_type, c.name, m.key, m.value, m.type
             FROM run_metadata m JOIN run_metadata_resources l ON l.run_metadata_id = m.id
             JOIN components c ON c.id = m.stack_component_id",
        )
        .unwrap();
    let rows = stmt
        .query_map([], row_of)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut ids: Vec<String> = conn
        .prepare("SELECT id FROM runs UNION ALL SELECT id FROM steps")
        .unwrap()
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|id| id.unwrap().replace('-', ""))
        .collect();
    ids.sort();
    (rows, ids)
}

/// Where a server keeps its rows.
enum Database<'a> {
    /// Its SQLite file.
    Sqlite(&'a Path),
    /// The MariaDB of `scripts/zenml-mariadb.sh`.
    Mariadb,
}

/// The server's metadata rows for the resources `ids`, from its database.
fn server_rows(database: &Database<'_>, ids: &[String]) -> Vec<Row> {
    let database = match database {
        Database::Sqlite(path) => path,
        Database::Mariadb => {
            let out = mariadb(&[
                "sql",
                "SELECT r.resource_id, r.resource_type, c.name, m.`key`, m.value, m.type
                 FROM run_metadata m JOIN run_metadata_resource r ON r.run_metadata_id = m.id
                 JOIN stack_component c ON c.id = m.stack_component_id",
            ]);
            return out
                .lines()
                .filter_map(|line| {
                    let f: Vec<&str> = line.split('\t').collect();
                    let [id, kind, component, key, value, tag] = f[..] else {
                        return None;
                    };
                    Some((
                        id.replace('-', ""),
                        kind.to_owned(),
                        component.to_owned(),
                        key.to_owned(),
                        value.to_owned(),
                        tag.to_owned(),
                    ))
                })
                .filter(|row: &Row| ids.binary_search(&row.0).is_ok())
                .collect();
        }
    };
    let conn =
        rusqlite::Connection::open_with_flags(database, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    conn.busy_timeout(std::time::Duration::from_secs(30))
        .unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT r.resource_id, r.resource_type, c.name, m.key, m.value, m.type
             FROM run_metadata m JOIN run_metadata_resource r ON r.run_metadata_id = m.id
             JOIN stack_component c ON c.id = m.stack_component_id",
        )
        .unwrap();
    stmt.query_map([], row_of)
        .unwrap()
        .map(Result::unwrap)
        .filter(|row: &Row| ids.binary_search(&row.0).is_ok())
        .collect()
}

/// Rows counted: each row and how many times it is there.
fn counted(rows: Vec<Row>) -> BTreeMap<Row, usize> {
    let mut counts = BTreeMap::new();
    for row in rows {
        *counts.entry(row).or_insert(0) += 1;
    }
    counts
}

/// Lost and duplicated rows of `store` on the server: (lost, duplicated), each listed.
fn compare(database: &Database<'_>, store: &Path) -> (Vec<Row>, Vec<Row>) {
    let (local, ids) = local_rows(store);
    let there = counted(server_rows(database, &ids));
    let here = counted(local);
    let mut lost = Vec::new();
    let mut duplicated = Vec::new();
    for (row, &n) in &here {
        let m = there.get(row).copied().unwrap_or(0);
        for _ in m..n {
            lost.push(row.clone());
        }
        for _ in n..m {
            duplicated.push(row.clone());
        }
    }
    for (row, &m) in &there {
        if !here.contains_key(row) {
            for _ in 0..m {
                duplicated.push(row.clone());
            }
        }
    }
    (lost, duplicated)
}

/// Asserts that the server holds `store`'s rows exactly once, and that the store has some.
fn assert_exactly_once(database: &Database<'_>, store: &Path, what: &str) -> usize {
    let (local, _) = local_rows(store);
    let (lost, duplicated) = compare(database, store);
    assert!(
        lost.is_empty() && duplicated.is_empty(),
        "{what}: {} rows here, {} lost {lost:?}, {} duplicated {duplicated:?}",
        local.len(),
        lost.len(),
        duplicated.len()
    );
    local.len()
}

/// Runs the process `start(n, kill)` gives with the fault at its request `n`, for n = 1, 2, ...:
/// the process SIGKILLed (`kill`) or the answer dropped, each followed by `after(what, store)`,
/// until a process ends before its request `n` in both modes: every request was hit, however
/// many the process made (retries under load make more). Returns how many requests that was.
fn at_every_request(
    proxy: &Proxy,
    mut start: impl FnMut(usize, bool) -> (Command, PathBuf),
    mut after: impl FnMut(&str, &Path),
) -> usize {
    let mut done = [false, false];
    let mut n = 0;
    while done != [true, true] {
        n += 1;
        assert!(n < 200, "a process that never ends its requests");
        for (mode, kill) in [(0, true), (1, false)] {
            if done[mode] {
                continue;
            }
            let (mut command, store) = start(n, kill);
            let what = format!(
                "{} at request {n}",
                if kill { "killed" } else { "answer lost" }
            );
            if kill {
                let child = gated(&mut command);
                proxy.set(Fault::Kill {
                    at: n,
                    pid: child.id(),
                });
                open_gate(child).wait_with_output().unwrap();
            } else {
                proxy.set(Fault::DropAnswer(n));
                command.output().unwrap();
            }
            if !proxy.fired() {
                done[mode] = true;
            }
            after(&what, &store);
        }
    }
    n - 1
}

fn store_in(dir: &TempDir, name: &str) -> PathBuf {
    dir.path(&format!("{name}.db"))
}

/// 16 runners started together, each running the three-step pipeline into a store of its own,
/// spread over `urls` in turn: each must end with everything delivered, once, in `database`.
/// The rows found.
fn fleet(name: &str, urls: &[&str], database: &Database) -> usize {
    let dir = TempDir::new(name);
    let stores: Vec<PathBuf> = (0..16).map(|i| store_in(&dir, &format!("r{i}"))).collect();
    let children: Vec<Child> = stores
        .iter()
        .enumerate()
        .map(|(i, s)| spawn("run", s, urls[i % urls.len()], ""))
        .collect();
    let outputs: Vec<Output> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let mut rows = 0;
    for (i, (out, store)) in outputs.iter().zip(&stores).enumerate() {
        assert!(out.status.success(), "runner {i}: {out:?}");
        assert_eq!(
            outbox_said(out),
            (0, 0),
            "runner {i} delivered all: {out:?}"
        );
        rows += assert_exactly_once(database, store, &format!("runner {i}"));
    }
    rows
}

#[test]
fn a_fleet_starting_together_on_a_fresh_server_arrives_whole() {
    if live_server("a_fleet_starting_together").is_none() {
        return;
    }
    let (server, url) = OwnServer::fresh("zenml-server-fleet");
    let rows = fleet(
        "fleet",
        &[url.as_str()],
        &Database::Sqlite(&server.database()),
    );
    // 16 runs registered, each once, under the names they have locally.
    let conn = rusqlite::Connection::open(server.database()).unwrap();
    let runs: i64 = conn
        .query_row(
            "SELECT count(*) FROM pipeline_run WHERE name LIKE 'fleet-%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(runs, 16);
    // Each run: 4 pipeline values; each of 3 steps: 3 tracker values.
    assert_eq!(rows, 16 * (4 + 3 * 3));
}

#[test]
fn a_client_killed_or_an_answer_lost_at_any_request_loses_and_repeats_nothing() {
    if live_server("a_client_killed_or_an_answer_lost").is_none() {
        return;
    }
    let (server, url) = OwnServer::start("zenml-server-once");
    let proxy = Proxy::start(&url);
    let dir = TempDir::new("once");
    // A whole run first (the stack and its components registered before, as for every run
    // after a fleet's first).
    let warm = store_in(&dir, "warm");
    let out = runner("run", &warm, &proxy.url, "").output().unwrap();
    assert_eq!(outbox_said(&out), (0, 0), "{out:?}");
    // Then the fault at every request of a whole run; one sync after.
    let mut rows = 0;
    let n = at_every_request(
        &proxy,
        |n, kill| {
            let store = store_in(&dir, &format!("n{n}-{kill}"));
            (runner("run", &store, &proxy.url, ""), store)
        },
        |what, store| {
            // Through the same URL, the fault gone: a run killed before the server first
            // answered kept its records under that URL (the server's id unknown yet).
            proxy.set(Fault::None);
            let out = runner("sync", store, &proxy.url, "").output().unwrap();
            assert_eq!(outbox_said(&out), (0, 0), "{what}: after one sync: {out:?}");
            rows += assert_exactly_once(&Database::Sqlite(&server.database()), store, what);
        },
    );
    assert!(n >= 15, "a whole run makes {n} requests");
    assert!(rows > 0);
}

#[test]
fn concurrent_syncs_on_one_store_send_each_item_once() {
    if live_server("concurrent_syncs_on_one_store").is_none() {
        return;
    }
    let (server, url) = OwnServer::start("zenml-server-syncs");
    let proxy = Proxy::start(&url);
    let dir = TempDir::new("syncs");
    for syncs in [2, 4] {
        let store = store_in(&dir, &format!("syncs{syncs}"));
        // Three runs while the server is away: everything kept.
        proxy.set(Fault::Down);
        for _ in 0..3 {
            let out = runner("run", &store, &proxy.url, "").output().unwrap();
            let (kept, refused) = outbox_said(&out);
            assert!(kept > 0 && refused == 0, "{out:?}");
        }
        proxy.set(Fault::None);
        let children: Vec<Child> = (0..syncs)
            .map(|_| spawn("sync", &store, &proxy.url, ""))
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "{out:?}");
            assert_eq!(outbox_said(&out), (0, 0), "{out:?}");
        }
        let rows = assert_exactly_once(
            &Database::Sqlite(&server.database()),
            &store,
            &format!("{syncs} syncs"),
        );
        assert_eq!(rows, 3 * 13);
    }
}

#[test]
fn four_runners_on_one_store_while_runs_are_kept_send_each_item_once() {
    if live_server("four_runners_on_one_store").is_none() {
        return;
    }
    let (server, url) = OwnServer::start("zenml-server-sinks");
    let proxy = Proxy::start(&url);
    let dir = TempDir::new("sinks");
    let store = store_in(&dir, "shared");
    // Three runs kept while the server was away.
    proxy.set(Fault::Down);
    for _ in 0..3 {
        let out = runner("run", &store, &proxy.url, "").output().unwrap();
        assert!(outbox_said(&out).0 > 0, "{out:?}");
    }
    // Four runs at once on the same store, the server back: each sink sends what is kept too.
    proxy.set(Fault::None);
    let children: Vec<Child> = (0..4)
        .map(|_| spawn("run", &store, &proxy.url, ""))
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{out:?}");
    }
    let out = runner("sync", &store, &proxy.url, "").output().unwrap();
    assert_eq!(outbox_said(&out), (0, 0), "{out:?}");
    let rows = assert_exactly_once(
        &Database::Sqlite(&server.database()),
        &store,
        "4 runners on one store",
    );
    assert_eq!(rows, 7 * 13);
}

#[test]
fn a_run_made_with_wrong_credentials_is_delivered_once_they_are_right() {
    if live_server("a_run_made_with_wrong_credentials").is_none() {
        return;
    }
    let (server, url) = OwnServer::start("zenml-server-credentials");
    let dir = TempDir::new("credentials");
    let store = store_in(&dir, "rotated");
    let out = runner("run", &store, &url, "not-the-password")
        .output()
        .unwrap();
    let (kept, refused) = outbox_said(&out);
    assert!(kept > 0, "everything kept: {out:?}");
    assert_eq!(refused, 0, "credentials are not a refusal: {out:?}");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("refused the credentials"), "{said}");
    let (lost, _) = compare(&Database::Sqlite(&server.database()), &store);
    assert_eq!(lost.len(), 13, "nothing reached the server yet");

    let out = runner("sync", &store, &url, "").output().unwrap();
    assert_eq!(outbox_said(&out), (0, 0), "{out:?}");
    assert_eq!(
        assert_exactly_once(
            &Database::Sqlite(&server.database()),
            &store,
            "after the key is fixed"
        ),
        13
    );
}

#[test]
fn a_sync_killed_or_losing_an_answer_at_any_request_is_finished_by_the_next() {
    if live_server("a_sync_killed_or_losing_an_answer").is_none() {
        return;
    }
    let (server, url) = OwnServer::start("zenml-server-sync-faults");
    let proxy = Proxy::start(&url);
    let dir = TempDir::new("sync-faults");
    // A run kept whole while the server was away.
    let kept_run = |name: &str| {
        let store = store_in(&dir, name);
        proxy.set(Fault::Down);
        let out = runner("run", &store, &proxy.url, "").output().unwrap();
        let (kept, refused) = outbox_said(&out);
        assert!(kept > 0 && refused == 0, "{out:?}");
        store
    };
    // A sync first (the stack registered before).
    let warm = kept_run("warm");
    let out = runner("sync", &warm, &url, "").output().unwrap();
    assert_eq!(outbox_said(&out), (0, 0), "{out:?}");
    // Then the fault at every request of a sync; the next sync, at the address the run was
    // kept for (a store that never reached its server keeps what waits for it under that URL).
    let n = at_every_request(
        &proxy,
        |n, kill| {
            let store = kept_run(&format!("n{n}-{kill}"));
            (runner("sync", &store, &proxy.url, ""), store)
        },
        |what, store| {
            proxy.set(Fault::None);
            let out = runner("sync", store, &proxy.url, "").output().unwrap();
            assert_eq!(
                outbox_said(&out),
                (0, 0),
                "{what}: after one more sync: {out:?}"
            );
            assert_eq!(
                assert_exactly_once(&Database::Sqlite(&server.database()), store, what),
                13
            );
        },
    );
    assert!(n > 15, "a sync of a run makes {n} requests");
}

/// Runs `scripts/zenml-mariadb.sh` with `args`; its standard output.
fn mariadb(args: &[&str]) -> String {
    let out = Command::new(run_metadata_tests::root().join("scripts/zenml-mariadb.sh"))
        .args(args)
        .output()
        .expect("scripts/zenml-mariadb.sh runs");
    assert!(
        out.status.success(),
        "scripts/zenml-mariadb.sh {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Stops the MariaDB pair when dropped, also when the test fails.
struct MariadbPair;

impl Drop for MariadbPair {
    fn drop(&mut self) {
        let _ = Command::new(run_metadata_tests::root().join("scripts/zenml-mariadb.sh"))
            .arg("stop")
            .output();
    }
}

#[test]
fn a_fleet_over_two_servers_on_mariadb_arrives_whole() {
    if live_server("a_fleet_over_two_servers_on_mariadb").is_none() {
        return;
    }
    // ZenML's production shape: MariaDB, two server processes over it, on an empty database.
    let urls: Vec<String> = mariadb(&["start"]).lines().map(str::to_owned).collect();
    let _pair = MariadbPair;
    assert_eq!(urls.len(), 2, "{urls:?}");
    let urls: Vec<&str> = urls.iter().map(String::as_str).collect();
    let rows = fleet("fleet-mariadb", &urls, &Database::Mariadb);
    assert_eq!(rows, 16 * (4 + 3 * 3));
    let runs = mariadb(&[
        "sql",
        "SELECT count(*) FROM pipeline_run WHERE name LIKE 'fleet-%'",
    ]);
    assert_eq!(runs.trim(), "16");
}

#[test]
fn a_slow_server_and_a_process_killed_after_its_last_step_lose_and_repeat_nothing() {
    if live_server("a_slow_server_and_a_process_killed").is_none() {
        return;
    }
    let (server, url) = OwnServer::start("zenml-server-late");
    let proxy = Proxy::start(&url);
    let dir = TempDir::new("late");
    let database = Database::Sqlite(&server.database());
    // A server 100 ms away: the steps go on while the worker sends; the end of the run waits
    // for it, and everything is there once.
    proxy.set(Fault::Slow(std::time::Duration::from_millis(100)));
    let slow = store_in(&dir, "slow");
    let out = runner("run", &slow, &proxy.url, "").output().unwrap();
    assert_eq!(outbox_said(&out), (0, 0), "{out:?}");
    assert_eq!(assert_exactly_once(&database, &slow, "a slow server"), 13);
    // Killed right after its last step, before the run ends: the worker had sent little of it.
    proxy.set(Fault::Slow(std::time::Duration::from_millis(100)));
    let killed = store_in(&dir, "killed");
    let out = runner("run-and-die", &killed, &proxy.url, "")
        .output()
        .unwrap();
    assert!(!out.status.success(), "the runner was killed: {out:?}");
    // 2 pipeline publishes and 3 per step: fewer reached the server before the kill.
    let before = proxy.requests_to("POST", "/api/v1/run-metadata");
    assert!(before < 11, "{before} publishes before the kill");
    // One sync sends the rest, once, the one in flight read back first (through the same URL:
    // the store had never reached the server, so what the run kept waits under that URL).
    proxy.set(Fault::None);
    let out = runner("sync", &killed, &proxy.url, "").output().unwrap();
    assert_eq!(outbox_said(&out), (0, 0), "after one sync: {out:?}");
    assert_eq!(
        assert_exactly_once(&database, &killed, "killed after its last step"),
        13
    );
}
