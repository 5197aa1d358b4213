//! Columns and rows: times as milliseconds, ids and names as text, and one mapper per record
//! kind, shared by every read of the store (and the ZenML outbox's).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::Row;
use uuid::Uuid;

use crate::hooks::component::{ComponentInfo, ComponentKind};
#[cfg(feature = "zenml")]
use crate::runs::resource::{Resource, ResourceType};
use crate::runs::sink::{RunRecord, Status, StepRecord};

pub(crate) fn millis(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

pub(crate) fn time(ms: i64) -> SystemTime {
    let d = Duration::from_millis(ms.unsigned_abs());
    if ms >= 0 {
        UNIX_EPOCH + d
    } else {
        UNIX_EPOCH - d
    }
}

pub(crate) fn uuid_col(r: &Row<'_>, i: usize) -> rusqlite::Result<Uuid> {
    parsed_col(r, i, |t| Uuid::parse_str(t).ok())
}

pub(crate) fn status_col(r: &Row<'_>, i: usize) -> rusqlite::Result<Status> {
    parsed_col(r, i, Status::from_name)
}

/// A run from `id, name, pipeline, stack, status, started, finished`.
pub(crate) fn run_from_row(r: &Row<'_>) -> rusqlite::Result<RunRecord> {
    Ok(RunRecord {
        id: uuid_col(r, 0)?,
        name: r.get(1)?,
        pipeline: r.get(2)?,
        stack: r.get(3)?,
        status: status_col(r, 4)?,
        started: time(r.get(5)?),
        finished: r.get::<_, Option<i64>>(6)?.map(time),
    })
}

/// A text column read through `parse`, or a conversion error naming the column.
pub(crate) fn parsed_col<T>(
    r: &Row<'_>,
    i: usize,
    parse: impl FnOnce(&str) -> Option<T>,
) -> rusqlite::Result<T> {
    let text: String = r.get(i)?;
    parse(&text).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            format!("unexpected value {text:?}").into(),
        )
    })
}

/// A step from `id, run_id, name, status, started, finished`.
pub(crate) fn step_from_row(r: &Row<'_>) -> rusqlite::Result<StepRecord> {
    Ok(StepRecord {
        id: uuid_col(r, 0)?,
        run_id: uuid_col(r, 1)?,
        name: r.get(2)?,
        status: status_col(r, 3)?,
        started: time(r.get(4)?),
        finished: r.get::<_, Option<i64>>(5)?.map(time),
    })
}

/// A component from `id, name, kind` at columns `at..at + 3`; `None` where the id is `NULL`.
pub(crate) fn component_from_row(
    r: &Row<'_>,
    at: usize,
) -> rusqlite::Result<Option<ComponentInfo>> {
    if r.get::<_, Option<String>>(at)?.is_none() {
        return Ok(None);
    }
    Ok(Some(ComponentInfo {
        id: uuid_col(r, at)?,
        name: r.get(at + 1)?,
        kind: parsed_col(r, at + 2, ComponentKind::from_name)?,
    }))
}

/// A resource from `id, type` at columns `at..at + 2`.
#[cfg(feature = "zenml")]
pub(crate) fn resource_from_row(r: &Row<'_>, at: usize) -> rusqlite::Result<Resource> {
    Ok(Resource {
        id: uuid_col(r, at)?,
        kind: parsed_col(r, at + 1, ResourceType::from_name)?,
    })
}
