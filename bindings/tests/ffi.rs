//! The exported API as a foreign caller sees it (called from Rust here; the Kotlin tests call
//! the same functions through the generated bindings).

use kinship_ffi::{crisis_contacts, KinshipError, KinshipProfile, NewJournalEntry};

#[test]
fn profile_journal_and_errors_cross_as_typed_values() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("phone").to_string_lossy().into_owned();
    assert!(matches!(
        KinshipProfile::open(path.clone()),
        Err(KinshipError::NotInitialized)
    ));
    assert!(matches!(
        KinshipProfile::create(path.clone(), "short".into()),
        Err(KinshipError::WeakPassphrase)
    ));
    let profile = KinshipProfile::create(path.clone(), "a long ffi passphrase".into()).unwrap();
    let entry = profile
        .add_entry(NewJournalEntry {
            title: Some("Hi".into()),
            body: "from the phone".into(),
            mood: Some(4),
            tags: vec!["ffi".into()],
            strategy_ids: vec![],
        })
        .unwrap();
    // The records have no Debug (they carry what the person wrote), so compare with `==`.
    assert!(profile.get_entry(entry.id.clone()).unwrap() == entry);
    assert_eq!(profile.search_entries("PHONE".into(), 10).unwrap().len(), 1);
    assert!(matches!(
        profile.add_entry(NewJournalEntry {
            title: None,
            body: "x".into(),
            mood: Some(9),
            tags: vec![],
            strategy_ids: vec![],
        }),
        Err(KinshipError::InvalidInput { .. })
    ));
    profile.lock();
    assert!(matches!(
        profile.list_entries(10),
        Err(KinshipError::Locked)
    ));
    assert!(matches!(
        profile.unlock("wrong passphrase!".into()),
        Err(KinshipError::WrongPassphrase)
    ));
    profile.unlock("a long ffi passphrase".into()).unwrap();
    assert_eq!(profile.list_entries(10).unwrap()[0].id, entry.id);
    profile
        .enable_device_key("a long ffi passphrase".into(), vec![3u8; 32])
        .unwrap();
    profile.lock();
    profile.unlock_with_device_key(vec![3u8; 32]).unwrap();
    assert!(profile.is_unlocked());
    profile.quick_erase().unwrap();
    assert!(matches!(
        KinshipProfile::open(path),
        Err(KinshipError::NotInitialized)
    ));
}

#[test]
fn crisis_contacts_need_no_profile() {
    let dir = tempfile::tempdir().unwrap();
    let help = crisis_contacts(dir.path().to_string_lossy().into_owned(), "GB".into()).unwrap();
    assert!(help.has_country_data);
    assert_eq!(help.contacts[0].action_uri, "tel:999");
    assert!(help.contacts.iter().all(|c| !c.source_url.is_empty()));
    // A name or a made-up code is refused on the field `country`, not answered with "no data".
    for bad in ["ZZ", "Germany"] {
        match crisis_contacts(dir.path().to_string_lossy().into_owned(), bad.into()) {
            Err(KinshipError::InvalidInput { field, .. }) => {
                assert_eq!(field.as_deref(), Some("country"), "{bad}")
            }
            other => panic!("{bad}: {:?}", other.map(|h| h.country)),
        }
    }
    // A real country with no entries (Antarctica) gets the honest advice.
    let unknown = crisis_contacts(dir.path().to_string_lossy().into_owned(), "AQ".into()).unwrap();
    assert!(!unknown.has_country_data);
    assert!(unknown.advice.unwrap().contains("112"));
}

#[test]
fn exported_objects_are_shared_safely_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<KinshipProfile>();
    assert_send_sync::<kinship_ffi::KinshipDirectory>();

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("phone").to_string_lossy().into_owned();
    let profile = KinshipProfile::create(path, "a long ffi passphrase".into()).unwrap();
    let writers: Vec<_> = (0..4)
        .map(|t| {
            let profile = profile.clone();
            std::thread::spawn(move || {
                for i in 0..25 {
                    profile
                        .add_entry(NewJournalEntry {
                            title: None,
                            body: format!("thread {t} entry {i}"),
                            mood: None,
                            tags: vec![],
                            strategy_ids: vec![],
                        })
                        .unwrap();
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    assert_eq!(profile.entry_count().unwrap(), 100);
}
