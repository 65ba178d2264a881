//! SQLCipher beside plain SQLite and Kinship: the journal's insert workload (10k entries of a
//! 1 KB body, one transaction each) on all three, in one process and one run.
//!
//! Run it with `scripts/bench-sqlcipher [entries]`. Prints a table and one
//! `bench <name> <value> <unit>` line per figure, as `core/benches/journal.rs` does.
//!
//! How the three compare:
//! - rusqlite is built with `bundled-sqlcipher` here. Kinship's own rusqlite (`bundled`) is the
//!   same crate, so Cargo unifies the two: one libsqlite3-sys compiled from the SQLCipher
//!   amalgamation, no second SQLite to clash with at link time, and all three sides run on the
//!   same SQLite engine (SQLCipher's, printed at the start; the phones' is the newer plain
//!   amalgamation, which `cargo bench --bench journal` measures).
//! - The plain baseline is SQLCipher without `PRAGMA key`: SQLCipher without a key is plain
//!   SQLite (no page is encrypted; checked below on the file's header and contents).
//! - SQLCipher is keyed with a passphrase and its default settings (SQLCipher 4: AES-256-CBC
//!   pages with an HMAC-SHA512 each, the key from PBKDF2-HMAC-SHA512 with 256,000 iterations,
//!   derived once when the database is opened, outside the timed loop).
//! - Kinship goes through its public API (`Kinship::create_with_params`, `journal().add`), and
//!   pays the search-index upkeep it defers to the next query, as in journal.rs.
//! - Plain and SQLCipher share one opener: Kinship's Store pragmas (checked against a real
//!   Store), the same table, the same JSON row per entry as journal.rs's plain baseline (the
//!   corpus is journal.rs's own file, included by path).
//! - The order of the three alternates across rounds; each side keeps its best round.
#![allow(clippy::unwrap_used, clippy::expect_used)] // benchmark code: a failed step should panic

#[path = "../../../core/benches/support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};

use kinship_core::store::Store;
use kinship_core::{KdfParams, Kinship, NewEntry};
use support::corpus::{at, plain_document, row_id, Corpus, ENTRIES};
use support::ms;

/// Kinship's passphrase, and SQLCipher's (`PRAGMA key` with a passphrase, not a raw key, so
/// SQLCipher runs its default key derivation).
const PASS: &str = "benchmark passphrase";

/// Rounds in alternating order (plain, SQLCipher, Kinship; then the reverse).
const ROUNDS: usize = 4;

/// Kinship's Store pragmas (core/src/store.rs), asserted equal to a real Store's below.
const STORE_PRAGMAS: &str = "PRAGMA journal_mode = WAL;
     PRAGMA synchronous = NORMAL;
     PRAGMA foreign_keys = ON;
     PRAGMA temp_store = MEMORY;
     PRAGMA secure_delete = ON;";

/// The journal table as Store creates it.
const JOURNAL_TABLE: &str = "CREATE TABLE journal_entries (
        id      TEXT PRIMARY KEY NOT NULL,
        sealed  BLOB NOT NULL
    );";

fn main() {
    let count = entries_from_args();
    let dir = tempfile::tempdir().expect("temporary folder");
    let corpus = Corpus::new(0x5eed);
    let entries: Vec<NewEntry> = (0..count).map(|i| corpus.entry(i)).collect();

    let engine = engine_versions(&dir.path().join("versions.sqlite"));
    println!(
        "{count} entries, {ROUNDS} rounds; all three on SQLite {} from SQLCipher {}",
        engine.sqlite, engine.cipher
    );
    assert_store_pragmas(&dir.path().join("pragmas"));

    let mut plain = Vec::new();
    let mut cipher = Vec::new();
    let mut kinship = Vec::new();
    for round in 0..ROUNDS {
        let round_dir = dir.path().join(format!("round{round}"));
        let mut order = [Side::Plain, Side::SqlCipher, Side::Kinship];
        if round % 2 == 1 {
            order.reverse();
        }
        for side in order {
            match side {
                Side::Plain => plain.push(insert_sqlite(&round_dir.join("plain"), None, &entries)),
                Side::SqlCipher => cipher.push(insert_sqlite(
                    &round_dir.join("cipher"),
                    Some(PASS),
                    &entries,
                )),
                Side::Kinship => kinship.push(insert_kinship(&round_dir.join("kinship"), &entries)),
            }
        }
    }

    let first_round = dir.path().join("round0");
    let sample = entries[0].body.as_bytes()[..48].to_vec();
    assert_plain_file(&first_round.join("plain"), &sample);
    assert_encrypted_file(&first_round.join("cipher"), &sample);

    let plain_ms = best(plain.iter().map(|run| run.insert_ms));
    let cipher_ms = best(cipher.iter().map(|run| run.insert_ms));
    let key_ms = best(cipher.iter().map(|run| run.open_ms));
    // The best Kinship round by its total, so that inserts and their index upkeep come from one
    // run (as in journal.rs).
    let kinship = kinship
        .into_iter()
        .min_by(|a, b| a.total().total_cmp(&b.total()))
        .expect("at least one round");
    let cipher_bytes = folder_bytes(&first_round.join("cipher"));
    let plain_bytes = folder_bytes(&first_round.join("plain"));

    let label = size_label(count);
    let names = [
        format!("insert_{label}_plain_unkeyed"),
        format!("insert_{label}_sqlcipher"),
        format!("insert_{label}_kinship"),
        format!("kinship_index_catch_up_{label}"),
    ];
    let results = [
        (
            names[0].as_str(),
            plain_ms,
            "ms",
            "- (SQLCipher without a key)",
        ),
        (names[1].as_str(), cipher_ms, "ms", "- (keyed, default KDF)"),
        (
            names[2].as_str(),
            kinship.total(),
            "ms",
            "- (with index upkeep)",
        ),
        (names[3].as_str(), kinship.index_catch_up_ms, "ms", "-"),
        (
            "sqlcipher_insert_ratio",
            cipher_ms / plain_ms,
            "x",
            "- (vs plain, same run)",
        ),
        (
            "kinship_insert_ratio",
            kinship.total() / plain_ms,
            "x",
            "- (vs plain, same run)",
        ),
        (
            "kinship_insert_ratio_without_index",
            kinship.insert_ms / plain_ms,
            "x",
            "- (sealing only)",
        ),
        (
            "sqlcipher_open_with_key",
            key_ms,
            "ms",
            "- (key derivation, once per open)",
        ),
        (
            "sqlcipher_database_bytes_ratio",
            cipher_bytes as f64 / plain_bytes as f64,
            "x",
            "- (vs plain)",
        ),
    ];
    support::print_results(&results);
}

#[derive(Clone, Copy)]
enum Side {
    Plain,
    SqlCipher,
    Kinship,
}

/// One round of plain SQLite or SQLCipher: the open (with key derivation) and the timed loop.
struct SqliteRun {
    open_ms: f64,
    insert_ms: f64,
}

/// One round of Kinship: the timed loop, and the index upkeep it defers to the first query
/// after it (the search index is updated lazily, so the loop alone understates).
struct KinshipRun {
    insert_ms: f64,
    index_catch_up_ms: f64,
}

impl KinshipRun {
    fn total(&self) -> f64 {
        self.insert_ms + self.index_catch_up_ms
    }
}

/// The entry count: the first argument, else the full 10k.
fn entries_from_args() -> usize {
    match std::env::args().nth(1) {
        None => ENTRIES,
        Some(arg) => match arg.parse::<usize>() {
            Ok(n) if n > 0 => n,
            _ => {
                eprintln!("usage: kinship-bench-sqlcipher [entries (a positive number)]");
                std::process::exit(2);
            }
        },
    }
}

/// Inserts every entry's JSON row, one transaction each, into a fresh database: plain SQLite
/// when `key` is `None` (SQLCipher without a key does not encrypt), SQLCipher otherwise.
fn insert_sqlite(folder: &Path, key: Option<&str>, entries: &[NewEntry]) -> SqliteRun {
    std::fs::create_dir_all(folder).expect("folder");
    let started = Instant::now();
    let conn = open_like_store(&folder.join("journal.sqlite"), key);
    let open_ms = ms(started.elapsed());
    let started = Instant::now();
    for (i, entry) in entries.iter().enumerate() {
        let bytes = plain_document(i, entry);
        conn.prepare_cached("INSERT INTO journal_entries (id, sealed) VALUES (?1, ?2)")
            .and_then(|mut stmt| stmt.execute(rusqlite::params![row_id(i), bytes]))
            .expect("insert");
    }
    let insert_ms = ms(started.elapsed());
    close(conn);
    SqliteRun { open_ms, insert_ms }
}

/// Adds every entry through Kinship's public API (sealing, one transaction each), then pays
/// the deferred index upkeep. The in-memory index is built first, as it is once the app has
/// shown the journal.
fn insert_kinship(folder: &Path, entries: &[NewEntry]) -> KinshipRun {
    let kinship = Kinship::create_with_params(folder, PASS, KdfParams::MINIMUM).expect("create");
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
    kinship.lock();
    KinshipRun {
        insert_ms,
        index_catch_up_ms,
    }
}

/// Opens a new database as Store does (flags, busy timeout, pragmas), keyed first when `key`
/// is given (SQLCipher needs the key before the first page is read), with the journal table.
fn open_like_store(path: &Path, key: Option<&str>) -> Connection {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .expect("open");
    if let Some(key) = key {
        conn.pragma_update(None, "key", key).expect("key");
    }
    conn.busy_timeout(Duration::from_secs(5))
        .expect("busy timeout");
    conn.execute_batch(STORE_PRAGMAS).expect("pragmas");
    conn.execute_batch(JOURNAL_TABLE).expect("table");
    conn
}

/// Folds the WAL into the main file and closes, so the files hold everything written.
fn close(conn: Connection) {
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .expect("checkpoint");
    conn.close().map_err(|(_, err)| err).expect("close");
}

struct EngineVersions {
    sqlite: String,
    cipher: String,
}

/// The SQLite and SQLCipher versions linked into this process (one library for all three).
fn engine_versions(path: &Path) -> EngineVersions {
    let conn = Connection::open(path).expect("open");
    let sqlite = conn
        .query_row("SELECT sqlite_version()", [], |row| row.get(0))
        .expect("sqlite_version");
    let cipher: Option<String> = conn
        .query_row("PRAGMA cipher_version", [], |row| row.get(0))
        .ok();
    let cipher = cipher.filter(|v| !v.is_empty()).expect(
        "PRAGMA cipher_version is empty: this build of rusqlite is not SQLCipher's, \
         so the keyed side would not be encrypted",
    );
    EngineVersions { sqlite, cipher }
}

/// The opener's pragmas are Store's: compares what SQLite reports for both.
fn assert_store_pragmas(folder: &Path) {
    std::fs::create_dir_all(folder).expect("folder");
    let store = Store::open(&folder.join("store.sqlite")).expect("store");
    let ours = open_like_store(&folder.join("ours.sqlite"), None);
    for pragma in [
        "journal_mode",
        "synchronous",
        "foreign_keys",
        "temp_store",
        "secure_delete",
        "busy_timeout",
    ] {
        let query = format!("PRAGMA {pragma}");
        let read = |conn: &Connection| -> String {
            conn.query_row(&query, [], |row| row.get::<_, rusqlite::types::Value>(0))
                .map(|value| format!("{value:?}"))
                .expect("pragma")
        };
        assert_eq!(
            read(store.conn()),
            read(&ours),
            "PRAGMA {pragma} differs from Store's"
        );
    }
}

/// The unkeyed baseline really is plain SQLite: its header, and the text in clear.
fn assert_plain_file(folder: &Path, sample: &[u8]) {
    let bytes = folder_contents(folder);
    assert!(
        bytes.starts_with(b"SQLite format 3\0"),
        "the unkeyed database should have SQLite's plain header"
    );
    assert!(
        contains(&bytes, sample),
        "the unkeyed database should hold the text in clear"
    );
}

/// The keyed database really is encrypted: no plain header, no text in clear.
fn assert_encrypted_file(folder: &Path, sample: &[u8]) {
    let bytes = folder_contents(folder);
    assert!(
        !bytes.starts_with(b"SQLite format 3\0"),
        "the SQLCipher database has a plain SQLite header: it is not encrypted"
    );
    assert!(
        !contains(&bytes, sample),
        "the SQLCipher database holds journal text in clear"
    );
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// Every file of `folder` (the database and any WAL), the main database first.
fn folder_contents(folder: &Path) -> Vec<u8> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(folder)
        .expect("a benchmark folder")
        .filter_map(|entry| Some(entry.ok()?.path()))
        .filter(|path| path.is_file())
        .collect();
    paths.sort();
    paths
        .iter()
        .flat_map(|path| std::fs::read(path).expect("read"))
        .collect()
}

/// The bytes of every file in `folder`.
fn folder_bytes(folder: &Path) -> u64 {
    std::fs::read_dir(folder)
        .expect("a benchmark folder")
        .filter_map(|entry| entry.ok()?.metadata().ok())
        .filter(|meta| meta.is_file())
        .map(|meta| meta.len())
        .sum()
}

fn best(values: impl Iterator<Item = f64>) -> f64 {
    values.fold(f64::INFINITY, f64::min)
}

/// "10k" for 10,000 entries, else the number.
fn size_label(count: usize) -> String {
    if count.is_multiple_of(1_000) {
        format!("{}k", count / 1_000)
    } else {
        count.to_string()
    }
}
