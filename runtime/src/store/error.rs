//! Why the store could not do what was asked.

use core::fmt;
use std::path::PathBuf;

use super::location::STORE_ENV;
use crate::runs::sink::SinkError;
use crate::value::json::DecodeError;

/// A stored record that cannot be read back: where it is and why.
///
/// Reads leave such a record out and go on with the others;
/// [`damaged_runs`](super::Store::damaged_runs), [`damaged`](super::Store::damaged) and
/// [`check`](super::Store::check) name it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Damaged {
    /// The table that holds it.
    pub table: &'static str,
    /// Its row in that table (SQLite's `rowid`).
    pub row: i64,
    /// What is wrong, naming the column (and the key, for a metadata row).
    pub reason: String,
}

impl fmt::Display for Damaged {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} row {}: {}", self.table, self.row, self.reason)
    }
}

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
    /// A part of the file (its own tables, such as the ZenML outbox's) was written by a newer
    /// version of this crate.
    NewerPart {
        /// The file.
        path: PathBuf,
        /// The part.
        part: &'static str,
        /// Its version in the file.
        found: i64,
        /// The newest this build knows.
        supported: usize,
    },
    /// A part of the file (its own tables, such as the ZenML outbox's) was written by an older
    /// version of this crate, and the file was opened for reading only. It was not changed.
    OlderPart {
        /// The file.
        path: PathBuf,
        /// The part.
        part: &'static str,
        /// Its version in the file.
        found: i64,
        /// The version this build reads.
        supported: usize,
    },
    /// The file's schema version is negative: no version of this crate wrote it. It was not
    /// changed.
    UnknownSchema {
        /// The file.
        path: PathBuf,
        /// Its schema version.
        found: i32,
    },
    /// The file, opened for reading only, has an older schema that only a writer can bring up to
    /// date. It was not changed.
    OlderSchema {
        /// The file.
        path: PathBuf,
        /// Its schema version.
        found: i32,
        /// The version this build reads.
        supported: i32,
    },
    /// The file, or the folder SQLite needs to write beside it, cannot be written.
    ReadOnly {
        /// The file.
        path: PathBuf,
    },
    /// SQLite met a malformed page of the file: its bytes were changed outside SQLite.
    Corrupt {
        /// The file.
        path: PathBuf,
        /// SQLite's words.
        detail: String,
    },
    /// A value nests deeper than [`MAX_DEPTH`](crate::MAX_DEPTH): it could not be read back, so
    /// it is not written, and neither is the rest of its publish.
    TooDeep {
        /// The key.
        key: String,
    },
    /// A stored record that cannot be read back, where the whole of what was asked needs it.
    Damaged(Damaged),
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
    /// Another process took over sending to a ZenML server from this one (which had not
    /// renewed its lease in time); what is kept is sent by that process.
    LeaseLost {
        /// The server's id (or URL, before it was first reached).
        server: String,
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
            Self::NewerPart {
                path,
                part,
                found,
                supported,
            } => write!(
                f,
                "{} holds {part} tables of version {found}, newer than this build's {supported}; upgrade run-metadata",
                path.display()
            ),
            Self::OlderPart {
                path,
                part,
                found,
                supported,
            } => write!(
                f,
                "{} holds {part} tables of version {found}, older than this build's {supported}, and was opened for reading only; use them once through the store opened with write access to bring them up to date",
                path.display()
            ),
            Self::UnknownSchema { path, found } => write!(
                f,
                "{} has schema version {found}, which no version of run-metadata writes; it was left as it is",
                path.display()
            ),
            Self::OlderSchema {
                path,
                found,
                supported,
            } => write!(
                f,
                "{} has schema version {found}, older than this build's {supported}, and was opened for reading only; open it once with write access to bring it up to date",
                path.display()
            ),
            Self::ReadOnly { path } => write!(
                f,
                "{} cannot be written: the file or its folder is read-only (reading needs no write access)",
                path.display()
            ),
            Self::Corrupt { path, detail } => write!(
                f,
                "{} is damaged ({detail}); `run-metadata check` lists the damaged pages",
                path.display()
            ),
            Self::TooDeep { key } => write!(
                f,
                "the value of {key:?} nests deeper than {} levels and could not be read back; nothing of its publish was written",
                crate::MAX_DEPTH
            ),
            Self::Damaged(damaged) => write!(f, "damaged record: {damaged}"),
            Self::RunNotFound { query } => write!(f, "no run matches {query:?}"),
            Self::AmbiguousRun { query, matches } => {
                write!(f, "{matches} runs match {query:?}; give more of the id")
            }
            Self::Decode { key, error } => {
                write!(f, "stored value of {key:?} is unreadable: {error}")
            }
            Self::LeaseLost { server } => write!(
                f,
                "another process took over sending to the ZenML server {server}: this one held it too long without a word; what is kept is sent by that process"
            ),
            Self::Sqlite(e) => write!(f, "SQLite: {e}"),
        }
    }
}

/// No source: every message already says what caused it (the I/O error, SQLite's words, the
/// decoding error), so a chained report would say it twice. The cause itself is in the variant.
impl std::error::Error for StoreError {}

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

pub(crate) type Result<T, E = StoreError> = core::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::StoreError;
    use crate::runs::sink::SinkError;

    #[test]
    fn a_chained_report_says_each_cause_once() {
        let error = SinkError::from(StoreError::Sqlite(rusqlite::Error::InvalidQuery));
        let mut chain = vec![error.to_string()];
        let mut source = std::error::Error::source(&error);
        while let Some(cause) = source {
            chain.push(cause.to_string());
            source = cause.source();
        }
        assert!(chain[0].contains("SQLite: "), "{chain:?}");
        for (i, later) in chain.iter().enumerate().skip(1) {
            assert!(
                !chain[..i].iter().any(|said| said.contains(later.as_str())),
                "said twice: {chain:?}"
            );
        }
    }
}
