//! IANA time zones, read from the copy of the tz database compiled into the library (jiff's
//! bundled tzdb), so an event's start and a crisis line's opening hours come out the same on
//! every phone, whatever its own tz data.
//!
//! jiff replaced chrono-tz here because chrono-tz compiles every zone into pointer-rich static
//! tables: the stripped phone library went from 9.29 MB to 7.72 MB with the switch.

use chrono::{DateTime, NaiveDateTime, Timelike, Utc};
use jiff::civil;
use jiff::tz::TimeZone;

/// Whether `name` is a zone of the tz database, e.g. `Europe/Lisbon`.
pub fn is_known(name: &str) -> bool {
    TimeZone::get(name).is_ok()
}

/// The UTC instant of a wall-clock time in zone `name`; `None` for an unknown zone.
///
/// - Ambiguous (clocks go back, the hour happens twice): the earlier instant, so nobody
///   arrives an hour late.
/// - Nonexistent (clocks go forward, the time falls in the gap): read with the offset in force
///   just before the gap, which shifts it forward by the gap's length (01:30 in a 01:00→02:00
///   gap becomes 02:30), as RFC 5545 and most calendar apps do.
pub fn local_to_utc(name: &str, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    let zone = TimeZone::get(name).ok()?;
    let instant = zone
        .to_ambiguous_timestamp(to_civil(local)?)
        .compatible()
        .ok()?;
    DateTime::from_timestamp(instant.as_second(), instant.subsec_nanosecond() as u32)
}

/// The wall-clock time in zone `name` at `at`; `None` for an unknown zone.
pub fn utc_to_local(name: &str, at: DateTime<Utc>) -> Option<NaiveDateTime> {
    let zone = TimeZone::get(name).ok()?;
    let instant = jiff::Timestamp::new(at.timestamp(), at.timestamp_subsec_nanos() as i32).ok()?;
    from_civil(zone.to_datetime(instant))
}

fn to_civil(local: NaiveDateTime) -> Option<civil::DateTime> {
    use chrono::Datelike;
    civil::DateTime::new(
        i16::try_from(local.year()).ok()?,
        local.month() as i8,
        local.day() as i8,
        local.hour() as i8,
        local.minute() as i8,
        local.second() as i8,
        // A leap second (nanosecond >= 1e9 in chrono) is read as the last nanosecond.
        local.nanosecond().min(999_999_999) as i32,
    )
    .ok()
}

fn from_civil(local: civil::DateTime) -> Option<NaiveDateTime> {
    chrono::NaiveDate::from_ymd_opt(
        i32::from(local.year()),
        local.month() as u32,
        local.day() as u32,
    )?
    .and_hms_nano_opt(
        local.hour() as u32,
        local.minute() as u32,
        local.second() as u32,
        local.subsec_nanosecond() as u32,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S").unwrap()
    }

    #[test]
    fn converts_both_ways_and_knows_zone_names() {
        assert!(is_known("Europe/Lisbon"));
        assert!(is_known("UTC"));
        assert!(!is_known("Mars/Olympus_Mons"));
        let utc = local_to_utc("Europe/Berlin", at("2099-01-01T18:00:00")).unwrap();
        assert_eq!(utc.to_rfc3339(), "2099-01-01T17:00:00+00:00");
        assert_eq!(
            utc_to_local("America/Sao_Paulo", utc).unwrap(),
            at("2099-01-01T14:00:00")
        );
        assert_eq!(
            local_to_utc("Nowhere/City", at("2099-01-01T18:00:00")),
            None
        );
    }

    #[test]
    fn folds_take_the_earlier_instant_and_gaps_shift_forward() {
        // Europe/Berlin, 2026-10-25: 03:00 CEST -> 02:00 CET, so 02:30 happens twice.
        let fold = local_to_utc("Europe/Berlin", at("2026-10-25T02:30:00")).unwrap();
        assert_eq!(fold.to_rfc3339(), "2026-10-25T00:30:00+00:00");
        // 2026-03-29: 02:00 CET -> 03:00 CEST, so 02:30 does not exist: read as 03:30 CEST.
        let gap = local_to_utc("Europe/Berlin", at("2026-03-29T02:30:00")).unwrap();
        assert_eq!(gap.to_rfc3339(), "2026-03-29T01:30:00+00:00");
    }
}
