//! Coping strategies: the library, the person's own strategies, favourites, tries, and
//! suggestions that learn from them.

use crate::error::Result;
use crate::profile::KinshipProfile;

mirror_enum! {
    /// What kind of help a strategy gives.
    StrategyCategory <=> kinship_core::Category {
        Grounding,
        Breathing,
        BodyMovement,
        SelfCompassion,
        /// Internalised stigma: affirming one's identity, reframing shame.
        ChallengingSelfStigma,
        ConnectingWithPeers,
        CreativeExpression,
        DistractionPleasantActivities,
        RestSleep,
        /// Recognising when to reach out for urgent help, now.
        UrgentHelp,
        /// A person's own strategy that fits none of the above.
        Personal,
    }
}

mirror_enum! {
    /// A moment a strategy suits; what a suggestion is asked for.
    CopingContext <=> kinship_core::Context {
        HighDistress,
        LowMood,
        Anxious,
        CantSleep,
        AfterHardConversation,
        Lonely,
        Shame,
        AfterDiscrimination,
        Overwhelmed,
        Angry,
    }
}

mirror_enum! {
    SuggestionKind <=> kinship_core::SuggestionKind {
        /// Open the person's safety plan.
        SafetyPlan,
        /// Crisis help: show the crisis contacts.
        Crisis,
        Strategy,
    }
}

#[derive(Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct Strategy {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub steps: Vec<String>,
    pub minutes: u32,
    pub category: StrategyCategory,
    pub tags: Vec<String>,
    pub suits: Vec<CopingContext>,
    /// Written by the person (sealed in their profile) rather than from the library.
    pub custom: bool,
    pub favorite: bool,
}

/// A strategy of the person's own. Unset fields get defaults (5 minutes, `Personal`).
#[derive(Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct NewStrategy {
    pub title: String,
    #[uniffi(default = None)]
    pub summary: Option<String>,
    pub steps: Vec<String>,
    #[uniffi(default = None)]
    pub minutes: Option<u32>,
    #[uniffi(default = None)]
    pub category: Option<StrategyCategory>,
    #[uniffi(default = [])]
    pub tags: Vec<String>,
    #[uniffi(default = [])]
    pub suits: Vec<CopingContext>,
}

/// Fields to change in a custom strategy; unset fields keep their value.
#[derive(Clone, Default, PartialEq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct StrategyEdit {
    #[uniffi(default = None)]
    pub title: Option<String>,
    #[uniffi(default = None)]
    pub summary: Option<String>,
    #[uniffi(default = None)]
    pub steps: Option<Vec<String>>,
    #[uniffi(default = None)]
    pub minutes: Option<u32>,
    #[uniffi(default = None)]
    pub category: Option<StrategyCategory>,
    #[uniffi(default = None)]
    pub suits: Option<Vec<CopingContext>>,
}

/// One logged try: distress 0 to 10 before and after.
#[derive(Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct CopingTry {
    pub id: String,
    pub strategy_id: String,
    pub distress_before: u8,
    pub distress_after: u8,
    pub note: Option<String>,
    /// RFC 3339 with the person's UTC offset.
    pub at: String,
}

#[derive(Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct NewCopingTry {
    pub strategy_id: String,
    pub distress_before: u8,
    pub distress_after: u8,
    #[uniffi(default = None)]
    pub note: Option<String>,
}

/// How a strategy has worked for this person.
#[derive(Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct StrategyStats {
    pub id: String,
    pub title: String,
    pub category: StrategyCategory,
    pub times_tried: u32,
    /// Mean of (after - before): negative means distress went down.
    pub mean_change: f64,
}

#[derive(Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct Suggestion {
    pub kind: SuggestionKind,
    pub id: String,
    pub title: String,
    pub category: StrategyCategory,
    pub summary: String,
    /// Expected drop in distress (strategies only).
    pub score: Option<f64>,
    pub minutes: Option<u32>,
    pub times_tried: u32,
    /// One-tap `tel:` actions for the safety-plan and crisis items.
    pub actions: Vec<String>,
}

#[uniffi::export]
impl KinshipProfile {
    /// Library and custom strategies, optionally of one category, library first.
    pub fn list_strategies(&self, category: Option<StrategyCategory>) -> Result<Vec<Strategy>> {
        let listed = self.inner.coping().list(category.map(Into::into))?;
        Ok(listed.into_iter().map(Into::into).collect())
    }

    pub fn get_strategy(&self, id: String) -> Result<Strategy> {
        Ok(self.inner.coping().get(&id)?.into())
    }

    pub fn search_strategies(&self, query: String) -> Result<Vec<Strategy>> {
        let found = self.inner.coping().search(&query)?;
        Ok(found.into_iter().map(Into::into).collect())
    }

    pub fn set_strategy_favorite(&self, id: String, favorite: bool) -> Result<()> {
        let coping = self.inner.coping();
        if favorite {
            coping.favorite(&id)?;
        } else {
            coping.unfavorite(&id)?;
        }
        Ok(())
    }

    pub fn add_custom_strategy(&self, strategy: NewStrategy) -> Result<Strategy> {
        let new = kinship_core::NewStrategy {
            title: strategy.title,
            summary: strategy.summary,
            steps: strategy.steps,
            minutes: strategy.minutes,
            category: strategy.category.map(Into::into),
            tags: strategy.tags,
            suits: strategy.suits.into_iter().map(Into::into).collect(),
        };
        Ok(self
            .inner
            .coping()
            .add_custom(new, crate::now_local())?
            .into())
    }

    pub fn edit_custom_strategy(&self, id: String, edit: StrategyEdit) -> Result<Strategy> {
        let changes = kinship_core::StrategyChanges {
            title: edit.title,
            summary: edit.summary,
            steps: edit.steps,
            minutes: edit.minutes,
            category: edit.category.map(Into::into),
            suits: edit
                .suits
                .map(|suits| suits.into_iter().map(Into::into).collect()),
        };
        let edited = self
            .inner
            .coping()
            .edit_custom(&id, changes, crate::now_local())?;
        Ok(edited.into())
    }

    /// Deletes a custom strategy with its logged tries.
    pub fn delete_custom_strategy(&self, id: String) -> Result<()> {
        Ok(self.inner.coping().delete_custom(&id)?)
    }

    pub fn log_coping_try(&self, attempt: NewCopingTry) -> Result<CopingTry> {
        let new = kinship_core::NewTry {
            strategy_id: attempt.strategy_id,
            distress_before: attempt.distress_before,
            distress_after: attempt.distress_after,
            note: attempt.note,
        };
        Ok(self.inner.coping().log_try(new, crate::now_local())?.into())
    }

    /// Logged tries, newest first, optionally of one strategy.
    pub fn list_coping_tries(&self, strategy_id: Option<String>) -> Result<Vec<CopingTry>> {
        let tries = self.inner.coping().tries(strategy_id.as_deref())?;
        Ok(tries.into_iter().map(Into::into).collect())
    }

    pub fn strategy_stats(&self) -> Result<Vec<StrategyStats>> {
        let stats = self.inner.coping().stats()?;
        Ok(stats
            .into_iter()
            .map(|s| StrategyStats {
                id: s.id,
                title: s.title,
                category: s.category.into(),
                times_tried: s.times_tried,
                mean_change: s.mean_change,
            })
            .collect())
    }

    /// What might help now, at `distress` 0 to 10 in these moments: up to `limit`
    /// strategies. From 8 up, the safety plan and crisis help come first, on top of `limit`.
    pub fn suggest_strategies(
        &self,
        distress: u8,
        contexts: Vec<CopingContext>,
        limit: u32,
    ) -> Result<Vec<Suggestion>> {
        let contexts: Vec<kinship_core::Context> = contexts.into_iter().map(Into::into).collect();
        let suggestions = self
            .inner
            .coping()
            .suggest(distress, &contexts, limit as usize)?;
        Ok(suggestions
            .into_iter()
            .map(|s| Suggestion {
                kind: s.kind.into(),
                id: s.id,
                title: s.title,
                category: s.category.into(),
                summary: s.summary,
                score: s.score,
                minutes: s.minutes,
                times_tried: s.times_tried,
                actions: s.actions,
            })
            .collect())
    }
}

impl From<kinship_core::Strategy> for Strategy {
    fn from(s: kinship_core::Strategy) -> Self {
        Strategy {
            id: s.id,
            title: s.title,
            summary: s.summary,
            steps: s.steps,
            minutes: s.minutes,
            category: s.category.into(),
            tags: s.tags,
            suits: s.suits.into_iter().map(Into::into).collect(),
            custom: s.custom,
            favorite: s.favorite,
        }
    }
}

impl From<kinship_core::coping::Try> for CopingTry {
    fn from(t: kinship_core::coping::Try) -> Self {
        CopingTry {
            id: t.id,
            strategy_id: t.strategy_id,
            distress_before: t.distress_before,
            distress_after: t.distress_after,
            note: t.note,
            at: crate::rfc3339(&t.at),
        }
    }
}

redacted_display!(
    Strategy(id),
    NewStrategy,
    StrategyEdit,
    CopingTry(id),
    NewCopingTry,
    StrategyStats,
    Suggestion,
);
