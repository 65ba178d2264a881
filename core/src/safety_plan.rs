//! The safety plan, in the sections of the Stanley–Brown Safety Planning Intervention: warning
//! signs, internal coping strategies, people and places that distract, people to ask for help,
//! professionals and services, making the environment safe, and reasons for living.
//!
//! One sealed document per profile (`documents/safety_plan`). People to ask for help carry a
//! phone number that becomes a one-tap `tel:` action; numbers are only ever the ones the person
//! typed, checked for shape, never guessed.

use crate::error::InputProblem;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::events::DataTopic;
use crate::session::{Inner, Unlocked};
use crate::store::DOCUMENTS_TABLE;
use kinship_directory::actions::{Action, ActionKind};

/// Row id, in [`DOCUMENTS_TABLE`], of the sealed safety plan.
pub const DOCUMENT: &str = "safety_plan";
/// Most items in one section, and most people to ask for help.
pub const MAX_ITEMS: usize = 30;
/// Longest item of a section, in characters.
pub const MAX_ITEM_CHARS: usize = 500;
/// Longest name of a person to ask for help, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// One list section of the safety plan. The people to ask for help are kept apart, in
/// [`SafetyPlan::help_contacts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// Signs that a crisis may be coming.
    WarningSigns,
    /// Items may be ids of coping strategies (linked to the library) or free text.
    InternalCoping,
    /// People and social settings that distract.
    Distractions,
    /// Professionals and services to contact.
    Professionals,
    /// Making the surroundings safer.
    SafeEnvironment,
    /// Reasons to keep going.
    ReasonsForLiving,
}

impl Section {
    /// Every section, in the Stanley–Brown order.
    pub const ALL: [Section; 6] = [
        Section::WarningSigns,
        Section::InternalCoping,
        Section::Distractions,
        Section::Professionals,
        Section::SafeEnvironment,
        Section::ReasonsForLiving,
    ];

    /// The section's short name, as [`Section::parse`] reads it: `warning-signs`, `coping`,
    /// `distractions`, `professionals`, `safe-environment` or `reasons`.
    pub fn as_str(self) -> &'static str {
        match self {
            Section::WarningSigns => "warning-signs",
            Section::InternalCoping => "coping",
            Section::Distractions => "distractions",
            Section::Professionals => "professionals",
            Section::SafeEnvironment => "safe-environment",
            Section::ReasonsForLiving => "reasons",
        }
    }

    /// The section's heading as shown to the person, e.g. "My reasons to keep going".
    pub fn heading(self) -> &'static str {
        match self {
            Section::WarningSigns => "Warning signs that a crisis may be coming",
            Section::InternalCoping => "Things I can do on my own to take my mind off things",
            Section::Distractions => "People and places that help me feel better",
            Section::Professionals => "Professionals and services I can contact",
            Section::SafeEnvironment => "Making my surroundings safer",
            Section::ReasonsForLiving => "My reasons to keep going",
        }
    }

    /// Parses `warning-signs`, `warning_signs`, `reasons`...
    pub fn parse(text: &str) -> Option<Section> {
        let wanted = text.trim().to_lowercase().replace(['_', ' '], "-");
        Section::ALL.into_iter().find(|s| s.as_str() == wanted)
    }
}

/// A person's safety plan: six lists of free text and the people to ask for help. Its `Debug`
/// output leaves the text out.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SafetyPlan {
    /// Warning signs; at most [`MAX_ITEMS`] items of at most [`MAX_ITEM_CHARS`] characters, as for
    /// every section.
    pub warning_signs: Vec<String>,
    /// Things to do on one's own: free text or ids of coping strategies.
    pub internal_coping: Vec<String>,
    /// People and social settings that distract.
    pub distractions: Vec<String>,
    /// People to ask for help.
    pub help_contacts: Vec<PlanContact>,
    /// Professionals and services to contact.
    pub professionals: Vec<String>,
    /// Ways of making the surroundings safer.
    pub safe_environment: Vec<String>,
    /// Reasons to keep going.
    pub reasons_for_living: Vec<String>,
    /// When the plan was last saved, in the writer's local time and UTC offset; `None` until then.
    pub updated_at: Option<DateTime<FixedOffset>>,
}

impl std::fmt::Debug for SafetyPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SafetyPlan")
            .field("help_contacts", &self.help_contacts.len())
            .field("updated_at", &self.updated_at)
            .finish_non_exhaustive()
    }
}

/// A person to ask for help, with a phone number.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanContact {
    /// Who they are: 1 to [`MAX_NAME_CHARS`] characters.
    pub name: String,
    /// As typed, after a shape check: digits with an optional leading `+` and separators.
    pub phone: String,
    /// Whether this person knows about the person's sexuality or gender (what they could be
    /// told, or could let slip, in a call).
    #[serde(default)]
    pub knows_about_me: Awareness,
    /// Whether they are safe to call in a crisis, as the person judged it; `None` until said.
    /// At high distress, suggestions offer those marked safe first and leave out those marked
    /// unsafe (they stay in the plan).
    #[serde(default)]
    pub safe_in_crisis: Option<bool>,
}

/// What a safety-plan contact knows about the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Awareness {
    /// They know.
    Knows,
    /// They do not know.
    DoesNotKnow,
    /// The person is not sure, or has not said.
    #[default]
    Unsure,
}

impl PlanContact {
    /// The one-tap `tel:` URI (RFC 3966): `tel:+<digits>` for an international number, the
    /// digits as typed for a local one.
    pub fn action_uri(&self) -> Option<String> {
        tel_uri(&self.phone).ok()
    }

    /// The one-tap call, labelled with the contact's name (`Call Sam`), as every other action
    /// in the app; `None` when the number cannot be dialled.
    pub fn action(&self) -> Option<Action> {
        let uri = self.action_uri()?;
        Some(Action::new(
            ActionKind::Call,
            format!("Call {}", self.name),
            uri,
        ))
    }
}

impl SafetyPlan {
    /// Whether nothing at all is written: every section and the contacts are empty.
    pub fn is_empty(&self) -> bool {
        Section::ALL.iter().all(|s| self.section(*s).is_empty()) && self.help_contacts.is_empty()
    }

    /// The items of one section.
    pub fn section(&self, section: Section) -> &[String] {
        match section {
            Section::WarningSigns => &self.warning_signs,
            Section::InternalCoping => &self.internal_coping,
            Section::Distractions => &self.distractions,
            Section::Professionals => &self.professionals,
            Section::SafeEnvironment => &self.safe_environment,
            Section::ReasonsForLiving => &self.reasons_for_living,
        }
    }

    fn section_mut(&mut self, section: Section) -> &mut Vec<String> {
        match section {
            Section::WarningSigns => &mut self.warning_signs,
            Section::InternalCoping => &mut self.internal_coping,
            Section::Distractions => &mut self.distractions,
            Section::Professionals => &mut self.professionals,
            Section::SafeEnvironment => &mut self.safe_environment,
            Section::ReasonsForLiving => &mut self.reasons_for_living,
        }
    }

    pub(crate) fn validate(&self) -> Result<()> {
        for section in Section::ALL {
            check_items(self.section(section))?;
        }
        if self.help_contacts.len() > MAX_ITEMS {
            return Err(Error::invalid_field(
                InputProblem::TooMany,
                "contacts",
                format!("at most {MAX_ITEMS} contacts"),
            ));
        }
        for contact in &self.help_contacts {
            check_contact(contact)?;
        }
        Ok(())
    }
}

/// The safety plan of an unlocked profile.
#[derive(Clone)]
pub struct SafetyPlanner {
    inner: Arc<Inner>,
}

impl SafetyPlanner {
    pub(crate) fn new(inner: Arc<Inner>) -> Self {
        SafetyPlanner { inner }
    }

    /// The plan; empty until the person writes one.
    pub fn get(&self) -> Result<SafetyPlan> {
        self.inner
            .with_unlocked(|u| Ok(stored(u)?.unwrap_or_default()))
    }

    /// Replaces one section's items (blank items are dropped).
    pub fn set_section(
        &self,
        section: Section,
        items: Vec<String>,
        now: DateTime<FixedOffset>,
    ) -> Result<SafetyPlan> {
        let items: Vec<String> = items
            .into_iter()
            .map(|i| i.trim().to_owned())
            .filter(|i| !i.is_empty())
            .collect();
        check_items(&items)?;
        self.update(now, |plan| {
            *plan.section_mut(section) = items;
            Ok(())
        })
    }

    /// Adds a person to ask for help, with a phone number that becomes a `tel:` action.
    pub fn add_contact(
        &self,
        name: &str,
        phone: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<PlanContact> {
        self.add_contact_with(
            PlanContact {
                name: name.to_owned(),
                phone: phone.to_owned(),
                knows_about_me: Awareness::Unsure,
                safe_in_crisis: None,
            },
            now,
        )
    }

    /// Adds a contact with what they know and whether they are safe to call in a crisis.
    pub fn add_contact_with(
        &self,
        contact: PlanContact,
        now: DateTime<FixedOffset>,
    ) -> Result<PlanContact> {
        let contact = PlanContact {
            name: contact.name.trim().to_owned(),
            phone: contact.phone.trim().to_owned(),
            ..contact
        };
        check_contact(&contact)?;
        let added = contact.clone();
        self.update(now, move |plan| {
            plan.help_contacts.push(contact);
            Ok(())
        })?;
        Ok(added)
    }

    /// Removes the contact at `index` (0-based, in the order shown).
    pub fn remove_contact(&self, index: usize, now: DateTime<FixedOffset>) -> Result<SafetyPlan> {
        self.update(now, |plan| {
            if index >= plan.help_contacts.len() {
                return Err(Error::NotFound);
            }
            plan.help_contacts.remove(index);
            Ok(())
        })
    }

    /// Replaces the first contact with exactly this name and number by `changed` (an edit of
    /// the name, the number, what they know or whether they are safe to call); `NotFound` when
    /// no contact matches.
    pub fn update_matching_contact(
        &self,
        name: &str,
        phone: &str,
        changed: PlanContact,
        now: DateTime<FixedOffset>,
    ) -> Result<PlanContact> {
        let changed = PlanContact {
            name: changed.name.trim().to_owned(),
            phone: changed.phone.trim().to_owned(),
            ..changed
        };
        check_contact(&changed)?;
        let saved = changed.clone();
        self.update(now, move |plan| {
            let slot = plan
                .help_contacts
                .iter_mut()
                .find(|c| c.name == name && c.phone == phone)
                .ok_or(Error::NotFound)?;
            *slot = changed;
            Ok(())
        })?;
        Ok(saved)
    }

    /// Removes the first contact with exactly this name and number: unlike a position, it
    /// cannot hit someone else when the plan changed since the screen read it. `NotFound` when
    /// no contact matches.
    pub fn remove_matching_contact(
        &self,
        name: &str,
        phone: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<SafetyPlan> {
        self.update(now, |plan| {
            let position = plan
                .help_contacts
                .iter()
                .position(|c| c.name == name && c.phone == phone)
                .ok_or(Error::NotFound)?;
            plan.help_contacts.remove(position);
            Ok(())
        })
    }

    /// Replaces the whole plan (for an app screen that edits everything at once).
    pub fn replace(&self, mut plan: SafetyPlan, now: DateTime<FixedOffset>) -> Result<SafetyPlan> {
        plan.validate()?;
        plan.updated_at = Some(now);
        self.inner.with_unlocked(|u| {
            u.put_sealed(DOCUMENTS_TABLE, DOCUMENT, &plan)?;
            u.changed(DataTopic::SafetyPlan);
            Ok(plan)
        })
    }

    fn update(
        &self,
        now: DateTime<FixedOffset>,
        change: impl FnOnce(&mut SafetyPlan) -> Result<()>,
    ) -> Result<SafetyPlan> {
        self.inner.with_unlocked(|u| {
            let mut plan = stored(u)?.unwrap_or_default();
            change(&mut plan)?;
            plan.validate()?;
            plan.updated_at = Some(now);
            u.put_sealed(DOCUMENTS_TABLE, DOCUMENT, &plan)?;
            u.changed(DataTopic::SafetyPlan);
            Ok(plan)
        })
    }
}

/// The stored plan, if the person has written one.
pub(crate) fn stored(u: &Unlocked) -> Result<Option<SafetyPlan>> {
    u.get_sealed(DOCUMENTS_TABLE, DOCUMENT)
}

/// Restores a backed-up plan inside the caller's transaction when it is newer than the one
/// here (or there is none). Returns whether it was restored.
pub(crate) fn merge_backup(u: &Unlocked, incoming: &SafetyPlan) -> Result<bool> {
    incoming.validate()?;
    let newer = match stored(u)? {
        None => true,
        Some(current) => current.is_empty() || incoming.updated_at > current.updated_at,
    };
    if newer {
        u.put_sealed(DOCUMENTS_TABLE, DOCUMENT, incoming)?;
        u.changed(DataTopic::SafetyPlan);
    }
    Ok(newer)
}

/// Builds a `tel:` URI (RFC 3966) from a number as a person typed it.
///
/// Accepts digits with spaces, dashes, dots and parentheses, and an optional leading `+`;
/// 3 to 15 digits (E.164's maximum). Refuses anything else rather than guess.
pub fn tel_uri(phone: &str) -> Result<String> {
    let phone = phone.trim();
    let (global, rest) = match phone.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, phone),
    };
    if rest
        .chars()
        .any(|c| !(c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')')))
    {
        return Err(Error::invalid_field(
            InputProblem::Malformed,
            "phone",
            "a phone number may hold only digits, spaces, - . ( ) and a leading +",
        ));
    }
    let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
    if !(3..=15).contains(&digits.len()) {
        return Err(Error::invalid_field(
            InputProblem::Malformed,
            "phone",
            "a phone number needs 3 to 15 digits",
        ));
    }
    Ok(if global {
        format!("tel:+{digits}")
    } else {
        format!("tel:{digits}")
    })
}

fn check_items(items: &[String]) -> Result<()> {
    if items.len() > MAX_ITEMS {
        return Err(Error::invalid_field(
            InputProblem::TooMany,
            "items",
            format!("at most {MAX_ITEMS} items in a section"),
        ));
    }
    if items.iter().any(|i| i.chars().count() > MAX_ITEM_CHARS) {
        return Err(Error::invalid_field(
            InputProblem::TooLong,
            "items",
            format!("an item can have at most {MAX_ITEM_CHARS} characters"),
        ));
    }
    Ok(())
}

fn check_contact(contact: &PlanContact) -> Result<()> {
    let name_chars = contact.name.chars().count();
    if name_chars == 0 || name_chars > MAX_NAME_CHARS {
        return Err(Error::invalid_field(
            InputProblem::Missing,
            "name",
            format!("a contact needs a name of 1 to {MAX_NAME_CHARS} characters"),
        ));
    }
    tel_uri(&contact.phone).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tel_uris_follow_rfc_3966_and_refuse_guesswork() {
        assert_eq!(tel_uri("+1 (866) 488-7386").unwrap(), "tel:+18664887386");
        assert_eq!(tel_uri("0151 234 5678").unwrap(), "tel:01512345678");
        assert_eq!(tel_uri("988").unwrap(), "tel:988");
        for bad in [
            "",
            "12",
            "call me",
            "+1 866 ext 5",
            "++4412345",
            "1234567890123456",
        ] {
            assert!(tel_uri(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sections_parse_from_friendly_names() {
        assert_eq!(Section::parse("Warning_Signs"), Some(Section::WarningSigns));
        assert_eq!(Section::parse("reasons"), Some(Section::ReasonsForLiving));
        assert_eq!(Section::parse("elsewhere"), None);
    }
}
