//! What coping data is: the person's own strategies, their tries, the totals shown, and the
//! rules a strategy or a try must pass before it is sealed.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

use super::library::{Category, Context, Strategy};
use crate::error::{Error, Result};

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

pub(super) fn check_distress(value: u8) -> Result<()> {
    if value <= 10 {
        Ok(())
    } else {
        Err(Error::invalid_field(
            "distress",
            "distress must be between 0 and 10",
        ))
    }
}

pub(super) fn not_custom(id: &str) -> Error {
    if id.starts_with("custom-") {
        Error::NotFound
    } else {
        Error::invalid("only your own strategies can be edited or deleted")
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
