use run_metadata::RunMetadata;

#[derive(RunMetadata)]
struct Store {
    #[metadata(step, path)]
    root: Vec<String>,
}

fn main() {}
