//! `#[derive(RunMetadata)]`: the exact values and tags each attribute produces.

// The generated code must pass the strictest lints; the allows below are for the hand-written
// test types only (`with` functions take `&FieldTy` by contract).
#![deny(warnings, clippy::pedantic)]
#![allow(
    dead_code,
    clippy::trivially_copy_pass_by_ref,
    clippy::option_option,
    clippy::struct_field_names
)]

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::PathBuf;

use run_metadata::{
    Metadata, MetadataType, RunMetadata, Schema, SchemaEntry, StepRunInfo, metadata,
};
use uuid::Uuid;

const RUN: Uuid = Uuid::from_u128(0x5b1f_0a0e_2e3c_4c38_8e6c_1d2f_3a4b_5c6d);

fn info() -> StepRunInfo {
    StepRunInfo::new(RUN, Uuid::from_u128(7), "training-1", "train").with_pipeline_name("training")
}

/// The hook's output as ZenML's `values` and `types` JSON.
fn pipeline<T: RunMetadata>(c: &T) -> (String, String) {
    let m = c.pipeline_run_metadata(RUN);
    (m.to_json(), m.types_json())
}

fn step<T: RunMetadata>(c: &T) -> (String, String) {
    let m = c.step_run_metadata(&info());
    (m.to_json(), m.types_json())
}

fn pair(values: &str, types: &str) -> (String, String) {
    (values.to_owned(), types.to_owned())
}

#[derive(RunMetadata)]
struct Hooks {
    #[metadata(pipeline)]
    p: u8,
    #[metadata(step)]
    s: bool,
    #[metadata(pipeline, step)]
    both: &'static str,
    untracked: String,
}

#[test]
fn fields_report_to_the_hooks_they_name_and_untracked_fields_never() {
    let c = Hooks {
        p: 1,
        s: true,
        both: "x",
        untracked: "secret".into(),
    };
    assert_eq!(
        pipeline(&c),
        pair(r#"{"p":1,"both":"x"}"#, r#"{"p":"int","both":"str"}"#)
    );
    assert_eq!(
        step(&c),
        pair(r#"{"s":true,"both":"x"}"#, r#"{"s":"bool","both":"str"}"#)
    );
}

#[derive(RunMetadata)]
#[metadata(step)]
struct ContainerDefault {
    #[metadata]
    a: i32,
    #[metadata()]
    b: i32,
    #[metadata(pipeline)]
    c: i32,
}

#[test]
fn the_container_default_hook_applies_to_fields_that_name_none() {
    let c = ContainerDefault { a: 1, b: 2, c: 3 };
    assert_eq!(pipeline(&c).0, r#"{"c":3}"#);
    assert_eq!(step(&c).0, r#"{"a":1,"b":2}"#);
}

#[derive(RunMetadata)]
#[metadata(pipeline, rename_all = "camelCase", prefix = "vertex_")]
struct Keys {
    #[metadata]
    run_id: String,
    #[metadata(rename = "console")]
    console_url: String,
    #[metadata]
    r#type: String,
}

#[test]
fn keys_follow_rename_then_rename_all_then_prefix() {
    let c = Keys {
        run_id: "r".into(),
        console_url: "c".into(),
        r#type: "t".into(),
    };
    assert_eq!(
        pipeline(&c).0,
        r#"{"vertex_runId":"r","vertex_console":"c","vertex_type":"t"}"#
    );
}

#[test]
fn every_rename_all_rule() {
    macro_rules! rule {
        ($rule:literal, $key:literal) => {{
            #[derive(RunMetadata)]
            #[metadata(step, rename_all = $rule)]
            struct S {
                #[metadata]
                mlflow_run_id: u8,
            }
            let m = S { mlflow_run_id: 1 }.step_run_metadata(&info());
            assert_eq!(m.keys().collect::<Vec<_>>(), [$key], "{}", $rule);
        }};
    }
    rule!("lowercase", "mlflow_run_id");
    rule!("UPPERCASE", "MLFLOW_RUN_ID");
    rule!("PascalCase", "MlflowRunId");
    rule!("camelCase", "mlflowRunId");
    rule!("snake_case", "mlflow_run_id");
    rule!("SCREAMING_SNAKE_CASE", "MLFLOW_RUN_ID");
    rule!("kebab-case", "mlflow-run-id");
    rule!("SCREAMING-KEBAB-CASE", "MLFLOW-RUN-ID");
}

#[derive(RunMetadata)]
#[metadata(step)]
struct Special<'a> {
    #[metadata(uri)]
    url: String,
    #[metadata(uri)]
    maybe_url: Option<&'a str>,
    #[metadata(path)]
    root: PathBuf,
    #[metadata(path)]
    config: Cow<'a, str>,
    #[metadata(dtype)]
    precision: &'static str,
    #[metadata(storage_size)]
    bytes: u64,
    #[metadata(storage_size)]
    small: u8,
    #[metadata(storage_size)]
    missing_size: Option<usize>,
}

#[test]
fn special_types_from_their_field_types() {
    let c = Special {
        url: "https://console.example/run/1".into(),
        maybe_url: Some("https://x.example"),
        root: PathBuf::from("/data"),
        config: Cow::Borrowed("conf.yaml"),
        precision: "float16",
        bytes: 1 << 30,
        small: 7,
        missing_size: None,
    };
    assert_eq!(
        step(&c),
        pair(
            r#"{"url":"https://console.example/run/1","maybe_url":"https://x.example","root":"/data","config":"conf.yaml","precision":"float16","bytes":1073741824,"small":7}"#,
            r#"{"url":"Uri","maybe_url":"Uri","root":"Path","config":"Path","precision":"DType","bytes":"StorageSize","small":"StorageSize"}"#
        )
    );
}

#[derive(Debug)]
struct Region {
    name: &'static str,
    zone: char,
}

impl std::fmt::Display for Region {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.name, self.zone)
    }
}

fn replicas_as_list(n: &u32) -> Vec<u32> {
    (0..*n).collect()
}

fn str_len(s: &str) -> usize {
    s.len()
}

fn is_empty(s: &str) -> bool {
    s.is_empty()
}

mod helpers {
    pub fn doubled(n: &u32) -> u64 {
        u64::from(*n) * 2
    }
}

#[derive(RunMetadata)]
#[metadata(step)]
struct Conversions {
    #[metadata(display)]
    region: Region,
    #[metadata(display)]
    backup_region: Option<Region>,
    #[metadata(with = replicas_as_list)]
    replicas: u32,
    #[metadata(with = "helpers::doubled", rename = "doubled")]
    replicas_again: u32,
    #[metadata(with = str_len)]
    name: String,
    #[metadata(skip_if = is_empty)]
    note: String,
    #[metadata(skip_if = "is_empty", rename = "other_note")]
    note2: String,
}

#[test]
fn display_with_and_skip_if() {
    let c = Conversions {
        region: Region {
            name: "europe-west4",
            zone: 'a',
        },
        backup_region: None,
        replicas: 3,
        replicas_again: 3,
        name: "trainer".into(),
        note: String::new(),
        note2: "kept".into(),
    };
    assert_eq!(
        step(&c),
        pair(
            r#"{"region":"europe-west4-a","replicas":[0,1,2],"doubled":6,"name":7,"other_note":"kept"}"#,
            r#"{"region":"str","replicas":"list","doubled":"int","name":"int","other_note":"str"}"#
        )
    );
}

#[derive(RunMetadata)]
#[metadata(step)]
struct Optional {
    #[metadata]
    present: Option<String>,
    #[metadata]
    absent: Option<String>,
    #[metadata]
    nested: Option<Option<u8>>,
    #[metadata]
    json_null: serde_json::Value,
}

#[test]
fn none_omits_the_key() {
    let c = Optional {
        present: Some("yes".into()),
        absent: None,
        nested: Some(None),
        json_null: serde_json::Value::Null,
    };
    assert_eq!(
        step(&c),
        pair(r#"{"present":"yes"}"#, r#"{"present":"str"}"#)
    );
}

#[derive(RunMetadata)]
struct Inner {
    #[metadata(pipeline)]
    inner_p: u8,
    #[metadata(step)]
    inner_s: u8,
    #[metadata(step)]
    shared: &'static str,
}

#[derive(RunMetadata)]
#[metadata(prefix = "outer_")]
struct Outer {
    #[metadata(step)]
    shared: &'static str,
    #[metadata(flatten)]
    inner: Inner,
    #[metadata(step, rename = "after")]
    after: u8,
    #[metadata(flatten, step)]
    only_step: Inner,
    #[metadata(flatten)]
    maybe: Option<Inner>,
}

#[test]
fn flatten_merges_nested_keys_without_the_prefix() {
    let c = Outer {
        shared: "outer",
        inner: Inner {
            inner_p: 1,
            inner_s: 2,
            shared: "inner",
        },
        after: 3,
        only_step: Inner {
            inner_p: 10,
            inner_s: 20,
            shared: "again",
        },
        maybe: None,
    };
    // Pipeline: only the first Inner's pipeline key; `only_step` is restricted to the step hook.
    assert_eq!(pipeline(&c).0, r#"{"inner_p":1}"#);
    // Step: later values win, in place, as a dict update would.
    assert_eq!(
        step(&c).0,
        r#"{"outer_shared":"outer","inner_s":20,"shared":"again","outer_after":3}"#
    );
}

fn active_run(tracker: &Tracker, info: &StepRunInfo) -> Metadata {
    metadata! {
        "mlflow_run_id" => format!("{}-{}", tracker.experiment, info.pipeline_step_name),
        "mlflow_experiment_id" => tracker.experiment.clone(),
    }
}

fn run_link(tracker: &Tracker, run_id: Uuid) -> Metadata {
    metadata! { "run_link" => run_metadata::Uri::new(format!("{}/#/runs/{run_id}", tracker.uri)) }
}

#[derive(RunMetadata)]
#[metadata(pipeline_with = run_link, step_with = "active_run")]
struct Tracker {
    #[metadata(pipeline, uri, rename = "mlflow_tracking_uri")]
    uri: String,
    #[metadata(step, rename = "mlflow_experiment_id")]
    experiment: String,
}

#[test]
fn with_functions_merge_after_the_fields() {
    let c = Tracker {
        uri: "http://127.0.0.1:5000".into(),
        experiment: "7".into(),
    };
    assert_eq!(
        pipeline(&c),
        pair(
            r#"{"mlflow_tracking_uri":"http://127.0.0.1:5000","run_link":"http://127.0.0.1:5000/#/runs/5b1f0a0e-2e3c-4c38-8e6c-1d2f3a4b5c6d"}"#,
            r#"{"mlflow_tracking_uri":"Uri","run_link":"Uri"}"#
        )
    );
    // The field's key comes first; the function's value for it replaces it in place.
    assert_eq!(
        step(&c).0,
        r#"{"mlflow_experiment_id":"7","mlflow_run_id":"7-train"}"#
    );
}

#[derive(RunMetadata)]
struct TupleStruct(
    #[metadata(step, rename = "first")] u8,
    String,
    #[metadata(pipeline, rename = "third")] bool,
);

#[derive(RunMetadata)]
struct UnitStruct;

#[derive(RunMetadata)]
struct Nothing {
    client: String,
}

#[test]
fn tuple_and_unit_structs() {
    let t = TupleStruct(1, "x".into(), true);
    assert_eq!(step(&t).0, r#"{"first":1}"#);
    assert_eq!(pipeline(&t).0, r#"{"third":true}"#);
    assert!(UnitStruct.step_run_metadata(&info()).is_empty());
    assert!(UnitStruct.pipeline_run_metadata(RUN).is_empty());
    assert_eq!(UnitStruct::schema(), Schema::new());
    assert!(
        Nothing {
            client: String::new()
        }
        .step_run_metadata(&info())
        .is_empty()
    );
}

fn pod_extra(_: &Operator, info: &StepRunInfo) -> Metadata {
    metadata! { "pod" => info.pipeline_step_name.clone() }
}

#[derive(RunMetadata)]
#[metadata(step)]
enum Operator {
    Local,
    #[metadata(rename_all = "camelCase", step_with = pod_extra)]
    Kubernetes {
        #[metadata]
        namespace_name: String,
        #[metadata(pipeline, storage_size)]
        memory: u64,
        token: String,
    },
    Remote(#[metadata(rename = "host")] String),
}

#[test]
fn enums_report_the_active_variant() {
    assert!(Operator::Local.step_run_metadata(&info()).is_empty());
    let k = Operator::Kubernetes {
        namespace_name: "ml".into(),
        memory: 1024,
        token: "secret".into(),
    };
    assert_eq!(
        step(&k),
        pair(
            r#"{"namespaceName":"ml","pod":"train"}"#,
            r#"{"namespaceName":"str","pod":"str"}"#
        )
    );
    assert_eq!(
        pipeline(&k),
        pair(r#"{"memory":1024}"#, r#"{"memory":"StorageSize"}"#)
    );
    assert_eq!(
        step(&Operator::Remote("gpu-1".into())).0,
        r#"{"host":"gpu-1"}"#
    );
    assert!(
        Operator::Remote("gpu-1".into())
            .pipeline_run_metadata(RUN)
            .is_empty()
    );
}

#[test]
fn enum_schema_lists_every_variant_as_optional() {
    let schema = Operator::schema();
    assert_eq!(
        schema.step,
        [
            SchemaEntry::key("namespaceName", Some(MetadataType::Str), true),
            SchemaEntry::dynamic("pod_extra"),
            SchemaEntry::key("host", Some(MetadataType::Str), true),
        ]
    );
    assert_eq!(
        schema.pipeline,
        [SchemaEntry::key(
            "memory",
            Some(MetadataType::StorageSize),
            true
        )]
    );
}

#[test]
fn schema_without_an_instance() {
    let schema = Tracker::schema();
    assert_eq!(
        schema.pipeline,
        [
            SchemaEntry::key("mlflow_tracking_uri", Some(MetadataType::Uri), false),
            SchemaEntry::dynamic("run_link"),
        ]
    );
    assert_eq!(
        schema.step,
        [
            SchemaEntry::key("mlflow_experiment_id", Some(MetadataType::Str), false),
            SchemaEntry::dynamic("active_run"),
        ]
    );
    let schema = Conversions::schema();
    let tags = crate::schema_keys(&schema.step);
    assert_eq!(
        tags,
        [
            ("region".into(), Some(MetadataType::Str), false),
            ("backup_region".into(), Some(MetadataType::Str), true),
            // A `with` function's tag is known only when it runs.
            ("replicas".into(), None, false),
            ("doubled".into(), None, false),
            ("name".into(), None, false),
            ("note".into(), Some(MetadataType::Str), true),
            ("other_note".into(), Some(MetadataType::Str), true),
        ]
    );
    // Flattened schemas merge in, restricted to the hooks the field names.
    let outer = Outer::schema();
    assert_eq!(
        outer.pipeline,
        [
            SchemaEntry::key("inner_p", Some(MetadataType::Int), false),
            SchemaEntry::key("inner_p", Some(MetadataType::Int), true),
        ]
    );
    assert_eq!(outer.step.len(), 1 + 2 + 1 + 2 + 2);
}

#[derive(RunMetadata)]
#[metadata(step)]
struct Values {
    #[metadata]
    map: BTreeMap<&'static str, f64>,
    #[metadata]
    tuple: (u8, &'static str),
    #[metadata]
    big: u128,
    #[metadata]
    nan: f64,
    #[metadata]
    json: serde_json::Value,
}

#[test]
fn field_values_convert_like_to_metadata() {
    let c = Values {
        map: BTreeMap::from([("b", 1.0), ("a", 0.5)]),
        tuple: (1, "x"),
        big: u128::MAX,
        nan: f64::NAN,
        json: serde_json::json!({"k": [1, null]}),
    };
    assert_eq!(
        step(&c),
        pair(
            r#"{"map":{"a":0.5,"b":1.0},"tuple":[1,"x"],"big":340282366920938463463374607431768211455,"nan":"NaN","json":{"k":[1]}}"#,
            r#"{"map":"dict","tuple":"tuple","big":"int","nan":"float","json":"dict"}"#
        )
    );
}

#[test]
fn derived_components_are_object_safe() {
    let components: Vec<Box<dyn RunMetadata>> = vec![
        Box::new(UnitStruct),
        Box::new(Tracker {
            uri: "http://x".into(),
            experiment: "1".into(),
        }),
    ];
    let total: usize = components
        .iter()
        .map(|c| c.step_run_metadata(&info()).len())
        .sum();
    assert_eq!(total, 2);
}
