use run_metadata::RunMetadata;

#[derive(RunMetadata)]
struct Tracker {
    #[metadata(step, rename_all = "camelCase")]
    run_id: String,
}

fn main() {}
