//! Opening the store: where its file is, and the connection every read and write goes through.

use std::cmp::Ordering;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use super::error::{Result, StoreError};
use super::location::default_location;
use super::schema::{
    Part, SCHEMA_VERSION, STORE_PART, check_header, identify, install, migrate, newer_part,
    older_part, part_standing, part_version,
};

/// The embedded store. See the [module docs](crate::store).
///
/// ```
/// use run_metadata::stack::{Component, ComponentKind, Stack, StepSpec};
/// use run_metadata::store::Store;
/// use run_metadata::Resource;
/// use run_metadata::{RunMetadata, Uri};
///
/// #[derive(RunMetadata)]
/// struct Orchestrator {
///     #[metadata(pipeline, uri)]
///     console: String,
/// }
///
/// # let dir = std::env::temp_dir().join(format!("rm-doc-{}", std::process::id()));
/// let mut store = Store::open(dir.join("runs.db"))?;
/// let stack = Stack::new("local").with(Component::new(
///     ComponentKind::Orchestrator,
///     "local",
///     Orchestrator { console: "https://console.example".into() },
/// ));
/// let run = stack.start_run(&mut store, "training", "training-1");
/// let run_id = run.record().id;
/// run.finish();
///
/// let m = store.metadata(Resource::pipeline_run(run_id))?;
/// assert_eq!(m.get("console").unwrap().metadata_type().as_str(), "Uri");
/// # std::fs::remove_dir_all(dir).ok();
/// # Ok::<(), run_metadata::store::StoreError>(())
/// ```
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// SQLite's busy handler of a store opened for writing, called with how many times it was
/// called for this wait. The writer beside this one — a sink's delivery worker, another
/// process — holds the lock for well under a millisecond, so the first waits are short (50 µs,
/// for about 2 ms; SQLite's own handler starts at 1 ms, which a run's step would feel), then
/// 10 ms at a time, [`Store::BUSY_TIMEOUT`] in all.
fn wait_for_writer(count: i32) -> bool {
    const SHORT: u32 = 40;
    let count = u32::try_from(count).unwrap_or(u32::MAX);
    let long = u32::try_from(Store::BUSY_TIMEOUT.as_millis() / 10).unwrap_or(u32::MAX);
    if count >= SHORT.saturating_add(long) {
        return false;
    }
    std::thread::sleep(if count < SHORT {
        Duration::from_micros(50)
    } else {
        Duration::from_millis(10)
    });
    true
}

impl Store {
    /// How long a writer waits for another before giving up.
    pub const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

    /// Where the store lives unless told otherwise: `$RUN_METADATA_STORE` if set, else
    /// `$XDG_DATA_HOME/run-metadata/runs.db`, else `$HOME/.local/share/run-metadata/runs.db`,
    /// else `%LOCALAPPDATA%\run-metadata\runs.db`.
    ///
    /// # Errors
    ///
    /// [`StoreError::NoDefaultLocation`] if none of those variables is set.
    pub fn default_path() -> Result<PathBuf> {
        default_location(|name| std::env::var_os(name)).ok_or(StoreError::NoDefaultLocation)
    }

    /// Opens the store at [`default_path`](Self::default_path), creating it if need be.
    ///
    /// # Errors
    ///
    /// As [`open`](Self::open), and [`StoreError::NoDefaultLocation`].
    pub fn open_default() -> Result<Self> {
        Self::open(Self::default_path()?)
    }

    /// Opens the store at `path`, creating the file and its folder if need be, and bringing an
    /// older schema up to date.
    ///
    /// # Errors
    ///
    /// [`StoreError::NotADatabase`] or [`StoreError::ForeignDatabase`] for a file that is not a
    /// store (left untouched), [`StoreError::NewerSchema`], [`StoreError::Io`], SQLite's errors.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let io = |error| StoreError::Io {
            path: path.clone(),
            error,
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        check_header(&path)?;
        let opened = Connection::open(&path).and_then(|mut conn| {
            conn.busy_handler(Some(wait_for_writer))?;
            Ok(conn)
        });
        let mut conn = opened.map_err(|e| writing_error(&path, e.into()))?;
        migrate(&mut conn, &path, Self::BUSY_TIMEOUT).map_err(|e| writing_error(&path, e))?;
        Ok(Self { conn, path })
    }

    /// Opens the store at `path` for reading only: no write access to the file or its folder is
    /// needed, and the file is never changed. Writes through it fail with
    /// [`StoreError::ReadOnly`].
    ///
    /// # Errors
    ///
    /// As [`open`](Self::open); [`StoreError::Io`] if there is no file, and
    /// [`StoreError::OlderSchema`] for a file that only a writer can bring up to date.
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        if let Err(error) = std::fs::metadata(&path) {
            return Err(StoreError::Io { path, error });
        }
        check_header(&path)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let open = |name: &Path| -> Result<(Connection, i32)> {
            let conn = Connection::open_with_flags(name, flags)?;
            conn.busy_timeout(Self::BUSY_TIMEOUT)?;
            let version = identify(&conn, &path, Self::BUSY_TIMEOUT)?;
            Ok((conn, version))
        };
        let (conn, version) = match open(&path) {
            // A WAL file in a folder that cannot be written: SQLite cannot make the files it
            // reads beside it. Nobody can write it there either, so it is read as immutable.
            Err(StoreError::Sqlite(e)) if cannot_write(&e) => match immutable_uri(&path) {
                Some(uri) => open(Path::new(&uri))?,
                None => return Err(e.into()),
            },
            other => other?,
        };
        if version < SCHEMA_VERSION {
            return Err(StoreError::OlderSchema {
                path,
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        // The store's own tables, as this build reads them.
        let (part, _) = part_version(&conn, &STORE_PART)?;
        match part_standing(part, &STORE_PART) {
            Ordering::Greater => return Err(newer_part(&path, &STORE_PART, part)),
            Ordering::Less => return Err(older_part(&path, &STORE_PART, part)),
            Ordering::Equal => {}
        }
        Ok(Self { conn, path })
    }

    /// The file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// One statement in its own write transaction.
    pub(crate) fn execute(&mut self, sql: &str, params: impl rusqlite::Params) -> Result<()> {
        self.write(|tx| tx.execute(sql, params))?;
        Ok(())
    }

    pub(crate) fn write<T>(
        &mut self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<T>,
    ) -> Result<T> {
        self.immediate(f)
    }

    /// `f` in one `BEGIN IMMEDIATE` transaction, committed if it succeeds. Through `&self`:
    /// [`write`](Self::write) is the form the rest of the crate uses; this one serves the
    /// installing of a part from a read.
    fn immediate<T>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<T>,
    ) -> Result<T> {
        let written = (|| {
            let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        })();
        written.map_err(|e| self.located(writing_error(&self.path, e)))
    }

    /// Brings `part`'s tables up to date (made, on its first use in this file), in one write
    /// transaction if the file is behind; a read if it is not. Takes `&self`, so that a read of
    /// a part an older build left behind can bring it up first.
    ///
    /// A part newer than this build's is [`StoreError::NewerPart`]; one behind it in a store
    /// opened for reading only, [`StoreError::OlderPart`].
    pub(crate) fn install(&self, part: &'static Part) -> Result<()> {
        self.bring_up(part, self.part_version(part)?)
    }

    /// Whether the file has `part`'s tables, brought up to date (as by
    /// [`install`](Self::install)) if an older build left them: a file that never had them is
    /// not written to.
    pub(crate) fn has(&self, part: &'static Part) -> Result<bool> {
        let version = self.part_version(part)?;
        if version == 0 {
            return Ok(false);
        }
        self.bring_up(part, version)?;
        Ok(true)
    }

    /// [`install`](Self::install), `part` found at `version`.
    fn bring_up(&self, part: &'static Part, version: i64) -> Result<()> {
        match part_standing(version, part) {
            Ordering::Equal => {}
            Ordering::Greater => return Err(newer_part(&self.path, part, version)),
            Ordering::Less if self.conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false) => {
                return Err(older_part(&self.path, part, version));
            }
            Ordering::Less => {
                if let Some(found) = self.immediate(|tx| install(tx, part))? {
                    return Err(newer_part(&self.path, part, found));
                }
            }
        }
        Ok(())
    }

    /// How many of `part`'s migrations the file has (0: it never had its tables).
    pub(crate) fn part_version(&self, part: &Part) -> Result<i64> {
        let (version, _) = part_version(&self.conn, part).map_err(|e| self.located(e.into()))?;
        Ok(version)
    }

    /// The connection, for reads.
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }
}

/// Whether SQLite could not write the file or make the files it keeps beside it.
fn cannot_write(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::CannotOpen)
    )
}

/// `e`, as [`StoreError::ReadOnly`] where the file or its folder cannot be written.
fn writing_error(path: &Path, e: StoreError) -> StoreError {
    match e {
        StoreError::Sqlite(e) if cannot_write(&e) => StoreError::ReadOnly {
            path: path.to_path_buf(),
        },
        other => other,
    }
}

/// The SQLite URI that opens `path` as immutable (no locks, no files beside it); `None` for a
/// path that is not Unicode.
fn immutable_uri(path: &Path) -> Option<String> {
    use std::fmt::Write as _;
    let absolute = std::path::absolute(path).ok()?;
    let mut uri = String::from("file:");
    for b in absolute.to_str()?.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            uri.push(char::from(b));
        } else {
            let _ = write!(uri, "%{b:02X}");
        }
    }
    uri.push_str("?immutable=1");
    Some(uri)
}
