//! The offline directory: bundled data, crisis contacts, search, private entries, signed updates.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed step should panic

mod common;

use chrono::{Datelike, TimeZone, Utc};
use common::*;
use ed25519_dalek::SigningKey;
use kinship_core::directory::bundle::{self, TrustedKey};
use kinship_core::directory::private::NewPrivateEntry;
use kinship_core::directory::{
    builtin_json, Channel, Directory, DirectoryData, DirectoryQuery, Kind,
};
use kinship_core::Error;

fn builtin() -> Directory {
    Directory::builtin().expect("the bundled directory validates")
}

/// Wednesday 2026-11-25 19:00 UTC: 11:00 in Los Angeles, 14:00 in New York, 19:00 in London.
fn wednesday_evening_utc() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 19, 0, 0).unwrap()
}

#[test]
fn bundled_directory_is_complete_sourced_and_checked() {
    let directory = builtin();
    let entries = directory.entries();
    assert!(entries.len() > 300, "{} entries", entries.len());
    assert!(
        directory.countries().len() >= 200,
        "emergency numbers for every sourced country"
    );
    for entry in entries {
        assert!(!entry.source_url.is_empty(), "{} has a source", entry.id);
        url::Url::parse(&entry.source_url).unwrap_or_else(|e| panic!("{}: source {e}", entry.id));
        for link in [&entry.channels.chat_url, &entry.channels.website]
            .into_iter()
            .flatten()
        {
            let parsed =
                url::Url::parse(link).unwrap_or_else(|e| panic!("{}: {link}: {e}", entry.id));
            assert!(matches!(parsed.scheme(), "https" | "http"), "{}", entry.id);
        }
    }
    for kind in [
        Kind::Emergency,
        Kind::CrisisHotline,
        Kind::TextLine,
        Kind::OnlineCommunity,
    ] {
        assert!(entries.iter().any(|e| e.kind == kind), "some {kind:?}");
    }
}

#[test]
fn every_full_number_is_valid_for_its_country() {
    // The Rust crate's numbering plans are older than Google's libphonenumber 9.0.43 (which
    // scripts/check_directory_numbers.py runs on every number): these it alone rejects.
    const OLDER_METADATA: &[&str] = &["ru-detskiy-telefon-doveriya-8800-2000-122"];
    let mut disagreed = Vec::new();
    let directory = builtin();
    for entry in directory.entries() {
        let Some(number) = &entry.channels.phone_e164 else {
            continue;
        };
        let parsed = phonenumber::parse(None, number)
            .unwrap_or_else(|e| panic!("{}: {number}: {e}", entry.id));
        if !phonenumber::is_valid(&parsed) && OLDER_METADATA.contains(&entry.id.as_str()) {
            disagreed.push(entry.id.as_str());
            continue;
        }
        assert!(
            phonenumber::is_valid(&parsed),
            "{}: {number} is not a valid number",
            entry.id
        );
        if let Some(country) = entry.countries.first().filter(|c| c.as_str() != "INTL") {
            let metadata = phonenumber::metadata::DATABASE
                .by_id(country.as_str())
                .unwrap_or_else(|| panic!("{}: no numbering plan for {country}", entry.id));
            assert_eq!(
                parsed.code().value(),
                metadata.country_code(),
                "{}: {number} is not a {country} number",
                entry.id
            );
        }
    }
    assert_eq!(
        disagreed, OLDER_METADATA,
        "the list names only real disagreements"
    );
}

#[test]
fn short_codes_and_sms_numbers_check_against_libphonenumber_short_number_data() {
    // The independent checker uses Google's libphonenumber short-number metadata (Python
    // `phonenumbers`), which the Rust crate lacks. scripts/test installs it.
    if !kinship_test_support::python_has(&["phonenumbers"]) {
        return;
    }
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scripts/check_directory_numbers.py");
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/directory.json");
    let output = std::process::Command::new("python3")
        .arg(&script)
        .arg(&data)
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "number check failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let last = stdout.trim_end().lines().last().unwrap_or_default();
    assert!(last.contains(" passed, 0 failed, "), "{stdout}");
    // Numbers libphonenumber cannot check are unverified, not passed: each one must be on the
    // reviewed list, and the list must name no number the data no longer exempts.
    let unverified: std::collections::BTreeSet<String> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("unverified "))
        .map(|l| l.split(':').next().unwrap_or_default().to_owned())
        .collect();
    let pinned: std::collections::BTreeSet<String> = include_str!("libphonenumber_exceptions.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    let new: Vec<_> = unverified.difference(&pinned).collect();
    let gone: Vec<_> = pinned.difference(&unverified).collect();
    assert!(
        new.is_empty() && gone.is_empty(),
        "exceptions not on the reviewed list: {new:?}; listed but no longer exempt: {gone:?}"
    );
    let counted: usize = last
        .split(", ")
        .find_map(|part| part.strip_suffix(" unverified"))
        .and_then(|n| n.parse().ok())
        .expect("the unverified count");
    assert_eq!(
        counted,
        stdout
            .lines()
            .filter(|l| l.starts_with("unverified "))
            .count()
    );
}

#[test]
fn us_crisis_contacts_start_with_911_and_include_988() {
    let contacts = builtin().crisis_contacts("us", wednesday_evening_utc());
    assert!(contacts.has_country_data && contacts.advice.is_none());
    assert_eq!(contacts.contacts[0].action_uri, "tel:911");
    assert_eq!(contacts.contacts[0].kind, Kind::Emergency);
    let uris: Vec<&str> = contacts
        .contacts
        .iter()
        .map(|c| c.action_uri.as_str())
        .collect();
    assert!(uris.contains(&"tel:988"), "{uris:?}");
    let first_crisis_line = contacts
        .contacts
        .iter()
        .position(|c| c.kind != Kind::Emergency)
        .unwrap();
    assert!(
        contacts.contacts[first_crisis_line].always_open,
        "24/7 lines come first"
    );
    assert!(
        contacts
            .contacts
            .iter()
            .any(|c| c.lgbtq && c.action_uri == "tel:+18664887386"),
        "Trevor flagged LGBTQ+"
    );
    // Trans Lifeline is open Wednesday 11:00 Pacific, closed on Saturday: then it is still
    // shown, after the open lines, with when it opens (Monday 10:00 Pacific = 18:00 UTC).
    assert!(uris.contains(&"tel:+18775658860"));
    let saturday = Utc.with_ymd_and_hms(2026, 11, 28, 19, 0, 0).unwrap();
    let weekend = builtin().crisis_contacts("US", saturday).contacts;
    let trans = weekend
        .iter()
        .position(|c| c.action_uri == "tel:+18775658860")
        .expect("a closed line is shown, not hidden");
    assert_eq!(weekend[trans].open_now, Some(false));
    assert_eq!(
        weekend[trans].opens_at,
        Some(Utc.with_ymd_and_hms(2026, 11, 30, 18, 0, 0).unwrap())
    );
    let lifeline = weekend
        .iter()
        .position(|c| c.action_uri == "tel:988")
        .expect("988");
    assert!(lifeline < trans, "open lines before closed ones");
    for c in &contacts.contacts {
        assert!(!c.source_url.is_empty());
    }
}

#[test]
fn gb_crisis_contacts_start_with_999_and_include_samaritans() {
    let contacts = builtin().crisis_contacts("GB", wednesday_evening_utc());
    assert_eq!(contacts.contacts[0].action_uri, "tel:999");
    assert!(contacts
        .contacts
        .iter()
        .any(|c| c.name.contains("Samaritans") && c.action_uri == "tel:116123"));
    assert!(
        contacts
            .contacts
            .iter()
            .any(|c| c.action_uri.starts_with("sms:85258")),
        "text lines follow"
    );
}

#[test]
fn a_country_without_data_gets_the_honest_fallback() {
    let contacts = builtin().crisis_contacts("AQ", wednesday_evening_utc());
    assert!(!contacts.has_country_data);
    let advice = contacts.advice.expect("advice");
    assert!(advice.contains("112") && advice.contains("not everywhere"));
    assert_eq!(contacts.contacts[0].action_uri, "tel:112");
    // The advice promises international lines exactly when some follow 112.
    assert_eq!(
        advice.contains("international lines below"),
        contacts.contacts.len() > 1,
        "{advice}"
    );
    assert!(contacts
        .contacts
        .iter()
        .skip(1)
        .all(|c| c.kind != Kind::Emergency));
}

#[test]
fn search_filters_ranks_and_marks_stale_entries() {
    let directory = builtin();
    let at = wednesday_evening_utc();
    let query = |q: DirectoryQuery| directory.search(&q, &[], at);

    let trevor = query(DirectoryQuery {
        text: Some("TREVOR".into()),
        ..Default::default()
    });
    assert!(
        trevor[0].entry.name.contains("Trevor"),
        "name matches rank first"
    );
    let trans = query(DirectoryQuery {
        country: Some("US".into()),
        audience: vec!["trans".into()],
        ..Default::default()
    });
    assert!(
        !trans.is_empty()
            && trans
                .iter()
                .all(|h| h.entry.audience.iter().any(|a| a == "trans"))
    );
    assert!(trans
        .iter()
        .all(|h| h.entry.serves("US") || h.entry.is_international()));
    let texts = query(DirectoryQuery {
        country: Some("GB".into()),
        channel: Some(Channel::Sms),
        ..Default::default()
    });
    assert!(!texts.is_empty() && texts.iter().all(|h| h.entry.channels.sms.is_some()));
    // The open-now filter, at an hour of the week when some US line is closed: it keeps every
    // open one and drops exactly the closed ones.
    let us_lines = |open_now: bool, at| {
        directory.search(
            &DirectoryQuery {
                country: Some("US".into()),
                kind: Some(Kind::CrisisHotline),
                open_now,
                ..Default::default()
            },
            &[],
            at,
        )
    };
    let week_start = Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap();
    let closed_hour = (0..168)
        .map(|h| week_start + chrono::Duration::hours(h))
        .find(|at| {
            us_lines(false, *at)
                .iter()
                .any(|h| h.open_now == Some(false))
        })
        .expect("some US crisis line keeps hours");
    let everything = us_lines(false, closed_hour);
    let open = us_lines(true, closed_hour);
    assert!(!open.is_empty(), "some line is open");
    assert!(open.iter().all(|h| h.open_now == Some(true)));
    let open_ids: Vec<&str> = open.iter().map(|h| h.entry.id.as_str()).collect();
    let expected: Vec<&str> = everything
        .iter()
        .filter(|h| h.open_now == Some(true))
        .map(|h| h.entry.id.as_str())
        .collect();
    assert_eq!(open_ids, expected);
    assert!(
        open.len() < everything.len(),
        "the filter removed the closed ones"
    );
    let emergency_first = query(DirectoryQuery {
        country: Some("FR".into()),
        ..Default::default()
    });
    assert_eq!(emergency_first[0].entry.kind, Kind::Emergency);

    // Stale comes from the sources' own dates: a line whose newest source is from 2025 is
    // fresh now and stale two years on; one whose newest source is before 2024-11 is stale
    // now; an entry whose sources show no date is never called stale.
    let later = Utc.with_ymd_and_hms(2028, 12, 1, 12, 0, 0).unwrap();
    let everything_now = query(DirectoryQuery::default());
    let everything_later = directory.search(&DirectoryQuery::default(), &[], later);
    let stale_at = |hits: &[kinship_core::directory::SearchHit], id: &str| {
        hits.iter().find(|h| h.entry.id == id).map(|h| h.stale)
    };
    let dated = |e: &&kinship_core::directory::DirectoryEntry| e.newest_source_date();
    let cutoff = chrono::NaiveDate::from_ymd_opt(2024, 11, 1).unwrap();
    let recent: Vec<_> = directory
        .entries()
        .iter()
        .filter(|e| dated(e).is_some_and(|d| d.year() == 2025))
        .collect();
    let old: Vec<_> = directory
        .entries()
        .iter()
        .filter(|e| dated(e).is_some_and(|d| d < cutoff))
        .collect();
    let undated: Vec<_> = directory
        .entries()
        .iter()
        .filter(|e| dated(e).is_none())
        .collect();
    assert!(!recent.is_empty() && !old.is_empty() && !undated.is_empty());
    for e in &recent {
        assert_eq!(stale_at(&everything_now, &e.id), Some(false), "{}", e.id);
        assert_eq!(stale_at(&everything_later, &e.id), Some(true), "{}", e.id);
    }
    for e in &old {
        assert_eq!(stale_at(&everything_now, &e.id), Some(true), "{}", e.id);
    }
    for e in &undated {
        assert_eq!(stale_at(&everything_later, &e.id), Some(false), "{}", e.id);
    }
}

#[test]
fn private_entries_are_sealed_searchable_and_editable() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, path) = new_profile(dir.path());
    let personal = kinship.personal_directory();
    let marker = format!("Therapist{}", std::process::id());
    let added = personal
        .add(
            NewPrivateEntry {
                name: format!("Dr {marker}"),
                phone: Some("+44 20 7946 0123".into()),
                ..Default::default()
            },
            at(0),
        )
        .unwrap();
    assert_eq!(added.channels.phone_e164.as_deref(), Some("+442079460123"));
    assert!(matches!(
        personal.add(
            NewPrivateEntry {
                name: "Bad".into(),
                phone: Some("020 7946 0123".into()),
                ..Default::default()
            },
            at(1)
        ),
        Err(Error::InvalidInput { .. })
    ));
    let hits = personal
        .search(
            &builtin(),
            &DirectoryQuery {
                text: Some(marker.to_lowercase()),
                ..Default::default()
            },
            wednesday_evening_utc(),
        )
        .unwrap();
    assert_eq!(hits.len(), 1);
    assert!(hits[0].private && hits[0].actions[0].uri == "tel:+442079460123");

    kinship.checkpoint().unwrap();
    assert!(files_containing(&path, &marker).is_empty());
    assert!(files_containing(&path, "442079460123").is_empty());

    personal
        .update(
            &added.id,
            NewPrivateEntry {
                name: "Dr Renamed".into(),
                website: Some("https://example.org".into()),
                ..Default::default()
            },
            at(2),
        )
        .unwrap();
    assert_eq!(personal.private_entries().unwrap()[0].name, "Dr Renamed");
    personal.remove(&added.id).unwrap();
    assert!(matches!(personal.remove(&added.id), Err(Error::NotFound)));
    kinship.lock();
    assert!(matches!(personal.private_entries(), Err(Error::Locked)));
}

fn test_key() -> (SigningKey, TrustedKey) {
    let signing = SigningKey::from_bytes(&[7u8; 32]);
    let trusted = TrustedKey {
        id: "test-key",
        public_key: signing.verifying_key().to_bytes(),
    };
    (signing, trusted)
}

/// A bundle envelope signed with `signing` over `payload`, without the signing tool's checks.
fn envelope(signing: &SigningKey, key_id: &str, payload: &str) -> String {
    use ed25519_dalek::Signer;
    serde_json::json!({
        "format": bundle::BUNDLE_FORMAT,
        "key_id": key_id,
        "signature": hex::encode(signing.sign(payload.as_bytes()).to_bytes()),
        "payload": payload,
    })
    .to_string()
}

fn document_with_version(version: u64) -> String {
    let mut data: DirectoryData = serde_json::from_str(&builtin_json().unwrap()).unwrap();
    data.version = version;
    data.entries.retain(|e| e.serves("US") || e.serves("GB"));
    serde_json::to_string(&data).unwrap()
}

#[test]
fn signed_bundles_install_and_bad_ones_leave_the_last_good_directory() {
    let dir = tempfile::tempdir().unwrap();
    let (signing, trusted) = test_key();
    let keys = [trusted];
    let key_hex = hex::encode(signing.to_bytes());
    let builtin_version = builtin().version();

    let newer = bundle::sign(
        &document_with_version(builtin_version + 5),
        &key_hex,
        "test-key",
    )
    .unwrap();
    assert_eq!(
        bundle::install(dir.path(), newer.as_bytes(), &keys).unwrap(),
        builtin_version + 5
    );
    let in_use = Directory::load_with_keys(dir.path(), &keys).unwrap();
    assert_eq!(in_use.version(), builtin_version + 5);
    assert_eq!(
        in_use.entries().len(),
        builtin()
            .entries()
            .iter()
            .filter(|e| e.serves("US") || e.serves("GB"))
            .count(),
        "the bundle's directory is in use"
    );
    let stored = std::fs::read(bundle::installed_path(dir.path())).unwrap();

    let refuse = |bytes: &[u8]| {
        let result = bundle::install(dir.path(), bytes, &keys);
        assert!(result.is_err(), "must be refused");
        assert_eq!(
            std::fs::read(bundle::installed_path(dir.path())).unwrap(),
            stored,
            "the last good bundle stays"
        );
        assert_eq!(
            Directory::load_with_keys(dir.path(), &keys)
                .unwrap()
                .version(),
            builtin_version + 5
        );
    };
    // Older or equal version.
    refuse(
        bundle::sign(
            &document_with_version(builtin_version + 1),
            &key_hex,
            "test-key",
        )
        .unwrap()
        .as_bytes(),
    );
    refuse(newer.as_bytes());
    // Tampered payload: a number changed after signing.
    let tampered = bundle::sign(
        &document_with_version(builtin_version + 9),
        &key_hex,
        "test-key",
    )
    .unwrap()
    .replace("116 123", "116 124");
    refuse(tampered.as_bytes());
    // Signed by an unknown key.
    let stranger = SigningKey::from_bytes(&[9u8; 32]);
    refuse(
        bundle::sign(
            &document_with_version(builtin_version + 9),
            &hex::encode(stranger.to_bytes()),
            "test-key",
        )
        .unwrap()
        .as_bytes(),
    );
    refuse(
        bundle::sign(
            &document_with_version(builtin_version + 9),
            &key_hex,
            "other-key",
        )
        .unwrap()
        .as_bytes(),
    );
    // Malformed bundles and a validly signed but invalid directory.
    refuse(b"not json at all");
    refuse(br#"{"format":"kinship-directory-bundle","key_id":"test-key","signature":"00","payload":"{}"}"#);
    let invalid = document_with_version(builtin_version + 9).replacen("\"+1", "\"1", 1);
    assert!(
        bundle::sign(&invalid, &key_hex, "test-key").is_err(),
        "the signing tool refuses invalid data"
    );
    // The same invalid directory signed directly, as a careless or hostile publisher would:
    // the signature verifies, so only the payload's validation can refuse it.
    let signed_invalid = envelope(&signing, "test-key", &invalid);
    assert!(matches!(
        bundle::verify(signed_invalid.as_bytes(), &keys),
        Err(bundle::BundleError::Invalid(_))
    ));
    refuse(signed_invalid.as_bytes());
    let bad_id = envelope(
        &signing,
        "test-key",
        &document_with_version(builtin_version + 9).replacen("\"id\":\"", "\"id\":\"BAD ", 1),
    );
    refuse(bad_id.as_bytes());

    // The production keys do not trust the test key: the app keeps its built-in directory.
    assert_eq!(
        Directory::load(dir.path()).unwrap().version(),
        builtin_version
    );
}

/// The crisis order, in countries on four continents: emergency numbers first (a general or
/// medical number before police), then crisis lines (open ones before closed ones, each closed
/// one with its next opening), then warm lines; paused services never appear.
#[test]
fn crisis_lists_put_medical_before_police_then_crisis_lines_then_warm_lines() {
    let directory = builtin();
    let at = wednesday_evening_utc();
    let countries = [
        "US", "GB", "FR", "DE", "BR", "IN", "JP", "AU", "NZ", "ZA", "KE", "CA", "PL", "CN",
    ];
    let mut with_crisis_line = 0;
    let mut police_compared = 0;
    for country in countries {
        let list = directory.crisis_contacts(country, at);
        assert!(list.has_country_data, "{country}");
        let contacts = &list.contacts;
        assert_eq!(contacts[0].kind, Kind::Emergency, "{country}");
        // Emergency numbers form one block at the top.
        let emergency_end = contacts
            .iter()
            .position(|c| c.kind != Kind::Emergency)
            .unwrap_or(contacts.len());
        assert!(contacts[emergency_end..]
            .iter()
            .all(|c| c.kind != Kind::Emergency));
        // Within it, police never comes before a general or medical number.
        let services = |c: &kinship_core::directory::CrisisContact| {
            directory
                .get(&c.id)
                .map(|e| e.emergency_services.clone())
                .unwrap_or_default()
        };
        let police_only = contacts[..emergency_end]
            .iter()
            .position(|c| services(c) == [kinship_core::directory::EmergencyService::Police]);
        let medical = contacts[..emergency_end].iter().rposition(|c| {
            let s = services(c);
            s.contains(&kinship_core::directory::EmergencyService::General)
                || s.contains(&kinship_core::directory::EmergencyService::Ambulance)
        });
        if let (Some(police), Some(medical)) = (police_only, medical) {
            assert!(
                medical < police,
                "{country}: medical or general before police"
            );
            police_compared += 1;
        }
        // Then crisis lines, then warm lines: no crisis line after the first warm line.
        let rest = &contacts[emergency_end..];
        if let Some(first_warm) = rest.iter().position(|c| c.warm_line) {
            assert!(
                rest[first_warm..]
                    .iter()
                    .all(|c| c.warm_line
                        || directory.get(&c.id).is_some_and(|e| e.is_international())),
                "{country}: warm lines come after the crisis lines"
            );
            assert!(
                rest[first_warm].label.contains("not a crisis service")
                    || rest[first_warm].region.is_some()
            );
        }
        // Among crisis lines, every open one comes before every closed one, and a closed one
        // says when it opens where its hours allow.
        let crisis: Vec<_> = rest.iter().filter(|c| !c.warm_line).collect();
        if let Some(first_closed) = crisis.iter().position(|c| c.open_now == Some(false)) {
            assert!(
                crisis[first_closed..]
                    .iter()
                    .all(|c| c.open_now != Some(true)),
                "{country}"
            );
        }
        for c in contacts {
            let entry = directory.get(&c.id);
            assert!(
                entry.is_none_or(|e| e.is_callable()),
                "{country}: {} is paused",
                c.id
            );
        }
        with_crisis_line += usize::from(list.has_crisis_line);
    }
    assert!(
        with_crisis_line >= 10,
        "crisis lines in {with_crisis_line} of these countries"
    );
    assert!(
        police_compared >= 3,
        "police was compared with a medical number in {police_compared} countries"
    );
}

#[test]
fn a_country_with_emergency_numbers_but_no_crisis_line_says_so() {
    let directory = builtin();
    let country = directory
        .countries()
        .into_iter()
        .find(|c| {
            !directory
                .crisis_contacts(c, wednesday_evening_utc())
                .has_crisis_line
        })
        .expect("some country has emergency numbers only");
    let list = directory.crisis_contacts(&country, wednesday_evening_utc());
    assert!(list.has_country_data);
    let advice = list.advice.expect("plain advice");
    assert!(advice.contains("knows no crisis line"), "{advice}");
    assert_eq!(list.contacts[0].kind, Kind::Emergency);
}

#[test]
fn paused_services_are_never_callable() {
    let mut data: DirectoryData = serde_json::from_str(&builtin_json().unwrap()).unwrap();
    let lifeline = data
        .entries
        .iter_mut()
        .find(|e| e.channels.short_code.as_deref() == Some("988") && e.serves("US"))
        .expect("988");
    lifeline.status = kinship_core::directory::Status::Paused;
    let id = lifeline.id.clone();
    let directory = Directory::from_data(data);
    let list = directory.crisis_contacts("US", wednesday_evening_utc());
    assert!(
        list.contacts.iter().all(|c| c.id != id),
        "a paused line is not in the crisis list"
    );
    let hit = directory
        .search(
            &DirectoryQuery {
                text: Some("988".into()),
                country: Some("US".into()),
                ..Default::default()
            },
            &[],
            wednesday_evening_utc(),
        )
        .into_iter()
        .find(|h| h.entry.id == id);
    if let Some(hit) = hit {
        assert!(hit
            .actions
            .iter()
            .all(|a| !a.uri.starts_with("tel:") && !a.uri.starts_with("sms:")));
    }
    let shown = directory.search(&DirectoryQuery::default(), &[], wednesday_evening_utc());
    let paused = shown
        .iter()
        .find(|h| h.entry.id == id)
        .expect("still listed");
    assert!(paused
        .actions
        .iter()
        .all(|a| !a.uri.starts_with("tel:") && !a.uri.starts_with("sms:")));
}

#[test]
fn every_shipped_entry_has_two_independent_sources_and_a_primary_one() {
    let host = |url: &str| {
        url.split("://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .map(|h| h.trim_start_matches("www.").to_lowercase())
            .unwrap_or_default()
    };
    for entry in builtin().entries() {
        let sites: std::collections::HashSet<String> =
            entry.sources.iter().map(|s| host(s.url())).collect();
        assert!(sites.len() >= 2, "{}: {sites:?}", entry.id);
        let primary = entry.sources.iter().any(|s| {
            matches!(s, kinship_core::directory::Source::Cited(c) if c.kind == "operator" || c.kind == "official")
        });
        assert!(
            primary || (entry.kind == Kind::Emergency && entry.primary_missing.is_some()),
            "{}: no operator or official source",
            entry.id
        );
        // What each source says is recorded in data/directory (the build refuses a source
        // without it); the shipped data keeps each source's kind and date.
        for source in &entry.sources {
            let kinship_core::directory::Source::Cited(cited) = source else {
                panic!("{}: a bare URL source", entry.id);
            };
            assert!(
                [
                    "operator",
                    "official",
                    "news",
                    "wikipedia",
                    "reference",
                    "aggregator"
                ]
                .contains(&cited.kind.as_str()),
                "{}",
                entry.id
            );
        }
        if let Some(chat) = &entry.channels.chat_url {
            let path = chat
                .split("://")
                .nth(1)
                .and_then(|r| r.split_once('/'))
                .map(|(_, p)| p)
                .unwrap_or("");
            assert!(
                !path.is_empty() || host(chat).split('.').any(|l| l == "chat"),
                "{}: the chat link is a home page",
                entry.id
            );
        }
    }
}

#[test]
fn every_country_in_the_directory_is_a_country_code_and_names_are_refused() {
    let directory = builtin();
    for country in directory.countries() {
        assert!(
            kinship_core::directory::CountryCode::parse(&country).is_ok(),
            "{country} is in the directory but not a country code"
        );
    }
    let at = chrono::Utc::now();
    let de = directory.crisis_contacts_for(" de ", at).unwrap();
    assert_eq!(de.country, "DE");
    assert!(de.has_country_data);
    for bad in ["Germany", "ZZ", "D", ""] {
        match directory.crisis_contacts_for(bad, at) {
            Err(kinship_core::Error::InvalidInput { field, .. }) => {
                assert_eq!(field.as_deref(), Some("country"), "{bad}")
            }
            other => panic!("{bad}: {:?}", other.map(|c| c.country)),
        }
    }
}
