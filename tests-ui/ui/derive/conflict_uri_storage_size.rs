use run_metadata::RunMetadata;

#[derive(RunMetadata)]
struct Store {
    #[metadata(pipeline, uri, storage_size)]
    location: String,
}

fn main() {}
