//! Where each key of a large [`Metadata`](crate::Metadata) sits: built on the first search past
//! [`LINEAR`] entries and kept in step with every entry added after, so that inserting or finding
//! a key costs the same at a million entries as at ten.

use std::borrow::Cow;
use std::hash::{BuildHasher, RandomState};

use hashbrown::HashTable;

use crate::value::MetadataValue;

/// One entry of a map: its key and value.
pub(crate) type Entry = (Cow<'static, str>, MetadataValue);

/// Up to this many entries, a search in order is faster than hashing the key.
pub(crate) const LINEAR: usize = 16;

/// Positions of entries by their key's hash (keyed afresh per map, so that no input can be
/// chosen to collide).
#[derive(Clone)]
pub(crate) struct KeyIndex {
    state: RandomState,
    table: HashTable<usize>,
}

impl KeyIndex {
    /// The index of `entries`, whose keys are distinct.
    pub(crate) fn of(entries: &[Entry]) -> Self {
        let mut index = Self {
            state: RandomState::new(),
            table: HashTable::with_capacity(entries.len()),
        };
        for at in 0..entries.len() {
            index.added(entries, at);
        }
        index
    }

    /// Where `key` sits in `entries`.
    pub(crate) fn find(&self, entries: &[Entry], key: &str) -> Option<usize> {
        let hash = self.state.hash_one(key);
        self.table.find(hash, |&at| entries[at].0 == key).copied()
    }

    /// Records `entries[at]`, whose key is not among the others.
    pub(crate) fn added(&mut self, entries: &[Entry], at: usize) {
        let state = &self.state;
        let hash = state.hash_one(&*entries[at].0);
        self.table
            .insert_unique(hash, at, |&other| state.hash_one(&*entries[other].0));
    }
}
