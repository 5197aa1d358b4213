//! Hook-time sources: values that exist only when the hook runs, declared by the type a
//! `*_with` function returns, possibly absent, possibly failing — with ZenML's rule that a
//! failing hook reports nothing for its component.

use run_metadata::sink::{Event, Hook, MemorySink};
use run_metadata::stack::{Component, ComponentKind, RunFailure, Stack, StepSpec};
use run_metadata::{
    HookError, Metadata, MetadataType, RunMetadata, SchemaEntry, StepRunInfo, Uri, metadata,
};
use uuid::Uuid;

/// What the tracker finds when the step hook runs: the state of its client.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Client {
    Active,
    NoRun,
    Unreachable,
}

/// The keys the active run gives, declared like fields.
#[derive(RunMetadata)]
#[metadata(step)]
struct ActiveRun {
    #[metadata(rename = "experiment_tracker_url", uri)]
    url: String,
    #[metadata]
    mlflow_run_id: String,
    #[metadata]
    mlflow_experiment_id: Option<String>,
}

#[derive(RunMetadata)]
#[metadata(step_with = Self::active_run)]
struct Tracker {
    #[metadata(step)]
    tracking_uri: Uri,
    client: Client,
}

impl Tracker {
    fn active_run(&self, info: &StepRunInfo) -> Result<Option<ActiveRun>, String> {
        match self.client {
            Client::Active => Ok(Some(ActiveRun {
                url: format!("{}/#/runs/{}", self.tracking_uri, info.pipeline_step_name),
                mlflow_run_id: "3f9c".into(),
                mlflow_experiment_id: None,
            })),
            Client::NoRun => Ok(None),
            Client::Unreachable => Err(format!("{} is unreachable", self.tracking_uri)),
        }
    }
}

fn tracker(client: Client) -> Tracker {
    Tracker {
        tracking_uri: Uri::new("http://mlflow:5000"),
        client,
    }
}

fn info() -> StepRunInfo {
    StepRunInfo::new(Uuid::nil(), Uuid::max(), "run", "train")
}

#[test]
fn the_schema_declares_hook_time_keys_with_tags_and_optional_flags() {
    let schema = Tracker::schema();
    let keys = crate::schema_keys(&schema.step);
    assert_eq!(
        keys,
        [
            ("tracking_uri".into(), Some(MetadataType::Uri), false),
            // The source may report nothing (an `Option`): each of its keys is optional.
            (
                "experiment_tracker_url".into(),
                Some(MetadataType::Uri),
                true
            ),
            ("mlflow_run_id".into(), Some(MetadataType::Str), true),
            ("mlflow_experiment_id".into(), Some(MetadataType::Str), true),
        ]
    );
    assert!(schema.pipeline.is_empty());
}

#[test]
fn a_source_reports_after_the_fields_in_declaration_order() {
    let m = tracker(Client::Active)
        .try_step_run_metadata(&info())
        .unwrap();
    assert_eq!(
        m.keys().collect::<Vec<_>>(),
        ["tracking_uri", "experiment_tracker_url", "mlflow_run_id"]
    );
    assert_eq!(
        m.get("experiment_tracker_url").unwrap().metadata_type(),
        MetadataType::Uri
    );
    assert_eq!(m, tracker(Client::Active).step_run_metadata(&info()));
}

#[test]
fn an_absent_source_reports_only_the_fields() {
    let m = tracker(Client::NoRun)
        .try_step_run_metadata(&info())
        .unwrap();
    assert_eq!(m.keys().collect::<Vec<_>>(), ["tracking_uri"]);
}

#[test]
fn a_failing_source_drops_the_whole_hook_field_keys_included() {
    let t = tracker(Client::Unreachable);
    let err = t.try_step_run_metadata(&info()).unwrap_err();
    assert_eq!(err, HookError::new("http://mlflow:5000 is unreachable"));
    // Called as the infallible hook: nothing, not the field keys alone.
    assert!(t.step_run_metadata(&info()).is_empty());
    // The other hook does not read the source.
    assert!(t.try_pipeline_run_metadata(Uuid::nil()).unwrap().is_empty());
}

/// A flattened value's failure is its container's.
#[derive(RunMetadata)]
struct Orchestrator {
    #[metadata(pipeline)]
    name: &'static str,
    #[metadata(flatten)]
    tracker: Tracker,
}

#[test]
fn a_flattened_failure_is_the_containers() {
    let ok = Orchestrator {
        name: "k8s",
        tracker: tracker(Client::Active),
    };
    assert_eq!(ok.try_step_run_metadata(&info()).unwrap().len(), 3);
    let failing = Orchestrator {
        name: "k8s",
        tracker: tracker(Client::Unreachable),
    };
    assert!(failing.try_step_run_metadata(&info()).is_err());
    // The pipeline hook has no failing source.
    assert_eq!(
        failing
            .try_pipeline_run_metadata(Uuid::nil())
            .unwrap()
            .len(),
        1
    );
}

/// A source whose keys are known only at run time stays `dynamic`, on purpose.
#[derive(RunMetadata)]
#[metadata(pipeline_with = labels)]
struct Labelled;

fn labels(_: &Labelled, _: Uuid) -> Metadata {
    metadata! { "team" => "vision" }
}

#[test]
fn an_open_metadata_source_is_dynamic() {
    let schema = Labelled::schema();
    assert_eq!(schema.pipeline, [SchemaEntry::dynamic("labels")]);
    assert_eq!(
        Labelled
            .try_pipeline_run_metadata(Uuid::nil())
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn the_stack_reports_the_failure_and_publishes_nothing_for_that_component() {
    let stack = Stack::new("local")
        .with(Component::new(
            ComponentKind::ExperimentTracker,
            "mlflow",
            tracker(Client::Unreachable),
        ))
        .with(Component::new(
            ComponentKind::Orchestrator,
            "k8s",
            Orchestrator {
                name: "k8s",
                tracker: tracker(Client::Active),
            },
        ));
    let mut sink = MemorySink::default();
    let mut run = stack.start_run(&mut sink, "training", "r");
    let spec = StepSpec::new("train").with_experiment_tracker("mlflow");
    run.step(&spec, || Ok::<(), ()>(())).unwrap();
    let report = run.finish();

    assert_eq!(report.failures.len(), 1, "{:?}", report.failures);
    let RunFailure::Hook(failure) = &report.failures[0] else {
        panic!("expected a hook failure: {:?}", report.failures);
    };
    assert_eq!(failure.component.name, "mlflow");
    assert_eq!(failure.hook, Hook::Step);
    assert!(!failure.panicked);
    assert_eq!(
        failure.to_string(),
        "experiment_tracker `mlflow`'s step_run_metadata failed: http://mlflow:5000 is unreachable"
    );
    let published: Vec<&str> = sink
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Published(_, c, _) => Some(c.name.as_str()),
            _ => None,
        })
        .collect();
    // The orchestrator's pipeline and step metadata; nothing of the failing tracker.
    assert_eq!(published, ["k8s", "k8s"]);
}

#[test]
fn the_store_keeps_the_failure_and_no_metadata_of_that_component() {
    use run_metadata::Resource;
    use run_metadata::store::Store;
    use run_metadata_tests::TempDir;

    let dir = TempDir::new("hook-failures");
    let mut store = Store::open(dir.path("runs.db")).unwrap();
    let stack = Stack::new("local").with(Component::new(
        ComponentKind::ExperimentTracker,
        "mlflow",
        tracker(Client::Unreachable),
    ));
    let mut run = stack.start_run(&mut store, "training", "r");
    let spec = StepSpec::new("train").with_experiment_tracker("mlflow");
    run.step(&spec, || Ok::<(), ()>(())).unwrap();
    let run_id = run.record().id;
    run.finish();

    let step = &store.steps(run_id).unwrap()[0];
    let resource = Resource::step_run(step.id);
    assert!(store.metadata(resource).unwrap().is_empty());
    let failures = store.hook_failures(resource).unwrap();
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].component.name, "mlflow");
    assert_eq!(failures[0].hook, Hook::Step);
    assert_eq!(failures[0].message, "http://mlflow:5000 is unreachable");
    assert!(!failures[0].panicked);
    // The pipeline hook did not fail: nothing recorded there.
    assert!(
        store
            .hook_failures(Resource::pipeline_run(run_id))
            .unwrap()
            .is_empty()
    );
}

/// ZenML's standard keys by their names: `rename = CONSTANT`, checked by the compiler.
#[derive(RunMetadata)]
#[metadata(pipeline)]
struct Kubeflow {
    #[metadata(uri, rename = run_metadata::zenml::keys::METADATA_ORCHESTRATOR_URL)]
    ui: String,
    #[metadata(rename = run_metadata::zenml::keys::METADATA_ORCHESTRATOR_RUN_ID)]
    run_id: String,
}

#[test]
fn keys_given_by_constants_are_the_constants() {
    let k = Kubeflow {
        ui: "https://kubeflow.example/#/runs/details/7".into(),
        run_id: "7".into(),
    };
    let m = k.pipeline_run_metadata(Uuid::nil());
    assert_eq!(
        m.keys().collect::<Vec<_>>(),
        ["orchestrator_url", "orchestrator_run_id"]
    );
    assert_eq!(
        m.get("orchestrator_url").unwrap().metadata_type(),
        MetadataType::Uri
    );
    assert_eq!(
        Kubeflow::schema().pipeline,
        [
            SchemaEntry::key("orchestrator_url", Some(MetadataType::Uri), false),
            SchemaEntry::key("orchestrator_run_id", Some(MetadataType::Str), false),
        ]
    );
}

/// `schema()` says what can happen: a `Result` source makes its hook fallible (and only its
/// hook); an `Option` source's required keys come together, all or none; an enum's variants
/// say nothing of each other's keys.
#[test]
fn the_schema_says_what_can_fail_and_what_comes_together() {
    #[derive(RunMetadata)]
    #[metadata(step)]
    struct Run {
        #[metadata]
        run_id: String,
        #[metadata]
        experiment_id: String,
        #[metadata]
        note: Option<String>,
    }

    #[derive(RunMetadata)]
    #[metadata(step_with = Self::run)]
    struct Fallible {
        #[metadata(pipeline)]
        uri: String,
    }

    impl Fallible {
        fn run(&self, _: &StepRunInfo) -> Result<Option<Run>, String> {
            Err("down".into())
        }
    }

    #[derive(RunMetadata)]
    #[metadata(step_with = Self::run)]
    struct Infallible {
        #[metadata(pipeline)]
        uri: String,
    }

    impl Infallible {
        fn run(&self, _: &StepRunInfo) -> Option<Run> {
            None
        }
    }

    let schema = Fallible::schema();
    assert!(schema.step_fallible);
    assert!(!schema.pipeline_fallible, "only the source's hook");
    let together: Vec<Option<u32>> = schema
        .step
        .iter()
        .map(|e| match e {
            SchemaEntry::Key { together, .. } => *together,
            _ => None,
        })
        .collect();
    assert!(together[0].is_some());
    assert_eq!(
        together[0], together[1],
        "run_id and experiment_id together"
    );
    assert_eq!(
        together[2], None,
        "note, optional on its own, is not tied to them"
    );
    assert_eq!(
        schema.to_string(),
        "pipeline uri: str\n\
         step run_id: str (optional, all or none with experiment_id)\n\
         step experiment_id: str (optional, all or none with run_id)\n\
         step note: str (optional)\n\
         step may fail: then it reports nothing\n"
    );
    let schema = Infallible::schema();
    assert!(
        !schema.pipeline_fallible && !schema.step_fallible,
        "an Option cannot fail"
    );
    assert!(!schema.to_string().contains("may fail"));
}
