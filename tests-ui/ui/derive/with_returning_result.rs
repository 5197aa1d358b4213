use run_metadata::RunMetadata;

fn parsed(text: &String) -> Result<u32, std::num::ParseIntError> {
    text.parse()
}

#[derive(RunMetadata)]
struct Operator {
    #[metadata(step, with = parsed)]
    replicas: String,
}

fn main() {}
