use run_metadata::RunMetadata;

#[derive(RunMetadata)]
struct Tracker {
    #[metadata(step, rename = "")]
    run_id: String,
}

fn main() {}
