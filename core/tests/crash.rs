//! A writer killed with SIGKILL in the middle of its adds leaves a sound database that holds
//! exactly the entries whose add had returned, each with its exact content.
//!
//! The writer is the `crash_writer` example (core/examples), a separate program. In the paused
//! rounds it stops inside SQLite's commit hook on a chosen commit (debug builds only, see
//! `store::crash_test`) and says so, so the kill is known to land inside a transaction; in the
//! free round it is killed after a delay, wherever it is.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed step should panic

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;
use kinship_core::Kinship;

const ADDS: usize = 1000;

fn writer_binary() -> PathBuf {
    // target/debug/deps/crash-<hash> -> target/debug/examples/crash_writer
    let exe = std::env::current_exe().expect("test binary path");
    let path = exe
        .parent()
        .and_then(Path::parent)
        .map(|debug| debug.join("examples").join("crash_writer"))
        .expect("target folder");
    assert!(
        path.exists(),
        "{} is missing: `cargo test` builds the examples",
        path.display()
    );
    path
}

struct Killed {
    /// (id, n) of every add that returned before the kill.
    returned: Vec<(String, usize)>,
    paused_in_commit: bool,
    finished: bool,
}

/// Runs the writer on `path` and kills it: inside commit `pause_at` when given, else `delay`
/// after it starts writing.
fn run_and_kill(path: &Path, pause_at: Option<usize>, delay: Duration) -> Killed {
    let mut command = Command::new(writer_binary());
    command
        .arg(path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(n) = pause_at {
        command.env("KINSHIP_TEST_PAUSE_IN_COMMIT", n.to_string());
    }
    let mut child = command.spawn().expect("start the writer");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut returned = Vec::new();
    let mut paused_in_commit = false;
    let mut finished = false;
    let parse_added = |line: &str| {
        let mut parts = line.strip_prefix("added ")?.split(' ');
        Some((parts.next()?.to_owned(), parts.next()?.parse().ok()?))
    };
    for line in lines.by_ref() {
        let line = line.expect("a line");
        if line == "ready" && pause_at.is_none() {
            std::thread::sleep(delay);
            break;
        }
        if line == "in-commit" {
            paused_in_commit = true;
            break;
        }
        returned.extend(parse_added(&line));
    }
    child.kill().expect("SIGKILL"); // SIGKILL on Unix
    child.wait().expect("reaped");
    for line in lines.map_while(Result::ok) {
        finished |= line == "finished";
        returned.extend(parse_added(&line));
    }
    Killed {
        returned,
        paused_in_commit,
        finished,
    }
}

#[test]
fn sigkill_mid_write_loses_no_returned_entry_and_keeps_integrity() {
    let rounds: [(Option<usize>, u64); 4] =
        [(Some(40), 0), (Some(250), 0), (Some(700), 0), (None, 60)];
    for (round, (pause_at, delay_ms)) in rounds.into_iter().enumerate() {
        let dir = tempfile::tempdir().unwrap();
        let (kinship, path) = new_profile(dir.path());
        drop(kinship);

        let killed = run_and_kill(&path, pause_at, Duration::from_millis(delay_ms));
        let returned = &killed.returned;
        assert!(
            !killed.finished,
            "round {round}: the writer finished before the kill"
        );
        assert!(
            returned.len() >= 10,
            "round {round}: only {} adds were acknowledged before the kill",
            returned.len()
        );
        if pause_at.is_some() {
            assert!(
                killed.paused_in_commit,
                "round {round}: never reached the commit"
            );
        }

        for database in ["kinship.sqlite", "kinship-1.sqlite"] {
            let conn = rusqlite::Connection::open(path.join(database)).unwrap();
            let check: String = conn
                .query_row("PRAGMA integrity_check", [], |r| r.get(0))
                .unwrap();
            assert_eq!(check, "ok", "round {round}: {database}");
        }

        let kinship = Kinship::open(&path).unwrap();
        kinship.unlock(PASS).unwrap();
        let journal = kinship.journal();
        for (id, n) in returned {
            let entry = journal
                .get(id)
                .unwrap_or_else(|e| panic!("round {round}: entry {n} returned but is gone: {e}"));
            let want = expected(*n);
            assert_eq!(
                (&entry.title, &entry.body, entry.mood, &entry.tags),
                (&want.title, &want.body, want.mood, &want.tags),
                "round {round}: entry {n} changed"
            );
        }
        let stored = journal.count().unwrap();
        if killed.paused_in_commit {
            // The add stopped in its commit never returned, and must not be there.
            assert_eq!(stored, returned.len(), "round {round}");
        } else {
            assert!(
                stored == returned.len() || stored == returned.len() + 1,
                "round {round}: {stored} stored, {} returned",
                returned.len()
            );
        }
        assert!(journal.unreadable_ids().unwrap().is_empty());
        eprintln!(
            "round {round}: killed after {} of {ADDS} adds{}",
            returned.len(),
            if killed.paused_in_commit {
                ", inside a commit"
            } else {
                ""
            }
        );
    }
}

/// The writer's entry `n` (core/examples/crash_writer.rs).
fn expected(n: usize) -> kinship_core::NewEntry {
    kinship_core::NewEntry {
        title: Some(format!("crash {n}")),
        body: format!("{n:04} {}", "x".repeat(995)),
        mood: Some((n % 5 + 1) as u8),
        tags: vec!["crash".into(), format!("n{n}")],
        ..kinship_core::NewEntry::default()
    }
}
