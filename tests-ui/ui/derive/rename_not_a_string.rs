use run_metadata::RunMetadata;

#[derive(RunMetadata)]
struct Tracker {
    #[metadata(step, rename = run_id)]
    id: String,
}

fn main() {}
