//! `sync`: what an outbox keeps, sent to its server in order, once.

use uuid::Uuid;

use super::client::Client;
use super::error::ZenmlError;
use super::outbox::{Kept, KeptMetadata, KeptStatus, Outbox, OutboxCount};
use super::plan::PlannedStep;
use crate::resource::Resource;
use crate::sink::{RunRecord, Status};
use crate::store::{Store, StoreError};

/// What a [`sync`](super::ZenmlSink::sync) did.
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

/// [`ZenmlSink::sync`](super::ZenmlSink::sync) for a client and a store, with the default [`SyncOptions`].
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
    let runs = outbox.runs(store, again)?;
    let mut away = phase(
        &mut report,
        |n| &mut n.runs,
        runs,
        |run| send_run(client, &outbox, store, run),
    )?;
    if !away {
        let steps = outbox.steps(store, again)?;
        away = phase(
            &mut report,
            |n| &mut n.steps,
            steps,
            |step| {
                let sent = client.create_step(
                    step.run_id,
                    &step.name,
                    step.status,
                    step.started,
                    step.finished,
                );
                settle(
                    store,
                    sent,
                    |store, remote| outbox.took_step(store, step.id, remote),
                    || format!("step {:?}", step.name),
                    |store, reason| outbox.refused(store, Kept::Step, step.id, reason),
                )
            },
        )?;
    }
    if !away {
        let metadata = outbox.metadata(store, again)?;
        away = phase(
            &mut report,
            |n| &mut n.metadata,
            metadata,
            |kept| {
                let KeptMetadata {
                    id,
                    resource,
                    component,
                    metadata,
                    ..
                } = kept;
                // A kept publish may have been applied (its answer lost): read back first.
                let sent = component
                    .as_ref()
                    .map(|c| client.component_id(c))
                    .transpose()
                    .and_then(|id| client.publish_checked(resource, id, &metadata, true));
                settle(
                    store,
                    sent,
                    |store, _| outbox.took_metadata(store, id),
                    || format!("metadata {id} ({} {})", resource.kind, resource.id),
                    |store, reason| outbox.refused_metadata(store, id, reason),
                )
            },
        )?;
    }
    if !away {
        let statuses = outbox.statuses(store, again)?;
        away = phase(
            &mut report,
            |n| &mut n.statuses,
            statuses,
            |kept| {
                let sent = match client.finish(kept.resource, kept.status, kept.finished) {
                    // A step's final status the server already has: delivered before.
                    Err(ZenmlError::Rejected { status: 403, .. }) => Ok(()),
                    sent => sent,
                };
                settle(
                    store,
                    sent,
                    |store, ()| outbox.took_status(store, kept.resource),
                    || format!("status of {} {}", kept.resource.kind, kept.resource.id),
                    |store, reason| outbox.refused(store, Kept::Status, kept.resource.id, reason),
                )
            },
        )?;
    }
    // The server went away: everything still kept waits for the next sync.
    if away {
        report.untried = outbox.count(store)?.total();
    }
    Ok(report)
}

/// Registers a kept run (with its steps) on the stack it ran on, if the server has it by now;
/// else on the default one.
fn send_run(
    client: &mut Client,
    outbox: &Outbox,
    store: &mut Store,
    (run, steps): (RunRecord, Vec<PlannedStep>),
) -> Result<Sent, StoreError> {
    let sent = client.find_stack(&run.stack).and_then(|stack| {
        client.create_run(
            &run.pipeline,
            &run.name,
            &steps,
            run.started,
            run.finished,
            stack,
        )
    });
    settle(
        store,
        sent,
        |store, remote| took_run(outbox, store, &run, remote),
        || format!("run {:?}", run.name),
        |store, reason| outbox.refused(store, Kept::Run, run.id, reason),
    )
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

/// Sends `items` in order with `send` until the server is away, counting what it took in the
/// count `took` picks and noting the refusals; whether it stopped because the server went away.
fn phase<T>(
    report: &mut SyncReport,
    took: fn(&mut OutboxCount) -> &mut usize,
    items: Vec<T>,
    mut send: impl FnMut(T) -> Result<Sent, StoreError>,
) -> Result<bool, StoreError> {
    for item in items {
        match send(item)? {
            Sent::Took => *took(&mut report.took) += 1,
            Sent::Refused(refusal) => report.refused.push(refusal),
            Sent::Away => return Ok(true),
        }
    }
    Ok(false)
}

/// What a send that came to `sent` amounts to: taken (`took` notes it in the store), the server
/// away, or a refusal of `what`, parked by `park` with the reason.
fn settle<T>(
    store: &mut Store,
    sent: Result<T, ZenmlError>,
    took: impl FnOnce(&mut Store, T) -> Result<(), StoreError>,
    what: impl FnOnce() -> String,
    park: impl FnOnce(&mut Store, &str) -> Result<(), StoreError>,
) -> Result<Sent, StoreError> {
    match sent {
        Ok(answer) => {
            took(store, answer)?;
            Ok(Sent::Took)
        }
        Err(e) if e.is_transient() => Ok(Sent::Away),
        Err(e) => {
            let reason = e.to_string();
            park(store, &reason)?;
            Ok(Sent::Refused(Refusal {
                what: what(),
                reason,
            }))
        }
    }
}
