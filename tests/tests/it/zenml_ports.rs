//! ZenML's own metadata hooks against their ports (`run_metadata_examples::ports`): for the same
//! inputs — configuration, environment, the vendor SDK's state, the step's settings — the same
//! keys in the same order, the same tags, the same values. ZenML's side runs in Python
//! (`scripts/zenml_hooks.py`, ZenML 0.98.0 with the SDKs stubbed).

use std::io::Write;
use std::process::{Command, Stdio};

use run_metadata::{
    ComponentKind, ComponentRef, HookError, Metadata, PipelineRunInfo, RunMetadata, StepRunInfo,
};
use run_metadata_examples::ports::sdk::{Env, azureml, comet, mlflow, wandb};
use run_metadata_examples::ports::{
    azureml::AzureMlOrchestrator, comet::CometTracker, kubeflow::KubeflowOrchestrator,
    mlflow::MlflowTracker, modal::ModalOrchestrator, vertex::VertexOrchestrator,
    wandb::WandbTracker,
};
use serde_json::{Value, json};
use uuid::Uuid;

const RUN_ID: &str = "4f1c2b3a-0000-4000-8000-000000000001";
const STEP_ID: &str = "4f1c2b3a-0000-4000-8000-000000000002";

/// Every case, as the harness reads it.
fn cases() -> Vec<Value> {
    let info = |settings: Value| {
        json!({"run_id": RUN_ID, "step_run_id": STEP_ID, "run_name": "training-2026_11_30",
               "pipeline_name": "training", "pipeline_step_name": "train", "settings": settings})
    };
    let step = |name: &str, component: &str, config: Value, sdk: Value, settings: Value| {
        json!({"name": name, "component": component, "hook": "step", "config": config,
               "env": {}, "sdk": sdk, "info": info(settings)})
    };
    let pipeline = |name: &str, component: &str, config: Value, env: Value, sdk: Value| {
        json!({"name": name, "component": component, "hook": "pipeline", "config": config,
               "env": env, "sdk": sdk, "run_id": RUN_ID})
    };
    // A pipeline hook that reads the run's settings (ZenML's reads them from the run it fetches).
    let kubeflow = |name: &str, config: Value, env: Value, run_settings: Value| {
        json!({"name": name, "component": "kubeflow_orchestrator", "component_name": "kf-prod",
               "hook": "pipeline", "config": config, "env": env, "sdk": {}, "run_id": RUN_ID,
               "run_settings": run_settings})
    };
    let kf_host = || json!({"kubeflow_hostname": "https://kf.example.com/pipeline/"});
    let wandb_config = json!({"api_key": "key", "entity": "vision", "project_name": "detector"});
    let comet_config = json!({"api_key": "key", "workspace": "vision", "project_name": "detector"});
    let azure = || json!({"subscription_id": "sub", "resource_group": "rg", "workspace": "ws"});
    vec![
        step(
            "mlflow-active-run",
            "mlflow",
            json!({"tracking_uri": "http://mlflow:5000",
             "tracking_username": "u", "tracking_password": "p"}),
            json!({"active_run": {"run_id": "3f9c2a7e", "experiment_id": "7"}}),
            json!({}),
        ),
        step(
            "mlflow-no-run",
            "mlflow",
            json!({"tracking_uri": "https://mlflow.example",
             "tracking_token": "t"}),
            json!({"active_run": null}),
            json!({}),
        ),
        step(
            "wandb-run",
            "wandb",
            wandb_config.clone(),
            json!({"run": {"id": "ab12", "path": "vision/detector/ab12",
                    "url": "https://wandb.ai/vision/detector/runs/ab12", "name": "train-ab12",
                    "group": "g1", "project": "detector", "entity": "vision", "job_type": "train"}}),
            json!({}),
        ),
        step(
            "wandb-no-run-settings",
            "wandb",
            wandb_config.clone(),
            json!({"run": null}),
            json!({"experiment_tracker.wandb": {"run_name": "nightly", "job_type": "eval"}}),
        ),
        step(
            "wandb-settings-by-name-first",
            "wandb",
            json!({"api_key": "key", "run_name": "configured", "group": "g-config"}),
            json!({"run": null}),
            json!({"experiment_tracker.wandb": {"run_name": "by-flavor", "job_type": "eval"},
                   "experiment_tracker:wandb": {"job_type": "by-name"}}),
        ),
        step(
            "wandb-no-run-no-metadata",
            "wandb",
            json!({"api_key": "key"}),
            json!({"run": null}),
            json!({"experiment_tracker.wandb": {"enable_zenml_metadata": false}}),
        ),
        step(
            "comet-experiment",
            "comet",
            comet_config.clone(),
            json!({"experiment": {"url": "https://www.comet.com/vision/detector/abc", "name": "e1"}}),
            json!({}),
        ),
        step(
            "comet-defaults",
            "comet",
            comet_config,
            json!({"experiment": null}),
            json!({"experiment_tracker.comet": {"run_name": "from-settings"}}),
        ),
        kubeflow("kubeflow-no-hostname", json!({}), json!({}), json!({})),
        kubeflow("kubeflow-no-namespace", kf_host(), json!({}), json!({})),
        kubeflow(
            "kubeflow-configured-namespace",
            json!({"kubeflow_hostname": "https://kf.example.com//", "user_namespace": "cfg"}),
            json!({"KFP_RUN_ID": "kfp-7"}),
            json!({}),
        ),
        kubeflow(
            "kubeflow-run-settings-by-flavor",
            kf_host(),
            json!({"KFP_RUN_ID": "kfp-8"}),
            json!({"orchestrator.kubeflow": {"user_namespace": "team-a"}}),
        ),
        kubeflow(
            "kubeflow-run-settings-by-name-first",
            json!({"kubeflow_hostname": "https://kf.example.com", "user_namespace": "cfg"}),
            json!({"KFP_RUN_ID": "kfp-9"}),
            json!({"orchestrator.kubeflow": {"user_namespace": "team-a"},
                   "orchestrator:kf-prod": {"user_namespace": "team-b"}}),
        ),
        kubeflow(
            "kubeflow-run-settings-clear-namespace",
            json!({"kubeflow_hostname": "https://kf.example.com", "user_namespace": "cfg"}),
            json!({}),
            json!({"orchestrator.kubeflow": {"user_namespace": null}}),
        ),
        kubeflow(
            "kubeflow-no-run-id",
            kf_host(),
            json!({}),
            json!({"orchestrator:kf-prod": {"user_namespace": "team-a"}}),
        ),
        kubeflow(
            "kubeflow-settings-of-another-component",
            kf_host(),
            json!({"KFP_RUN_ID": "kfp-10"}),
            json!({"orchestrator:kf-staging": {"user_namespace": "team-c"}}),
        ),
        pipeline(
            "vertex-pipeline-job",
            "vertex_orchestrator",
            json!({"location": "europe-west4", "project": "ml-prod"}),
            json!({"ZENML_VERTEX_RUN_ID": "training-20261130"}),
            json!({}),
        ),
        pipeline(
            "vertex-custom-job",
            "vertex_orchestrator",
            json!({"location": "us-east1"}),
            json!({"CLOUD_ML_JOB_ID": "8812"}),
            json!({}),
        ),
        pipeline(
            "vertex-no-run-id",
            "vertex_orchestrator",
            json!({"location": "us-east1"}),
            json!({}),
            json!({}),
        ),
        pipeline(
            "azureml-studio-url",
            "azureml_orchestrator",
            azure(),
            json!({"AZUREML_ROOT_RUN_ID": "run-7"}),
            json!({"job": {"studio_url": "https://ml.azure.com/runs/run-7"}}),
        ),
        pipeline(
            "azureml-service-endpoint",
            "azureml_orchestrator",
            azure(),
            json!({"AZUREML_RUN_ID": "run-8"}),
            json!({"job": {"studio_url": "", "services": {"Studio": {"endpoint": "https://ml.azure.com/e/8"}}}}),
        ),
        pipeline(
            "azureml-no-url",
            "azureml_orchestrator",
            azure(),
            json!({"AZUREML_JOB_ID": "run-9"}),
            json!({"job": {}}),
        ),
        pipeline(
            "azureml-service-down",
            "azureml_orchestrator",
            azure(),
            json!({"AZUREML_ROOT_RUN_ID": "run-7"}),
            json!({"raise": "503 Service Unavailable"}),
        ),
        pipeline(
            "modal-with-app",
            "modal_orchestrator",
            json!({}),
            json!({"ZENML_MODAL_RUN_ID": "fc-01", "ZENML_MODAL_APP_NAME": "zenml-training"}),
            json!({}),
        ),
        pipeline(
            "modal-no-app",
            "modal_orchestrator",
            json!({}),
            json!({"ZENML_MODAL_RUN_ID": "fc-02", "ZENML_MODAL_APP_NAME": ""}),
            json!({}),
        ),
        pipeline(
            "modal-no-run-id",
            "modal_orchestrator",
            json!({}),
            json!({}),
            json!({}),
        ),
    ]
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// A port built from its ZenML configuration, as the Python bridge builds one.
fn from_config<T: serde::de::DeserializeOwned>(config: &Value) -> T {
    serde_json::from_value(config.clone()).unwrap()
}

/// What the port reports for `case`: `(key, value, tag)`s, or the hook's failure.
fn rust(case: &Value) -> Result<Vec<(String, Value, String)>, HookError> {
    let config = &case["config"];
    let sdk = &case["sdk"];
    let env = Env::fixed(
        case["env"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.as_str(), v.as_str().unwrap_or_default())),
    );
    let info = &case["info"];
    let component = case["component"].as_str().unwrap();
    let name = case["component_name"].as_str().unwrap_or(component);
    let tracker = |flavor: &str| ComponentRef::new(ComponentKind::ExperimentTracker, name, flavor);
    let step_info = |component: ComponentRef| {
        let mut i = StepRunInfo::new(
            Uuid::parse_str(RUN_ID).unwrap(),
            Uuid::parse_str(STEP_ID).unwrap(),
            text(info, "run_name").unwrap(),
            text(info, "pipeline_step_name").unwrap(),
        )
        .with_pipeline_name(text(info, "pipeline_name").unwrap());
        for (k, v) in info["settings"].as_object().into_iter().flatten() {
            i = i.with_settings(k.clone(), v.clone());
        }
        i.with_component(component)
    };
    let run_id = Uuid::parse_str(RUN_ID).unwrap();
    let metadata: Metadata = match case["component"].as_str().unwrap() {
        "mlflow" => {
            mlflow::end_run();
            if let Some(run) = sdk["active_run"].as_object() {
                mlflow::start_run(mlflow::RunInfo {
                    run_id: run["run_id"].as_str().unwrap().into(),
                    experiment_id: run["experiment_id"].as_str().unwrap().into(),
                });
            }
            let port = MlflowTracker {
                tracking_uri: text(config, "tracking_uri").unwrap(),
            };
            port.try_step_run_metadata(&step_info(tracker("mlflow")))?
        }
        "wandb" => {
            wandb::set_run(sdk["run"].as_object().map(|r| {
                let t = |k: &str| r.get(k).and_then(Value::as_str).map(str::to_owned);
                wandb::Run {
                    id: t("id"),
                    path: t("path"),
                    url: t("url"),
                    name: t("name"),
                    group: t("group"),
                    project: t("project"),
                    entity: t("entity"),
                    job_type: t("job_type"),
                }
            }));
            let port: WandbTracker = from_config(config);
            port.try_step_run_metadata(&step_info(tracker("wandb")))?
        }
        "comet" => {
            comet::set_experiment(sdk["experiment"].as_object().map(|e| comet::Experiment {
                url: e.get("url").and_then(Value::as_str).map(str::to_owned),
                name: e.get("name").and_then(Value::as_str).map(str::to_owned),
            }));
            let port: CometTracker = from_config(config);
            port.try_step_run_metadata(&step_info(tracker("comet")))?
        }
        "vertex_orchestrator" => VertexOrchestrator {
            location: text(config, "location").unwrap(),
            project: text(config, "project"),
            env,
        }
        .try_pipeline_run_metadata(run_id)?,
        "azureml_orchestrator" => {
            azureml::answer(match text(sdk, "raise") {
                Some(error) => Err(error),
                None => Ok(azureml::Job {
                    studio_url: text(&sdk["job"], "studio_url"),
                    studio_endpoint: sdk["job"]
                        .pointer("/services/Studio/endpoint")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                }),
            });
            AzureMlOrchestrator { env }.try_pipeline_run_metadata(run_id)?
        }
        "modal_orchestrator" => ModalOrchestrator { env }.try_pipeline_run_metadata(run_id)?,
        "kubeflow_orchestrator" => {
            let mut port: KubeflowOrchestrator = from_config(config);
            port.env = env;
            let mut run = PipelineRunInfo::new(run_id).with_component(ComponentRef::new(
                ComponentKind::Orchestrator,
                name,
                "kubeflow",
            ));
            for (k, v) in case["run_settings"].as_object().into_iter().flatten() {
                run = run.with_settings(k.clone(), v.clone());
            }
            port.try_pipeline_run_metadata_for(&run)?
        }
        other => panic!("no port of {other}"),
    };
    Ok(metadata
        .iter()
        .map(|(k, v)| {
            let value: Value = serde_json::from_str(&v.to_json()).unwrap();
            (k.to_owned(), value, v.metadata_type().as_str().to_owned())
        })
        .collect())
}

/// What ZenML's hooks report for every case, run by the harness.
fn zenml(python: &std::path::Path, cases: &[Value]) -> Vec<Value> {
    let script = run_metadata_tests::root().join("scripts/zenml_hooks.py");
    // ZenML writes its configuration: into a folder of this test's, never the user's.
    let config = run_metadata_tests::TempDir::new("zenml-hooks-config");
    let mut child = Command::new(python)
        .arg(&script)
        .env("ZENML_CONFIG_PATH", config.path("zenml"))
        .env("ZENML_ANALYTICS_OPT_IN", "false")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(cases).unwrap().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the harness failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn ports_report_what_zenml_reports() {
    let Some(python) = run_metadata_tests::zenml_python("ports_report_what_zenml_reports") else {
        return;
    };
    let cases = cases();
    let expected = zenml(&python, &cases);
    assert_eq!(expected.len(), cases.len());
    let mut compared = 0;
    for (case, zenml) in cases.iter().zip(&expected) {
        let name = case["name"].as_str().unwrap();
        assert_eq!(zenml["name"], name);
        match (rust(case), zenml.get("metadata")) {
            (Ok(ours), Some(theirs)) => {
                let theirs: Vec<(String, Value, String)> = theirs
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| {
                        let value: Value = serde_json::from_str(e[1].as_str().unwrap()).unwrap();
                        (
                            e[0].as_str().unwrap().to_owned(),
                            value,
                            e[2].as_str().unwrap().to_owned(),
                        )
                    })
                    .collect();
                assert_eq!(ours, theirs, "{name}");
            }
            (Err(ours), None) => {
                let theirs = zenml["error"].as_str().unwrap();
                assert_eq!(
                    ours.to_string(),
                    theirs,
                    "{name}: both fail, for the same reason"
                );
            }
            (ours, _) => panic!("{name}: ours {ours:?}, ZenML's {zenml}"),
        }
        compared += 1;
    }
    assert_eq!(compared, 26);
}

#[test]
fn every_port_declares_its_keys() {
    use run_metadata::SchemaEntry;
    let schemas = [
        MlflowTracker::schema(),
        WandbTracker::schema(),
        CometTracker::schema(),
        VertexOrchestrator::schema(),
        AzureMlOrchestrator::schema(),
        ModalOrchestrator::schema(),
        KubeflowOrchestrator::schema(),
    ];
    for schema in &schemas {
        let entries: Vec<&SchemaEntry> = schema.pipeline.iter().chain(&schema.step).collect();
        assert!(!entries.is_empty());
        for entry in entries {
            assert!(
                matches!(entry, SchemaEntry::Key { tag: Some(_), .. }),
                "every key named, with its tag: {entry:?}"
            );
        }
    }
    assert_eq!(
        WandbTracker::schema().to_string(),
        "step experiment_tracker_url: Uri\n\
         step wandb_run_name: str\n\
         step wandb_run_id: str (optional)\n\
         step wandb_run_path: str (optional)\n\
         step wandb_project: str (optional)\n\
         step wandb_entity: str (optional)\n\
         step wandb_group: str (optional)\n\
         step wandb_job_type: str (optional)\n\
         step wandb_url: str\n\
         step may fail: then it reports nothing\n"
    );
}
