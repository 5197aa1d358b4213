//! Synchronous delivery ([`Delivery::Synchronous`](crate::zenml::outbox::sink::Delivery)): each record written ahead,
//! then sent on the run's thread, saying what became of it; and what it keeps to say it once.

use std::time::{Duration, Instant};

use rusqlite::OptionalExtension;
use uuid::Uuid;

use super::{QUIET, ZenmlSink};
use crate::runs::resource::{Resource, ResourceType};
use crate::runs::sink::SinkError;
use crate::store::StoreError;
use crate::zenml::outbox::Outbox;
use crate::zenml::outbox::items::{Item, ItemState};
use crate::zenml::outbox::lease::Lease;
use crate::zenml::outbox::sync::{SyncOptions, SyncReport, drain, send_alone};

impl ZenmlSink {
    /// Sends what is kept, unless the server was left alone lately (`force` tries anyway),
    /// waiting up to `wait` for another process sending it.
    pub(crate) fn deliver(
        &mut self,
        wait: Duration,
        force: bool,
    ) -> Result<SyncReport, StoreError> {
        if let (Some(why), false) = (self.quiet_since(), force) {
            return Ok(SyncReport {
                stopped: Some(why.to_owned()),
                ..SyncReport::default()
            });
        }
        let report = drain(
            &mut self.client,
            &mut self.store,
            &self.outbox,
            SyncOptions::default().wait(wait),
        )?;
        Ok(self.delivered(report))
    }

    /// Why the server is being left alone now (sending stopped lately), if it is.
    fn quiet_since(&self) -> Option<&str> {
        self.quiet
            .as_ref()
            .filter(|(_, until)| Instant::now() < *until)
            .map(|(why, _)| why.as_str())
    }

    /// Notes what a drain did: whether to leave the server alone a while, what was published.
    fn delivered(&mut self, report: SyncReport) -> SyncReport {
        self.quiet = report
            .stopped
            .clone()
            .map(|why| (why, Instant::now() + QUIET));
        self.reports.extend(report.published.iter().cloned());
        report
    }

    /// Writes a record and its item in one transaction; then tries to deliver, and says what
    /// became of the item: `Ok` once the server has it (or another process is sending it).
    pub(crate) fn write_ahead(
        &mut self,
        what: impl FnOnce() -> String,
        behind: Option<Uuid>,
        wait: Duration,
        write: impl FnOnce(&Outbox, &rusqlite::Transaction<'_>) -> rusqlite::Result<Item>,
    ) -> Result<Item, SinkError> {
        let outbox = &self.outbox;
        let quiet = self.quiet_since().is_some();
        let (item, alone) = self.store.write(|tx| {
            let item = write(outbox, tx)?;
            // Metadata alone in the outbox, the server not left alone lately: the lease is
            // taken in the same transaction, and the item sent at once.
            let alone = match item {
                Item::Metadata(id) if !quiet => {
                    Lease::take_alone(tx, outbox.server(), &item.to_string())?
                        .map(|(lease, seen)| (lease, id, seen))
                }
                _ => None,
            };
            Ok((item, alone))
        })?;
        let report = match alone {
            Some((lease, id, seen)) => {
                let report = send_alone(
                    &mut self.client,
                    &mut self.store,
                    &self.outbox,
                    &lease,
                    id,
                    seen,
                )?;
                self.delivered(report)
            }
            None => self.deliver(wait, wait > Duration::ZERO)?,
        };
        let state = self.outbox.state(&self.store, item)?;
        // Behind a run of this sink that is kept or was refused: said once, for the run.
        if state != ItemState::Delivered && behind.is_some_and(|r| self.behind.contains(&r)) {
            return Ok(item);
        }
        match state {
            ItemState::Delivered => Ok(item),
            ItemState::Parked(reason) => Err(SinkError::new(format!(
                "{}: refused by the ZenML server at {}, parked in the outbox (`run-metadata sync --retry-refused` sends it again): {reason}",
                what(),
                self.outbox.server()
            ))),
            ItemState::Kept if report.busy => Ok(item),
            ItemState::Kept => {
                let why = report.stopped.unwrap_or_else(|| {
                    format!(
                        "the ZenML server at {} has not taken what was kept before it",
                        self.outbox.server()
                    )
                });
                Err(SinkError::new(format!(
                    "{why}; {} kept in the outbox for `run-metadata sync`",
                    what()
                )))
            }
        }
    }

    /// The local run `resource` belongs to, if it is a run or step of this store.
    pub(crate) fn run_of(&self, resource: Resource) -> Result<Option<Uuid>, StoreError> {
        match resource.kind {
            ResourceType::PipelineRun => Ok(Some(resource.id)),
            ResourceType::StepRun => Ok(self
                .store
                .conn()
                .query_row(
                    "SELECT run_id FROM steps WHERE id = ?1",
                    [self.current(resource.id)?.to_string()],
                    |r| r.get::<_, String>(0),
                )
                .optional()?
                .and_then(|id| Uuid::parse_str(&id).ok())),
            _ => Ok(None),
        }
    }
}
