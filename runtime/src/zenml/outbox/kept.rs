//! What an outbox keeps, as it is counted and read back: [`OutboxCount`], [`KeptMetadata`],
//! [`KeptStatus`], and kept metadata's row.

use std::time::SystemTime;

use crate::hooks::component::ComponentInfo;
use crate::map::metadata::Metadata;
use crate::runs::resource::Resource;
use crate::runs::sink::Status;
use crate::store::StoreError;
use crate::store::rows::{component_from_row, resource_from_row};

/// How much an [`Outbox`](super::Outbox) keeps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OutboxCount {
    /// Runs to register.
    pub runs: usize,
    /// Steps to register.
    pub steps: usize,
    /// Metadata to publish.
    pub metadata: usize,
    /// Final statuses to send.
    pub statuses: usize,
    /// Items the server refused, parked with the reason: not sent again unless asked.
    pub refused: usize,
}

impl OutboxCount {
    /// Everything kept to be sent (the refused ones not counted).
    #[must_use]
    pub fn total(self) -> usize {
        self.runs + self.steps + self.metadata + self.statuses
    }
}

/// Which kind of kept item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kept {
    Run,
    Step,
    Status,
}

/// Metadata kept in an outbox.
#[derive(Clone, Debug, PartialEq)]
pub struct KeptMetadata {
    /// Its place in the outbox: metadata is sent in this order.
    pub id: i64,
    /// Where the metadata goes.
    pub resource: Resource,
    /// Who published it.
    pub component: Option<ComponentInfo>,
    /// The metadata.
    pub metadata: Metadata,
    /// How many times the server refused it.
    pub attempts: u32,
    /// Why, the last time.
    pub last_error: Option<String>,
}

/// The columns kept metadata is read from, in [`KeptRow::read`]'s order.
pub(crate) const KEPT_COLUMNS: &str = "id, resource_id, resource_type, component_id, component_name, \
                            component_kind, metadata_values, metadata_types, attempts, last_error";

/// A row of kept metadata, its values still JSON.
pub(crate) struct KeptRow {
    id: i64,
    resource: Resource,
    component: Option<ComponentInfo>,
    values: String,
    types: String,
    attempts: u32,
    last_error: Option<String>,
}

impl KeptRow {
    /// The row, from [`KEPT_COLUMNS`].
    pub(crate) fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: r.get(0)?,
            resource: resource_from_row(r, 1)?,
            component: component_from_row(r, 3)?,
            values: r.get(6)?,
            types: r.get(7)?,
            attempts: r.get(8)?,
            last_error: r.get(9)?,
        })
    }

    /// The metadata, read back from its JSON.
    pub(crate) fn decode(self) -> Result<KeptMetadata, StoreError> {
        let metadata =
            Metadata::from_json(&self.values, &self.types).map_err(|error| StoreError::Decode {
                key: format!("outbox metadata {}", self.id),
                error,
            })?;
        Ok(KeptMetadata {
            id: self.id,
            resource: self.resource,
            component: self.component,
            metadata,
            attempts: self.attempts,
            last_error: self.last_error,
        })
    }
}

/// A final status kept in an outbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeptStatus {
    /// The run or step.
    pub resource: Resource,
    /// Its final status.
    pub status: Status,
    /// When it finished.
    pub finished: SystemTime,
}
