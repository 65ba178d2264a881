//! Coping strategies: the library, the person's own strategies, favourites, tries, and
//! suggestions that learn from them.

use std::time::SystemTime;

use crate::action::{Action, CountryCode};
use crate::error::{InputProblem, KinshipError, Result};
use std::sync::Arc;

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
    pub minutes: i32,
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
    pub minutes: Option<i32>,
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
    pub minutes: Option<i32>,
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
    pub distress_before: i32,
    pub distress_after: i32,
    pub note: Option<String>,
    pub at: SystemTime,
    /// The phone's UTC offset when it was logged, in seconds.
    pub utc_offset_seconds: i32,
}

#[derive(Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct NewCopingTry {
    pub strategy_id: String,
    /// 0 to 10.
    pub distress_before: i32,
    pub distress_after: i32,
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
    pub times_tried: i32,
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
    pub minutes: Option<i32>,
    pub times_tried: i32,
    /// One-tap actions: the safety plan's contacts, and for the crisis item the emergency
    /// number and crisis lines of the country asked for (empty for strategies).
    pub actions: Vec<Action>,
}

/// Coping strategies of an unlocked profile (`KinshipProfile.coping()`).
#[derive(uniffi::Object)]
pub struct CopingLibrary {
    pub(crate) core: kinship_core::Kinship,
}

#[uniffi::export]
impl CopingLibrary {
    /// Library and custom strategies, optionally of one category, library first.
    pub fn list(&self, category: Option<StrategyCategory>) -> Result<Vec<Strategy>> {
        let listed = self.core.coping().list(category.map(Into::into))?;
        Ok(listed.into_iter().map(Into::into).collect())
    }

    /// Calls `listener` after every committed change to strategies, favourites or tries.
    pub fn observe_changes(
        &self,
        listener: Arc<dyn crate::listeners::ChangeListener>,
    ) -> Arc<crate::task::TaskHandle> {
        crate::listeners::observe_changes(
            &self.core,
            kinship_core::events::DataTopic::Coping,
            listener,
        )
    }

    pub fn get(&self, id: String) -> Result<Strategy> {
        Ok(self.core.coping().get(&id)?.into())
    }

    pub fn search(&self, query: String) -> Result<Vec<Strategy>> {
        let found = self.core.coping().search(&query)?;
        Ok(found.into_iter().map(Into::into).collect())
    }

    pub fn set_favorite(&self, id: String, favorite: bool) -> Result<()> {
        let coping = self.core.coping();
        if favorite {
            coping.favorite(&id)?;
        } else {
            coping.unfavorite(&id)?;
        }
        Ok(())
    }

    pub fn add_custom(&self, strategy: NewStrategy) -> Result<Strategy> {
        let new = kinship_core::NewStrategy {
            title: strategy.title,
            summary: strategy.summary,
            steps: strategy.steps,
            minutes: minutes_arg(strategy.minutes)?,
            category: strategy.category.map(Into::into),
            tags: strategy.tags,
            suits: strategy.suits.into_iter().map(Into::into).collect(),
        };
        Ok(self
            .core
            .coping()
            .add_custom(new, crate::now_local())?
            .into())
    }

    pub fn edit_custom(&self, id: String, edit: StrategyEdit) -> Result<Strategy> {
        let changes = kinship_core::StrategyChanges {
            title: edit.title,
            summary: edit.summary,
            steps: edit.steps,
            minutes: minutes_arg(edit.minutes)?,
            category: edit.category.map(Into::into),
            suits: edit
                .suits
                .map(|suits| suits.into_iter().map(Into::into).collect()),
        };
        let edited = self
            .core
            .coping()
            .edit_custom(&id, changes, crate::now_local())?;
        Ok(edited.into())
    }

    /// Deletes a custom strategy with its logged tries.
    pub fn delete_custom(&self, id: String) -> Result<()> {
        Ok(self.core.coping().delete_custom(&id)?)
    }

    pub fn log_try(&self, attempt: NewCopingTry) -> Result<CopingTry> {
        let new = kinship_core::NewTry {
            strategy_id: attempt.strategy_id,
            distress_before: distress_arg(attempt.distress_before)?,
            distress_after: distress_arg(attempt.distress_after)?,
            note: attempt.note,
        };
        Ok(self.core.coping().log_try(new, crate::now_local())?.into())
    }

    /// Logged tries, newest first, optionally of one strategy.
    pub fn tries(&self, strategy_id: Option<String>) -> Result<Vec<CopingTry>> {
        let tries = self.core.coping().tries(strategy_id.as_deref())?;
        Ok(tries.into_iter().map(Into::into).collect())
    }

    pub fn stats(&self) -> Result<Vec<StrategyStats>> {
        let stats = self.core.coping().stats()?;
        Ok(stats
            .into_iter()
            .map(|s| StrategyStats {
                id: s.id,
                title: s.title,
                category: s.category.into(),
                times_tried: crate::count_out(s.times_tried),
                mean_change: s.mean_change,
            })
            .collect())
    }

    /// What might help now, at `distress` 0 to 10 in these moments: up to `limit`
    /// strategies. From 8 up, the safety plan and crisis help come first, on top of `limit`;
    /// the crisis item carries `country`'s emergency number and crisis lines as actions.
    pub fn suggest(
        &self,
        distress: i32,
        contexts: Vec<CopingContext>,
        limit: i32,
        country: Option<Arc<CountryCode>>,
    ) -> Result<Vec<Suggestion>> {
        let contexts: Vec<kinship_core::Context> = contexts.into_iter().map(Into::into).collect();
        let suggestions = self.core.coping().suggest_in(
            distress_arg(distress)?,
            &contexts,
            crate::count_arg("limit", limit)?,
            country.as_ref().map(|c| c.code.as_str()),
        )?;
        Ok(suggestions
            .into_iter()
            .map(|s| Suggestion {
                kind: s.kind.into(),
                id: s.id,
                title: s.title,
                category: s.category.into(),
                summary: s.summary,
                score: s.score,
                minutes: s.minutes.map(crate::count_out),
                times_tried: crate::count_out(s.times_tried),
                actions: s.actions.into_iter().map(Into::into).collect(),
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
            minutes: crate::count_out(s.minutes),
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
            distress_before: t.distress_before.into(),
            distress_after: t.distress_after.into(),
            note: t.note,
            at: crate::time::instant(&t.at),
            utc_offset_seconds: crate::time::offset_seconds(&t.at),
        }
    }
}

/// A distress level from the app; the core checks 0 to 10, this only what no `u8` can hold.
fn distress_arg(distress: i32) -> Result<u8> {
    u8::try_from(distress)
        .map_err(|_| out_of_range("distress", "distress must be between 0 and 10"))
}

fn minutes_arg(minutes: Option<i32>) -> Result<Option<u32>> {
    minutes
        .map(|m| {
            u32::try_from(m)
                .map_err(|_| out_of_range("minutes", "minutes must be between 1 and 240"))
        })
        .transpose()
}

fn out_of_range(field: &str, reason: &str) -> KinshipError {
    KinshipError::InvalidInput {
        field: Some(field.into()),
        problem: InputProblem::OutOfRange,
        reason: reason.into(),
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
