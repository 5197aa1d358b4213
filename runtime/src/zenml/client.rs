//! A blocking client of ZenML's REST API: log in, publish run metadata as ZenML's own client
//! does, register standalone runs and steps, read metadata back.

use core::fmt;
use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use uuid::Uuid;

use super::pylen::python_json_len;
use super::{Resource, ResourceType, RunMetadataRequest};
use crate::metadata::Metadata;
use crate::secret::Secret;
use crate::stack::{ComponentInfo, Status};

/// The flavor of the components this client registers.
const RUST_FLAVOR: &str = "rust";

/// ZenML's client skips a value whose `json.dumps` is longer than this many characters.
pub const MAX_VALUE_JSON_LEN: usize = 65_535;

/// How to log in.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Auth {
    /// A user's name and password (`ZENML_STORE_USERNAME`, `ZENML_STORE_PASSWORD`).
    Password {
        /// The user.
        username: String,
        /// The password; empty for the auto-activated `default` user of a local server.
        password: Secret,
    },
    /// A service account's API key, `ZENKEY_...` (`ZENML_STORE_API_KEY`).
    ApiKey(Secret),
    /// A bearer token obtained elsewhere; it cannot be renewed.
    Token(Secret),
}

/// Where the server is and how to talk to it.
///
/// ```
/// use std::time::Duration;
/// use run_metadata::zenml::{Auth, Config};
///
/// let config = Config::new("http://127.0.0.1:8080/", Auth::ApiKey("ZENKEY_abc".into()))
///     .with_project("research")
///     .with_timeouts(Duration::from_secs(2), Duration::from_secs(10))
///     .with_retries(5, Duration::from_millis(100));
/// assert_eq!(config.url(), "http://127.0.0.1:8080");
/// assert!(!format!("{config:?}").contains("ZENKEY_abc"));
///
/// let vars = [("ZENML_STORE_URL", "https://zenml.example"), ("ZENML_STORE_USERNAME", "ci")];
/// let config = Config::from_vars(|name| {
///     vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string())
/// })?;
/// assert!(matches!(config.auth(), Auth::Password { username, .. } if username == "ci"));
/// # Ok::<(), run_metadata::zenml::ZenmlError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Config {
    url: String,
    auth: Auth,
    project: String,
    connect_timeout: Duration,
    read_timeout: Duration,
    retries: u32,
    backoff: Duration,
}

impl Config {
    /// The server at `url` (`http(s)://host[:port]`), logging in with `auth`, project `default`,
    /// 5 s to connect, 30 s to read, 3 retries from 250 ms backoff.
    pub fn new(url: impl Into<String>, auth: Auth) -> Self {
        let mut url = url.into();
        while url.ends_with('/') {
            url.pop();
        }
        Self {
            url,
            auth,
            project: "default".into(),
            connect_timeout: Duration::from_secs(5),
            read_timeout: Duration::from_secs(30),
            retries: 3,
            backoff: Duration::from_millis(250),
        }
    }

    /// From ZenML's own environment variables: `ZENML_STORE_URL`, and `ZENML_STORE_API_KEY` or
    /// `ZENML_STORE_USERNAME` (with `ZENML_STORE_PASSWORD`, empty if unset); the project from
    /// `ZENML_ACTIVE_PROJECT_ID` if set.
    ///
    /// # Errors
    ///
    /// [`ZenmlError::Config`] naming what is missing.
    pub fn from_env() -> Result<Self, ZenmlError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// As [`from_env`](Self::from_env), reading variables through `var`.
    ///
    /// # Errors
    ///
    /// [`ZenmlError::Config`] naming what is missing.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, ZenmlError> {
        let var = |name: &str| var(name).filter(|v| !v.is_empty());
        let url = var("ZENML_STORE_URL").ok_or_else(|| {
            ZenmlError::Config("ZENML_STORE_URL is not set (the server's URL)".into())
        })?;
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(ZenmlError::Config(format!(
                "ZENML_STORE_URL must be an http:// or https:// URL, not {url:?}"
            )));
        }
        let auth = if let Some(key) = var("ZENML_STORE_API_KEY") {
            Auth::ApiKey(Secret::new(key))
        } else if let Some(username) = var("ZENML_STORE_USERNAME") {
            Auth::Password {
                username,
                password: Secret::new(var("ZENML_STORE_PASSWORD").unwrap_or_default()),
            }
        } else {
            return Err(ZenmlError::Config(
                "set ZENML_STORE_API_KEY, or ZENML_STORE_USERNAME (and ZENML_STORE_PASSWORD)"
                    .into(),
            ));
        };
        let mut config = Self::new(url, auth);
        if let Some(project) = var("ZENML_ACTIVE_PROJECT_ID") {
            config.project = project;
        }
        Ok(config)
    }

    /// Uses project `project` (a name or an id).
    #[must_use]
    pub fn with_project(mut self, project: impl Into<String>) -> Self {
        self.project = project.into();
        self
    }

    /// Sets the connect and read timeouts.
    #[must_use]
    pub fn with_timeouts(mut self, connect: Duration, read: Duration) -> Self {
        self.connect_timeout = connect;
        self.read_timeout = read;
        self
    }

    /// Retries a request `retries` times after a connection error or a 5xx, waiting `backoff`,
    /// then twice as long each time (4xx answers are not retried).
    #[must_use]
    pub fn with_retries(mut self, retries: u32, backoff: Duration) -> Self {
        self.retries = retries;
        self.backoff = backoff;
        self
    }

    /// The server's URL, without a trailing `/`.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// How the client logs in.
    #[must_use]
    pub fn auth(&self) -> &Auth {
        &self.auth
    }
}

/// Why a request failed. Never holds a password, key or token.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ZenmlError {
    /// The configuration is incomplete.
    Config(String),
    /// The server refused the credentials (HTTP 401).
    Auth {
        /// The server's explanation.
        detail: String,
    },
    /// What was asked for does not exist (HTTP 404): an unknown run, step or component.
    NotFound {
        /// The server's explanation.
        detail: String,
    },
    /// The server refused the request (another 4xx).
    Rejected {
        /// The status.
        status: u16,
        /// The server's explanation.
        detail: String,
    },
    /// The server failed (5xx) on every attempt.
    Server {
        /// The last status.
        status: u16,
        /// The server's explanation.
        detail: String,
        /// How many attempts were made.
        attempts: u32,
    },
    /// The server could not be reached on any attempt: refused, reset, timed out.
    Unreachable {
        /// What went wrong the last time.
        reason: String,
        /// How many attempts were made.
        attempts: u32,
    },
    /// An answer that is not what ZenML answers.
    Protocol(String),
}

impl ZenmlError {
    /// Whether the request may succeed later unchanged: the server was away or failing.
    #[must_use]
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Unreachable { .. } | Self::Server { .. })
    }
}

impl fmt::Display for ZenmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Config(m) => write!(f, "ZenML configuration: {m}"),
            Self::Auth { detail } => write!(f, "ZenML refused the credentials: {detail}"),
            Self::NotFound { detail } => write!(f, "not found on the ZenML server: {detail}"),
            Self::Rejected { status, detail } => {
                write!(
                    f,
                    "the ZenML server refused the request (HTTP {status}): {detail}"
                )
            }
            Self::Server {
                status,
                detail,
                attempts,
            } => write!(
                f,
                "the ZenML server failed (HTTP {status}) {attempts} times: {detail}"
            ),
            Self::Unreachable { reason, attempts } => {
                write!(
                    f,
                    "the ZenML server could not be reached in {attempts} attempts: {reason}"
                )
            }
            Self::Protocol(m) => write!(f, "unexpected answer from the ZenML server: {m}"),
        }
    }
}

impl std::error::Error for ZenmlError {}

/// Why a value was not sent.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SkipReason {
    /// Its JSON, as ZenML's client measures it, is longer than [`MAX_VALUE_JSON_LEN`].
    TooLong {
        /// Its length.
        len: usize,
    },
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLong { len } => write!(
                f,
                "its JSON is {len} characters long, more than ZenML's {MAX_VALUE_JSON_LEN}"
            ),
        }
    }
}

/// A key that was not sent, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// The key.
    pub key: String,
    /// Why.
    pub reason: SkipReason,
}

/// What one publish sent and what it skipped.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PublishReport {
    /// The keys sent.
    pub sent: Vec<String>,
    /// The keys skipped, with why.
    pub skipped: Vec<Skipped>,
    /// The keys sent whose value holds NaN or an infinity, written as a string (see
    /// [`MetadataValue`](crate::MetadataValue)).
    pub non_finite: Vec<String>,
}

enum Method<'a> {
    Get,
    Json(&'static str, &'a str),
    Form(&'a [(&'a str, &'a str)]),
}

struct Answer {
    status: u16,
    body: String,
}

/// A client of one ZenML server. Blocking; logs in on first use and again, once, on a 401.
pub struct Client {
    agent: ureq::Agent,
    config: Config,
    token: Option<Secret>,
    project: Option<Uuid>,
    components: HashMap<Uuid, Uuid>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.config)
            .field("logged_in", &self.token.is_some())
            .field("project", &self.project)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client for `config`; nothing is sent until the first request.
    #[must_use]
    pub fn new(config: Config) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_connect(Some(config.connect_timeout))
            .timeout_recv_response(Some(config.read_timeout))
            .timeout_recv_body(Some(config.read_timeout))
            .timeout_send_body(Some(config.read_timeout))
            .http_status_as_error(false)
            .user_agent(concat!("run-metadata/", env!("CARGO_PKG_VERSION")))
            .build()
            .new_agent();
        let token = match &config.auth {
            Auth::Token(token) => Some(token.clone()),
            _ => None,
        };
        Self {
            agent,
            config,
            token,
            project: None,
            components: HashMap::new(),
        }
    }

    /// A client that has logged in and found its project.
    ///
    /// # Errors
    ///
    /// [`ZenmlError::Auth`] for wrong credentials, the others for an unreachable or failing
    /// server or an unknown project.
    pub fn connect(config: Config) -> Result<Self, ZenmlError> {
        let mut client = Self::new(config);
        client.project_id()?;
        Ok(client)
    }

    /// The configuration.
    #[must_use]
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Logs in, replacing the token.
    ///
    /// # Errors
    ///
    /// [`ZenmlError::Auth`] for wrong credentials; others as for any request.
    pub fn login(&mut self) -> Result<(), ZenmlError> {
        let form: Vec<(&str, &str)> = match &self.config.auth {
            Auth::Password { username, password } => {
                vec![("username", username), ("password", password.expose())]
            }
            Auth::ApiKey(key) => vec![("password", key.expose())],
            Auth::Token(_) => {
                return Err(ZenmlError::Auth {
                    detail: "the bearer token was refused and cannot be renewed".into(),
                });
            }
        };
        let answer = self.send("/api/v1/login", &Method::Form(&form), None)?;
        let value: serde_json::Value = serde_json::from_str(&self.check(answer)?)
            .map_err(|e| ZenmlError::Protocol(format!("invalid JSON: {e}")))?;
        let token = value
            .get("access_token")
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| ZenmlError::Protocol("the login answer has no access_token".into()))?;
        self.token = Some(Secret::new(token.to_owned()));
        Ok(())
    }

    /// The id of the configured project (looked up by name once).
    ///
    /// # Errors
    ///
    /// [`ZenmlError::NotFound`] for an unknown project; others as for any request.
    pub fn project_id(&mut self) -> Result<Uuid, ZenmlError> {
        if let Some(id) = self.project {
            return Ok(id);
        }
        let id = if let Ok(id) = Uuid::parse_str(&self.config.project) {
            id
        } else {
            let path = format!(
                "/api/v1/projects?name={}",
                query_escape(&self.config.project)
            );
            let found = self.get(&path)?;
            first_id(&found).ok_or_else(|| ZenmlError::NotFound {
                detail: format!("no project named {:?}", self.config.project),
            })?
        };
        self.project = Some(id);
        Ok(id)
    }

    /// Publishes `metadata` for `resource`, from `component` if given: one
    /// `POST /api/v1/run-metadata`, as ZenML's client sends it. Values ZenML's client would skip
    /// are skipped here too, and reported.
    ///
    /// # Errors
    ///
    /// [`ZenmlError::NotFound`] for an unknown run, step or component; others as for any
    /// request.
    pub fn publish(
        &mut self,
        resource: Resource,
        component: Option<Uuid>,
        metadata: &Metadata,
    ) -> Result<PublishReport, ZenmlError> {
        let (body, report) = self.prepare(resource, component, metadata)?;
        if !report.sent.is_empty() {
            self.send_body(&body)?;
        }
        Ok(report)
    }

    /// The request body for a publish, and what it sends and skips.
    pub(crate) fn prepare(
        &mut self,
        resource: Resource,
        component: Option<Uuid>,
        metadata: &Metadata,
    ) -> Result<(String, PublishReport), ZenmlError> {
        let project = self.project_id()?;
        let mut report = PublishReport::default();
        let mut sent = Metadata::with_capacity(metadata.len());
        for (key, value) in metadata {
            let len = python_json_len(value);
            if len > MAX_VALUE_JSON_LEN {
                report.skipped.push(Skipped {
                    key: key.to_owned(),
                    reason: SkipReason::TooLong { len },
                });
                continue;
            }
            if value.has_non_finite() {
                report.non_finite.push(key.to_owned());
            }
            report.sent.push(key.to_owned());
            sent.put(key.to_owned().into(), value.clone());
        }
        let mut request = RunMetadataRequest::new(project, resource, &sent);
        request.stack_component_id = component;
        Ok((request.to_json(), report))
    }

    /// Sends a prepared `POST /api/v1/run-metadata` body.
    pub(crate) fn send_body(&mut self, body: &str) -> Result<(), ZenmlError> {
        self.call("/api/v1/run-metadata", &Method::Json("POST", body))
            .map(drop)
    }

    /// The run metadata ZenML returns for `resource` (a pipeline run or a step run):
    /// `.metadata.run_metadata` of `GET /runs/{id}` or `/steps/{id}`. ZenML returns no tags, so
    /// values come back as plain JSON types (a `Uri` as a string, a tuple as a list); integers
    /// are exact at any width.
    ///
    /// # Errors
    ///
    /// [`ZenmlError::NotFound`] for an unknown resource; [`ZenmlError::Protocol`] for another
    /// resource type or an unexpected answer; others as for any request.
    pub fn read_metadata(&mut self, resource: Resource) -> Result<Metadata, ZenmlError> {
        let path = match resource.kind {
            ResourceType::PipelineRun => format!("/api/v1/runs/{}", resource.id),
            ResourceType::StepRun => format!("/api/v1/steps/{}", resource.id),
            other => {
                return Err(ZenmlError::Protocol(format!(
                    "reading the metadata of a {other} is not supported"
                )));
            }
        };
        let text = self.call_text(&path, &Method::Get)?;
        untyped_run_metadata(&text)
    }

    /// Registers a standalone run of pipeline `pipeline` named `run_name` whose steps are
    /// `steps`: the pipeline (created once), a snapshot of it on the `default` stack, and the
    /// run. Returns the run's id.
    ///
    /// # Errors
    ///
    /// As for any request.
    pub fn create_run(
        &mut self,
        pipeline: &str,
        run_name: &str,
        steps: &[String],
        started: SystemTime,
    ) -> Result<Uuid, ZenmlError> {
        let project = self.project_id()?;
        let pipeline_id = self.get_or_create(
            &format!(
                "/api/v1/pipelines?name={}&project={project}",
                query_escape(pipeline)
            ),
            "/api/v1/pipelines",
            &serde_json::json!({"project": project, "name": pipeline}),
        )?;
        let stack = self.get("/api/v1/stacks?name=default")?;
        let stack = first_id(&stack).ok_or_else(|| ZenmlError::NotFound {
            detail: "no stack named \"default\"".into(),
        })?;
        let step_configurations: serde_json::Map<String, serde_json::Value> = steps
            .iter()
            .map(|step| {
                (
                    step.clone(),
                    serde_json::json!({
                        "spec": {
                            "source": {"module": "run_metadata", "attribute": step, "type": "unknown"},
                            "upstream_steps": [],
                            "invocation_id": step,
                        },
                        "config": {"name": step},
                        "step_config_overrides": {"name": step},
                    }),
                )
            })
            .collect();
        let snapshot = self.post(
            "/api/v1/pipeline_snapshots",
            &serde_json::json!({
                "project": project,
                "stack": stack,
                "pipeline": pipeline_id,
                "run_name_template": run_name,
                "pipeline_configuration": {"name": pipeline},
                "step_configurations": step_configurations,
            }),
        )?;
        let snapshot = id_of(&snapshot)?;
        let run = self.post(
            "/api/v1/runs",
            &serde_json::json!({
                "project": project,
                "name": run_name,
                "snapshot": snapshot,
                "status": "running",
                "start_time": iso(started),
            }),
        )?;
        // `POST /runs` answers `[run, created]`.
        id_of(run.get(0).unwrap_or(&run))
    }

    /// Registers step `name` of run `run_id` (the name must be one of the run's snapshot).
    ///
    /// # Errors
    ///
    /// As for any request.
    pub fn create_step(
        &mut self,
        run_id: Uuid,
        name: &str,
        status: Status,
        started: SystemTime,
    ) -> Result<Uuid, ZenmlError> {
        self.register_step(run_id, name, status, started, None)
    }

    /// As [`create_step`](Self::create_step), for a step that may have finished already
    /// (ZenML does not let a finished step's status change afterwards).
    ///
    /// # Errors
    ///
    /// As for any request.
    pub fn register_step(
        &mut self,
        run_id: Uuid,
        name: &str,
        status: Status,
        started: SystemTime,
        finished: Option<SystemTime>,
    ) -> Result<Uuid, ZenmlError> {
        let project = self.project_id()?;
        let mut body = serde_json::json!({
            "project": project,
            "name": name,
            "pipeline_run_id": run_id,
            "status": status_name(status),
            "start_time": iso(started),
        });
        if let Some(finished) = finished {
            body["end_time"] = serde_json::Value::String(iso(finished));
        }
        let step = self.post("/api/v1/steps", &body)?;
        id_of(&step)
    }

    /// The status ZenML shows for a run or step (`running`, `completed`, `failed`, ...).
    ///
    /// # Errors
    ///
    /// As for any request.
    pub fn status(&mut self, resource: Resource) -> Result<String, ZenmlError> {
        let path = match resource.kind {
            ResourceType::StepRun => format!("/api/v1/steps/{}", resource.id),
            _ => format!("/api/v1/runs/{}", resource.id),
        };
        let answer = self.get(&path)?;
        answer
            .pointer("/body/status")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| ZenmlError::Protocol("an answer without a status".into()))
    }

    /// The id of step `name` of run `run_id`, if the server has it.
    ///
    /// # Errors
    ///
    /// As for any request.
    pub fn step_id(&mut self, run_id: Uuid, name: &str) -> Result<Option<Uuid>, ZenmlError> {
        let found = self.get(&format!(
            "/api/v1/steps?pipeline_run_id={run_id}&name={}",
            query_escape(name)
        ))?;
        Ok(first_id(&found))
    }

    /// Sets the status and end time of a step or run.
    ///
    /// # Errors
    ///
    /// As for any request.
    pub fn finish(
        &mut self,
        resource: Resource,
        status: Status,
        finished: SystemTime,
    ) -> Result<(), ZenmlError> {
        let path = match resource.kind {
            ResourceType::StepRun => format!("/api/v1/steps/{}", resource.id),
            _ => format!("/api/v1/runs/{}", resource.id),
        };
        let body = serde_json::json!({"status": status_name(status), "end_time": iso(finished)});
        self.call(&path, &Method::Json("PUT", &body.to_string()))
            .map(drop)
    }

    /// The server's id of `component`: the component of that name and type if the server has
    /// one, else one registered now with the flavor `rust` of that type (registered too, once,
    /// with an empty configuration schema), so that ZenML's dashboard attributes the metadata.
    ///
    /// # Errors
    ///
    /// As for any request.
    pub fn component_id(&mut self, component: &ComponentInfo) -> Result<Uuid, ZenmlError> {
        if let Some(id) = self.components.get(&component.id) {
            return Ok(*id);
        }
        let kind = component.kind.as_str();
        let name = query_escape(&component.name);
        let found = self.get(&format!("/api/v1/components?name={name}&type={kind}"))?;
        let id = if let Some(id) = first_id(&found) {
            id
        } else {
            self.get_or_create(
                &format!("/api/v1/flavors?name={RUST_FLAVOR}&type={kind}"),
                "/api/v1/flavors",
                &serde_json::json!({
                    "name": RUST_FLAVOR,
                    "type": kind,
                    "config_schema": {},
                    "source": format!("run_metadata.{kind}"),
                    "integration": "custom",
                }),
            )?;
            let created = self.post(
                "/api/v1/components",
                &serde_json::json!({
                    "name": component.name,
                    "type": kind,
                    "flavor": RUST_FLAVOR,
                    "configuration": {},
                }),
            )?;
            id_of(&created)?
        };
        self.components.insert(component.id, id);
        Ok(id)
    }

    fn get(&mut self, path: &str) -> Result<serde_json::Value, ZenmlError> {
        self.call(path, &Method::Get)
    }

    fn post(
        &mut self,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<serde_json::Value, ZenmlError> {
        self.call(path, &Method::Json("POST", &body.to_string()))
    }

    fn get_or_create(
        &mut self,
        find: &str,
        create: &str,
        body: &serde_json::Value,
    ) -> Result<Uuid, ZenmlError> {
        if let Some(id) = first_id(&self.get(find)?) {
            return Ok(id);
        }
        id_of(&self.post(create, body)?)
    }

    /// An authenticated request, its answer as JSON.
    fn call(&mut self, path: &str, method: &Method<'_>) -> Result<serde_json::Value, ZenmlError> {
        let text = self.call_text(path, method)?;
        if text.trim().is_empty() {
            return Ok(serde_json::Value::Null);
        }
        serde_json::from_str(&text).map_err(|e| ZenmlError::Protocol(format!("invalid JSON: {e}")))
    }

    /// An authenticated request: logs in first if need be, and once more on a 401. The text of
    /// a 2xx answer, or the error its status means.
    fn call_text(&mut self, path: &str, method: &Method<'_>) -> Result<String, ZenmlError> {
        if self.token.is_none() {
            self.login()?;
        }
        let mut answer = self.send(path, method, self.token.clone().as_ref())?;
        if answer.status == 401 && !matches!(self.config.auth, Auth::Token(_)) {
            self.login()?;
            answer = self.send(path, method, self.token.clone().as_ref())?;
        }
        self.check(answer)
    }

    /// One request with retries: connection errors and 5xx are retried with backoff, up to
    /// the configured count; any other answer is returned as it is.
    fn send(
        &self,
        path: &str,
        method: &Method<'_>,
        token: Option<&Secret>,
    ) -> Result<Answer, ZenmlError> {
        let url = format!("{}{path}", self.config.url);
        let mut wait = self.config.backoff;
        let mut attempt = 1;
        loop {
            let result = self.send_once(&url, method, token);
            let retry = match &result {
                Ok(answer) => answer.status >= 500,
                Err(_) => true,
            };
            if !retry || attempt > self.config.retries {
                return match result {
                    Ok(answer) if answer.status >= 500 => Err(ZenmlError::Server {
                        status: answer.status,
                        detail: detail(&answer.body),
                        attempts: attempt,
                    }),
                    Ok(answer) => Ok(answer),
                    Err(reason) => Err(ZenmlError::Unreachable {
                        reason,
                        attempts: attempt,
                    }),
                };
            }
            std::thread::sleep(wait);
            wait = wait.saturating_mul(2);
            attempt += 1;
        }
    }

    fn send_once(
        &self,
        url: &str,
        method: &Method<'_>,
        token: Option<&Secret>,
    ) -> Result<Answer, String> {
        let bearer = token.map(|t| format!("Bearer {}", t.expose()));
        let result = match method {
            Method::Get => {
                let mut req = self.agent.get(url);
                if let Some(b) = &bearer {
                    req = req.header("Authorization", b);
                }
                req.call()
            }
            Method::Json(verb, body) => {
                let mut req = if *verb == "PUT" {
                    self.agent.put(url)
                } else {
                    self.agent.post(url)
                };
                if let Some(b) = &bearer {
                    req = req.header("Authorization", b);
                }
                req.content_type("application/json").send(*body)
            }
            Method::Form(form) => self.agent.post(url).send_form(form.iter().copied()),
        };
        // ureq's errors name the failure (refused, timed out, reset), never the request's body
        // or headers, so no credential reaches them.
        let mut response = result.map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .read_to_string()
            .map_err(|e| e.to_string())?;
        Ok(Answer { status, body })
    }

    /// The text of a 2xx answer, or the error its status means.
    fn check(&self, answer: Answer) -> Result<String, ZenmlError> {
        let detail = || self.redact(detail(&answer.body));
        match answer.status {
            200..=299 => Ok(answer.body),
            401 => Err(ZenmlError::Auth { detail: detail() }),
            404 => Err(ZenmlError::NotFound { detail: detail() }),
            status => Err(ZenmlError::Rejected {
                status,
                detail: detail(),
            }),
        }
    }

    /// `text` with every credential this client holds replaced by `***`: a server may echo
    /// what it was sent (FastAPI's 422 answers quote their input).
    fn redact(&self, mut text: String) -> String {
        let mut secrets: Vec<&str> = Vec::new();
        match &self.config.auth {
            Auth::Password { password, .. } => secrets.push(password.expose()),
            Auth::ApiKey(key) | Auth::Token(key) => secrets.push(key.expose()),
        }
        if let Some(token) = &self.token {
            secrets.push(token.expose());
        }
        for secret in secrets.into_iter().filter(|s| s.len() >= 4) {
            text = text.replace(secret, "***");
        }
        text
    }
}

/// `.metadata.run_metadata` of a run or step answer, read with this crate's JSON reader so that
/// integers beyond 64 bits stay exact.
fn untyped_run_metadata(text: &str) -> Result<Metadata, ZenmlError> {
    let protocol = |m: &str| ZenmlError::Protocol(m.to_owned());
    // The answer, `metadata` and `run_metadata` are three levels above the values.
    let answer = crate::json::read::parse(text, crate::MAX_DEPTH + 3)
        .map_err(|e| ZenmlError::Protocol(format!("invalid JSON: {e}")))?
        .ok_or_else(|| protocol("a null answer"))?;
    let field = |value: crate::MetadataValue, name: &str| match value {
        crate::MetadataValue::Dict(entries) => {
            entries.into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
        }
        _ => None,
    };
    let Some(run_metadata) = field(answer, "metadata").and_then(|m| field(m, "run_metadata"))
    else {
        return Ok(Metadata::new());
    };
    let crate::MetadataValue::Dict(entries) = run_metadata else {
        return Err(protocol("run_metadata is not an object"));
    };
    let mut out = Metadata::with_capacity(entries.len());
    for (key, value) in entries {
        out.insert_value(key, value)
            .map_err(|e| ZenmlError::Protocol(e.to_string()))?;
    }
    Ok(out)
}

/// The `detail` of a FastAPI error answer, else the start of the body.
fn detail(body: &str) -> String {
    let text = match serde_json::from_str::<serde_json::Value>(body) {
        Ok(value) => match value.get("detail") {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Array(parts)) => parts
                .iter()
                .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_owned))
                .collect::<Vec<_>>()
                .join(": "),
            Some(other) => other.to_string(),
            None => body.to_owned(),
        },
        Err(_) => body.to_owned(),
    };
    let mut text: String = text.chars().take(500).collect();
    if text.is_empty() {
        text.push_str("(no detail)");
    }
    text
}

fn first_id(page: &serde_json::Value) -> Option<Uuid> {
    let item = page.get("items")?.as_array()?.first()?;
    id_of(item).ok()
}

fn id_of(value: &serde_json::Value) -> Result<Uuid, ZenmlError> {
    value
        .get("id")
        .and_then(serde_json::Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())
        .ok_or_else(|| ZenmlError::Protocol("an answer without an id".into()))
}

fn status_name(status: Status) -> &'static str {
    match status {
        Status::Cached => "cached",
        Status::Failed => "failed",
        Status::Completed => "completed",
        _ => "running",
    }
}

/// Percent-encodes a query value.
fn query_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        }
    }
    out
}

/// ISO 8601 in UTC without a zone suffix, as ZenML's models take it.
fn iso(t: SystemTime) -> String {
    crate::time::Utc::from(t).iso8601()
}

#[cfg(test)]
mod tests {
    use super::{detail, iso, query_escape};
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn helpers() {
        assert_eq!(query_escape("my pipeline/1"), "my%20pipeline%2F1");
        assert_eq!(
            iso(UNIX_EPOCH + Duration::from_micros(1_795_968_720_000_042)),
            "2026-11-29T16:12:00.000042"
        );
        assert_eq!(detail(r#"{"detail":["KeyError","'k'"]}"#), "KeyError: 'k'");
        assert_eq!(detail("oops"), "oops");
    }
}
