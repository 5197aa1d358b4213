//! Every `ToMetadata` conversion: its exact JSON (ours and serde's) and its ZenML tag.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::rc::Rc;
use std::sync::Arc;

use run_metadata::{
    DType, Integer, MetadataType, MetadataValue, Path, StorageSize, ToMetadata, Uri,
};
use serde_json::json;

/// Converts `value` and checks its tag and its JSON three ways: our writer, serde_json's writer
/// through our `Serialize`, and (where given) `serde_json::to_value`.
#[track_caller]
fn check<T: ToMetadata + ?Sized>(value: &T, tag: &str, expected_json: &str) -> MetadataValue {
    let v = value.to_metadata();
    assert_eq!(v.metadata_type().as_str(), tag, "tag of {v:?}");
    assert_eq!(v.to_json(), expected_json, "our JSON of {v:?}");
    assert_eq!(
        serde_json::to_string(&v).unwrap(),
        expected_json,
        "serde_json's JSON of {v:?}"
    );
    v
}

#[test]
fn bool_and_char() {
    check(&true, "bool", "true");
    check(&false, "bool", "false");
    check(&'x', "str", r#""x""#);
    check(&'é', "str", r#""é""#);
}

#[test]
fn every_integer_type_is_exact_at_its_extremes() {
    macro_rules! extremes {
        ($($t:ty)*) => {$(
            check(&<$t>::MIN, "int", &<$t>::MIN.to_string());
            check(&<$t>::MAX, "int", &<$t>::MAX.to_string());
            check(&(0 as $t), "int", "0");
        )*};
    }
    extremes!(i8 i16 i32 i64 i128 isize u8 u16 u32 u64 u128 usize);
    check(&u64::MAX, "int", "18446744073709551615");
    check(
        &i128::MIN,
        "int",
        "-170141183460469231731687303715884105728",
    );
    check(&u128::MAX, "int", "340282366920938463463374607431768211455");
}

#[test]
fn integers_within_64_bits_reach_serde_json_values() {
    assert_eq!(
        serde_json::to_value(u64::MAX.to_metadata()).unwrap(),
        json!(u64::MAX)
    );
    assert_eq!(
        serde_json::to_value(i64::MIN.to_metadata()).unwrap(),
        json!(i64::MIN)
    );
}

#[test]
fn floats_keep_their_shortest_form() {
    check(&0.1f32, "float", "0.1");
    assert_eq!(0.1f32.to_metadata(), MetadataValue::Float(0.1));
    check(&2.0f64, "float", "2.0");
    check(&2.0f32, "float", "2.0");
    check(&-0.0f64, "float", "-0.0");
    check(&1e300f64, "float", "1e+300");
    check(&1.5e-7f64, "float", "1.5e-7");
    check(&f32::MAX, "float", "3.4028235e+38");
    check(&f64::MIN_POSITIVE, "float", "2.2250738585072014e-308");
    assert_eq!(
        serde_json::to_value(0.1f32.to_metadata()).unwrap(),
        json!(0.1)
    );
}

#[test]
fn non_finite_floats_become_words_tagged_float() {
    check(&f64::NAN, "float", r#""NaN""#);
    check(&f64::INFINITY, "float", r#""Infinity""#);
    check(&f64::NEG_INFINITY, "float", r#""-Infinity""#);
    check(&f32::NAN, "float", r#""NaN""#);
    check(&f32::NEG_INFINITY, "float", r#""-Infinity""#);
    let v = vec![1.0, f64::NAN].to_metadata();
    assert!(v.has_non_finite());
    assert!(!vec![1.0].to_metadata().has_non_finite());
    assert_eq!(v.to_json(), r#"[1.0,"NaN"]"#);
    assert_eq!(f64::NAN.to_metadata().to_string(), "NaN");
}

#[test]
fn strings_of_every_kind() {
    check("plain", "str", r#""plain""#);
    check(&String::from("s"), "str", r#""s""#);
    check(&Cow::<str>::Borrowed("cow"), "str", r#""cow""#);
    check(&Cow::<str>::Owned("cow".into()), "str", r#""cow""#);
    check(&Box::<str>::from("boxed"), "str", r#""boxed""#);
    check(&Arc::<str>::from("arc"), "str", r#""arc""#);
    check(&Rc::<str>::from("rc"), "str", r#""rc""#);
    check(&"ref", "str", r#""ref""#);
    check(&&&"deep", "str", r#""deep""#);
}

#[test]
fn strings_are_escaped_as_json() {
    check(
        "q\"b\\n\nt\tc\u{1}\u{1f}é😀",
        "str",
        r#""q\"b\\n\nt\tc\u0001\u001fé😀""#,
    );
    check("\u{8}\u{c}\r", "str", r#""\b\f\r""#);
    check("</script>", "str", r#""</script>""#);
}

#[test]
fn std_paths_become_path() {
    check(
        std::path::Path::new("/data/train.csv"),
        "Path",
        r#""/data/train.csv""#,
    );
    let v = check(
        &std::path::PathBuf::from("relative/dir"),
        "Path",
        r#""relative/dir""#,
    );
    assert_eq!(v, MetadataValue::Path(Path::new("relative/dir")));
}

#[test]
fn uuid_is_a_lowercase_hyphenated_string() {
    let id = uuid::Uuid::from_u128(0x67E5_5044_10B1_426F_9247_BB68_0E5F_E0C8);
    check(&id, "str", r#""67e55044-10b1-426f-9247-bb680e5fe0c8""#);
}

#[test]
fn special_types() {
    check(
        &Uri::new("https://x.example/a?b=c"),
        "Uri",
        r#""https://x.example/a?b=c""#,
    );
    check(&Path::new("/tmp/x"), "Path", r#""/tmp/x""#);
    check(&DType::of::<f32>(), "DType", r#""float32""#);
    check(&StorageSize::new(1024), "StorageSize", "1024");
    check(
        &StorageSize::new(u64::MAX),
        "StorageSize",
        "18446744073709551615",
    );
}

#[test]
fn dtype_names_follow_numpy() {
    let names = [
        (DType::of::<bool>(), "bool"),
        (DType::of::<f32>(), "float32"),
        (DType::of::<f64>(), "float64"),
        (DType::of::<i8>(), "int8"),
        (DType::of::<i16>(), "int16"),
        (DType::of::<i32>(), "int32"),
        (DType::of::<i64>(), "int64"),
        (DType::of::<u8>(), "uint8"),
        (DType::of::<u16>(), "uint16"),
        (DType::of::<u32>(), "uint32"),
        (DType::of::<u64>(), "uint64"),
        (DType::of::<isize>(), "int64"),
        (DType::of::<usize>(), "uint64"),
    ];
    for (dtype, name) in names {
        assert_eq!(dtype.as_str(), name);
    }
}

#[test]
fn serde_json_values() {
    let v = json!({"a": [1, 2.5, "x", true, null], "b": null, "c": {"d": -3}});
    let m = check(&v, "dict", r#"{"a":[1,2.5,"x",true],"c":{"d":-3}}"#);
    assert_eq!(m.metadata_type(), MetadataType::Dict);
    check(&json!(u64::MAX), "int", "18446744073709551615");
    check(&json!(2.0), "float", "2.0");
    check(&json!("s"), "str", r#""s""#);
    // A top-level null is no value.
    assert_eq!(serde_json::Value::Null.to_metadata_opt(), None);
}

#[test]
fn sequences_become_lists() {
    check(&vec![1, 2, 3], "list", "[1,2,3]");
    check(&[1u8, 2][..], "list", "[1,2]");
    check(&["a", "b"], "list", r#"["a","b"]"#);
    check(&VecDeque::from([true, false]), "list", "[true,false]");
    check(&Vec::<i32>::new(), "list", "[]");
    check(&vec![vec![1], vec![]], "list", "[[1],[]]");
    check(&vec![Some(1), None, Some(3)], "list", "[1,3]");
}

#[test]
fn tuples_up_to_twelve() {
    check(&(1,), "tuple", "[1]");
    check(&(1, "a", 2.0, true), "tuple", r#"[1,"a",2.0,true]"#);
    check(
        &(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12),
        "tuple",
        "[1,2,3,4,5,6,7,8,9,10,11,12]",
    );
    let v = check(&(Uri::new("u"), StorageSize::new(1)), "tuple", r#"["u",1]"#);
    assert_eq!(
        v,
        MetadataValue::Tuple(vec![
            MetadataValue::Uri(Uri::new("u")),
            MetadataValue::StorageSize(StorageSize::new(1)),
        ])
    );
}

#[test]
fn sets_are_sorted_and_unique() {
    let hs: HashSet<i32> = [30, -1, 2, 10, 2].into_iter().collect();
    check(&hs, "set", "[-1,2,10,30]");
    let bs: BTreeSet<&str> = ["b", "a", "c"].into_iter().collect();
    check(&bs, "set", r#"["a","b","c"]"#);
    // `Some(1)` and `None` next to it: the None is omitted, no duplicates appear.
    let opt: BTreeSet<Option<i32>> = [None, Some(1)].into_iter().collect();
    check(&opt, "set", "[1]");
}

#[test]
fn maps_are_sorted_by_key() {
    let hm: HashMap<u32, &str> = [(10, "ten"), (2, "two"), (1, "one")].into_iter().collect();
    // Integer keys numerically, not as strings ("10" < "2").
    check(&hm, "dict", r#"{"1":"one","2":"two","10":"ten"}"#);
    let neg: HashMap<i64, bool> = [(-5, true), (3, false)].into_iter().collect();
    check(&neg, "dict", r#"{"-5":true,"3":false}"#);
    let sm: HashMap<String, Vec<f64>> = [("b".into(), vec![1.0]), ("a".into(), vec![])]
        .into_iter()
        .collect();
    check(&sm, "dict", r#"{"a":[],"b":[1.0]}"#);
    let bm: BTreeMap<&str, Option<i32>> = [("x", Some(1)), ("y", None)].into_iter().collect();
    check(&bm, "dict", r#"{"x":1}"#);
    let cm: BTreeMap<char, u8> = [('b', 2), ('a', 1)].into_iter().collect();
    check(&cm, "dict", r#"{"a":1,"b":2}"#);
}

#[test]
fn hash_maps_do_not_depend_on_the_hasher() {
    let a: HashMap<String, i32> = (0..100).map(|i| (format!("k{i}"), i)).collect();
    let b: HashMap<String, i32> = (0..100).rev().map(|i| (format!("k{i}"), i)).collect();
    assert_eq!(a.to_metadata().to_json(), b.to_metadata().to_json());
}

#[test]
fn smart_pointers_forward() {
    check(&Box::new(5), "int", "5");
    check(&Rc::new(vec![1]), "list", "[1]");
    check(&Arc::new(Uri::new("u")), "Uri", r#""u""#);
    let mut x = 1.5;
    check(&&mut x, "float", "1.5");
    check(&Cow::<[i32]>::Borrowed(&[1, 2]), "list", "[1,2]");
}

#[test]
fn options_omit_none() {
    assert_eq!(
        Some(3).to_metadata_opt(),
        Some(MetadataValue::Int(Integer::from(3)))
    );
    assert_eq!(None::<i32>.to_metadata_opt(), None);
    assert_eq!(Some(None::<i32>).to_metadata_opt(), None);
    check(&Some(Uri::new("u")), "Uri", r#""u""#);
    // `to_metadata` must give something: an empty string, documented.
    assert_eq!(None::<i32>.to_metadata(), MetadataValue::Str(String::new()));
}

#[test]
fn metadata_value_converts_to_itself() {
    let v = MetadataValue::Set(vec![MetadataValue::Bool(true)]);
    assert_eq!(check(&v, "set", "[true]"), v);
}

#[test]
fn display_is_the_dashboard_form() {
    let cases: Vec<(MetadataValue, &str)> = vec![
        ("text".to_metadata(), "text"),
        (
            Uri::new("https://x.example").to_metadata(),
            "https://x.example",
        ),
        (Path::new("/a b").to_metadata(), "/a b"),
        (DType::of::<f64>().to_metadata(), "float64"),
        (StorageSize::new(0).to_metadata(), "0 B"),
        (StorageSize::new(1023).to_metadata(), "1023 B"),
        (StorageSize::new(1024).to_metadata(), "1.00 KiB"),
        (StorageSize::new(1024 * 1024 - 1).to_metadata(), "1.00 MiB"),
        (StorageSize::new(3 << 29).to_metadata(), "1.50 GiB"),
        (StorageSize::new(u64::MAX).to_metadata(), "16.00 EiB"),
        (2.0.to_metadata(), "2.0"),
        (
            u128::MAX.to_metadata(),
            "340282366920938463463374607431768211455",
        ),
        (vec!["a, b", "c"].to_metadata(), r#"["a, b", "c"]"#),
        ((1,).to_metadata(), "(1,)"),
        ((1, "x").to_metadata(), r#"(1, "x")"#),
        (BTreeSet::from([1, 2]).to_metadata(), "{1, 2}"),
        (BTreeMap::from([("k", 1)]).to_metadata(), r#"{"k": 1}"#),
        (true.to_metadata(), "true"),
    ];
    for (value, shown) in cases {
        assert_eq!(value.to_string(), shown, "{value:?}");
    }
}

#[test]
fn debug_is_structural() {
    assert_eq!(
        format!("{:?}", Uri::new("u").to_metadata()),
        r#"Uri(Uri("u"))"#
    );
    assert_eq!(
        format!("{:?}", StorageSize::new(2).to_metadata()),
        "StorageSize(StorageSize(2))"
    );
    assert_eq!(format!("{:?}", (1,).to_metadata()), "Tuple([Int(1)])");
}

#[test]
fn tags_are_zenmls() {
    let tags: Vec<&str> = MetadataType::ALL.iter().map(|t| t.as_str()).collect();
    assert_eq!(
        tags,
        [
            "str",
            "int",
            "float",
            "bool",
            "list",
            "dict",
            "tuple",
            "set",
            "Uri",
            "Path",
            "DType",
            "StorageSize"
        ]
    );
    for t in MetadataType::ALL {
        assert_eq!(t.as_str().parse::<MetadataType>(), Ok(t));
        assert_eq!(t.to_string(), t.as_str());
    }
    assert!("uri".parse::<MetadataType>().is_err());
    assert!("".parse::<MetadataType>().is_err());
}
