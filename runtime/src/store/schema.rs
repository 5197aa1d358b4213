//! The file's schema: the migrations from one version to the next, and the checks that refuse a
//! file that is not this store's before anything is written to it.

use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::{Connection, TransactionBehavior};

use super::error::{Result, StoreError};

/// `PRAGMA application_id` of this store's files: "RMET".
const APPLICATION_ID: i32 = 0x524D_4554;

/// Each schema version's migration from the one before; the index + 1 is the version reached.
const MIGRATIONS: &[&str] = &[
    // 1: runs, steps, components, append-only metadata rows and their resource links.
    "CREATE TABLE runs (
         id TEXT PRIMARY KEY,
         name TEXT NOT NULL,
         pipeline TEXT NOT NULL,
         stack TEXT NOT NULL,
         status TEXT NOT NULL,
         started INTEGER NOT NULL,
         finished INTEGER
     );
     CREATE INDEX runs_by_start ON runs (started);
     CREATE TABLE steps (
         id TEXT PRIMARY KEY,
         run_id TEXT NOT NULL REFERENCES runs (id),
         name TEXT NOT NULL,
         status TEXT NOT NULL,
         started INTEGER NOT NULL,
         finished INTEGER
     );
     CREATE INDEX steps_by_run ON steps (run_id);
     CREATE TABLE components (
         id TEXT PRIMARY KEY,
         name TEXT NOT NULL,
         kind TEXT NOT NULL
     );
     CREATE TABLE run_metadata (
         id INTEGER PRIMARY KEY AUTOINCREMENT,
         key TEXT NOT NULL,
         value TEXT NOT NULL,
         type TEXT NOT NULL,
         stack_component_id TEXT REFERENCES components (id),
         created INTEGER NOT NULL
     );
     CREATE TABLE run_metadata_resources (
         run_metadata_id INTEGER NOT NULL REFERENCES run_metadata (id),
         resource_id TEXT NOT NULL,
         resource_type TEXT NOT NULL
     );
     CREATE INDEX run_metadata_by_resource
         ON run_metadata_resources (resource_id, resource_type, run_metadata_id);",
    // 2: the outbox of metadata a ZenML server did not take yet, in publishing order.
    "CREATE TABLE outbox (
         id INTEGER PRIMARY KEY AUTOINCREMENT,
         server TEXT NOT NULL,
         resource_id TEXT NOT NULL,
         resource_type TEXT NOT NULL,
         component_id TEXT,
         component_name TEXT,
         component_kind TEXT,
         metadata_values TEXT NOT NULL,
         metadata_types TEXT NOT NULL,
         created INTEGER NOT NULL,
         attempts INTEGER NOT NULL DEFAULT 0,
         last_error TEXT
     );
     CREATE INDEX outbox_by_server ON outbox (server, id);",
    // 3: steps of a registered run that the server could not register when they started.
    "CREATE TABLE outbox_steps (
         local_id TEXT PRIMARY KEY,
         server TEXT NOT NULL,
         run_id TEXT NOT NULL,
         name TEXT NOT NULL,
         status TEXT NOT NULL,
         started INTEGER NOT NULL,
         finished INTEGER,
         created INTEGER NOT NULL
     );",
    // 4: final statuses of runs and steps the server could not take when they finished.
    "CREATE TABLE outbox_statuses (
         server TEXT NOT NULL,
         resource_id TEXT NOT NULL,
         resource_type TEXT NOT NULL,
         status TEXT NOT NULL,
         finished INTEGER NOT NULL,
         created INTEGER NOT NULL,
         PRIMARY KEY (server, resource_id)
     );",
    // 5: hooks that failed or panicked, so reporting nothing for their component.
    "CREATE TABLE hook_failures (
         id INTEGER PRIMARY KEY AUTOINCREMENT,
         resource_id TEXT NOT NULL,
         resource_type TEXT NOT NULL,
         component_id TEXT NOT NULL REFERENCES components (id),
         hook TEXT NOT NULL,
         message TEXT NOT NULL,
         panicked INTEGER NOT NULL,
         created INTEGER NOT NULL
     );
     CREATE INDEX hook_failures_by_resource ON hook_failures (resource_id, resource_type);",
    // 6: runs that started while a ZenML server was away, to be registered by `sync`, with
    //    their planned steps (a JSON array of `{"name", "upstream"}`).
    "CREATE TABLE outbox_runs (
         local_id TEXT PRIMARY KEY,
         server TEXT NOT NULL,
         pipeline TEXT NOT NULL,
         name TEXT NOT NULL,
         steps TEXT NOT NULL,
         status TEXT NOT NULL,
         started INTEGER NOT NULL,
         finished INTEGER,
         created INTEGER NOT NULL
     );",
    // 7: what a server refused (a 4xx) is parked with the reason, not sent again unless asked.
    "ALTER TABLE outbox ADD COLUMN refused TEXT;
     ALTER TABLE outbox_runs ADD COLUMN refused TEXT;
     ALTER TABLE outbox_steps ADD COLUMN refused TEXT;
     ALTER TABLE outbox_statuses ADD COLUMN refused TEXT;",
    // 8: the ZenML servers this store has reached, by their own id, at their last URL: the
    //    outbox is keyed by the id, so a server that moves keeps what waits for it.
    "CREATE TABLE zenml_servers (
         id TEXT PRIMARY KEY,
         url TEXT NOT NULL,
         seen INTEGER NOT NULL
     );",
    // 9: delivery as a write-ahead log. A run kept to be registered carries its stack (name and
    //    components, JSON) so that a replay registers it on that stack; ids the server gave to
    //    local runs and steps are remembered, so a record written under the old id finds the new
    //    one; one lease per server says which process sends (and what it was sending, should it
    //    die); the clock counts every item kept, so a sender sees what arrived while it sent.
    "ALTER TABLE outbox_runs ADD COLUMN stack_components TEXT;
     CREATE TABLE zenml_ids (
         local_id TEXT PRIMARY KEY,
         remote_id TEXT NOT NULL,
         server TEXT NOT NULL
     );
     CREATE TABLE outbox_leases (
         server TEXT PRIMARY KEY,
         owner TEXT NOT NULL,
         pid INTEGER NOT NULL,
         expires INTEGER NOT NULL,
         inflight TEXT
     );
     CREATE TABLE outbox_clock (
         id INTEGER PRIMARY KEY CHECK (id = 0),
         kept INTEGER NOT NULL
     );
     INSERT INTO outbox_clock (id, kept) VALUES (0, 0);
     CREATE INDEX outbox_steps_by_server ON outbox_steps (server, started);
     CREATE INDEX outbox_runs_by_server ON outbox_runs (server, started);",
];

/// The schema version this build writes.
#[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)] // a handful of migrations
pub const SCHEMA_VERSION: i32 = MIGRATIONS.len() as i32;

/// SQLite's error, or [`StoreError::NotADatabase`] where it says the file is not a database, or
/// [`StoreError::Corrupt`] where it finds one malformed.
fn not_a_database(path: &Path, e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => StoreError::NotADatabase {
            path: path.to_path_buf(),
        },
        Some(rusqlite::ErrorCode::DatabaseCorrupt) => StoreError::Corrupt {
            path: path.to_path_buf(),
            detail: e.to_string(),
        },
        _ => StoreError::Sqlite(e),
    }
}

/// The file's schema version, once it is known to be this store's (or new) and of a version this
/// build can read or bring up to date. Reading the schema reads the file: a damaged one fails
/// here, before anything is written.
pub(super) fn identify(conn: &Connection, path: &Path, patience: Duration) -> Result<i32> {
    let (app_id, tables, version): (i32, i64, i32) = patiently(patience, || {
        conn.query_row(
            "SELECT (SELECT application_id FROM pragma_application_id),
                    (SELECT count(*) FROM sqlite_master),
                    (SELECT user_version FROM pragma_user_version)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
    })
    .map_err(|e| not_a_database(path, e))?;
    if app_id != APPLICATION_ID && (app_id != 0 || tables > 0) {
        return Err(StoreError::ForeignDatabase {
            path: path.to_path_buf(),
        });
    }
    version_known(path, version)?;
    Ok(version)
}

/// Refuses a version this build cannot read: a newer one, or a negative one.
fn version_known(path: &Path, version: i32) -> Result<()> {
    if version < 0 {
        return Err(StoreError::UnknownSchema {
            path: path.to_path_buf(),
            found: version,
        });
    }
    if version > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            path: path.to_path_buf(),
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(())
}

/// Checks that the file is this store's (or new) and of a version this build knows — before
/// anything is written to it — then sets the connection's modes and brings the schema up to date
/// in one transaction.
pub(super) fn migrate(conn: &mut Connection, path: &Path, patience: Duration) -> Result<()> {
    identify(conn, path, patience)?;
    // Changing the journal mode takes a lock that SQLite's busy handler does not wait for: ask
    // first (another process may have set it), and wait here if the file is busy.
    let mode: String = patiently(patience, || {
        conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))
    })?;
    if !mode.eq_ignore_ascii_case("wal") {
        patiently(patience, || {
            conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))
        })?;
    }
    conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Read again inside the lock: another process may have migrated meanwhile.
    let version: i32 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    version_known(path, version)?;
    let from = usize::try_from(version).unwrap_or(MIGRATIONS.len());
    for migration in &MIGRATIONS[from..] {
        tx.execute_batch(migration)?;
    }
    if from < MIGRATIONS.len() {
        tx.execute_batch(&format!(
            "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {SCHEMA_VERSION};"
        ))?;
    }
    tx.commit()?;
    Ok(())
}

/// `f` again, with short waits, while SQLite answers busy or locked, for up to `patience`: some
/// locks (changing the journal mode, recovering a WAL file) are not waited for by SQLite's busy
/// handler.
fn patiently<T>(
    patience: Duration,
    mut f: impl FnMut() -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    let deadline = Instant::now() + patience;
    let mut wait = Duration::from_millis(1);
    loop {
        match f() {
            Err(e)
                if matches!(
                    e.sqlite_error_code(),
                    Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
                ) && Instant::now() < deadline =>
            {
                std::thread::sleep(wait);
                wait = (wait * 2).min(Duration::from_millis(50));
            }
            other => return other,
        }
    }
}

/// Refuses, without opening it (SQLite would make its journal files beside it), a file that is
/// not an SQLite database, or whose header says it is another program's or of a schema version
/// this build does not know. The header of a file in WAL mode may be behind its journal: what it
/// lets through is checked again once the file is open.
pub(super) fn check_header(path: &Path) -> Result<()> {
    use std::io::Read;
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(error) => {
            return Err(StoreError::Io {
                path: path.to_path_buf(),
                error,
            });
        }
    };
    let mut header = [0u8; 100];
    let mut read = 0;
    while read < header.len() {
        match file.read(&mut header[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(error) => {
                return Err(StoreError::Io {
                    path: path.to_path_buf(),
                    error,
                });
            }
        }
    }
    // An empty file is an empty database to SQLite; anything else must be one.
    if read == 0 {
        return Ok(());
    }
    // The magic string, a page size SQLite can have, and the payload fractions it requires.
    let page_size = u32::from(u16::from_be_bytes([header[16], header[17]]));
    let page_size_ok =
        page_size == 1 || (512..=32768).contains(&page_size) && page_size.is_power_of_two();
    if read < header.len()
        || &header[..16] != b"SQLite format 3\0"
        || !page_size_ok
        || header[21..24] != [64, 32, 32]
    {
        return Err(StoreError::NotADatabase {
            path: path.to_path_buf(),
        });
    }
    let field = |at: usize| {
        i32::from_be_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
    };
    let (version, app_id) = (field(60), field(68));
    match app_id {
        APPLICATION_ID => version_known(path, version),
        0 => Ok(()),
        _ => Err(StoreError::ForeignDatabase {
            path: path.to_path_buf(),
        }),
    }
}
