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
    // ZenML 0.98.0 reports nothing on the pipeline run, and the tracker's URL on each step.
    assert_eq!(lines[0], "get_pipeline_run_metadata");
    assert_eq!(lines[1], "  values: {}");
    assert_eq!(lines[2], "  types:  {}");
    assert_eq!(lines[3], "get_step_run_metadata (train)");
    assert!(
        lines[4].starts_with(
            r#"  values: {"experiment_tracker_url":"http://127.0.0.1:5000","mlflow_run_id":""#
        ),
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
        r#"  types:  {"experiment_tracker_url":"Uri","mlflow_run_id":"str","mlflow_experiment_id":"str"}"#
    );
    // Every key the step hook can report is declared: none is `dynamic`.
    let schema = &lines[6..];
    assert!(
        schema.iter().any(|l| l.contains("mlflow_run_id"))
            && schema.iter().any(|l| l.contains("mlflow_experiment_id"))
            && !out.contains("dynamic"),
        "{out}"
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
fn quickstart_records_and_prints_the_run() {
    let dir = std::env::temp_dir().join(format!("rm-quickstart-{}", std::process::id()));
    let store = dir.join("runs.db");
    let mut out = Vec::new();
    quickstart::run(&mut out, &store).unwrap();
    let out = String::from_utf8(out).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    // Named as ZenML names runs: `training-YYYY_MM_DD-HH_MM_SS_ffffff`.
    let name = out.split_whitespace().nth(1).unwrap_or_default();
    assert!(out.starts_with("run training-"), "{out}");
    let stamp = name.trim_start_matches("training-");
    assert_eq!(stamp.len(), "2026_11_30-03_28_47_123456".len(), "{name}");
    assert!(
        stamp
            .chars()
            .all(|c| c.is_ascii_digit() || c == '_' || c == '-'),
        "{name}"
    );
    assert!(
        out.contains("pipeline training  stack local-gpu  completed"),
        "{out}"
    );
    assert!(out.contains("orchestrator `cluster`"), "{out}");
    assert!(
        out.contains("orchestrator_console  https://console.example  [Uri]"),
        "{out}"
    );
    assert!(
        out.contains("root          /mnt/artifacts  [Path]"),
        "{out}"
    );
    assert!(out.contains("tensor_dtype  float32  [DType]"), "{out}");
    assert!(
        out.contains("bytes_written  976.56 KiB  [StorageSize]"),
        "{out}"
    );
    // The tracker reports on `train`, the one step that uses it, and nowhere else.
    let steps: Vec<&str> = out.split("\nstep ").skip(1).collect();
    assert_eq!(steps.len(), 3, "{out}");
    assert!(steps[0].starts_with("load  completed"), "{}", steps[0]);
    assert!(!steps[0].contains("mlflow"), "{}", steps[0]);
    assert!(steps[1].starts_with("train  completed"), "{}", steps[1]);
    assert!(
        steps[1].contains("experiment_tracker `mlflow`"),
        "{}",
        steps[1]
    );
    assert!(
        steps[1].contains("mlflow_run_id           3f9c2a7e51d84b0c9e6a1f2d3c4b5a69  [str]"),
        "{}",
        steps[1]
    );
    // As ZenML 0.98.0's MLflow tracker: its URL on the step, nothing on the run.
    assert!(
        steps[1].contains("experiment_tracker_url  http://127.0.0.1:5000  [Uri]"),
        "{}",
        steps[1]
    );
    assert!(
        !out.split("\nstep ")
            .next()
            .unwrap_or_default()
            .contains("mlflow"),
        "{}",
        steps[1]
    );
    assert!(steps[2].starts_with("evaluate  completed"), "{}", steps[2]);
    assert!(!steps[2].contains("mlflow"), "{}", steps[2]);
    assert!(!out.contains("never reported"));
}
