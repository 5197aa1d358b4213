use run_metadata::RunMetadata;

#[derive(RunMetadata)]
struct Tracker {
    #[metadata(step, with = "not a path!")]
    id: String,
}

fn main() {}
