//! The file's schema: the migrations from one version to the next, and the checks that refuse a
//! file that is not this store's before anything is written to it.

use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::error::{Result, StoreError};

/// `PRAGMA application_id` of this store's files: "RMET".
const APPLICATION_ID: i32 = 0x524D_4554;

/// A part of the file: tables one module owns, with the migrations that bring them from one
/// version to the next. The store's own part is [`STORE_PART`]; a module above the store that
/// keeps tables in the same file (the ZenML outbox) declares its own and installs it with
/// [`Store::install`](super::Store::install) before it uses them. Each part's version is kept
/// in the file's `schema_parts` table.
pub(crate) struct Part {
    /// Its row in `schema_parts`.
    pub(crate) name: &'static str,
    /// Each migration from the one before; the index + 1 is the version reached.
    pub(crate) migrations: &'static [&'static str],
    /// The file schema (1 to 9, before parts) that each of its first migrations came with, so
    /// that a file of then is known to have them.
    pub(crate) legacy: &'static [i32],
}

impl Part {
    /// The version this build brings the part to: how many migrations it has.
    pub(crate) fn version(&self) -> i64 {
        i64::try_from(self.migrations.len()).unwrap_or(i64::MAX)
    }
}

/// The store's own tables: runs, steps, components, metadata, hook failures.
pub(crate) const STORE_PART: Part = Part {
    name: "store",
    migrations: &[
        // 1 (file schema 1): runs, steps, components, append-only metadata rows and their resource links.
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
        // 2 (file schema 5): hooks that failed or panicked, so reporting nothing for their component.
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
    ],
    legacy: &[1, 5],
};

/// The row of `schema_parts` that says which file schema (1 to 9) a file had when parts came.
const LEGACY: &str = "legacy";

/// The file schema this build writes: 10, where the file is made of parts, each with its own
/// version in `schema_parts` (1 to 9 were one list of migrations for every table).
pub const SCHEMA_VERSION: i32 = 10;

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
    if version < SCHEMA_VERSION {
        tx.execute_batch(
            "CREATE TABLE schema_parts (part TEXT PRIMARY KEY, version INTEGER NOT NULL);",
        )?;
        if version > 0 {
            tx.execute(
                "INSERT INTO schema_parts (part, version) VALUES (?1, ?2)",
                rusqlite::params![LEGACY, version],
            )?;
        }
        tx.execute_batch(&format!(
            "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {SCHEMA_VERSION};"
        ))?;
    }
    if let Some(found) = install(&tx, &STORE_PART)? {
        return Err(newer_part(path, &STORE_PART, found));
    }
    tx.commit()?;
    Ok(())
}

/// How many of `part`'s migrations the file has: its row, else those that came with the file
/// schema it had before parts; and whether the row is there.
pub(super) fn part_version(conn: &Connection, part: &Part) -> rusqlite::Result<(i64, bool)> {
    let versions: Vec<(String, i64)> = conn
        .prepare("SELECT part, version FROM schema_parts WHERE part IN (?1, ?2)")?
        .query_map(rusqlite::params![part.name, LEGACY], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let of = |name: &str| versions.iter().find(|(n, _)| n == name).map(|(_, v)| *v);
    if let Some(version) = of(part.name) {
        return Ok((version, true));
    }
    let legacy = of(LEGACY).unwrap_or(0);
    let had = part
        .legacy
        .iter()
        .filter(|&&v| i64::from(v) <= legacy)
        .count();
    Ok((i64::try_from(had).unwrap_or(i64::MAX), false))
}

/// How `part` stands in the file against this build: behind (its version), current, or newer
/// (its version).
pub(super) fn part_standing(version: i64, part: &Part) -> core::cmp::Ordering {
    version.cmp(&part.version())
}

/// Brings `part` up to date inside `tx`, writing only if it is behind or not yet recorded; the
/// version found if it is newer than this build's.
pub(super) fn install(tx: &Transaction<'_>, part: &Part) -> rusqlite::Result<Option<i64>> {
    let (version, recorded) = part_version(tx, part)?;
    match part_standing(version, part) {
        core::cmp::Ordering::Greater => return Ok(Some(version)),
        core::cmp::Ordering::Equal if recorded => return Ok(None),
        _ => {}
    }
    let from = usize::try_from(version).unwrap_or(0);
    for migration in &part.migrations[from..] {
        tx.execute_batch(migration)?;
    }
    tx.execute(
        "INSERT INTO schema_parts (part, version) VALUES (?1, ?2)
         ON CONFLICT (part) DO UPDATE SET version = excluded.version",
        rusqlite::params![part.name, part.version()],
    )?;
    Ok(None)
}

/// A part written by an older build, in a file opened for reading only.
pub(super) fn older_part(path: &Path, part: &Part, found: i64) -> StoreError {
    StoreError::OlderPart {
        path: path.to_path_buf(),
        part: part.name,
        found,
        supported: part.migrations.len(),
    }
}

/// A part written by a newer build.
pub(super) fn newer_part(path: &Path, part: &Part, found: i64) -> StoreError {
    StoreError::NewerPart {
        path: path.to_path_buf(),
        part: part.name,
        found,
        supported: part.migrations.len(),
    }
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
