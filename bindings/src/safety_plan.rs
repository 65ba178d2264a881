//! The safety plan (Stanley–Brown sections) with one-tap `tel:` contacts.

use std::time::SystemTime;

use crate::action::Action;
use crate::error::Result;

mirror_enum! {
    SafetyPlanSection <=> kinship_core::Section {
        WarningSigns,
        /// Things to do alone; items may be coping strategy ids.
        InternalCoping,
        /// People and places that distract.
        Distractions,
        Professionals,
        SafeEnvironment,
        ReasonsForLiving,
    }
}

/// A person to ask for help.
#[derive(Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct PlanContact {
    pub name: String,
    /// As the person typed it.
    pub phone: String,
    /// The one-tap call, `Call <name>` (computed; ignored when saving a plan). `None` when
    /// the number cannot be dialled as typed.
    #[uniffi(default = None)]
    pub action: Option<Action>,
    /// Whether they know about the person's sexuality or gender.
    pub knows_about_me: ContactAwareness,
    /// Safe to call in a crisis, as the person judged it; `None` until said. Suggestions at
    /// high distress offer the safe ones first and leave out the unsafe ones.
    #[uniffi(default = None)]
    pub safe_in_crisis: Option<bool>,
}

mirror_enum! {
    /// What a safety-plan contact knows about the person.
    ContactAwareness <=> kinship_core::Awareness {
        Knows,
        DoesNotKnow,
        /// Not sure, or not said.
        Unsure,
    }
}

#[derive(Clone, Default, PartialEq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct SafetyPlan {
    #[uniffi(default = [])]
    pub warning_signs: Vec<String>,
    #[uniffi(default = [])]
    pub internal_coping: Vec<String>,
    #[uniffi(default = [])]
    pub distractions: Vec<String>,
    #[uniffi(default = [])]
    pub help_contacts: Vec<PlanContact>,
    #[uniffi(default = [])]
    pub professionals: Vec<String>,
    #[uniffi(default = [])]
    pub safe_environment: Vec<String>,
    #[uniffi(default = [])]
    pub reasons_for_living: Vec<String>,
    /// `None` until the person writes the plan.
    #[uniffi(default = None)]
    pub updated_at: Option<SystemTime>,
}

/// The safety plan of an unlocked profile (`KinshipProfile.safetyPlan()`).
#[derive(uniffi::Object)]
pub struct SafetyPlanner {
    pub(crate) core: kinship_core::Kinship,
}

/// The heading the app shows for a section, in the plan's own words.
#[uniffi::export]
pub fn safety_plan_heading(section: SafetyPlanSection) -> String {
    kinship_core::Section::from(section).heading().to_owned()
}

#[uniffi::export]
impl SafetyPlanner {
    /// The plan; empty until the person writes one.
    pub fn get(&self) -> Result<SafetyPlan> {
        Ok(self.core.safety_plan().get()?.into())
    }

    /// Calls `listener` after every committed change to the plan.
    pub fn observe_changes(
        &self,
        listener: std::sync::Arc<dyn crate::listeners::ChangeListener>,
    ) -> std::sync::Arc<crate::task::TaskHandle> {
        crate::listeners::observe_changes(
            &self.core,
            kinship_core::events::DataTopic::SafetyPlan,
            listener,
        )
    }

    /// Replaces one section's items (blank items are dropped).
    pub fn set_section(
        &self,
        section: SafetyPlanSection,
        items: Vec<String>,
    ) -> Result<SafetyPlan> {
        let plan =
            self.core
                .safety_plan()
                .set_section(section.into(), items, crate::now_local())?;
        Ok(plan.into())
    }

    /// Adds a person to ask for help; the number is checked for shape, never changed.
    pub fn add_contact(&self, name: String, phone: String) -> Result<PlanContact> {
        let added = self
            .core
            .safety_plan()
            .add_contact(&name, &phone, crate::now_local())?;
        Ok(added.into())
    }

    /// Adds a contact with what they know and whether they are safe to call in a crisis (its
    /// `action` is ignored).
    pub fn add_contact_with(&self, contact: PlanContact) -> Result<PlanContact> {
        let added = self
            .core
            .safety_plan()
            .add_contact_with(contact.into(), crate::now_local())?;
        Ok(added.into())
    }

    /// Replaces `contact` (as the plan read it) by `changed`; `NotFound` when it is no longer
    /// there.
    pub fn update_contact(
        &self,
        contact: PlanContact,
        changed: PlanContact,
    ) -> Result<PlanContact> {
        let updated = self.core.safety_plan().update_matching_contact(
            &contact.name,
            &contact.phone,
            changed.into(),
            crate::now_local(),
        )?;
        Ok(updated.into())
    }

    /// Removes this contact (the first with its name and number, as the plan read it);
    /// `NotFound` when it is no longer there. Never by position, so a plan changed elsewhere
    /// since the screen read it cannot lose the wrong person.
    pub fn remove_contact(&self, contact: PlanContact) -> Result<SafetyPlan> {
        let plan = self.core.safety_plan().remove_matching_contact(
            &contact.name,
            &contact.phone,
            crate::now_local(),
        )?;
        Ok(plan.into())
    }

    /// Saves the whole plan at once (an edit screen for everything).
    pub fn replace(&self, plan: SafetyPlan) -> Result<SafetyPlan> {
        let plan = kinship_core::SafetyPlan {
            warning_signs: plan.warning_signs,
            internal_coping: plan.internal_coping,
            distractions: plan.distractions,
            help_contacts: plan
                .help_contacts
                .into_iter()
                .map(kinship_core::PlanContact::from)
                .collect(),
            professionals: plan.professionals,
            safe_environment: plan.safe_environment,
            reasons_for_living: plan.reasons_for_living,
            updated_at: None,
        };
        let saved = self.core.safety_plan().replace(plan, crate::now_local())?;
        Ok(saved.into())
    }
}

impl From<kinship_core::PlanContact> for PlanContact {
    fn from(contact: kinship_core::PlanContact) -> Self {
        PlanContact {
            action: contact.action().map(Into::into),
            name: contact.name,
            phone: contact.phone,
            knows_about_me: contact.knows_about_me.into(),
            safe_in_crisis: contact.safe_in_crisis,
        }
    }
}

impl From<PlanContact> for kinship_core::PlanContact {
    fn from(contact: PlanContact) -> Self {
        kinship_core::PlanContact {
            name: contact.name,
            phone: contact.phone,
            knows_about_me: contact.knows_about_me.into(),
            safe_in_crisis: contact.safe_in_crisis,
        }
    }
}

impl From<kinship_core::SafetyPlan> for SafetyPlan {
    fn from(plan: kinship_core::SafetyPlan) -> Self {
        SafetyPlan {
            warning_signs: plan.warning_signs,
            internal_coping: plan.internal_coping,
            distractions: plan.distractions,
            help_contacts: plan.help_contacts.into_iter().map(Into::into).collect(),
            professionals: plan.professionals,
            safe_environment: plan.safe_environment,
            reasons_for_living: plan.reasons_for_living,
            updated_at: plan.updated_at.as_ref().map(crate::time::instant),
        }
    }
}

redacted_display!(PlanContact, SafetyPlan,);
