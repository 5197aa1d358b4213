//! The sink's side of background delivery: the run's thread writes each record with its outbox
//! item in one transaction and nudges the worker (`worker`); the end of a run asks the worker for
//! one more drain, waits for it up to a bound, and says what became of each record the run kept.

use std::time::Duration;

use crate::hooks::component::ComponentInfo;
use crate::runs::resource::Resource;
use crate::runs::sink::SinkError;
use crate::store::{Store, StoreError};
use crate::zenml::endpoints::client::Client;
use crate::zenml::endpoints::publish::PublishReport;
use crate::zenml::outbox::Outbox;
use crate::zenml::outbox::items::{Item, ItemState};
use crate::zenml::outbox::lease::current_id;
use crate::zenml::outbox::worker::Worker;

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
        // Kept because another process is sending them: it delivers them, as in synchronous
        // delivery.
        let theirs = flushed.done && flushed.busy && flushed.stopped.is_none();
        if !kept.is_empty() && !theirs {
            let why = match (flushed.done, flushed.stopped) {
                (true, Some(why)) => why,
                (true, None) => format!("the ZenML server at {url} has not taken all yet"),
                (false, _) => format!(
                    "delivery to the ZenML server at {url} was not done after {:?}, the time \
                     the end of a run waits (RUN_METADATA_DELIVERY_TIMEOUT)",
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
    let text = list
        .iter()
        .take(NAMED)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    match list.len().checked_sub(NAMED) {
        Some(more @ 1..) => format!("{text} and {more} more"),
        _ => text,
    }
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

#[cfg(test)]
mod tests {
    use super::{named, records};

    #[test]
    fn records_are_named_a_few_then_counted() {
        let list: Vec<String> = (1..=7).map(|i| format!("r{i}")).collect();
        assert_eq!(named(&list[..2]), "r1, r2");
        assert_eq!(named(&list), "r1, r2, r3, r4, r5 and 2 more");
        assert_eq!(records(1), "1 record");
        assert_eq!(records(7), "7 records");
    }
}
