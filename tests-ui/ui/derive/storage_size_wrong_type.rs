use run_metadata::RunMetadata;

#[derive(RunMetadata)]
struct Store {
    #[metadata(step, storage_size)]
    used: i64,
    #[metadata(step, storage_size)]
    free: String,
}

fn main() {}
