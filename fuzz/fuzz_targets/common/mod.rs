//! What several fuzz targets share: a throwaway profile to import into, the fixed backup key the
//! seed corpora are sealed under, and the checks every iCalendar export must pass.
#![allow(dead_code)]

use std::cell::RefCell;

use kinship_core::vault::{KdfParams, SecretKey};
use kinship_core::Kinship;

/// The key every seed in `corpus/backup_file` is sealed under (`fuzz/make-seeds`). A file
/// sealed under another key fails the key check like a wrong passphrase, as it should.
pub const BACKUP_KEY: [u8; 32] = [0x4b; 32];

/// Imports per throwaway profile before a fresh one: keeps the database small, so every
/// execution costs about the same.
const IMPORTS_PER_PROFILE: u32 = 200;

thread_local! {
    static PROFILE: RefCell<Option<(tempfile::TempDir, Kinship, u32)>> = const { RefCell::new(None) };
}

/// Stands in for Argon2id: checks that the header's parameters passed the limits before any
/// derivation is asked for, and hands back the fixed key.
pub fn fixed_key(params: KdfParams, salt: &[u8]) -> kinship_core::Result<SecretKey> {
    assert!(
        params.validate().is_ok(),
        "a derivation was asked for with refused parameters: {params:?}"
    );
    assert_eq!(salt.len(), 16, "the salt is 16 bytes");
    Ok(SecretKey::from_slice(&BACKUP_KEY)?)
}

/// Imports a backup file into a throwaway profile and checks that the import is all or
/// nothing: a refused file leaves the journal, coping data, safety plan and reminders as they
/// were (as the profile reads them), an accepted one adds what it says it added.
pub fn import_into_throwaway_profile(file: &[u8]) {
    with_profile(|profile| {
        let before = contents(profile);
        let mut derivations = 0;
        let result = profile.backups().import_with_key(
            file,
            &mut |params, salt| {
                derivations += 1;
                fixed_key(params, salt)
            },
            &mut |_| {},
            &|| false,
        );
        assert!(derivations <= 1, "one derivation per file at most");
        let after = contents(profile);
        match result {
            Ok(summary) => {
                assert_eq!(
                    after.0,
                    before.0 + summary.added,
                    "added entries are counted"
                );
                // Whatever was merged must read back: no row written that the app cannot open.
                assert_eq!(profile.journal().all().expect("read back").len(), after.0);
            }
            Err(_) => assert!(after == before, "a refused import changed the profile"),
        }
    });
}

/// What an import may change, as the app reads it.
#[derive(PartialEq)]
struct Contents(
    usize,
    Vec<kinship_core::Strategy>,
    Vec<kinship_core::coping::Try>,
    kinship_core::SafetyPlan,
    Vec<kinship_core::Reminder>,
);

fn contents(profile: &Kinship) -> Contents {
    Contents(
        profile.journal().count().expect("journal count"),
        profile.coping().list(None).expect("strategies read"),
        profile.coping().tries(None).expect("tries read"),
        profile.safety_plan().get().expect("safety plan reads"),
        profile.reminders().list().expect("reminders read"),
    )
}

fn with_profile(f: impl FnOnce(&Kinship)) {
    PROFILE.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot
            .as_ref()
            .is_none_or(|(_, _, uses)| *uses >= IMPORTS_PER_PROFILE)
        {
            *slot = None;
            let dir = tempfile::tempdir().expect("temp dir");
            let profile =
                Kinship::create_with_params(dir.path(), "fuzzing passphrase", KdfParams::MINIMUM)
                    .expect("throwaway profile");
            *slot = Some((dir, profile, 0));
        }
        if let Some((_, profile, uses)) = slot.as_mut() {
            *uses += 1;
            f(profile);
        }
    });
}

/// Property names the exporter writes; a line starting with anything else was injected.
const ICS_PROPERTIES: &[&str] = &[
    "BEGIN",
    "END",
    "VERSION",
    "PRODID",
    "CALSCALE",
    "METHOD",
    "UID",
    "DTSTAMP",
    "LAST-MODIFIED",
    "SEQUENCE",
    "DTSTART",
    "DTEND",
    "SUMMARY",
    "DESCRIPTION",
    "LOCATION",
    "URL",
    "CATEGORIES",
    "STATUS",
];

/// RFC 5545's framing, whatever the events said: CRLF after every line and no bare CR or LF,
/// lines folded at 75 octets, every unfolded line one of the exporter's own properties, and one
/// `VEVENT` per event.
pub fn assert_ics_well_formed(ics: &str, events: usize) {
    assert!(ics.ends_with("\r\n"), "the last line ends with CRLF");
    let mut vevents = 0;
    for line in ics[..ics.len() - 2].split("\r\n") {
        assert!(!line.contains(['\r', '\n']), "a bare CR or LF: {line:?}");
        assert!(line.len() <= 75, "a line longer than 75 octets: {line:?}");
        if line.starts_with(' ') {
            continue;
        }
        let name = line.split(':').next().unwrap_or("");
        assert!(
            ICS_PROPERTIES.contains(&name),
            "an unexpected line: {line:?}"
        );
        if line == "BEGIN:VEVENT" {
            vevents += 1;
        }
        if name == "BEGIN" || name == "END" {
            assert!(
                line.ends_with(":VCALENDAR") || line.ends_with(":VEVENT"),
                "a component other than VCALENDAR or VEVENT: {line:?}"
            );
        }
    }
    assert_eq!(vevents, events, "one VEVENT per event");
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.ends_with("END:VCALENDAR\r\n"));
}
