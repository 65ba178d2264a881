//! The core's log lines (through the `log` facade, which the app's FFI layer forwards): they
//! are emitted for lock changes, sync, backups and migrations, and never carry what a person
//! wrote, a server URL, a token, an invite code, a group name or an entry id.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed step should panic

mod common;

use std::sync::Mutex;
use std::time::Duration;

use common::*;
use kinship_core::NewEntry;

static LINES: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        LINES
            .lock()
            .unwrap()
            .push((record.target().to_owned(), record.args().to_string()));
    }

    fn flush(&self) {}
}

static CAPTURE: Capture = Capture;

const SECRET_TEXT: &str = "I told nobody about Alex yet";
const BACKUP_PASS: &str = "backup passphrase 99";

#[test]
fn core_log_lines_say_what_happened_and_nothing_personal() {
    log::set_logger(&CAPTURE).unwrap();
    log::set_max_level(log::LevelFilter::Trace);

    let dir = tempfile::tempdir().unwrap();
    let (kinship, _) = new_profile(dir.path());
    let entry = kinship
        .journal()
        .add(
            NewEntry {
                title: Some("About Alex".into()),
                body: SECRET_TEXT.into(),
                mood: Some(2),
                tags: vec!["coming-out".into()],
                strategy_ids: vec![],
            },
            at(0),
        )
        .unwrap();

    let server = feed::start();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime
        .block_on(
            kinship
                .groups()
                .follow(&server, feed::GROUP_ID, Some(feed::INVITE)),
        )
        .unwrap();
    runtime.block_on(kinship.groups().sync_now()).unwrap();

    let backup = dir.path().join("backup.kinship");
    kinship
        .export_backup(&backup, BACKUP_PASS, &mut |_| {})
        .unwrap();
    let (other, _) = new_profile(&dir.path().join("other"));
    other
        .import_backup(&backup, BACKUP_PASS, &mut |_| {})
        .unwrap();

    kinship.lock();
    kinship.unlock(PASS).unwrap();
    kinship.set_auto_lock(Some(Duration::from_millis(300)));
    let start = std::time::Instant::now();
    while !auto_lock_logged() && start.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(50));
    }

    let lines = LINES.lock().unwrap().clone();
    let ours: Vec<&String> = lines
        .iter()
        .filter(|(target, _)| kinship_core::logging::is_core_target(target))
        .map(|(_, text)| text)
        .collect();
    for expected in [
        "database schema upgraded from 0 to",
        "vault unlocked",
        "vault locked (requested)",
        "vault locked (auto-lock)",
        "sync started: 1 groups",
        "sync: group #0: 1 new, 0 updated, 0 removed",
        "sync finished: 1 groups, 0 failed",
        "backup exported: 1 journal entries",
        "backup imported: journal 1 added",
    ] {
        assert!(
            ours.iter().any(|l| l.contains(expected)),
            "no line with {expected:?} in {ours:#?}"
        );
    }
    let host = server.trim_start_matches("http://");
    // Other crates' lines are not redacted (the HTTP client names the server it connects to): the
    // filter the app is told to use lets none of them through.
    assert!(lines
        .iter()
        .filter(|(_, l)| l.contains(host))
        .all(|(target, _)| !kinship_core::logging::is_core_target(target)));
    for secret in [
        SECRET_TEXT,
        "Alex",
        "coming-out",
        host,
        "127.0.0.1",
        feed::TOKEN,
        feed::INVITE,
        feed::GROUP_NAME,
        feed::EVENT_TITLE,
        PASS,
        BACKUP_PASS,
        entry.id.as_str(),
    ] {
        assert!(
            ours.iter().all(|l| !l.contains(secret)),
            "a core log line contains {secret:?}"
        );
    }
}

/// Whether the timer has auto-locked (waited on through its log line, not `is_unlocked`,
/// which would apply the auto-lock itself).
fn auto_lock_logged() -> bool {
    LINES
        .lock()
        .unwrap()
        .iter()
        .any(|(_, l)| l.contains("vault locked (auto-lock)"))
}
