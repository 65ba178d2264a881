//! Coping data in a backup: what is written out, and how a backup's data is merged in.

use crate::error::InputProblem;
use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

use super::model::*;
use super::state::*;
use crate::error::{Error, Result};
use crate::session::Unlocked;

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
            return Err(Error::invalid(
                InputProblem::Malformed,
                "a logged try has a malformed id",
            ));
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
    let favorites_changed = favorites != state.favorites;
    if favorites_changed {
        u.put_sealed(
            crate::store::DOCUMENTS_TABLE,
            FAVORITES_DOCUMENT,
            &favorites,
        )?;
    }
    if favorites_changed || strategies + tries > 0 {
        u.changed(crate::events::DataTopic::Coping);
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

pub(super) fn is_row_id(id: &str) -> bool {
    id.len() == 32
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}
