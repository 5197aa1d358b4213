//! ZenML's rules for metadata keys — not empty (this project's rule: ZenML's model takes an
//! empty key, which no one can read back), no `:`, at most [`MAX_KEY_LEN`] characters — in one
//! place, so that the derive's compile-time checks (`run-metadata-macros`) and the runtime's
//! (`run-metadata`) check them in the same order and say them in the same words.
//!
//! ```
//! use run_metadata_keys::{KeyProblem, key_problem};
//!
//! assert_eq!(key_problem("mlflow_run_id"), None);
//! assert_eq!(key_problem("a:b"), Some(KeyProblem::Colon));
//! assert_eq!(
//!     KeyProblem::Colon.describe("a:b"),
//!     "metadata key \"a:b\" contains `:`, which ZenML does not accept"
//! );
//! ```

#![no_std]

extern crate alloc;

use alloc::format;
use alloc::string::String;

/// The longest key ZenML accepts, in characters (its database column holds 255).
pub const MAX_KEY_LEN: usize = 255;

/// What is wrong with a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyProblem {
    /// The key is empty (this project's rule: ZenML's model takes it).
    Empty,
    /// The key contains `:`, which ZenML refuses (HTTP 422).
    Colon,
    /// The key is longer than [`MAX_KEY_LEN`] characters.
    TooLong,
}

impl KeyProblem {
    /// What is wrong with `key`, in the words every message of run-metadata uses.
    #[must_use]
    pub fn describe(self, key: &str) -> String {
        match self {
            Self::Empty => "metadata key is empty".into(),
            Self::Colon => {
                format!("metadata key {key:?} contains `:`, which ZenML does not accept")
            }
            Self::TooLong => format!(
                "metadata key is {} characters long; ZenML accepts at most {MAX_KEY_LEN}",
                key.chars().count()
            ),
        }
    }
}

/// What is wrong with `key`, if anything: the rules in order, empty, then `:`, then too long.
/// A `const fn`, so that a key given as a constant is checked at compile time.
#[must_use]
pub const fn key_problem(key: &str) -> Option<KeyProblem> {
    let bytes = key.as_bytes();
    if bytes.is_empty() {
        return Some(KeyProblem::Empty);
    }
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b':' {
            return Some(KeyProblem::Colon);
        }
        i += 1;
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
    None
}

#[cfg(test)]
mod tests {
    use super::{KeyProblem, MAX_KEY_LEN, key_problem};

    #[test]
    fn the_rules_in_their_order() {
        assert_eq!(key_problem(""), Some(KeyProblem::Empty));
        let long = "é".repeat(MAX_KEY_LEN);
        assert_eq!(key_problem(&long), None, "255 characters of two bytes each");
        let longer = "é".repeat(MAX_KEY_LEN + 1);
        assert_eq!(key_problem(&longer), Some(KeyProblem::TooLong));
        // Too long and with a colon: the colon is said first, by the derive and the runtime alike.
        assert_eq!(key_problem(&(longer + ":")), Some(KeyProblem::Colon));
    }
}
