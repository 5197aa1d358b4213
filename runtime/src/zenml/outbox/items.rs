//! The kept items one by one: where each stands, and what waits for other servers.

use rusqlite::{OptionalExtension, params};
use uuid::Uuid;

use super::{Outbox, Result, install, used};
use crate::store::{Store, StoreError};

/// One kept item: a run or step to register (by its local id), metadata (by its place), a
/// final status (by its run's or step's id).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Item {
    Run(Uuid),
    Step(Uuid),
    Metadata(i64),
    Status(Uuid),
}

impl core::fmt::Display for Item {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Run(id) => write!(f, "run {id}"),
            Self::Step(id) => write!(f, "step {id}"),
            Self::Metadata(id) => write!(f, "metadata {id}"),
            Self::Status(id) => write!(f, "status {id}"),
        }
    }
}

/// Where a kept item stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ItemState {
    /// It left the outbox: the server has it.
    Delivered,
    /// It waits to be sent.
    Kept,
    /// The server refused it, for this reason.
    Parked(String),
}

/// Items kept for a server other than the one at hand.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiting {
    /// The server's id, or its URL if it was never reached.
    pub server: String,
    /// The URL it was last reached at, if it ever was.
    pub url: Option<String>,
    /// How many items wait for it (refused ones not counted).
    pub items: usize,
}

impl Outbox {
    /// Where `item` stands in this outbox.
    pub(crate) fn state(&self, store: &Store, item: Item) -> Result<ItemState> {
        let (sql, key) = match item {
            Item::Run(id) => (
                "SELECT refused FROM outbox_runs WHERE server = ?1 AND local_id = ?2",
                id.to_string(),
            ),
            Item::Step(id) => (
                "SELECT refused FROM outbox_steps WHERE server = ?1 AND local_id = ?2",
                id.to_string(),
            ),
            Item::Metadata(id) => (
                "SELECT refused FROM outbox WHERE server = ?1 AND id = ?2",
                id.to_string(),
            ),
            Item::Status(id) => (
                "SELECT refused FROM outbox_statuses WHERE server = ?1 AND resource_id = ?2",
                id.to_string(),
            ),
        };
        let found: Option<Option<String>> = store
            .conn()
            .query_row(sql, params![self.server, key], |r| r.get(0))
            .optional()?;
        Ok(match found {
            None => ItemState::Delivered,
            Some(None) => ItemState::Kept,
            Some(Some(reason)) => ItemState::Parked(reason),
        })
    }

    /// What waits for servers other than this one, each with how much: kept while a server was
    /// never reached (under its URL), or for another server this store has reached.
    ///
    /// # Errors
    ///
    /// SQLite's.
    pub fn elsewhere(&self, store: &Store) -> Result<Vec<Waiting>> {
        if !used(store)? {
            return Ok(Vec::new());
        }
        let mut stmt = store.conn().prepare(
            "SELECT k.server, s.url, count(*) FROM (
                 SELECT server FROM outbox_runs WHERE refused IS NULL
                 UNION ALL SELECT server FROM outbox_steps WHERE refused IS NULL
                 UNION ALL SELECT server FROM outbox WHERE refused IS NULL
                 UNION ALL SELECT server FROM outbox_statuses WHERE refused IS NULL
             ) k LEFT JOIN zenml_servers s ON s.id = k.server
             WHERE k.server <> ?1 GROUP BY k.server ORDER BY k.server",
        )?;
        let rows = stmt.query_map([&self.server], |r| {
            Ok(Waiting {
                server: r.get(0)?,
                url: r.get(1)?,
                items: usize::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
            })
        })?;
        rows.map(|r| r.map_err(StoreError::from)).collect()
    }

    /// Takes what was kept for the server at `url` while it was never reached as this server's
    /// own: the user says it was meant for this one (it moved before it was ever reached).
    /// Returns how many items moved.
    ///
    /// # Errors
    ///
    /// SQLite's.
    pub fn adopt(&self, store: &mut Store, url: &str) -> Result<usize> {
        install(store)?;
        let url = url.trim_end_matches('/').to_owned();
        store.write(|tx| super::rekey(tx, &url, &self.server))
    }
}

impl Outbox {
    /// Moves what this outbox keeps that was kept at `since` (milliseconds) or later to the
    /// outbox of the server `to`; how many items moved. For a sink that kept its run under the
    /// id of the server this store last reached at a URL, and then met another server there:
    /// what it kept is the new server's. Nothing moves while a live process holds the lease.
    ///
    /// # Errors
    ///
    /// SQLite's.
    pub(crate) fn move_since(&self, store: &mut Store, to: &str, since: i64) -> Result<usize> {
        store.write(|tx| {
            if super::lease::held(tx, &self.server)? {
                return Ok(0);
            }
            let mut moved = 0;
            for table in ["outbox", "outbox_runs", "outbox_steps", "outbox_statuses"] {
                moved += tx.execute(
                    &format!(
                        "UPDATE OR REPLACE {table} SET server = ?1 WHERE server = ?2 AND created >= ?3"
                    ),
                    params![to, self.server, since],
                )?;
            }
            if moved > 0 {
                super::lease::tick(tx)?;
            }
            Ok(moved)
        })
    }
}
