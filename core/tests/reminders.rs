//! Journal check-in reminders: sealed CRUD, validation, and their next firings across DST.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed step should panic

mod common;

use chrono::{DateTime, Utc};
use common::*;
use kinship_core::{Error, NewReminder, Weekday};

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

fn daily(time: &str, zone: &str) -> NewReminder {
    NewReminder {
        time: time.into(),
        weekdays: vec![],
        zone: zone.into(),
        enabled: true,
    }
}

fn field_of(err: Error) -> Option<String> {
    match err {
        Error::InvalidInput { field, .. } => field,
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

#[test]
fn reminders_are_added_listed_changed_and_deleted_sealed() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, path) = new_profile(dir.path());
    let reminders = kinship.reminders();
    assert!(reminders.list().unwrap().is_empty());
    let evening = reminders.add(daily("21:15", "America/Sao_Paulo")).unwrap();
    let morning = reminders
        .add(NewReminder {
            time: "7:05".into(),
            weekdays: vec![Weekday::Fri, Weekday::Mon, Weekday::Fri],
            zone: " Europe/Berlin ".into(),
            enabled: true,
        })
        .unwrap();
    assert_eq!(morning.time, "07:05", "normalised");
    assert_eq!(morning.weekdays, vec![Weekday::Mon, Weekday::Fri]);
    assert_eq!(morning.zone, "Europe/Berlin");
    assert_eq!(evening.id.len(), 32);
    let listed = reminders.list().unwrap();
    assert_eq!(
        listed,
        vec![morning.clone(), evening.clone()],
        "by time of day"
    );

    let changed = reminders
        .update(&evening.id, daily("22:00", "America/Sao_Paulo"))
        .unwrap();
    assert_eq!(changed.id, evening.id);
    assert_eq!(reminders.get(&evening.id).unwrap().time, "22:00");
    assert!(!reminders.set_enabled(&morning.id, false).unwrap().enabled);
    reminders.delete(&morning.id).unwrap();
    assert!(matches!(
        reminders.delete(&morning.id),
        Err(Error::NotFound)
    ));
    assert!(matches!(reminders.get(&morning.id), Err(Error::NotFound)));
    assert!(matches!(
        reminders.update("nope", daily("10:00", "UTC")),
        Err(Error::NotFound)
    ));
    assert_eq!(reminders.list().unwrap().len(), 1);

    // Sealed: neither the zone nor the time is anywhere in the profile's files.
    kinship.checkpoint().unwrap();
    assert!(files_containing(&path, "America/Sao_Paulo").is_empty());
    assert!(files_containing(&path, "22:00").is_empty());

    kinship.lock();
    assert!(matches!(reminders.list(), Err(Error::Locked)));
    kinship.unlock(PASS).unwrap();
    assert_eq!(
        reminders.list().unwrap()[0].time,
        "22:00",
        "kept across lock"
    );
}

#[test]
fn bad_times_and_unknown_zones_are_refused_with_their_field() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, _) = new_profile(dir.path());
    let reminders = kinship.reminders();
    for time in [
        "24:00", "12:60", "12", "12:5", "ab:cd", "", "-1:00", "12:00:00", "123:00",
    ] {
        let err = reminders.add(daily(time, "Europe/Berlin")).unwrap_err();
        assert_eq!(field_of(err).as_deref(), Some("time"), "{time:?}");
    }
    for zone in ["Mars/Olympus_Mons", "", "+02:00"] {
        let err = reminders.add(daily("09:00", zone)).unwrap_err();
        assert_eq!(field_of(err).as_deref(), Some("zone"), "{zone:?}");
    }
    assert!(reminders.list().unwrap().is_empty(), "nothing stored");
}

#[test]
fn a_time_in_the_skipped_hour_fires_shifted_by_the_gap_and_a_repeated_one_fires_once() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, _) = new_profile(dir.path());
    let reminders = kinship.reminders();
    let r = reminders.add(daily("02:30", "Europe/Berlin")).unwrap();

    // 2026-03-29, Europe/Berlin: 02:00 CET -> 03:00 CEST, so 02:30 does not exist that day.
    let spring = reminders.upcoming(utc("2026-03-28T00:00:00Z"), 3).unwrap();
    let at: Vec<String> = spring.iter().map(|s| s.at.to_rfc3339()).collect();
    assert_eq!(
        at,
        [
            "2026-03-28T01:30:00+00:00", // 02:30 CET
            "2026-03-29T01:30:00+00:00", // in the gap: read as 03:30 CEST
            "2026-03-30T00:30:00+00:00", // 02:30 CEST
        ]
    );
    assert!(spring.iter().all(|s| s.reminder_id == r.id));

    // 2026-10-25: 03:00 CEST -> 02:00 CET, so 02:30 happens twice: it fires once, the first time.
    let autumn = reminders.upcoming(utc("2026-10-24T12:00:00Z"), 2).unwrap();
    let at: Vec<String> = autumn.iter().map(|s| s.at.to_rfc3339()).collect();
    assert_eq!(
        at,
        ["2026-10-25T00:30:00+00:00", "2026-10-26T01:30:00+00:00"]
    );
}

#[test]
fn upcoming_merges_reminders_by_weekday_strictly_after_and_skips_disabled_ones() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, _) = new_profile(dir.path());
    let reminders = kinship.reminders();
    let weekly = reminders
        .add(NewReminder {
            time: "09:00".into(),
            weekdays: vec![Weekday::Mon, Weekday::Fri],
            zone: "Europe/Lisbon".into(),
            enabled: true,
        })
        .unwrap();
    let tokyo = reminders.add(daily("20:00", "Asia/Tokyo")).unwrap();
    let off = reminders.add(daily("10:00", "UTC")).unwrap();
    reminders.set_enabled(&off.id, false).unwrap();

    // Wednesday 2026-12-02 11:00 UTC (20:00 in Tokyo that day is 11:00 UTC: not "after").
    let next = reminders.upcoming(utc("2026-12-02T11:00:00Z"), 5).unwrap();
    let got: Vec<(String, String)> = next
        .iter()
        .map(|s| (s.at.to_rfc3339(), s.reminder_id.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("2026-12-03T11:00:00+00:00".into(), tokyo.id.clone()),
            ("2026-12-04T09:00:00+00:00".into(), weekly.id.clone()), // Friday, WET = UTC
            ("2026-12-04T11:00:00+00:00".into(), tokyo.id.clone()),
            ("2026-12-05T11:00:00+00:00".into(), tokyo.id.clone()),
            ("2026-12-06T11:00:00+00:00".into(), tokyo.id.clone()),
        ]
    );
    assert!(next.iter().all(|s| s.reminder_id != off.id));
    assert!(reminders
        .upcoming(utc("2026-12-02T11:00:00Z"), 0)
        .unwrap()
        .is_empty());
    let many = reminders
        .upcoming(utc("2026-12-02T11:00:00Z"), 10_000)
        .unwrap();
    assert_eq!(many.len(), kinship_core::reminders::MAX_UPCOMING);
    assert!(many.windows(2).all(|w| w[0].at <= w[1].at));
}

#[test]
fn reminders_travel_in_backups_and_are_added_once() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, _) = new_profile(dir.path());
    let a = kinship
        .reminders()
        .add(daily("08:00", "Europe/Berlin"))
        .unwrap();
    kinship.reminders().set_enabled(&a.id, false).unwrap();
    kinship
        .reminders()
        .add(daily("20:30", "Asia/Tokyo"))
        .unwrap();
    let file = dir.path().join("b.kinship");
    kinship
        .export_backup(&file, "backup passphrase 1", &mut |_| {})
        .unwrap();

    let (other, _) = new_profile(&dir.path().join("other"));
    let mine = other.reminders().add(daily("12:00", "UTC")).unwrap();
    let summary = other
        .import_backup(&file, "backup passphrase 1", &mut |_| {})
        .unwrap();
    assert_eq!(summary.reminders, 2);
    let mut got = other.reminders().list().unwrap();
    got.sort_by(|x, y| x.id.cmp(&y.id));
    let mut want = kinship.reminders().list().unwrap();
    want.push(mine);
    want.sort_by(|x, y| x.id.cmp(&y.id));
    assert_eq!(
        got, want,
        "the same reminders, disabled one included, next to its own"
    );
    let again = other
        .import_backup(&file, "backup passphrase 1", &mut |_| {})
        .unwrap();
    assert_eq!(again.reminders, 0);
    assert_eq!(other.reminders().list().unwrap().len(), 3);
}
