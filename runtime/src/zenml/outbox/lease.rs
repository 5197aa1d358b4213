//! Who sends: one lease per server in the store, so that two processes (or two sinks of one
//! process) never send the same kept item. The holder renews it before each item and writes
//! there what it is about to send; a holder that dies leaves that mark for the next one, who reads
//! the item back before sending it again. A lease whose holder is gone is taken over: at once
//! when its process has ended on this machine, else when it was not renewed in time (a holder on
//! another machine sharing the file).
//!
//! The clock counts every item kept. A holder lets go only in a transaction that sees the clock
//! where it was when its last pass began: an item kept while it sent is either seen there (and
//! sent in another pass) or kept after the lease is free (and its writer takes the lease). No
//! item waits for a sender that has already left.

use std::path::Path;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use rusqlite::{OptionalExtension, params};

use crate::store::rows::millis;
use crate::store::{Store, StoreError};

/// The instant `wait` from now; for a wait too long for the clock to add (a user's
/// `Duration::MAX`), a year from now, which is as good as never.
pub(crate) fn deadline_after(wait: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(wait)
        .or_else(|| now.checked_add(Duration::from_hours(365 * 24)))
        .unwrap_or(now)
}

/// How long a lease holds without being renewed. It is renewed before every item, so it must be
/// longer than one item's requests can take with their timeouts and retries: a holder still
/// waiting for a slow server must not be taken over (it may yet send). A holder that dies on
/// this machine is seen at once; only one on another machine sharing the file is outwaited.
pub(crate) const LEASE_TIME: Duration = Duration::from_mins(10);

/// A lease on one server's outbox, held by this process.
#[derive(Debug)]
pub(crate) struct Lease {
    server: String,
    owner: String,
    /// What the previous holder was sending when it died (`metadata 42`, `run …`): it may have
    /// been applied, so it is read back before it is sent again.
    pub(crate) inherited: Option<String>,
}

/// This machine's name, as the kernel has it (empty where it cannot be read).
fn host() -> &'static str {
    static HOST: OnceLock<String> = OnceLock::new();
    HOST.get_or_init(|| {
        std::fs::read_to_string("/proc/sys/kernel/hostname")
            .or_else(|_| std::fs::read_to_string("/etc/hostname"))
            .map(|h| h.trim().to_owned())
            .unwrap_or_default()
    })
}

/// A name for a holder: this machine, this process, and a count within it.
fn new_owner() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!(
        "{}/{}/{}/{}",
        host(),
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        millis(SystemTime::now())
    )
}

/// Whether the holder `owner`, process `pid`, is gone. Only said where it can be known: a
/// process of this machine (its name is in the owner), seen through Linux's `/proc`; a holder of
/// another machine sharing the file is left to expire.
fn gone(owner: &str, pid: u32) -> bool {
    let this_machine = !host().is_empty()
        && owner
            .strip_prefix(host())
            .is_some_and(|rest| rest.starts_with('/'));
    this_machine
        && pid != std::process::id()
        && Path::new("/proc/self").exists()
        && !Path::new(&format!("/proc/{pid}")).exists()
}

/// Whether another holder has the lease on `server` now (alive, not expired), inside `tx`: what
/// is kept under that key is not to be moved to another key while it may be sending it.
pub(crate) fn held(tx: &rusqlite::Transaction<'_>, server: &str) -> rusqlite::Result<bool> {
    let holder: Option<(String, u32, i64)> = tx
        .query_row(
            "SELECT owner, pid, expires FROM outbox_leases WHERE server = ?1",
            [server],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    Ok(holder.is_some_and(|(owner, pid, expires)| {
        expires > millis(SystemTime::now()) && !gone(&owner, pid)
    }))
}

impl Lease {
    /// Takes the lease on `server`'s outbox, waiting up to `wait` for another holder to let go.
    /// `None` if another holder still has it then.
    pub(crate) fn take(
        store: &mut Store,
        server: &str,
        wait: Duration,
    ) -> Result<Option<Self>, StoreError> {
        let owner = new_owner();
        let deadline = deadline_after(wait);
        let mut pause = Duration::from_millis(5);
        loop {
            if let Some(inherited) = try_take(store, server, &owner)? {
                return Ok(Some(Self {
                    server: server.to_owned(),
                    owner,
                    inherited,
                }));
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(None);
            }
            std::thread::sleep(pause.min(deadline - now));
            pause = (pause * 2).min(Duration::from_millis(200));
        }
    }

    /// Renews the lease and notes `item` as the one being sent now.
    pub(crate) fn sending(&self, store: &mut Store, item: &str) -> Result<(), StoreError> {
        let held = store.write(|tx| {
            tx.execute(
                "UPDATE outbox_leases SET expires = ?3, inflight = ?4
                 WHERE server = ?1 AND owner = ?2",
                params![
                    self.server,
                    self.owner,
                    millis(SystemTime::now() + LEASE_TIME),
                    item
                ],
            )
        })?;
        if held == 1 {
            Ok(())
        } else {
            Err(StoreError::LeaseLost {
                server: self.server.clone(),
            })
        }
    }

    /// The clock: how many items were ever kept in the store.
    pub(crate) fn clock(store: &Store) -> Result<i64, StoreError> {
        Ok(store
            .conn()
            .query_row("SELECT kept FROM outbox_clock WHERE id = 0", [], |r| {
                r.get(0)
            })?)
    }

    /// Lets go if nothing was kept since the clock read `seen`; else keeps the lease (with
    /// nothing in flight) and says so.
    pub(crate) fn release_if_idle(&self, store: &mut Store, seen: i64) -> Result<bool, StoreError> {
        store.write(|tx| release_in(tx, &self.server, &self.owner, seen))
    }

    /// Lets go, whatever is kept (the server is away: what is kept waits for a later sync).
    pub(crate) fn release(&self, store: &mut Store) -> Result<(), StoreError> {
        store.execute(
            "DELETE FROM outbox_leases WHERE server = ?1 AND owner = ?2",
            params![self.server, self.owner],
        )
    }
}

/// One attempt at the lease, in one `BEGIN IMMEDIATE`: taken when free, expired or its holder's
/// process is gone. `Some(inherited)` when taken.
#[allow(clippy::option_option)] // taken or not, and if taken, what the last holder left
fn try_take(
    store: &mut Store,
    server: &str,
    owner: &str,
) -> Result<Option<Option<String>>, StoreError> {
    store.write(|tx| take_in(tx, server, owner, None))
}

/// [`try_take`] inside `tx`, noting `inflight` as what the new holder sends first.
#[allow(clippy::option_option)]
fn take_in(
    tx: &rusqlite::Transaction<'_>,
    server: &str,
    owner: &str,
    inflight: Option<&str>,
) -> rusqlite::Result<Option<Option<String>>> {
    let now = millis(SystemTime::now());
    let held: Option<(String, u32, i64, Option<String>)> = tx
        .query_row(
            "SELECT owner, pid, expires, inflight FROM outbox_leases WHERE server = ?1",
            [server],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let inherited = match held {
        Some((holder, pid, expires, inflight)) if expires <= now || gone(&holder, pid) => inflight,
        Some(_) => return Ok(None),
        None => None,
    };
    tx.execute(
        "INSERT INTO outbox_leases (server, owner, pid, expires, inflight)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (server) DO UPDATE SET owner = excluded.owner, pid = excluded.pid,
             expires = excluded.expires, inflight = excluded.inflight",
        params![
            server,
            owner,
            std::process::id(),
            millis(SystemTime::now() + LEASE_TIME),
            inflight
        ],
    )?;
    Ok(Some(inherited))
}

impl Lease {
    /// Inside `tx`, the transaction that has just kept `item` for `server`: the lease, with
    /// `item` in flight, if `item` is all the outbox keeps for that server and there is no lease
    /// (held, or left by a holder that died); and the clock as it stands. A sender alone with one
    /// item then needs no other transaction before it sends.
    pub(crate) fn take_alone(
        tx: &rusqlite::Transaction<'_>,
        server: &str,
        item: &str,
    ) -> rusqlite::Result<Option<(Self, i64)>> {
        let others: i64 = tx.query_row(
            "SELECT (SELECT count(*) FROM outbox_runs WHERE server = ?1 AND refused IS NULL)
                  + (SELECT count(*) FROM outbox_steps WHERE server = ?1 AND refused IS NULL)
                  + (SELECT count(*) FROM outbox WHERE server = ?1 AND refused IS NULL)
                  + (SELECT count(*) FROM outbox_statuses WHERE server = ?1 AND refused IS NULL)",
            [server],
            |r| r.get(0),
        )?;
        // A lease row, held or left by a holder that died, is for a whole drain to deal with
        // (taking over, reading back what was in flight).
        let leased: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM outbox_leases WHERE server = ?1)",
            [server],
            |r| r.get(0),
        )?;
        if others != 1 || leased {
            return Ok(None);
        }
        let owner = new_owner();
        if take_in(tx, server, &owner, Some(item))? != Some(None) {
            return Ok(None);
        }
        let clock = tx.query_row("SELECT kept FROM outbox_clock WHERE id = 0", [], |r| {
            r.get(0)
        })?;
        Ok(Some((
            Self {
                server: server.to_owned(),
                owner,
                inherited: None,
            },
            clock,
        )))
    }

    /// The server took the metadata kept at `id`: it leaves the outbox, and, in the same
    /// transaction, the lease is let go if nothing was kept since the clock read `seen`.
    /// Whether it was let go.
    pub(crate) fn took_metadata_and_release(
        &self,
        store: &mut Store,
        id: i64,
        seen: i64,
    ) -> Result<bool, StoreError> {
        store.write(|tx| {
            tx.execute(
                "DELETE FROM outbox WHERE server = ?1 AND id = ?2",
                params![self.server, id],
            )?;
            release_in(tx, &self.server, &self.owner, seen)
        })
    }
}

/// Lets go inside `tx` if the clock still reads `seen`; else keeps the lease with nothing in
/// flight. Whether it let go.
fn release_in(
    tx: &rusqlite::Transaction<'_>,
    server: &str,
    owner: &str,
    seen: i64,
) -> rusqlite::Result<bool> {
    let now: i64 = tx.query_row("SELECT kept FROM outbox_clock WHERE id = 0", [], |r| {
        r.get(0)
    })?;
    if now == seen {
        tx.execute(
            "DELETE FROM outbox_leases WHERE server = ?1 AND owner = ?2",
            [server, owner],
        )?;
        Ok(true)
    } else {
        tx.execute(
            "UPDATE outbox_leases SET inflight = NULL WHERE server = ?1 AND owner = ?2",
            [server, owner],
        )?;
        Ok(false)
    }
}

/// Counts one more item kept; called in the transaction that keeps it.
pub(crate) fn tick(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute("UPDATE outbox_clock SET kept = kept + 1 WHERE id = 0", [])
        .map(drop)
}

/// The id a run or step has now: the server's, if it registered the record first kept under
/// `id`; else `id`.
pub(crate) fn current_id(
    conn: &rusqlite::Connection,
    id: uuid::Uuid,
) -> rusqlite::Result<uuid::Uuid> {
    let mapped: Option<String> = conn
        .query_row(
            "SELECT remote_id FROM zenml_ids WHERE local_id = ?1",
            [id.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    Ok(mapped
        .and_then(|m| uuid::Uuid::parse_str(&m).ok())
        .unwrap_or(id))
}
