//! Random `MetadataValue` trees round-trip unchanged: through ZenML's `values` + `types` JSON,
//! through the embedded store, and (where a server runs) through ZenML itself.
//!
//! `RUN_METADATA_PROPTEST_CASES` scales the runs (defaults: 2,000 JSON, 500 store, 40 ZenML).

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use run_metadata::Resource;
use run_metadata::sink::Sink;
use run_metadata::stack::{ComponentInfo, ComponentKind};
use run_metadata::store::Store;
use run_metadata::zenml::Client;
use run_metadata::{DType, Integer, Metadata, MetadataValue, Path, StorageSize, Uri};
use run_metadata_tests::TempDir;
use uuid::Uuid;

fn cases(default: u32) -> u32 {
    std::env::var("RUN_METADATA_PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

fn integer() -> impl Strategy<Value = Integer> {
    prop_oneof![
        any::<i64>().prop_map(Integer::from),
        any::<i128>().prop_map(Integer::from),
        any::<u128>().prop_map(Integer::from),
    ]
}

fn finite() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>().prop_filter("finite", |x| x.is_finite()),
        (-1000i32..1000).prop_map(f64::from), // whole floats, written `2.0`
    ]
}

/// Values JSON itself can hold, as they nest inside containers (where tags do not reach).
fn native() -> impl Strategy<Value = MetadataValue> {
    let leaf = prop_oneof![
        any::<String>().prop_map(MetadataValue::Str),
        integer().prop_map(MetadataValue::Int),
        finite().prop_map(MetadataValue::Float),
        any::<bool>().prop_map(MetadataValue::Bool),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(MetadataValue::List),
            prop::collection::btree_map(any::<String>(), inner, 0..6)
                .prop_map(|m| MetadataValue::Dict(m.into_iter().collect())),
        ]
    })
}

/// A top-level value of any of ZenML's twelve tags.
fn value() -> impl Strategy<Value = MetadataValue> {
    prop_oneof![
        native(),
        any::<f64>().prop_map(MetadataValue::Float), // NaN and infinities too
        prop::collection::vec(native(), 0..5).prop_map(MetadataValue::Tuple),
        prop::collection::vec(native(), 0..5).prop_map(MetadataValue::Set),
        any::<String>().prop_map(|s| MetadataValue::Uri(Uri::new(s))),
        any::<String>().prop_map(|s| MetadataValue::Path(Path::new(s))),
        any::<String>().prop_map(|s| MetadataValue::DType(DType::new(s))),
        any::<u64>().prop_map(|b| MetadataValue::StorageSize(StorageSize::new(b))),
    ]
}

fn metadata() -> impl Strategy<Value = Metadata> {
    prop::collection::btree_map("[a-zA-Z0-9_ .é-]{1,20}", value(), 0..8).prop_map(|entries| {
        let mut m = Metadata::new();
        for (k, v) in entries {
            m.insert_value(k, v).expect("generated keys are valid");
        }
        m
    })
}

/// Equal, NaN included: the JSON is exact, and the tags tell the types.
fn same(a: &Metadata, b: &Metadata) -> Result<(), TestCaseError> {
    prop_assert_eq!(a.to_json(), b.to_json());
    prop_assert_eq!(a.types_json(), b.types_json());
    Ok(())
}

#[test]
fn values_and_types_json_round_trip() {
    runner(cases(2_000))
        .run(&metadata(), |m| {
            let back = Metadata::from_json(&m.to_json(), &m.types_json())
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            same(&m, &back)?;
            // Structurally equal too, where NaN does not make `==` false.
            if !m.values().any(MetadataValue::has_non_finite) {
                prop_assert_eq!(&m, &back);
            }
            // And serde's path agrees with ours byte for byte (integers beyond 64 bits need
            // `to_string`, not `to_value`).
            prop_assert_eq!(serde_json::to_string(&m).unwrap(), m.to_json());
            Ok(())
        })
        .unwrap();
}

#[test]
fn the_store_round_trips() {
    let dir = TempDir::new("properties");
    let store = std::cell::RefCell::new(Store::open(dir.path("runs.db")).unwrap());
    let component = ComponentInfo {
        id: Uuid::from_u128(1),
        name: "prop".into(),
        kind: ComponentKind::Orchestrator,
    };
    runner(cases(500))
        .run(&metadata(), |m| {
            let resource = Resource::step_run(Uuid::new_v4());
            store
                .borrow_mut()
                .publish(resource, &component, &m)
                .unwrap();
            let back = store.borrow().metadata(resource).unwrap();
            same(&m, &back)
        })
        .unwrap();
}

#[test]
fn zenml_round_trips_the_values() {
    let Some(server) = run_metadata_tests::live_server("zenml_round_trips_the_values") else {
        return;
    };
    let config = crate::default_user(&server.url);
    let client = std::cell::RefCell::new(Client::connect(config).unwrap());
    let run = client
        .borrow_mut()
        .create_run(
            "rust-properties",
            &format!("prop-{}", Uuid::new_v4()),
            &[],
            std::time::SystemTime::now(),
            None,
            None,
        )
        .unwrap();
    let published = std::cell::Cell::new(0);
    runner(cases(40))
        .run(&metadata(), |m| {
            // Each case on a run of its own would be slow; one run, keys made unique per case.
            published.set(published.get() + 1);
            let case = published.get();
            let mut unique = Metadata::new();
            for (k, v) in &m {
                unique
                    .insert_value(format!("c{case}_{k}"), v.clone())
                    .unwrap();
            }
            let mut client = client.borrow_mut();
            let report = client
                .publish(Resource::pipeline_run(run), None, &unique)
                .unwrap();
            prop_assert!(report.skipped.is_empty());
            let read = client.read_metadata(Resource::pipeline_run(run)).unwrap();
            // ZenML returns no tags: compare the JSON, which is the same for `Uri` and `str`,
            // a tuple and a list, a `StorageSize` and an int, NaN and the string "NaN".
            for (k, v) in &unique {
                prop_assert_eq!(
                    read.get(k).map(MetadataValue::to_json),
                    Some(v.to_json()),
                    "{}",
                    k
                );
            }
            Ok(())
        })
        .unwrap();
}
