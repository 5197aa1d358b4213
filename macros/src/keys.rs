//! ZenML's key rules, checked at compile time: the rules and their words are
//! `run-metadata-keys`'s, the same the runtime checks with.

/// What is wrong with `key`, worded for a compile error, if anything.
pub fn problem(key: &str) -> Option<String> {
    run_metadata_keys::key_problem(key).map(|problem| problem.describe(key))
}
