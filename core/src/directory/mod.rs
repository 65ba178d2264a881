//! The offline directory of crisis lines, emergency numbers and peer-support groups.
//!
//! It ships inside the library (`core/data/directory.json`), so the first launch with no
//! network already has it, and can be replaced by a newer signed bundle ([`bundle`]). It needs
//! no passphrase: crisis contacts must be one tap away even when the vault is locked. The
//! person's own private entries (a therapist, a local group) are sealed in their profile and
//! join the results while it is unlocked ([`private`]).
//!
//! Every entry carries its sources, each with the page's own date where it shows one; an entry
//! whose newest source is older than [`STALE_AFTER_DAYS`] is marked `stale` and ranks below
//! fresh entries of the same kind.

pub mod bundle;
pub mod private;
pub mod reports;

use crate::error::InputProblem;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

use crate::text::{fold_words, matches_all_prefixes};
pub use kinship_directory::{actions, hours, model, CountryCode};

pub use actions::{Action, ActionKind, Trace};
pub use bundle::BundleError;
pub use model::{
    Channels, CitedSource, DataError, DirectoryData, DirectoryEntry, EmergencyService, Kind, Sms,
    Source, Status, INTERNATIONAL,
};

/// The directory compiled into the library (core/data/directory.json), DEFLATE-compressed by
/// core/build.rs.
const BUILTIN_DEFLATE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/directory.json.deflate"));

/// The JSON of the directory compiled into the library.
pub fn builtin_json() -> Result<String, DataError> {
    let bytes = miniz_oxide::inflate::decompress_to_vec_with_limit(BUILTIN_DEFLATE, 16 << 20)
        .map_err(|_| DataError::Malformed("the built-in directory does not inflate".into()))?;
    String::from_utf8(bytes)
        .map_err(|_| DataError::Malformed("the built-in directory is not UTF-8".into()))
}
/// An entry whose newest source is older than this (24 months) is shown as stale.
pub const STALE_AFTER_DAYS: i64 = 730;
/// Said when there are no verified numbers for a country. 112 is the GSM standard emergency
/// number; many phones and networks route it, but not all, so it is offered as a try.
pub const FALLBACK_ADVICE: &str = "Kinship has no verified numbers for this country yet. \
    From a mobile phone, 112 reaches emergency services in the EU and in many other countries, \
    but not everywhere: if you know your local emergency number, call that.";
/// Added to the advice when international lines follow it.
pub const FALLBACK_INTERNATIONAL: &str = " The international lines below may also help.";
/// Said when a country has emergency numbers but no crisis line that sources confirm.
pub const NO_CRISIS_LINE_ADVICE: &str = "Kinship knows no crisis line for this country that \
    its sources confirm yet. If you are in danger, call the emergency number above.";
const FALLBACK_SOURCE: &str = "https://en.wikipedia.org/wiki/112_(emergency_telephone_number)";

pub use crate::error::DirectoryError;

/// A way to be reached that a search can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// A phone call (a full number, a short code or a second number).
    Phone,
    /// A text message (SMS).
    Sms,
    /// A web chat or WhatsApp.
    Chat,
    /// The service's website.
    Website,
}

impl Channel {
    /// Parses `phone` (or `call`, `tel`), `sms` (or `text`), `chat` and `website` (or `web`),
    /// ignoring case and surrounding spaces; `None` for anything else.
    pub fn parse(text: &str) -> Option<Channel> {
        match text.trim().to_lowercase().as_str() {
            "phone" | "call" | "tel" => Some(Channel::Phone),
            "sms" | "text" => Some(Channel::Sms),
            "chat" => Some(Channel::Chat),
            "website" | "web" => Some(Channel::Website),
            _ => None,
        }
    }

    fn offered_by(self, channels: &Channels) -> bool {
        match self {
            Channel::Phone => {
                channels.phone_e164.is_some()
                    || channels.short_code.is_some()
                    || !channels.alt_numbers.is_empty()
            }
            Channel::Sms => channels.sms.is_some(),
            Channel::Chat => channels.chat_url.is_some() || channels.whatsapp_e164.is_some(),
            Channel::Website => channels.website.is_some(),
        }
    }
}

/// What a directory search asks for. Every filter is optional.
#[derive(Debug, Clone, Default)]
pub struct DirectoryQuery {
    /// Words that must all appear (as word prefixes) in the name, organisation or description.
    pub text: Option<String>,
    /// Entries for this country; international ones are always included.
    pub country: Option<String>,
    /// Only entries of this kind.
    pub kind: Option<Kind>,
    /// Entries for every one of these audiences (`lgbtq`, `trans`, `youth`, ...).
    pub audience: Vec<String>,
    /// Only entries that state this language (a BCP-47 code, case ignored; `pt` also matches
    /// `pt-BR`).
    pub language: Option<String>,
    /// Only entries that can be reached this way.
    pub channel: Option<Channel>,
    /// Only entries known to be open at the query time.
    pub open_now: bool,
    /// At most this many results; `None` for all.
    pub limit: Option<usize>,
}

/// A search result: the entry, with what the app needs to show and act on it.
#[derive(Debug, Clone, Serialize)]
pub struct SearchHit {
    /// The entry itself (its fields appear at the top level of the hit when serialised).
    #[serde(flatten)]
    pub entry: DirectoryEntry,
    /// One of the person's own sealed entries.
    pub private: bool,
    /// Its newest source is more than 24 months older than the query time.
    pub stale: bool,
    /// `None` when the hours are not known.
    pub open_now: Option<bool>,
    /// What can be tapped, most direct first; only the website for a paused or discontinued
    /// service.
    pub actions: Vec<Action>,
}

/// One tap in the crisis list.
#[derive(Debug, Clone, Serialize)]
pub struct CrisisContact {
    /// The directory entry's id (`fallback-112` for the 112 fallback).
    pub id: String,
    /// The service's name.
    pub name: String,
    /// What kind of service it is.
    pub kind: Kind,
    /// The button's text, e.g. `Call 988`, with `(<region> only)` or `(listening line, not a crisis
    /// service)` added where that applies.
    pub label: String,
    /// The URI the phone opens (`tel:`, `sms:`, ...): the same as `action.uri`.
    pub action_uri: String,
    /// The action in full: how it reaches the service, the trace it leaves, whether it must be
    /// dialled by hand.
    pub action: Action,
    /// `None` when the hours are unknown, or depend on the caller's region.
    pub open_now: Option<bool>,
    /// For a line closed now: when it opens next (it is shown, not hidden).
    pub opens_at: Option<DateTime<Utc>>,
    /// The line is open around the clock.
    pub always_open: bool,
    /// A listening or peer line, not a crisis service.
    pub warm_line: bool,
    /// The service is for LGBTQ+ people ([`DirectoryEntry::is_lgbtq`]).
    pub lgbtq: bool,
    /// A line for part of the country only (never shown as national).
    pub region: Option<String>,
    /// Whether the call is free / shows on the phone bill, where the operator says so.
    pub free: Option<bool>,
    /// Whether the call shows on the phone bill, where the operator says so.
    pub on_phone_bill: Option<bool>,
    /// Its newest source is more than [`STALE_AFTER_DAYS`] days older than the query time
    /// ([`is_stale`]).
    pub stale: bool,
    /// An emergency number no official source confirms yet.
    pub unverified: bool,
    /// The main source of its facts: an `http(s)` URL.
    pub source_url: String,
    /// The latest day a source was read.
    pub verified_on: NaiveDate,
}

/// What to call right now in one country, in the order to show it
/// ([`Directory::crisis_contacts_in`]).
#[derive(Debug, Clone, Serialize)]
pub struct CrisisContacts {
    /// The country asked for, trimmed and uppercased (an ISO 3166-1 alpha-2 code such as `DE`).
    pub country: String,
    /// Whether the directory has any entry for this country.
    pub has_country_data: bool,
    /// Whether a crisis line (not only emergency numbers) is known for this country.
    pub has_crisis_line: bool,
    /// One item per action, in the order to show them; an action appears only once.
    pub contacts: Vec<CrisisContact>,
    /// Honest advice when there is no country data, or no crisis line.
    pub advice: Option<String>,
}

/// An immutable snapshot of the directory, cheap to clone.
#[derive(Clone)]
pub struct Directory {
    data: Arc<DirectoryData>,
    /// Folded words of each entry's name, organisation and description, by entry index.
    words: Arc<Vec<EntryWords>>,
}

struct EntryWords {
    name: Vec<String>,
    organization: Vec<String>,
    description: Vec<String>,
}

impl Directory {
    /// The directory compiled into the library, parsed once per process.
    pub fn builtin() -> Result<Directory, DirectoryError> {
        static BUILTIN: OnceLock<Result<Directory, DataError>> = OnceLock::new();
        BUILTIN
            .get_or_init(|| Directory::parse(&builtin_json()?))
            .clone()
            .map_err(DirectoryError::Builtin)
    }

    /// Parses and validates a directory document in JSON.
    pub fn parse(json: &str) -> Result<Directory, DataError> {
        Ok(Directory::from_data(DirectoryData::parse(json)?))
    }

    /// A directory of `data` as given (not validated here), with its text indexed for search.
    pub fn from_data(data: DirectoryData) -> Directory {
        let words = data
            .entries
            .iter()
            .map(|e| EntryWords {
                name: fold_words(&e.name),
                organization: e
                    .organization
                    .as_deref()
                    .map(fold_words)
                    .unwrap_or_default(),
                description: e.description.as_deref().map(fold_words).unwrap_or_default(),
            })
            .collect();
        Directory {
            data: Arc::new(data),
            words: Arc::new(words),
        }
    }

    /// The directory a profile folder should use: its last good signed bundle when that is
    /// newer than the built-in one, else the built-in one.
    pub fn load(data_dir: &Path) -> Result<Directory, DirectoryError> {
        Self::load_with_keys(data_dir, bundle::TRUSTED_KEYS)
    }

    /// [`Directory::load`] trusting `keys` (tests and key rotation drills).
    pub fn load_with_keys(
        data_dir: &Path,
        keys: &[bundle::TrustedKey],
    ) -> Result<Directory, DirectoryError> {
        let builtin = Directory::builtin()?;
        Ok(match bundle::load_installed(data_dir, keys) {
            Some(data) if data.version > builtin.version() => Directory::from_data(data),
            _ => builtin,
        })
    }

    /// The version of the directory data; every published bundle has a larger one.
    pub fn version(&self) -> u64 {
        self.data.version
    }

    /// Every entry, in the data's order.
    pub fn entries(&self) -> &[DirectoryEntry] {
        &self.data.entries
    }

    /// The entry with this id, if any.
    pub fn get(&self, id: &str) -> Option<&DirectoryEntry> {
        self.data.entries.iter().find(|e| e.id == id)
    }

    /// Entries matching `query`, ranked: best text match, then by kind (emergency and crisis
    /// lines first), fresh before stale, the country's own before international, open before
    /// closed. `private` entries (the person's own) are searched too.
    pub fn search(
        &self,
        query: &DirectoryQuery,
        private: &[DirectoryEntry],
        at: DateTime<Utc>,
    ) -> Vec<SearchHit> {
        let query_words = query.text.as_deref().map(fold_words).unwrap_or_default();
        let mut ranked: Vec<(u32, SearchHit)> = Vec::new();
        let public = self
            .data
            .entries
            .iter()
            .zip(self.words.iter())
            .map(|(e, w)| (e, Some(w), false));
        let own = private.iter().map(|e| (e, None, true));
        for (entry, words, is_private) in public.chain(own) {
            if !passes_filters(entry, query, at) {
                continue;
            }
            let score = if query_words.is_empty() {
                0
            } else {
                let computed;
                let words = match words {
                    Some(words) => words,
                    None => {
                        computed = EntryWords {
                            name: fold_words(&entry.name),
                            organization: entry
                                .organization
                                .as_deref()
                                .map(fold_words)
                                .unwrap_or_default(),
                            description: entry
                                .description
                                .as_deref()
                                .map(fold_words)
                                .unwrap_or_default(),
                        };
                        &computed
                    }
                };
                match text_score(&query_words, words) {
                    Some(score) => score,
                    None => continue,
                }
            };
            ranked.push((score, hit(entry, is_private, at)));
        }
        let country = query.country.as_deref();
        ranked.sort_by(|(a_score, a), (b_score, b)| {
            b_score
                .cmp(a_score)
                .then_with(|| a.entry.kind.cmp(&b.entry.kind))
                .then_with(|| a.stale.cmp(&b.stale))
                .then_with(|| own_country_first(b, country).cmp(&own_country_first(a, country)))
                .then_with(|| {
                    b.open_now
                        .unwrap_or(false)
                        .cmp(&a.open_now.unwrap_or(false))
                })
                .then_with(|| a.entry.name.cmp(&b.entry.name))
        });
        ranked
            .into_iter()
            .map(|(_, hit)| hit)
            .take(query.limit.unwrap_or(usize::MAX))
            .collect()
    }

    /// What to call right now in `country` ([`Directory::crisis_contacts_in`] with no zone).
    pub fn crisis_contacts(&self, country: &str, at: DateTime<Utc>) -> CrisisContacts {
        self.crisis_contacts_in(country, at, None)
    }

    /// [`Directory::crisis_contacts`] for a country code as an app passes it: anything but an
    /// ISO 3166-1 alpha-2 code ("Germany", "D", "ZZ") is refused as invalid input on the
    /// field `country`, so a mistake is an error the app sees, never a silent "no data".
    pub fn crisis_contacts_for(
        &self,
        country: &str,
        at: DateTime<Utc>,
    ) -> crate::error::Result<CrisisContacts> {
        let code = parse_country(country)?;
        Ok(self.crisis_contacts(code.as_str(), at))
    }

    /// What to call right now in `country`, for a caller in `caller_zone` (their IANA zone,
    /// for lines open at the same local hours in each region):
    /// 1. emergency numbers: a general number, then medical, fire, and police last;
    /// 2. crisis lines open now (24/7 first, then open by their schedule, then unknown hours),
    ///    national before regional;
    /// 3. crisis lines closed now, with when they open next (shown, not hidden);
    /// 4. warm lines (listening and peer lines, labelled as such), open before closed;
    /// 5. international crisis lines.
    ///
    /// Paused or discontinued services never appear. A country with no data, or no crisis
    /// line, gets plain advice saying so.
    pub fn crisis_contacts_in(
        &self,
        country: &str,
        at: DateTime<Utc>,
        caller_zone: Option<&str>,
    ) -> CrisisContacts {
        let country = country.trim().to_uppercase();
        let callable = |e: &&DirectoryEntry| e.is_callable();
        let local: Vec<&DirectoryEntry> = self
            .data
            .entries
            .iter()
            .filter(|e| e.serves(&country) && !e.is_international())
            .collect();
        let has_country_data = !local.is_empty();
        let timing = |e: &DirectoryEntry| Timing::of(e, at, caller_zone);

        let mut contacts = Vec::new();
        let mut emergency: Vec<&DirectoryEntry> = local
            .iter()
            .copied()
            .filter(callable)
            .filter(|e| e.kind == Kind::Emergency)
            .collect();
        emergency.sort_by_key(|e| {
            let rank = e.emergency_services.iter().map(|s| s.crisis_rank()).min();
            (rank, e.source_order, e.id.clone())
        });
        for entry in emergency {
            push_actions(&mut contacts, entry, timing(entry), actions::call_actions);
        }
        if !has_country_data {
            contacts.push(fallback_112(self.data.generated_on));
        }

        let lines = |warm: bool| -> Vec<&DirectoryEntry> {
            let mut lines: Vec<&DirectoryEntry> = local
                .iter()
                .copied()
                .filter(callable)
                .filter(|e| {
                    if warm {
                        e.kind == Kind::WarmLine
                    } else {
                        e.kind.is_crisis_line()
                    }
                })
                .collect();
            // Cached: a key works out the hours (zone conversions, the next opening) once per line.
            lines.sort_by_cached_key(|e| {
                let t = timing(e);
                (
                    t.rank(),
                    e.region.is_some(),
                    t.opens_at,
                    is_stale(e, at),
                    e.name.clone(),
                )
            });
            lines
        };
        let crisis = lines(false);
        let has_crisis_line = !crisis.is_empty();
        for entry in crisis.iter().chain(lines(true).iter()) {
            push_line(&mut contacts, entry, timing(entry));
        }
        let mut world: Vec<&DirectoryEntry> = self
            .data
            .entries
            .iter()
            .filter(|e| e.is_international() && e.is_callable() && e.kind.is_crisis_line())
            .collect();
        world.sort_by_key(|e| (timing(e).rank(), e.name.clone()));
        let mut international_follow = false;
        for entry in world {
            let before = contacts.len();
            push_line(&mut contacts, entry, timing(entry));
            international_follow |= contacts.len() > before;
        }
        let tail = if international_follow {
            FALLBACK_INTERNATIONAL
        } else {
            ""
        };
        let advice = if !has_country_data {
            Some(format!("{FALLBACK_ADVICE}{tail}"))
        } else if !has_crisis_line {
            Some(format!("{NO_CRISIS_LINE_ADVICE}{tail}"))
        } else {
            None
        };
        CrisisContacts {
            country,
            has_country_data,
            has_crisis_line,
            contacts,
            advice,
        }
    }

    /// Countries with at least one entry, sorted.
    pub fn countries(&self) -> Vec<String> {
        let mut all: Vec<String> = self
            .data
            .entries
            .iter()
            .flat_map(|e| e.countries.iter().cloned())
            .filter(|c| c != INTERNATIONAL)
            .collect();
        all.sort();
        all.dedup();
        all
    }
}

/// Whether `entry` is stale at `at`: its newest source's own date is more than
/// [`STALE_AFTER_DAYS`] before. An entry whose sources show no date is not called stale (the
/// day the data was compiled says nothing about how current a page was).
pub fn is_stale(entry: &DirectoryEntry, at: DateTime<Utc>) -> bool {
    entry
        .newest_source_date()
        .is_some_and(|newest| at.date_naive() - newest > Duration::days(STALE_AFTER_DAYS))
}

/// When a line can be reached, at a given time and for a given caller.
#[derive(Debug, Clone, Copy)]
struct Timing {
    at: DateTime<Utc>,
    open_now: Option<bool>,
    always: bool,
    opens_at: Option<DateTime<Utc>>,
}

impl Timing {
    fn of(entry: &DirectoryEntry, at: DateTime<Utc>, caller_zone: Option<&str>) -> Timing {
        let Some(hours) = &entry.hours else {
            return Timing {
                at,
                open_now: None,
                always: false,
                opens_at: None,
            };
        };
        let open_now = hours.open_state(at, caller_zone);
        Timing {
            at,
            open_now,
            always: hours.is_always(),
            opens_at: (open_now != Some(true))
                .then(|| hours.next_opening(at, caller_zone))
                .flatten(),
        }
    }

    /// 0: around the clock, 1: open now by its schedule, 2: hours unknown, 3: closed now.
    fn rank(&self) -> u8 {
        match (self.always, self.open_now) {
            (true, _) => 0,
            (false, Some(true)) => 1,
            (false, None) => 2,
            (false, Some(false)) => 3,
        }
    }
}

pub(crate) fn hit(entry: &DirectoryEntry, private: bool, at: DateTime<Utc>) -> SearchHit {
    let actions = if entry.is_callable() {
        actions::actions_for(&entry.channels)
    } else {
        // Paused or discontinued: only the page about it, never a call.
        actions::actions_for(&Channels {
            website: entry.channels.website.clone(),
            ..Channels::default()
        })
    };
    SearchHit {
        entry: entry.clone(),
        private,
        stale: !private && is_stale(entry, at),
        open_now: open_state(entry, at),
        actions: actions
            .into_iter()
            .map(|a| a.with_call_cost(entry.free, entry.on_phone_bill))
            .collect(),
    }
}

fn open_state(entry: &DirectoryEntry, at: DateTime<Utc>) -> Option<bool> {
    entry.hours.as_ref().map(|h| h.is_open_at(at))
}

fn passes_filters(entry: &DirectoryEntry, query: &DirectoryQuery, at: DateTime<Utc>) -> bool {
    let country_ok = query
        .country
        .as_deref()
        .is_none_or(|c| entry.serves(c) || entry.is_international());
    let audience_ok = query.audience.iter().all(|wanted| {
        entry
            .audience
            .iter()
            .any(|a| a.eq_ignore_ascii_case(wanted))
    });
    let language_ok = query.language.as_deref().is_none_or(|lang| {
        entry.languages.iter().any(|l| {
            l.eq_ignore_ascii_case(lang)
                || l.split('-')
                    .next()
                    .is_some_and(|base| base.eq_ignore_ascii_case(lang))
        })
    });
    country_ok
        && audience_ok
        && language_ok
        && query.kind.is_none_or(|k| entry.kind == k)
        && query.channel.is_none_or(|c| c.offered_by(&entry.channels))
        && (!query.open_now || open_state(entry, at) == Some(true))
}

/// 3 points per query word found in the name, 2 in the organisation, 1 in the description;
/// `None` unless every word is found somewhere.
fn text_score(query_words: &[String], words: &EntryWords) -> Option<u32> {
    let all: Vec<String> = words
        .name
        .iter()
        .chain(&words.organization)
        .chain(&words.description)
        .cloned()
        .collect();
    if !matches_all_prefixes(query_words, &all) {
        return None;
    }
    let found = |pool: &[String], q: &String| pool.iter().any(|w| w.starts_with(q.as_str()));
    Some(
        query_words
            .iter()
            .map(|q| {
                if found(&words.name, q) {
                    3
                } else if found(&words.organization, q) {
                    2
                } else {
                    1
                }
            })
            .sum(),
    )
}

fn own_country_first(hit: &SearchHit, country: Option<&str>) -> bool {
    country.is_some_and(|c| hit.entry.serves(c) && !hit.entry.is_international())
}

/// A line's calls, then its text, WhatsApp and chat.
fn push_line(contacts: &mut Vec<CrisisContact>, entry: &DirectoryEntry, timing: Timing) {
    push_actions(contacts, entry, timing, actions::call_actions);
    push_actions(contacts, entry, timing, actions::message_actions);
}

/// Adds the actions `pick` finds in `entry`'s channels, skipping any already in the list.
fn push_actions(
    contacts: &mut Vec<CrisisContact>,
    entry: &DirectoryEntry,
    timing: Timing,
    pick: fn(&Channels) -> Vec<Action>,
) {
    for action in pick(&entry.channels) {
        if contacts.iter().any(|c| c.action_uri == action.uri) {
            continue;
        }
        contacts.push(contact(entry, action, timing));
    }
}

fn contact(entry: &DirectoryEntry, action: Action, timing: Timing) -> CrisisContact {
    let label = match (&entry.region, entry.kind) {
        (Some(region), _) => format!("{} ({region} only)", action.label),
        (None, Kind::WarmLine) => {
            format!("{} (listening line, not a crisis service)", action.label)
        }
        _ => action.label.clone(),
    };
    CrisisContact {
        id: entry.id.clone(),
        name: entry.name.clone(),
        kind: entry.kind,
        label,
        action_uri: action.uri.clone(),
        action: action.with_call_cost(entry.free, entry.on_phone_bill),
        open_now: timing.open_now,
        opens_at: timing.opens_at,
        always_open: timing.always,
        warm_line: entry.kind == Kind::WarmLine,
        lgbtq: entry.is_lgbtq(),
        region: entry.region.clone(),
        free: entry.free,
        on_phone_bill: entry.on_phone_bill,
        stale: is_stale(entry, timing.at),
        unverified: entry.primary_missing.is_some(),
        source_url: entry.source_url.clone(),
        verified_on: entry.verified_on,
    }
}

fn fallback_112(checked_on: NaiveDate) -> CrisisContact {
    let action = actions::call_actions(&Channels {
        short_code: Some("112".into()),
        ..Channels::default()
    })
    .remove(0);
    CrisisContact {
        id: "fallback-112".into(),
        name: "Try 112 (emergency services in many countries)".into(),
        kind: Kind::Emergency,
        label: "Call 112".into(),
        action_uri: "tel:112".into(),
        action,
        open_now: None,
        opens_at: None,
        always_open: false,
        warm_line: false,
        lgbtq: false,
        region: None,
        free: None,
        on_phone_bill: None,
        stale: false,
        unverified: true,
        source_url: FALLBACK_SOURCE.into(),
        verified_on: checked_on,
    }
}

/// A country code as an app passes it, or invalid input on the field `country`.
pub fn parse_country(text: &str) -> crate::error::Result<CountryCode> {
    CountryCode::parse(text).map_err(|e| {
        crate::error::Error::invalid_field(InputProblem::Malformed, "country", e.to_string())
    })
}
