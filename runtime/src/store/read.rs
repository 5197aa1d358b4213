//! Reads: runs, steps, and a resource's metadata resolved as ZenML resolves it, typed again.

use std::collections::HashMap;

use rusqlite::params;
use uuid::Uuid;

use super::check::{Sifted, sift};
use super::error::{Damaged, Result, StoreError};
use super::open::Store;
use super::rows::{component_from_row, parsed_col, run_from_row, step_from_row};
use crate::hooks::component::ComponentInfo;
use crate::map::metadata::Metadata;
use crate::runs::resource::Resource;
use crate::runs::sink::{Hook, HookFailure, RunRecord, StepRecord};
use crate::value::json::DecodeError;
use crate::value::tree::{MetadataType, MetadataValue};

/// One metadata row, typed: the component that published it, its key and value.
pub(super) type Row = (Option<ComponentInfo>, String, MetadataValue);

/// A key and its value.
type Entry = (String, MetadataValue);

/// One component's share of a resource's metadata, resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct ComponentMetadata {
    /// The component; `None` for metadata published by no component.
    pub component: Option<ComponentInfo>,
    /// Its metadata.
    pub metadata: Metadata,
}

impl Store {
    /// Every run, latest first. A run whose record cannot be read back is left out:
    /// [`damaged_runs`](Self::damaged_runs) names it.
    ///
    /// # Errors
    ///
    /// [`StoreError::Corrupt`], SQLite's.
    pub fn runs(&self) -> Result<Vec<RunRecord>> {
        Ok(self.sift_runs()?.0)
    }

    pub(super) fn sift_runs(&self) -> Result<Sifted<RunRecord>> {
        self.select_runs("", [])
    }

    /// The runs matching `condition` (SQL after `WHERE`, or nothing), latest first, and those of
    /// them that cannot be read back.
    fn select_runs(
        &self,
        condition: &str,
        params: impl rusqlite::Params,
    ) -> Result<Sifted<RunRecord>> {
        let filter = if condition.is_empty() {
            String::new()
        } else {
            format!("WHERE {condition}")
        };
        self.reading(|| {
            let mut stmt = self.conn().prepare(&format!(
                "SELECT id, name, pipeline, stack, status, started, finished, rowid FROM runs
                 {filter} ORDER BY started DESC, rowid DESC"
            ))?;
            sift(&mut stmt, params, "runs", run_from_row)
        })
    }

    /// The run `query` names: `latest`, its id, a unique prefix of its id, or its name (the
    /// latest run of that name: [`runs_named`](Self::runs_named) gives them all).
    ///
    /// # Errors
    ///
    /// [`StoreError::RunNotFound`], [`StoreError::AmbiguousRun`], [`StoreError::Damaged`] for
    /// a run whose record cannot be read back, [`StoreError::Corrupt`], SQLite's.
    pub fn find_run(&self, query: &str) -> Result<RunRecord> {
        let not_found = || StoreError::RunNotFound {
            query: query.to_owned(),
        };
        // `latest` and an id are looked up directly; a name or a prefix needs the list.
        let direct = if query == "latest" {
            Some(self.select_runs(
                "rowid = (SELECT rowid FROM runs ORDER BY started DESC, rowid DESC LIMIT 1)",
                [],
            )?)
        } else if let Ok(id) = Uuid::parse_str(query) {
            Some(self.select_runs("id = ?1", [id.to_string()])?)
        } else {
            None
        };
        if let Some((found, mut damaged)) = direct {
            return match (found.into_iter().next(), damaged.pop()) {
                (Some(run), _) => Ok(run),
                (None, Some(damaged)) => Err(StoreError::Damaged(damaged)),
                (None, None) => Err(not_found()),
            };
        }
        let runs = self.runs()?;
        if let Some(run) = runs.iter().find(|r| r.name == query) {
            return Ok(run.clone());
        }
        let prefix = query.to_ascii_lowercase();
        let mut matches = runs
            .into_iter()
            .filter(|r| !prefix.is_empty() && r.id.to_string().starts_with(&prefix));
        match (matches.next(), matches.count()) {
            (Some(run), 0) => Ok(run),
            (Some(_), more) => Err(StoreError::AmbiguousRun {
                query: query.to_owned(),
                matches: more + 1,
            }),
            (None, _) => Err(not_found()),
        }
    }

    /// The runs named `name`, latest first.
    ///
    /// # Errors
    ///
    /// [`StoreError::Corrupt`], SQLite's.
    pub fn runs_named(&self, name: &str) -> Result<Vec<RunRecord>> {
        Ok(self.select_runs("name = ?1", [name])?.0)
    }

    /// The steps of run `run_id`, in the order they started. A step whose record cannot be read
    /// back is left out: [`damaged`](Self::damaged) names it.
    ///
    /// # Errors
    ///
    /// [`StoreError::Corrupt`], SQLite's.
    pub fn steps(&self, run_id: Uuid) -> Result<Vec<StepRecord>> {
        Ok(self.sift_steps(run_id)?.0)
    }

    pub(super) fn sift_steps(&self, run_id: Uuid) -> Result<Sifted<StepRecord>> {
        self.reading(|| {
            let mut stmt = self.conn().prepare(
                "SELECT id, run_id, name, status, started, finished, rowid FROM steps
                 WHERE run_id = ?1 ORDER BY started, rowid",
            )?;
            sift(&mut stmt, [run_id.to_string()], "steps", step_from_row)
        })
    }

    /// The metadata of `resource`, resolved as ZenML resolves it, typed.
    ///
    /// # Errors
    ///
    /// [`StoreError::Damaged`] for a stored row that cannot be read back (the whole needs it:
    /// [`metadata_by_component`](Self::metadata_by_component) shows the rest),
    /// [`StoreError::Corrupt`], SQLite's.
    pub fn metadata(&self, resource: Resource) -> Result<Metadata> {
        let (rows, mut damaged) = self.sift_rows(resource)?;
        if !damaged.is_empty() {
            return Err(StoreError::Damaged(damaged.swap_remove(0)));
        }
        Ok(resolve(
            rows.into_iter().map(|(_, key, value)| (key, value)),
        ))
    }

    /// The metadata of `resource` per component, each resolved as ZenML resolves it, components
    /// in the order they first published. A row that cannot be read back is left out:
    /// [`damaged`](Self::damaged) names it.
    ///
    /// # Errors
    ///
    /// [`StoreError::Corrupt`], SQLite's.
    pub fn metadata_by_component(&self, resource: Resource) -> Result<Vec<ComponentMetadata>> {
        Ok(self.sift_metadata(resource)?.0)
    }

    pub(super) fn sift_metadata(&self, resource: Resource) -> Result<Sifted<ComponentMetadata>> {
        let (rows, damaged) = self.sift_rows(resource)?;
        // Components in the order they first published, each with its rows, oldest first.
        let mut index: HashMap<Option<Uuid>, usize> = HashMap::new();
        let mut groups: Vec<(Option<ComponentInfo>, Vec<Entry>)> = Vec::new();
        for (component, key, value) in rows {
            let at = *index
                .entry(component.as_ref().map(|c| c.id))
                .or_insert_with(|| {
                    groups.push((component, Vec::new()));
                    groups.len() - 1
                });
            groups[at].1.push((key, value));
        }
        let out = groups
            .into_iter()
            .map(|(component, rows)| ComponentMetadata {
                component,
                metadata: resolve(rows.into_iter()),
            })
            .collect();
        Ok((out, damaged))
    }

    /// The hooks that failed or panicked while reporting on `resource`, oldest first: each
    /// component named reported nothing there for that hook. A record that cannot be read back
    /// is left out: [`damaged`](Self::damaged) names it.
    ///
    /// # Errors
    ///
    /// [`StoreError::Corrupt`], SQLite's.
    pub fn hook_failures(&self, resource: Resource) -> Result<Vec<HookFailure>> {
        Ok(self.sift_hook_failures(resource)?.0)
    }

    pub(super) fn sift_hook_failures(&self, resource: Resource) -> Result<Sifted<HookFailure>> {
        self.reading(|| {
            let mut stmt = self.conn().prepare(
                "SELECT c.id, c.name, c.kind, f.hook, f.message, f.panicked, f.id
                 FROM hook_failures f LEFT JOIN components c ON c.id = f.component_id
                 WHERE f.resource_id = ?1 AND f.resource_type = ?2
                 ORDER BY f.id",
            )?;
            let params = params![resource.id.to_string(), resource.kind.as_str()];
            sift(&mut stmt, params, "hook_failures", |r| {
                Ok(HookFailure {
                    component: component_from_row(r, 0)?.ok_or_else(|| missing_component(0))?,
                    hook: parsed_col(r, 3, Hook::from_name)?,
                    message: r.get(4)?,
                    panicked: r.get(5)?,
                })
            })
        })
    }

    /// Every row of `resource`, oldest first, typed, with its component; and the rows that
    /// cannot be read back (an unknown tag, bad JSON, a key ZenML would refuse, a value nested
    /// too deep, a component whose record is unreadable).
    pub(super) fn sift_rows(&self, resource: Resource) -> Result<Sifted<Row>> {
        self.reading(|| {
            let mut stmt = self.conn().prepare(
                "SELECT c.id, c.name, c.kind, m.key, m.value, m.type, m.stack_component_id, m.id
                 FROM run_metadata_resources r JOIN run_metadata m ON m.id = r.run_metadata_id
                 LEFT JOIN components c ON c.id = m.stack_component_id
                 WHERE r.resource_id = ?1 AND r.resource_type = ?2
                 ORDER BY m.id",
            )?;
            let params = params![resource.id.to_string(), resource.kind.as_str()];
            let (rows, mut damaged) = sift(&mut stmt, params, "run_metadata", |r| {
                let component = component_from_row(r, 0)?;
                if component.is_none() && r.get::<_, Option<String>>(6)?.is_some() {
                    return Err(missing_component(6));
                }
                Ok((
                    component,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, i64>(7)?,
                ))
            })?;
            let mut out = Vec::with_capacity(rows.len());
            for (component, key, json, tag, row) in rows {
                match decode(&key, &json, &tag) {
                    Ok(value) => out.push((component, key, value)),
                    Err(error) => damaged.push(Damaged {
                        table: "run_metadata",
                        row,
                        reason: format!("key {key:?}: {error}"),
                    }),
                }
            }
            Ok((out, damaged))
        })
    }

    /// `f`, its error naming this file where SQLite met a malformed page.
    pub(crate) fn reading<T>(&self, f: impl FnOnce() -> Result<T>) -> Result<T> {
        f().map_err(|e| self.located(e))
    }
}

/// A stored metadata row (key, JSON value, tag) typed again, or why it cannot be.
pub(crate) fn decode(
    key: &str,
    json: &str,
    tag: &str,
) -> core::result::Result<MetadataValue, DecodeError> {
    crate::value::key::check_key(key).map_err(DecodeError::InvalidKey)?;
    let tag = tag
        .parse::<MetadataType>()
        .map_err(|e| DecodeError::UnknownType {
            key: key.to_owned(),
            tag: e.0,
        })?;
    MetadataValue::from_json(json, tag)
}

/// The error of a row whose component (its id at column `at`) has no readable record.
fn missing_component(at: usize) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        at,
        rusqlite::types::Type::Text,
        "its component has no record".into(),
    )
}

/// Dicts merged oldest first: each key in the place it first took, with the newest value.
fn merge_dicts(dicts: Vec<MetadataValue>) -> MetadataValue {
    let mut merged: Vec<Entry> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for dict in dicts {
        let MetadataValue::Dict(entries) = dict else {
            continue;
        };
        for (k, v) in entries {
            if let Some(&at) = index.get(&k) {
                merged[at].1 = v;
            } else {
                index.insert(k.clone(), merged.len());
                merged.push((k, v));
            }
        }
    }
    MetadataValue::Dict(merged)
}

/// ZenML's read rule over one resource's rows, oldest first: the newest value of a key wins;
/// where every value of a key is a dict, the dicts merge (later entries win).
fn resolve(rows: impl Iterator<Item = (String, MetadataValue)>) -> Metadata {
    let mut keys: Vec<(String, Vec<MetadataValue>)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (key, value) in rows {
        if let Some(&i) = index.get(&key) {
            keys[i].1.push(value);
        } else {
            index.insert(key.clone(), keys.len());
            keys.push((key, vec![value]));
        }
    }
    let mut out = Metadata::with_capacity(keys.len());
    for (key, values) in keys {
        let value =
            if values.len() > 1 && values.iter().all(|v| matches!(v, MetadataValue::Dict(_))) {
                merge_dicts(values)
            } else {
                values
                    .into_iter()
                    .last()
                    .unwrap_or(MetadataValue::Dict(Vec::new()))
            };
        // Keys are distinct here and were checked when read: pushed, not searched for.
        out.push_owned(key, value);
    }
    out
}
