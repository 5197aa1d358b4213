//! The runs, steps and final statuses an outbox keeps.

use std::borrow::Cow;
use std::time::SystemTime;

use rusqlite::{OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{KeptStatus, Outbox, Result, install, lease, used};
use crate::hooks::component::{ComponentInfo, ComponentKind};
use crate::runs::resource::{Resource, ResourceType};
use crate::runs::sink::{RunRecord, Status, StepRecord};
use crate::store::rows::{
    millis, resource_from_row, run_from_row, status_col, step_from_row, time,
};
use crate::store::write::replace_id;
use crate::store::{Store, StoreError};
use crate::zenml::endpoints::plan::PlannedStep;

impl Outbox {
    /// Keeps a run to register, with its planned steps, under the times it has; keeping it
    /// again updates its status and end.
    ///
    /// # Errors
    ///
    /// SQLite's.
    pub fn keep_run(
        &self,
        store: &mut Store,
        run: &RunRecord,
        steps: &[PlannedStep],
    ) -> Result<()> {
        install(store)?;
        store.write(|tx| self.keep_run_in(tx, run, steps, None))
    }

    /// [`keep_run`](Self::keep_run) inside `tx`, with the stack's components the run is to be
    /// registered on (`None`: the server's `default` stack, or the stack of that name if it has
    /// one).
    pub(crate) fn keep_run_in(
        &self,
        tx: &Transaction<'_>,
        run: &RunRecord,
        steps: &[PlannedStep],
        components: Option<&[ComponentInfo]>,
    ) -> rusqlite::Result<()> {
        let steps: Vec<KeptStep<'_>> = steps.iter().map(KeptStep::of).collect();
        let components = components
            .map(|list| json(&list.iter().map(KeptComponent::of).collect::<Vec<_>>()))
            .transpose()?;
        tx.execute(
            "INSERT INTO outbox_runs (local_id, server, pipeline, name, steps, status, started,
                 finished, created, stack_components)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (local_id) DO UPDATE SET status = excluded.status,
                 finished = excluded.finished",
            params![
                run.id.to_string(),
                self.server,
                run.pipeline,
                run.name,
                json(&steps)?,
                run.status.as_str(),
                millis(run.started),
                run.finished.map(millis),
                millis(SystemTime::now()),
                components,
            ],
        )?;
        lease::tick(tx)
    }

    /// The components of the stack the kept run `id` is to be registered on, if it was kept
    /// with them.
    pub(crate) fn stack_of(&self, store: &Store, id: Uuid) -> Result<Option<Vec<ComponentInfo>>> {
        let json: Option<Option<String>> = store
            .conn()
            .query_row(
                "SELECT stack_components FROM outbox_runs WHERE server = ?1 AND local_id = ?2",
                params![self.server, id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        let Some(json) = json.flatten() else {
            return Ok(None);
        };
        let components = serde_json::from_str::<Vec<KeptComponent<'_>>>(&json)
            .ok()
            .and_then(|list| list.into_iter().map(KeptComponent::info).collect())
            .ok_or_else(|| StoreError::Decode {
                key: format!("outbox run {id}"),
                error: crate::value::json::DecodeError::NotAnObject { which: "stack" },
            })?;
        Ok(Some(components))
    }

    /// The runs kept, in the order they started, each with its planned steps.
    ///
    /// # Errors
    ///
    /// [`StoreError::Decode`] for planned steps that cannot be read back; SQLite's.
    pub fn runs(
        &self,
        store: &Store,
        with_refused: bool,
    ) -> Result<Vec<(RunRecord, Vec<PlannedStep>)>> {
        if !used(store)? {
            return Ok(Vec::new());
        }
        let mut stmt = store.conn().prepare(
            "SELECT o.local_id, o.name, o.pipeline, COALESCE(r.stack, ''), o.status, o.started,
                    o.finished, o.steps
             FROM outbox_runs o LEFT JOIN runs r ON r.id = o.local_id
             WHERE o.server = ?1 AND (o.refused IS NULL OR ?2)
             ORDER BY o.started, o.rowid",
        )?;
        let rows = stmt.query_map(params![self.server, with_refused], |r| {
            Ok((run_from_row(r)?, r.get::<_, String>(7)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (run, steps) = row?;
            let steps = planned_steps(&steps).ok_or_else(|| StoreError::Decode {
                key: format!("outbox run {}", run.id),
                error: crate::value::json::DecodeError::NotAnObject { which: "steps" },
            })?;
            out.push((run, steps));
        }
        Ok(out)
    }

    /// Whether the run `id` is kept, to be registered.
    ///
    /// # Errors
    ///
    /// SQLite's.
    pub fn keeps_run(&self, store: &Store, id: Uuid) -> Result<bool> {
        self.keeps(store, "outbox_runs", id)
    }

    /// The server took the kept run `local`, as `remote`: the run leaves the outbox, and
    /// everything that refers to it (its kept steps, metadata and status, the local records)
    /// takes the server's id. A run that has ended by now (also while it was being sent) has
    /// its final status kept, to be set after its steps.
    pub(crate) fn took_run(&self, store: &mut Store, local: Uuid, remote: Uuid) -> Result<()> {
        store.write(|tx| {
            let ended = self.leave(tx, "outbox_runs", local, remote)?;
            replace_id(
                tx,
                local,
                remote,
                &[
                    "UPDATE outbox_steps SET run_id = ?2 WHERE run_id = ?1",
                    "UPDATE outbox SET resource_id = ?2
                     WHERE resource_id = ?1 AND resource_type = 'pipeline_run'",
                    "UPDATE OR REPLACE outbox_statuses SET resource_id = ?2 WHERE resource_id = ?1",
                ],
            )?;
            Store::rename(tx, ResourceType::PipelineRun, local, remote)?;
            if let Some((status, Some(finished))) = ended
                && status != Status::Running.as_str()
            {
                self.keep_status_row(tx, remote, "pipeline_run", &status, finished)?;
            }
            Ok(())
        })
    }

    /// The run or step kept under `local` in `table` (`outbox_runs` or `outbox_steps`) leaves
    /// the outbox as the server's `remote`: its status and end as they stand now (it may have
    /// ended while it was being sent), and `remote` remembered for `local`.
    fn leave(
        &self,
        tx: &Transaction<'_>,
        table: &'static str,
        local: Uuid,
        remote: Uuid,
    ) -> rusqlite::Result<Option<(String, Option<i64>)>> {
        let local_id = local.to_string();
        let ended = tx
            .query_row(
                &format!(
                    "SELECT status, finished FROM {table} WHERE server = ?1 AND local_id = ?2"
                ),
                [&self.server, &local_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        tx.execute(
            &format!("DELETE FROM {table} WHERE server = ?1 AND local_id = ?2"),
            [&self.server, &local_id],
        )?;
        self.map_id(tx, local, remote)?;
        Ok(ended)
    }

    /// Remembers that the record kept under `local` is `remote` on the server, so that what is
    /// written later under `local` (by a run that started before) finds it.
    fn map_id(&self, tx: &Transaction<'_>, local: Uuid, remote: Uuid) -> rusqlite::Result<()> {
        if local != remote {
            tx.execute(
                "INSERT OR REPLACE INTO zenml_ids (local_id, remote_id, server) VALUES (?1, ?2, ?3)",
                params![local.to_string(), remote.to_string(), self.server],
            )?;
        }
        Ok(())
    }

    /// Keeps a step to register (under `step.id` until then), after its run; keeping it again
    /// updates its status and end.
    ///
    /// # Errors
    ///
    /// SQLite's.
    pub fn keep_step(&self, store: &mut Store, step: &StepRecord) -> Result<()> {
        install(store)?;
        store.write(|tx| self.keep_step_in(tx, step))
    }

    /// [`keep_step`](Self::keep_step) inside `tx`.
    pub(crate) fn keep_step_in(
        &self,
        tx: &Transaction<'_>,
        step: &StepRecord,
    ) -> rusqlite::Result<()> {
        tx.execute(
            "INSERT INTO outbox_steps (local_id, server, run_id, name, status, started,
                 finished, created, refused)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,
                 (SELECT 'its run was refused: ' || refused FROM outbox_runs
                  WHERE server = ?2 AND local_id = ?3))
             ON CONFLICT (local_id) DO UPDATE SET status = excluded.status,
                 finished = excluded.finished",
            params![
                step.id.to_string(),
                self.server,
                step.run_id.to_string(),
                step.name,
                step.status.as_str(),
                millis(step.started),
                step.finished.map(millis),
                millis(SystemTime::now()),
            ],
        )?;
        lease::tick(tx)
    }

    /// The end of a run or step still kept to be registered, written into what is kept (it is
    /// registered with it); `false` if it is not kept (its final status is kept on its own).
    pub(crate) fn end_kept_in(
        &self,
        tx: &Transaction<'_>,
        resource: Resource,
        status: Status,
        finished: Option<SystemTime>,
    ) -> rusqlite::Result<bool> {
        let table = match resource.kind {
            crate::runs::resource::ResourceType::StepRun => "outbox_steps",
            _ => "outbox_runs",
        };
        let changed = tx.execute(
            &format!(
                "UPDATE {table} SET status = ?3, finished = ?4 WHERE server = ?1 AND local_id = ?2"
            ),
            params![
                self.server,
                resource.id.to_string(),
                status.as_str(),
                finished.map(millis)
            ],
        )?;
        if changed > 0 {
            lease::tick(tx)?;
        }
        Ok(changed > 0)
    }

    /// The steps kept whose run is registered, in the order they started.
    ///
    /// # Errors
    ///
    /// SQLite's.
    pub fn steps(&self, store: &Store, with_refused: bool) -> Result<Vec<StepRecord>> {
        if !used(store)? {
            return Ok(Vec::new());
        }
        let mut stmt = store.conn().prepare(
            "SELECT local_id, run_id, name, status, started, finished FROM outbox_steps s
             WHERE server = ?1 AND (refused IS NULL OR ?2)
                 AND NOT EXISTS (SELECT 1 FROM outbox_runs r
                                 WHERE r.local_id = s.run_id AND r.server = ?1)
             ORDER BY started, rowid",
        )?;
        let rows = stmt.query_map(params![self.server, with_refused], step_from_row)?;
        rows.map(|r| r.map_err(StoreError::from)).collect()
    }

    /// Whether the step `id` is kept, to be registered.
    ///
    /// # Errors
    ///
    /// SQLite's.
    pub fn keeps_step(&self, store: &Store, id: Uuid) -> Result<bool> {
        self.keeps(store, "outbox_steps", id)
    }

    /// Whether `table` (`outbox_runs` or `outbox_steps`) keeps the record `id` for this server.
    fn keeps(&self, store: &Store, table: &'static str, id: Uuid) -> Result<bool> {
        if !used(store)? {
            return Ok(false);
        }
        Ok(store.conn().query_row(
            &format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE server = ?1 AND local_id = ?2)"),
            params![self.server, id.to_string()],
            |r| r.get(0),
        )?)
    }

    /// The server took the kept step `local`, as `remote`, registered with the end `sent`
    /// (`None`: still running): the step leaves the outbox, and everything that refers to it
    /// (kept metadata and status, the local records) takes the server's id, as steps registered
    /// at once do. A step that ended after it was sent has its final status kept.
    pub(crate) fn took_step(
        &self,
        store: &mut Store,
        local: Uuid,
        remote: Uuid,
        sent: Option<SystemTime>,
    ) -> Result<()> {
        store.write(|tx| {
            let ended = self.leave(tx, "outbox_steps", local, remote)?;
            replace_id(
                tx,
                local,
                remote,
                &[
                    "UPDATE outbox SET resource_id = ?2
                     WHERE resource_id = ?1 AND resource_type = 'step_run'",
                    "UPDATE OR REPLACE outbox_statuses SET resource_id = ?2 WHERE resource_id = ?1",
                ],
            )?;
            Store::rename(tx, ResourceType::StepRun, local, remote)?;
            if let (Some((status, Some(finished))), None) = (ended, sent) {
                self.keep_status_row(tx, remote, "step_run", &status, finished)?;
            }
            Ok(())
        })
    }

    /// Keeps the final status of a run or step; keeping another for it replaces it.
    ///
    /// # Errors
    ///
    /// SQLite's.
    pub fn keep_status(&self, store: &mut Store, kept: KeptStatus) -> Result<()> {
        install(store)?;
        store.write(|tx| {
            self.keep_status_row(
                tx,
                kept.resource.id,
                kept.resource.kind.as_str(),
                kept.status.as_str(),
                millis(kept.finished),
            )
        })
    }

    /// [`keep_status`](Self::keep_status) inside `tx`, from its columns.
    pub(crate) fn keep_status_row(
        &self,
        tx: &Transaction<'_>,
        resource: Uuid,
        kind: &str,
        status: &str,
        finished: i64,
    ) -> rusqlite::Result<()> {
        tx.execute(
            concat!(
                "INSERT INTO outbox_statuses (server, resource_id, resource_type, status,
                     finished, created, refused)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ",
                crate::zenml::outbox::refused_behind!(),
                ")
                 ON CONFLICT (server, resource_id) DO UPDATE SET status = excluded.status,
                     finished = excluded.finished, refused = excluded.refused"
            ),
            params![
                self.server,
                resource.to_string(),
                kind,
                status,
                finished,
                millis(SystemTime::now()),
            ],
        )?;
        lease::tick(tx)
    }

    /// The final statuses kept, in the order they were kept.
    ///
    /// # Errors
    ///
    /// SQLite's.
    pub fn statuses(&self, store: &Store, with_refused: bool) -> Result<Vec<KeptStatus>> {
        if !used(store)? {
            return Ok(Vec::new());
        }
        let mut stmt = store.conn().prepare(
            "SELECT resource_id, resource_type, status, finished FROM outbox_statuses t
             WHERE server = ?1 AND (refused IS NULL OR ?2)
                 AND NOT EXISTS (SELECT 1 FROM outbox_runs r
                                 WHERE r.local_id = t.resource_id AND r.server = ?1)
                 AND NOT EXISTS (SELECT 1 FROM outbox_steps s
                                 WHERE s.local_id = t.resource_id AND s.server = ?1)
             ORDER BY created, rowid",
        )?;
        let rows = stmt.query_map(params![self.server, with_refused], |r| {
            Ok(KeptStatus {
                resource: resource_from_row(r, 0)?,
                status: status_col(r, 2)?,
                finished: time(r.get(3)?),
            })
        })?;
        rows.map(|r| r.map_err(StoreError::from)).collect()
    }

    /// The server took the kept status of `resource`: it leaves the outbox.
    pub(crate) fn took_status(&self, store: &mut Store, resource: Resource) -> Result<()> {
        store.execute(
            "DELETE FROM outbox_statuses WHERE server = ?1 AND resource_id = ?2",
            params![self.server, resource.id.to_string()],
        )
    }
}

/// A planned step as the outbox keeps it: `{"name":…,"upstream":[…]}`.
#[derive(Serialize, Deserialize)]
struct KeptStep<'a> {
    name: Cow<'a, str>,
    upstream: Cow<'a, [String]>,
}

impl<'a> KeptStep<'a> {
    fn of(step: &'a PlannedStep) -> Self {
        Self {
            name: Cow::Borrowed(&step.name),
            upstream: Cow::Borrowed(&step.upstream),
        }
    }
}

/// A component of the stack a kept run is to be registered on: `{"id":…,"kind":…,"name":…}`.
#[derive(Serialize, Deserialize)]
struct KeptComponent<'a> {
    id: Uuid,
    kind: Cow<'a, str>,
    name: Cow<'a, str>,
}

impl<'a> KeptComponent<'a> {
    fn of(component: &'a ComponentInfo) -> Self {
        Self {
            id: component.id,
            kind: Cow::Borrowed(component.kind.as_str()),
            name: Cow::Borrowed(&component.name),
        }
    }

    /// The component, if its kind is one ZenML has.
    fn info(self) -> Option<ComponentInfo> {
        Some(ComponentInfo {
            id: self.id,
            kind: ComponentKind::from_name(&self.kind)?,
            name: self.name.into_owned(),
        })
    }
}

/// What the outbox keeps as JSON, written.
fn json(kept: &impl Serialize) -> rusqlite::Result<String> {
    serde_json::to_string(kept).map_err(|e| rusqlite::Error::ToSqlConversionFailure(e.into()))
}

/// Planned steps from their JSON in the outbox.
fn planned_steps(json: &str) -> Option<Vec<PlannedStep>> {
    let steps: Vec<KeptStep<'_>> = serde_json::from_str(json).ok()?;
    Some(
        steps
            .into_iter()
            .map(|s| PlannedStep {
                name: s.name.into_owned(),
                upstream: s.upstream.into_owned(),
            })
            .collect(),
    )
}
