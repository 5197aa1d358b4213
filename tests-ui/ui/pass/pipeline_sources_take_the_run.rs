//! A `pipeline_with` source takes the run's id or the whole run; settings resolve through
//! references and generic components.

use run_metadata::{
    ComponentKind, ComponentRef, ComponentSettings, HookError, PipelineRunInfo, RunMetadata,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Default, Serialize, Deserialize)]
struct Settings {
    namespace: Option<String>,
}

#[derive(RunMetadata)]
#[metadata(pipeline)]
struct Namespace {
    #[metadata]
    namespace: Option<String>,
    #[metadata]
    run: String,
}

#[derive(RunMetadata)]
#[metadata(pipeline_with = Self::by_run)]
struct ByRun {
    #[metadata(settings)]
    configured: Settings,
}

impl ByRun {
    fn by_run(&self, run: &PipelineRunInfo) -> Result<Namespace, HookError> {
        Ok(Namespace {
            namespace: run.settings_of(self)?.namespace,
            run: run.run_id.to_string(),
        })
    }
}

#[derive(RunMetadata)]
#[metadata(pipeline_with = Self::by_id)]
struct ById;

impl ById {
    fn by_id(&self, run_id: Uuid) -> Namespace {
        Namespace { namespace: None, run: run_id.to_string() }
    }
}

/// Generic over what it holds; its settings type is still the field's.
#[derive(RunMetadata)]
struct Holder<T> {
    #[metadata(pipeline)]
    label: T,
    #[metadata(settings)]
    configured: Settings,
}

fn namespace_of<C: ComponentSettings<Settings = Settings>>(c: &C, run: &PipelineRunInfo) -> Option<String> {
    run.settings_of(c).ok()?.namespace
}

fn main() {
    let run = PipelineRunInfo::new(Uuid::nil())
        .with_settings("orchestrator.k8s", serde_json::json!({"namespace": "a"}))
        .with_component(ComponentRef::new(ComponentKind::Orchestrator, "o", "k8s"));
    let by_run = ByRun { configured: Settings::default() };
    let m = by_run.try_pipeline_run_metadata_for(&run).unwrap();
    assert_eq!(m.get("namespace").unwrap().to_string(), "a");
    // Told only the id, the run has no settings: the configured ones.
    let m = by_run.try_pipeline_run_metadata(Uuid::nil()).unwrap();
    assert!(m.get("namespace").is_none());
    let m = ById.try_pipeline_run_metadata_for(&run).unwrap();
    assert_eq!(m.get("run").unwrap().to_string(), Uuid::nil().to_string());
    let holder = Holder { label: 7_u8, configured: Settings::default() };
    assert_eq!(namespace_of(&holder, &run).as_deref(), Some("a"));
    assert_eq!(namespace_of(&&holder, &run).as_deref(), Some("a"));
}
