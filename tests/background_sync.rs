//! Background sync while the vault is locked (opt-in), against a live kinship-server on
//! loopback: what a locked sync stores, that it stores it sealed, and the merge on unlock.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{TimeZone, Utc};
use kinship_core::background::{PollError, INBOX_DIR_NAME, MANIFEST_FILE_NAME};
use kinship_core::groups::EventQuery;
use kinship_core::sync::SyncOptions;
use kinship_core::{Error, Kinship};
use kinship_e2e::*;
use kinship_protocol::Visibility;

const BACKGROUND_KEY: [u8; 32] = [0x42; 32];

fn quick() -> SyncOptions {
    SyncOptions {
        base_backoff: Duration::from_millis(20),
        ..SyncOptions::default()
    }
}

fn titles(phone: &Kinship) -> Vec<String> {
    let query = EventQuery {
        from: Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap(),
        days: 365,
        group_id: None,
        category: None,
        include_cancelled: true,
    };
    let mut titles: Vec<String> = phone
        .groups()
        .upcoming(&query)
        .unwrap()
        .into_iter()
        .map(|e| e.event.input.title)
        .collect();
    titles.sort();
    titles
}

fn inbox_files(phone: &Kinship) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(phone.data_dir().join(INBOX_DIR_NAME)) {
        Ok(entries) => entries.map(|e| e.unwrap().path()).collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    files
}

fn database_bytes(dir: &Path) -> Vec<u8> {
    std::fs::read(dir.join(kinship_core::profile::DATABASE_FILE_NAME)).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sync_while_locked_stores_sealed_pages_that_the_next_unlock_merges() {
    let server = Server::start().await;
    let group = server.group("Trans peer circle", Visibility::Private).await;
    let old = server.post(&group, "First meeting").await;
    let invite = group.invite_code.clone().unwrap();
    let proxy = Proxy::start(&server.base).await;
    let (phone, _dir) = phone();
    phone
        .groups()
        .follow(&proxy.base, &group.group_id, Some(&invite))
        .await
        .unwrap();
    phone.groups().sync_with(&quick()).await.unwrap();
    phone.enable_background_sync(&BACKGROUND_KEY).unwrap();
    assert!(phone.background_sync_enabled().unwrap());
    phone.lock();

    server.post(&group, "Midnight karaoke").await;
    server.post(&group, "Hormone clinic walk-in").await;
    server.delete(&group, old["id"].as_str().unwrap()).await;
    let database_before = database_bytes(phone.data_dir());
    let report = phone
        .sync_while_locked(&BACKGROUND_KEY, &quick())
        .await
        .unwrap();
    assert_eq!(report.groups_polled, 1);
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert_eq!(report.events_received, 3, "two new events and one deletion");
    assert!(report.pages_stored >= 1);
    assert_eq!(inbox_files(&phone).len(), report.pages_stored);
    assert_eq!(
        database_bytes(phone.data_dir()),
        database_before,
        "the database is not touched while locked"
    );
    assert!(!phone.is_unlocked());

    // Nothing read while locked, nor what the manifest holds, is on disk in clear.
    let token = proxy.bearer_tokens().last().unwrap().clone();
    for needle in [
        "Midnight karaoke",
        "Hormone clinic walk-in",
        "Trans peer circle",
        group.group_id.as_str(),
        token.as_str(),
        invite.as_str(),
        "127.0.0.1",
    ] {
        assert_eq!(
            files_containing(phone.data_dir(), needle),
            Vec::<PathBuf>::new(),
            "found at rest while locked"
        );
    }
    // Sizes come in buckets: a manifest of one group is as long as an empty one would be.
    let manifest = std::fs::metadata(phone.data_dir().join(MANIFEST_FILE_NAME)).unwrap();
    assert_eq!(manifest.len(), 1 + 24 + 4096 + 16);
    for file in inbox_files(&phone) {
        let len = std::fs::metadata(&file).unwrap().len() - (1 + 32 + 1 + 24 + 16);
        assert!(len.is_power_of_two() && len >= 4096, "padded to a bucket");
    }

    phone.unlock(PASS).unwrap();
    assert_eq!(
        titles(&phone),
        ["Hormone clinic walk-in", "Midnight karaoke"]
    );
    let merge = phone.background_sync().last_merge().unwrap().unwrap();
    assert_eq!((merge.new, merge.removed, merge.damaged), (2, 1, 0));
    assert!(inbox_files(&phone).is_empty(), "merged files are removed");

    // The manifest was rewritten from the database: a locked poll now finds nothing new.
    phone.lock();
    let again = phone
        .sync_while_locked(&BACKGROUND_KEY, &quick())
        .await
        .unwrap();
    assert_eq!(
        (again.pages_stored, again.events_received, again.requests),
        (0, 0, 1),
        "one request answered 304"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_merged_twice_changes_nothing_the_second_time() {
    let server = Server::start().await;
    let group = server.group("Book club", Visibility::Public).await;
    let (phone, _dir) = phone();
    phone
        .groups()
        .follow(&server.base, &group.group_id, None)
        .await
        .unwrap();
    phone.enable_background_sync(&BACKGROUND_KEY).unwrap();
    phone.lock();
    let event = server.post(&group, "Giovanni's Room").await;
    phone
        .sync_while_locked(&BACKGROUND_KEY, &quick())
        .await
        .unwrap();
    let saved: Vec<(PathBuf, Vec<u8>)> = inbox_files(&phone)
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    assert!(!saved.is_empty());
    phone.unlock(PASS).unwrap();
    assert_eq!(titles(&phone), ["Giovanni's Room"]);

    // The event changes and an unlocked sync takes the change; then the old pages come back, as
    // after a crash between applying them and deleting them.
    server
        .put(
            &group,
            event["id"].as_str().unwrap(),
            &kinship_e2e::event("Stone Butch Blues"),
        )
        .await;
    phone.groups().sync_with(&quick()).await.unwrap();
    phone.lock();
    for (path, bytes) in &saved {
        std::fs::write(path, bytes).unwrap();
    }
    phone.unlock(PASS).unwrap();
    assert_eq!(
        titles(&phone),
        ["Stone Butch Blues"],
        "no stale version, no copy"
    );
    let merge = phone.background_sync().last_merge().unwrap().unwrap();
    assert_eq!(merge.pages_applied, 0);
    assert_eq!(merge.pages_skipped, saved.len());
    assert!(inbox_files(&phone).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_or_malformed_background_key_is_refused() {
    let server = Server::start().await;
    let group = server.group("Quiet", Visibility::Public).await;
    let (phone, _dir) = phone();
    phone
        .groups()
        .follow(&server.base, &group.group_id, None)
        .await
        .unwrap();
    assert!(matches!(
        phone.sync_while_locked(&BACKGROUND_KEY, &quick()).await,
        Err(Error::NotFound)
    ));
    assert!(matches!(
        phone.enable_background_sync(&[1; 16]),
        Err(Error::InvalidInput { field: Some(f), .. }) if f == "background_key"
    ));
    assert!(!phone.background_sync_enabled().unwrap());
    phone.enable_background_sync(&BACKGROUND_KEY).unwrap();
    phone.lock();
    assert!(matches!(
        phone.enable_background_sync(&BACKGROUND_KEY),
        Err(Error::Locked)
    ));
    assert!(matches!(
        phone.sync_while_locked(&[0x43; 32], &quick()).await,
        Err(Error::WrongDeviceKey)
    ));
    assert!(matches!(
        phone.sync_while_locked(&[0x42; 31], &quick()).await,
        Err(Error::InvalidInput { field: Some(f), .. }) if f == "background_key"
    ));
    assert!(inbox_files(&phone).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn disabling_and_quick_erase_remove_the_manifest_and_the_inbox() {
    let server = Server::start().await;
    let group = server.group("Leaving", Visibility::Public).await;
    let (phone, dir) = phone();
    phone
        .groups()
        .follow(&server.base, &group.group_id, None)
        .await
        .unwrap();
    phone.enable_background_sync(&BACKGROUND_KEY).unwrap();
    phone.lock();
    server.post(&group, "Picnic").await;
    phone
        .sync_while_locked(&BACKGROUND_KEY, &quick())
        .await
        .unwrap();
    assert!(!inbox_files(&phone).is_empty());
    phone.unlock(PASS).unwrap();
    phone.disable_background_sync().unwrap();
    assert!(!phone.background_sync_enabled().unwrap());
    assert!(!phone.data_dir().join(MANIFEST_FILE_NAME).exists());
    assert!(!phone.data_dir().join(INBOX_DIR_NAME).exists());
    assert_eq!(
        titles(&phone),
        ["Picnic"],
        "disabling merged what was fetched"
    );
    assert!(matches!(
        phone.sync_while_locked(&BACKGROUND_KEY, &quick()).await,
        Err(Error::NotFound)
    ));

    // Quick erase shreds them too (the background key lives outside the key file).
    phone.enable_background_sync(&BACKGROUND_KEY).unwrap();
    phone.lock();
    server.post(&group, "Second picnic").await;
    phone
        .sync_while_locked(&BACKGROUND_KEY, &quick())
        .await
        .unwrap();
    assert!(!inbox_files(&phone).is_empty());
    phone.quick_erase().unwrap();
    assert!(!dir.path().join("phone").join(MANIFEST_FILE_NAME).exists());
    assert!(!dir.path().join("phone").join(INBOX_DIR_NAME).exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tampered_inbox_file_is_skipped_and_removed_and_the_unlock_succeeds() {
    let server = Server::start().await;
    let first = server.group("Alpha", Visibility::Public).await;
    let second = server.group("Beta", Visibility::Public).await;
    let (phone, _dir) = phone();
    for group in [&first, &second] {
        phone
            .groups()
            .follow(&server.base, &group.group_id, None)
            .await
            .unwrap();
    }
    phone.groups().sync_with(&quick()).await.unwrap();
    phone.enable_background_sync(&BACKGROUND_KEY).unwrap();
    phone.lock();
    server.post(&first, "Alpha night").await;
    server.post(&second, "Beta night").await;
    let report = phone
        .sync_while_locked(&BACKGROUND_KEY, &quick())
        .await
        .unwrap();
    assert_eq!(report.groups_polled, 2);
    let files = inbox_files(&phone);
    assert!(files.len() >= 2);
    // Flip one byte of the first page's ciphertext.
    let mut bytes = std::fs::read(&files[0]).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&files[0], bytes).unwrap();

    phone.unlock(PASS).unwrap();
    let merge = phone.background_sync().last_merge().unwrap().unwrap();
    assert_eq!(merge.damaged, 1);
    assert!(
        inbox_files(&phone).is_empty(),
        "the damaged file is removed too"
    );
    let titles = titles(&phone);
    assert_eq!(
        titles.len(),
        1,
        "one group's page was lost, the other merged"
    );
    // The lost page is fetched again by the next sync: its cursor was never applied.
    phone.groups().sync_with(&quick()).await.unwrap();
    assert_eq!(self::titles(&phone), ["Alpha night", "Beta night"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_revoked_member_token_is_reported_while_locked_and_after_unlock() {
    let server = Server::start().await;
    let group = server.group("Closed circle", Visibility::Private).await;
    let (phone, _dir) = phone();
    phone
        .groups()
        .follow(&server.base, &group.group_id, group.invite_code.as_deref())
        .await
        .unwrap();
    phone.enable_background_sync(&BACKGROUND_KEY).unwrap();
    phone.lock();
    assert!(
        server
            .store()
            .await
            .revoke_members(&group.group_id)
            .await
            .unwrap()
            >= 1
    );
    let report = phone
        .sync_while_locked(&BACKGROUND_KEY, &quick())
        .await
        .unwrap();
    assert_eq!(report.failures.len(), 1);
    assert_eq!(
        report.failures[0].error,
        PollError::AccessRefused { status: 401 }
    );
    assert_eq!(report.pages_stored, 0);
    phone.unlock(PASS).unwrap();
    let sync = phone.groups().sync_with(&quick()).await.unwrap();
    assert!(sync.groups[0].error.as_deref().unwrap().contains("401"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cursor_too_old_while_locked_restarts_the_group_on_unlock() {
    let server = Server::start().await;
    let group = server.group("Old", Visibility::Public).await;
    let a = server.post(&group, "A").await;
    server.post(&group, "B").await;
    let (phone, _dir) = phone();
    phone
        .groups()
        .follow(&server.base, &group.group_id, None)
        .await
        .unwrap();
    phone.groups().sync_with(&quick()).await.unwrap();
    phone.enable_background_sync(&BACKGROUND_KEY).unwrap();
    phone.lock();
    server.delete(&group, a["id"].as_str().unwrap()).await;
    server.post(&group, "C").await;
    server
        .store()
        .await
        .purge_tombstones(Utc::now() + chrono::Duration::seconds(1))
        .await
        .unwrap();
    server.post(&group, "D").await;
    phone
        .sync_while_locked(&BACKGROUND_KEY, &quick())
        .await
        .unwrap();
    phone.unlock(PASS).unwrap();
    assert_eq!(
        titles(&phone),
        ["B", "C", "D"],
        "the deleted event is gone although its tombstone was purged"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_manifest_follows_follows_and_unfollows_and_an_unlocked_vault_syncs_normally() {
    let server = Server::start().await;
    let first = server.group("Stays", Visibility::Public).await;
    let second = server.group("Goes", Visibility::Public).await;
    let (phone, _dir) = phone();
    phone.enable_background_sync(&BACKGROUND_KEY).unwrap();
    for group in [&first, &second] {
        phone
            .groups()
            .follow(&server.base, &group.group_id, None)
            .await
            .unwrap();
    }
    phone.groups().unfollow(&second.group_id).unwrap();
    server.post(&first, "Kept").await;
    server.post(&second, "Not asked for").await;

    let unlocked = phone
        .sync_while_locked(&BACKGROUND_KEY, &quick())
        .await
        .unwrap();
    let sync = unlocked.unlocked_sync.expect("a normal sync ran");
    assert_eq!(sync.groups[0].new, 1);
    assert!(inbox_files(&phone).is_empty());

    phone.lock();
    server.post(&first, "Kept too").await;
    let locked = phone
        .sync_while_locked(&BACKGROUND_KEY, &quick())
        .await
        .unwrap();
    assert_eq!(
        locked.groups_polled, 1,
        "the unfollowed group is not polled"
    );
    assert!(locked.unlocked_sync.is_none());
    assert_eq!(locked.events_received, 1);
    phone.unlock(PASS).unwrap();
    assert_eq!(titles(&phone), ["Kept", "Kept too"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_server_while_locked_is_offline_and_stores_nothing() {
    let server = Server::start().await;
    let group = server.group("Far away", Visibility::Public).await;
    let proxy = Proxy::start(&server.base).await;
    let (phone, _dir) = phone();
    phone
        .groups()
        .follow(&proxy.base, &group.group_id, None)
        .await
        .unwrap();
    phone.enable_background_sync(&BACKGROUND_KEY).unwrap();
    phone.lock();
    let manifest = std::fs::read(phone.data_dir().join(MANIFEST_FILE_NAME)).unwrap();
    drop(proxy);
    let options = SyncOptions {
        max_attempts: 1,
        timeout: Duration::from_secs(2),
        ..quick()
    };
    assert!(matches!(
        phone.sync_while_locked(&BACKGROUND_KEY, &options).await,
        Err(Error::Offline)
    ));
    assert!(inbox_files(&phone).is_empty());
    assert_eq!(
        std::fs::read(phone.data_dir().join(MANIFEST_FILE_NAME)).unwrap(),
        manifest,
        "the manifest is not rewritten when nothing was fetched"
    );
}
