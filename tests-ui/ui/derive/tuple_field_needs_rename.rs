use run_metadata::RunMetadata;

#[derive(RunMetadata)]
struct RunId(#[metadata(step)] String);

fn main() {}
