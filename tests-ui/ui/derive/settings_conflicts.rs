use run_metadata::RunMetadata;

#[derive(serde::Serialize, serde::Deserialize)]
struct Settings {
    namespace: Option<String>,
}

// The settings field reports nothing itself, and a component has one settings type.
#[derive(RunMetadata)]
struct Orchestrator {
    #[metadata(settings, pipeline, rename = "namespace")]
    configured: Settings,
    #[metadata(settings)]
    more: Settings,
}

// An enum has no one configuration.
#[derive(RunMetadata)]
enum Tracker {
    Local {
        #[metadata(settings)]
        configured: Settings,
    },
}

fn main() {}
