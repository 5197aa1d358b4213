use run_metadata::RunMetadata;

fn twice(v: &u32) -> u32 {
    v * 2
}

#[derive(RunMetadata)]
struct Operator {
    #[metadata(step, with = twice)]
    name: String,
}

fn main() {}
