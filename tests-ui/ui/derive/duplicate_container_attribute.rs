use run_metadata::RunMetadata;

#[derive(RunMetadata)]
#[metadata(step, prefix = "a_", prefix = "b_")]
struct Tracker {
    #[metadata]
    id: String,
}

fn main() {}
