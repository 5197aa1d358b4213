//! Depth and size: inputs nested 100,000 deep or 100 MB wide never overflow the stack or run out
//! of memory — they work, or meet a clear error at the documented limit (`MAX_DEPTH`, 128).

use run_metadata::Resource;
use run_metadata::sink::Sink;
use run_metadata::stack::{ComponentInfo, ComponentKind};
use run_metadata::store::Store;
use run_metadata::{
    DecodeError, MAX_DEPTH, Metadata, MetadataType, MetadataValue, TOO_DEEP, ToMetadata, metadata,
};
use run_metadata_tests::TempDir;
use uuid::Uuid;

const DEEP: usize = 100_000;

/// A `serde_json::Value` nested `DEEP` arrays deep, built without recursion.
fn deep_json() -> serde_json::Value {
    let mut value = serde_json::json!(1);
    for _ in 0..DEEP {
        value = serde_json::Value::Array(vec![value]);
    }
    value
}

/// serde_json drops values recursively: a value this deep needs a big stack to go away. That is
/// serde_json's limit, not ours; drop it where there is room.
fn drop_on_big_stack(value: serde_json::Value) {
    std::thread::Builder::new()
        .stack_size(1 << 30)
        .spawn(move || drop(value))
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn a_serde_json_value_100_000_deep_converts_down_to_the_limit() {
    let deep = deep_json();
    // On a thread with a small stack (256 KiB): the conversion must not need a deep one.
    let converted = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn_scoped(scope, || deep.to_metadata())
            .unwrap()
            .join()
            .unwrap()
    });
    drop_on_big_stack(deep);
    // Exactly MAX_DEPTH lists, then the marker.
    let mut depth = 0;
    let mut cursor = &converted;
    while let MetadataValue::List(items) = cursor {
        depth += 1;
        cursor = &items[0];
    }
    assert_eq!(depth, MAX_DEPTH);
    assert_eq!(cursor, &MetadataValue::Str(TOO_DEEP.to_owned()));
    // And what came out goes everywhere: JSON, back, the store.
    let m = metadata! { "deep" => converted.clone() };
    let back = Metadata::from_json(&m.to_json(), &m.types_json()).unwrap();
    assert_eq!(back, m);
}

#[test]
fn json_100_000_deep_is_refused_at_the_limit() {
    let text = format!("{}1{}", "[".repeat(DEEP), "]".repeat(DEEP));
    let err = MetadataValue::from_json(&text, MetadataType::List).unwrap_err();
    assert_eq!(err, DecodeError::TooDeep { offset: MAX_DEPTH });
    assert_eq!(
        err.to_string(),
        format!("JSON nests deeper than {MAX_DEPTH} arrays or objects (at byte {MAX_DEPTH})")
    );
    let objects = format!("{}{}", "{\"a\":".repeat(DEEP), "}".repeat(DEEP));
    assert!(matches!(
        MetadataValue::from_json(&objects, MetadataType::Dict),
        Err(DecodeError::TooDeep { .. })
    ));
    // At the limit exactly, it reads.
    let at_limit = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
    assert!(MetadataValue::from_json(&at_limit, MetadataType::List).is_ok());
}

#[test]
fn a_100_mb_value_goes_through_json_and_the_store() {
    let big = "é".repeat(50 * 1024 * 1024); // 100 MiB of UTF-8
    let list: Vec<u32> = (0..10_000_000).collect(); // 10 million integers, ~79 MB of JSON
    let m = metadata! { "big" => &big, "list" => &list };
    let json = m.to_json();
    assert!(json.len() > 100 * 1024 * 1024 + 70 * 1024 * 1024);
    let back = Metadata::from_json(&json, &m.types_json()).unwrap();
    assert_eq!(
        back.get("big")
            .and_then(MetadataValue::as_str)
            .map(str::len),
        Some(big.len())
    );
    assert_eq!(
        back.get("list")
            .and_then(MetadataValue::as_slice)
            .map(<[_]>::len),
        Some(list.len())
    );

    let dir = TempDir::new("wide");
    let mut store = Store::open(dir.path("runs.db")).unwrap();
    let run = Resource::pipeline_run(Uuid::new_v4());
    let component = ComponentInfo {
        id: Uuid::from_u128(1),
        name: "wide".into(),
        kind: ComponentKind::ArtifactStore,
    };
    store.publish(run, &component, &m).unwrap();
    let read = store.metadata(run).unwrap();
    assert_eq!(read.to_json().len(), json.len());
}
