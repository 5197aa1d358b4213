use run_metadata::RunMetadata;

#[derive(RunMetadata)]
struct Tracker {
    #[metadata]
    run_id: String,
}

fn main() {}
