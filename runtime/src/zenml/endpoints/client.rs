//! ZenML's endpoints: log in, publish run metadata as ZenML's own client does, register
//! standalone runs and steps and the components that report, read metadata back.

use core::fmt;
use std::collections::HashMap;

use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::hooks::component::ComponentInfo;
use crate::map::metadata::Metadata;
use crate::runs::resource::{Resource, ResourceType};
use crate::value::tree::MetadataValue;
use crate::zenml::endpoints::publish::{PublishReport, select};
use crate::zenml::error::ZenmlError;
use crate::zenml::transport::config::Config;
use crate::zenml::transport::http::{Http, Method};
use crate::zenml::wire::answers::{self, Created, Identified, Page, RunOrStep};
use crate::zenml::wire::bodies::{self, Empty, NewComponent, NewFlavor};
use crate::zenml::wire::request::RunMetadataRequest;

/// The flavor of the components this client registers.
const RUST_FLAVOR: &str = "rust";

/// A client of one ZenML server. Blocking; logs in on first use and again, once, on a 401.
pub struct Client {
    pub(crate) http: Http,
    server: Option<Uuid>,
    project: Option<Uuid>,
    components: HashMap<Uuid, Uuid>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", self.http.config())
            .field("logged_in", &self.http.logged_in())
            .field("project", &self.project)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client for `config`; nothing is sent until the first request.
    #[must_use]
    pub fn new(config: Config) -> Self {
        Self {
            http: Http::new(config),
            server: None,
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
        self.http.config()
    }

    /// Logs in, replacing the token.
    ///
    /// # Errors
    ///
    /// [`ZenmlError::Auth`] for wrong credentials; others as for any request.
    pub fn login(&mut self) -> Result<(), ZenmlError> {
        self.http.login()
    }

    /// The server's own id (`GET /api/v1/info`): the same whatever URL reaches it, so what is
    /// kept for a server follows it to another address. Asked once.
    ///
    /// # Errors
    ///
    /// As for any request.
    pub fn server_id(&mut self) -> Result<Uuid, ZenmlError> {
        if let Some(id) = self.server {
            return Ok(id);
        }
        let info: Identified = answers::read(&self.http.call_public("/api/v1/info")?)?;
        let id = info.id;
        self.server = Some(id);
        Ok(id)
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
        let name = self.config().project.clone();
        let id = if let Ok(id) = Uuid::parse_str(&name) {
            id
        } else {
            self.first_id("/api/v1/projects", &[("name", &name)])?
                .ok_or_else(|| ZenmlError::NotFound {
                    detail: format!("no project named {name:?}"),
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
        self.publish_checked(resource, component, metadata, false)
    }

    /// As [`publish`](Self::publish); with `read_back_first`, reads the resource's metadata
    /// first and sends nothing if every value is there already (a replay of what may have been
    /// applied). A request whose answer is lost is read back before it is sent again, never
    /// repeated blindly: ZenML's metadata is append-only.
    pub(crate) fn publish_checked(
        &mut self,
        resource: Resource,
        component: Option<Uuid>,
        metadata: &Metadata,
        read_back_first: bool,
    ) -> Result<PublishReport, ZenmlError> {
        let project = self.project_id()?;
        let (sent, report) = select(metadata);
        if report.sent.is_empty() || (read_back_first && self.holds(resource, &sent)?) {
            return Ok(report);
        }
        let mut request = RunMetadataRequest::new(project, resource, &sent);
        request.stack_component_id = component;
        // Not known to be applied where the answer is lost: read back before sending again.
        self.post_or_find_text(
            "/api/v1/run-metadata",
            &request.to_json(),
            |client| Ok(client.holds(resource, &sent)?.then_some(())),
            |_| Ok(()),
        )?;
        Ok(report)
    }

    /// Whether the server shows every value of `sent` on `resource`: each key with the value
    /// sent (for a dict, each of its entries, since dicts merge).
    fn holds(&mut self, resource: Resource, sent: &Metadata) -> Result<bool, ZenmlError> {
        let there = self.read_metadata(resource)?;
        Ok(sent
            .iter()
            .all(|(key, value)| match (value, there.get(key)) {
                (MetadataValue::Dict(entries), Some(MetadataValue::Dict(found))) => {
                    entries.iter().all(|(k, v)| {
                        found
                            .iter()
                            .any(|(fk, fv)| fk == k && fv.to_json() == v.to_json())
                    })
                }
                (value, Some(found)) => found.to_json() == value.to_json(),
                (_, None) => false,
            }))
    }

    /// As [`publish`](Self::publish), from `component` as this crate knows it: its server id
    /// found, or registered, first (see [`component_id`](Self::component_id)).
    ///
    /// # Errors
    ///
    /// As [`publish`](Self::publish) and [`component_id`](Self::component_id).
    pub fn publish_from(
        &mut self,
        resource: Resource,
        component: Option<&ComponentInfo>,
        metadata: &Metadata,
    ) -> Result<PublishReport, ZenmlError> {
        let component_id = component.map(|c| self.component_id(c)).transpose()?;
        self.publish(resource, component_id, metadata)
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
        if !matches!(
            resource.kind,
            ResourceType::PipelineRun | ResourceType::StepRun
        ) {
            return Err(ZenmlError::Protocol(format!(
                "reading the metadata of a {} is not supported",
                resource.kind
            )));
        }
        self.get::<RunOrStep>(&path_of(resource), &[])?.metadata()
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
        let query = [("name", component.name.as_str()), ("type", kind)];
        let id = if let Some(id) = self.first_id("/api/v1/components", &query)? {
            id
        } else {
            self.get_or_create(
                "/api/v1/flavors",
                &[("name", RUST_FLAVOR), ("type", kind)],
                &NewFlavor {
                    config_schema: Empty {},
                    integration: "custom",
                    name: RUST_FLAVOR,
                    source: format!("run_metadata.{kind}"),
                    kind,
                },
            )?;
            self.post_or_find(
                "/api/v1/components",
                &NewComponent {
                    configuration: Empty {},
                    flavor: RUST_FLAVOR,
                    name: &component.name,
                    kind,
                },
                |client| client.first_id("/api/v1/components", &query),
            )?
        };
        self.components.insert(component.id, id);
        Ok(id)
    }

    /// `GET path?query`, its answer read as `T`.
    pub(crate) fn get<T: DeserializeOwned>(
        &mut self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<T, ZenmlError> {
        answers::read(&self.http.call(path, &Method::Get(query))?)
    }

    /// The id of the first item `GET path?query` lists.
    pub(crate) fn first_id(
        &mut self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<Option<Uuid>, ZenmlError> {
        Ok(self.get::<Page>(path, query)?.first_id())
    }

    /// The id of what `POST path` of `body` creates: sent once (a lost answer is an error).
    pub(crate) fn post(&mut self, path: &str, body: &impl Serialize) -> Result<Uuid, ZenmlError> {
        let body = bodies::to_json(body)?;
        Ok(answers::read::<Created>(&self.http.call(path, &Method::Post(&body))?)?.id())
    }

    /// The id of the first item `GET path?query` lists, else of the one `POST path` creates.
    pub(crate) fn get_or_create(
        &mut self,
        path: &str,
        query: &[(&str, &str)],
        body: &impl Serialize,
    ) -> Result<Uuid, ZenmlError> {
        if let Some(id) = self.first_id(path, query)? {
            return Ok(id);
        }
        self.post_or_find(path, body, |client| client.first_id(path, query))
    }

    /// The id of what `POST path` of `body` creates. Where the answer is lost, `find` looks for
    /// it before the request is sent again (up to the configured retries): a POST is never
    /// repeated blindly into a duplicate.
    pub(crate) fn post_or_find(
        &mut self,
        path: &str,
        body: &impl Serialize,
        find: impl FnMut(&mut Self) -> Result<Option<Uuid>, ZenmlError>,
    ) -> Result<Uuid, ZenmlError> {
        let body = bodies::to_json(body)?;
        self.post_or_find_text(path, &body, find, |text| {
            Ok(answers::read::<Created>(text)?.id())
        })
    }

    /// `POST path` of the JSON `body`, its answer's text read by `read`. Where the answer is
    /// lost, `find` looks for what it would have made before the request is sent again (up to
    /// the configured retries); if `find` fails too, the answer stays lost, for the caller to
    /// keep and look for later. Where the server answers that it exists already (409), `find`
    /// gives it.
    pub(crate) fn post_or_find_text<T>(
        &mut self,
        path: &str,
        body: &str,
        mut find: impl FnMut(&mut Self) -> Result<Option<T>, ZenmlError>,
        read: impl FnOnce(&str) -> Result<T, ZenmlError>,
    ) -> Result<T, ZenmlError> {
        let mut resent = 0;
        loop {
            match self.http.call(path, &Method::Post(body)) {
                Ok(text) => return read(&text),
                Err(lost @ ZenmlError::AnswerLost { .. })
                    if resent < self.http.config().retries =>
                {
                    match find(self) {
                        Ok(Some(found)) => return Ok(found),
                        Ok(None) => resent += 1,
                        Err(_) => return Err(lost),
                    }
                }
                // It exists already: made by another client racing this one (a fleet
                // registering one flavor, component or stack), or by this one's earlier
                // attempt. What is found is used; only if nothing is found is it a refusal.
                Err(conflict @ ZenmlError::Rejected { status: 409, .. }) => {
                    return match find(self) {
                        Ok(Some(found)) => Ok(found),
                        Ok(None) => Err(conflict),
                        Err(e) => Err(e),
                    };
                }
                Err(e) => return Err(e),
            }
        }
    }
}

/// The path of a run or a step.
pub(crate) fn path_of(resource: Resource) -> String {
    match resource.kind {
        ResourceType::StepRun => format!("/api/v1/steps/{}", resource.id),
        _ => format!("/api/v1/runs/{}", resource.id),
    }
}
