//! Opening hours: 24/7, or a weekly schedule in an IANA time zone.
//!
//! "Open now" is worked out in the service's own time zone, so a line in Los Angeles that opens
//! at 10:00 is open at 19:00 in London, and ranges may run past midnight (22:00–02:00).

use chrono::{DateTime, Datelike, Timelike, Utc, Weekday};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Hours {
    /// `{"always": true}`: around the clock, every day.
    Always { always: bool },
    /// `{"time_zone": "America/Los_Angeles", "weekly": [...]}`.
    Weekly {
        time_zone: String,
        weekly: Vec<Slot>,
    },
}

/// Open from `open` to `close` (HH:MM, local time) on each of `days`; `close` may be `24:00`,
/// and a `close` before `open` ends on the following day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Slot {
    pub days: Vec<String>,
    pub open: String,
    pub close: String,
}

impl Hours {
    pub fn is_always(&self) -> bool {
        matches!(self, Hours::Always { always: true })
    }

    /// Whether the service is open at `at`. A schedule that cannot be read counts as closed.
    pub fn is_open_at(&self, at: DateTime<Utc>) -> bool {
        match self {
            Hours::Always { always } => *always,
            Hours::Weekly { time_zone, weekly } => {
                let Some(local) = crate::zone::utc_to_local(time_zone, at) else {
                    return false;
                };
                let minute = local.hour() * 60 + local.minute();
                let today = local.weekday();
                weekly.iter().any(|slot| slot.covers(today, minute))
            }
        }
    }

    pub fn validate(&self) -> Result<(), String> {
        match self {
            Hours::Always { always: true } => Ok(()),
            Hours::Always { always: false } => Err("`always` must be true when present".into()),
            Hours::Weekly { time_zone, weekly } => {
                if !crate::zone::is_known(time_zone) {
                    return Err(format!("unknown time zone {time_zone}"));
                }
                if weekly.is_empty() {
                    return Err("a weekly schedule needs at least one slot".into());
                }
                for slot in weekly {
                    if slot.days.is_empty() || slot.days.iter().any(|d| parse_day(d).is_none()) {
                        return Err("days must be mon..sun".into());
                    }
                    let (open, close) = (parse_time(&slot.open), parse_time(&slot.close));
                    match (open, close) {
                        (Some(open), Some(close)) if open != close && open < 24 * 60 => {}
                        _ => return Err("times must be HH:MM with open before 24:00".into()),
                    }
                }
                Ok(())
            }
        }
    }
}

impl Slot {
    fn covers(&self, today: Weekday, minute: u32) -> bool {
        let (Some(open), Some(close)) = (parse_time(&self.open), parse_time(&self.close)) else {
            return false;
        };
        self.days.iter().filter_map(|d| parse_day(d)).any(|day| {
            if close > open {
                day == today && (open..close).contains(&minute)
            } else {
                // Runs past midnight: the evening part on `day`, the early part the day after.
                (day == today && minute >= open) || (day.succ() == today && minute < close)
            }
        })
    }
}

fn parse_day(day: &str) -> Option<Weekday> {
    Some(match day {
        "mon" => Weekday::Mon,
        "tue" => Weekday::Tue,
        "wed" => Weekday::Wed,
        "thu" => Weekday::Thu,
        "fri" => Weekday::Fri,
        "sat" => Weekday::Sat,
        "sun" => Weekday::Sun,
        _ => return None,
    })
}

/// Minutes since midnight for "HH:MM"; "24:00" is 1440.
fn parse_time(text: &str) -> Option<u32> {
    let (h, m) = text.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    match (h, m) {
        (24, 0) => Some(24 * 60),
        (0..=23, 0..=59) => Some(h * 60 + m),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn weekdays_10_to_18_pacific() -> Hours {
        Hours::Weekly {
            time_zone: "America/Los_Angeles".into(),
            weekly: vec![Slot {
                days: ["mon", "tue", "wed", "thu", "fri"]
                    .map(String::from)
                    .to_vec(),
                open: "10:00".into(),
                close: "18:00".into(),
            }],
        }
    }

    #[test]
    fn open_now_is_judged_in_the_services_time_zone() {
        let hours = weekdays_10_to_18_pacific();
        // Wednesday 2026-11-25 18:30 UTC = 10:30 in Los Angeles (PST, UTC-8): open.
        assert!(hours.is_open_at(Utc.with_ymd_and_hms(2026, 11, 25, 18, 30, 0).unwrap()));
        // 17:30 UTC = 09:30 in Los Angeles: not yet.
        assert!(!hours.is_open_at(Utc.with_ymd_and_hms(2026, 11, 25, 17, 30, 0).unwrap()));
        // Saturday 2026-11-28 at noon in Los Angeles: closed.
        assert!(!hours.is_open_at(Utc.with_ymd_and_hms(2026, 11, 28, 20, 0, 0).unwrap()));
        // Summer time: 2026-07-01 17:30 UTC = 10:30 PDT (UTC-7): open.
        assert!(hours.is_open_at(Utc.with_ymd_and_hms(2026, 7, 1, 17, 30, 0).unwrap()));
    }

    #[test]
    fn ranges_past_midnight_spill_into_the_next_day() {
        let hours = Hours::Weekly {
            time_zone: "Europe/London".into(),
            weekly: vec![Slot {
                days: vec!["fri".into()],
                open: "22:00".into(),
                close: "02:00".into(),
            }],
        };
        // Friday 2026-11-27 23:00 and Saturday 01:00 London (UTC in winter): open; Sat 03:00: not.
        assert!(hours.is_open_at(Utc.with_ymd_and_hms(2026, 11, 27, 23, 0, 0).unwrap()));
        assert!(hours.is_open_at(Utc.with_ymd_and_hms(2026, 11, 28, 1, 0, 0).unwrap()));
        assert!(!hours.is_open_at(Utc.with_ymd_and_hms(2026, 11, 28, 3, 0, 0).unwrap()));
        assert!(!hours.is_open_at(Utc.with_ymd_and_hms(2026, 11, 27, 1, 0, 0).unwrap()));
    }

    #[test]
    fn malformed_schedules_are_refused() {
        let bad_zone = Hours::Weekly {
            time_zone: "Mars/Olympus".into(),
            weekly: vec![],
        };
        assert!(bad_zone.validate().is_err());
        let bad_time = Hours::Weekly {
            time_zone: "UTC".into(),
            weekly: vec![Slot {
                days: vec!["mon".into()],
                open: "25:00".into(),
                close: "26:00".into(),
            }],
        };
        assert!(bad_time.validate().is_err());
        assert!(weekdays_10_to_18_pacific().validate().is_ok());
        assert!(Hours::Always { always: true }.validate().is_ok());
    }
}
