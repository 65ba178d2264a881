//! Encrypted backup files: export the journal under a passphrase, import it back by merging.
//!
//! The file format is specified byte by byte in `docs/FORMAT.md`, so a backup can be opened by
//! any Argon2id + XChaCha20-Poly1305 implementation. In short:
//!
//! ```text
//! header (77 bytes) = magic "KINSHIPB" | version 1 | m_kib u32le | t u32le | p u32le | salt[16]
//!                     | check_nonce[24] | check_tag[16]
//! body              = body_len u64le | body_nonce[24] | ciphertext (body_len bytes, incl. tag)
//! ```
//!
//! The key check (an AEAD tag over the header, sealing nothing) tells a wrong passphrase apart
//! from a damaged body; the declared length tells a truncated file apart from a tampered one.
//! Import decrypts and validates the whole file before it writes anything, then merges in one
//! transaction: all or nothing.

use std::fs;
use std::io::{Read, Write};
use std::path::Path;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::coping::{self, CopingBackup};
use crate::error::{Error, Result};
use crate::events::DataTopic;
use crate::journal::{self, Entry, Merge};
use crate::reminders::{self, Reminder};
use crate::safety_plan::{self, SafetyPlan};
use crate::session::Inner;
use crate::vault::{self, KdfParams, SecretKey, NONCE_LEN, SALT_LEN, TAG_LEN};

/// The 8 bytes every backup file starts with: `KINSHIPB`.
pub const MAGIC: &[u8; 8] = b"KINSHIPB";
/// The backup format version this build writes and reads.
pub const FORMAT_VERSION: u8 = 1;
/// Bytes before the body: magic, version, KDF parameters, salt, key check.
pub const HEADER_LEN: usize = 8 + 1 + 12 + SALT_LEN + NONCE_LEN + TAG_LEN;
pub use crate::error::{BackupError, MAX_BACKUP_BYTES};
const DOCUMENT_FORMAT: &str = "kinship-backup";

/// Progress of a long export or import, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Journal entries handled so far.
    pub done: usize,
    /// Journal entries in all.
    pub total: usize,
}

/// What an export wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportSummary {
    /// Journal entries in the backup.
    pub entries: usize,
    /// Damaged rows that could not be read and so are not in the backup.
    pub unreadable: usize,
}

/// What an import merged into the profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportSummary {
    /// Journal entries.
    pub added: usize,
    /// Journal entries that replaced the one here: theirs was edited later, or the row here was
    /// damaged.
    pub updated: usize,
    /// Journal entries left as they were: the one here was edited at the same time or later.
    pub unchanged: usize,
    /// The person's own coping strategies added or updated.
    pub strategies: usize,
    /// Logged tries added.
    pub tries: usize,
    /// Logged tries left out because their strategy is not known here (damaged at export, or
    /// from a newer library).
    pub skipped_tries: usize,
    /// Whether the backup's safety plan replaced an older (or missing) one.
    pub safety_plan_restored: bool,
    /// Check-in reminders added (those already here, by id, are kept as they are).
    pub reminders: usize,
}

/// The plaintext inside a backup.
#[derive(Serialize, Deserialize)]
struct BackupDocument {
    format: String,
    version: u32,
    exported_at: DateTime<Utc>,
    journal: Vec<Entry>,
    #[serde(default, skip_serializing_if = "CopingBackup::is_empty")]
    coping: CopingBackup,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    safety_plan: Option<SafetyPlan>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    reminders: Vec<Reminder>,
}

impl Drop for BackupDocument {
    fn drop(&mut self) {
        for entry in &mut self.journal {
            entry.wipe();
        }
    }
}

/// Encrypted backups of one profile (`Kinship::backups`).
#[derive(Clone)]
pub struct Backups {
    inner: std::sync::Arc<Inner>,
}

impl Backups {
    pub(crate) fn new(inner: std::sync::Arc<Inner>) -> Self {
        Backups { inner }
    }

    fn journal(&self) -> journal::Journal {
        journal::Journal::new(self.inner.clone())
    }

    /// Writes an encrypted backup of everything to `path` (atomically), sealed under
    /// `passphrase` with this profile's Argon2id parameters.
    pub fn export(
        &self,
        path: &Path,
        passphrase: &str,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<ExportSummary> {
        self.export_cancellable(path, passphrase, progress, &|| false)
    }

    /// As [`Backups::export`], stopping with [`Error::Cancelled`] as soon as `is_cancelled`
    /// says so: then no file is written at `path`, and no temporary file is left.
    pub fn export_cancellable(
        &self,
        path: &Path,
        passphrase: &str,
        progress: &mut dyn FnMut(Progress),
        is_cancelled: &dyn Fn() -> bool,
    ) -> Result<ExportSummary> {
        let (file, summary) = self.sealed_file(passphrase, progress, is_cancelled)?;
        crate::fs::write_atomically(path, &file)?;
        Ok(summary)
    }

    /// Writes the backup to a stream (an app's document picker, a file descriptor). The bytes
    /// go out only once the whole file is sealed, in pieces of 64 KiB with a check of
    /// `is_cancelled` between them; after [`Error::Cancelled`] or a write error the stream holds
    /// a partial file, which the caller must discard.
    pub fn export_to_writer(
        &self,
        out: &mut dyn Write,
        passphrase: &str,
        progress: &mut dyn FnMut(Progress),
        is_cancelled: &dyn Fn() -> bool,
    ) -> Result<ExportSummary> {
        let (file, summary) = self.sealed_file(passphrase, progress, is_cancelled)?;
        for piece in file.chunks(STREAM_PIECE_BYTES) {
            stop_if(is_cancelled)?;
            out.write_all(piece)?;
        }
        out.flush()?;
        Ok(summary)
    }

    /// Merges a backup into this profile: new entries are added, entries already here are
    /// replaced only by a newer edit. Nothing is written unless the whole file is valid.
    pub fn import(
        &self,
        path: &Path,
        passphrase: &str,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<ImportSummary> {
        self.import_cancellable(path, passphrase, progress, &|| false)
    }

    /// As [`Backups::import`], stopping with [`Error::Cancelled`] as soon as `is_cancelled`
    /// says so; a cancelled import has written nothing (its transaction is rolled back).
    pub fn import_cancellable(
        &self,
        path: &Path,
        passphrase: &str,
        progress: &mut dyn FnMut(Progress),
        is_cancelled: &dyn Fn() -> bool,
    ) -> Result<ImportSummary> {
        // Nothing is read (not even the file) unless the profile is open.
        self.inner.with_unlocked(|_| Ok(()))?;
        let size = fs::metadata(path)?.len();
        if size > MAX_BACKUP_BYTES {
            return Err(BackupError::TooLarge.into());
        }
        let file = fs::read(path)?;
        self.merge_file(&file, passphrase, progress, is_cancelled)
    }

    /// As [`Backups::import_cancellable`], reading the file from a stream (at most
    /// [`MAX_BACKUP_BYTES`]: a longer stream is refused as too large).
    pub fn import_from_reader(
        &self,
        input: &mut dyn Read,
        passphrase: &str,
        progress: &mut dyn FnMut(Progress),
        is_cancelled: &dyn Fn() -> bool,
    ) -> Result<ImportSummary> {
        self.inner.with_unlocked(|_| Ok(()))?;
        let mut file = Vec::new();
        input.take(MAX_BACKUP_BYTES + 1).read_to_end(&mut file)?;
        if file.len() as u64 > MAX_BACKUP_BYTES {
            return Err(BackupError::TooLarge.into());
        }
        self.merge_file(&file, passphrase, progress, is_cancelled)
    }

    /// As [`Backups::import_from_reader`] for a file already in memory, with the key coming from
    /// `key_for(params, salt)` instead of Argon2id over a passphrase (see [`decrypt_with_key`]).
    /// For tests and fuzzing, which cannot afford a real key derivation per file.
    pub fn import_with_key(
        &self,
        file: &[u8],
        key_for: &mut dyn FnMut(KdfParams, &[u8]) -> Result<SecretKey>,
        progress: &mut dyn FnMut(Progress),
        is_cancelled: &dyn Fn() -> bool,
    ) -> Result<ImportSummary> {
        self.inner.with_unlocked(|_| Ok(()))?;
        if file.len() as u64 > MAX_BACKUP_BYTES {
            return Err(BackupError::TooLarge.into());
        }
        let plaintext = decrypt_with_key(file, key_for)?;
        self.merge_plaintext(&plaintext, progress, is_cancelled)
    }

    /// Collects everything, then seals it: the complete backup file and its summary.
    fn sealed_file(
        &self,
        passphrase: &str,
        progress: &mut dyn FnMut(Progress),
        is_cancelled: &dyn Fn() -> bool,
    ) -> Result<(Vec<u8>, ExportSummary)> {
        vault::check_passphrase_strength(passphrase)?;
        let params = self.inner.state().key_file()?.kdf_params();
        let entries = self.journal().all()?;
        let unreadable = self.journal().unreadable_ids()?.len();
        let total = entries.len();
        let mut journal = Vec::with_capacity(total);
        for (done, entry) in entries.into_iter().enumerate() {
            stop_if(is_cancelled)?;
            journal.push(entry);
            progress(Progress {
                done: done + 1,
                total,
            });
        }
        let (coping, safety_plan, reminders) = self.inner.with_unlocked(|u| {
            Ok((
                coping::backup_data(u)?,
                // Every profile has a plan row; an empty one is no plan to restore.
                safety_plan::stored(u)?.filter(|plan| !plan.is_empty()),
                reminders::stored(u)?,
            ))
        })?;
        let document = BackupDocument {
            format: DOCUMENT_FORMAT.to_owned(),
            version: 1,
            exported_at: Utc::now(),
            journal,
            coping,
            safety_plan,
            reminders,
        };
        let plaintext =
            Zeroizing::new(serde_json::to_vec(&document).map_err(|e| malformed_json(&e))?);
        stop_if(is_cancelled)?;
        let file = encrypt(&plaintext, passphrase, params)?;
        stop_if(is_cancelled)?;
        log::info!("backup exported: {total} journal entries ({unreadable} unreadable skipped)");
        Ok((
            file,
            ExportSummary {
                entries: total,
                unreadable,
            },
        ))
    }

    fn merge_file(
        &self,
        file: &[u8],
        passphrase: &str,
        progress: &mut dyn FnMut(Progress),
        is_cancelled: &dyn Fn() -> bool,
    ) -> Result<ImportSummary> {
        let plaintext = decrypt(file, passphrase)?;
        self.merge_plaintext(&plaintext, progress, is_cancelled)
    }

    fn merge_plaintext(
        &self,
        plaintext: &[u8],
        progress: &mut dyn FnMut(Progress),
        is_cancelled: &dyn Fn() -> bool,
    ) -> Result<ImportSummary> {
        let mut document: BackupDocument =
            serde_json::from_slice(plaintext).map_err(|e| malformed_json(&e))?;
        if document.format != DOCUMENT_FORMAT || document.version != 1 {
            return Err(BackupError::Malformed("unknown document format".into()).into());
        }
        stop_if(is_cancelled)?;
        let total = document.journal.len();
        // The merge is one transaction under the session lock, so the progress callback runs
        // after it, never under the lock: a callback that calls back into the profile (to show
        // a count, say) would otherwise deadlock.
        let mut merged = 0;
        let result = self.inner.with_unlocked(|u| {
            let tx = u.store.conn().unchecked_transaction()?;
            let mut summary = ImportSummary::default();
            for (done, entry) in std::mem::take(&mut document.journal)
                .into_iter()
                .enumerate()
            {
                // Returning drops `tx` uncommitted: a cancelled import leaves nothing.
                stop_if(is_cancelled)?;
                match journal::merge_entry(u, &tx, entry)? {
                    Merge::Added => summary.added += 1,
                    Merge::Updated => summary.updated += 1,
                    Merge::Unchanged => summary.unchanged += 1,
                }
                merged = done + 1;
            }
            let counts = coping::merge_backup(u, std::mem::take(&mut document.coping))?;
            summary.strategies = counts.strategies;
            summary.tries = counts.tries;
            summary.skipped_tries = counts.skipped_tries;
            if let Some(plan) = document.safety_plan.take() {
                summary.safety_plan_restored = safety_plan::merge_backup(u, &plan)?;
            }
            summary.reminders =
                reminders::merge_backup(u, std::mem::take(&mut document.reminders))?;
            stop_if(is_cancelled)?;
            tx.commit()?;
            mark_changes(u, &summary);
            // Rebuilt from the rows on next use, so they reflect exactly what was committed.
            u.slots.clear::<crate::journal::index::JournalIndex>();
            u.slots.clear::<Option<crate::coping::CopingState>>();
            Ok(summary)
        });
        for done in 1..=merged {
            progress(Progress { done, total });
        }
        match &result {
            Ok(s) => log::info!(
                "backup imported: journal {} added, {} updated, {} unchanged; coping {} strategies, {} tries ({} skipped); safety plan restored: {}; {} reminders",
                s.added, s.updated, s.unchanged, s.strategies, s.tries, s.skipped_tries, s.safety_plan_restored, s.reminders
            ),
            Err(_) => log::warn!("backup import failed; nothing was imported"),
        }
        result
    }
}

/// How much of a backup goes to a stream between two checks for cancellation.
const STREAM_PIECE_BYTES: usize = 64 * 1024;

fn stop_if(is_cancelled: &dyn Fn() -> bool) -> Result<()> {
    if is_cancelled() {
        Err(Error::Cancelled)
    } else {
        Ok(())
    }
}

/// Tells the listeners of every topic the import wrote.
fn mark_changes(u: &crate::session::Unlocked, summary: &ImportSummary) {
    if summary.added + summary.updated > 0 {
        u.changed(DataTopic::Journal);
    }
    // Coping and the safety plan mark themselves when their merge writes
    // (`coping::merge_backup`, `safety_plan::merge_backup`).
}

/// Seals `plaintext` into a complete backup file.
pub fn encrypt(plaintext: &[u8], passphrase: &str, params: KdfParams) -> Result<Vec<u8>> {
    let salt = vault::random_salt();
    let key = vault::derive_key(passphrase, &salt, params)?;
    encrypt_with_key(plaintext, &key, params, &salt)
}

/// As [`encrypt`], under a `key` already derived from the passphrase with `params` and `salt`
/// (which the header records). For tests and fuzzing: [`encrypt`] is what the app uses.
pub fn encrypt_with_key(
    plaintext: &[u8],
    key: &SecretKey,
    params: KdfParams,
    salt: &[u8; SALT_LEN],
) -> Result<Vec<u8>> {
    let aead = XChaCha20Poly1305::new(key.expose().into());

    let mut file = Vec::with_capacity(HEADER_LEN + 8 + NONCE_LEN + plaintext.len() + TAG_LEN);
    file.extend_from_slice(MAGIC);
    file.push(FORMAT_VERSION);
    for value in [params.memory_kib, params.iterations, params.parallelism] {
        file.extend_from_slice(&value.to_le_bytes());
    }
    file.extend_from_slice(salt);
    let check_nonce = vault::random_nonce();
    file.extend_from_slice(&check_nonce);
    let check_tag = seal(&aead, &check_nonce, &file, b"")?;
    file.extend_from_slice(&check_tag);

    let body_nonce = vault::random_nonce();
    let body_len = (plaintext.len() + TAG_LEN) as u64;
    file.extend_from_slice(&body_len.to_le_bytes());
    file.extend_from_slice(&body_nonce);
    let ciphertext = seal(&aead, &body_nonce, &file, plaintext)?;
    file.extend_from_slice(&ciphertext);
    Ok(file)
}

/// Opens a backup file, telling apart a wrong passphrase, a truncated file and a tampered one.
pub fn decrypt(file: &[u8], passphrase: &str) -> Result<Zeroizing<Vec<u8>>> {
    decrypt_with_key(file, &mut |params, salt| {
        Ok(vault::derive_key(passphrase, salt, params)?)
    })
}

/// As [`decrypt`], with the key from `key_for(params, salt)`, which is called at most once and
/// only with parameters from the header that passed [`KdfParams::validate`]: a hostile header
/// asking for absurd work is refused before any derivation. Tests and fuzzing pass a cheap
/// stand-in for Argon2id here.
pub fn decrypt_with_key(
    file: &[u8],
    key_for: &mut dyn FnMut(KdfParams, &[u8]) -> Result<SecretKey>,
) -> Result<Zeroizing<Vec<u8>>> {
    if file.len() < MAGIC.len() || &file[..MAGIC.len()] != MAGIC {
        return Err(BackupError::NotABackup.into());
    }
    if file.len() <= MAGIC.len() {
        return Err(BackupError::Truncated.into());
    }
    if file[8] != FORMAT_VERSION {
        return Err(BackupError::UnsupportedVersion(file[8]).into());
    }
    let body_start = HEADER_LEN + 8 + NONCE_LEN;
    if file.len() < body_start {
        return Err(BackupError::Truncated.into());
    }
    let params = KdfParams {
        memory_kib: read_u32(file, 9),
        iterations: read_u32(file, 13),
        parallelism: read_u32(file, 17),
    };
    params
        .validate()
        .map_err(|_| BackupError::Malformed("key derivation parameters out of range".into()))?;
    let salt = &file[21..21 + SALT_LEN];
    let check_nonce = &file[21 + SALT_LEN..21 + SALT_LEN + NONCE_LEN];
    let check_tag = &file[HEADER_LEN - TAG_LEN..HEADER_LEN];

    let key = key_for(params, salt)?;
    let aead = XChaCha20Poly1305::new(key.expose().into());
    open(&aead, check_nonce, &file[..HEADER_LEN - TAG_LEN], check_tag)
        .map_err(|_| BackupError::WrongPassphrase)?;

    let body_len = u64::from_le_bytes(
        file[HEADER_LEN..HEADER_LEN + 8]
            .try_into()
            .unwrap_or([0; 8]),
    );
    let available = (file.len() - body_start) as u64;
    if available < body_len {
        return Err(BackupError::Truncated.into());
    }
    if available > body_len || body_len < TAG_LEN as u64 {
        return Err(BackupError::Tampered.into());
    }
    let body_nonce = &file[HEADER_LEN + 8..body_start];
    open(&aead, body_nonce, &file[..body_start], &file[body_start..])
        .map_err(|_| BackupError::Tampered.into())
}

impl From<BackupError> for Error {
    fn from(err: BackupError) -> Self {
        match err {
            BackupError::WrongPassphrase => Error::WrongPassphrase,
            other => Error::Backup(other),
        }
    }
}

fn seal(aead: &XChaCha20Poly1305, nonce: &[u8], ad: &[u8], msg: &[u8]) -> Result<Vec<u8>> {
    aead.encrypt(XNonce::from_slice(nonce), Payload { msg, aad: ad })
        .map_err(|_| BackupError::Malformed("encryption failed".into()).into())
}

fn open(
    aead: &XChaCha20Poly1305,
    nonce: &[u8],
    ad: &[u8],
    ciphertext: &[u8],
) -> std::result::Result<Zeroizing<Vec<u8>>, chacha20poly1305::aead::Error> {
    aead.decrypt(
        XNonce::from_slice(nonce),
        Payload {
            msg: ciphertext,
            aad: ad,
        },
    )
    .map(Zeroizing::new)
}

/// Describes a JSON error by kind and position only: serde's messages can quote the content.
fn malformed_json(err: &serde_json::Error) -> BackupError {
    BackupError::Malformed(format!("{:?} error at line {}", err.classify(), err.line()))
}

fn read_u32(bytes: &[u8], at: usize) -> u32 {
    let mut word = [0u8; 4];
    word.copy_from_slice(&bytes[at..at + 4]);
    u32::from_le_bytes(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASS: &str = "backup passphrase";

    fn sample() -> Vec<u8> {
        encrypt(b"{\"hello\":1}", PASS, KdfParams::MINIMUM).unwrap()
    }

    #[test]
    fn roundtrip() {
        assert_eq!(&decrypt(&sample(), PASS).unwrap()[..], b"{\"hello\":1}");
    }

    #[test]
    fn wrong_passphrase_truncation_and_tampering_are_told_apart() {
        let file = sample();
        assert!(matches!(
            decrypt(&file, "another passphrase"),
            Err(Error::WrongPassphrase)
        ));
        assert!(matches!(
            decrypt(&file[..file.len() - 3], PASS),
            Err(Error::Backup(BackupError::Truncated))
        ));
        assert!(matches!(
            decrypt(&file[..40], PASS),
            Err(Error::Backup(BackupError::Truncated))
        ));
        let mut tampered = file.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 0x80;
        assert!(matches!(
            decrypt(&tampered, PASS),
            Err(Error::Backup(BackupError::Tampered))
        ));
        assert!(matches!(
            decrypt(b"PK\x03\x04zip", PASS),
            Err(Error::Backup(BackupError::NotABackup))
        ));
    }

    #[test]
    fn hostile_parameters_are_refused_before_any_derivation() {
        let mut file = sample();
        // 1 GiB of memory: far above KdfParams::MAXIMUM.
        file[9..13].copy_from_slice(&(1u32 << 20).to_le_bytes());
        let mut derivations = 0;
        let result = decrypt_with_key(&file, &mut |_, _| {
            derivations += 1;
            Ok(SecretKey::random())
        });
        assert!(matches!(
            result,
            Err(Error::Backup(BackupError::Malformed(_)))
        ));
        assert_eq!(derivations, 0);
    }

    #[test]
    fn a_file_sealed_under_a_given_key_opens_with_it() {
        let key = SecretKey::random();
        let salt = [9u8; SALT_LEN];
        let file = encrypt_with_key(b"{}", &key, KdfParams::MINIMUM, &salt).unwrap();
        let mut asked = None;
        let opened = decrypt_with_key(&file, &mut |params, salt| {
            asked = Some((params, salt.to_vec()));
            Ok(key.clone())
        })
        .unwrap();
        assert_eq!(&opened[..], b"{}");
        assert_eq!(asked, Some((KdfParams::MINIMUM, salt.to_vec())));
        assert!(matches!(
            decrypt_with_key(&file, &mut |_, _| Ok(SecretKey::random())),
            Err(Error::WrongPassphrase)
        ));
    }

    #[test]
    fn header_lengths_match_the_documented_offsets() {
        assert_eq!(HEADER_LEN, 77);
        let file = sample();
        assert_eq!(file.len(), HEADER_LEN + 8 + NONCE_LEN + 11 + TAG_LEN);
    }
}
