use run_metadata::RunMetadata;

#[derive(RunMetadata)]
#[metadata(rename_all = "Title Case")]
struct Tracker {
    #[metadata(step, rename = "a:b")]
    one: String,
    #[metadata(steps)]
    two: String,
    #[metadata(pipeline, uri, path)]
    three: String,
    #[metadata]
    four: String,
}

fn main() {}
