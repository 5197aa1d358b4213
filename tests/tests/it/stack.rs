//! The stack and the run driver: which hooks run, when, how often, and what survives a panic.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use run_metadata::sink::{Event, Hook, MemorySink, Sink, SinkError, Status};
use run_metadata::stack::{Component, ComponentKind, RunFailure, Stack, StepSpec};
use run_metadata::{Metadata, RunMetadata, StepRunInfo, metadata};
use run_metadata::{Resource, ResourceType};
use uuid::Uuid;

/// Records every hook call as "name:hook:step".
#[derive(Clone)]
struct Probe {
    name: &'static str,
    calls: Arc<Mutex<Vec<String>>>,
    panic_in_step: bool,
}

impl RunMetadata for Probe {
    fn pipeline_run_metadata(&self, _: Uuid) -> Metadata {
        self.calls
            .lock()
            .unwrap()
            .push(format!("{}:pipeline", self.name));
        metadata! { "component" => self.name }
    }

    fn step_run_metadata(&self, info: &StepRunInfo) -> Metadata {
        self.calls
            .lock()
            .unwrap()
            .push(format!("{}:step:{}", self.name, info.pipeline_step_name));
        assert!(!self.panic_in_step, "{} cannot reach its server", self.name);
        metadata! { "step" => info.pipeline_step_name.clone() }
    }
}

fn stack(calls: &Arc<Mutex<Vec<String>>>, panicking: Option<&'static str>) -> Stack {
    let probe = |name| Probe {
        name,
        calls: Arc::clone(calls),
        panic_in_step: panicking == Some(name),
    };
    Stack::new("test")
        .with(Component::new(
            ComponentKind::Orchestrator,
            "orch",
            probe("orch"),
        ))
        .with(Component::new(
            ComponentKind::ExperimentTracker,
            "mlflow",
            probe("mlflow"),
        ))
        .with(Component::new(
            ComponentKind::StepOperator,
            "k8s",
            probe("k8s"),
        ))
        .with(Component::new(
            ComponentKind::ArtifactStore,
            "store",
            probe("store"),
        ))
}

fn take(calls: &Arc<Mutex<Vec<String>>>) -> Vec<String> {
    std::mem::take(&mut *calls.lock().unwrap())
}

#[test]
fn hooks_run_in_zenml_order_and_counts() {
    let calls = Arc::new(Mutex::new(Vec::new()));
    let stack = stack(&calls, None);
    let mut sink = MemorySink::default();
    let mut run = stack.start_run(&mut sink, "training", "training-1");
    // Pipeline hooks: once per component, at the start.
    assert_eq!(
        take(&calls),
        [
            "orch:pipeline",
            "mlflow:pipeline",
            "k8s:pipeline",
            "store:pipeline"
        ]
    );
    let loaded: Result<u8, String> = run.step(&StepSpec::new("load"), || {
        calls.lock().unwrap().push("body:load".into());
        Ok(1)
    });
    assert_eq!(loaded, Ok(1));
    // The step's code first, then only the components it uses.
    assert_eq!(
        take(&calls),
        ["body:load", "orch:step:load", "store:step:load"]
    );

    let trained: Result<(), String> = run.step(
        &StepSpec::new("train")
            .with_experiment_tracker("mlflow")
            .with_step_operator("k8s"),
        || Ok(()),
    );
    assert!(trained.is_ok());
    assert_eq!(
        take(&calls),
        [
            "orch:step:train",
            "mlflow:step:train",
            "k8s:step:train",
            "store:step:train"
        ]
    );

    // A tracker the stack does not have is not a tracker the step uses.
    let _: Result<(), ()> = run.step(&StepSpec::new("x").with_experiment_tracker("wandb"), || {
        Ok(())
    });
    assert_eq!(take(&calls), ["orch:step:x", "store:step:x"]);

    run.cached_step(&StepSpec::new("evaluate").with_experiment_tracker("mlflow"));
    assert!(take(&calls).is_empty(), "a cached step runs no hook");

    let report = run.finish();
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert_eq!(report.published, 4 + 2 + 4 + 2);
    let finished = sink.events.iter().find_map(|e| match e {
        Event::RunFinished(r) => Some(r.status),
        _ => None,
    });
    assert_eq!(finished, Some(Status::Completed));
}

#[test]
fn step_hooks_run_after_a_failed_step_and_its_error_is_returned() {
    let calls = Arc::new(Mutex::new(Vec::new()));
    let stack = stack(&calls, None);
    let mut sink = MemorySink::default();
    let mut run = stack.start_run(&mut sink, "training", "r");
    take(&calls);
    let out: Result<(), String> = run.step(&StepSpec::new("train"), || Err("diverged".into()));
    assert_eq!(out, Err("diverged".into()));
    assert_eq!(take(&calls), ["orch:step:train", "store:step:train"]);
    run.finish();
    let statuses: Vec<(String, Status)> = sink
        .events
        .iter()
        .filter_map(|e| match e {
            Event::StepFinished(s) => Some((s.name.clone(), s.status)),
            Event::RunFinished(r) => Some((r.name.clone(), r.status)),
            _ => None,
        })
        .collect();
    assert_eq!(
        statuses,
        [
            ("train".into(), Status::Failed),
            ("r".into(), Status::Failed)
        ]
    );
}

#[test]
fn a_panicking_step_publishes_then_resumes_the_panic() {
    let calls = Arc::new(Mutex::new(Vec::new()));
    let stack = stack(&calls, None);
    let mut sink = MemorySink::default();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut run = stack.start_run(&mut sink, "training", "r");
        let _: Result<(), ()> = run.step(&StepSpec::new("train"), || panic!("out of memory"));
        unreachable!("the step's panic resumes");
    }));
    let payload = outcome.unwrap_err();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"out of memory"));
    let calls = take(&calls);
    assert_eq!(&calls[4..], ["orch:step:train", "store:step:train"]);
    let published_for_step = sink
        .events
        .iter()
        .filter(|e| matches!(e, Event::Published(r, ..) if r.kind == ResourceType::StepRun))
        .count();
    assert_eq!(published_for_step, 2);
    assert!(sink.events.iter().any(
        |e| matches!(e, Event::StepFinished(s) if s.name == "train" && s.status == Status::Failed)
    ));
}

#[test]
fn a_panicking_hook_is_reported_and_the_others_still_publish() {
    let calls = Arc::new(Mutex::new(Vec::new()));
    let stack = stack(&calls, Some("k8s"));
    let mut sink = MemorySink::default();
    let mut run = stack.start_run(&mut sink, "training", "r");
    let out: Result<u8, ()> = run.step(&StepSpec::new("train").with_step_operator("k8s"), || Ok(3));
    assert_eq!(out, Ok(3));
    let report = run.finish();
    assert_eq!(report.failures.len(), 1);
    let RunFailure::Hook(failure) = &report.failures[0] else {
        panic!("expected a hook failure, got {:?}", report.failures[0]);
    };
    assert_eq!(failure.component.name, "k8s");
    assert_eq!(failure.component.kind, ComponentKind::StepOperator);
    assert_eq!(failure.hook, Hook::Step);
    assert_eq!(failure.message, "k8s cannot reach its server");
    assert_eq!(
        report.failures[0].to_string(),
        "step_operator `k8s`'s step_run_metadata panicked: k8s cannot reach its server"
    );
    let step_publishers: Vec<String> = sink
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Published(r, c, _) if r.kind == ResourceType::StepRun => Some(c.name.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(step_publishers, ["orch", "store"]);
}

#[derive(RunMetadata)]
struct Quiet {
    #[metadata(step)]
    note: Option<String>,
}

#[test]
fn empty_metadata_is_not_published() {
    let stack = Stack::new("s").with(Component::new(
        ComponentKind::Orchestrator,
        "quiet",
        Quiet { note: None },
    ));
    let mut sink = MemorySink::default();
    let mut run = stack.start_run(&mut sink, "p", "r");
    let _: Result<(), ()> = run.step(&StepSpec::new("a"), || Ok(()));
    assert_eq!(run.finish().published, 0);
    assert!(
        !sink
            .events
            .iter()
            .any(|e| matches!(e, Event::Published(..)))
    );
}

/// A sink that refuses every publish.
struct Refusing(AtomicUsize);

impl Sink for Refusing {
    fn publish(
        &mut self,
        _: Resource,
        _: &run_metadata::stack::ComponentInfo,
        _: &Metadata,
    ) -> Result<(), SinkError> {
        self.0.fetch_add(1, Ordering::Relaxed);
        Err(SinkError::new("server unavailable"))
    }
}

#[test]
fn sink_errors_are_reported_not_dropped() {
    let calls = Arc::new(Mutex::new(Vec::new()));
    let stack = stack(&calls, None);
    let mut sink = Refusing(AtomicUsize::new(0));
    let run = stack.start_run(&mut sink, "p", "r");
    let report = run.finish();
    assert_eq!(report.published, 0);
    assert_eq!(report.failures.len(), 4);
    assert!(
        report.failures[0]
            .to_string()
            .contains("server unavailable")
    );
    assert_eq!(sink.0.load(Ordering::Relaxed), 4);
}

#[test]
fn step_hooks_are_told_the_run_and_step() {
    let seen = Arc::new(Mutex::new(None));
    struct Spy(Arc<Mutex<Option<StepRunInfo>>>);
    impl RunMetadata for Spy {
        fn step_run_metadata(&self, info: &StepRunInfo) -> Metadata {
            *self.0.lock().unwrap() = Some(info.clone());
            Metadata::new()
        }
    }
    let stack = Stack::new("s").with(Component::new(
        ComponentKind::Orchestrator,
        "o",
        Spy(Arc::clone(&seen)),
    ));
    let mut sink = MemorySink::default();
    let mut run = stack.start_run(&mut sink, "training", "training-7");
    let run_id = run.record().id;
    let _: Result<(), ()> = run.step(&StepSpec::new("train"), || Ok(()));
    let info = seen.lock().unwrap().clone().unwrap();
    assert_eq!(info.run_id, run_id);
    assert_eq!(info.run_name, "training-7");
    assert_eq!(info.pipeline_name, "training");
    assert_eq!(info.pipeline_step_name, "train");
    let step_id = sink.events.iter().find_map(|e| match e {
        Event::StepStarted(s) => Some(s.id),
        _ => None,
    });
    assert_eq!(Some(info.step_run_id), step_id);
}

// Settings, as ZenML's `StackComponent.get_settings` resolves them (stack/stack_component.py):
// the component's config, updated with the step's (or run's) settings under "{type}:{name}",
// else "{type}.{flavor}"; a step's settings are the run's, recursively updated with the step's
// own, a `None` leaving the run's value (config/step_configurations.py,
// `_apply_pipeline_configuration`).

mod settings {
    use std::sync::{Arc, Mutex};

    use run_metadata::sink::{Hook, MemorySink};
    use run_metadata::stack::{Component, ComponentKind, RunFailure, RunSpec, Stack, StepSpec};
    use run_metadata::{ComponentRef, HookError, PipelineRunInfo, RunMetadata, StepRunInfo};
    use serde::{Deserialize, Serialize};
    use serde_json::json;
    use uuid::Uuid;

    #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
    #[serde(default)]
    struct TrackerSettings {
        run_name: Option<String>,
        tags: Vec<String>,
        timeout: u32,
    }

    /// What each hook and lifecycle call resolved, in order.
    type Seen = Arc<Mutex<Vec<(String, TrackerSettings)>>>;

    /// Records the settings each hook and lifecycle call resolved.
    #[derive(RunMetadata)]
    #[metadata(
        pipeline_with = Self::on_run,
        step_with = Self::on_step,
        prepare_step_run = Self::prepare,
        cleanup_step_run = Self::cleanup
    )]
    struct Tracker {
        #[metadata(settings)]
        configured: TrackerSettings,
        seen: Seen,
    }

    #[derive(RunMetadata)]
    #[metadata(pipeline, step)]
    struct Named {
        #[metadata]
        run_name: Option<String>,
    }

    impl Tracker {
        fn new(configured: TrackerSettings) -> (Self, Seen) {
            let seen = Arc::new(Mutex::new(Vec::new()));
            let tracker = Self {
                configured,
                seen: Arc::clone(&seen),
            };
            (tracker, seen)
        }

        fn note(&self, what: &str, s: &TrackerSettings) {
            self.seen.lock().unwrap().push((what.to_owned(), s.clone()));
        }

        fn on_run(&self, run: &PipelineRunInfo) -> Result<Named, HookError> {
            let s = run.settings_of(self)?;
            self.note("pipeline", &s);
            Ok(Named {
                run_name: s.run_name,
            })
        }

        fn on_step(&self, info: &StepRunInfo) -> Result<Named, HookError> {
            let s = info.settings_of(self)?;
            self.note("step", &s);
            Ok(Named {
                run_name: s.run_name,
            })
        }

        fn prepare(&self, info: &StepRunInfo) -> Result<(), HookError> {
            let s = info.settings_of(self)?;
            self.note("prepare", &s);
            Ok(())
        }

        fn cleanup(&self, info: &StepRunInfo, _: bool) -> Result<(), HookError> {
            let s = info.settings_of(self)?;
            self.note("cleanup", &s);
            Ok(())
        }
    }

    fn configured() -> TrackerSettings {
        TrackerSettings {
            run_name: Some("configured".into()),
            tags: vec!["cfg".into()],
            timeout: 60,
        }
    }

    fn stack_of(tracker: Tracker) -> Stack {
        Stack::new("s").with(
            Component::new(ComponentKind::ExperimentTracker, "tracker", tracker)
                .with_flavor("wandb"),
        )
    }

    #[test]
    fn the_key_with_the_components_name_wins_over_its_flavors_and_updates_the_configuration() {
        let (tracker, seen) = Tracker::new(configured());
        let stack = stack_of(tracker);
        let mut sink = MemorySink::default();
        let mut run = stack.start_run(&mut sink, "p", "r");
        let step = StepSpec::new("train")
            .with_experiment_tracker("tracker")
            .with_settings("experiment_tracker.wandb", json!({"run_name": "by-flavor"}))
            .with_settings("experiment_tracker:tracker", json!({"tags": ["by-name"]}));
        run.step(&step, || Ok::<(), String>(())).unwrap();
        let report = run.finish();
        assert!(report.failures.is_empty(), "{:?}", report.failures);
        let by_name = TrackerSettings {
            tags: vec!["by-name".into()],
            ..configured()
        };
        // The pipeline hook has no run settings: the configuration as it is. Each step call
        // resolves the step's: only the key with the name counts, and it updates the
        // configuration field by field.
        assert_eq!(
            *seen.lock().unwrap(),
            [
                ("pipeline".to_owned(), configured()),
                ("prepare".to_owned(), by_name.clone()),
                ("step".to_owned(), by_name.clone()),
                ("cleanup".to_owned(), by_name),
            ]
        );
    }

    #[test]
    fn run_settings_reach_the_pipeline_hook_and_lie_under_each_steps() {
        let (tracker, seen) = Tracker::new(configured());
        let stack = stack_of(tracker);
        let mut sink = MemorySink::default();
        let spec = RunSpec::new("p").named("r").with_settings(
            "experiment_tracker.wandb",
            json!({"run_name": "from-run", "timeout": 5}),
        );
        let mut run = stack.start_run_with(&mut sink, spec);
        // The step's `null` keeps the run's run name; its timeout replaces the run's.
        let step = StepSpec::new("train")
            .with_experiment_tracker("tracker")
            .with_settings(
                "experiment_tracker.wandb",
                json!({"run_name": null, "timeout": 9}),
            );
        run.step(&step, || Ok::<(), String>(())).unwrap();
        assert!(run.finish().failures.is_empty());
        let seen = seen.lock().unwrap();
        let from_run = TrackerSettings {
            run_name: Some("from-run".into()),
            timeout: 5,
            ..configured()
        };
        assert_eq!(seen[0], ("pipeline".to_owned(), from_run.clone()));
        assert_eq!(
            seen[2],
            (
                "step".to_owned(),
                TrackerSettings {
                    timeout: 9,
                    ..from_run
                }
            )
        );
        // What the hooks reported came from the resolved settings.
        let reported: Vec<String> = sink
            .events
            .iter()
            .filter_map(|e| match e {
                run_metadata::sink::Event::Published(_, _, m) => {
                    Some(m.get("run_name").unwrap().to_string())
                }
                _ => None,
            })
            .collect();
        assert_eq!(reported, ["from-run", "from-run"]);
    }

    #[test]
    fn settings_that_do_not_read_fail_that_hook_naming_the_component_and_key() {
        let (tracker, _) = Tracker::new(configured());
        let stack = stack_of(tracker);
        let mut sink = MemorySink::default();
        let spec = RunSpec::new("p")
            .named("r")
            .with_settings("experiment_tracker:tracker", json!({"timeout": "soon"}));
        let run = stack.start_run_with(&mut sink, spec);
        let report = run.finish();
        let [RunFailure::Hook(failure)] = report.failures.as_slice() else {
            panic!("one hook failure: {:?}", report.failures);
        };
        assert_eq!(failure.hook, Hook::Pipeline);
        assert!(!failure.panicked);
        assert!(
            failure.message.starts_with(
                "experiment_tracker `tracker` (wandb)'s settings under \
                 \"experiment_tracker:tracker\" do not read as "
            ) && failure
                .message
                .contains("invalid type: string \"soon\", expected u32"),
            "{}",
            failure.message
        );
        assert_eq!(report.published, 0);
    }

    #[test]
    fn a_preparation_whose_settings_do_not_read_fails_the_step_before_it_runs() {
        let (tracker, _) = Tracker::new(configured());
        let stack = stack_of(tracker);
        let mut sink = MemorySink::default();
        let mut run = stack.start_run(&mut sink, "p", "r");
        let step = StepSpec::new("train")
            .with_experiment_tracker("tracker")
            .with_settings("experiment_tracker.wandb", json!(["not", "an", "object"]));
        let mut ran = false;
        let outcome = run.try_step(&step, || {
            ran = true;
            Ok::<(), String>(())
        });
        let Err(RunFailure::Prepare { message, .. }) = outcome else {
            panic!("the preparation fails: {outcome:?}");
        };
        assert!(!ran);
        assert_eq!(
            message,
            "experiment_tracker `tracker` (wandb)'s settings under \"experiment_tracker.wandb\" \
             are an array, not a JSON object"
        );
    }

    #[test]
    fn outside_a_stack_settings_resolve_only_for_a_named_component() {
        let (tracker, _) = Tracker::new(configured());
        let bare = StepRunInfo::new(Uuid::nil(), Uuid::nil(), "r", "train");
        assert_eq!(bare.settings_of(&tracker).unwrap(), configured());
        let with = bare.with_settings("experiment_tracker.wandb", json!({"timeout": 1}));
        let e = with.settings_of(&tracker).unwrap_err();
        assert!(
            e.message().contains("no component is named"),
            "{}",
            e.message()
        );
        let named = with.with_component(ComponentRef::new(
            ComponentKind::ExperimentTracker,
            "t",
            "wandb",
        ));
        assert_eq!(named.settings_of(&tracker).unwrap().timeout, 1);
    }
}
