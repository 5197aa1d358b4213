//! A runner of the exactly-once tests, one process each:
//!
//! - `zenml_runner run STORE URL PASSWORD`: one pipeline run (three steps, an orchestrator and
//!   an artifact store and an experiment tracker of the same names in every runner, so that a fleet races to register
//!   them) recorded in STORE and published to the ZenML server at URL as user `default`.
//! - `zenml_runner run-and-die STORE URL PASSWORD`: the same run, the process killed (SIGABRT,
//!   nothing unwound) right after its last step, before the run ends.
//! - `zenml_runner sync STORE URL PASSWORD`: one sync of STORE's outbox.
//!
//! The sink delivers as `RUN_METADATA_DELIVERY` says (in the background by default).
//!
//! With `ZENML_RUNNER_GATE` set, it waits for a line on standard input before it starts.
//! Prints one line, `kept N refused M` (what the outbox keeps for that server after it), and
//! exits 0 unless the store fails.

use std::time::Duration;

use run_metadata::stack::{Component, ComponentKind, Stack, StepSpec};
use run_metadata::store::Store;
use run_metadata::zenml::{
    Auth, Client, Config, Delivery, PlannedStep, SyncOptions, ZenmlSink, sync_with,
};
use run_metadata::{RunMetadata, Secret, StepRunInfo, Uri};

#[derive(RunMetadata)]
#[metadata(pipeline_with = Orchestrator::run_url)]
struct Orchestrator {
    #[metadata(pipeline, uri)]
    console: &'static str,
    #[metadata(pipeline)]
    node_pool: &'static str,
}

impl Orchestrator {
    fn run_url(&self, run: uuid::Uuid) -> run_metadata::Metadata {
        run_metadata::metadata! { "orchestrator_url" => Uri::new(format!("{}/runs/{run}", self.console)) }
    }
}

#[derive(RunMetadata)]
#[metadata(step_with = Tracker::for_step)]
struct Tracker {
    #[metadata(step)]
    experiment: &'static str,
}

impl Tracker {
    fn for_step(&self, info: &StepRunInfo) -> run_metadata::Metadata {
        run_metadata::metadata! {
            "tracker_run" => format!("{}-{}", self.experiment, info.pipeline_step_name),
            "epoch_loss" => 0.25,
        }
    }
}

#[derive(RunMetadata)]
struct Artifacts {
    #[metadata(pipeline, path)]
    root: &'static str,
}

const STEPS: [&str; 3] = ["load", "train", "evaluate"];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mode, store, url, password] = &args[..] else {
        eprintln!("usage: zenml_runner run|run-and-die|sync STORE URL PASSWORD");
        std::process::exit(2);
    };
    // A test that must know this process's id before its first request (to kill it at request
    // N) lets it go with a line on standard input.
    if std::env::var_os("ZENML_RUNNER_GATE").is_some() {
        let mut line = String::new();
        let _ = std::io::stdin().read_line(&mut line);
    }
    let config = Config::new(
        url,
        Auth::Password {
            username: "default".into(),
            password: Secret::new(password.clone()),
        },
    )
    .with_timeouts(Duration::from_secs(2), Duration::from_secs(30))
    .with_retries(1, Duration::from_millis(20))
    .with_delivery(Delivery::from_vars(|name| std::env::var(name).ok()).expect("a delivery"));
    let mut store = Store::open(store).expect("the store opens");
    let mut client = Client::new(config);
    match mode.as_str() {
        "run" | "run-and-die" => {
            let stack = Stack::new("fleet")
                .with(Component::new(
                    ComponentKind::Orchestrator,
                    "fleet-orchestrator",
                    Orchestrator {
                        console: "https://console.example",
                        node_pool: "gpu",
                    },
                ))
                .with(Component::new(
                    ComponentKind::ArtifactStore,
                    "fleet-artifacts",
                    Artifacts {
                        root: "/data/fleet",
                    },
                ))
                .with(Component::new(
                    ComponentKind::ExperimentTracker,
                    "fleet-tracker",
                    Tracker { experiment: "exp" },
                ));
            let plan = [
                PlannedStep::new(STEPS[0]),
                PlannedStep::new(STEPS[1]).after([STEPS[0]]),
                PlannedStep::new(STEPS[2]).after([STEPS[1]]),
            ];
            let mut sink = ZenmlSink::new(client, store)
                .expect("the sink opens")
                .with_steps(plan)
                .with_stack(&stack);
            let name = format!("fleet-{}", uuid::Uuid::new_v4());
            let mut run = stack.start_run(&mut sink, "fleet", name);
            for step in STEPS {
                let spec = StepSpec::new(step).with_experiment_tracker("fleet-tracker");
                let _: Result<(), String> = run.step(&spec, || Ok(()));
            }
            if mode == "run-and-die" {
                std::process::abort();
            }
            let report = run.finish();
            for failure in &report.failures {
                eprintln!("{failure}");
            }
            let kept = sink.kept().expect("the outbox counts");
            println!("kept {} refused {}", kept.total(), kept.refused);
        }
        "sync" => {
            let report = sync_with(&mut client, &mut store, SyncOptions::default())
                .expect("the store works");
            eprintln!("{report:?}");
            let outbox =
                run_metadata::zenml::Outbox::of(&mut client, &mut store).expect("the store works");
            let kept = outbox.count(&store).expect("the outbox counts");
            println!("kept {} refused {}", kept.total(), kept.refused);
        }
        other => {
            eprintln!("unknown mode {other}");
            std::process::exit(2);
        }
    }
}
