use run_metadata::RunMetadata;

const RETRIES: u32 = 3;

#[derive(RunMetadata)]
#[metadata(step)]
struct Operator {
    #[metadata(rename = RETRIES)]
    retries: u32,
}

fn main() {}
