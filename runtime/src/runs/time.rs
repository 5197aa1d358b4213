//! Times as ZenML and people read them, without a date library.

use std::time::{SystemTime, UNIX_EPOCH};

/// A point in time broken down in UTC, to the microsecond; times before 1970 read as 1970.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use run_metadata::time::Utc;
///
/// let t = Utc::from(UNIX_EPOCH + Duration::from_micros(1_795_968_720_123_456));
/// assert_eq!(t.to_string(), "2026-11-29 16:12:00 UTC");
/// assert_eq!(t.iso8601(), "2026-11-29T16:12:00.123456");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Utc {
    /// The year.
    pub year: i64,
    /// 1 to 12.
    pub month: u8,
    /// 1 to 31.
    pub day: u8,
    /// 0 to 23.
    pub hour: u8,
    /// 0 to 59.
    pub minute: u8,
    /// 0 to 59.
    pub second: u8,
    /// 0 to 999,999.
    pub micros: u32,
}

impl From<SystemTime> for Utc {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // each part is in range
    fn from(t: SystemTime) -> Self {
        let since = t.duration_since(UNIX_EPOCH).unwrap_or_default();
        let secs = since.as_secs();
        let days = i64::try_from(secs / 86_400).unwrap_or(i64::MAX / 2);
        let rem = secs % 86_400;
        // Days to a civil date: Howard Hinnant's algorithm.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        Self {
            year: yoe + era * 400 + i64::from(month <= 2),
            month: month as u8,
            day: day as u8,
            hour: (rem / 3600) as u8,
            minute: (rem % 3600 / 60) as u8,
            second: (rem % 60) as u8,
            micros: since.subsec_micros(),
        }
    }
}

impl Utc {
    /// `YYYY-MM-DDTHH:MM:SS.ffffff`, without a zone: how ZenML's models take times (in UTC).
    #[must_use]
    pub fn iso8601(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}",
            self.year, self.month, self.day, self.hour, self.minute, self.second, self.micros
        )
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ`: RFC 3339 to the millisecond (the microseconds cut, not
    /// rounded) with the `Z` zone, the form JSON readers take (JavaScript's `Date`, Python's
    /// `datetime.fromisoformat`).
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use run_metadata::time::Utc;
    ///
    /// let t = Utc::from(UNIX_EPOCH + Duration::from_micros(1_795_968_720_123_987));
    /// assert_eq!(t.rfc3339_millis(), "2026-11-29T16:12:00.123Z");
    /// ```
    #[must_use]
    pub fn rfc3339_millis(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            self.year,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
            self.micros / 1000
        )
    }
}

impl core::fmt::Display for Utc {
    /// `YYYY-MM-DD HH:MM:SS UTC`.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::Utc;

    #[test]
    fn rfc3339_millis_cuts_to_the_millisecond_and_names_the_zone() {
        let at = |micros| Utc::from(UNIX_EPOCH + Duration::from_micros(micros));
        assert_eq!(at(0).rfc3339_millis(), "1970-01-01T00:00:00.000Z");
        assert_eq!(at(999).rfc3339_millis(), "1970-01-01T00:00:00.000Z");
        assert_eq!(at(1_999_999).rfc3339_millis(), "1970-01-01T00:00:01.999Z");
        // 2000-02-29, a leap day, one microsecond before midnight.
        let leap = at(264_408 * 3_600_000_000 - 1);
        assert_eq!(leap.rfc3339_millis(), "2000-02-29T23:59:59.999Z");
        // The same instant as `iso8601`, to the millisecond.
        let t = at(1_795_968_720_123_456);
        assert_eq!(format!("{}Z", &t.iso8601()[..23]), t.rfc3339_millis());
    }
}
