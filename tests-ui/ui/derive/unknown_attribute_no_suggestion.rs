use run_metadata::RunMetadata;

#[derive(RunMetadata)]
struct Tracker {
    #[metadata(step, colour = "blue")]
    id: String,
}

fn main() {}
