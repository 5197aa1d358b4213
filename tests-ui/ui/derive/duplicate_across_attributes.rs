use run_metadata::RunMetadata;

#[derive(RunMetadata)]
struct Tracker {
    #[metadata(step, rename = "a")]
    #[metadata(rename = "b")]
    id: String,
}

fn main() {}
