//! `Kinship`: one person's profile (a data folder) and its lock state.
//!
//! A profile folder holds two files: `keys.json` (the wrapped data keys, see [`crate::vault`])
//! and `kinship.sqlite` (sealed rows, see [`crate::store`]). The database is opened only after
//! the data key has been unwrapped and checked against the database's canary, so a wrong
//! passphrase touches no data file, and it is closed (checkpointed) again on lock.
//!
//! All state sits behind one mutex: the key file, the unlocked session (data key, database
//! connection, in-memory search index) and the auto-lock clock. Every call that needs the data
//! goes through [`Inner::with_unlocked`], which enforces the auto-lock timeout first.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::OptionalExtension;
use serde::de::DeserializeOwned;
use serde::Serialize;
use zeroize::Zeroizing;

use crate::clock::{Clock, WallClock};
use crate::coping::{Coping, CopingState};
use crate::error::{Error, Result};
use crate::journal::{index::JournalIndex, Journal};
use crate::safety_plan::SafetyPlanner;
use crate::store::Store;
use crate::vault::{Cipher, KdfParams, KeyFile, SecretKey};

pub const KEY_FILE_NAME: &str = "keys.json";
pub const DATABASE_FILE_NAME: &str = "kinship.sqlite";
/// Table of one-per-profile sealed documents (favourites, the safety plan).
pub const DOCUMENTS_TABLE: &str = "documents";

const META_TABLE: &str = "meta";
const CANARY_KEY: &str = "canary";
const CANARY_PLAINTEXT: &[u8] = b"kinship canary v1";

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
        crate::vault::create_private_dir(dir)?;
        let paths = Paths::new(dir);
        let data_key = SecretKey::random();
        let key_file = KeyFile::new(&data_key, passphrase, params)?;
        // A database left over from an erased or failed profile would not match the new key.
        remove_database_files(&paths)?;
        // SQLite gives the -wal and -shm files the main file's permissions: owner only.
        crate::vault::create_private_file(&paths.database)?;
        let store = Store::open(&paths.database)?;
        let cipher = Cipher::new(&data_key);
        store.meta_set(
            CANARY_KEY,
            &cipher.seal(META_TABLE, CANARY_KEY, CANARY_PLAINTEXT),
        )?;
        // The key file is written last: until it exists the folder is not a profile.
        key_file.save(&paths.keys)?;
        let unlocked = Unlocked::new(data_key, cipher, store);
        Ok(Self::from_state(paths, key_file, Some(unlocked)))
    }

    /// Opens an existing profile, locked. Reads only the key file.
    pub fn open(dir: &Path) -> Result<Self> {
        let paths = Paths::new(dir);
        if !paths.keys.is_file() {
            return Err(Error::NotInitialized);
        }
        let key_file = KeyFile::load(&paths.keys)?;
        Ok(Self::from_state(paths, key_file, None))
    }

    pub fn unlock(&self, passphrase: &str) -> Result<()> {
        let mut state = self.inner.state();
        let data_key = state.key_file()?.unwrap_with_passphrase(passphrase)?;
        state.unlock_with(&self.inner.paths, data_key)
    }

    /// Unlocks with the 32-byte device key the phone keeps in its Keystore / Keychain.
    pub fn unlock_with_device_key(&self, device_key: &[u8]) -> Result<()> {
        let mut state = self.inner.state();
        let data_key = state.key_file()?.unwrap_with_device_key(device_key)?;
        state.unlock_with(&self.inner.paths, data_key)
    }

    /// Adds a copy of the data key wrapped under `device_key`. Needs the vault unlocked.
    pub fn enable_device_key(&self, device_key: &[u8]) -> Result<()> {
        self.inner.update_key_file(|key_file, data_key| {
            Ok(key_file.set_device_key(data_key, device_key)?)
        })
    }

    /// Removes the device-key copy of the data key; the passphrase still opens the vault.
    pub fn disable_device_key(&self) -> Result<()> {
        self.inner.update_key_file(|key_file, _| {
            key_file.clear_device_key();
            Ok(())
        })
    }

    pub fn has_device_key(&self) -> Result<bool> {
        Ok(self.inner.state().key_file()?.has_device_key())
    }

    /// Rewraps the data key under `new`; no data row is touched, so this is O(1).
    /// Works whether or not the vault is unlocked, because `old` proves the right to do it.
    pub fn change_passphrase(&self, old: &str, new: &str) -> Result<()> {
        crate::vault::check_passphrase_strength(new)?;
        let mut state = self.inner.state();
        let mut key_file = state.key_file()?.clone();
        let data_key = key_file.unwrap_with_passphrase(old)?;
        key_file.rewrap_passphrase(&data_key, new)?;
        key_file.save(&self.inner.paths.keys)?;
        state.key_file = Some(key_file);
        Ok(())
    }

    /// Wipes the keys from memory and closes the database.
    pub fn lock(&self) {
        self.inner.state().lock();
    }

    pub fn is_unlocked(&self) -> bool {
        let mut state = self.inner.state();
        state.expire_if_idle();
        state.unlocked.is_some()
    }

    /// After `timeout` without a call that touches the data, the vault locks itself and calls
    /// fail with [`Error::Locked`]. `None` disables auto-lock.
    pub fn set_auto_lock(&self, timeout: Option<Duration>) {
        let mut state = self.inner.state();
        state.auto_lock = timeout;
        state.touch();
    }

    /// Replaces the clock idle time is measured with (the wall clock by default). For tests,
    /// and for an app that has a better clock that counts time asleep.
    pub fn set_clock(&self, clock: Arc<dyn Clock>) {
        let mut state = self.inner.state();
        state.clock = clock;
        state.touch();
    }

    /// Crypto-shredding: overwrites and removes every wrapped copy of the data key first, so the
    /// data is unrecoverable at once, then removes the database files.
    pub fn quick_erase(&self) -> Result<()> {
        let mut state = self.inner.state();
        state.key_file = None;
        let unlocked = state.unlocked.take();
        crate::vault::shred_file(&self.inner.paths.keys)?;
        // A key file half-written by an interrupted save holds a wrapped key too.
        crate::vault::shred_file(&crate::vault::temporary_sibling(&self.inner.paths.keys))?;
        if let Some(unlocked) = unlocked {
            // The store is closed without a checkpoint: its content is useless without the key.
            drop(unlocked);
        }
        remove_database_files(&self.inner.paths)?;
        // The directory bundle is public data, but it belongs to the profile folder too.
        remove_if_present(&crate::directory::bundle::installed_path(
            &self.inner.paths.dir,
        ))?;
        // Leave a folder the app created; remove it only when nothing else lives there.
        let _ = fs::remove_dir(&self.inner.paths.dir);
        Ok(())
    }

    /// Folds the write-ahead log into the database file (also done on lock and drop).
    pub fn checkpoint(&self) -> Result<()> {
        self.inner.with_unlocked(|u| Ok(u.store.checkpoint()?))
    }

    pub fn kdf_params(&self) -> Result<KdfParams> {
        Ok(self.inner.state().key_file()?.kdf_params())
    }

    pub fn data_dir(&self) -> &Path {
        &self.inner.paths.dir
    }

    pub fn journal(&self) -> Journal {
        Journal::new(self.inner.clone())
    }

    /// Followed peer groups, their cached events, and sync with their servers.
    pub fn groups(&self) -> crate::groups::Groups {
        crate::groups::Groups::new(self.inner.clone())
    }

    pub fn coping(&self) -> Coping {
        Coping::new(self.inner.clone())
    }

    /// The directory with the person's own sealed entries (public entries need no unlock:
    /// see [`crate::directory::Directory::load`]).
    pub fn personal_directory(&self) -> crate::directory::private::PersonalDirectory {
        crate::directory::private::PersonalDirectory::new(self.inner.clone())
    }

    pub fn safety_plan(&self) -> SafetyPlanner {
        SafetyPlanner::new(self.inner.clone())
    }

    pub(crate) fn with_unlocked<R>(&self, f: impl FnOnce(&mut Unlocked) -> Result<R>) -> Result<R> {
        self.inner.with_unlocked(f)
    }

    fn from_state(paths: Paths, key_file: KeyFile, unlocked: Option<Unlocked>) -> Self {
        Kinship {
            inner: Arc::new(Inner {
                paths,
                state: Mutex::new(State {
                    key_file: Some(key_file),
                    unlocked,
                    auto_lock: None,
                    clock: Arc::new(WallClock),
                    last_used: WallClock.now(),
                }),
            }),
        }
    }
}

pub(crate) struct Inner {
    paths: Paths,
    state: Mutex<State>,
}

impl Inner {
    /// Runs `f` with the unlocked session, or fails with `Locked` (also after auto-lock).
    pub(crate) fn with_unlocked<R>(&self, f: impl FnOnce(&mut Unlocked) -> Result<R>) -> Result<R> {
        let mut state = self.state();
        if state.key_file.is_none() {
            return Err(Error::Erased);
        }
        state.expire_if_idle();
        let unlocked = state.unlocked.as_mut().ok_or(Error::Locked)?;
        let result = f(unlocked);
        state.touch();
        result
    }

    fn update_key_file(
        &self,
        change: impl FnOnce(&mut KeyFile, &SecretKey) -> Result<()>,
    ) -> Result<()> {
        let mut state = self.state();
        state.expire_if_idle();
        let mut key_file = state.key_file()?.clone();
        let unlocked = state.unlocked.as_ref().ok_or(Error::Locked)?;
        change(&mut key_file, &unlocked.data_key)?;
        key_file.save(&self.paths.keys)?;
        state.key_file = Some(key_file);
        state.touch();
        Ok(())
    }

    pub(crate) fn data_dir(&self) -> &Path {
        &self.paths.dir
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves the state consistent (every change is applied
        // at the end), so a poisoned lock is still safe to use.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

struct State {
    /// `None` once the profile has been erased.
    key_file: Option<KeyFile>,
    unlocked: Option<Unlocked>,
    auto_lock: Option<Duration>,
    clock: Arc<dyn Clock>,
    /// The clock's reading at the last call that touched the data.
    last_used: Duration,
}

impl State {
    fn key_file(&self) -> Result<&KeyFile> {
        self.key_file.as_ref().ok_or(Error::Erased)
    }

    fn unlock_with(&mut self, paths: &Paths, data_key: SecretKey) -> Result<()> {
        if !paths.database.is_file() {
            return Err(Error::corrupted("the database file is missing"));
        }
        let cipher = Cipher::new(&data_key);
        let store = Store::open(&paths.database)?;
        let canary = store
            .meta_get(CANARY_KEY)?
            .ok_or_else(|| Error::corrupted("database has no key check"))?;
        let opened = cipher
            .open(META_TABLE, CANARY_KEY, &canary)
            .map_err(|_| Error::corrupted("the key does not belong to this database"))?;
        if opened.as_slice() != CANARY_PLAINTEXT {
            return Err(Error::corrupted("database key check"));
        }
        self.lock();
        self.unlocked = Some(Unlocked::new(data_key, cipher, store));
        self.touch();
        Ok(())
    }

    fn lock(&mut self) {
        if let Some(unlocked) = self.unlocked.take() {
            unlocked.close();
        }
    }

    fn touch(&mut self) {
        self.last_used = self.clock.now();
    }

    fn expire_if_idle(&mut self) {
        if let Some(timeout) = self.auto_lock {
            // A clock that went backwards cannot say how long the phone was idle: lock.
            let idle = self.clock.now().checked_sub(self.last_used);
            if self.unlocked.is_some() && idle.is_none_or(|idle| idle >= timeout) {
                self.lock();
            }
        }
    }
}

/// What exists only while the vault is unlocked. Dropping it wipes the keys (both are
/// `ZeroizeOnDrop`) and the in-memory search index.
pub(crate) struct Unlocked {
    data_key: SecretKey,
    pub(crate) cipher: Cipher,
    pub(crate) store: Store,
    pub(crate) journal_index: Option<JournalIndex>,
    pub(crate) coping: Option<CopingState>,
}

impl Unlocked {
    fn new(data_key: SecretKey, cipher: Cipher, store: Store) -> Self {
        Unlocked {
            data_key,
            cipher,
            store,
            journal_index: None,
            coping: None,
        }
    }

    /// Seals `value` as JSON into row `id` of `table` (a fixed table name, never input).
    pub(crate) fn put_sealed<T: Serialize>(&self, table: &str, id: &str, value: &T) -> Result<()> {
        let json = Zeroizing::new(
            serde_json::to_vec(value).map_err(|_| Error::invalid("value could not be encoded"))?,
        );
        let sealed = self.cipher.seal(table, id, &json);
        self.store
            .conn()
            .prepare_cached(&format!(
                "INSERT INTO {table} (id, sealed) VALUES (?1, ?2)
                 ON CONFLICT(id) DO UPDATE SET sealed = excluded.sealed"
            ))?
            .execute(rusqlite::params![id, sealed])?;
        Ok(())
    }

    /// Opens row `id` of `table`; `None` when there is no such row.
    pub(crate) fn get_sealed<T: DeserializeOwned>(
        &self,
        table: &str,
        id: &str,
    ) -> Result<Option<T>> {
        let sealed: Option<Vec<u8>> = self
            .store
            .conn()
            .prepare_cached(&format!("SELECT sealed FROM {table} WHERE id = ?1"))?
            .query_row([id], |row| row.get(0))
            .optional()?;
        sealed
            .map(|sealed| self.open_sealed(table, id, &sealed))
            .transpose()
    }

    /// Every row of `table`, each opened on its own so one damaged row hides nothing else.
    pub(crate) fn all_sealed<T: DeserializeOwned>(
        &self,
        table: &str,
    ) -> Result<Vec<(String, Result<T>)>> {
        let mut stmt = self
            .store
            .conn()
            .prepare(&format!("SELECT id, sealed FROM {table}"))?;
        let rows = stmt.query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, Vec<u8>>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, sealed) = row?;
            let value = self.open_sealed(table, &id, &sealed);
            out.push((id, value));
        }
        Ok(out)
    }

    /// Whether row `id` of `table` exists.
    pub(crate) fn exists_sealed(&self, table: &str, id: &str) -> Result<bool> {
        Ok(self
            .store
            .conn()
            .prepare_cached(&format!("SELECT 1 FROM {table} WHERE id = ?1"))?
            .exists([id])?)
    }

    /// A row id for values that must not appear in clear (a server's group or event ids): a
    /// hash keyed with a key derived from the data key, stable while the data key is.
    pub(crate) fn keyed_row_id(&self, parts: &[&str]) -> String {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        hasher.update(b"kinship/1/row-id-key");
        hasher.update(self.data_key.expose());
        let key = hasher.finalize();
        let mut hasher = Sha256::new();
        hasher.update(key);
        for part in parts {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
        hex::encode(&hasher.finalize()[..16])
    }

    /// Deletes row `id` of `table`; whether it existed.
    pub(crate) fn delete_sealed(&self, table: &str, id: &str) -> Result<bool> {
        let removed = self
            .store
            .conn()
            .prepare_cached(&format!("DELETE FROM {table} WHERE id = ?1"))?
            .execute([id])?;
        Ok(removed > 0)
    }

    fn open_sealed<T: DeserializeOwned>(&self, table: &str, id: &str, sealed: &[u8]) -> Result<T> {
        let json = self
            .cipher
            .open(table, id, sealed)
            .map_err(|_| Error::corrupted(format!("a row of {table}")))?;
        serde_json::from_slice(&json).map_err(|_| Error::corrupted(format!("a row of {table}")))
    }

    fn close(self) {
        let Unlocked {
            data_key,
            cipher,
            store,
            journal_index,
            coping,
        } = self;
        drop(journal_index);
        drop(coping);
        drop(cipher);
        drop(data_key);
        // A failed checkpoint loses nothing: the WAL is replayed on next open.
        let _ = store.close();
    }
}

struct Paths {
    dir: PathBuf,
    keys: PathBuf,
    database: PathBuf,
}

impl Paths {
    fn new(dir: &Path) -> Self {
        Paths {
            dir: dir.to_owned(),
            keys: dir.join(KEY_FILE_NAME),
            database: dir.join(DATABASE_FILE_NAME),
        }
    }

    fn database_files(&self) -> [PathBuf; 3] {
        let with_suffix = |suffix: &str| {
            let mut name = self.database.as_os_str().to_owned();
            name.push(suffix);
            PathBuf::from(name)
        };
        [
            self.database.clone(),
            with_suffix("-wal"),
            with_suffix("-shm"),
        ]
    }
}

/// A random id of `bytes` bytes as lowercase hex: row ids reveal nothing but their number.
pub(crate) fn random_id(bytes: usize) -> String {
    use rand::RngCore;
    let mut raw = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut raw);
    hex::encode(raw)
}

fn remove_database_files(paths: &Paths) -> Result<()> {
    for file in paths.database_files() {
        remove_if_present(&file)?;
    }
    Ok(())
}

fn remove_if_present(file: &Path) -> Result<()> {
    match fs::remove_file(file) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(err.into()),
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.state().lock();
    }
}
