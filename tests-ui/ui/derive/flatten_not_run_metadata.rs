use run_metadata::RunMetadata;

#[derive(RunMetadata)]
struct Tracker {
    #[metadata(flatten)]
    id: String,
}

fn main() {}
