//! Suggestions: which strategies to offer right now, learning from what helped this person.
//!
//! Each strategy's score is a Bayesian mean of the drop in distress (before − after) over its
//! logged tries, shrunk toward a prior: the person's own average drop across everything they
//! tried, itself shrunk toward a modest population guess of one point. So a strategy tried once
//! with a lucky result does not jump to the top, a strategy never tried sits at the person's
//! typical result (and still gets offered), and the more tries there are the more the ranking
//! follows them.
//!
//! Context narrows the choice: at high distress (7+) only strategies marked `high_distress`
//! (short, no preparation) are offered, then those that suit the moment named (`anxious`,
//! `cant_sleep`, ...).
//! At distress 8 or more the safety plan and crisis contacts always come first, then the
//! strategies about reaching out for urgent help, then the rest.

use serde::Serialize;

use super::library::{Category, Context, Strategy};
use super::CopingState;
use crate::directory::CrisisContacts;
use crate::error::Result;
use crate::safety_plan::SafetyPlan;
use kinship_directory::actions::Action;

/// From this distress on, the safety plan and crisis contacts lead every suggestion list.
pub const CRISIS_DISTRESS: u8 = 8;
/// From this distress on, only strategies marked for high distress are preferred.
pub const HIGH_DISTRESS: u8 = 7;
/// Prior guess of the drop in distress a strategy gives, before anything is logged.
pub const PRIOR_IMPROVEMENT: f64 = 1.0;
/// How many pseudo-tries the population guess weighs against the person's whole log.
pub const PERSON_PRIOR_WEIGHT: f64 = 5.0;
/// How many pseudo-tries the person's average weighs against one strategy's own tries.
pub const STRATEGY_PRIOR_WEIGHT: f64 = 2.0;

/// What a suggestion points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SuggestionKind {
    /// The person's safety plan (offered first from distress [`CRISIS_DISTRESS`] on).
    SafetyPlan,
    /// Crisis contacts: talk to someone now (offered from distress [`CRISIS_DISTRESS`] on).
    Crisis,
    /// A coping strategy.
    Strategy,
}

/// One item of a suggestion list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// What the item points at.
    pub kind: SuggestionKind,
    /// The strategy's id, or [`SAFETY_PLAN_ID`] / [`CRISIS_ID`].
    pub id: String,
    /// Title to show.
    pub title: String,
    /// The strategy's category; [`Category::UrgentHelp`] for the safety-plan and crisis items.
    pub category: Category,
    /// Summary to show.
    pub summary: String,
    /// Expected drop in distress (strategies only).
    pub score: Option<f64>,
    /// How long the strategy takes, in minutes (strategies only).
    pub minutes: Option<u32>,
    /// How many tries of the strategy are logged (0 for the safety-plan and crisis items).
    pub times_tried: u32,
    /// One-tap actions: the safety plan's contacts, and for the crisis item the emergency
    /// number and crisis lines of the country asked for (empty for strategies).
    pub actions: Vec<Action>,
}

/// Id of the safety-plan suggestion.
pub const SAFETY_PLAN_ID: &str = "safety-plan";
/// Id of the crisis-contacts suggestion.
pub const CRISIS_ID: &str = "crisis-contacts";

pub(crate) fn rank(
    state: &CopingState,
    distress: u8,
    contexts: &[Context],
    limit: usize,
    plan: Option<&Result<SafetyPlan>>,
    crisis_help: Option<&CrisisContacts>,
) -> Result<Vec<Suggestion>> {
    let person_prior = person_prior(state);
    let high = distress >= HIGH_DISTRESS;
    let crisis = distress >= CRISIS_DISTRESS;

    let mut scored: Vec<(Strategy, f64, u32)> = state
        .all_strategies()?
        .into_iter()
        // "When to reach out" is offered when it matters, not as a pastime.
        .filter(|s| crisis || s.category != Category::UrgentHelp)
        .map(|s| {
            let (score, tried) = strategy_score(state, &s.id, person_prior);
            (s, score, tried)
        })
        .collect();
    // Narrow in two steps, each only if something is left: at high distress to what can be
    // done right away, then to what suits the moment the person named.
    let short = |s: &Strategy| s.suits.contains(&Context::HighDistress);
    if high && scored.iter().any(|(s, _, _)| short(s)) {
        scored.retain(|(s, _, _)| short(s) || s.category == Category::UrgentHelp);
    }
    let fits = |s: &Strategy| s.suits.iter().any(|c| contexts.contains(c));
    if !contexts.is_empty() && scored.iter().any(|(s, _, _)| fits(s)) {
        scored.retain(|(s, _, _)| fits(s) || urgent_now(s, crisis));
    }
    // Stable sort: equal keys keep the library's editorial order (most general first).
    let matches = |s: &Strategy| s.suits.iter().filter(|c| contexts.contains(c)).count();
    let urgent = |s: &Strategy| urgent_now(s, crisis);
    scored.sort_by(|(a, a_score, _), (b, b_score, _)| {
        urgent(b)
            .cmp(&urgent(a))
            .then_with(|| b_score.total_cmp(a_score))
            .then_with(|| matches(b).cmp(&matches(a)))
            .then_with(|| b.favorite.cmp(&a.favorite))
            .then_with(|| a.minutes.cmp(&b.minutes))
    });
    let mut out = Vec::new();
    if crisis {
        out.push(safety_plan_item(plan));
        out.push(crisis_item(crisis_help));
    }
    out.extend(
        scored
            .into_iter()
            .take(limit)
            .map(|(s, score, tried)| strategy_item(s, score, tried)),
    );
    Ok(out)
}

/// Strategies about reaching out for urgent help, when distress is at crisis level.
fn urgent_now(strategy: &Strategy, crisis: bool) -> bool {
    crisis && strategy.category == Category::UrgentHelp
}

/// The person's own typical drop in distress, shrunk toward [`PRIOR_IMPROVEMENT`].
fn person_prior(state: &CopingState) -> f64 {
    let (count, sum) = state.tries.values().fold((0u32, 0i64), |(n, s), t| {
        (n + t.count, s + t.improvement_sum)
    });
    (PERSON_PRIOR_WEIGHT * PRIOR_IMPROVEMENT + sum as f64)
        / (PERSON_PRIOR_WEIGHT + f64::from(count))
}

fn strategy_score(state: &CopingState, id: &str, prior: f64) -> (f64, u32) {
    match state.tries.get(id) {
        Some(t) => (
            (STRATEGY_PRIOR_WEIGHT * prior + t.improvement_sum as f64)
                / (STRATEGY_PRIOR_WEIGHT + f64::from(t.count)),
            t.count,
        ),
        None => (prior, 0),
    }
}

fn strategy_item(s: Strategy, score: f64, tried: u32) -> Suggestion {
    Suggestion {
        kind: SuggestionKind::Strategy,
        id: s.id,
        title: s.title,
        category: s.category,
        summary: s.summary,
        score: Some((score * 100.0).round() / 100.0),
        minutes: Some(s.minutes),
        times_tried: tried,
        actions: Vec::new(),
    }
}

/// The safety-plan item is shown even when the plan cannot be read: at crisis level the
/// person must still be pointed at help, never at an error.
fn safety_plan_item(plan: Option<&Result<SafetyPlan>>) -> Suggestion {
    let (summary, actions) = match plan {
        Some(Ok(plan)) if !plan.is_empty() => (
            "Open your safety plan: your warning signs, what helps, who to call and your reasons to keep going.",
            crisis_contact_actions(&plan.help_contacts),
        ),
        Some(Err(_)) => (
            "Your safety plan could not be opened (it may be damaged). Call someone you trust or a crisis line below.",
            Vec::new(),
        ),
        _ => (
            "You haven't written a safety plan yet. Open it now: it walks you through it one small step at a time.",
            Vec::new(),
        ),
    };
    Suggestion {
        kind: SuggestionKind::SafetyPlan,
        id: SAFETY_PLAN_ID.into(),
        title: "Your safety plan".into(),
        category: Category::UrgentHelp,
        summary: summary.into(),
        score: None,
        minutes: None,
        times_tried: 0,
        actions,
    }
}

fn crisis_item(crisis_help: Option<&CrisisContacts>) -> Suggestion {
    // The contact's label says more than its action's (`(listening line, not a crisis
    // service)`, `(Scotland only)`), so it is the one shown.
    let actions = crisis_help
        .map(|help| {
            help.contacts
                .iter()
                .map(|c| Action {
                    label: c.label.clone(),
                    ..c.action.clone()
                })
                .collect()
        })
        .unwrap_or_default();
    Suggestion {
        kind: SuggestionKind::Crisis,
        id: CRISIS_ID.into(),
        title: "Talk to someone now".into(),
        category: Category::UrgentHelp,
        summary: "Call a crisis line or your local emergency number. You don't have to be in \
                  immediate danger to reach out."
            .into(),
        score: None,
        minutes: None,
        times_tried: 0,
        actions,
    }
}

/// The plan's contacts to call now: those the person marked safe in a crisis first, then those
/// not marked; those marked unsafe are left out (a crisis is when a call must not out them or
/// put them at risk).
fn crisis_contact_actions(contacts: &[crate::safety_plan::PlanContact]) -> Vec<Action> {
    let mut ranked: Vec<_> = contacts
        .iter()
        .filter(|c| c.safe_in_crisis != Some(false))
        .collect();
    ranked.sort_by_key(|c| c.safe_in_crisis != Some(true));
    ranked.into_iter().filter_map(|c| c.action()).collect()
}
