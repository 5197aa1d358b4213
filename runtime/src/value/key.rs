//! ZenML's rules for metadata keys: no `:`, at most [`MAX_KEY_LEN`] characters; and ours: not
//! empty (ZenML's model takes an empty key; a key no one can read back is refused here).

use core::fmt;

/// The longest key ZenML accepts, in characters (its database column holds 255).
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
    /// The key is empty (this crate's rule: ZenML's model takes it).
    Empty,
    /// The key contains `:`, which ZenML refuses (HTTP 422).
    Colon,
    /// The key is longer than [`MAX_KEY_LEN`] characters.
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
                "metadata key is {} characters long, more than ZenML's {MAX_KEY_LEN}",
                self.key.chars().count()
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
    // Characters, not bytes: every byte that does not continue a UTF-8 sequence starts one.
    if bytes.len() > MAX_KEY_LEN {
        let mut chars = 0;
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] & 0xC0 != 0x80 {
                chars += 1;
            }
            i += 1;
        }
        if chars > MAX_KEY_LEN {
            return Some(KeyProblem::TooLong);
        }
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
