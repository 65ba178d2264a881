//! kinship-ffi: the uniffi layer for Android (Kotlin, package `app.kinship.core`) and iOS
//! (Swift, module `KinshipCore`). Thin on purpose: it converts types and forwards to
//! `kinship-core`, where all logic lives. Errors cross as one enum, [`KinshipError`]; uniffi
//! catches panics at the boundary (the release profile keeps unwinding for that reason).
//!
//! This first slice exposes the vault lifecycle, the journal, crisis contacts and sync; the
//! rest of the core follows in the same shape.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::Local;

uniffi::setup_scaffolding!();

/// Every error a phone can see, with what the app can do about it.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum KinshipError {
    #[error("the vault is locked")]
    Locked,
    #[error("no Kinship profile exists here yet")]
    NotInitialized,
    #[error("a Kinship profile already exists here")]
    AlreadyInitialized,
    #[error("wrong passphrase")]
    WrongPassphrase,
    #[error("wrong device key")]
    WrongDeviceKey,
    #[error("passphrase too weak")]
    WeakPassphrase,
    #[error("not found")]
    NotFound,
    #[error("invalid input: {reason}")]
    InvalidInput { reason: String },
    #[error("offline")]
    Offline,
    #[error("damaged data: {reason}")]
    Corrupted { reason: String },
    #[error("server: {reason}")]
    Remote { status: u16, reason: String },
    #[error("{reason}")]
    Other { reason: String },
}

/// The one place core errors become FFI errors.
impl From<kinship_core::Error> for KinshipError {
    fn from(err: kinship_core::Error) -> Self {
        use kinship_core::Error as E;
        match err {
            E::Locked | E::Erased => KinshipError::Locked,
            E::NotInitialized => KinshipError::NotInitialized,
            E::AlreadyInitialized => KinshipError::AlreadyInitialized,
            E::WrongPassphrase => KinshipError::WrongPassphrase,
            E::WrongDeviceKey | E::NoDeviceKey => KinshipError::WrongDeviceKey,
            E::WeakPassphrase => KinshipError::WeakPassphrase,
            E::NotFound => KinshipError::NotFound,
            E::InvalidInput { reason } => KinshipError::InvalidInput { reason },
            E::Offline => KinshipError::Offline,
            E::Corrupted { what } => KinshipError::Corrupted { reason: what },
            E::Remote { status, reason } => KinshipError::Remote { status, reason },
            other => KinshipError::Other {
                reason: other.to_string(),
            },
        }
    }
}

type Result<T, E = KinshipError> = std::result::Result<T, E>;

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct JournalEntry {
    pub id: String,
    /// RFC 3339 with the writer's UTC offset.
    pub created_at: String,
    pub updated_at: String,
    pub title: Option<String>,
    pub body: String,
    pub mood: Option<u8>,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct NewJournalEntry {
    pub title: Option<String>,
    pub body: String,
    pub mood: Option<u8>,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CrisisContactItem {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub label: String,
    /// `tel:`, `sms:` or `https:`: the phone only opens it.
    pub action_uri: String,
    pub open_now: Option<bool>,
    pub lgbtq: bool,
    pub source_url: String,
    pub verified_on: String,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SyncSummary {
    pub groups: u32,
    pub new_events: u32,
    pub updated_events: u32,
    pub removed_events: u32,
    pub errors: Vec<String>,
}

/// One person's profile: create or open it, unlock it, and reach its parts.
#[derive(uniffi::Object)]
pub struct KinshipProfile {
    inner: kinship_core::Kinship,
}

#[uniffi::export(async_runtime = "tokio")]
impl KinshipProfile {
    /// Creates a profile in `data_dir`, unlocked.
    #[uniffi::constructor]
    pub fn create(data_dir: String, passphrase: String) -> Result<Arc<Self>> {
        let inner = kinship_core::Kinship::create(&PathBuf::from(data_dir), &passphrase)?;
        Ok(Arc::new(KinshipProfile { inner }))
    }

    /// Opens an existing profile, locked.
    #[uniffi::constructor]
    pub fn open(data_dir: String) -> Result<Arc<Self>> {
        let inner = kinship_core::Kinship::open(&PathBuf::from(data_dir))?;
        Ok(Arc::new(KinshipProfile { inner }))
    }

    pub fn unlock(&self, passphrase: String) -> Result<()> {
        Ok(self.inner.unlock(&passphrase)?)
    }

    pub fn unlock_with_device_key(&self, device_key: Vec<u8>) -> Result<()> {
        Ok(self.inner.unlock_with_device_key(&device_key)?)
    }

    pub fn enable_device_key(&self, device_key: Vec<u8>) -> Result<()> {
        Ok(self.inner.enable_device_key(&device_key)?)
    }

    pub fn disable_device_key(&self) -> Result<()> {
        Ok(self.inner.disable_device_key()?)
    }

    pub fn lock(&self) {
        self.inner.lock()
    }

    pub fn is_unlocked(&self) -> bool {
        self.inner.is_unlocked()
    }

    /// Locks after this many idle seconds; `None` turns auto-lock off.
    pub fn set_auto_lock_seconds(&self, seconds: Option<u32>) {
        self.inner
            .set_auto_lock(seconds.map(|s| Duration::from_secs(u64::from(s))))
    }

    pub fn change_passphrase(&self, old: String, new: String) -> Result<()> {
        Ok(self.inner.change_passphrase(&old, &new)?)
    }

    /// Destroys the keys at once, then the files.
    pub fn quick_erase(&self) -> Result<()> {
        Ok(self.inner.quick_erase()?)
    }

    pub fn add_entry(&self, entry: NewJournalEntry) -> Result<JournalEntry> {
        let new = kinship_core::NewEntry {
            title: entry.title,
            body: entry.body,
            mood: entry.mood,
            tags: entry.tags,
            strategy_ids: Vec::new(),
        };
        Ok(entry_record(
            self.inner.journal().add(new, Local::now().fixed_offset())?,
        ))
    }

    pub fn get_entry(&self, id: String) -> Result<JournalEntry> {
        Ok(entry_record(self.inner.journal().get(&id)?))
    }

    /// The newest entries first.
    pub fn list_entries(&self, limit: u32) -> Result<Vec<JournalEntry>> {
        let page = self.inner.journal().list(
            &kinship_core::EntryFilter::default(),
            limit as usize,
            None,
        )?;
        Ok(page.entries.into_iter().map(entry_record).collect())
    }

    pub fn search_entries(&self, query: String, limit: u32) -> Result<Vec<JournalEntry>> {
        let found = self.inner.journal().search(&query, limit as usize)?;
        Ok(found.into_iter().map(entry_record).collect())
    }

    pub fn delete_entry(&self, id: String) -> Result<()> {
        Ok(self.inner.journal().delete(&id)?)
    }

    /// Follows a peer group (a private one needs its invite code).
    pub async fn follow_group(
        &self,
        server_url: String,
        group_id: String,
        invite_code: Option<String>,
    ) -> Result<()> {
        self.inner
            .groups()
            .follow(&server_url, &group_id, invite_code.as_deref())
            .await?;
        Ok(())
    }

    /// Pulls every followed group's changes (Kotlin `suspend`, Swift `async`).
    pub async fn sync_now(&self) -> Result<SyncSummary> {
        let report = self.inner.groups().sync_now().await?;
        let sum = |f: fn(&kinship_core::sync::GroupSyncReport) -> usize| {
            report.groups.iter().map(f).sum::<usize>() as u32
        };
        Ok(SyncSummary {
            groups: report.groups.len() as u32,
            new_events: sum(|g| g.new),
            updated_events: sum(|g| g.updated),
            removed_events: sum(|g| g.removed),
            errors: report
                .groups
                .iter()
                .filter_map(|g| g.error.clone())
                .collect(),
        })
    }
}

/// Who to call now in `country` (two letters), with no passphrase and no network: the
/// emergency number first, then crisis lines open now.
#[uniffi::export]
pub fn crisis_contacts(data_dir: String, country: String) -> Result<Vec<CrisisContactItem>> {
    let directory = kinship_core::Directory::load(&PathBuf::from(data_dir))
        .map_err(|e| KinshipError::from(kinship_core::Error::from(e)))?;
    let contacts = directory.crisis_contacts(&country, chrono::Utc::now());
    Ok(contacts
        .contacts
        .into_iter()
        .map(|c| CrisisContactItem {
            id: c.id,
            name: c.name,
            kind: c.kind.as_str().to_owned(),
            label: c.label,
            action_uri: c.action_uri,
            open_now: c.open_now,
            lgbtq: c.lgbtq,
            source_url: c.source_url,
            verified_on: c.verified_on.to_string(),
        })
        .collect())
}

fn entry_record(entry: kinship_core::Entry) -> JournalEntry {
    JournalEntry {
        id: entry.id,
        created_at: entry.created_at.to_rfc3339(),
        updated_at: entry.updated_at.to_rfc3339(),
        title: entry.title,
        body: entry.body,
        mood: entry.mood,
        tags: entry.tags,
    }
}
