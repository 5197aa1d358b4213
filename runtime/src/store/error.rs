//! Why the store could not do what was asked.

use core::fmt;
use std::path::PathBuf;

use super::location::STORE_ENV;
use crate::json::DecodeError;
use crate::sink::SinkError;

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

pub(crate) type Result<T, E = StoreError> = core::result::Result<T, E>;
