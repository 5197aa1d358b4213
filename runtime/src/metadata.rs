//! `Metadata`: the ordered name → value map a hook returns.

use core::fmt;
use std::borrow::Cow;

use crate::convert::ToMetadata;
use crate::value::{MetadataType, MetadataValue};

/// The longest key ZenML accepts, in bytes.
pub const MAX_KEY_LEN: usize = 255;

/// The metadata one hook reports: keys to [`MetadataValue`]s, in insertion order.
///
/// Keys follow ZenML's rules: not empty, no `:`, at most [`MAX_KEY_LEN`] bytes. Inserting a key
/// that breaks them is a [`KeyError`]; inserting a key again replaces its value in place, as a
/// Python dict does. `serde_json::to_value(&metadata)` is exactly ZenML's `values` object and
/// [`types`](Metadata::types) gives its `types`.
///
/// ```
/// use run_metadata::{Metadata, MetadataType, Uri};
///
/// let mut m = Metadata::new();
/// m.insert("orchestrator_url", Uri::new("https://console.example/run/1"))?;
/// m.insert("retries", 3_u8)?;
/// m.insert("note", None::<String>)?; // no value: nothing inserted
/// assert!(m.insert("bad:key", 1).is_err());
///
/// assert_eq!(m.keys().collect::<Vec<_>>(), ["orchestrator_url", "retries"]);
/// assert_eq!(m.types().next(), Some(("orchestrator_url", MetadataType::Uri)));
/// assert_eq!(
///     serde_json::to_value(&m).unwrap(),
///     serde_json::json!({"orchestrator_url": "https://console.example/run/1", "retries": 3})
/// );
/// # Ok::<(), run_metadata::KeyError>(())
/// ```
#[derive(Clone, Default, PartialEq)]
pub struct Metadata {
    entries: Vec<(Cow<'static, str>, MetadataValue)>,
}

impl Metadata {
    /// An empty map.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            entries: Vec::new(),
        }
    }

    /// An empty map with room for `capacity` entries.
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            entries: Vec::with_capacity(capacity),
        }
    }

    /// Inserts `value` under `key`; a `None` value inserts nothing.
    ///
    /// # Errors
    ///
    /// [`KeyError`] if ZenML would refuse the key; the map is unchanged.
    pub fn insert<V: ToMetadata>(
        &mut self,
        key: impl Into<Cow<'static, str>>,
        value: V,
    ) -> Result<(), KeyError> {
        let key = key.into();
        check_key(&key)?;
        if let Some(value) = value.to_metadata_opt() {
            self.put(key, value);
        }
        Ok(())
    }

    /// Inserts a value under `key`, returning the value it replaces.
    ///
    /// # Errors
    ///
    /// [`KeyError`] if ZenML would refuse the key; the map is unchanged.
    pub fn insert_value(
        &mut self,
        key: impl Into<Cow<'static, str>>,
        value: MetadataValue,
    ) -> Result<Option<MetadataValue>, KeyError> {
        let key = key.into();
        check_key(&key)?;
        Ok(self.put(key, value))
    }

    /// Inserts under a key already known to be valid.
    pub(crate) fn put(
        &mut self,
        key: Cow<'static, str>,
        value: MetadataValue,
    ) -> Option<MetadataValue> {
        if let Some((_, slot)) = self.entries.iter_mut().find(|(k, _)| *k == key) {
            return Some(core::mem::replace(slot, value));
        }
        self.entries.push((key, value));
        None
    }

    /// Appends under a key known, at compile time, to be valid and not yet present.
    #[inline]
    pub(crate) fn push_unique(&mut self, key: &'static str, value: MetadataValue) {
        self.entries.push((Cow::Borrowed(key), value));
    }

    /// Appends under a key known to be valid and not yet present.
    #[cfg(feature = "store")]
    pub(crate) fn push_owned(&mut self, key: String, value: MetadataValue) {
        self.entries.push((Cow::Owned(key), value));
    }

    /// Reserves room for `additional` more entries.
    pub fn reserve(&mut self, additional: usize) {
        self.entries.reserve(additional);
    }

    /// Moves every entry of `other` into `self`; where a key is in both, `other`'s value wins.
    pub fn extend(&mut self, other: Metadata) {
        if self.entries.is_empty() {
            self.entries = other.entries;
            return;
        }
        self.entries.reserve(other.entries.len());
        for (k, v) in other.entries {
            self.put(k, v);
        }
    }

    /// The value under `key`.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&MetadataValue> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Whether `key` has a value.
    #[must_use]
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Removes `key`, keeping the order of the others.
    pub fn remove(&mut self, key: &str) -> Option<MetadataValue> {
        let index = self.entries.iter().position(|(k, _)| k == key)?;
        Some(self.entries.remove(index).1)
    }

    /// The number of entries.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries, in order.
    #[must_use]
    pub fn iter(&self) -> Iter<'_> {
        Iter(self.entries.iter())
    }

    /// The keys, in order.
    #[must_use]
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &str> + ExactSizeIterator + Clone {
        self.entries.iter().map(|(k, _)| &**k)
    }

    /// The values, in order.
    #[must_use]
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &MetadataValue> + ExactSizeIterator {
        self.entries.iter().map(|(_, v)| v)
    }

    /// Each key with its ZenML type tag, in order: ZenML's `types` object.
    ///
    /// [`Types`] also serializes as that object:
    ///
    /// ```
    /// let m = run_metadata::metadata! { "t" => (1, 2) };
    /// assert_eq!(serde_json::to_string(&m.types()).unwrap(), r#"{"t":"tuple"}"#);
    /// ```
    #[must_use]
    pub fn types(&self) -> Types<'_> {
        Types(self.entries.iter())
    }
}

/// The iterator of [`Metadata::iter`].
#[derive(Clone, Debug)]
pub struct Iter<'a>(core::slice::Iter<'a, (Cow<'static, str>, MetadataValue)>);

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a str, &'a MetadataValue);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (&**k, v))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(k, v)| (&**k, v))
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'a> IntoIterator for &'a Metadata {
    type Item = (&'a str, &'a MetadataValue);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl IntoIterator for Metadata {
    type Item = (Cow<'static, str>, MetadataValue);
    type IntoIter = std::vec::IntoIter<(Cow<'static, str>, MetadataValue)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

/// Keys with their ZenML type tags: the iterator of [`Metadata::types`], which serializes as
/// ZenML's `types` object.
#[derive(Clone, Debug)]
pub struct Types<'a>(core::slice::Iter<'a, (Cow<'static, str>, MetadataValue)>);

impl<'a> Iterator for Types<'a> {
    type Item = (&'a str, MetadataType);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (&**k, v.metadata_type()))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl ExactSizeIterator for Types<'_> {}

impl serde::Serialize for Types<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.clone())
    }
}

impl fmt::Debug for Metadata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl fmt::Display for Metadata {
    /// One `key: value` line per entry, values in the dashboard's form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (k, v) in self {
            writeln!(f, "{k}: {v}")?;
        }
        Ok(())
    }
}

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
