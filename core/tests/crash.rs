//! A writer killed with SIGKILL in the middle of 1000 adds leaves a sound database that holds
//! every entry whose add had returned.
//!
//! The writer is this same test binary, re-run with `KINSHIP_CRASH_WRITER_DIR` set so that the
//! `crash_writer_child` test becomes the writer; it prints `added <id>` after each add returns.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;
use kinship_core::{Kinship, NewEntry};

const WRITER_ENV: &str = "KINSHIP_CRASH_WRITER_DIR";
const ADDS: usize = 1000;

#[test]
fn crash_writer_child() {
    let Ok(dir) = std::env::var(WRITER_ENV) else {
        return;
    };
    let kinship = Kinship::open(std::path::Path::new(&dir)).unwrap();
    kinship.unlock(PASS).unwrap();
    let journal = kinship.journal();
    println!("ready");
    for i in 0..ADDS {
        let entry = journal
            .add(
                NewEntry {
                    title: Some(format!("crash {i}")),
                    body: "x".repeat(1000),
                    mood: Some(3),
                    tags: vec!["crash".into()],
                    ..NewEntry::default()
                },
                at(i as i64),
            )
            .unwrap();
        println!("added {}", entry.id);
    }
    println!("finished");
}

#[test]
fn sigkill_mid_write_loses_no_returned_entry_and_keeps_integrity() {
    #[cfg(unix)]
    for (round, delay_ms) in [5u64, 20, 60].into_iter().enumerate() {
        let dir = tempfile::tempdir().unwrap();
        let (kinship, path) = new_profile(dir.path());
        drop(kinship);

        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "crash_writer_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(WRITER_ENV, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        // Wait for the writer to be unlocked and writing, then kill it after a short while.
        for line in lines.by_ref() {
            // libtest prints "test crash_writer_child ... " without a newline before our output.
            if line.unwrap().ends_with("ready") {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        let returned: Vec<String> = lines
            .map_while(Result::ok)
            .filter_map(|l| l.strip_prefix("added ").map(str::to_owned))
            .collect();

        let conn = rusqlite::Connection::open(path.join("kinship.sqlite")).unwrap();
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok", "round {round}");
        drop(conn);

        let kinship = Kinship::open(&path).unwrap();
        kinship.unlock(PASS).unwrap();
        let journal = kinship.journal();
        for id in &returned {
            assert!(
                journal.get(id).is_ok(),
                "round {round}: entry {id} returned but is missing"
            );
        }
        let stored = journal.count().unwrap();
        assert!(
            stored >= returned.len() && stored <= returned.len() + 1,
            "round {round}: {stored} stored, {} returned",
            returned.len()
        );
        assert!(journal.unreadable_ids().unwrap().is_empty());
        eprintln!(
            "round {round}: killed after {} of {ADDS} adds",
            returned.len()
        );
        assert!(
            returned.len() < ADDS,
            "round {round}: writer finished before the kill; lower the delay"
        );
    }
}
