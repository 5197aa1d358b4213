use run_metadata::RunMetadata;

#[derive(RunMetadata)]
#[metadata(pipeline, rename_all = "camelCase")]
struct Tracker {
    #[metadata]
    run_id: String,
    #[metadata(rename = "runId")]
    other: String,
}

fn main() {}
