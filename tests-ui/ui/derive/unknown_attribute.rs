use run_metadata::RunMetadata;

#[derive(RunMetadata)]
struct Tracker {
    #[metadata(step, renam = "run_id")]
    id: String,
}

fn main() {}
