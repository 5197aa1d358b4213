//! ZenML's rules for metadata keys: no `:`, at most [`MAX_KEY_LEN`] characters; and ours: not
//! empty (ZenML's model takes an empty key; a key no one can read back is refused here).

use core::fmt;

pub use run_metadata_keys::{KeyProblem, MAX_KEY_LEN, key_problem};

/// A metadata key ZenML would refuse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyError {
    key: String,
    reason: KeyProblem,
}

impl KeyError {
    /// The refused key.
    #[must_use]
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Why it was refused.
    #[must_use]
    pub fn problem(&self) -> KeyProblem {
        self.reason
    }
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason.describe(&self.key))
    }
}

impl std::error::Error for KeyError {}

/// Checks `key` against the rules: not empty (ours), no `:`, at most [`MAX_KEY_LEN`] characters.
///
/// ```
/// use run_metadata::{check_key, KeyProblem};
///
/// assert!(check_key("mlflow_run_id").is_ok());
/// assert_eq!(check_key("a:b").unwrap_err().problem(), KeyProblem::Colon);
/// ```
///
/// # Errors
///
/// [`KeyError`] naming the problem.
pub fn check_key(key: &str) -> Result<(), KeyError> {
    match key_problem(key) {
        None => Ok(()),
        Some(reason) => Err(KeyError {
            key: key.to_owned(),
            reason,
        }),
    }
}
