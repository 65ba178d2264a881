//! Vault lifecycle: passphrases, device key, locking, auto-lock, quick erase.

mod common;

use std::time::Duration;

use common::*;
use kinship_core::{EntryFilter, Error, KdfParams, Kinship};

#[test]
fn wrong_passphrase_is_refused_and_changes_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, path) = new_profile(dir.path());
    add(&kinship, 0, "t", "b", None, &[]);
    drop(kinship);
    let before = snapshot(&path);

    let kinship = Kinship::open(&path).unwrap();
    assert!(matches!(
        kinship.unlock("not the passphrase"),
        Err(Error::WrongPassphrase)
    ));
    assert!(!kinship.is_unlocked());
    assert!(matches!(kinship.journal().count(), Err(Error::Locked)));
    drop(kinship);
    assert_eq!(
        changed_files(&before, &snapshot(&path)),
        Vec::<std::path::PathBuf>::new()
    );
}

#[test]
fn opening_an_empty_folder_says_not_initialized_and_creating_twice_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(
        Kinship::open(dir.path()),
        Err(Error::NotInitialized)
    ));
    let (_kinship, path) = new_profile(dir.path());
    assert!(matches!(
        Kinship::create_with_params(&path, PASS, KdfParams::MINIMUM),
        Err(Error::AlreadyInitialized)
    ));
}

#[test]
fn weak_passphrase_and_weak_kdf_are_refused_and_create_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p");
    assert!(matches!(
        Kinship::create(&path, ""),
        Err(Error::WeakPassphrase)
    ));
    assert!(matches!(
        Kinship::create(&path, "1234567"),
        Err(Error::WeakPassphrase)
    ));
    let weak = KdfParams {
        memory_kib: 4096,
        iterations: 1,
        parallelism: 1,
    };
    assert!(matches!(
        Kinship::create_with_params(&path, PASS, weak),
        Err(Error::InvalidInput { .. })
    ));
    assert!(!path.exists());
}

#[test]
fn passphrase_change_keeps_data_refuses_old_and_touches_no_row() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, path) = new_profile(dir.path());
    let entry = add(&kinship, 0, "kept", "still here", Some(4), &["x"]);
    let database = kinship.database_file().unwrap();
    kinship.lock();
    let database_before = std::fs::read(&database).unwrap();

    assert!(matches!(
        kinship.change_passphrase("wrong old one", "new passphrase 2"),
        Err(Error::WrongPassphrase)
    ));
    assert!(matches!(
        kinship.change_passphrase(PASS, "short"),
        Err(Error::WeakPassphrase)
    ));
    kinship.change_passphrase(PASS, "new passphrase 2").unwrap();
    // O(1): only the key file changed; the database is byte for byte the same.
    assert_eq!(std::fs::read(&database).unwrap(), database_before);

    let reopened = Kinship::open(&path).unwrap();
    assert!(matches!(reopened.unlock(PASS), Err(Error::WrongPassphrase)));
    reopened.unlock("new passphrase 2").unwrap();
    assert_eq!(reopened.journal().get(&entry.id).unwrap(), entry);
}

#[test]
fn device_key_unlocks_until_disabled() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, path) = new_profile(dir.path());
    let entry = add(&kinship, 0, "t", "b", None, &[]);
    let device_key = [9u8; 32];

    assert!(matches!(
        kinship.unlock_with_device_key(&device_key),
        Err(Error::NoDeviceKey)
    ));
    assert!(matches!(
        kinship.enable_device_key(PASS, &[1u8; 16]),
        Err(Error::InvalidInput { .. })
    ));
    // Holding the unlocked phone is not enough: the passphrase is needed.
    assert!(matches!(
        kinship.enable_device_key("not the passphrase", &device_key),
        Err(Error::WrongPassphrase)
    ));
    assert!(!kinship.has_device_key().unwrap());
    kinship.enable_device_key(PASS, &device_key).unwrap();
    assert!(kinship.has_device_key().unwrap());
    kinship.lock();
    assert!(matches!(
        kinship.enable_device_key(PASS, &device_key),
        Err(Error::Locked)
    ));

    let reopened = Kinship::open(&path).unwrap();
    assert!(matches!(
        reopened.unlock_with_device_key(&[8u8; 32]),
        Err(Error::WrongDeviceKey)
    ));
    reopened.unlock_with_device_key(&device_key).unwrap();
    assert_eq!(reopened.journal().get(&entry.id).unwrap(), entry);

    reopened.disable_device_key().unwrap();
    reopened.lock();
    assert!(matches!(
        reopened.unlock_with_device_key(&device_key),
        Err(Error::NoDeviceKey)
    ));
    reopened.unlock(PASS).unwrap();
}

#[test]
fn auto_lock_makes_calls_fail_with_locked_after_idle_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, _) = new_profile(dir.path());
    let clock = std::sync::Arc::new(kinship_core::clock::ManualClock::new());
    kinship.set_clock(clock.clone());
    kinship.set_auto_lock(Some(Duration::from_millis(150)));
    // Activity keeps it open: each call restarts the idle time.
    for _ in 0..5 {
        clock.advance(Duration::from_millis(149));
        kinship.journal().count().unwrap();
    }
    clock.advance(Duration::from_millis(149));
    assert!(kinship.is_unlocked(), "1 ms short of the timeout");
    clock.advance(Duration::from_millis(1));
    assert!(matches!(
        kinship.journal().list(&EntryFilter::default(), 10, None),
        Err(Error::Locked)
    ));
    assert!(!kinship.is_unlocked());
    kinship.unlock(PASS).unwrap();
    assert!(kinship.is_unlocked());
    // A clock turned back cannot prove the phone was in use: it locks.
    clock.rewind(Duration::from_secs(3600));
    assert!(!kinship.is_unlocked());
}

#[test]
fn auto_lock_on_the_real_clock_fires_after_the_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, _) = new_profile(dir.path());
    let started = std::time::Instant::now();
    kinship.set_auto_lock(Some(Duration::from_millis(100)));
    // Waits for the lock itself (bounded), rather than sleeping a guessed time.
    while kinship.is_unlocked() {
        assert!(started.elapsed() < Duration::from_secs(10), "never locked");
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(
        started.elapsed() >= Duration::from_millis(100),
        "not before the timeout"
    );
    assert!(matches!(kinship.journal().count(), Err(Error::Locked)));
}

#[test]
fn key_file_of_another_profile_is_detected_not_read_as_garbage() {
    let dir = tempfile::tempdir().unwrap();
    let (a, path_a) = new_profile(&dir.path().join("a"));
    let (b, path_b) = new_profile(&dir.path().join("b"));
    drop((a, b));
    std::fs::copy(path_b.join("keys.json"), path_a.join("keys.json")).unwrap();
    let mixed = Kinship::open(&path_a).unwrap();
    assert!(matches!(mixed.unlock(PASS), Err(Error::Corrupted { .. })));
    assert!(!mixed.is_unlocked());
}

#[test]
fn quick_erase_destroys_keys_and_removes_every_file() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, path) = new_profile(dir.path());
    add(&kinship, 0, "t", "b", None, &[]);
    let keys_before = std::fs::read(path.join("keys.json")).unwrap();
    let database_file = kinship.database_file().unwrap();
    let database = std::fs::read(&database_file).unwrap();
    // A second name for the key file's inode, outside the profile: a plain remove_file would
    // leave its bytes readable there; shredding must overwrite them in place first.
    let witness = dir.path().join("keys-witness");
    std::fs::hard_link(path.join("keys.json"), &witness).unwrap();

    kinship.quick_erase().unwrap();
    let after = std::fs::read(&witness).unwrap();
    assert_eq!(
        after.len(),
        keys_before.len(),
        "overwritten in place, same length"
    );
    assert_ne!(after, keys_before, "the key file's bytes were overwritten");
    let wrapped = keys_before
        .windows(16)
        .step_by(16)
        .filter(|chunk| after.windows(16).any(|w| w == *chunk))
        .count();
    assert_eq!(wrapped, 0, "no 16-byte run of the old key file survives");
    assert!(
        !path.exists(),
        "profile folder should be gone: {:?}",
        snapshot(&path).keys()
    );
    assert!(matches!(kinship.journal().count(), Err(Error::Erased)));
    assert!(matches!(kinship.unlock(PASS), Err(Error::Erased)));
    assert!(matches!(Kinship::open(&path), Err(Error::NotInitialized)));

    // Even a copy of the database taken before erasing is useless without the key file:
    // restoring only the database opens nothing.
    std::fs::create_dir_all(&path).unwrap();
    std::fs::write(&database_file, database).unwrap();
    assert!(matches!(Kinship::open(&path), Err(Error::NotInitialized)));
    assert!(!keys_before.is_empty());
}

#[test]
fn a_device_key_does_not_survive_a_passphrase_change() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, _) = new_profile(dir.path());
    let device_key = [5u8; 32];
    kinship.enable_device_key(PASS, &device_key).unwrap();
    let new_pass = "a whole new passphrase";
    kinship.change_passphrase(PASS, new_pass).unwrap();
    assert!(!kinship.has_device_key().unwrap());
    kinship.lock();
    assert!(matches!(
        kinship.unlock_with_device_key(&device_key),
        Err(Error::NoDeviceKey)
    ));
    kinship.unlock(new_pass).unwrap();
}

/// A power cut right after `create` loses what is only in the WAL. The key check must already be
/// in the database file, or the key file would name a database it cannot open.
#[test]
fn a_profile_survives_losing_its_wal_right_after_create() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, path) = new_profile(dir.path());
    // What a power cut can leave: the synced key file and database file, no WAL.
    let survivor = dir.path().join("after-power-cut");
    std::fs::create_dir_all(&survivor).unwrap();
    for name in ["keys.json", "kinship.sqlite", "kinship-1.sqlite"] {
        std::fs::copy(path.join(name), survivor.join(name)).unwrap();
    }
    drop(kinship);
    let reopened = Kinship::open(&survivor).unwrap();
    reopened.unlock(PASS).unwrap();
    assert_eq!(reopened.journal().count().unwrap(), 0);
}

/// Two handles on one folder are one profile: a stale handle cannot undo a passphrase change,
/// and after a quick erase on one the other is erased too.
#[test]
fn a_second_open_of_the_same_folder_shares_one_lock_state() {
    let dir = tempfile::tempdir().unwrap();
    let (first, path) = new_profile(dir.path());
    let second = Kinship::open(&path).unwrap();
    assert!(second.is_unlocked(), "the same session, already unlocked");
    let new_pass = "the changed passphrase";
    first.change_passphrase(PASS, new_pass).unwrap();
    // The stale handle's view of the key file is the new one: its own change needs `new_pass`.
    assert!(matches!(
        second.change_passphrase(PASS, "yet another passphrase"),
        Err(Error::WrongPassphrase)
    ));
    first.lock();
    assert!(!second.is_unlocked());
    assert!(matches!(second.unlock(PASS), Err(Error::WrongPassphrase)));
    second.unlock(new_pass).unwrap();
    first.quick_erase().unwrap();
    assert!(matches!(second.journal().count(), Err(Error::Erased)));
    assert!(!second.is_unlocked());
}
