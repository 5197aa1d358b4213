use run_metadata::RunMetadata;

#[derive(RunMetadata)]
struct Tracker {
    #[metadata(step, uri, dtype)]
    url: String,
}

fn report(component: &dyn RunMetadata) -> usize {
    component.pipeline_run_metadata(uuid::Uuid::nil()).len()
}

fn main() {
    report(&Tracker { url: String::new() });
}
