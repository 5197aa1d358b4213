use run_metadata::RunMetadata;

fn started(_: &u32) -> std::time::Instant {
    std::time::Instant::now()
}

#[derive(RunMetadata)]
struct Operator {
    #[metadata(step, with = started)]
    replicas: u32,
}

fn main() {}
