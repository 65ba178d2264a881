//! The person's own directory entries: their therapist, a local group, a friend's helpline.
//! Sealed like the journal (`directory_private`), shown with the public entries while unlocked.

use crate::error::InputProblem;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, Utc};

use super::model::{Channels, DirectoryEntry, Kind, Sms};
use super::{actions, Directory, DirectoryQuery, SearchHit};
use crate::error::{Error, Result};
use crate::events::DataTopic;
use crate::session::Inner;

/// Table of the person's own directory entries, one sealed row each.
pub const TABLE: &str = "directory_private";
pub use super::model::PRIVATE_SOURCE;

/// What a person enters for an entry of their own.
#[derive(Debug, Clone, Default)]
pub struct NewPrivateEntry {
    /// What kind of service it is; `None` means [`Kind::Counseling`]. [`Kind::Emergency`] is
    /// refused: emergency numbers come only from the verified directory.
    pub kind: Option<Kind>,
    /// Required: trimmed, 1 to 120 characters.
    pub name: String,
    /// Who runs it, if the person says.
    pub organization: Option<String>,
    /// A short description; at most 2000 characters.
    pub description: Option<String>,
    /// A full international number (`+44 ...`): it must validate to become a `tel:` action.
    pub phone: Option<String>,
    /// A number to text: only digits and `+` are kept; the result must be 3 to 15 digits, with
    /// a `+` allowed only in front.
    pub sms: Option<String>,
    /// The service's page: an `http://` or `https://` URL with a dotted host name.
    pub website: Option<String>,
    /// The person's own notes; at most 2000 characters.
    pub notes: Option<String>,
}

/// The directory as the person sees it: public entries plus their own, sealed ones.
#[derive(Clone)]
pub struct PersonalDirectory {
    inner: Arc<Inner>,
}

impl PersonalDirectory {
    pub(crate) fn new(inner: Arc<Inner>) -> Self {
        PersonalDirectory { inner }
    }

    /// Seals a new entry of the person's own and returns it, with an id of `private-` and 16 random
    /// hex digits. Blank texts count as absent; at least a phone number, an SMS number or a website
    /// is needed.
    pub fn add(&self, new: NewPrivateEntry, now: DateTime<FixedOffset>) -> Result<DirectoryEntry> {
        let entry = build(
            format!("private-{}", crate::session::random_id(8)),
            new,
            now,
        )?;
        self.inner.with_unlocked(|u| {
            u.put_sealed(TABLE, &entry.id, &entry)?;
            u.changed(DataTopic::PersonalDirectory);
            Ok(entry)
        })
    }

    /// Replaces the person's own entry `id` with `new` (validated as in
    /// [`PersonalDirectory::add`]); [`Error::NotFound`] if there is no such entry.
    pub fn update(
        &self,
        id: &str,
        new: NewPrivateEntry,
        now: DateTime<FixedOffset>,
    ) -> Result<DirectoryEntry> {
        let entry = build(id.to_owned(), new, now)?;
        self.inner.with_unlocked(|u| {
            if u.get_sealed::<DirectoryEntry>(TABLE, id)?.is_none() {
                return Err(Error::NotFound);
            }
            u.put_sealed(TABLE, id, &entry)?;
            u.changed(DataTopic::PersonalDirectory);
            Ok(entry)
        })
    }

    /// Deletes the person's own entry `id`; [`Error::NotFound`] if there is no such entry.
    pub fn remove(&self, id: &str) -> Result<()> {
        self.inner.with_unlocked(|u| {
            if u.delete_sealed(TABLE, id)? {
                u.changed(DataTopic::PersonalDirectory);
                Ok(())
            } else {
                Err(Error::NotFound)
            }
        })
    }

    /// Queues a "this number didn't work" report on a public entry, sealed until the next
    /// sync sends it anonymously. At most [`super::reports::MAX_QUEUED`] wait; the oldest go.
    pub fn report(
        &self,
        entry_id: &str,
        problem: super::reports::ReportProblem,
        note: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<super::reports::QueuedReport> {
        let directory = Directory::load(self.inner.data_dir())?;
        let report = super::reports::build(&directory, entry_id, problem, note, now)?;
        self.inner.with_unlocked(|u| {
            let mut queued = queued(u)?;
            queued.sort_by_key(|r| r.queued_at);
            let excess = (queued.len() + 1).saturating_sub(super::reports::MAX_QUEUED);
            for old in queued.iter().take(excess) {
                u.delete_sealed(super::reports::TABLE, &old.id)?;
            }
            u.put_sealed(super::reports::TABLE, &report.id, &report)?;
            u.changed(DataTopic::PersonalDirectory);
            Ok(report)
        })
    }

    /// Reports waiting for the next sync, oldest first.
    pub fn queued_reports(&self) -> Result<Vec<super::reports::QueuedReport>> {
        self.inner.with_unlocked(|u| {
            let mut all = queued(u)?;
            all.sort_by_key(|r| r.queued_at);
            Ok(all)
        })
    }

    /// The person's own entries, sorted by name (damaged rows are skipped).
    pub fn private_entries(&self) -> Result<Vec<DirectoryEntry>> {
        self.inner.with_unlocked(|u| {
            let mut entries: Vec<DirectoryEntry> = u
                .all_sealed::<DirectoryEntry>(TABLE)?
                .into_iter()
                .filter_map(|(_, e)| e.ok())
                .collect();
            entries.sort_by(|a, b| a.name.cmp(&b.name));
            Ok(entries)
        })
    }

    /// Searches the public directory in use and the person's own entries together.
    pub fn search(
        &self,
        directory: &Directory,
        query: &DirectoryQuery,
        at: DateTime<Utc>,
    ) -> Result<Vec<SearchHit>> {
        let own = self.private_entries()?;
        Ok(directory.search(query, &own, at))
    }
}

/// Every readable queued report (a damaged row is skipped, never sent).
pub(crate) fn queued(u: &crate::session::Unlocked) -> Result<Vec<super::reports::QueuedReport>> {
    Ok(
        u.all_sealed::<super::reports::QueuedReport>(super::reports::TABLE)?
            .into_iter()
            .filter_map(|(_, r)| r.ok())
            .collect(),
    )
}

fn build(id: String, new: NewPrivateEntry, now: DateTime<FixedOffset>) -> Result<DirectoryEntry> {
    let clean = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let phone_e164 = clean(new.phone)
        .map(|p| international_number(&p))
        .transpose()?;
    let sms = clean(new.sms)
        .map(|s| {
            let digits: String = s
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '+')
                .collect();
            if actions::is_sms_number(&digits) {
                Ok(Sms {
                    number: digits,
                    keyword: None,
                })
            } else {
                Err(Error::invalid_field(
                    InputProblem::Malformed,
                    "sms",
                    "an SMS number may hold only digits and a leading +",
                ))
            }
        })
        .transpose()?;
    let website = clean(new.website);
    if website.as_deref().is_some_and(|w| !actions::is_web_url(w)) {
        return Err(Error::invalid_field(
            InputProblem::Malformed,
            "website",
            "a website must start with https:// or http://",
        ));
    }
    let entry = DirectoryEntry {
        id,
        kind: new.kind.unwrap_or(Kind::Counseling),
        name: new.name.trim().to_owned(),
        organization: clean(new.organization),
        description: clean(new.description),
        countries: vec![super::INTERNATIONAL.into()],
        region: None,
        status: super::Status::Active,
        languages: Vec::new(),
        audience: Vec::new(),
        channels: Channels {
            phone_e164,
            short_code: None,
            sms,
            chat_url: None,
            website,
            ..Channels::default()
        },
        emergency_services: Vec::new(),
        hours: None,
        hours_text: None,
        cost: None,
        free: None,
        on_phone_bill: None,
        age_range: None,
        confidentiality: None,
        source_url: PRIVATE_SOURCE.into(),
        sources: Vec::new(),
        source_order: None,
        verified_on: now.date_naive(),
        notes: clean(new.notes),
        libphonenumber_exception: None,
        primary_missing: None,
    };
    if entry.name.is_empty() || entry.name.chars().count() > 120 {
        return Err(Error::invalid_field(
            InputProblem::Missing,
            "name",
            "a name of 1 to 120 characters is needed",
        ));
    }
    if entry.kind == Kind::Emergency {
        return Err(Error::invalid_field(
            InputProblem::NotAllowed,
            "kind",
            "emergency numbers come only from the verified directory",
        ));
    }
    if entry.channels.phone_e164.is_none()
        && entry.channels.sms.is_none()
        && entry.channels.website.is_none()
    {
        return Err(Error::invalid_field(
            InputProblem::Missing,
            "phone",
            "give a phone number, an SMS number or a website",
        ));
    }
    for text in [&entry.description, &entry.notes].into_iter().flatten() {
        if text.chars().count() > 2000 {
            return Err(Error::invalid_field(
                InputProblem::TooLong,
                "notes",
                "descriptions and notes can have at most 2000 characters",
            ));
        }
    }
    Ok(entry)
}

/// `+44 20 7946 0000` -> `+442079460000`, refusing anything that is not a full number.
fn international_number(typed: &str) -> Result<String> {
    let digits: String = typed
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
        .collect();
    if actions::is_e164(&digits) {
        Ok(digits)
    } else {
        Err(Error::invalid_field(
            InputProblem::Malformed,
            "phone",
            "give the full international number, starting with + and the country code",
        ))
    }
}
