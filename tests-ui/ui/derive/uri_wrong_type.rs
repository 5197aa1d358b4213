use run_metadata::RunMetadata;

#[derive(RunMetadata)]
struct Server {
    #[metadata(pipeline, uri)]
    port: u16,
}

fn main() {}
