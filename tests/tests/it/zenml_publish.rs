//! Publishing to a real ZenML server, as the quickstart does: runs named by time can be run any
//! number of times; a run made while the server is away is kept whole and delivered later, with
//! its times, to the same server at another port; a status the server already has counts as
//! delivered; what the server refuses is parked, not sent again; and the dashboard gets the
//! step graph and the stack that reported.

use std::process::Command;
use std::time::{Duration, UNIX_EPOCH};

use run_metadata::sink::Status;
use run_metadata::stack::{Component, ComponentKind, Stack, StepSpec};
use run_metadata::store::Store;
use run_metadata::zenml::{
    Client, Config, KeptStatus, Outbox, PlannedStep, SyncOptions, ZenmlSink, sync_with,
};
use run_metadata::{Resource, RunMetadata, StorageSize, Uri, metadata};
use run_metadata_tests::{OwnServer, TempDir, live_server, zenml_python};
use uuid::Uuid;

#[derive(RunMetadata)]
struct Orchestrator {
    #[metadata(pipeline, uri)]
    console: String,
    #[metadata(step)]
    pool: &'static str,
}

#[derive(RunMetadata)]
#[metadata(step)]
struct ArtifactStore {
    #[metadata(storage_size)]
    written: u64,
}

fn stack() -> Stack {
    Stack::new("publish-stack")
        .with(Component::new(
            ComponentKind::Orchestrator,
            "publish-orchestrator",
            Orchestrator {
                console: "https://console.example".into(),
                pool: "gpu",
            },
        ))
        .with(Component::new(
            ComponentKind::ArtifactStore,
            "publish-artifacts",
            ArtifactStore { written: 4096 },
        ))
}

const STEPS: [&str; 3] = ["load", "train", "evaluate"];

fn config(url: &str) -> Config {
    crate::default_user(url)
        .with_timeouts(Duration::from_secs(2), Duration::from_secs(20))
        .with_retries(1, Duration::from_millis(50))
}

/// Runs the three-step chain on `stack` into a ZenML sink for `url`; the run's id (the
/// server's, once it registered it) and its report.
fn run(store: Store, url: &str, stack: &Stack) -> (Store, Uuid, run_metadata::stack::RunReport) {
    let plan = [
        PlannedStep::new(STEPS[0]),
        PlannedStep::new(STEPS[1]).after([STEPS[0]]),
        PlannedStep::new(STEPS[2]).after([STEPS[1]]),
    ];
    let mut sink = ZenmlSink::new(Client::new(config(url)), store)
        .unwrap()
        .with_steps(plan)
        .with_stack(stack);
    let mut run = stack.start_run_named_by_time(&mut sink, "publishing");
    for step in STEPS {
        run.step(&StepSpec::new(step), || Ok::<(), String>(()))
            .unwrap();
    }
    let id = run.record().id;
    let report = run.finish();
    // The server's id once it registered the run (beside the run), else the run's own.
    let id = sink.id_now(id).unwrap();
    let store = Store::open(sink.store().path()).unwrap();
    (store, id, report)
}

/// ZenML's own client's view of run `id`: stack, components, steps with upstreams and times.
fn zenml_view(python: &std::path::Path, url: &str, id: Uuid) -> serde_json::Value {
    let script = format!(
        r#"
import json
from zenml.client import Client
r = Client().get_pipeline_run("{id}")
snap = r.snapshot
print(json.dumps({{
    "stack": r.stack.name if r.stack else None,
    "components": sorted(str(k.value) for k in (r.stack.components if r.stack else {{}})),
    "upstream": {{n: s.spec.upstream_steps for n, s in snap.step_configurations.items()}},
    "status": str(r.status.value),
    "start": r.start_time.isoformat(),
    "end": r.end_time.isoformat() if r.end_time else None,
    "steps": {{n: [s.start_time.isoformat(), s.end_time.isoformat() if s.end_time else None,
                  str(s.status.value)] for n, s in r.steps.items()}},
}}))
"#
    );
    // ZenML's client writes its configuration: into a folder of this test's, never the user's.
    let config = run_metadata_tests::TempDir::new("zenml-publish-config");
    let out = Command::new(python)
        .args(["-c", &script])
        .env("ZENML_CONFIG_PATH", config.path("zenml"))
        .env("ZENML_STORE_URL", url)
        .env("ZENML_STORE_USERNAME", "default")
        .env("ZENML_STORE_PASSWORD", "")
        .env("ZENML_ANALYTICS_OPT_IN", "false")
        .env("ZENML_LOGGING_VERBOSITY", "ERROR")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ZenML's client failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().last().unwrap_or_default();
    serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// A local time as ZenML's ISO form, to the millisecond the store keeps.
fn iso_ms(t: std::time::SystemTime) -> String {
    let iso = run_metadata::time::Utc::from(t).iso8601();
    iso[..23].to_owned()
}

#[test]
fn publishing_is_rerunnable_offline_first_and_whole() {
    if live_server("publishing_is_rerunnable_offline_first_and_whole").is_none() {
        return;
    }
    let Some(python) = zenml_python("publishing_is_rerunnable_offline_first_and_whole") else {
        return;
    };
    let (server, url) = OwnServer::start("zenml-server-publish");
    let dir = TempDir::new("zenml-publish");
    let stack = stack();
    let mut store = Store::open(dir.path("runs.db")).unwrap();

    // Three runs in a row: three names of their own, nothing refused, nothing kept.
    let mut ids = Vec::new();
    for _ in 0..3 {
        let (s, id, report) = run(store, &url, &stack);
        store = s;
        assert!(report.failures.is_empty(), "{:?}", report.failures);
        ids.push(id);
    }
    let names: std::collections::BTreeSet<String> =
        store.runs().unwrap().into_iter().map(|r| r.name).collect();
    assert_eq!(names.len(), 3, "{names:?}");
    let view = zenml_view(&python, &url, ids[2]);
    assert_eq!(view["stack"], "publish-stack", "{view}");
    assert_eq!(
        view["components"],
        serde_json::json!(["artifact_store", "orchestrator"])
    );
    assert_eq!(view["upstream"]["load"], serde_json::json!([]));
    assert_eq!(view["upstream"]["train"], serde_json::json!(["load"]));
    assert_eq!(view["upstream"]["evaluate"], serde_json::json!(["train"]));

    // A name the server has: refused once, clearly; the run is recorded locally all the same,
    // and parked with its step, nothing of it sent.
    let taken = store.find_run(&ids[0].to_string()).unwrap().name;
    let mut sink = ZenmlSink::new(Client::new(config(&url)), store)
        .unwrap()
        .with_steps(STEPS)
        .with_stack(&stack);
    let mut again = stack.start_run(&mut sink, "publishing", taken.clone());
    again
        .step(&StepSpec::new(STEPS[0]), || Ok::<(), String>(()))
        .unwrap();
    let local_again = again.record().id;
    let report = again.finish();
    assert_eq!(report.failures.len(), 1, "{:?}", report.failures);
    let said = report.failures[0].to_string();
    assert!(
        said.contains("already exists") && said.contains("parked in the outbox"),
        "{said}"
    );
    let kept = sink.kept().unwrap();
    assert_eq!(kept.total(), 0, "{kept:?}");
    // The run, its step, the step's metadata, the run's and the step's ends in their records.
    assert!(kept.refused >= 3, "{kept:?}");
    let refused_before = kept.refused;
    store = Store::open(sink.store().path()).unwrap();
    assert_eq!(store.steps(local_again).unwrap().len(), 1);

    // The server stops; a run goes on, recorded locally and kept whole.
    server.script("stop");
    let (s, local_id, report) = run(store, &url, &stack);
    store = s;
    assert_eq!(
        report.failures.len(),
        1,
        "one report, for the run: {:?}",
        report.failures
    );
    assert!(
        report.failures[0]
            .to_string()
            .contains("kept in the outbox")
    );
    let mut client = Client::new(config(&url));
    let outbox = Outbox::of(&mut client, &mut store).unwrap();
    assert!(
        Uuid::parse_str(outbox.server()).is_ok(),
        "kept for the server's id, known from before: {}",
        outbox.server()
    );
    let kept = outbox.count(&store).unwrap();
    assert_eq!((kept.runs, kept.steps), (1, 3), "{kept:?}");
    assert!(kept.metadata >= 4, "{kept:?}");
    let local_run = store.find_run(&local_id.to_string()).unwrap();
    let local_steps = store.steps(local_id).unwrap();

    // Back on another port: sync delivers it all, once, with the times it has.
    let moved = server.script("start");
    let mut client = Client::new(config(&moved));
    let report = sync_with(&mut client, &mut store, SyncOptions::default()).unwrap();
    assert!(report.refused.is_empty(), "{report:?}");
    assert_eq!(report.untried, 0, "{report:?}");
    assert_eq!((report.took.runs, report.took.steps), (1, 3), "{report:?}");
    assert_eq!(report.took.metadata, kept.metadata, "{report:?}");
    // The run's final status; its steps are registered finished, with theirs.
    assert_eq!(report.took.statuses, 1, "{report:?}");
    assert_eq!(
        Outbox::of(&mut client, &mut store)
            .unwrap()
            .count(&store)
            .unwrap()
            .total(),
        0
    );
    let again = sync_with(&mut client, &mut store, SyncOptions::default()).unwrap();
    assert_eq!(
        again.took.metadata + again.took.runs + again.took.steps,
        0,
        "once"
    );

    // The run has the server's id locally now, and the server has what was recorded.
    let delivered = store.find_run(&local_run.name).unwrap();
    assert_ne!(delivered.id, local_id);
    let view = zenml_view(&python, &moved, delivered.id);
    assert_eq!(view["status"], "completed", "{view}");
    assert_eq!(
        view["start"].as_str().unwrap()[..23],
        iso_ms(local_run.started)
    );
    assert_eq!(
        view["end"].as_str().unwrap()[..23],
        iso_ms(local_run.finished.unwrap())
    );
    for step in &local_steps {
        let on_server = &view["steps"][&step.name];
        assert_eq!(
            on_server[0].as_str().unwrap()[..23],
            iso_ms(step.started),
            "{view}"
        );
        assert_eq!(
            on_server[1].as_str().unwrap()[..23],
            iso_ms(step.finished.unwrap()),
            "{view}"
        );
        assert_eq!(on_server[2], "completed", "{view}");
    }
    for step in store.steps(delivered.id).unwrap() {
        let on_server = client.read_metadata(Resource::step_run(step.id)).unwrap();
        let local = store.metadata(Resource::step_run(step.id)).unwrap();
        assert_eq!(
            on_server.len(),
            local.len(),
            "every value, once: {}",
            step.name
        );
    }

    // A final status the server already has: delivered, not refused.
    let finished = store.steps(delivered.id).unwrap()[0].clone();
    let outbox = Outbox::of(&mut client, &mut store).unwrap();
    outbox
        .keep_status(
            &mut store,
            KeptStatus {
                resource: Resource::step_run(finished.id),
                status: Status::Completed,
                finished: finished.finished.unwrap_or(UNIX_EPOCH),
            },
        )
        .unwrap();
    let report = sync_with(&mut client, &mut store, SyncOptions::default()).unwrap();
    assert_eq!(report.took.statuses, 1, "{report:?}");
    assert!(report.refused.is_empty(), "{report:?}");

    // A refusal (metadata for a step the server does not know): parked, not sent again.
    outbox
        .keep_metadata(
            &mut store,
            Resource::step_run(Uuid::new_v4()),
            None,
            &metadata! { "size" => StorageSize::new(1), "link" => Uri::new("https://x.example") },
        )
        .unwrap();
    let report = sync_with(&mut client, &mut store, SyncOptions::default()).unwrap();
    assert_eq!(report.refused.len(), 1, "{report:?}");
    let counted = outbox.count(&store).unwrap();
    assert_eq!(
        (counted.metadata, counted.refused),
        (0, refused_before + 1),
        "{counted:?}"
    );
    // The next run's publishes do not send it again.
    let (s, _, report) = run(store, &moved, &stack);
    store = s;
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    let parked = outbox.metadata(&store, true).unwrap();
    assert_eq!(parked.len(), 1);
    assert_eq!(
        parked[0].attempts, 1,
        "tried once, by the sync that parked it"
    );
    assert_eq!(outbox.parked(&store).unwrap().len(), refused_before + 1);
    // Asked to, a sync sends it again (refused again: it stays parked).
    let retried = sync_with(
        &mut client,
        &mut store,
        SyncOptions::default().retry_refused(),
    )
    .unwrap();
    // The run whose name is taken, refused again, and the metadata; what is behind the run
    // waits for it.
    assert_eq!(retried.refused.len(), 2, "{retried:?}");
    assert_eq!(outbox.metadata(&store, true).unwrap()[0].attempts, 2);
}
