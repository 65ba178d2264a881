//! kinship-ffi: the uniffi layer for Android (Kotlin, package `app.kinship.core`) and iOS
//! (Swift, module `KinshipCore`).
//!
//! Thin on purpose: each module converts types for one part of the core and forwards to
//! `kinship-core`, where all logic lives. Errors cross as one enum, [`KinshipError`], converted
//! in [`error`] only. uniffi catches panics at the boundary and raises them as an internal
//! error in the foreign language (the release profile keeps unwinding for that reason), so no
//! panic can take the app down through the FFI. `docs/PHONES.md` is the guide for app teams.
//!
//! - [`profile`]: [`KinshipProfile`], the vault lifecycle, and the feature handles it hands out:
//!   [`Journal`], [`CopingLibrary`], [`SafetyPlanner`], [`Directory`], [`Groups`], [`Backups`].
//! - [`directory`]: also [`KinshipDirectory`] and [`crisis_contacts`], which need no profile and
//!   no passphrase.
//! - [`action`]: the one tap target ([`Action`]) and the checked [`CountryCode`].
//! - [`time`]: instants, local dates and times, zones and mood periods, one form each.
//! - [`task`]: slow calls off the caller's thread, cancellation, [`TaskHandle`].
//! - [`listeners`]: lock state, data changes, sync progress, directory updates.
//! - [`reminders`]: journal check-ins for the app to schedule.
//! - [`logging`]: the hook that forwards the core's redacted log lines.
//!
//! Records deliberately do not implement `Debug`: most carry what the person wrote (entries,
//! notes, plan items, followed groups), and nothing of that may reach a log or a panic message.
//! Those records export a redacted `Display` instead ([`redacted_display`]), which the
//! bindings use for `toString()` (Kotlin) and `description` (Swift), so an app's log line or
//! crash report that prints one shows its type and id, never its text.

/// Declares a foreign-facing copy of a core enum (uniffi needs its own type, and a distinct
/// name where two core enums share one) with conversions both ways.
macro_rules! mirror_enum {
    ($(#[$meta:meta])* $name:ident <=> $core:path { $($(#[$vmeta:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl From<$core> for $name {
            fn from(value: $core) -> Self {
                use $core as Core;
                match value {
                    $(Core::$variant => $name::$variant),+
                }
            }
        }

        impl From<$name> for $core {
            fn from(value: $name) -> Self {
                use $core as Core;
                match value {
                    $($name::$variant => Core::$variant),+
                }
            }
        }
    };
}

/// A `Display` that names the record and the fields listed (ids only, never what a person
/// wrote), e.g. `JournalEntry(id=..., redacted)`. The record also needs
/// `#[uniffi::export(Display)]`.
macro_rules! redacted_display {
    ($($name:ident $(($($field:ident),+))?),+ $(,)?) => {
        $(
            impl std::fmt::Display for $name {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str(concat!(stringify!($name), "("))?;
                    $($(write!(f, concat!(stringify!($field), "={}, "), self.$field)?;)+)?
                    f.write_str("redacted)")
                }
            }
        )+
    };
}

pub mod action;
pub mod backup;
pub mod coping;
pub mod directory;
pub mod error;
pub mod groups;
pub mod journal;
pub mod listeners;
pub mod logging;
pub mod profile;
pub mod reminders;
pub mod safety_plan;
pub mod task;
pub mod time;

pub use action::*;
pub use backup::*;
pub use coping::*;
pub use directory::*;
pub use error::{InputProblem, KinshipError, Result};
pub use groups::*;
pub use journal::*;
pub use listeners::*;
pub use logging::*;
pub use profile::*;
pub use reminders::*;
pub use safety_plan::*;
pub use task::*;
pub use time::*;

uniffi::setup_scaffolding!();

/// The writer's local time with its UTC offset, as the core stores it.
pub(crate) fn now_local() -> chrono::DateTime<chrono::FixedOffset> {
    chrono::Local::now().fixed_offset()
}

/// A count or limit from the app (Kotlin and Swift use signed integers) as a size; a negative
/// one is refused rather than wrapped.
pub(crate) fn count_arg(field: &str, value: i32) -> Result<usize> {
    usize::try_from(value).map_err(|_| KinshipError::InvalidInput {
        field: Some(field.to_owned()),
        problem: InputProblem::OutOfRange,
        reason: format!("{field} must not be negative"),
    })
}

/// A count from the core as the apps' signed integer (saturating: no count comes near it).
pub(crate) fn count_out(value: impl TryInto<i32>) -> i32 {
    value.try_into().unwrap_or(i32::MAX)
}
