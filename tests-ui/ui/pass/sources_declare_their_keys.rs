// The advice of `source_reports_nothing` and `source_repeats_a_field_key`, applied: the
// source's type reports for the source's hook, under keys of its own.
use run_metadata::zenml::keys::METADATA_EXPERIMENT_TRACKER_URL;
use run_metadata::{RunMetadata, StepRunInfo};

#[derive(RunMetadata)]
#[metadata(step)]
struct ActiveRun {
    #[metadata]
    mlflow_run_id: String,
}

#[derive(RunMetadata)]
#[metadata(step_with = Self::active_run)]
struct Tracker {
    #[metadata(step, uri, rename = METADATA_EXPERIMENT_TRACKER_URL)]
    tracking_uri: String,
}

impl Tracker {
    fn active_run(&self, _: &StepRunInfo) -> Option<ActiveRun> {
        Some(ActiveRun { mlflow_run_id: "r1".into() })
    }
}

fn main() {
    let info = StepRunInfo::new(uuid::Uuid::nil(), uuid::Uuid::nil(), "run", "train");
    let tracker = Tracker { tracking_uri: "http://mlflow".into() };
    assert_eq!(
        tracker.step_run_metadata(&info).to_json(),
        r#"{"experiment_tracker_url":"http://mlflow","mlflow_run_id":"r1"}"#
    );
}
