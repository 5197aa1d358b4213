//! `Metadata`: the ordered name → value map a hook returns.

use core::fmt;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

use serde::ser::SerializeMap;

use crate::map::index::{self, Entry};
use crate::value::convert::ToMetadata;
use crate::value::json::DecodeError;
use crate::value::json::read::{parse, retag};
use crate::value::json::write::{write_object, write_value};
use crate::value::key::{KeyError, check_key};
use crate::value::tree::{MAX_DEPTH, MetadataType, MetadataValue};

/// The metadata one hook reports: keys to [`MetadataValue`]s, in insertion order.
///
/// Keys follow ZenML's rules: not empty, no `:`, at most [`MAX_KEY_LEN`](crate::MAX_KEY_LEN) bytes. Inserting a key
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
#[derive(Clone, Default)]
pub struct Metadata {
    entries: Vec<Entry>,
    /// Where each key sits, once a search meets more than [`LINEAR`] entries.
    index: index::Lazy,
}

impl PartialEq for Metadata {
    fn eq(&self, other: &Self) -> bool {
        self.entries == other.entries
    }
}

impl Metadata {
    /// An empty map.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            entries: Vec::new(),
            index: OnceLock::new(),
        }
    }

    /// An empty map with room for `capacity` entries.
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            entries: Vec::with_capacity(capacity),
            index: OnceLock::new(),
        }
    }

    /// Where `key` sits.
    fn position(&self, key: &str) -> Option<usize> {
        index::position(&self.entries, &self.index, key)
    }

    /// Appends an entry whose key is not present, keeping the index (if built) in step.
    #[inline]
    fn push_entry(&mut self, key: Cow<'static, str>, value: MetadataValue) {
        index::push(&mut self.entries, &mut self.index, key, value);
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
        index::put(&mut self.entries, &mut self.index, key, value)
    }

    /// Appends under a key known, at compile time, to be valid and not yet present.
    #[inline]
    pub(crate) fn push_unique(&mut self, key: &'static str, value: MetadataValue) {
        self.push_entry(Cow::Borrowed(key), value);
    }

    /// Appends under a key known to be valid and not yet present.
    #[cfg(feature = "store")]
    pub(crate) fn push_owned(&mut self, key: String, value: MetadataValue) {
        self.push_entry(Cow::Owned(key), value);
    }

    /// Reserves room for `additional` more entries.
    pub fn reserve(&mut self, additional: usize) {
        self.entries.reserve(additional);
    }

    /// Moves every entry of `other` into `self`; where a key is in both, `other`'s value wins.
    pub fn extend(&mut self, other: Metadata) {
        if self.entries.is_empty() {
            *self = other;
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
        self.position(key).map(|at| &self.entries[at].1)
    }

    /// Whether `key` has a value.
    #[must_use]
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Removes `key`, keeping the order of the others.
    pub fn remove(&mut self, key: &str) -> Option<MetadataValue> {
        let at = self.position(key)?;
        // Every later entry moves: the index is built again when next needed.
        self.index = OnceLock::new();
        Some(self.entries.remove(at).1)
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

impl Metadata {
    /// The `values` object ZenML's client sends, as compact JSON.
    ///
    /// Byte for byte what `serde_json::to_string(&metadata)` gives, without going through
    /// serde, and exact for integers beyond 64 bits.
    ///
    /// ```
    /// use run_metadata::{metadata, Uri};
    ///
    /// let m = metadata! { "url" => Uri::new("https://x.example"), "n" => 2.0 };
    /// assert_eq!(m.to_json(), r#"{"url":"https://x.example","n":2.0}"#);
    /// assert_eq!(m.types_json(), r#"{"url":"Uri","n":"float"}"#);
    /// ```
    #[must_use]
    pub fn to_json(&self) -> String {
        let keys: usize = self.keys().map(str::len).sum();
        let mut out = String::with_capacity(keys + 20 * self.len() + 2);
        self.write_json(&mut out);
        out
    }

    /// Appends the `values` object to `out`.
    pub fn write_json(&self, out: &mut String) {
        write_object(out, self.iter(), write_value);
    }

    /// The `types` object ZenML's client sends, as compact JSON.
    #[must_use]
    pub fn types_json(&self) -> String {
        let mut out = String::with_capacity(24 * self.len() + 2);
        self.write_types_json(&mut out);
        out
    }

    /// Appends the `types` object to `out`.
    pub fn write_types_json(&self, out: &mut String) {
        write_object(out, self.types(), |out, tag| {
            out.push('"');
            out.push_str(tag.as_str());
            out.push('"');
        });
    }

    /// Rebuilds typed metadata from ZenML's `values` and `types` objects, as JSON text.
    ///
    /// Keys keep the order of `values`. A `null` value is no value and its key is omitted.
    ///
    /// ```
    /// use run_metadata::{Metadata, MetadataValue, Uri};
    ///
    /// let m = Metadata::from_json(r#"{"u":"https://x.example","t":[1,2]}"#, r#"{"u":"Uri","t":"tuple"}"#)?;
    /// assert_eq!(m.get("u"), Some(&MetadataValue::Uri(Uri::new("https://x.example"))));
    /// assert!(matches!(m.get("t"), Some(MetadataValue::Tuple(_))));
    /// # Ok::<(), run_metadata::DecodeError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`DecodeError`] for invalid JSON, a key missing from `types`, an unknown tag, a value that
    /// does not fit its tag, or a key ZenML would refuse.
    pub fn from_json(values: &str, types: &str) -> Result<Self, DecodeError> {
        // The `values` object is one level above the values it holds.
        let values = parse(values, MAX_DEPTH + 1)?;
        let types = parse(types, 1)?;
        Self::from_raw(values, types)
    }

    /// As [`from_json`](Self::from_json), from `serde_json::Value`s (integers beyond 64 bits need
    /// `serde_json`'s `arbitrary_precision` there; [`from_json`](Self::from_json) needs nothing).
    ///
    /// # Errors
    ///
    /// As [`from_json`](Self::from_json).
    pub fn from_json_values(
        values: &serde_json::Value,
        types: &serde_json::Value,
    ) -> Result<Self, DecodeError> {
        Self::from_raw(values.to_metadata_opt(), types.to_metadata_opt())
    }

    fn from_raw(
        values: Option<MetadataValue>,
        types: Option<MetadataValue>,
    ) -> Result<Self, DecodeError> {
        let Some(MetadataValue::Dict(values)) = values else {
            return Err(DecodeError::NotAnObject { which: "values" });
        };
        let Some(MetadataValue::Dict(types)) = types else {
            return Err(DecodeError::NotAnObject { which: "types" });
        };
        // Linear however many keys: `types` through an index (the last of a repeated key), and
        // each key of `values` pushed without a search, as the reader and `serde_json` give
        // each key once.
        let types: HashMap<&str, &MetadataValue> =
            types.iter().map(|(k, v)| (k.as_str(), v)).collect();
        let mut out = Metadata::with_capacity(values.len());
        for (key, raw) in values {
            let tag = match types.get(key.as_str()).copied() {
                None => return Err(DecodeError::MissingType { key }),
                Some(MetadataValue::Str(tag)) => match tag.parse::<MetadataType>() {
                    Ok(tag) => tag,
                    Err(_) => {
                        return Err(DecodeError::UnknownType {
                            key,
                            tag: tag.clone(),
                        });
                    }
                },
                Some(_) => return Err(DecodeError::TagNotAString { key }),
            };
            let value = match retag(raw, tag) {
                Ok(value) => value,
                Err(found) => {
                    return Err(DecodeError::Mismatch {
                        key: Some(key),
                        tag,
                        found,
                    });
                }
            };
            check_key(&key).map_err(DecodeError::InvalidKey)?;
            out.push_entry(Cow::Owned(key), value);
        }
        Ok(out)
    }
}

impl serde::Serialize for Metadata {
    /// ZenML's `values` object.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (k, v) in self {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::Metadata;

    fn keys_and_values(m: &Metadata) -> String {
        let entries: Vec<String> = m
            .iter()
            .map(|(k, v)| format!("{k}={}", v.to_json()))
            .collect();
        entries.join(" ")
    }

    #[test]
    fn a_repeated_key_keeps_its_first_place_and_its_last_value_as_python_reads_it() {
        // json.loads keeps a key where it first appears, with the value it last has.
        let values = r#"{"a":1,"b":2,"a":3,"c":4,"c":null,"d":{"x":1,"y":2,"x":null}}"#;
        let types = r#"{"a":"str","a":"int","b":"int","d":"dict"}"#;
        let m = Metadata::from_json(values, types).unwrap();
        assert_eq!(keys_and_values(&m), r#"a=3 b=2 d={"y":2}"#);
    }

    /// Keys were once found by a search each (in the reader, in `types`, in the map): 80,000
    /// keys (1.2 MB) took 30 s to read, four times as long for twice the keys.
    #[test]
    fn wide_maps_are_read_in_linear_time() {
        let members = |f: fn(usize) -> String| (0..200_000).map(f).collect::<Vec<_>>().join(",");
        let values = format!(
            r#"{{{},"k0":-1,"k1":null}}"#,
            members(|i| format!(r#""k{i}":{i}"#))
        );
        let types = format!("{{{}}}", members(|i| format!(r#""k{i}":"int""#)));
        let start = Instant::now();
        let m = Metadata::from_json(&values, &types).unwrap();
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
        assert_eq!(m.len(), 199_999);
        assert!(keys_and_values(&m).starts_with("k0=-1 k2=2 k3=3 "));
        assert!(keys_and_values(&m).ends_with(" k199998=199998 k199999=199999"));
    }
}
