//! Opening hours: 24/7, or a weekly schedule in an IANA time zone, or the same schedule in
//! each region's own local time, with special days and closures.
//!
//! "Open now" is worked out in the service's own time zone, so a line in Los Angeles that opens
//! at 10:00 is open at 19:00 in London, and ranges may run past midnight (22:00–02:00). A line
//! open "3pm–midnight in each state's local time" is judged in the caller's zone when it is one
//! of the line's zones; otherwise it is open only if it is open everywhere, closed only if it is
//! closed everywhere, and unknown in between (the app says "depends on where you are").

use chrono::{DateTime, Datelike, Duration, NaiveDate, Timelike, Utc, Weekday};
use serde::{Deserialize, Serialize};

/// When a service is open: around the clock, a weekly schedule in one time zone, or the same
/// weekly schedule in each region's local time. The JSON members present tell which.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Hours {
    /// `{"time_zone": "America/Los_Angeles", "weekly": [...]}`.
    Weekly {
        /// The service's IANA time zone, e.g. `America/Los_Angeles`; it must be one the bundled
        /// tz database knows.
        time_zone: String,
        /// When it opens each week, in `time_zone`; at least one slot.
        weekly: Vec<Slot>,
        /// Days of the month it is open all day, whatever the slots say; omitted when empty.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        special_days: Vec<SpecialDay>,
        /// Days it is closed all day, even on a special day: `MM-DD` every year, or `YYYY-MM-DD`
        /// once. A slot past midnight runs neither into nor out of such a day. Omitted when empty.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        closed_on: Vec<String>,
    },
    /// `{"local_time_zones": ["Australia/Sydney", ...], "weekly": [...]}`: the same schedule
    /// in each zone's local time.
    LocalZones {
        /// The IANA zones of the regions served, each in the bundled tz database; at least one.
        local_time_zones: Vec<String>,
        /// When it opens each week, in each zone's local time; at least one slot.
        weekly: Vec<Slot>,
        /// Days of the month it is open all day, whatever the slots say; omitted when empty.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        special_days: Vec<SpecialDay>,
        /// Days it is closed all day, even on a special day: `MM-DD` every year, or `YYYY-MM-DD`
        /// once. A slot past midnight runs neither into nor out of such a day. Omitted when empty.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        closed_on: Vec<String>,
    },
    /// `{"always": true}`: around the clock, every day.
    Always {
        /// Must be `true`: [`Hours::validate`] refuses `false`, and such hours count as closed.
        always: bool,
    },
}

/// Open from `open` to `close` (HH:MM, local time) on each of `days`; `close` may be `24:00`,
/// and a `close` before `open` ends on the following day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Slot {
    /// The days the slot opens on, among `mon`, `tue`, `wed`, `thu`, `fri`, `sat` and `sun`; at
    /// least one.
    pub days: Vec<String>,
    /// Opening time, `HH:MM` local, `00:00` to `23:59`.
    pub open: String,
    /// Closing time, `HH:MM` local, up to `24:00` and not equal to `open`; a time before `open`
    /// ends the slot on the next day.
    pub close: String,
}

/// Open all day on this day of every month (e.g. 24 hours on the 10th).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecialDay {
    /// The day of the month, 1 to 31; a month without that day has no special day.
    pub day_of_month: u32,
    /// Must be `true`: a special day is open all day.
    pub always: bool,
}

/// How far ahead the next opening is looked for.
const LOOKAHEAD_DAYS: i64 = 8;

impl Hours {
    /// Whether it is `{"always": true}`: open around the clock, every day.
    pub fn is_always(&self) -> bool {
        matches!(self, Hours::Always { always: true })
    }

    /// Whether the service is open at `at`. A schedule that cannot be read counts as closed;
    /// for per-region hours with no caller zone, "open" means open in every region.
    pub fn is_open_at(&self, at: DateTime<Utc>) -> bool {
        self.open_state(at, None) == Some(true)
    }

    /// Open (`Some(true)`), closed (`Some(false)`) or unknown (`None`: per-region hours that
    /// differ between regions, when the caller's zone is not one of them).
    pub fn open_state(&self, at: DateTime<Utc>, caller_zone: Option<&str>) -> Option<bool> {
        let Some(schedule) = self.schedule() else {
            return Some(self.is_always());
        };
        let states: Vec<bool> = schedule
            .zones_for(caller_zone)
            .iter()
            .map(|zone| schedule.open_in(zone, at))
            .collect();
        if states.iter().all(|open| *open) {
            Some(true)
        } else if states.iter().all(|open| !*open) {
            Some(false)
        } else {
            None
        }
    }

    /// The next time after `at` the service opens, within a week or so: for a line closed
    /// now, so the app can say when to call rather than hide it.
    pub fn next_opening(
        &self,
        at: DateTime<Utc>,
        caller_zone: Option<&str>,
    ) -> Option<DateTime<Utc>> {
        let schedule = self.schedule()?;
        schedule
            .zones_for(caller_zone)
            .iter()
            .filter_map(|zone| schedule.next_opening_in(zone, at))
            .min()
    }

    /// Checks that the hours can be read: known time zones, at least one slot, days among
    /// `mon`..`sun`, `HH:MM` times, special days and closures. The error says what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        match self.schedule() {
            None if self.is_always() => Ok(()),
            None => Err("`always` must be true when present".into()),
            Some(schedule) => schedule.validate(),
        }
    }

    fn schedule(&self) -> Option<Schedule<'_>> {
        match self {
            Hours::Always { .. } => None,
            Hours::Weekly {
                time_zone,
                weekly,
                special_days,
                closed_on,
            } => Some(Schedule {
                zones: std::slice::from_ref(time_zone),
                weekly,
                special_days,
                closed_on,
            }),
            Hours::LocalZones {
                local_time_zones,
                weekly,
                special_days,
                closed_on,
            } => Some(Schedule {
                zones: local_time_zones,
                weekly,
                special_days,
                closed_on,
            }),
        }
    }
}

/// A weekly schedule kept in one zone, or in each of several zones' local time.
struct Schedule<'a> {
    zones: &'a [String],
    weekly: &'a [Slot],
    special_days: &'a [SpecialDay],
    closed_on: &'a [String],
}

impl Schedule<'_> {
    /// The caller's zone when it is one of the schedule's, else all of them.
    fn zones_for<'z>(&'z self, caller_zone: Option<&'z str>) -> Vec<&'z str> {
        match caller_zone.filter(|z| self.zones.iter().any(|own| own == z)) {
            Some(zone) => vec![zone],
            None => self.zones.iter().map(String::as_str).collect(),
        }
    }

    fn validate(&self) -> Result<(), String> {
        if self.zones.is_empty() {
            return Err("local_time_zones needs at least one zone".into());
        }
        validate_schedule(self.zones, self.weekly, self.special_days, self.closed_on)
    }

    fn open_in(&self, zone: &str, at: DateTime<Utc>) -> bool {
        open_in(zone, self.weekly, self.special_days, self.closed_on, at)
    }

    fn next_opening_in(&self, zone: &str, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        next_opening_in(zone, self.weekly, self.special_days, self.closed_on, at)
    }
}

fn validate_schedule(
    zones: &[String],
    weekly: &[Slot],
    special_days: &[SpecialDay],
    closed_on: &[String],
) -> Result<(), String> {
    if let Some(zone) = zones.iter().find(|z| !kinship_protocol::zone::is_known(z)) {
        return Err(format!("unknown time zone {zone}"));
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
    if special_days
        .iter()
        .any(|s| !s.always || !(1..=31).contains(&s.day_of_month))
    {
        return Err("special days are a day of the month 1..31, open all day".into());
    }
    if closed_on.iter().any(|c| ClosedOn::parse(c).is_none()) {
        return Err("closed_on takes MM-DD or YYYY-MM-DD".into());
    }
    Ok(())
}

/// Open at `at` in `zone`: closed all day on a closure, open all day on a special day, else
/// by the weekly slots (a slot running past midnight belongs to the day it started).
fn open_in(
    zone: &str,
    weekly: &[Slot],
    special_days: &[SpecialDay],
    closed_on: &[String],
    at: DateTime<Utc>,
) -> bool {
    let Some(local) = kinship_protocol::zone::utc_to_local(zone, at) else {
        return false;
    };
    let today = local.date();
    if is_closed(closed_on, today) {
        return false;
    }
    if special_days.iter().any(|s| s.day_of_month == today.day()) {
        return true;
    }
    let minute = local.hour() * 60 + local.minute();
    let yesterday_closed = today.pred_opt().is_some_and(|d| is_closed(closed_on, d));
    weekly
        .iter()
        .any(|slot| slot.covers(local.weekday(), minute, yesterday_closed))
}

fn next_opening_in(
    zone: &str,
    weekly: &[Slot],
    special_days: &[SpecialDay],
    closed_on: &[String],
    at: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let today = kinship_protocol::zone::utc_to_local(zone, at)?.date();
    let mut best: Option<DateTime<Utc>> = None;
    for offset in 0..=LOOKAHEAD_DAYS {
        let day = today + Duration::days(offset);
        if is_closed(closed_on, day) {
            continue;
        }
        let mut opens: Vec<u32> = weekly
            .iter()
            .filter(|slot| {
                slot.days
                    .iter()
                    .filter_map(|d| parse_day(d))
                    .any(|d| d == day.weekday())
            })
            .filter_map(|slot| parse_time(&slot.open))
            .collect();
        if special_days.iter().any(|s| s.day_of_month == day.day()) {
            opens.push(0);
        }
        for minute in opens {
            let local = day.and_hms_opt(minute / 60, minute % 60, 0)?;
            let Some(utc) = kinship_protocol::zone::local_to_utc(zone, local) else {
                continue;
            };
            if utc > at && best.is_none_or(|b| utc < b) {
                best = Some(utc);
            }
        }
        if best.is_some() {
            break;
        }
    }
    best
}

/// A closure: every year on a month and day, or once on a date.
enum ClosedOn {
    Yearly(u32, u32),
    Once(NaiveDate),
}

impl ClosedOn {
    fn parse(text: &str) -> Option<ClosedOn> {
        let parts: Vec<&str> = text.split('-').collect();
        match parts.as_slice() {
            [m, d] if m.len() == 2 && d.len() == 2 => {
                let (m, d): (u32, u32) = (m.parse().ok()?, d.parse().ok()?);
                // Any year: 2024 is a leap year, so 02-29 is accepted.
                NaiveDate::from_ymd_opt(2024, m, d).map(|_| ClosedOn::Yearly(m, d))
            }
            [_, _, _] => NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .map(ClosedOn::Once),
            _ => None,
        }
    }

    fn covers(&self, day: NaiveDate) -> bool {
        match self {
            ClosedOn::Yearly(m, d) => day.month() == *m && day.day() == *d,
            ClosedOn::Once(date) => *date == day,
        }
    }
}

fn is_closed(closed_on: &[String], day: NaiveDate) -> bool {
    closed_on
        .iter()
        .filter_map(|c| ClosedOn::parse(c))
        .any(|c| c.covers(day))
}

impl Slot {
    /// Whether the slot covers `minute` of `today`; the early-morning part of a slot that
    /// started yesterday does not count when yesterday was a closure.
    fn covers(&self, today: Weekday, minute: u32, yesterday_closed: bool) -> bool {
        let (Some(open), Some(close)) = (parse_time(&self.open), parse_time(&self.close)) else {
            return false;
        };
        self.days.iter().filter_map(|d| parse_day(d)).any(|day| {
            if close > open {
                day == today && (open..close).contains(&minute)
            } else {
                // Runs past midnight: the evening part on `day`, the early part the day after.
                (day == today && minute >= open)
                    || (!yesterday_closed && day.succ() == today && minute < close)
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
            special_days: vec![],
            closed_on: vec![],
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
            special_days: vec![],
            closed_on: vec![],
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
            special_days: vec![],
            closed_on: vec![],
        };
        assert!(bad_zone.validate().is_err());
        let bad_time = Hours::Weekly {
            time_zone: "UTC".into(),
            weekly: vec![Slot {
                days: vec!["mon".into()],
                open: "25:00".into(),
                close: "26:00".into(),
            }],
            special_days: vec![],
            closed_on: vec![],
        };
        assert!(bad_time.validate().is_err());
        assert!(weekdays_10_to_18_pacific().validate().is_ok());
        assert!(Hours::Always { always: true }.validate().is_ok());
    }

    fn three_pm_to_midnight(zones: &[&str]) -> Hours {
        Hours::LocalZones {
            local_time_zones: zones.iter().map(|z| z.to_string()).collect(),
            weekly: vec![Slot {
                days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
                    .map(String::from)
                    .to_vec(),
                open: "15:00".into(),
                close: "24:00".into(),
            }],
            special_days: vec![],
            closed_on: vec![],
        }
    }

    #[test]
    fn per_region_hours_follow_the_callers_local_time() {
        let hours = three_pm_to_midnight(&["Australia/Sydney", "Australia/Perth"]);
        // 2026-12-01 06:00 UTC: 17:00 in Sydney (AEDT, UTC+11), 14:00 in Perth (UTC+8).
        let at = Utc.with_ymd_and_hms(2026, 12, 1, 6, 0, 0).unwrap();
        assert_eq!(hours.open_state(at, Some("Australia/Sydney")), Some(true));
        assert_eq!(hours.open_state(at, Some("Australia/Perth")), Some(false));
        assert_eq!(hours.open_state(at, None), None, "depends on where you are");
        assert!(!hours.is_open_at(at));
        // Perth opens at 15:00 local = 07:00 UTC.
        assert_eq!(
            hours.next_opening(at, Some("Australia/Perth")),
            Some(Utc.with_ymd_and_hms(2026, 12, 1, 7, 0, 0).unwrap())
        );
        // 10:00 UTC: 21:00 Sydney, 18:00 Perth: open everywhere.
        let evening = Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap();
        assert_eq!(hours.open_state(evening, None), Some(true));
        // A zone that is not one of the line's is judged as no zone.
        assert_eq!(hours.open_state(at, Some("Europe/London")), None);
        assert!(hours.validate().is_ok());
        assert!(three_pm_to_midnight(&[]).validate().is_err());
    }

    #[test]
    fn special_days_open_all_day_and_closures_close_all_day() {
        let hours = Hours::Weekly {
            time_zone: "Asia/Tokyo".into(),
            weekly: vec![Slot {
                days: vec![
                    "mon".into(),
                    "tue".into(),
                    "wed".into(),
                    "thu".into(),
                    "fri".into(),
                ],
                open: "10:00".into(),
                close: "22:00".into(),
            }],
            special_days: vec![SpecialDay {
                day_of_month: 10,
                always: true,
            }],
            closed_on: vec!["12-31".into(), "2027-01-04".into()],
        };
        assert!(hours.validate().is_ok());
        // Thursday 2026-12-10 03:00 in Tokyo (UTC+9): outside the slot, but the 10th.
        let tenth = Utc.with_ymd_and_hms(2026, 12, 9, 18, 0, 0).unwrap();
        assert!(hours.is_open_at(tenth));
        // Friday 2026-12-11 03:00 Tokyo: closed; it opens at 10:00 Tokyo = 01:00 UTC.
        let eleventh = Utc.with_ymd_and_hms(2026, 12, 10, 18, 0, 0).unwrap();
        assert!(!hours.is_open_at(eleventh));
        assert_eq!(
            hours.next_opening(eleventh, None),
            Some(Utc.with_ymd_and_hms(2026, 12, 11, 1, 0, 0).unwrap())
        );
        // Thursday 2026-12-31 12:00 Tokyo: a closure, every year.
        let new_years_eve = Utc.with_ymd_and_hms(2026, 12, 31, 3, 0, 0).unwrap();
        assert!(!hours.is_open_at(new_years_eve));
        // The next opening skips the closure and the weekend: Monday 2027-01-04 is closed once,
        // so Tuesday 2027-01-05 10:00 Tokyo.
        // Friday 2027-01-01 23:00 Tokyo: after the slot.
        let after_new_year = Utc.with_ymd_and_hms(2027, 1, 1, 14, 0, 0).unwrap();
        assert_eq!(
            hours.next_opening(after_new_year, None),
            Some(Utc.with_ymd_and_hms(2027, 1, 5, 1, 0, 0).unwrap())
        );
        let bad = Hours::Weekly {
            time_zone: "UTC".into(),
            weekly: vec![],
            special_days: vec![],
            closed_on: vec!["13-45".into()],
        };
        assert!(bad.validate().is_err());
    }
}
