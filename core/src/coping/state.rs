//! The decrypted coping summary kept while a profile is unlocked (wiped on lock): it answers
//! lists, searches and suggestions without opening the log again.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use zeroize::Zeroize;

use super::library::{Library, Strategy};
use super::model::*;
use crate::error::{Error, Result};
use crate::session::Unlocked;
use crate::text::fold_words;

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
    pub(super) fn load(u: &Unlocked) -> Result<Self> {
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

pub(super) fn searchable_words(strategy: &Strategy) -> Vec<String> {
    let mut words = fold_words(&strategy.title);
    words.extend(fold_words(&strategy.summary));
    for text in strategy.steps.iter().chain(&strategy.tags) {
        words.extend(fold_words(text));
    }
    words.extend(fold_words(strategy.category.as_str()));
    words
}
