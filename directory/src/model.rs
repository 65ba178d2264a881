//! The directory's data: entries as they are compiled in and shipped in signed bundles.
//!
//! The JSON form of [`DirectoryData`] is the bundled file `core/data/directory.json`, built
//! by `scripts/build_directory.py` from the sourced reference tables, and the payload of a
//! signed update bundle. Every entry keeps its `source_url` and `verified_on` date.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::actions;
use crate::hours::Hours;

/// The `format` value of every directory document.
pub const DATA_FORMAT: &str = "kinship-directory";
/// The `source_url` of a person's own entry: they wrote it.
pub const PRIVATE_SOURCE: &str = "kinship:private";
/// Pseudo-country of resources that serve everyone, wherever they are.
pub const INTERNATIONAL: &str = "INTL";

/// Why a directory document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DataError {
    /// Not JSON of the document's shape; holds the JSON decoder's message.
    #[error("directory data is not valid JSON: {0}")]
    Malformed(String),
    /// An entry, or the document as a whole, breaks a rule.
    #[error("directory entry {id}: {problem}")]
    Invalid {
        /// The entry's id, or `-` for the document as a whole.
        id: String,
        /// The rule it breaks, in English.
        problem: String,
    },
}

/// Unknown fields are ignored (not refused), so a newer bundle with extra fields still
/// updates an older app.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DirectoryData {
    /// Always [`DATA_FORMAT`].
    pub format: String,
    /// Grows with every published bundle; an update must carry a larger one.
    pub version: u64,
    /// The day the document was built (`YYYY-MM-DD`).
    pub generated_on: NaiveDate,
    /// Every entry; ids are unique.
    pub entries: Vec<DirectoryEntry>,
}

/// What kind of service an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A national emergency number; it lists the [`EmergencyService`]s it reaches.
    Emergency,
    /// A suicide or crisis line that answers people at risk.
    CrisisHotline,
    /// A crisis service by SMS.
    TextLine,
    /// A crisis service by web chat or WhatsApp.
    Chat,
    /// A listening, befriending or peer line: someone to talk to, not a crisis service.
    WarmLine,
    /// A moderated online peer community.
    OnlineCommunity,
    /// A network that runs or lists local peer groups.
    InPersonGroup,
    /// A programme that pairs newcomers with experienced members.
    MentorshipProgram,
    /// Professional help: peer support works best alongside it.
    Counseling,
}

impl Kind {
    /// Every kind, in declaration order.
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

    /// The kind's name in JSON, e.g. `"crisis_hotline"`.
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

    /// The kind named by `text`, ignoring case and surrounding white space, with `-` or a space
    /// accepted for `_` (`"crisis hotline"`); `None` for anything else.
    pub fn parse(text: &str) -> Option<Kind> {
        let wanted = text.trim().to_lowercase().replace(['-', ' '], "_");
        Kind::ALL.into_iter().find(|k| k.as_str() == wanted)
    }

    /// Crisis services proper: lines that answer people at risk, by call, text or chat.
    pub fn is_crisis_line(self) -> bool {
        matches!(self, Kind::CrisisHotline | Kind::TextLine | Kind::Chat)
    }
}

/// Which emergency service a number reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmergencyService {
    /// A general emergency number, not tied to one service.
    General,
    /// The police.
    Police,
    /// An ambulance: medical help.
    Ambulance,
    /// The fire service.
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
    /// It runs (the default when absent).
    #[default]
    Active,
    /// It has stopped for now.
    Paused,
    /// It has stopped for good.
    Discontinued,
}

/// Where an entry's facts come from. Bundles of the first format carried bare URLs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Source {
    /// A page with its kind, publisher, date and what it says.
    Cited(CitedSource),
    /// A bare URL, as bundles of the first format carried.
    Url(String),
}

/// A page that states the entry's number or link, and what it says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CitedSource {
    /// The page's address.
    pub url: String,
    /// `operator`, `official`, `news`, `wikipedia`, `reference` or `aggregator`.
    pub kind: String,
    /// Who published the page.
    #[serde(default)]
    pub publisher: Option<String>,
    /// The page's own date (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`), where it shows one.
    #[serde(default)]
    pub date: Option<String>,
    /// What the page states about the service.
    #[serde(default)]
    pub says: Option<String>,
    /// The day it was read.
    #[serde(default)]
    pub checked: Option<String>,
}

impl Source {
    /// The page's address, whichever form the source takes.
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
    /// A full number in E.164: `+` then 7 to 15 digits, the first not 0.
    pub phone_e164: Option<String>,
    /// A national short code as written locally ("988", "116 123", "13 11 14").
    pub short_code: Option<String>,
    /// A number to text, with the keyword to send where there is one.
    pub sms: Option<Sms>,
    /// A second number the operator publishes (callers often redial): E.164 or a short code.
    #[serde(default)]
    pub alt_numbers: Vec<String>,
    /// A WhatsApp number the operator publishes.
    #[serde(default)]
    pub whatsapp_e164: Option<String>,
    /// The page where a web chat starts: an `http(s)` URL with a dotted host name.
    pub chat_url: Option<String>,
    /// The page about the service: an `http(s)` URL with a dotted host name.
    pub website: Option<String>,
}

/// Where to text a service, and what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sms {
    /// The number to text: a short code or a full number, 3 to 15 digits, a leading `+` allowed.
    pub number: String,
    /// The word to send as the message body, where the service asks for one.
    pub keyword: Option<String>,
}

/// The ages a service is for, in years; either end may be open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgeRange {
    /// The youngest age served; `None` for no lower limit.
    pub min: Option<u8>,
    /// The oldest age served; `None` for no upper limit.
    pub max: Option<u8>,
}

/// One service in the directory: what it is, where it serves, how to reach it, when it is
/// open, and where its facts come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DirectoryEntry {
    /// A unique id of 2 to 80 characters of `a`-`z`, `0`-`9` and `-`, e.g. `us-988-lifeline`.
    pub id: String,
    /// What kind of service it is.
    pub kind: Kind,
    /// The service's name; not blank.
    pub name: String,
    /// Who runs the service.
    pub organization: Option<String>,
    /// A short description in plain English.
    pub description: Option<String>,
    /// ISO 3166-1 alpha-2 codes, or `INTL`.
    pub countries: Vec<String>,
    /// For a line that serves part of a country only (a city's or a state's): never shown as
    /// national.
    #[serde(default)]
    pub region: Option<String>,
    /// Whether the service runs; [`Status::Active`] when absent.
    #[serde(default)]
    pub status: Status,
    /// BCP-47 codes, only where a source states them.
    pub languages: Vec<String>,
    /// Who it is for, as free tags (`general`, `lgbtq`, `trans`, `youth`...); see
    /// [`DirectoryEntry::is_lgbtq`].
    pub audience: Vec<String>,
    /// How to reach it; at least one channel.
    pub channels: Channels,
    /// The services an emergency number reaches: not empty exactly when `kind` is
    /// [`Kind::Emergency`].
    #[serde(default)]
    pub emergency_services: Vec<EmergencyService>,
    /// `None` when no source states the hours.
    pub hours: Option<Hours>,
    /// The sources' own wording of the hours, in English, for people to read.
    pub hours_text: Option<String>,
    /// What the operator states about cost, as text.
    pub cost: Option<String>,
    /// Whether a call is free, where the operator says so.
    #[serde(default)]
    pub free: Option<bool>,
    /// Whether the call shows on the phone bill, where the operator says so: people at risk of
    /// being outed ask exactly that.
    #[serde(default)]
    pub on_phone_bill: Option<bool>,
    /// The ages it serves, where a source states them.
    pub age_range: Option<AgeRange>,
    /// What the source says about confidentiality, e.g. whether the line may call emergency
    /// services without consent.
    pub confidentiality: Option<String>,
    /// The main source: an `http(s)` URL, or [`PRIVATE_SOURCE`] for an entry a person wrote.
    pub source_url: String,
    /// Every source of its facts; empty when absent.
    #[serde(default)]
    pub sources: Vec<Source>,
    /// Emergency numbers: position in the source's own row, which orders a country's numbers.
    #[serde(default)]
    pub source_order: Option<u32>,
    /// The latest day a source was read (`YYYY-MM-DD`), not the day of a test call.
    pub verified_on: NaiveDate,
    /// What else the sources say, judgement calls and reminders to re-check.
    pub notes: Option<String>,
    /// Why a number the numbering-plan library does not list is kept (tests read this).
    #[serde(default)]
    pub libphonenumber_exception: Option<String>,
    /// Set on an emergency number no official source confirms yet: shown as unverified.
    #[serde(default)]
    pub primary_missing: Option<String>,
}

impl DirectoryData {
    /// Reads a directory document from JSON and validates it ([`DirectoryData::validate`]).
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
    /// Checks one entry: its id, name and countries, every number and link, at least one way to
    /// reach it, emergency services listed exactly for an emergency number, its hours and its
    /// source URL.
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

    /// Whether it serves everyone, wherever they are (its countries include [`INTERNATIONAL`]).
    pub fn is_international(&self) -> bool {
        self.countries.iter().any(|c| c == INTERNATIONAL)
    }

    /// Whether `country` (ISO 3166-1 alpha-2, in any case) is one of its countries. An
    /// international entry matches only `INTL` here, not every country.
    pub fn serves(&self, country: &str) -> bool {
        self.countries
            .iter()
            .any(|c| c.eq_ignore_ascii_case(country))
    }

    /// Whether one of its audience tags is LGBTQ+: `lgbtq`, `trans`, `bisexual`, `lesbian`, `gay`,
    /// `queer`, `intersex` or `nonbinary` (exact, lowercase).
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

/// Whether `code` has the form of an ISO 3166-1 alpha-2 code: two uppercase ASCII letters. It
/// is not checked against the list of assigned codes.
pub fn is_country_code(code: &str) -> bool {
    code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase())
}

fn invalid(id: &str, problem: &str) -> DataError {
    DataError::Invalid {
        id: id.to_owned(),
        problem: problem.to_owned(),
    }
}
