use run_metadata::RunMetadata;

fn show(v: &u32) -> String {
    v.to_string()
}

#[derive(RunMetadata)]
struct Operator {
    #[metadata(step, display, with = show)]
    replicas: u32,
}

fn main() {}
