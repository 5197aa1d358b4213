//! What a publish sends: the values ZenML's own client would send, and a report of the rest.

use core::fmt;

use crate::map::metadata::Metadata;
use crate::zenml::endpoints::pylen::python_json_len;

/// ZenML's client skips a value whose `json.dumps` is longer than this many characters.
pub const MAX_VALUE_JSON_LEN: usize = 65_535;

/// Why a value was not sent.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SkipReason {
    /// Its JSON, as ZenML's client measures it, is longer than [`MAX_VALUE_JSON_LEN`].
    TooLong {
        /// Its length.
        len: usize,
    },
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLong { len } => write!(
                f,
                "its JSON is {len} characters long, more than ZenML's {MAX_VALUE_JSON_LEN}"
            ),
        }
    }
}

/// A key that was not sent, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// The key.
    pub key: String,
    /// Why.
    pub reason: SkipReason,
}

/// What one publish sent and what it skipped.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PublishReport {
    /// The keys sent.
    pub sent: Vec<String>,
    /// The keys skipped, with why.
    pub skipped: Vec<Skipped>,
    /// The keys sent whose value holds NaN or an infinity, written as a string (see
    /// [`MetadataValue`](crate::MetadataValue)).
    pub non_finite: Vec<String>,
}

/// The part of `metadata` ZenML's client would send, and what was sent and skipped.
pub(crate) fn select(metadata: &Metadata) -> (Metadata, PublishReport) {
    let mut report = PublishReport::default();
    let mut sent = Metadata::with_capacity(metadata.len());
    for (key, value) in metadata {
        let len = python_json_len(value);
        if len > MAX_VALUE_JSON_LEN {
            report.skipped.push(Skipped {
                key: key.to_owned(),
                reason: SkipReason::TooLong { len },
            });
            continue;
        }
        if value.has_non_finite() {
            report.non_finite.push(key.to_owned());
        }
        report.sent.push(key.to_owned());
        sent.put(key.to_owned().into(), value.clone());
    }
    (sent, report)
}
