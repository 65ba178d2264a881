//! The offline directory: crisis contacts (no profile, no passphrase, no network), search,
//! signed updates, and the person's own sealed entries.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use std::time::SystemTime;

use chrono::Utc;

use crate::action::{Action, CountryCode};
use crate::error::Result;
use crate::time::LocalDate;

mirror_enum! {
    DirectoryKind <=> kinship_core::directory::Kind {
        Emergency,
        CrisisHotline,
        TextLine,
        Chat,
        /// A listening or peer line: someone to talk to, not a crisis service.
        WarmLine,
        OnlineCommunity,
        InPersonGroup,
        MentorshipProgram,
        /// Professional help: peer support works best alongside it.
        Counseling,
    }
}

mirror_enum! {
    /// What went wrong with a directory entry ("this number didn't work").
    ReportProblem <=> kinship_core::directory::reports::ReportProblem {
        DidNotConnect,
        WrongHours,
        Closed,
        WrongInformation,
    }
}

mirror_enum! {
    /// A way to be reached that a search can ask for.
    ContactChannel <=> kinship_core::directory::Channel {
        Phone,
        Sms,
        Chat,
        Website,
    }
}

/// One tap in the crisis list.
#[derive(Clone, PartialEq, uniffi::Record)]
pub struct CrisisContactItem {
    pub id: String,
    pub name: String,
    pub kind: DirectoryKind,
    /// The tap: its label says "Call 988", with "(Scotland only)" or "(listening line, not a
    /// crisis service)" where that applies.
    pub action: Action,
    /// `None` when the hours are not known, or depend on the caller's region.
    pub open_now: Option<bool>,
    /// For a line closed now: when it opens next.
    pub opens_at: Option<SystemTime>,
    pub always_open: bool,
    /// A listening or peer line, not a crisis service.
    pub warm_line: bool,
    pub lgbtq: bool,
    /// A line for part of the country only.
    pub region: Option<String>,
    /// Whether the call is free / shows on the phone bill, where the operator says so.
    pub free: Option<bool>,
    pub on_phone_bill: Option<bool>,
    /// Its newest source is more than 24 months old.
    pub stale: bool,
    /// An emergency number no official source confirms yet.
    pub unverified: bool,
    pub source_url: String,
    pub verified_on: LocalDate,
}

/// Who to call now in one country.
#[derive(Clone, PartialEq, uniffi::Record)]
pub struct CrisisHelp {
    pub country: String,
    /// Whether the directory has any entry for this country.
    pub has_country_data: bool,
    /// Whether a crisis line (not only emergency numbers) is known there.
    pub has_crisis_line: bool,
    pub contacts: Vec<CrisisContactItem>,
    /// Honest advice when there is no verified number for the country.
    pub advice: Option<String>,
}

/// A "this number didn't work" report waiting for the next sync.
#[derive(Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct QueuedReport {
    pub entry_id: String,
    pub problem: ReportProblem,
    pub note: Option<String>,
}

#[derive(Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct DirectoryEntry {
    pub id: String,
    pub kind: DirectoryKind,
    pub name: String,
    pub organization: Option<String>,
    pub description: Option<String>,
    /// ISO 3166-1 alpha-2 codes, or `INT` for international services.
    pub countries: Vec<String>,
    pub languages: Vec<String>,
    pub audience: Vec<String>,
    pub phone_e164: Option<String>,
    pub short_code: Option<String>,
    pub sms_number: Option<String>,
    pub sms_keyword: Option<String>,
    pub chat_url: Option<String>,
    pub website: Option<String>,
    pub hours_text: Option<String>,
    pub cost: Option<String>,
    pub confidentiality: Option<String>,
    pub notes: Option<String>,
    pub source_url: String,
    pub verified_on: LocalDate,
}

/// A search result with what the app needs to show and act on it.
#[derive(Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct DirectoryHit {
    pub entry: DirectoryEntry,
    /// One of the person's own sealed entries.
    pub is_private: bool,
    pub stale: bool,
    pub open_now: Option<bool>,
    pub actions: Vec<Action>,
}

/// What a search asks for; every filter is optional.
#[derive(Clone, Default, PartialEq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct DirectoryQuery {
    #[uniffi(default = None)]
    pub text: Option<String>,
    /// Entries for this country; international ones are always included.
    #[uniffi(default = None)]
    pub country: Option<Arc<CountryCode>>,
    #[uniffi(default = None)]
    pub kind: Option<DirectoryKind>,
    /// Entries for every one of these audiences (`lgbtq`, `trans`, `youth`...).
    #[uniffi(default = [])]
    pub audience: Vec<String>,
    #[uniffi(default = None)]
    pub language: Option<String>,
    #[uniffi(default = None)]
    pub channel: Option<ContactChannel>,
    #[uniffi(default = false)]
    pub open_now: bool,
    #[uniffi(default = None)]
    pub limit: Option<i32>,
}

/// An entry of the person's own (a therapist, a local group); sealed in their profile.
#[derive(Clone, Default, PartialEq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct NewPrivateEntry {
    #[uniffi(default = None)]
    pub kind: Option<DirectoryKind>,
    pub name: String,
    #[uniffi(default = None)]
    pub organization: Option<String>,
    #[uniffi(default = None)]
    pub description: Option<String>,
    /// A full international number (`+44 ...`); it must validate to become a `tel:` action.
    #[uniffi(default = None)]
    pub phone: Option<String>,
    #[uniffi(default = None)]
    pub sms: Option<String>,
    #[uniffi(default = None)]
    pub website: Option<String>,
    #[uniffi(default = None)]
    pub notes: Option<String>,
}

/// Who to call now in `country` (an ISO 3166-1 alpha-2 code such as `DE`; anything else is
/// `InvalidInput` on the field `country`), with no profile, no passphrase and no
/// network: the emergency number first, then crisis lines open now.
/// It loads the directory on every call (checking an installed bundle's signature); a screen
/// that asks repeatedly keeps a [`KinshipDirectory`] instead.
#[uniffi::export]
pub fn crisis_contacts(data_dir: String, country: Arc<CountryCode>) -> Result<CrisisHelp> {
    let directory = kinship_core::Directory::load(&PathBuf::from(data_dir))?;
    Ok(directory
        .crisis_contacts(country.code.as_str(), Utc::now())
        .into())
}

/// The public directory in use for a data folder: the newest verified signed bundle there, or
/// the one compiled in. Needs no profile. Safe to share between threads.
#[derive(uniffi::Object)]
pub struct KinshipDirectory {
    data_dir: PathBuf,
    current: RwLock<kinship_core::Directory>,
}

#[uniffi::export]
impl KinshipDirectory {
    #[uniffi::constructor]
    pub fn open(data_dir: String) -> Result<Arc<Self>> {
        let data_dir = PathBuf::from(data_dir);
        let current = RwLock::new(kinship_core::Directory::load(&data_dir)?);
        Ok(Arc::new(KinshipDirectory { data_dir, current }))
    }

    pub fn version(&self) -> i64 {
        version_out(self.snapshot().version())
    }

    /// Countries with at least one entry.
    pub fn countries(&self) -> Vec<Arc<CountryCode>> {
        self.snapshot()
            .countries()
            .iter()
            .filter_map(|c| kinship_core::directory::CountryCode::parse(c).ok())
            .map(CountryCode::from_core)
            .collect()
    }

    /// Who to call now in `country`: the emergency number first, then crisis lines open now.
    pub fn crisis_contacts(&self, country: Arc<CountryCode>) -> CrisisHelp {
        self.snapshot()
            .crisis_contacts(country.code.as_str(), Utc::now())
            .into()
    }

    /// Public entries matching `query`, best first.
    pub fn search(&self, query: DirectoryQuery) -> Result<Vec<DirectoryHit>> {
        let hits = self.snapshot().search(&query.try_into()?, &[], Utc::now());
        Ok(hits.into_iter().map(Into::into).collect())
    }

    pub fn get(&self, id: String) -> Option<DirectoryEntry> {
        self.snapshot().get(&id).cloned().map(Into::into)
    }

    /// Installs a signed directory bundle if it verifies and is newer; returns the version
    /// now in use. A refused bundle changes nothing.
    pub fn install_bundle(&self, bundle: Vec<u8>) -> Result<i64> {
        kinship_core::directory::bundle::install(
            &self.data_dir,
            &bundle,
            kinship_core::directory::bundle::TRUSTED_KEYS,
        )?;
        let reloaded = kinship_core::Directory::load(&self.data_dir)?;
        let version = reloaded.version();
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = reloaded;
        Ok(version_out(version))
    }
}

/// Reloads the public directory, then tells the app's listener: a sync that installed a bundle
/// must not leave the screen reading the old one.
struct ReloadThenTell {
    public: Arc<KinshipDirectory>,
    listener: Arc<dyn crate::listeners::DirectoryListener>,
}

impl crate::listeners::DirectoryListener for ReloadThenTell {
    fn on_directory_updated(&self, version: i64) {
        // A reload that fails keeps the directory in use, which is still valid.
        let _ = self.public.reload();
        self.listener.on_directory_updated(version);
    }
}

impl KinshipDirectory {
    /// Reads the directory in use from the folder again (after a bundle was installed there).
    pub(crate) fn reload(&self) -> Result<()> {
        let reloaded = kinship_core::Directory::load(&self.data_dir)?;
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = reloaded;
        Ok(())
    }

    /// A cheap clone of the directory in use (a poisoned lock still holds a valid snapshot).
    fn snapshot(&self) -> kinship_core::Directory {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

/// The directory of an unlocked profile (`KinshipProfile.directory(public)`): the public one
/// with the person's own sealed entries, and "this number didn't work" reports.
#[derive(uniffi::Object)]
pub struct Directory {
    pub(crate) core: kinship_core::Kinship,
    pub(crate) public: Arc<KinshipDirectory>,
}

#[uniffi::export]
impl Directory {
    /// Who to call now in `country` (needs no unlock: the same as the public directory's).
    pub fn crisis_contacts(&self, country: Arc<CountryCode>) -> CrisisHelp {
        self.public.crisis_contacts(country)
    }

    /// Calls `listener` after every committed change to the person's own entries or queued
    /// reports.
    pub fn observe_changes(
        &self,
        listener: Arc<dyn crate::listeners::ChangeListener>,
    ) -> Arc<crate::task::TaskHandle> {
        crate::listeners::observe_changes(
            &self.core,
            kinship_core::events::DataTopic::PersonalDirectory,
            listener,
        )
    }

    /// Calls `listener` when a newer signed directory is installed (by a sync, or by
    /// [`Directory::install_bundle`]); the public directory this handle reads is reloaded
    /// before the listener is called.
    pub fn observe_updates(
        &self,
        listener: Arc<dyn crate::listeners::DirectoryListener>,
    ) -> Arc<crate::task::TaskHandle> {
        let public = self.public.clone();
        crate::listeners::observe_directory(
            &self.core,
            Arc::new(ReloadThenTell { public, listener }),
        )
    }

    /// Installs a signed directory bundle if it verifies and is newer (update listeners are
    /// told); returns the version now in use. A refused bundle changes nothing.
    pub fn install_bundle(&self, bundle: Vec<u8>) -> Result<i64> {
        let version = self.core.install_directory_bundle(&bundle)?;
        self.public.reload()?;
        Ok(version_out(version))
    }

    /// Searches the public directory and the person's own entries together.
    pub fn search(&self, query: DirectoryQuery) -> Result<Vec<DirectoryHit>> {
        let hits = self.core.personal_directory().search(
            &self.public.snapshot(),
            &query.try_into()?,
            Utc::now(),
        )?;
        Ok(hits.into_iter().map(Into::into).collect())
    }

    pub fn add_private_entry(&self, entry: NewPrivateEntry) -> Result<DirectoryEntry> {
        let added = self
            .core
            .personal_directory()
            .add(entry.into(), crate::now_local())?;
        Ok(added.into())
    }

    pub fn update_private_entry(
        &self,
        id: String,
        entry: NewPrivateEntry,
    ) -> Result<DirectoryEntry> {
        let updated =
            self.core
                .personal_directory()
                .update(&id, entry.into(), crate::now_local())?;
        Ok(updated.into())
    }

    pub fn remove_private_entry(&self, id: String) -> Result<()> {
        Ok(self.core.personal_directory().remove(&id)?)
    }

    /// Reports that an entry did not work. It waits, sealed, for the next sync, which sends
    /// it with no member token to the server the person syncs with; that server's operator
    /// can read the note (tell the person before they send).
    pub fn report_directory_entry(
        &self,
        entry_id: String,
        problem: ReportProblem,
        note: Option<String>,
    ) -> Result<()> {
        self.core
            .personal_directory()
            .report(&entry_id, problem.into(), note, Utc::now())?;
        Ok(())
    }

    /// Reports waiting for the next sync, oldest first.
    pub fn queued_directory_reports(&self) -> Result<Vec<QueuedReport>> {
        let queued = self.core.personal_directory().queued_reports()?;
        Ok(queued
            .into_iter()
            .map(|r| QueuedReport {
                entry_id: r.entry_id,
                problem: r.problem.into(),
                note: r.note,
            })
            .collect())
    }

    /// The person's own entries, by name.
    pub fn private_entries(&self) -> Result<Vec<DirectoryEntry>> {
        let entries = self.core.personal_directory().private_entries()?;
        Ok(entries.into_iter().map(Into::into).collect())
    }
}

impl TryFrom<DirectoryQuery> for kinship_core::DirectoryQuery {
    type Error = crate::error::KinshipError;

    fn try_from(query: DirectoryQuery) -> Result<Self> {
        Ok(kinship_core::DirectoryQuery {
            text: query.text,
            country: query.country.map(|c| c.alpha2()),
            kind: query.kind.map(Into::into),
            audience: query.audience,
            language: query.language,
            channel: query.channel.map(Into::into),
            open_now: query.open_now,
            limit: query
                .limit
                .map(|l| crate::count_arg("limit", l))
                .transpose()?,
        })
    }
}

/// A directory version (a date-like counter) as the apps' signed 64-bit integer.
fn version_out(version: u64) -> i64 {
    i64::try_from(version).unwrap_or(i64::MAX)
}

impl From<NewPrivateEntry> for kinship_core::directory::private::NewPrivateEntry {
    fn from(entry: NewPrivateEntry) -> Self {
        kinship_core::directory::private::NewPrivateEntry {
            kind: entry.kind.map(Into::into),
            name: entry.name,
            organization: entry.organization,
            description: entry.description,
            phone: entry.phone,
            sms: entry.sms,
            website: entry.website,
            notes: entry.notes,
        }
    }
}

impl From<kinship_core::directory::DirectoryEntry> for DirectoryEntry {
    fn from(e: kinship_core::directory::DirectoryEntry) -> Self {
        let (sms_number, sms_keyword) = match e.channels.sms {
            Some(sms) => (Some(sms.number), sms.keyword),
            None => (None, None),
        };
        DirectoryEntry {
            id: e.id,
            kind: e.kind.into(),
            name: e.name,
            organization: e.organization,
            description: e.description,
            countries: e.countries,
            languages: e.languages,
            audience: e.audience,
            phone_e164: e.channels.phone_e164,
            short_code: e.channels.short_code,
            sms_number,
            sms_keyword,
            chat_url: e.channels.chat_url,
            website: e.channels.website,
            hours_text: e.hours_text,
            cost: e.cost,
            confidentiality: e.confidentiality,
            notes: e.notes,
            source_url: e.source_url,
            verified_on: LocalDate(e.verified_on),
        }
    }
}

impl From<kinship_core::directory::SearchHit> for DirectoryHit {
    fn from(hit: kinship_core::directory::SearchHit) -> Self {
        DirectoryHit {
            entry: hit.entry.into(),
            is_private: hit.private,
            stale: hit.stale,
            open_now: hit.open_now,
            actions: hit.actions.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<kinship_core::CrisisContacts> for CrisisHelp {
    fn from(help: kinship_core::CrisisContacts) -> Self {
        CrisisHelp {
            country: help.country,
            has_country_data: help.has_country_data,
            has_crisis_line: help.has_crisis_line,
            contacts: help
                .contacts
                .into_iter()
                .map(|c| CrisisContactItem {
                    id: c.id,
                    name: c.name,
                    kind: c.kind.into(),
                    action: Action {
                        label: c.label,
                        ..c.action.into()
                    },
                    open_now: c.open_now,
                    opens_at: c.opens_at.as_ref().map(crate::time::instant),
                    always_open: c.always_open,
                    warm_line: c.warm_line,
                    lgbtq: c.lgbtq,
                    region: c.region,
                    free: c.free,
                    on_phone_bill: c.on_phone_bill,
                    stale: c.stale,
                    unverified: c.unverified,
                    source_url: c.source_url,
                    verified_on: LocalDate(c.verified_on),
                })
                .collect(),
            advice: help.advice,
        }
    }
}

redacted_display!(
    DirectoryEntry(id),
    DirectoryHit,
    NewPrivateEntry,
    DirectoryQuery,
    QueuedReport,
);
