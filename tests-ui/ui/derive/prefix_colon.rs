use run_metadata::RunMetadata;

#[derive(RunMetadata)]
#[metadata(step, prefix = "mlflow:")]
struct Tracker {
    #[metadata]
    run_id: String,
    #[metadata]
    experiment_id: String,
}

fn main() {}
