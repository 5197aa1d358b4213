//! Writes: the store as a [`Sink`], each call one `BEGIN IMMEDIATE` transaction.

use std::time::SystemTime;

use rusqlite::params;

use super::error::StoreError;
use super::open::Store;
use super::rows::millis;
use crate::hooks::component::ComponentInfo;
use crate::map::metadata::Metadata;
use crate::runs::resource::Resource;
use crate::runs::sink::{HookFailure, RunRecord, Sink, SinkError, StepRecord};
use crate::value::tree::MAX_DEPTH;

impl Store {
    /// Gives the run or step `from` the id `to` in the local records, inside `tx`.
    #[cfg(feature = "zenml")]
    pub(crate) fn rename(
        tx: &rusqlite::Transaction<'_>,
        kind: crate::runs::resource::ResourceType,
        from: uuid::Uuid,
        to: uuid::Uuid,
    ) -> rusqlite::Result<()> {
        use crate::runs::resource::ResourceType;
        let statements: &[&str] = match kind {
            ResourceType::PipelineRun => {
                // The run's steps refer to it: checked when the transaction commits.
                tx.execute_batch("PRAGMA defer_foreign_keys = ON")?;
                &[
                    "UPDATE runs SET id = ?2 WHERE id = ?1",
                    "UPDATE steps SET run_id = ?2 WHERE run_id = ?1",
                    "UPDATE run_metadata_resources SET resource_id = ?2
                     WHERE resource_id = ?1 AND resource_type = 'pipeline_run'",
                    "UPDATE hook_failures SET resource_id = ?2
                     WHERE resource_id = ?1 AND resource_type = 'pipeline_run'",
                ]
            }
            ResourceType::StepRun => &[
                "UPDATE steps SET id = ?2 WHERE id = ?1",
                "UPDATE run_metadata_resources SET resource_id = ?2
                 WHERE resource_id = ?1 AND resource_type = 'step_run'",
                "UPDATE hook_failures SET resource_id = ?2
                 WHERE resource_id = ?1 AND resource_type = 'step_run'",
            ],
            // A server gives ids to runs and steps only.
            _ => &[],
        };
        replace_id(tx, from, to, statements)
    }
}

/// Runs each of `statements` inside `tx`, `?1` bound to the id `from` and `?2` to `to`: where a
/// record takes the id the server gave it.
#[cfg(feature = "zenml")]
pub(crate) fn replace_id(
    tx: &rusqlite::Transaction<'_>,
    from: uuid::Uuid,
    to: uuid::Uuid,
    statements: &[&str],
) -> rusqlite::Result<()> {
    let ids = [from.to_string(), to.to_string()];
    for sql in statements {
        tx.execute(sql, [&ids[0], &ids[1]])?;
    }
    Ok(())
}

impl Sink for Store {
    fn start_run(&mut self, run: &mut RunRecord) -> Result<(), SinkError> {
        self.write(|tx| insert_run(tx, run))?;
        Ok(())
    }

    fn finish_run(&mut self, run: &RunRecord) -> Result<(), SinkError> {
        self.write(|tx| update_run(tx, run))?;
        Ok(())
    }

    fn start_step(&mut self, step: &mut StepRecord) -> Result<(), SinkError> {
        self.write(|tx| insert_step(tx, step))?;
        Ok(())
    }

    fn finish_step(&mut self, step: &StepRecord) -> Result<(), SinkError> {
        self.write(|tx| update_step(tx, step))?;
        Ok(())
    }

    fn hook_failed(&mut self, resource: Resource, failure: &HookFailure) -> Result<(), SinkError> {
        self.write(|tx| insert_hook_failure(tx, resource, failure))?;
        Ok(())
    }

    fn publish(
        &mut self,
        resource: Resource,
        component: &ComponentInfo,
        metadata: &Metadata,
    ) -> Result<(), SinkError> {
        check_depth(metadata)?;
        self.write(|tx| insert_metadata(tx, resource, component, metadata))?;
        Ok(())
    }
}

// Each record's write inside a transaction, so that a sink which also keeps it for a server
// (`zenml::sink`) writes both in one.

pub(crate) fn insert_run(tx: &rusqlite::Transaction<'_>, run: &RunRecord) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO runs (id, name, pipeline, stack, status, started, finished)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            run.id.to_string(),
            run.name,
            run.pipeline,
            run.stack,
            run.status.as_str(),
            millis(run.started),
            run.finished.map(millis),
        ],
    )
    .map(drop)
}

pub(crate) fn update_run(tx: &rusqlite::Transaction<'_>, run: &RunRecord) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE runs SET status = ?2, finished = ?3 WHERE id = ?1",
        params![
            run.id.to_string(),
            run.status.as_str(),
            run.finished.map(millis)
        ],
    )
    .map(drop)
}

pub(crate) fn insert_step(
    tx: &rusqlite::Transaction<'_>,
    step: &StepRecord,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO steps (id, run_id, name, status, started, finished)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            step.id.to_string(),
            step.run_id.to_string(),
            step.name,
            step.status.as_str(),
            millis(step.started),
            step.finished.map(millis),
        ],
    )
    .map(drop)
}

pub(crate) fn update_step(
    tx: &rusqlite::Transaction<'_>,
    step: &StepRecord,
) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE steps SET status = ?2, finished = ?3 WHERE id = ?1",
        params![
            step.id.to_string(),
            step.status.as_str(),
            step.finished.map(millis)
        ],
    )
    .map(drop)
}

pub(crate) fn insert_hook_failure(
    tx: &rusqlite::Transaction<'_>,
    resource: Resource,
    failure: &HookFailure,
) -> rusqlite::Result<()> {
    let component = &failure.component;
    let component_id = component.id.to_string();
    upsert_component(tx, &component_id, component)?;
    tx.execute(
        "INSERT INTO hook_failures (resource_id, resource_type, component_id, hook,
             message, panicked, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            resource.id.to_string(),
            resource.kind.as_str(),
            component_id,
            failure.hook.to_string(),
            failure.message,
            failure.panicked,
            millis(SystemTime::now()),
        ],
    )
    .map(drop)
}

/// The reader refuses what nests deeper than `MAX_DEPTH`: such a value is refused before it is
/// written, whole publish and all, rather than stored to hide its run later.
pub(crate) fn check_depth(metadata: &Metadata) -> Result<(), StoreError> {
    match metadata
        .iter()
        .find(|(_, v)| v.nests_deeper_than(MAX_DEPTH))
    {
        Some((key, _)) => Err(StoreError::TooDeep {
            key: key.to_owned(),
        }),
        None => Ok(()),
    }
}

/// One row per key of `metadata`, linked to `resource`.
pub(crate) fn insert_metadata(
    tx: &rusqlite::Transaction<'_>,
    resource: Resource,
    component: &ComponentInfo,
    metadata: &Metadata,
) -> rusqlite::Result<()> {
    let created = millis(SystemTime::now());
    let component_id = component.id.to_string();
    let resource_id = resource.id.to_string();
    upsert_component(tx, &component_id, component)?;
    let mut row = tx.prepare(
        "INSERT INTO run_metadata (key, value, type, stack_component_id, created)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut link = tx.prepare(
        "INSERT INTO run_metadata_resources (run_metadata_id, resource_id, resource_type)
         VALUES (?1, ?2, ?3)",
    )?;
    let mut json = String::new();
    for (key, value) in metadata {
        json.clear();
        crate::value::json::write::write_value(&mut json, value);
        row.execute(params![
            key,
            json,
            value.metadata_type().as_str(),
            component_id,
            created
        ])?;
        link.execute(params![
            tx.last_insert_rowid(),
            resource_id,
            resource.kind.as_str()
        ])?;
    }
    Ok(())
}

/// Records who `component` is (its name and kind may have changed since).
fn upsert_component(
    tx: &rusqlite::Transaction<'_>,
    id: &str,
    component: &ComponentInfo,
) -> rusqlite::Result<usize> {
    tx.execute(
        "INSERT INTO components (id, name, kind) VALUES (?1, ?2, ?3)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind",
        params![id, component.name, component.kind.as_str()],
    )
}
