//! The exported API as a foreign caller sees it (called from Rust here; the Kotlin tests call
//! the same functions through the generated bindings).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use kinship_ffi::{
    create_profile, crisis_contacts, BackupProgress, BackupSink, CountryCode, InputProblem,
    JournalFilter, KinshipError, KinshipProfile, NewJournalEntry,
};

const PASS: &[u8] = b"a long ffi passphrase";

fn entry(body: &str) -> NewJournalEntry {
    NewJournalEntry {
        title: None,
        body: body.into(),
        mood: None,
        tags: vec![],
        strategy_ids: vec![],
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn profile_journal_and_errors_cross_as_typed_values() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("phone").to_string_lossy().into_owned();
    assert!(matches!(
        KinshipProfile::open(path.clone()),
        Err(KinshipError::NotInitialized)
    ));
    assert!(matches!(
        create_profile(path.clone(), b"short".to_vec()).await,
        Err(KinshipError::WeakPassphrase)
    ));
    let profile = create_profile(path.clone(), PASS.to_vec()).await.unwrap();
    let journal = profile.journal();
    let added = journal
        .add(NewJournalEntry {
            title: Some("Hi".into()),
            mood: Some(4),
            tags: vec!["ffi".into()],
            ..entry("from the phone")
        })
        .unwrap();
    // The records have no Debug (they carry what the person wrote), so compare with `==`.
    assert!(journal.get(added.id.clone()).unwrap() == added);
    assert!(!added.to_string().contains("phone"), "{added}");
    let found = journal.search("PHONE".into(), 10, None).await.unwrap();
    assert_eq!(found.entries.len(), 1);
    for mood in [9, -1, 300] {
        match journal.add(NewJournalEntry {
            mood: Some(mood),
            ..entry("x")
        }) {
            Err(KinshipError::InvalidInput { field, problem, .. }) => {
                assert_eq!(field.as_deref(), Some("mood"));
                assert_eq!(problem, InputProblem::OutOfRange);
            }
            _ => panic!("mood {mood} was accepted"),
        }
    }
    // A filter from instants: an hour before now finds the entry, an hour after does not.
    let hour = Duration::from_secs(3600);
    let page = |from: SystemTime| JournalFilter {
        from: Some(from),
        ..JournalFilter::default()
    };
    let before = journal
        .list(page(SystemTime::now() - hour), 10, None)
        .unwrap();
    assert_eq!(before.entries.len(), 1);
    let after = journal
        .list(page(SystemTime::now() + hour), 10, None)
        .unwrap();
    assert!(after.entries.is_empty());
    assert!(matches!(
        journal.list(JournalFilter::default(), -5, None),
        Err(KinshipError::InvalidInput { .. })
    ));

    profile.lock();
    assert!(matches!(
        journal.list(JournalFilter::default(), 10, None),
        Err(KinshipError::Locked)
    ));
    assert!(matches!(
        profile.unlock(b"wrong passphrase!".to_vec(), None).await,
        Err(KinshipError::WrongPassphrase)
    ));
    assert!(matches!(
        profile.unlock(vec![0xff, 0xfe, 0x00], None).await,
        Err(KinshipError::InvalidInput {
            problem: InputProblem::Malformed,
            ..
        })
    ));
    profile.unlock(PASS.to_vec(), None).await.unwrap();
    let listed = journal.list(JournalFilter::default(), 10, None).unwrap();
    assert_eq!(listed.entries[0].id, added.id);
    profile
        .enable_device_key(PASS.to_vec(), vec![3u8; 32])
        .await
        .unwrap();
    profile.lock();
    profile.unlock_with_device_key(vec![3u8; 32]).unwrap();
    assert!(profile.is_unlocked());
    profile.quick_erase().unwrap();
    assert!(matches!(journal.count(), Err(KinshipError::Erased)));
    assert!(matches!(
        KinshipProfile::open(path),
        Err(KinshipError::NotInitialized)
    ));
}

#[test]
fn crisis_contacts_need_no_profile() {
    let dir = tempfile::tempdir().unwrap();
    let gb = CountryCode::new("gb".into()).unwrap();
    assert_eq!(gb.alpha2(), "GB");
    let help = crisis_contacts(dir.path().to_string_lossy().into_owned(), gb).unwrap();
    assert!(help.has_country_data);
    assert_eq!(help.contacts[0].action.uri, "tel:999");
    assert!(help.contacts.iter().all(|c| !c.source_url.is_empty()));
    // Where the operator says so, the tap says it is free and off the bill (Samaritans).
    let samaritans = help
        .contacts
        .iter()
        .find(|c| c.id == "gb-samaritans")
        .expect("Samaritans in the UK list");
    assert_eq!(samaritans.action.free, Some(true));
    assert_eq!(samaritans.action.on_phone_bill, Some(false));
    assert_eq!(
        help.contacts[0].action.free, None,
        "999's cost is not stated"
    );
    // A name or a made-up code is refused on the field `country`, before anything is asked.
    for bad in ["ZZ", "Germany", ""] {
        match CountryCode::new(bad.into()) {
            Err(KinshipError::InvalidInput { field, problem, .. }) => {
                assert_eq!(field.as_deref(), Some("country"), "{bad}");
                assert_eq!(problem, InputProblem::Malformed);
            }
            _ => panic!("{bad} was accepted as a country code"),
        }
    }
    // A real country with no entries (Antarctica) gets the honest advice.
    let aq = CountryCode::new("AQ".into()).unwrap();
    let unknown = crisis_contacts(dir.path().to_string_lossy().into_owned(), aq).unwrap();
    assert!(!unknown.has_country_data);
    assert!(unknown.advice.unwrap().contains("112"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_crisis_suggestion_and_plan_contacts_carry_actions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("phone").to_string_lossy().into_owned();
    let profile = create_profile(path, PASS.to_vec()).await.unwrap();
    let added = profile
        .safety_plan()
        .add_contact("Sam".into(), "+44 7700 900123".into())
        .unwrap();
    let call = added.action.clone().expect("a dialable number");
    assert_eq!(
        (call.label.as_str(), call.uri.as_str()),
        ("Call Sam", "tel:+447700900123")
    );
    let gb = CountryCode::new("GB".into()).unwrap();
    let suggestions = profile.coping().suggest(9, vec![], 3, Some(gb)).unwrap();
    let crisis = suggestions
        .iter()
        .find(|s| s.kind == kinship_ffi::SuggestionKind::Crisis)
        .unwrap();
    assert_eq!(crisis.actions[0].uri, "tel:999");
    let plan = profile.safety_plan().remove_contact(added.clone()).unwrap();
    assert!(plan.help_contacts.is_empty());
    assert!(matches!(
        profile.safety_plan().remove_contact(added),
        Err(KinshipError::NotFound)
    ));
}

/// Cancels the export (drops its future) from the first progress callback.
struct CancelOnFirstProgress {
    calls: AtomicUsize,
    cancel: Mutex<Option<tokio::sync::oneshot::Sender<()>>>,
}

impl BackupProgress for CancelOnFirstProgress {
    fn on_progress(&self, _done: i32, _total: i32) {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if let Some(cancel) = self.cancel.lock().unwrap().take() {
            let _ = cancel.send(());
            // Give the caller time to drop the future before the next entry is collected.
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

#[derive(Default)]
struct MemorySink {
    bytes: Mutex<Vec<u8>>,
    finished: AtomicUsize,
    abandoned: AtomicUsize,
}

impl BackupSink for MemorySink {
    fn write(&self, bytes: Vec<u8>) -> Result<(), KinshipError> {
        self.bytes.lock().unwrap().extend(bytes);
        Ok(())
    }
    fn finish(&self) -> Result<(), KinshipError> {
        self.finished.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
    fn abandon(&self) {
        self.abandoned.fetch_add(1, Ordering::SeqCst);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cancelled_backup_writes_nothing_and_a_stream_backup_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("phone").to_string_lossy().into_owned();
    let profile = create_profile(path, PASS.to_vec()).await.unwrap();
    for i in 0..200 {
        profile.journal().add(entry(&format!("entry {i}"))).unwrap();
    }
    let target = dir.path().join("backup.kinship");
    let (cancel, cancelled) = tokio::sync::oneshot::channel();
    let progress = Arc::new(CancelOnFirstProgress {
        calls: AtomicUsize::new(0),
        cancel: Mutex::new(Some(cancel)),
    });
    let backups = profile.backups();
    let export = backups.export_to_path(
        target.to_string_lossy().into_owned(),
        b"backup passphrase long".to_vec(),
        Some(progress.clone()),
        None,
    );
    tokio::select! {
        _ = export => panic!("the export finished before it was cancelled"),
        _ = cancelled => {}
    }
    // The blocking work notices within one entry; wait until it has stopped reporting.
    let mut last = usize::MAX;
    while progress.calls.load(Ordering::SeqCst) != last {
        last = progress.calls.load(Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert!(last < 200, "the export went on after it was cancelled");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n != "phone")
        .collect();
    assert!(left.is_empty(), "files left behind: {left:?}");

    let sink = Arc::new(MemorySink::default());
    let summary = backups
        .export_to_sink(sink.clone(), b"backup passphrase long".to_vec(), None, None)
        .await
        .unwrap();
    assert_eq!(summary.entries, 200);
    assert_eq!(sink.finished.load(Ordering::SeqCst), 1);
    assert_eq!(sink.abandoned.load(Ordering::SeqCst), 0);
    let file = sink.bytes.lock().unwrap().clone();
    let copy = dir.path().join("copy.kinship");
    std::fs::write(&copy, &file).unwrap();
    let other = create_profile(
        dir.path().join("other").to_string_lossy().into_owned(),
        PASS.to_vec(),
    )
    .await
    .unwrap();
    let imported = other
        .backups()
        .import_from_path(
            copy.to_string_lossy().into_owned(),
            b"backup passphrase long".to_vec(),
            None,
            None,
        )
        .await
        .unwrap();
    assert_eq!(imported.added, 200);

    // The Swift way: the future runs on, and a token stops it (an import writes nothing).
    struct CancelTokenOnFirstProgress(Arc<kinship_ffi::CancelToken>);
    impl BackupProgress for CancelTokenOnFirstProgress {
        fn on_progress(&self, _done: i32, _total: i32) {
            self.0.cancel();
        }
    }
    let token = kinship_ffi::CancelToken::new();
    let third = create_profile(
        dir.path().join("third").to_string_lossy().into_owned(),
        PASS.to_vec(),
    )
    .await
    .unwrap();
    let cancelled_export = third
        .backups()
        .export_to_path(
            dir.path()
                .join("never.kinship")
                .to_string_lossy()
                .into_owned(),
            b"backup passphrase long".to_vec(),
            None,
            Some(token.clone()),
        )
        .await;
    assert!(
        cancelled_export.is_ok(),
        "an empty journal reports no progress"
    );
    let sink = Arc::new(MemorySink::default());
    let result = backups
        .export_to_sink(
            sink.clone(),
            b"backup passphrase long".to_vec(),
            Some(Arc::new(CancelTokenOnFirstProgress(token.clone()))),
            Some(kinship_ffi::CancelToken::new()),
        )
        .await;
    assert!(
        result.is_ok(),
        "the token that was passed was never cancelled"
    );
    let stop = kinship_ffi::CancelToken::new();
    let result = backups
        .export_to_sink(
            sink.clone(),
            b"backup passphrase long".to_vec(),
            Some(Arc::new(CancelTokenOnFirstProgress(stop.clone()))),
            Some(stop),
        )
        .await;
    assert!(matches!(result, Err(KinshipError::Cancelled)));
    assert_eq!(sink.abandoned.load(Ordering::SeqCst), 1, "told to abandon");
}

#[tokio::test(flavor = "multi_thread")]
async fn exported_objects_are_shared_safely_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<KinshipProfile>();
    assert_send_sync::<kinship_ffi::KinshipDirectory>();
    assert_send_sync::<kinship_ffi::Journal>();

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("phone").to_string_lossy().into_owned();
    let profile = create_profile(path, PASS.to_vec()).await.unwrap();
    let writers: Vec<_> = (0..4)
        .map(|t| {
            let journal = profile.journal();
            std::thread::spawn(move || {
                for i in 0..25 {
                    journal
                        .add(entry(&format!("thread {t} entry {i}")))
                        .unwrap();
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    assert_eq!(profile.journal().count().unwrap(), 100);
}

struct Recorder<T>(Mutex<Vec<T>>);

impl kinship_ffi::LockListener for Recorder<kinship_ffi::LockState> {
    fn on_lock_state(&self, state: kinship_ffi::LockState) {
        self.0.lock().unwrap().push(state);
    }
}

impl kinship_ffi::ChangeListener for Recorder<()> {
    fn on_change(&self) {
        self.0.lock().unwrap().push(());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn listeners_see_auto_lock_fire_and_changes_until_cancelled() {
    use kinship_ffi::LockState;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("phone").to_string_lossy().into_owned();
    let profile = create_profile(path, PASS.to_vec()).await.unwrap();
    let locks = Arc::new(Recorder(Mutex::new(Vec::new())));
    let lock_handle = profile.observe_lock(locks.clone());
    let changes = Arc::new(Recorder(Mutex::new(Vec::new())));
    let change_handle = profile.journal().observe_changes(changes.clone());
    profile.journal().add(entry("one")).unwrap();
    assert_eq!(changes.0.lock().unwrap().len(), 1);
    change_handle.cancel();
    assert!(change_handle.is_cancelled());
    profile.journal().add(entry("two")).unwrap();
    assert_eq!(changes.0.lock().unwrap().len(), 1, "told after cancel");

    // No call at all: the auto-lock fires by itself and says so.
    profile.set_auto_lock_seconds(Some(1)).unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while profile.is_unlocked() && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!profile.is_unlocked(), "auto-lock did not fire");
    assert!(locks
        .0
        .lock()
        .unwrap()
        .contains(&LockState::Locked { by_auto_lock: true }));
    drop(lock_handle);
    profile.unlock(PASS.to_vec(), None).await.unwrap();
    assert!(
        !locks.0.lock().unwrap().contains(&LockState::Unlocked),
        "a dropped handle stops its listener"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn reminders_fire_at_local_times_across_zones() {
    use kinship_ffi::{LocalTime, NewReminder, TimeZoneId};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("phone").to_string_lossy().into_owned();
    let profile = create_profile(path, PASS.to_vec()).await.unwrap();
    let at_nine = LocalTime(chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap());
    let reminders = profile.reminders();
    let added = reminders
        .add(NewReminder {
            time: at_nine,
            weekdays: vec![],
            zone: TimeZoneId("Asia/Tokyo".into()),
            enabled: true,
        })
        .unwrap();
    assert!(added.time == at_nine);
    // 2026-12-01T00:00Z is 09:00 in Tokyo: the next firing after it is a day later.
    let after =
        SystemTime::from(chrono::DateTime::parse_from_rfc3339("2026-12-01T00:00:00Z").unwrap());
    let next = reminders.upcoming(after, 2).unwrap();
    assert_eq!(next.len(), 2);
    assert_eq!(next[0].reminder_id, added.id);
    assert_eq!(
        chrono::DateTime::<chrono::Utc>::from(next[0].at).to_rfc3339(),
        "2026-12-02T00:00:00+00:00"
    );
    assert!(matches!(
        reminders.upcoming(after, -1),
        Err(KinshipError::InvalidInput { .. })
    ));
}
