//! What a component reports, known without an instance.

use core::fmt;
use std::borrow::Cow;

use crate::value::MetadataType;

/// The keys each hook of a component type reports, with their tags: the derive's
/// [`RunMetadata::schema`](crate::RunMetadata::schema).
///
/// ZenML learns a component's keys only by calling its hooks; a derived component states them in
/// its type, so they can be listed, documented or checked before any run.
///
/// ```
/// use run_metadata::{MetadataType, RunMetadata, SchemaEntry, Uri};
///
/// #[derive(RunMetadata)]
/// struct Tracker {
///     #[metadata(pipeline, uri)]
///     tracking_uri: String,
///     #[metadata(step)]
///     experiment_id: Option<String>,
/// }
///
/// let schema = Tracker::schema();
/// assert_eq!(
///     schema.pipeline,
///     [SchemaEntry::key("tracking_uri", Some(MetadataType::Uri), false)]
/// );
/// assert_eq!(
///     schema.step,
///     [SchemaEntry::key("experiment_id", Some(MetadataType::Str), true)]
/// );
/// assert_eq!(schema.to_string(), "pipeline tracking_uri: Uri\nstep experiment_id: str (optional)\n");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Schema {
    /// What the pipeline-run hook reports.
    pub pipeline: Vec<SchemaEntry>,
    /// What the step-run hook reports.
    pub step: Vec<SchemaEntry>,
}

/// One thing a hook reports.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SchemaEntry {
    /// A key known at compile time.
    Key {
        /// The key.
        key: Cow<'static, str>,
        /// Its tag, or `None` where the value's type decides at run time.
        tag: Option<MetadataType>,
        /// Whether the key may be absent (an `Option` field, `skip_if`, an enum variant).
        optional: bool,
    },
    /// Keys known only at hook time, from a `pipeline_with`/`step_with` function or a component
    /// whose impl is hand-written.
    Dynamic {
        /// Where they come from: the function's path or the component's type.
        source: Cow<'static, str>,
    },
}

impl SchemaEntry {
    /// A key entry.
    pub fn key(
        key: impl Into<Cow<'static, str>>,
        tag: Option<MetadataType>,
        optional: bool,
    ) -> Self {
        Self::Key {
            key: key.into(),
            tag,
            optional,
        }
    }

    /// A dynamic entry.
    pub fn dynamic(source: impl Into<Cow<'static, str>>) -> Self {
        Self::Dynamic {
            source: source.into(),
        }
    }

    /// This entry, marked as possibly absent.
    #[must_use]
    pub fn into_optional(self) -> Self {
        match self {
            Self::Key { key, tag, .. } => Self::Key {
                key,
                tag,
                optional: true,
            },
            dynamic @ Self::Dynamic { .. } => dynamic,
        }
    }
}

impl Schema {
    /// A schema of two hooks whose keys are unknown: what a hand-written component reports.
    #[must_use]
    pub fn unknown(source: &'static str) -> Self {
        Self {
            pipeline: vec![SchemaEntry::dynamic(source)],
            step: vec![SchemaEntry::dynamic(source)],
        }
    }

    /// An empty schema: no hook reports anything.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            pipeline: Vec::new(),
            step: Vec::new(),
        }
    }

    /// Adds the entries of one variant of an enum: each is optional, as the variant may not be
    /// the active one; a key several variants share is listed once, with no tag where they
    /// disagree.
    pub fn add_variant(&mut self, variant: Schema) {
        fn union(into: &mut Vec<SchemaEntry>, from: Vec<SchemaEntry>) {
            for entry in from {
                let entry = entry.into_optional();
                let existing = into.iter_mut().find(|e| match (&**e, &entry) {
                    (SchemaEntry::Key { key: a, .. }, SchemaEntry::Key { key: b, .. }) => a == b,
                    (a, b) => a == b,
                });
                match (existing, entry) {
                    (None, entry) => into.push(entry),
                    (Some(SchemaEntry::Key { tag, .. }), SchemaEntry::Key { tag: other, .. })
                        if *tag != other =>
                    {
                        *tag = None;
                    }
                    (Some(_), _) => {}
                }
            }
        }
        union(&mut self.pipeline, variant.pipeline);
        union(&mut self.step, variant.step);
    }
}

impl fmt::Display for Schema {
    /// One line per entry: `pipeline key: tag`, `step key: dynamic (optional)`, …
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (hook, entries) in [("pipeline", &self.pipeline), ("step", &self.step)] {
            for entry in entries {
                match entry {
                    SchemaEntry::Key { key, tag, optional } => {
                        write!(f, "{hook} {key}: ")?;
                        match tag {
                            Some(tag) => write!(f, "{tag}")?,
                            None => f.write_str("dynamic")?,
                        }
                        if *optional {
                            f.write_str(" (optional)")?;
                        }
                        writeln!(f)?;
                    }
                    SchemaEntry::Dynamic { source } => {
                        writeln!(f, "{hook} *: dynamic (from {source})")?;
                    }
                }
            }
        }
        Ok(())
    }
}
