//! [`CliError`]: why a command failed.

use std::io;
use std::path::PathBuf;

use run_metadata::store::StoreError;
use run_metadata::zenml::ZenmlError;

/// Why a command failed.
#[derive(Debug)]
pub enum CliError {
    /// There is no store at the path.
    NoStore(PathBuf),
    /// The store's own error.
    Store(StoreError),
    /// The ZenML server's configuration or answer.
    Zenml(ZenmlError),
    /// `check` found the store damaged (what it found is in the output).
    Damaged {
        /// The file.
        path: PathBuf,
    },
    /// A sync left items kept in the outbox.
    Unsynced {
        /// Items the server refused.
        refused: usize,
        /// Items still kept: sending stopped (the server away, the credentials refused) or
        /// another process is sending them.
        untried: usize,
    },
    /// Writing the output.
    Io(io::Error),
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoStore(path) => write!(
                f,
                "no store at {}: run a pipeline first (cargo run --example quickstart), or give --store PATH",
                path.display()
            ),
            Self::Store(e) => write!(f, "{e}"),
            Self::Damaged { path } => write!(f, "{} is damaged", path.display()),
            Self::Zenml(e) => write!(f, "{e}"),
            Self::Unsynced { refused, untried } => write!(
                f,
                "{refused} refused and {untried} not sent are kept in the outbox; run sync again later"
            ),
            Self::Io(e) => write!(f, "{e}"),
        }
    }
}

/// The errors it only wraps are shown as they are (`Display` is theirs), so their source is
/// theirs too: a chained report prints each cause once.
impl std::error::Error for CliError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Store(e) => std::error::Error::source(e),
            Self::Zenml(e) => std::error::Error::source(e),
            Self::Io(e) => std::error::Error::source(e),
            Self::NoStore(_) | Self::Damaged { .. } | Self::Unsynced { .. } => None,
        }
    }
}

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

impl From<ZenmlError> for CliError {
    fn from(e: ZenmlError) -> Self {
        Self::Zenml(e)
    }
}

impl From<io::Error> for CliError {
    fn from(e: io::Error) -> Self {
        Self::Io(e)
    }
}
