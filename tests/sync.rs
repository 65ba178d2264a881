//! The core's sync client against a live kinship-server on loopback.

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use kinship_core::directory::reports::ReportProblem;
use kinship_core::groups::EventQuery;
use kinship_core::sync::SyncOptions;
use kinship_core::Error;
use kinship_e2e::*;
use kinship_protocol::Visibility;

fn quick() -> SyncOptions {
    SyncOptions {
        base_backoff: Duration::from_millis(20),
        ..SyncOptions::default()
    }
}

fn all_events() -> EventQuery {
    EventQuery {
        from: Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap(),
        days: 365,
        group_id: None,
        category: None,
        include_cancelled: true,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn first_and_incremental_sync_with_edits_cancellations_and_deletions() {
    let server = Server::start().await;
    let group = server.group("Queer Climbers", Visibility::Public).await;
    let first = server.post(&group, "Bouldering night").await;
    let second = server.post(&group, "Rope basics").await;
    let (phone, _dir) = phone();
    let groups = phone.groups();
    let followed = groups
        .follow(&server.base, &group.group_id, None)
        .await
        .unwrap();
    assert_eq!(followed.name, "Queer Climbers");

    let report = groups.sync_with(&quick()).await.unwrap();
    assert_eq!(
        (
            report.groups[0].new,
            report.groups[0].updated,
            report.groups[0].removed
        ),
        (2, 0, 0)
    );
    assert_eq!(groups.upcoming(&all_events()).unwrap().len(), 2);

    let mut cancelled = event("Bouldering night");
    cancelled["status"] = "cancelled".into();
    server
        .put(&group, first["id"].as_str().unwrap(), &cancelled)
        .await;
    server.delete(&group, second["id"].as_str().unwrap()).await;
    server.post(&group, "Trip to the crag").await;
    let report = groups.sync_with(&quick()).await.unwrap();
    assert_eq!(
        (
            report.groups[0].new,
            report.groups[0].updated,
            report.groups[0].removed
        ),
        (1, 1, 1)
    );
    let events = groups.upcoming(&all_events()).unwrap();
    let titles: Vec<&str> = events
        .iter()
        .map(|e| e.event.input.title.as_str())
        .collect();
    assert_eq!(titles.len(), 2);
    assert!(titles.contains(&"Trip to the crag") && !titles.contains(&"Rope basics"));
    let bouldering = groups.event(first["id"].as_str().unwrap()).unwrap();
    assert!(bouldering.is_cancelled());
    // "Everything from now on": a huge span is not an overflow (it used to panic).
    let everything = groups
        .upcoming(&EventQuery::from_now(
            Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap(),
            u32::MAX,
        ))
        .unwrap();
    assert_eq!(everything.len(), 2);
    let without_cancelled = EventQuery {
        include_cancelled: false,
        ..all_events()
    };
    assert_eq!(groups.upcoming(&without_cancelled).unwrap().len(), 1);

    // Nothing about the group or events is stored in clear on the phone, in the WAL before a
    // checkpoint or in the database after it, at any depth of the profile folder.
    let needles = [
        "Queer Climbers",
        "Bouldering",
        "Trip to the crag",
        &group.group_id,
        PASS,
    ];
    for when in ["before checkpoint", "after checkpoint"] {
        for needle in needles {
            assert_eq!(
                files_containing(phone.data_dir(), needle),
                Vec::<std::path::PathBuf>::new(),
                "found at rest {when}"
            );
        }
        phone.checkpoint().unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_private_groups_member_token_and_invite_code_never_reach_the_disk_in_clear() {
    let server = Server::start().await;
    let group = server.group("Trans peer circle", Visibility::Private).await;
    server.post(&group, "Quiet evening").await;
    let invite = group
        .invite_code
        .clone()
        .expect("a private group has an invite code");
    let proxy = Proxy::start(&server.base).await;
    let (phone, _dir) = phone();
    let groups = phone.groups();
    groups
        .follow(&proxy.base, &group.group_id, Some(&invite))
        .await
        .unwrap();
    assert_eq!(groups.sync_with(&quick()).await.unwrap().groups[0].new, 1);
    let tokens = proxy.bearer_tokens();
    let member_token = tokens
        .last()
        .expect("the feed was read with a member token");
    assert!(member_token.len() >= 20, "a real token");

    let needles = [
        member_token.as_str(),
        &invite,
        &group.group_id,
        "Trans peer circle",
        "Quiet evening",
        PASS,
    ];
    let scan = |when: &str| {
        for needle in needles {
            assert_eq!(
                files_containing(phone.data_dir(), needle),
                Vec::<std::path::PathBuf>::new(),
                "found at rest {when}"
            );
        }
    };
    scan("before checkpoint");
    phone.checkpoint().unwrap();
    scan("after checkpoint");
    phone.lock();
    scan("after lock");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_no_change_poll_is_one_request_answered_304() {
    let server = Server::start().await;
    let group = server.group("Quiet", Visibility::Public).await;
    server.post(&group, "Only event").await;
    let proxy = Proxy::start(&server.base).await;
    let (phone, _dir) = phone();
    let groups = phone.groups();
    groups
        .follow(&proxy.base, &group.group_id, None)
        .await
        .unwrap();
    groups.sync_with(&quick()).await.unwrap();
    proxy.clear_log();
    let report = groups.sync_with(&quick()).await.unwrap();
    assert!(report.groups[0].not_modified);
    let requests = proxy.log();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert!(
        requests[0].0.ends_with("/events") && requests[0].1 == 304,
        "{requests:?}"
    );
    assert_eq!(report.requests, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_killed_mid_sync_leaves_consistent_data_and_the_next_sync_completes() {
    let server = Server::start().await;
    let group = server.group("Big group", Visibility::Public).await;
    for i in 0..120 {
        server.post(&group, &format!("Event {i:03}")).await;
    }
    let proxy = Proxy::start(&server.base).await;
    let address = proxy.address;
    let (phone, _dir) = phone();
    let groups = phone.groups();
    groups
        .follow(&proxy.base, &group.group_id, None)
        .await
        .unwrap();
    proxy.die_after_pages(3);
    let options = SyncOptions {
        page_size: 20,
        ..quick()
    };
    let result = groups.sync_with(&options).await;
    assert!(matches!(result, Err(Error::Offline)), "{result:?}");
    proxy.wait_dead().await;
    let cached = groups.upcoming(&all_events()).unwrap();
    assert_eq!(
        cached.len(),
        60,
        "exactly the three pages that arrived, each whole"
    );

    let _back = Proxy::start_on(address, &server.base).await;
    let report = groups.sync_with(&options).await.unwrap();
    assert_eq!(report.groups[0].new, 60, "resumes from the stored cursor");
    let cached = groups.upcoming(&all_events()).unwrap();
    assert_eq!(cached.len(), 120);
    let ids: std::collections::HashSet<&str> = cached.iter().map(|e| e.event.id.as_str()).collect();
    assert_eq!(ids.len(), 120, "no duplicates");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_connection_dropped_halfway_through_a_page_stores_nothing_of_it() {
    let server = Server::start().await;
    let group = server.group("Cut off", Visibility::Public).await;
    for i in 0..20 {
        server.post(&group, &format!("Event {i:03}")).await;
    }
    let proxy = Proxy::start(&server.base).await;
    let (phone, _dir) = phone();
    let groups = phone.groups();
    groups
        .follow(&proxy.base, &group.group_id, None)
        .await
        .unwrap();
    let options = SyncOptions {
        page_size: 20,
        ..quick()
    };
    groups.sync_with(&options).await.unwrap();
    assert_eq!(groups.upcoming(&all_events()).unwrap().len(), 20);
    // The cursor the phone holds shows in the `since` of its next feed request.
    let feed_requests = |from: usize| -> Vec<String> {
        proxy.requested()[from..]
            .iter()
            .filter(|r| r.contains("/events?"))
            .cloned()
            .collect()
    };
    for i in 20..60 {
        server.post(&group, &format!("Event {i:03}")).await;
    }

    // Cut off on every attempt the client makes (it retries a broken page), so the sync has to
    // give up with that page half-received.
    let attempts = options.max_attempts as usize;
    proxy.inject(vec![Fault::CutBody; attempts]);
    let mark = proxy.requested().len();
    let report = groups.sync_with(&options).await.unwrap();
    let cut_requests = feed_requests(mark);
    let cut_request = cut_requests.first().cloned().expect("a feed request");
    assert_eq!(
        proxy.cuts(),
        attempts,
        "every attempt's body was cut off halfway"
    );
    assert!(
        cut_requests.iter().all(|r| *r == cut_request),
        "each retry asked for the same page: {cut_requests:?}"
    );
    assert!(
        report.groups[0].error.is_some(),
        "the cut page is an error: {report:?}"
    );
    assert_eq!(report.groups[0].new, 0);
    assert_eq!(
        groups.upcoming(&all_events()).unwrap().len(),
        20,
        "nothing of the cut page is stored"
    );

    let mark = proxy.requested().len();
    let report = groups.sync_with(&options).await.unwrap();
    assert_eq!(
        feed_requests(mark).first(),
        Some(&cut_request),
        "the cursor did not move: the next sync asks for the same page"
    );
    assert_eq!(
        report.groups[0].new, 40,
        "the next sync fetches the page again"
    );
    let cached = groups.upcoming(&all_events()).unwrap();
    let ids: std::collections::HashSet<&str> = cached.iter().map(|e| e.event.id.as_str()).collect();
    assert_eq!((cached.len(), ids.len()), (60, 60));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_500_then_success_and_a_429_with_retry_after_are_ridden_out() {
    let server = Server::start().await;
    let group = server.group("Flaky", Visibility::Public).await;
    server.post(&group, "Still happens").await;
    let proxy = Proxy::start(&server.base).await;
    let (phone, _dir) = phone();
    let groups = phone.groups();
    groups
        .follow(&proxy.base, &group.group_id, None)
        .await
        .unwrap();

    proxy.inject(vec![Fault::ServerError]);
    let report = groups.sync_with(&quick()).await.unwrap();
    assert_eq!(report.groups[0].new, 1);
    assert!(report.groups[0].error.is_none());

    server.post(&group, "Another").await;
    proxy.inject(vec![Fault::TooManyRequests(1)]);
    let started = Instant::now();
    let report = groups.sync_with(&quick()).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After was honoured"
    );
    assert_eq!(report.groups[0].new, 1);
    let statuses: Vec<u16> = proxy.log().into_iter().map(|(_, s)| s).collect();
    assert!(statuses.contains(&500) && statuses.contains(&429));
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_json_is_an_error_and_changes_nothing() {
    let server = Server::start().await;
    let group = server.group("Odd", Visibility::Public).await;
    server.post(&group, "First").await;
    let proxy = Proxy::start(&server.base).await;
    let (phone, _dir) = phone();
    let groups = phone.groups();
    groups
        .follow(&proxy.base, &group.group_id, None)
        .await
        .unwrap();
    groups.sync_with(&quick()).await.unwrap();
    server.post(&group, "Second").await;

    proxy.inject(vec![Fault::MalformedJson]);
    let report = groups.sync_with(&quick()).await.unwrap();
    let error = report.groups[0].error.clone().expect("an error");
    assert!(error.contains("malformed JSON"), "{error}");
    assert_eq!(
        groups.upcoming(&all_events()).unwrap().len(),
        1,
        "cache untouched"
    );
    let report = groups.sync_with(&quick()).await.unwrap();
    assert_eq!(
        report.groups[0].new, 1,
        "the next sync picks up where it was"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn private_groups_need_the_right_invite_code() {
    let server = Server::start().await;
    let group = server.group("Private circle", Visibility::Private).await;
    server.post(&group, "Members only").await;
    let (phone, _dir) = phone();
    let groups = phone.groups();
    // Without an invite code a private group answers as a missing one (no probing of ids).
    let refused = groups.follow(&server.base, &group.group_id, None).await;
    assert!(
        matches!(
            refused,
            Err(Error::Remote {
                status: Some(404),
                ..
            })
        ),
        "{refused:?}"
    );
    let wrong = groups
        .follow(&server.base, &group.group_id, Some("inv_wrong"))
        .await;
    assert!(
        matches!(
            wrong,
            Err(Error::Remote {
                status: Some(403),
                ..
            })
        ),
        "{wrong:?}"
    );
    assert!(
        groups.list().unwrap().is_empty(),
        "nothing followed after a refusal"
    );
    groups
        .follow(&server.base, &group.group_id, group.invite_code.as_deref())
        .await
        .unwrap();
    let report = groups.sync_with(&quick()).await.unwrap();
    assert_eq!(report.groups[0].new, 1);
    groups.unfollow(&group.group_id).unwrap();
    assert!(
        groups.upcoming(&all_events()).unwrap().is_empty(),
        "leaving forgets the cache"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn public_and_private_groups_are_joined_by_their_links() {
    let server = Server::start().await;
    let public = server.group("Queer hiking", Visibility::Public).await;
    let private = server.group("Trans peer circle", Visibility::Private).await;
    server.post(&private, "Members only").await;
    let invite = private.invite_code.clone().expect("an invite code");
    let (phone, _dir) = phone();
    let groups = phone.groups();

    let joined = groups
        .join(&format!("{}/join/{}", server.base, public.group_id))
        .await
        .unwrap();
    assert_eq!(
        (
            joined.name.as_str(),
            joined.visibility,
            joined.server_url.as_str()
        ),
        ("Queer hiking", Visibility::Public, server.base.as_str())
    );

    // Without its code, a private group's link is refused like `follow` without one: the
    // server answers as for a group that does not exist.
    let bare = format!("{}/join/{}", server.base, private.group_id);
    let refused = groups.join(&bare).await;
    assert!(
        matches!(
            refused,
            Err(Error::Remote {
                status: Some(404),
                ..
            })
        ),
        "{refused:?}"
    );
    let wrong = groups.join(&format!("{bare}#invite=inv_wrong")).await;
    assert!(
        matches!(
            wrong,
            Err(Error::Remote {
                status: Some(403),
                ..
            })
        ),
        "{wrong:?}"
    );
    let joined = groups
        .join(&format!("{bare}#invite={invite}"))
        .await
        .unwrap();
    assert_eq!(joined.visibility, Visibility::Private);
    let report = groups.sync_with(&quick()).await.unwrap();
    let private_report = report
        .groups
        .iter()
        .find(|g| g.group_id == private.group_id)
        .expect("the private group synced");
    assert_eq!(
        private_report.new, 1,
        "the member token from the link's code reads the feed"
    );

    // The same link again is a duplicate, not a second follow.
    let again = groups.join(&format!("{bare}#invite={invite}")).await;
    assert!(
        matches!(
            again,
            Err(Error::InvalidInput {
                problem: kinship_core::InputProblem::Duplicate,
                ..
            })
        ),
        "{again:?}"
    );
    // A link to a server over plain http on the network is refused before any request.
    let remote_http = groups
        .join(&format!(
            "http://groups.example.org/join/{}",
            public.group_id
        ))
        .await;
    assert!(
        matches!(&remote_http, Err(Error::InvalidInput { field: Some(f), .. }) if f == "link"),
        "{remote_http:?}"
    );
    assert_eq!(groups.list().unwrap().len(), 2);
    for needle in [invite.as_str(), &private.group_id] {
        assert_eq!(
            files_containing(phone.data_dir(), needle),
            Vec::<std::path::PathBuf>::new(),
            "found at rest"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cursor_older_than_the_kept_history_resyncs_from_scratch() {
    let server = Server::start().await;
    let group = server.group("Old", Visibility::Public).await;
    let a = server.post(&group, "A").await;
    server.post(&group, "B").await;
    let (phone, _dir) = phone();
    let groups = phone.groups();
    groups
        .follow(&server.base, &group.group_id, None)
        .await
        .unwrap();
    groups.sync_with(&quick()).await.unwrap();
    server.delete(&group, a["id"].as_str().unwrap()).await;
    server.post(&group, "C").await;
    server
        .store()
        .await
        .purge_tombstones(Utc::now() + chrono::Duration::seconds(1))
        .await
        .unwrap();
    server.post(&group, "D").await;
    let report = groups.sync_with(&quick()).await.unwrap();
    assert!(report.groups[0].resynced);
    let titles: Vec<String> = groups
        .upcoming(&all_events())
        .unwrap()
        .into_iter()
        .map(|e| e.event.input.title)
        .collect();
    let mut sorted = titles.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        ["B", "C", "D"],
        "the deleted event is gone even though its tombstone was purged"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn offline_is_reported_and_cached_events_keep_working() {
    let server = Server::start().await;
    let group = server.group("Gone soon", Visibility::Public).await;
    server.post(&group, "Cached").await;
    let (phone, _dir) = phone();
    let groups = phone.groups();
    groups
        .follow(&server.base, &group.group_id, None)
        .await
        .unwrap();
    groups.sync_with(&quick()).await.unwrap();
    drop(server);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(matches!(
        groups.sync_with(&quick()).await,
        Err(Error::Offline)
    ));
    assert_eq!(
        groups.upcoming(&all_events()).unwrap()[0].event.input.title,
        "Cached"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn ics_export_parses_with_an_independent_icalendar_parser() {
    let server = Server::start().await;
    let group = server.group("Calendar", Visibility::Public).await;
    let mut cancelled = event("Cancelled, sadly; sorry \\ folks");
    cancelled["status"] = "cancelled".into();
    let created = server
        .post(&group, "Pride picnic, with snacks; all welcome")
        .await;
    let second: serde_json::Value = reqwest::Client::new()
        .post(format!(
            "{}/v1/groups/{}/events",
            server.base, group.group_id
        ))
        .bearer_auth(&group.organizer_token)
        .json(&cancelled)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (phone, dir) = phone();
    let groups = phone.groups();
    groups
        .follow(&server.base, &group.group_id, None)
        .await
        .unwrap();
    groups.sync_with(&quick()).await.unwrap();
    let ids = vec![
        created["id"].as_str().unwrap().to_owned(),
        second["id"].as_str().unwrap().to_owned(),
    ];
    let calendar = groups.export_ics(&ids, Utc::now()).unwrap();
    let file = dir.path().join("events.ics");
    std::fs::write(&file, &calendar).unwrap();

    // Python's `icalendar` package (installed by scripts/test) reads it back.
    if !kinship_test_support::python_has(&["icalendar"]) {
        return;
    }
    let check = r#"
import sys, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
for ev in cal.walk('VEVENT'):
    print(ev['UID'], '|', ev['SUMMARY'], '|', ev['DTSTART'].dt.isoformat(), '|', ev['STATUS'], '|', ev['SEQUENCE'])
"#;
    let output = std::process::Command::new("python3")
        .args(["-c", check])
        .arg(&file)
        .output()
        .expect("python3");
    assert!(
        output.status.success(),
        "icalendar could not parse it (run ./scripts/test, which installs it): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0].contains("Pride picnic, with snacks; all welcome")
            && lines[0].contains("2027-03-05T23:00:00+00:00")
            && lines[0].contains("CONFIRMED"),
        "{text}"
    );
    assert!(
        lines[1].contains("Cancelled, sadly; sorry \\ folks") && lines[1].contains("CANCELLED"),
        "{text}"
    );
    let version = created["version"].as_i64().unwrap().to_string();
    assert!(
        lines[0].trim_end().ends_with(&version),
        "SEQUENCE follows the version: {text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn directory_reports_queue_offline_sealed_and_reach_the_server_anonymously() {
    let server = Server::start().await;
    let group = server.group("Report group", Visibility::Private).await;
    let invite = group.invite_code.clone().expect("invite");
    let proxy = Proxy::start(&server.base).await;
    let address = proxy.address;
    let (phone, _dir) = phone();
    let groups = phone.groups();
    groups
        .follow(&proxy.base, &group.group_id, Some(&invite))
        .await
        .unwrap();
    groups.sync_with(&quick()).await.unwrap();

    // Offline first: the server goes away, the person reports two entries.
    proxy.die_after_pages(0);
    drop(proxy);
    let directory = phone.personal_directory();
    let entry_id = kinship_core::Directory::builtin()
        .unwrap()
        .crisis_contacts("US", Utc::now())
        .contacts
        .iter()
        .find(|c| c.kind != kinship_core::directory::Kind::Emergency)
        .map(|c| c.id.clone())
        .expect("a US crisis line");
    let note = "NoteMarker rang twice, no answer";
    directory
        .report(
            &entry_id,
            ReportProblem::DidNotConnect,
            Some(note.into()),
            Utc::now(),
        )
        .unwrap();
    directory
        .report(&entry_id, ReportProblem::WrongHours, None, Utc::now())
        .unwrap();
    assert!(matches!(
        directory.report("no-such-entry", ReportProblem::Closed, None, Utc::now()),
        Err(Error::NotFound)
    ));
    assert_eq!(directory.queued_reports().unwrap().len(), 2);
    let result = groups.sync_with(&quick()).await;
    assert!(matches!(result, Err(Error::Offline)), "{result:?}");
    assert_eq!(
        directory.queued_reports().unwrap().len(),
        2,
        "kept while offline"
    );
    phone.checkpoint().unwrap();
    assert!(
        files_containing(phone.data_dir(), "NoteMarker").is_empty(),
        "the queued note is sealed"
    );
    assert!(
        files_containing(phone.data_dir(), &entry_id).is_empty(),
        "so is the entry id"
    );

    // Back online: the next sync sends both, with no token, and the queue empties.
    let proxy = Proxy::start_on(address, &server.base).await;
    let report = groups.sync_with(&quick()).await.unwrap();
    assert_eq!(report.reports_sent, 2);
    assert!(directory.queued_reports().unwrap().is_empty());
    let posts: Vec<bool> = proxy
        .authorization_seen()
        .into_iter()
        .filter(|(path, _)| path == "/v1/directory/reports")
        .map(|(_, auth)| auth)
        .collect();
    assert_eq!(posts, [false, false], "reports carry no token");

    let stored = server.store().await.directory_reports().await.unwrap();
    let ours: Vec<_> = stored.iter().filter(|r| r.entry_id == entry_id).collect();
    assert_eq!(ours.len(), 2);
    let failed = ours
        .iter()
        .find(|r| r.problem == "did_not_connect")
        .unwrap();
    assert_eq!(
        (failed.count, failed.notes.as_slice()),
        (1, [note.to_owned()].as_slice())
    );
    let version = kinship_core::Directory::builtin().unwrap().version();
    assert!(ours.iter().all(|r| r.directory_version == version as i64));

    // A second sync sends nothing more.
    let report = groups.sync_with(&quick()).await.unwrap();
    assert_eq!(report.reports_sent, 0);
}

/// A hostile server: a reply to `follow` naming another group, a redirect elsewhere, and a
/// directory bundle of many megabytes. Each is refused and changes nothing.
#[tokio::test(flavor = "multi_thread")]
async fn a_hostile_server_cannot_swap_groups_redirect_the_phone_or_flood_it() {
    let server = Server::start().await;
    let first = server.group("First", Visibility::Private).await;
    let second = server.group("Second", Visibility::Public).await;
    server.post(&second, "Real event").await;
    let proxy = Proxy::start(&server.base).await;
    let (phone, _dir) = phone();
    let groups = phone.groups();
    groups
        .follow(&proxy.base, &first.group_id, first.invite_code.as_deref())
        .await
        .unwrap();
    let before = groups.list().unwrap();

    // Following the second group, the server answers with the first group's id.
    proxy.inject(vec![Fault::WrongGroupId(first.group_id.clone())]);
    let swapped = groups.follow(&proxy.base, &second.group_id, None).await;
    assert!(matches!(swapped, Err(Error::Remote { .. })), "{swapped:?}");
    assert_eq!(
        groups.list().unwrap(),
        before,
        "the followed group is untouched"
    );

    // A redirect to another host is not followed: that host sees nothing.
    groups
        .follow(&proxy.base, &second.group_id, None)
        .await
        .unwrap();
    let elsewhere = Proxy::start(&server.base).await;
    let target = format!("{}/v1/groups/{}/events", elsewhere.base, second.group_id);
    proxy.inject(vec![Fault::Redirect(target.clone()); 8]);
    let report = groups.sync_with(&quick()).await.unwrap();
    assert!(
        report.groups.iter().any(|g| g.error.is_some()),
        "{report:?}"
    );
    assert!(
        elsewhere.log().is_empty(),
        "the phone was not sent to another host"
    );
    assert!(
        elsewhere.bearer_tokens().is_empty(),
        "no token went elsewhere"
    );
    proxy.inject(Vec::new());

    // A directory bundle larger than any bundle may be: refused, nothing installed.
    let (fresh, _fresh_dir) = kinship_e2e::phone();
    let fresh_groups = fresh.groups();
    fresh_groups
        .follow(&proxy.base, &second.group_id, None)
        .await
        .unwrap();
    let version = kinship_core::Directory::load(fresh.data_dir())
        .unwrap()
        .version();
    proxy.inject(vec![Fault::HugeBundle(
        kinship_core::directory::bundle::MAX_BUNDLE_BYTES + 1024,
    )]);
    let report = fresh_groups.sync_with(&quick()).await.unwrap();
    let error = report.directory_error.expect("the bundle is refused");
    assert!(error.contains("too large"), "{error}");
    assert_eq!(
        kinship_core::Directory::load(fresh.data_dir())
            .unwrap()
            .version(),
        version
    );
    assert!(!kinship_core::directory::bundle::installed_path(fresh.data_dir()).exists());
}

/// A sync is not the person using the app: a phone that syncs in the background still locks
/// after its idle time.
#[tokio::test(flavor = "multi_thread")]
async fn a_background_sync_does_not_keep_the_vault_unlocked() {
    let server = Server::start().await;
    let group = server.group("Quiet", Visibility::Public).await;
    server.post(&group, "Something").await;
    let (phone, _dir) = phone();
    let groups = phone.groups();
    groups
        .follow(&server.base, &group.group_id, None)
        .await
        .unwrap();
    let clock = std::sync::Arc::new(kinship_core::clock::ManualClock::new());
    phone.set_clock(clock.clone());
    phone.set_auto_lock(Some(Duration::from_secs(600)));
    clock.advance(Duration::from_secs(540));
    assert_eq!(groups.sync_with(&quick()).await.unwrap().groups[0].new, 1);
    clock.advance(Duration::from_secs(120));
    assert!(
        !phone.is_unlocked(),
        "locked 11 minutes after the last use, sync or not"
    );
    assert!(matches!(groups.list(), Err(Error::Locked)));
}
