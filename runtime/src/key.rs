//! ZenML's rules for metadata keys: not empty, no `:`, at most [`MAX_KEY_LEN`] bytes.

use core::fmt;

/// The longest key ZenML accepts, in bytes.
pub const MAX_KEY_LEN: usize = 255;

/// A metadata key ZenML would refuse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyError {
    key: String,
    reason: KeyProblem,
}

/// What is wrong with a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyProblem {
    /// The key is empty.
    Empty,
    /// The key contains `:`, which ZenML refuses (HTTP 422).
    Colon,
    /// The key is longer than [`MAX_KEY_LEN`] bytes.
    TooLong,
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
        match self.reason {
            KeyProblem::Empty => f.write_str("metadata key is empty"),
            KeyProblem::Colon => write!(
                f,
                "metadata key {:?} contains `:`, which ZenML does not accept",
                self.key
            ),
            KeyProblem::TooLong => write!(
                f,
                "metadata key is {} bytes long, more than ZenML's {MAX_KEY_LEN}",
                self.key.len()
            ),
        }
    }
}

impl std::error::Error for KeyError {}

/// What ZenML would object to in `key`, if anything.
#[must_use]
pub const fn key_problem(key: &str) -> Option<KeyProblem> {
    let bytes = key.as_bytes();
    if bytes.is_empty() {
        return Some(KeyProblem::Empty);
    }
    if bytes.len() > MAX_KEY_LEN {
        return Some(KeyProblem::TooLong);
    }
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b':' {
            return Some(KeyProblem::Colon);
        }
        i += 1;
    }
    None
}

/// Checks `key` against ZenML's rules: not empty, no `:`, at most [`MAX_KEY_LEN`] bytes.
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
