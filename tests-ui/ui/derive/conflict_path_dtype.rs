use run_metadata::RunMetadata;

#[derive(RunMetadata)]
struct Store {
    #[metadata(step, path, dtype)]
    root: String,
}

fn main() {}
