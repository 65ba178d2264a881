//! The writer that `core/tests/crash.rs` kills with SIGKILL: not a test itself, so that it
//! never counts as a passing test. Opens the profile in `argv[1]`, unlocks it with the test
//! passphrase and adds entries, printing `added <id> <n>` after each add has returned.

use chrono::{FixedOffset, TimeZone};
use kinship_core::{Kinship, NewEntry};

const PASS: &str = "test passphrase one";
const ADDS: usize = 1000;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .ok_or("usage: crash_writer PROFILE_DIR")?;
    let kinship = Kinship::open(std::path::Path::new(&dir))?;
    kinship.unlock(PASS)?;
    let journal = kinship.journal();
    let zone = FixedOffset::east_opt(2 * 3600).ok_or("offset")?;
    let start = zone
        .with_ymd_and_hms(2026, 11, 20, 9, 0, 0)
        .single()
        .ok_or("date")?;
    println!("ready");
    for i in 0..ADDS {
        let entry = journal.add(entry(i), start + chrono::Duration::minutes(i as i64))?;
        println!("added {} {i}", entry.id);
    }
    println!("finished");
    Ok(())
}

/// Entry `i`: its exact content is checked after the crash.
pub fn entry(i: usize) -> NewEntry {
    NewEntry {
        title: Some(format!("crash {i}")),
        body: format!("{i:04} {}", "x".repeat(995)),
        mood: Some((i % 5 + 1) as u8),
        tags: vec!["crash".into(), format!("n{i}")],
        ..NewEntry::default()
    }
}
