//! Nothing a person writes reaches the disk in clear.

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
        files.keys().any(|p| p.ends_with("kinship.sqlite-wal")),
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
