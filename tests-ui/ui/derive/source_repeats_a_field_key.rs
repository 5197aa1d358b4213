use run_metadata::zenml::keys::METADATA_EXPERIMENT_TRACKER_URL;
use run_metadata::{RunMetadata, StepRunInfo};

#[derive(RunMetadata)]
#[metadata(step)]
struct ActiveRun {
    #[metadata(uri, rename = METADATA_EXPERIMENT_TRACKER_URL)]
    url: String,
    #[metadata]
    run_id: String,
}

#[derive(RunMetadata)]
#[metadata(step_with = Self::active_run)]
struct Tracker {
    #[metadata(step, rename = METADATA_EXPERIMENT_TRACKER_URL)]
    tracking_uri: String,
}

impl Tracker {
    fn active_run(&self, _: &StepRunInfo) -> Option<ActiveRun> {
        None
    }
}

#[derive(RunMetadata)]
#[metadata(step)]
struct Ids {
    #[metadata]
    run_id: String,
}

fn ids(_: &Operator, _: &StepRunInfo) -> Ids {
    Ids { run_id: "r".into() }
}

#[derive(RunMetadata)]
#[metadata(step_with = ids)]
struct Operator {
    #[metadata(step)]
    run_id: String,
}

fn main() {}
