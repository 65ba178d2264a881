//! The `kinship` binary end to end: commands, JSON output, exit codes and one-line errors.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed step should panic

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const PASS: &str = "cli test passphrase";
const BIN: &str = env!("CARGO_BIN_EXE_kinship");

/// Runs `kinship --data-dir DIR args...` with the vault passphrase in the environment.
fn kinship(dir: &Path, args: &[&str]) -> Output {
    kinship_with(dir, args, &[("KINSHIP_PASSPHRASE", PASS)], None)
}

fn kinship_with(dir: &Path, args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Output {
    let mut command = Command::new(BIN);
    command
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("KINSHIP_PASSPHRASE")
        .env_remove("KINSHIP_NEW_PASSPHRASE")
        .env_remove("KINSHIP_DECOY_PASSPHRASE")
        .env_remove("KINSHIP_DURESS_PASSPHRASE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command.spawn().expect("spawn kinship");
    let mut input = child.stdin.take().expect("stdin");
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).expect("write stdin");
    }
    drop(input);
    child.wait_with_output().expect("run kinship")
}

fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "expected success, got {:?}; stderr: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).expect("utf-8 stdout")
}

/// Asserts the exit code and that stderr is exactly one line.
fn fails_with(output: &Output, code: i32) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(code), "stderr: {stderr}");
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "one-line error expected: {stderr:?}"
    );
    stderr
}

fn init(dir: &Path) {
    ok(&kinship(dir, &["init"]));
}

fn add(dir: &Path, args: &[&str]) -> String {
    let mut full = vec!["journal", "add"];
    full.extend_from_slice(args);
    let id = ok(&kinship(dir, &full)).trim().to_owned();
    assert_eq!(id.len(), 32, "add prints the new id: {id:?}");
    id
}

fn json(dir: &Path, args: &[&str]) -> Value {
    serde_json::from_str(&ok(&kinship(dir, args))).expect("valid JSON")
}

#[test]
fn journal_commands_roundtrip_through_json() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    init(&dir);
    let first = add(
        &dir,
        &[
            "--title",
            "First",
            "--mood",
            "4",
            "--tag",
            "calm",
            "--tag",
            "Friends",
            "--text",
            "Café with Léa",
        ],
    );
    let stdin_out = kinship_with(
        &dir,
        &["journal", "add", "--title", "From stdin"],
        &[("KINSHIP_PASSPHRASE", PASS)],
        Some("typed\nover two lines\n"),
    );
    let second = ok(&stdin_out).trim().to_owned();

    let list = json(&dir, &["journal", "list", "--json"]);
    let entries = list.as_array().expect("array");
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["id"], second.as_str(), "newest first");
    for field in [
        "id",
        "created_at",
        "updated_at",
        "title",
        "body",
        "mood",
        "tags",
    ] {
        assert!(
            entries[1].get(field).is_some(),
            "list entries carry {field}"
        );
    }
    assert_eq!(entries[1]["tags"], serde_json::json!(["calm", "Friends"]));

    let shown = json(&dir, &["journal", "show", &second, "--json"]);
    assert_eq!(shown["body"], "typed\nover two lines\n");
    assert_eq!(shown["mood"], Value::Null);

    ok(&kinship(
        &dir,
        &[
            "journal",
            "edit",
            &first,
            "--mood",
            "2",
            "--text",
            "changed text",
            "--no-title",
        ],
    ));
    let edited = json(&dir, &["journal", "show", &first, "--json"]);
    assert_eq!(edited["mood"], 2);
    assert_eq!(edited["title"], Value::Null);
    assert_eq!(edited["body"], "changed text");
    assert_ne!(edited["updated_at"], edited["created_at"]);

    let found = json(&dir, &["journal", "search", "CHANG", "--json"]);
    assert_eq!(found.as_array().unwrap().len(), 1);
    assert_eq!(found[0]["id"], first.as_str());
    assert!(
        json(&dir, &["journal", "search", "nothing-like-this", "--json"])
            .as_array()
            .unwrap()
            .is_empty()
    );

    let stats = json(&dir, &["journal", "stats", "--json"]);
    assert_eq!(stats["entries"], 2);
    assert_eq!(stats["current_streak_days"], 1);
    assert_eq!(stats["tag_counts"].as_array().unwrap().len(), 2);

    let limited = kinship(&dir, &["journal", "list", "--limit", "1", "--json"]);
    assert_eq!(
        serde_json::from_str::<Value>(&ok(&limited))
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(String::from_utf8_lossy(&limited.stderr).contains("--cursor"));

    ok(&kinship(&dir, &["journal", "delete", &second]));
    fails_with(&kinship(&dir, &["journal", "show", &second]), 1);
    assert_eq!(
        json(&dir, &["journal", "list", "--json"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn exit_codes_and_one_line_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    // Not initialized: 4.
    let err = fails_with(&kinship(&dir, &["journal", "list"]), 4);
    assert!(err.contains("kinship init"));
    init(&dir);
    let secret_text = "my secret words";
    add(&dir, &["--text", secret_text]);
    // Already initialized: 1.
    fails_with(&kinship(&dir, &["init"]), 1);
    // Wrong passphrase: 3, and the passphrase is not echoed.
    let err = fails_with(
        &kinship_with(
            &dir,
            &["journal", "list"],
            &[("KINSHIP_PASSPHRASE", "totally wrong pass")],
            None,
        ),
        3,
    );
    assert!(!err.contains("totally wrong pass"));
    // Usage errors: 2.
    fails_with(&kinship(&dir, &["journal", "add", "--mood", "abc"]), 2);
    fails_with(&kinship(&dir, &["journal", "frobnicate"]), 2);
    fails_with(&kinship(&dir, &["erase"]), 2);
    // Invalid input: 1, nothing added, nothing personal in the message.
    let err = fails_with(
        &kinship(
            &dir,
            &["journal", "add", "--mood", "9", "--text", secret_text],
        ),
        1,
    );
    assert!(err.contains("mood"));
    assert!(!err.contains(secret_text));
    assert_eq!(
        json(&dir, &["journal", "list", "--json"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // No passphrase and no terminal: a clear error, not a hang. `setsid` detaches the child
    // from any controlling terminal the test runner may have, so no prompt can wait for input.
    let output = Command::new("setsid")
        .args(["-w", BIN, "--data-dir"])
        .arg(&dir)
        .args(["journal", "list"])
        .env_remove("KINSHIP_PASSPHRASE")
        .stdin(Stdio::null())
        .output()
        .expect("run setsid");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("KINSHIP_PASSPHRASE"), "{stderr}");
    // A weak passphrase at init: refused.
    let weak = tmp.path().join("weak");
    fails_with(
        &kinship_with(&weak, &["init"], &[("KINSHIP_PASSPHRASE", "short")], None),
        1,
    );
    assert!(!weak.join("keys.json").exists());
}

#[test]
fn passphrase_change_backup_markdown_and_erase() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    init(&dir);
    let id = add(&dir, &["--title", "Kept", "--text", "survives everything"]);

    ok(&kinship_with(
        &dir,
        &["passphrase", "change"],
        &[
            ("KINSHIP_PASSPHRASE", PASS),
            ("KINSHIP_NEW_PASSPHRASE", "the new passphrase"),
        ],
        None,
    ));
    fails_with(&kinship(&dir, &["journal", "list"]), 3);
    let new_pass = [("KINSHIP_PASSPHRASE", "the new passphrase")];
    let listed = ok(&kinship_with(&dir, &["journal", "list"], &new_pass, None));
    assert!(listed.contains(&id));

    // Backup under a separate passphrase, restored into a fresh profile.
    let backup = tmp.path().join("journal.backup");
    let backup_str = backup.to_str().unwrap();
    let with_backup_pass = [
        ("KINSHIP_PASSPHRASE", "the new passphrase"),
        ("MY_BACKUP_PASS", "separate backup pass"),
    ];
    ok(&kinship_with(
        &dir,
        &[
            "backup",
            "export",
            backup_str,
            "--backup-passphrase-env",
            "MY_BACKUP_PASS",
        ],
        &with_backup_pass,
        None,
    ));
    let other = tmp.path().join("other");
    init(&other);
    fails_with(&kinship(&other, &["backup", "import", backup_str]), 3);
    let imported = ok(&kinship_with(
        &other,
        &[
            "backup",
            "import",
            backup_str,
            "--backup-passphrase-env",
            "MY_BACKUP_PASS",
        ],
        &[
            ("KINSHIP_PASSPHRASE", PASS),
            ("MY_BACKUP_PASS", "separate backup pass"),
        ],
        None,
    ));
    assert!(imported.contains("1 added"), "{imported}");
    let restored = json(&other, &["journal", "show", &id, "--json"]);
    assert_eq!(restored["body"], "survives everything");

    // Markdown export is plaintext by explicit request.
    let md = tmp.path().join("md");
    ok(&kinship_with(
        &dir,
        &["export-markdown", md.to_str().unwrap()],
        &new_pass,
        None,
    ));
    let files: Vec<_> = std::fs::read_dir(&md).unwrap().collect();
    assert_eq!(files.len(), 1);
    let text = std::fs::read_to_string(files[0].as_ref().unwrap().path()).unwrap();
    assert!(text.contains("# Kept") && text.contains("survives everything"));

    // Erase: files gone, then "not initialized".
    ok(&kinship(&dir, &["erase", "--yes"]));
    assert!(!dir.join("keys.json").exists());
    assert!(!dir.join("kinship.sqlite").exists());
    fails_with(
        &kinship_with(&dir, &["journal", "list"], &new_pass, None),
        4,
    );
}

const DECOY: &str = "a harmless decoy passphrase";
const DURESS: &str = "the duress passphrase here";

/// Runs `kinship passphrase ARGS` unlocked with `current`, with `extra` in the environment.
fn passphrase_cmd(dir: &Path, args: &[&str], current: &str, extra: &[(&str, &str)]) -> Output {
    let mut env = vec![("KINSHIP_PASSPHRASE", current)];
    env.extend_from_slice(extra);
    let mut full = vec!["passphrase"];
    full.extend_from_slice(args);
    kinship_with(dir, &full, &env, None)
}

/// The ids `journal list --json` shows when unlocked with `pass`.
fn ids_under(dir: &Path, pass: &str) -> Vec<String> {
    let out = ok(&kinship_with(
        dir,
        &["journal", "list", "--json"],
        &[("KINSHIP_PASSPHRASE", pass)],
        None,
    ));
    let list: Value = serde_json::from_str(&out).expect("valid JSON");
    list.as_array()
        .expect("array")
        .iter()
        .map(|entry| entry["id"].as_str().expect("id").to_owned())
        .collect()
}

fn add_under(dir: &Path, pass: &str, text: &str) -> String {
    let out = ok(&kinship_with(
        dir,
        &["journal", "add", "--text", text],
        &[("KINSHIP_PASSPHRASE", pass)],
        None,
    ));
    out.trim().to_owned()
}

#[test]
fn decoy_passphrase_opens_a_separate_profile() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    init(&dir);
    let status = ok(&passphrase_cmd(&dir, &["status"], PASS, &[]));
    assert!(status.contains("Decoy passphrase: not set"), "{status}");
    assert!(status.contains("Duress passphrase: not set"), "{status}");
    let real = add_under(&dir, PASS, "the real entry");

    let set = ok(&passphrase_cmd(
        &dir,
        &["decoy", "set"],
        PASS,
        &[("KINSHIP_DECOY_PASSPHRASE", DECOY)],
    ));
    assert!(set.contains("Decoy passphrase set"), "{set}");
    assert!(!set.contains(DECOY) && !set.contains(PASS), "{set}");
    let status = ok(&passphrase_cmd(&dir, &["status"], PASS, &[]));
    assert!(status.contains("Decoy passphrase: set"), "{status}");
    assert!(status.contains("Duress passphrase: not set"), "{status}");

    // Each passphrase sees only its own entries.
    assert!(ids_under(&dir, DECOY).is_empty(), "the decoy starts empty");
    let harmless = add_under(&dir, DECOY, "bought bread, watched a film");
    assert_eq!(ids_under(&dir, DECOY), vec![harmless.clone()]);
    assert_eq!(ids_under(&dir, PASS), vec![real.clone()]);
    let shown = json(&dir, &["journal", "show", &real, "--json"]);
    assert_eq!(shown["body"], "the real entry");
    fails_with(
        &kinship_with(
            &dir,
            &["journal", "show", &real],
            &[("KINSHIP_PASSPHRASE", DECOY)],
            None,
        ),
        1,
    );
    // The decoy's status says nothing is set, and it cannot set passphrases of its own.
    let decoy_status = ok(&passphrase_cmd(&dir, &["status"], DECOY, &[]));
    assert!(
        decoy_status.contains("Decoy passphrase: not set"),
        "{decoy_status}"
    );
    let err = fails_with(
        &passphrase_cmd(
            &dir,
            &["decoy", "set"],
            DECOY,
            &[("KINSHIP_DECOY_PASSPHRASE", "yet another decoy here")],
        ),
        1,
    );
    assert!(err.contains("cannot be set"), "{err}");

    // A wrong current passphrase: 3, nothing changed.
    fails_with(
        &passphrase_cmd(&dir, &["decoy", "clear"], "not the passphrase", &[]),
        3,
    );
    assert_eq!(ids_under(&dir, DECOY), vec![harmless]);

    // Clearing erases the decoy: its passphrase no longer opens anything.
    let cleared = ok(&passphrase_cmd(&dir, &["decoy", "clear"], PASS, &[]));
    assert!(cleared.contains("No decoy passphrase"), "{cleared}");
    fails_with(
        &kinship_with(
            &dir,
            &["journal", "list"],
            &[("KINSHIP_PASSPHRASE", DECOY)],
            None,
        ),
        3,
    );
    assert_eq!(ids_under(&dir, PASS), vec![real]);
    let status = ok(&passphrase_cmd(&dir, &["status"], PASS, &[]));
    assert!(status.contains("Decoy passphrase: not set"), "{status}");
}

#[test]
fn duplicate_decoy_or_duress_passphrase_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    init(&dir);
    // The profile's own passphrase as a decoy or duress one.
    for which in ["decoy", "duress"] {
        let var = format!("KINSHIP_{}_PASSPHRASE", which.to_uppercase());
        let err = fails_with(
            &passphrase_cmd(&dir, &[which, "set"], PASS, &[(var.as_str(), PASS)]),
            1,
        );
        assert!(err.contains("already in use"), "{err}");
        assert!(err.contains(which), "{err}");
        assert!(!err.contains(PASS), "the passphrase is not echoed: {err}");
    }
    // The decoy's passphrase as the duress one, and the reverse.
    ok(&passphrase_cmd(
        &dir,
        &["decoy", "set"],
        PASS,
        &[("KINSHIP_DECOY_PASSPHRASE", DECOY)],
    ));
    let err = fails_with(
        &passphrase_cmd(
            &dir,
            &["duress", "set"],
            PASS,
            &[("KINSHIP_DURESS_PASSPHRASE", DECOY)],
        ),
        1,
    );
    assert!(
        err.contains("already in use") && !err.contains(DECOY),
        "{err}"
    );
    ok(&passphrase_cmd(
        &dir,
        &["duress", "set"],
        PASS,
        &[("KINSHIP_DURESS_PASSPHRASE", DURESS)],
    ));
    let err = fails_with(
        &passphrase_cmd(
            &dir,
            &["decoy", "set"],
            PASS,
            &[("KINSHIP_DECOY_PASSPHRASE", DURESS)],
        ),
        1,
    );
    assert!(
        err.contains("already in use") && !err.contains(DURESS),
        "{err}"
    );
    // A weak one is refused too.
    fails_with(
        &passphrase_cmd(
            &dir,
            &["decoy", "set"],
            PASS,
            &[("KINSHIP_DECOY_PASSPHRASE", "short")],
        ),
        1,
    );
    // Nothing was lost by the refusals: both still work as set.
    assert!(ids_under(&dir, DECOY).is_empty());
    let status = ok(&passphrase_cmd(&dir, &["status"], PASS, &[]));
    assert!(
        status.contains("Decoy passphrase: set") && status.contains("Duress passphrase: set"),
        "{status}"
    );
    // No passphrase to set and no terminal: a clear error naming the variable, not a hang.
    let output = Command::new("setsid")
        .args(["-w", BIN, "--data-dir"])
        .arg(&dir)
        .args(["passphrase", "duress", "set"])
        .env("KINSHIP_PASSPHRASE", PASS)
        .env_remove("KINSHIP_DURESS_PASSPHRASE")
        .stdin(Stdio::null())
        .output()
        .expect("run setsid");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("KINSHIP_DURESS_PASSPHRASE"), "{stderr}");
}

#[test]
fn duress_passphrase_erases_the_profile() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    init(&dir);
    add_under(&dir, PASS, "what nobody may read");
    ok(&passphrase_cmd(
        &dir,
        &["decoy", "set"],
        PASS,
        &[("KINSHIP_DECOY_PASSPHRASE", DECOY)],
    ));
    add_under(&dir, DECOY, "a harmless decoy entry");
    let set = ok(&passphrase_cmd(
        &dir,
        &["duress", "set"],
        PASS,
        &[("KINSHIP_DURESS_PASSPHRASE", DURESS)],
    ));
    assert!(set.contains("Duress passphrase set"), "{set}");
    assert!(!set.contains(DURESS), "{set}");
    let status = ok(&passphrase_cmd(&dir, &["status"], PASS, &[]));
    assert!(status.contains("Duress passphrase: set"), "{status}");
    assert_eq!(ids_under(&dir, PASS).len(), 1, "setting it erased nothing");

    // Entering it: the command works, on a new empty profile, like a fresh install.
    assert!(ids_under(&dir, DURESS).is_empty());
    let status = ok(&passphrase_cmd(&dir, &["status"], DURESS, &[]));
    assert!(
        status.contains("Decoy passphrase: not set")
            && status.contains("Duress passphrase: not set"),
        "{status}"
    );
    // The real profile and its decoy are gone.
    fails_with(
        &kinship_with(
            &dir,
            &["journal", "list"],
            &[("KINSHIP_PASSPHRASE", PASS)],
            None,
        ),
        3,
    );
    fails_with(
        &kinship_with(
            &dir,
            &["journal", "list"],
            &[("KINSHIP_PASSPHRASE", DECOY)],
            None,
        ),
        3,
    );
    // The new profile is a normal one: it keeps what is written, under the same passphrase,
    // and entering that passphrase again erases nothing more.
    let kept = add_under(&dir, DURESS, "a new start");
    assert_eq!(ids_under(&dir, DURESS), vec![kept]);
}

#[test]
fn duress_passphrase_can_be_cleared() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    init(&dir);
    let real = add_under(&dir, PASS, "still here");
    ok(&passphrase_cmd(
        &dir,
        &["duress", "set"],
        PASS,
        &[("KINSHIP_DURESS_PASSPHRASE", DURESS)],
    ));
    let cleared = ok(&passphrase_cmd(&dir, &["duress", "clear"], PASS, &[]));
    assert!(cleared.contains("No duress passphrase"), "{cleared}");
    // Now it opens nothing and erases nothing.
    fails_with(
        &kinship_with(
            &dir,
            &["journal", "list"],
            &[("KINSHIP_PASSPHRASE", DURESS)],
            None,
        ),
        3,
    );
    assert_eq!(ids_under(&dir, PASS), vec![real]);
    let status = ok(&passphrase_cmd(&dir, &["status"], PASS, &[]));
    assert!(status.contains("Duress passphrase: not set"), "{status}");
}

#[test]
fn tour_runs_and_shows_every_capability() {
    let output = Command::new(BIN).arg("tour").output().expect("run tour");
    let stdout = ok(&output);
    for expected in [
        "A private profile",
        "Search that forgives",
        "strategies are built in",
        "the same question ranks it #1:",
        "At distress 9/10 the first suggestions are: your safety plan, then crisis help",
        "tap: tel:+447700900123",
        "Crisis contacts, one tap away",
        "Peer groups: events from a server",
        "STATUS:CANCELLED",
        "the cached events still show",
        "→ tel:911",
        "not found anywhere",
        "Locked: reading now fails",
        "A wrong passphrase is refused",
        "locked again",
        "device key",
        "Old passphrase refused: true",
        "Unlocked with the decoy passphrase: a separate profile with 0 entries.",
        "mood 3  Shopping  #errands",
        "a decoy passphrase set: false, a duress passphrase set: false",
        "The real passphrase still opens all 7 of 7 entries; the decoy's entry is not among them (0 found).",
        "A duress passphrase equal to the decoy's is refused",
        "settings: decoy true, duress true",
        "Unlocked with the duress passphrase: 0 entries (there were 7); decoy set: false, duress set: false.",
        "the real passphrase is refused: true; the decoy's is refused: true.",
        "importing the same file again adds 0",
        "Quick erase",
        "Profile folder still exists: false",
    ] {
        assert!(
            stdout.contains(expected),
            "tour output lacks {expected:?}:\n{stdout}"
        );
    }
    assert!(!stdout.contains("(bug)"), "{stdout}");
    // The quiet sync's line reports what was measured: one request per group, each a 304.
    let quiet = stdout
        .lines()
        .find_map(|l| l.strip_prefix("And a sync with nothing new: "))
        .expect("the quiet sync is reported");
    let numbers: Vec<usize> = quiet
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    assert_eq!(numbers.len(), 4, "{quiet}");
    let (requests, answered, groups) = (numbers[0], numbers[1], numbers[2]);
    assert!(
        groups >= 1 && requests == groups && answered == groups,
        "{quiet}"
    );
}

#[test]
fn coping_and_safety_plan_commands() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    init(&dir);

    let all = json(&dir, &["coping", "list", "--json"]);
    let all = all.as_array().unwrap();
    assert!(all.len() >= 40);
    for field in ["id", "title", "category", "summary"] {
        assert!(
            all.iter().all(|s| s.get(field).is_some()),
            "list carries {field}"
        );
    }
    let breathing = json(
        &dir,
        &["coping", "list", "--category", "breathing", "--json"],
    );
    let breathing = breathing.as_array().unwrap();
    assert!(!breathing.is_empty() && breathing.len() < all.len());
    assert!(breathing.iter().all(|s| s["category"] == "breathing"));
    fails_with(
        &kinship(&dir, &["coping", "list", "--category", "cooking"]),
        2,
    );
    let found = json(&dir, &["coping", "search", "BREATH", "--json"]);
    assert!(!found.as_array().unwrap().is_empty());
    let shown = json(&dir, &["coping", "show", "box-breathing", "--json"]);
    assert!(shown["steps"].as_array().unwrap().len() >= 2);
    fails_with(&kinship(&dir, &["coping", "show", "no-such-thing"]), 1);

    let mine = ok(&kinship(
        &dir,
        &[
            "coping",
            "add",
            "--title",
            "Call Gran",
            "--step",
            "Dial",
            "--step",
            "Listen",
            "--category",
            "connecting-with-peers",
            "--suits",
            "lonely",
        ],
    ))
    .trim()
    .to_owned();
    assert!(mine.starts_with("custom-"));
    ok(&kinship(
        &dir,
        &["coping", "edit", &mine, "--title", "Call Grandma"],
    ));
    assert_eq!(
        json(&dir, &["coping", "show", &mine, "--json"])["title"],
        "Call Grandma"
    );
    ok(&kinship(&dir, &["coping", "favorite", "box-breathing"]));
    assert_eq!(
        json(&dir, &["coping", "show", "box-breathing", "--json"])["favorite"],
        true
    );
    ok(&kinship(&dir, &["coping", "unfavorite", "box-breathing"]));

    // Invalid input: clear error, nothing logged.
    fails_with(
        &kinship(
            &dir,
            &[
                "coping",
                "log",
                "box-breathing",
                "--before",
                "11",
                "--after",
                "3",
            ],
        ),
        1,
    );
    fails_with(
        &kinship(
            &dir,
            &[
                "coping",
                "log",
                "no-such-thing",
                "--before",
                "5",
                "--after",
                "3",
            ],
        ),
        1,
    );
    fails_with(
        &kinship(&dir, &["coping", "add", "--title", "   ", "--step", "x"]),
        1,
    );
    assert!(json(&dir, &["coping", "stats", "--json"])
        .as_array()
        .unwrap()
        .is_empty());

    ok(&kinship(
        &dir,
        &[
            "coping", "log", &mine, "--before", "8", "--after", "2", "--note", "lovely",
        ],
    ));
    let stats = json(&dir, &["coping", "stats", "--json"]);
    assert_eq!(stats[0]["id"], mine.as_str());
    assert_eq!(stats[0]["times_tried"], 1);
    assert_eq!(stats[0]["mean_change"], -6.0);

    let calm = json(
        &dir,
        &[
            "coping",
            "suggest",
            "--distress",
            "3",
            "--context",
            "lonely",
            "--limit",
            "3",
            "--json",
        ],
    );
    let calm = calm.as_array().unwrap();
    assert_eq!(calm.len(), 3);
    assert_eq!(calm[0]["id"], mine.as_str(), "what helped comes first");
    for field in ["id", "title", "category", "summary", "score", "kind"] {
        assert!(
            calm.iter().all(|s| s.get(field).is_some()),
            "suggest carries {field}"
        );
    }
    fails_with(
        &kinship(&dir, &["coping", "suggest", "--distress", "11"]),
        1,
    );

    ok(&kinship(
        &dir,
        &[
            "safety-plan",
            "set",
            "warning-signs",
            "--item",
            "Not sleeping",
            "--item",
            "Skipping meals",
        ],
    ));
    ok(&kinship(
        &dir,
        &["safety-plan", "set", "coping", "--item", "box-breathing"],
    ));
    ok(&kinship(
        &dir,
        &[
            "safety-plan",
            "add-contact",
            "--name",
            "Alex",
            "--phone",
            "+1 555 010 9999",
        ],
    ));
    fails_with(
        &kinship(
            &dir,
            &[
                "safety-plan",
                "add-contact",
                "--name",
                "Bo",
                "--phone",
                "call me",
            ],
        ),
        1,
    );
    fails_with(
        &kinship(&dir, &["safety-plan", "set", "elsewhere", "--item", "x"]),
        2,
    );
    let plan = json(&dir, &["safety-plan", "show", "--json"]);
    assert_eq!(
        plan["warning_signs"],
        serde_json::json!(["Not sleeping", "Skipping meals"])
    );
    assert_eq!(plan["help_contacts"][0]["action_uri"], "tel:+15550109999");
    let shown = ok(&kinship(&dir, &["safety-plan", "show"]));
    assert!(
        shown.contains("Box breathing (box-breathing)"),
        "linked strategy shows its title: {shown}"
    );

    ok(&kinship(
        &dir,
        &[
            "safety-plan",
            "add-contact",
            "--name",
            "Dad",
            "--phone",
            "+1 555 010 0001",
            "--knows",
            "no",
            "--not-safe",
        ],
    ));
    let plan = json(&dir, &["safety-plan", "show", "--json"]);
    assert_eq!(plan["help_contacts"][1]["knows_about_me"], "DoesNotKnow");
    assert_eq!(plan["help_contacts"][1]["safe_in_crisis"], false);
    let crisis = json(&dir, &["coping", "suggest", "--distress", "9", "--json"]);
    assert_eq!(crisis[0]["kind"], "safety_plan");
    // The contact marked not safe in a crisis is not offered there.
    let actions = crisis[0]["actions"].as_array().unwrap();
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0]["uri"], "tel:+15550109999");
    assert_eq!(actions[0]["label"], "Call Alex");
    assert_eq!(crisis[1]["kind"], "crisis");

    ok(&kinship(&dir, &["safety-plan", "remove-contact", "1"]));
    ok(&kinship(&dir, &["safety-plan", "remove-contact", "1"]));
    assert!(
        json(&dir, &["safety-plan", "show", "--json"])["help_contacts"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    ok(&kinship(&dir, &["coping", "delete", &mine]));
    fails_with(&kinship(&dir, &["coping", "delete", "box-breathing"]), 1);
}

#[test]
fn crisis_and_directory_commands() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    // Crisis contacts need no profile and no passphrase.
    let output = kinship_with(
        &dir,
        &[
            "crisis",
            "--country",
            "us",
            "--at",
            "2026-11-25T11:00:00-08:00",
            "--json",
        ],
        &[],
        None,
    );
    let contacts: Value = serde_json::from_str(&ok(&output)).unwrap();
    let contacts = contacts.as_array().unwrap();
    assert_eq!(contacts[0]["action_uri"], "tel:911");
    for field in [
        "id",
        "name",
        "kind",
        "action_uri",
        "label",
        "open_now",
        "source_url",
    ] {
        assert!(
            contacts.iter().all(|c| c.get(field).is_some()),
            "crisis JSON carries {field}"
        );
    }
    assert!(contacts.iter().any(|c| c["action_uri"] == "tel:988"));
    assert!(String::from_utf8_lossy(&output.stderr).contains("from --country"));
    assert!(!dir.exists(), "looking up crisis numbers creates nothing");

    let from_locale = kinship_with(
        &dir,
        &["crisis"],
        &[("LC_ALL", ""), ("LC_MESSAGES", ""), ("LANG", "en_GB.UTF-8")],
        None,
    );
    let text = ok(&from_locale);
    assert!(
        text.contains("GB") && text.contains("LANG=en_GB.UTF-8"),
        "{text}"
    );
    assert!(text.contains("tel:999"));
    fails_with(
        &kinship_with(&dir, &["crisis", "--country", "USA"], &[], None),
        2,
    );
    fails_with(
        &kinship_with(
            &dir,
            &["crisis", "--country", "US", "--at", "yesterday"],
            &[],
            None,
        ),
        2,
    );

    let found = json(&dir, &["directory", "search", "trevor", "--json"]);
    assert!(found[0]["name"].as_str().unwrap().contains("Trevor"));
    assert!(found[0]["actions"]
        .as_array()
        .is_some_and(|a| !a.is_empty()));
    let gb_text = json(
        &dir,
        &[
            "directory",
            "search",
            "--country",
            "GB",
            "--channel",
            "sms",
            "--json",
        ],
    );
    let gb_text = gb_text.as_array().unwrap();
    assert!(!gb_text.is_empty());
    assert!(gb_text.iter().all(|h| !h["channels"]["sms"].is_null()));
    let shown = json(&dir, &["directory", "show", "gb-samaritans", "--json"]);
    assert_eq!(shown["channels"]["short_code"], "116 123");
    assert!(shown["source_url"]
        .as_str()
        .unwrap()
        .starts_with("https://"));
    let all = json(&dir, &["directory", "export", "--json"]);
    assert!(all.as_array().unwrap().len() > 300);
    assert!(all
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["channels"].get("phone_e164").is_some() && e.get("verified_on").is_some()));

    // Private entries need the profile; they join searches.
    init(&dir);
    let mine = ok(&kinship(
        &dir,
        &[
            "directory",
            "add",
            "--name",
            "Dr Quill",
            "--phone",
            "+44 20 7946 0999",
        ],
    ))
    .trim()
    .to_owned();
    assert!(mine.starts_with("private-"));
    let with_private = json(&dir, &["directory", "search", "quill", "--json"]);
    assert_eq!(with_private[0]["private"], true);
    assert_eq!(with_private[0]["actions"][0]["uri"], "tel:+442079460999");
    fails_with(
        &kinship(
            &dir,
            &[
                "directory",
                "add",
                "--name",
                "Local",
                "--phone",
                "020 7946 0999",
            ],
        ),
        1,
    );
    ok(&kinship(&dir, &["directory", "remove", &mine]));

    // A bundle this build does not trust is refused; the directory stays.
    let bogus = tmp.path().join("bundle.json");
    std::fs::write(&bogus, r#"{"format":"kinship-directory-bundle","key_id":"kinship-directory-2026","signature":"00","payload":"{}"}"#).unwrap();
    fails_with(
        &kinship(
            &dir,
            &["directory", "import-bundle", bogus.to_str().unwrap()],
        ),
        1,
    );
    assert!(!dir.join("directory-bundle.json").exists());
    assert!(
        json(&dir, &["directory", "export", "--json"])
            .as_array()
            .unwrap()
            .len()
            > 300
    );
}

#[test]
fn groups_sync_and_events_commands() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    init(&dir);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server_db = format!("sqlite://{}", tmp.path().join("server.sqlite").display());
    let (base, group, task) = runtime.block_on(async {
        let store = kinship_server::Store::connect(&server_db, Default::default()).await.unwrap();
        let group = store.create_group("Ace Meetup", "Asexual and aromantic folks", kinship_protocol::Visibility::Public).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(kinship_server::serve(listener, kinship_server::app(store, Default::default())));
        let response = reqwest::Client::new()
            .post(format!("{base}/v1/groups/{}/events", group.group_id))
            .bearer_auth(&group.organizer_token)
            .json(&serde_json::json!({"title": "Board games", "starts_at": "2099-05-01T18:00:00", "ends_at": "2099-05-01T21:00:00",
                "time_zone": "Europe/Berlin", "place": {"name": "Cafe", "address": "Main St 1"}, "category": "social"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), reqwest::StatusCode::CREATED);
        (base, group, task)
    });

    ok(&kinship(&dir, &["groups", "join", &base, &group.group_id]));
    let listed = json(&dir, &["groups", "list", "--json"]);
    assert_eq!(listed[0]["name"], "Ace Meetup");
    let report = json(&dir, &["sync", "--json"]);
    assert_eq!(report["groups"][0]["new"], 1);
    let events = json(&dir, &["events", "list", "--days", "40000", "--json"]);
    let first = &events[0];
    for field in [
        "id",
        "group_id",
        "title",
        "starts_at",
        "ends_at",
        "time_zone",
        "status",
    ] {
        assert!(first.get(field).is_some(), "events JSON carries {field}");
    }
    let ics = tmp.path().join("e.ics");
    ok(&kinship(
        &dir,
        &[
            "events",
            "ics",
            first["id"].as_str().unwrap(),
            "--output",
            ics.to_str().unwrap(),
        ],
    ));
    let calendar = std::fs::read_to_string(&ics).unwrap();
    assert!(
        calendar.starts_with("BEGIN:VCALENDAR\r\n") && calendar.contains("SUMMARY:Board games")
    );

    // The server goes away: sync says offline with exit code 5, cached events stay.
    runtime.block_on(async {
        task.abort();
        let _ = task.await;
    });
    drop(runtime);
    let offline = kinship(&dir, &["sync"]);
    let err = fails_with(&offline, 5);
    assert!(err.contains("offline"), "{err}");
    assert_eq!(
        json(&dir, &["events", "list", "--days", "40000", "--json"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    ok(&kinship(&dir, &["groups", "leave", &group.group_id]));
    assert!(json(&dir, &["events", "list", "--days", "40000", "--json"])
        .as_array()
        .unwrap()
        .is_empty());
}

#[test]
fn groups_join_by_link() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    init(&dir);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server_db = format!("sqlite://{}", tmp.path().join("server.sqlite").display());
    let (base, public, private, task) = runtime.block_on(async {
        let store = kinship_server::Store::connect(&server_db, Default::default())
            .await
            .unwrap();
        let public = store
            .create_group("Ace Meetup", "", kinship_protocol::Visibility::Public)
            .await
            .unwrap();
        let private = store
            .create_group("Trans circle", "", kinship_protocol::Visibility::Private)
            .await
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(kinship_server::serve(
            listener,
            kinship_server::app(store, Default::default()),
        ));
        (base, public, private, task)
    });
    let code = private.invite_code.clone().expect("an invite code");

    // A link that is not a join link: invalid input (1), and the code is not echoed.
    let err = fails_with(
        &kinship(
            &dir,
            &[
                "groups",
                "join",
                &format!("{base}/groups/{}#invite={code}", private.group_id),
            ],
        ),
        1,
    );
    assert!(err.contains("link") && !err.contains(&code), "{err}");
    // `--invite` belongs to the SERVER_URL GROUP_ID form only.
    fails_with(
        &kinship(
            &dir,
            &["groups", "join", &format!("{base}/join/x"), "--invite", "c"],
        ),
        2,
    );

    let joined = ok(&kinship(
        &dir,
        &[
            "groups",
            "join",
            &format!("{base}/join/{}", public.group_id),
        ],
    ));
    assert!(joined.contains("Ace Meetup"), "{joined}");
    let joined = ok(&kinship(
        &dir,
        &[
            "groups",
            "join",
            &format!("{base}/join/{}#invite={code}", private.group_id),
        ],
    ));
    assert!(
        joined.contains("Trans circle") && !joined.contains(&code),
        "{joined}"
    );
    let listed = json(&dir, &["groups", "list", "--json"]);
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Ace Meetup", "Trans circle"]);
    runtime.block_on(async {
        task.abort();
        let _ = task.await;
    });
}
