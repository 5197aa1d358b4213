//! `ZenmlSink`: runs recorded in the embedded store and published to a ZenML server, with the
//! store as the outbox for whatever the server could not take.

use std::collections::HashSet;
use std::time::{Duration, Instant, SystemTime};

use uuid::Uuid;

use crate::hooks::component::ComponentInfo;
use crate::map::metadata::Metadata;
use crate::runs::resource::Resource;
use crate::runs::sink::{HookFailure, RunRecord, Sink, SinkError, StepRecord};
use crate::store::rows::millis;
use crate::store::write::{
    check_depth, insert_hook_failure, insert_metadata, insert_run, insert_step, update_run,
    update_step,
};
use crate::store::{Store, StoreError};
use crate::zenml::endpoints::client::Client;
use crate::zenml::endpoints::plan::PlannedStep;
use crate::zenml::endpoints::publish::PublishReport;
use crate::zenml::outbox::background::Background;
use crate::zenml::outbox::items::{Item, ItemState};
use crate::zenml::outbox::lease::current_id;
use crate::zenml::outbox::sync::{SyncOptions, SyncReport};
use crate::zenml::outbox::{Outbox, OutboxCount};
use crate::zenml::transport::delivery::Delivery;

mod synchronous;

/// How long a sink leaves the server alone after sending stopped (it was away, failing, or
/// refused the credentials): what is recorded meanwhile is kept without a try each time, and
/// the end of the run tries again.
const QUIET: Duration = Duration::from_secs(30);

/// How long the end of a run waits for another process sending the same outbox, so that what
/// it says is delivered is.
const END_WAIT: Duration = Duration::from_secs(10);

/// A sink that records everything in the embedded [`Store`] and publishes it to a ZenML server.
///
/// Nothing waits on the network ([`Delivery::Background`], the default): the run's thread
/// commits each record to the store and goes on; a thread of the sink's own delivers, in order.
/// The end of a run ([`Sink::finish_run`]) waits for what the run recorded, up to the
/// configured time ([`Config::with_delivery`](crate::zenml::Config::with_delivery),
/// `RUN_METADATA_DELIVERY_TIMEOUT`), and fails with what is still kept, or was refused, if not
/// all was delivered. A sink dropped with records not yet waited for waits for them as the end
/// of a run does, and says on standard error what is kept. The ids the hooks are told are the
/// run's own until the server has registered it; the records take the server's ids when it
/// answers ([`id_now`](Self::id_now)). [`Delivery::Synchronous`] sends each record before the
/// call that records it returns, as ZenML's own client does.
///
/// Delivery is a write-ahead log: each record (a run, a step, metadata, a final status) is
/// written to the store together with its item in the outbox, in one transaction, before any
/// request; the item leaves the outbox when the server has it. A process killed at any instant
/// leaves every undelivered item kept, for the next sink or [`sync`](Self::sync) to send —
/// once: one process sends at a time, a run or step the server made already is found rather
/// than made twice, and metadata whose answer was lost is read back before it is sent again.
///
/// - A run started through a [`Stack`](crate::stack::Stack) is registered on the server as a
///   standalone run (pipeline, snapshot, run, then each step), so it shows in ZenML's dashboard;
///   the steps must be declared with [`with_steps`](Self::with_steps), as ZenML's snapshot lists
///   them up front. Runs and steps take the server's ids, locally too (a record written later
///   under the first id finds the new one, in the transaction that writes it); with synchronous
///   delivery the hooks see the ids ZenML shows when the server answers in time.
/// - Metadata for a run or step the server already knows — a Rust component taking part in a
///   ZenML pipeline — is published with [`Sink::publish`] using ZenML's own ids.
/// - What the server cannot take now (it is away or failing, or refuses the credentials) stays
///   kept, in order, for [`sync`](Self::sync) (also `run-metadata sync`); what it refuses (a run
///   name another run has, a key it rejects) is parked with the reason and reported.
#[derive(Debug)]
pub struct ZenmlSink {
    client: Client,
    store: Store,
    outbox: Outbox,
    /// The worker delivering beside the run, and what the run kept for it ([`Delivery::Background`]).
    background: Option<Background>,
    steps: Vec<PlannedStep>,
    /// The stack the runs are created on: its name and components.
    stack: Option<(String, Vec<ComponentInfo>)>,
    /// Runs of this sink whose registration is kept (its failure said once, when the run
    /// started): what they record is kept behind them without a failure each.
    behind: HashSet<Uuid>,
    /// Why sending stopped last, and until when the server is left alone.
    quiet: Option<(String, Instant)>,
    reports: Vec<(Resource, Option<ComponentInfo>, PublishReport)>,
}

impl ZenmlSink {
    /// Publishes through `client`, recording in `store` and keeping there, in the outbox of the
    /// client's server, what the server has not taken yet; delivers as the client's
    /// configuration says ([`Config::delivery`](crate::zenml::Config::delivery)). With background
    /// delivery nothing is asked of the server here: the outbox is keyed as this store last
    /// knew the server at that URL, and the worker, which takes `client`, checks the server's id
    /// when it first answers (what this sink kept moves to another server found there); with
    /// synchronous delivery the server is asked for its id ([`Outbox::of`]).
    ///
    /// # Errors
    ///
    /// The store's (the worker's own connection to it included).
    pub fn new(mut client: Client, mut store: Store) -> Result<Self, StoreError> {
        super::install(&store)?;
        let (client, outbox, background) = match client.config().delivery() {
            Delivery::Synchronous => {
                let outbox = Outbox::of(&mut client, &mut store)?;
                (client, outbox, None)
            }
            Delivery::Background { wait } => {
                // Keyed as this store last knew the server at that URL (so that a server back
                // at another address finds what it did not take); the worker checks the id
                // when the server first answers.
                let outbox = Outbox::known(&store, client.config().url())?;
                let own = Client::new(client.config().clone());
                let background = Background::start(client, &store, outbox.clone(), wait)?;
                (own, outbox, Some(background))
            }
        };
        Ok(Self {
            outbox,
            background,
            client,
            store,
            steps: Vec::new(),
            stack: None,
            behind: HashSet::new(),
            quiet: None,
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
    pub fn with_stack(mut self, stack: &crate::runs::stack::Stack) -> Self {
        self.stack = Some((
            stack.name().to_owned(),
            stack.components().cloned().collect(),
        ));
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

    /// What each publish the server took sent and skipped, in order (with background delivery,
    /// as of the last end of a run).
    #[must_use]
    pub fn reports(&self) -> &[(Resource, Option<ComponentInfo>, PublishReport)] {
        &self.reports
    }

    /// The id the run or step recorded as `id` has now: the server's, if the server registered
    /// it after it began (its records were renamed then); else `id`.
    ///
    /// # Errors
    ///
    /// The store's.
    pub fn id_now(&self, id: Uuid) -> Result<Uuid, StoreError> {
        self.current(id)
    }

    /// The outbox of this sink's server (keyed by its URL until it first answered).
    #[must_use]
    pub fn outbox(&self) -> Outbox {
        self.background
            .as_ref()
            .map_or_else(|| self.outbox.clone(), Background::outbox)
    }

    /// How much the outbox keeps for this sink's server.
    ///
    /// # Errors
    ///
    /// The store's.
    pub fn kept(&self) -> Result<OutboxCount, StoreError> {
        self.outbox().count(&self.store)
    }

    /// Sends what the outbox keeps for this server, oldest first, each once (see
    /// [`sync_with`](crate::zenml::sync_with)).
    ///
    /// # Errors
    ///
    /// The store's.
    pub fn sync(&mut self) -> Result<SyncReport, StoreError> {
        if let Some(background) = &self.background {
            self.outbox = background.outbox();
        }
        let mut report = self.deliver(SyncOptions::default().wait, true)?;
        report.elsewhere = self.outbox.elsewhere(&self.store)?;
        Ok(report)
    }

    /// Writes a record and its item in one transaction. With background delivery the worker is
    /// told and the item is `Ok` (the end of the run says what became of it); else
    /// [`write_ahead`](Self::write_ahead).
    fn record(
        &mut self,
        what: impl FnOnce() -> String,
        behind: Option<Uuid>,
        wait: Duration,
        write: impl FnOnce(&Outbox, &rusqlite::Transaction<'_>) -> rusqlite::Result<Item>,
    ) -> Result<Item, SinkError> {
        match &mut self.background {
            Some(background) => Ok(background.keep(&mut self.store, what, write)?),
            None => self.write_ahead(what, behind, wait, write),
        }
    }

    /// The id `id` has now (the server's, once it registered it).
    fn current(&self, id: Uuid) -> Result<Uuid, StoreError> {
        Ok(current_id(self.store.conn(), id)?)
    }
}

impl Sink for ZenmlSink {
    /// Records the run and keeps it to be registered on the server, which gives it its id
    /// (taken by the local record too). A run the server cannot register now (it is away) is
    /// kept, with its steps and metadata, for [`sync`](Self::sync) to register with the times it
    /// has; one it refuses (its name is another run's) is parked with the reason.
    fn start_run(&mut self, run: &mut RunRecord) -> Result<(), SinkError> {
        let steps = std::mem::take(&mut self.steps);
        let components = self.stack.as_ref().map(|(_, c)| c.clone());
        let name = run.name.clone();
        let record = run.clone();
        let result = self.record(
            || format!("run `{name}`"),
            None,
            Duration::ZERO,
            |outbox, tx| {
                insert_run(tx, &record)?;
                outbox.keep_run_in(tx, &record, &steps, components.as_deref())?;
                Ok(Item::Run(record.id))
            },
        );
        self.steps = steps;
        if result.is_err()
            && self.outbox.state(&self.store, Item::Run(run.id))? != ItemState::Delivered
        {
            self.behind.insert(run.id);
        }
        run.id = self.current(run.id)?;
        result.map(drop)
    }

    /// Records the run's end. With background delivery, then waits for what the run recorded to
    /// be delivered (up to the configured time) and fails with what is kept or was refused.
    fn finish_run(&mut self, run: &RunRecord) -> Result<(), SinkError> {
        let first = run.id;
        let name = run.name.clone();
        let status = run.status;
        let run = run.clone();
        self.record(
            || format!("the status of run `{name}`"),
            Some(first),
            END_WAIT,
            |outbox, tx| {
                let run = RunRecord {
                    id: current_id(tx, run.id)?,
                    ..run
                };
                update_run(tx, &run)?;
                let resource = Resource::pipeline_run(run.id);
                if !outbox.end_kept_in(tx, resource, status, run.finished)? {
                    let finished = run
                        .finished
                        .map_or_else(|| millis(SystemTime::now()), millis);
                    outbox.keep_status_row(
                        tx,
                        run.id,
                        "pipeline_run",
                        status.as_str(),
                        finished,
                    )?;
                    return Ok(Item::Status(run.id));
                }
                Ok(Item::Run(run.id))
            },
        )?;
        match &mut self.background {
            Some(background) => {
                let url = self.client.config().url();
                background.settle(&self.store, url, &name, &mut self.reports)
            }
            None => Ok(()),
        }
    }

    /// Records the step and keeps it to be registered after its run, as
    /// [`start_run`](Self::start_run) does.
    fn start_step(&mut self, step: &mut StepRecord) -> Result<(), SinkError> {
        let run = step.run_id;
        let record = step.clone();
        let result = self.record(
            || format!("step `{}`", record.name),
            Some(run),
            Duration::ZERO,
            |outbox, tx| {
                let record = StepRecord {
                    run_id: current_id(tx, record.run_id)?,
                    ..record.clone()
                };
                insert_step(tx, &record)?;
                outbox.keep_step_in(tx, &record)?;
                Ok(Item::Step(record.id))
            },
        );
        step.run_id = self.current(step.run_id)?;
        step.id = self.current(step.id)?;
        result.map(drop)
    }

    fn finish_step(&mut self, step: &StepRecord) -> Result<(), SinkError> {
        let run = step.run_id;
        let name = step.name.clone();
        let step = step.clone();
        self.record(
            || format!("the status of step `{name}`"),
            Some(run),
            Duration::ZERO,
            |outbox, tx| {
                let step = StepRecord {
                    id: current_id(tx, step.id)?,
                    run_id: current_id(tx, step.run_id)?,
                    ..step
                };
                update_step(tx, &step)?;
                let resource = Resource::step_run(step.id);
                if !outbox.end_kept_in(tx, resource, step.status, step.finished)? {
                    let finished = step
                        .finished
                        .map_or_else(|| millis(SystemTime::now()), millis);
                    outbox.keep_status_row(
                        tx,
                        step.id,
                        "step_run",
                        step.status.as_str(),
                        finished,
                    )?;
                    return Ok(Item::Status(step.id));
                }
                Ok(Item::Step(step.id))
            },
        )
        .map(drop)
    }

    /// Kept locally: ZenML's server has no record of failed hooks (its client logs them).
    fn hook_failed(&mut self, resource: Resource, failure: &HookFailure) -> Result<(), SinkError> {
        self.store.write(|tx| {
            let resource = Resource {
                id: current_id(tx, resource.id)?,
                ..resource
            };
            insert_hook_failure(tx, resource, failure)
        })?;
        Ok(())
    }

    fn publish(
        &mut self,
        resource: Resource,
        component: &ComponentInfo,
        metadata: &Metadata,
    ) -> Result<(), SinkError> {
        check_depth(metadata)?;
        // Metadata of a run this sink started, or of one of its steps, waits behind the run
        // (looked up only while some run of this sink waits).
        let behind = if self.behind.is_empty() {
            None
        } else {
            self.run_of(resource)?
        };
        self.record(
            || {
                format!(
                    "metadata of {component} for {} {}",
                    resource.kind, resource.id
                )
            },
            behind,
            Duration::ZERO,
            |outbox, tx| {
                let current = Resource {
                    id: current_id(tx, resource.id)?,
                    ..resource
                };
                insert_metadata(tx, current, component, metadata)?;
                let id = outbox.keep_metadata_in(tx, current, Some(component), metadata)?;
                Ok(Item::Metadata(id))
            },
        )
        .map(drop)
    }
}

impl Drop for ZenmlSink {
    /// Records kept since the last end of a run (a run not finished, or records outside a run)
    /// are waited for as the end of a run waits; what is kept or refused is said on standard
    /// error, the one place left to say it.
    fn drop(&mut self) {
        if let Some(background) = self.background.as_mut().filter(|b| b.pending()) {
            let url = self.client.config().url();
            if let Err(e) = background.settle(&self.store, url, "(not finished)", &mut self.reports)
            {
                eprintln!("run-metadata: {e}");
            }
        }
    }
}
