//! `ZenmlSink`: runs recorded in the embedded store and published to a ZenML server, with the
//! store as the outbox for whatever the server could not take.

use std::collections::HashMap;

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
///   them up front.
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
    remote: HashMap<Uuid, Uuid>,
    reports: Vec<(Resource, Option<ComponentInfo>, PublishReport)>,
}

/// What a [`sync`](ZenmlSink::sync) did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
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
            remote: HashMap::new(),
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

    /// The server's id of a run or step registered through this sink, or the id itself for one
    /// the server already knew.
    #[must_use]
    pub fn remote_id(&self, local: Uuid) -> Uuid {
        self.remote.get(&local).copied().unwrap_or(local)
    }

    /// What each publish sent and skipped, in order.
    #[must_use]
    pub fn reports(&self) -> &[(Resource, Option<ComponentInfo>, PublishReport)] {
        &self.reports
    }

    /// How many entries wait in the outbox for this server.
    ///
    /// # Errors
    ///
    /// The store's.
    pub fn pending(&self) -> Result<usize, StoreError> {
        Ok(self.store.outbox(self.client.config().url())?.len())
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

/// [`ZenmlSink::sync`] for a client and a store.
///
/// # Errors
///
/// The store's.
pub fn sync(client: &mut Client, store: &mut Store) -> Result<SyncReport, StoreError> {
    let server = client.config().url().to_owned();
    let mut report = SyncReport::default();
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
                report.remaining = total - done;
                break;
            }
            Err(e) => {
                store.record_outbox_failure(id, &e.to_string())?;
                report.refused.push((id, e.to_string()));
            }
        }
    }
    Ok(report)
}

impl Sink for ZenmlSink {
    fn start_run(&mut self, run: &RunRecord) -> Result<(), SinkError> {
        self.store.start_run(run)?;
        let id = self
            .client
            .create_run(&run.pipeline, &run.name, &self.steps, run.started)
            .map_err(SinkError::new)?;
        self.remote.insert(run.id, id);
        Ok(())
    }

    fn finish_run(&mut self, run: &RunRecord) -> Result<(), SinkError> {
        self.store.finish_run(run)?;
        if let (Some(remote), Some(finished)) = (self.remote.get(&run.id), run.finished) {
            let resource = Resource::pipeline_run(*remote);
            self.client
                .finish(resource, run.status, finished)
                .map_err(SinkError::new)?;
        }
        Ok(())
    }

    fn start_step(&mut self, step: &StepRecord) -> Result<(), SinkError> {
        self.store.start_step(step)?;
        if let Some(run) = self.remote.get(&step.run_id).copied() {
            let id = self
                .client
                .create_step(run, &step.name, step.status, step.started)
                .map_err(SinkError::new)?;
            self.remote.insert(step.id, id);
        }
        Ok(())
    }

    fn finish_step(&mut self, step: &StepRecord) -> Result<(), SinkError> {
        self.store.finish_step(step)?;
        if let (Some(remote), Some(finished)) = (self.remote.get(&step.id), step.finished) {
            self.client
                .finish(Resource::step_run(*remote), step.status, finished)
                .map_err(SinkError::new)?;
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
        let remote = Resource {
            id: self.remote_id(resource.id),
            kind: resource.kind,
        };
        let server = self.client.config().url().to_owned();
        // Keep the order: while older entries wait, this one waits behind them.
        if !self.store.outbox(&server)?.is_empty() && self.sync()?.remaining > 0 {
            self.store
                .enqueue(&server, remote, Some(component), metadata)?;
            return Err(SinkError::new(format!(
                "the ZenML server at {server} is away; kept in the outbox for `run-metadata sync`"
            )));
        }
        match self.publish_remote(remote, Some(component), metadata) {
            Ok(report) => {
                self.reports.push((remote, Some(component.clone()), report));
                Ok(())
            }
            Err(e) if e.is_transient() => {
                self.store
                    .enqueue(&server, remote, Some(component), metadata)?;
                Err(SinkError::new(format!(
                    "{e}; kept in the outbox for `run-metadata sync`"
                )))
            }
            Err(e) => Err(SinkError::new(e)),
        }
    }
}
