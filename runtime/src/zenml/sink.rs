//! `ZenmlSink`: runs recorded in the embedded store and published to a ZenML server, with the
//! store as the outbox for whatever the server could not take.

use std::collections::HashSet;

use uuid::Uuid;

use super::client::Client;
use super::error::ZenmlError;
use super::outbox::{KeptStatus, Outbox, OutboxCount};
use super::plan::PlannedStep;
use super::publish::PublishReport;
use super::sync::{SyncReport, sync};
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
    steps: Vec<PlannedStep>,
    /// The stack the runs are created on: its name and components.
    stack: Option<(String, Vec<ComponentInfo>)>,
    /// The stack's id on the server, once known.
    stack_id: Option<Uuid>,
    /// Runs and steps this sink registered on the server (their ids are the server's).
    registered: HashSet<Uuid>,
    /// Runs the server refused to register, and their steps: recorded locally only (the
    /// refusal is reported once, when the run starts).
    local_only: HashSet<Uuid>,
    /// Runs kept for `sync` because the server was away when they started, and their steps:
    /// everything of theirs is kept, without a failure each (the run's is reported once).
    deferred: HashSet<Uuid>,
    reports: Vec<(Resource, Option<ComponentInfo>, PublishReport)>,
}

impl ZenmlSink {
    /// Publishes through `client`, recording in `store` and keeping there, in the outbox of the
    /// client's server ([`Outbox::of`]: it asks the server for its id), what the server cannot
    /// take.
    ///
    /// # Errors
    ///
    /// The store's.
    pub fn new(mut client: Client, mut store: Store) -> Result<Self, StoreError> {
        let outbox = Outbox::of(&mut client, &mut store)?;
        Ok(Self {
            outbox,
            client,
            store,
            steps: Vec::new(),
            stack: None,
            stack_id: None,
            registered: HashSet::new(),
            local_only: HashSet::new(),
            deferred: HashSet::new(),
            reports: Vec::new(),
        })
    }

    /// Declares the steps of the runs this sink registers, as names or [`PlannedStep`]s with
    /// the steps each runs after.
    #[must_use]
    pub fn with_steps<S: Into<PlannedStep>>(mut self, steps: impl IntoIterator<Item = S>) -> Self {
        self.steps = steps.into_iter().map(Into::into).collect();
        self
    }

    /// Creates the runs on `stack` (registered on the server with its components, once), so
    /// that ZenML's dashboard shows the components that report the metadata; else runs are on
    /// the server's `default` stack.
    #[must_use]
    pub fn with_stack(mut self, stack: &crate::stack::Stack) -> Self {
        self.stack = Some((
            stack.name().to_owned(),
            stack.components().cloned().collect(),
        ));
        self
    }

    /// The server's id of this sink's stack, registering it once.
    fn stack_id(&mut self) -> Result<Option<Uuid>, ZenmlError> {
        if let (None, Some((name, components))) = (self.stack_id, &self.stack) {
            self.stack_id = self.client.stack_id(name, components)?;
        }
        Ok(self.stack_id)
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

    /// Keeps `component`'s `metadata` for `resource` in the outbox for `sync`; the error says
    /// `why` it was not sent now.
    fn keep_for_sync(
        &mut self,
        resource: Resource,
        component: &ComponentInfo,
        metadata: &Metadata,
        why: impl std::fmt::Display,
    ) -> Result<(), SinkError> {
        self.outbox
            .keep_metadata(&mut self.store, resource, Some(component), metadata)?;
        Err(SinkError::new(format!(
            "{why}; kept in the outbox for `run-metadata sync`"
        )))
    }
}

impl Sink for ZenmlSink {
    /// Registers the run on the server, which gives it its id, then records it locally under
    /// that id. A run the server cannot register now (it is away) is recorded under its own id
    /// and kept, with its steps and metadata, for [`sync`](Self::sync) to register with the
    /// times it has; one it refuses is recorded locally only, and the refusal reported.
    fn start_run(&mut self, run: &mut RunRecord) -> Result<(), SinkError> {
        let remote = self.stack_id().and_then(|stack| {
            self.client.create_run(
                &run.pipeline,
                &run.name,
                &self.steps,
                run.started,
                None,
                stack,
            )
        });
        let result = match remote {
            Ok(id) => {
                run.id = id;
                self.registered.insert(id);
                Ok(())
            }
            Err(e) if e.is_transient() => {
                self.outbox.keep_run(&mut self.store, run, &self.steps)?;
                self.deferred.insert(run.id);
                Err(SinkError::new(format!(
                    "{e}; run `{}` kept in the outbox for `run-metadata sync` to register",
                    run.name
                )))
            }
            Err(e) => {
                self.local_only.insert(run.id);
                Err(SinkError::new(format!(
                    "{e}; run `{}` is recorded locally only",
                    run.name
                )))
            }
        };
        self.store.start_run(run)?;
        result
    }

    fn finish_run(&mut self, run: &RunRecord) -> Result<(), SinkError> {
        self.store.finish_run(run)?;
        if self.outbox.keeps_run(&self.store, run.id)? {
            self.outbox.keep_run(&mut self.store, run, &self.steps)?;
            return Ok(());
        }
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
        if self.local_only.contains(&step.run_id) {
            self.local_only.insert(step.id);
        } else if self.deferred.contains(&step.run_id) {
            // Its run is kept in the outbox: the step is kept behind it.
            self.deferred.insert(step.id);
            self.outbox.keep_step(&mut self.store, step)?;
        } else if self.registered.contains(&step.run_id) {
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
        if self.local_only.contains(&resource.id) {
            return Ok(());
        }
        // A run kept for later, or one of its steps: the metadata is kept with it.
        if self.deferred.contains(&resource.id) {
            self.outbox
                .keep_metadata(&mut self.store, resource, Some(component), metadata)?;
            return Ok(());
        }
        // A step the server has not registered yet: its metadata is kept with it.
        if resource.kind == ResourceType::StepRun
            && self.outbox.keeps_step(&self.store, resource.id)?
        {
            let why = format!(
                "step {} is not registered on the ZenML server at {} yet",
                resource.id,
                self.outbox.server()
            );
            return self.keep_for_sync(resource, component, metadata, why);
        }
        // Keep the order: while older items are kept, this one is kept behind them.
        let kept = self.kept()?;
        // While a run of this sink is kept, nothing is synced in its midst (its ids are local
        // until `sync` registers it): what comes after waits too.
        let waits = kept.runs + kept.metadata + kept.steps > 0
            && (!self.deferred.is_empty() || self.sync()?.untried > 0);
        if waits {
            let why = format!("the ZenML server at {} is away", self.outbox.server());
            return self.keep_for_sync(resource, component, metadata, why);
        }
        match self
            .client
            .publish_from(resource, Some(component), metadata)
        {
            Ok(report) => {
                self.reports
                    .push((resource, Some(component.clone()), report));
                Ok(())
            }
            Err(e) if e.is_transient() => self.keep_for_sync(resource, component, metadata, e),
            Err(e) => Err(SinkError::new(e)),
        }
    }
}
