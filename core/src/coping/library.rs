//! The built-in coping-strategy library, compiled into the binary from
//! `core/data/coping_strategies.json` and validated when loaded.
//!
//! Texts are keyed by locale (`"en"` today) so translations can be added to the same file
//! without changing ids: a person's logged tries and favourites keep pointing at the same
//! strategy whatever language they read it in.

use std::collections::{BTreeMap, HashSet};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// The data file, compiled in so the library works on first launch with no network.
pub const CATALOG_JSON: &str = include_str!("../../data/coping_strategies.json");
/// Locale every strategy must have; the fallback for other locales.
pub const BASE_LOCALE: &str = "en";

/// What is wrong with coping-library data; for the compiled-in library, a defect of the build.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LibraryError {
    /// The data is not JSON of the expected shape; the parser's message.
    #[error("the coping library data is not valid JSON: {0}")]
    Malformed(String),
    /// A strategy breaks a rule of the library (id shape, minutes, tags, texts...).
    #[error("coping strategy {id}: {problem}")]
    Invalid {
        /// The strategy's id as written in the data.
        id: String,
        /// The rule it breaks, in English.
        problem: String,
    },
}

/// What kind of help a strategy gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Coming back to the here and now through the senses and the surroundings.
    Grounding,
    /// Slowing and steadying the breath.
    Breathing,
    /// Moving, stretching or relaxing the body.
    BodyMovement,
    /// Treating oneself with the kindness one would give a friend.
    SelfCompassion,
    /// Internalised stigma: affirming one's identity, reframing shame, affirming voices.
    ChallengingSelfStigma,
    /// Reaching out to friends, chosen family and peer groups.
    ConnectingWithPeers,
    /// Writing, drawing, music and other ways of letting a feeling out.
    CreativeExpression,
    /// Distraction and small pleasant activities.
    DistractionPleasantActivities,
    /// Rest, winding down and sleep.
    RestSleep,
    /// Recognising when to reach out for urgent help, now.
    UrgentHelp,
    /// A person's own strategy that fits none of the above.
    Personal,
}

impl Category {
    /// Every category, in declaration order.
    pub const ALL: [Category; 11] = [
        Category::Grounding,
        Category::Breathing,
        Category::BodyMovement,
        Category::SelfCompassion,
        Category::ChallengingSelfStigma,
        Category::ConnectingWithPeers,
        Category::CreativeExpression,
        Category::DistractionPleasantActivities,
        Category::RestSleep,
        Category::UrgentHelp,
        Category::Personal,
    ];

    /// The category's name in data and APIs (`snake_case`, as serialised).
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Grounding => "grounding",
            Category::Breathing => "breathing",
            Category::BodyMovement => "body_movement",
            Category::SelfCompassion => "self_compassion",
            Category::ChallengingSelfStigma => "challenging_self_stigma",
            Category::ConnectingWithPeers => "connecting_with_peers",
            Category::CreativeExpression => "creative_expression",
            Category::DistractionPleasantActivities => "distraction_pleasant_activities",
            Category::RestSleep => "rest_sleep",
            Category::UrgentHelp => "urgent_help",
            Category::Personal => "personal",
        }
    }

    /// Parses `grounding`, `body-movement`, `Body Movement`...
    pub fn parse(text: &str) -> Option<Category> {
        let wanted = normalize_name(text);
        Category::ALL.into_iter().find(|c| c.as_str() == wanted)
    }
}

/// A moment a strategy suits; also what `suggest` takes as context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Context {
    /// High distress: built-in strategies that suit it take 10 minutes or less, and they are
    /// preferred from distress [`crate::coping::suggest::HIGH_DISTRESS`] on.
    HighDistress,
    /// Low mood.
    LowMood,
    /// Anxious.
    Anxious,
    /// Unable to sleep.
    CantSleep,
    /// After a hard conversation.
    AfterHardConversation,
    /// Feeling lonely.
    Lonely,
    /// Feeling shame.
    Shame,
    /// After experiencing discrimination.
    AfterDiscrimination,
    /// Overwhelmed.
    Overwhelmed,
    /// Angry.
    Angry,
}

impl Context {
    /// Every context, in declaration order.
    pub const ALL: [Context; 10] = [
        Context::HighDistress,
        Context::LowMood,
        Context::Anxious,
        Context::CantSleep,
        Context::AfterHardConversation,
        Context::Lonely,
        Context::Shame,
        Context::AfterDiscrimination,
        Context::Overwhelmed,
        Context::Angry,
    ];

    /// The context's name in data and APIs (`snake_case`, as serialised).
    pub fn as_str(self) -> &'static str {
        match self {
            Context::HighDistress => "high_distress",
            Context::LowMood => "low_mood",
            Context::Anxious => "anxious",
            Context::CantSleep => "cant_sleep",
            Context::AfterHardConversation => "after_hard_conversation",
            Context::Lonely => "lonely",
            Context::Shame => "shame",
            Context::AfterDiscrimination => "after_discrimination",
            Context::Overwhelmed => "overwhelmed",
            Context::Angry => "angry",
        }
    }

    /// Parses `cant_sleep`, `cant-sleep`, `can't sleep`...
    pub fn parse(text: &str) -> Option<Context> {
        let wanted = normalize_name(&text.replace('\'', ""));
        Context::ALL.into_iter().find(|c| c.as_str() == wanted)
    }
}

/// A strategy as the person reads it, in one locale.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Strategy {
    /// The strategy's id: for built-in ones 3 to 48 characters of `a-z`, `0-9` and `-`; the
    /// person's own start with `custom-`.
    pub id: String,
    /// Its title.
    pub title: String,
    /// A one-line summary (may be empty for a person's own strategy).
    pub summary: String,
    /// The steps, in order.
    pub steps: Vec<String>,
    /// How long it takes, in minutes.
    pub minutes: u32,
    /// What kind of help it gives.
    pub category: Category,
    /// Lowercase keywords.
    pub tags: Vec<String>,
    /// The moments it suits.
    pub suits: Vec<Context>,
    /// The library's content version (built-in) or 0 for a person's own strategy.
    pub content_version: u32,
    /// Whether the person wrote it (sealed in their profile) rather than the team.
    pub custom: bool,
    /// Filled in by queries on a profile.
    pub favorite: bool,
}

/// The validated built-in library in one locale.
#[derive(Debug, Clone)]
pub struct Library {
    /// The version of the library's content, from the data file.
    pub content_version: u32,
    /// Every built-in strategy, in the data file's editorial order.
    pub strategies: Vec<Strategy>,
}

impl Library {
    /// Parses and validates the compiled-in data for `locale` (falling back to English).
    pub fn load(locale: &str) -> Result<Library, LibraryError> {
        Self::parse(CATALOG_JSON, locale)
    }

    /// The English library, loaded once per process.
    pub fn builtin() -> Result<&'static Library, LibraryError> {
        static BUILTIN: OnceLock<Result<Library, LibraryError>> = OnceLock::new();
        BUILTIN
            .get_or_init(|| Library::load(BASE_LOCALE))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Parses and validates library data in JSON for `locale`, falling back to English for a
    /// strategy with no text in that locale.
    pub fn parse(json: &str, locale: &str) -> Result<Library, LibraryError> {
        let file: CatalogFile =
            serde_json::from_str(json).map_err(|e| LibraryError::Malformed(e.to_string()))?;
        let mut seen = HashSet::new();
        let mut strategies = Vec::with_capacity(file.strategies.len());
        for raw in file.strategies {
            if !seen.insert(raw.id.clone()) {
                return Err(invalid(&raw.id, "duplicate id"));
            }
            strategies.push(raw.into_strategy(locale, file.content_version)?);
        }
        Ok(Library {
            content_version: file.content_version,
            strategies,
        })
    }

    /// The built-in strategy with this id, if any.
    pub fn get(&self, id: &str) -> Option<&Strategy> {
        self.strategies.iter().find(|s| s.id == id)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    content_version: u32,
    strategies: Vec<CatalogStrategy>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogStrategy {
    id: String,
    category: Category,
    minutes: u32,
    tags: Vec<String>,
    suits: Vec<Context>,
    text: BTreeMap<String, LocalText>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LocalText {
    title: String,
    summary: String,
    steps: Vec<String>,
}

impl CatalogStrategy {
    fn into_strategy(
        mut self,
        locale: &str,
        content_version: u32,
    ) -> Result<Strategy, LibraryError> {
        check_id(&self.id)?;
        if self.category == Category::Personal {
            return Err(invalid(
                &self.id,
                "`personal` is for a person's own strategies",
            ));
        }
        if !(1..=60).contains(&self.minutes) {
            return Err(invalid(&self.id, "minutes must be 1..=60"));
        }
        if self.tags.is_empty() || self.tags.iter().any(|t| !is_keyword(t)) {
            return Err(invalid(
                &self.id,
                "tags must be lowercase keywords, at least one",
            ));
        }
        if self.suits.is_empty() {
            return Err(invalid(&self.id, "must say when it suits"));
        }
        if self.suits.contains(&Context::HighDistress) && self.minutes > 10 {
            return Err(invalid(
                &self.id,
                "high-distress strategies must take 10 minutes or less",
            ));
        }
        for (lang, text) in &self.text {
            check_text(&self.id, lang, text)?;
        }
        let text = match self.text.remove(locale) {
            Some(text) => text,
            None => self
                .text
                .remove(BASE_LOCALE)
                .ok_or_else(|| invalid(&self.id, "no English text"))?,
        };
        Ok(Strategy {
            id: self.id,
            title: text.title,
            summary: text.summary,
            steps: text.steps,
            minutes: self.minutes,
            category: self.category,
            tags: self.tags,
            suits: self.suits,
            content_version,
            custom: false,
            favorite: false,
        })
    }
}

fn check_id(id: &str) -> Result<(), LibraryError> {
    let shape = (3..=48).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.starts_with("custom-");
    if shape {
        Ok(())
    } else {
        Err(invalid(
            id,
            "id must be 3..=48 of [a-z0-9-], not starting with custom-",
        ))
    }
}

fn check_text(id: &str, lang: &str, text: &LocalText) -> Result<(), LibraryError> {
    let trimmed = |s: &str| s.trim() == s && !s.is_empty();
    let chars = |s: &str| s.chars().count();
    if !trimmed(&text.title) || !(3..=60).contains(&chars(&text.title)) {
        return Err(invalid(
            id,
            &format!("{lang} title must be 3..=60 characters"),
        ));
    }
    if !trimmed(&text.summary) || !(20..=160).contains(&chars(&text.summary)) {
        return Err(invalid(
            id,
            &format!("{lang} summary must be 20..=160 characters"),
        ));
    }
    if !(2..=8).contains(&text.steps.len()) {
        return Err(invalid(id, &format!("{lang} needs 2..=8 steps")));
    }
    if text
        .steps
        .iter()
        .any(|step| !trimmed(step) || !(10..=240).contains(&chars(step)))
    {
        return Err(invalid(
            id,
            &format!("{lang} steps must be 10..=240 characters"),
        ));
    }
    Ok(())
}

fn is_keyword(tag: &str) -> bool {
    !tag.is_empty()
        && tag.len() <= 32
        && tag
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn normalize_name(text: &str) -> String {
    text.trim().to_lowercase().replace(['-', ' '], "_")
}

fn invalid(id: &str, problem: &str) -> LibraryError {
    LibraryError::Invalid {
        id: id.to_owned(),
        problem: problem.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_and_contexts_parse_from_friendly_spellings() {
        assert_eq!(
            Category::parse("Body Movement"),
            Some(Category::BodyMovement)
        );
        assert_eq!(
            Category::parse("challenging-self-stigma"),
            Some(Category::ChallengingSelfStigma)
        );
        assert_eq!(Category::parse("cooking"), None);
        assert_eq!(Context::parse("can't sleep"), Some(Context::CantSleep));
        assert_eq!(Context::parse("HIGH-DISTRESS"), Some(Context::HighDistress));
        assert_eq!(Context::parse("bored"), None);
    }

    const TEXT: &str = r#"{"en":{"title":"Box breathing","summary":"Breathe in a square to slow everything down.","steps":["Breathe in for four counts.","Hold for four counts."]}}"#;
    const GOOD: &str =
        r#""id":"box","category":"breathing","minutes":3,"tags":["quick"],"suits":["anxious"]"#;

    fn catalog(strategies: &[&str]) -> String {
        let items: Vec<String> = strategies
            .iter()
            .map(|fields| format!(r#"{{{fields},"text":{TEXT}}}"#))
            .collect();
        format!(
            r#"{{"content_version":1,"strategies":[{}]}}"#,
            items.join(",")
        )
    }

    #[test]
    fn bad_catalogs_are_refused() {
        assert!(Library::parse(&catalog(&[GOOD]), "en").is_ok());
        for bad in [
            r#""id":"Box!","category":"breathing","minutes":3,"tags":["quick"],"suits":["anxious"]"#,
            r#""id":"box","category":"cooking","minutes":3,"tags":["quick"],"suits":["anxious"]"#,
            r#""id":"box","category":"breathing","minutes":0,"tags":["quick"],"suits":["anxious"]"#,
            r#""id":"box","category":"breathing","minutes":30,"tags":["quick"],"suits":["high_distress"]"#,
            r#""id":"box","category":"breathing","minutes":3,"tags":[],"suits":["anxious"]"#,
            r#""id":"box","category":"breathing","minutes":3,"tags":["quick"],"suits":[]"#,
            r#""id":"box","category":"personal","minutes":3,"tags":["quick"],"suits":["anxious"]"#,
        ] {
            assert!(Library::parse(&catalog(&[bad]), "en").is_err(), "{bad}");
        }
        assert!(matches!(
            Library::parse(&catalog(&[GOOD, GOOD]), "en"),
            Err(LibraryError::Invalid { .. })
        ));
    }

    #[test]
    fn missing_locale_falls_back_to_english() {
        let library = Library::parse(&catalog(&[GOOD]), "fr").unwrap();
        assert_eq!(library.strategies[0].title, "Box breathing");
    }
}
