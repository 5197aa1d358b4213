use run_metadata::RunMetadata;

#[derive(RunMetadata)]
struct Tracker {
    #[metadata(step, rename)]
    url: String,
}

fn main() {}
