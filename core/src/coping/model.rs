//! What coping data is: the person's own strategies, their tries, the totals shown, and the
//! rules a strategy or a try must pass before it is sealed.

use crate::error::InputProblem;
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

use super::library::{Category, Context, Strategy};
use crate::error::{Error, Result};

/// Table of the person's own strategies, one sealed row each.
pub const CUSTOM_TABLE: &str = "coping_custom";
/// Table of logged tries, one sealed row each.
pub const TRIES_TABLE: &str = "coping_tries";
/// Row id, in [`crate::store::DOCUMENTS_TABLE`], of the sealed list of favourite strategy ids.
pub const FAVORITES_DOCUMENT: &str = "coping_favorites";
/// Longest note on a try, in characters (after trimming).
pub const MAX_NOTE_CHARS: usize = 2_000;
/// Most steps a custom strategy can have.
pub const MAX_STEPS: usize = 20;
/// Longest step of a custom strategy, in characters.
pub const MAX_STEP_CHARS: usize = 500;
/// Longest title of a custom strategy, in characters.
pub const MAX_TITLE_CHARS: usize = 100;
/// Longest summary of a custom strategy, in characters.
pub const MAX_SUMMARY_CHARS: usize = 300;

/// A strategy the person wrote; stored sealed.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomStrategy {
    /// `custom-` followed by 12 random lowercase hex digits.
    pub id: String,
    /// Trimmed; 1 to [`MAX_TITLE_CHARS`] characters.
    pub title: String,
    /// Trimmed; at most [`MAX_SUMMARY_CHARS`] characters, empty when none was given.
    pub summary: String,
    /// Trimmed, without empty steps; 1 to [`MAX_STEPS`] steps of at most [`MAX_STEP_CHARS`]
    /// characters.
    pub steps: Vec<String>,
    /// How long it takes, in minutes: 1 to 240.
    pub minutes: u32,
    /// What kind of help it gives ([`Category::Personal`] unless the person chose one).
    pub category: Category,
    /// Keywords: trimmed, lowercased, without repeats; at most 16.
    pub tags: Vec<String>,
    /// The moments it suits, without repeats.
    pub suits: Vec<Context>,
    /// When it was written, in the writer's local time and UTC offset.
    pub created_at: DateTime<FixedOffset>,
    /// When it was last edited (equal to `created_at` until then).
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
    /// Required: trimmed, 1 to [`MAX_TITLE_CHARS`] characters.
    pub title: String,
    /// Optional; trimmed, at most [`MAX_SUMMARY_CHARS`] characters.
    pub summary: Option<String>,
    /// At least one; each is trimmed and empty ones are dropped. At most [`MAX_STEPS`] of at most
    /// [`MAX_STEP_CHARS`] characters.
    pub steps: Vec<String>,
    /// How long it takes, in minutes: 1 to 240; `None` means 5.
    pub minutes: Option<u32>,
    /// `None` means [`Category::Personal`].
    pub category: Option<Category>,
    /// Keywords; trimmed, lowercased, empty ones and repeats dropped. At most 16.
    pub tags: Vec<String>,
    /// The moments it suits; repeats dropped.
    pub suits: Vec<Context>,
}

/// Fields to change in a custom strategy; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct StrategyChanges {
    /// A new title (trimmed, 1 to [`MAX_TITLE_CHARS`] characters).
    pub title: Option<String>,
    /// A new summary (trimmed; an empty one clears it).
    pub summary: Option<String>,
    /// New steps, replacing all the old ones (cleaned as in [`NewStrategy::steps`]).
    pub steps: Option<Vec<String>>,
    /// A new duration, in minutes: 1 to 240.
    pub minutes: Option<u32>,
    /// A new category.
    pub category: Option<Category>,
    /// New moments it suits, replacing the old ones.
    pub suits: Option<Vec<Context>>,
}

/// One logged try of a strategy: distress 0..=10 before and after.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Try {
    /// Random: 32 lowercase hex digits.
    pub id: String,
    /// Id of the strategy tried (built-in, or the person's own `custom-...`).
    pub strategy_id: String,
    /// Distress before the try, 0 (none) to 10 (the most).
    pub distress_before: u8,
    /// Distress after the try, 0 (none) to 10 (the most).
    pub distress_after: u8,
    /// What the person noted: trimmed, at most [`MAX_NOTE_CHARS`] characters; `None` when empty.
    pub note: Option<String>,
    /// When it was tried, in the person's local time and UTC offset.
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

/// What a person logs about trying a strategy.
#[derive(Debug, Clone, Default)]
pub struct NewTry {
    /// Id of the strategy tried; it must exist (built-in or the person's own), else
    /// [`crate::Error::NotFound`].
    pub strategy_id: String,
    /// Distress before the try, 0 (none) to 10 (the most).
    pub distress_before: u8,
    /// Distress after the try, 0 (none) to 10 (the most).
    pub distress_after: u8,
    /// An optional note; trimmed, at most [`MAX_NOTE_CHARS`] characters.
    pub note: Option<String>,
}

/// How a strategy has worked for this person.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StrategyStats {
    /// The strategy's id.
    pub id: String,
    /// The strategy's title.
    pub title: String,
    /// The strategy's category.
    pub category: Category,
    /// How many readable tries of it are logged.
    pub times_tried: u32,
    /// Mean of (after − before): negative means distress went down.
    pub mean_change: f64,
}

impl CustomStrategy {
    pub(super) fn wipe(&mut self) {
        self.title.zeroize();
        self.summary.zeroize();
        self.steps.zeroize();
        self.tags.zeroize();
    }
}

pub(super) fn custom_to_strategy(custom: &CustomStrategy, favorite: bool) -> Strategy {
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

pub(crate) fn validate_custom(custom: &CustomStrategy) -> Result<()> {
    let chars = |s: &str| s.chars().count();
    if custom.title.is_empty() {
        return Err(Error::invalid_field(
            InputProblem::Missing,
            "title",
            "a strategy needs a title",
        ));
    }
    if chars(&custom.title) > MAX_TITLE_CHARS {
        return Err(Error::invalid_field(
            InputProblem::TooLong,
            "title",
            format!("a title can have at most {MAX_TITLE_CHARS} characters"),
        ));
    }
    if chars(&custom.summary) > MAX_SUMMARY_CHARS {
        return Err(Error::invalid_field(
            InputProblem::TooLong,
            "summary",
            format!("a summary can have at most {MAX_SUMMARY_CHARS} characters"),
        ));
    }
    if custom.steps.is_empty() {
        return Err(Error::invalid_field(
            InputProblem::Missing,
            "steps",
            "a strategy needs at least one step",
        ));
    }
    if custom.steps.len() > MAX_STEPS || custom.steps.iter().any(|s| chars(s) > MAX_STEP_CHARS) {
        return Err(Error::invalid_field(
            InputProblem::TooMany,
            "steps",
            format!("at most {MAX_STEPS} steps of at most {MAX_STEP_CHARS} characters"),
        ));
    }
    if !(1..=240).contains(&custom.minutes) {
        return Err(Error::invalid_field(
            InputProblem::OutOfRange,
            "minutes",
            "minutes must be between 1 and 240",
        ));
    }
    if custom.tags.len() > 16 {
        return Err(Error::invalid_field(
            InputProblem::TooMany,
            "tags",
            "at most 16 tags",
        ));
    }
    if !custom.id.starts_with("custom-") {
        return Err(Error::invalid(
            InputProblem::Malformed,
            "custom strategy ids start with custom-",
        ));
    }
    Ok(())
}

pub(super) fn check_distress(value: u8) -> Result<()> {
    if value <= 10 {
        Ok(())
    } else {
        Err(Error::invalid_field(
            InputProblem::OutOfRange,
            "distress",
            "distress must be between 0 and 10",
        ))
    }
}

pub(super) fn not_custom(id: &str) -> Error {
    if id.starts_with("custom-") {
        Error::NotFound
    } else {
        Error::invalid(
            InputProblem::NotAllowed,
            "only your own strategies can be edited or deleted",
        )
    }
}

pub(super) fn clean_steps(steps: Vec<String>) -> Vec<String> {
    steps
        .into_iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

pub(super) fn clean_keywords(tags: Vec<String>) -> Vec<String> {
    dedup(
        tags.into_iter()
            .map(|t| t.trim().to_lowercase())
            .filter(|t| !t.is_empty())
            .collect(),
    )
}

pub(super) fn dedup<T: PartialEq>(items: Vec<T>) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(items.len());
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}
