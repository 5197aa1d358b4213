//! The reader's edges: integers past 128 bits.

use super::parse;
use crate::value::tree::MetadataValue;

#[test]
fn integers_beyond_128_bits_are_refused() {
    let wide = "340282366920938463463374607431768211456"; // u128::MAX + 1
    assert!(parse(wide, 1).is_err());
    assert!(parse(&format!("-{wide}"), 1).is_err());
    // Within 128 bits, the exact integer.
    for exact in [u128::MAX.to_string(), i128::MIN.to_string()] {
        let read = parse(&exact, 1).unwrap();
        assert!(matches!(read, Some(MetadataValue::Int(_))), "{exact}");
        assert_eq!(read.unwrap().to_json(), exact);
    }
}
