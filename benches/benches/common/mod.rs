//! Fixtures shared by the benchmarks: a realistic 10-field tracker in each form (derived,
//! hand-written with `insert_value`, hand-written with `metadata!`, serde), the 200-field
//! component `build.rs` writes, and the serde route.

#![allow(dead_code)] // each benchmark uses its own share

use run_metadata::{
    Integer, Metadata, MetadataValue, RunMetadata, StepRunInfo, StorageSize, Uri, metadata,
};
use serde::Serialize;

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
