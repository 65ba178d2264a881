//! The private journal: entries, listing with filters and paging, search and stats.

use chrono::{DateTime, NaiveDate, Utc};

use crate::error::{KinshipError, Result};
use crate::profile::KinshipProfile;

#[derive(Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct JournalEntry {
    pub id: String,
    /// RFC 3339 with the writer's UTC offset.
    pub created_at: String,
    pub updated_at: String,
    pub title: Option<String>,
    pub body: String,
    /// 1 (very low) to 5 (very good).
    pub mood: Option<u8>,
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
    #[uniffi(default = None)]
    pub mood: Option<u8>,
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
    pub mood: Option<u8>,
    /// RFC 3339: entries created at or after this instant.
    #[uniffi(default = None)]
    pub from: Option<String>,
    /// RFC 3339: entries created before this instant.
    #[uniffi(default = None)]
    pub until: Option<String>,
}

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
    /// `YYYY-MM-DD` for a day, `YYYY-Www` for an ISO week.
    pub period: String,
    pub average: f64,
    pub rated_entries: u32,
}

#[derive(Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct TagCount {
    pub tag: String,
    pub count: u32,
}

#[derive(Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct JournalStats {
    pub entries: u32,
    pub mood_by_day: Vec<MoodPoint>,
    pub mood_by_week: Vec<MoodPoint>,
    pub tag_counts: Vec<TagCount>,
    pub current_streak_days: u32,
}

#[uniffi::export]
impl KinshipProfile {
    pub fn add_entry(&self, entry: NewJournalEntry) -> Result<JournalEntry> {
        let new = kinship_core::NewEntry {
            title: entry.title,
            body: entry.body,
            mood: entry.mood,
            tags: entry.tags,
            strategy_ids: entry.strategy_ids,
        };
        let added = self.inner.journal().add(new, crate::now_local())?;
        Ok(added.into())
    }

    pub fn get_entry(&self, id: String) -> Result<JournalEntry> {
        Ok(self.inner.journal().get(&id)?.into())
    }

    /// Replaces the entry's fields with `entry` (an edit screen saves the whole entry).
    pub fn update_entry(&self, id: String, entry: NewJournalEntry) -> Result<JournalEntry> {
        let changes = kinship_core::EntryChanges {
            title: Some(entry.title),
            body: Some(entry.body),
            mood: Some(entry.mood),
            tags: Some(entry.tags),
            strategy_ids: Some(entry.strategy_ids),
        };
        let updated = self
            .inner
            .journal()
            .update(&id, changes, crate::now_local())?;
        Ok(updated.into())
    }

    pub fn delete_entry(&self, id: String) -> Result<()> {
        Ok(self.inner.journal().delete(&id)?)
    }

    /// The newest `limit` entries (at most 500).
    pub fn list_entries(&self, limit: u32) -> Result<Vec<JournalEntry>> {
        let page = self.list_entries_page(JournalFilter::default(), limit, None)?;
        Ok(page.entries)
    }

    /// One page of entries matching `filter`, newest first.
    pub fn list_entries_page(
        &self,
        filter: JournalFilter,
        limit: u32,
        cursor: Option<String>,
    ) -> Result<JournalPage> {
        let filter = kinship_core::EntryFilter {
            tag: filter.tag,
            mood: filter.mood,
            from: filter.from.as_deref().map(parse_instant).transpose()?,
            until: filter.until.as_deref().map(parse_instant).transpose()?,
        };
        let page = self
            .inner
            .journal()
            .list(&filter, limit as usize, cursor.as_deref())?;
        Ok(JournalPage {
            entries: page.entries.into_iter().map(Into::into).collect(),
            next_cursor: page.next_cursor,
        })
    }

    /// Entries containing every word of `query` as a word prefix, ignoring case and accents.
    pub fn search_entries(&self, query: String, limit: u32) -> Result<Vec<JournalEntry>> {
        let found = self.inner.journal().search(&query, limit as usize)?;
        Ok(found.into_iter().map(Into::into).collect())
    }

    pub fn entry_count(&self) -> Result<u32> {
        Ok(self.inner.journal().count()? as u32)
    }

    /// Entries that could not be opened (damaged rows); a backup restore can replace them.
    pub fn unreadable_entry_ids(&self) -> Result<Vec<String>> {
        Ok(self.inner.journal().unreadable_ids()?)
    }

    /// Mood by day and week, tag counts and the writing streak, between two `YYYY-MM-DD`
    /// dates (both optional, inclusive).
    pub fn journal_stats(&self, from: Option<String>, to: Option<String>) -> Result<JournalStats> {
        let range = kinship_core::StatsRange {
            from: from.as_deref().map(parse_date).transpose()?,
            to: to.as_deref().map(parse_date).transpose()?,
            today: crate::now_local().date_naive(),
        };
        let stats = self.inner.journal().stats(&range)?;
        Ok(JournalStats {
            entries: stats.entries,
            mood_by_day: stats.mood_by_day.into_iter().map(Into::into).collect(),
            mood_by_week: stats.mood_by_week.into_iter().map(Into::into).collect(),
            tag_counts: stats
                .tag_counts
                .into_iter()
                .map(|t| TagCount {
                    tag: t.tag,
                    count: t.count,
                })
                .collect(),
            current_streak_days: stats.current_streak_days,
        })
    }

    /// Writes every entry as a Markdown file into `dir`, **unencrypted**: only for an
    /// explicit "export as text" the person confirmed. Returns how many files were written.
    pub fn export_markdown_unencrypted(&self, dir: String) -> Result<u32> {
        let written = self
            .inner
            .export_markdown_unencrypted(std::path::Path::new(&dir))?;
        Ok(written as u32)
    }
}

impl From<kinship_core::Entry> for JournalEntry {
    fn from(entry: kinship_core::Entry) -> Self {
        JournalEntry {
            id: entry.id,
            created_at: crate::rfc3339(&entry.created_at),
            updated_at: crate::rfc3339(&entry.updated_at),
            title: entry.title,
            body: entry.body,
            mood: entry.mood,
            tags: entry.tags,
            strategy_ids: entry.strategy_ids,
        }
    }
}

impl From<kinship_core::journal::MoodPoint> for MoodPoint {
    fn from(point: kinship_core::journal::MoodPoint) -> Self {
        MoodPoint {
            period: point.period,
            average: point.average,
            rated_entries: point.rated_entries,
        }
    }
}

pub(crate) fn parse_instant(text: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| KinshipError::InvalidInput {
            field: None,
            // Never quote the input: error text can end up in logs.
            reason: "a time must be RFC 3339, like 2026-11-27T18:00:00Z".into(),
        })
}

pub(crate) fn parse_date(text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| KinshipError::InvalidInput {
        field: None,
        reason: "a date must be YYYY-MM-DD".into(),
    })
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
