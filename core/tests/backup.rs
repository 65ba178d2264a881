//! Encrypted backups: roundtrip, merge without duplicates, and refusal of bad files.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed step should panic

mod common;

use common::*;
use kinship_core::backup::BackupError;
use kinship_core::{EntryChanges, Error};

const BACKUP_PASS: &str = "backup passphrase 9";

#[test]
fn backup_roundtrip_into_a_new_profile() {
    let dir = tempfile::tempdir().unwrap();
    let (source, _) = new_profile(&dir.path().join("a"));
    let entries: Vec<_> = (0..25)
        .map(|i| {
            add(
                &source,
                i,
                &format!("t{i}"),
                "é body ✓",
                Some((i % 5 + 1) as u8),
                &["x"],
            )
        })
        .collect();
    let file = dir.path().join("backup.bin");
    let mut steps = Vec::new();
    let summary = source
        .export_backup(&file, BACKUP_PASS, &mut |p| steps.push(p))
        .unwrap();
    assert_eq!(summary.entries, 25);
    assert_eq!(steps.last().map(|p| (p.done, p.total)), Some((25, 25)));

    let (target, _) = new_profile(&dir.path().join("b"));
    let imported = target
        .import_backup(&file, BACKUP_PASS, &mut |_| {})
        .unwrap();
    assert_eq!(
        (imported.added, imported.updated, imported.unchanged),
        (25, 0, 0)
    );
    let mut restored = target.journal().all().unwrap();
    let mut original = entries.clone();
    restored.sort_by(|a, b| a.id.cmp(&b.id));
    original.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(restored, original);
    assert_eq!(target.journal().search("body", 100).unwrap().len(), 25);
}

#[test]
fn import_merges_without_duplicates_and_keeps_the_newer_edit() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, _) = new_profile(dir.path());
    let kept = add(&kinship, 0, "kept", "old text", None, &[]);
    let edited_later = add(&kinship, 1, "edited", "v1", None, &[]);
    let file = dir.path().join("b.bin");
    kinship
        .export_backup(&file, BACKUP_PASS, &mut |_| {})
        .unwrap();

    // After the backup: one entry edited here, one added here.
    let journal = kinship.journal();
    let newer = journal
        .update(
            &edited_later.id,
            EntryChanges {
                body: Some("v2".into()),
                ..Default::default()
            },
            at(100),
        )
        .unwrap();
    let added_after = add(&kinship, 2, "new", "after backup", None, &[]);

    let summary = kinship
        .import_backup(&file, BACKUP_PASS, &mut |_| {})
        .unwrap();
    assert_eq!(
        (summary.added, summary.updated, summary.unchanged),
        (0, 0, 2)
    );
    assert_eq!(journal.count().unwrap(), 3);
    assert_eq!(
        journal.get(&edited_later.id).unwrap(),
        newer,
        "the newer local edit wins"
    );
    assert_eq!(journal.get(&kept.id).unwrap(), kept);
    assert_eq!(journal.get(&added_after.id).unwrap().body, "after backup");

    // Deleted here, then restored from the backup.
    journal.delete(&kept.id).unwrap();
    let summary = kinship
        .import_backup(&file, BACKUP_PASS, &mut |_| {})
        .unwrap();
    assert_eq!(summary.added, 1);
    assert_eq!(journal.get(&kept.id).unwrap(), kept);
}

#[test]
fn wrong_passphrase_truncated_and_tampered_backups_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (source, _) = new_profile(&dir.path().join("a"));
    for i in 0..5 {
        add(&source, i, "t", "b", None, &[]);
    }
    let file = dir.path().join("b.bin");
    source
        .export_backup(&file, BACKUP_PASS, &mut |_| {})
        .unwrap();
    let bytes = std::fs::read(&file).unwrap();

    let (target, target_path) = new_profile(&dir.path().join("b"));
    let existing = add(&target, 0, "mine", "mine", None, &[]);
    target.checkpoint().unwrap();
    let before = snapshot(&target_path);

    assert!(matches!(
        target.import_backup(&file, "not the backup pass", &mut |_| {}),
        Err(Error::WrongPassphrase)
    ));

    let truncated = dir.path().join("truncated.bin");
    std::fs::write(&truncated, &bytes[..bytes.len() - 100]).unwrap();
    assert!(matches!(
        target.import_backup(&truncated, BACKUP_PASS, &mut |_| {}),
        Err(Error::Backup(BackupError::Truncated))
    ));

    let tampered = dir.path().join("tampered.bin");
    let mut flipped = bytes.clone();
    let at_byte = flipped.len() - 40;
    flipped[at_byte] ^= 0x10;
    std::fs::write(&tampered, &flipped).unwrap();
    assert!(matches!(
        target.import_backup(&tampered, BACKUP_PASS, &mut |_| {}),
        Err(Error::Backup(BackupError::Tampered))
    ));

    let not_backup = dir.path().join("notes.txt");
    std::fs::write(&not_backup, b"just some text").unwrap();
    assert!(matches!(
        target.import_backup(&not_backup, BACKUP_PASS, &mut |_| {}),
        Err(Error::Backup(BackupError::NotABackup))
    ));

    assert_eq!(
        snapshot(&target_path),
        before,
        "a refused import must not touch any file"
    );
    assert_eq!(target.journal().count().unwrap(), 1);
    assert_eq!(target.journal().get(&existing.id).unwrap(), existing);
}

#[test]
fn weak_backup_passphrase_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, _) = new_profile(dir.path());
    let file = dir.path().join("b.bin");
    assert!(matches!(
        kinship.export_backup(&file, "weak", &mut |_| {}),
        Err(Error::WeakPassphrase)
    ));
    assert!(!file.exists());
}

/// Re-seals `document` as a correctly encrypted backup: only the document's checks can refuse
/// it, not the cipher.
fn sealed_backup(
    dir: &std::path::Path,
    name: &str,
    document: &serde_json::Value,
) -> std::path::PathBuf {
    let path = dir.join(name);
    let plaintext = serde_json::to_vec(document).unwrap();
    let file =
        kinship_core::backup::encrypt(&plaintext, BACKUP_PASS, kinship_core::KdfParams::MINIMUM)
            .unwrap();
    std::fs::write(&path, file).unwrap();
    path
}

#[test]
fn a_correctly_encrypted_but_invalid_backup_imports_nothing_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let (source, _) = new_profile(&dir.path().join("a"));
    for i in 0..5 {
        add(&source, i, "title", &format!("entry {i}"), Some(3), &[]);
    }
    let exported = dir.path().join("good.bin");
    source
        .export_backup(&exported, BACKUP_PASS, &mut |_| {})
        .unwrap();
    let plaintext =
        kinship_core::backup::decrypt(&std::fs::read(&exported).unwrap(), BACKUP_PASS).unwrap();
    let document: serde_json::Value = serde_json::from_slice(&plaintext).unwrap();
    assert_eq!(document["journal"].as_array().unwrap().len(), 5);

    let (target, target_path) = new_profile(&dir.path().join("b"));
    let existing = add(&target, 0, "mine", "mine", None, &[]);
    target.checkpoint().unwrap();
    let before = snapshot(&target_path);

    // Not the document's shape at all.
    let shapeless = sealed_backup(
        dir.path(),
        "shapeless.bin",
        &serde_json::json!({"format": "kinship-backup", "version": 1, "journal": "nope"}),
    );
    assert!(matches!(
        target.import_backup(&shapeless, BACKUP_PASS, &mut |_| {}),
        Err(Error::Backup(BackupError::Malformed(_)))
    ));
    assert_eq!(snapshot(&target_path), before);

    // The right shape, four good entries, and a last one whose mood is out of range: the four
    // are merged inside the import's transaction before the fifth fails, so all-or-nothing
    // is what keeps them out.
    let mut last_bad = document.clone();
    last_bad["journal"][4]["mood"] = serde_json::json!(9);
    let last_bad = sealed_backup(dir.path(), "last-bad.bin", &last_bad);
    let mut reported = 0;
    let result = target.import_backup(&last_bad, BACKUP_PASS, &mut |p| reported = p.done);
    assert!(
        matches!(result, Err(Error::InvalidInput { .. })),
        "{result:?}"
    );
    assert_eq!(
        reported, 4,
        "the four good entries were merged before the refusal"
    );
    assert_eq!(target.journal().count().unwrap(), 1, "none of them stayed");
    assert_eq!(target.journal().get(&existing.id).unwrap(), existing);
    target.lock();
    target.unlock(PASS).unwrap();
    assert_eq!(
        target.journal().count().unwrap(),
        1,
        "nothing on disk either"
    );

    // The untouched document still imports, so the refusals above were about the edits.
    let good = sealed_backup(dir.path(), "resealed.bin", &document);
    let summary = target
        .import_backup(&good, BACKUP_PASS, &mut |_| {})
        .unwrap();
    assert_eq!(summary.added, 5);
    assert_eq!(target.journal().count().unwrap(), 6);
}

/// A hostile backup that asks for 1 GiB x 64 passes of Argon2 is refused from its header, before
/// any key derivation (which no phone would survive).
#[test]
fn a_backup_asking_for_absurd_key_derivation_work_is_refused_before_deriving() {
    let dir = tempfile::tempdir().unwrap();
    let (source, _) = new_profile(&dir.path().join("a"));
    add(&source, 0, "t", "b", None, &[]);
    let file = dir.path().join("b.bin");
    source
        .export_backup(&file, BACKUP_PASS, &mut |_| {})
        .unwrap();
    let mut bytes = std::fs::read(&file).unwrap();
    // Header: magic (8) | version (1) | m_kib u32le | t u32le | p u32le (FORMAT.md 5.1).
    bytes[9..13].copy_from_slice(&(1024u32 * 1024).to_le_bytes());
    bytes[13..17].copy_from_slice(&64u32.to_le_bytes());
    let hostile = dir.path().join("hostile.bin");
    std::fs::write(&hostile, &bytes).unwrap();
    let (target, _) = new_profile(&dir.path().join("b"));
    assert!(matches!(
        target.import_backup(&hostile, BACKUP_PASS, &mut |_| {}),
        Err(Error::Backup(BackupError::Malformed(_)))
    ));
    // Within the ceiling per value but over the total work: refused too.
    bytes[9..13].copy_from_slice(&(256u32 * 1024).to_le_bytes());
    bytes[13..17].copy_from_slice(&16u32.to_le_bytes());
    std::fs::write(&hostile, &bytes).unwrap();
    assert!(matches!(
        target.import_backup(&hostile, BACKUP_PASS, &mut |_| {}),
        Err(Error::Backup(BackupError::Malformed(_)))
    ));
    assert_eq!(target.journal().count().unwrap(), 0);
}

/// A progress callback that calls back into the profile (an app showing a live count) must
/// not deadlock: the callback never runs under the session lock.
#[test]
fn a_progress_callback_may_call_back_into_the_profile() {
    let dir = tempfile::tempdir().unwrap();
    let (source, _) = new_profile(&dir.path().join("a"));
    for i in 0..3 {
        add(&source, i, "t", "b", None, &[]);
    }
    let file = dir.path().join("b.bin");
    let (target, _) = new_profile(&dir.path().join("b"));
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    let worker = {
        let (source, target, file) = (source.clone(), target.clone(), file.clone());
        std::thread::spawn(move || {
            let mut seen = Vec::new();
            source
                .export_backup(&file, BACKUP_PASS, &mut |_| {
                    seen.push(source.journal().count().unwrap());
                })
                .unwrap();
            let summary = target
                .import_backup(&file, BACKUP_PASS, &mut |_| {
                    seen.push(target.journal().count().unwrap());
                })
                .unwrap();
            let _ = done_tx.send((summary.added, seen));
        })
    };
    let (added, seen) = done_rx
        .recv_timeout(std::time::Duration::from_secs(120))
        .expect("export and import finished (a callback under the lock would deadlock)");
    worker.join().unwrap();
    assert_eq!(added, 3);
    assert_eq!(seen.len(), 6, "three export and three import steps");
}
