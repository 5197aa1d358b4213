//! Against a real ZenML server (`scripts/zenml-server.sh start`): what the derive-generated hooks
//! publish arrives exactly, read back over REST and by ZenML's own Python client.

use std::collections::BTreeSet;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use run_metadata::Resource;
use run_metadata::stack::{Component, ComponentKind, Stack, StepSpec};
use run_metadata::store::Store;
use run_metadata::zenml::{Auth, Client, Config, ZenmlError, ZenmlSink};
use run_metadata::{
    DType, Metadata, MetadataType, MetadataValue, RunMetadata, Secret, StepRunInfo, StorageSize,
    Uri, metadata,
};
use run_metadata_tests::{LiveServer, TempDir, live_server};
use uuid::Uuid;

fn password_config(server: &LiveServer) -> Config {
    crate::default_user(&server.url).with_retries(2, Duration::from_millis(100))
}

fn temp_store(name: &str) -> (Store, TempDir) {
    let dir = TempDir::new(name);
    let store = Store::open(dir.path("runs.db")).unwrap();
    (store, dir)
}

/// ZenML's MLflow tracker, as in its documentation.
#[derive(RunMetadata)]
#[metadata(step_with = active_run)]
struct MlflowTracker {
    #[metadata(pipeline, uri, rename = "mlflow_tracking_uri")]
    tracking_uri: String,
    active: Arc<Mutex<Option<(String, String)>>>,
}

fn active_run(t: &MlflowTracker, _: &StepRunInfo) -> Metadata {
    match &*t.active.lock().unwrap() {
        Some((run, experiment)) => metadata! {
            "mlflow_run_id" => run.clone(),
            "mlflow_experiment_id" => experiment.clone(),
        },
        None => Metadata::new(),
    }
}

/// A component reporting every ZenML type, with the extremes that are easy to get wrong.
#[derive(RunMetadata)]
#[metadata(step)]
struct EveryTag {
    #[metadata]
    text: String,
    #[metadata]
    small: i8,
    #[metadata]
    biggest: u128,
    #[metadata]
    smallest: i128,
    #[metadata]
    ratio: f32,
    #[metadata]
    whole: f64,
    #[metadata]
    diverged: f64,
    #[metadata]
    flag: bool,
    #[metadata]
    list: Vec<&'static str>,
    #[metadata]
    dict: std::collections::BTreeMap<u16, Vec<f64>>,
    #[metadata]
    tuple: (u8, &'static str, bool),
    #[metadata]
    set: BTreeSet<i64>,
    #[metadata(uri)]
    console: &'static str,
    #[metadata(path)]
    root: std::path::PathBuf,
    #[metadata(dtype)]
    dtype: &'static str,
    #[metadata(storage_size)]
    size: u64,
    #[metadata]
    unicode: &'static str,
}

fn every_tag() -> EveryTag {
    EveryTag {
        text: "quote \" backslash \\ newline \n".into(),
        small: -128,
        biggest: u128::MAX,
        smallest: i128::MIN,
        ratio: 0.1,
        whole: 2.0,
        diverged: f64::NAN,
        flag: true,
        list: vec!["a", "b"],
        dict: [(10, vec![0.5]), (2, vec![])].into_iter().collect(),
        tuple: (1, "x", false),
        set: [3, -1, 2].into_iter().collect(),
        console: "https://console.example/run/1?x=y",
        root: "/mnt/artifacts".into(),
        dtype: "float16",
        size: 1 << 40,
        unicode: "é 😀 中文",
    }
}

/// Compares what ZenML returns with what was sent, key by key, as JSON text (exact for big
/// integers; NaN is the string "NaN" on both sides).
fn assert_arrived(label: &str, sent: &Metadata, read: &Metadata) {
    assert_eq!(
        read.keys().collect::<BTreeSet<_>>(),
        sent.keys().collect::<BTreeSet<_>>(),
        "{label}: keys"
    );
    for (key, value) in sent {
        assert_eq!(
            read.get(key).map(MetadataValue::to_json),
            Some(value.to_json()),
            "{label}: {key}"
        );
    }
}

/// `Client().get_pipeline_run(id).run_metadata` (or `get_run_step`) in ZenML's own client.
fn python_read(server: &LiveServer, kind: &str, id: Uuid) -> (Metadata, serde_json::Value) {
    let config_dir = TempDir::new("zenml-client");
    let config = config_dir.path("config");
    let out = Command::new(&server.python)
        .arg(
            run_metadata_tests::root()
                .join("scripts")
                .join("zenml_read.py"),
        )
        .args([kind, &id.to_string()])
        .env("ZENML_STORE_URL", &server.url)
        .env("ZENML_STORE_USERNAME", "default")
        .env("ZENML_STORE_PASSWORD", "")
        .env("ZENML_CONFIG_PATH", &config)
        .env("ZENML_ANALYTICS_OPT_IN", "false")
        .env("ZENML_LOGGING_VERBOSITY", "ERROR")
        .output()
        .expect("the venv's python runs");
    assert!(
        out.status.success(),
        "zenml_read.py: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let line = stdout.lines().last().unwrap_or_default();
    // Our reader, not serde_json's: it keeps integers beyond 64 bits exact.
    let MetadataValue::Dict(parts) = MetadataValue::from_json(line, MetadataType::Dict).unwrap()
    else {
        unreachable!()
    };
    let mut values = Metadata::new();
    let mut types = serde_json::Value::Null;
    for (name, part) in parts {
        match (name.as_str(), part) {
            ("values", MetadataValue::Dict(entries)) => {
                for (k, v) in entries {
                    values.insert_value(k, v).unwrap();
                }
            }
            ("python_types", t) => types = serde_json::from_str(&t.to_json()).unwrap(),
            _ => {}
        }
    }
    (values, types)
}

#[test]
fn derived_hooks_arrive_exactly_over_rest_and_in_zenmls_python_client() {
    let Some(server) = live_server("derived_hooks_arrive_exactly") else {
        return;
    };
    let active = Arc::new(Mutex::new(None));
    let tracker = MlflowTracker {
        tracking_uri: "http://127.0.0.1:5000".into(),
        active: Arc::clone(&active),
    };
    let info = StepRunInfo::new(Uuid::nil(), Uuid::nil(), "r", "train");
    let stack = Stack::new("default")
        .with(Component::new(
            ComponentKind::ExperimentTracker,
            "rust-mlflow",
            tracker,
        ))
        .with(Component::new(
            ComponentKind::Orchestrator,
            "rust-every-tag",
            every_tag(),
        ));

    let (store, _dir) = temp_store("hooks");
    let client = Client::connect(password_config(&server)).unwrap();
    let mut sink = ZenmlSink::new(client, store).unwrap().with_steps(["train"]);
    let mut run = stack.start_run(
        &mut sink,
        "rust-live-test",
        format!("live-{}", Uuid::new_v4()),
    );
    let local_run = run.record().id;
    let trained: Result<(), String> = run.step(
        &StepSpec::new("train").with_experiment_tracker("rust-mlflow"),
        || {
            *active.lock().unwrap() = Some(("3f9c2a7e".into(), "7".into()));
            Ok(())
        },
    );
    assert!(trained.is_ok());
    let report = run.finish();
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert_eq!(
        report.published, 3,
        "tracker pipeline, tracker step, every-tag step"
    );

    // What the hooks produced, as they would produce it again.
    let expected_pipeline =
        metadata! { "mlflow_tracking_uri" => Uri::new("http://127.0.0.1:5000") };
    let mut expected_step = metadata! {
        "mlflow_run_id" => "3f9c2a7e",
        "mlflow_experiment_id" => "7",
    };
    expected_step.extend(every_tag().step_run_metadata(&info));
    assert_eq!(expected_step.get("ratio"), Some(&MetadataValue::Float(0.1)));

    // The run and step took the server's ids, locally too, when the server registered them
    // (beside the run): the reads below use them.
    let remote_run = sink.id_now(local_run).unwrap();
    assert_ne!(
        remote_run, local_run,
        "the run was registered after it began"
    );
    let remote_step = sink.store().steps(remote_run).unwrap()[0].id;

    // Every sent key was sent; nothing skipped.
    for (_, _, report) in sink.reports() {
        assert!(report.skipped.is_empty());
    }
    let non_finite: Vec<&String> = sink
        .reports()
        .iter()
        .flat_map(|(_, _, r)| &r.non_finite)
        .collect();
    assert_eq!(non_finite, ["diverged"]);

    // Over REST.
    let client = sink.client();
    let rest_pipeline = client
        .read_metadata(Resource::pipeline_run(remote_run))
        .unwrap();
    assert_arrived("REST pipeline run", &expected_pipeline, &rest_pipeline);
    let rest_step = client
        .read_metadata(Resource::step_run(remote_step))
        .unwrap();
    assert_arrived("REST step run", &expected_step, &rest_step);

    // In ZenML's own Python client.
    let (py_pipeline, _) = python_read(&server, "run", remote_run);
    assert_arrived("Python pipeline run", &expected_pipeline, &py_pipeline);
    let (py_step, py_types) = python_read(&server, "step", remote_step);
    assert_arrived("Python step run", &expected_step, &py_step);
    assert_eq!(py_types["biggest"], "int");
    assert_eq!(py_types["tuple"], "list");
    assert_eq!(py_types["console"], "str");
    assert_eq!(py_types["whole"], "float");

    // And the local record keeps the types ZenML drops.
    let local = sink
        .store()
        .metadata(Resource::step_run(remote_step))
        .unwrap();
    assert_eq!(
        local.get("console"),
        Some(&MetadataValue::Uri(Uri::new(
            "https://console.example/run/1?x=y"
        )))
    );
    assert_eq!(
        local.get("size"),
        Some(&MetadataValue::StorageSize(StorageSize::new(1 << 40)))
    );
    assert_eq!(
        local.get("dtype"),
        Some(&MetadataValue::DType(DType::new("float16")))
    );
}

#[test]
fn attaching_to_a_step_the_server_already_has() {
    let Some(server) = live_server("attaching_to_a_step") else {
        return;
    };
    let mut client = Client::connect(password_config(&server)).unwrap();
    // As a ZenML pipeline would have registered them.
    let run = client
        .create_run(
            "rust-attach",
            &format!("attach-{}", Uuid::new_v4()),
            &["score".into()],
            std::time::SystemTime::now(),
            None,
            None,
        )
        .unwrap();
    let step = client
        .create_step(
            run,
            "score",
            run_metadata::sink::Status::Running,
            std::time::SystemTime::now(),
            None,
        )
        .unwrap();
    let component = run_metadata::stack::ComponentInfo {
        id: Uuid::new_v4(),
        name: "rust-scorer".into(),
        kind: ComponentKind::StepOperator,
    };
    let component_id = client.component_id(&component).unwrap();
    let sent = metadata! { "scorer_run" => "s-1", "shape" => (3, 4), "long" => "x".repeat(70_000) };
    let report = client
        .publish(Resource::step_run(step), Some(component_id), &sent)
        .unwrap();
    assert_eq!(report.sent, ["scorer_run", "shape"]);
    assert_eq!(report.skipped.len(), 1);
    assert_eq!(report.skipped[0].key, "long");
    assert_eq!(
        report.skipped[0].reason.to_string(),
        "its JSON is 70002 characters long, more than ZenML's 65535"
    );
    // ZenML returns the keys in no particular order.
    let read = client.read_metadata(Resource::step_run(step)).unwrap();
    let mut pairs: Vec<(&str, String)> = read.iter().map(|(k, v)| (k, v.to_json())).collect();
    pairs.sort();
    assert_eq!(
        pairs,
        [
            ("scorer_run", r#""s-1""#.to_owned()),
            ("shape", "[3,4]".to_owned())
        ]
    );
}

#[test]
fn a_wrong_password_is_a_typed_auth_error_without_the_password() {
    let Some(server) = live_server("a_wrong_password") else {
        return;
    };
    let config = Config::new(
        &server.url,
        Auth::Password {
            username: "default".into(),
            password: Secret::new("hunter2-wrong".into()),
        },
    );
    let err = Client::connect(config).unwrap_err();
    assert!(matches!(err, ZenmlError::Auth { .. }), "{err:?}");
    assert!(!err.to_string().contains("hunter2"), "{err}");
    assert!(!format!("{err:?}").contains("hunter2"));
    assert!(!err.is_transient());
}

#[test]
fn an_unknown_run_is_a_typed_not_found_error() {
    let Some(server) = live_server("an_unknown_run") else {
        return;
    };
    let mut client = Client::connect(password_config(&server)).unwrap();
    let missing = Resource::pipeline_run(Uuid::new_v4());
    let err = client
        .publish(missing, None, &metadata! { "k" => 1 })
        .unwrap_err();
    assert!(matches!(err, ZenmlError::NotFound { .. }), "{err:?}");
    let err = client.read_metadata(missing).unwrap_err();
    assert!(matches!(err, ZenmlError::NotFound { .. }), "{err:?}");
}

#[test]
fn api_key_login() {
    let Some(server) = live_server("api_key_login") else {
        return;
    };
    let key = create_api_key(&server.url);
    let config = Config::new(&server.url, Auth::ApiKey(Secret::new(key.clone())));
    assert!(!format!("{config:?}").contains(&key));
    let mut client = Client::connect(config).unwrap();
    assert!(!format!("{client:?}").contains(&key));
    let run = client
        .create_run(
            "rust-api-key",
            &format!("key-{}", Uuid::new_v4()),
            &[],
            std::time::SystemTime::now(),
            None,
            None,
        )
        .unwrap();
    client
        .publish(
            Resource::pipeline_run(run),
            None,
            &metadata! { "via" => "api key" },
        )
        .unwrap();
    assert_eq!(
        client
            .read_metadata(Resource::pipeline_run(run))
            .unwrap()
            .to_json(),
        r#"{"via":"api key"}"#
    );
}

/// A service account with an API key, made over REST as an admin would.
fn create_api_key(url: &str) -> String {
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(true)
        .build()
        .new_agent();
    let login: serde_json::Value = serde_json::from_str(
        &agent
            .post(format!("{url}/api/v1/login"))
            .send_form([("username", "default"), ("password", "")])
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap(),
    )
    .unwrap();
    let bearer = format!("Bearer {}", login["access_token"].as_str().unwrap());
    let post = |path: &str, body: serde_json::Value| -> serde_json::Value {
        let text = agent
            .post(format!("{url}{path}"))
            .header("Authorization", &bearer)
            .content_type("application/json")
            .send(body.to_string())
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap();
        serde_json::from_str(&text).unwrap()
    };
    let account = post(
        "/api/v1/service_accounts",
        serde_json::json!({"name": format!("rust-{}", Uuid::new_v4()), "active": true}),
    );
    let id = account["id"].as_str().unwrap();
    let key = post(
        &format!("/api/v1/service_accounts/{id}/api_keys"),
        serde_json::json!({"name": "tests"}),
    );
    let key = key["body"]["key"].as_str().unwrap().to_owned();
    assert!(key.starts_with("ZENKEY_"), "an API key");
    key
}

#[test]
fn configuration_from_zenmls_variables() {
    let get = |vars: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        }
    };
    let key = Config::from_vars(get(&[
        ("ZENML_STORE_URL", "https://zenml.example/"),
        ("ZENML_STORE_API_KEY", "ZENKEY_secret"),
        ("ZENML_STORE_USERNAME", "ignored"),
    ]))
    .unwrap();
    assert_eq!(key.url(), "https://zenml.example");
    assert!(matches!(key.auth(), Auth::ApiKey(k) if k.expose() == "ZENKEY_secret"));
    assert!(!format!("{key:?}").contains("ZENKEY_secret"));
    let user = Config::from_vars(get(&[
        ("ZENML_STORE_URL", "http://h:8080"),
        ("ZENML_STORE_USERNAME", "me"),
    ]))
    .unwrap();
    assert!(
        matches!(user.auth(), Auth::Password { username, password } if username == "me" && password.is_empty())
    );
    // What ZenML's orchestrators give each step: the server and a token.
    let step = Config::from_vars(get(&[
        ("ZENML_STORE_URL", "http://h:8080"),
        ("ZENML_STORE_API_TOKEN", "eyJ.step"),
    ]))
    .unwrap();
    assert!(matches!(step.auth(), Auth::Token(t) if t.expose() == "eyJ.step"));
    assert!(!format!("{step:?}").contains("eyJ.step"));
    assert!(matches!(
        Config::from_vars(get(&[])),
        Err(ZenmlError::Config(_))
    ));
    assert!(matches!(
        Config::from_vars(get(&[
            ("ZENML_STORE_URL", "h:8080"),
            ("ZENML_STORE_USERNAME", "me")
        ])),
        Err(ZenmlError::Config(_))
    ));
    assert!(matches!(
        Config::from_vars(get(&[("ZENML_STORE_URL", "http://h")])),
        Err(ZenmlError::Config(_))
    ));
}

#[test]
fn a_zenml_login_is_what_publishes() {
    let Some(server) = live_server("a_zenml_login_is_what_publishes") else {
        return;
    };
    let dir = TempDir::new("zenml-login");
    let config_dir = dir.path("zenml");
    run_metadata_tests::zenml_login(&server, &config_dir);
    let path = config_dir.to_string_lossy().into_owned();
    let only_the_login = |name: &str| (name == "ZENML_CONFIG_PATH").then(|| path.clone());

    // No ZENML_STORE_* at all: the server and credentials ZenML's login stored.
    let config = Config::discover_with(only_the_login).unwrap();
    assert_eq!(config.url(), server.url);
    assert!(
        matches!(config.auth(), Auth::Password { username, .. } if username == "default"),
        "{:?}",
        config.auth()
    );
    // A run through the sink, on that configuration, read back by ZenML's own client.
    let publish = |config: Config, label: &str| -> Uuid {
        let stack = Stack::new("default").with(Component::new(
            ComponentKind::Orchestrator,
            "rust-login-probe",
            every_tag(),
        ));
        let (store, _dir) = temp_store(label);
        let sink = ZenmlSink::new(Client::connect(config).unwrap(), store).unwrap();
        let mut sink = sink.with_steps(["probe"]);
        let mut run = stack.start_run(
            &mut sink,
            "rust-login",
            format!("{label}-{}", Uuid::new_v4()),
        );
        let id = run.record().id;
        let probed: Result<(), String> = run.step(&StepSpec::new("probe"), || Ok(()));
        assert!(probed.is_ok());
        let report = run.finish();
        assert!(report.failures.is_empty(), "{label}: {:?}", report.failures);
        assert_eq!(report.published, 1, "{label}");
        // The server's id (the run was registered beside it).
        sink.id_now(id).unwrap()
    };
    let expected =
        every_tag().step_run_metadata(&StepRunInfo::new(Uuid::nil(), Uuid::nil(), "r", "probe"));
    let step_of = |run: Uuid| {
        let client = Client::connect(password_config(&server)).unwrap();
        client_step(client, run, "probe")
    };
    // The variable naming the server, the login giving the credentials, as ZenML's client does.
    let url_and_login = |name: &str| match name {
        "ZENML_CONFIG_PATH" => Some(path.clone()),
        "ZENML_STORE_URL" => Some(format!("{}/", server.url)),
        _ => None,
    };
    let named = Config::discover_with(url_and_login).unwrap();
    assert_eq!(named.url(), server.url);
    assert!(matches!(named.auth(), Auth::Password { username, .. } if username == "default"));
    let run = publish(config, "login-password");
    let (read, _) = python_read(&server, "step", step_of(run));
    assert_arrived("through the login's password", &expected, &read);

    // Only the login's token (as a web or device login leaves it): used as it is.
    let credentials = config_dir.join("credentials.yaml");
    let stored = std::fs::read_to_string(&credentials).unwrap();
    let token_only: String = stored
        .lines()
        .filter(|l| {
            !l.trim_start().starts_with("password:") && !l.trim_start().starts_with("username:")
        })
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&credentials, &token_only).unwrap();
    let config = Config::discover_with(only_the_login).unwrap();
    assert!(
        matches!(config.auth(), Auth::Token(_)),
        "{:?}",
        config.auth()
    );
    let run = publish(config, "login-token");
    let (read, _) = python_read(&server, "step", step_of(run));
    assert_arrived("through the login's token", &expected, &read);

    // The same token, expired: refused before any request, telling the user to log in again.
    let token = token_only
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("access_token: "))
        .unwrap()
        .to_owned();
    let expired = token_only.replace(
        "  api_token:\n",
        "  api_token:\n    expires_at: '2020-01-01T00:00:00Z'\n",
    );
    assert_ne!(expired, token_only, "the token's mapping was found");
    std::fs::write(&credentials, expired).unwrap();
    let Err(ZenmlError::Config(said)) = Config::discover_with(only_the_login) else {
        panic!("an expired login is refused");
    };
    assert_eq!(
        said,
        format!(
            "your ZenML login to {0} expired at 2020-01-01T00:00:00Z: log in again with \
             `zenml login {0}`",
            server.url
        )
    );
    assert!(!said.contains(&token));

    // Neither a login nor the variables: what was looked at, and how to log in.
    let empty = dir.path("nothing").to_string_lossy().into_owned();
    let Err(ZenmlError::Config(said)) =
        Config::discover_with(|name| (name == "ZENML_CONFIG_PATH").then(|| empty.clone()))
    else {
        panic!("nothing configured is an error");
    };
    assert!(
        said.starts_with("no ZenML server to publish to. Looked at, in order: ZENML_STORE_URL: not set; ZenML's configuration ")
            && said.contains("zenml login https://your-zenml-server"),
        "{said}"
    );
}

/// The server's id of step `name` of the run published as `run` (ids are the server's once
/// delivered).
fn client_step(mut client: Client, run: Uuid, name: &str) -> Uuid {
    client
        .step_id(run, name)
        .unwrap()
        .expect("the step is on the server")
}

#[test]
fn eight_clients_of_one_process_log_in_once() {
    let Some(server) = live_server("eight_clients_of_one_process_log_in_once") else {
        return;
    };
    // Through a proxy of its own: its URL is this test's alone, and it counts the requests.
    let proxy = run_metadata_tests::proxy::Proxy::start(&server.url);
    let config = crate::default_user(&proxy.url);
    let start = Arc::new(std::sync::Barrier::new(8));
    let clients: Vec<_> = (0..8)
        .map(|_| {
            let (config, start) = (config.clone(), Arc::clone(&start));
            std::thread::spawn(move || {
                start.wait();
                let mut client = Client::connect(config).unwrap();
                client.read_metadata(Resource::pipeline_run(Uuid::new_v4()))
            })
        })
        .collect();
    for client in clients {
        // An unknown run: each client made its request, logged in.
        assert!(matches!(
            client.join().unwrap(),
            Err(ZenmlError::NotFound { .. })
        ));
    }
    assert_eq!(proxy.requests_to("POST", "/api/v1/login"), 1);
    assert!(proxy.requests() >= 9, "{} requests", proxy.requests());

    // A client made later in the process takes the session's token: no login at all.
    proxy.set(run_metadata_tests::proxy::Fault::None);
    let mut later = Client::connect(config).unwrap();
    assert!(
        later
            .read_metadata(Resource::pipeline_run(Uuid::new_v4()))
            .is_err()
    );
    assert_eq!(proxy.requests_to("POST", "/api/v1/login"), 0);
    assert!(proxy.requests() >= 2, "{} requests", proxy.requests());
}

#[test]
fn a_sink_dropped_before_its_run_ends_delivers_what_the_run_recorded() {
    let Some(server) = live_server("a_sink_dropped_before_its_run_ends") else {
        return;
    };
    let stack = Stack::new("default").with(Component::new(
        ComponentKind::Orchestrator,
        "rust-dropped",
        every_tag(),
    ));
    let (store, _dir) = temp_store("dropped");
    let path = store.path().to_owned();
    let mut sink = ZenmlSink::new(Client::new(password_config(&server)), store)
        .unwrap()
        .with_steps(["probe"]);
    let mut run = stack.start_run(
        &mut sink,
        "rust-dropped",
        format!("dropped-{}", Uuid::new_v4()),
    );
    let local = run.record().id;
    let probed: Result<(), String> = run.step(&StepSpec::new("probe"), || Ok(()));
    assert!(probed.is_ok());
    // The run is never finished, and the sink goes: it waits for what the run recorded.
    drop(run);
    drop(sink);
    let mut store = Store::open(&path).unwrap();
    let runs = store.runs().unwrap();
    assert_eq!(runs.len(), 1);
    assert_ne!(runs[0].id, local, "the server registered the run: its id");
    let mut client = Client::connect(password_config(&server)).unwrap();
    let outbox = run_metadata::zenml::Outbox::of(&mut client, &mut store).unwrap();
    assert_eq!(outbox.count(&store).unwrap().total(), 0, "nothing kept");
    assert_probe_arrived(&server, runs[0].id, "dropped before its end");
}

#[test]
fn a_new_server_at_a_url_the_store_knows_gets_the_whole_run() {
    let Some(server) = live_server("a_new_server_at_a_url_the_store_knows") else {
        return;
    };
    let (mut store, _dir) = temp_store("new-server");
    let path = store.path().to_owned();
    // The store last reached another server at this URL (since reinstalled, say). (Adopting
    // nothing makes the outbox's tables, which a store gets on the outbox's first use.)
    let other = Uuid::new_v4();
    run_metadata::zenml::Outbox::new(other.to_string())
        .adopt(&mut store, &server.url)
        .unwrap();
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute(
            "INSERT INTO zenml_servers (id, url, seen) VALUES (?1, ?2, 0)",
            [other.to_string(), server.url.clone()],
        )
        .unwrap();
    let stack = Stack::new("default").with(Component::new(
        ComponentKind::Orchestrator,
        "rust-new-server",
        every_tag(),
    ));
    let mut sink = ZenmlSink::new(Client::new(password_config(&server)), store)
        .unwrap()
        .with_steps(["probe"]);
    let mut run = stack.start_run(
        &mut sink,
        "rust-new-server",
        format!("new-server-{}", Uuid::new_v4()),
    );
    let local = run.record().id;
    let probed: Result<(), String> = run.step(&StepSpec::new("probe"), || Ok(()));
    assert!(probed.is_ok());
    let report = run.finish();
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    // Nothing kept or parked, for this server or the one before.
    assert_ne!(sink.outbox().server(), other.to_string());
    let kept = sink.kept().unwrap();
    assert_eq!((kept.total(), kept.refused), (0, 0), "{kept:?}");
    assert_eq!(
        run_metadata::zenml::Outbox::new(other.to_string())
            .count(sink.store())
            .unwrap(),
        run_metadata::zenml::OutboxCount::default()
    );
    assert_probe_arrived(
        &server,
        sink.id_now(local).unwrap(),
        "a new server at a known URL",
    );
}

/// Asserts that the step `probe` of run `run` has on the server what the every-tag component
/// reports for it.
fn assert_probe_arrived(server: &LiveServer, run: Uuid, label: &str) {
    let step = client_step(
        Client::connect(password_config(server)).unwrap(),
        run,
        "probe",
    );
    let read = Client::connect(password_config(server))
        .unwrap()
        .read_metadata(Resource::step_run(step))
        .unwrap();
    let expected =
        every_tag().step_run_metadata(&StepRunInfo::new(Uuid::nil(), Uuid::nil(), "r", "probe"));
    assert_arrived(label, &expected, &read);
}
