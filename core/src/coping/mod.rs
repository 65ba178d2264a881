//! Coping strategies: the built-in library, the person's own strategies and favourites, a log
//! of what they tried and how it went, and suggestions that learn from that log.
//!
//! Everything personal is sealed like the journal: custom strategies (`coping_custom`), tries
//! with their notes (`coping_tries`) and the favourites list (`documents/coping_favorites`).
//! Which strategies a person uses, and how distressed they were, is as private as their journal.
//! While unlocked, a small in-memory summary ([`state`]) answers lists and suggestions
//! without decrypting the log again; it is wiped on lock.
//!
//! Layout: [`model`] (the records and their rules), [`state`] (the unlocked summary),
//! [`handle`] ([`Coping`], what the profile hands out), [`backup`], [`library`] (the built-in
//! strategies), [`suggest`] (ranking).

pub(crate) mod backup;
mod handle;
pub mod library;
pub mod model;
pub(crate) mod state;
pub mod suggest;

pub(crate) use backup::{backup_data, merge_backup, CopingBackup};
pub use handle::Coping;
pub use library::{Category, Context, Library, Strategy};
pub use model::*;
pub(crate) use state::CopingState;
pub use suggest::{Suggestion, SuggestionKind};
