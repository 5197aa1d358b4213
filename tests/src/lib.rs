//! Helpers of the integration tests: finding the local ZenML server the live tests need.

pub mod proxy;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The project's root.
#[must_use]
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the project")
        .to_path_buf()
}

/// A running ZenML server, and the Python of its venv (for ZenML's own client).
#[derive(Clone, Debug)]
pub struct LiveServer {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    /// The venv's `python`, with `zenml` installed.
    pub python: PathBuf,
}

const HOW: &str = "start one with `scripts/zenml-server.sh start` (it prints the URL; \
                   or set RUN_METADATA_ZENML_URL to a server's URL) and run the tests again";

/// The server the live tests use: `$RUN_METADATA_ZENML_URL`, else the one
/// `scripts/zenml-server.sh` runs. Without one, a live test must not pass silently: with `CI`
/// set this panics; otherwise it prints how to start one and returns `None`.
///
/// # Panics
///
/// With `CI` set and no server reachable.
#[must_use]
pub fn live_server(test: &str) -> Option<LiveServer> {
    let dir = root().join("target").join("zenml-server");
    let url = std::env::var("RUN_METADATA_ZENML_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .or_else(|| {
            let port = std::fs::read_to_string(dir.join("server.port")).ok()?;
            Some(format!("http://127.0.0.1:{}", port.trim()))
        });
    let python = std::env::var_os("RUN_METADATA_ZENML_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| dir.join("venv").join("bin").join("python"));
    match url {
        Some(url) if healthy(&url) => Some(LiveServer { url, python }),
        found => {
            let why = match found {
                Some(url) => format!("the ZenML server at {url} does not answer"),
                None => "no ZenML server is running".to_owned(),
            };
            assert!(
                std::env::var_os("CI").is_none(),
                "{test}: {why}; CI must run the live tests: {HOW}"
            );
            eprintln!("{test}: NOT RUN: {why}; {HOW}");
            None
        }
    }
}

/// The Python of the venv `scripts/zenml-server.sh` installs (ZenML 0.98.0 with its server),
/// for the tests that run ZenML's own code: `$RUN_METADATA_ZENML_PYTHON`, else the venv's. As
/// with [`live_server`], a missing venv fails with `CI` set and is said otherwise.
///
/// # Panics
///
/// With `CI` set and no such Python.
#[must_use]
pub fn zenml_python(test: &str) -> Option<PathBuf> {
    let python = std::env::var_os("RUN_METADATA_ZENML_PYTHON").map_or_else(
        || root().join("target/zenml-server/venv/bin/python"),
        PathBuf::from,
    );
    let works = Command::new(&python)
        .args(["-c", "import zenml"])
        .output()
        .is_ok_and(|o| o.status.success());
    if works {
        return Some(python);
    }
    let how = "install it with `scripts/zenml-server.sh start` (or set RUN_METADATA_ZENML_PYTHON \
               to a Python with zenml==0.98.0) and run the tests again";
    assert!(
        std::env::var_os("CI").is_none(),
        "{test}: no Python with ZenML at {}; CI must run this test: {how}",
        python.display()
    );
    eprintln!(
        "{test}: NOT RUN: no Python with ZenML at {}; {how}",
        python.display()
    );
    None
}

/// Whether `GET {url}/health` answers 200.
#[must_use]
pub fn healthy(url: &str) -> bool {
    let Some(authority) = url.strip_prefix("http://") else {
        return false;
    };
    let Ok(mut stream) = TcpStream::connect(authority) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let request = format!("GET /health HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer.starts_with("HTTP/1.1 200")
}

/// Runs `scripts/zenml-server.sh` with `args` and extra environment, returning its stdout.
///
/// # Panics
///
/// If the script fails.
#[must_use]
pub fn server_script(args: &[&str], env: &[(&str, &Path)]) -> String {
    let mut cmd = Command::new(root().join("scripts").join("zenml-server.sh"));
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("scripts/zenml-server.sh runs");
    assert!(
        out.status.success(),
        "scripts/zenml-server.sh {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A fresh folder for one test, removed when dropped — also when the test fails.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// A new empty folder whose name starts with `name`.
    ///
    /// # Panics
    ///
    /// If the folder cannot be created.
    #[must_use]
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "run-metadata-{name}-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4()
        ));
        std::fs::create_dir_all(&dir).expect("a temporary folder");
        Self(dir)
    }

    /// `file` inside the folder.
    #[must_use]
    pub fn path(&self, file: &str) -> PathBuf {
        self.0.join(file)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A ZenML server of a test's own (under `target/NAME`, sharing the venv of
/// `scripts/zenml-server.sh`), so that stopping it disturbs no other test; stopped when
/// dropped.
pub struct OwnServer {
    env: Vec<(&'static str, PathBuf)>,
}

impl OwnServer {
    /// Starts the server in `target/name`; returns it and its URL.
    ///
    /// # Panics
    ///
    /// If the script fails.
    #[must_use]
    pub fn start(name: &str) -> (Self, String) {
        let env = vec![
            ("ZENML_SERVER_DIR", root().join("target").join(name)),
            (
                "ZENML_VENV",
                root().join("target").join("zenml-server").join("venv"),
            ),
        ];
        let server = Self { env };
        let url = server.script("start");
        (server, url)
    }

    /// As [`start`](Self::start), on an empty database: a server that has seen nothing yet.
    ///
    /// # Panics
    ///
    /// If the script fails.
    #[must_use]
    pub fn fresh(name: &str) -> (Self, String) {
        let dir = root().join("target").join(name);
        let stopped = Self {
            env: vec![
                ("ZENML_SERVER_DIR", dir.clone()),
                (
                    "ZENML_VENV",
                    root().join("target").join("zenml-server").join("venv"),
                ),
            ],
        };
        stopped.script("stop");
        let _ = std::fs::remove_dir_all(dir.join("data"));
        drop(stopped);
        Self::start(name)
    }

    /// The server's database file (SQLite).
    #[must_use]
    pub fn database(&self) -> PathBuf {
        self.env[0].1.join("data").join("zenml.db")
    }

    /// Runs `scripts/zenml-server.sh COMMAND` for this server (`stop`, `start` — on a new
    /// port —, `restart` — on the same one —, `url`); returns what it prints.
    ///
    /// # Panics
    ///
    /// If the script fails.
    pub fn script(&self, command: &str) -> String {
        let env: Vec<(&str, &Path)> = self.env.iter().map(|(k, v)| (*k, v.as_path())).collect();
        server_script(&[command], &env)
    }
}

impl Drop for OwnServer {
    fn drop(&mut self) {
        let _ = self.script("stop");
    }
}

/// Logs in to `server` with ZenML's own Python API, into `config` (a fresh
/// `ZENML_CONFIG_PATH`), as `default` with its empty password: ZenML writes its `config.yaml`
/// and `credentials.yaml` there.
///
/// # Panics
///
/// If ZenML's login fails.
pub fn zenml_login(server: &LiveServer, config: &Path) {
    const LOGIN: &str = "\
import sys
from zenml.config.global_config import GlobalConfiguration
from zenml.login.credentials_store import get_credentials_store
from zenml.zen_stores.rest_zen_store import RestZenStoreConfiguration
get_credentials_store().set_password(sys.argv[1], 'default', '')
GlobalConfiguration().set_store(RestZenStoreConfiguration(url=sys.argv[1]))
";
    let out = Command::new(&server.python)
        .args(["-c", LOGIN, &server.url])
        .env("ZENML_CONFIG_PATH", config)
        .env("ZENML_ANALYTICS_OPT_IN", "false")
        .env_remove("ZENML_STORE_URL")
        .env_remove("ZENML_STORE_USERNAME")
        .env_remove("ZENML_STORE_PASSWORD")
        .env_remove("ZENML_STORE_API_KEY")
        .output()
        .expect("the venv's python runs");
    assert!(
        out.status.success(),
        "ZenML's login: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
