//! The step lifecycle ZenML runs a component through — `prepare_step_run`, the step, the step
//! hook, `cleanup_step_run` — and the step's settings, read typed by the hooks.

use run_metadata::sink::{Event, MemorySink, Status};
use run_metadata::stack::{Component, ComponentKind, Failure, Stack, StepSpec};
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
    let Failure::Prepare {
        step,
        component,
        message,
    } = &report.failures[0]
    else {
        panic!("{:?}", report.failures);
    };
    assert_eq!((step.as_str(), component.name.as_str()), ("train", "wandb"));
    assert!(message.contains("experiment_tracker.wandb"), "{message}");
    let finished: Vec<Status> = sink
        .events
        .iter()
        .filter_map(|e| match e {
            Event::StepFinished(s) => Some(s.status),
            _ => None,
        })
        .collect();
    assert_eq!(finished, [Status::Failed]);
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
