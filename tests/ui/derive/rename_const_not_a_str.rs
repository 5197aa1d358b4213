use run_metadata::RunMetadata;

const RETRIES: u32 = 3;

#[derive(RunMetadata)]
#[metadata(step)]
struct Operator {
    #[metadata(rename = RETRIES)]
    retries: u32,
}

#[derive(RunMetadata)]
#[metadata(step, prefix = "k8s_")]
struct Prefixed {
    #[metadata(rename = run_metadata::zenml::keys::METADATA_ORCHESTRATOR_URL)]
    url: String,
}

fn main() {}
