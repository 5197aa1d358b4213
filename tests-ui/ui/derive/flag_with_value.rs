use run_metadata::RunMetadata;

#[derive(RunMetadata)]
struct Tracker {
    #[metadata(step, uri = "yes")]
    url: String,
}

fn main() {}
