//! Decoy and duress passphrases: what each opens, who may set them, and what a copy of the
//! folder tells (nothing about whether they are set).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed step should panic

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{add, new_profile, snapshot, PASS};
use kinship_core::{Error, InputProblem, Kinship};

const DECOY: &str = "a harmless decoy passphrase";
const DURESS: &str = "the duress passphrase words";

fn bodies(kinship: &Kinship) -> Vec<String> {
    let mut bodies: Vec<String> = kinship
        .journal()
        .list(&Default::default(), 100, None)
        .unwrap()
        .entries
        .into_iter()
        .map(|e| e.body)
        .collect();
    bodies.sort();
    bodies
}

fn problem(result: Result<(), Error>) -> InputProblem {
    match result {
        Err(Error::InvalidInput { problem, .. }) => problem,
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

#[test]
fn the_decoy_passphrase_opens_a_separate_working_profile() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, path) = new_profile(dir.path());
    add(&kinship, 0, "t", "the real entry", None, &[]);
    let real_database = kinship.database_file().unwrap();
    kinship.set_decoy_passphrase(PASS, DECOY).unwrap();
    kinship.lock();

    kinship.unlock(DECOY).unwrap();
    assert!(bodies(&kinship).is_empty(), "a decoy starts empty");
    assert_ne!(kinship.database_file().unwrap(), real_database);
    add(&kinship, 1, "t", "went for a walk", None, &[]);
    kinship
        .safety_plan()
        .add_contact("Alex", "+44 7700 900123", common::at(2))
        .unwrap();
    kinship.lock();

    // A second handle on the folder, as after an app restart.
    drop(kinship);
    let kinship = Kinship::open(&path).unwrap();
    kinship.unlock(PASS).unwrap();
    assert_eq!(bodies(&kinship), ["the real entry"]);
    assert!(kinship
        .safety_plan()
        .get()
        .unwrap()
        .help_contacts
        .is_empty());
    kinship.lock();
    kinship.unlock(DECOY).unwrap();
    assert_eq!(bodies(&kinship), ["went for a walk"]);
}

#[test]
fn setting_or_clearing_needs_the_profiles_own_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, _) = new_profile(dir.path());
    assert!(matches!(
        kinship.set_decoy_passphrase("not the passphrase", DECOY),
        Err(Error::WrongPassphrase)
    ));
    assert_eq!(
        problem(kinship.set_decoy_passphrase(PASS, PASS)),
        InputProblem::Duplicate
    );
    assert!(matches!(
        kinship.set_decoy_passphrase(PASS, "short"),
        Err(Error::WeakPassphrase)
    ));
    kinship.set_decoy_passphrase(PASS, DECOY).unwrap();
    assert_eq!(
        problem(kinship.set_duress_passphrase(PASS, DECOY)),
        InputProblem::Duplicate,
        "the duress passphrase cannot be the decoy's"
    );
    kinship.set_duress_passphrase(PASS, DURESS).unwrap();
    let settings = kinship.passphrase_settings().unwrap();
    assert!(settings.decoy && settings.duress);

    // The decoy can neither see nor change them, and cannot use its own passphrase to.
    kinship.lock();
    kinship.unlock(DECOY).unwrap();
    let seen = kinship.passphrase_settings().unwrap();
    assert!(!seen.decoy && !seen.duress);
    assert_eq!(
        problem(kinship.set_duress_passphrase(DECOY, "another duress one")),
        InputProblem::NotAllowed
    );
    assert!(matches!(
        kinship.clear_duress_passphrase(PASS),
        Err(Error::WrongPassphrase)
    ));
    kinship.clear_duress_passphrase(DECOY).unwrap();
    kinship.lock();
    kinship.unlock(PASS).unwrap();
    assert!(
        kinship.passphrase_settings().unwrap().duress,
        "the decoy's clear touched nothing of the profile's"
    );

    kinship.clear_duress_passphrase(PASS).unwrap();
    kinship.clear_decoy_passphrase(PASS).unwrap();
    kinship.lock();
    for gone in [DECOY, DURESS] {
        assert!(matches!(kinship.unlock(gone), Err(Error::WrongPassphrase)));
    }
    kinship.unlock(PASS).unwrap();
}

#[test]
fn passphrase_changes_keep_each_profile_and_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, _) = new_profile(dir.path());
    add(&kinship, 0, "t", "real", None, &[]);
    kinship.set_decoy_passphrase(PASS, DECOY).unwrap();
    kinship.lock();
    kinship.unlock(DECOY).unwrap();
    add(&kinship, 1, "t", "decoy", None, &[]);
    let new_decoy = "a changed decoy passphrase";
    assert_eq!(
        problem(kinship.change_passphrase(DECOY, PASS)),
        InputProblem::Duplicate,
        "a decoy cannot take the profile's passphrase"
    );
    kinship.change_passphrase(DECOY, new_decoy).unwrap();
    let new_real = "a changed real passphrase";
    kinship.change_passphrase(PASS, new_real).unwrap();
    kinship.lock();
    assert!(matches!(kinship.unlock(DECOY), Err(Error::WrongPassphrase)));
    assert!(matches!(kinship.unlock(PASS), Err(Error::WrongPassphrase)));
    kinship.unlock(new_decoy).unwrap();
    assert_eq!(bodies(&kinship), ["decoy"]);
    kinship.lock();
    kinship.unlock(new_real).unwrap();
    assert_eq!(bodies(&kinship), ["real"]);
    assert!(kinship.passphrase_settings().unwrap().decoy);
}

#[test]
fn the_duress_passphrase_shreds_everything_and_opens_what_looks_like_a_new_install() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, path) = new_profile(dir.path());
    let secret = "something nobody may read";
    add(&kinship, 0, "t", secret, None, &[]);
    kinship.set_decoy_passphrase(PASS, DECOY).unwrap();
    kinship.set_duress_passphrase(PASS, DURESS).unwrap();
    kinship.enable_device_key(PASS, &[3u8; 32]).unwrap();
    kinship.lock();
    let keys_before = std::fs::read(path.join("keys.json")).unwrap();
    // A second name for the key file's inode: shredding overwrites it in place.
    let witness = dir.path().join("keys-witness");
    std::fs::hard_link(path.join("keys.json"), &witness).unwrap();
    let names_before = file_names(&path);

    kinship.unlock(DURESS).unwrap();
    assert!(kinship.is_unlocked());
    assert!(bodies(&kinship).is_empty());
    let settings = kinship.passphrase_settings().unwrap();
    assert!(!settings.decoy && !settings.duress, "as a new install");
    assert!(!kinship.has_device_key().unwrap());

    let overwritten = std::fs::read(&witness).unwrap();
    assert_eq!(overwritten.len(), keys_before.len());
    let survivors = keys_before
        .windows(16)
        .step_by(16)
        .filter(|chunk| overwritten.windows(16).any(|w| w == *chunk))
        .count();
    assert_eq!(survivors, 0, "no 16-byte run of the old key file survives");
    assert_eq!(file_names(&path), names_before, "the same files as before");
    kinship.lock();
    assert!(common::files_containing(&path, secret).is_empty());
    for gone in [PASS, DECOY] {
        assert!(matches!(kinship.unlock(gone), Err(Error::WrongPassphrase)));
    }
    assert!(matches!(
        kinship.unlock_with_device_key(&[3u8; 32]),
        Err(Error::NoDeviceKey)
    ));
    kinship.unlock(DURESS).unwrap();
    add(&kinship, 1, "t", "a new start", None, &[]);
    kinship.lock();
    kinship.unlock(DURESS).unwrap();
    assert_eq!(bodies(&kinship), ["a new start"], "no second erase");
}

#[test]
fn a_copy_of_the_folder_does_not_tell_whether_decoy_or_duress_is_set() {
    let dir = tempfile::tempdir().unwrap();
    let (plain, plain_path) = new_profile(&dir.path().join("plain"));
    let (full, full_path) = new_profile(&dir.path().join("full"));
    full.set_decoy_passphrase(PASS, DECOY).unwrap();
    full.set_duress_passphrase(PASS, DURESS).unwrap();
    plain.lock();
    full.lock();

    assert_eq!(file_names(&plain_path), file_names(&full_path));
    let keys = |path: &Path| std::fs::read(path.join("keys.json")).unwrap();
    assert_eq!(keys(&plain_path).len(), keys(&full_path).len());
    assert_eq!(
        json_shape(&keys(&plain_path)),
        json_shape(&keys(&full_path))
    );
    // Each database: the same tables, rows and sealed sizes (a decoy never used and the empty
    // one of a profile without a decoy look alike, and the profile's own records which slots
    // it gave away in a row of fixed size).
    let mut plain_databases: Vec<_> = databases(&plain_path).iter().map(|d| rows(d)).collect();
    let mut full_databases: Vec<_> = databases(&full_path).iter().map(|d| rows(d)).collect();
    plain_databases.sort();
    full_databases.sort();
    assert_eq!(plain_databases, full_databases);
}

#[test]
fn the_profiles_slot_and_database_are_chosen_at_random() {
    let dir = tempfile::tempdir().unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for i in 0..16 {
        let (kinship, _) = new_profile(&dir.path().join(i.to_string()));
        let database = kinship.database_file().unwrap();
        seen.insert(database.file_name().unwrap().to_owned());
    }
    assert_eq!(
        seen.len(),
        2,
        "16 profiles all in one database file: {seen:?}"
    );
}

/// The files of a profile folder, without SQLite's transient WAL and shared-memory files.
fn file_names(path: &Path) -> Vec<String> {
    snapshot(path)
        .keys()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .filter(|name| !name.ends_with("-wal") && !name.ends_with("-shm"))
        .collect()
}

fn databases(path: &Path) -> [std::path::PathBuf; 2] {
    [path.join("kinship.sqlite"), path.join("kinship-1.sqlite")]
}

/// The JSON keys of a file, in order, and the length of every string value.
fn json_shape(bytes: &[u8]) -> Vec<(String, usize)> {
    fn walk(value: &serde_json::Value, prefix: &str, out: &mut Vec<(String, usize)>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, value) in map {
                    walk(value, &format!("{prefix}/{key}"), out);
                }
            }
            serde_json::Value::Array(items) => {
                for (i, value) in items.iter().enumerate() {
                    walk(value, &format!("{prefix}/{i}"), out);
                }
            }
            serde_json::Value::String(text) => out.push((prefix.to_owned(), text.len())),
            other => out.push((prefix.to_owned(), other.to_string().len())),
        }
    }
    let mut out = Vec::new();
    walk(&serde_json::from_slice(bytes).unwrap(), "", &mut out);
    out
}

/// Per table, the sorted sizes of its rows' values (sealed values, and the meta table's).
fn rows(database: &Path) -> BTreeMap<String, Vec<usize>> {
    let conn = rusqlite::Connection::open(database).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut out = BTreeMap::new();
    for table in tables {
        let column = if table == "meta" { "value" } else { "sealed" };
        let Ok(mut statement) = conn.prepare(&format!("SELECT length({column}) FROM {table}"))
        else {
            continue;
        };
        let mut sizes: Vec<usize> = statement
            .query_map([], |row| row.get::<_, Option<usize>>(0))
            .unwrap()
            .map(|r| r.unwrap().unwrap_or(0))
            .collect();
        sizes.sort();
        out.insert(table, sizes);
    }
    out
}
