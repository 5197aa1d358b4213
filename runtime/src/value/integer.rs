//! `Integer`: an integer of any Rust integer type, kept exactly.

use core::fmt;
use core::str::FromStr;

/// An integer of any Rust integer type, kept exactly (`u128::MAX` and `i128::MIN` included).
///
/// ZenML stores Python ints, which are unbounded; this type covers every Rust integer.
///
/// ```
/// use run_metadata::Integer;
///
/// assert_eq!(Integer::from(u128::MAX).to_string(), u128::MAX.to_string());
/// assert_eq!(Integer::from(-3_i8).as_i64(), Some(-3));
/// assert_eq!(Integer::from(u64::MAX).as_i64(), None);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Integer(Repr);

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Repr {
    /// Every value that fits an `i128`.
    Small(i128),
    /// Only values above `i128::MAX`, so that equality stays structural.
    Large(u128),
}

impl Integer {
    /// The value as an `i64`, if it fits.
    #[must_use]
    pub fn as_i64(self) -> Option<i64> {
        self.as_i128().and_then(|v| i64::try_from(v).ok())
    }

    /// The value as a `u64`, if it fits.
    #[must_use]
    pub fn as_u64(self) -> Option<u64> {
        self.as_u128().and_then(|v| u64::try_from(v).ok())
    }

    /// The value as an `i128`, if it fits.
    #[must_use]
    pub const fn as_i128(self) -> Option<i128> {
        match self.0 {
            Repr::Small(v) => Some(v),
            Repr::Large(_) => None,
        }
    }

    /// The value as a `u128`, if it fits.
    #[must_use]
    pub const fn as_u128(self) -> Option<u128> {
        match self.0 {
            Repr::Small(v) if v >= 0 => Some(v.cast_unsigned()),
            Repr::Small(_) => None,
            Repr::Large(v) => Some(v),
        }
    }

    /// Whether the value is below zero.
    #[must_use]
    pub const fn is_negative(self) -> bool {
        matches!(self.0, Repr::Small(v) if v < 0)
    }

    /// The value as the nearest `f64`.
    #[must_use]
    #[allow(clippy::cast_precision_loss)]
    pub const fn to_f64(self) -> f64 {
        match self.0 {
            Repr::Small(v) => v as f64,
            Repr::Large(v) => v as f64,
        }
    }

    pub(crate) fn write_to(self, out: &mut String) {
        let mut buf = itoa::Buffer::new();
        out.push_str(match self.0 {
            // 64-bit formatting is several times faster than 128-bit; most values fit.
            Repr::Small(v) => match i64::try_from(v) {
                Ok(small) => buf.format(small),
                Err(_) => buf.format(v),
            },
            Repr::Large(v) => buf.format(v),
        });
    }
}

macro_rules! integer_from {
    (small: $($t:ty)*) => {$(
        impl From<$t> for Integer {
            #[inline]
            fn from(v: $t) -> Self {
                Integer(Repr::Small(i128::from(v)))
            }
        }
    )*};
}
integer_from!(small: i8 i16 i32 i64 i128 u8 u16 u32 u64);

impl From<isize> for Integer {
    #[inline]
    fn from(v: isize) -> Self {
        // `isize` is at most 64 bits wide on every target Rust supports.
        Integer(Repr::Small(v as i128))
    }
}

impl From<usize> for Integer {
    #[inline]
    fn from(v: usize) -> Self {
        Integer(Repr::Small(v as i128))
    }
}

impl From<u128> for Integer {
    #[inline]
    fn from(v: u128) -> Self {
        match i128::try_from(v) {
            Ok(small) => Integer(Repr::Small(small)),
            Err(_) => Integer(Repr::Large(v)),
        }
    }
}

impl Ord for Integer {
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        match (self.0, other.0) {
            (Repr::Small(a), Repr::Small(b)) => a.cmp(&b),
            (Repr::Large(a), Repr::Large(b)) => a.cmp(&b),
            (Repr::Small(_), Repr::Large(_)) => core::cmp::Ordering::Less,
            (Repr::Large(_), Repr::Small(_)) => core::cmp::Ordering::Greater,
        }
    }
}

impl PartialOrd for Integer {
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Integer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Repr::Small(v) => fmt::Display::fmt(&v, f),
            Repr::Large(v) => fmt::Display::fmt(&v, f),
        }
    }
}

impl fmt::Debug for Integer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for Integer {
    type Err = core::num::ParseIntError;

    /// Parses decimal digits with an optional leading `-`, any width up to `u128::MAX`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.parse::<i128>() {
            Ok(v) => Ok(Integer(Repr::Small(v))),
            Err(small_err) => match s.parse::<u128>() {
                Ok(v) => Ok(Integer::from(v)),
                Err(_) => Err(small_err),
            },
        }
    }
}
