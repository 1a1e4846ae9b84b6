//! [`DateTime`]: the `expires` timestamps of TUF metadata.
//!
//! Spec §4.3: `YYYY-MM-DDTHH:MM:SSZ`, UTC. Parsing is strict (no fractions,
//! no offsets, zero-padded), so a parsed value prints back to the same string.
//! This module never reads the clock; callers pass times in.

use std::fmt;

/// A UTC instant with one-second precision, as used by `expires`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    /// Seconds since 1970-01-01T00:00:00Z (may be negative).
    secs: i64,
}

/// Why a date string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid date-time {0:?}: expected YYYY-MM-DDTHH:MM:SSZ")]
pub struct DateTimeError(String);

const SECS_PER_DAY: i64 = 86_400;

// Howard Hinnant's days-from-civil algorithm (proleptic Gregorian calendar).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

impl DateTime {
    /// The instant `secs` seconds after the Unix epoch.
    pub const fn from_unix(secs: i64) -> Self {
        DateTime { secs }
    }

    /// Seconds since the Unix epoch.
    pub const fn unix(&self) -> i64 {
        self.secs
    }

    /// Parse the strict TUF form `YYYY-MM-DDTHH:MM:SSZ`.
    pub fn parse(s: &str) -> Result<Self, DateTimeError> {
        let err = || DateTimeError(s.to_owned());
        let b = s.as_bytes();
        if b.len() != 20
            || b[4] != b'-'
            || b[7] != b'-'
            || b[10] != b'T'
            || b[13] != b':'
            || b[16] != b':'
            || b[19] != b'Z'
        {
            return Err(err());
        }
        let num = |r: std::ops::Range<usize>| -> Result<i64, DateTimeError> {
            let part = &b[r];
            if !part.iter().all(u8::is_ascii_digit) {
                return Err(err());
            }
            Ok(part
                .iter()
                .fold(0i64, |acc, d| acc * 10 + i64::from(d - b'0')))
        };
        let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
        if !(1..=12).contains(&mo)
            || d < 1
            || d > days_in_month(y, mo)
            || h > 23
            || mi > 59
            || se > 59
        {
            return Err(err());
        }
        Ok(DateTime {
            secs: days_from_civil(y, mo, d) * SECS_PER_DAY + h * 3600 + mi * 60 + se,
        })
    }

    /// This instant plus `secs` seconds (saturating).
    pub fn plus_seconds(self, secs: i64) -> Self {
        DateTime {
            secs: self.secs.saturating_add(secs),
        }
    }

    /// This instant plus `days` whole days (saturating).
    pub fn plus_days(self, days: i64) -> Self {
        self.plus_seconds(days.saturating_mul(SECS_PER_DAY))
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.secs.div_euclid(SECS_PER_DAY);
        let rem = self.secs.rem_euclid(SECS_PER_DAY);
        let (y, m, d) = civil_from_days(days);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            rem / 3600,
            rem % 3600 / 60,
            rem % 60
        )
    }
}

impl std::str::FromStr for DateTime {
    type Err = DateTimeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DateTime::parse(s)
    }
}

impl serde::Serialize for DateTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for DateTime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s: std::borrow::Cow<'de, str> = serde::Deserialize::deserialize(d)?;
        DateTime::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_orders() {
        for s in [
            "1970-01-01T00:00:00Z",
            "2030-02-28T23:59:59Z",
            "2000-02-29T12:00:00Z",
            "1969-12-31T23:59:59Z",
            "9999-12-31T23:59:59Z",
        ] {
            assert_eq!(DateTime::parse(s).unwrap().to_string(), s);
        }
        assert_eq!(DateTime::parse("1970-01-01T00:00:01Z").unwrap().unix(), 1);
        assert_eq!(
            DateTime::parse("2001-09-09T01:46:40Z").unwrap().unix(),
            1_000_000_000
        );
        assert!(
            DateTime::parse("2030-01-01T00:00:00Z").unwrap()
                > DateTime::parse("2029-12-31T23:59:59Z").unwrap()
        );
    }

    #[test]
    fn rejects_lax_forms() {
        for s in [
            "2030-01-01T00:00:00",
            "2030-01-01T00:00:00.5Z",
            "2030-01-01T00:00:00+00:00",
            "2030-1-01T00:00:00Z",
            "2030-02-30T00:00:00Z",
            "2031-02-29T00:00:00Z",
            "2030-01-01T24:00:00Z",
            "2030-01-01t00:00:00Z",
            "+030-01-01T00:00:00Z",
            "",
        ] {
            assert!(DateTime::parse(s).is_err(), "{s}");
        }
    }
}
