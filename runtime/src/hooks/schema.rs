//! What a component reports, known without an instance.

use core::fmt;
use std::borrow::Cow;

use crate::value::tree::MetadataType;

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
// Four independent facts, each read on its own: not a state machine.
#[allow(clippy::struct_excessive_bools)]
pub struct Schema {
    /// What the pipeline-run hook reports.
    pub pipeline: Vec<SchemaEntry>,
    /// What the step-run hook reports.
    pub step: Vec<SchemaEntry>,
    /// Whether the pipeline hook may fail (a hook-time source returns a `Result`): it then
    /// reports nothing at all, as ZenML drops a component whose hook raises.
    pub pipeline_fallible: bool,
    /// Whether the step hook may fail, as [`pipeline_fallible`](Self::pipeline_fallible).
    pub step_fallible: bool,
    /// Whether the component defines `prepare_step_run` (`#[metadata(prepare_step_run = f)]`):
    /// it runs before each step, and its failure fails the step. Not known of a hand-written
    /// impl: `false` there.
    pub prepares_step_run: bool,
    /// Whether the component defines `cleanup_step_run`: its failure fails the step after its
    /// hooks. As [`prepares_step_run`](Self::prepares_step_run).
    pub cleans_up_step_run: bool,
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
        /// Keys of one hook with the same number here come all or none: the keys of a value
        /// that may be absent as a whole (a hook-time source returning an `Option`).
        together: Option<u32>,
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
            together: None,
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
            Self::Key {
                key, tag, together, ..
            } => Self::Key {
                key,
                tag,
                optional: true,
                together,
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
            pipeline_fallible: false,
            step_fallible: false,
            prepares_step_run: false,
            cleans_up_step_run: false,
        }
    }

    /// An empty schema: no hook reports anything.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            pipeline: Vec::new(),
            step: Vec::new(),
            pipeline_fallible: false,
            step_fallible: false,
            prepares_step_run: false,
            cleans_up_step_run: false,
        }
    }

    /// The schema of a value that may be absent as a whole (`Option<T>`): every key optional,
    /// and the keys `inner` requires of each hook coming together, all or none.
    #[must_use]
    pub fn optional_of(inner: Schema) -> Self {
        let mut out = Self::new();
        out.pipeline_fallible = inner.pipeline_fallible;
        out.step_fallible = inner.step_fallible;
        out.prepares_step_run = inner.prepares_step_run;
        out.cleans_up_step_run = inner.cleans_up_step_run;
        let first = inner.max_group() + 1;
        for (group, (into, from)) in (first..).zip([
            (&mut out.pipeline, inner.pipeline),
            (&mut out.step, inner.step),
        ]) {
            let required = from
                .iter()
                .filter(|e| {
                    matches!(
                        e,
                        SchemaEntry::Key {
                            optional: false,
                            ..
                        }
                    )
                })
                .count();
            let group = (required >= 2).then_some(group);
            into.extend(from.into_iter().map(|entry| match entry {
                SchemaEntry::Key {
                    key,
                    tag,
                    optional: false,
                    together: None,
                } => SchemaEntry::Key {
                    key,
                    tag,
                    optional: true,
                    together: group,
                },
                other => other.into_optional(),
            }));
        }
        out
    }

    /// Adds `hook`'s part of `from` (a flattened value's or a hook-time source's schema) to
    /// this one's: its entries (made optional if `optional`, groups renumbered to stay apart),
    /// and whether it may fail. `hook` is `"pipeline"` or `"step"`.
    pub fn merge_hook(&mut self, hook: &str, from: Schema, optional: bool) {
        let offset = self.max_group();
        let (entries, fallible) = if hook == "pipeline" {
            (from.pipeline, from.pipeline_fallible)
        } else {
            (from.step, from.step_fallible)
        };
        let (into, into_fallible) = if hook == "pipeline" {
            (&mut self.pipeline, &mut self.pipeline_fallible)
        } else {
            (&mut self.step, &mut self.step_fallible)
        };
        *into_fallible |= fallible;
        into.extend(entries.into_iter().map(|entry| {
            let entry = match entry {
                SchemaEntry::Key {
                    key,
                    tag,
                    optional,
                    together,
                } => SchemaEntry::Key {
                    key,
                    tag,
                    optional,
                    together: together.map(|g| g + offset),
                },
                dynamic => dynamic,
            };
            if optional {
                entry.into_optional()
            } else {
                entry
            }
        }));
    }

    /// The highest group number in use, 0 if none.
    fn max_group(&self) -> u32 {
        self.pipeline
            .iter()
            .chain(&self.step)
            .filter_map(|e| match e {
                SchemaEntry::Key { together, .. } => *together,
                SchemaEntry::Dynamic { .. } => None,
            })
            .max()
            .unwrap_or(0)
    }

    /// Adds the entries of one variant of an enum: each is optional, as the variant may not be
    /// the active one; a key several variants share is listed once, with no tag where they
    /// disagree.
    pub fn add_variant(&mut self, variant: Schema) {
        fn union(into: &mut Vec<SchemaEntry>, from: Vec<SchemaEntry>) {
            for entry in from {
                // A variant's keys come with its variant: not said across variants.
                let entry = match entry.into_optional() {
                    SchemaEntry::Key { key, tag, .. } => SchemaEntry::Key {
                        key,
                        tag,
                        optional: true,
                        together: None,
                    },
                    dynamic => dynamic,
                };
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
        self.pipeline_fallible |= variant.pipeline_fallible;
        self.step_fallible |= variant.step_fallible;
        union(&mut self.pipeline, variant.pipeline);
        union(&mut self.step, variant.step);
    }
}

impl fmt::Display for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (hook, entries, fallible) in [
            ("pipeline", &self.pipeline, self.pipeline_fallible),
            ("step", &self.step, self.step_fallible),
        ] {
            for entry in entries {
                match entry {
                    SchemaEntry::Key {
                        key,
                        tag,
                        optional,
                        together,
                    } => {
                        write!(f, "{hook} {key}: ")?;
                        match tag {
                            Some(tag) => write!(f, "{tag}")?,
                            None => f.write_str("dynamic")?,
                        }
                        let with: Vec<&str> = together
                            .map(|group| {
                                entries
                                    .iter()
                                    .filter_map(|e| match e {
                                        SchemaEntry::Key {
                                            key: other,
                                            together: Some(g),
                                            ..
                                        } if *g == group && other != key => Some(other.as_ref()),
                                        _ => None,
                                    })
                                    .collect()
                            })
                            .unwrap_or_default();
                        match (*optional, with.is_empty()) {
                            (true, true) => f.write_str(" (optional)")?,
                            (true, false) => {
                                write!(f, " (optional, all or none with {})", with.join(", "))?;
                            }
                            (false, _) => {}
                        }
                        writeln!(f)?;
                    }
                    SchemaEntry::Dynamic { source } => {
                        writeln!(f, "{hook} *: dynamic (from {source})")?;
                    }
                }
            }
            if fallible {
                writeln!(f, "{hook} may fail: then it reports nothing")?;
            }
        }
        if self.prepares_step_run {
            writeln!(
                f,
                "prepare_step_run may fail: then the step fails before it runs"
            )?;
        }
        if self.cleans_up_step_run {
            writeln!(
                f,
                "cleanup_step_run may fail: then the step fails after its hooks"
            )?;
        }
        Ok(())
    }
}
