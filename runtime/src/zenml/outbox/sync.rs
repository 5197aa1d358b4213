//! `sync`: what an outbox keeps, sent to its server in order, once.

use std::time::Duration;

use super::{Kept, KeptMetadata, Outbox, OutboxCount, items::Item, items::Waiting, lease::Lease};
use crate::hooks::component::ComponentInfo;
use crate::runs::resource::Resource;
use crate::runs::sink::RunRecord;
use crate::store::{Store, StoreError};
use crate::zenml::endpoints::client::Client;
use crate::zenml::endpoints::plan::PlannedStep;
use crate::zenml::endpoints::publish::PublishReport;
use crate::zenml::endpoints::runs::RunToRegister;
use crate::zenml::error::ZenmlError;

/// What a [`sync`](crate::zenml::ZenmlSink::sync) did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SyncReport {
    /// What the server took (it left the outbox): runs and steps registered, metadata
    /// published, final statuses set.
    pub took: OutboxCount,
    /// What the server refused, with why; it stays in the outbox, parked.
    pub refused: Vec<Refusal>,
    /// How many kept items were not sent because sending stopped (see
    /// [`stopped`](Self::stopped)); they stay kept for the next sync.
    pub untried: usize,
    /// Why sending stopped before the outbox was empty: the server away or failing, an answer
    /// lost, the credentials refused. What is kept is sent once that is fixed.
    pub stopped: Option<String>,
    /// Another process was sending this server's outbox (and still was when this one stopped
    /// waiting): it sends what is kept, this one sent nothing.
    pub busy: bool,
    /// What waits for other servers: kept before a server was ever reached (under its URL),
    /// or for another server this store has reached.
    pub elsewhere: Vec<Waiting>,
    /// What each publish the server took sent and skipped, in order.
    pub published: Vec<(Resource, Option<ComponentInfo>, PublishReport)>,
}

/// An item of the outbox the server refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// What it was: `step "train"`, `metadata 4 (step_run …)`, `status of pipeline_run …`.
    pub what: String,
    /// The server's reason.
    pub reason: String,
}

/// [`ZenmlSink::sync`](crate::zenml::ZenmlSink::sync) for a client and a store, with the default [`SyncOptions`].
///
/// # Errors
///
/// The store's.
pub fn sync(client: &mut Client, store: &mut Store) -> Result<SyncReport, StoreError> {
    sync_with(client, store, SyncOptions::default())
}

/// How a sync goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SyncOptions {
    /// Send again what the server refused before (parked, with the reason); else it is left.
    pub retry_refused: bool,
    /// How long to wait for another process sending this server's outbox to finish (by
    /// default 2 minutes); `Duration::ZERO` to leave at once. The report says when it did not.
    pub wait: Duration,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            retry_refused: false,
            wait: Duration::from_mins(2),
        }
    }
}

impl SyncOptions {
    /// Also sends again what the server refused before.
    #[must_use]
    pub fn retry_refused(mut self) -> Self {
        self.retry_refused = true;
        self
    }

    /// Waits at most `wait` for another process sending this server's outbox.
    #[must_use]
    pub fn wait(mut self, wait: Duration) -> Self {
        self.wait = wait;
        self
    }
}

/// What a send of one kept item came to.
enum Sent {
    Took,
    Refused(Refusal),
    /// Sending stops: the server is away or failing, the credentials are refused, an answer
    /// was lost. The item stays kept.
    Stop(String),
}

/// Sends what the outbox of `client`'s server keeps, in order — the runs (on the stack each
/// ran on), their steps, the metadata, then the final statuses (a run ends after its steps and
/// metadata are in) — each once, whatever the other processes using the store do: one process
/// sends at a time (the others wait up to [`SyncOptions::wait`]), a run or step the server made
/// already is found rather than made twice, and metadata that may have been applied is read
/// back before it is sent again. What the server takes leaves the outbox; what it refuses is
/// parked with the reason; when it is away or refuses the credentials, the rest stays kept for
/// the next sync. A final status the server already has counts as delivered.
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
    let mut report = drain(client, store, &outbox, options)?;
    report.elsewhere = outbox.elsewhere(store)?;
    Ok(report)
}

/// Sends what `outbox` keeps, holding its lease: passes until one ends with nothing new kept
/// meanwhile, or sending stops.
pub(crate) fn drain(
    client: &mut Client,
    store: &mut Store,
    outbox: &Outbox,
    options: SyncOptions,
) -> Result<SyncReport, StoreError> {
    let Some(lease) = Lease::take(store, outbox.server(), options.wait)? else {
        return Ok(SyncReport {
            busy: true,
            untried: outbox.count(store)?.total(),
            ..SyncReport::default()
        });
    };
    drain_held(
        client,
        store,
        outbox,
        &lease,
        options,
        SyncReport::default(),
    )
}

/// One item of metadata alone in the outbox, sent by the holder of `lease`, who took it with
/// the item (the clock then read `seen`): when the server takes it, the item leaves and the
/// lease is let go in one transaction; else (or if more was kept meanwhile) the drain goes on.
pub(crate) fn send_alone(
    client: &mut Client,
    store: &mut Store,
    outbox: &Outbox,
    lease: &Lease,
    id: i64,
    seen: i64,
) -> Result<SyncReport, StoreError> {
    let mut report = SyncReport::default();
    let Some(kept) = outbox.metadata_at(store, id)? else {
        return drain_held(client, store, outbox, lease, SyncOptions::default(), report);
    };
    let mut released = false;
    let sent = send_metadata(
        client,
        outbox,
        store,
        kept,
        false,
        &mut report.published,
        |store, id| {
            released = lease.took_metadata_and_release(store, id, seen)?;
            Ok(())
        },
    );
    match sent {
        Ok(Sent::Took) => {
            report.took.metadata += 1;
            if released {
                return Ok(report);
            }
        }
        Ok(Sent::Refused(refusal)) => report.refused.push(refusal),
        Ok(Sent::Stop(why)) => {
            report.stopped = Some(why);
            report.untried = outbox.count(store)?.total();
            lease.release(store)?;
            return Ok(report);
        }
        Err(e) => {
            let _ = lease.release(store);
            return Err(e);
        }
    }
    drain_held(client, store, outbox, lease, SyncOptions::default(), report)
}

/// [`drain`] by the holder of `lease`, adding to `report`. A panic while sending lets the lease
/// go on its way out: this process is not gone, so no one would take it over before it expired.
fn drain_held(
    client: &mut Client,
    store: &mut Store,
    outbox: &Outbox,
    lease: &Lease,
    options: SyncOptions,
    report: SyncReport,
) -> Result<SyncReport, StoreError> {
    let drained = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        drain_passes(client, store, outbox, lease, options, report)
    }));
    drained.unwrap_or_else(|panic| {
        let _ = lease.release(store);
        std::panic::resume_unwind(panic)
    })
}

/// The passes of [`drain_held`].
fn drain_passes(
    client: &mut Client,
    store: &mut Store,
    outbox: &Outbox,
    lease: &Lease,
    options: SyncOptions,
    mut report: SyncReport,
) -> Result<SyncReport, StoreError> {
    let mut again = options.retry_refused;
    let mut inherited = lease.inherited.clone();
    loop {
        let seen = Lease::clock(store)?;
        let passed = pass(
            client,
            store,
            outbox,
            lease,
            again,
            &mut inherited,
            &mut report,
        );
        match passed {
            Ok(None) => {
                again = false;
                if lease.release_if_idle(store, seen)? {
                    break;
                }
            }
            Ok(Some(stop)) => {
                report.stopped = Some(stop);
                report.untried = outbox.count(store)?.total();
                lease.release(store)?;
                break;
            }
            Err(StoreError::LeaseLost { .. }) => {
                report.busy = true;
                report.untried = outbox.count(store)?.total();
                break;
            }
            Err(e) => {
                let _ = lease.release(store);
                return Err(e);
            }
        }
    }
    Ok(report)
}

/// One pass over what can be sent now; `Some(why)` if sending stopped.
fn pass(
    client: &mut Client,
    store: &mut Store,
    outbox: &Outbox,
    lease: &Lease,
    again: bool,
    inherited: &mut Option<String>,
    report: &mut SyncReport,
) -> Result<Option<String>, StoreError> {
    // Whether `item` is what the last holder was sending when it died (maybe applied); once.
    let mut was_inflight = |item: Item| {
        let hit = inherited.as_deref() == Some(item.to_string().as_str());
        if hit {
            *inherited = None;
        }
        hit
    };
    let runs = outbox.runs(store, again)?;
    let stop = phase(
        report,
        |n| &mut n.runs,
        runs,
        |(run, steps)| {
            let item = Item::Run(run.id);
            lease.sending(store, &item.to_string())?;
            let replay = was_inflight(item);
            send_run(client, outbox, store, &run, &steps, replay)
        },
    )?;
    if stop.is_some() {
        return Ok(stop);
    }
    let steps = outbox.steps(store, again)?;
    let stop = phase(
        report,
        |n| &mut n.steps,
        steps,
        |step| {
            lease.sending(store, &Item::Step(step.id).to_string())?;
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
                |store, remote| outbox.took_step(store, step.id, remote, step.finished),
                || format!("step {:?}", step.name),
                |store, reason| outbox.refused(store, Kept::Step, step.id, reason),
            )
        },
    )?;
    if stop.is_some() {
        return Ok(stop);
    }
    let metadata = outbox.metadata(store, again)?;
    let mut report_published = Vec::new();
    let stop = phase(
        report,
        |n| &mut n.metadata,
        metadata,
        |kept| {
            let item = Item::Metadata(kept.id);
            lease.sending(store, &item.to_string())?;
            // Sent before without an answer, or in flight when its sender died: it may have been
            // applied, so it is read back first.
            let unsure = kept.attempts > 0 || was_inflight(item);
            send_metadata(
                client,
                outbox,
                store,
                kept,
                unsure,
                &mut report_published,
                |store, id| outbox.took_metadata(store, id),
            )
        },
    )?;
    report.published.append(&mut report_published);
    if stop.is_some() {
        return Ok(stop);
    }
    let statuses = outbox.statuses(store, again)?;
    phase(
        report,
        |n| &mut n.statuses,
        statuses,
        |kept| {
            lease.sending(store, &Item::Status(kept.resource.id).to_string())?;
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
    )
}

/// Publishes kept metadata (read back first if it may have been applied: `unsure`), noting
/// what was sent in `published`.
#[allow(clippy::too_many_arguments)] // one item's send: who sends, where, what, and its notes
fn send_metadata(
    client: &mut Client,
    outbox: &Outbox,
    store: &mut Store,
    kept: KeptMetadata,
    unsure: bool,
    published: &mut Vec<(Resource, Option<ComponentInfo>, PublishReport)>,
    took: impl FnOnce(&mut Store, i64) -> Result<(), StoreError>,
) -> Result<Sent, StoreError> {
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
        .and_then(|id| client.publish_checked(resource, id, &metadata, unsure));
    if let Err(lost @ ZenmlError::AnswerLost { .. }) = &sent {
        outbox.unsure_metadata(store, id, &lost.to_string())?;
    }
    settle(
        store,
        sent,
        |store, sent| {
            published.push((resource, component.clone(), sent));
            took(store, id)
        },
        || format!("metadata {id} ({} {})", resource.kind, resource.id),
        |store, reason| outbox.refused_metadata(store, id, reason),
    )
}

/// Registers a kept run (with its steps) on the stack it ran on — registered with its
/// components if it was kept with them, else the server's stack of that name, else the
/// default one.
fn send_run(
    client: &mut Client,
    outbox: &Outbox,
    store: &mut Store,
    run: &RunRecord,
    steps: &[PlannedStep],
    replay: bool,
) -> Result<Sent, StoreError> {
    let components = outbox.stack_of(store, run.id)?;
    let stack = match &components {
        Some(components) => client.stack_id(&run.stack, components),
        None => client.find_stack(&run.stack),
    };
    let sent = stack.and_then(|stack| {
        client.register_run(
            &RunToRegister {
                pipeline: &run.pipeline,
                name: &run.name,
                steps,
                started: run.started,
                finished: run.finished,
                stack,
                local: run.id,
            },
            replay,
        )
    });
    settle(
        store,
        sent,
        |store, remote| outbox.took_run(store, run.id, remote),
        || format!("run {:?}", run.name),
        |store, reason| outbox.refused(store, Kept::Run, run.id, reason),
    )
}

/// Sends `items` in order with `send` until sending stops, counting what the server took in
/// the count `took` picks and noting the refusals; why it stopped, if it did.
fn phase<T>(
    report: &mut SyncReport,
    took: fn(&mut OutboxCount) -> &mut usize,
    items: Vec<T>,
    mut send: impl FnMut(T) -> Result<Sent, StoreError>,
) -> Result<Option<String>, StoreError> {
    for item in items {
        match send(item)? {
            Sent::Took => *took(&mut report.took) += 1,
            Sent::Refused(refusal) => report.refused.push(refusal),
            Sent::Stop(why) => return Ok(Some(why)),
        }
    }
    Ok(None)
}

/// What a send that came to `sent` amounts to: taken (`took` notes it in the store), a
/// refusal of `what`, parked by `park` with the reason, or a stop (the item stays kept).
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
        Err(e) if e.is_refusal() => {
            let reason = e.to_string();
            park(store, &reason)?;
            Ok(Sent::Refused(Refusal {
                what: what(),
                reason,
            }))
        }
        Err(e) => Ok(Sent::Stop(e.to_string())),
    }
}
