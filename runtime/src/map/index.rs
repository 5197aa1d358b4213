//! Where each key of a large [`Metadata`](crate::Metadata) sits: built on the first search past
//! [`LINEAR`] entries and kept in step with every entry added after, so that inserting or finding
//! a key costs the same at a million entries as at ten.

use std::borrow::Cow;
use std::hash::{BuildHasher, RandomState};
use std::sync::OnceLock;

use hashbrown::HashTable;
use hashbrown::hash_table::Entry as Slot;

use crate::value::tree::MetadataValue;

/// One entry of a map: its key and value.
pub(crate) type Entry = (Cow<'static, str>, MetadataValue);

/// Up to this many entries, a search in order is faster than hashing the key.
pub(crate) const LINEAR: usize = 16;

/// Positions of entries by their key's hash (keyed afresh per map, so that no input can be
/// chosen to collide).
///
/// Each slot keeps the key's hash beside the position: growing the table and passing over
/// other keys then never reads the entries themselves, which at a million keys are scattered
/// far beyond the caches.
#[derive(Clone)]
pub(crate) struct KeyIndex {
    state: RandomState,
    table: HashTable<(u64, usize)>,
}

impl KeyIndex {
    /// The index of `entries`, whose keys are distinct.
    pub(crate) fn of(entries: &[Entry]) -> Self {
        let state = RandomState::new();
        let mut table = HashTable::with_capacity(entries.len());
        for (at, (key, _)) in entries.iter().enumerate() {
            let hash = state.hash_one(&**key);
            table.insert_unique(hash, (hash, at), |s| s.0);
        }
        Self { state, table }
    }

    /// Where `key` sits in `entries`.
    pub(crate) fn find(&self, entries: &[Entry], key: &str) -> Option<usize> {
        let hash = self.state.hash_one(key);
        self.table
            .find(hash, |&(h, at)| h == hash && entries[at].0 == key)
            .map(|&(_, at)| at)
    }

    /// Where `key` sits in `entries`; if it is not there, records it at `entries.len()`, where
    /// the caller then pushes it.
    pub(crate) fn find_or_add(&mut self, entries: &[Entry], key: &str) -> Option<usize> {
        let hash = self.state.hash_one(key);
        match self
            .table
            .entry(hash, |&(h, at)| h == hash && entries[at].0 == key, |s| s.0)
        {
            Slot::Occupied(slot) => Some(slot.get().1),
            Slot::Vacant(slot) => {
                slot.insert((hash, entries.len()));
                None
            }
        }
    }

    /// Records `entries[at]`, whose key is not among the others.
    pub(crate) fn added(&mut self, entries: &[Entry], at: usize) {
        let hash = self.state.hash_one(&*entries[at].0);
        self.table.insert_unique(hash, (hash, at), |s| s.0);
    }
}

/// A map's index, built on the first search past [`LINEAR`] entries.
pub(crate) type Lazy = OnceLock<Box<KeyIndex>>;

/// Where `key` sits in `entries`: searched in order in a small map, through the index in a
/// large one.
pub(crate) fn position(entries: &[Entry], index: &Lazy, key: &str) -> Option<usize> {
    if entries.len() <= LINEAR {
        return entries.iter().position(|(k, _)| k == key);
    }
    index
        .get_or_init(|| Box::new(KeyIndex::of(entries)))
        .find(entries, key)
}

/// Sets `key`'s value in `entries`, in its place if present (returning the value it had), else
/// at the end; `index`, if built, is kept in step.
pub(crate) fn put(
    entries: &mut Vec<Entry>,
    index: &mut Lazy,
    key: Cow<'static, str>,
    value: MetadataValue,
) -> Option<MetadataValue> {
    let found = if entries.len() <= LINEAR {
        entries.iter().position(|(k, _)| *k == key)
    } else {
        let mut built = (index.take()).unwrap_or_else(|| Box::new(KeyIndex::of(entries)));
        // One hash and one probe: the index records the key if it is new.
        let found = built.find_or_add(entries, &key);
        *index = OnceLock::from(built);
        if found.is_none() {
            entries.push((key, value));
            return None;
        }
        found
    };
    if let Some(at) = found {
        return Some(core::mem::replace(&mut entries[at].1, value));
    }
    push(entries, index, key, value);
    None
}

/// Appends an entry whose key is not in `entries`, keeping `index` (if built) in step.
#[inline]
pub(crate) fn push(
    entries: &mut Vec<Entry>,
    index: &mut Lazy,
    key: Cow<'static, str>,
    value: MetadataValue,
) {
    entries.push((key, value));
    if let Some(index) = index.get_mut() {
        index.added(entries, entries.len() - 1);
    }
}
