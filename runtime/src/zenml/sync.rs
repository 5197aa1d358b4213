//! `sync`: what an outbox keeps, sent to its server in order, once.

use uuid::Uuid;

use super::client::Client;
use super::error::ZenmlError;
use super::outbox::{Kept, KeptMetadata, KeptStatus, Outbox, OutboxCount};
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
            client.create_run(
                &run.pipeline,
                &run.name,
                &steps,
                run.started,
                run.finished,
                stack,
            )
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
