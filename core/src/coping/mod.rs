//! Coping strategies: the built-in library, the person's own strategies and favourites, a log
//! of what they tried and how it went, and suggestions that learn from that log.
//!
//! Everything personal is sealed like the journal: custom strategies (`coping_custom`), tries
//! with their notes (`coping_tries`) and the favourites list (`documents/coping_favorites`).
//! Which strategies a person uses, and how distressed they were, is as private as their journal.
//! While unlocked, a small in-memory summary ([`CopingState`]) answers lists and suggestions
//! without decrypting the log again; it is wiped on lock.

pub mod library;
pub mod suggest;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

use crate::error::{Error, Result};
use crate::session::{Inner, Unlocked};
use crate::text::{fold_words, matches_all_prefixes};
pub use library::{Category, Context, Library, Strategy};
pub use suggest::{Suggestion, SuggestionKind};

pub const CUSTOM_TABLE: &str = "coping_custom";
pub const TRIES_TABLE: &str = "coping_tries";
pub const FAVORITES_DOCUMENT: &str = "coping_favorites";
pub const MAX_NOTE_CHARS: usize = 2_000;
pub const MAX_STEPS: usize = 20;
pub const MAX_STEP_CHARS: usize = 500;
pub const MAX_TITLE_CHARS: usize = 100;
pub const MAX_SUMMARY_CHARS: usize = 300;

/// A strategy the person wrote; stored sealed.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomStrategy {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub steps: Vec<String>,
    pub minutes: u32,
    pub category: Category,
    pub tags: Vec<String>,
    pub suits: Vec<Context>,
    pub created_at: DateTime<FixedOffset>,
    pub updated_at: DateTime<FixedOffset>,
}

impl std::fmt::Debug for CustomStrategy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CustomStrategy")
            .field("id", &self.id)
            .field("category", &self.category)
            .field("steps", &self.steps.len())
            .finish_non_exhaustive()
    }
}

/// What a person writes for a strategy of their own.
#[derive(Debug, Clone, Default)]
pub struct NewStrategy {
    pub title: String,
    pub summary: Option<String>,
    pub steps: Vec<String>,
    pub minutes: Option<u32>,
    pub category: Option<Category>,
    pub tags: Vec<String>,
    pub suits: Vec<Context>,
}

/// Fields to change in a custom strategy; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct StrategyChanges {
    pub title: Option<String>,
    pub summary: Option<String>,
    pub steps: Option<Vec<String>>,
    pub minutes: Option<u32>,
    pub category: Option<Category>,
    pub suits: Option<Vec<Context>>,
}

/// One logged try of a strategy: distress 0..=10 before and after.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Try {
    pub id: String,
    pub strategy_id: String,
    pub distress_before: u8,
    pub distress_after: u8,
    pub note: Option<String>,
    pub at: DateTime<FixedOffset>,
}

impl std::fmt::Debug for Try {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Try")
            .field("id", &self.id)
            .field("strategy_id", &self.strategy_id)
            .field("note", &self.note.as_ref().map(|_| "…"))
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Default)]
pub struct NewTry {
    pub strategy_id: String,
    pub distress_before: u8,
    pub distress_after: u8,
    pub note: Option<String>,
}

/// How a strategy has worked for this person.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StrategyStats {
    pub id: String,
    pub title: String,
    pub category: Category,
    pub times_tried: u32,
    /// Mean of (after − before): negative means distress went down.
    pub mean_change: f64,
}

/// The coping part of an unlocked profile.
#[derive(Clone)]
pub struct Coping {
    inner: Arc<Inner>,
}

impl Coping {
    pub(crate) fn new(inner: Arc<Inner>) -> Self {
        Coping { inner }
    }

    /// Built-in and custom strategies, optionally of one category, built-in first.
    pub fn list(&self, category: Option<Category>) -> Result<Vec<Strategy>> {
        self.with_state(|_, state| {
            Ok(state
                .all_strategies()?
                .into_iter()
                .filter(|s| category.is_none_or(|c| s.category == c))
                .collect())
        })
    }

    pub fn get(&self, id: &str) -> Result<Strategy> {
        self.with_state(|_, state| state.strategy(id))
    }

    /// Strategies whose title, summary, steps or tags contain every word of `query` as a word
    /// prefix, ignoring case and accents.
    pub fn search(&self, query: &str) -> Result<Vec<Strategy>> {
        let query_words = fold_words(query);
        if query_words.is_empty() {
            return Ok(Vec::new());
        }
        self.with_state(|_, state| {
            Ok(state
                .all_strategies()?
                .into_iter()
                .filter(|s| matches_all_prefixes(&query_words, &searchable_words(s)))
                .collect())
        })
    }

    pub fn favorite(&self, id: &str) -> Result<()> {
        self.set_favorite(id, true)
    }

    pub fn unfavorite(&self, id: &str) -> Result<()> {
        self.set_favorite(id, false)
    }

    /// Adds a strategy of the person's own; sealed like the journal.
    pub fn add_custom(&self, new: NewStrategy, now: DateTime<FixedOffset>) -> Result<Strategy> {
        let custom = CustomStrategy {
            id: format!("custom-{}", crate::session::random_id(6)),
            title: new.title.trim().to_owned(),
            summary: new.summary.map(|s| s.trim().to_owned()).unwrap_or_default(),
            steps: clean_steps(new.steps),
            minutes: new.minutes.unwrap_or(5),
            category: new.category.unwrap_or(Category::Personal),
            tags: clean_keywords(new.tags),
            suits: dedup(new.suits),
            created_at: now,
            updated_at: now,
        };
        validate_custom(&custom)?;
        self.with_state(|u, state| {
            u.put_sealed(CUSTOM_TABLE, &custom.id, &custom)?;
            let shown = custom_to_strategy(&custom, false);
            state.custom.insert(custom.id.clone(), custom);
            Ok(shown)
        })
    }

    pub fn edit_custom(
        &self,
        id: &str,
        changes: StrategyChanges,
        now: DateTime<FixedOffset>,
    ) -> Result<Strategy> {
        self.with_state(|u, state| {
            let mut custom = state
                .custom
                .get(id)
                .cloned()
                .ok_or_else(|| not_custom(id))?;
            if let Some(title) = changes.title {
                custom.title = title.trim().to_owned();
            }
            if let Some(summary) = changes.summary {
                custom.summary = summary.trim().to_owned();
            }
            if let Some(steps) = changes.steps {
                custom.steps = clean_steps(steps);
            }
            if let Some(minutes) = changes.minutes {
                custom.minutes = minutes;
            }
            if let Some(category) = changes.category {
                custom.category = category;
            }
            if let Some(suits) = changes.suits {
                custom.suits = dedup(suits);
            }
            custom.updated_at = now;
            validate_custom(&custom)?;
            u.put_sealed(CUSTOM_TABLE, &custom.id, &custom)?;
            let shown = custom_to_strategy(&custom, state.favorites.contains(id));
            if let Some(mut old) = state.custom.insert(custom.id.clone(), custom) {
                old.wipe();
            }
            Ok(shown)
        })
    }

    /// Deletes a custom strategy with its logged tries and favourite mark, in one transaction.
    pub fn delete_custom(&self, id: &str) -> Result<()> {
        self.with_state(|u, state| {
            if !state.custom.contains_key(id) {
                return Err(not_custom(id));
            }
            let try_ids: Vec<String> = state
                .tries
                .get(id)
                .map(|t| t.ids.clone())
                .unwrap_or_default();
            let mut favorites = state.favorites.clone();
            favorites.remove(id);
            let tx = u.store.conn().unchecked_transaction()?;
            u.delete_sealed(CUSTOM_TABLE, id)?;
            for try_id in &try_ids {
                u.delete_sealed(TRIES_TABLE, try_id)?;
            }
            u.put_sealed(
                crate::store::DOCUMENTS_TABLE,
                FAVORITES_DOCUMENT,
                &favorites,
            )?;
            tx.commit()?;
            if let Some(mut old) = state.custom.remove(id) {
                old.wipe();
            }
            state.tries.remove(id);
            state.favorites = favorites;
            Ok(())
        })
    }

    /// Logs a try: how distressed the person was before and after (0..=10).
    pub fn log_try(&self, new: NewTry, at: DateTime<FixedOffset>) -> Result<Try> {
        check_distress(new.distress_before)?;
        check_distress(new.distress_after)?;
        let note = new
            .note
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty());
        if note
            .as_ref()
            .is_some_and(|n| n.chars().count() > MAX_NOTE_CHARS)
        {
            return Err(Error::invalid_field(
                "note",
                format!("a note can have at most {MAX_NOTE_CHARS} characters"),
            ));
        }
        self.with_state(|u, state| {
            state.strategy(&new.strategy_id)?;
            let logged = Try {
                id: crate::session::random_id(16),
                strategy_id: new.strategy_id,
                distress_before: new.distress_before,
                distress_after: new.distress_after,
                note,
                at,
            };
            u.put_sealed(TRIES_TABLE, &logged.id, &logged)?;
            state.record(&logged);
            Ok(logged)
        })
    }

    /// Logged tries, newest first, optionally of one strategy.
    pub fn tries(&self, strategy_id: Option<&str>) -> Result<Vec<Try>> {
        self.inner.with_unlocked(|u| {
            let mut tries: Vec<Try> = u
                .all_sealed::<Try>(TRIES_TABLE)?
                .into_iter()
                .filter_map(|(_, t)| t.ok())
                .filter(|t| strategy_id.is_none_or(|id| t.strategy_id == id))
                .collect();
            tries.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| b.id.cmp(&a.id)));
            Ok(tries)
        })
    }

    /// Per strategy tried at least once: how often, and the mean change in distress.
    pub fn stats(&self) -> Result<Vec<StrategyStats>> {
        self.with_state(|_, state| {
            let mut stats = Vec::new();
            for (id, tally) in &state.tries {
                let Ok(strategy) = state.strategy(id) else {
                    continue;
                };
                stats.push(StrategyStats {
                    id: id.clone(),
                    title: strategy.title,
                    category: strategy.category,
                    times_tried: tally.count,
                    mean_change: -tally.mean_improvement(),
                });
            }
            stats.sort_by(|a, b| {
                a.mean_change
                    .total_cmp(&b.mean_change)
                    .then_with(|| b.times_tried.cmp(&a.times_tried))
            });
            Ok(stats)
        })
    }

    /// Ranks strategies for this moment. See [`suggest`] for how.
    pub fn suggest(
        &self,
        distress: u8,
        contexts: &[Context],
        limit: usize,
    ) -> Result<Vec<Suggestion>> {
        check_distress(distress)?;
        let plan = crate::safety_plan::SafetyPlanner::new(self.inner.clone());
        // Read without `?`: a damaged plan must not hide crisis help.
        let plan_summary = (distress >= suggest::CRISIS_DISTRESS).then(|| plan.get());
        self.with_state(|_, state| {
            suggest::rank(state, distress, contexts, limit, plan_summary.as_ref())
        })
    }

    fn set_favorite(&self, id: &str, on: bool) -> Result<()> {
        self.with_state(|u, state| {
            state.strategy(id)?;
            let mut favorites = state.favorites.clone();
            if on {
                favorites.insert(id.to_owned());
            } else {
                favorites.remove(id);
            }
            u.put_sealed(
                crate::store::DOCUMENTS_TABLE,
                FAVORITES_DOCUMENT,
                &favorites,
            )?;
            state.favorites = favorites;
            Ok(())
        })
    }

    fn with_state<R>(&self, f: impl FnOnce(&Unlocked, &mut CopingState) -> Result<R>) -> Result<R> {
        self.inner.with_unlocked(|u| {
            // Taken out of its slot while `f` runs, which needs the session too.
            let mut state = match u
                .slots
                .get_mut::<Option<CopingState>>()
                .and_then(Option::take)
            {
                Some(state) => state,
                None => CopingState::load(u)?,
            };
            let result = f(u, &mut state);
            u.slots.set(Some(state));
            result
        })
    }
}

/// A person's coping data as it travels in a backup.
#[derive(Default, Serialize, Deserialize)]
pub(crate) struct CopingBackup {
    #[serde(default)]
    pub custom: Vec<CustomStrategy>,
    #[serde(default)]
    pub tries: Vec<Try>,
    #[serde(default)]
    pub favorites: Vec<String>,
}

impl CopingBackup {
    pub(crate) fn is_empty(&self) -> bool {
        self.custom.is_empty() && self.tries.is_empty() && self.favorites.is_empty()
    }
}

impl Drop for CopingBackup {
    fn drop(&mut self) {
        for custom in &mut self.custom {
            custom.wipe();
        }
        for logged in &mut self.tries {
            logged.note.zeroize();
        }
    }
}

/// Everything personal in the coping part, readable rows only.
pub(crate) fn backup_data(u: &Unlocked) -> Result<CopingBackup> {
    let state = CopingState::load(u)?;
    let mut tries: Vec<Try> = u
        .all_sealed::<Try>(TRIES_TABLE)?
        .into_iter()
        .filter_map(|(_, t)| t.ok())
        .collect();
    tries.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.id.cmp(&b.id)));
    Ok(CopingBackup {
        custom: state.custom.values().cloned().collect(),
        tries,
        favorites: state.favorites.iter().cloned().collect(),
    })
}

/// Merges backed-up coping data inside the caller's transaction: custom strategies by id (the
/// newer edit wins), tries by id (added once; those of unknown strategies skipped), favourites
/// as a union.
pub(crate) fn merge_backup(u: &Unlocked, mut data: CopingBackup) -> Result<MergeCounts> {
    let mut state = CopingState::load(u)?;
    let mut strategies = 0;
    for custom in std::mem::take(&mut data.custom) {
        validate_custom(&custom)?;
        let newer = state
            .custom
            .get(&custom.id)
            .is_none_or(|current| custom.updated_at > current.updated_at);
        if newer {
            u.put_sealed(CUSTOM_TABLE, &custom.id, &custom)?;
            state.custom.insert(custom.id.clone(), custom);
            strategies += 1;
        }
    }
    let mut known: std::collections::HashSet<String> = state
        .tries
        .values()
        .flat_map(|t| t.ids.iter().cloned())
        .collect();
    let mut tries = 0;
    let mut skipped = 0;
    for logged in std::mem::take(&mut data.tries) {
        check_distress(logged.distress_before)?;
        check_distress(logged.distress_after)?;
        if !is_row_id(&logged.id) {
            return Err(Error::invalid("a logged try has a malformed id"));
        }
        if state.strategy(&logged.strategy_id).is_err() {
            // Its strategy was damaged at export or comes from a newer library: the try
            // cannot be shown or counted here, so it is skipped and reported.
            skipped += 1;
            continue;
        }
        if known.insert(logged.id.clone()) {
            u.put_sealed(TRIES_TABLE, &logged.id, &logged)?;
            tries += 1;
        }
    }
    let mut favorites = state.favorites.clone();
    for id in std::mem::take(&mut data.favorites) {
        if state.strategy(&id).is_ok() {
            favorites.insert(id);
        }
    }
    if favorites != state.favorites {
        u.put_sealed(
            crate::store::DOCUMENTS_TABLE,
            FAVORITES_DOCUMENT,
            &favorites,
        )?;
    }
    Ok(MergeCounts {
        strategies,
        tries,
        skipped_tries: skipped,
    })
}

/// What merging a backup's coping data did.
pub(crate) struct MergeCounts {
    pub strategies: usize,
    pub tries: usize,
    pub skipped_tries: usize,
}

fn is_row_id(id: &str) -> bool {
    id.len() == 32
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The decrypted coping data of an unlocked profile, kept while unlocked and wiped on lock.
pub(crate) struct CopingState {
    pub(crate) library: &'static Library,
    pub(crate) custom: BTreeMap<String, CustomStrategy>,
    pub(crate) favorites: BTreeSet<String>,
    pub(crate) tries: HashMap<String, Tally>,
    /// Rows that failed to open (damaged): counted, never shown.
    pub(crate) unreadable: usize,
}

/// Running totals of one strategy's logged tries.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tally {
    pub(crate) count: u32,
    /// Sum of (before − after): positive when distress went down.
    pub(crate) improvement_sum: i64,
    pub(crate) ids: Vec<String>,
}

impl Tally {
    pub(crate) fn mean_improvement(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.improvement_sum as f64 / f64::from(self.count)
        }
    }
}

impl CopingState {
    fn load(u: &Unlocked) -> Result<Self> {
        let library = Library::builtin().map_err(|e| Error::corrupted(e.to_string()))?;
        let mut state = CopingState {
            library,
            custom: BTreeMap::new(),
            favorites: BTreeSet::new(),
            tries: HashMap::new(),
            unreadable: 0,
        };
        // A damaged favourites list is treated as empty (and counted) rather than blocking
        // every coping call; marking a favourite again rewrites it.
        match u.get_sealed(crate::store::DOCUMENTS_TABLE, FAVORITES_DOCUMENT) {
            Ok(favorites) => state.favorites = favorites.unwrap_or_default(),
            Err(Error::Corrupted { .. }) => state.unreadable += 1,
            Err(other) => return Err(other),
        }
        for (id, custom) in u.all_sealed::<CustomStrategy>(CUSTOM_TABLE)? {
            match custom {
                Ok(custom) if custom.id == id => {
                    state.custom.insert(id, custom);
                }
                _ => state.unreadable += 1,
            }
        }
        for (_, logged) in u.all_sealed::<Try>(TRIES_TABLE)? {
            match logged {
                Ok(mut logged) => {
                    state.record(&logged);
                    logged.note.zeroize();
                }
                Err(_) => state.unreadable += 1,
            }
        }
        Ok(state)
    }

    pub(crate) fn record(&mut self, logged: &Try) {
        let tally = self.tries.entry(logged.strategy_id.clone()).or_default();
        tally.count += 1;
        tally.improvement_sum +=
            i64::from(logged.distress_before) - i64::from(logged.distress_after);
        tally.ids.push(logged.id.clone());
    }

    pub(crate) fn strategy(&self, id: &str) -> Result<Strategy> {
        let favorite = self.favorites.contains(id);
        if let Some(custom) = self.custom.get(id) {
            return Ok(custom_to_strategy(custom, favorite));
        }
        let mut strategy = self.library.get(id).cloned().ok_or(Error::NotFound)?;
        strategy.favorite = favorite;
        Ok(strategy)
    }

    pub(crate) fn all_strategies(&self) -> Result<Vec<Strategy>> {
        let mut all: Vec<Strategy> = self
            .library
            .strategies
            .iter()
            .map(|s| Strategy {
                favorite: self.favorites.contains(&s.id),
                ..s.clone()
            })
            .collect();
        all.extend(
            self.custom
                .values()
                .map(|c| custom_to_strategy(c, self.favorites.contains(&c.id))),
        );
        Ok(all)
    }
}

impl Drop for CopingState {
    fn drop(&mut self) {
        for custom in self.custom.values_mut() {
            custom.wipe();
        }
    }
}

impl CustomStrategy {
    fn wipe(&mut self) {
        self.title.zeroize();
        self.summary.zeroize();
        self.steps.zeroize();
        self.tags.zeroize();
    }
}

fn custom_to_strategy(custom: &CustomStrategy, favorite: bool) -> Strategy {
    Strategy {
        id: custom.id.clone(),
        title: custom.title.clone(),
        summary: custom.summary.clone(),
        steps: custom.steps.clone(),
        minutes: custom.minutes,
        category: custom.category,
        tags: custom.tags.clone(),
        suits: custom.suits.clone(),
        content_version: 0,
        custom: true,
        favorite,
    }
}

fn searchable_words(strategy: &Strategy) -> Vec<String> {
    let mut words = fold_words(&strategy.title);
    words.extend(fold_words(&strategy.summary));
    for text in strategy.steps.iter().chain(&strategy.tags) {
        words.extend(fold_words(text));
    }
    words.extend(fold_words(strategy.category.as_str()));
    words
}

pub(crate) fn validate_custom(custom: &CustomStrategy) -> Result<()> {
    let chars = |s: &str| s.chars().count();
    if custom.title.is_empty() {
        return Err(Error::invalid_field("title", "a strategy needs a title"));
    }
    if chars(&custom.title) > MAX_TITLE_CHARS {
        return Err(Error::invalid_field(
            "title",
            format!("a title can have at most {MAX_TITLE_CHARS} characters"),
        ));
    }
    if chars(&custom.summary) > MAX_SUMMARY_CHARS {
        return Err(Error::invalid_field(
            "summary",
            format!("a summary can have at most {MAX_SUMMARY_CHARS} characters"),
        ));
    }
    if custom.steps.is_empty() {
        return Err(Error::invalid_field(
            "steps",
            "a strategy needs at least one step",
        ));
    }
    if custom.steps.len() > MAX_STEPS || custom.steps.iter().any(|s| chars(s) > MAX_STEP_CHARS) {
        return Err(Error::invalid_field(
            "steps",
            format!("at most {MAX_STEPS} steps of at most {MAX_STEP_CHARS} characters"),
        ));
    }
    if !(1..=240).contains(&custom.minutes) {
        return Err(Error::invalid_field(
            "minutes",
            "minutes must be between 1 and 240",
        ));
    }
    if custom.tags.len() > 16 {
        return Err(Error::invalid_field("tags", "at most 16 tags"));
    }
    if !custom.id.starts_with("custom-") {
        return Err(Error::invalid("custom strategy ids start with custom-"));
    }
    Ok(())
}

fn check_distress(value: u8) -> Result<()> {
    if value <= 10 {
        Ok(())
    } else {
        Err(Error::invalid_field(
            "distress",
            "distress must be between 0 and 10",
        ))
    }
}

fn not_custom(id: &str) -> Error {
    if id.starts_with("custom-") {
        Error::NotFound
    } else {
        Error::invalid("only your own strategies can be edited or deleted")
    }
}

fn clean_steps(steps: Vec<String>) -> Vec<String> {
    steps
        .into_iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

fn clean_keywords(tags: Vec<String>) -> Vec<String> {
    dedup(
        tags.into_iter()
            .map(|t| t.trim().to_lowercase())
            .filter(|t| !t.is_empty())
            .collect(),
    )
}

fn dedup<T: PartialEq>(items: Vec<T>) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(items.len());
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}
