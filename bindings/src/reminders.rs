//! Journal check-in reminders: the person sets them, the core says when they fire next, the
//! app schedules the notifications (AlarmManager / WorkManager, UNUserNotificationCenter).

use std::sync::Arc;
use std::time::SystemTime;

use crate::error::Result;
use crate::listeners::ChangeListener;
use crate::task::TaskHandle;
use crate::time::{LocalTime, TimeZoneId};

mirror_enum! {
    Weekday <=> kinship_core::reminders::Weekday {
        Mon,
        Tue,
        Wed,
        Thu,
        Fri,
        Sat,
        Sun,
    }
}

#[derive(Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct Reminder {
    pub id: String,
    /// The wall-clock time in `zone`.
    pub time: LocalTime,
    /// The days it fires on, Monday first; empty means every day.
    pub weekdays: Vec<Weekday>,
    pub zone: TimeZoneId,
    pub enabled: bool,
}

/// What the person sets (for a new reminder, or to replace one).
#[derive(Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct NewReminder {
    pub time: LocalTime,
    #[uniffi(default = [])]
    pub weekdays: Vec<Weekday>,
    pub zone: TimeZoneId,
    #[uniffi(default = true)]
    pub enabled: bool,
}

/// One firing for the app to schedule.
#[derive(Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct ScheduledReminder {
    pub reminder_id: String,
    pub at: SystemTime,
}

/// Reminders of an unlocked profile (`KinshipProfile.reminders()`). Sealed like the rest:
/// that someone keeps a journal, and when they write, is personal.
#[derive(uniffi::Object)]
pub struct Reminders {
    pub(crate) core: kinship_core::Kinship,
}

#[uniffi::export]
impl Reminders {
    pub fn list(&self) -> Result<Vec<Reminder>> {
        let listed = self.core.reminders().list()?;
        listed.into_iter().map(Reminder::try_from).collect()
    }

    pub fn add(&self, reminder: NewReminder) -> Result<Reminder> {
        self.core.reminders().add(reminder.into())?.try_into()
    }

    pub fn update(&self, id: String, reminder: NewReminder) -> Result<Reminder> {
        self.core
            .reminders()
            .update(&id, reminder.into())?
            .try_into()
    }

    pub fn set_enabled(&self, id: String, enabled: bool) -> Result<Reminder> {
        self.core.reminders().set_enabled(&id, enabled)?.try_into()
    }

    pub fn delete(&self, id: String) -> Result<()> {
        Ok(self.core.reminders().delete(&id)?)
    }

    /// The next `limit` firings after `after`, soonest first, across daylight-saving changes.
    /// Schedule them, and ask again when they have fired or the reminders change.
    pub fn upcoming(&self, after: SystemTime, limit: i32) -> Result<Vec<ScheduledReminder>> {
        let upcoming = self
            .core
            .reminders()
            .upcoming(crate::time::utc(after), crate::count_arg("limit", limit)?)?;
        Ok(upcoming
            .into_iter()
            .map(|r| ScheduledReminder {
                reminder_id: r.reminder_id,
                at: crate::time::instant(&r.at),
            })
            .collect())
    }

    /// Calls `listener` after each change to the reminders (reschedule then).
    pub fn observe_changes(&self, listener: Arc<dyn ChangeListener>) -> Arc<TaskHandle> {
        crate::listeners::observe_changes(
            &self.core,
            kinship_core::events::DataTopic::Reminders,
            listener,
        )
    }
}

impl TryFrom<kinship_core::reminders::Reminder> for Reminder {
    type Error = crate::error::KinshipError;

    fn try_from(r: kinship_core::reminders::Reminder) -> Result<Self> {
        Ok(Reminder {
            id: r.id,
            time: LocalTime::from_core(&r.time)?,
            weekdays: r.weekdays.into_iter().map(Into::into).collect(),
            zone: TimeZoneId(r.zone),
            enabled: r.enabled,
        })
    }
}

impl From<NewReminder> for kinship_core::reminders::NewReminder {
    fn from(r: NewReminder) -> Self {
        kinship_core::reminders::NewReminder {
            time: r.time.0.format("%H:%M").to_string(),
            weekdays: r.weekdays.into_iter().map(Into::into).collect(),
            zone: r.zone.0,
            enabled: r.enabled,
        }
    }
}

redacted_display!(Reminder(id), NewReminder, ScheduledReminder);
