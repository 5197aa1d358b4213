//! ZenML's key rules, checked at compile time.

/// The longest key ZenML accepts, in characters (as `run_metadata::MAX_KEY_LEN`).
pub const MAX_KEY_LEN: usize = 255;

/// What is wrong with `key`, worded for a compile error, if anything.
pub fn problem(key: &str) -> Option<String> {
    if key.is_empty() {
        Some("metadata key is empty".to_owned())
    } else if key.contains(':') {
        Some(format!(
            "metadata key {key:?} contains `:`, which ZenML does not accept"
        ))
    } else if key.chars().count() > MAX_KEY_LEN {
        Some(format!(
            "metadata key is {} characters long; ZenML accepts at most {MAX_KEY_LEN}",
            key.chars().count()
        ))
    } else {
        None
    }
}
