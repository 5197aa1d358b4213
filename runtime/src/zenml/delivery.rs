//! Delivery off the run's thread: [`Delivery`], how a [`ZenmlSink`](super::ZenmlSink) sends, and
//! `Background`, the sink's side of background delivery: the run's thread writes each record
//! with its outbox item in one transaction and nudges the worker (`worker`); the end of a run
//! asks the worker for one more drain, waits for it up to a bound, and says what became of each
//! record the run kept.

use std::time::Duration;

use super::client::Client;
use super::error::ZenmlError;
use super::outbox::Outbox;
use super::outbox::items::{Item, ItemState};
use super::outbox::lease::current_id;
use super::publish::PublishReport;
use super::worker::Worker;
use crate::component::ComponentInfo;
use crate::resource::Resource;
use crate::sink::SinkError;
use crate::store::{Store, StoreError};

/// How a [`ZenmlSink`](super::ZenmlSink) delivers what it records.
///
/// Set in the [`Config`](super::Config) (`with_delivery`), or by the variables
/// `RUN_METADATA_DELIVERY` (`background`, the default, or `sync`) and
/// `RUN_METADATA_DELIVERY_TIMEOUT` (seconds the end of a run waits, `30` by default).
///
/// ```
/// use std::time::Duration;
/// use run_metadata::zenml::{Auth, Config, Delivery};
///
/// let config = Config::new("https://zenml.example", Auth::ApiKey("ZENKEY_x".into()));
/// assert_eq!(config.delivery(), Delivery::Background { wait: Duration::from_secs(30) });
/// let vars = [
///     ("ZENML_STORE_URL", "https://zenml.example"),
///     ("ZENML_STORE_API_KEY", "ZENKEY_x"),
///     ("RUN_METADATA_DELIVERY_TIMEOUT", "2.5"),
/// ];
/// let config = Config::from_vars(|n| vars.iter().find(|(k, _)| *k == n).map(|(_, v)| v.to_string()))?;
/// assert_eq!(config.delivery(), Delivery::Background { wait: Duration::from_millis(2500) });
/// # Ok::<(), run_metadata::zenml::ZenmlError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Delivery {
    /// A thread of the sink's own sends, beside the run: the run's thread only commits each
    /// record to the store and never makes a request. The end of a run waits up to `wait` for
    /// what the run recorded to be delivered, then says what is delivered and what is kept.
    Background {
        /// How long the end of a run waits for delivery.
        wait: Duration,
    },
    /// Each record is sent on the run's thread before the call that records it returns, as
    /// ZenML's own client does: a step waits for its requests.
    Synchronous,
}

impl Default for Delivery {
    fn default() -> Self {
        Self::Background {
            wait: Self::DEFAULT_WAIT,
        }
    }
}

impl Delivery {
    /// How long the end of a run waits for background delivery unless told otherwise.
    pub const DEFAULT_WAIT: Duration = Duration::from_secs(30);

    /// From `RUN_METADATA_DELIVERY` and `RUN_METADATA_DELIVERY_TIMEOUT`, read through `var`;
    /// the default where neither is set.
    ///
    /// # Errors
    ///
    /// [`ZenmlError::Config`] for a value that is not one of those allowed.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, ZenmlError> {
        let var = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let wait = match var("RUN_METADATA_DELIVERY_TIMEOUT") {
            None => Self::DEFAULT_WAIT,
            Some(text) => seconds(text.trim()).ok_or_else(|| {
                ZenmlError::Config(format!(
                    "RUN_METADATA_DELIVERY_TIMEOUT is {text:?}: give the seconds the end of a \
                     run waits for delivery, as a number such as 30 or 2.5"
                ))
            })?,
        };
        match var("RUN_METADATA_DELIVERY").as_deref().map(str::trim) {
            None | Some("background") => Ok(Self::Background { wait }),
            Some("sync" | "synchronous") => Ok(Self::Synchronous),
            Some(other) => Err(ZenmlError::Config(format!(
                "RUN_METADATA_DELIVERY is {other:?}: it is `background` (the default: sent \
                 beside the run) or `sync` (each record sent before the run goes on)"
            ))),
        }
    }
}

/// A number of seconds, `30` or `2.5`, within what a `Duration` holds.
fn seconds(text: &str) -> Option<Duration> {
    let value: f64 = text.parse().ok()?;
    Duration::try_from_secs_f64(value).ok()
}

/// The sink's side of background delivery: its worker, and the records kept since the last end
/// of a run, each with what it is.
#[derive(Debug)]
pub(crate) struct Background {
    worker: Worker,
    wait: Duration,
    pending: Vec<(Item, String)>,
}

/// How many kept or refused records the end of a run names; the rest it counts.
const NAMED: usize = 5;

impl Background {
    /// Starts the worker, sending with `client` what is kept in `outbox` of `store`'s file; the
    /// end of a run waits `wait`.
    pub(crate) fn start(
        client: Client,
        store: &Store,
        outbox: Outbox,
        wait: Duration,
    ) -> Result<Self, StoreError> {
        Ok(Self {
            worker: Worker::start(client, store, outbox)?,
            wait,
            pending: Vec::new(),
        })
    }

    /// The outbox as it is keyed now.
    pub(crate) fn outbox(&self) -> Outbox {
        self.worker.outbox().clone()
    }

    /// Writes a record and its item with `write` in one transaction of `store`, holding the
    /// outbox's key, and tells the worker.
    pub(crate) fn keep(
        &mut self,
        store: &mut Store,
        what: impl FnOnce() -> String,
        write: impl FnOnce(&Outbox, &rusqlite::Transaction<'_>) -> rusqlite::Result<Item>,
    ) -> Result<Item, StoreError> {
        let item = {
            let outbox = self.worker.outbox();
            store.write(|tx| write(&outbox, tx))?
        };
        self.worker.kick();
        self.pending.push((item, what()));
        Ok(item)
    }

    /// Whether records were kept since the last end of a run.
    pub(crate) fn pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// The end of run `run`: waits for the worker to deliver what the run kept, up to the
    /// configured time; the publishes the server took go to `reports`. `Err` saying what is
    /// kept (and why sending stopped) and what was refused, if not all was delivered.
    pub(crate) fn settle(
        &mut self,
        store: &Store,
        url: &str,
        run: &str,
        reports: &mut Vec<(Resource, Option<ComponentInfo>, PublishReport)>,
    ) -> Result<(), SinkError> {
        let flushed = self.worker.flush(self.wait);
        reports.extend(self.worker.take_published());
        let outbox = self.outbox();
        let at_url = Outbox::new(url);
        let mut kept = Vec::new();
        let mut refused = Vec::new();
        for (item, what) in std::mem::take(&mut self.pending) {
            match state(store, &outbox, &at_url, item)? {
                ItemState::Delivered => {}
                ItemState::Kept => kept.push(what),
                ItemState::Parked(reason) => refused.push(format!("{what}: {reason}")),
            }
        }
        let mut said = Vec::new();
        if !kept.is_empty() && !(flushed.done && flushed.busy && flushed.stopped.is_none()) {
            let why = match (flushed.done, flushed.stopped) {
                (true, Some(why)) => why,
                (true, None) => format!("the ZenML server at {url} has not taken all yet"),
                (false, _) => format!(
                    "delivery to the ZenML server at {url} was not done after {:?} (the end of a \
                     run waits that long: RUN_METADATA_DELIVERY_TIMEOUT); what is still being \
                     sent is sent once",
                    self.wait
                ),
            };
            said.push(format!(
                "{why}; {} of run `{run}` kept in the outbox for `run-metadata sync`: {}",
                records(kept.len()),
                named(&kept)
            ));
        }
        if !refused.is_empty() {
            said.push(format!(
                "{} of run `{run}` refused by the ZenML server at {url}, parked in the outbox \
                 (`run-metadata sync --retry-refused` sends them again): {}",
                records(refused.len()),
                named(&refused)
            ));
        }
        if said.is_empty() {
            Ok(())
        } else {
            Err(SinkError::new(said.join("; ")))
        }
    }
}

/// "1 record", "3 records".
fn records(n: usize) -> String {
    if n == 1 {
        "1 record".to_owned()
    } else {
        format!("{n} records")
    }
}

/// The first [`NAMED`] of `list`, and how many more.
fn named(list: &[String]) -> String {
    let mut text = list
        .iter()
        .take(NAMED)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if list.len() > NAMED {
        text += &format!(" and {} more", list.len() - NAMED);
    }
    text
}

/// Where `item` stands: in `outbox`, or still under the server's URL (kept before the server
/// first answered, and not moved while another process was sending there). A run or step the
/// server registered may have ended meanwhile: then its end is kept on its own, under the
/// server's id.
fn state(
    store: &Store,
    outbox: &Outbox,
    at_url: &Outbox,
    item: Item,
) -> Result<ItemState, StoreError> {
    let in_either = |item| -> Result<ItemState, StoreError> {
        match outbox.state(store, item)? {
            ItemState::Delivered if outbox != at_url => at_url.state(store, item),
            state => Ok(state),
        }
    };
    match (in_either(item)?, item) {
        (ItemState::Delivered, Item::Run(id) | Item::Step(id)) => {
            in_either(Item::Status(current_id(store.conn(), id)?))
        }
        (state, _) => Ok(state),
    }
}
