//! Fixtures shared by the benchmarks: a realistic 10-field tracker in each form (derived,
//! hand-written with `insert_value`, hand-written with `metadata!`, serde), the 200-field
//! component `build.rs` writes, the serde route, and the request body of
//! `POST /api/v1/run-metadata` in the forms serde would write it.

#![allow(dead_code)] // each benchmark uses its own share

use run_metadata::Resource;
use run_metadata::zenml::RunMetadataRequest;
use run_metadata::{
    Integer, Metadata, MetadataValue, RunMetadata, StepRunInfo, StorageSize, Types, Uri, metadata,
};
use serde::Serialize;
use uuid::Uuid;

include!(concat!(env!("OUT_DIR"), "/wide.rs"));

/// An MLflow-like tracker with the fields such a component reports.
#[derive(RunMetadata)]
#[metadata(step)]
pub struct TrackerDerived {
    #[metadata(uri)]
    tracking_uri: String,
    #[metadata]
    experiment_id: String,
    #[metadata]
    run_name: String,
    #[metadata]
    epochs: u32,
    #[metadata]
    learning_rate: f64,
    #[metadata]
    batch_size: u32,
    #[metadata]
    tags: Vec<String>,
    #[metadata(storage_size)]
    artifact_bytes: u64,
    #[metadata]
    notes: Option<String>,
    #[metadata]
    registered: bool,
}

#[derive(Serialize)]
pub struct TrackerSerde {
    tracking_uri: String,
    experiment_id: String,
    run_name: String,
    epochs: u32,
    learning_rate: f64,
    batch_size: u32,
    tags: Vec<String>,
    artifact_bytes: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    notes: Option<String>,
    registered: bool,
}

pub struct TrackerInsert(pub TrackerSerde);
pub struct TrackerMacro(pub TrackerSerde);

impl RunMetadata for TrackerInsert {
    fn step_run_metadata(&self, _: &StepRunInfo) -> Metadata {
        let t = &self.0;
        let mut m = Metadata::with_capacity(10);
        let mut put = |k: &'static str, v: MetadataValue| {
            m.insert_value(k, v).expect("static keys are valid");
        };
        put(
            "tracking_uri",
            MetadataValue::Uri(Uri::new(t.tracking_uri.clone())),
        );
        put("experiment_id", MetadataValue::Str(t.experiment_id.clone()));
        put("run_name", MetadataValue::Str(t.run_name.clone()));
        put("epochs", MetadataValue::Int(Integer::from(t.epochs)));
        put("learning_rate", MetadataValue::Float(t.learning_rate));
        put(
            "batch_size",
            MetadataValue::Int(Integer::from(t.batch_size)),
        );
        put(
            "tags",
            MetadataValue::List(
                t.tags
                    .iter()
                    .map(|s| MetadataValue::Str(s.clone()))
                    .collect(),
            ),
        );
        put(
            "artifact_bytes",
            MetadataValue::StorageSize(StorageSize::new(t.artifact_bytes)),
        );
        if let Some(notes) = &t.notes {
            put("notes", MetadataValue::Str(notes.clone()));
        }
        put("registered", MetadataValue::Bool(t.registered));
        m
    }
}

impl RunMetadata for TrackerMacro {
    fn step_run_metadata(&self, _: &StepRunInfo) -> Metadata {
        let t = &self.0;
        metadata! {
            "tracking_uri" => Uri::new(t.tracking_uri.clone()),
            "experiment_id" => &t.experiment_id,
            "run_name" => &t.run_name,
            "epochs" => t.epochs,
            "learning_rate" => t.learning_rate,
            "batch_size" => t.batch_size,
            "tags" => &t.tags,
            "artifact_bytes" => StorageSize::new(t.artifact_bytes),
            "notes" => &t.notes,
            "registered" => t.registered,
        }
    }
}

pub fn tracker() -> TrackerSerde {
    TrackerSerde {
        tracking_uri: "http://mlflow.internal:5000".into(),
        experiment_id: "17".into(),
        run_name: "training-2026-11-29".into(),
        epochs: 30,
        learning_rate: 3e-4,
        batch_size: 256,
        tags: vec!["baseline".into(), "gpu".into()],
        artifact_bytes: 3 << 29,
        notes: Some("first run on the new data".into()),
        registered: true,
    }
}

pub fn tracker_derived() -> TrackerDerived {
    let t = tracker();
    TrackerDerived {
        tracking_uri: t.tracking_uri,
        experiment_id: t.experiment_id,
        run_name: t.run_name,
        epochs: t.epochs,
        learning_rate: t.learning_rate,
        batch_size: t.batch_size,
        tags: t.tags,
        artifact_bytes: t.artifact_bytes,
        notes: t.notes,
        registered: t.registered,
    }
}

/// The serde route: serialize to a `serde_json::Value`, then convert its object.
pub fn via_serde<T: Serialize>(component: &T) -> Metadata {
    let value = serde_json::to_value(component).expect("serializable");
    let serde_json::Value::Object(map) = value else {
        unreachable!("a struct serializes to an object")
    };
    let mut m = Metadata::with_capacity(map.len());
    for (key, value) in map {
        m.insert(key, value).expect("field names are valid keys");
    }
    m
}

/// The request the encoding benchmarks write: `values` for step run 2 of project 1, reported by
/// component 3.
pub fn request(values: &Metadata) -> RunMetadataRequest<'_> {
    RunMetadataRequest::new(
        Uuid::from_u128(1),
        Resource::step_run(Uuid::from_u128(2)),
        values,
    )
    .with_stack_component(Uuid::from_u128(3))
}

/// One entry of the body's `resources`.
#[derive(Serialize)]
pub struct ResourceBody {
    id: Uuid,
    #[serde(rename = "type")]
    kind: &'static str,
}

fn resources(request: &RunMetadataRequest<'_>) -> Vec<ResourceBody> {
    request
        .resources
        .iter()
        .map(|r| ResourceBody {
            id: r.id,
            kind: r.kind.as_str(),
        })
        .collect()
}

/// The body of `POST /api/v1/run-metadata`, fields in the order `RunMetadataRequest::to_json`
/// writes them, with `values` and `types` of any serializable form.
#[derive(Serialize)]
pub struct Body<V, T> {
    project: Uuid,
    resources: Vec<ResourceBody>,
    stack_component_id: Option<Uuid>,
    values: V,
    types: T,
    publisher_step_id: Option<Uuid>,
}

impl<V, T> Body<V, T> {
    /// The body of `request` with its `values` and `types` given as `values` and `types`.
    pub fn new(request: &RunMetadataRequest<'_>, values: V, types: T) -> Self {
        Self {
            project: request.project,
            resources: resources(request),
            stack_component_id: request.stack_component_id,
            values,
            types,
            publisher_step_id: request.publisher_step_id,
        }
    }
}

/// The body through the crate's own `Serialize` impls: `&Metadata` and its `Types`.
pub fn serde_impls<'a>(request: &RunMetadataRequest<'a>) -> Body<&'a Metadata, Types<'a>> {
    Body::new(request, request.values, request.values.types())
}

/// The tracker's `values` object as a user writes it with serde alone: one typed field per key.
#[derive(Serialize)]
pub struct TrackerValues<'a> {
    tracking_uri: &'a str,
    experiment_id: &'a str,
    run_name: &'a str,
    epochs: u32,
    learning_rate: f64,
    batch_size: u32,
    tags: &'a [String],
    artifact_bytes: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    notes: Option<&'a str>,
    registered: bool,
}

/// The tracker's `types` object, likewise.
#[derive(Serialize)]
pub struct TrackerTypes {
    tracking_uri: &'static str,
    experiment_id: &'static str,
    run_name: &'static str,
    epochs: &'static str,
    learning_rate: &'static str,
    batch_size: &'static str,
    tags: &'static str,
    artifact_bytes: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    notes: Option<&'static str>,
    registered: &'static str,
}

impl TrackerSerde {
    pub fn values(&self) -> TrackerValues<'_> {
        TrackerValues {
            tracking_uri: &self.tracking_uri,
            experiment_id: &self.experiment_id,
            run_name: &self.run_name,
            epochs: self.epochs,
            learning_rate: self.learning_rate,
            batch_size: self.batch_size,
            tags: &self.tags,
            artifact_bytes: self.artifact_bytes,
            notes: self.notes.as_deref(),
            registered: self.registered,
        }
    }

    pub fn types(&self) -> TrackerTypes {
        TrackerTypes {
            tracking_uri: "Uri",
            experiment_id: "str",
            run_name: "str",
            epochs: "int",
            learning_rate: "float",
            batch_size: "int",
            tags: "list",
            artifact_bytes: "StorageSize",
            notes: self.notes.as_ref().map(|_| "str"),
            registered: "bool",
        }
    }
}

/// Checks, before anything is timed, that serde writes the very bytes `to_json` writes through
/// the crate's impls (`impls`) and through typed structs (`typed`).
pub fn assert_same_body(
    request: &RunMetadataRequest<'_>,
    impls: &impl Serialize,
    typed: &impl Serialize,
) {
    let ours = request.to_json();
    assert_eq!(serde_json::to_string(impls).expect("JSON"), ours);
    assert_eq!(serde_json::to_string(typed).expect("JSON"), ours);
}
