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

/// Keeps `{"k": 1}` for a run nobody registered, in the outbox of `server` in `store`.
fn keep_one(store: &mut Store, server: &str) {
    Outbox::new(server)
        .keep_metadata(
            store,
            run_metadata::Resource::pipeline_run(uuid::Uuid::new_v4()),
            None,
            &run_metadata::metadata! { "k" => 1 },
        )
        .unwrap();
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
    let err = String::from_utf8_lossy(&usage.stderr);
    assert!(
        err.starts_with("error: unrecognized subcommand 'shwo'")
            && err.contains("a similar subcommand exists: 'show'"),
        "{err}"
    );
    let no_run = cli(&["show"], None);
    assert_eq!(no_run.status.code(), Some(2));
    let err = String::from_utf8_lossy(&no_run.stderr);
    assert!(
        err.contains("required arguments were not provided") && err.contains("<RUN>"),
        "{err}"
    );
}

#[test]
fn an_unknown_flag_is_a_usage_error() {
    let out = cli(&["runs", "--bogus"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("error: unexpected argument '--bogus' found"),
        "{err}"
    );
    assert!(err.contains("Usage: run-metadata runs"), "{err}");
    // A flag of another command is unknown here too.
    assert_eq!(
        cli(&["runs", "--links", "never"], None).status.code(),
        Some(2)
    );
    let bad_value = cli(&["show", "latest", "--links", "sometimes"], None);
    assert_eq!(bad_value.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad_value.stderr);
    assert!(
        err.contains("invalid value 'sometimes'")
            && err.contains("[possible values: auto, always, never]"),
        "{err}"
    );
}

/// Standard output of a run that must succeed with nothing on standard error.
fn quiet_stdout(o: &Output) -> String {
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    stdout(o)
}

#[test]
fn help_and_version() {
    let help = quiet_stdout(&cli(&["--help"], None));
    assert!(
        help.starts_with("Lists runs and shows their metadata from the embedded store\n\nUsage: run-metadata [OPTIONS] [COMMAND]\n"),
        "{help}"
    );
    for told in [
        "  runs         List runs, latest first\n",
        "  show         Show a run's pipeline and step metadata, per component\n",
        "  report       Write a self-contained HTML report: the runs, their metadata by type, charts across runs\n",
        "  check        Check the store: SQLite's integrity check, and every record read back\n",
        "  sync         Send what a ZenML server could not take",
        "  completions  Print a completion script for SHELL (bash, elvish, fish, powershell, zsh)\n",
        "--store <PATH>",
        "RUN is a run id, a unique prefix of one, a run name, or `latest`.",
        "else $RUN_METADATA_STORE, else run-metadata/runs.db in",
        "run-metadata/runs.db in\n$XDG_DATA_HOME, ~/.local/share or %LOCALAPPDATA%",
        "ZENML_STORE_URL and\nZENML_STORE_API_KEY or ZENML_STORE_USERNAME/_PASSWORD, else your `zenml login`.",
    ] {
        assert!(help.contains(told), "{told:?} missing from {help}");
    }
    // Without a command, and with `help`, the same help.
    assert_eq!(quiet_stdout(&cli(&[], None)), help);
    assert_eq!(quiet_stdout(&cli(&["help"], None)), help);

    let show = quiet_stdout(&cli(&["show", "--help"], None));
    for told in [
        "Usage: run-metadata show [OPTIONS] <RUN>",
        "--json",
        "--links <WHEN>",
        "auto:   When standard output is a terminal that is not `dumb`",
        "[default: auto]",
        "--store <PATH>",
    ] {
        assert!(show.contains(told), "{told:?} missing from {show}");
    }
    let sync = quiet_stdout(&cli(&["sync", "-h"], None));
    for var in [
        "ZENML_STORE_URL",
        "ZENML_STORE_API_KEY",
        "ZENML_STORE_USERNAME",
        "ZENML_STORE_PASSWORD",
    ] {
        assert!(sync.contains(var), "{var} missing from {sync}");
    }

    let version = format!("run-metadata {}\n", env!("CARGO_PKG_VERSION"));
    assert_eq!(quiet_stdout(&cli(&["--version"], None)), version);
    assert_eq!(quiet_stdout(&cli(&["-V"], None)), version);
}

#[test]
fn a_store_path_that_is_not_utf8_is_used() {
    use std::ffi::OsString;
    use std::os::unix::ffi::OsStringExt;

    let dir = TempDir::new("non-utf8");
    // `runs-\xff.db`: a valid file name on Linux, not a Rust `String`.
    let mut name = dir.path("runs-").into_os_string().into_vec();
    name.extend_from_slice(b"\xff.db");
    let path = PathBuf::from(OsString::from_vec(name));
    assert!(path.to_str().is_none());
    std::fs::copy(store(&dir), &path).unwrap();

    let args = run_metadata_cli::parse([
        OsString::from("--store"),
        path.clone().into(),
        "runs".into(),
    ])
    .unwrap();
    assert_eq!(args.store.as_deref(), Some(path.as_path()));

    let out = stdout(&cli(&["show", "latest", "--links", "never"], Some(&path)));
    assert!(out.starts_with("run second  "), "{out}");

    // A missing store at such a path is the usual error, not a panic.
    let mut missing = dir.path("gone-").into_os_string().into_vec();
    missing.push(0xfe);
    let out = cli(&["runs"], Some(Path::new(&OsString::from_vec(missing))));
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no store at") && err.contains("gone-\u{fffd}"),
        "{err}"
    );
}

#[test]
fn a_run_that_is_not_utf8_is_a_usage_error() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    let out = Command::new(env!("CARGO_BIN_EXE_run-metadata"))
        .arg("show")
        .arg(OsStr::from_bytes(b"r\xffn"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("error: invalid UTF-8"), "{err}");
}

#[test]
fn a_double_dash_ends_the_options() {
    let dir = TempDir::new("dash");
    let path = dir.path("runs.db");
    {
        let mut store = Store::open(&path).unwrap();
        Stack::new("local")
            .start_run(&mut store, "training", "--json")
            .finish();
    }
    // `--json` after `--` is the run's name, not the flag; options come before `--`.
    let out = Command::new(env!("CARGO_BIN_EXE_run-metadata"))
        .arg("--store")
        .arg(&path)
        .args(["show", "--links", "never", "--", "--json"])
        .output()
        .unwrap();
    let out = stdout(&out);
    assert!(out.starts_with("run --json  "), "{out}");
    let args = run_metadata_cli::parse(["show", "--", "--json"]).unwrap();
    assert_eq!(
        args.command,
        Some(run_metadata_cli::Command::Show {
            run: "--json".into(),
            name: false,
            json: false,
            links: run_metadata_cli::Links::Auto,
        })
    );
    // Without `--` it is the flag, and the run is missing.
    assert_eq!(cli(&["show", "--json"], Some(&path)).status.code(), Some(2));
}

#[test]
fn sync_keeps_everything_while_the_server_is_away() {
    let dir = TempDir::new("sync");
    let path = store(&dir);
    // Nothing listens on port 9 (discard) of this machine.
    let server = "http://127.0.0.1:9";
    {
        let mut store = Store::open(&path).unwrap();
        keep_one(&mut store, server);
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
    assert!(err.contains("1 not sent are kept in the outbox"), "{err}");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("sending stopped: the ZenML server could not be reached"),
        "{said}"
    );
    assert_eq!(
        Outbox::new(server)
            .metadata(&Store::open(&path).unwrap(), true)
            .unwrap()
            .len(),
        1,
        "kept"
    );

    // Neither ZenML's variables nor a login: what was looked at, and how to log in.
    let zenml_config = dir.path("zenml-config");
    let unconfigured = Command::new(env!("CARGO_BIN_EXE_run-metadata"))
        .args(["sync", "--store"])
        .arg(&path)
        .env_remove("ZENML_STORE_URL")
        .env("ZENML_CONFIG_PATH", &zenml_config)
        .output()
        .unwrap();
    assert_eq!(unconfigured.status.code(), Some(1));
    let said = String::from_utf8_lossy(&unconfigured.stderr);
    assert!(
        said.contains(&format!(
            "no ZenML server to publish to. Looked at, in order: ZENML_STORE_URL: not set; \
             ZenML's configuration {}: not found. To name one, log in with ZenML's own CLI, \
             `zenml login https://your-zenml-server`",
            zenml_config.join("config.yaml").display()
        )),
        "{said}"
    );
}

/// An experiment tracker whose active run cannot be read: its step hook fails.
#[derive(RunMetadata)]
#[metadata(step_with = Self::active_run)]
struct Tracker {
    #[metadata(step)]
    experiment: &'static str,
}

impl Tracker {
    fn active_run(
        _: &Self,
        _: &run_metadata::StepRunInfo,
    ) -> Result<run_metadata::Metadata, String> {
        Err("the tracking server answered 503".into())
    }
}

#[test]
fn show_tells_which_hook_failed_and_reported_nothing() {
    let dir = TempDir::new("cli-failures");
    let path = dir.path("runs.db");
    {
        let mut store = Store::open(&path).unwrap();
        let stack = Stack::new("local")
            .with(Component::new(
                ComponentKind::Orchestrator,
                "cluster",
                Orchestrator {
                    console: "https://console.example/x".into(),
                    memory: 1024,
                    shape: (1, 1),
                },
            ))
            .with(Component::new(
                ComponentKind::ExperimentTracker,
                "mlflow",
                Tracker { experiment: "7" },
            ));
        let mut run = stack.start_run(&mut store, "training", "failing");
        let spec = StepSpec::new("train").with_experiment_tracker("mlflow");
        let _: Result<(), String> = run.step(&spec, || Ok(()));
        run.finish();
    }
    let text = stdout(&cli(&["show", "failing", "--links", "never"], Some(&path)));
    assert!(
        text.contains(
            "  experiment_tracker `mlflow`: nothing reported, its step_run_metadata failed: \
             the tracking server answered 503\n"
        ),
        "{text}"
    );
    assert!(
        !text.contains("experiment  7"),
        "the failing hook's field keys are dropped: {text}"
    );
    assert!(
        text.contains("memory  1.00 KiB"),
        "the others still report: {text}"
    );

    let json = stdout(&cli(&["show", "failing", "--json"], Some(&path)));
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let failures = &value["steps"][0]["failures"];
    assert_eq!(failures[0]["component"]["name"], "mlflow");
    assert_eq!(failures[0]["hook"], "step_run_metadata");
    assert_eq!(failures[0]["message"], "the tracking server answered 503");
    assert_eq!(failures[0]["panicked"], false);
    assert!(value.get("pipeline_run_failures").is_none(), "{json}");

    // The report shows the failure where it happened: under the step.
    let page = dir.path("failing.html");
    stdout(&cli(
        &["report", "failing", "--html", page.to_str().unwrap()],
        Some(&path),
    ));
    let html = std::fs::read_to_string(&page).unwrap();
    let step = html.find("<h4>step train").expect("the step's section");
    let failure = html
        .find("experiment_tracker mlflow: its step_run_metadata failed, nothing reported: the tracking server answered 503")
        .expect("the failure");
    assert!(failure > step, "the failure is under its step");
}

#[test]
fn report_writes_a_pipeline_a_run_or_says_what_is_not_found() {
    let dir = TempDir::new("report");
    let path = store(&dir);
    let page = dir.path("training.html");
    let said = stdout(&cli(
        &["report", "training", "--html", page.to_str().unwrap()],
        Some(&path),
    ));
    assert!(
        said.starts_with("wrote ") && said.ends_with(" bytes)\n"),
        "{said}"
    );
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<h2>Across the runs of pipeline training</h2>"));
    assert_eq!(html.matches("<section id=\"run-").count(), 2);
    assert!(
        html.contains("<span class=\"status-failed\">failed</span>"),
        "the failed step"
    );
    // The orchestrator's memory, reported on each step, is charted per step: one point each,
    // as only the first run has steps.
    assert_eq!(
        html.matches("data-key=\"memory\" data-points=\"1\"")
            .count(),
        2,
        "{html}"
    );

    let one = dir.path("second.html");
    stdout(&cli(
        &["report", "second", "--html", one.to_str().unwrap()],
        Some(&path),
    ));
    let html = std::fs::read_to_string(&one).unwrap();
    assert_eq!(html.matches("<section id=\"run-").count(), 1);
    assert!(html.contains("<h2>Beside the run before it</h2>"));

    // An unknown target is an error, and an existing file is left as it was.
    let kept = dir.path("x.html");
    std::fs::write(&kept, "an earlier report").unwrap();
    let unknown = cli(
        &["report", "nope", "--html", kept.to_str().unwrap()],
        Some(&path),
    );
    assert_eq!(unknown.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&unknown.stderr),
        "run-metadata: no run matches \"nope\"\n"
    );
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), "an earlier report");

    // A record that cannot be read back is named in its run, not silently left out.
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(
            "UPDATE run_metadata SET value = CAST(x'22ff22' AS TEXT) WHERE key = 'memory'",
        )
        .unwrap();
    stdout(&cli(
        &["report", "training", "--html", page.to_str().unwrap()],
        Some(&path),
    ));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        html.contains("record(s) of this run cannot be read back") && html.contains("not UTF-8"),
        "{html}"
    );
}

/// A component whose metadata carries terminal escapes.
#[derive(RunMetadata)]
struct Hostile {
    #[metadata(pipeline)]
    note: &'static str,
}

#[test]
fn nothing_stored_reaches_the_terminal_as_an_escape() {
    let dir = TempDir::new("cli-escapes");
    let path = dir.path("runs.db");
    {
        let mut store = Store::open(&path).unwrap();
        let stack = Stack::new("local\x1b[2J").with(Component::new(
            ComponentKind::Orchestrator,
            "evil\x07",
            Hostile {
                note: "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\\x1b]0;pwned\x07",
            },
        ));
        stack
            .start_run(&mut store, "training\x1b[31m", "run\x1b]0;title\x07")
            .finish();
    }
    for args in [&["runs"][..], &["show", "latest", "--links", "never"][..]] {
        let out = stdout(&cli(args, Some(&path)));
        assert!(
            !out.contains('\x1b') && !out.contains('\x07'),
            "{args:?}: {out:?}"
        );
        assert!(
            out.contains("\\u{1b}"),
            "escapes are shown, not dropped: {out:?}"
        );
    }
    // The JSON stays exact: the escapes are JSON's.
    let json = stdout(&cli(&["show", "latest", "--json"], Some(&path)));
    assert!(json.contains("\\u001b]0;pwned\\u0007"), "{json}");
}

/// `SQL` run on the store at `path`, outside the store's own code.
fn tamper(path: &Path, sql: &str) {
    rusqlite::Connection::open(path)
        .unwrap()
        .execute_batch(sql)
        .unwrap();
}

#[test]
fn damaged_records_are_named_and_everything_else_is_shown() {
    let dir = TempDir::new("cli-damaged");
    let path = store(&dir);
    tamper(
        &path,
        "UPDATE runs SET status = 'stopped' WHERE name = 'second';
         UPDATE run_metadata SET value = '[1,' WHERE key = 'shape' AND id =
             (SELECT min(id) FROM run_metadata WHERE key = 'shape');",
    );
    let out = stdout(&cli(&["runs"], Some(&path)));
    assert!(out.contains("first") && !out.contains("second"), "{out}");
    assert!(
        out.contains("1 damaged record cannot be read back")
            && out.contains("runs row 2: status: unexpected value \"stopped\""),
        "{out}"
    );
    // JSON stays JSON; the damage is said on standard error.
    let json = cli(&["runs", "--json"], Some(&path));
    let runs: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(runs.as_array().unwrap().len(), 1);
    assert!(String::from_utf8_lossy(&json.stderr).contains("runs row 2"));

    let out = stdout(&cli(&["show", "first", "--links", "never"], Some(&path)));
    assert!(out.contains("console") && out.contains("memory"), "{out}");
    assert!(
        out.contains("run_metadata row") && out.contains("key \"shape\""),
        "{out}"
    );
    assert_eq!(
        out.matches("shape").count(),
        2,
        "the other step's shape is shown: {out}"
    );

    let check = cli(&["check"], Some(&path));
    assert_eq!(check.status.code(), Some(1));
    let verdict = String::from_utf8(check.stdout).unwrap();
    assert!(
        verdict.contains(": DAMAGED: the file is sound, but 2 records"),
        "{verdict}"
    );
}

#[test]
fn check_gives_a_plain_verdict() {
    let dir = TempDir::new("cli-check");
    let path = store(&dir);
    let out = stdout(&cli(&["check"], Some(&path)));
    assert_eq!(
        out,
        format!(
            "{}: ok: SQLite's integrity check passed; 2 runs, 2 steps and 6 metadata rows read back\n",
            path.display()
        )
    );
    // Pages damaged outside SQLite: the verdict, where, and a failure exit.
    let mut bytes = std::fs::read(&path).unwrap();
    let pages = bytes.len() / 4096;
    for p in pages / 2..pages {
        bytes[p * 4096..p * 4096 + 8].fill(0xA5);
    }
    std::fs::write(&path, &bytes).unwrap();
    let check = cli(&["check"], Some(&path));
    assert_eq!(check.status.code(), Some(1));
    let verdict = String::from_utf8(check.stdout).unwrap();
    assert!(
        verdict.contains(": DAMAGED: SQLite's integrity check"),
        "{verdict} / {}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(
        verdict.contains(": DAMAGED: SQLite's integrity check"),
        "{verdict}"
    );
    assert!(verdict.lines().count() > 1, "{verdict}");
}

#[test]
fn a_store_in_a_read_only_folder_is_listed_and_shown() {
    let dir = TempDir::new("cli-read-only");
    let path = store(&dir);
    let folder = path.parent().unwrap();
    let locked = Command::new("chattr")
        .arg("+i")
        .arg(folder)
        .status()
        .is_ok_and(|s| s.success());
    if !locked {
        eprintln!("a_store_in_a_read_only_folder: NOT RUN: chattr +i is not available here");
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs as root and must run this test"
        );
        return;
    }
    let outputs = [
        cli(&["runs"], Some(&path)),
        cli(&["show", "first"], Some(&path)),
        cli(&["check"], Some(&path)),
        cli(&["sync"], Some(&path)),
    ];
    let _ = Command::new("chattr").arg("-i").arg(folder).status();
    let [runs, show, check, sync] = outputs;
    assert!(stdout(&runs).contains("second"));
    assert!(stdout(&show).contains("console"));
    assert!(stdout(&check).contains(": ok: "));
    assert_eq!(sync.status.code(), Some(1));
    let said = String::from_utf8_lossy(&sync.stderr);
    assert!(
        said.contains("cannot be written") && said.contains("read-only"),
        "{said}"
    );
}

#[test]
fn runs_are_found_by_any_name_and_a_shared_name_is_said() {
    let dir = TempDir::new("cli-names");
    let path = dir.path("runs.db");
    {
        let mut store = Store::open(&path).unwrap();
        let stack = Stack::new("local");
        for name in ["latest", "-dash", "twice", "twice", "日本語の実行"] {
            stack.start_run(&mut store, "training", name).finish();
            std::thread::sleep(std::time::Duration::from_millis(3));
        }
    }
    // `latest` is the latest run; `--name latest` the run of that name.
    assert!(stdout(&cli(&["show", "latest"], Some(&path))).starts_with("run 日本語の実行"));
    assert!(stdout(&cli(&["show", "--name", "latest"], Some(&path))).starts_with("run latest "));
    let store_arg = format!("--store={}", path.display());
    let dash = cli(&[&store_arg, "show", "--name", "--", "-dash"], None);
    assert!(stdout(&dash).starts_with("run -dash "));
    // Two runs named alike: the latest is shown, and that is said.
    let twice = cli(&["show", "twice"], Some(&path));
    assert!(stdout(&twice).starts_with("run twice "));
    let said = String::from_utf8_lossy(&twice.stderr);
    assert!(
        said.contains("2 runs are named twice; showing the latest"),
        "{said}"
    );
    assert!(
        cli(&["show", "--name", "nothing"], Some(&path))
            .status
            .code()
            == Some(1)
    );

    // Wide characters take two columns: the columns after a name line up on screen.
    let runs = stdout(&cli(&["runs"], Some(&path)));
    let columns: Vec<usize> = runs
        .lines()
        .map(|line| {
            let at = line
                .find("training")
                .unwrap_or_else(|| line.find("PIPELINE").unwrap());
            unicode_columns(&line[..at])
        })
        .collect();
    assert!(columns.windows(2).all(|w| w[0] == w[1]), "{runs}");
}

/// Terminal columns of `text`: two for the CJK characters used above, one for the rest.
fn unicode_columns(text: &str) -> usize {
    text.chars()
        .map(|c| {
            if ('\u{3000}'..='\u{9fff}').contains(&c) {
                2
            } else {
                1
            }
        })
        .sum()
}

#[test]
fn a_closed_standard_error_is_not_a_panic() {
    let dir = TempDir::new("cli-stderr");
    let path = store(&dir);
    let mut child = Command::new(env!("CARGO_BIN_EXE_run-metadata"))
        .args(["show", "no-such-run", "--store"])
        .arg(&path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    assert_eq!(child.wait().unwrap().code(), Some(1));
}

/// `sync` against `url`, with a user and password from ZenML's variables, of one metadata
/// kept for it.
fn sync_to(url: &str, store: &Path) -> Output {
    keep_one(&mut Store::open(store).unwrap(), url);
    Command::new(env!("CARGO_BIN_EXE_run-metadata"))
        .args(["sync", "--store"])
        .arg(store)
        .env("ZENML_STORE_URL", url)
        .env("ZENML_STORE_USERNAME", "ci")
        .env("ZENML_STORE_PASSWORD", "hunter2")
        .output()
        .unwrap()
}

#[test]
fn plain_http_to_another_machine_is_said_before_credentials_leave() {
    let dir = TempDir::new("cli-plain-http");
    let path = store(&dir);
    // Nothing listens on port 1: refused at once, after the warning.
    let remote = sync_to("http://0.0.0.0:1", &path);
    let said = String::from_utf8_lossy(&remote.stderr);
    let warning = "run-metadata: warning: credentials go to http://0.0.0.0:1 unencrypted";
    assert_eq!(said.matches(warning).count(), 1, "{said}");
    assert!(!said.contains("hunter2"), "{said}");
    let local = sync_to("http://127.0.0.1:1", &path);
    assert!(!String::from_utf8_lossy(&local.stderr).contains("warning"));
    // A URL that is not one: said at once, nothing tried.
    let bad = sync_to("http://zen ml.example", &path);
    assert_eq!(bad.status.code(), Some(1));
    let said = String::from_utf8_lossy(&bad.stderr);
    assert!(said.contains("is not a server's URL"), "{said}");
}

#[test]
fn sync_uses_the_zenml_login() {
    let Some(server) = run_metadata_tests::live_server("sync_uses_the_zenml_login") else {
        return;
    };
    let dir = TempDir::new("cli-login");
    let config = dir.path("zenml");
    run_metadata_tests::zenml_login(&server, &config);
    let path = store(&dir);
    // Kept for an address never reached, then adopted: sent to the login's server. The server
    // refuses it (the run is not its own), which it does only once the login is accepted.
    let old = "http://127.0.0.1:1";
    keep_one(&mut Store::open(&path).unwrap(), old);
    let out = Command::new(env!("CARGO_BIN_EXE_run-metadata"))
        .args(["sync", "--adopt", old, "--store"])
        .arg(&path)
        .env("ZENML_CONFIG_PATH", &config)
        .env_remove("ZENML_STORE_URL")
        .env_remove("ZENML_STORE_USERNAME")
        .env_remove("ZENML_STORE_PASSWORD")
        .env_remove("ZENML_STORE_API_KEY")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains(&format!("1 items kept for {old} taken as this server's")),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("; 1 refused now;"), "{said}");
    assert_eq!(out.status.code(), Some(1), "{said}");
}

#[test]
fn completions_for_each_shell() {
    for (shell, told) in [
        ("bash", "_run__metadata()"),
        ("zsh", "#compdef run-metadata"),
        ("fish", "complete -c run-metadata"),
        ("elvish", "edit:completion:arg-completer[run-metadata]"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let script = stdout(&cli(&["completions", shell], None));
        assert!(script.contains(told), "{shell}: {told:?} missing");
        assert!(
            script.contains("sync") && script.contains("report"),
            "{shell}"
        );
    }
    let unknown = cli(&["completions", "tcsh"], None);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("possible values: bash"));
}

#[test]
fn sync_names_what_waits_for_a_server_never_reached_and_adopts_it() {
    let Some(server) = run_metadata_tests::live_server("sync_names_what_waits") else {
        return;
    };
    let dir = TempDir::new("cli-elsewhere");
    let path = store(&dir);
    // Kept while the server was at an address where it was never reached.
    let old = "http://127.0.0.1:1";
    keep_one(&mut Store::open(&path).unwrap(), old);
    let sync = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_run-metadata"))
            .args(["sync", "--store"])
            .arg(&path)
            .args(extra)
            .env("ZENML_STORE_URL", &server.url)
            .env("ZENML_STORE_USERNAME", "default")
            .env("ZENML_STORE_PASSWORD", "")
            .env_remove("ZENML_STORE_API_KEY")
            .output()
            .unwrap()
    };
    let out = sync(&[]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(
        said.contains(&format!(
            "1 items wait for the server at {old}, never reached there"
        )) && said.contains(&format!("`run-metadata sync --adopt {old}`")),
        "{said}"
    );
    // Adopted, it is this server's: sent (and refused: the run is not the server's), no longer
    // said to wait elsewhere.
    let out = sync(&["--adopt", old]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains(&format!("1 items kept for {old} taken as this server's")),
        "{said}"
    );
    assert!(said.contains("; 1 refused now;"), "{said}");
    assert!(!said.contains("never reached there"), "{said}");
    assert_eq!(out.status.code(), Some(1), "{said}");
}
