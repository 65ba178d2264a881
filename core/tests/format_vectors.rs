//! The test vectors of `docs/FORMAT.md` section 7, checked against the Rust code.
//!
//! The vectors were made from the document with independent libraries (argon2-cffi,
//! PyCryptodome, PyNaCl). Here the real code must agree with them: derive the documented key,
//! decrypt the documented backup, open the documented sealed values, unwrap the documented key
//! file, and open a profile folder built from them byte for byte. So that the document and this
//! file cannot drift apart, every constant below must also appear verbatim in FORMAT.md.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed step should panic

use std::fs;
use std::path::{Path, PathBuf};

use chrono::SecondsFormat;
use kinship_core::backup::{self, BackupError};
use kinship_core::vault::{
    self, associated_data, derive_key, Cipher, KdfParams, KeyFile, Opened, SecretKey, VaultError,
};
use kinship_core::{Error, ExportSummary, ImportSummary, Kinship};

// ---- 7.1 Backup file ----

const PASSPHRASE: &str = "correct horse battery";
const PARAMS: KdfParams = KdfParams {
    memory_kib: 19456,
    iterations: 2,
    parallelism: 1,
};
const SALT_HEX: &str = "000102030405060708090a0b0c0d0e0f";
const KEY_HEX: &str = "aaecaeb1f79eb8019ba62c34f62fa3e15289f88ff98779ae81de07821992ff1f";
const CHECK_NONCE_HEX: &str = "101112131415161718191a1b1c1d1e1f2021222324252627";
const CHECK_TAG_HEX: &str = "302932a8ce248555fd68962dad2ced1f";
const BODY_NONCE_HEX: &str = "303132333435363738393a3b3c3d3e3f4041424344454647";
const BODY_LEN: usize = 303;
const FILE_LEN: usize = 412;
const DOCUMENT: &str = r#"{"format":"kinship-backup","version":1,"exported_at":"2026-11-27T12:00:00Z","journal":[{"id":"0123456789abcdef0123456789abcdef","created_at":"2026-11-27T14:30:05.120+01:00","updated_at":"2026-11-27T14:30:05.120+01:00","title":null,"body":"Felt seen today.","mood":4,"tags":["friends"]}]}"#;
/// The backup file's hex dump, one dump line per string.
const BACKUP_HEX: &str = concat!(
    "4b494e534849504201004c0000020000",
    "0001000000000102030405060708090a",
    "0b0c0d0e0f101112131415161718191a",
    "1b1c1d1e1f2021222324252627302932",
    "a8ce248555fd68962dad2ced1f2f0100",
    "0000000000303132333435363738393a",
    "3b3c3d3e3f4041424344454647162948",
    "8319a749e9ea58d03ab6bc01adf7e401",
    "47614cb0b786ce1296766b1f18ece79a",
    "0b75f78302cbb6be2e66fc618a03b776",
    "706197c1918d009ca6fe59f07add537b",
    "103c8906c838388ec0eb4a1a517fabd3",
    "6ec4e1875af4a79f1f36a07565b0ebab",
    "54028e5ce26cbaf63d8ac76695524739",
    "374e26eb60cd0a308c50f07ee298e6ef",
    "29e0b78fafa0eebe99656425d189b63a",
    "a7eafda6bc6c4d7f3e34f37546551afe",
    "9e9ea29d20bab93225da768d0a562a66",
    "03fe66b2ae1036731f07ff5a34b94074",
    "1268bb84e14cb7b0196dc14e3d8cfc0e",
    "594a319677c8966680c96499940c7498",
    "0c20286a7f36755688d5ce3b7265c135",
    "ee88888688302e065ee090cf5d3d8610",
    "def2ac2018e59e569e3014a52d523af7",
    "a59796eec83f9447c3e91c521e9fd519",
    "dff5f6cb770a635c84cd69b0",
);

// ---- 7.2 Sealed values ----

const DEK_HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const ENTRY_ID: &str = "0123456789abcdef0123456789abcdef";
const ENTRY_NONCE_HEX: &str = "505152535455565758595a5b5c5d5e5f6061626364656667";
const ENTRY_AD: &str = "kinship/1/journal_entries/0123456789abcdef0123456789abcdef";
const ENTRY_PLAINTEXT: &str = r#"{"created_at":"2026-11-27T14:30:05.120+01:00","updated_at":"2026-11-27T14:30:05.120+01:00","title":null,"body":"Felt seen today.","mood":4,"tags":["friends"]}"#;
/// The sealed journal row's hex dump, one dump line per string.
const ENTRY_SEALED_HEX: &str = concat!(
    "01505152535455565758595a5b5c5d5e",
    "5f6061626364656667d32773980a26e3",
    "b617620f7f6bbae5cb6be1f27db82729",
    "7bf0b354646363486dd3057911c84fca",
    "08648f37662b0a897188438f7b7a53ab",
    "91cc2cbd3bb5f0b2d6e9b962bc28a200",
    "4746ec6de030d63056fcb25cc059be6d",
    "17e433b1ccbdc6495a278e6549c5286f",
    "15800e9a9395bf20b6f1728852733eeb",
    "67417efbb91ba01ee61ca8045973dd7e",
    "9ef33eddfda3ae859b944d127644506a",
    "eafdec60574cdb1522b288f71c2d7473",
    "8f828e55191be3",
);
const CANARY_NONCE_HEX: &str = "707172737475767778797a7b7c7d7e7f8081828384858687";
const CANARY_AD: &str = "kinship/1/meta/canary";
const CANARY_PLAINTEXT: &str = "kinship canary v1";
const CANARY_SEALED_HEX: &str = "01707172737475767778797a7b7c7d7e7f808182838485868775e33d988c0f9250cec2c252ee4972d5956ce498108bfd15531d7fb2e45d0990ed";
const WRAP_NONCE_HEX: &str = "909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7";
const WRAP_AD: &str = "kinship/1/keys/passphrase";
const WRAPPED_KEY_HEX: &str = "01909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a742120e792ab10579a711f0bc3977b07ef4fbd499c590d35305617c3edb41684986c52a48bdfdb20f943550a294ff7e3e";

// ---- 3.1 Schema, used to build a profile folder from the vectors ----

const SCHEMA_SQL: &str = "CREATE TABLE meta (
    key    TEXT PRIMARY KEY NOT NULL,
    value  BLOB NOT NULL
);
CREATE TABLE journal_entries (
    id      TEXT PRIMARY KEY NOT NULL,
    sealed  BLOB NOT NULL
);";

fn unhex(text: &str) -> Vec<u8> {
    hex::decode(text).unwrap()
}

fn key(text: &str) -> SecretKey {
    SecretKey::from_slice(&unhex(text)).unwrap()
}

fn backup_bytes() -> Vec<u8> {
    unhex(BACKUP_HEX)
}

/// `0x01 || nonce || ciphertext+tag`, the sealed-value layout, so `Cipher` can check the
/// backup's own AEAD operations.
fn as_sealed(nonce: &[u8], ciphertext: &[u8]) -> Vec<u8> {
    [&[vault::SEAL_VERSION][..], nonce, ciphertext].concat()
}

fn format_md() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/FORMAT.md");
    fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

/// Collapses every run of white space to one space.
fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn assert_documented(doc: &str, needle: &str) {
    assert!(
        squeeze(doc).contains(&squeeze(needle)),
        "FORMAT.md does not contain {needle:?}"
    );
}

fn is_lower_hex(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A hex dump line `0010  00 01 02 ...`: its offset and its bytes as one hex string.
fn parse_dump_line(line: &str) -> Option<(usize, String)> {
    let (offset, bytes) = line.split_once("  ")?;
    if offset.len() != 4 || !is_lower_hex(offset) {
        return None;
    }
    let bytes: Vec<&str> = bytes.split(' ').collect();
    if bytes.len() > 16 || !bytes.iter().all(|b| b.len() == 2 && is_lower_hex(b)) {
        return None;
    }
    Some((usize::from_str_radix(offset, 16).ok()?, bytes.concat()))
}

/// Every hex dump in the document, each joined into one hex string. Offsets must run on.
fn hex_dumps(doc: &str) -> Vec<String> {
    let mut dumps = Vec::new();
    let mut current: Option<String> = None;
    for line in doc.lines() {
        match parse_dump_line(line) {
            Some((offset, bytes)) => {
                let dump = current.get_or_insert_with(String::new);
                assert_eq!(offset, dump.len() / 2, "dump offset out of step: {line}");
                dump.push_str(&bytes);
            }
            None => dumps.extend(current.take()),
        }
    }
    dumps.extend(current);
    dumps
}

/// "98 304" for 98304, as the document writes large numbers.
fn grouped(n: u32) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

#[test]
fn every_vector_appears_verbatim_in_format_md() {
    let doc = format_md();
    let section = &doc[doc
        .find("## 7. Test vector")
        .expect("FORMAT.md has section 7")..];
    for hex in [
        SALT_HEX,
        KEY_HEX,
        CHECK_NONCE_HEX,
        CHECK_TAG_HEX,
        BODY_NONCE_HEX,
        DEK_HEX,
        ENTRY_NONCE_HEX,
        CANARY_NONCE_HEX,
        CANARY_SEALED_HEX,
        WRAP_NONCE_HEX,
        WRAPPED_KEY_HEX,
    ] {
        assert!(
            section.contains(hex),
            "FORMAT.md section 7 does not contain {hex}"
        );
    }
    let dumps = hex_dumps(section);
    for hex in [BACKUP_HEX, ENTRY_SEALED_HEX] {
        assert!(
            dumps.iter().any(|dump| dump == hex),
            "no hex dump in FORMAT.md section 7 equals {hex}"
        );
    }
    for text in [
        DOCUMENT,
        ENTRY_PLAINTEXT,
        ENTRY_AD,
        CANARY_AD,
        WRAP_AD,
        &format!("passphrase = \"{PASSPHRASE}\""),
        &format!(
            "m_kib = {}, t = {}, p = {}",
            PARAMS.memory_kib, PARAMS.iterations, PARAMS.parallelism
        ),
        &format!(
            "passphrase \"{PASSPHRASE}\", memory_kib {}, iterations {}, parallelism {}",
            PARAMS.memory_kib, PARAMS.iterations, PARAMS.parallelism
        ),
        &format!("id = {ENTRY_ID}"),
        &format!("body_len = {BODY_LEN}"),
        &format!("file length = {FILE_LEN}"),
        &format!("sealed ({} bytes)", ENTRY_SEALED_HEX.len() / 2),
        &format!("sealed ({} bytes)", CANARY_SEALED_HEX.len() / 2),
    ] {
        assert_documented(section, text);
    }
    assert_documented(&doc, SCHEMA_SQL);
}

#[test]
fn documented_parameters_and_lengths_match_the_code() {
    let doc = format_md();
    let (min, def, max) = (KdfParams::MINIMUM, KdfParams::DEFAULT, KdfParams::MAXIMUM);
    let mib = |kib: u32| kib / 1024;
    assert_documented(
        &doc,
        &format!(
            "| `memory_kib` | {} ({} MiB) | {} ({} MiB) | {} ({} MiB) |",
            grouped(min.memory_kib),
            mib(min.memory_kib),
            grouped(def.memory_kib),
            mib(def.memory_kib),
            grouped(max.memory_kib),
            mib(max.memory_kib),
        ),
    );
    assert_documented(
        &doc,
        &format!(
            "`memory_kib * iterations <= {}`",
            grouped(KdfParams::MAX_WORK_KIB_PASSES as u32)
        ),
    );
    assert_documented(
        &doc,
        &format!(
            "| `iterations` | {} | {} | {} |",
            min.iterations, def.iterations, max.iterations
        ),
    );
    assert_documented(
        &doc,
        &format!(
            "| `parallelism` | {} | {} | {} |",
            min.parallelism, def.parallelism, max.parallelism
        ),
    );
    // The vectors use the cheapest parameters Kinship accepts.
    assert_eq!(PARAMS, KdfParams::MINIMUM);
    assert_eq!(backup::HEADER_LEN, 77);
    assert_eq!(backup::MAGIC, b"KINSHIPB");
    assert_eq!(backup::FORMAT_VERSION, 1);
    assert_eq!(backup::MAX_BACKUP_BYTES, 1 << 30);
    assert_eq!(vault::SEAL_VERSION, 1);
    assert_eq!(
        (
            vault::KEY_LEN,
            vault::NONCE_LEN,
            vault::TAG_LEN,
            vault::SALT_LEN
        ),
        (32, 24, 16, 16)
    );
}

#[test]
fn argon2id_gives_the_documented_key() {
    let derived = derive_key(PASSPHRASE, &unhex(SALT_HEX), PARAMS).unwrap();
    assert_eq!(hex::encode(derived.expose()), KEY_HEX);
}

#[test]
fn backup_vector_decrypts_to_the_documented_document() {
    let file = backup_bytes();
    assert_eq!(file.len(), FILE_LEN);
    assert_eq!(&file[0..8], backup::MAGIC);
    assert_eq!(file[8], backup::FORMAT_VERSION);
    let u32_at = |at: usize| u32::from_le_bytes(file[at..at + 4].try_into().unwrap());
    assert_eq!(
        KdfParams {
            memory_kib: u32_at(9),
            iterations: u32_at(13),
            parallelism: u32_at(17),
        },
        PARAMS
    );
    assert_eq!(hex::encode(&file[21..37]), SALT_HEX);
    assert_eq!(hex::encode(&file[37..61]), CHECK_NONCE_HEX);
    assert_eq!(hex::encode(&file[61..77]), CHECK_TAG_HEX);
    let body_len = u64::from_le_bytes(file[77..85].try_into().unwrap());
    assert_eq!(body_len, BODY_LEN as u64);
    assert_eq!(BODY_LEN, DOCUMENT.len() + vault::TAG_LEN);
    assert_eq!(FILE_LEN, 109 + BODY_LEN);
    assert_eq!(hex::encode(&file[85..109]), BODY_NONCE_HEX);

    let plaintext = backup::decrypt(&file, PASSPHRASE).unwrap();
    assert_eq!(std::str::from_utf8(&plaintext).unwrap(), DOCUMENT);

    // One key K for both AEAD operations: the key check (empty message, AD = bytes 0..61) and
    // the body (AD = bytes 0..109).
    let cipher = Cipher::new(&key(KEY_HEX));
    let check = cipher
        .open_with_ad(&file[..61], &as_sealed(&file[37..61], &file[61..77]))
        .unwrap();
    assert!(check.is_empty());
    let body = cipher
        .open_with_ad(&file[..109], &as_sealed(&file[85..109], &file[109..]))
        .unwrap();
    assert_eq!(&body[..], DOCUMENT.as_bytes());
}

#[test]
fn backup_vector_failures_are_the_documented_ones() {
    let file = backup_bytes();
    let outcome = |bytes: &[u8], passphrase: &str| backup::decrypt(bytes, passphrase).map(|_| ());

    assert!(matches!(
        outcome(&file, "correct horse battery staple"),
        Err(Error::WrongPassphrase)
    ));
    // Passphrases are not trimmed.
    assert!(matches!(
        outcome(&file, " correct horse battery"),
        Err(Error::WrongPassphrase)
    ));
    for at in [85, 100, 108, 109, 250, FILE_LEN - 1] {
        let mut flipped = file.clone();
        flipped[at] ^= 0x01;
        assert!(
            matches!(
                outcome(&flipped, PASSPHRASE),
                Err(Error::Backup(BackupError::Tampered))
            ),
            "bit flipped at {at}"
        );
    }
    for at in [21, 36, 37, 60, 61, 76] {
        let mut flipped = file.clone();
        flipped[at] ^= 0x01;
        assert!(
            matches!(outcome(&flipped, PASSPHRASE), Err(Error::WrongPassphrase)),
            "bit flipped at {at}"
        );
    }
    assert!(matches!(
        outcome(&file[..FILE_LEN - 1], PASSPHRASE),
        Err(Error::Backup(BackupError::Truncated))
    ));
    let mut appended = file.clone();
    appended.push(0);
    assert!(matches!(
        outcome(&appended, PASSPHRASE),
        Err(Error::Backup(BackupError::Tampered))
    ));
    // Steps 1 to 5 of FORMAT.md 5.2 decide before any key derivation.
    assert!(matches!(
        outcome(&file[..7], PASSPHRASE),
        Err(Error::Backup(BackupError::NotABackup))
    ));
    assert!(matches!(
        outcome(&file[..8], PASSPHRASE),
        Err(Error::Backup(BackupError::Truncated))
    ));
    let mut version = file.clone();
    version[8] = 2;
    assert!(matches!(
        outcome(&version, PASSPHRASE),
        Err(Error::Backup(BackupError::UnsupportedVersion(2)))
    ));
    assert!(matches!(
        outcome(&file[..108], PASSPHRASE),
        Err(Error::Backup(BackupError::Truncated))
    ));
    let mut weak = file.clone();
    weak[13] = 1; // t = 1, below the minimum
    assert!(matches!(
        outcome(&weak, PASSPHRASE),
        Err(Error::Backup(BackupError::Malformed(_)))
    ));
}

#[test]
fn sealed_vectors_open_with_the_documented_keys_and_associated_data() {
    assert_eq!(
        associated_data("journal_entries", ENTRY_ID),
        ENTRY_AD.as_bytes()
    );
    assert_eq!(associated_data("meta", "canary"), CANARY_AD.as_bytes());
    assert_eq!(associated_data("keys", "passphrase"), WRAP_AD.as_bytes());

    let dek = Cipher::new(&key(DEK_HEX));

    let entry = unhex(ENTRY_SEALED_HEX);
    assert_eq!(entry.len(), ENTRY_PLAINTEXT.len() + 41);
    assert_eq!(entry[0], vault::SEAL_VERSION);
    assert_eq!(hex::encode(&entry[1..25]), ENTRY_NONCE_HEX);
    let opened = dek.open("journal_entries", ENTRY_ID, &entry).unwrap();
    assert_eq!(&opened[..], ENTRY_PLAINTEXT.as_bytes());
    let other_row = "0123456789abcdef0123456789abcdee";
    assert!(matches!(
        dek.open("journal_entries", other_row, &entry),
        Err(VaultError::Corrupted)
    ));

    let canary = unhex(CANARY_SEALED_HEX);
    assert_eq!(canary.len(), 58);
    assert_eq!(hex::encode(&canary[1..25]), CANARY_NONCE_HEX);
    let opened = dek.open("meta", "canary", &canary).unwrap();
    assert_eq!(&opened[..], CANARY_PLAINTEXT.as_bytes());

    let wrapped = unhex(WRAPPED_KEY_HEX);
    assert_eq!(wrapped.len(), 73);
    assert_eq!(hex::encode(&wrapped[1..25]), WRAP_NONCE_HEX);
    let kek = Cipher::new(&key(KEY_HEX));
    let unwrapped = kek.open("keys", "passphrase", &wrapped).unwrap();
    assert_eq!(hex::encode(&unwrapped[..]), DEK_HEX);
}

/// `keys.json` as FORMAT.md section 4 describes it, filled with the vector's values.
fn write_key_file(path: &Path) {
    let json = serde_json::json!({
        "format": "kinship-keys",
        "version": 1,
        "passphrase": {
            "kdf": "argon2id",
            "memory_kib": PARAMS.memory_kib,
            "iterations": PARAMS.iterations,
            "parallelism": PARAMS.parallelism,
            "salt": SALT_HEX,
            "wrapped_key": WRAPPED_KEY_HEX,
        }
    });
    fs::write(path, serde_json::to_vec_pretty(&json).unwrap()).unwrap();
}

#[test]
fn documented_key_file_unwraps_to_the_documented_data_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.json");
    write_key_file(&path);
    let key_file = KeyFile::load(&path).unwrap();
    assert_eq!(key_file.kdf_params(), PARAMS);
    assert!(!key_file.has_device_key());
    assert!(key_file.is_legacy(), "the vector is a version-1 file");
    let Opened::Legacy(dek) = key_file.open_with_passphrase(PASSPHRASE).unwrap() else {
        panic!("a version-1 file opens its one data key");
    };
    assert_eq!(hex::encode(dek.expose()), DEK_HEX);
    assert!(matches!(
        key_file.open_with_passphrase("correct horse battery!"),
        Err(VaultError::WrongPassphrase)
    ));
}

/// A profile folder made by hand from the vectors and the schema of FORMAT.md 3.1.
fn build_profile(dir: &Path) -> PathBuf {
    let profile = dir.join("profile");
    fs::create_dir(&profile).unwrap();
    write_key_file(&profile.join("keys.json"));
    let conn = rusqlite::Connection::open(profile.join("kinship.sqlite")).unwrap();
    conn.execute_batch(SCHEMA_SQL).unwrap();
    conn.pragma_update(None, "user_version", 1).unwrap();
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('canary', ?1)",
        [unhex(CANARY_SEALED_HEX)],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO journal_entries (id, sealed) VALUES (?1, ?2)",
        rusqlite::params![ENTRY_ID, unhex(ENTRY_SEALED_HEX)],
    )
    .unwrap();
    profile
}

/// Splits a backup document before its `"journal"` member.
fn journal_part(document: &str) -> &str {
    let at = document
        .find(",\"journal\":")
        .expect("document has a journal");
    &document[at..]
}

#[test]
fn profile_folder_built_from_the_vectors_opens_and_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let profile = build_profile(dir.path());

    let kinship = Kinship::open(&profile).unwrap();
    assert_eq!(kinship.kdf_params().unwrap(), PARAMS);
    assert!(matches!(
        kinship.unlock("correct horse battery!"),
        Err(Error::WrongPassphrase)
    ));
    kinship.unlock(PASSPHRASE).unwrap();
    // The version-1 key file is rewritten with slots, and the folder gets its second database.
    let rewritten = KeyFile::load(&profile.join("keys.json")).unwrap();
    assert!(!rewritten.is_legacy());
    assert!(profile.join("kinship-1.sqlite").is_file());
    let journal = kinship.journal();
    let entry = journal.get(ENTRY_ID).unwrap();
    let rfc3339 =
        |t: chrono::DateTime<chrono::FixedOffset>| t.to_rfc3339_opts(SecondsFormat::AutoSi, true);
    assert_eq!(rfc3339(entry.created_at), "2026-11-27T14:30:05.120+01:00");
    assert_eq!(rfc3339(entry.updated_at), "2026-11-27T14:30:05.120+01:00");
    assert_eq!(entry.title, None);
    assert_eq!(entry.body, "Felt seen today.");
    assert_eq!(entry.mood, Some(4));
    assert_eq!(entry.tags, ["friends"]);
    assert!(journal.unreadable_ids().unwrap().is_empty());

    // Kinship's own backup of this profile carries the documented journal JSON, byte for byte.
    let exported = dir.path().join("exported.kinship");
    let summary = kinship
        .export_backup(&exported, PASSPHRASE, &mut |_| {})
        .unwrap();
    assert_eq!(
        summary,
        ExportSummary {
            entries: 1,
            unreadable: 0
        }
    );
    let document = backup::decrypt(&fs::read(&exported).unwrap(), PASSPHRASE).unwrap();
    let document = std::str::from_utf8(&document).unwrap();
    assert!(document.starts_with(r#"{"format":"kinship-backup","version":1,"exported_at":""#));
    assert_eq!(journal_part(document), journal_part(DOCUMENT));

    // The vector backup imports: the same entry, not newer, so nothing changes...
    let vector = dir.path().join("vector.kinship");
    fs::write(&vector, backup_bytes()).unwrap();
    let unchanged = ImportSummary {
        added: 0,
        updated: 0,
        unchanged: 1,
        ..ImportSummary::default()
    };
    assert_eq!(
        kinship
            .import_backup(&vector, PASSPHRASE, &mut |_| {})
            .unwrap(),
        unchanged
    );
    // ...and after a delete it is added again, sealed by Kinship under the vector's data key:
    // the new row opens to exactly the documented plaintext.
    journal.delete(ENTRY_ID).unwrap();
    let added = ImportSummary {
        added: 1,
        updated: 0,
        unchanged: 0,
        ..ImportSummary::default()
    };
    assert_eq!(
        kinship
            .import_backup(&vector, PASSPHRASE, &mut |_| {})
            .unwrap(),
        added
    );
    kinship.lock();
    let conn = rusqlite::Connection::open(profile.join("kinship.sqlite")).unwrap();
    let sealed: Vec<u8> = conn
        .query_row(
            "SELECT sealed FROM journal_entries WHERE id = ?1",
            [ENTRY_ID],
            |row| row.get(0),
        )
        .unwrap();
    assert_ne!(
        sealed,
        unhex(ENTRY_SEALED_HEX),
        "every seal has a fresh nonce"
    );
    let opened = Cipher::new(&key(DEK_HEX))
        .open("journal_entries", ENTRY_ID, &sealed)
        .unwrap();
    // Written by this version: the same JSON, padded with spaces to its size step.
    let text = std::str::from_utf8(&opened).unwrap();
    assert_eq!(text.trim_end_matches(' '), ENTRY_PLAINTEXT);
    assert_eq!(
        opened.len(),
        kinship_core::vault::padded_len(ENTRY_PLAINTEXT.len())
    );
}

#[test]
fn profile_without_its_database_is_refused_not_recreated() {
    let dir = tempfile::tempdir().unwrap();
    let profile = build_profile(dir.path());
    fs::remove_file(profile.join("kinship.sqlite")).unwrap();
    let kinship = Kinship::open(&profile).unwrap();
    assert!(matches!(
        kinship.unlock(PASSPHRASE),
        Err(Error::Corrupted { .. })
    ));
    assert!(!profile.join("kinship.sqlite").exists());
}
