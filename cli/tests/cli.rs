//! The `run-metadata` command on a real store.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use run_metadata::stack::{Component, ComponentKind, Stack, StepSpec};
use run_metadata::store::Store;
use run_metadata::zenml::Outbox;
use run_metadata::{RunMetadata, StorageSize};
use run_metadata_tests::TempDir;

#[derive(RunMetadata)]
struct Orchestrator {
    #[metadata(pipeline, uri)]
    console: String,
    #[metadata(step, storage_size)]
    memory: u64,
    #[metadata(step)]
    shape: (u32, u32),
}

/// A store with two runs: `first` (two steps, one failed) and `second`.
fn store(dir: &TempDir) -> PathBuf {
    let path = dir.path("runs.db");
    let mut store = Store::open(&path).unwrap();
    let stack = Stack::new("local").with(Component::new(
        ComponentKind::Orchestrator,
        "cluster",
        Orchestrator {
            console: "https://console.example/x".into(),
            memory: 3 << 29,
            shape: (2, 3),
        },
    ));
    let mut run = stack.start_run(&mut store, "training", "first");
    let _: Result<(), String> = run.step(&StepSpec::new("load"), || Ok(()));
    let _: Result<(), String> = run.step(&StepSpec::new("train"), || Err("diverged".into()));
    run.finish();
    std::thread::sleep(std::time::Duration::from_millis(5));
    stack.start_run(&mut store, "training", "second").finish();
    path
}

fn cli(args: &[&str], store: Option<&Path>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_run-metadata"));
    cmd.args(args).env_remove("RUN_METADATA_STORE");
    if let Some(store) = store {
        cmd.arg("--store").arg(store);
    }
    cmd.output().unwrap()
}

fn stdout(o: &Output) -> String {
    assert!(
        o.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn runs_lists_latest_first() {
    let dir = TempDir::new("runs");
    let path = store(&dir);
    let out = stdout(&cli(&["runs"], Some(&path)));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(lines[0].starts_with("ID "), "{out}");
    assert!(
        lines[1].contains("second") && lines[1].contains("completed"),
        "{out}"
    );
    assert!(
        lines[2].contains("first") && lines[2].contains("failed"),
        "{out}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&cli(&["runs", "--json"], Some(&path)))).unwrap();
    assert_eq!(json[0]["name"], "second");
    assert_eq!(json[1]["status"], "failed");
}

#[test]
fn show_prints_metadata_by_component_in_dashboard_form() {
    let dir = TempDir::new("show");
    let path = store(&dir);
    let out = stdout(&cli(&["show", "first", "--links", "never"], Some(&path)));
    assert!(out.starts_with("run first  "), "{out}");
    assert!(
        out.contains("pipeline training  stack local  failed"),
        "{out}"
    );
    assert!(out.contains("pipeline run\n  orchestrator `cluster`\n    console  https://console.example/x  [Uri]\n"), "{out}");
    assert!(out.contains("step load  completed"), "{out}");
    assert!(out.contains("step train  failed"), "{out}");
    assert!(
        out.contains("    memory  1.50 GiB  [StorageSize]\n    shape   (2, 3)  [tuple]\n"),
        "{out}"
    );
    assert!(!out.contains('\x1b'), "no escapes without links: {out:?}");

    let linked = stdout(&cli(&["show", "first", "--links", "always"], Some(&path)));
    assert!(
        linked.contains(
            "\x1b]8;;https://console.example/x\x1b\\https://console.example/x\x1b]8;;\x1b\\"
        ),
        "{linked:?}"
    );
    // Not a terminal: auto means no links.
    assert!(!stdout(&cli(&["show", "first"], Some(&path))).contains('\x1b'));

    let latest = stdout(&cli(&["show", "latest", "--links", "never"], Some(&path)));
    assert!(latest.starts_with("run second  "), "{latest}");
}

#[test]
fn show_json_gives_zenml_values_and_types() {
    let dir = TempDir::new("json");
    let path = store(&dir);
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&cli(&["show", "first", "--json"], Some(&path)))).unwrap();
    assert_eq!(json["run"]["name"], "first");
    let pipeline = &json["pipeline_run"][0];
    assert_eq!(pipeline["component"]["kind"], "orchestrator");
    assert_eq!(pipeline["values"]["console"], "https://console.example/x");
    assert_eq!(pipeline["types"]["console"], "Uri");
    let train = &json["steps"][1];
    assert_eq!(train["name"], "train");
    assert_eq!(train["status"], "failed");
    assert_eq!(
        train["metadata"][0]["values"]["memory"],
        StorageSize::new(3 << 29).bytes()
    );
    assert_eq!(
        train["metadata"][0]["values"]["shape"],
        serde_json::json!([2, 3])
    );
    assert_eq!(train["metadata"][0]["types"]["shape"], "tuple");
}

#[test]
fn the_store_comes_from_the_environment_without_store() {
    let dir = TempDir::new("env");
    let path = store(&dir);
    let out = Command::new(env!("CARGO_BIN_EXE_run-metadata"))
        .args(["show", "latest"])
        .env("RUN_METADATA_STORE", &path)
        .output()
        .unwrap();
    assert!(stdout(&out).starts_with("run second"));
}

#[test]
fn clear_errors() {
    let dir = TempDir::new("errors");
    let path = store(&dir);

    let unknown = cli(&["show", "no-such-run"], Some(&path));
    assert_eq!(unknown.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&unknown.stderr),
        "run-metadata: no run matches \"no-such-run\"\n"
    );

    let missing = dir.path("missing.db");
    let out = cli(&["runs"], Some(&missing));
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no store at") && err.contains("missing.db"),
        "{err}"
    );
    assert!(!missing.exists(), "reading must not create a store");

    let not_a_store = dir.path("notes.txt");
    std::fs::write(&not_a_store, "hello, this is text").unwrap();
    let out = cli(&["runs"], Some(&not_a_store));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a run-metadata store"));
    assert_eq!(
        std::fs::read_to_string(&not_a_store).unwrap(),
        "hello, this is text"
    );

    let usage = cli(&["shwo"], None);
    assert_eq!(usage.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&usage.stderr).contains("unknown command \"shwo\""));
    assert_eq!(cli(&["show"], None).status.code(), Some(2));
    assert_eq!(cli(&["runs", "--bogus"], None).status.code(), Some(2));
}

#[test]
fn help_and_version() {
    assert!(stdout(&cli(&["--help"], None)).starts_with("usage: run-metadata"));
    assert!(stdout(&cli(&[], None)).starts_with("usage: run-metadata"));
    assert_eq!(
        stdout(&cli(&["--version"], None)),
        format!("run-metadata {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn sync_keeps_everything_while_the_server_is_away() {
    let dir = TempDir::new("sync");
    let path = store(&dir);
    // Nothing listens on port 9 (discard) of this machine.
    let server = "http://127.0.0.1:9";
    {
        let mut store = Store::open(&path).unwrap();
        Outbox::new(server)
            .keep_metadata(
                &mut store,
                run_metadata::Resource::pipeline_run(uuid::Uuid::new_v4()),
                None,
                &run_metadata::metadata! { "k" => 1 },
            )
            .unwrap();
    }
    let out = Command::new(env!("CARGO_BIN_EXE_run-metadata"))
        .args(["sync", "--store"])
        .arg(&path)
        .env("ZENML_STORE_URL", server)
        .env("ZENML_STORE_USERNAME", "default")
        .env_remove("ZENML_STORE_API_KEY")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("could not be reached") || err.contains("not tried"),
        "{err}"
    );
    assert_eq!(
        Outbox::new(server)
            .metadata(&Store::open(&path).unwrap())
            .unwrap()
            .len(),
        1,
        "kept"
    );

    let unconfigured = Command::new(env!("CARGO_BIN_EXE_run-metadata"))
        .args(["sync", "--store"])
        .arg(&path)
        .env_remove("ZENML_STORE_URL")
        .output()
        .unwrap();
    assert_eq!(unconfigured.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unconfigured.stderr).contains("ZENML_STORE_URL is not set"));
}
