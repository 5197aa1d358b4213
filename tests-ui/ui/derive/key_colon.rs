use run_metadata::RunMetadata;

#[derive(RunMetadata)]
struct Tracker {
    #[metadata(step, rename = "mlflow:run_id")]
    run_id: String,
}

fn main() {}
