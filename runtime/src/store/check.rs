//! Damaged records and the file's health. A record that cannot be read back is set aside and
//! named, never allowed to hide the records around it; [`Store::check`] runs SQLite's integrity
//! check over the whole file and reads every record.

use rusqlite::Row;

use super::error::{Damaged, Result, StoreError};
use super::open::Store;

/// What [`Store::check`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Health {
    /// SQLite's `integrity_check`: empty where it says `ok`, else its findings (trees, pages,
    /// cells), at most 100.
    pub integrity: Vec<String>,
    /// The records that cannot be read back.
    pub damaged: Vec<Damaged>,
    /// Runs read.
    pub runs: usize,
    /// Steps read.
    pub steps: usize,
    /// Metadata rows read.
    pub metadata: usize,
}

impl Health {
    /// Whether the file is sound and every record reads back.
    #[must_use]
    pub fn is_ok(&self) -> bool {
        self.integrity.is_empty() && self.damaged.is_empty()
    }
}

/// What was read, and what could not be.
pub(super) type Sifted<T> = (Vec<T>, Vec<Damaged>);

/// The rows `stmt` gives for `params`, each read by `read`; a row that `read` cannot read for
/// what it holds (a wrong type, an unknown name, bad text) is set aside as damaged, with its
/// `rowid` from the statement's last column. SQLite's own failures end the read.
pub(super) fn sift<T>(
    stmt: &mut rusqlite::Statement<'_>,
    params: impl rusqlite::Params,
    table: &'static str,
    mut read: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Sifted<T>> {
    let last = stmt.column_count() - 1;
    let mut rows = stmt.query(params)?;
    let (mut good, mut damaged) = (Vec::new(), Vec::new());
    while let Some(row) = rows.next()? {
        match read(row) {
            Ok(value) => good.push(value),
            Err(e) => match what_is_wrong(row, &e) {
                Some(reason) => damaged.push(Damaged {
                    table,
                    row: row.get(last)?,
                    reason,
                }),
                None => return Err(e.into()),
            },
        }
    }
    Ok((good, damaged))
}

/// The words for a row that holds what cannot be read; `None` for SQLite's own failures.
fn what_is_wrong(row: &Row<'_>, e: &rusqlite::Error) -> Option<String> {
    let column = |i: usize| row.as_ref().column_name(i).unwrap_or("?").to_owned();
    match e {
        rusqlite::Error::FromSqlConversionFailure(i, _, error) => {
            Some(format!("{}: {error}", column(*i)))
        }
        rusqlite::Error::InvalidColumnType(_, name, found) => {
            Some(format!("{name}: {found} where another type belongs"))
        }
        rusqlite::Error::IntegralValueOutOfRange(i, found) => {
            Some(format!("{}: {found} is out of range", column(*i)))
        }
        rusqlite::Error::Utf8Error(i, error) => {
            Some(format!("{}: text that is not UTF-8 ({error})", column(*i)))
        }
        _ => None,
    }
}

impl Store {
    /// The runs whose record cannot be read back (an unknown status, a bad id or time), left
    /// out of [`runs`](Self::runs).
    ///
    /// # Errors
    ///
    /// SQLite's.
    pub fn damaged_runs(&self) -> Result<Vec<Damaged>> {
        Ok(self.sift_runs()?.1)
    }

    /// The records of run `run_id` that cannot be read back — its steps, their metadata rows,
    /// the run's and its steps' hook failures — each left out where it is read.
    ///
    /// # Errors
    ///
    /// SQLite's.
    pub fn damaged(&self, run_id: uuid::Uuid) -> Result<Vec<Damaged>> {
        Ok(self.scan_run(run_id)?.damaged)
    }

    /// Every record of run `run_id` read: its steps, their and the run's metadata rows and hook
    /// failures; how many steps and rows read back, and what did not.
    fn scan_run(&self, run_id: uuid::Uuid) -> Result<Health> {
        let (pipeline, steps, damaged) = self.walk_run(run_id, |resource, damaged| {
            let (rows, bad) = self.sift_rows(resource)?;
            damaged.extend(bad);
            damaged.extend(self.sift_hook_failures(resource)?.1);
            Ok(rows.len())
        })?;
        Ok(Health {
            steps: steps.len(),
            metadata: pipeline + steps.iter().map(|(_, rows)| rows).sum::<usize>(),
            damaged,
            ..Health::default()
        })
    }

    /// Checks the whole file: SQLite's `integrity_check` (every page, every index), then every
    /// record read back. A file that SQLite cannot read at all gives its findings, not an error.
    ///
    /// ```
    /// # use run_metadata::store::Store;
    /// # let dir = std::env::temp_dir().join(format!("rm-check-{}", std::process::id()));
    /// let store = Store::open(dir.join("runs.db"))?;
    /// let health = store.check()?;
    /// assert!(health.is_ok());
    /// assert_eq!(health.runs, 0);
    /// # std::fs::remove_dir_all(dir).ok();
    /// # Ok::<(), run_metadata::store::StoreError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// SQLite's, other than those of a malformed file.
    pub fn check(&self) -> Result<Health> {
        let integrity = match self.integrity_check(None) {
            Ok(found) => found,
            // A page too damaged for SQLite to say which: each table's own check names the tables.
            Err(e) if is_corruption(&e) => {
                let mut found = Vec::new();
                for table in self.tables()? {
                    match self.integrity_check(Some(&table)) {
                        Ok(findings) => found.extend(findings),
                        Err(e) if is_corruption(&e) => found.push(format!("table {table}: {e}")),
                        Err(e) => return Err(e.into()),
                    }
                }
                if found.is_empty() {
                    found.push(e.to_string());
                }
                found
            }
            Err(e) => return Err(e.into()),
        };
        let mut health = Health {
            integrity,
            ..Health::default()
        };
        // Reading records through malformed pages would only repeat the verdict above.
        if !health.integrity.is_empty() {
            return Ok(health);
        }
        let (runs, damaged) = self.sift_runs()?;
        health.damaged = damaged;
        health.runs = runs.len();
        for run in &runs {
            let scanned = self.scan_run(run.id)?;
            health.steps += scanned.steps;
            health.metadata += scanned.metadata;
            health.damaged.extend(scanned.damaged);
        }
        Ok(health)
    }

    /// SQLite's `integrity_check` of the file, or of one table and its indexes: its findings,
    /// none where it says `ok`.
    fn integrity_check(&self, table: Option<&str>) -> rusqlite::Result<Vec<String>> {
        let sql = match table {
            Some(table) => format!("PRAGMA integrity_check('{}')", table.replace('\'', "''")),
            None => "PRAGMA integrity_check(100)".to_owned(),
        };
        let mut stmt = self.conn().prepare(&sql)?;
        let found = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let found = found.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(if found == ["ok"] { Vec::new() } else { found })
    }

    /// The file's tables, by name.
    fn tables(&self) -> rusqlite::Result<Vec<String>> {
        let mut stmt = self
            .conn()
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")?;
        let names = stmt.query_map([], |r| r.get(0))?;
        names.collect()
    }

    /// `e`, as [`StoreError::Corrupt`] where SQLite met a malformed page of this file.
    pub(crate) fn located(&self, e: StoreError) -> StoreError {
        match e {
            StoreError::Sqlite(e) if is_corruption(&e) => StoreError::Corrupt {
                path: self.path().to_path_buf(),
                detail: e.to_string(),
            },
            other => other,
        }
    }
}

/// Whether SQLite says the file is malformed.
pub(super) fn is_corruption(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
    )
}
