use run_metadata::RunMetadata;

#[derive(RunMetadata)]
#[metadata(uri)]
struct Tracker {
    #[metadata(step)]
    url: String,
}

fn main() {}
