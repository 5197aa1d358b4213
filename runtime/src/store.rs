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

use core::fmt;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, TransactionBehavior, params};
use uuid::Uuid;

use crate::json::DecodeError;
use crate::metadata::Metadata;
use crate::stack::{ComponentInfo, ComponentKind, RunRecord, Sink, SinkError, Status, StepRecord};
use crate::value::{MetadataType, MetadataValue};
use crate::zenml::Resource;

/// The environment variable that names the store's file, over the default location.
pub const STORE_ENV: &str = "RUN_METADATA_STORE";

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
];

/// The schema version this build writes.
#[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)] // a handful of migrations
pub const SCHEMA_VERSION: i32 = MIGRATIONS.len() as i32;

/// Why the store could not do what was asked.
#[derive(Debug)]
#[non_exhaustive]
pub enum StoreError {
    /// No default location: none of `RUN_METADATA_STORE`, `XDG_DATA_HOME`, `HOME` or
    /// `LOCALAPPDATA` is set.
    NoDefaultLocation,
    /// Reading or creating the file or its folder failed.
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        error: std::io::Error,
    },
    /// The file is not an SQLite database (or is damaged beyond reading). It was not changed.
    NotADatabase {
        /// The file.
        path: PathBuf,
    },
    /// The file is another program's SQLite database. It was not changed.
    ForeignDatabase {
        /// The file.
        path: PathBuf,
    },
    /// The file was written by a newer version of this crate.
    NewerSchema {
        /// The file.
        path: PathBuf,
        /// Its schema version.
        found: i32,
        /// The newest this build knows.
        supported: i32,
    },
    /// No run matches.
    RunNotFound {
        /// What was asked for.
        query: String,
    },
    /// Several runs match a prefix.
    AmbiguousRun {
        /// What was asked for.
        query: String,
        /// How many match.
        matches: usize,
    },
    /// A stored value that cannot be read back.
    Decode {
        /// The key.
        key: String,
        /// Why.
        error: DecodeError,
    },
    /// SQLite's own error.
    Sqlite(rusqlite::Error),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoDefaultLocation => write!(
                f,
                "no place for the store: set {STORE_ENV} to a file path (or HOME, XDG_DATA_HOME)"
            ),
            Self::Io { path, error } => write!(f, "{}: {error}", path.display()),
            Self::NotADatabase { path } => write!(
                f,
                "{} is not a run-metadata store (not an SQLite database, or damaged); it was left as it is",
                path.display()
            ),
            Self::ForeignDatabase { path } => write!(
                f,
                "{} is another program's SQLite database, not a run-metadata store; it was left as it is",
                path.display()
            ),
            Self::NewerSchema {
                path,
                found,
                supported,
            } => write!(
                f,
                "{} has schema version {found}, newer than this build's {supported}; upgrade run-metadata",
                path.display()
            ),
            Self::RunNotFound { query } => write!(f, "no run matches {query:?}"),
            Self::AmbiguousRun { query, matches } => {
                write!(f, "{matches} runs match {query:?}; give more of the id")
            }
            Self::Decode { key, error } => {
                write!(f, "stored value of {key:?} is unreadable: {error}")
            }
            Self::Sqlite(e) => write!(f, "SQLite: {e}"),
        }
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io { error, .. } => Some(error),
            Self::Decode { error, .. } => Some(error),
            Self::Sqlite(e) => Some(e),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Sqlite(e)
    }
}

impl From<StoreError> for SinkError {
    fn from(e: StoreError) -> Self {
        SinkError::new(e)
    }
}

type Result<T, E = StoreError> = core::result::Result<T, E>;

/// One metadata row, typed: the component that published it, its key and value.
type Row = (Option<Uuid>, String, MetadataValue);

/// One component's share of a resource's metadata, resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct ComponentMetadata {
    /// The component; `None` for metadata published by no component.
    pub component: Option<ComponentInfo>,
    /// Its metadata.
    pub metadata: Metadata,
}

/// The embedded store. See the [module docs](self).
///
/// ```
/// use run_metadata::stack::{Component, ComponentKind, Stack, StepSpec};
/// use run_metadata::store::Store;
/// use run_metadata::zenml::Resource;
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

    fn not_a_database(&self, e: rusqlite::Error) -> StoreError {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt) => {
                StoreError::NotADatabase {
                    path: self.path.clone(),
                }
            }
            _ => StoreError::Sqlite(e),
        }
    }

    fn check_and_migrate(&mut self) -> Result<()> {
        // Reading the schema reads the file: a damaged one fails here, before any write.
        let (app_id, tables): (i32, i64) = self
            .conn
            .query_row(
                "SELECT (SELECT application_id FROM pragma_application_id),
                        (SELECT count(*) FROM sqlite_master)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(|e| self.not_a_database(e))?;
        if app_id != APPLICATION_ID && (app_id != 0 || tables > 0) {
            return Err(StoreError::ForeignDatabase {
                path: self.path.clone(),
            });
        }
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        debug_assert!(mode.eq_ignore_ascii_case("wal") || mode.eq_ignore_ascii_case("memory"));
        self.conn
            .execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Read again inside the lock: another process may have migrated meanwhile.
        let version: i32 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                path: self.path.clone(),
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        let from = usize::try_from(version).unwrap_or(0);
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

    /// Every run, latest first.
    ///
    /// # Errors
    ///
    /// SQLite's.
    pub fn runs(&self) -> Result<Vec<RunRecord>> {
        self.select_runs("", [])
    }

    /// The runs matching `condition` (SQL after `WHERE`, or nothing), latest first.
    fn select_runs(
        &self,
        condition: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<RunRecord>> {
        let filter = if condition.is_empty() {
            String::new()
        } else {
            format!("WHERE {condition}")
        };
        let mut stmt = self.conn.prepare(&format!(
            "SELECT id, name, pipeline, stack, status, started, finished FROM runs {filter}
             ORDER BY started DESC, rowid DESC"
        ))?;
        let rows = stmt.query_map(params, run_from_row)?;
        rows.map(|r| r.map_err(StoreError::from)).collect()
    }

    /// The run `query` names: `latest`, its id, a unique prefix of its id, or its name (the
    /// latest run of that name).
    ///
    /// # Errors
    ///
    /// [`StoreError::RunNotFound`], [`StoreError::AmbiguousRun`], SQLite's.
    pub fn find_run(&self, query: &str) -> Result<RunRecord> {
        let not_found = || StoreError::RunNotFound {
            query: query.to_owned(),
        };
        // `latest` and an id are looked up directly; a name or a prefix needs the list.
        let direct = if query == "latest" {
            Some(self.select_runs(
                "rowid = (SELECT rowid FROM runs ORDER BY started DESC, rowid DESC LIMIT 1)",
                [],
            )?)
        } else if let Ok(id) = Uuid::parse_str(query) {
            Some(self.select_runs("id = ?1", [id.to_string()])?)
        } else {
            None
        };
        if let Some(found) = direct {
            return found.into_iter().next().ok_or_else(not_found);
        }
        let runs = self.runs()?;
        if let Some(run) = runs.iter().find(|r| r.name == query) {
            return Ok(run.clone());
        }
        let prefix = query.to_ascii_lowercase();
        let mut matches = runs
            .into_iter()
            .filter(|r| !prefix.is_empty() && r.id.to_string().starts_with(&prefix));
        match (matches.next(), matches.count()) {
            (Some(run), 0) => Ok(run),
            (Some(_), more) => Err(StoreError::AmbiguousRun {
                query: query.to_owned(),
                matches: more + 1,
            }),
            (None, _) => Err(not_found()),
        }
    }

    /// The steps of run `run_id`, in the order they started.
    ///
    /// # Errors
    ///
    /// SQLite's.
    pub fn steps(&self, run_id: Uuid) -> Result<Vec<StepRecord>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, run_id, name, status, started, finished FROM steps
             WHERE run_id = ?1 ORDER BY started, rowid",
        )?;
        let rows = stmt.query_map([run_id.to_string()], |r| {
            Ok(StepRecord {
                id: uuid_col(r, 0)?,
                run_id: uuid_col(r, 1)?,
                name: r.get(2)?,
                status: status_col(r, 3)?,
                started: time(r.get(4)?),
                finished: r.get::<_, Option<i64>>(5)?.map(time),
            })
        })?;
        rows.map(|r| r.map_err(StoreError::from)).collect()
    }

    /// The metadata of `resource`, resolved as ZenML resolves it, typed.
    ///
    /// # Errors
    ///
    /// [`StoreError::Decode`] for a stored value that cannot be read back; SQLite's.
    pub fn metadata(&self, resource: Resource) -> Result<Metadata> {
        let rows = self.rows(resource)?;
        resolve(rows.into_iter().map(|(_, key, value)| (key, value)))
    }

    /// The metadata of `resource` per component, each resolved as ZenML resolves it, components
    /// in the order they first published.
    ///
    /// # Errors
    ///
    /// As [`metadata`](Self::metadata).
    pub fn metadata_by_component(&self, resource: Resource) -> Result<Vec<ComponentMetadata>> {
        let mut rows = self.rows(resource)?;
        // Components in the order they first published; a stable sort keeps each one's rows
        // oldest first.
        let mut order: Vec<Option<Uuid>> = Vec::new();
        for (component, _, _) in &rows {
            if !order.contains(component) {
                order.push(*component);
            }
        }
        rows.sort_by_key(|(component, _, _)| order.iter().position(|c| c == component));
        let mut rows = rows.into_iter().peekable();
        let mut out = Vec::with_capacity(order.len());
        for component in order {
            let mut entries = Vec::new();
            while let Some((_, key, value)) = rows.next_if(|(c, _, _)| *c == component) {
                entries.push((key, value));
            }
            out.push(ComponentMetadata {
                component: component.map(|id| self.component(id)).transpose()?,
                metadata: resolve(entries.into_iter())?,
            });
        }
        Ok(out)
    }

    fn component(&self, id: Uuid) -> Result<ComponentInfo> {
        Ok(self.conn.query_row(
            "SELECT name, kind FROM components WHERE id = ?1",
            [id.to_string()],
            |r| {
                Ok(ComponentInfo {
                    id,
                    name: r.get(0)?,
                    kind: parsed_col(r, 1, ComponentKind::from_name)?,
                })
            },
        )?)
    }

    /// Every row of `resource`, oldest first, typed.
    fn rows(&self, resource: Resource) -> Result<Vec<Row>> {
        let mut stmt = self.conn.prepare(
            "SELECT m.stack_component_id, m.key, m.value, m.type
             FROM run_metadata_resources r JOIN run_metadata m ON m.id = r.run_metadata_id
             WHERE r.resource_id = ?1 AND r.resource_type = ?2
             ORDER BY m.id",
        )?;
        let rows = stmt.query_map(
            params![resource.id.to_string(), resource.kind.as_str()],
            |r| {
                Ok((
                    r.get::<_, Option<String>>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            },
        )?;
        let mut out = Vec::new();
        for row in rows {
            let (component, key, json, tag) = row?;
            let decode = |error| StoreError::Decode {
                key: key.clone(),
                error,
            };
            let tag = tag.parse::<MetadataType>().map_err(|e| {
                decode(DecodeError::UnknownType {
                    key: key.clone(),
                    tag: e.0,
                })
            })?;
            let value = MetadataValue::from_json(&json, tag).map_err(decode)?;
            let component = component.and_then(|c| Uuid::parse_str(&c).ok());
            out.push((component, key, value));
        }
        Ok(out)
    }

    /// One statement in its own write transaction.
    fn execute(&mut self, sql: &str, params: impl rusqlite::Params) -> Result<()> {
        self.write(|tx| tx.execute(sql, params))?;
        Ok(())
    }

    fn write<T>(
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
}

/// ZenML's read rule over one resource's rows, oldest first: the newest value of a key wins;
/// where every value of a key is a dict, the dicts merge (later entries win).
fn resolve(rows: impl Iterator<Item = (String, MetadataValue)>) -> Result<Metadata> {
    let mut keys: Vec<(String, Vec<MetadataValue>)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (key, value) in rows {
        if let Some(&i) = index.get(&key) {
            keys[i].1.push(value);
        } else {
            index.insert(key.clone(), keys.len());
            keys.push((key, vec![value]));
        }
    }
    let mut out = Metadata::with_capacity(keys.len());
    for (key, values) in keys {
        let value = if values.iter().all(|v| matches!(v, MetadataValue::Dict(_))) {
            let mut merged: Vec<(String, MetadataValue)> = Vec::new();
            for value in values {
                let MetadataValue::Dict(entries) = value else {
                    continue;
                };
                for (k, v) in entries {
                    match merged.iter_mut().find(|(m, _)| *m == k) {
                        Some((_, slot)) => *slot = v,
                        None => merged.push((k, v)),
                    }
                }
            }
            MetadataValue::Dict(merged)
        } else {
            values
                .into_iter()
                .last()
                .unwrap_or(MetadataValue::Dict(Vec::new()))
        };
        // Keys are distinct here: checked, not searched for.
        crate::key::check_key(&key).map_err(|e| StoreError::Decode {
            key: key.clone(),
            error: DecodeError::InvalidKey(e),
        })?;
        out.push_owned(key, value);
    }
    Ok(out)
}

/// Refuses, without opening it, a file that is not an SQLite database.
fn check_header(path: &Path) -> Result<()> {
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
    if read < header.len() || &header[..16] != b"SQLite format 3\0" {
        return Err(StoreError::NotADatabase {
            path: path.to_path_buf(),
        });
    }
    Ok(())
}

fn millis(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

fn time(ms: i64) -> SystemTime {
    let d = Duration::from_millis(ms.unsigned_abs());
    if ms >= 0 {
        UNIX_EPOCH + d
    } else {
        UNIX_EPOCH - d
    }
}

fn uuid_col(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Uuid> {
    parsed_col(r, i, |t| Uuid::parse_str(t).ok())
}

fn status_col(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Status> {
    parsed_col(r, i, Status::from_name)
}

fn run_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RunRecord> {
    Ok(RunRecord {
        id: uuid_col(r, 0)?,
        name: r.get(1)?,
        pipeline: r.get(2)?,
        stack: r.get(3)?,
        status: status_col(r, 4)?,
        started: time(r.get(5)?),
        finished: r.get::<_, Option<i64>>(6)?.map(time),
    })
}

/// A text column read through `parse`, or a conversion error naming the column.
fn parsed_col<T>(
    r: &rusqlite::Row<'_>,
    i: usize,
    parse: impl FnOnce(&str) -> Option<T>,
) -> rusqlite::Result<T> {
    let text: String = r.get(i)?;
    parse(&text).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            format!("unexpected value {text:?}").into(),
        )
    })
}

/// What waits in the outbox for one ZenML server.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Waiting {
    /// Steps to register.
    pub steps: usize,
    /// Metadata entries to publish.
    pub entries: usize,
    /// Final statuses to send.
    pub statuses: usize,
}

impl Waiting {
    /// Everything that waits.
    #[must_use]
    pub fn total(self) -> usize {
        self.steps + self.entries + self.statuses
    }
}

/// Metadata kept for a ZenML server that did not take it yet.
#[derive(Clone, Debug, PartialEq)]
pub struct OutboxEntry {
    /// Its place in the outbox: entries are sent in this order.
    pub id: i64,
    /// The server's URL.
    pub server: String,
    /// Where the metadata goes.
    pub resource: Resource,
    /// Who published it.
    pub component: Option<ComponentInfo>,
    /// The metadata.
    pub metadata: Metadata,
    /// How many times sending it failed for a reason other than the server being away.
    pub attempts: u32,
    /// The last such failure.
    pub last_error: Option<String>,
}

impl Store {
    /// How much waits for `server`, counted without reading it.
    ///
    /// # Errors
    ///
    /// SQLite's.
    pub fn waiting(&self, server: &str) -> Result<Waiting> {
        Ok(self.conn.query_row(
            "SELECT (SELECT count(*) FROM outbox_steps WHERE server = ?1),
                    (SELECT count(*) FROM outbox WHERE server = ?1),
                    (SELECT count(*) FROM outbox_statuses WHERE server = ?1)",
            [server],
            |r| {
                // Counts are never negative.
                let count = |i| r.get::<_, i64>(i).map(|n| usize::try_from(n).unwrap_or(0));
                Ok(Waiting {
                    steps: count(0)?,
                    entries: count(1)?,
                    statuses: count(2)?,
                })
            },
        )?)
    }

    /// Keeps `metadata` for `server`, after every entry already kept.
    ///
    /// # Errors
    ///
    /// SQLite's.
    pub fn enqueue(
        &mut self,
        server: &str,
        resource: Resource,
        component: Option<&ComponentInfo>,
        metadata: &Metadata,
    ) -> Result<i64> {
        let created = millis(SystemTime::now());
        self.write(|tx| {
            tx.execute(
                "INSERT INTO outbox (server, resource_id, resource_type, component_id,
                     component_name, component_kind, metadata_values, metadata_types, created)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    server,
                    resource.id.to_string(),
                    resource.kind.as_str(),
                    component.map(|c| c.id.to_string()),
                    component.map(|c| c.name.clone()),
                    component.map(|c| c.kind.as_str()),
                    metadata.to_json(),
                    metadata.types_json(),
                    created,
                ],
            )?;
            Ok(tx.last_insert_rowid())
        })
    }

    /// The entries kept for `server`, oldest first.
    ///
    /// # Errors
    ///
    /// [`StoreError::Decode`] for an entry that cannot be read back; SQLite's.
    pub fn outbox(&self, server: &str) -> Result<Vec<OutboxEntry>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, server, resource_id, resource_type, component_id, component_name,
                    component_kind, metadata_values, metadata_types, attempts, last_error
             FROM outbox WHERE server = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([server], |r| {
            let component = match r.get::<_, Option<String>>(4)? {
                Some(_) => Some(ComponentInfo {
                    id: uuid_col(r, 4)?,
                    name: r.get(5)?,
                    kind: parsed_col(r, 6, ComponentKind::from_name)?,
                }),
                None => None,
            };
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                Resource {
                    id: uuid_col(r, 2)?,
                    kind: parsed_col(r, 3, crate::zenml::ResourceType::from_name)?,
                },
                component,
                r.get::<_, String>(7)?,
                r.get::<_, String>(8)?,
                r.get::<_, u32>(9)?,
                r.get::<_, Option<String>>(10)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, server, resource, component, values, types, attempts, last_error) = row?;
            let metadata =
                Metadata::from_json(&values, &types).map_err(|error| StoreError::Decode {
                    key: format!("outbox entry {id}"),
                    error,
                })?;
            out.push(OutboxEntry {
                id,
                server,
                resource,
                component,
                metadata,
                attempts,
                last_error,
            });
        }
        Ok(out)
    }

    /// Removes an entry the server took.
    ///
    /// # Errors
    ///
    /// SQLite's.
    pub fn remove_from_outbox(&mut self, id: i64) -> Result<()> {
        self.write(|tx| tx.execute("DELETE FROM outbox WHERE id = ?1", [id]))?;
        Ok(())
    }

    /// Keeps a step of a run the server has (`step.run_id` is the server's) for `server` to
    /// register later, under `step.id` until then.
    ///
    /// # Errors
    ///
    /// SQLite's.
    pub fn enqueue_step(&mut self, server: &str, step: &StepRecord) -> Result<()> {
        let created = millis(SystemTime::now());
        self.write(|tx| {
            tx.execute(
                "INSERT INTO outbox_steps (local_id, server, run_id, name, status, started,
                     finished, created)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (local_id) DO UPDATE SET status = excluded.status,
                     finished = excluded.finished",
                params![
                    step.id.to_string(),
                    server,
                    step.run_id.to_string(),
                    step.name,
                    step.status.as_str(),
                    millis(step.started),
                    step.finished.map(millis),
                    created,
                ],
            )
        })?;
        Ok(())
    }

    /// The steps kept for `server` to register, in the order they started.
    ///
    /// # Errors
    ///
    /// SQLite's.
    pub fn pending_steps(&self, server: &str) -> Result<Vec<StepRecord>> {
        let mut stmt = self.conn.prepare(
            "SELECT local_id, run_id, name, status, started, finished FROM outbox_steps
             WHERE server = ?1 ORDER BY started, rowid",
        )?;
        let rows = stmt.query_map([server], |r| {
            Ok(StepRecord {
                id: uuid_col(r, 0)?,
                run_id: uuid_col(r, 1)?,
                name: r.get(2)?,
                status: status_col(r, 3)?,
                started: time(r.get(4)?),
                finished: r.get::<_, Option<i64>>(5)?.map(time),
            })
        })?;
        rows.map(|r| r.map_err(StoreError::from)).collect()
    }

    /// A kept step is now registered as `remote`: it leaves the pending steps, and the outbox
    /// entries waiting for it take its id.
    ///
    /// # Errors
    ///
    /// SQLite's.
    pub fn step_registered(&mut self, local: Uuid, remote: Uuid) -> Result<()> {
        let ids = [local.to_string(), remote.to_string()];
        self.write(|tx| {
            tx.execute("DELETE FROM outbox_steps WHERE local_id = ?1", [&ids[0]])?;
            // The step takes the server's id here too, as steps registered at once do.
            for sql in [
                "UPDATE outbox SET resource_id = ?2
                 WHERE resource_id = ?1 AND resource_type = 'step_run'",
                "UPDATE outbox_statuses SET resource_id = ?2 WHERE resource_id = ?1",
                "UPDATE steps SET id = ?2 WHERE id = ?1",
                "UPDATE run_metadata_resources SET resource_id = ?2
                 WHERE resource_id = ?1 AND resource_type = 'step_run'",
            ] {
                tx.execute(sql, [&ids[0], &ids[1]])?;
            }
            Ok(())
        })
    }

    /// Keeps the final status of a run or step for `server` to take later.
    ///
    /// # Errors
    ///
    /// SQLite's.
    pub fn enqueue_status(
        &mut self,
        server: &str,
        resource: Resource,
        status: Status,
        finished: SystemTime,
    ) -> Result<()> {
        self.execute(
            "INSERT INTO outbox_statuses (server, resource_id, resource_type, status, finished,
                 created)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (server, resource_id) DO UPDATE SET status = excluded.status,
                 finished = excluded.finished",
            params![
                server,
                resource.id.to_string(),
                resource.kind.as_str(),
                status.as_str(),
                millis(finished),
                millis(SystemTime::now()),
            ],
        )
    }

    /// The final statuses kept for `server`, in the order they were kept.
    ///
    /// # Errors
    ///
    /// SQLite's.
    pub fn pending_statuses(&self, server: &str) -> Result<Vec<(Resource, Status, SystemTime)>> {
        let mut stmt = self.conn.prepare(
            "SELECT resource_id, resource_type, status, finished FROM outbox_statuses
             WHERE server = ?1 ORDER BY created, rowid",
        )?;
        let rows = stmt.query_map([server], |r| {
            Ok((
                Resource {
                    id: uuid_col(r, 0)?,
                    kind: parsed_col(r, 1, crate::zenml::ResourceType::from_name)?,
                },
                status_col(r, 2)?,
                time(r.get(3)?),
            ))
        })?;
        rows.map(|r| r.map_err(StoreError::from)).collect()
    }

    /// Removes a kept status the server took.
    ///
    /// # Errors
    ///
    /// SQLite's.
    pub fn status_sent(&mut self, server: &str, resource: Resource) -> Result<()> {
        self.execute(
            "DELETE FROM outbox_statuses WHERE server = ?1 AND resource_id = ?2",
            params![server, resource.id.to_string()],
        )
    }

    /// Whether `local` is a step kept for registration.
    ///
    /// # Errors
    ///
    /// SQLite's.
    pub fn is_pending_step(&self, local: Uuid) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM outbox_steps WHERE local_id = ?1)",
            [local.to_string()],
            |r| r.get(0),
        )?)
    }

    /// Records that the server refused an entry; it stays, for a later look.
    ///
    /// # Errors
    ///
    /// SQLite's.
    pub fn record_outbox_failure(&mut self, id: i64, error: &str) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?2 WHERE id = ?1",
                params![id, error],
            )
        })?;
        Ok(())
    }
}

impl Sink for Store {
    fn start_run(&mut self, run: &mut RunRecord) -> Result<(), SinkError> {
        self.execute(
            "INSERT INTO runs (id, name, pipeline, stack, status, started, finished)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                run.id.to_string(),
                run.name,
                run.pipeline,
                run.stack,
                run.status.as_str(),
                millis(run.started),
                run.finished.map(millis),
            ],
        )?;
        Ok(())
    }

    fn finish_run(&mut self, run: &RunRecord) -> Result<(), SinkError> {
        self.execute(
            "UPDATE runs SET status = ?2, finished = ?3 WHERE id = ?1",
            params![
                run.id.to_string(),
                run.status.as_str(),
                run.finished.map(millis)
            ],
        )?;
        Ok(())
    }

    fn start_step(&mut self, step: &mut StepRecord) -> Result<(), SinkError> {
        self.execute(
            "INSERT INTO steps (id, run_id, name, status, started, finished)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                step.id.to_string(),
                step.run_id.to_string(),
                step.name,
                step.status.as_str(),
                millis(step.started),
                step.finished.map(millis),
            ],
        )?;
        Ok(())
    }

    fn finish_step(&mut self, step: &StepRecord) -> Result<(), SinkError> {
        self.execute(
            "UPDATE steps SET status = ?2, finished = ?3 WHERE id = ?1",
            params![
                step.id.to_string(),
                step.status.as_str(),
                step.finished.map(millis)
            ],
        )?;
        Ok(())
    }

    fn publish(
        &mut self,
        resource: Resource,
        component: &ComponentInfo,
        metadata: &Metadata,
    ) -> Result<(), SinkError> {
        let created = millis(SystemTime::now());
        let component_id = component.id.to_string();
        let resource_id = resource.id.to_string();
        self.write(|tx| {
            tx.execute(
                "INSERT INTO components (id, name, kind) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind",
                params![component_id, component.name, component.kind.as_str()],
            )?;
            let mut row = tx.prepare(
                "INSERT INTO run_metadata (key, value, type, stack_component_id, created)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            let mut link = tx.prepare(
                "INSERT INTO run_metadata_resources (run_metadata_id, resource_id, resource_type)
                 VALUES (?1, ?2, ?3)",
            )?;
            let mut json = String::new();
            for (key, value) in metadata {
                json.clear();
                crate::json::write::write_value(&mut json, value);
                row.execute(params![
                    key,
                    json,
                    value.metadata_type().as_str(),
                    component_id,
                    created
                ])?;
                link.execute(params![
                    tx.last_insert_rowid(),
                    resource_id,
                    resource.kind.as_str()
                ])?;
            }
            Ok(())
        })?;
        Ok(())
    }
}
