//! The variable that names the store's file.

/// The environment variable that names the store's file, over the default location.
pub const STORE_ENV: &str = "RUN_METADATA_STORE";
