//! The key slots and databases of a profile folder: creating a profile, unlocking whichever
//! slot a passphrase opens, and the decoy and duress passphrases.
//!
//! Every folder has the same files from creation: `keys.json` with [`KEY_SLOTS`] slots under one
//! Argon2id salt, and [`DATABASES`] databases. The profile's slot and database are chosen at
//! random. The other database holds a decoy profile once one is set, and until then an empty
//! database under a key nobody has, with the same fixed rows. So a copy of the folder says nothing
//! about whether a decoy or duress passphrase is set (SECURITY.md section 17 lists what it still
//! says).
//!
//! Which slots the profile gave to its decoy and duress passphrases is written only inside its
//! own database (the sealed `key_slots` meta row): no slot says what it is for. A decoy's
//! database holds such a row too, which marks every other slot as not its own, so a decoy
//! cannot overwrite the profile's slots.

use rand::seq::SliceRandom;
use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::error::{Error, InputProblem, Result};
use crate::events::{Event, LockEvent};
use crate::session::{
    remove_database, remove_database_files, remove_if_present, Home, Inner, Paths, State,
    StateGuard, Unlocked, CANARY_KEY, CANARY_PLAINTEXT, META_TABLE,
};
use crate::store::{Store, DOCUMENTS_TABLE};
use crate::vault::{
    check_passphrase_strength, Cipher, KdfParams, KeyFile, Opened, OpenedSlot, SecretKey,
    SlotContent, DATABASES, KEY_SLOTS,
};

/// What the profile has set, for its settings screen. A decoy profile sees neither as set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PassphraseSettings {
    /// A decoy passphrase opens a second, separate profile.
    pub decoy: bool,
    /// A duress passphrase erases the profile and opens a new, empty one.
    pub duress: bool,
}

/// Creates the folder's databases and key file, and returns the unlocked session.
pub(crate) fn create(
    paths: &Paths,
    passphrase: &str,
    params: KdfParams,
) -> Result<(KeyFile, Unlocked)> {
    let mut rng = rand::thread_rng();
    let slot = rng.gen_range(0..KEY_SLOTS);
    let home = Home {
        slot: Some(slot),
        database: rng.gen_range(0..DATABASES),
    };
    let data_key = SecretKey::random();
    let content = SlotContent::Profile {
        database: home.database,
        key: data_key.clone(),
    };
    // Checked before any file is touched; the key file itself is written last.
    let key_file = KeyFile::new(slot, &content, passphrase, params)?;
    // A database left over from an erased or failed profile would not match the new key.
    remove_database_files(paths)?;
    let unlocked = init_database(paths, home, data_key, SlotMap::owner(slot))?;
    write_filler(paths, other_database(home.database))?;
    // Until the key file exists the folder is not a profile.
    key_file.save(&paths.keys)?;
    Ok((key_file, unlocked))
}

/// Unlocks with whatever `passphrase` opens: a profile (the one created, or its decoy), or,
/// for the duress passphrase, an erase and a new empty profile under it. One key derivation
/// whichever it is. A version-1 key file is rewritten with slots.
pub(crate) fn unlock(inner: &Inner, passphrase: &str) -> Result<()> {
    let paths = &inner.paths;
    let mut state = inner.state();
    let key_file = state.key_file()?.clone();
    match key_file.open_with_passphrase(passphrase)? {
        Opened::Legacy(key) => {
            let home = Home {
                slot: None,
                database: 0,
            };
            state.unlock_with(paths, home, key)?;
            if upgrade_legacy(&mut state, paths, passphrase).is_err() {
                log::warn!("the key file could not be upgraded; it is tried again next unlock");
            }
            Ok(())
        }
        Opened::Slot(OpenedSlot {
            slot,
            content: SlotContent::Profile { database, key },
        }) => state.unlock_with(
            paths,
            Home {
                slot: Some(slot),
                database,
            },
            key,
        ),
        Opened::Slot(OpenedSlot {
            content: SlotContent::Duress,
            ..
        }) => start_over(&mut state, paths, passphrase, key_file.kdf_params()),
    }
}

/// Unlocks with the device key: only the profile that enabled it.
pub(crate) fn unlock_with_device_key(inner: &Inner, device_key: &[u8]) -> Result<()> {
    let mut state = inner.state();
    match state.key_file()?.unwrap_with_device_key(device_key)? {
        Opened::Legacy(key) => state.unlock_with(
            &inner.paths,
            Home {
                slot: None,
                database: 0,
            },
            key,
        ),
        Opened::Slot(OpenedSlot {
            slot,
            content: SlotContent::Profile { database, key },
        }) => state.unlock_with(
            &inner.paths,
            Home {
                slot: Some(slot),
                database,
            },
            key,
        ),
        // enable_device_key never stores a duress slot.
        Opened::Slot(_) => Err(Error::WrongDeviceKey),
    }
}

/// Adds a device-key copy of the unlocked profile's slot; `passphrase` must open that slot.
pub(crate) fn enable_device_key(inner: &Inner, passphrase: &str, device_key: &[u8]) -> Result<()> {
    let mut state = inner.state();
    state.expire_if_idle();
    if state.key_file()?.is_legacy() {
        upgrade_legacy(&mut state, &inner.paths, passphrase)?;
    }
    let (mut key_file, own) = prove_own_slot(&state, passphrase)?;
    key_file.set_device_key(&own, device_key)?;
    key_file.save(&inner.paths.keys)?;
    state.key_file = Some(key_file);
    state.touch();
    Ok(())
}

/// Rewraps the slot `old` opens under `new` (the same salt: the other slots' passphrases are
/// not known here, and they share it). Works locked or unlocked. The device copy is removed.
pub(crate) fn change_passphrase(inner: &Inner, old: &str, new: &str) -> Result<()> {
    check_passphrase_strength(new)?;
    let mut state = inner.state();
    let mut key_file = state.key_file()?.clone();
    if key_file.is_legacy() {
        let Opened::Legacy(key) = key_file.open_with_passphrase(old)? else {
            return Err(Error::WrongPassphrase);
        };
        key_file = KeyFile::new(
            0,
            &SlotContent::Profile { database: 0, key },
            new,
            key_file.kdf_params(),
        )?;
        // Rewritten as a current file, with the old data in database 0 and slot 0; the map
        // and the second database follow at the next unlock (upgrade_legacy) if missing.
    } else {
        let own = match key_file.open_with_passphrase(old)? {
            Opened::Slot(
                slot @ OpenedSlot {
                    content: SlotContent::Profile { .. },
                    ..
                },
            ) => slot,
            _ => return Err(Error::WrongPassphrase),
        };
        let new_kek = key_file.derive(new)?;
        refuse_taken(&key_file, &new_kek, Some(own.slot), "new_passphrase")?;
        key_file.set_slot(own.slot, &new_kek, &own.content)?;
    }
    key_file.clear_device_key();
    key_file.save(&inner.paths.keys)?;
    state.key_file = Some(key_file);
    Ok(())
}

/// Sets (or replaces) the decoy passphrase: a new, empty decoy profile in the other database.
/// Needs the vault unlocked and the profile's own passphrase as `passphrase`.
pub(crate) fn set_decoy(inner: &Inner, passphrase: &str, decoy: &str) -> Result<()> {
    check_passphrase_strength(decoy)?;
    let paths = &inner.paths;
    let mut change = SlotChange::begin(inner, passphrase)?;
    let decoy_kek = change.key_file.derive(decoy)?;
    let slot = change.slot_for(&decoy_kek, change.map.decoy, "decoy_passphrase")?;
    // The map first: after a crash it may name a slot that holds nothing, never the reverse.
    change.map.decoy = Some(slot);
    change.write_map()?;
    let database = other_database(change.home.database);
    let decoy_key = SecretKey::random();
    remove_database(paths, database)?;
    let decoy_home = Home {
        slot: Some(slot),
        database,
    };
    drop(init_database(
        paths,
        decoy_home,
        decoy_key.clone(),
        SlotMap::decoy(slot),
    )?);
    let content = SlotContent::Profile {
        database,
        key: decoy_key,
    };
    change.key_file.set_slot(slot, &decoy_kek, &content)?;
    change.save_key_file(paths)
}

/// Clears the decoy passphrase and erases the decoy profile. Needs the profile's passphrase.
pub(crate) fn clear_decoy(inner: &Inner, passphrase: &str) -> Result<()> {
    let mut change = SlotChange::begin(inner, passphrase)?;
    let Some(slot) = change.map.decoy else {
        return Ok(());
    };
    // The slot first: the decoy cannot be opened from the moment the key file is saved.
    change.key_file.clear_slot(slot)?;
    change.save_key_file(&inner.paths)?;
    write_filler(&inner.paths, other_database(change.home.database))?;
    change.map.decoy = None;
    change.write_map()
}

/// Sets (or replaces) the duress passphrase. Needs the profile's passphrase.
pub(crate) fn set_duress(inner: &Inner, passphrase: &str, duress: &str) -> Result<()> {
    check_passphrase_strength(duress)?;
    let mut change = SlotChange::begin(inner, passphrase)?;
    let duress_kek = change.key_file.derive(duress)?;
    let slot = change.slot_for(&duress_kek, change.map.duress, "duress_passphrase")?;
    change.map.duress = Some(slot);
    change.write_map()?;
    change
        .key_file
        .set_slot(slot, &duress_kek, &SlotContent::Duress)?;
    change.save_key_file(&inner.paths)
}

/// Clears the duress passphrase. Needs the profile's passphrase.
pub(crate) fn clear_duress(inner: &Inner, passphrase: &str) -> Result<()> {
    let mut change = SlotChange::begin(inner, passphrase)?;
    let Some(slot) = change.map.duress else {
        return Ok(());
    };
    change.key_file.clear_slot(slot)?;
    change.save_key_file(&inner.paths)?;
    change.map.duress = None;
    change.write_map()
}

/// Completes a folder after unlock, for folders made before it had every file: the second
/// database and the slot map of a profile whose key file was rewritten from version 1.
pub(crate) fn complete_folder(paths: &Paths, u: &Unlocked) -> Result<()> {
    let Some(own) = u.home.slot else {
        return Ok(());
    };
    if read_map(u)?.is_none() {
        write_map_into(u, &SlotMap::owner(own))?;
    }
    let other = other_database(u.home.database);
    if !paths.database(other).is_file() {
        write_filler(paths, other)?;
    }
    Ok(())
}

/// What the unlocked profile has set.
pub(crate) fn settings(inner: &Inner) -> Result<PassphraseSettings> {
    let mut state = inner.state();
    state.expire_if_idle();
    let (_, map) = own_map(&state)?;
    Ok(PassphraseSettings {
        decoy: map.decoy.is_some(),
        duress: map.duress.is_some(),
    })
}

/// Crypto-shreds the folder: the key file first (every slot and the device copy), then the
/// databases and what else the profile keeps there. Used by quick erase and by the duress
/// passphrase.
pub(crate) fn erase_files(paths: &Paths) -> Result<()> {
    crate::fs::shred_file(&paths.keys)?;
    // A key file half-written by an interrupted save holds wrapped keys too.
    crate::fs::shred_file(&crate::fs::temporary_sibling(&paths.keys))?;
    remove_database_files(paths)?;
    // The background manifest opens with a key the OS keeps outside the key file: shred it
    // (and the inbox, unreadable now) too.
    crate::groups::background::remove_files(&paths.dir)?;
    // The directory bundle is public data, but it belongs to the profile folder too.
    remove_if_present(&crate::directory::bundle::installed_path(&paths.dir))?;
    Ok(())
}

/// Writes the rows every database has from creation, for databases made before they existed.
pub(crate) fn write_fixed_rows(u: &Unlocked) -> Result<()> {
    u.put_sealed_if_missing(
        DOCUMENTS_TABLE,
        crate::safety_plan::DOCUMENT,
        &crate::safety_plan::SafetyPlan::default(),
    )?;
    u.put_sealed_if_missing(
        DOCUMENTS_TABLE,
        crate::coping::FAVORITES_DOCUMENT,
        &std::collections::BTreeSet::<String>::new(),
    )?;
    u.put_sealed_if_missing(
        DOCUMENTS_TABLE,
        crate::reminders::DOCUMENT,
        &Vec::<crate::reminders::Reminder>::new(),
    )
}

// ---------------------------------------------------------------------------------------------

/// Which slots a database's profile may change: its own, and the ones it gave its decoy and
/// duress passphrases. Slots in `foreign` belong to someone else (for a decoy, every other
/// slot), so they are never reused.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
struct SlotMap {
    own: usize,
    decoy: Option<usize>,
    duress: Option<usize>,
    #[serde(default)]
    foreign: Vec<usize>,
}

const SLOT_MAP_KEY: &str = "key_slots";

impl SlotMap {
    fn owner(own: usize) -> Self {
        SlotMap {
            own,
            decoy: None,
            duress: None,
            foreign: Vec::new(),
        }
    }

    fn decoy(own: usize) -> Self {
        SlotMap {
            foreign: (0..KEY_SLOTS).filter(|&slot| slot != own).collect(),
            ..SlotMap::owner(own)
        }
    }

    fn free_slot(&self) -> Option<usize> {
        let taken = |slot: usize| {
            slot == self.own
                || self.decoy == Some(slot)
                || self.duress == Some(slot)
                || self.foreign.contains(&slot)
        };
        let free: Vec<usize> = (0..KEY_SLOTS).filter(|&slot| !taken(slot)).collect();
        free.choose(&mut rand::thread_rng()).copied()
    }
}

/// A change to the decoy or duress slots, under the state lock: the profile's own passphrase
/// proven, its key file, home and slot map read.
struct SlotChange<'a> {
    state: StateGuard<'a>,
    key_file: KeyFile,
    home: Home,
    map: SlotMap,
}

impl<'a> SlotChange<'a> {
    fn begin(inner: &'a Inner, passphrase: &str) -> Result<Self> {
        let mut state = inner.state();
        state.expire_if_idle();
        let (key_file, _own) = prove_own_slot(&state, passphrase)?;
        let (home, map) = own_map(&state)?;
        Ok(SlotChange {
            state,
            key_file,
            home,
            map,
        })
    }

    /// The slot a new passphrase with key `kek` goes into: `current` (the one it replaces) or
    /// a free one. Refused (`Duplicate` on `field`) if the passphrase opens another slot.
    fn slot_for(&self, kek: &SecretKey, current: Option<usize>, field: &str) -> Result<usize> {
        refuse_taken(&self.key_file, kek, current, field)?;
        match current {
            Some(slot) => Ok(slot),
            None => self.map.free_slot().ok_or_else(no_free_slot),
        }
    }

    fn write_map(&mut self) -> Result<()> {
        write_map(&self.state, &self.map)?;
        self.state.touch();
        Ok(())
    }

    fn save_key_file(&mut self, paths: &Paths) -> Result<()> {
        self.key_file.save(&paths.keys)?;
        self.state.key_file = Some(self.key_file.clone());
        self.state.touch();
        Ok(())
    }
}

/// A new database `home.database` under `key`, with the canary, the fixed rows and `map`,
/// synced to the file: with synchronous=NORMAL a commit sits unsynced in the WAL, and a power
/// cut before the key file is written must not leave a key whose database has no key check.
fn init_database(paths: &Paths, home: Home, key: SecretKey, map: SlotMap) -> Result<Unlocked> {
    let path = paths.database(home.database);
    // SQLite gives the -wal and -shm files the main file's permissions: owner only.
    crate::fs::create_private_file(path)?;
    let store = Store::open(path)?;
    let cipher = Cipher::new(&key);
    store.meta_set(
        CANARY_KEY,
        &cipher.seal(META_TABLE, CANARY_KEY, CANARY_PLAINTEXT),
    )?;
    let unlocked = Unlocked::new(key, cipher, store, home);
    write_fixed_rows(&unlocked)?;
    write_map_into(&unlocked, &map)?;
    unlocked.store.checkpoint()?;
    Ok(unlocked)
}

/// Replaces database `index` with an empty one under a random key that is then forgotten.
fn write_filler(paths: &Paths, index: u8) -> Result<()> {
    remove_database(paths, index)?;
    let home = Home {
        slot: None,
        database: index,
    };
    let filler = init_database(paths, home, SecretKey::random(), SlotMap::decoy(0))?;
    drop(filler);
    Ok(())
}

fn other_database(database: u8) -> u8 {
    (database + 1) % DATABASES
}

/// The duress passphrase was entered: erase everything, then create a new profile under it, as
/// a new install would, and leave it unlocked. Logged as any unlock is.
fn start_over(state: &mut State, paths: &Paths, passphrase: &str, params: KdfParams) -> Result<()> {
    state.key_file = None;
    state.lock();
    erase_files(paths)?;
    crate::fs::create_private_dir(&paths.dir)?;
    let (key_file, unlocked) = create(paths, passphrase, params)?;
    state.key_file = Some(key_file);
    state.unlocked = Some(unlocked);
    state.touch();
    log::info!("vault unlocked");
    state.outbox.push(Event::Lock(LockEvent::Unlocked));
    Ok(())
}

/// Rewrites a version-1 key file (unlocked, database 0) with slots: the profile's slot chosen
/// at random, the second database created, the map written. The device copy is dropped (its
/// layout changed); the app enables it again.
fn upgrade_legacy(state: &mut State, paths: &Paths, passphrase: &str) -> Result<()> {
    let params = state.key_file()?.kdf_params();
    let slot = rand::thread_rng().gen_range(0..KEY_SLOTS);
    let unlocked = state.unlocked.as_mut().ok_or(Error::Locked)?;
    let content = SlotContent::Profile {
        database: 0,
        key: unlocked.data_key().clone(),
    };
    let key_file = KeyFile::new(slot, &content, passphrase, params)?;
    if !paths.database(1).is_file() {
        write_filler(paths, 1)?;
    }
    write_map_into(unlocked, &SlotMap::owner(slot))?;
    key_file.save(&paths.keys)?;
    unlocked.home = Home {
        slot: Some(slot),
        database: 0,
    };
    state.key_file = Some(key_file);
    Ok(())
}

/// The key file, and the unlocked profile's own slot as `passphrase` opens it; fails with
/// `WrongPassphrase` if it opens no slot or another one (a decoy's passphrase in the
/// profile, or the reverse).
fn prove_own_slot(state: &State, passphrase: &str) -> Result<(KeyFile, OpenedSlot)> {
    let key_file = state.key_file()?.clone();
    let home = state.unlocked.as_ref().ok_or(Error::Locked)?.home;
    let own = home.slot.ok_or_else(|| {
        Error::invalid_field(
            InputProblem::NotAllowed,
            "passphrase",
            "unlock with the passphrase once first",
        )
    })?;
    let kek = key_file.derive(passphrase)?;
    let opened = key_file
        .open_slots(&kek)
        .into_iter()
        .find(|opened| opened.slot == own)
        .ok_or(Error::WrongPassphrase)?;
    Ok((key_file, opened))
}

/// Fails with `Duplicate` on `field` when `kek` opens a slot other than `allowed`: the same
/// passphrase must not open two slots.
fn refuse_taken(
    key_file: &KeyFile,
    kek: &SecretKey,
    allowed: Option<usize>,
    field: &str,
) -> Result<()> {
    if key_file
        .open_slots(kek)
        .iter()
        .any(|opened| Some(opened.slot) != allowed)
    {
        return Err(Error::invalid_field(
            InputProblem::Duplicate,
            field,
            "this passphrase already opens the profile or another of its passphrases",
        ));
    }
    Ok(())
}

fn no_free_slot() -> Error {
    Error::invalid_field(
        InputProblem::NotAllowed,
        "passphrase",
        "no free key slot in this profile",
    )
}

/// The unlocked session's home and its database's slot map.
fn own_map(state: &State) -> Result<(Home, SlotMap)> {
    let unlocked = state.unlocked.as_ref().ok_or(Error::Locked)?;
    let home = unlocked.home;
    let own = home.slot.ok_or_else(no_free_slot)?;
    let map = read_map(unlocked)?.unwrap_or_else(|| SlotMap::decoy(own));
    Ok((home, map))
}

fn read_map(u: &Unlocked) -> Result<Option<SlotMap>> {
    let Some(sealed) = u.store.meta_get(SLOT_MAP_KEY)? else {
        return Ok(None);
    };
    let json = u
        .cipher
        .open(META_TABLE, SLOT_MAP_KEY, &sealed)
        .map_err(|_| Error::corrupted("the key slot map"))?;
    let map = serde_json::from_slice(&json).map_err(|_| Error::corrupted("the key slot map"))?;
    Ok(Some(map))
}

fn write_map(state: &State, map: &SlotMap) -> Result<()> {
    let unlocked = state.unlocked.as_ref().ok_or(Error::Locked)?;
    write_map_into(unlocked, map)
}

fn write_map_into(u: &Unlocked, map: &SlotMap) -> Result<()> {
    let json = serde_json::to_vec(map)
        .map_err(|_| Error::invalid(InputProblem::Malformed, "slot map could not be encoded"))?;
    let sealed = u
        .cipher
        .seal(META_TABLE, SLOT_MAP_KEY, &crate::vault::pad_json(&json));
    u.store.meta_set(SLOT_MAP_KEY, &sealed)?;
    Ok(())
}
