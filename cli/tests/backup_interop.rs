//! A backup written by `kinship backup export` is decrypted by an independent implementation
//! written from docs/FORMAT.md alone (scripts/decrypt_backup.py, PyNaCl/libsodium).
//! scripts/test installs PyNaCl; run through it, or `pip install pynacl` first.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed step should panic

use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_kinship");
const PASS: &str = "interop passphrase";

fn run_kinship(dir: &Path, args: &[&str]) -> String {
    let output = Command::new(BIN)
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("KINSHIP_PASSPHRASE", PASS)
        .output()
        .expect("run kinship");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

#[test]
fn python_decrypts_a_cli_backup_from_the_format_document() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/decrypt_backup.py");
    if !kinship_test_support::python_has(&["nacl.pwhash", "nacl.bindings"]) {
        return;
    }

    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    run_kinship(&dir, &["init"]);
    let id = run_kinship(
        &dir,
        &[
            "journal",
            "add",
            "--title",
            "Ünïcode ✓",
            "--mood",
            "5",
            "--tag",
            "pride",
            "--text",
            "Independent check",
        ],
    );
    let backup = tmp.path().join("b.kinship");
    run_kinship(&dir, &["backup", "export", backup.to_str().unwrap()]);

    let output = Command::new("python3")
        .arg(&script)
        .arg(&backup)
        .env("KINSHIP_BACKUP_PASSPHRASE", PASS)
        .output()
        .expect("run python");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(document["format"], "kinship-backup");
    let entry = &document["journal"][0];
    assert_eq!(entry["id"], id.trim());
    assert_eq!(entry["title"], "Ünïcode ✓");
    assert_eq!(entry["body"], "Independent check");
    assert_eq!(entry["mood"], 5);

    let wrong = Command::new("python3")
        .arg(&script)
        .arg(&backup)
        .env("KINSHIP_BACKUP_PASSPHRASE", "not the passphrase")
        .output()
        .expect("run python");
    assert_eq!(wrong.status.code(), Some(3), "wrong passphrase exit code");
}
