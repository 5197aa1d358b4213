//! `ZenmlSink`: runs recorded in the embedded store and published to a ZenML server, with the
//! store as the outbox for whatever the server could not take.

use std::collections::HashSet;

use uuid::Uuid;

use super::client::{Client, PlannedStep};
use super::error::ZenmlError;
use super::outbox::{Kept, KeptMetadata, KeptStatus, Outbox, OutboxCount};
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

/// [`ZenmlSink::sync`] for a client and a store, with the default [`SyncOptions`].
///
/// # Errors
///
/// The store's.
pub fn sync(client: &mut Client, store: &mut Store) -> Result<SyncReport, StoreError> {
    sync_with(client, store, SyncOptions::default())
}

/// How a sync goes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SyncOptions {
    /// Send again what the server refused before (parked, with the reason); else it is left.
    pub retry_refused: bool,
}

impl SyncOptions {
    /// Also sends again what the server refused before.
    #[must_use]
    pub fn retry_refused(mut self) -> Self {
        self.retry_refused = true;
        self
    }
}

/// What a send of one kept item came to.
enum Sent {
    Took,
    Refused(Refusal),
    Away,
}

/// Sends what the outbox of `client`'s server keeps, in order — the runs the server could not
/// register when they started (what was kept for them takes their new ids), their steps, the
/// metadata, then the final statuses (a run ends after its steps and metadata are in) — each
/// once: what the server takes leaves the outbox; what it refuses is parked with the reason;
/// when it is away, the rest stays for the next sync. A final status the server already has
/// counts as delivered.
///
/// # Errors
///
/// The store's.
pub fn sync_with(
    client: &mut Client,
    store: &mut Store,
    options: SyncOptions,
) -> Result<SyncReport, StoreError> {
    let outbox = Outbox::of(client, store)?;
    let again = options.retry_refused;
    let mut report = SyncReport::default();
    // The server went away: everything still kept waits for the next sync.
    macro_rules! stop_if_away {
        () => {
            if report.untried > 0 {
                report.untried = outbox.count(store)?.total();
                return Ok(report);
            }
        };
    }
    let runs = outbox.runs(store, again)?;
    report.took.runs = phase(&mut report, runs, |(run, steps)| {
        // On the stack it ran on, if the server has it by now; else the default one.
        let registered = client.find_stack(&run.stack).and_then(|stack| {
            client.create_run(&run.pipeline, &run.name, &steps, run.started, stack)
        });
        Ok(match registered {
            Ok(remote) => {
                took_run(&outbox, store, &run, remote)?;
                Sent::Took
            }
            Err(e) => refusal(&e, format!("run {:?}", run.name), |reason| {
                outbox.refused(store, Kept::Run, run.id, reason)
            })?,
        })
    })?;
    stop_if_away!();
    let steps = outbox.steps(store, again)?;
    report.took.steps = phase(&mut report, steps, |step| {
        Ok(
            match client.create_step(
                step.run_id,
                &step.name,
                step.status,
                step.started,
                step.finished,
            ) {
                Ok(remote) => {
                    outbox.took_step(store, step.id, remote)?;
                    Sent::Took
                }
                Err(e) => refusal(&e, format!("step {:?}", step.name), |reason| {
                    outbox.refused(store, Kept::Step, step.id, reason)
                })?,
            },
        )
    })?;
    stop_if_away!();
    let metadata = outbox.metadata(store, again)?;
    report.took.metadata = phase(&mut report, metadata, |kept| {
        let KeptMetadata {
            id,
            resource,
            component,
            metadata,
            ..
        } = kept;
        let sent = component
            .as_ref()
            .map(|c| client.component_id(c))
            .transpose()
            .and_then(|component_id| client.publish(resource, component_id, &metadata));
        Ok(match sent {
            Ok(_) => {
                outbox.took_metadata(store, id)?;
                Sent::Took
            }
            Err(e) => refusal(
                &e,
                format!("metadata {id} ({} {})", resource.kind, resource.id),
                |reason| outbox.refused_metadata(store, id, reason),
            )?,
        })
    })?;
    stop_if_away!();
    let statuses = outbox.statuses(store, again)?;
    report.took.statuses = phase(&mut report, statuses, |kept| {
        Ok(
            match client.finish(kept.resource, kept.status, kept.finished) {
                // A step's final status the server already has: delivered before.
                Ok(()) | Err(ZenmlError::Rejected { status: 403, .. }) => {
                    outbox.took_status(store, kept.resource)?;
                    Sent::Took
                }
                Err(e) => refusal(
                    &e,
                    format!("status of {} {}", kept.resource.kind, kept.resource.id),
                    |reason| outbox.refused(store, Kept::Status, kept.resource.id, reason),
                )?,
            },
        )
    })?;
    stop_if_away!();
    Ok(report)
}

/// The server registered the kept `run` as `remote`: everything of it takes that id, and its
/// final status, if it has one, waits to be sent.
fn took_run(
    outbox: &Outbox,
    store: &mut Store,
    run: &RunRecord,
    remote: Uuid,
) -> Result<(), StoreError> {
    outbox.took_run(store, run.id, remote)?;
    if let (true, Some(finished)) = (run.status != Status::Running, run.finished) {
        let status = KeptStatus {
            resource: Resource::pipeline_run(remote),
            status: run.status,
            finished,
        };
        outbox.keep_status(store, status)?;
    }
    Ok(())
}

/// Sends `items` in order with `send` until the server is away; returns how many it took,
/// noting the refusals and, if it stopped, that something is untried.
fn phase<T>(
    report: &mut SyncReport,
    items: Vec<T>,
    mut send: impl FnMut(T) -> Result<Sent, StoreError>,
) -> Result<usize, StoreError> {
    let mut took = 0;
    for item in items {
        match send(item)? {
            Sent::Took => took += 1,
            Sent::Refused(refusal) => report.refused.push(refusal),
            Sent::Away => {
                report.untried = 1;
                break;
            }
        }
    }
    Ok(took)
}

/// A failed send: the server away, or a refusal of `what`, parked by `park`.
fn refusal(
    e: &ZenmlError,
    what: String,
    park: impl FnOnce(&str) -> Result<(), StoreError>,
) -> Result<Sent, StoreError> {
    if e.is_transient() {
        return Ok(Sent::Away);
    }
    let reason = e.to_string();
    park(&reason)?;
    Ok(Sent::Refused(Refusal { what, reason }))
}

impl Sink for ZenmlSink {
    /// Registers the run on the server, which gives it its id, then records it locally under
    /// that id. A run the server cannot register now (it is away) is recorded under its own id
    /// and kept, with its steps and metadata, for [`sync`](Self::sync) to register with the
    /// times it has; one it refuses is recorded locally only, and the refusal reported.
    fn start_run(&mut self, run: &mut RunRecord) -> Result<(), SinkError> {
        let remote = self.stack_id().and_then(|stack| {
            self.client
                .create_run(&run.pipeline, &run.name, &self.steps, run.started, stack)
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
        let server = self.outbox.server().to_owned();
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
            self.outbox
                .keep_metadata(&mut self.store, resource, Some(component), metadata)?;
            return Err(SinkError::new(format!(
                "step {} is not registered on the ZenML server at {server} yet; kept in the outbox for `run-metadata sync`",
                resource.id
            )));
        }
        // Keep the order: while older items are kept, this one is kept behind them.
        let kept = self.kept()?;
        // While a run of this sink is kept, nothing is synced in its midst (its ids are local
        // until `sync` registers it): what comes after waits too.
        let waits = kept.runs + kept.metadata + kept.steps > 0
            && (!self.deferred.is_empty() || self.sync()?.untried > 0);
        if waits {
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
