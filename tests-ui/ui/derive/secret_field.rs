use run_metadata::{RunMetadata, Secret};

#[derive(RunMetadata)]
struct Tracker {
    #[metadata(step)]
    api_key: Secret,
    #[metadata(pipeline)]
    password: Option<Secret>,
}

fn main() {}
