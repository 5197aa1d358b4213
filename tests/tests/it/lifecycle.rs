//! The step lifecycle ZenML runs a component through — `prepare_step_run`, the step, the step
//! hook, `cleanup_step_run` — and the step's settings, read typed by the hooks.

use run_metadata::sink::{Event, MemorySink, Status};
use run_metadata::stack::{Component, ComponentKind, RunFailure, Stack, StepSpec};
use run_metadata::{RunMetadata, StepRunInfo};
use serde::Deserialize;

/// A stand-in for a tracker's SDK: like `mlflow`, it keeps the active run itself, so the
/// component needs no state of its own for it.
mod sdk {
    use std::cell::RefCell;

    thread_local! {
        static ACTIVE: RefCell<Option<String>> = const { RefCell::new(None) };
        pub static LOG: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    }

    pub fn start_run(name: &str) {
        ACTIVE.with(|a| *a.borrow_mut() = Some(name.to_owned()));
        log(format!("start {name}"));
    }

    pub fn active_run() -> Option<String> {
        ACTIVE.with(|a| a.borrow().clone())
    }

    pub fn end_run(failed: bool) {
        ACTIVE.with(|a| *a.borrow_mut() = None);
        log(format!("end failed={failed}"));
    }

    pub fn log(line: String) {
        LOG.with(|l| l.borrow_mut().push(line));
    }
}

/// `settings={"experiment_tracker.wandb": {...}}` of a step, as W&B's tracker reads them.
#[derive(Deserialize)]
struct WandbSettings {
    run_name: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
}

/// What the active run reports.
#[derive(RunMetadata)]
#[metadata(step)]
struct ActiveRun {
    #[metadata]
    wandb_run_name: String,
    #[metadata]
    wandb_tags: Vec<String>,
}

#[derive(RunMetadata)]
#[metadata(
    step_with = Self::active_run,
    prepare_step_run = Self::prepare,
    cleanup_step_run = Self::cleanup
)]
struct Wandb {
    #[metadata(step)]
    entity: &'static str,
}

impl Wandb {
    fn prepare(&self, info: &StepRunInfo) {
        let settings: Option<WandbSettings> = info.settings("experiment_tracker.wandb").unwrap();
        let name = settings
            .and_then(|s| s.run_name)
            .unwrap_or_else(|| format!("{}_{}", info.run_name, info.pipeline_step_name));
        sdk::start_run(&name);
    }

    fn active_run(&self, info: &StepRunInfo) -> Result<Option<ActiveRun>, run_metadata::HookError> {
        sdk::log("step hook".into());
        let tags = info
            .settings::<WandbSettings>("experiment_tracker.wandb")?
            .map(|s| s.tags)
            .unwrap_or_default();
        Ok(sdk::active_run().map(|name| ActiveRun {
            wandb_run_name: name,
            wandb_tags: tags,
        }))
    }

    fn cleanup(&self, _: &StepRunInfo, step_failed: bool) {
        sdk::end_run(step_failed);
    }
}

fn stack() -> Stack {
    Stack::new("local").with(Component::new(
        ComponentKind::ExperimentTracker,
        "wandb",
        Wandb { entity: "vision" },
    ))
}

fn log() -> Vec<String> {
    sdk::LOG.with(|l| l.borrow_mut().drain(..).collect())
}

/// The statuses the steps finished with, in order.
fn finished(sink: &MemorySink) -> Vec<Status> {
    sink.events
        .iter()
        .filter_map(|e| match e {
            Event::StepFinished(s) => Some(s.status),
            _ => None,
        })
        .collect()
}

fn published(sink: &MemorySink) -> Vec<String> {
    sink.events
        .iter()
        .filter_map(|e| match e {
            Event::Published(_, _, m) => Some(m.to_json()),
            _ => None,
        })
        .collect()
}

#[test]
fn prepare_step_then_hook_then_cleanup_with_the_steps_settings() {
    log();
    let stack = stack();
    let mut sink = MemorySink::default();
    let mut run = stack.start_run(&mut sink, "training", "nightly");
    let spec = StepSpec::new("train")
        .with_experiment_tracker("wandb")
        .with_settings(
            "experiment_tracker.wandb",
            serde_json::json!({"run_name": "train-v2", "tags": ["nightly", "gpu"]}),
        );
    let trained: Result<u8, String> = run.step(&spec, || {
        sdk::log("step body".into());
        Ok(1)
    });
    assert_eq!(trained, Ok(1));
    // A step without the tracker: none of its calls.
    let _: Result<(), String> = run.step(&StepSpec::new("evaluate"), || Ok(()));
    let failed: Result<(), String> = run.step(
        &StepSpec::new("score").with_experiment_tracker("wandb"),
        || Err("diverged".into()),
    );
    assert!(failed.is_err());
    let report = run.finish();
    assert!(report.failures.is_empty(), "{:?}", report.failures);

    assert_eq!(
        log(),
        [
            "start train-v2",
            "step body",
            "step hook",
            "end failed=false",
            // `score` has no settings: the default name, and cleanup is told the step failed.
            "start nightly_score",
            "step hook",
            "end failed=true",
        ]
    );
    assert_eq!(
        published(&sink),
        [
            r#"{"entity":"vision","wandb_run_name":"train-v2","wandb_tags":["nightly","gpu"]}"#,
            r#"{"entity":"vision","wandb_run_name":"nightly_score","wandb_tags":[]}"#,
        ]
    );
}

#[test]
fn settings_that_do_not_read_fail_the_hook() {
    let stack = stack();
    let mut sink = MemorySink::default();
    let mut run = stack.start_run(&mut sink, "training", "r");
    let spec = StepSpec::new("train")
        .with_experiment_tracker("wandb")
        .with_settings(
            "experiment_tracker.wandb",
            serde_json::json!({"tags": "not a list"}),
        );
    // `prepare` reads the same settings: it panics, and the step fails before it runs.
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        run.step(&spec, || Ok::<(), String>(()))
    }));
    assert!(outcome.is_err(), "a failed preparation fails the step");
    let report = run.finish();
    let RunFailure::Prepare {
        step,
        component,
        message,
        panicked: true,
    } = &report.failures[0]
    else {
        panic!("{:?}", report.failures);
    };
    assert_eq!((step.as_str(), component.name.as_str()), ("train", "wandb"));
    assert!(message.contains("experiment_tracker.wandb"), "{message}");
    assert_eq!(finished(&sink), [Status::Failed]);
    assert!(published(&sink).is_empty());
    sdk::end_run(true);
    log();
}

#[test]
fn a_hook_reads_typed_settings_and_a_bad_one_is_its_failure() {
    let info = StepRunInfo::new(uuid::Uuid::nil(), uuid::Uuid::nil(), "r", "train")
        .with_settings("experiment_tracker.wandb", serde_json::json!({"tags": 3}));
    let err = info
        .settings::<WandbSettings>("experiment_tracker.wandb")
        .err()
        .expect("tags is not a list");
    assert!(
        err.to_string()
            .starts_with("settings \"experiment_tracker.wandb\": "),
        "{err}"
    );
    // Through the source: the hook fails, with that reason, and reports nothing.
    sdk::start_run("x");
    let w = Wandb { entity: "vision" };
    assert_eq!(w.try_step_run_metadata(&info).unwrap_err(), err);
    assert!(w.step_run_metadata(&info).is_empty());
    sdk::end_run(true);
    log();
}

/// A component whose lifecycle may fail, as `prepare_step_run = f` and `cleanup_step_run = f`
/// with `f` returning a `Result`; and another that reports on every step.
mod fallible {
    use run_metadata::{RunMetadata, StepRunInfo};

    #[derive(RunMetadata)]
    #[metadata(
        step,
        prepare_step_run = Self::open,
        cleanup_step_run = Self::close
    )]
    pub struct Tracker {
        #[metadata]
        pub experiment: &'static str,
        pub refuse_open: bool,
        pub refuse_close: bool,
    }

    impl Tracker {
        fn open(&self, info: &StepRunInfo) -> Result<(), String> {
            if self.refuse_open {
                return Err(format!("no tracker run for {}", info.pipeline_step_name));
            }
            Ok(())
        }

        fn close(&self, _: &StepRunInfo, _: bool) -> Result<(), std::io::Error> {
            if self.refuse_close {
                return Err(std::io::Error::other("the tracker run did not close"));
            }
            Ok(())
        }
    }

    #[derive(RunMetadata)]
    #[metadata(step)]
    pub struct Operator {
        #[metadata]
        pub node_pool: &'static str,
    }
}

fn fallible_stack(refuse_open: bool, refuse_close: bool) -> Stack {
    Stack::new("local")
        .with(Component::new(
            ComponentKind::StepOperator,
            "k8s",
            fallible::Operator { node_pool: "gpu" },
        ))
        .with(Component::new(
            ComponentKind::ExperimentTracker,
            "tracker",
            fallible::Tracker {
                experiment: "exp",
                refuse_open,
                refuse_close,
            },
        ))
}

/// A step that uses both components of [`fallible_stack`].
fn fallible_spec() -> StepSpec {
    StepSpec::new("train")
        .with_step_operator("k8s")
        .with_experiment_tracker("tracker")
}

// ZenML 0.98.0's `orchestrators/step_runner.py`: `self._stack.prepare_step_run(info=...)`
// (line 193) runs before the step's `try`, outside it: an exception there ends the step before
// its body, and the `finally` (line 324) — `get_step_run_metadata`, `publish_step_run_metadata`,
// `cleanup_step_run` (lines 326-335) — never runs. `Stack.prepare_step_run` (`stack/stack.py`
// line 1563) calls each active component with no `try`.
#[test]
fn a_prepare_step_run_that_fails_fails_the_step_before_its_body() {
    let stack = fallible_stack(true, false);
    let mut sink = MemorySink::default();
    let mut run = stack.start_run(&mut sink, "training", "r");
    let spec = fallible_spec();
    let mut body_ran = false;
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        run.step(&spec, || {
            body_ran = true;
            Ok::<(), String>(())
        })
    }));
    assert!(outcome.is_err(), "the step raises, as in ZenML");
    assert!(!body_ran, "the body never ran");
    let report = run.finish();
    assert_eq!(report.failures.len(), 1, "{:?}", report.failures);
    let RunFailure::Prepare {
        step,
        component,
        message,
        panicked: false,
    } = &report.failures[0]
    else {
        panic!("{:?}", report.failures);
    };
    assert_eq!(
        (step.as_str(), component.name.as_str()),
        ("train", "tracker")
    );
    assert_eq!(message, "no tracker run for train");
    assert_eq!(
        report.failures[0].to_string(),
        "experiment_tracker `tracker`'s prepare_step_run failed before step `train`, which did \
         not run: no tracker run for train"
    );
    // No step hook of any component, no cleanup; the step failed; the failure went to the sink.
    assert!(published(&sink).is_empty());
    assert_eq!(finished(&sink), [Status::Failed]);
    assert!(
        sink.events.iter().any(|e| matches!(
            e,
            Event::HookFailed(_, f) if f.hook == run_metadata::sink::Hook::PrepareStepRun
                && !f.panicked
        )),
        "{:?}",
        sink.events
    );
}

// ZenML 0.98.0's `orchestrators/step_runner.py` lines 324-335: in the `finally`, after the step
// hooks are collected and published, `self._stack.cleanup_step_run(info=..., step_failed=...)`
// is called with no `try`: its exception fails the step even after a successful body.
#[test]
fn a_cleanup_step_run_that_fails_fails_the_step_after_its_hooks() {
    let dir = run_metadata_tests::TempDir::new("lifecycle-cleanup");
    let mut store = run_metadata::store::Store::open(dir.path("runs.db")).unwrap();
    let stack = fallible_stack(false, true);
    let mut run = stack.start_run(&mut store, "training", "r");
    let spec = fallible_spec();
    let value = run.step(&spec, || Ok::<u32, String>(7));
    assert_eq!(value, Ok(7), "the body's result is the caller's");
    let run_id = run.record().id;
    let report = run.finish();
    assert!(
        matches!(
            &report.failures[..],
            [RunFailure::Cleanup { step, message, panicked: false, .. }]
                if step == "train" && message == "the tracker run did not close"
        ),
        "{:?}",
        report.failures
    );
    // The hooks reported before the cleanup; the step and the run failed; the store keeps the
    // failure, for `show`.
    let steps = store.steps(run_id).unwrap();
    assert_eq!(steps[0].status, Status::Failed);
    assert_eq!(
        store.find_run(&run_id.to_string()).unwrap().status,
        Status::Failed
    );
    let step = run_metadata::Resource::step_run(steps[0].id);
    let reported = store.metadata(step).unwrap();
    assert_eq!(
        reported.len(),
        2,
        "both components' step hooks: {reported:?}"
    );
    let failures = store.hook_failures(step).unwrap();
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].hook, run_metadata::sink::Hook::CleanupStepRun);
    assert_eq!(
        failures[0].to_string(),
        "experiment_tracker `tracker`'s cleanup_step_run failed: the tracker run did not close"
    );
}

#[test]
fn try_step_returns_a_failed_preparation_instead_of_raising_it() {
    let stack = fallible_stack(true, false);
    let mut sink = MemorySink::default();
    let mut run = stack.start_run(&mut sink, "training", "r");
    let spec = fallible_spec();
    let mut body_ran = false;
    let outcome = run.try_step(&spec, || {
        body_ran = true;
        Ok::<(), String>(())
    });
    let Err(RunFailure::Prepare {
        step,
        message,
        panicked: false,
        ..
    }) = &outcome
    else {
        panic!("{outcome:?}");
    };
    assert_eq!(
        (step.as_str(), message.as_str()),
        ("train", "no tracker run for train")
    );
    assert!(!body_ran);
    // The run goes on: the next step, which prepares nothing that fails, runs.
    let next = run.try_step(&StepSpec::new("report"), || Ok::<u8, String>(1));
    assert_eq!(next, Ok(Ok(1)));
    let report = run.finish();
    assert_eq!(report.failures.len(), 1, "{:?}", report.failures);
    assert_eq!(report.failures[0], outcome.unwrap_err());
}
