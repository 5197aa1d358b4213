use run_metadata::RunMetadata;

#[derive(RunMetadata)]
struct Tracker {
    #[metadata(step)]
    started: std::time::Instant,
}

fn main() {}
