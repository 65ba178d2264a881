//! Listeners: lock state (auto-lock firing by itself), data changes per feature, sync progress,
//! directory updates; delivered outside the state lock, stopped by their `Subscription`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed step should panic

mod common;

use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use kinship_core::{
    DataTopic, DirectoryEvent, EntryFilter, LockCause, LockEvent, NewEntry, NewReminder, SyncEvent,
};

type Listener<T> = Arc<dyn Fn(T) + Send + Sync>;

/// A listener that keeps what it is told, and what it kept.
fn recorder<T: Send + 'static>() -> (Listener<T>, Arc<Mutex<Vec<T>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    (Arc::new(move |e| s.lock().unwrap().push(e)), seen)
}

fn entry(body: &str) -> NewEntry {
    NewEntry {
        title: None,
        body: body.into(),
        mood: Some(3),
        tags: vec![],
        strategy_ids: vec![],
    }
}

#[test]
fn lock_listeners_see_unlock_lock_and_erase_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, path) = new_profile(dir.path());
    let (listener, seen) = recorder();
    let _sub = kinship.on_lock_change(listener);
    kinship.lock();
    kinship.lock(); // already locked: nothing new
    kinship.unlock(PASS).unwrap();
    assert!(kinship.unlock("wrong passphrase here").is_err());
    kinship.quick_erase().unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        vec![
            LockEvent::Locked {
                cause: LockCause::Requested
            },
            LockEvent::Unlocked,
            LockEvent::Erased,
        ]
    );
    assert!(!path.join("keys.json").exists());
}

#[test]
fn auto_lock_fires_by_itself_with_no_call() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, _) = new_profile(dir.path());
    let (tx, rx) = mpsc::channel();
    let tx = Mutex::new(tx);
    // The listener calls back into the core: it must not deadlock (it runs outside the lock).
    let k = kinship.clone();
    let _sub = kinship.on_lock_change(Arc::new(move |e| {
        let still_unlocked = k.is_unlocked();
        let _ = tx.lock().unwrap().send((e, still_unlocked));
    }));
    let started = Instant::now();
    kinship.set_auto_lock(Some(Duration::from_secs(1)));
    let (event, unlocked_in_listener) = rx.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(
        event,
        LockEvent::Locked {
            cause: LockCause::AutoLock
        }
    );
    assert!(!unlocked_in_listener);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "not before the timeout"
    );
    assert!(!kinship.is_unlocked());
    assert!(matches!(
        kinship.journal().count(),
        Err(kinship_core::Error::Locked)
    ));
}

#[test]
fn use_of_the_data_pushes_the_auto_lock_back() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, _) = new_profile(dir.path());
    let (listener, seen) = recorder();
    let _sub = kinship.on_lock_change(listener);
    kinship.set_auto_lock(Some(Duration::from_millis(1500)));
    for _ in 0..4 {
        std::thread::sleep(Duration::from_millis(500));
        kinship.journal().count().unwrap();
    }
    // Two seconds in, used every half second: still unlocked, nothing told.
    assert!(kinship.is_unlocked());
    assert!(seen.lock().unwrap().is_empty());
    // Turning auto-lock off stops the timer: it never fires.
    kinship.set_auto_lock(None);
    std::thread::sleep(Duration::from_millis(2000));
    assert!(kinship.is_unlocked());
    assert!(seen.lock().unwrap().is_empty());
}

#[test]
fn data_listeners_are_told_after_the_write_is_committed() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, _) = new_profile(dir.path());
    let database = kinship.database_file().unwrap();
    let (tx, rx) = mpsc::channel();
    let tx = Mutex::new(tx);
    let k = kinship.clone();
    let _sub = kinship.on_data_change(
        DataTopic::Journal,
        Arc::new(move |topic| {
            // Another connection sees the row: the transaction is committed, not just written.
            let other = rusqlite::Connection::open(&database).unwrap();
            let rows: i64 = other
                .query_row("SELECT count(*) FROM journal_entries", [], |r| r.get(0))
                .unwrap();
            // And the core can be called from here.
            let listed = k
                .journal()
                .list(&EntryFilter::default(), 10, None)
                .unwrap()
                .entries
                .len();
            let _ = tx.lock().unwrap().send((topic, rows, listed));
        }),
    );
    let journal = kinship.journal();
    let added = journal.add(entry("first"), at(0)).unwrap();
    assert_eq!(rx.try_recv().unwrap(), (DataTopic::Journal, 1, 1));
    journal
        .update(
            &added.id,
            kinship_core::EntryChanges {
                body: Some("edited".into()),
                ..Default::default()
            },
            at(1),
        )
        .unwrap();
    assert_eq!(rx.try_recv().unwrap(), (DataTopic::Journal, 1, 1));
    journal.delete(&added.id).unwrap();
    assert_eq!(rx.try_recv().unwrap(), (DataTopic::Journal, 0, 0));
    // A read, and a write that failed, tell nothing.
    journal.count().unwrap();
    assert!(journal.delete(&added.id).is_err());
    assert!(rx.try_recv().is_err());
}

#[test]
fn each_feature_tells_its_own_topic_and_only_while_subscribed() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, _) = new_profile(dir.path());
    let all = [
        DataTopic::Journal,
        DataTopic::Coping,
        DataTopic::SafetyPlan,
        DataTopic::PersonalDirectory,
        DataTopic::Groups,
        DataTopic::Reminders,
    ];
    let seen = Arc::new(Mutex::new(Vec::new()));
    let subs: Vec<_> = all
        .iter()
        .map(|t| {
            let s = seen.clone();
            kinship.on_data_change(*t, Arc::new(move |topic| s.lock().unwrap().push(topic)))
        })
        .collect();
    let take = || std::mem::take(&mut *seen.lock().unwrap());

    kinship.coping().favorite("box-breathing").unwrap();
    assert_eq!(take(), vec![DataTopic::Coping]);
    kinship
        .safety_plan()
        .add_contact("Sam", "+44 20 7946 0000", at(0))
        .unwrap();
    assert_eq!(take(), vec![DataTopic::SafetyPlan]);
    kinship
        .personal_directory()
        .add(
            kinship_core::directory::private::NewPrivateEntry {
                name: "My therapist".into(),
                phone: Some("+44 20 7946 0018".into()),
                ..Default::default()
            },
            at(0),
        )
        .unwrap();
    assert_eq!(take(), vec![DataTopic::PersonalDirectory]);
    kinship
        .reminders()
        .add(NewReminder {
            time: "21:00".into(),
            weekdays: vec![],
            zone: "Europe/Berlin".into(),
            enabled: true,
        })
        .unwrap();
    assert_eq!(take(), vec![DataTopic::Reminders]);

    // A backup import tells every topic it wrote, once each.
    kinship
        .journal()
        .add(entry("kept in the backup"), at(0))
        .unwrap();
    assert_eq!(take(), vec![DataTopic::Journal]);
    let backup = dir.path().join("backup.kinship");
    kinship
        .export_backup(&backup, "backup passphrase x", &mut |_| {})
        .unwrap();
    let (other, _) = new_profile(&dir.path().join("other"));
    let other_seen = Arc::new(Mutex::new(Vec::new()));
    let _other_subs: Vec<_> = all
        .iter()
        .map(|t| {
            let s = other_seen.clone();
            other.on_data_change(*t, Arc::new(move |topic| s.lock().unwrap().push(topic)))
        })
        .collect();
    other
        .import_backup(&backup, "backup passphrase x", &mut |_| {})
        .unwrap();
    let mut told = other_seen.lock().unwrap().clone();
    told.sort();
    assert_eq!(
        told,
        vec![
            DataTopic::Journal,
            DataTopic::Coping,
            DataTopic::SafetyPlan,
            DataTopic::Reminders
        ]
    );

    drop(subs);
    kinship.coping().unfavorite("box-breathing").unwrap();
    assert!(take().is_empty(), "dropped subscriptions are not called");
}

#[test]
fn a_cancelled_subscription_is_not_called_and_a_panicking_listener_harms_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, _) = new_profile(dir.path());
    let _bad = kinship.on_data_change(
        DataTopic::Journal,
        Arc::new(|_| panic!("a listener with a bug")),
    );
    let (listener, seen) = recorder();
    let sub = kinship.on_data_change(DataTopic::Journal, listener);
    kinship.journal().add(entry("one"), at(0)).unwrap();
    assert_eq!(seen.lock().unwrap().len(), 1, "the others still run");
    // The state lock is not poisoned and the profile works on.
    assert_eq!(kinship.journal().count().unwrap(), 1);
    sub.cancel();
    sub.cancel();
    kinship.journal().add(entry("two"), at(1)).unwrap();
    assert_eq!(seen.lock().unwrap().len(), 1);
    assert_eq!(kinship.journal().count().unwrap(), 2);
}

#[test]
fn sync_listeners_get_progress_with_counts_and_no_names() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, _) = new_profile(dir.path());
    let server = feed::start();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (groups_listener, groups_seen) = recorder();
    let _g = kinship.on_data_change(DataTopic::Groups, groups_listener);
    runtime
        .block_on(
            kinship
                .groups()
                .follow(&server, feed::GROUP_ID, Some(feed::INVITE)),
        )
        .unwrap();
    assert_eq!(
        groups_seen.lock().unwrap().len(),
        1,
        "following is a change"
    );

    let (listener, seen) = recorder();
    let _sub = kinship.on_sync(listener);
    let report = runtime.block_on(kinship.groups().sync_now()).unwrap();
    assert_eq!(report.groups[0].new, 1);
    assert_eq!(
        *seen.lock().unwrap(),
        vec![
            SyncEvent::Started { groups: 1 },
            SyncEvent::GroupFinished {
                group_id: feed::GROUP_ID.into(),
                new_or_changed: 1,
                removed: 0,
                error: None,
            },
            SyncEvent::Finished {
                groups: 1,
                failed: 0
            },
        ]
    );
    assert_eq!(
        groups_seen.lock().unwrap().len(),
        2,
        "the new event is a change"
    );
    let text = format!("{:?}", seen.lock().unwrap());
    assert!(!text.contains(feed::GROUP_NAME) && !text.contains(feed::EVENT_TITLE));
    assert!(!text.contains(&server));

    // A second sync with nothing new changes no data.
    runtime.block_on(kinship.groups().sync_now()).unwrap();
    assert_eq!(groups_seen.lock().unwrap().len(), 2);
    assert_eq!(seen.lock().unwrap().len(), 6);
}

#[test]
fn directory_listeners_hear_of_an_installed_bundle() {
    use ed25519_dalek::SigningKey;
    use kinship_core::directory::bundle::{self, TrustedKey};
    use kinship_core::directory::{builtin_json, Directory, DirectoryData};

    let dir = tempfile::tempdir().unwrap();
    let (kinship, path) = new_profile(dir.path());
    let signing = SigningKey::from_bytes(&[9u8; 32]);
    let keys = [TrustedKey {
        id: "test-key",
        public_key: signing.verifying_key().to_bytes(),
    }];
    let mut data: DirectoryData = serde_json::from_str(&builtin_json().unwrap()).unwrap();
    let version = Directory::builtin().unwrap().version() + 3;
    data.version = version;
    let signed = bundle::sign(
        &serde_json::to_string(&data).unwrap(),
        &hex::encode(signing.to_bytes()),
        "test-key",
    )
    .unwrap();
    let (listener, seen) = recorder();
    let _sub = kinship.on_directory_update(listener);
    kinship.lock(); // public data: no unlock needed
    assert_eq!(
        kinship
            .install_directory_bundle_with_keys(signed.as_bytes(), &keys)
            .unwrap(),
        version
    );
    assert!(kinship
        .install_directory_bundle_with_keys(signed.as_bytes(), &keys)
        .is_err());
    assert_eq!(
        *seen.lock().unwrap(),
        vec![DirectoryEvent::Updated { version }]
    );
    assert_eq!(
        Directory::load_with_keys(&path, &keys).unwrap().version(),
        version
    );
}

#[test]
fn writes_from_several_threads_are_each_told_once_with_no_deadlock() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, _) = new_profile(dir.path());
    let told = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (t, k) = (told.clone(), kinship.clone());
    let _sub = kinship.on_data_change(
        DataTopic::Journal,
        Arc::new(move |_| {
            // Calls back in while other threads write: runs outside the lock.
            k.journal().count().unwrap();
            t.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }),
    );
    let writers: Vec<_> = (0..4)
        .map(|n| {
            let kinship = kinship.clone();
            std::thread::spawn(move || {
                for i in 0..25 {
                    kinship
                        .journal()
                        .add(entry(&format!("thread {n} entry {i}")), at(i))
                        .unwrap();
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    // A thread may hand its event to the one already delivering, which then delivers it after
    // its current listener returns: all are delivered by the time every writer has returned.
    assert_eq!(told.load(std::sync::atomic::Ordering::SeqCst), 100);
    assert_eq!(kinship.journal().count().unwrap(), 100);
}
