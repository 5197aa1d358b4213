use run_metadata::RunMetadata;

#[derive(RunMetadata)]
#[metadata(step)]
struct Tracker {
    #[metadata(rename = "run_id")]
    id: String,
    #[metadata]
    run_id: String,
}

fn main() {}
