//! The worker that delivers a [`ZenmlSink`](crate::zenml::ZenmlSink)'s records beside the run: a
//! thread with its own client and its own connection to the store, draining the outbox exactly
//! as `sync` does (the same lease, the same order, each item once) whenever the sink keeps
//! something, and once more, awaited, at the end of a run.

use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::hooks::component::ComponentInfo;
use crate::runs::resource::Resource;
use crate::store::{Store, StoreError};
use crate::zenml::endpoints::client::Client;
use crate::zenml::endpoints::publish::PublishReport;
use crate::zenml::outbox::Outbox;
use crate::zenml::outbox::lease::deadline_after;
use crate::zenml::outbox::sync::{SyncOptions, SyncReport, drain};

/// What the end of a run found after asking the worker for a last drain.
#[derive(Debug, Default)]
pub(crate) struct Flushed {
    /// The drain ended in time.
    pub(crate) done: bool,
    /// Why sending stopped, if it did (the server away or failing, the credentials refused, the
    /// store failing).
    pub(crate) stopped: Option<String>,
    /// Another process was sending this server's outbox: it sends what is kept.
    pub(crate) busy: bool,
}

/// The worker's state, shared with the sink.
#[derive(Debug, Default)]
struct State {
    /// Items kept by the sink so far (a count, not the items).
    kept: u64,
    /// The count as it was when the last finished drain began: everything kept up to it was
    /// tried.
    served: u64,
    /// Someone waits for a drain until then: send now, even while the server is left alone.
    urgent: Option<Instant>,
    /// Drains that stopped in a row, and until when the server is left alone.
    failures: u32,
    quiet_until: Option<Instant>,
    /// How the last drain ended.
    stopped: Option<String>,
    busy: bool,
    /// What each publish the server took sent and skipped, not yet collected by the sink.
    published: Vec<(Resource, Option<ComponentInfo>, PublishReport)>,
    /// The sink is gone: leave once nothing is to be sent now.
    closing: bool,
    exited: bool,
}

#[derive(Debug)]
struct Shared {
    state: Mutex<State>,
    /// Wakes the worker: something was kept, a drain is awaited, or the sink is gone.
    wake: Condvar,
    /// Wakes those waiting for a drain to end, or for the worker to leave.
    done: Condvar,
    /// The outbox the sink keeps its items in: keyed as the store last knew the server at its
    /// URL (by the URL if never), then by the id the server gives. Held while an item is kept or
    /// the key changes.
    outbox: Mutex<Outbox>,
    /// When the sink began (milliseconds): what it kept is what was kept since.
    since: i64,
}

/// How long a server that stopped a drain is left alone before the next: a second, doubling
/// with each stop in a row, at most this.
const MAX_QUIET: Duration = Duration::from_secs(30);

/// The background sender of one sink.
#[derive(Debug)]
pub(crate) struct Worker {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Worker {
    /// Starts the worker: it sends with `client`, over a connection of its own to the store at
    /// `store`'s path, what is kept in `outbox`.
    pub(crate) fn start(client: Client, store: &Store, outbox: Outbox) -> Result<Self, StoreError> {
        let own = Store::open(store.path())?;
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            wake: Condvar::new(),
            done: Condvar::new(),
            outbox: Mutex::new(outbox),
            since: crate::store::rows::millis(std::time::SystemTime::now()),
        });
        let theirs = shared.clone();
        let thread = std::thread::Builder::new()
            .name("run-metadata-delivery".into())
            .spawn(move || work(&theirs, client, own))
            .map_err(|error| StoreError::Io {
                path: store.path().to_owned(),
                error,
            })?;
        Ok(Self {
            shared,
            thread: Some(thread),
        })
    }

    /// The outbox to keep items in, held: the key cannot change until it is let go.
    pub(crate) fn outbox(&self) -> MutexGuard<'_, Outbox> {
        lock(&self.shared.outbox)
    }

    /// Something was kept: the worker sends it (at once, unless the server is left alone).
    pub(crate) fn kick(&self) {
        lock(&self.shared.state).kept += 1;
        self.shared.wake.notify_one();
    }

    /// Asks for a drain that begins now, and waits for it up to `wait`.
    pub(crate) fn flush(&self, wait: Duration) -> Flushed {
        let deadline = deadline_after(wait);
        let mut state = lock(&self.shared.state);
        state.kept += 1;
        let target = state.kept;
        state.urgent = Some(deadline);
        self.shared.wake.notify_one();
        let state = self.wait_until(state, deadline, |s| s.served >= target || s.exited);
        if state.served >= target {
            Flushed {
                done: true,
                stopped: state.stopped.clone(),
                busy: state.busy,
            }
        } else {
            Flushed::default()
        }
    }

    /// Waits, from `state`, until `done` says so or `deadline` passes; the state then.
    fn wait_until<'a>(
        &'a self,
        mut state: MutexGuard<'a, State>,
        deadline: Instant,
        done: impl Fn(&State) -> bool,
    ) -> MutexGuard<'a, State> {
        loop {
            let now = Instant::now();
            if done(&state) || now >= deadline {
                return state;
            }
            state = self
                .shared
                .done
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// What the server took since last asked: each publish's report.
    pub(crate) fn take_published(&self) -> Vec<(Resource, Option<ComponentInfo>, PublishReport)> {
        std::mem::take(&mut lock(&self.shared.state).published)
    }
}

impl Drop for Worker {
    /// Tells the worker to leave once nothing is to be sent now, and waits a moment for it. A
    /// worker still in a request is left to finish it: what it sends is marked in flight, so a
    /// process that ends meanwhile leaves it to be read back by the next sender.
    fn drop(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(1);
        let mut state = lock(&self.shared.state);
        state.closing = true;
        self.shared.wake.notify_one();
        let exited = self.wait_until(state, deadline, |s| s.exited).exited;
        if exited && let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The worker's loop: waits for something to send, drains, says how it went.
fn work(shared: &Shared, mut client: Client, mut store: Store) {
    let url = client.config().url().to_owned();
    let mut state = lock(&shared.state);
    loop {
        let now = Instant::now();
        let due = state.kept > state.served;
        let quiet = state.quiet_until.filter(|until| now < *until);
        if !(due && (state.urgent.is_some() || quiet.is_none())) {
            if state.closing {
                state.exited = true;
                shared.done.notify_all();
                return;
            }
            state = match quiet {
                Some(until) if due => {
                    shared
                        .wake
                        .wait_timeout(state, until - now)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
                _ => shared
                    .wake
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner),
            };
            continue;
        }
        let target = state.kept;
        let wait = state
            .urgent
            .take()
            .map_or(Duration::ZERO, |d| d.saturating_duration_since(now));
        drop(state);
        let drained = std::panic::catch_unwind(AssertUnwindSafe(|| {
            drain_once(shared, &mut client, &mut store, &url, wait)
        }));
        state = lock(&shared.state);
        state.served = target;
        let stopped = match drained {
            Ok(Ok(report)) => {
                state.busy = report.busy;
                state.published.extend(report.published);
                report.stopped
            }
            Ok(Err(e)) => Some(format!("the store failed while sending: {e}")),
            Err(_) => Some("the delivery thread panicked while sending".to_owned()),
        };
        if stopped.is_some() {
            state.failures = state.failures.saturating_add(1);
            let quiet = Duration::from_secs(1)
                .saturating_mul(1 << state.failures.min(6).saturating_sub(1))
                .min(MAX_QUIET);
            state.quiet_until = Some(Instant::now() + quiet);
        } else {
            state.failures = 0;
            state.quiet_until = None;
        }
        state.stopped = stopped;
        shared.done.notify_all();
    }
}

/// One drain of the sink's outbox, waiting up to `wait` for another process sending it. Once
/// the server answers, the outbox is keyed by its id, and what was kept under the URL moves to
/// it.
fn drain_once(
    shared: &Shared,
    client: &mut Client,
    store: &mut Store,
    url: &str,
    wait: Duration,
) -> Result<SyncReport, StoreError> {
    // Asked once per client, before the outbox is held (the run's thread keeps items in it).
    let server = client.server_id();
    let outbox = {
        let mut outbox = lock(&shared.outbox);
        if let Ok(id) = server {
            let key = id.to_string();
            if outbox.server() == key {
                // Kept under the URL by a sink that started before the server's id was known:
                // looked for with a read, so that a drain with nothing there takes no write lock
                // from the run's thread.
                let at_url = Outbox::new(url).count(store)?;
                if at_url.total() + at_url.refused > 0 {
                    outbox.adopt(store, url)?;
                }
            } else {
                if outbox.server() != url {
                    // Not the server this store reached at the URL last: what this sink kept
                    // under that one's id since it began is this one's.
                    outbox.move_since(store, &key, shared.since)?;
                }
                *outbox = Outbox::reached(store, url, id)?;
            }
        }
        outbox.clone()
    };
    drain(client, store, &outbox, SyncOptions::default().wait(wait))
}
