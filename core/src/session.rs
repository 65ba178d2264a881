//! The session: one profile's state behind one lock (the key file, the unlocked data key,
//! database connection and per-feature caches, the auto-lock clock), and the sealed-row store
//! every feature writes through.
//!
//! Layering: this module sits on `vault` (keys, sealing), `store` (SQLite) and `clock`; every
//! feature module (journal, coping, safety plan, directory, groups, backup) works through
//! [`Inner::with_unlocked`] and [`Unlocked`], and none imports the [`crate::Kinship`] facade.
//! The caches a feature keeps while unlocked live in [`Slots`], which names no feature.
//!
//! Events: every change of lock state, and the data topics a call marked with
//! [`Unlocked::changed`], are queued while the state lock is held and delivered by
//! [`StateGuard`]'s drop once the lock is released (see [`crate::events`]). The auto-lock timer
//! is one thread per unlocked profile with auto-lock set (see [`AutoLockTimer`]).

use crate::error::InputProblem;
use std::any::{Any, TypeId};
use std::cell::Cell;
use std::collections::HashMap;
use std::fs;
use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};
use std::time::Duration;

use rusqlite::OptionalExtension;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::events::{Bus, DataTopic, Event, LockCause, LockEvent, TopicSet};
use crate::store::Store;
use crate::vault::{Cipher, KeyFile, SecretKey};

/// Name of the key file in a profile folder (the wrapped data keys, JSON).
pub const KEY_FILE_NAME: &str = "keys.json";
/// Name of the SQLite database file in a profile folder (sealed rows).
pub const DATABASE_FILE_NAME: &str = "kinship.sqlite";
/// File name of the second database in a profile folder (see [`crate::vault::DATABASES`]):
/// a decoy profile's, or an empty one under a key nobody has.
pub const SECOND_DATABASE_FILE_NAME: &str = "kinship-1.sqlite";

/// The profiles open in this process, by folder: a second `Kinship::open` of a folder gets the
/// same state, not a separate world.
static OPEN_PROFILES: Mutex<Vec<(PathBuf, std::sync::Weak<Inner>)>> = Mutex::new(Vec::new());

/// The profile already open for `dir` in this process, if any.
pub(crate) fn already_open(dir: &Path) -> Option<Arc<Inner>> {
    let key = folder_key(dir);
    let open = OPEN_PROFILES.lock().unwrap_or_else(|p| p.into_inner());
    open.iter()
        .find(|(path, _)| *path == key)
        .and_then(|(_, inner)| inner.upgrade())
}

/// Records a newly opened or created profile (and forgets closed ones).
pub(crate) fn register_open(inner: &Arc<Inner>) {
    let key = folder_key(&inner.paths.dir);
    let mut open = OPEN_PROFILES.lock().unwrap_or_else(|p| p.into_inner());
    open.retain(|(path, weak)| weak.strong_count() > 0 && *path != key);
    open.push((key, Arc::downgrade(inner)));
}

/// The folder's canonical path, so `a/../a` and `a` are one profile.
fn folder_key(dir: &Path) -> PathBuf {
    fs::canonicalize(dir).unwrap_or_else(|_| dir.to_owned())
}

pub(crate) const META_TABLE: &str = "meta";
pub(crate) const CANARY_KEY: &str = "canary";
pub(crate) const CANARY_PLAINTEXT: &[u8] = b"kinship canary v1";

pub(crate) struct Inner {
    pub(crate) paths: Paths,
    state: Mutex<State>,
    /// The profile's listeners and event queue.
    pub(crate) events: Bus,
    /// Itself, for the auto-lock timer (which must not keep the profile open).
    me: Weak<Inner>,
    /// Auto-lock timer threads of this profile still running (tests check that none is left).
    timer_threads: Arc<AtomicUsize>,
}

impl Inner {
    pub(crate) fn new(paths: Paths, state: State) -> Arc<Inner> {
        Arc::new_cyclic(|me| Inner {
            paths,
            state: Mutex::new(state),
            events: Bus::default(),
            me: me.clone(),
            timer_threads: Arc::default(),
        })
    }

    /// Runs `f` with the unlocked session, or fails with `Locked` (also after auto-lock).
    pub(crate) fn with_unlocked<R>(&self, f: impl FnOnce(&mut Unlocked) -> Result<R>) -> Result<R> {
        self.run(f, true)
    }

    /// As [`Inner::with_unlocked`], for work the person did not ask for just now (a sync):
    /// it does not count as use, so a phone that syncs still auto-locks.
    pub(crate) fn with_unlocked_in_background<R>(
        &self,
        f: impl FnOnce(&mut Unlocked) -> Result<R>,
    ) -> Result<R> {
        self.run(f, false)
    }

    fn run<R>(&self, f: impl FnOnce(&mut Unlocked) -> Result<R>, is_use: bool) -> Result<R> {
        // The generic part is only the call: this runs for every closure in the core, and the
        // phone library carries one copy per call site (about 45).
        let mut state = self.enter()?;
        let result = match state.unlocked.as_mut() {
            Some(unlocked) => f(unlocked),
            None => Err(Error::Locked),
        };
        // Every statement of `f` has returned, so each topic it marked is committed (or was
        // rolled back, and a listener re-reads the same data: harmless). Delivered after the
        // lock is released, by the guard's drop.
        let changed = state
            .unlocked
            .as_ref()
            .map(Unlocked::take_changes)
            .unwrap_or_default();
        state.outbox.extend(changed.events());
        if is_use {
            state.touch();
        }
        result
    }

    /// Takes the lock for a call that needs the data: fails when erased, applies the
    /// auto-lock, fails when locked.
    #[inline(never)]
    fn enter(&self) -> Result<StateGuard<'_>> {
        let mut state = self.state();
        if state.key_file.is_none() {
            return Err(Error::Erased);
        }
        state.expire_if_idle();
        if state.unlocked.is_none() {
            return Err(Error::Locked);
        }
        Ok(state)
    }

    pub(crate) fn update_key_file(
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

    /// Takes the state lock. Events raised while it is held are delivered when the guard
    /// is dropped, after the lock is released.
    pub(crate) fn state(&self) -> StateGuard<'_> {
        // A panic while holding the lock leaves the state consistent (every change is applied
        // at the end), so a poisoned lock is still safe to use.
        let guard = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        StateGuard {
            inner: self,
            guard: Some(guard),
        }
    }

    /// How many auto-lock timer threads of this profile are running (for tests).
    #[cfg(test)]
    pub(crate) fn timer_threads(&self) -> Arc<AtomicUsize> {
        self.timer_threads.clone()
    }
}

/// The state lock, held. On drop it starts or stops the auto-lock timer to match the state,
/// releases the lock, then delivers the events raised meanwhile (so listeners run unlocked).
pub(crate) struct StateGuard<'a> {
    inner: &'a Inner,
    /// `Some` until dropped.
    guard: Option<MutexGuard<'a, State>>,
}

impl Deref for StateGuard<'_> {
    type Target = State;

    fn deref(&self) -> &State {
        match &self.guard {
            Some(guard) => guard,
            None => unreachable!("the guard is taken only when dropped"),
        }
    }
}

impl DerefMut for StateGuard<'_> {
    fn deref_mut(&mut self) -> &mut State {
        match &mut self.guard {
            Some(guard) => guard,
            None => unreachable!("the guard is taken only when dropped"),
        }
    }
}

impl Drop for StateGuard<'_> {
    fn drop(&mut self) {
        let Some(mut state) = self.guard.take() else {
            return;
        };
        state.match_timer(self.inner);
        let events = std::mem::take(&mut state.outbox);
        let any = !events.is_empty();
        if any {
            // Queued before the lock is released, so events leave in the order the state
            // changed, whichever thread delivers them.
            self.inner.events.enqueue(events);
        }
        drop(state);
        if any {
            self.inner.events.drain();
        }
    }
}

pub(crate) struct State {
    /// `None` once the profile has been erased.
    pub(crate) key_file: Option<KeyFile>,
    pub(crate) unlocked: Option<Unlocked>,
    pub(crate) auto_lock: Option<Duration>,
    pub(crate) clock: Arc<dyn Clock>,
    /// The clock's reading at the last call that touched the data.
    pub(crate) last_used: Duration,
    /// Events raised under the lock, delivered when it is released.
    pub(crate) outbox: Vec<Event>,
    /// The running auto-lock timer, while unlocked with auto-lock set.
    timer: Option<Arc<AutoLockTimer>>,
}

impl State {
    /// A locked (or, with `unlocked`, unlocked) state with no auto-lock.
    pub(crate) fn new(
        key_file: KeyFile,
        unlocked: Option<Unlocked>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let last_used = clock.now();
        State {
            key_file: Some(key_file),
            unlocked,
            auto_lock: None,
            clock,
            last_used,
            outbox: Vec::new(),
            timer: None,
        }
    }

    pub(crate) fn key_file(&self) -> Result<&KeyFile> {
        self.key_file.as_ref().ok_or(Error::Erased)
    }

    /// Opens database `home.database` with `data_key` (checked against its canary) and
    /// makes it the unlocked session.
    pub(crate) fn unlock_with(
        &mut self,
        paths: &Paths,
        home: Home,
        data_key: SecretKey,
    ) -> Result<()> {
        let database = paths.database(home.database);
        if !database.is_file() {
            return Err(Error::corrupted("the database file is missing"));
        }
        let cipher = Cipher::new(&data_key);
        let store = Store::open(database)?;
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
        self.unlocked = Some(Unlocked::new(data_key, cipher, store, home));
        self.touch();
        log::info!("vault unlocked");
        self.outbox.push(Event::Lock(LockEvent::Unlocked));
        Ok(())
    }

    /// Locks without telling anyone (before an unlock, or when the profile is dropped).
    pub(crate) fn lock(&mut self) {
        if let Some(unlocked) = self.unlocked.take() {
            unlocked.close();
        }
    }

    /// Locks and, if the vault was unlocked, raises `Locked { cause }`.
    pub(crate) fn lock_because(&mut self, cause: LockCause) {
        if self.unlocked.is_none() {
            return;
        }
        self.lock();
        match cause {
            LockCause::Requested => log::info!("vault locked (requested)"),
            LockCause::AutoLock => log::info!("vault locked (auto-lock)"),
        }
        self.outbox.push(Event::Lock(LockEvent::Locked { cause }));
    }

    /// Raises `Erased` (the caller has destroyed the keys).
    pub(crate) fn mark_erased(&mut self) {
        log::info!("profile erased");
        self.outbox.push(Event::Lock(LockEvent::Erased));
    }

    /// Makes the auto-lock timer recompute its deadline now (after the timeout or the clock
    /// changed). A touch needs no wake-up: it only moves the deadline later, and the timer
    /// re-reads the clock when it wakes.
    pub(crate) fn wake_timer(&self) {
        if let Some(timer) = &self.timer {
            timer.wake();
        }
    }

    /// How long until the idle deadline, if the vault is unlocked with auto-lock set.
    fn time_until_idle(&self) -> Option<Duration> {
        let timeout = self.auto_lock?;
        self.unlocked.as_ref()?;
        let idle = self.clock.now().checked_sub(self.last_used)?;
        Some(timeout.saturating_sub(idle))
    }

    /// Starts the timer when the vault is unlocked with auto-lock set, stops it otherwise.
    fn match_timer(&mut self, inner: &Inner) {
        let wanted = self.unlocked.is_some() && self.auto_lock.is_some() && self.key_file.is_some();
        if wanted && self.timer.is_none() {
            self.timer = AutoLockTimer::start(inner);
        } else if !wanted {
            if let Some(timer) = self.timer.take() {
                timer.stop();
            }
        }
    }

    #[inline(never)]
    pub(crate) fn touch(&mut self) {
        self.last_used = self.clock.now();
    }

    pub(crate) fn expire_if_idle(&mut self) {
        if let Some(timeout) = self.auto_lock {
            // A clock that went backwards cannot say how long the phone was idle: lock.
            let idle = self.clock.now().checked_sub(self.last_used);
            if self.unlocked.is_some() && idle.is_none_or(|idle| idle >= timeout) {
                self.lock_because(LockCause::AutoLock);
            }
        }
    }
}

/// What exists only while the vault is unlocked. Dropping it wipes the keys (both are
/// `ZeroizeOnDrop`) and the in-memory search index.
pub(crate) struct Unlocked {
    data_key: SecretKey,
    /// Which key slot opened this session and which database it is.
    pub(crate) home: Home,
    pub(crate) cipher: Cipher,
    pub(crate) store: Store,
    /// Per-feature caches, rebuilt from the sealed rows after unlock; dropped (and wiped by
    /// their own `Drop`) on lock.
    pub(crate) slots: Slots,
    /// Topics the current call wrote (see [`Unlocked::changed`]).
    changes: Cell<TopicSet>,
}

/// Caches keyed by their type, so the session names no feature.
#[derive(Default)]
pub(crate) struct Slots {
    values: HashMap<TypeId, Box<dyn Any + Send>>,
}

impl Slots {
    pub(crate) fn get_mut<T: Any + Send>(&mut self) -> Option<&mut T> {
        self.values
            .get_mut(&TypeId::of::<T>())
            .and_then(|v| v.downcast_mut::<T>())
    }

    pub(crate) fn set<T: Any + Send>(&mut self, value: T) {
        self.values.insert(TypeId::of::<T>(), Box::new(value));
    }

    /// Forgets a cache, e.g. after an import, so it is rebuilt from what was committed.
    pub(crate) fn clear<T: Any + Send>(&mut self) {
        self.values.remove(&TypeId::of::<T>());
    }
}

impl Unlocked {
    pub(crate) fn new(data_key: SecretKey, cipher: Cipher, store: Store, home: Home) -> Self {
        Unlocked {
            data_key,
            home,
            cipher,
            store,
            slots: Slots::default(),
            changes: Cell::default(),
        }
    }

    /// The data key of this session (to wrap it again, never to store it elsewhere).
    pub(crate) fn data_key(&self) -> &SecretKey {
        &self.data_key
    }

    /// Marks `topic` as written by the current call: its listeners are told once the call
    /// returns and the state lock is released. Call it after the write (or its transaction)
    /// committed.
    pub(crate) fn changed(&self, topic: DataTopic) {
        self.changes.set(self.changes.get().with(topic));
    }

    fn take_changes(&self) -> TopicSet {
        self.changes.take()
    }

    /// Seals `value` as JSON into row `id` of `table` (a fixed table name, never input).
    pub(crate) fn put_sealed<T: Serialize>(&self, table: &str, id: &str, value: &T) -> Result<()> {
        let sealed = self
            .cipher
            .seal_json(table, id, value, crate::vault::PADDED_MIN_BYTES)
            .map_err(|_| Error::invalid(InputProblem::Malformed, "value could not be encoded"))?;
        self.store
            .conn()
            .prepare_cached(&format!(
                "INSERT INTO {table} (id, sealed) VALUES (?1, ?2)
                 ON CONFLICT(id) DO UPDATE SET sealed = excluded.sealed"
            ))?
            .execute(rusqlite::params![id, sealed])?;
        Ok(())
    }

    /// As [`Unlocked::put_sealed`], only when the row does not exist yet.
    pub(crate) fn put_sealed_if_missing<T: Serialize>(
        &self,
        table: &str,
        id: &str,
        value: &T,
    ) -> Result<()> {
        let exists = self
            .store
            .conn()
            .prepare_cached(&format!("SELECT 1 FROM {table} WHERE id = ?1"))?
            .exists([id])?;
        if exists {
            return Ok(());
        }
        self.put_sealed(table, id, value)
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
            home: _,
            cipher,
            store,
            slots,
            changes: _,
        } = self;
        drop(slots);
        drop(cipher);
        drop(data_key);
        // A failed checkpoint loses nothing: the WAL is replayed on next open.
        let _ = store.close();
    }
}

/// Where an unlocked session lives: the key slot that opened it (`None` for a version-1 key
/// file, which has no slots yet) and the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Home {
    pub(crate) slot: Option<usize>,
    pub(crate) database: u8,
}

pub(crate) struct Paths {
    pub(crate) dir: PathBuf,
    pub(crate) keys: PathBuf,
    databases: [PathBuf; crate::vault::DATABASES as usize],
}

impl Paths {
    pub(crate) fn new(dir: &Path) -> Self {
        Paths {
            dir: dir.to_owned(),
            keys: dir.join(KEY_FILE_NAME),
            databases: [
                dir.join(DATABASE_FILE_NAME),
                dir.join(SECOND_DATABASE_FILE_NAME),
            ],
        }
    }

    /// Database file `index` (below [`crate::vault::DATABASES`]; a larger one is the last).
    pub(crate) fn database(&self, index: u8) -> &Path {
        let last = self.databases.len() - 1;
        &self.databases[usize::from(index).min(last)]
    }

    /// Database `index` and its write-ahead log and shared-memory files.
    pub(crate) fn database_files(&self, index: u8) -> [PathBuf; 3] {
        let database = self.database(index);
        let with_suffix = |suffix: &str| {
            let mut name = database.as_os_str().to_owned();
            name.push(suffix);
            PathBuf::from(name)
        };
        [
            database.to_owned(),
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

/// Removes every database of the folder.
pub(crate) fn remove_database_files(paths: &Paths) -> Result<()> {
    for index in 0..crate::vault::DATABASES {
        remove_database(paths, index)?;
    }
    Ok(())
}

/// Removes database `index` with its write-ahead log.
pub(crate) fn remove_database(paths: &Paths, index: u8) -> Result<()> {
    for file in paths.database_files(index) {
        remove_if_present(&file)?;
    }
    Ok(())
}

pub(crate) fn remove_if_present(file: &Path) -> Result<()> {
    match fs::remove_file(file) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(err.into()),
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Locks quietly (nobody is left to tell) and, through the guard, stops the timer.
        self.state().lock();
    }
}

/// Longest the timer sleeps before it re-reads the clock. Condition variables wait on a
/// monotonic clock, which stops while a phone sleeps; the wall clock (the auto-lock's) does
/// not, so after a long sleep the vault locks within this much of the phone waking up.
const TIMER_MAX_WAIT: Duration = Duration::from_secs(10);
/// Shortest sleep, so a clock that reads "not yet" at the deadline cannot make the timer spin.
const TIMER_MIN_WAIT: Duration = Duration::from_millis(20);

/// The auto-lock timer of one profile: a thread parked on a condition variable until the idle
/// deadline, which then applies the session's own idle rule (`State::expire_if_idle`, with
/// the profile's clock) and sleeps again if the vault was used meanwhile. It holds only a weak
/// reference to the profile, and ends when the vault locks, auto-lock is turned off or the
/// profile is dropped. With a clock that is not the wall clock (a test's manual clock) it
/// still sleeps in real time, at most [`TIMER_MAX_WAIT`], and re-checks: no busy loop.
pub(crate) struct AutoLockTimer {
    flags: Mutex<TimerFlags>,
    wake: Condvar,
}

#[derive(Default)]
struct TimerFlags {
    stopped: bool,
    /// Bumped by every wake-up, so one sent before the thread parks is not lost.
    generation: u64,
}

impl AutoLockTimer {
    /// Starts the thread; `None` (auto-lock then applies on the next call, as before) if the
    /// system refused a thread.
    fn start(inner: &Inner) -> Option<Arc<AutoLockTimer>> {
        let timer = Arc::new(AutoLockTimer {
            flags: Mutex::new(TimerFlags::default()),
            wake: Condvar::new(),
        });
        let (me, mine) = (inner.me.clone(), timer.clone());
        let running = RunningTimer::new(inner.timer_threads.clone());
        let spawned = std::thread::Builder::new()
            .name("kinship-auto-lock".into())
            .spawn(move || {
                let _running = running;
                run_timer(&me, &mine);
            });
        match spawned {
            Ok(_) => Some(timer),
            Err(_) => {
                log::warn!("no auto-lock timer thread: auto-lock applies on the next call");
                None
            }
        }
    }

    fn flags(&self) -> MutexGuard<'_, TimerFlags> {
        self.flags.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn stop(&self) {
        self.flags().stopped = true;
        self.wake.notify_all();
    }

    fn wake(&self) {
        self.flags().generation += 1;
        self.wake.notify_all();
    }

    /// Sleeps for `wait` unless stopped or woken since `generation` was read.
    fn sleep(&self, wait: Duration, generation: u64) {
        let flags = self.flags();
        let _ = self
            .wake
            .wait_timeout_while(flags, wait, |f| !f.stopped && f.generation == generation);
    }
}

fn run_timer(me: &Weak<Inner>, timer: &AutoLockTimer) {
    loop {
        let (wait, generation) = {
            let Some(inner) = me.upgrade() else {
                return;
            };
            let mut state = inner.state();
            if timer.flags().stopped {
                return;
            }
            // Locks (and raises AutoLock) if the deadline passed; the guard's drop then stops
            // this timer and delivers the event on this thread, outside the lock.
            state.expire_if_idle();
            let Some(wait) = state.time_until_idle() else {
                return;
            };
            // Read under the state lock, where wake-ups are sent: none can slip in between.
            // Bound to a local so the flags guard is released here: as a temporary of the
            // block's value it would outlive `inner`, and if that was the last reference the
            // profile's drop (on this thread) would stop the timer and wait on this very lock.
            let generation = timer.flags().generation;
            (wait, generation)
        };
        timer.sleep(wait.clamp(TIMER_MIN_WAIT, TIMER_MAX_WAIT), generation);
    }
}

/// Counts a running timer thread for as long as it lives.
struct RunningTimer(Arc<AtomicUsize>);

impl RunningTimer {
    fn new(count: Arc<AtomicUsize>) -> Self {
        count.fetch_add(1, Ordering::SeqCst);
        RunningTimer(count)
    }
}

impl Drop for RunningTimer {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}
