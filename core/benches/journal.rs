//! Journal benchmark: `cargo bench -p kinship-core --bench journal`.
//!
//! Every figure is measured in this run; the encrypted insert is compared with a plain
//! rusqlite baseline on the same schema, pragmas and entries, measured right beside it. Prints a
//! table and one `bench <name> <value> <unit>` line per figure.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed step should panic

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use support::corpus::{at, plain_document, row_id, Corpus, ENTRIES};
use support::{median, median_of, ms};

use kinship_core::store::Store;
use kinship_core::{EntryFilter, KdfParams, Kinship, NewEntry};

const PASS: &str = "benchmark passphrase";

fn main() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let corpus = Corpus::new(0x5eed);
    let entries: Vec<NewEntry> = (0..ENTRIES).map(|i| corpus.entry(i)).collect();
    let mut results = Vec::new();

    // Plain baseline first and encrypted second, then again in the other order, keeping each
    // side's best: the page cache and CPU frequency favour neither.
    let mut plain = Vec::new();
    let mut encrypted = Vec::new();
    for round in 0..2 {
        let round_dir = dir.path().join(format!("round{round}"));
        if round == 0 {
            plain.push(insert_plain(&round_dir.join("plain"), &entries));
            encrypted.push(insert_encrypted(&round_dir.join("enc"), &entries).0);
        } else {
            encrypted.push(insert_encrypted(&round_dir.join("enc"), &entries).0);
            plain.push(insert_plain(&round_dir.join("plain"), &entries));
        }
    }
    let plain_ms = best(&plain);
    // The best round by its total, so that inserts and their index upkeep come from one run.
    let encrypted = encrypted
        .into_iter()
        .min_by(|a, b| a.total().total_cmp(&b.total()))
        .expect("two rounds");
    results.push(("insert_10k_encrypted", encrypted.total(), "ms", "-"));
    results.push(("insert_10k_plain", plain_ms, "ms", "-"));
    results.push(("index_catch_up_10k", encrypted.index_catch_up_ms, "ms", "-"));
    results.push((
        "insert_ratio",
        encrypted.total() / plain_ms,
        "x",
        "<= 1.3 (sealing and index upkeep)",
    ));
    results.push((
        "insert_ratio_without_index",
        encrypted.insert_ms / plain_ms,
        "x",
        "- (sealing only)",
    ));

    // What sealing and padding cost in space: the same entries in both databases, closed.
    let plain_bytes = folder_bytes(&dir.path().join("round1").join("plain"));
    let sealed_bytes = folder_bytes(&dir.path().join("round1").join("enc"));
    results.push((
        "database_bytes_ratio",
        sealed_bytes as f64 / plain_bytes as f64,
        "x",
        "- (sealed and padded vs plain)",
    ));

    let (_, kinship) = insert_encrypted(&dir.path().join("query"), &entries);
    let journal = kinship.journal();
    kinship.lock();
    kinship.unlock(PASS).expect("unlock");
    let started = Instant::now();
    let count = journal.count().expect("count");
    assert_eq!(count, ENTRIES);
    results.push(("index_build_10k", ms(started.elapsed()), "ms", "-"));

    let list = median_of(200, || {
        let page = journal
            .list(&EntryFilter::default(), 50, None)
            .expect("list");
        assert_eq!(page.entries.len(), 50);
    });
    results.push(("list_newest_50", list.as_secs_f64() * 1e6, "us", "< 2000"));

    let queries = corpus.queries();
    let mut search_times = Vec::new();
    for _ in 0..20 {
        for query in &queries {
            let started = Instant::now();
            let found = journal.search(query, 50).expect("search");
            search_times.push(started.elapsed());
            std::hint::black_box(found);
        }
    }
    results.push((
        "search_10k",
        ms(median(&mut search_times)),
        "ms",
        "< 5 (median)",
    ));
    let hits: usize = queries
        .iter()
        .map(|q| journal.search(q, 50).map(|r| r.len()).unwrap_or(0))
        .sum();
    assert!(hits > 0, "search queries should find something");

    let unlock = unlock_default(&dir.path().join("unlock"));
    results.push(("unlock", ms(unlock), "ms", "200..2000"));
    let slots = unlock_by_slot(&dir.path().join("unlock-slots"));
    results.push((
        "unlock_decoy_ratio",
        slots.decoy / slots.real,
        "x",
        "~1.0 (one derivation, every slot tried)",
    ));
    results.push((
        "unlock_wrong_ratio",
        slots.wrong / slots.real,
        "x",
        "~1.0 (no database opened)",
    ));

    support::print_results(&results);
}

/// What the encrypted inserts cost: the timed loop, and the index upkeep it defers to the
/// first query after it (the search index is updated lazily, so the loop alone understates).
struct EncryptedInsert {
    insert_ms: f64,
    index_catch_up_ms: f64,
}

impl EncryptedInsert {
    fn total(&self) -> f64 {
        self.insert_ms + self.index_catch_up_ms
    }
}

/// Adds every entry through the public API (sealing, one transaction each), then pays the
/// deferred index upkeep. The in-memory index is built first, as it is once the app has shown
/// the journal.
fn insert_encrypted(path: &Path, entries: &[NewEntry]) -> (EncryptedInsert, Kinship) {
    let kinship = Kinship::create_with_params(path, PASS, KdfParams::MINIMUM).expect("create");
    let journal = kinship.journal();
    journal.count().expect("index");
    let started = Instant::now();
    for (i, entry) in entries.iter().enumerate() {
        journal.add(entry.clone(), at(i)).expect("add");
    }
    let insert_ms = ms(started.elapsed());
    let started = Instant::now();
    assert_eq!(journal.count().expect("count"), entries.len());
    let index_catch_up_ms = ms(started.elapsed());
    let cost = EncryptedInsert {
        insert_ms,
        index_catch_up_ms,
    };
    (cost, kinship)
}

/// Same schema, same pragmas, same JSON document per row, stored without encryption.
fn insert_plain(path: &Path, entries: &[NewEntry]) -> f64 {
    std::fs::create_dir_all(path).expect("folder");
    let store = Store::open(&path.join("plain.sqlite")).expect("open");
    let started = Instant::now();
    for (i, entry) in entries.iter().enumerate() {
        let bytes = plain_document(i, entry);
        store
            .conn()
            .prepare_cached("INSERT INTO journal_entries (id, sealed) VALUES (?1, ?2)")
            .and_then(|mut stmt| stmt.execute(rusqlite::params![row_id(i), bytes]))
            .expect("insert");
    }
    ms(started.elapsed())
}

fn unlock_default(path: &Path) -> Duration {
    let kinship = Kinship::create(path, PASS).expect("create");
    let mut times = Vec::new();
    for _ in 0..3 {
        kinship.lock();
        let started = Instant::now();
        kinship.unlock(PASS).expect("unlock");
        times.push(started.elapsed());
    }
    median(&mut times)
}

/// Median unlock times (ms) of one profile with a decoy and a duress passphrase set, by
/// the passphrase typed: the profile's, the decoy's, a wrong one. Interleaved, so drift in the
/// machine's speed falls on all three alike.
struct UnlockBySlot {
    real: f64,
    decoy: f64,
    wrong: f64,
}

fn unlock_by_slot(path: &Path) -> UnlockBySlot {
    const DECOY: &str = "bench decoy passphrase";
    let kinship = Kinship::create(path, PASS).expect("create");
    kinship
        .set_decoy_passphrase(PASS, DECOY)
        .expect("set a decoy");
    kinship
        .set_duress_passphrase(PASS, "bench duress passphrase")
        .expect("set a duress passphrase");
    let (mut real, mut decoy, mut wrong) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..5 {
        for (passphrase, times) in [(PASS, &mut real), (DECOY, &mut decoy)] {
            kinship.lock();
            let started = Instant::now();
            kinship.unlock(passphrase).expect("unlock");
            times.push(started.elapsed());
        }
        kinship.lock();
        let started = Instant::now();
        assert!(kinship.unlock("not any of them at all").is_err());
        wrong.push(started.elapsed());
    }
    UnlockBySlot {
        real: ms(median(&mut real)),
        decoy: ms(median(&mut decoy)),
        wrong: ms(median(&mut wrong)),
    }
}

fn best(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::INFINITY, f64::min)
}

/// The bytes of every file in `folder` (the database with its WAL and key file).
fn folder_bytes(folder: &Path) -> u64 {
    std::fs::read_dir(folder)
        .expect("a benchmark folder")
        .filter_map(|entry| entry.ok()?.metadata().ok())
        .filter(|meta| meta.is_file())
        .map(|meta| meta.len())
        .sum()
}
