//! The stack and the run driver: which hooks run, when, how often, and what survives a panic.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use run_metadata::sink::{Event, Hook, MemorySink, Sink, SinkError, Status};
use run_metadata::stack::{Component, ComponentKind, Failure, Stack, StepSpec};
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
    let Failure::Hook(failure) = &report.failures[0] else {
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
