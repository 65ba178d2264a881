//! The private journal: entries, listing with filters and paging, search and stats.

use std::sync::Arc;
use std::time::SystemTime;

use kinship_core::events::DataTopic;

use crate::error::{InputProblem, KinshipError, Result};
use crate::listeners::ChangeListener;
use crate::task::{off_thread, TaskHandle};
use crate::time::{LocalDate, MoodPeriod};

#[derive(Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct JournalEntry {
    pub id: String,
    pub created_at: SystemTime,
    pub updated_at: SystemTime,
    /// The UTC offset of the phone's clock when the entry was written, in seconds, so it can
    /// be shown at the local time it was written (`ZoneOffset.ofTotalSeconds`).
    pub utc_offset_seconds: i32,
    pub title: Option<String>,
    pub body: String,
    /// 1 (very low) to 5 (very good).
    pub mood: Option<i32>,
    pub tags: Vec<String>,
    /// Coping strategies the person used (ids from the coping library).
    pub strategy_ids: Vec<String>,
}

/// What the person writes: a new entry, or the whole edited entry.
#[derive(Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct NewJournalEntry {
    #[uniffi(default = None)]
    pub title: Option<String>,
    pub body: String,
    /// 1 to 5.
    #[uniffi(default = None)]
    pub mood: Option<i32>,
    #[uniffi(default = [])]
    pub tags: Vec<String>,
    #[uniffi(default = [])]
    pub strategy_ids: Vec<String>,
}

/// Which entries a listing wants; every field is optional.
#[derive(Clone, Default, PartialEq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct JournalFilter {
    #[uniffi(default = None)]
    pub tag: Option<String>,
    #[uniffi(default = None)]
    pub mood: Option<i32>,
    /// Entries created at or after this instant.
    #[uniffi(default = None)]
    pub from: Option<SystemTime>,
    /// Entries created before this instant.
    #[uniffi(default = None)]
    pub until: Option<SystemTime>,
}

/// One page of entries, newest first.
#[derive(Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct JournalPage {
    pub entries: Vec<JournalEntry>,
    /// Pass back for the next (older) page; `None` on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct MoodPoint {
    pub period: MoodPeriod,
    pub average: f64,
    pub rated_entries: i32,
}

#[derive(Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct TagCount {
    pub tag: String,
    pub count: i32,
}

#[derive(Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct JournalStats {
    pub entries: i32,
    pub mood_by_day: Vec<MoodPoint>,
    pub mood_by_week: Vec<MoodPoint>,
    pub tag_counts: Vec<TagCount>,
    pub current_streak_days: i32,
}

/// The private journal of an unlocked profile (`KinshipProfile.journal()`).
#[derive(uniffi::Object)]
pub struct Journal {
    pub(crate) core: kinship_core::Kinship,
}

#[uniffi::export]
impl Journal {
    pub fn add(&self, entry: NewJournalEntry) -> Result<JournalEntry> {
        let new = kinship_core::NewEntry {
            title: entry.title,
            body: entry.body,
            mood: mood_arg(entry.mood)?,
            tags: entry.tags,
            strategy_ids: entry.strategy_ids,
        };
        let added = self.core.journal().add(new, crate::now_local())?;
        Ok(added.into())
    }

    pub fn get(&self, id: String) -> Result<JournalEntry> {
        Ok(self.core.journal().get(&id)?.into())
    }

    /// Replaces the entry's fields with `entry` (an edit screen saves the whole entry).
    pub fn update(&self, id: String, entry: NewJournalEntry) -> Result<JournalEntry> {
        let changes = kinship_core::EntryChanges {
            title: Some(entry.title),
            body: Some(entry.body),
            mood: Some(mood_arg(entry.mood)?),
            tags: Some(entry.tags),
            strategy_ids: Some(entry.strategy_ids),
        };
        let updated = self
            .core
            .journal()
            .update(&id, changes, crate::now_local())?;
        Ok(updated.into())
    }

    pub fn delete(&self, id: String) -> Result<()> {
        Ok(self.core.journal().delete(&id)?)
    }

    /// One page of entries matching `filter`, newest first (`limit` 1 to 500); pass the
    /// page's `next_cursor` back for the next one.
    pub fn list(
        &self,
        filter: JournalFilter,
        limit: i32,
        cursor: Option<String>,
    ) -> Result<JournalPage> {
        let filter = kinship_core::EntryFilter {
            tag: filter.tag,
            mood: mood_arg(filter.mood)?,
            from: filter.from.map(crate::time::utc),
            until: filter.until.map(crate::time::utc),
        };
        let page = self.core.journal().list(
            &filter,
            crate::count_arg("limit", limit)?,
            cursor.as_deref(),
        )?;
        Ok(page.into())
    }

    /// Calls `listener` after every committed change to the journal (re-read the list then).
    pub fn observe_changes(&self, listener: Arc<dyn ChangeListener>) -> Arc<TaskHandle> {
        crate::listeners::observe_changes(&self.core, DataTopic::Journal, listener)
    }

    pub fn count(&self) -> Result<i32> {
        Ok(crate::count_out(self.core.journal().count()?))
    }

    /// Entries that could not be opened (damaged rows); a backup restore can replace them.
    pub fn unreadable_ids(&self) -> Result<Vec<String>> {
        Ok(self.core.journal().unreadable_ids()?)
    }

    /// Writes every entry as a Markdown file into `dir`, **unencrypted**: only for an
    /// explicit "export as text" the person confirmed. Returns how many files were written.
    pub fn export_markdown_unencrypted(&self, dir: String) -> Result<i32> {
        let written = self
            .core
            .export_markdown_unencrypted(std::path::Path::new(&dir))?;
        Ok(crate::count_out(written))
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl Journal {
    /// Entries containing every word of `query` as a word prefix, ignoring case and accents,
    /// newest first, one page at a time (the same cursors as [`Journal::list`]).
    pub async fn search(
        &self,
        query: String,
        limit: i32,
        cursor: Option<String>,
    ) -> Result<JournalPage> {
        let limit = crate::count_arg("limit", limit)?;
        let core = self.core.clone();
        off_thread(move || {
            let page = core
                .journal()
                .search_page(&query, limit, cursor.as_deref())?;
            Ok(page.into())
        })
        .await
    }

    /// Mood by day and week, tag counts and the writing streak between two dates (both
    /// optional, inclusive), counted in the days the entries were written in.
    pub async fn stats(
        &self,
        from: Option<LocalDate>,
        to: Option<LocalDate>,
    ) -> Result<JournalStats> {
        let core = self.core.clone();
        off_thread(move || {
            let range = kinship_core::StatsRange {
                from: from.map(|d| d.0),
                to: to.map(|d| d.0),
                today: crate::now_local().date_naive(),
            };
            let stats = core.journal().stats(&range)?;
            Ok(JournalStats {
                entries: crate::count_out(stats.entries),
                mood_by_day: stats.mood_by_day.into_iter().map(Into::into).collect(),
                mood_by_week: stats.mood_by_week.into_iter().map(Into::into).collect(),
                tag_counts: stats
                    .tag_counts
                    .into_iter()
                    .map(|t| TagCount {
                        tag: t.tag,
                        count: crate::count_out(t.count),
                    })
                    .collect(),
                current_streak_days: crate::count_out(stats.current_streak_days),
            })
        })
        .await
    }
}

impl From<kinship_core::Entry> for JournalEntry {
    fn from(entry: kinship_core::Entry) -> Self {
        JournalEntry {
            id: entry.id,
            created_at: crate::time::instant(&entry.created_at),
            updated_at: crate::time::instant(&entry.updated_at),
            utc_offset_seconds: crate::time::offset_seconds(&entry.created_at),
            title: entry.title,
            body: entry.body,
            mood: entry.mood.map(i32::from),
            tags: entry.tags,
            strategy_ids: entry.strategy_ids,
        }
    }
}

impl From<kinship_core::journal::Page> for JournalPage {
    fn from(page: kinship_core::journal::Page) -> Self {
        JournalPage {
            entries: page.entries.into_iter().map(Into::into).collect(),
            next_cursor: page.next_cursor,
        }
    }
}

impl From<kinship_core::journal::MoodPoint> for MoodPoint {
    fn from(point: kinship_core::journal::MoodPoint) -> Self {
        MoodPoint {
            period: point.period.into(),
            average: point.average,
            rated_entries: crate::count_out(point.rated_entries),
        }
    }
}

/// A mood from the app; out of 1 to 5 it is refused by the core, so only what cannot be a
/// `u8` at all is caught here (the core's message is the one the app sees either way).
fn mood_arg(mood: Option<i32>) -> Result<Option<u8>> {
    mood.map(|m| {
        u8::try_from(m).map_err(|_| KinshipError::InvalidInput {
            field: Some("mood".into()),
            problem: InputProblem::OutOfRange,
            reason: "mood must be between 1 and 5".into(),
        })
    })
    .transpose()
}

redacted_display!(
    JournalEntry(id),
    NewJournalEntry,
    JournalFilter,
    JournalPage,
    MoodPoint,
    TagCount,
    JournalStats,
);
