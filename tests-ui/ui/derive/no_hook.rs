use run_metadata::RunMetadata;

#[derive(RunMetadata)]
struct Tracker {
    #[metadata(rename = "tracker_run_id")]
    run_id: String,
}

fn main() {}
