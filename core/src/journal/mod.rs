//! The private journal: entries with a title, free text, a mood and tags, all sealed.
//!
//! Each entry is one row `(id, sealed)` where `sealed` holds the whole entry (times, title,
//! body, mood, tags) as JSON sealed for the row `journal_entries/<id>`. Ids are random, so the
//! table reveals only how many entries exist. Ordering, filters, search and stats run on the
//! in-memory [`index::JournalIndex`], built lazily after unlock.

pub mod index;
pub mod stats;

use crate::error::InputProblem;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::events::DataTopic;
use crate::session::{Inner, Unlocked};
pub use index::EntryFilter;
use index::{time_key, JournalIndex, TimeKey};
pub use stats::{JournalStats, MoodPoint, Period, StatsRange, TagCount};

/// Table of journal entries, one sealed row each.
pub const TABLE: &str = "journal_entries";
/// Longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest body, in characters.
pub const MAX_BODY_CHARS: usize = 100_000;
/// Most tags on one entry (and most linked coping strategies).
pub const MAX_TAGS: usize = 32;
/// Longest tag, in characters.
pub const MAX_TAG_CHARS: usize = 40;
/// Most entries [`Journal::list`] and [`Journal::search`] return at once.
pub const MAX_PAGE: usize = 500;

const INSERT_SQL: &str = "INSERT INTO journal_entries (id, sealed) VALUES (?1, ?2)";
const UPDATE_SQL: &str = "UPDATE journal_entries SET sealed = ?2 WHERE id = ?1";

/// A journal entry as the person wrote it. Its `Debug` output leaves the text out, so an entry
/// that ends up in a log or a panic message reveals nothing the person wrote.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Random: 32 lowercase hex digits.
    pub id: String,
    /// When it was written, in UTC plus the writer's own UTC offset at that moment.
    pub created_at: DateTime<FixedOffset>,
    /// When it was last edited, in the editor's local time and UTC offset; equal to `created_at`
    /// until then, never before it.
    pub updated_at: DateTime<FixedOffset>,
    /// Trimmed, at most [`MAX_TITLE_CHARS`] characters; `None` for no title (an empty one counts as
    /// none).
    pub title: Option<String>,
    /// The text, at most [`MAX_BODY_CHARS`] characters.
    pub body: String,
    /// 1 (very low) ..= 5 (very good).
    pub mood: Option<u8>,
    /// Trimmed, inner spaces collapsed, without repeats (ignoring case and accents); at most
    /// [`MAX_TAGS`] tags of 1 to [`MAX_TAG_CHARS`] characters.
    pub tags: Vec<String>,
    /// Ids of coping strategies the person used (built-in or their own).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub strategy_ids: Vec<String>,
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Entry")
            .field("id", &self.id)
            .field("created_at", &self.created_at)
            .field("updated_at", &self.updated_at)
            .field(
                "title_chars",
                &self.title.as_ref().map(|t| t.chars().count()),
            )
            .field("body_chars", &self.body.chars().count())
            .field("mood", &self.mood.map(|_| "set"))
            .field("tags", &self.tags.len())
            .finish()
    }
}

impl Entry {
    /// Overwrites the text in memory; for copies the core makes for itself (index builds,
    /// merges) so they do not linger in freed memory.
    pub(crate) fn wipe(&mut self) {
        use zeroize::Zeroize;
        self.title.zeroize();
        self.body.zeroize();
        self.tags.zeroize();
        self.strategy_ids.zeroize();
    }
}

/// What a person writes for a new entry.
#[derive(Debug, Clone, Default)]
pub struct NewEntry {
    /// Optional; trimmed, at most [`MAX_TITLE_CHARS`] characters.
    pub title: Option<String>,
    /// The text, at most [`MAX_BODY_CHARS`] characters. An entry needs text, a title, a mood or a
    /// tag.
    pub body: String,
    /// 1 (very low) to 5 (very good), if given.
    pub mood: Option<u8>,
    /// Tags; cleaned as described on [`Entry::tags`].
    pub tags: Vec<String>,
    /// Ids of coping strategies the person used: at most [`MAX_TAGS`], each 1 to 64 characters of
    /// `a-z`, `0-9` and `-`.
    pub strategy_ids: Vec<String>,
}

/// Fields to change in an entry; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct EntryChanges {
    /// `Some(None)` removes the title.
    pub title: Option<Option<String>>,
    /// A new body.
    pub body: Option<String>,
    /// `Some(None)` removes the mood.
    pub mood: Option<Option<u8>>,
    /// New tags, replacing all the old ones.
    pub tags: Option<Vec<String>>,
    /// New linked coping strategies, replacing the old ones.
    pub strategy_ids: Option<Vec<String>>,
}

/// One page of a listing, newest first.
#[derive(Debug, Clone)]
pub struct Page {
    /// The entries of this page, newest first.
    pub entries: Vec<Entry>,
    /// Pass back to get the next (older) page; `None` when this was the last.
    pub next_cursor: Option<String>,
}

/// The journal of an unlocked profile. Every call fails with `Locked` while locked.
#[derive(Clone)]
pub struct Journal {
    inner: Arc<Inner>,
}

impl Journal {
    pub(crate) fn new(inner: Arc<Inner>) -> Self {
        Journal { inner }
    }

    /// Seals and stores a new entry written at `now` (the writer's local time and offset).
    pub fn add(&self, new: NewEntry, now: DateTime<FixedOffset>) -> Result<Entry> {
        let entry = Entry {
            id: new_entry_id(),
            created_at: now,
            updated_at: now,
            title: clean_title(new.title)?,
            body: new.body,
            mood: new.mood,
            tags: clean_tags(new.tags)?,
            strategy_ids: new.strategy_ids,
        };
        validate(&entry)?;
        self.inner.with_unlocked(|u| {
            let sealed = seal_entry(u, &entry)?;
            u.store
                .conn()
                .prepare_cached(INSERT_SQL)?
                .execute(params![entry.id, sealed])?;
            u.changed(DataTopic::Journal);
            if let Some(index) = u.slots.get_mut::<JournalIndex>() {
                index.insert_later(entry.clone());
            }
            Ok(entry)
        })
    }

    /// The entry with this id; [`Error::NotFound`] if there is none, [`Error::Corrupted`] if its
    /// row cannot be opened.
    pub fn get(&self, id: &str) -> Result<Entry> {
        self.inner.with_unlocked(|u| read_entry(u, id))
    }

    /// Applies `changes` to an entry and stamps it as edited at `now`; [`Error::NotFound`] if there
    /// is no such entry. The result is checked as a new entry is.
    pub fn update(
        &self,
        id: &str,
        changes: EntryChanges,
        now: DateTime<FixedOffset>,
    ) -> Result<Entry> {
        let title = changes.title.map(clean_title).transpose()?;
        let tags = changes.tags.map(clean_tags).transpose()?;
        self.inner.with_unlocked(|u| {
            let mut entry = read_entry(u, id)?;
            if let Some(title) = title {
                entry.title = title;
            }
            if let Some(body) = changes.body {
                entry.body = body;
            }
            if let Some(mood) = changes.mood {
                entry.mood = mood;
            }
            if let Some(tags) = tags {
                entry.tags = tags;
            }
            if let Some(strategy_ids) = changes.strategy_ids {
                entry.strategy_ids = strategy_ids;
            }
            entry.updated_at = now;
            validate(&entry)?;
            let sealed = seal_entry(u, &entry)?;
            u.store
                .conn()
                .prepare_cached(UPDATE_SQL)?
                .execute(params![entry.id, sealed])?;
            u.changed(DataTopic::Journal);
            if let Some(index) = u.slots.get_mut::<JournalIndex>() {
                index.insert_later(entry.clone());
            }
            Ok(entry)
        })
    }

    /// Deletes an entry for good; [`Error::NotFound`] if there is none.
    pub fn delete(&self, id: &str) -> Result<()> {
        self.inner.with_unlocked(|u| {
            let removed = u
                .store
                .conn()
                .prepare_cached("DELETE FROM journal_entries WHERE id = ?1")?
                .execute([id])?;
            if removed == 0 {
                return Err(Error::NotFound);
            }
            u.changed(DataTopic::Journal);
            if let Some(index) = u.slots.get_mut::<JournalIndex>() {
                index.remove(id);
            }
            Ok(())
        })
    }

    /// Entries newest first, `limit` at a time (at most [`MAX_PAGE`]), filtered.
    pub fn list(&self, filter: &EntryFilter, limit: usize, cursor: Option<&str>) -> Result<Page> {
        if let Some(mood) = filter.mood {
            validate_mood(mood)?;
        }
        let before = cursor.map(decode_cursor).transpose()?;
        let limit = limit.clamp(1, MAX_PAGE);
        self.inner.with_unlocked(|u| {
            let ids: Vec<(String, TimeKey)> = ensure_index(u)?
                .list(filter, before.as_ref(), limit + 1)
                .into_iter()
                .map(|doc| (doc.id.clone(), time_key(&doc.created_at, &doc.id)))
                .collect();
            page_of(u, ids, limit)
        })
    }

    /// Entries whose title, body or tags contain every word of `query` as a word prefix,
    /// ignoring case and accents; newest first.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<Entry>> {
        Ok(self.search_page(query, limit, None)?.entries)
    }

    /// One page of [`Journal::search`]'s results, newest first; `cursor` is the previous
    /// page's `next_cursor` (the same cursors as [`Journal::list`]).
    pub fn search_page(&self, query: &str, limit: usize, cursor: Option<&str>) -> Result<Page> {
        let before = cursor.map(decode_cursor).transpose()?;
        let limit = limit.clamp(1, MAX_PAGE);
        self.inner.with_unlocked(|u| {
            let found: Vec<(String, TimeKey)> = ensure_index(u)?
                .search(query, before.as_ref(), limit + 1)
                .into_iter()
                .map(|doc| (doc.id.clone(), time_key(&doc.created_at, &doc.id)))
                .collect();
            page_of(u, found, limit)
        })
    }

    /// Statistics over the entries in `range`: counts, mood by day and week, tags, and the writing
    /// streak.
    pub fn stats(&self, range: &StatsRange) -> Result<JournalStats> {
        self.inner
            .with_unlocked(|u| Ok(stats::compute(ensure_index(u)?, range)))
    }

    /// How many readable entries the journal holds.
    pub fn count(&self) -> Result<usize> {
        self.inner.with_unlocked(|u| Ok(ensure_index(u)?.len()))
    }

    /// Ids of entries that could not be opened (damaged or tampered rows). They are left in
    /// place, so restoring a backup can replace them.
    pub fn unreadable_ids(&self) -> Result<Vec<String>> {
        self.inner
            .with_unlocked(|u| Ok(ensure_index(u)?.unreadable().to_vec()))
    }

    /// Every readable entry, oldest first: for backups and exports.
    pub fn all(&self) -> Result<Vec<Entry>> {
        self.inner.with_unlocked(all_entries)
    }
}

/// Every readable entry, oldest first. Unreadable rows are skipped.
pub(crate) fn all_entries(u: &mut Unlocked) -> Result<Vec<Entry>> {
    let ids: Vec<String> = {
        let index = ensure_index(u)?;
        let mut docs: Vec<_> = index.docs().collect();
        docs.sort_by(|a, b| {
            a.created_at
                .cmp(&b.created_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        docs.into_iter().map(|doc| doc.id.clone()).collect()
    };
    read_entries(u, ids.iter().map(String::as_str))
}

/// How an imported entry was merged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Merge {
    Added,
    Updated,
    Unchanged,
}

/// Merges `entry` by id inside the caller's transaction: a new id is added, a known id is
/// replaced only by a newer edit (or when the stored row is damaged).
pub(crate) fn merge_entry(
    u: &Unlocked,
    tx: &rusqlite::Transaction<'_>,
    mut entry: Entry,
) -> Result<Merge> {
    let result = clean_and_merge(u, tx, &mut entry);
    entry.wipe();
    result
}

fn clean_and_merge(
    u: &Unlocked,
    tx: &rusqlite::Transaction<'_>,
    entry: &mut Entry,
) -> Result<Merge> {
    validate_id(&entry.id)?;
    // Imported entries get the same clean-up as typed ones.
    entry.title = clean_title(entry.title.take())?;
    entry.tags = clean_tags(std::mem::take(&mut entry.tags))?;
    validate(entry)?;
    let existing: Option<Vec<u8>> = tx
        .query_row(
            "SELECT sealed FROM journal_entries WHERE id = ?1",
            [&entry.id],
            |row| row.get(0),
        )
        .optional()?;
    let sealed = seal_entry(u, entry)?;
    store_merged(u, tx, entry, existing, sealed)
}

fn store_merged(
    u: &Unlocked,
    tx: &rusqlite::Transaction<'_>,
    entry: &Entry,
    existing: Option<Vec<u8>>,
    sealed: Vec<u8>,
) -> Result<Merge> {
    match existing {
        None => {
            tx.prepare_cached(INSERT_SQL)?
                .execute(params![entry.id, sealed])?;
            Ok(Merge::Added)
        }
        Some(stored) => {
            let newer = match open_entry(u, &entry.id, &stored) {
                Ok(mut current) => {
                    let newer = entry.updated_at > current.updated_at;
                    current.wipe();
                    newer
                }
                Err(_) => true,
            };
            if !newer {
                return Ok(Merge::Unchanged);
            }
            tx.prepare_cached(UPDATE_SQL)?
                .execute(params![entry.id, sealed])?;
            Ok(Merge::Updated)
        }
    }
}

/// Checks everything a stored entry must satisfy; used for new entries, edits and imports.
pub(crate) fn validate(entry: &Entry) -> Result<()> {
    if let Some(mood) = entry.mood {
        validate_mood(mood)?;
    }
    if entry.body.chars().count() > MAX_BODY_CHARS {
        return Err(Error::invalid_field(
            InputProblem::TooLong,
            "body",
            format!("text is longer than {MAX_BODY_CHARS} characters"),
        ));
    }
    if let Some(title) = &entry.title {
        if title.chars().count() > MAX_TITLE_CHARS {
            return Err(Error::invalid_field(
                InputProblem::TooLong,
                "title",
                format!("title is longer than {MAX_TITLE_CHARS} characters"),
            ));
        }
    }
    if entry.tags.len() > MAX_TAGS {
        return Err(Error::invalid_field(
            InputProblem::TooMany,
            "tags",
            format!("more than {MAX_TAGS} tags"),
        ));
    }
    if entry
        .tags
        .iter()
        .any(|t| t.trim().is_empty() || t.chars().count() > MAX_TAG_CHARS)
    {
        return Err(Error::invalid_field(
            InputProblem::TooLong,
            "tags",
            format!("a tag must have 1 to {MAX_TAG_CHARS} characters"),
        ));
    }
    if entry.title.is_none()
        && entry.body.trim().is_empty()
        && entry.mood.is_none()
        && entry.tags.is_empty()
    {
        return Err(Error::invalid_field(
            InputProblem::Missing,
            "body",
            "an entry needs text, a title, a mood or a tag",
        ));
    }
    if entry.strategy_ids.len() > MAX_TAGS
        || entry.strategy_ids.iter().any(|id| !is_strategy_id(id))
    {
        return Err(Error::invalid_field(
            InputProblem::Malformed,
            "strategy_ids",
            "linked strategies must be strategy ids",
        ));
    }
    if entry.updated_at < entry.created_at {
        return Err(Error::invalid(
            InputProblem::Malformed,
            "updated_at is before created_at",
        ));
    }
    Ok(())
}

fn is_strategy_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn validate_mood(mood: u8) -> Result<()> {
    if (1..=5).contains(&mood) {
        Ok(())
    } else {
        Err(Error::invalid_field(
            InputProblem::OutOfRange,
            "mood",
            "mood must be between 1 and 5",
        ))
    }
}

fn validate_id(id: &str) -> Result<()> {
    if id.len() == 32
        && id
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    {
        Ok(())
    } else {
        Err(Error::invalid(
            InputProblem::Malformed,
            "entry id must be 32 lowercase hex digits",
        ))
    }
}

/// Trims the title; an empty title is no title.
fn clean_title(title: Option<String>) -> Result<Option<String>> {
    Ok(title.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()))
}

/// Trims tags, drops empty ones and repeats (ignoring case and accents), keeps first spelling.
fn clean_tags(tags: Vec<String>) -> Result<Vec<String>> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for tag in tags {
        let tag = tag.split_whitespace().collect::<Vec<_>>().join(" ");
        if tag.is_empty() {
            continue;
        }
        if seen.insert(index::fold(&tag)) {
            out.push(tag);
        }
    }
    Ok(out)
}

fn new_entry_id() -> String {
    crate::session::random_id(16)
}

/// The sealed form leaves the id out: it is the row key and part of the associated data.
#[derive(Serialize, Deserialize)]
struct SealedEntry<'a> {
    created_at: DateTime<FixedOffset>,
    updated_at: DateTime<FixedOffset>,
    title: Option<std::borrow::Cow<'a, str>>,
    body: std::borrow::Cow<'a, str>,
    mood: Option<u8>,
    tags: std::borrow::Cow<'a, [String]>,
    #[serde(default, skip_serializing_if = "<[String]>::is_empty")]
    strategy_ids: std::borrow::Cow<'a, [String]>,
}

fn seal_entry(u: &Unlocked, entry: &Entry) -> Result<Vec<u8>> {
    let payload = SealedEntry {
        created_at: entry.created_at,
        updated_at: entry.updated_at,
        title: entry.title.as_deref().map(Into::into),
        body: entry.body.as_str().into(),
        mood: entry.mood,
        tags: entry.tags.as_slice().into(),
        strategy_ids: entry.strategy_ids.as_slice().into(),
    };
    // Room for the JSON around the text, so the buffer rarely has to grow.
    let text_len = entry.title.as_deref().map_or(0, str::len)
        + entry.body.len()
        + entry
            .tags
            .iter()
            .chain(&entry.strategy_ids)
            .map(|t| t.len() + 3)
            .sum::<usize>();
    u.cipher
        .seal_json(TABLE, &entry.id, &payload, text_len + 160)
        .map_err(|_| Error::invalid(InputProblem::Malformed, "entry could not be encoded"))
}

fn open_entry(u: &Unlocked, id: &str, sealed: &[u8]) -> Result<Entry> {
    let json = u
        .cipher
        .open(TABLE, id, sealed)
        .map_err(|_| Error::corrupted("journal entry"))?;
    let payload: SealedEntry<'_> =
        serde_json::from_slice(&json).map_err(|_| Error::corrupted("journal entry"))?;
    Ok(Entry {
        id: id.to_owned(),
        created_at: payload.created_at,
        updated_at: payload.updated_at,
        title: payload.title.map(|t| t.into_owned()),
        body: payload.body.into_owned(),
        mood: payload.mood,
        tags: payload.tags.into_owned(),
        strategy_ids: payload.strategy_ids.into_owned(),
    })
}

fn read_entry(u: &Unlocked, id: &str) -> Result<Entry> {
    let sealed: Vec<u8> = u
        .store
        .conn()
        .prepare_cached("SELECT sealed FROM journal_entries WHERE id = ?1")?
        .query_row([id], |row| row.get(0))
        .optional()?
        .ok_or(Error::NotFound)?;
    open_entry(u, id, &sealed)
}

/// Reads entries in the given order, skipping rows that fail to open (they are reported by
/// [`Journal::unreadable_ids`] instead of hiding every other entry).
fn read_entries<'a>(u: &Unlocked, ids: impl Iterator<Item = &'a str>) -> Result<Vec<Entry>> {
    let mut entries = Vec::new();
    for id in ids {
        match read_entry(u, id) {
            Ok(entry) => entries.push(entry),
            Err(Error::Corrupted { .. }) | Err(Error::NotFound) => {}
            Err(other) => return Err(other),
        }
    }
    Ok(entries)
}

/// Builds the in-memory index from every sealed row the first time it is needed.
fn ensure_index(u: &mut Unlocked) -> Result<&JournalIndex> {
    if u.slots.get_mut::<JournalIndex>().is_none() {
        let mut index = JournalIndex::new();
        let mut stmt = u
            .store
            .conn()
            .prepare("SELECT id, sealed FROM journal_entries")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let id: String = row.get(0)?;
            let sealed: Vec<u8> = row.get(1)?;
            match open_entry(u, &id, &sealed) {
                Ok(mut entry) => {
                    index.insert(&entry);
                    entry.wipe();
                }
                Err(_) => index.mark_unreadable(id),
            }
        }
        drop(rows);
        drop(stmt);
        u.slots.set(index);
    }
    let index = u
        .slots
        .get_mut::<JournalIndex>()
        .ok_or_else(|| Error::corrupted("journal index"))?;
    index.apply_pending();
    Ok(index)
}

fn encode_cursor(key: &TimeKey) -> String {
    format!("{}.{}", key.0, key.1)
}

/// The first `limit` of `found` (which holds one more when there is a next page) as a page.
fn page_of(u: &mut Unlocked, found: Vec<(String, TimeKey)>, limit: usize) -> Result<Page> {
    let has_more = found.len() > limit;
    let page: Vec<_> = found.into_iter().take(limit).collect();
    let next_cursor = match page.last() {
        Some((_, key)) if has_more => Some(encode_cursor(key)),
        _ => None,
    };
    let entries = read_entries(u, page.iter().map(|(id, _)| id.as_str()))?;
    Ok(Page {
        entries,
        next_cursor,
    })
}

fn decode_cursor(cursor: &str) -> Result<TimeKey> {
    let bad = || Error::invalid_field(InputProblem::Malformed, "cursor", "malformed cursor");
    let (micros, id) = cursor.split_once('.').ok_or_else(bad)?;
    let micros: i64 = micros.parse().map_err(|_| bad())?;
    validate_id(id).map_err(|_| bad())?;
    Ok((micros, id.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_trimmed_and_deduplicated_ignoring_case_and_accents() {
        let tags = clean_tags(vec![
            " Café ".into(),
            "cafe".into(),
            "".into(),
            "coming   out".into(),
        ])
        .unwrap();
        assert_eq!(tags, ["Café", "coming out"]);
    }

    #[test]
    fn cursor_roundtrips_and_rejects_garbage() {
        let key = (
            1_700_000_000_000_000,
            "0123456789abcdef0123456789abcdef".to_owned(),
        );
        assert_eq!(decode_cursor(&encode_cursor(&key)).unwrap(), key);
        assert!(decode_cursor("nonsense").is_err());
        assert!(decode_cursor("12.not-an-id").is_err());
    }
}
