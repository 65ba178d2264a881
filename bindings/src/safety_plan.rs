//! The safety plan (Stanley–Brown sections) with one-tap `tel:` contacts.

use crate::error::Result;
use crate::profile::KinshipProfile;

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
    /// The one-tap `tel:` URI (computed; ignored when saving a plan).
    #[uniffi(default = None)]
    pub action_uri: Option<String>,
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
    /// RFC 3339; `None` until the person writes the plan.
    #[uniffi(default = None)]
    pub updated_at: Option<String>,
}

/// The heading the app shows for a section, in the plan's own words.
#[uniffi::export]
pub fn safety_plan_heading(section: SafetyPlanSection) -> String {
    kinship_core::Section::from(section).heading().to_owned()
}

#[uniffi::export]
impl KinshipProfile {
    /// The plan; empty until the person writes one.
    pub fn get_safety_plan(&self) -> Result<SafetyPlan> {
        Ok(self.inner.safety_plan().get()?.into())
    }

    /// Replaces one section's items (blank items are dropped).
    pub fn set_safety_plan_section(
        &self,
        section: SafetyPlanSection,
        items: Vec<String>,
    ) -> Result<SafetyPlan> {
        let plan =
            self.inner
                .safety_plan()
                .set_section(section.into(), items, crate::now_local())?;
        Ok(plan.into())
    }

    /// Adds a person to ask for help; the number is checked for shape, never changed.
    pub fn add_safety_plan_contact(&self, name: String, phone: String) -> Result<PlanContact> {
        let added = self
            .inner
            .safety_plan()
            .add_contact(&name, &phone, crate::now_local())?;
        Ok(added.into())
    }

    /// Removes the contact at `index` (0-based, in the order shown).
    pub fn remove_safety_plan_contact(&self, index: u32) -> Result<SafetyPlan> {
        let plan = self
            .inner
            .safety_plan()
            .remove_contact(index as usize, crate::now_local())?;
        Ok(plan.into())
    }

    /// Saves the whole plan at once (an edit screen for everything).
    pub fn replace_safety_plan(&self, plan: SafetyPlan) -> Result<SafetyPlan> {
        let plan = kinship_core::SafetyPlan {
            warning_signs: plan.warning_signs,
            internal_coping: plan.internal_coping,
            distractions: plan.distractions,
            help_contacts: plan
                .help_contacts
                .into_iter()
                .map(|c| kinship_core::PlanContact {
                    name: c.name,
                    phone: c.phone,
                })
                .collect(),
            professionals: plan.professionals,
            safe_environment: plan.safe_environment,
            reasons_for_living: plan.reasons_for_living,
            updated_at: None,
        };
        let saved = self.inner.safety_plan().replace(plan, crate::now_local())?;
        Ok(saved.into())
    }
}

impl From<kinship_core::PlanContact> for PlanContact {
    fn from(contact: kinship_core::PlanContact) -> Self {
        PlanContact {
            action_uri: contact.action_uri(),
            name: contact.name,
            phone: contact.phone,
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
            updated_at: plan.updated_at.map(|t| crate::rfc3339(&t)),
        }
    }
}

redacted_display!(PlanContact, SafetyPlan,);
