//! Reads: runs, steps, and a resource's metadata resolved as ZenML resolves it, typed again.

use std::collections::HashMap;

use rusqlite::params;
use uuid::Uuid;

use super::error::{Result, StoreError};
use super::open::Store;
use super::rows::{component_from_row, parsed_col, run_from_row, step_from_row};
use crate::component::ComponentInfo;
use crate::json::DecodeError;
use crate::metadata::Metadata;
use crate::resource::Resource;
use crate::sink::{Hook, HookFailure, RunRecord, StepRecord};
use crate::value::{MetadataType, MetadataValue};

/// One metadata row, typed: the component that published it, its key and value.
type Row = (Option<Uuid>, String, MetadataValue);

/// One component's share of a resource's metadata, resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct ComponentMetadata {
    /// The component; `None` for metadata published by no component.
    pub component: Option<ComponentInfo>,
    /// Its metadata.
    pub metadata: Metadata,
}

impl Store {
    /// Every run, latest first.
    ///
    /// # Errors
    ///
    /// SQLite's.
    pub fn runs(&self) -> Result<Vec<RunRecord>> {
        self.select_runs("", [])
    }

    /// The runs matching `condition` (SQL after `WHERE`, or nothing), latest first.
    fn select_runs(
        &self,
        condition: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<RunRecord>> {
        let filter = if condition.is_empty() {
            String::new()
        } else {
            format!("WHERE {condition}")
        };
        let mut stmt = self.conn().prepare(&format!(
            "SELECT id, name, pipeline, stack, status, started, finished FROM runs {filter}
             ORDER BY started DESC, rowid DESC"
        ))?;
        let rows = stmt.query_map(params, run_from_row)?;
        rows.map(|r| r.map_err(StoreError::from)).collect()
    }

    /// The run `query` names: `latest`, its id, a unique prefix of its id, or its name (the
    /// latest run of that name).
    ///
    /// # Errors
    ///
    /// [`StoreError::RunNotFound`], [`StoreError::AmbiguousRun`], SQLite's.
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
        if let Some(found) = direct {
            return found.into_iter().next().ok_or_else(not_found);
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

    /// The steps of run `run_id`, in the order they started.
    ///
    /// # Errors
    ///
    /// SQLite's.
    pub fn steps(&self, run_id: Uuid) -> Result<Vec<StepRecord>> {
        let mut stmt = self.conn().prepare(
            "SELECT id, run_id, name, status, started, finished FROM steps
             WHERE run_id = ?1 ORDER BY started, rowid",
        )?;
        let rows = stmt.query_map([run_id.to_string()], step_from_row)?;
        rows.map(|r| r.map_err(StoreError::from)).collect()
    }

    /// The metadata of `resource`, resolved as ZenML resolves it, typed.
    ///
    /// # Errors
    ///
    /// [`StoreError::Decode`] for a stored value that cannot be read back; SQLite's.
    pub fn metadata(&self, resource: Resource) -> Result<Metadata> {
        let rows = self.rows(resource)?;
        resolve(rows.into_iter().map(|(_, key, value)| (key, value)))
    }

    /// The metadata of `resource` per component, each resolved as ZenML resolves it, components
    /// in the order they first published.
    ///
    /// # Errors
    ///
    /// As [`metadata`](Self::metadata).
    pub fn metadata_by_component(&self, resource: Resource) -> Result<Vec<ComponentMetadata>> {
        let mut rows = self.rows(resource)?;
        // Components in the order they first published; a stable sort keeps each one's rows
        // oldest first.
        let mut order: Vec<Option<Uuid>> = Vec::new();
        for (component, _, _) in &rows {
            if !order.contains(component) {
                order.push(*component);
            }
        }
        rows.sort_by_key(|(component, _, _)| order.iter().position(|c| c == component));
        let mut rows = rows.into_iter().peekable();
        let mut out = Vec::with_capacity(order.len());
        for component in order {
            let mut entries = Vec::new();
            while let Some((_, key, value)) = rows.next_if(|(c, _, _)| *c == component) {
                entries.push((key, value));
            }
            out.push(ComponentMetadata {
                component: component.map(|id| self.component(id)).transpose()?,
                metadata: resolve(entries.into_iter())?,
            });
        }
        Ok(out)
    }

    fn component(&self, id: Uuid) -> Result<ComponentInfo> {
        let found = self.conn().query_row(
            "SELECT id, name, kind FROM components WHERE id = ?1",
            [id.to_string()],
            |r| component_from_row(r, 0),
        )?;
        // The query matched on a non-null id.
        found.ok_or(StoreError::Sqlite(rusqlite::Error::QueryReturnedNoRows))
    }

    /// The hooks that failed or panicked while reporting on `resource`, oldest first: each
    /// component named reported nothing there for that hook.
    ///
    /// # Errors
    ///
    /// SQLite's.
    pub fn hook_failures(&self, resource: Resource) -> Result<Vec<HookFailure>> {
        let mut stmt = self.conn().prepare(
            "SELECT c.id, c.name, c.kind, f.hook, f.message, f.panicked
             FROM hook_failures f JOIN components c ON c.id = f.component_id
             WHERE f.resource_id = ?1 AND f.resource_type = ?2
             ORDER BY f.id",
        )?;
        let rows = stmt.query_map(
            params![resource.id.to_string(), resource.kind.as_str()],
            |r| {
                Ok(HookFailure {
                    component: component_from_row(r, 0)?.ok_or(rusqlite::Error::InvalidQuery)?,
                    hook: parsed_col(r, 3, Hook::from_name)?,
                    message: r.get(4)?,
                    panicked: r.get(5)?,
                })
            },
        )?;
        rows.map(|r| r.map_err(StoreError::from)).collect()
    }

    /// Every row of `resource`, oldest first, typed.
    fn rows(&self, resource: Resource) -> Result<Vec<Row>> {
        let mut stmt = self.conn().prepare(
            "SELECT m.stack_component_id, m.key, m.value, m.type
             FROM run_metadata_resources r JOIN run_metadata m ON m.id = r.run_metadata_id
             WHERE r.resource_id = ?1 AND r.resource_type = ?2
             ORDER BY m.id",
        )?;
        let rows = stmt.query_map(
            params![resource.id.to_string(), resource.kind.as_str()],
            |r| {
                Ok((
                    r.get::<_, Option<String>>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            },
        )?;
        let mut out = Vec::new();
        for row in rows {
            let (component, key, json, tag) = row?;
            let decode = |error| StoreError::Decode {
                key: key.clone(),
                error,
            };
            let tag = tag.parse::<MetadataType>().map_err(|e| {
                decode(DecodeError::UnknownType {
                    key: key.clone(),
                    tag: e.0,
                })
            })?;
            let value = MetadataValue::from_json(&json, tag).map_err(decode)?;
            let component = component.and_then(|c| Uuid::parse_str(&c).ok());
            out.push((component, key, value));
        }
        Ok(out)
    }
}

/// ZenML's read rule over one resource's rows, oldest first: the newest value of a key wins;
/// where every value of a key is a dict, the dicts merge (later entries win).
fn resolve(rows: impl Iterator<Item = (String, MetadataValue)>) -> Result<Metadata> {
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
        let value = if values.iter().all(|v| matches!(v, MetadataValue::Dict(_))) {
            let mut merged: Vec<(String, MetadataValue)> = Vec::new();
            for value in values {
                let MetadataValue::Dict(entries) = value else {
                    continue;
                };
                for (k, v) in entries {
                    match merged.iter_mut().find(|(m, _)| *m == k) {
                        Some((_, slot)) => *slot = v,
                        None => merged.push((k, v)),
                    }
                }
            }
            MetadataValue::Dict(merged)
        } else {
            values
                .into_iter()
                .last()
                .unwrap_or(MetadataValue::Dict(Vec::new()))
        };
        // Keys are distinct here: checked, not searched for.
        crate::key::check_key(&key).map_err(|e| StoreError::Decode {
            key: key.clone(),
            error: DecodeError::InvalidKey(e),
        })?;
        out.push_owned(key, value);
    }
    Ok(out)
}
