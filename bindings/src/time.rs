//! Time as the phones see it: one form per concept.
//!
//! - An **instant** (when an entry was written, when a line opens) is `SystemTime`: Kotlin
//!   `java.time.Instant`, Swift `Date`. Where the person's own clock matters (the journal), the
//!   record also carries the UTC offset it was written at, in seconds.
//! - A **calendar date** (a directory entry's check, a stats range) is [`LocalDate`]: Kotlin
//!   `java.time.LocalDate`; Swift sees its ISO 8601 text (`2026-11-27`), which KinshipKit turns
//!   into `DateComponents`.
//! - A **wall-clock time in a place** (an event as its organizer set it) is a [`LocalDateTime`]
//!   beside a [`TimeZoneId`]: Kotlin `java.time.LocalDateTime` and `java.time.ZoneId`; Swift the
//!   texts `2026-11-27T18:30:00` and `Europe/Lisbon` (KinshipKit: `DateComponents`, `TimeZone`).
//! - A **time of day** (a reminder) is a [`LocalTime`]: Kotlin `java.time.LocalTime`, Swift `09:30`.
//! - The journal's mood periods are [`MoodPeriod`], a day or an ISO week, not a string.
//!
//! The Kotlin mappings are in `bindings/uniffi.toml`; they parse what this module writes.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Utc};
use std::time::SystemTime;

/// A calendar date with no time or zone (`java.time.LocalDate` in Kotlin).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalDate(pub NaiveDate);

/// A date and wall-clock time with no zone (`java.time.LocalDateTime` in Kotlin); meaningful
/// only beside a [`TimeZoneId`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalDateTime(pub NaiveDateTime);

/// A wall-clock time of day with no date or zone (`java.time.LocalTime` in Kotlin), to the
/// minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalTime(pub NaiveTime);

/// An IANA time zone such as `Europe/Lisbon` (`java.time.ZoneId` in Kotlin).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TimeZoneId(pub String);

uniffi::custom_type!(LocalDate, String, {
    lower: |date| date.0.format(DATE_FORMAT).to_string(),
    try_lift: |text| Ok(LocalDate(NaiveDate::parse_from_str(&text, DATE_FORMAT)?)),
});

uniffi::custom_type!(LocalDateTime, String, {
    lower: |time| time.0.format(DATE_TIME_FORMAT).to_string(),
    try_lift: |text| Ok(LocalDateTime(parse_local_date_time(&text)?)),
});

uniffi::custom_type!(LocalTime, String, {
    lower: |time| time.0.format(TIME_FORMAT).to_string(),
    // `java.time.LocalTime.toString()` adds seconds and fractions when there are some.
    try_lift: |text| Ok(LocalTime(
        NaiveTime::parse_from_str(&text, "%H:%M:%S%.f")
            .or_else(|_| NaiveTime::parse_from_str(&text, TIME_FORMAT))?
            .with_second(0)
            .unwrap_or_default(),
    )),
});

impl LocalTime {
    /// The core's `HH:MM`.
    pub(crate) fn from_core(text: &str) -> crate::error::Result<LocalTime> {
        NaiveTime::parse_from_str(text, TIME_FORMAT)
            .map(LocalTime)
            .map_err(|_| crate::error::KinshipError::Corrupted {
                reason: "a stored time of day is malformed".into(),
            })
    }
}

uniffi::custom_type!(TimeZoneId, String, {
    lower: |zone| zone.0,
    try_lift: |name| {
        if kinship_core::zone::is_known(&name) {
            Ok(TimeZoneId(name))
        } else {
            Err(anyhow_unknown_zone())
        }
    },
});

/// The period a mood average covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum MoodPeriod {
    /// One calendar day, in the writer's own offset.
    Day { date: LocalDate },
    /// One ISO 8601 week, Monday to Sunday.
    Week {
        /// The ISO week-numbering year (week 1 can start in December).
        iso_year: i32,
        /// 1 to 53.
        week: i32,
        /// Its Monday.
        first_day: LocalDate,
    },
}

impl From<kinship_core::journal::Period> for MoodPeriod {
    fn from(period: kinship_core::journal::Period) -> Self {
        use kinship_core::journal::Period;
        match period {
            Period::Day(date) => MoodPeriod::Day {
                date: LocalDate(date),
            },
            Period::Week {
                iso_year,
                week,
                first_day,
            } => MoodPeriod::Week {
                iso_year,
                week: crate::count_out(week),
                first_day: LocalDate(first_day),
            },
        }
    }
}

/// An instant from the core as the phones' timestamp.
pub(crate) fn instant<Tz: chrono::TimeZone>(at: &DateTime<Tz>) -> SystemTime {
    SystemTime::from(at.with_timezone(&Utc))
}

/// The UTC offset a local time was written at, in seconds (`ZoneOffset.ofTotalSeconds`,
/// `TimeZone(secondsFromGMT:)`).
pub(crate) fn offset_seconds(at: &DateTime<FixedOffset>) -> i32 {
    at.offset().local_minus_utc()
}

/// A timestamp from the app as the core's UTC instant.
pub(crate) fn utc(at: SystemTime) -> DateTime<Utc> {
    DateTime::<Utc>::from(at)
}

const DATE_FORMAT: &str = "%Y-%m-%d";
const DATE_TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S";
const TIME_FORMAT: &str = "%H:%M";

/// `java.time.LocalDateTime.toString()` leaves out zero seconds (`2026-11-27T18:30`) and adds
/// fractions when there are some, so all three shapes are read; fractions are dropped (events
/// are set to the minute).
fn parse_local_date_time(text: &str) -> Result<NaiveDateTime, chrono::ParseError> {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M"))
        .map(|t| t.with_nanosecond(0).unwrap_or(t))
}

fn anyhow_unknown_zone() -> uniffi::deps::anyhow::Error {
    uniffi::deps::anyhow::anyhow!("not an IANA time zone this library knows")
}
