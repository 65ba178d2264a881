//! Journal behaviour through the public API: CRUD, paging, filters, search, stats, damage.

mod common;

use chrono::{NaiveDate, TimeZone, Utc};
use common::*;
use kinship_core::{EntryChanges, EntryFilter, Error, Kinship, NewEntry, StatsRange};

#[test]
fn create_read_update_delete() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, _) = new_profile(dir.path());
    let journal = kinship.journal();
    let entry = add(&kinship, 0, "First", "hello", Some(3), &["calm"]);
    assert_eq!(entry.id.len(), 32);
    assert_eq!(entry.created_at, at(0));
    assert_eq!(journal.get(&entry.id).unwrap(), entry);

    let edited = journal
        .update(
            &entry.id,
            EntryChanges {
                title: Some(None),
                body: Some("changed".into()),
                mood: Some(Some(5)),
                tags: Some(vec!["joy".into()]),
                strategy_ids: Some(vec!["box-breathing".into()]),
            },
            at(10),
        )
        .unwrap();
    assert_eq!(edited.title, None);
    assert_eq!(edited.body, "changed");
    assert_eq!(edited.mood, Some(5));
    assert_eq!(edited.tags, ["joy"]);
    assert_eq!(edited.strategy_ids, ["box-breathing"]);
    assert_eq!(edited.created_at, at(0));
    assert_eq!(edited.updated_at, at(10));
    assert_eq!(journal.get(&entry.id).unwrap(), edited);

    journal.delete(&entry.id).unwrap();
    assert!(matches!(journal.get(&entry.id), Err(Error::NotFound)));
    assert!(matches!(journal.delete(&entry.id), Err(Error::NotFound)));
    assert_eq!(journal.count().unwrap(), 0);
}

#[test]
fn invalid_input_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, _) = new_profile(dir.path());
    let journal = kinship.journal();
    let entry = add(&kinship, 0, "t", "b", Some(2), &[]);
    let bad_mood = NewEntry {
        body: "x".into(),
        mood: Some(6),
        ..NewEntry::default()
    };
    assert!(matches!(
        journal.add(bad_mood, at(1)),
        Err(Error::InvalidInput { field: Some(f), .. }) if f == "mood"
    ));
    assert!(matches!(
        journal.add(NewEntry::default(), at(1)),
        Err(Error::InvalidInput { field: Some(f), .. }) if f == "body"
    ));
    let too_many_tags = NewEntry {
        body: "x".into(),
        tags: (0..40).map(|i| format!("t{i}")).collect(),
        ..NewEntry::default()
    };
    assert!(matches!(
        journal.add(too_many_tags, at(1)),
        Err(Error::InvalidInput { field: Some(f), .. }) if f == "tags"
    ));
    let long_title = NewEntry {
        title: Some("x".repeat(500)),
        ..NewEntry::default()
    };
    assert!(matches!(
        journal.add(long_title, at(1)),
        Err(Error::InvalidInput { field: Some(f), .. }) if f == "title"
    ));
    let bad_edit = EntryChanges {
        mood: Some(Some(0)),
        ..EntryChanges::default()
    };
    assert!(matches!(
        journal.update(&entry.id, bad_edit, at(2)),
        Err(Error::InvalidInput { field: Some(f), .. }) if f == "mood"
    ));
    assert!(matches!(
        journal.get("0123456789abcdef0123456789abcdef"),
        Err(Error::NotFound)
    ));
    assert!(matches!(
        journal.list(&EntryFilter::default(), 10, Some("garbage")),
        Err(Error::InvalidInput { field: Some(f), .. }) if f == "cursor"
    ));

    assert_eq!(journal.count().unwrap(), 1);
    assert_eq!(journal.get(&entry.id).unwrap(), entry);
}

#[test]
fn listing_pages_newest_first_and_visits_every_entry_once() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, _) = new_profile(dir.path());
    let journal = kinship.journal();
    let mut ids: Vec<String> = (0..37)
        .map(|i| add(&kinship, i * 7 % 37, "t", &format!("n{i}"), None, &[]).id)
        .collect();
    // Two entries at the same instant still get a stable order (by id).
    ids.push(add(&kinship, 5, "same time", "x", None, &[]).id);

    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = journal
            .list(&EntryFilter::default(), 5, cursor.as_deref())
            .unwrap();
        assert!(page.entries.len() <= 5);
        seen.extend(page.entries);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(seen.len(), ids.len());
    for pair in seen.windows(2) {
        assert!(pair[0].created_at >= pair[1].created_at, "not newest first");
    }
    let mut seen_ids: Vec<_> = seen.iter().map(|e| e.id.clone()).collect();
    seen_ids.sort();
    ids.sort();
    assert_eq!(seen_ids, ids);
}

#[test]
fn filters_by_tag_mood_and_date_range() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, _) = new_profile(dir.path());
    let journal = kinship.journal();
    add(&kinship, 0, "a", "x", Some(1), &["Family"]);
    add(&kinship, 60, "b", "x", Some(4), &["work"]);
    add(&kinship, 120, "c", "x", Some(4), &["family", "work"]);
    add(&kinship, 24 * 60, "d", "x", Some(2), &[]);

    let titles = |filter: EntryFilter| -> Vec<String> {
        journal
            .list(&filter, 50, None)
            .unwrap()
            .entries
            .into_iter()
            .filter_map(|e| e.title)
            .collect()
    };
    assert_eq!(
        titles(EntryFilter {
            tag: Some("FAMILY".into()),
            ..Default::default()
        }),
        ["c", "a"]
    );
    assert_eq!(
        titles(EntryFilter {
            mood: Some(4),
            ..Default::default()
        }),
        ["c", "b"]
    );
    // at(0) is 07:00 UTC; from 08:00 UTC until the next day 00:00 UTC: b and c.
    let from = Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0).unwrap();
    let until = Utc.with_ymd_and_hms(2026, 11, 21, 0, 0, 0).unwrap();
    assert_eq!(
        titles(EntryFilter {
            from: Some(from),
            until: Some(until),
            ..Default::default()
        }),
        ["c", "b"]
    );
    assert_eq!(
        titles(EntryFilter {
            from: Some(until),
            until: Some(from),
            ..Default::default()
        }),
        Vec::<String>::new()
    );
    assert!(matches!(
        journal.list(
            &EntryFilter {
                mood: Some(9),
                ..Default::default()
            },
            5,
            None
        ),
        Err(Error::InvalidInput { .. })
    ));
}

#[test]
fn search_ignores_case_and_accents_and_matches_word_prefixes() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, _) = new_profile(dir.path());
    let journal = kinship.journal();
    let cafe = add(
        &kinship,
        0,
        "Café with Léa",
        "We talked about COMING OUT.",
        None,
        &[],
    );
    let group = add(
        &kinship,
        1,
        "Group",
        "The support group met in the park",
        None,
        &["Résilience"],
    );
    add(&kinship, 2, "Other", "nothing related", None, &[]);

    let ids = |q: &str| -> Vec<String> {
        journal
            .search(q, 10)
            .unwrap()
            .into_iter()
            .map(|e| e.id)
            .collect()
    };
    assert_eq!(ids("cafe"), vec![cafe.id.clone()]);
    assert_eq!(ids("LÉA"), vec![cafe.id.clone()]);
    assert_eq!(ids("com out"), vec![cafe.id.clone()]);
    assert_eq!(ids("resil"), vec![group.id.clone()]);
    assert_eq!(ids("supp gro park"), vec![group.id.clone()]);
    assert!(ids("support cafe").is_empty(), "all words must match");
    assert!(ids("upport").is_empty(), "only word prefixes match");
    assert!(ids("  ").is_empty());

    // The index follows edits and deletions.
    journal
        .update(
            &cafe.id,
            EntryChanges {
                title: Some(Some("Tea".into())),
                ..Default::default()
            },
            at(5),
        )
        .unwrap();
    assert!(ids("lea").is_empty());
    assert_eq!(ids("tea"), vec![cafe.id.clone()]);
    journal.delete(&group.id).unwrap();
    assert!(ids("park").is_empty());
    // And survives lock/unlock (rebuilt from the sealed rows).
    kinship.lock();
    kinship.unlock(PASS).unwrap();
    assert_eq!(ids("tea"), [cafe.id]);
}

#[test]
fn stats_average_mood_per_day_and_week_count_tags_and_streak() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, _) = new_profile(dir.path());
    let day = 24 * 60;
    // 2026-11-20 is a Friday (ISO week 47); 2026-11-23 is Monday of week 48.
    add(&kinship, 0, "a", "x", Some(2), &["sleep"]);
    add(&kinship, 30, "b", "x", Some(4), &["Sleep", "work"]);
    add(&kinship, day, "c", "x", Some(5), &[]);
    add(&kinship, 2 * day, "d", "x", None, &["work"]);
    add(&kinship, 3 * day, "e", "x", Some(1), &[]);

    let stats = kinship
        .journal()
        .stats(&StatsRange {
            from: None,
            to: None,
            today: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        })
        .unwrap();
    assert_eq!(stats.entries, 5);
    let days: Vec<(String, f64)> = stats
        .mood_by_day
        .iter()
        .map(|p| (p.period.to_string(), p.average))
        .collect();
    assert_eq!(
        days,
        [
            ("2026-11-20".into(), 3.0),
            ("2026-11-21".into(), 5.0),
            ("2026-11-23".into(), 1.0)
        ]
    );
    let weeks: Vec<(String, f64, u32)> = stats
        .mood_by_week
        .iter()
        .map(|p| (p.period.to_string(), p.average, p.rated_entries))
        .collect();
    assert_eq!(
        weeks,
        [
            ("2026-W47".into(), 11.0 / 3.0, 3),
            ("2026-W48".into(), 1.0, 1)
        ]
    );
    assert!(matches!(
        stats.mood_by_week[1].period,
        kinship_core::journal::Period::Week { iso_year: 2026, week: 48, first_day }
            if first_day == NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    ));
    assert_eq!(stats.tag_counts[0].tag, "sleep");
    assert_eq!(stats.tag_counts[0].count, 2);
    assert_eq!(stats.tag_counts[1].count, 2);
    assert_eq!(stats.current_streak_days, 4);

    let ranged = kinship
        .journal()
        .stats(&StatsRange {
            from: NaiveDate::from_ymd_opt(2026, 11, 21),
            to: NaiveDate::from_ymd_opt(2026, 11, 22),
            today: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
        })
        .unwrap();
    assert_eq!(ranged.entries, 2);
    assert_eq!(ranged.current_streak_days, 0);
}

#[test]
fn one_flipped_byte_makes_only_that_entry_corrupted() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, path) = new_profile(dir.path());
    let entries: Vec<_> = (0..10)
        .map(|i| add(&kinship, i, "t", &format!("entry {i}"), None, &[]))
        .collect();
    let victim = &entries[4];
    let database = kinship.database_file().unwrap();
    drop(kinship);

    let conn = rusqlite::Connection::open(database).unwrap();
    let mut sealed: Vec<u8> = conn
        .query_row(
            "SELECT sealed FROM journal_entries WHERE id = ?1",
            [&victim.id],
            |r| r.get(0),
        )
        .unwrap();
    let middle = sealed.len() / 2;
    sealed[middle] ^= 0x01;
    conn.execute(
        "UPDATE journal_entries SET sealed = ?2 WHERE id = ?1",
        rusqlite::params![victim.id, sealed],
    )
    .unwrap();
    drop(conn);

    let kinship = Kinship::open(&path).unwrap();
    kinship.unlock(PASS).unwrap();
    let journal = kinship.journal();
    assert!(matches!(
        journal.get(&victim.id),
        Err(Error::Corrupted { .. })
    ));
    for entry in entries.iter().filter(|e| e.id != victim.id) {
        assert_eq!(&journal.get(&entry.id).unwrap(), entry);
    }
    assert_eq!(
        journal
            .list(&EntryFilter::default(), 50, None)
            .unwrap()
            .entries
            .len(),
        9
    );
    assert_eq!(journal.unreadable_ids().unwrap(), vec![victim.id.clone()]);
}

#[test]
fn a_row_swapped_into_another_id_fails_to_open() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, path) = new_profile(dir.path());
    let a = add(&kinship, 0, "a", "first", None, &[]);
    let b = add(&kinship, 1, "b", "second", None, &[]);
    let database = kinship.database_file().unwrap();
    drop(kinship);
    let conn = rusqlite::Connection::open(database).unwrap();
    conn.execute(
        "UPDATE journal_entries SET sealed = (SELECT sealed FROM journal_entries WHERE id = ?1) WHERE id = ?2",
        [&a.id, &b.id],
    )
    .unwrap();
    drop(conn);
    let kinship = Kinship::open(&path).unwrap();
    kinship.unlock(PASS).unwrap();
    assert!(matches!(
        kinship.journal().get(&b.id),
        Err(Error::Corrupted { .. })
    ));
    assert_eq!(kinship.journal().get(&a.id).unwrap(), a);
}

#[test]
fn markdown_export_writes_one_readable_file_per_entry() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, _) = new_profile(dir.path());
    add(&kinship, 0, "Hello", "Plain words", Some(3), &["a", "b"]);
    add(&kinship, 1, "Again", "More words", None, &[]);
    let out = dir.path().join("md");
    assert_eq!(kinship.export_markdown_unencrypted(&out).unwrap(), 2);
    let texts: Vec<String> = snapshot(&out)
        .into_values()
        .map(|b| String::from_utf8(b).unwrap())
        .collect();
    assert_eq!(texts.len(), 2);
    assert!(texts.iter().any(|t| t.starts_with("# Hello")
        && t.contains("Plain words")
        && t.contains("Tags: a, b")));
}

#[test]
fn search_pages_newest_first_and_visits_every_match_once() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, _) = new_profile(dir.path());
    let journal = kinship.journal();
    let mut matching = Vec::new();
    for minute in 0..7 {
        let text = if minute % 3 == 2 {
            "unrelated"
        } else {
            "walked by the river"
        };
        let entry = add(&kinship, minute, "Day", text, None, &[]);
        if minute % 3 != 2 {
            matching.push(entry.id);
        }
    }
    matching.reverse();
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = journal.search_page("river", 2, cursor.as_deref()).unwrap();
        assert!(page.entries.len() <= 2);
        seen.extend(page.entries.into_iter().map(|e| e.id));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, matching, "every match once, newest first");
    assert!(matches!(
        journal.search_page("river", 2, Some("not a cursor")),
        Err(Error::InvalidInput { .. })
    ));
}
