//! [`Coping`]: the handle a profile gives out for the coping library, custom strategies,
//! favourites, tries and suggestions.

use crate::error::InputProblem;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};

use super::library::{Category, Context, Strategy};
use super::model::*;
use super::state::*;
use super::suggest::{self, Suggestion};
use crate::error::{Error, Result};
use crate::events::DataTopic;
use crate::session::{Inner, Unlocked};
use crate::text::{fold_words, matches_all_prefixes};

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

    /// The strategy with this id, built-in or the person's own; [`Error::NotFound`] if there is
    /// none.
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

    /// Marks a strategy (built-in or the person's own) as a favourite; [`Error::NotFound`] if there
    /// is no such strategy.
    pub fn favorite(&self, id: &str) -> Result<()> {
        self.set_favorite(id, true)
    }

    /// Removes a strategy's favourite mark; [`Error::NotFound`] if there is no such strategy.
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
            u.changed(DataTopic::Coping);
            let shown = custom_to_strategy(&custom, false);
            state.custom.insert(custom.id.clone(), custom);
            Ok(shown)
        })
    }

    /// Changes a strategy of the person's own; built-in strategies cannot be edited
    /// ([`Error::InvalidInput`]), and an unknown `custom-` id is [`Error::NotFound`].
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
            u.changed(DataTopic::Coping);
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
            u.changed(DataTopic::Coping);
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
                InputProblem::TooLong,
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
            u.changed(DataTopic::Coping);
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
        self.suggest_in(distress, contexts, limit, None)
    }

    /// As [`Coping::suggest`], with the crisis item's actions (the emergency number and the
    /// crisis lines open now) for `country`, an ISO 3166-1 alpha-2 code. The directory is the
    /// one in use for this profile's folder (an installed bundle, or the built-in one); if
    /// neither loads, the crisis item still comes, without actions: a person in crisis is never
    /// shown an error instead of help.
    pub fn suggest_in(
        &self,
        distress: u8,
        contexts: &[Context],
        limit: usize,
        country: Option<&str>,
    ) -> Result<Vec<Suggestion>> {
        check_distress(distress)?;
        let crisis_help = match country {
            Some(country) if distress >= suggest::CRISIS_DISTRESS => {
                let code = crate::directory::parse_country(country)?;
                crisis_help_for(&self.inner.paths.dir, code.as_str())
            }
            _ => None,
        };
        let plan = crate::safety_plan::SafetyPlanner::new(self.inner.clone());
        // Read without `?`: a damaged plan must not hide crisis help.
        let plan_summary = (distress >= suggest::CRISIS_DISTRESS).then(|| plan.get());
        self.with_state(|_, state| {
            suggest::rank(
                state,
                distress,
                contexts,
                limit,
                plan_summary.as_ref(),
                crisis_help.as_ref(),
            )
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
            u.changed(DataTopic::Coping);
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

/// The crisis contacts for the crisis suggestion: from the directory in use, else the built-in
/// one, else none.
fn crisis_help_for(
    dir: &std::path::Path,
    country: &str,
) -> Option<crate::directory::CrisisContacts> {
    let directory = crate::directory::Directory::load(dir)
        .or_else(|_| crate::directory::Directory::builtin())
        .ok()?;
    Some(directory.crisis_contacts(country, chrono::Utc::now()))
}
