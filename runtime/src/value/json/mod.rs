//! ZenML's JSON: the writer of `values`/`types` ([`write`]) and the reader that gives values
//! back typed ([`read`]). Both depend on the value model only; [`Metadata`](crate::Metadata)'s
//! JSON methods call them, and this module holds the two by which one value goes to and from
//! JSON.

pub(crate) mod read;
pub(crate) mod write;

pub use read::DecodeError;

use self::read::{parse, retag};
use self::write::write_value;
use crate::value::tree::{MAX_DEPTH, MetadataType, MetadataValue};

impl MetadataValue {
    /// The value's JSON, as ZenML stores it (tuples and sets as arrays, special types as plain
    /// strings and integers).
    ///
    /// ```
    /// use run_metadata::ToMetadata;
    ///
    /// assert_eq!((1, 2.0, "x").to_metadata().to_json(), r#"[1,2.0,"x"]"#);
    /// assert_eq!(f64::NAN.to_metadata().to_json(), r#""NaN""#);
    /// ```
    #[must_use]
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        write_value(&mut out, self);
        out
    }

    /// Reads a value from its JSON and its ZenML tag, typed again: a `Uri` comes back a `Uri`,
    /// a `tuple` a tuple.
    ///
    /// ```
    /// use run_metadata::{MetadataType, MetadataValue, Uri};
    ///
    /// let v = MetadataValue::from_json(r#""https://x.example""#, MetadataType::Uri)?;
    /// assert_eq!(v, MetadataValue::Uri(Uri::new("https://x.example")));
    /// # Ok::<(), run_metadata::DecodeError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`DecodeError`] if the text is not JSON, nests deeper than [`MAX_DEPTH`], is `null`, or
    /// does not fit the tag.
    pub fn from_json(json: &str, tag: MetadataType) -> Result<Self, DecodeError> {
        let raw = parse(json, MAX_DEPTH)?;
        let raw = raw.ok_or(DecodeError::Null { key: None })?;
        retag(raw, tag).map_err(|found| DecodeError::Mismatch {
            key: None,
            tag,
            found,
        })
    }
}
