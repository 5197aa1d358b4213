use run_metadata::{RunMetadata, StepRunInfo};

/// Reports on the pipeline hook only.
#[derive(RunMetadata)]
#[metadata(pipeline)]
struct ActiveRun {
    #[metadata]
    run_id: String,
}

#[derive(RunMetadata)]
#[metadata(step_with = Self::active_run)]
struct Tracker {
    #[metadata(step)]
    url: String,
}

impl Tracker {
    fn active_run(&self, _: &StepRunInfo) -> Option<ActiveRun> {
        None
    }
}

/// Tracks no field at all.
#[derive(RunMetadata)]
struct Untracked {
    #[allow(dead_code)]
    run_id: String,
}

fn untracked(_: &Orchestrator, _: uuid::Uuid) -> Result<Untracked, String> {
    Err("no run".into())
}

#[derive(RunMetadata)]
#[metadata(pipeline_with = untracked)]
struct Orchestrator {
    #[metadata(pipeline)]
    console: String,
}

fn main() {}
