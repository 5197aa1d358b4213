use run_metadata::RunMetadata;

#[derive(RunMetadata)]
struct Tracker {
    #[metadata(step, display)]
    ids: Vec<u32>,
}

fn main() {}
