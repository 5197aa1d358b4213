use run_metadata::RunMetadata;

/// Not `Serialize`: a step's settings cannot update it field by field.
#[derive(serde::Deserialize)]
struct Settings {
    namespace: Option<String>,
}

#[derive(RunMetadata)]
struct Orchestrator {
    #[metadata(settings)]
    configured: Settings,
}

fn main() {}
