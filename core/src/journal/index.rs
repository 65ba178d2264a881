//! The in-memory journal index: ordering, filters and full-text search over decrypted data.
//!
//! Nothing derived from journal text may be stored unsealed, so listing, filtering and search
//! work on this index, built from the sealed rows the first time the journal is queried after
//! unlock and kept up to date by every write. It lives inside the unlocked session and is wiped
//! (strings zeroized) when the vault locks.
//!
//! Search folds case and accents (Unicode NFD, combining marks removed, lowercased) and matches
//! every query word as a prefix of some word in the title, body or tags.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{BuildHasher, Hasher};
use std::ops::Bound;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use zeroize::Zeroize;

use super::Entry;
use crate::text::for_each_folded_word;
pub use crate::text::{fold, fold_words};

/// Sort key: creation time in UTC microseconds, then id for a total order.
pub(crate) type TimeKey = (i64, String);

pub(crate) struct JournalIndex {
    docs: Vec<Option<DocMeta>>,
    by_id: HashMap<String, usize>,
    by_time: BTreeMap<TimeKey, usize>,
    /// Word -> slots of the entries containing it. Hashed, because building the index touches
    /// every word of every entry; prefix search goes through `vocabulary`.
    terms: HashMap<String, Vec<usize>, WordHasher>,
    /// The distinct words, sorted, for prefix ranges. Grows only when a new word appears.
    vocabulary: BTreeSet<String>,
    /// Rows that failed to open while the index was built (damaged or tampered).
    unreadable: Vec<String>,
    /// Entries written since the last query. Indexing (word splitting, folding) is deferred to
    /// the next query so that writing an entry costs little more than sealing and storing it.
    pending: Vec<Entry>,
}

/// What the index keeps of an entry: enough to order, filter and compute stats without
/// decrypting the row again. The body is kept only as search terms.
pub(crate) struct DocMeta {
    pub id: String,
    pub created_at: DateTime<FixedOffset>,
    pub mood: Option<u8>,
    pub tags: Vec<String>,
    pub folded_tags: Vec<String>,
}

/// Which entries a listing wants.
#[derive(Debug, Clone, Default)]
pub struct EntryFilter {
    /// Only entries carrying this tag (compared without case or accents).
    pub tag: Option<String>,
    /// Only entries with this mood (1 to 5).
    pub mood: Option<u8>,
    /// Entries created at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Entries created before this instant.
    pub until: Option<DateTime<Utc>>,
}

impl JournalIndex {
    pub fn new() -> Self {
        JournalIndex {
            docs: Vec::new(),
            by_id: HashMap::new(),
            by_time: BTreeMap::new(),
            terms: HashMap::with_hasher(WordHasher::random()),
            vocabulary: BTreeSet::new(),
            unreadable: Vec::new(),
            pending: Vec::new(),
        }
    }

    /// Queues a new or edited entry; it is indexed by [`JournalIndex::apply_pending`].
    pub fn insert_later(&mut self, entry: Entry) {
        self.pending.push(entry);
    }

    /// Indexes every queued entry, in the order they were written.
    pub fn apply_pending(&mut self) {
        for mut entry in std::mem::take(&mut self.pending) {
            self.insert(&entry);
            entry.wipe();
        }
    }

    pub fn insert(&mut self, entry: &Entry) {
        self.remove(&entry.id);
        let slot = self.docs.len();
        for text in entry
            .title
            .iter()
            .chain(std::iter::once(&entry.body))
            .chain(&entry.tags)
        {
            for_each_folded_word(text, |word| self.add_term(word, slot));
        }
        self.by_id.insert(entry.id.clone(), slot);
        self.by_time
            .insert(time_key(&entry.created_at, &entry.id), slot);
        self.docs.push(Some(DocMeta {
            id: entry.id.clone(),
            created_at: entry.created_at,
            mood: entry.mood,
            folded_tags: entry.tags.iter().map(|t| fold(t)).collect(),
            tags: entry.tags.clone(),
        }));
    }

    /// Records that the entry in `slot` contains `word`. Slots only grow, so a repeat of the
    /// word in the same entry is the last slot of its list. A word is copied only the first
    /// time it appears in the journal.
    fn add_term(&mut self, word: &str, slot: usize) {
        match self.terms.get_mut(word) {
            Some(slots) => {
                if slots.last() != Some(&slot) {
                    slots.push(slot);
                }
            }
            None => {
                self.vocabulary.insert(word.to_owned());
                self.terms.insert(word.to_owned(), vec![slot]);
            }
        }
    }

    /// Forgets an entry. Its search terms keep pointing at the empty slot until the next
    /// rebuild; lookups skip empty slots.
    pub fn remove(&mut self, id: &str) {
        self.apply_pending();
        if let Some(slot) = self.by_id.remove(id) {
            if let Some(mut doc) = self.docs[slot].take() {
                self.by_time.remove(&time_key(&doc.created_at, &doc.id));
                doc.tags.zeroize();
                doc.folded_tags.zeroize();
            }
        }
        self.unreadable.retain(|bad| bad != id);
    }

    pub fn mark_unreadable(&mut self, id: String) {
        self.unreadable.push(id);
    }

    pub fn unreadable(&self) -> &[String] {
        &self.unreadable
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Ids of matching entries, newest first, strictly older than `before` when given.
    pub fn list(
        &self,
        filter: &EntryFilter,
        before: Option<&TimeKey>,
        limit: usize,
    ) -> Vec<&DocMeta> {
        let folded_tag = filter.tag.as_deref().map(fold);
        let lower = match filter.from {
            Some(from) => Bound::Included((from.timestamp_micros(), String::new())),
            None => Bound::Unbounded,
        };
        let upper = match (before, filter.until) {
            (Some(key), Some(until)) if until.timestamp_micros() <= key.0 => {
                Bound::Excluded((until.timestamp_micros(), String::new()))
            }
            (Some(key), _) => Bound::Excluded(key.clone()),
            (None, Some(until)) => Bound::Excluded((until.timestamp_micros(), String::new())),
            (None, None) => Bound::Unbounded,
        };
        if !range_is_valid(&lower, &upper) {
            return Vec::new();
        }
        self.by_time
            .range((lower, upper))
            .rev()
            .filter_map(|(_, &slot)| self.docs[slot].as_ref())
            .filter(|doc| filter.mood.is_none_or(|mood| doc.mood == Some(mood)))
            .filter(|doc| {
                folded_tag
                    .as_ref()
                    .is_none_or(|tag| doc.folded_tags.iter().any(|t| t == tag))
            })
            .take(limit)
            .collect()
    }

    /// Entries containing every word of `query` as a word prefix, newest first.
    pub fn search(&self, query: &str, before: Option<&TimeKey>, limit: usize) -> Vec<&DocMeta> {
        let words = fold_words(query);
        if words.is_empty() {
            return Vec::new();
        }
        let mut matching: Option<Vec<usize>> = None;
        for word in &words {
            let mut slots: Vec<usize> = self
                .vocabulary
                .range::<str, _>((Bound::Included(word.as_str()), Bound::Unbounded))
                .take_while(|term| term.starts_with(word.as_str()))
                .filter_map(|term| self.terms.get(term))
                .flat_map(|slots| slots.iter().copied())
                .collect();
            slots.sort_unstable();
            slots.dedup();
            matching = Some(match matching {
                None => slots,
                Some(previous) => intersect_sorted(&previous, &slots),
            });
        }
        let mut docs: Vec<&DocMeta> = matching
            .unwrap_or_default()
            .into_iter()
            .filter_map(|slot| self.docs[slot].as_ref())
            .filter(|doc| before.is_none_or(|key| time_key(&doc.created_at, &doc.id) < *key))
            .collect();
        docs.sort_by(|a, b| {
            b.created_at
                .cmp(&a.created_at)
                .then_with(|| b.id.cmp(&a.id))
        });
        docs.truncate(limit);
        docs
    }

    /// Every live entry, in no particular order (stats work on all of them).
    pub fn docs(&self) -> impl Iterator<Item = &DocMeta> {
        self.docs.iter().flatten()
    }

    /// Local calendar days (in the writer's own UTC offset) that have at least one entry.
    pub fn days_with_entries(&self) -> BTreeSet<NaiveDate> {
        self.docs().map(|doc| doc.created_at.date_naive()).collect()
    }
}

impl Drop for JournalIndex {
    fn drop(&mut self) {
        for (mut term, _) in self.terms.drain() {
            term.zeroize();
        }
        for mut term in std::mem::take(&mut self.vocabulary) {
            term.zeroize();
        }
        for doc in self.docs.iter_mut().flatten() {
            doc.tags.zeroize();
            doc.folded_tags.zeroize();
        }
        for entry in &mut self.pending {
            entry.wipe();
        }
    }
}

/// Hashes the index's words: multiply and rotate over 8 bytes at a time, finished with the
/// SplitMix64 mixer, from a random seed per index. The standard SipHash was a quarter of the
/// time spent indexing a journal; the words are the person's own, and the seed still keeps a
/// crafted import from choosing colliding words in advance.
#[derive(Clone)]
struct WordHasher {
    seed: u64,
}

impl WordHasher {
    fn random() -> Self {
        WordHasher {
            seed: rand::random(),
        }
    }
}

impl BuildHasher for WordHasher {
    type Hasher = WordHash;

    fn build_hasher(&self) -> WordHash {
        WordHash(self.seed)
    }
}

struct WordHash(u64);

impl WordHash {
    fn add(&mut self, chunk: u64) {
        self.0 = (self.0.rotate_left(5) ^ chunk).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for WordHash {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }

    fn finish(&self) -> u64 {
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

pub(crate) fn time_key(created_at: &DateTime<FixedOffset>, id: &str) -> TimeKey {
    (created_at.timestamp_micros(), id.to_owned())
}

fn intersect_sorted(a: &[usize], b: &[usize]) -> Vec<usize> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

/// `BTreeMap::range` panics on an inverted range; an empty window simply has no entries.
fn range_is_valid(lower: &Bound<TimeKey>, upper: &Bound<TimeKey>) -> bool {
    match (lower, upper) {
        (Bound::Included(lo), Bound::Excluded(hi)) => lo < hi,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intersection_of_sorted_lists() {
        assert_eq!(intersect_sorted(&[1, 3, 5, 7], &[2, 3, 7, 9]), [3, 7]);
        assert!(intersect_sorted(&[1], &[]).is_empty());
    }
}
