use run_metadata::RunMetadata;

#[derive(RunMetadata)]
struct Operator {
    #[metadata(step)]
    elapsed: std::time::Duration,
}

fn main() {}
