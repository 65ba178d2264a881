//! The directory's data: entries as they are compiled in and shipped in signed bundles.
//!
//! The JSON form of [`DirectoryData`] is the bundled file `core/data/directory.json`, built
//! by `scripts/build_directory.py` from the sourced reference tables, and the payload of a
//! signed update bundle. Every entry keeps its `source_url` and `verified_on` date.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::actions;
use super::hours::Hours;

pub const DATA_FORMAT: &str = "kinship-directory";
/// Pseudo-country of resources that serve everyone, wherever they are.
pub const INTERNATIONAL: &str = "INTL";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DataError {
    #[error("directory data is not valid JSON: {0}")]
    Malformed(String),
    #[error("directory entry {id}: {problem}")]
    Invalid { id: String, problem: String },
}

/// Unknown fields are ignored (not refused), so a newer bundle with extra fields still
/// updates an older app.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DirectoryData {
    pub format: String,
    /// Grows with every published bundle; an update must carry a larger one.
    pub version: u64,
    pub generated_on: NaiveDate,
    pub entries: Vec<DirectoryEntry>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Emergency,
    CrisisHotline,
    TextLine,
    Chat,
    OnlineCommunity,
    InPersonGroup,
    MentorshipProgram,
    /// Professional help: peer support works best alongside it.
    Counseling,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Emergency,
        Kind::CrisisHotline,
        Kind::TextLine,
        Kind::Chat,
        Kind::OnlineCommunity,
        Kind::InPersonGroup,
        Kind::MentorshipProgram,
        Kind::Counseling,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Emergency => "emergency",
            Kind::CrisisHotline => "crisis_hotline",
            Kind::TextLine => "text_line",
            Kind::Chat => "chat",
            Kind::OnlineCommunity => "online_community",
            Kind::InPersonGroup => "in_person_group",
            Kind::MentorshipProgram => "mentorship_program",
            Kind::Counseling => "counseling",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        let wanted = text.trim().to_lowercase().replace(['-', ' '], "_");
        Kind::ALL.into_iter().find(|k| k.as_str() == wanted)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmergencyService {
    General,
    Police,
    Ambulance,
    Fire,
}

/// Ways to reach a service. Phone numbers are either full E.164 numbers or national short
/// codes, never both; every one is checked before an action is built from it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Channels {
    pub phone_e164: Option<String>,
    /// A national short code as written locally ("988", "116 123", "13 11 14").
    pub short_code: Option<String>,
    pub sms: Option<Sms>,
    pub chat_url: Option<String>,
    pub website: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sms {
    pub number: String,
    pub keyword: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgeRange {
    pub min: Option<u8>,
    pub max: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DirectoryEntry {
    pub id: String,
    pub kind: Kind,
    pub name: String,
    pub organization: Option<String>,
    pub description: Option<String>,
    /// ISO 3166-1 alpha-2 codes, or `INTL`.
    pub countries: Vec<String>,
    /// BCP-47 codes, only where a source states them.
    pub languages: Vec<String>,
    pub audience: Vec<String>,
    pub channels: Channels,
    #[serde(default)]
    pub emergency_services: Vec<EmergencyService>,
    /// `None` when no source states the hours.
    pub hours: Option<Hours>,
    pub hours_text: Option<String>,
    pub cost: Option<String>,
    pub age_range: Option<AgeRange>,
    /// What the source says about confidentiality, e.g. whether the line may call emergency
    /// services without consent.
    pub confidentiality: Option<String>,
    pub source_url: String,
    #[serde(default)]
    pub sources: Vec<String>,
    /// Emergency numbers: position in the source's own row, which orders a country's numbers.
    #[serde(default)]
    pub source_order: Option<u32>,
    pub verified_on: NaiveDate,
    pub notes: Option<String>,
    /// Why a short code the numbering-plan library does not list is kept (tests read this).
    #[serde(default)]
    pub libphonenumber_exception: Option<String>,
}

impl DirectoryData {
    pub fn parse(json: &str) -> Result<Self, DataError> {
        let data: DirectoryData =
            serde_json::from_str(json).map_err(|e| DataError::Malformed(e.to_string()))?;
        data.validate()?;
        Ok(data)
    }

    /// Checks what the app relies on: unique ids, a way to reach every entry, well-formed
    /// numbers and links, sources and dates.
    pub fn validate(&self) -> Result<(), DataError> {
        if self.format != DATA_FORMAT {
            return Err(invalid("-", "not a kinship-directory document"));
        }
        let mut ids = std::collections::HashSet::new();
        for entry in &self.entries {
            if !ids.insert(entry.id.as_str()) {
                return Err(invalid(&entry.id, "duplicate id"));
            }
            entry.validate()?;
        }
        Ok(())
    }
}

impl DirectoryEntry {
    pub fn validate(&self) -> Result<(), DataError> {
        let fail = |problem: &str| Err(invalid(&self.id, problem));
        let id_ok = (2..=80).contains(&self.id.len())
            && self
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !id_ok {
            return fail("id must be [a-z0-9-]");
        }
        if self.name.trim().is_empty() {
            return fail("no name");
        }
        if self.countries.is_empty()
            || self
                .countries
                .iter()
                .any(|c| c != INTERNATIONAL && !is_country_code(c))
        {
            return fail("countries must be ISO 3166-1 alpha-2 codes or INTL");
        }
        let c = &self.channels;
        if c.phone_e164.is_some() && c.short_code.is_some() {
            return fail("a full number and a short code in one entry");
        }
        if let Some(phone) = &c.phone_e164 {
            if !actions::is_e164(phone) {
                return fail("phone_e164 is not an E.164 number");
            }
        }
        if let Some(code) = &c.short_code {
            if !actions::is_short_code(code) {
                return fail("short_code is not a short code");
            }
        }
        if let Some(sms) = &c.sms {
            if !actions::is_sms_number(&sms.number) {
                return fail("sms number is malformed");
            }
        }
        for url in [&c.chat_url, &c.website].into_iter().flatten() {
            if !actions::is_web_url(url) {
                return fail("links must be http(s) URLs");
            }
        }
        if c.phone_e164.is_none()
            && c.short_code.is_none()
            && c.sms.is_none()
            && c.chat_url.is_none()
            && c.website.is_none()
        {
            return fail("no way to reach it");
        }
        if (self.kind == Kind::Emergency) == self.emergency_services.is_empty() {
            return fail("emergency entries, and only they, list the services they reach");
        }
        if let Some(hours) = &self.hours {
            hours
                .validate()
                .map_err(|problem| invalid(&self.id, &problem))?;
        }
        if !actions::is_web_url(&self.source_url)
            && self.source_url != super::private::PRIVATE_SOURCE
        {
            return fail("every entry needs a source URL");
        }
        Ok(())
    }

    pub fn is_international(&self) -> bool {
        self.countries.iter().any(|c| c == INTERNATIONAL)
    }

    pub fn serves(&self, country: &str) -> bool {
        self.countries
            .iter()
            .any(|c| c.eq_ignore_ascii_case(country))
    }

    pub fn is_lgbtq(&self) -> bool {
        self.audience.iter().any(|a| {
            matches!(
                a.as_str(),
                "lgbtq"
                    | "trans"
                    | "bisexual"
                    | "lesbian"
                    | "gay"
                    | "queer"
                    | "intersex"
                    | "nonbinary"
            )
        })
    }
}

pub fn is_country_code(code: &str) -> bool {
    code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase())
}

fn invalid(id: &str, problem: &str) -> DataError {
    DataError::Invalid {
        id: id.to_owned(),
        problem: problem.to_owned(),
    }
}
