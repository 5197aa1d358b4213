//! `ZenmlSink`: runs recorded in the embedded store and published to a ZenML server, with the
//! store as the outbox for whatever the server could not take.

use std::collections::HashSet;

use uuid::Uuid;

use super::Resource;
use super::client::{Client, PublishReport, ZenmlError};
use crate::metadata::Metadata;
use crate::stack::{ComponentInfo, RunRecord, Sink, SinkError, StepRecord};
use crate::store::{OutboxEntry, Store, StoreError};

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
    steps: Vec<String>,
    /// Runs and steps this sink registered on the server (their ids are the server's).
    registered: HashSet<Uuid>,
    reports: Vec<(Resource, Option<ComponentInfo>, PublishReport)>,
}

/// What a [`sync`](ZenmlSink::sync) did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Steps registered that the server could not register when they started.
    pub steps_registered: usize,
    /// Steps the server refused to register, and statuses it refused, with the reason; kept.
    pub steps_refused: Vec<(String, String)>,
    /// Final statuses of runs and steps the server took.
    pub statuses_sent: usize,
    /// Entries the server took, now removed from the outbox.
    pub sent: usize,
    /// Entries the server refused, kept with the reason.
    pub refused: Vec<(i64, String)>,
    /// Entries not tried because the server went away; kept for the next sync.
    pub remaining: usize,
}

impl ZenmlSink {
    /// Publishes through `client`, recording in and keeping pending entries in `store`.
    #[must_use]
    pub fn new(client: Client, store: Store) -> Self {
        Self {
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

    /// How many entries (metadata, and steps to register) wait in the outbox for this server.
    ///
    /// # Errors
    ///
    /// The store's.
    pub fn pending(&self) -> Result<usize, StoreError> {
        Ok(self.store.waiting(self.client.config().url())?.total())
    }

    /// Sends what the outbox keeps for this server, oldest first, each once: an entry the server
    /// takes is removed; one it refuses stays, with the reason; when the server is away, the
    /// rest wait for the next sync.
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
        status: crate::stack::Status,
        finished: std::time::SystemTime,
    ) -> Result<(), SinkError> {
        match self.client.finish(resource, status, finished) {
            Ok(()) => Ok(()),
            Err(e) if e.is_transient() => {
                let server = self.client.config().url().to_owned();
                self.store
                    .enqueue_status(&server, resource, status, finished)?;
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
/// when they started (the metadata kept for them takes their new ids), then the metadata.
///
/// # Errors
///
/// The store's.
pub fn sync(client: &mut Client, store: &mut Store) -> Result<SyncReport, StoreError> {
    let server = client.config().url().to_owned();
    let mut report = SyncReport::default();
    let steps = store.pending_steps(&server)?;
    let total_steps = steps.len();
    for (done, step) in steps.into_iter().enumerate() {
        let registered = client.register_step(
            step.run_id,
            &step.name,
            step.status,
            step.started,
            step.finished,
        );
        match registered {
            Ok(remote) => {
                store.step_registered(step.id, remote)?;
                report.steps_registered += 1;
            }
            Err(e) if e.is_transient() => {
                let waiting = store.waiting(&server)?;
                report.remaining = (total_steps - done) + waiting.entries + waiting.statuses;
                return Ok(report);
            }
            Err(e) => report
                .steps_refused
                .push((step.name.clone(), e.to_string())),
        }
    }
    let entries = store.outbox(&server)?;
    let total = entries.len();
    for (done, entry) in entries.into_iter().enumerate() {
        let OutboxEntry {
            id,
            resource,
            component,
            metadata,
            ..
        } = entry;
        let result = component
            .as_ref()
            .map(|c| client.component_id(c))
            .transpose()
            .and_then(|component_id| client.publish(resource, component_id, &metadata));
        match result {
            Ok(_) => {
                store.remove_from_outbox(id)?;
                report.sent += 1;
            }
            Err(e) if e.is_transient() => {
                report.remaining = total - done + store.waiting(&server)?.statuses;
                return Ok(report);
            }
            Err(e) => {
                store.record_outbox_failure(id, &e.to_string())?;
                report.refused.push((id, e.to_string()));
            }
        }
    }
    // Final statuses last: a run ends after its steps and metadata are in.
    let statuses = store.pending_statuses(&server)?;
    let total_statuses = statuses.len();
    for (done, (resource, status, finished)) in statuses.into_iter().enumerate() {
        match client.finish(resource, status, finished) {
            Ok(()) => {
                store.status_sent(&server, resource)?;
                report.statuses_sent += 1;
            }
            Err(e) if e.is_transient() => {
                report.remaining += total_statuses - done;
                break;
            }
            Err(e) => report
                .steps_refused
                .push((format!("{} {}", resource.kind, resource.id), e.to_string())),
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
                .create_step(step.run_id, &step.name, step.status, step.started)
            {
                Ok(id) => {
                    step.id = id;
                    self.registered.insert(id);
                }
                Err(e) if e.is_transient() => {
                    let server = self.client.config().url().to_owned();
                    self.store.enqueue_step(&server, step)?;
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
        if self.store.is_pending_step(step.id)? {
            let server = self.client.config().url().to_owned();
            self.store.enqueue_step(&server, step)?;
            return Ok(());
        }
        if let (true, Some(finished)) = (self.registered.contains(&step.id), step.finished) {
            self.send_status(Resource::step_run(step.id), step.status, finished)?;
        }
        Ok(())
    }

    fn publish(
        &mut self,
        resource: Resource,
        component: &ComponentInfo,
        metadata: &Metadata,
    ) -> Result<(), SinkError> {
        self.store.publish(resource, component, metadata)?;
        let server = self.client.config().url().to_owned();
        // A step the server has not registered yet: its metadata waits with it.
        if resource.kind == super::ResourceType::StepRun
            && self.store.is_pending_step(resource.id)?
        {
            self.store
                .enqueue(&server, resource, Some(component), metadata)?;
            return Err(SinkError::new(format!(
                "step {} is not registered on the ZenML server at {server} yet; kept for `run-metadata sync`",
                resource.id
            )));
        }
        // Keep the order: while older entries wait, this one waits behind them.
        let waiting = self.store.waiting(&server)?;
        if waiting.entries + waiting.steps > 0 && self.sync()?.remaining > 0 {
            self.store
                .enqueue(&server, resource, Some(component), metadata)?;
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
                self.store
                    .enqueue(&server, resource, Some(component), metadata)?;
                Err(SinkError::new(format!(
                    "{e}; kept in the outbox for `run-metadata sync`"
                )))
            }
            Err(e) => Err(SinkError::new(e)),
        }
    }
}
