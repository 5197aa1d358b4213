//! The JSON renderings: `runs --json` and `show --json`, as serde types borrowing from the
//! store's records.

use std::io::{self, Write};
use std::time::SystemTime;

use run_metadata::sink::{HookFailure, RunRecord, StepRecord};
use run_metadata::stack::ComponentInfo;
use run_metadata::store::{ComponentMetadata, RunContents, Store};
use run_metadata::time::Utc;
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
    /// Hooks that reported nothing on the pipeline run because they failed; absent if none.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pipeline_run_failures: Vec<FailureJson<'a>>,
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
    /// Hooks that reported nothing on the step because they failed; absent if none.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    failures: Vec<FailureJson<'a>>,
}

impl<'a> StepJson<'a> {
    /// `step` with its `metadata` and its hooks' `failures`.
    fn new(
        step: &'a StepRecord,
        metadata: &'a [ComponentMetadata],
        failures: &'a [HookFailure],
    ) -> Self {
        Self {
            id: &step.id,
            name: &step.name,
            status: step.status.as_str(),
            started: &step.started,
            finished: &step.finished,
            metadata: groups(metadata),
            failures: failures.iter().map(FailureJson::from).collect(),
        }
    }
}

/// A hook that failed: `{"component","hook","message","panicked"}`.
#[derive(Serialize)]
struct FailureJson<'a> {
    component: ComponentJson<'a>,
    hook: String,
    message: &'a str,
    panicked: bool,
}

impl<'a> From<&'a HookFailure> for FailureJson<'a> {
    fn from(failure: &'a HookFailure) -> Self {
        Self {
            component: ComponentJson::from(&failure.component),
            hook: failure.hook.to_string(),
            message: &failure.message,
            panicked: failure.panicked,
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
#[allow(clippy::ref_option)] // serde's signature
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
    let contents = store.run_contents(run.id)?;
    Ok(write_contents_json(out, run, &contents)?)
}

/// [`write_run_json`] of a run already read.
pub(crate) fn write_contents_json(
    out: &mut dyn Write,
    run: &RunRecord,
    contents: &RunContents,
) -> io::Result<()> {
    let show = ShowJson {
        run: RunJson::from(run),
        pipeline_run: groups(&contents.pipeline.metadata),
        pipeline_run_failures: contents
            .pipeline
            .failures
            .iter()
            .map(FailureJson::from)
            .collect(),
        steps: contents
            .steps
            .iter()
            .map(|(step, reported)| StepJson::new(step, &reported.metadata, &reported.failures))
            .collect(),
    };
    write_line(out, &show)
}

#[cfg(test)]
mod tests {
    //! The exact bytes of `runs --json` and `show --json`: the hand-written writer that these
    //! types replaced printed the same.

    use std::collections::{BTreeMap, BTreeSet};
    use std::time::{Duration, UNIX_EPOCH};

    use run_metadata::Resource;
    use run_metadata::sink::{RunRecord, Sink, Status, StepRecord};
    use run_metadata::stack::{ComponentInfo, ComponentKind};
    use run_metadata::store::Store;
    use run_metadata::{DType, Metadata, Path, StorageSize, Uri, metadata};
    use run_metadata_tests::TempDir;
    use uuid::Uuid;

    /// Strings to escape, integers beyond 64 bits, non-finite floats, nested values, every
    /// special type.
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

    /// [`awkward`]'s `values`.
    const VALUES: &str = concat!(
        r#"{"text":"quote \" backslash \\ newline \n tab \t bell \u0007 nul \u0000 sep "#,
        "\u{2028}",
        r#" é 🦀","empty":"","i64 min":-9223372036854775808,"u64 max":18446744073709551615,"#,
        r#""i128 min":-170141183460469231731687303715884105728,"#,
        r#""u128 max":340282366920938463463374607431768211455,"float":2.0,"small":5e-324,"#,
        r#""f32":0.1,"nan":"NaN","-inf":"-Infinity","yes":true,"list":[[1,2],[]],"#,
        r#""tuple":[1,"two",3.5,false],"set":["a","b"],"#,
        r#""dict":{"nested \"key\"":["NaN","Infinity",-0.0],"émoji 🦀":[1e+300,1e-7,0.1]},"#,
        r#""uri":"https://x.example/?q=\"1\"&r=<2>","path":"s3://bucket/ü/x y","#,
        r#""dtype":"float32","size":3298534883328}"#,
    );

    /// [`awkward`]'s `types`.
    const TYPES: &str = concat!(
        r#"{"text":"str","empty":"str","i64 min":"int","u64 max":"int","i128 min":"int","#,
        r#""u128 max":"int","float":"float","small":"float","f32":"float","nan":"float","#,
        r#""-inf":"float","yes":"bool","list":"list","tuple":"tuple","set":"set","#,
        r#""dict":"dict","uri":"Uri","path":"Path","dtype":"DType","size":"StorageSize"}"#,
    );

    const FIRST: &str = concat!(
        r#"{"id":"00000000-0000-0000-0000-0000000000a1","name":"run \"one\"\n","#,
        r#""pipeline":"tr\\aining","stack":"lócal","status":"completed","#,
        r#""started":"2026-11-29T16:12:00.123Z","finished":"2026-11-29T16:13:00.009Z"}"#,
    );

    const RUNNING: &str = concat!(
        r#"{"id":"00000000-0000-0000-0000-0000000000a2","name":"running","pipeline":"p","#,
        r#""stack":"s","status":"running","started":"1970-01-01T00:00:00.000Z","finished":null}"#,
    );

    const TRACKER: &str = concat!(
        r#"{"id":"00000000-0000-0000-0000-0000000000c1","name":"the \"tracker\" ✓","#,
        r#""kind":"experiment_tracker"}"#,
    );

    /// A store with a finished run (pipeline metadata from two components; a step with
    /// metadata, a failed one without, a running one with) and a running run without any.
    fn store(dir: &TempDir) -> Store {
        let mut store = Store::open(dir.path("runs.db")).unwrap();
        let tracker = ComponentInfo {
            id: Uuid::from_u128(0xc1),
            name: "the \"tracker\" ✓".into(),
            kind: ComponentKind::ExperimentTracker,
        };
        let cluster = ComponentInfo {
            id: Uuid::from_u128(0xc2),
            name: "cluster".into(),
            kind: ComponentKind::Orchestrator,
        };
        let at = |millis| UNIX_EPOCH + Duration::from_millis(millis);
        let mut first = RunRecord {
            id: Uuid::from_u128(0xa1),
            name: "run \"one\"\n".into(),
            pipeline: "tr\\aining".into(),
            stack: "lócal".into(),
            status: Status::Completed,
            started: at(1_795_968_720_123),
            finished: Some(at(1_795_968_780_009)),
        };
        store.start_run(&mut first).unwrap();
        let pipeline_run = Resource::pipeline_run(first.id);
        store.publish(pipeline_run, &tracker, &awkward()).unwrap();
        store
            .publish(pipeline_run, &cluster, &metadata! { "n" => 1 })
            .unwrap();
        for (i, status) in (0_u8..).zip([Status::Completed, Status::Failed, Status::Running]) {
            let mut step = StepRecord {
                id: Uuid::from_u128(0x51 + u128::from(i)),
                run_id: first.id,
                name: format!("step {i} \u{1}"),
                status,
                started: at(1_795_968_720_500 + u64::from(i)),
                finished: (status != Status::Running).then(|| at(1_795_968_760_999)),
            };
            store.start_step(&mut step).unwrap();
            store.finish_step(&step).unwrap();
            if status != Status::Failed {
                store
                    .publish(Resource::step_run(step.id), &tracker, &awkward())
                    .unwrap();
            }
        }
        store.finish_run(&first).unwrap();
        let mut running = RunRecord {
            id: Uuid::from_u128(0xa2),
            name: "running".into(),
            pipeline: "p".into(),
            stack: "s".into(),
            status: Status::Running,
            started: at(0),
            finished: None,
        };
        store.start_run(&mut running).unwrap();
        store
    }

    #[test]
    fn runs_json_bytes() {
        let dir = TempDir::new("cli-runs-json");
        let store = store(&dir);
        let mut out = Vec::new();
        super::write_runs_json(&mut out, &store.runs().unwrap()).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            format!("[{FIRST},{RUNNING}]\n")
        );
        let mut none = Vec::new();
        super::write_runs_json(&mut none, &[]).unwrap();
        assert_eq!(none, b"[]\n");
    }

    #[test]
    fn show_json_bytes() {
        let dir = TempDir::new("cli-show-json");
        let store = store(&dir);
        let runs = store.runs().unwrap();
        let show = |run| {
            let mut out = Vec::new();
            super::write_run_json(&mut out, &store, run).unwrap();
            String::from_utf8(out).unwrap()
        };
        let tracked = format!(r#"{{"component":{TRACKER},"values":{VALUES},"types":{TYPES}}}"#);
        let cluster = concat!(
            r#"{"component":{"id":"00000000-0000-0000-0000-0000000000c2","name":"cluster","#,
            r#""kind":"orchestrator"},"values":{"n":1},"types":{"n":"int"}}"#,
        );
        // `step n`, started `.50n`, with its `finished` and `metadata` JSON.
        let step = |n: u8, status: &str, finished: &str, metadata: &str| {
            format!(
                concat!(
                    r#"{{"id":"00000000-0000-0000-0000-00000000005{}","name":"step {} \u0001","#,
                    r#""status":"{}","started":"2026-11-29T16:12:00.50{}Z","finished":{},"#,
                    r#""metadata":[{}]}}"#,
                ),
                n + 1,
                n,
                status,
                n,
                finished,
                metadata
            )
        };
        let finished = r#""2026-11-29T16:12:40.999Z""#;
        let steps = [
            step(0, "completed", finished, &tracked),
            step(1, "failed", finished, ""),
            step(2, "running", "null", &tracked),
        ];
        assert_eq!(
            show(&runs[0]),
            format!(
                r#"{{"run":{FIRST},"pipeline_run":[{tracked},{cluster}],"steps":[{}]}}"#,
                steps.join(",")
            ) + "\n"
        );
        assert_eq!(
            show(&runs[1]),
            format!(r#"{{"run":{RUNNING},"pipeline_run":[],"steps":[]}}"#) + "\n"
        );
    }
}
