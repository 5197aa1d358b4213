use run_metadata::RunMetadata;

struct Client;

#[derive(RunMetadata)]
struct Tracker {
    #[metadata(step)]
    timeouts: Vec<std::time::Duration>,
    #[metadata(pipeline)]
    clients: Option<Client>,
}

fn main() {}
