//! Journal check-in reminders the person sets: a local time of day, the weekdays it applies to,
//! and the time zone it is meant in. The core only stores them and says when they fire next
//! ([`Reminders::upcoming`]); the app schedules the notifications.
//!
//! That someone keeps a journal and when they write in it is personal, so the reminders are one
//! sealed document (`documents/reminders`), like the safety plan. They hold no free text.
//!
//! Daylight saving time: a reminder is a wall-clock time in its zone, converted with the
//! protocol crate's rule (`zone::local_to_utc`, the one group events use). On the day clocks go
//! forward, a time in the skipped hour is shifted forward by the gap: 02:30 in Berlin on the
//! last Sunday of March fires at 03:30 CEST (01:30 UTC). On the day clocks go back, a time that
//! happens twice fires once, at the earlier instant.

use std::sync::Arc;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, InputProblem, Result};
use crate::events::DataTopic;
use crate::session::{Inner, Unlocked};
use crate::store::DOCUMENTS_TABLE;

/// Row id, in [`DOCUMENTS_TABLE`], of the sealed reminders.
pub const DOCUMENT: &str = "reminders";
/// Most reminders a profile keeps.
pub const MAX_REMINDERS: usize = 50;
/// Most firings [`Reminders::upcoming`] returns in one call.
pub const MAX_UPCOMING: usize = 500;

/// A day of the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Weekday {
    /// Monday.
    Mon,
    /// Tuesday.
    Tue,
    /// Wednesday.
    Wed,
    /// Thursday.
    Thu,
    /// Friday.
    Fri,
    /// Saturday.
    Sat,
    /// Sunday.
    Sun,
}

/// A journal check-in reminder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reminder {
    /// Random id (32 hex digits).
    pub id: String,
    /// Local time of day, `HH:MM` (24-hour).
    pub time: String,
    /// The days it fires on, Monday first, each once; empty means every day.
    pub weekdays: Vec<Weekday>,
    /// IANA time zone the time is meant in, e.g. `Europe/Berlin`.
    pub zone: String,
    /// Whether it fires; a disabled reminder is kept but never in [`Reminders::upcoming`].
    pub enabled: bool,
}

/// What the person sets for a new reminder, or for an existing one (replacing it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReminder {
    /// Local time of day, `HH:MM` (24-hour; `9:05` is read as `09:05`).
    pub time: String,
    /// Days it fires on, in any order, repeats ignored; empty means every day.
    pub weekdays: Vec<Weekday>,
    /// IANA time zone name.
    pub zone: String,
    /// Whether it fires.
    pub enabled: bool,
}

/// One firing of a reminder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledReminder {
    /// The reminder's id.
    pub reminder_id: String,
    /// When it fires.
    pub at: DateTime<Utc>,
}

/// The reminders of an unlocked profile (`Kinship::reminders`).
#[derive(Clone)]
pub struct Reminders {
    inner: Arc<Inner>,
}

impl Reminders {
    pub(crate) fn new(inner: Arc<Inner>) -> Self {
        Reminders { inner }
    }

    /// Every reminder, soonest time of day first.
    pub fn list(&self) -> Result<Vec<Reminder>> {
        self.inner.with_unlocked(|u| {
            let mut all = stored(u)?;
            all.sort_by(|a, b| a.time.cmp(&b.time).then_with(|| a.id.cmp(&b.id)));
            Ok(all)
        })
    }

    /// One reminder; [`Error::NotFound`] if there is none with this id.
    pub fn get(&self, id: &str) -> Result<Reminder> {
        self.inner.with_unlocked(|u| {
            stored(u)?
                .into_iter()
                .find(|r| r.id == id)
                .ok_or(Error::NotFound)
        })
    }

    /// Adds a reminder. [`Error::InvalidInput`] names the field (`time`, `zone`) that is wrong,
    /// or says there are already [`MAX_REMINDERS`].
    pub fn add(&self, new: NewReminder) -> Result<Reminder> {
        let reminder = checked(crate::session::random_id(16), new)?;
        self.inner.with_unlocked(|u| {
            let mut all = stored(u)?;
            if all.len() >= MAX_REMINDERS {
                return Err(Error::invalid(
                    InputProblem::TooMany,
                    format!("at most {MAX_REMINDERS} reminders"),
                ));
            }
            all.push(reminder.clone());
            save(u, &all)?;
            Ok(reminder)
        })
    }

    /// Replaces a reminder's settings, keeping its id.
    pub fn update(&self, id: &str, new: NewReminder) -> Result<Reminder> {
        let reminder = checked(id.to_owned(), new)?;
        self.inner.with_unlocked(|u| {
            let mut all = stored(u)?;
            let slot = all.iter_mut().find(|r| r.id == id).ok_or(Error::NotFound)?;
            *slot = reminder.clone();
            save(u, &all)?;
            Ok(reminder)
        })
    }

    /// Turns a reminder on or off.
    pub fn set_enabled(&self, id: &str, enabled: bool) -> Result<Reminder> {
        self.inner.with_unlocked(|u| {
            let mut all = stored(u)?;
            let slot = all.iter_mut().find(|r| r.id == id).ok_or(Error::NotFound)?;
            slot.enabled = enabled;
            let reminder = slot.clone();
            save(u, &all)?;
            Ok(reminder)
        })
    }

    /// Deletes a reminder; [`Error::NotFound`] if there is none with this id.
    pub fn delete(&self, id: &str) -> Result<()> {
        self.inner.with_unlocked(|u| {
            let mut all = stored(u)?;
            let before = all.len();
            all.retain(|r| r.id != id);
            if all.len() == before {
                return Err(Error::NotFound);
            }
            save(u, &all)
        })
    }

    /// The next `limit` firings (at most [`MAX_UPCOMING`]) of the enabled reminders strictly
    /// after `after`, soonest first (ties by reminder id). Each firing is the reminder's
    /// wall-clock time on one of its days, read in its zone (see the module's note on DST).
    pub fn upcoming(&self, after: DateTime<Utc>, limit: usize) -> Result<Vec<ScheduledReminder>> {
        let limit = limit.min(MAX_UPCOMING);
        let all = self.inner.with_unlocked(|u| stored(u))?;
        let mut out: Vec<ScheduledReminder> = all
            .iter()
            .filter(|r| r.enabled)
            .flat_map(|r| firings(r, after, limit))
            .collect();
        out.sort_by(|a, b| {
            a.at.cmp(&b.at)
                .then_with(|| a.reminder_id.cmp(&b.reminder_id))
        });
        out.truncate(limit);
        Ok(out)
    }
}

/// The stored reminders; none until the first is added.
pub(crate) fn stored(u: &Unlocked) -> Result<Vec<Reminder>> {
    Ok(u.get_sealed::<Vec<Reminder>>(DOCUMENTS_TABLE, DOCUMENT)?
        .unwrap_or_default())
}

/// Adds a backup's reminders whose id is not here, inside the caller's transaction; each is
/// checked as a new one is (a bad one fails the whole import). Returns how many were added.
pub(crate) fn merge_backup(u: &Unlocked, incoming: Vec<Reminder>) -> Result<usize> {
    if incoming.is_empty() {
        return Ok(0);
    }
    let mut all = stored(u)?;
    let mut added = 0;
    for reminder in incoming {
        if !is_reminder_id(&reminder.id) {
            return Err(Error::invalid(
                InputProblem::Malformed,
                "a reminder has a malformed id",
            ));
        }
        if all.iter().any(|r| r.id == reminder.id) {
            continue;
        }
        if all.len() >= MAX_REMINDERS {
            return Err(Error::invalid(
                InputProblem::TooMany,
                format!("at most {MAX_REMINDERS} reminders"),
            ));
        }
        let new = NewReminder {
            time: reminder.time,
            weekdays: reminder.weekdays,
            zone: reminder.zone,
            enabled: reminder.enabled,
        };
        all.push(checked(reminder.id, new)?);
        added += 1;
    }
    if added > 0 {
        save(u, &all)?;
    }
    Ok(added)
}

fn is_reminder_id(id: &str) -> bool {
    id.len() == 32
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn save(u: &Unlocked, all: &[Reminder]) -> Result<()> {
    u.put_sealed(DOCUMENTS_TABLE, DOCUMENT, &all)?;
    u.changed(DataTopic::Reminders);
    Ok(())
}

/// Validates and normalises what the person set.
fn checked(id: String, new: NewReminder) -> Result<Reminder> {
    let time = parse_time(&new.time)?;
    let zone = new.zone.trim().to_owned();
    if zone.is_empty() || !crate::zone::is_known(&zone) {
        return Err(Error::invalid_field(
            InputProblem::Malformed,
            "zone",
            "not a time zone of the tz database (e.g. Europe/Berlin)",
        ));
    }
    let mut weekdays = new.weekdays;
    weekdays.sort();
    weekdays.dedup();
    Ok(Reminder {
        id,
        time: time.format("%H:%M").to_string(),
        weekdays,
        zone,
        enabled: new.enabled,
    })
}

fn parse_time(text: &str) -> Result<NaiveTime> {
    let bad = || {
        Error::invalid_field(
            InputProblem::Malformed,
            "time",
            "a time of day as HH:MM, 00:00 to 23:59",
        )
    };
    let (h, m) = text.trim().split_once(':').ok_or_else(bad)?;
    let all_digits =
        |s: &str| !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(h) || m.len() != 2 || !all_digits(m) {
        return Err(bad());
    }
    let hour = h.parse::<u32>().map_err(|_| bad())?;
    let minute = m.parse::<u32>().map_err(|_| bad())?;
    NaiveTime::from_hms_opt(hour, minute, 0).ok_or_else(bad)
}

/// Up to `limit` firings of one reminder after `after`.
fn firings(reminder: &Reminder, after: DateTime<Utc>, limit: usize) -> Vec<ScheduledReminder> {
    let (Ok(time), Some(local_now)) = (
        parse_time(&reminder.time),
        crate::zone::utc_to_local(&reminder.zone, after),
    ) else {
        return Vec::new(); // unreadable stored data fires nothing rather than fail the list
    };
    let mut out = Vec::new();
    // From the day before (a firing late yesterday in local time can still be after `after`
    // only if the zone's offset jumps; cheap to look at), one day at a time; a week holds at
    // least one firing, so `limit` firings need at most `limit` weeks plus one.
    let mut day = local_now.date().pred_opt().unwrap_or(local_now.date());
    let last = day + Duration::days(7 * (limit as i64 + 1) + 1);
    while out.len() < limit && day <= last {
        if fires_on(reminder, day) {
            if let Some(at) = crate::zone::local_to_utc(&reminder.zone, day.and_time(time)) {
                if at > after {
                    out.push(ScheduledReminder {
                        reminder_id: reminder.id.clone(),
                        at,
                    });
                }
            }
        }
        match day.succ_opt() {
            Some(next) => day = next,
            None => break,
        }
    }
    out
}

fn fires_on(reminder: &Reminder, day: NaiveDate) -> bool {
    reminder.weekdays.is_empty() || reminder.weekdays.contains(&weekday(day))
}

fn weekday(day: NaiveDate) -> Weekday {
    match day.weekday() {
        chrono::Weekday::Mon => Weekday::Mon,
        chrono::Weekday::Tue => Weekday::Tue,
        chrono::Weekday::Wed => Weekday::Wed,
        chrono::Weekday::Thu => Weekday::Thu,
        chrono::Weekday::Fri => Weekday::Fri,
        chrono::Weekday::Sat => Weekday::Sat,
        chrono::Weekday::Sun => Weekday::Sun,
    }
}
