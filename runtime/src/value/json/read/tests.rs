//! The reader's edges: integers past 128 bits.

use super::{parse, parse_lenient};
use crate::value::tree::MetadataValue;

#[test]
fn integers_beyond_128_bits_are_refused_or_read_as_floats() {
    let wide = "340282366920938463463374607431768211456"; // u128::MAX + 1
    assert!(parse(wide, 1).is_err());
    assert_eq!(
        parse_lenient(wide, 1).unwrap(),
        Some(MetadataValue::Float(3.402_823_669_209_385e38))
    );
    // Within 128 bits both read the exact integer.
    let max = u128::MAX.to_string();
    assert_eq!(parse(&max, 1).unwrap(), parse_lenient(&max, 1).unwrap());
    assert!(matches!(
        parse_lenient(&max, 1),
        Ok(Some(MetadataValue::Int(_)))
    ));
}
