use run_metadata::RunMetadata;

#[derive(RunMetadata)]
#[metadata(stpe)]
struct Tracker {
    #[metadata]
    id: String,
}

fn main() {}
