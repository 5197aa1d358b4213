//! Many keys: one `Metadata` of a million entries built, searched and read back from JSON, and
//! the index of a large map agreeing with a search in order under any sequence of changes. The
//! figures are the benchmark's (`benches/benches/scale.rs`); here only the results are checked.

use proptest::prelude::*;
use run_metadata::{Metadata, MetadataValue, ToMetadata};

#[test]
fn a_million_keys_in_one_metadata() {
    const N: u64 = 1_000_000;
    let mut m = Metadata::with_capacity(N as usize);
    for i in 0..N {
        m.insert(format!("key_{i}"), i).unwrap();
    }
    // Every thousandth key again: replaced in its place, not appended.
    for i in (0..N).step_by(1000) {
        m.insert(format!("key_{i}"), "again").unwrap();
    }
    assert_eq!(m.len() as u64, N);
    for i in (0..N).step_by(997) {
        let expected = if i % 1000 == 0 {
            "again".to_metadata()
        } else {
            i.to_metadata()
        };
        assert_eq!(m.get(&format!("key_{i}")), Some(&expected), "key_{i}");
    }
    assert_eq!(m.keys().nth(1000), Some("key_1000"));
    assert_eq!(m.get("key_1000000"), None);

    let (values, types) = (m.to_json(), m.types_json());
    let back = Metadata::from_json(&values, &types).unwrap();
    assert_eq!(back, m);
    // A dict value of a million entries, through the reader too.
    let dict = MetadataValue::from_json(&values, run_metadata::MetadataType::Dict).unwrap();
    let MetadataValue::Dict(entries) = dict else {
        panic!("not a dict")
    };
    assert_eq!(entries.len() as u64, N);
    assert_eq!(entries[1000].0, "key_1000");
}

/// A change to a map: insert key number `.1` (of a few hundred), or remove it.
#[derive(Clone, Debug)]
enum Change {
    Insert(u16, i64),
    Remove(u16),
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        4 => (0..300u16, any::<i64>()).prop_map(|(k, v)| Change::Insert(k, v)),
        1 => (0..300u16).prop_map(Change::Remove),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn the_index_agrees_with_a_search_in_order(changes in prop::collection::vec(change(), 0..600)) {
        let mut m = Metadata::new();
        let mut model: Vec<(String, i64)> = Vec::new();
        for change in changes {
            match change {
                Change::Insert(k, v) => {
                    let key = format!("k{k}");
                    m.insert(key.clone(), v).unwrap();
                    match model.iter_mut().find(|(mk, _)| *mk == key) {
                        Some(slot) => slot.1 = v,
                        None => model.push((key, v)),
                    }
                }
                Change::Remove(k) => {
                    let key = format!("k{k}");
                    let removed = m.remove(&key).map(|v| v.to_json());
                    let at = model.iter().position(|(mk, _)| *mk == key);
                    let expected = at.map(|at| model.remove(at).1.to_string());
                    prop_assert_eq!(removed, expected);
                }
            }
            prop_assert_eq!(m.len(), model.len());
        }
        let keys: Vec<&str> = m.keys().collect();
        let model_keys: Vec<&str> = model.iter().map(|(k, _)| k.as_str()).collect();
        prop_assert_eq!(keys, model_keys);
        for k in 0..300u16 {
            let key = format!("k{k}");
            let expected = model.iter().find(|(mk, _)| *mk == key).map(|(_, v)| v.to_string());
            prop_assert_eq!(m.get(&key).map(MetadataValue::to_json), expected);
        }
    }
}
