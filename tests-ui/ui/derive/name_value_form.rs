use run_metadata::RunMetadata;

#[derive(RunMetadata)]
struct Tracker {
    #[metadata = "step"]
    id: String,
}

fn main() {}
