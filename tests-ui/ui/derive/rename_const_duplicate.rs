use run_metadata::RunMetadata;
use run_metadata::zenml::keys::METADATA_ORCHESTRATOR_RUN_ID;

#[derive(RunMetadata)]
#[metadata(pipeline)]
struct Orchestrator {
    #[metadata(rename = METADATA_ORCHESTRATOR_RUN_ID)]
    run_id: String,
    // The same key, written as a field name.
    #[metadata]
    orchestrator_run_id: String,
}

fn main() {}
