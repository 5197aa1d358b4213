use run_metadata::RunMetadata;

#[derive(RunMetadata)]
#[metadata(step, rename_all = "camel")]
struct Tracker {
    #[metadata]
    run_id: String,
}

fn main() {}
