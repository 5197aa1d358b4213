//! Each example's output, checked: the keys and tags it must show.

#![allow(dead_code)]

#[path = "../examples/mlflow_tracker.rs"]
mod mlflow_tracker;
#[path = "../examples/orchestrator.rs"]
mod orchestrator;
#[path = "../examples/quickstart.rs"]
mod quickstart;
#[path = "../examples/wandb_tracker.rs"]
mod wandb_tracker;

fn output(run: fn(&mut dyn std::io::Write) -> std::io::Result<()>) -> String {
    let mut out = Vec::new();
    run(&mut out).expect("writing to a Vec does not fail");
    String::from_utf8(out).expect("the examples write UTF-8")
}

#[test]
fn mlflow_tracker_reports_the_documented_keys_and_tags() {
    let out = output(mlflow_tracker::run);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "get_pipeline_run_metadata");
    assert_eq!(
        lines[1],
        r#"  values: {"mlflow_tracking_uri":"http://127.0.0.1:5000"}"#
    );
    assert_eq!(lines[2], r#"  types:  {"mlflow_tracking_uri":"Uri"}"#);
    assert_eq!(lines[3], "get_step_run_metadata (train)");
    assert!(
        lines[4].starts_with(r#"  values: {"mlflow_run_id":""#),
        "{}",
        lines[4]
    );
    assert!(
        lines[4].ends_with(r#"","mlflow_experiment_id":"7"}"#),
        "{}",
        lines[4]
    );
    assert_eq!(
        lines[5],
        r#"  types:  {"mlflow_run_id":"str","mlflow_experiment_id":"str"}"#
    );
}

#[test]
fn orchestrator_links_its_run() {
    let out = output(orchestrator::run);
    assert!(
        out.contains(r#""orchestrator_run_id":"training-20261129-161200""#),
        "{out}"
    );
    assert!(out.contains(r#""orchestrator_url":"Uri""#), "{out}");
    assert!(
        out.contains("/pipelines/runs/training-20261129-161200?project=ml-prod"),
        "{out}"
    );
    assert!(
        !out.contains("sa.json"),
        "credentials must not be reported: {out}"
    );
}

#[test]
fn wandb_tracker_omits_unset_options() {
    let out = output(wandb_tracker::run);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[2],
        r#"  types:  {"wandb_entity":"str","wandb_project":"str","wandb_run_url":"Uri","wandb_tags":"list"}"#
    );
    assert_eq!(lines[4], r#"  values: {"wandb_project":"churn"}"#);
    assert!(!out.contains("secret"));
}

#[test]
fn quickstart_shows_every_component_and_step() {
    let out = output(quickstart::run);
    assert!(
        out.starts_with("pipeline run 5b1f0a0e-2e3c-4c38-8e6c-1d2f3a4b5c6d\n"),
        "{out}"
    );
    assert!(
        out.contains("orchestrator_console = https://console.example  [Uri]"),
        "{out}"
    );
    assert!(out.contains("root = /mnt/artifacts  [Path]"), "{out}");
    assert!(
        out.contains("bytes_written = 48.00 MiB  [StorageSize]"),
        "{out}"
    );
    // The tracker reports on `train` only.
    assert_eq!(out.matches("tracker_run_id").count(), 1, "{out}");
    assert!(out.contains("tracker_run_id = 7-train  [str]"), "{out}");
    assert!(!out.contains("never reported"));
}
