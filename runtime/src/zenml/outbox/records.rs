//! The runs, steps and final statuses an outbox keeps.

use std::time::SystemTime;

use rusqlite::params;
use uuid::Uuid;

use super::{KeptStatus, Outbox, Result};
use crate::resource::Resource;
use crate::sink::{RunRecord, StepRecord};
use crate::store::rows::{
    millis, resource_from_row, run_from_row, status_col, step_from_row, time,
};
use crate::store::write::replace_id;
use crate::store::{Store, StoreError};
use crate::zenml::plan::PlannedStep;

impl Outbox {
    /// Keeps a run the server could not register when it started, with its planned steps, to
    /// register later under the times it has; keeping it again updates its status and end.
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
        let steps: Vec<serde_json::Value> = steps
            .iter()
            .map(|s| serde_json::json!({"name": s.name, "upstream": s.upstream}))
            .collect();
        store.execute(
            "INSERT INTO outbox_runs (local_id, server, pipeline, name, steps, status, started,
                 finished, created)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (local_id) DO UPDATE SET status = excluded.status,
                 finished = excluded.finished",
            params![
                run.id.to_string(),
                self.server,
                run.pipeline,
                run.name,
                serde_json::Value::Array(steps).to_string(),
                run.status.as_str(),
                millis(run.started),
                run.finished.map(millis),
                millis(SystemTime::now()),
            ],
        )
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
                error: crate::json::DecodeError::NotAnObject { which: "steps" },
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
    /// takes the server's id.
    pub(crate) fn took_run(&self, store: &mut Store, local: Uuid, remote: Uuid) -> Result<()> {
        store.write(|tx| {
            tx.execute(
                "DELETE FROM outbox_runs WHERE server = ?1 AND local_id = ?2",
                [&self.server, &local.to_string()],
            )?;
            replace_id(
                tx,
                local,
                remote,
                &[
                    "UPDATE outbox_steps SET run_id = ?2 WHERE run_id = ?1",
                    "UPDATE outbox SET resource_id = ?2
                     WHERE resource_id = ?1 AND resource_type = 'pipeline_run'",
                    "UPDATE outbox_statuses SET resource_id = ?2 WHERE resource_id = ?1",
                ],
            )?;
            Store::rename_run(tx, local, remote)
        })
    }

    /// Keeps a step of a run the server has (`step.run_id` is the server's) to register later,
    /// under `step.id` until then; keeping it again updates its status and end.
    ///
    /// # Errors
    ///
    /// SQLite's.
    pub fn keep_step(&self, store: &mut Store, step: &StepRecord) -> Result<()> {
        store.execute(
            "INSERT INTO outbox_steps (local_id, server, run_id, name, status, started,
                 finished, created)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
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
        )
    }

    /// The steps kept, in the order they started.
    ///
    /// # Errors
    ///
    /// SQLite's.
    pub fn steps(&self, store: &Store, with_refused: bool) -> Result<Vec<StepRecord>> {
        let mut stmt = store.conn().prepare(
            "SELECT local_id, run_id, name, status, started, finished FROM outbox_steps
             WHERE server = ?1 AND (refused IS NULL OR ?2) ORDER BY started, rowid",
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
        Ok(store.conn().query_row(
            &format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE server = ?1 AND local_id = ?2)"),
            params![self.server, id.to_string()],
            |r| r.get(0),
        )?)
    }

    /// The server took the kept step `local`, as `remote`: the step leaves the outbox, and
    /// everything that refers to it (kept metadata and status, the local records) takes the
    /// server's id, as steps registered at once do.
    pub(crate) fn took_step(&self, store: &mut Store, local: Uuid, remote: Uuid) -> Result<()> {
        store.write(|tx| {
            tx.execute(
                "DELETE FROM outbox_steps WHERE server = ?1 AND local_id = ?2",
                [&self.server, &local.to_string()],
            )?;
            replace_id(
                tx,
                local,
                remote,
                &[
                    "UPDATE outbox SET resource_id = ?2
                     WHERE resource_id = ?1 AND resource_type = 'step_run'",
                    "UPDATE outbox_statuses SET resource_id = ?2 WHERE resource_id = ?1",
                ],
            )?;
            Store::rename_step(tx, local, remote)
        })
    }

    /// Keeps the final status of a run or step; keeping another for it replaces it.
    ///
    /// # Errors
    ///
    /// SQLite's.
    pub fn keep_status(&self, store: &mut Store, kept: KeptStatus) -> Result<()> {
        store.execute(
            "INSERT INTO outbox_statuses (server, resource_id, resource_type, status, finished,
                 created)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (server, resource_id) DO UPDATE SET status = excluded.status,
                 finished = excluded.finished",
            params![
                self.server,
                kept.resource.id.to_string(),
                kept.resource.kind.as_str(),
                kept.status.as_str(),
                millis(kept.finished),
                millis(SystemTime::now()),
            ],
        )
    }

    /// The final statuses kept, in the order they were kept.
    ///
    /// # Errors
    ///
    /// SQLite's.
    pub fn statuses(&self, store: &Store, with_refused: bool) -> Result<Vec<KeptStatus>> {
        let mut stmt = store.conn().prepare(
            "SELECT resource_id, resource_type, status, finished FROM outbox_statuses
             WHERE server = ?1 AND (refused IS NULL OR ?2) ORDER BY created, rowid",
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

/// Planned steps from their JSON in the outbox.
fn planned_steps(json: &str) -> Option<Vec<PlannedStep>> {
    let steps: Vec<serde_json::Value> = serde_json::from_str(json).ok()?;
    steps
        .iter()
        .map(|s| {
            let upstream = s.get("upstream")?.as_array()?;
            Some(
                PlannedStep::new(s.get("name")?.as_str()?)
                    .after(upstream.iter().filter_map(serde_json::Value::as_str)),
            )
        })
        .collect()
}
