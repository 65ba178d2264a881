//! Background sync while the vault is locked (opt-in).
//!
//! Phones poll in the background (Android WorkManager, iOS background refresh) while the vault
//! is locked, when the data key is not in memory. With this on, two files sit in the profile
//! folder beside the database:
//!
//! * the **manifest** (`background.sealed`): the groups to poll, each with its server, group
//!   id, member token, feed cursor and ETag, plus an X25519 public key. It is sealed with
//!   XChaCha20-Poly1305 under a key derived from the *background key*, a 32-byte key the app
//!   keeps in the OS keystore for use after first unlock. Whoever holds that key can read it.
//! * the **inbox** (`inbox/`): one file per fetched feed page, sealed to the X25519 public key
//!   (an ephemeral-static Diffie-Hellman per file). The private half lives only sealed under
//!   the data key, so the background key cannot open what was fetched: only an unlock can.
//!
//! A sync while locked ([`BackgroundSync::sync_while_locked`]) opens the manifest, reads each
//! group's feed from its cursor with the same page fetch a normal sync uses, writes each page
//! into the inbox and moves the manifest's cursors on. The database is not opened.
//!
//! On unlock ([`merge_inbox`]) each inbox file is opened and applied with the normal sync's
//! `apply_page`, in order, and only if the stored cursor is still the one the page was fetched
//! from: re-applying a page after a crash, or a page fetched while an unlocked sync moved on,
//! changes nothing. Files are shredded once handled; a damaged one is shredded and skipped.
//! Then the manifest is rewritten from the database, as it is after every follow, unfollow
//! and sync while unlocked. Byte layouts are in `docs/FORMAT.md`, the exposure in
//! `docs/SECURITY.md`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use hkdf::Hkdf;
use kinship_protocol::FeedPage;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::sync::{
    check_page, fetch_page, is_quiet, FeedPosition, Fetched, SyncOptions, SyncReport,
};
use super::transport::{client, Http};
use super::{group_row_id, records, GroupRecord, Groups, GROUPS_TABLE};
use crate::error::{Error, InputProblem, Result};
use crate::session::{Inner, Unlocked};
use crate::store::DOCUMENTS_TABLE;
use crate::vault::{Cipher, SecretKey, KEY_LEN};

/// Name of the manifest file in a profile folder.
pub const MANIFEST_FILE_NAME: &str = "background.sealed";
/// Name of the inbox folder in a profile folder.
pub const INBOX_DIR_NAME: &str = "inbox";
/// Sealed files (manifest and inbox) hold their content padded to a power of two of at least
/// this many bytes, so their size says little about how many groups or events they hold.
pub const PADDING_BUCKET_BYTES: usize = 4096;

/// What a sync while locked did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BackgroundSyncReport {
    /// Groups whose feed was asked for.
    pub groups_polled: usize,
    /// Feed pages stored in the inbox (sealed; merged on the next unlock).
    pub pages_stored: usize,
    /// Changed and deleted events in those pages (counted, never read).
    pub events_received: usize,
    /// Groups that could not be polled this time, and why.
    pub failures: Vec<GroupPollFailure>,
    /// HTTP requests made, retries included.
    pub requests: u32,
    /// The vault was unlocked, so a normal sync ran instead: its report.
    pub unlocked_sync: Option<SyncReport>,
}

/// One group a sync while locked could not poll.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupPollFailure {
    /// The group's server (base URL).
    pub server_url: String,
    /// The group's id on that server.
    pub group_id: String,
    /// What went wrong.
    pub error: PollError,
}

/// Why one group could not be polled while locked. Carries no text from the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, thiserror::Error)]
pub enum PollError {
    /// The server could not be reached.
    #[error("offline: the server could not be reached")]
    Offline,
    /// The server refused the member token (`401`, `403`): it was revoked, or the group closed.
    /// A normal sync after unlock reports the same.
    #[error("the server refused access ({status})")]
    AccessRefused {
        /// The HTTP status the server sent.
        status: u16,
    },
    /// The server answered with something unusable (another status, a malformed or
    /// inconsistent page); `status` is the HTTP status when there was one.
    #[error("the server answered with something unusable")]
    Server {
        /// The HTTP status the server sent, if any.
        status: Option<u16>,
    },
    /// The inbox or the manifest could not be written.
    #[error("the inbox could not be written")]
    Storage,
}

/// What merging the inbox on unlock did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MergeReport {
    /// Inbox pages applied to the database.
    pub pages_applied: usize,
    /// Pages not applied because the group was unfollowed or its cursor had moved on (already
    /// applied, or superseded by a sync while unlocked).
    pub pages_skipped: usize,
    /// Inbox files that failed to open (damaged or tampered): removed unread.
    pub damaged: usize,
    /// Events cached for the first time.
    pub new: usize,
    /// Cached events replaced by a newer version.
    pub updated: usize,
    /// Cached events removed because the server deleted them.
    pub removed: usize,
}

/// Background sync of one profile: turning it on and off, the sync while locked, and the last
/// merge. Handed out by the facade.
#[derive(Clone)]
pub struct BackgroundSync {
    inner: Arc<Inner>,
}

impl BackgroundSync {
    pub(crate) fn new(inner: Arc<Inner>) -> Self {
        BackgroundSync { inner }
    }

    /// Turns background sync on (vault unlocked). `background_key` is 32 bytes the app keeps in
    /// the OS keystore, usable after first unlock. A new X25519 key pair is made (kept if one
    /// exists, so nothing already in the inbox is lost) and sealed with the background key under
    /// the data key; the manifest is written.
    pub fn enable(&self, background_key: &[u8]) -> Result<()> {
        let background_key = key_from_input(background_key)?;
        let dir = self.inner.data_dir().to_owned();
        self.inner.with_unlocked(|u| {
            let secret = match load_keys(u)? {
                Some(existing) => existing.secret,
                None => StaticSecret::random_from_rng(rand::rngs::OsRng).to_bytes(),
            };
            let keys = BackgroundKeys {
                secret,
                background_key: *background_key.expose(),
            };
            u.put_sealed(DOCUMENTS_TABLE, KEYS_DOCUMENT, &keys)?;
            write_manifest_from_database(u, &dir, &keys)
        })
    }

    /// Turns background sync off (vault unlocked): merges what the inbox holds, then shreds
    /// the manifest and the inbox and deletes the sealed keys.
    pub fn disable(&self) -> Result<()> {
        merge_inbox_now(&self.inner)?;
        let dir = self.inner.data_dir().to_owned();
        self.inner.with_unlocked(|u| {
            u.delete_sealed(DOCUMENTS_TABLE, KEYS_DOCUMENT)?;
            remove_files(&dir)
        })
    }

    /// Whether background sync is on (a manifest exists). Works while locked.
    pub fn is_enabled(&self) -> bool {
        manifest_path(self.inner.data_dir()).is_file()
    }

    /// Polls every group in the manifest while the vault is locked and stores what comes back
    /// in the inbox, sealed so that only an unlock can read it. Fails with
    /// [`Error::WrongDeviceKey`] when `background_key` does not open the manifest,
    /// [`Error::NotFound`] when background sync is off, and [`Error::Offline`] when no server
    /// could be reached. If the vault is unlocked, a normal sync runs instead.
    pub async fn sync_while_locked(
        &self,
        background_key: &[u8],
        options: &SyncOptions,
    ) -> Result<BackgroundSyncReport> {
        let background_key = key_from_input(background_key)?;
        let mut manifest = read_manifest(self.inner.data_dir(), &background_key)?;
        if self.is_unlocked() {
            let sync = Groups::new(self.inner.clone()).sync_with(options).await?;
            return Ok(BackgroundSyncReport {
                groups_polled: sync.groups.len(),
                events_received: sync
                    .groups
                    .iter()
                    .map(|g| g.new + g.updated + g.removed)
                    .sum(),
                requests: sync.requests,
                unlocked_sync: Some(sync),
                ..BackgroundSyncReport::default()
            });
        }
        let http = client(options)?;
        let mut report = BackgroundSyncReport::default();
        let mut offline = 0;
        for index in 0..manifest.groups.len() {
            report.groups_polled += 1;
            let polled = self
                .poll_group(
                    &http,
                    options,
                    &background_key,
                    &mut manifest,
                    index,
                    &mut report,
                )
                .await;
            if let Err(error) = polled {
                offline += usize::from(error == PollError::Offline);
                let at = &manifest.groups[index];
                report.failures.push(GroupPollFailure {
                    server_url: at.server_url.clone(),
                    group_id: at.group_id.clone(),
                    error,
                });
            }
        }
        if !manifest.groups.is_empty() && offline == manifest.groups.len() {
            return Err(Error::Offline);
        }
        Ok(report)
    }

    /// What merging the inbox did at the last unlock; `None` when nothing was merged since.
    pub fn last_merge(&self) -> Result<Option<MergeReport>> {
        self.inner
            .with_unlocked_in_background(|u| Ok(u.slots.get_mut::<MergeReport>().cloned()))
    }

    /// Reads one group's pages into the inbox, counting them in `report`, and moves the
    /// group's cursor in the manifest on after each.
    async fn poll_group(
        &self,
        http: &Http,
        options: &SyncOptions,
        background_key: &SecretKey,
        manifest: &mut Manifest,
        index: usize,
        report: &mut BackgroundSyncReport,
    ) -> std::result::Result<(), PollError> {
        let dir = self.inner.data_dir();
        for _ in 0..super::sync::MAX_PAGES_PER_SYNC {
            let at = manifest.groups[index].clone();
            let fetched = fetch_page(http, options, &at, &mut report.requests)
                .await
                .map_err(|err| PollError::from(&err))?;
            // Unlocked meanwhile: the unlocked core owns the feed now (and merged the inbox).
            // Erased meanwhile: write nothing back.
            if !self.is_still_locked() {
                return Ok(());
            }
            let (item, cursor, etag) = match fetched {
                Fetched::NotModified => return Ok(()),
                Fetched::Gone => (InboxItem::restart(&at), "0".to_owned(), None),
                Fetched::Page { page, etag } => {
                    report.events_received += page.changes.len() + page.tombstones.len();
                    let cursor = page.next_cursor.clone();
                    (InboxItem::page(&at, page, etag.clone()), cursor, etag)
                }
            };
            let quiet = matches!(&item.kind, InboxKind::Page { page, .. } if is_quiet(page));
            // The page first, then the cursor: a crash between them refetches the same page
            // into the same file.
            write_inbox_item(dir, &manifest.public_key, manifest.next_sequence, &item)
                .map_err(|_| PollError::Storage)?;
            report.pages_stored += 1;
            manifest.next_sequence += 1;
            manifest.groups[index].cursor = cursor;
            manifest.groups[index].etag = etag;
            write_manifest(dir, background_key, manifest).map_err(|_| PollError::Storage)?;
            if quiet {
                return Ok(());
            }
        }
        Err(PollError::Server { status: None })
    }

    fn is_unlocked(&self) -> bool {
        self.inner.with_unlocked_in_background(|_| Ok(())).is_ok()
    }

    /// Locked, and neither unlocked nor erased since.
    fn is_still_locked(&self) -> bool {
        matches!(
            self.inner.with_unlocked_in_background(|_| Ok(())),
            Err(Error::Locked)
        )
    }
}

/// Applies the inbox after an unlock. Never fails the unlock: what cannot be merged now stays
/// for the next one (a damaged file is removed). The report is kept for
/// [`BackgroundSync::last_merge`].
pub(crate) fn merge_inbox(inner: &Arc<Inner>) {
    let _ = merge_inbox_now(inner);
}

/// Rewrites the manifest from the database when background sync is on (after a follow,
/// unfollow or sync while unlocked).
pub(crate) fn refresh_manifest(inner: &Inner) -> Result<()> {
    let dir = inner.data_dir().to_owned();
    inner.with_unlocked_in_background(|u| match load_keys(u)? {
        Some(keys) => write_manifest_from_database(u, &dir, &keys),
        None => Ok(()),
    })
}

/// Shreds the manifest and every inbox file (quick erase, disable).
pub(crate) fn remove_files(dir: &Path) -> Result<()> {
    crate::fs::shred_file(&manifest_path(dir))?;
    crate::fs::shred_file(&crate::fs::temporary_sibling(&manifest_path(dir)))?;
    let inbox = dir.join(INBOX_DIR_NAME);
    let entries = match std::fs::read_dir(&inbox) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(err) => return Err(err.into()),
    };
    for entry in entries {
        crate::fs::shred_file(&entry?.path())?;
    }
    let _ = std::fs::remove_dir(&inbox);
    Ok(())
}

const KEYS_DOCUMENT: &str = "background_sync";
const MANIFEST_VERSION: u32 = 1;
const INBOX_VERSION: u8 = 1;
const MANIFEST_AD: &[u8] = b"kinship/1/background/manifest";
const INBOX_SUFFIX: &str = ".sealed";

/// The keys sealed under the data key: the X25519 private key the inbox is sealed to, and the
/// background key, so that the unlocked core can rewrite the manifest.
#[derive(Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
struct BackgroundKeys {
    secret: [u8; KEY_LEN],
    background_key: [u8; KEY_LEN],
}

impl BackgroundKeys {
    fn public_key(&self) -> [u8; KEY_LEN] {
        PublicKey::from(&StaticSecret::from(self.secret)).to_bytes()
    }
}

/// What the manifest holds (sealed under a key derived from the background key).
#[derive(Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
struct Manifest {
    version: u32,
    /// The key inbox files are sealed to.
    public_key: [u8; KEY_LEN],
    /// The sequence number of the next inbox file.
    next_sequence: u64,
    groups: Vec<FeedPosition>,
}

/// One inbox file's content.
#[derive(Serialize, Deserialize)]
struct InboxItem {
    server_url: String,
    group_id: String,
    /// The cursor the page was asked for with: it is applied only if the phone is still there.
    from_cursor: String,
    kind: InboxKind,
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum InboxKind {
    /// A page of changes and the ETag it came with.
    Page {
        page: FeedPage,
        etag: Option<String>,
    },
    /// The server no longer had `from_cursor`'s history (410): start the group over.
    Restart,
}

impl InboxItem {
    fn page(at: &FeedPosition, page: FeedPage, etag: Option<String>) -> Self {
        InboxItem {
            server_url: at.server_url.clone(),
            group_id: at.group_id.clone(),
            from_cursor: at.cursor.clone(),
            kind: InboxKind::Page { page, etag },
        }
    }

    fn restart(at: &FeedPosition) -> Self {
        InboxItem {
            server_url: at.server_url.clone(),
            group_id: at.group_id.clone(),
            from_cursor: at.cursor.clone(),
            kind: InboxKind::Restart,
        }
    }
}

impl From<&Error> for PollError {
    fn from(err: &Error) -> Self {
        match err {
            Error::Offline => PollError::Offline,
            Error::Remote {
                status: Some(status @ (401 | 403)),
                ..
            } => PollError::AccessRefused { status: *status },
            Error::Remote { status, .. } => PollError::Server { status: *status },
            _ => PollError::Storage,
        }
    }
}

fn key_from_input(bytes: &[u8]) -> Result<SecretKey> {
    SecretKey::from_slice(bytes).map_err(|_| {
        Error::invalid_field(
            InputProblem::Malformed,
            "background_key",
            "the background key is 32 bytes",
        )
    })
}

fn load_keys(u: &Unlocked) -> Result<Option<BackgroundKeys>> {
    u.get_sealed(DOCUMENTS_TABLE, KEYS_DOCUMENT)
}

fn manifest_path(dir: &Path) -> PathBuf {
    dir.join(MANIFEST_FILE_NAME)
}

fn inbox_path(dir: &Path, sequence: u64) -> PathBuf {
    dir.join(INBOX_DIR_NAME)
        .join(format!("{sequence:016}{INBOX_SUFFIX}"))
}

/// The inbox files with their sequence numbers, in order (other names are ignored).
fn inbox_files(dir: &Path) -> Result<Vec<(u64, PathBuf)>> {
    let entries = match std::fs::read_dir(dir.join(INBOX_DIR_NAME)) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(err.into()),
    };
    let mut files = Vec::new();
    for entry in entries {
        let path = entry?.path();
        let sequence = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(INBOX_SUFFIX))
            .and_then(|n| n.parse::<u64>().ok());
        if let Some(sequence) = sequence {
            files.push((sequence, path));
        }
    }
    files.sort();
    Ok(files)
}

fn merge_inbox_now(inner: &Arc<Inner>) -> Result<MergeReport> {
    let dir = inner.data_dir().to_owned();
    let Some(secret) = inner
        .with_unlocked_in_background(|u| Ok(load_keys(u)?.map(|k| Zeroizing::new(k.secret))))?
    else {
        // Background sync is off: an inbox left behind cannot be read by anyone; remove it.
        remove_files(&dir)?;
        return Ok(MergeReport::default());
    };
    let groups = Groups::new(inner.clone());
    let mut report = MergeReport::default();
    for (sequence, path) in inbox_files(&dir)? {
        match read_inbox_item(&path, &secret, sequence).filter(passes_page_check) {
            Some(item) => apply_item(inner, &groups, &item, &mut report)?,
            None => report.damaged += 1,
        }
        crate::fs::shred_file(&path)?;
    }
    refresh_manifest(inner)?;
    let kept = report.clone();
    inner.with_unlocked_in_background(|u| {
        u.slots.set(kept);
        Ok(())
    })?;
    Ok(report)
}

/// The page rule again: whoever holds the background key can read the public key in the
/// manifest and write inbox files, so a page is checked as if it had just arrived.
fn passes_page_check(item: &InboxItem) -> bool {
    match &item.kind {
        InboxKind::Page { page, .. } => check_page(&item.group_id, &item.from_cursor, page).is_ok(),
        InboxKind::Restart => true,
    }
}

/// Applies one inbox item through the normal sync's code, if the phone is still at its cursor.
fn apply_item(
    inner: &Inner,
    groups: &Groups,
    item: &InboxItem,
    report: &mut MergeReport,
) -> Result<()> {
    let record = inner.with_unlocked_in_background(|u| {
        let row_id = group_row_id(u, &item.server_url, &item.group_id);
        u.get_sealed::<GroupRecord>(GROUPS_TABLE, &row_id)
    })?;
    let Some(record) = record else {
        report.pages_skipped += 1;
        return Ok(());
    };
    match &item.kind {
        InboxKind::Restart if record.cursor == item.from_cursor => {
            groups.restart_from_scratch(&record)?;
            report.pages_applied += 1;
        }
        InboxKind::Restart => report.pages_skipped += 1,
        InboxKind::Page { page, etag } => {
            match groups.apply_page(&record, page, etag.clone(), Some(&item.from_cursor))? {
                Some(applied) => {
                    report.pages_applied += 1;
                    report.new += applied.new;
                    report.updated += applied.updated;
                    report.removed += applied.removed;
                }
                None => report.pages_skipped += 1,
            }
        }
    }
    Ok(())
}

fn write_manifest_from_database(u: &Unlocked, dir: &Path, keys: &BackgroundKeys) -> Result<()> {
    let background_key = SecretKey::from_slice(&keys.background_key)?;
    // Sequence numbers only grow, so a file written by a sync that raced this unlock is never
    // overwritten by a later one.
    let previous = read_manifest(dir, &background_key)
        .map(|m| m.next_sequence)
        .unwrap_or(0);
    let after_inbox = inbox_files(dir)?
        .last()
        .map_or(0, |(sequence, _)| sequence + 1);
    let mut groups: Vec<FeedPosition> = records(u)?
        .iter()
        .map(|(_, record)| FeedPosition::of(record))
        .collect();
    groups.sort_by(|a, b| (&a.server_url, &a.group_id).cmp(&(&b.server_url, &b.group_id)));
    let manifest = Manifest {
        version: MANIFEST_VERSION,
        public_key: keys.public_key(),
        next_sequence: previous.max(after_inbox),
        groups,
    };
    write_manifest(dir, &background_key, &manifest)
}

fn manifest_cipher(background_key: &SecretKey) -> Cipher {
    Cipher::new(&derive(
        background_key.expose(),
        b"kinship/1/background",
        b"manifest",
    ))
}

fn write_manifest(dir: &Path, background_key: &SecretKey, manifest: &Manifest) -> Result<()> {
    let json =
        Zeroizing::new(serde_json::to_vec(manifest).map_err(|_| {
            Error::invalid(InputProblem::Malformed, "manifest could not be encoded")
        })?);
    let sealed = manifest_cipher(background_key).seal_with_ad(MANIFEST_AD, &pad(&json));
    crate::fs::write_atomically(&manifest_path(dir), &sealed)?;
    Ok(())
}

/// Opens the manifest: [`Error::NotFound`] when there is none, [`Error::WrongDeviceKey`] when
/// the key does not open it.
fn read_manifest(dir: &Path, background_key: &SecretKey) -> Result<Manifest> {
    let sealed = match std::fs::read(manifest_path(dir)) {
        Ok(sealed) => sealed,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Err(Error::NotFound),
        Err(err) => return Err(err.into()),
    };
    let padded = manifest_cipher(background_key)
        .open_with_ad(MANIFEST_AD, &sealed)
        .map_err(|_| Error::WrongDeviceKey)?;
    let json = unpad(&padded).ok_or_else(|| Error::corrupted("background manifest"))?;
    let manifest: Manifest =
        serde_json::from_slice(json).map_err(|_| Error::corrupted("background manifest"))?;
    if manifest.version != MANIFEST_VERSION {
        return Err(Error::corrupted("background manifest version"));
    }
    Ok(manifest)
}

fn inbox_ad(sequence: u64) -> Vec<u8> {
    format!("kinship/1/background/inbox/{sequence}").into_bytes()
}

/// The key one inbox file is sealed with: HKDF-SHA256 of the X25519 shared secret, salted with
/// both public keys.
fn inbox_key(shared: &[u8; 32], ephemeral: &[u8; 32], recipient: &[u8; 32]) -> SecretKey {
    let mut salt = [0u8; 64];
    salt[..32].copy_from_slice(ephemeral);
    salt[32..].copy_from_slice(recipient);
    derive(shared, &salt, b"kinship/1/background/inbox")
}

/// `version (1) || ephemeral public key (32) || sealed padded JSON`, written atomically.
fn write_inbox_item(
    dir: &Path,
    recipient: &[u8; KEY_LEN],
    sequence: u64,
    item: &InboxItem,
) -> Result<()> {
    let json = Zeroizing::new(
        serde_json::to_vec(item)
            .map_err(|_| Error::invalid(InputProblem::Malformed, "page could not be encoded"))?,
    );
    let ephemeral = StaticSecret::random_from_rng(rand::rngs::OsRng);
    let ephemeral_public = PublicKey::from(&ephemeral).to_bytes();
    let shared = ephemeral.diffie_hellman(&PublicKey::from(*recipient));
    if !shared.was_contributory() {
        return Err(Error::corrupted("background manifest public key"));
    }
    let key = inbox_key(shared.as_bytes(), &ephemeral_public, recipient);
    let sealed = Cipher::new(&key).seal_with_ad(&inbox_ad(sequence), &pad(&json));
    let mut bytes = Vec::with_capacity(1 + KEY_LEN + sealed.len());
    bytes.push(INBOX_VERSION);
    bytes.extend_from_slice(&ephemeral_public);
    bytes.extend_from_slice(&sealed);
    crate::fs::create_private_dir(&dir.join(INBOX_DIR_NAME))?;
    crate::fs::write_atomically(&inbox_path(dir, sequence), &bytes)?;
    Ok(())
}

/// Opens one inbox file; `None` when it is damaged, tampered, renamed or not ours.
fn read_inbox_item(path: &Path, secret: &[u8; KEY_LEN], sequence: u64) -> Option<InboxItem> {
    let bytes = std::fs::read(path).ok()?;
    if bytes.len() < 1 + KEY_LEN || bytes[0] != INBOX_VERSION {
        return None;
    }
    let ephemeral: [u8; KEY_LEN] = bytes[1..1 + KEY_LEN].try_into().ok()?;
    let secret = StaticSecret::from(*secret);
    let recipient = PublicKey::from(&secret).to_bytes();
    let shared = secret.diffie_hellman(&PublicKey::from(ephemeral));
    if !shared.was_contributory() {
        return None;
    }
    let key = inbox_key(shared.as_bytes(), &ephemeral, &recipient);
    let padded = Cipher::new(&key)
        .open_with_ad(&inbox_ad(sequence), &bytes[1 + KEY_LEN..])
        .ok()?;
    serde_json::from_slice(unpad(&padded)?).ok()
}

fn derive(ikm: &[u8], salt: &[u8], info: &[u8]) -> SecretKey {
    let mut okm = Zeroizing::new([0u8; KEY_LEN]);
    // `expand` fails only for more than 255 * 32 bytes and `from_slice` only for a length
    // other than 32: neither can happen here, so neither fallback is ever taken.
    let _ = Hkdf::<Sha256>::new(Some(salt), ikm).expand(info, okm.as_mut());
    SecretKey::from_slice(okm.as_ref()).unwrap_or_else(|_| SecretKey::random())
}

/// `length (u32 LE) || content || zeros`, to the smallest power of two of at least
/// [`PADDING_BUCKET_BYTES`] that holds it.
fn pad(content: &[u8]) -> Zeroizing<Vec<u8>> {
    let needed = 4 + content.len();
    let bucket = needed.next_power_of_two().max(PADDING_BUCKET_BYTES);
    let mut padded = Zeroizing::new(Vec::with_capacity(bucket));
    padded.extend_from_slice(&(content.len() as u32).to_le_bytes());
    padded.extend_from_slice(content);
    padded.resize(bucket, 0);
    padded
}

fn unpad(padded: &[u8]) -> Option<&[u8]> {
    let length = u32::from_le_bytes(padded.get(..4)?.try_into().ok()?) as usize;
    padded.get(4..4usize.checked_add(length)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_hides_small_differences_and_roundtrips() {
        assert_eq!(pad(b"").len(), PADDING_BUCKET_BYTES);
        assert_eq!(pad(&[1; 3000]).len(), PADDING_BUCKET_BYTES);
        assert_eq!(pad(&[1; 4093]).len(), 2 * PADDING_BUCKET_BYTES);
        assert_eq!(unpad(&pad(b"hello")).unwrap(), b"hello");
        assert!(unpad(&[255, 255, 0, 0, 1]).is_none());
    }

    #[test]
    fn an_inbox_file_opens_only_with_its_private_key_and_its_own_name() {
        let dir = tempfile::tempdir().unwrap();
        let secret = StaticSecret::random_from_rng(rand::rngs::OsRng);
        let public = PublicKey::from(&secret).to_bytes();
        let at = FeedPosition {
            server_url: "https://example.org".into(),
            group_id: "g1".into(),
            member_token: None,
            cursor: "0".into(),
            etag: None,
        };
        write_inbox_item(dir.path(), &public, 7, &InboxItem::restart(&at)).unwrap();
        let path = inbox_path(dir.path(), 7);
        let opened = read_inbox_item(&path, &secret.to_bytes(), 7).unwrap();
        assert_eq!(opened.group_id, "g1");
        assert!(read_inbox_item(&path, &secret.to_bytes(), 8).is_none());
        let other = StaticSecret::random_from_rng(rand::rngs::OsRng);
        assert!(read_inbox_item(&path, &other.to_bytes(), 7).is_none());
    }
}
