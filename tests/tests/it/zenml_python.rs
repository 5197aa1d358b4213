//! ZenML's own Python runtime calling derived hooks through `run-metadata-python`:
//!
//! - `python/tests/check_convert.py`: every `MetadataValue` variant, as a Rust hook hands it to
//!   ZenML, is what ZenML's `get_metadata_type` and its client's request model make of our wire
//!   JSON; ZenML's `StepRunInfo` reaches Rust; an error or a panic is a Python exception.
//! - `python/tests/check_flavor.py`: the flavors of `examples/zenml-flavor` registered with
//!   ZenML's CLI, a pipeline run by ZenML's local orchestrator against the local server, and
//!   what the server stored, read back.
//!
//! Each builds its wheel with maturin (`scripts/python-wheel.sh`) into ZenML's venv first.

use std::path::Path;
use std::process::Command;
use std::sync::Mutex;

use run_metadata_tests::{live_server, root, zenml_python};

/// One wheel built and installed at a time: they share a target folder and a venv.
static VENV: Mutex<()> = Mutex::new(());

/// Builds the maturin project at `project` (relative to the repository) and installs its wheel
/// into `python`'s venv.
fn install(python: &Path, project: &str) {
    let out = Command::new(root().join("scripts/python-wheel.sh"))
        .arg(root().join(project))
        .env("RUN_METADATA_ZENML_PYTHON", python)
        .output()
        .expect("scripts/python-wheel.sh runs");
    assert!(
        out.status.success(),
        "building {project}'s wheel failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs a check script, printing its lines; panics with them if it fails.
fn check(mut cmd: Command, script: &str) {
    // ZenML's client writes its configuration: into a folder of this check's, never the
    // user's own.
    let config = run_metadata_tests::TempDir::new("zenml-check-config");
    let out = cmd
        .arg(root().join("python/tests").join(script))
        .env("RUST_BACKTRACE", "0")
        .env("ZENML_CONFIG_PATH", config.path("zenml"))
        .env("ZENML_ANALYTICS_OPT_IN", "false")
        .output()
        .expect("the check runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "{script} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("\n0 failures"),
        "{script} ran no checks:\n{stdout}"
    );
}

#[test]
fn every_value_reaches_zenml_as_zenml_types_it() {
    let Some(python) = zenml_python("every_value_reaches_zenml_as_zenml_types_it") else {
        return;
    };
    {
        let _venv = VENV.lock().unwrap_or_else(|e| e.into_inner());
        install(&python, "python/fixture");
    }
    check(Command::new(&python), "check_convert.py");
}

#[test]
fn zenml_calls_the_derived_hooks_in_a_pipeline() {
    let Some(server) = live_server("zenml_calls_the_derived_hooks_in_a_pipeline") else {
        return;
    };
    {
        let _venv = VENV.lock().unwrap_or_else(|e| e.into_inner());
        install(&server.python, "examples/zenml-flavor");
    }
    let mut cmd = Command::new(&server.python);
    cmd.env("ZENML_STORE_URL", &server.url)
        .env("ZENML_STORE_USERNAME", "default")
        .env("ZENML_STORE_PASSWORD", "");
    // The types the server stored are read from its database when it is the local one.
    let db = root().join("target/zenml-server/data/zenml.db");
    if std::env::var_os("RUN_METADATA_ZENML_URL").is_none() && db.exists() {
        cmd.env("ZENML_SERVER_DB", db);
    } else {
        println!(
            "the stored types are checked only against the server scripts/zenml-server.sh runs"
        );
    }
    check(cmd, "check_flavor.py");
}
