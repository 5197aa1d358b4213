//! `ZenmlSink`: runs recorded in the embedded store and published to a ZenML server, with the
//! store as the outbox for whatever the server could not take.

use std::collections::HashSet;

use uuid::Uuid;

use super::client::Client;
use super::error::ZenmlError;
use super::outbox::{KeptMetadata, KeptStatus, Outbox, OutboxCount};
use super::publish::PublishReport;
use crate::component::ComponentInfo;
use crate::metadata::Metadata;
use crate::resource::{Resource, ResourceType};
use crate::sink::{HookFailure, RunRecord, Sink, SinkError, Status, StepRecord};
use crate::store::{Store, StoreError};

/// A sink that records everything in the embedded [`Store`] and publishes it to a ZenML server.
///
/// - A run started through a [`Stack`](crate::stack::Stack) is registered on the server as a
///   standalone run (pipeline, snapshot, run, then each step), so it shows in ZenML's dashboard;
///   the steps must be declared with [`with_steps`](Self::with_steps), as ZenML's snapshot lists
///   them up front. Runs and steps take the server's ids, locally too, so the hooks see the ids
///   ZenML shows.
/// - Metadata for a run or step the server already knows — a Rust component taking part in a
///   ZenML pipeline — is published with [`Sink::publish`] using ZenML's own ids.
/// - What the server cannot take after the client's retries (it is away, or failing) is kept
///   in the store's outbox and sent, in order, by [`sync`](Self::sync) (also
///   `run-metadata sync`). What it refuses is reported.
#[derive(Debug)]
pub struct ZenmlSink {
    client: Client,
    store: Store,
    outbox: Outbox,
    steps: Vec<String>,
    /// Runs and steps this sink registered on the server (their ids are the server's).
    registered: HashSet<Uuid>,
    reports: Vec<(Resource, Option<ComponentInfo>, PublishReport)>,
}

/// What a [`sync`](ZenmlSink::sync) did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// What the server took (it left the outbox): steps registered, metadata published, final
    /// statuses set.
    pub took: OutboxCount,
    /// What the server refused, with why; it stays in the outbox.
    pub refused: Vec<Refusal>,
    /// How many kept items were not tried because the server went away; they stay kept for the
    /// next sync.
    pub untried: usize,
}

/// An item of the outbox the server refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// What it was: `step "train"`, `metadata 4 (step_run …)`, `status of pipeline_run …`.
    pub what: String,
    /// The server's reason.
    pub reason: String,
}

impl ZenmlSink {
    /// Publishes through `client`, recording in `store` and keeping there, in the outbox of the
    /// client's server, what the server cannot take.
    #[must_use]
    pub fn new(client: Client, store: Store) -> Self {
        Self {
            outbox: Outbox::new(client.config().url()),
            client,
            store,
            steps: Vec::new(),
            registered: HashSet::new(),
            reports: Vec::new(),
        }
    }

    /// Declares the steps of the runs this sink registers.
    #[must_use]
    pub fn with_steps<S: Into<String>>(mut self, steps: impl IntoIterator<Item = S>) -> Self {
        self.steps = steps.into_iter().map(Into::into).collect();
        self
    }

    /// The client.
    pub fn client(&mut self) -> &mut Client {
        &mut self.client
    }

    /// The store.
    #[must_use]
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// What each publish sent and skipped, in order.
    #[must_use]
    pub fn reports(&self) -> &[(Resource, Option<ComponentInfo>, PublishReport)] {
        &self.reports
    }

    /// The outbox of this sink's server.
    #[must_use]
    pub fn outbox(&self) -> &Outbox {
        &self.outbox
    }

    /// How much the outbox keeps for this sink's server.
    ///
    /// # Errors
    ///
    /// The store's.
    pub fn kept(&self) -> Result<OutboxCount, StoreError> {
        self.outbox.count(&self.store)
    }

    /// Sends what the outbox keeps for this server, oldest first, each once: what the server
    /// takes leaves the outbox; what it refuses stays, with the reason; when the server is away,
    /// the rest stays kept for the next sync.
    ///
    /// # Errors
    ///
    /// The store's.
    pub fn sync(&mut self) -> Result<SyncReport, StoreError> {
        sync(&mut self.client, &mut self.store)
    }

    /// Sends a final status; one the server cannot take now is kept for [`sync`](Self::sync).
    fn send_status(
        &mut self,
        resource: Resource,
        status: Status,
        finished: std::time::SystemTime,
    ) -> Result<(), SinkError> {
        match self.client.finish(resource, status, finished) {
            Ok(()) => Ok(()),
            Err(e) if e.is_transient() => {
                let kept = KeptStatus {
                    resource,
                    status,
                    finished,
                };
                self.outbox.keep_status(&mut self.store, kept)?;
                Err(SinkError::new(format!(
                    "{e}; the {} status kept for `run-metadata sync`",
                    resource.kind
                )))
            }
            Err(e) => Err(SinkError::new(e)),
        }
    }

    fn publish_remote(
        &mut self,
        resource: Resource,
        component: Option<&ComponentInfo>,
        metadata: &Metadata,
    ) -> Result<PublishReport, ZenmlError> {
        let component_id = component.map(|c| self.client.component_id(c)).transpose()?;
        self.client.publish(resource, component_id, metadata)
    }
}

/// [`ZenmlSink::sync`] for a client and a store: first the steps the server could not register
/// when they started (the metadata kept for them takes their new ids), then the metadata, then
/// the final statuses (a run ends after its steps and metadata are in).
///
/// # Errors
///
/// The store's.
pub fn sync(client: &mut Client, store: &mut Store) -> Result<SyncReport, StoreError> {
    let outbox = Outbox::new(client.config().url());
    let mut report = SyncReport::default();
    let steps = outbox.steps(store)?;
    let total = steps.len();
    for (done, step) in steps.into_iter().enumerate() {
        match client.create_step(
            step.run_id,
            &step.name,
            step.status,
            step.started,
            step.finished,
        ) {
            Ok(remote) => {
                outbox.took_step(store, step.id, remote)?;
                report.took.steps += 1;
            }
            Err(e) if e.is_transient() => {
                let kept = outbox.count(store)?;
                report.untried = (total - done) + kept.metadata + kept.statuses;
                return Ok(report);
            }
            Err(e) => report.refused.push(Refusal {
                what: format!("step {:?}", step.name),
                reason: e.to_string(),
            }),
        }
    }
    let kept = outbox.metadata(store)?;
    let total = kept.len();
    for (done, kept) in kept.into_iter().enumerate() {
        let KeptMetadata {
            id,
            resource,
            component,
            metadata,
            ..
        } = kept;
        let result = component
            .as_ref()
            .map(|c| client.component_id(c))
            .transpose()
            .and_then(|component_id| client.publish(resource, component_id, &metadata));
        match result {
            Ok(_) => {
                outbox.took_metadata(store, id)?;
                report.took.metadata += 1;
            }
            Err(e) if e.is_transient() => {
                report.untried = total - done + outbox.count(store)?.statuses;
                return Ok(report);
            }
            Err(e) => {
                outbox.refused_metadata(store, id, &e.to_string())?;
                report.refused.push(Refusal {
                    what: format!("metadata {id} ({} {})", resource.kind, resource.id),
                    reason: e.to_string(),
                });
            }
        }
    }
    let statuses = outbox.statuses(store)?;
    let total = statuses.len();
    for (done, kept) in statuses.into_iter().enumerate() {
        match client.finish(kept.resource, kept.status, kept.finished) {
            Ok(()) => {
                outbox.took_status(store, kept.resource)?;
                report.took.statuses += 1;
            }
            Err(e) if e.is_transient() => {
                report.untried += total - done;
                break;
            }
            Err(e) => report.refused.push(Refusal {
                what: format!("status of {} {}", kept.resource.kind, kept.resource.id),
                reason: e.to_string(),
            }),
        }
    }
    Ok(report)
}

impl Sink for ZenmlSink {
    /// Registers the run on the server, which gives it its id, then records it locally under
    /// that id; if the server cannot register it, the run is recorded under its own id and the
    /// failure reported.
    fn start_run(&mut self, run: &mut RunRecord) -> Result<(), SinkError> {
        let remote = self
            .client
            .create_run(&run.pipeline, &run.name, &self.steps, run.started);
        if let Ok(id) = remote {
            run.id = id;
            self.registered.insert(id);
        }
        self.store.start_run(run)?;
        remote.map(drop).map_err(SinkError::new)
    }

    fn finish_run(&mut self, run: &RunRecord) -> Result<(), SinkError> {
        self.store.finish_run(run)?;
        if let (true, Some(finished)) = (self.registered.contains(&run.id), run.finished) {
            self.send_status(Resource::pipeline_run(run.id), run.status, finished)?;
        }
        Ok(())
    }

    /// As [`start_run`](Self::start_run), for a step of a run the server registered. A step
    /// the server cannot register now (it is away) is kept, with its metadata, for
    /// [`sync`](Self::sync) to register and publish.
    fn start_step(&mut self, step: &mut StepRecord) -> Result<(), SinkError> {
        let mut result = Ok(());
        if self.registered.contains(&step.run_id) {
            match self
                .client
                .create_step(step.run_id, &step.name, step.status, step.started, None)
            {
                Ok(id) => {
                    step.id = id;
                    self.registered.insert(id);
                }
                Err(e) if e.is_transient() => {
                    self.outbox.keep_step(&mut self.store, step)?;
                    result = Err(SinkError::new(format!(
                        "{e}; step `{}` kept for `run-metadata sync` to register",
                        step.name
                    )));
                }
                Err(e) => result = Err(SinkError::new(e)),
            }
        }
        self.store.start_step(step)?;
        result
    }

    fn finish_step(&mut self, step: &StepRecord) -> Result<(), SinkError> {
        self.store.finish_step(step)?;
        if self.outbox.keeps_step(&self.store, step.id)? {
            self.outbox.keep_step(&mut self.store, step)?;
            return Ok(());
        }
        if let (true, Some(finished)) = (self.registered.contains(&step.id), step.finished) {
            self.send_status(Resource::step_run(step.id), step.status, finished)?;
        }
        Ok(())
    }

    /// Kept locally: ZenML's server has no record of failed hooks (its client logs them).
    fn hook_failed(&mut self, resource: Resource, failure: &HookFailure) -> Result<(), SinkError> {
        self.store.hook_failed(resource, failure)
    }

    fn publish(
        &mut self,
        resource: Resource,
        component: &ComponentInfo,
        metadata: &Metadata,
    ) -> Result<(), SinkError> {
        self.store.publish(resource, component, metadata)?;
        let server = self.outbox.server().to_owned();
        // A step the server has not registered yet: its metadata is kept with it.
        if resource.kind == ResourceType::StepRun
            && self.outbox.keeps_step(&self.store, resource.id)?
        {
            self.outbox
                .keep_metadata(&mut self.store, resource, Some(component), metadata)?;
            return Err(SinkError::new(format!(
                "step {} is not registered on the ZenML server at {server} yet; kept in the outbox for `run-metadata sync`",
                resource.id
            )));
        }
        // Keep the order: while older items are kept, this one is kept behind them.
        let kept = self.kept()?;
        if kept.metadata + kept.steps > 0 && self.sync()?.untried > 0 {
            self.outbox
                .keep_metadata(&mut self.store, resource, Some(component), metadata)?;
            return Err(SinkError::new(format!(
                "the ZenML server at {server} is away; kept in the outbox for `run-metadata sync`"
            )));
        }
        match self.publish_remote(resource, Some(component), metadata) {
            Ok(report) => {
                self.reports
                    .push((resource, Some(component.clone()), report));
                Ok(())
            }
            Err(e) if e.is_transient() => {
                self.outbox
                    .keep_metadata(&mut self.store, resource, Some(component), metadata)?;
                Err(SinkError::new(format!(
                    "{e}; kept in the outbox for `run-metadata sync`"
                )))
            }
            Err(e) => Err(SinkError::new(e)),
        }
    }
}
