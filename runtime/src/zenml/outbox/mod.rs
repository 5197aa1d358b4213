//! The outbox: what one ZenML server has not taken yet — metadata, steps to register, final
//! statuses — kept in the embedded store's file until [`sync`](crate::zenml::outbox::sync) sends it.
//! This file holds the outbox and its metadata; `kept` what it keeps, as read back; `records`
//! its runs, steps and statuses; `schema` its tables.
//!
//! One vocabulary throughout: an item is *kept* in the outbox; the server *took* it (it leaves
//! the outbox) or *refused* it (it stays, with the reason, for a look). Each [`Outbox`] is one
//! server's: what it keeps for another server it neither counts nor sends.

use std::time::SystemTime;

use rusqlite::{OptionalExtension, Transaction, params};
use uuid::Uuid;

use crate::hooks::component::ComponentInfo;
use crate::map::metadata::Metadata;
use crate::runs::resource::Resource;
use crate::store::rows::millis;
use crate::store::{Store, StoreError};
use crate::zenml::endpoints::client::Client;

type Result<T, E = StoreError> = core::result::Result<T, E>;

/// SQL: the reason an item kept for resource `?2` of server `?1` is parked from the start, its
/// run or step being refused (`NULL` if not).
macro_rules! refused_behind {
    () => {
        "COALESCE(
            (SELECT 'its run was refused: ' || refused FROM outbox_runs
             WHERE server = ?1 AND local_id = ?2),
            (SELECT 'its step was refused: ' || refused FROM outbox_steps
             WHERE server = ?1 AND local_id = ?2))"
    };
}
pub(crate) use refused_behind;

/// The outbox of one ZenML server, in a [`Store`].
///
/// ```
/// use run_metadata::store::Store;
/// use run_metadata::zenml::Outbox;
/// use run_metadata::{metadata, Resource};
/// use uuid::Uuid;
///
/// # let dir = std::env::temp_dir().join(format!("rm-outbox-doc-{}", std::process::id()));
/// let mut store = Store::open(dir.join("runs.db"))?;
/// let outbox = Outbox::new("http://127.0.0.1:8237");
/// outbox.keep_metadata(&mut store, Resource::pipeline_run(Uuid::nil()), None, &metadata! { "n" => 1 })?;
/// assert_eq!(outbox.count(&store)?.metadata, 1);
/// // One server, however its URL ends; another server keeps nothing.
/// assert_eq!(Outbox::new("http://127.0.0.1:8237/").count(&store)?.metadata, 1);
/// assert_eq!(Outbox::new("https://other.example").count(&store)?.total(), 0);
/// # std::fs::remove_dir_all(dir).ok();
/// # Ok::<(), run_metadata::store::StoreError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outbox {
    server: String,
}

impl Outbox {
    /// The outbox of the server at `server` (its URL; a trailing `/` is not part of it, as in
    /// [`Config::new`](crate::zenml::Config::new)).
    pub fn new(server: impl Into<String>) -> Self {
        let mut server = server.into();
        while server.ends_with('/') {
            server.pop();
        }
        Self { server }
    }

    /// The outbox of the server `client` reaches: keyed by the server's own id when it answers
    /// (what was kept under its URL before is moved to the id) or when this store has reached
    /// it at that URL before; else, provisionally, by the URL.
    ///
    /// # Errors
    ///
    /// SQLite's.
    pub fn of(client: &mut Client, store: &mut Store) -> Result<Self> {
        install(store)?;
        let url = client.config().url().to_owned();
        if let Ok(id) = client.server_id() {
            return Self::reached(store, &url, id);
        }
        Self::known(store, &url)
    }

    /// The outbox of the server with id `id`, reached at `url`: the store remembers the server
    /// at that URL, and what was kept under the URL moves to the id.
    pub(crate) fn reached(store: &mut Store, url: &str, id: Uuid) -> Result<Self> {
        install(store)?;
        let id = id.to_string();
        store.write(|tx| {
            tx.execute(
                "INSERT INTO zenml_servers (id, url, seen) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET url = excluded.url, seen = excluded.seen",
                params![id, url, millis(SystemTime::now())],
            )?;
            rekey(tx, url, &id).map(drop)
        })?;
        Ok(Self::new(id))
    }

    /// The outbox of the server at `url` as this store last knew it, asking nothing: keyed by
    /// the id of the server last reached there, else by the URL.
    pub(crate) fn known(store: &Store, url: &str) -> Result<Self> {
        if !used(store)? {
            return Ok(Self::new(url));
        }
        let known: Option<String> = store
            .conn()
            .query_row(
                "SELECT id FROM zenml_servers WHERE url = ?1 ORDER BY seen DESC LIMIT 1",
                [url],
                |r| r.get(0),
            )
            .optional()?;
        Ok(Self::new(known.unwrap_or_else(|| url.to_owned())))
    }

    /// The key of this outbox's server: its id, or (before it was ever reached) its URL.
    #[must_use]
    pub fn server(&self) -> &str {
        &self.server
    }

    /// How much is kept, counted without reading it.
    ///
    /// # Errors
    ///
    /// SQLite's.
    pub fn count(&self, store: &Store) -> Result<OutboxCount> {
        if !used(store)? {
            return Ok(OutboxCount::default());
        }
        Ok(store.conn().query_row(
            "SELECT (SELECT count(*) FROM outbox_runs WHERE server = ?1 AND refused IS NULL),
                    (SELECT count(*) FROM outbox_steps WHERE server = ?1 AND refused IS NULL),
                    (SELECT count(*) FROM outbox WHERE server = ?1 AND refused IS NULL),
                    (SELECT count(*) FROM outbox_statuses WHERE server = ?1 AND refused IS NULL),
                    (SELECT count(*) FROM outbox_runs WHERE server = ?1 AND refused IS NOT NULL)
                    + (SELECT count(*) FROM outbox_steps WHERE server = ?1 AND refused IS NOT NULL)
                    + (SELECT count(*) FROM outbox WHERE server = ?1 AND refused IS NOT NULL)
                    + (SELECT count(*) FROM outbox_statuses
                       WHERE server = ?1 AND refused IS NOT NULL)",
            [&self.server],
            |r| {
                // Counts are never negative.
                let count = |i| r.get::<_, i64>(i).map(|n| usize::try_from(n).unwrap_or(0));
                Ok(OutboxCount {
                    runs: count(0)?,
                    steps: count(1)?,
                    metadata: count(2)?,
                    statuses: count(3)?,
                    refused: count(4)?,
                })
            },
        )?)
    }

    /// Keeps `metadata`, after everything already kept. Returns its place.
    ///
    /// # Errors
    ///
    /// SQLite's.
    pub fn keep_metadata(
        &self,
        store: &mut Store,
        resource: Resource,
        component: Option<&ComponentInfo>,
        metadata: &Metadata,
    ) -> Result<i64> {
        install(store)?;
        store.write(|tx| self.keep_metadata_in(tx, resource, component, metadata))
    }

    /// [`keep_metadata`](Self::keep_metadata) inside `tx`, the transaction that also records it.
    pub(crate) fn keep_metadata_in(
        &self,
        tx: &Transaction<'_>,
        resource: Resource,
        component: Option<&ComponentInfo>,
        metadata: &Metadata,
    ) -> rusqlite::Result<i64> {
        tx.execute(
            concat!(
                "INSERT INTO outbox (server, resource_id, resource_type, component_id,
                     component_name, component_kind, metadata_values, metadata_types, created,
                     refused)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ",
                refused_behind!(),
                ")"
            ),
            params![
                self.server,
                resource.id.to_string(),
                resource.kind.as_str(),
                component.map(|c| c.id.to_string()),
                component.map(|c| c.name.clone()),
                component.map(|c| c.kind.as_str()),
                metadata.to_json(),
                metadata.types_json(),
                millis(SystemTime::now()),
            ],
        )?;
        let id = tx.last_insert_rowid();
        lease::tick(tx)?;
        Ok(id)
    }

    /// The metadata kept, oldest first: what can be sent now (its run or step is registered).
    ///
    /// # Errors
    ///
    /// [`StoreError::Decode`] for metadata that cannot be read back; SQLite's.
    pub fn metadata(&self, store: &Store, with_refused: bool) -> Result<Vec<KeptMetadata>> {
        if !used(store)? {
            return Ok(Vec::new());
        }
        let mut stmt = store.conn().prepare(&format!(
            "SELECT {KEPT_COLUMNS} FROM outbox o WHERE server = ?1 AND (refused IS NULL OR ?2)
                 AND NOT EXISTS (SELECT 1 FROM outbox_runs r
                                 WHERE r.local_id = o.resource_id AND r.server = ?1)
                 AND NOT EXISTS (SELECT 1 FROM outbox_steps s
                                 WHERE s.local_id = o.resource_id AND s.server = ?1)
             ORDER BY id"
        ))?;
        let rows = stmt.query_map(params![self.server, with_refused], KeptRow::read)?;
        rows.map(|row| row?.decode()).collect()
    }

    /// The metadata kept at `id`, if it still is (and is not parked).
    pub(crate) fn metadata_at(&self, store: &Store, id: i64) -> Result<Option<KeptMetadata>> {
        store
            .conn()
            .query_row(
                &format!(
                    "SELECT {KEPT_COLUMNS} FROM outbox
                     WHERE server = ?1 AND id = ?2 AND refused IS NULL"
                ),
                params![self.server, id],
                KeptRow::read,
            )
            .optional()?
            .map(KeptRow::decode)
            .transpose()
    }

    /// The server took the metadata kept at `id`: it leaves the outbox.
    pub(crate) fn took_metadata(&self, store: &mut Store, id: i64) -> Result<()> {
        store.execute(
            "DELETE FROM outbox WHERE server = ?1 AND id = ?2",
            params![self.server, id],
        )
    }

    /// The metadata kept at `id` may or may not have reached the server (its answer was lost):
    /// it stays kept, to be read back before it is sent again.
    pub(crate) fn unsure_metadata(&self, store: &mut Store, id: i64, error: &str) -> Result<()> {
        store.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?3 WHERE server = ?1 AND id = ?2",
            params![self.server, id, error],
        )
    }

    /// The server refused the metadata kept at `id`: it stays, with the reason.
    pub(crate) fn refused_metadata(&self, store: &mut Store, id: i64, error: &str) -> Result<()> {
        store.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?3, refused = ?3
             WHERE server = ?1 AND id = ?2",
            params![self.server, id, error],
        )
    }

    /// The server refused the kept run, step or status of `id` (a local run or step id, or the
    /// resource of a status): it stays, parked with the reason; so does everything kept behind
    /// a refused run or step (its steps, metadata and statuses), which cannot be sent without it.
    pub(crate) fn refused(
        &self,
        store: &mut Store,
        what: Kept,
        id: Uuid,
        reason: &str,
    ) -> Result<()> {
        let (own, behind): (&str, &[&str]) = match what {
            Kept::Run => (
                "UPDATE outbox_runs SET refused = ?3 WHERE server = ?1 AND local_id = ?2",
                &[
                    "UPDATE outbox SET refused = ?4 WHERE server = ?1 AND refused IS NULL
                     AND (resource_id = ?2 OR resource_id IN
                          (SELECT local_id FROM outbox_steps WHERE server = ?1 AND run_id = ?2))",
                    "UPDATE outbox_statuses SET refused = ?4 WHERE server = ?1 AND refused IS NULL
                     AND (resource_id = ?2 OR resource_id IN
                          (SELECT local_id FROM outbox_steps WHERE server = ?1 AND run_id = ?2))",
                    "UPDATE outbox_steps SET refused = ?4
                     WHERE server = ?1 AND run_id = ?2 AND refused IS NULL",
                ],
            ),
            Kept::Step => (
                "UPDATE outbox_steps SET refused = ?3 WHERE server = ?1 AND local_id = ?2",
                &[
                    "UPDATE outbox SET refused = ?4
                     WHERE server = ?1 AND resource_id = ?2 AND refused IS NULL",
                    "UPDATE outbox_statuses SET refused = ?4
                     WHERE server = ?1 AND resource_id = ?2 AND refused IS NULL",
                ],
            ),
            Kept::Status => (
                "UPDATE outbox_statuses SET refused = ?3 WHERE server = ?1 AND resource_id = ?2",
                &[],
            ),
        };
        let kind = match what {
            Kept::Run => "run",
            _ => "step",
        };
        let cascade = format!("its {kind} was refused: {reason}");
        store.write(|tx| {
            tx.execute(own, params![self.server, id.to_string(), reason])?;
            for sql in behind {
                tx.execute(sql, params![self.server, id.to_string(), reason, cascade])?;
            }
            Ok(())
        })
    }

    /// What the server refused, each with the reason: parked until a sync is told to retry.
    ///
    /// # Errors
    ///
    /// SQLite's.
    pub fn parked(&self, store: &Store) -> Result<Vec<(String, String)>> {
        if !used(store)? {
            return Ok(Vec::new());
        }
        let mut stmt = store.conn().prepare(
            "SELECT 'run ' || name, refused FROM outbox_runs
                 WHERE server = ?1 AND refused IS NOT NULL
             UNION ALL SELECT 'step ' || name, refused FROM outbox_steps
                 WHERE server = ?1 AND refused IS NOT NULL
             UNION ALL SELECT 'metadata ' || id || ' (' || resource_type || ' ' || resource_id || ')',
                 refused FROM outbox WHERE server = ?1 AND refused IS NOT NULL
             UNION ALL SELECT 'status of ' || resource_type || ' ' || resource_id, refused
                 FROM outbox_statuses WHERE server = ?1 AND refused IS NOT NULL",
        )?;
        let rows = stmt.query_map([&self.server], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.map(|r| r.map_err(StoreError::from)).collect()
    }
}

/// Moves what is kept for the server key `from` (a URL it was never reached at) to the key `to`,
/// inside `tx`; how many items moved. Nothing moves while a live process holds the lease on
/// `from`: what it may be sending stays there until it is done, and a later call moves it.
fn rekey(tx: &Transaction<'_>, from: &str, to: &str) -> rusqlite::Result<usize> {
    if lease::held(tx, from)? {
        return Ok(0);
    }
    // What a holder that died was sending under `from` may have been applied: its lease moves
    // with the items, so the next sender of `to` reads that item back; where `to` has a lease of
    // its own, kept metadata is marked unsure instead (read back before it is sent again).
    let inflight: Option<String> = tx
        .query_row(
            "SELECT inflight FROM outbox_leases WHERE server = ?1",
            [from],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    if let Some(id) = inflight
        .as_deref()
        .and_then(|i| i.strip_prefix("metadata "))
    {
        tx.execute(
            "UPDATE outbox SET attempts = attempts + 1 WHERE server = ?1 AND id = ?2",
            params![from, id],
        )?;
    }
    tx.execute(
        "UPDATE OR IGNORE outbox_leases SET server = ?1 WHERE server = ?2",
        [to, from],
    )?;
    let mut moved = 0;
    for table in ["outbox", "outbox_runs", "outbox_steps", "outbox_statuses"] {
        moved += tx.execute(
            &format!("UPDATE OR REPLACE {table} SET server = ?1 WHERE server = ?2"),
            [to, from],
        )?;
    }
    // What moved is new to the senders of `to`.
    if moved > 0 {
        lease::tick(tx)?;
    }
    Ok(moved)
}

pub(crate) mod background;
pub(crate) mod items;
pub(crate) mod lease;
pub(crate) mod sink;
pub(crate) mod sync;
pub(crate) mod worker;

mod kept;
mod records;
pub(crate) mod schema;

pub(crate) use kept::{KEPT_COLUMNS, Kept, KeptRow};
pub use kept::{KeptMetadata, KeptStatus, OutboxCount};
pub(crate) use schema::{install, used};
