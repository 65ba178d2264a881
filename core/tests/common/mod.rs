//! Helpers shared by the integration tests: profiles with the cheapest allowed Argon2id cost,
//! fixed clocks and file scans.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed step should panic
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, TimeZone};
use kinship_core::{Entry, KdfParams, Kinship, NewEntry};

pub mod feed;

pub const PASS: &str = "test passphrase one";

/// A new profile in `dir/profile`, unlocked, with OWASP's minimum Argon2id cost (fast tests).
pub fn new_profile(dir: &Path) -> (Kinship, PathBuf) {
    let path = dir.join("profile");
    let kinship = Kinship::create_with_params(&path, PASS, KdfParams::MINIMUM).unwrap();
    (kinship, path)
}

/// 2026-11-20 09:00 at UTC+2, plus `minutes`.
pub fn at(minutes: i64) -> DateTime<FixedOffset> {
    FixedOffset::east_opt(2 * 3600)
        .unwrap()
        .with_ymd_and_hms(2026, 11, 20, 9, 0, 0)
        .unwrap()
        + chrono::Duration::minutes(minutes)
}

pub fn add(
    kinship: &Kinship,
    minutes: i64,
    title: &str,
    body: &str,
    mood: Option<u8>,
    tags: &[&str],
) -> Entry {
    kinship
        .journal()
        .add(
            NewEntry {
                title: Some(title.to_owned()),
                body: body.to_owned(),
                mood,
                tags: tags.iter().map(|t| t.to_string()).collect(),
                strategy_ids: Vec::new(),
            },
            at(minutes),
        )
        .unwrap()
}

/// Every file under `dir` (recursively) with its bytes.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(folder) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                files.insert(path, bytes);
            }
        }
    }
    files
}

/// Names of files under `dir` whose bytes contain `needle`.
pub fn files_containing(dir: &Path, needle: &str) -> Vec<PathBuf> {
    snapshot(dir)
        .into_iter()
        .filter(|(_, bytes)| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
        .map(|(path, _)| path)
        .collect()
}

/// Paths whose presence or bytes differ between two snapshots (never prints file contents).
/// SQLite's `-shm` file is left out: it is a shared-memory index of the WAL that readers
/// update too, and holds no data.
pub fn changed_files(
    before: &BTreeMap<PathBuf, Vec<u8>>,
    after: &BTreeMap<PathBuf, Vec<u8>>,
) -> Vec<PathBuf> {
    let mut changed: Vec<PathBuf> = before
        .iter()
        .filter(|(path, bytes)| after.get(*path) != Some(bytes))
        .map(|(path, _)| path.clone())
        .collect();
    changed.extend(after.keys().filter(|p| !before.contains_key(*p)).cloned());
    changed.retain(|p| !p.to_string_lossy().ends_with("-shm"));
    changed
}
