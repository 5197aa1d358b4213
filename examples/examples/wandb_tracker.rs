//! A Weights & Biases-like experiment tracker whose optional settings are reported only when set:
//! an `Option` field that is `None` leaves its key out (ZenML has no null metadata value).
//!
//! Run with `cargo run --example wandb_tracker`.

use std::io::{self, Write};

use run_metadata::{RunMetadata, StepRunInfo};
use uuid::Uuid;

#[derive(RunMetadata)]
#[metadata(step, prefix = "wandb_")]
struct WandbExperimentTracker {
    #[metadata]
    entity: Option<String>,
    #[metadata]
    project: Option<String>,
    #[metadata(uri, rename = "run_url")]
    run_url: Option<String>,
    #[metadata(skip_if = "Vec::is_empty")]
    tags: Vec<String>,
    api_key: String,
}

fn show(
    out: &mut dyn Write,
    label: &str,
    tracker: &WandbExperimentTracker,
    info: &StepRunInfo,
) -> io::Result<()> {
    let m = tracker.step_run_metadata(info);
    writeln!(out, "{label}")?;
    writeln!(out, "  values: {}", m.to_json())?;
    writeln!(out, "  types:  {}", m.types_json())
}

fn main() -> io::Result<()> {
    run(&mut io::stdout().lock())
}

/// Writes what the example shows; the tests read it too.
pub fn run(out: &mut dyn Write) -> io::Result<()> {
    let info = StepRunInfo::new(
        Uuid::from_u128(1),
        Uuid::from_u128(2),
        "training-1",
        "train",
    );
    let configured = WandbExperimentTracker {
        entity: Some("ml-team".into()),
        project: Some("churn".into()),
        run_url: Some("https://wandb.ai/ml-team/churn/runs/3kq2".into()),
        tags: vec!["baseline".into()],
        api_key: "secret".into(),
    };
    show(out, "configured", &configured, &info)?;
    let bare = WandbExperimentTracker {
        entity: None,
        project: Some("churn".into()),
        run_url: None,
        tags: Vec::new(),
        api_key: "secret".into(),
    };
    show(out, "only a project", &bare, &info)?;
    let _ = (&configured.api_key, &bare.api_key);
    Ok(())
}
