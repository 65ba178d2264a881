//! `Kinship`: one person's profile (a data folder) and its lock state.
//!
//! A profile folder holds two files: `keys.json` (the wrapped data keys, see [`crate::vault`])
//! and `kinship.sqlite` (sealed rows, see [`crate::store`]). The database is opened only after
//! the data key has been unwrapped and checked against the database's canary, so a wrong
//! passphrase touches no data file, and it is closed (checkpointed) again on lock.
//!
//! This is the facade: it creates, opens, unlocks and erases a profile and hands out its
//! parts (journal, coping, safety plan, directory, groups, backups). The state behind it, one
//! lock for the key file, the unlocked session and the auto-lock clock, is in
//! [`crate::session`]; every call that needs the data goes through
//! `session::Inner::with_unlocked`, which enforces the auto-lock timeout first.

use std::fs;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::clock::{Clock, WallClock};
use crate::coping::Coping;
use crate::error::{Error, Result};
use crate::events::{
    DataListener, DataTopic, DirectoryEvent, DirectoryListener, Event, LockCause, LockListener,
    Subscription, SyncListener,
};
use crate::journal::Journal;
use crate::safety_plan::SafetyPlanner;
use crate::session::{Inner, Paths, State, Unlocked};
use crate::vault::{KdfParams, KeyFile};

pub use crate::session::{DATABASE_FILE_NAME, KEY_FILE_NAME};
/// Table of one-per-profile sealed documents (favourites, the safety plan).
pub use crate::store::DOCUMENTS_TABLE;

/// One person's profile. Cheap to clone; clones share the same lock state.
#[derive(Clone)]
pub struct Kinship {
    inner: Arc<Inner>,
}

impl Kinship {
    /// Whether a profile has been created in `dir`.
    pub fn exists(dir: &Path) -> bool {
        dir.join(KEY_FILE_NAME).is_file()
    }

    /// Creates a new profile in `dir` with the default Argon2id cost, and leaves it unlocked.
    pub fn create(dir: &Path, passphrase: &str) -> Result<Self> {
        Self::create_with_params(dir, passphrase, KdfParams::DEFAULT)
    }

    /// Creates a new profile with explicit Argon2id parameters (never below OWASP's floor).
    pub fn create_with_params(dir: &Path, passphrase: &str, params: KdfParams) -> Result<Self> {
        if Self::exists(dir) {
            return Err(Error::AlreadyInitialized);
        }
        params.validate()?;
        crate::vault::check_passphrase_strength(passphrase)?;
        crate::fs::create_private_dir(dir)?;
        let paths = Paths::new(dir);
        let (key_file, unlocked) = crate::keyring::create(&paths, passphrase, params)?;
        Ok(Self::from_state(paths, key_file, Some(unlocked)))
    }

    /// Opens an existing profile, locked. Reads only the key file.
    /// Opening a folder that is already open in this process hands out the same profile: one
    /// lock state per folder, so a second handle can never undo a passphrase change with a
    /// stale key file, or stay unlocked after a quick erase.
    pub fn open(dir: &Path) -> Result<Self> {
        let paths = Paths::new(dir);
        if !paths.keys.is_file() {
            return Err(Error::NotInitialized);
        }
        if let Some(inner) = crate::session::already_open(dir) {
            return Ok(Kinship { inner });
        }
        let key_file = KeyFile::load(&paths.keys)?;
        Ok(Self::from_state(paths, key_file, None))
    }

    /// Unlocks with the passphrase: unwraps the data key, checks it against the database and opens
    /// it. On a wrong passphrase nothing changes ([`Error::WrongPassphrase`]).
    /// Then merges what a background sync stored while locked (see [`Kinship::sync_while_locked`]);
    /// a merge that fails leaves the inbox for the next unlock and never fails the unlock.
    pub fn unlock(&self, passphrase: &str) -> Result<()> {
        crate::keyring::unlock(&self.inner, passphrase)?;
        self.after_unlock();
        Ok(())
    }

    /// Unlocks with the 32-byte device key the phone keeps in its Keystore / Keychain, then
    /// merges the background inbox as [`Kinship::unlock`] does. A device key opens only the
    /// profile (or decoy profile) that enabled it.
    pub fn unlock_with_device_key(&self, device_key: &[u8]) -> Result<()> {
        crate::keyring::unlock_with_device_key(&self.inner, device_key)?;
        self.after_unlock();
        Ok(())
    }

    /// What every unlock does once the vault is open: the fixed rows of profiles made before
    /// they existed, then the background inbox. Neither may fail the unlock.
    fn after_unlock(&self) {
        if self
            .inner
            .with_unlocked_in_background(|u| {
                crate::keyring::write_fixed_rows(u)?;
                crate::keyring::complete_folder(&self.inner.paths, u)
            })
            .is_err()
        {
            log::warn!("the fixed rows could not be written; they are tried again next unlock");
        }
        crate::groups::background::merge_inbox(&self.inner);
    }

    /// Turns on background sync while locked (vault unlocked). `background_key` is 32 bytes
    /// the app keeps in the OS keystore, available after first unlock (other lengths:
    /// [`Error::InvalidInput`] on field `background_key`). Writes the manifest of followed
    /// groups sealed under it; what is fetched while locked only an unlock can read. See
    /// `docs/SECURITY.md` for what this exposes.
    pub fn enable_background_sync(&self, background_key: &[u8]) -> Result<()> {
        self.background_sync().enable(background_key)
    }

    /// Turns background sync off (vault unlocked): merges the inbox, then shreds the manifest
    /// and the inbox and forgets the keys.
    pub fn disable_background_sync(&self) -> Result<()> {
        self.background_sync().disable()
    }

    /// Whether background sync is on. Works while locked.
    pub fn background_sync_enabled(&self) -> Result<bool> {
        self.inner.state().key_file()?;
        Ok(self.background_sync().is_enabled())
    }

    /// A sync for when the vault is locked: polls the groups in the manifest and stores what
    /// comes back sealed in the inbox, merged on the next unlock. [`Error::WrongDeviceKey`] when
    /// `background_key` does not open the manifest, [`Error::NotFound`] when background sync
    /// is off. If the vault is unlocked, a normal sync runs instead.
    pub async fn sync_while_locked(
        &self,
        background_key: &[u8],
        options: &crate::groups::sync::SyncOptions,
    ) -> Result<crate::groups::background::BackgroundSyncReport> {
        self.inner.state().key_file()?;
        self.background_sync()
            .sync_while_locked(background_key, options)
            .await
    }

    /// Background sync: the same calls as above, and the report of the last merge.
    pub fn background_sync(&self) -> crate::groups::background::BackgroundSync {
        crate::groups::background::BackgroundSync::new(self.inner.clone())
    }

    /// Adds a copy of the data key wrapped under `device_key`. Needs the vault unlocked **and
    /// the passphrase**: whoever holds an unlocked phone for a minute must not be able to plant
    /// a lasting way in.
    pub fn enable_device_key(&self, passphrase: &str, device_key: &[u8]) -> Result<()> {
        crate::keyring::enable_device_key(&self.inner, passphrase, device_key)
    }

    /// Removes the device-key copy of the data key; the passphrase still opens the vault.
    pub fn disable_device_key(&self) -> Result<()> {
        self.inner.update_key_file(|key_file, _| {
            key_file.clear_device_key();
            Ok(())
        })
    }

    /// Whether a device-key copy of the data key is enabled. Works while locked.
    pub fn has_device_key(&self) -> Result<bool> {
        Ok(self.inner.state().key_file()?.has_device_key())
    }

    /// Rewraps the data key under `new`; no data row is touched, so this is O(1).
    /// Works whether or not the vault is unlocked, because `old` proves the right to do it.
    /// A device key is removed too: one planted before the change must not outlive it (the app
    /// enables it again with the new passphrase).
    pub fn change_passphrase(&self, old: &str, new: &str) -> Result<()> {
        crate::keyring::change_passphrase(&self.inner, old, new)
    }

    /// Sets (or replaces) the decoy passphrase: it then opens a second, separate profile, empty
    /// at first, that the person fills with harmless entries. Needs the vault unlocked and this
    /// profile's `passphrase`; a passphrase that already opens something is refused
    /// ([`Error::InvalidInput`], `Duplicate`). Replacing it starts the decoy afresh. A decoy
    /// profile cannot set one itself (`NotAllowed`). See `docs/SECURITY.md` section 17.
    pub fn set_decoy_passphrase(&self, passphrase: &str, decoy: &str) -> Result<()> {
        crate::keyring::set_decoy(&self.inner, passphrase, decoy)
    }

    /// Clears the decoy passphrase and erases the decoy profile. Needs this profile's
    /// passphrase.
    pub fn clear_decoy_passphrase(&self, passphrase: &str) -> Result<()> {
        crate::keyring::clear_decoy(&self.inner, passphrase)
    }

    /// Sets (or replaces) the duress passphrase: unlocking with it erases this profile (and a
    /// decoy) at once and opens a new, empty profile under it, as a new install looks. Needs the
    /// vault unlocked and this profile's `passphrase`.
    pub fn set_duress_passphrase(&self, passphrase: &str, duress: &str) -> Result<()> {
        crate::keyring::set_duress(&self.inner, passphrase, duress)
    }

    /// Clears the duress passphrase. Needs this profile's passphrase.
    pub fn clear_duress_passphrase(&self, passphrase: &str) -> Result<()> {
        crate::keyring::clear_duress(&self.inner, passphrase)
    }

    /// Whether a decoy and a duress passphrase are set, for a settings screen (vault unlocked).
    pub fn passphrase_settings(&self) -> Result<crate::keyring::PassphraseSettings> {
        crate::keyring::settings(&self.inner)
    }

    /// Wipes the keys from memory and closes the database; tells lock listeners
    /// `Locked { cause: Requested }` if it was unlocked.
    pub fn lock(&self) {
        self.inner.state().lock_because(LockCause::Requested);
    }

    /// Whether the vault is unlocked now; applies the auto-lock timeout first.
    pub fn is_unlocked(&self) -> bool {
        let mut state = self.inner.state();
        state.expire_if_idle();
        state.unlocked.is_some()
    }

    /// After `timeout` without a call that touches the data, the vault locks itself and calls
    /// fail with [`Error::Locked`]. `None` disables auto-lock.
    ///
    /// While the vault is unlocked with auto-lock set, a timer thread locks it when the
    /// deadline passes, with no call needed, and lock listeners get
    /// `Locked { cause: AutoLock }` (see [`Kinship::on_lock_change`]). The thread ends when the
    /// vault locks or the profile is dropped.
    pub fn set_auto_lock(&self, timeout: Option<Duration>) {
        let mut state = self.inner.state();
        state.auto_lock = timeout;
        state.touch();
        state.wake_timer();
    }

    /// Replaces the clock idle time is measured with (the wall clock by default). For tests,
    /// and for an app that has a better clock that counts time asleep.
    pub fn set_clock(&self, clock: Arc<dyn Clock>) {
        let mut state = self.inner.state();
        state.clock = clock;
        state.touch();
        state.wake_timer();
    }

    /// Crypto-shredding: overwrites and removes every wrapped copy of the data key first, so the
    /// data is unrecoverable at once, then removes the database files.
    pub fn quick_erase(&self) -> Result<()> {
        let mut state = self.inner.state();
        state.key_file = None;
        // Told after the files are gone (when the guard is dropped), even if a removal fails:
        // the keys are gone from memory and, the shredding being first, from the disk.
        state.mark_erased();
        let unlocked = state.unlocked.take();
        // The store is closed without a checkpoint: its content is useless without the key.
        drop(unlocked);
        crate::keyring::erase_files(&self.inner.paths)?;
        // Leave a folder the app created; remove it only when nothing else lives there.
        let _ = fs::remove_dir(&self.inner.paths.dir);
        Ok(())
    }

    /// Folds the write-ahead log into the database file (also done on lock and drop).
    pub fn checkpoint(&self) -> Result<()> {
        self.inner.with_unlocked(|u| Ok(u.store.checkpoint()?))
    }

    /// The database file of the unlocked profile (one of the folder's two, chosen at random
    /// at creation; the other holds a decoy or an empty database). For tools and tests that
    /// look at the file itself.
    pub fn database_file(&self) -> Result<std::path::PathBuf> {
        self.inner.with_unlocked_in_background(|u| {
            Ok(self.inner.paths.database(u.home.database).to_owned())
        })
    }

    /// The Argon2id parameters the passphrase is wrapped with. Works while locked.
    pub fn kdf_params(&self) -> Result<KdfParams> {
        Ok(self.inner.state().key_file()?.kdf_params())
    }

    /// The profile folder.
    pub fn data_dir(&self) -> &Path {
        &self.inner.paths.dir
    }

    /// The private journal.
    pub fn journal(&self) -> Journal {
        Journal::new(self.inner.clone())
    }

    /// Followed peer groups, their cached events, and sync with their servers.
    pub fn groups(&self) -> crate::groups::Groups {
        crate::groups::Groups::new(self.inner.clone())
    }

    /// Coping strategies: the built-in library, the person's own, and logged tries.
    pub fn coping(&self) -> Coping {
        Coping::new(self.inner.clone())
    }

    /// The directory with the person's own sealed entries (public entries need no unlock:
    /// see [`crate::directory::Directory::load`]).
    pub fn personal_directory(&self) -> crate::directory::private::PersonalDirectory {
        crate::directory::private::PersonalDirectory::new(self.inner.clone())
    }

    /// The safety plan.
    pub fn safety_plan(&self) -> SafetyPlanner {
        SafetyPlanner::new(self.inner.clone())
    }

    /// Encrypted backups of this profile.
    pub fn backups(&self) -> crate::backup::Backups {
        crate::backup::Backups::new(self.inner.clone())
    }

    /// Writes an encrypted backup of everything to `path` (see [`crate::backup::Backups`]).
    pub fn export_backup(
        &self,
        path: &Path,
        passphrase: &str,
        progress: &mut dyn FnMut(crate::backup::Progress),
    ) -> Result<crate::backup::ExportSummary> {
        self.backups().export(path, passphrase, progress)
    }

    /// Merges a backup into this profile: all or nothing (see [`crate::backup::Backups`]).
    pub fn import_backup(
        &self,
        path: &Path,
        passphrase: &str,
        progress: &mut dyn FnMut(crate::backup::Progress),
    ) -> Result<crate::backup::ImportSummary> {
        self.backups().import(path, passphrase, progress)
    }

    /// Writes one Markdown file per journal entry into `dir` and returns how many were
    /// written. The files are plaintext, readable by anyone who gets the folder: the caller
    /// must make that clear to the person before calling this.
    pub fn export_markdown_unencrypted(&self, dir: &Path) -> Result<usize> {
        crate::markdown::export(&self.journal(), dir)
    }

    /// Calls `listener` on every change of lock state: unlock, lock (asked for or by
    /// auto-lock), quick erase. It runs outside the profile's lock, on the thread that made the
    /// change (the timer's, for an auto-lock), so it may call back into the profile. Stops when
    /// the returned [`Subscription`] is cancelled or dropped (see there about listeners that
    /// hold the profile).
    pub fn on_lock_change(&self, listener: LockListener) -> Subscription {
        self.inner.events.on_lock_change(listener)
    }

    /// Calls `listener` after each call whose committed writes touched `topic` (once per call,
    /// however many rows it wrote; never before the write committed).
    pub fn on_data_change(&self, topic: DataTopic, listener: DataListener) -> Subscription {
        self.inner.events.on_data_change(topic, listener)
    }

    /// Calls `listener` with the progress and result of every sync (see
    /// [`crate::events::SyncEvent`]).
    pub fn on_sync(&self, listener: SyncListener) -> Subscription {
        self.inner.events.on_sync(listener)
    }

    /// Calls `listener` when a newer crisis directory is installed (by a sync or by
    /// [`Kinship::install_directory_bundle`]).
    pub fn on_directory_update(&self, listener: DirectoryListener) -> Subscription {
        self.inner.events.on_directory_update(listener)
    }

    /// Verifies a signed directory bundle against the built-in trusted keys and, if newer than
    /// the directory in use, installs it in the profile folder; returns its version and tells
    /// directory listeners. Needs no unlock (the directory is public data).
    pub fn install_directory_bundle(&self, bytes: &[u8]) -> Result<u64> {
        self.install_directory_bundle_with_keys(bytes, crate::directory::bundle::TRUSTED_KEYS)
    }

    /// As [`Kinship::install_directory_bundle`], trusting `keys` instead (tests, forks).
    pub fn install_directory_bundle_with_keys(
        &self,
        bytes: &[u8],
        keys: &[crate::directory::bundle::TrustedKey],
    ) -> Result<u64> {
        // An erased profile has no folder to install into.
        self.inner.state().key_file()?;
        let version = crate::directory::bundle::install(&self.inner.paths.dir, bytes, keys)?;
        log::info!("directory bundle installed: version {version}");
        self.inner
            .events
            .publish(Event::Directory(DirectoryEvent::Updated { version }));
        Ok(version)
    }

    /// Journal check-in reminders and when they fire next.
    pub fn reminders(&self) -> crate::reminders::Reminders {
        crate::reminders::Reminders::new(self.inner.clone())
    }

    fn from_state(paths: Paths, key_file: KeyFile, unlocked: Option<Unlocked>) -> Self {
        let inner = Inner::new(paths, State::new(key_file, unlocked, Arc::new(WallClock)));
        crate::session::register_open(&inner);
        Kinship { inner }
    }
}

/// Every profile holds the same documents from its creation, each sealed and padded whether or
/// not the person ever wrote one: a `safety_plan` row that appeared only once a plan was saved
/// would tell whoever copies the database that the person made one. Written where missing
/// (profiles made before this rule get them at their next unlock); never overwrites.
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed step should panic
mod tests {
    use super::*;
    use std::sync::atomic::Ordering;
    use std::time::Instant;

    fn wait_until(what: impl Fn() -> bool) -> bool {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(5) {
            if what() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    #[test]
    fn the_auto_lock_timer_runs_only_while_unlocked_with_auto_lock_and_ends_with_the_profile() {
        let dir = tempfile::tempdir().unwrap();
        let kinship = Kinship::create_with_params(
            &dir.path().join("p"),
            "test passphrase one",
            KdfParams::MINIMUM,
        )
        .unwrap();
        let threads = kinship.inner.timer_threads();
        assert_eq!(threads.load(Ordering::SeqCst), 0, "no auto-lock, no thread");
        kinship.set_auto_lock(Some(Duration::from_secs(600)));
        assert_eq!(threads.load(Ordering::SeqCst), 1);
        kinship.set_auto_lock(Some(Duration::from_secs(300)));
        assert_eq!(
            threads.load(Ordering::SeqCst),
            1,
            "one thread, woken, not a second"
        );
        kinship.lock();
        assert!(
            wait_until(|| threads.load(Ordering::SeqCst) == 0),
            "ends on lock"
        );
        kinship.unlock("test passphrase one").unwrap();
        assert_eq!(threads.load(Ordering::SeqCst), 1, "back on unlock");
        let clone = kinship.clone();
        drop(kinship);
        assert_eq!(
            threads.load(Ordering::SeqCst),
            1,
            "a clone keeps the profile open"
        );
        drop(clone);
        assert!(
            wait_until(|| threads.load(Ordering::SeqCst) == 0),
            "ends when the profile is dropped"
        );
    }

    #[test]
    fn the_timer_ends_when_the_last_reference_is_dropped_on_its_own_thread() {
        // Unlocking starts the timer, whose first pass briefly holds a reference; dropping the
        // profile right after races it, so some rounds drop the profile on the timer thread.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p");
        drop(
            Kinship::create_with_params(&path, "test passphrase one", KdfParams::MINIMUM).unwrap(),
        );
        for round in 0..40 {
            let kinship = Kinship::open(&path).unwrap();
            kinship.set_auto_lock(Some(Duration::from_secs(600)));
            let threads = kinship.inner.timer_threads();
            kinship.unlock("test passphrase one").unwrap();
            drop(kinship);
            assert!(
                wait_until(|| threads.load(Ordering::SeqCst) == 0),
                "round {round}: the timer thread ends with the profile"
            );
        }
    }

    #[test]
    fn with_a_manual_clock_the_timer_applies_the_session_rule_when_it_wakes() {
        let dir = tempfile::tempdir().unwrap();
        let kinship = Kinship::create_with_params(
            &dir.path().join("p"),
            "test passphrase one",
            KdfParams::MINIMUM,
        )
        .unwrap();
        let clock = Arc::new(crate::clock::ManualClock::new());
        kinship.set_clock(clock.clone());
        // Five minutes of fake time: the timer sleeps (in real time, capped) and re-checks.
        kinship.set_auto_lock(Some(Duration::from_secs(300)));
        std::thread::sleep(Duration::from_millis(100));
        assert!(kinship.inner.state().unlocked.is_some());
        clock.advance(Duration::from_secs(301));
        // A wake-up (as set_auto_lock and set_clock send) makes it re-read the clock at once.
        kinship.inner.state().wake_timer();
        let threads = kinship.inner.timer_threads();
        assert!(wait_until(|| kinship.inner.state().unlocked.is_none()));
        assert!(wait_until(|| threads.load(Ordering::SeqCst) == 0));
    }
}
