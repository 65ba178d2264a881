//! Nothing a person writes reaches the disk in clear.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed step should panic

mod common;

use common::*;

#[test]
fn marker_in_titles_bodies_and_tags_never_appears_in_any_file() {
    let dir = tempfile::tempdir().unwrap();
    let (kinship, path) = new_profile(dir.path());
    let marker = format!("QxMarker{}", std::process::id());
    for i in 0..50 {
        add(
            &kinship,
            i,
            &format!("title {marker} {i}"),
            &format!("body with {marker} inside, entry {i}"),
            Some(3),
            &[&format!("tag{marker}")],
        );
    }
    // Edits and a search index in memory must not leak either.
    let journal = kinship.journal();
    let edited = format!("Edited{marker}");
    let page = journal
        .list(&kinship_core::EntryFilter::default(), 10, None)
        .unwrap();
    assert_eq!(page.entries.len(), 10);
    for entry in &page.entries {
        journal
            .update(
                &entry.id,
                kinship_core::EntryChanges {
                    title: Some(Some(format!("{edited} title"))),
                    body: Some(format!("rewritten with {edited}")),
                    tags: Some(vec![format!("tag{edited}")]),
                    ..Default::default()
                },
                at(100),
            )
            .unwrap();
    }
    assert_eq!(
        journal.search(&edited, 100).unwrap().len(),
        10,
        "the edits happened"
    );
    assert_eq!(
        journal.search(&marker, 100).unwrap().len(),
        40,
        "the 40 unedited"
    );

    let files = snapshot(&path);
    assert!(
        files
            .keys()
            .any(|p| p.to_string_lossy().ends_with(".sqlite-wal")),
        "test should see the WAL: {files:?}"
    );
    for needle in [marker.as_str(), edited.as_str(), PASS] {
        let found = files_containing(&path, needle);
        assert!(
            found.is_empty(),
            "before checkpoint: {needle:?} in {found:?}"
        );
    }
    // Case-folded and accent-stripped forms feed the search index; they must not be on disk.
    assert!(files_containing(&path, &marker.to_lowercase()).is_empty());

    kinship.checkpoint().unwrap();
    for needle in [marker.as_str(), edited.as_str(), PASS] {
        assert!(
            files_containing(&path, needle).is_empty(),
            "after checkpoint"
        );
    }
    kinship.lock();
    for needle in [marker.as_str(), edited.as_str(), PASS] {
        assert!(files_containing(&path, needle).is_empty(), "after lock");
    }
    assert!(files_containing(&path, &marker.to_lowercase()).is_empty());
}

/// Every row of every table of sealed values, as (table, id, sealed length).
fn sealed_rows(database: &std::path::Path) -> Vec<(String, String, usize)> {
    let conn = rusqlite::Connection::open(database).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%sealed%'")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut rows = Vec::new();
    for table in tables {
        let mut statement = conn
            .prepare(&format!("SELECT id, length(sealed) FROM {table}"))
            .unwrap();
        let found = statement
            .query_map([], |row| {
                Ok((
                    table.clone(),
                    row.get::<_, String>(0)?,
                    row.get::<_, usize>(1)?,
                ))
            })
            .unwrap();
        rows.extend(found.map(Result::unwrap));
    }
    rows
}

#[test]
fn fixed_documents_exist_from_creation_and_every_sealed_row_is_padded_to_a_step() {
    use kinship_core::vault::{padded_len, NONCE_LEN, TAG_LEN};
    let dir = tempfile::tempdir().unwrap();
    let (untouched, _) = new_profile(&dir.path().join("untouched"));
    let (used, _) = new_profile(&dir.path().join("used"));
    let (untouched_path, used_path) = (
        untouched.database_file().unwrap(),
        used.database_file().unwrap(),
    );
    used.safety_plan()
        .set_section(
            kinship_core::Section::WarningSigns,
            vec!["Not sleeping".into()],
            at(0),
        )
        .unwrap();
    used.safety_plan()
        .add_contact("Sam", "+44 7700 900123", at(1))
        .unwrap();
    used.coping().favorite("box-breathing").unwrap();
    for (i, body) in ["short", &"a longer entry ".repeat(60), &"x".repeat(3000)]
        .iter()
        .enumerate()
    {
        add(&used, i as i64, "t", body, Some(3), &[]);
    }
    untouched.lock();
    used.lock();

    let documents = |rows: &[(String, String, usize)]| -> Vec<(String, usize)> {
        let mut docs: Vec<_> = rows
            .iter()
            .filter(|(table, _, _)| table == "documents")
            .map(|(_, id, len)| (id.clone(), *len))
            .collect();
        docs.sort();
        docs
    };
    let untouched_rows = sealed_rows(&untouched_path);
    let used_rows = sealed_rows(&used_path);
    // The same document rows, of the same sizes: a short plan, one favourite and no reminders
    // look exactly like none at all.
    assert_eq!(documents(&untouched_rows), documents(&used_rows));
    let names: Vec<String> = documents(&untouched_rows)
        .into_iter()
        .map(|d| d.0)
        .collect();
    for fixed in ["coping_favorites", "reminders", "safety_plan"] {
        assert!(
            names.contains(&fixed.to_owned()),
            "{fixed} missing: {names:?}"
        );
    }
    // Every sealed value (journal entries included) is a padding step plus the nonce, the tag
    // and the format byte.
    let overhead = 1 + NONCE_LEN + TAG_LEN;
    let steps: std::collections::BTreeSet<usize> =
        (0..100_000).map(padded_len).map(|n| n + overhead).collect();
    let mut journal_sizes = std::collections::BTreeSet::new();
    for (table, id, len) in untouched_rows.iter().chain(&used_rows) {
        assert!(steps.contains(len), "{table}/{id}: {len} is not a step");
        if table == "journal_entries" {
            journal_sizes.insert(*len);
        }
    }
    assert_eq!(
        journal_sizes.len(),
        3,
        "three entries of different lengths: {journal_sizes:?}"
    );
}
