//! `Metadata`, `metadata!`, ZenML's `values` + `types` and the request body.

use std::collections::BTreeSet;

use run_metadata::zenml::RunMetadataRequest;
use run_metadata::{
    DType, DecodeError, KeyProblem, Metadata, MetadataType, MetadataValue, Path, StorageSize,
    ToMetadata, Uri, metadata,
};
use run_metadata::{Resource, ResourceType};
use serde_json::json;
use uuid::Uuid;

#[test]
fn insertion_order_is_kept_and_reinsert_replaces_in_place() {
    let mut m = Metadata::new();
    m.insert("b", 1).unwrap();
    m.insert("a", 2).unwrap();
    m.insert("c", 3).unwrap();
    let old = m.insert_value("a", MetadataValue::Bool(true)).unwrap();
    assert_eq!(old, Some(2.to_metadata()));
    assert_eq!(m.keys().collect::<Vec<_>>(), ["b", "a", "c"]);
    assert_eq!(m.get("a"), Some(&MetadataValue::Bool(true)));
    assert_eq!(m.len(), 3);
    assert_eq!(m.remove("b"), Some(1.to_metadata()));
    assert_eq!(m.keys().collect::<Vec<_>>(), ["a", "c"]);
    assert!(!m.contains_key("b"));
}

#[test]
fn runtime_keys_that_zenml_refuses_are_typed_errors() {
    let mut m = Metadata::new();
    let e = m.insert("", 1).unwrap_err();
    assert_eq!(e.problem(), KeyProblem::Empty);
    let e = m.insert(String::from("run:id"), 1).unwrap_err();
    assert_eq!(e.problem(), KeyProblem::Colon);
    assert_eq!(e.key(), "run:id");
    assert_eq!(
        e.to_string(),
        r#"metadata key "run:id" contains `:`, which ZenML does not accept"#
    );
    let long = "k".repeat(256);
    let e = m.insert(long, 1).unwrap_err();
    assert_eq!(e.problem(), KeyProblem::TooLong);
    assert_eq!(
        e.to_string(),
        "metadata key is 256 characters long; ZenML accepts at most 255"
    );
    // ZenML's limit is in characters (its column holds 255 of them), not bytes.
    assert!(m.insert("é".repeat(255), 1).is_ok());
    assert!(m.insert("🦀".repeat(64), 1).is_ok());
    let e = m.insert("é".repeat(256), 1).unwrap_err();
    assert_eq!(e.problem(), KeyProblem::TooLong);
    assert_eq!(
        e.to_string(),
        "metadata key is 256 characters long; ZenML accepts at most 255"
    );
    assert!(m.insert("k".repeat(255), 1).is_ok());
    assert!(m.insert_value("a:b", MetadataValue::Bool(true)).is_err());
    // Nothing was lost or half-inserted by the refusals.
    assert_eq!(m.len(), 3);
}

#[test]
fn none_inserts_nothing() {
    let mut m = Metadata::new();
    m.insert("x", None::<String>).unwrap();
    m.insert("y", serde_json::Value::Null).unwrap();
    assert!(m.is_empty());
}

#[test]
fn extend_lets_later_values_win() {
    let mut a = metadata! { "x" => 1, "y" => 2 };
    a.extend(metadata! { "y" => 3, "z" => 4 });
    assert_eq!(a.to_json(), r#"{"x":1,"y":3,"z":4}"#);
}

#[test]
fn metadata_macro_builds_typed_maps() {
    let maybe: Option<i32> = None;
    let m = metadata! {
        "s" => "x",
        "u" => Uri::new("https://x.example"),
        "maybe" => maybe,
        "t" => (1, 2),
        "computed" => 2 + 3,
    };
    assert_eq!(m.keys().collect::<Vec<_>>(), ["s", "u", "t", "computed"]);
    assert_eq!(m.get("computed"), Some(&5.to_metadata()));
    let empty = metadata! {};
    assert!(empty.is_empty());
    let one = metadata! { "k" => 1 };
    assert_eq!(one.len(), 1);
}

#[test]
fn metadata_macro_does_not_take_its_arguments() {
    let name = String::from("run");
    let m = metadata! { "name" => name };
    assert_eq!(m.get("name").and_then(MetadataValue::as_str), Some("run"));
    assert_eq!(name, "run");
}

fn every_tag() -> Metadata {
    metadata! {
        "str" => "text \"quoted\" ünïcode",
        "int" => -170_141_183_460_469_231_731_687_303_715_884_105_728_i128,
        "big" => u128::MAX,
        "float" => 0.5,
        "whole_float" => 2.0,
        "nan" => f64::NAN,
        "inf" => f64::NEG_INFINITY,
        "bool" => false,
        "list" => vec![json!(1), json!("a"), json!([true])],
        "dict" => json!({"a": {"b": [1, 2.5]}, "c": "d"}),
        "tuple" => (1, "two", 3.0),
        "set" => BTreeSet::from(["x", "y"]),
        "uri" => Uri::new("https://console.example/run/1"),
        "path" => Path::new("/data/model.pkl"),
        "dtype" => DType::of::<u16>(),
        "size" => StorageSize::new(1 << 40),
        "empty_list" => Vec::<i32>::new(),
        "empty_tuple_like_set" => BTreeSet::<i32>::new(),
    }
}

/// NaN is not equal to itself; compare through the JSON, which is exact and total.
fn assert_same(a: &Metadata, b: &Metadata) {
    assert_eq!(a.to_json(), b.to_json());
    assert_eq!(a.types_json(), b.types_json());
    let a_types: Vec<_> = a.types().collect();
    let b_types: Vec<_> = b.types().collect();
    assert_eq!(a_types, b_types);
}

#[test]
fn every_variant_round_trips_through_values_and_types() {
    let m = every_tag();
    let values = m.to_json();
    let types = m.types_json();
    let back = Metadata::from_json(&values, &types).unwrap();
    assert_same(&m, &back);
    assert_eq!(back.get("uri"), m.get("uri"));
    assert_eq!(back.get("tuple"), m.get("tuple"));
    assert_eq!(back.get("set"), m.get("set"));
    assert_eq!(back.get("big"), m.get("big"));
    assert_eq!(back.get("size"), m.get("size"));
    assert!(matches!(back.get("nan"), Some(MetadataValue::Float(x)) if x.is_nan()));
    assert_eq!(
        back.get("inf"),
        Some(&MetadataValue::Float(f64::NEG_INFINITY))
    );
    let tags: BTreeSet<MetadataType> = back.types().map(|(_, t)| t).collect();
    assert_eq!(
        tags.len(),
        MetadataType::ALL.len(),
        "every tag is exercised"
    );
}

#[test]
fn serde_path_gives_the_same_values_and_types() {
    let mut m = every_tag();
    // serde_json::Value holds 64-bit integers at most (without arbitrary_precision).
    m.remove("int");
    m.remove("big");
    let values = serde_json::to_value(&m).unwrap();
    let types = serde_json::to_value(m.types()).unwrap();
    assert_eq!(
        values,
        serde_json::from_str::<serde_json::Value>(&m.to_json()).unwrap()
    );
    assert_eq!(serde_json::to_string(&m).unwrap(), m.to_json());
    assert_eq!(
        types,
        serde_json::from_str::<serde_json::Value>(&m.types_json()).unwrap()
    );
    let back = Metadata::from_json_values(&values, &types).unwrap();
    // A `serde_json::Value` object sorts its keys; values and tags are what matter here.
    assert_eq!(serde_json::to_value(&back).unwrap(), values);
    assert_eq!(back.len(), m.len());
    for (key, tag) in m.types() {
        assert_eq!(
            back.get(key).map(MetadataValue::metadata_type),
            Some(tag),
            "{key}"
        );
    }
}

#[test]
fn whole_floats_sent_as_integers_read_back_as_floats() {
    // ZenML answers a float sent as `2` with the int 2; its tag makes it a float again.
    let m = Metadata::from_json(r#"{"x":2}"#, r#"{"x":"float"}"#).unwrap();
    assert_eq!(m.get("x"), Some(&MetadataValue::Float(2.0)));
}

#[test]
fn decoding_errors_are_typed() {
    let err = |v: &str, t: &str| Metadata::from_json(v, t).unwrap_err();
    assert_eq!(
        err(r#"{"a":1}"#, r#"{"a":"Int"}"#),
        DecodeError::UnknownType {
            key: "a".into(),
            tag: "Int".into()
        }
    );
    assert_eq!(
        err(r#"{"a":1,"b":2}"#, r#"{"a":"int"}"#),
        DecodeError::MissingType { key: "b".into() }
    );
    assert_eq!(
        err(r#"{"a":"x"}"#, r#"{"a":"int"}"#),
        DecodeError::Mismatch {
            key: Some("a".into()),
            tag: MetadataType::Int,
            found: "a string"
        }
    );
    assert_eq!(
        err(r#"{"a":-1}"#, r#"{"a":"StorageSize"}"#).to_string(),
        r#"value of key "a" is an integer outside 0..=u64::MAX, which is not a `StorageSize`"#
    );
    assert!(matches!(
        err(r#"{"a":[1]}"#, r#"{"a":"Uri"}"#),
        DecodeError::Mismatch {
            tag: MetadataType::Uri,
            found: "an array",
            ..
        }
    ));
    assert!(matches!(
        err(r#"{"a":"word"}"#, r#"{"a":"float"}"#),
        DecodeError::Mismatch {
            tag: MetadataType::Float,
            ..
        }
    ));
    assert_eq!(
        err("[]", "{}"),
        DecodeError::NotAnObject { which: "values" }
    );
    assert_eq!(err("{}", "3"), DecodeError::NotAnObject { which: "types" });
    assert_eq!(
        err(r#"{"a":1}"#, r#"{"a":1}"#),
        DecodeError::TagNotAString { key: "a".into() }
    );
    assert!(matches!(
        err(r#"{"a:b":1}"#, r#"{"a:b":"int"}"#),
        DecodeError::InvalidKey(e) if e.problem() == KeyProblem::Colon
    ));
    assert!(matches!(
        err(r#"{"a":1"#, "{}"),
        DecodeError::Syntax { offset: 6, .. }
    ));
    assert!(matches!(
        err(r#"{"a":01}"#, "{}"),
        DecodeError::Syntax { .. }
    ));
    assert!(matches!(
        err(r#"{"a":"\ud800"}"#, "{}"),
        DecodeError::Syntax { .. }
    ));
    assert!(matches!(
        err("{} x", "{}"),
        DecodeError::Syntax { offset: 3, .. }
    ));
    let deep = format!("{{\"a\":{}{}}}", "[".repeat(200), "]".repeat(200));
    assert!(matches!(
        err(&deep, r#"{"a":"list"}"#),
        DecodeError::TooDeep { .. }
    ));
}

#[test]
fn reader_handles_escapes_exponents_and_big_integers() {
    let m = Metadata::from_json(
        r#" { "s" : "a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00" , "e" : 1E3 , "n" : -0.5e-2 ,
             "big" : 340282366920938463463374607431768211455 , "l" : [ null , 1 ] } "#,
        r#"{"s":"str","e":"float","n":"float","big":"int","l":"list"}"#,
    )
    .unwrap();
    assert_eq!(
        m.get("s").and_then(MetadataValue::as_str),
        Some("a\"\\/\u{8}\u{c}\n\r\té😀")
    );
    assert_eq!(m.get("e"), Some(&MetadataValue::Float(1000.0)));
    assert_eq!(m.get("n"), Some(&MetadataValue::Float(-0.005)));
    assert_eq!(m.get("big"), Some(&u128::MAX.to_metadata()));
    assert_eq!(m.get("l"), Some(&vec![1].to_metadata()));
}

#[test]
fn single_values_read_back_typed() {
    let v = MetadataValue::from_json("[1,2]", MetadataType::Set).unwrap();
    assert_eq!(v, BTreeSet::from([1, 2]).to_metadata());
    assert_eq!(
        MetadataValue::from_json("null", MetadataType::Str),
        Err(DecodeError::Null { key: None })
    );
}

/// The body ZenML's own client sends for ZENML.md's example, reproduced.
#[test]
fn golden_request_body() {
    let project = Uuid::parse_str("0f3a6c52-4d77-4f1e-9a53-7b8c2d1e0f42").unwrap();
    let run = Uuid::parse_str("5b1f0a0e-2e3c-4c38-8e6c-1d2f3a4b5c6d").unwrap();
    let component = Uuid::parse_str("a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d").unwrap();
    let values = metadata! {
        "orchestrator_url" => Uri::new("https://console.example/run/1"),
        "size" => StorageSize::new(1024),
        "t" => (1, 2),
    };
    let body = RunMetadataRequest::new(project, Resource::pipeline_run(run), &values)
        .with_stack_component(component)
        .to_json();
    let expected = json!({
        "project": "0f3a6c52-4d77-4f1e-9a53-7b8c2d1e0f42",
        "resources": [{"id": "5b1f0a0e-2e3c-4c38-8e6c-1d2f3a4b5c6d", "type": "pipeline_run"}],
        "stack_component_id": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
        "values": {"orchestrator_url": "https://console.example/run/1", "size": 1024, "t": [1, 2]},
        "types": {"orchestrator_url": "Uri", "size": "StorageSize", "t": "tuple"},
        "publisher_step_id": null
    });
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body).unwrap(),
        expected
    );
    // Field order as ZenML's client writes it, byte for byte.
    assert_eq!(
        body,
        concat!(
            r#"{"project":"0f3a6c52-4d77-4f1e-9a53-7b8c2d1e0f42","#,
            r#""resources":[{"id":"5b1f0a0e-2e3c-4c38-8e6c-1d2f3a4b5c6d","type":"pipeline_run"}],"#,
            r#""stack_component_id":"a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d","#,
            r#""values":{"orchestrator_url":"https://console.example/run/1","size":1024,"t":[1,2]},"#,
            r#""types":{"orchestrator_url":"Uri","size":"StorageSize","t":"tuple"},"#,
            r#""publisher_step_id":null}"#
        )
    );
    let step = RunMetadataRequest::new(project, Resource::step_run(run), &values).to_json();
    assert!(step.contains(r#""type":"step_run""#));
    assert!(step.contains(r#""stack_component_id":null"#));
    let names: Vec<&str> = [
        ResourceType::PipelineRun,
        ResourceType::StepRun,
        ResourceType::ArtifactVersion,
        ResourceType::ModelVersion,
        ResourceType::Schedule,
        ResourceType::WaitCondition,
    ]
    .iter()
    .map(|r| r.as_str())
    .collect();
    assert_eq!(
        names,
        [
            "pipeline_run",
            "step_run",
            "artifact_version",
            "model_version",
            "schedule",
            "wait_condition"
        ]
    );
}

#[test]
fn display_of_metadata_lists_entries() {
    let m = metadata! { "size" => StorageSize::new(3 << 29), "u" => Uri::new("https://x") };
    assert_eq!(m.to_string(), "size: 1.50 GiB\nu: https://x\n");
}
