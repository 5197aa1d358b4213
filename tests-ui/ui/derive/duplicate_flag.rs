use run_metadata::RunMetadata;

#[derive(RunMetadata)]
struct Tracker {
    #[metadata(step, uri, step)]
    url: String,
}

fn main() {}
