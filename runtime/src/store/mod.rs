//! The embedded store: runs, steps and their metadata in one SQLite file, shaped like ZenML's.
//!
//! Metadata rows are append-only — key, JSON value, tag, component id, time — and linked to the
//! runs and steps they describe. Reads resolve as ZenML's do (the newest value of a key wins;
//! where every value of a key is a dict, the dicts merge), but give typed values back: a `Uri` is
//! a `Uri` again, a tuple a tuple, a set a set, where ZenML returns strings and lists.
//!
//! The file is found at [`Store::default_path`] unless a path is given. Several processes may
//! write it at once: it runs in WAL mode, every write is one `BEGIN IMMEDIATE` transaction, and a
//! writer waits up to [`Store::BUSY_TIMEOUT`] for another. A file that is not this store's is
//! refused and left as it is.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior};

mod error;
mod read;
pub(crate) mod rows;
mod schema;
mod write;

pub(crate) use error::Result;
pub use error::StoreError;
pub use read::ComponentMetadata;
pub use schema::SCHEMA_VERSION;
use schema::check_header;

/// The environment variable that names the store's file, over the default location.
pub const STORE_ENV: &str = "RUN_METADATA_STORE";

/// The embedded store. See the [module docs](self).
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
        let var = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        if let Some(path) = var(STORE_ENV) {
            return Ok(path);
        }
        let data = var("XDG_DATA_HOME")
            .filter(|p| p.is_absolute())
            .or_else(|| var("HOME").map(|h| h.join(".local").join("share")))
            .or_else(|| var("LOCALAPPDATA"))
            .ok_or(StoreError::NoDefaultLocation)?;
        Ok(data.join("run-metadata").join("runs.db"))
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
        let conn = Connection::open(&path)?;
        conn.busy_timeout(Self::BUSY_TIMEOUT)?;
        let mut store = Self { conn, path };
        store.check_and_migrate()?;
        Ok(store)
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
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// The connection, for the outbox's reads.
    #[cfg(feature = "zenml")]
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }
}
