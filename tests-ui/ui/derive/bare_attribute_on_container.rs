use run_metadata::RunMetadata;

#[derive(RunMetadata)]
#[metadata]
struct Tracker {
    #[metadata(step)]
    id: String,
}

fn main() {}
