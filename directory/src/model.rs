//! The directory's data: entries as they are compiled in and shipped in signed bundles.
//!
//! The JSON form of [`DirectoryData`] is the bundled file `core/data/directory.json`, built
//! by `scripts/build_directory.py` from the sourced reference tables, and the payload of a
//! signed update bundle. Every entry keeps its `source_url` and `verified_on` date.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::actions;
use crate::hours::Hours;

pub const DATA_FORMAT: &str = "kinship-directory";
/// The `source_url` of a person's own entry: they wrote it.
pub const PRIVATE_SOURCE: &str = "kinship:private";
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
    /// A listening, befriending or peer line: someone to talk to, not a crisis service.
    WarmLine,
    OnlineCommunity,
    InPersonGroup,
    MentorshipProgram,
    /// Professional help: peer support works best alongside it.
    Counseling,
}

impl Kind {
    pub const ALL: [Kind; 9] = [
        Kind::Emergency,
        Kind::CrisisHotline,
        Kind::TextLine,
        Kind::Chat,
        Kind::WarmLine,
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
            Kind::WarmLine => "warm_line",
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

    /// Crisis services proper: lines that answer people at risk, by call, text or chat.
    pub fn is_crisis_line(self) -> bool {
        matches!(self, Kind::CrisisHotline | Kind::TextLine | Kind::Chat)
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

impl EmergencyService {
    /// The crisis list's order: a general number, then the medical one (for self-harm or an
    /// overdose a medical responder should come, and many LGBTQ+ people fear police contact),
    /// then fire, then police.
    pub fn crisis_rank(self) -> u8 {
        match self {
            EmergencyService::General => 0,
            EmergencyService::Ambulance => 1,
            EmergencyService::Fire => 2,
            EmergencyService::Police => 3,
        }
    }
}

/// Whether a service runs. A paused or discontinued one is never offered as callable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    #[default]
    Active,
    Paused,
    Discontinued,
}

/// Where an entry's facts come from. Bundles of the first format carried bare URLs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Source {
    Cited(CitedSource),
    Url(String),
}

/// A page that states the entry's number or link, and what it says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CitedSource {
    pub url: String,
    /// `operator`, `official`, `news`, `wikipedia`, `reference` or `aggregator`.
    pub kind: String,
    #[serde(default)]
    pub publisher: Option<String>,
    /// The page's own date (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`), where it shows one.
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub says: Option<String>,
    /// The day it was read.
    #[serde(default)]
    pub checked: Option<String>,
}

impl Source {
    pub fn url(&self) -> &str {
        match self {
            Source::Cited(cited) => &cited.url,
            Source::Url(url) => url,
        }
    }

    /// The last day of the period the page's own date names (2024-03 -> 2024-03-31).
    pub fn dated(&self) -> Option<NaiveDate> {
        let Source::Cited(cited) = self else {
            return None;
        };
        let text = cited.date.as_deref()?;
        let mut parts = text.splitn(3, '-');
        let year: i32 = parts.next()?.parse().ok()?;
        let month: Option<u32> = parts.next().map(str::parse).transpose().ok()?;
        let day: Option<u32> = parts.next().map(str::parse).transpose().ok()?;
        match (month, day) {
            (Some(m), Some(d)) => NaiveDate::from_ymd_opt(year, m, d),
            (Some(m), None) => {
                let next = if m == 12 {
                    NaiveDate::from_ymd_opt(year + 1, 1, 1)
                } else {
                    NaiveDate::from_ymd_opt(year, m + 1, 1)
                };
                next.and_then(|d| d.pred_opt())
            }
            _ => NaiveDate::from_ymd_opt(year, 12, 31),
        }
    }
}

/// Ways to reach a service. Phone numbers are either full E.164 numbers or national short
/// codes, never both; every one is checked before an action is built from it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Channels {
    pub phone_e164: Option<String>,
    /// A national short code as written locally ("988", "116 123", "13 11 14").
    pub short_code: Option<String>,
    pub sms: Option<Sms>,
    /// A second number the operator publishes (callers often redial): E.164 or a short code.
    #[serde(default)]
    pub alt_numbers: Vec<String>,
    /// A WhatsApp number the operator publishes.
    #[serde(default)]
    pub whatsapp_e164: Option<String>,
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
    /// For a line that serves part of a country only (a city's or a state's): never shown as
    /// national.
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub status: Status,
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
    /// Whether a call is free, where the operator says so.
    #[serde(default)]
    pub free: Option<bool>,
    /// Whether the call shows on the phone bill, where the operator says so: people at risk of
    /// being outed ask exactly that.
    #[serde(default)]
    pub on_phone_bill: Option<bool>,
    pub age_range: Option<AgeRange>,
    /// What the source says about confidentiality, e.g. whether the line may call emergency
    /// services without consent.
    pub confidentiality: Option<String>,
    pub source_url: String,
    #[serde(default)]
    pub sources: Vec<Source>,
    /// Emergency numbers: position in the source's own row, which orders a country's numbers.
    #[serde(default)]
    pub source_order: Option<u32>,
    pub verified_on: NaiveDate,
    pub notes: Option<String>,
    /// Why a number the numbering-plan library does not list is kept (tests read this).
    #[serde(default)]
    pub libphonenumber_exception: Option<String>,
    /// Set on an emergency number no official source confirms yet: shown as unverified.
    #[serde(default)]
    pub primary_missing: Option<String>,
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
        if c.alt_numbers
            .iter()
            .any(|n| !actions::is_e164(n) && !actions::is_short_code(n))
        {
            return fail("a second number is neither E.164 nor a short code");
        }
        if c.whatsapp_e164
            .as_deref()
            .is_some_and(|n| !actions::is_e164(n))
        {
            return fail("whatsapp_e164 is not an E.164 number");
        }
        for url in [&c.chat_url, &c.website].into_iter().flatten() {
            if !actions::is_web_url(url) {
                return fail("links must be http(s) URLs");
            }
        }
        if c.phone_e164.is_none()
            && c.short_code.is_none()
            && c.sms.is_none()
            && c.whatsapp_e164.is_none()
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
        if !actions::is_web_url(&self.source_url) && self.source_url != PRIVATE_SOURCE {
            return fail("every entry needs a source URL");
        }
        Ok(())
    }

    /// Whether it can be called, texted or chatted with now: not paused or discontinued.
    pub fn is_callable(&self) -> bool {
        self.status == Status::Active
    }

    /// The newest of its sources' own dates.
    pub fn newest_source_date(&self) -> Option<NaiveDate> {
        self.sources.iter().filter_map(Source::dated).max()
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
