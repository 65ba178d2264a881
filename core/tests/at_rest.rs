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
    assert_eq!(journal.search(&marker, 100).unwrap().len(), 50);

    let files = snapshot(&path);
    assert!(
        files.keys().any(|p| p.ends_with("kinship.sqlite-wal")),
        "test should see the WAL: {files:?}"
    );
    assert!(
        files_containing(&path, &marker).is_empty(),
        "before checkpoint"
    );
    // Case-folded and accent-stripped forms feed the search index; they must not be on disk.
    assert!(files_containing(&path, &marker.to_lowercase()).is_empty());

    kinship.checkpoint().unwrap();
    assert!(
        files_containing(&path, &marker).is_empty(),
        "after checkpoint"
    );
    kinship.lock();
    assert!(files_containing(&path, &marker).is_empty(), "after lock");
    assert!(files_containing(&path, &marker.to_lowercase()).is_empty());
}
