//! kinship-core: the shared core of Kinship, an offline-first app for LGBTQ+ people and other
//! sexual minorities.
//!
//! Start at [`Kinship`]: `Kinship::create(dir, passphrase)` makes a profile, `Kinship::open(dir)`
//! opens one locked, and the profile hands out its parts ([`Kinship::journal`]). Everything a
//! person writes is sealed with XChaCha20-Poly1305 under a data key that only their passphrase
//! (or their phone's device key) unwraps; see `docs/SECURITY.md` and `docs/FORMAT.md`.

#![warn(missing_docs)]

pub mod backup;
pub mod clock;
pub mod coping;
pub mod directory;
pub mod error;
pub mod events;
pub mod fs;
pub mod groups;
pub use groups::{background, ics, sync};
pub mod journal;
pub mod keyring;
pub mod logging;
mod markdown;
pub mod profile;
pub mod reminders;
pub mod safety_plan;
mod session;
pub mod store;
pub mod text;
pub mod vault;

pub use backup::{ExportSummary, ImportSummary, Progress};
pub use coping::{
    Category, Context, Coping, NewStrategy, NewTry, Strategy, StrategyChanges, Suggestion,
    SuggestionKind,
};
pub use directory::{CrisisContacts, Directory, DirectoryQuery};
pub use error::{Error, InputProblem, Result};
pub use events::{DataTopic, DirectoryEvent, LockCause, LockEvent, Subscription, SyncEvent};
pub use journal::{
    Entry, EntryChanges, EntryFilter, Journal, JournalStats, NewEntry, Page, StatsRange,
};
/// Time zones: the protocol crate's copy of the tz database, re-exported for the core's users.
pub use kinship_protocol::zone;
pub use profile::Kinship;
pub use reminders::{NewReminder, Reminder, Reminders, ScheduledReminder, Weekday};
pub use safety_plan::{Awareness, PlanContact, SafetyPlan, SafetyPlanner, Section};
pub use vault::KdfParams;
