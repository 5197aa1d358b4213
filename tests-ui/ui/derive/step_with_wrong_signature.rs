use run_metadata::RunMetadata;

fn active_run(_: &Tracker, _: uuid::Uuid) -> run_metadata::Metadata {
    run_metadata::Metadata::new()
}

#[derive(RunMetadata)]
#[metadata(step_with = active_run)]
struct Tracker {
    #[metadata(pipeline)]
    uri: String,
}

fn main() {}
