//! The ZenML server stopped in the middle of a run: publishes are retried, then kept in the
//! store's outbox, and sent once, in order, by a sync after the server is back.

use std::time::{Duration, SystemTime};

use run_metadata::Resource;
use run_metadata::sink::{Sink, Status};
use run_metadata::stack::{Component, ComponentInfo, ComponentKind, Stack, StepSpec};
use run_metadata::store::Store;
use run_metadata::zenml::{Client, Delivery, ZenmlSink};
use run_metadata::{RunMetadata, metadata};
use run_metadata_tests::{OwnServer, TempDir, live_server};
use uuid::Uuid;

#[test]
fn a_server_stopped_in_the_middle_loses_nothing() {
    // The shared server tells that the venv is there; this test starts its own.
    if live_server("a_server_stopped_in_the_middle").is_none() {
        return;
    }
    let (server, url) = OwnServer::start("zenml-server-faults");
    let config = crate::default_user(&url)
        .with_timeouts(Duration::from_secs(1), Duration::from_secs(10))
        .with_retries(2, Duration::from_millis(50))
        // Each publish says at once what became of it.
        .with_delivery(Delivery::Synchronous);
    let mut client = Client::connect(config).unwrap();
    let run = client
        .create_run(
            "rust-faults",
            &format!("faults-{}", Uuid::new_v4()),
            &["train".into()],
            SystemTime::now(),
            None,
            None,
        )
        .unwrap();
    let step = client
        .create_step(run, "train", Status::Running, SystemTime::now(), None)
        .unwrap();

    let dir = TempDir::new("zenml-faults");
    let store = Store::open(dir.path("runs.db")).unwrap();
    let mut sink = ZenmlSink::new(client, store).unwrap();
    let tracker = ComponentInfo {
        id: Uuid::new_v4(),
        name: "rust-faults-tracker".into(),
        kind: ComponentKind::ExperimentTracker,
    };
    let target = Resource::step_run(step);
    sink.publish(
        target,
        &tracker,
        &metadata! { "epoch_1" => 0.5, "shared" => "first" },
    )
    .unwrap();

    server.script("stop");
    let started = std::time::Instant::now();
    let err = sink
        .publish(
            target,
            &tracker,
            &metadata! { "epoch_2" => 0.25, "shared" => "second" },
        )
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("could not be reached in 3 attempts"),
        "{err}"
    );
    assert!(err.to_string().contains("kept in the outbox"), "{err}");
    assert!(
        started.elapsed() >= Duration::from_millis(150),
        "two backoffs were waited"
    );
    // Behind the first kept entry, even before trying the server.
    let err = sink
        .publish(
            target,
            &tracker,
            &metadata! { "epoch_3" => 0.125, "shared" => "third" },
        )
        .unwrap_err();
    assert!(err.to_string().contains("kept in the outbox"), "{err}");
    assert_eq!(sink.kept().unwrap().total(), 2);
    // Everything is in the local record all the same.
    assert_eq!(sink.store().metadata(target).unwrap().len(), 4);

    server.script("restart");
    let report = sink.sync().unwrap();
    assert_eq!((report.took.metadata, report.untried), (2, 0), "{report:?}");
    assert!(report.refused.is_empty(), "{report:?}");
    assert_eq!(sink.kept().unwrap().total(), 0);
    assert_eq!(sink.sync().unwrap().took.metadata, 0, "sent once");

    // Every value once, the newest `shared` winning, as ZenML reads them.
    let read = sink.client().read_metadata(target).unwrap();
    let mut pairs: Vec<(String, String)> = read
        .iter()
        .map(|(k, v)| (k.to_owned(), v.to_json()))
        .collect();
    pairs.sort();
    assert_eq!(
        pairs,
        [
            ("epoch_1".to_owned(), "0.5".to_owned()),
            ("epoch_2".to_owned(), "0.25".to_owned()),
            ("epoch_3".to_owned(), "0.125".to_owned()),
            ("shared".to_owned(), "\"third\"".to_owned()),
        ]
    );

    // A standalone run whose second step starts while the server is away.
    let run_dir = TempDir::new("zenml-faults-run");
    let store = Store::open(run_dir.path("runs.db")).unwrap();
    let client = Client::connect(
        crate::default_user(&url)
            .with_timeouts(Duration::from_secs(1), Duration::from_secs(10))
            .with_retries(1, Duration::from_millis(50))
            .with_delivery(Delivery::Synchronous),
    )
    .unwrap();
    let mut sink = ZenmlSink::new(client, store)
        .unwrap()
        .with_steps(["train", "evaluate"]);
    let stack = Stack::new("default").with(Component::new(
        ComponentKind::ArtifactStore,
        "rust-faults-store",
        Written { bytes: 4096 },
    ));
    let mut run = stack.start_run(
        &mut sink,
        "rust-faults",
        format!("faults-run-{}", Uuid::new_v4()),
    );
    let run_id = run.record().id;
    let _: Result<(), String> = run.step(&StepSpec::new("train"), || Ok(()));
    server.script("stop");
    let _: Result<(), String> = run.step(&StepSpec::new("evaluate"), || Ok(()));
    let report = run.finish();
    let failures: Vec<String> = report.failures.iter().map(ToString::to_string).collect();
    assert!(
        failures
            .iter()
            .any(|f| f.contains("step `evaluate` kept in the outbox for `run-metadata sync`")),
        "{failures:?}"
    );
    assert!(
        failures.iter().any(
            |f| f.contains("metadata of artifact_store `rust-faults-store`")
                && f.contains("kept in the outbox")
        ),
        "{failures:?}"
    );
    assert!(
        failures
            .iter()
            .any(|f| f.contains("the status of run `faults-run-")
                && f.contains("kept in the outbox")),
        "{failures:?}"
    );
    assert_eq!(
        sink.kept().unwrap().total(),
        3,
        "the step, its metadata and the run's status"
    );

    server.script("restart");
    let report = sink.sync().unwrap();
    assert_eq!(
        (
            report.took.steps,
            report.took.metadata,
            report.took.statuses,
            report.untried
        ),
        (1, 1, 1, 0),
        "{report:?}"
    );
    assert_eq!(sink.kept().unwrap().total(), 0);
    let client = sink.client();
    assert_eq!(
        client.status(Resource::pipeline_run(run_id)).unwrap(),
        "completed"
    );
    let evaluate = client
        .step_id(run_id, "evaluate")
        .unwrap()
        .expect("registered by the sync");
    assert_eq!(
        client.status(Resource::step_run(evaluate)).unwrap(),
        "completed"
    );
    assert_eq!(
        client
            .read_metadata(Resource::step_run(evaluate))
            .unwrap()
            .to_json(),
        r#"{"bytes_written":4096}"#
    );
    let train = client
        .step_id(run_id, "train")
        .unwrap()
        .expect("registered at once");
    assert_eq!(
        client
            .read_metadata(Resource::step_run(train))
            .unwrap()
            .to_json(),
        r#"{"bytes_written":4096}"#
    );
    // Locally too, the late step took the server's id.
    let local_steps = sink.store().steps(run_id).unwrap();
    assert!(
        local_steps
            .iter()
            .any(|s| s.name == "evaluate" && s.id == evaluate)
    );
}

#[derive(RunMetadata)]
struct Written {
    #[metadata(step, storage_size, rename = "bytes_written")]
    bytes: u64,
}
