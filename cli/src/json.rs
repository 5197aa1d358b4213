//! The JSON renderings: `runs --json` and `show --json`, as serde types borrowing from the
//! store's records.

use std::io::{self, Write};
use std::time::SystemTime;

use run_metadata::stack::{ComponentInfo, RunRecord, StepRecord};
use run_metadata::store::{ComponentMetadata, Store};
use run_metadata::time::Utc;
use run_metadata::zenml::Resource;
use run_metadata::{Metadata, Types};
use serde::{Serialize, Serializer};
use uuid::Uuid;

use crate::CliError;

/// A run: `{"id","name","pipeline","stack","status","started","finished"}`.
#[derive(Serialize)]
struct RunJson<'a> {
    id: &'a Uuid,
    name: &'a str,
    pipeline: &'a str,
    stack: &'a str,
    status: &'static str,
    #[serde(serialize_with = "time")]
    started: &'a SystemTime,
    #[serde(serialize_with = "optional_time")]
    finished: &'a Option<SystemTime>,
}

impl<'a> From<&'a RunRecord> for RunJson<'a> {
    fn from(run: &'a RunRecord) -> Self {
        Self {
            id: &run.id,
            name: &run.name,
            pipeline: &run.pipeline,
            stack: &run.stack,
            status: run.status.as_str(),
            started: &run.started,
            finished: &run.finished,
        }
    }
}

/// `show --json`: the run, its pipeline run's metadata, and its steps.
#[derive(Serialize)]
struct ShowJson<'a> {
    run: RunJson<'a>,
    pipeline_run: Vec<GroupJson<'a>>,
    steps: Vec<StepJson<'a>>,
}

/// A step run with its metadata.
#[derive(Serialize)]
struct StepJson<'a> {
    id: &'a Uuid,
    name: &'a str,
    status: &'static str,
    #[serde(serialize_with = "time")]
    started: &'a SystemTime,
    #[serde(serialize_with = "optional_time")]
    finished: &'a Option<SystemTime>,
    metadata: Vec<GroupJson<'a>>,
}

impl<'a> StepJson<'a> {
    /// `step` with its `metadata`.
    fn new(step: &'a StepRecord, metadata: &'a [ComponentMetadata]) -> Self {
        Self {
            id: &step.id,
            name: &step.name,
            status: step.status.as_str(),
            started: &step.started,
            finished: &step.finished,
            metadata: groups(metadata),
        }
    }
}

/// One component's metadata for a resource: ZenML's `values` and `types` objects.
#[derive(Serialize)]
struct GroupJson<'a> {
    component: Option<ComponentJson<'a>>,
    values: &'a Metadata,
    types: Types<'a>,
}

impl<'a> From<&'a ComponentMetadata> for GroupJson<'a> {
    fn from(group: &'a ComponentMetadata) -> Self {
        Self {
            component: group.component.as_ref().map(ComponentJson::from),
            values: &group.metadata,
            types: group.metadata.types(),
        }
    }
}

/// A component: `{"id","name","kind"}`.
#[derive(Serialize)]
struct ComponentJson<'a> {
    id: &'a Uuid,
    name: &'a str,
    kind: &'static str,
}

impl<'a> From<&'a ComponentInfo> for ComponentJson<'a> {
    fn from(c: &'a ComponentInfo) -> Self {
        Self {
            id: &c.id,
            name: &c.name,
            kind: c.kind.as_str(),
        }
    }
}

/// A time as `2026-11-29T16:12:00.123Z`.
fn time<S: Serializer>(t: &SystemTime, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&Utc::from(*t).rfc3339_millis())
}

/// [`time`], or `null`.
#[allow(clippy::ref_option, clippy::trivially_copy_pass_by_ref)] // serde's signature
fn optional_time<S: Serializer>(t: &Option<SystemTime>, serializer: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => time(t, serializer),
        None => serializer.serialize_none(),
    }
}

/// Each component's share, as JSON.
fn groups(groups: &[ComponentMetadata]) -> Vec<GroupJson<'_>> {
    groups.iter().map(GroupJson::from).collect()
}

/// `value` as compact JSON on one line.
fn write_line(out: &mut dyn Write, value: &impl Serialize) -> io::Result<()> {
    let mut json = serde_json::to_vec(value)?;
    json.push(b'\n');
    out.write_all(&json)
}

/// `runs --json`: an array of runs.
///
/// # Errors
///
/// Write errors.
pub fn write_runs_json(out: &mut dyn Write, runs: &[RunRecord]) -> io::Result<()> {
    let runs: Vec<RunJson<'_>> = runs.iter().map(RunJson::from).collect();
    write_line(out, &runs)
}

/// `show --json`: the run, and per resource each component's ZenML `values` and `types`.
///
/// # Errors
///
/// The store's errors and write errors.
pub fn write_run_json(out: &mut dyn Write, store: &Store, run: &RunRecord) -> Result<(), CliError> {
    let pipeline_run = store.metadata_by_component(Resource::pipeline_run(run.id))?;
    let steps = store.steps(run.id)?;
    let step_metadata = steps
        .iter()
        .map(|step| store.metadata_by_component(Resource::step_run(step.id)))
        .collect::<Result<Vec<_>, _>>()?;
    let show = ShowJson {
        run: RunJson::from(run),
        pipeline_run: groups(&pipeline_run),
        steps: steps
            .iter()
            .zip(&step_metadata)
            .map(|(step, metadata)| StepJson::new(step, metadata))
            .collect(),
    };
    Ok(write_line(out, &show)?)
}

#[cfg(test)]
mod tests {
    //! The serde renderings against the hand-written writer they replace, byte for byte.

    use std::collections::{BTreeMap, BTreeSet};
    use std::fmt::Write as _;
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    use run_metadata::stack::{ComponentInfo, ComponentKind, RunRecord, Sink, Status, StepRecord};
    use run_metadata::store::{ComponentMetadata, Store};
    use run_metadata::zenml::Resource;
    use run_metadata::{DType, Metadata, Path, StorageSize, Uri, metadata};
    use run_metadata_tests::TempDir;
    use uuid::Uuid;

    fn string(json: &mut String, s: &str) {
        json.push_str(&serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into()));
    }

    fn iso8601(t: SystemTime) -> String {
        let utc = run_metadata::time::Utc::from(t);
        let iso = utc.iso8601();
        format!("{}Z", &iso[..iso.len() - 3])
    }

    fn time_json(json: &mut String, t: Option<SystemTime>) {
        match t {
            Some(t) => string(json, &iso8601(t)),
            None => json.push_str("null"),
        }
    }

    fn run_json(json: &mut String, run: &RunRecord) {
        let _ = write!(json, "{{\"id\":\"{}\",\"name\":", run.id);
        string(json, &run.name);
        json.push_str(",\"pipeline\":");
        string(json, &run.pipeline);
        json.push_str(",\"stack\":");
        string(json, &run.stack);
        let _ = write!(json, ",\"status\":\"{}\",\"started\":", run.status);
        time_json(json, Some(run.started));
        json.push_str(",\"finished\":");
        time_json(json, run.finished);
        json.push('}');
    }

    fn step_json(json: &mut String, step: &StepRecord, metadata: &[ComponentMetadata]) {
        let _ = write!(json, "{{\"id\":\"{}\",\"name\":", step.id);
        string(json, &step.name);
        let _ = write!(json, ",\"status\":\"{}\",\"started\":", step.status);
        time_json(json, Some(step.started));
        json.push_str(",\"finished\":");
        time_json(json, step.finished);
        json.push_str(",\"metadata\":");
        groups_json(json, metadata);
        json.push('}');
    }

    fn groups_json(json: &mut String, groups: &[ComponentMetadata]) {
        json.push('[');
        for (i, group) in groups.iter().enumerate() {
            if i > 0 {
                json.push(',');
            }
            json.push_str("{\"component\":");
            match &group.component {
                Some(c) => {
                    let _ = write!(json, "{{\"id\":\"{}\",\"name\":", c.id);
                    string(json, &c.name);
                    let _ = write!(json, ",\"kind\":\"{}\"}}", c.kind);
                }
                None => json.push_str("null"),
            }
            metadata_json(json, &group.metadata);
            json.push('}');
        }
        json.push(']');
    }

    fn metadata_json(json: &mut String, m: &Metadata) {
        json.push_str(",\"values\":");
        m.write_json(json);
        json.push_str(",\"types\":");
        m.write_types_json(json);
    }

    fn old_runs_json(runs: &[RunRecord]) -> String {
        let mut json = String::from("[");
        for (i, run) in runs.iter().enumerate() {
            if i > 0 {
                json.push(',');
            }
            run_json(&mut json, run);
        }
        json.push_str("]\n");
        json
    }

    fn old_run_json(store: &Store, run: &RunRecord) -> String {
        let mut json = String::from("{\"run\":");
        run_json(&mut json, run);
        json.push_str(",\"pipeline_run\":");
        groups_json(
            &mut json,
            &store
                .metadata_by_component(Resource::pipeline_run(run.id))
                .unwrap(),
        );
        json.push_str(",\"steps\":[");
        for (i, step) in store.steps(run.id).unwrap().iter().enumerate() {
            if i > 0 {
                json.push(',');
            }
            step_json(
                &mut json,
                step,
                &store
                    .metadata_by_component(Resource::step_run(step.id))
                    .unwrap(),
            );
        }
        json.push_str("]}\n");
        json
    }

    fn awkward() -> Metadata {
        let mut dict = BTreeMap::new();
        dict.insert("nested \"key\"", vec![f64::NAN, f64::INFINITY, -0.0]);
        dict.insert("émoji 🦀", vec![1e300, 1e-7, 0.1]);
        metadata! {
            "text" => "quote \" backslash \\ newline \n tab \t bell \u{7} nul \u{0} sep \u{2028} é 🦀",
            "empty" => "",
            "i64 min" => i64::MIN,
            "u64 max" => u64::MAX,
            "i128 min" => i128::MIN,
            "u128 max" => u128::MAX,
            "float" => 2.0,
            "small" => 5e-324,
            "f32" => 0.1_f32,
            "nan" => f64::NAN,
            "-inf" => f64::NEG_INFINITY,
            "yes" => true,
            "list" => vec![vec![1, 2], vec![]],
            "tuple" => (1, "two", 3.5, false),
            "set" => BTreeSet::from(["b", "a"]),
            "dict" => dict,
            "uri" => Uri::new("https://x.example/?q=\"1\"&r=<2>"),
            "path" => Path::new("s3://bucket/ü/x y"),
            "dtype" => DType::new("float32"),
            "size" => StorageSize::new(3 << 40),
        }
    }

    #[test]
    fn serde_output_is_the_hand_written_writers_byte_for_byte() {
        let dir = TempDir::new("cli-json");
        let mut store = Store::open(dir.path("runs.db")).unwrap();
        let component = ComponentInfo {
            id: Uuid::new_v4(),
            name: "the \"tracker\" ✓".into(),
            kind: ComponentKind::ExperimentTracker,
        };
        let other = ComponentInfo {
            id: Uuid::new_v4(),
            name: "cluster".into(),
            kind: ComponentKind::Orchestrator,
        };
        let at = |millis| UNIX_EPOCH + Duration::from_millis(millis);
        let mut finished = RunRecord {
            id: Uuid::new_v4(),
            name: "run \"one\"\n".into(),
            pipeline: "tr\\aining".into(),
            stack: "lócal".into(),
            status: Status::Completed,
            started: at(1_795_968_720_123),
            finished: Some(at(1_795_968_780_009)),
        };
        store.start_run(&mut finished).unwrap();
        store
            .publish(Resource::pipeline_run(finished.id), &component, &awkward())
            .unwrap();
        store
            .publish(
                Resource::pipeline_run(finished.id),
                &other,
                &metadata! { "n" => 1 },
            )
            .unwrap();
        for (i, status) in [Status::Completed, Status::Failed, Status::Running]
            .into_iter()
            .enumerate()
        {
            let mut step = StepRecord {
                id: Uuid::new_v4(),
                run_id: finished.id,
                name: format!("step {i} \u{1}"),
                status,
                started: at(1_795_968_720_500 + i as u64),
                finished: (status != Status::Running).then(|| at(1_795_968_760_999)),
            };
            store.start_step(&mut step).unwrap();
            store.finish_step(&step).unwrap();
            if i != 1 {
                store
                    .publish(Resource::step_run(step.id), &component, &awkward())
                    .unwrap();
            }
        }
        store.finish_run(&finished).unwrap();
        let mut running = RunRecord {
            id: Uuid::new_v4(),
            name: "running".into(),
            pipeline: "p".into(),
            stack: "s".into(),
            status: Status::Running,
            started: at(0),
            finished: None,
        };
        store.start_run(&mut running).unwrap();

        let runs = store.runs().unwrap();
        assert_eq!(runs.len(), 2);
        let mut new = Vec::new();
        super::write_runs_json(&mut new, &runs).unwrap();
        assert_eq!(String::from_utf8(new).unwrap(), old_runs_json(&runs));
        let mut empty = Vec::new();
        super::write_runs_json(&mut empty, &[]).unwrap();
        assert_eq!(String::from_utf8(empty).unwrap(), old_runs_json(&[]));

        for run in &runs {
            let mut new = Vec::new();
            super::write_run_json(&mut new, &store, run).unwrap();
            let new = String::from_utf8(new).unwrap();
            assert_eq!(new, old_run_json(&store, run));
            eprintln!("{new}");
        }
    }
}
