//! The API end to end over real HTTP, against both storage backends.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed step should panic

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::*;
use kinship_protocol::Visibility;
use kinship_server::ServerConfig;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// The metrics token of the servers that serve /metrics in these tests.
const METRICS_TOKEN: &str = "metrics-token-for-tests";

/// Every endpoint, as each kind of caller, on a private group.
#[tokio::test(flavor = "multi_thread")]
async fn authorization_matrix_for_every_endpoint() {
    for db in both_backends().await {
        let group = create_group(&db.url, "Private circle", Visibility::Private).await;
        let other = create_group(&db.url, "Another group", Visibility::Public).await;
        let server = start(&db.url, ServerConfig::default()).await;
        let http = client();
        let base = &server.base;
        let member: Value = http
            .post(format!("{base}/v1/groups/{}/join", group.group_id))
            .json(&json!({"invite_code": group.invite_code.clone().unwrap()}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let member = member["member_token"].as_str().unwrap().to_owned();
        let event: Value = http
            .post(format!("{base}/v1/groups/{}/events", group.group_id))
            .bearer_auth(&group.organizer_token)
            .json(&event_json("Existing"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let event_id = event["id"].as_str().unwrap().to_owned();

        let callers: [(&str, Option<&str>); 5] = [
            ("anonymous", None),
            ("member", Some(&member)),
            ("organizer", Some(&group.organizer_token)),
            ("other organizer", Some(&other.organizer_token)),
            ("unknown token", Some("org_notarealtoken")),
        ];
        let g = &group.group_id;
        // (method, path, body, expected status per caller in the order above)
        let matrix: Vec<(Method, String, Option<Value>, [u16; 5])> = vec![
            (
                Method::GET,
                format!("/v1/groups/{g}"),
                None,
                // A private group answers as a missing one to anyone without its token.
                [404, 200, 200, 404, 401],
            ),
            (
                Method::GET,
                format!("/v1/groups/{g}/events"),
                None,
                // A private group answers as a missing one to anyone without its token.
                [404, 200, 200, 404, 401],
            ),
            (
                Method::GET,
                format!("/v1/groups/{g}/events/{event_id}"),
                None,
                // A private group answers as a missing one to anyone without its token.
                [404, 200, 200, 404, 401],
            ),
            (
                Method::POST,
                format!("/v1/groups/{g}/events"),
                Some(event_json("New")),
                [401, 403, 201, 403, 401],
            ),
            (
                Method::PUT,
                format!("/v1/groups/{g}/events/{event_id}"),
                Some(event_json("Changed")),
                [401, 403, 200, 403, 401],
            ),
            (
                Method::GET,
                "/v1/groups".into(),
                None,
                [200, 200, 200, 200, 401],
            ),
            (
                Method::GET,
                format!("/v1/groups/{}/events", other.group_id),
                None,
                [200, 200, 200, 200, 401],
            ),
            (
                Method::POST,
                format!("/v1/groups/{}/events", other.group_id),
                Some(event_json("Not yours")),
                [401, 403, 403, 201, 401],
            ),
            (
                Method::POST,
                format!("/v1/groups/{g}/join"),
                Some(json!({"invite_code": "inv_wrong"})),
                [403, 403, 403, 403, 401],
            ),
            // Group B's organizer acting on group A's event through B's own path.
            (
                Method::PUT,
                format!("/v1/groups/{}/events/{event_id}", other.group_id),
                Some(event_json("Hijacked")),
                [401, 403, 403, 404, 401],
            ),
            (
                Method::DELETE,
                format!("/v1/groups/{}/events/{event_id}", other.group_id),
                None,
                [401, 403, 403, 404, 401],
            ),
            (
                Method::DELETE,
                format!("/v1/groups/{g}/events/{event_id}"),
                None,
                [401, 403, 204, 403, 401],
            ),
        ];
        // Everything both groups hold, as their organizers see it: a refused write must leave
        // it byte for byte as it was.
        let snapshot = || async {
            let mut all = Vec::new();
            for (id, token) in [
                (&group.group_id, &group.organizer_token),
                (&other.group_id, &other.organizer_token),
            ] {
                let feed: Value = http
                    .get(format!("{base}/v1/groups/{id}/events?limit=500"))
                    .bearer_auth(token)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                all.push(feed);
            }
            all
        };
        for (method, path, body, expected) in matrix {
            for ((who, token), want) in callers.iter().zip(expected) {
                let mut request = http.request(method.clone(), format!("{base}{path}"));
                if let Some(token) = token {
                    request = request.bearer_auth(token);
                }
                if let Some(body) = &body {
                    request = request.json(body);
                }
                let writes = method != Method::GET;
                let before = if writes { Some(snapshot().await) } else { None };
                let response = request.send().await.unwrap();
                let status = response.status().as_u16();
                if let Some(before) = before.filter(|_| status >= 400) {
                    assert_eq!(
                        snapshot().await,
                        before,
                        "[{}] refused {who} {method} {path} changed data",
                        db.backend
                    );
                }
                // Deleting twice is 404: only the organizer's first delete can succeed.
                if method == Method::DELETE && *who == "organizer" && status == 204 {
                    continue;
                }
                assert_eq!(status, want, "[{}] {who} {method} {path}", db.backend);
                if status >= 400 {
                    let body: Value = response.json().await.unwrap();
                    assert!(
                        body["error"]["code"].is_string() && body["error"]["message"].is_string()
                    );
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_inputs_get_the_right_status_and_store_nothing() {
    for db in both_backends().await {
        let group = create_group(&db.url, "Public", Visibility::Public).await;
        let server = start(&db.url, ServerConfig::default()).await;
        let http = client();
        let url = format!("{}/v1/groups/{}/events", server.base, group.group_id);
        let post_raw = |body: String| {
            http.post(&url)
                .bearer_auth(&group.organizer_token)
                .header("content-type", "application/json")
                .body(body)
                .send()
        };
        let with = |field: &str, value: Value| {
            let mut event = event_json("Valid title");
            event[field] = value;
            event.to_string()
        };
        let without = |field: &str| {
            let mut event = event_json("Valid title");
            event.as_object_mut().unwrap().remove(field);
            event.to_string()
        };
        let cases: Vec<(&str, String, u16)> = vec![
            ("malformed JSON", "{\"title\": ".into(), 400),
            ("not JSON at all", "hello".into(), 400),
            ("missing title", without("title"), 422),
            ("missing time zone", without("time_zone"), 422),
            (
                "end before start",
                with("ends_at", json!("2026-12-03T18:00:00")),
                422,
            ),
            (
                "unknown time zone",
                with("time_zone", json!("Atlantis/Lost_City")),
                422,
            ),
            ("unknown category", with("category", json!("party")), 422),
            (
                "bad time format",
                with("starts_at", json!("next Tuesday")),
                422,
            ),
            ("overlong title", with("title", json!("x".repeat(201))), 422),
            (
                "script link",
                with("online_url", json!("javascript:alert(1)")),
                422,
            ),
            (
                "unknown field",
                with("organizer_email", json!("a@b.c")),
                422,
            ),
            (
                "oversized body",
                with("description", json!("y".repeat(70 * 1024))),
                413,
            ),
        ];
        for (what, body, want) in cases {
            let response = post_raw(body).await.unwrap();
            assert_eq!(response.status().as_u16(), want, "[{}] {what}", db.backend);
            let error: Value = response.json().await.unwrap();
            assert!(
                error["error"]["code"].is_string(),
                "[{}] {what}: JSON error body",
                db.backend
            );
        }
        let bad_query = http.get(format!("{url}?since=-3")).send().await.unwrap();
        assert_eq!(bad_query.status(), StatusCode::BAD_REQUEST);
        let bad_limit = http
            .get(format!("{url}?limit=100000"))
            .send()
            .await
            .unwrap();
        assert_eq!(bad_limit.status(), StatusCode::BAD_REQUEST);
        let feed: Value = http.get(&url).send().await.unwrap().json().await.unwrap();
        assert_eq!(
            feed["changes"].as_array().unwrap().len(),
            0,
            "[{}] nothing stored",
            db.backend
        );
        assert_eq!(feed["next_cursor"], "0.0");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn fifty_concurrent_posts_get_distinct_increasing_versions() {
    for db in both_backends().await {
        let group = create_group(&db.url, "Busy", Visibility::Public).await;
        let server = start(&db.url, ServerConfig::default()).await;
        let http = client();
        let url = format!("{}/v1/groups/{}/events", server.base, group.group_id);
        let posts = (0..50).map(|i| {
            let (http, url, token) = (http.clone(), url.clone(), group.organizer_token.clone());
            tokio::spawn(async move {
                let response = http
                    .post(url)
                    .bearer_auth(token)
                    .json(&event_json(&format!("Event {i}")))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), StatusCode::CREATED);
                response.json::<Value>().await.unwrap()["version"]
                    .as_i64()
                    .unwrap()
            })
        });
        let mut versions = Vec::new();
        for post in posts {
            versions.push(post.await.unwrap());
        }
        let distinct: HashSet<i64> = versions.iter().copied().collect();
        assert_eq!(distinct.len(), 50, "[{}] versions are distinct", db.backend);
        let feed: Value = http
            .get(format!("{url}?limit=500"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let seen: Vec<i64> = feed["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["version"].as_i64().unwrap())
            .collect();
        assert_eq!(seen.len(), 50);
        assert!(
            seen.windows(2).all(|w| w[0] < w[1]),
            "[{}] strictly increasing in the feed",
            db.backend
        );
        assert_eq!((seen[0], seen[49]), (1, 50), "[{}] no gaps", db.backend);
        // The page keeps the protocol's page rule, the one the phone checks before applying.
        let page: kinship_protocol::FeedPage = serde_json::from_value(feed).unwrap();
        assert_eq!(
            kinship_protocol::check_page(&group.group_id, "0", &page),
            Ok(())
        );
        assert_eq!(
            kinship_protocol::check_page("another", "0", &page),
            Err("an event of another group")
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn feed_pages_tombstones_etag_and_idempotency() {
    for db in both_backends().await {
        let group = create_group(&db.url, "Feed", Visibility::Public).await;
        let server = start(&db.url, ServerConfig::default()).await;
        let http = client();
        let url = format!("{}/v1/groups/{}/events", server.base, group.group_id);
        let post = |title: &str, key: Option<&str>| {
            let mut request = http
                .post(&url)
                .bearer_auth(&group.organizer_token)
                .json(&event_json(title));
            if let Some(key) = key {
                request = request.header("Idempotency-Key", key);
            }
            request.send()
        };
        let mut ids = Vec::new();
        for i in 0..5 {
            let event: Value = post(&format!("E{i}"), None)
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            ids.push(event["id"].as_str().unwrap().to_owned());
        }
        // A retried post with the same key applies once.
        let first = post("Retried", Some("retry-1")).await.unwrap();
        assert_eq!(first.status(), StatusCode::CREATED);
        let first: Value = first.json().await.unwrap();
        let again = post("Retried", Some("retry-1")).await.unwrap();
        assert_eq!(again.status(), StatusCode::CREATED);
        assert_eq!(again.headers()["idempotent-replayed"], "true");
        let again: Value = again.json().await.unwrap();
        assert_eq!(first["id"], again["id"]);

        http.put(format!("{url}/{}", ids[1]))
            .bearer_auth(&group.organizer_token)
            .json(&event_json("E1 changed"))
            .send()
            .await
            .unwrap();
        let deleted = http
            .delete(format!("{url}/{}", ids[2]))
            .bearer_auth(&group.organizer_token)
            .send()
            .await
            .unwrap();
        assert_eq!(deleted.status(), StatusCode::NO_CONTENT);

        // Page through two at a time: every event once, in its latest state, and the tombstone.
        let (mut cursor, mut titles, mut tombstones) = ("0".to_owned(), Vec::new(), Vec::new());
        loop {
            let page: Value = http
                .get(format!("{url}?since={cursor}&limit=2"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            titles.extend(
                page["changes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["title"].as_str().unwrap().to_owned()),
            );
            tombstones.extend(
                page["tombstones"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| t.as_str().unwrap().to_owned()),
            );
            cursor = page["next_cursor"].as_str().unwrap().to_owned();
            if !page["has_more"].as_bool().unwrap() {
                break;
            }
        }
        assert_eq!(
            titles,
            ["E0", "E3", "E4", "Retried", "E1 changed"],
            "[{}]",
            db.backend
        );
        assert_eq!(tombstones, [ids[2].clone()]);

        // ETag: nothing new is one 304; a change gives a new page.
        let fresh = http
            .get(format!("{url}?since={cursor}"))
            .send()
            .await
            .unwrap();
        let etag = fresh.headers()["etag"].to_str().unwrap().to_owned();
        let unchanged = http
            .get(format!("{url}?since={cursor}"))
            .header("If-None-Match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(
            unchanged.status(),
            StatusCode::NOT_MODIFIED,
            "[{}]",
            db.backend
        );
        post("Later", None).await.unwrap();
        let changed = http
            .get(format!("{url}?since={cursor}"))
            .header("If-None-Match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(changed.status(), StatusCode::OK);
        let page: Value = changed.json().await.unwrap();
        assert_eq!(page["changes"][0]["title"], "Later");

        // Purged tombstones: an old cursor must resync (410), a fresh client is fine.
        let store = kinship_server::Store::connect(&db.url, Default::default())
            .await
            .unwrap();
        assert_eq!(
            store
                .purge_tombstones(chrono::Utc::now() + chrono::Duration::seconds(1))
                .await
                .unwrap(),
            1
        );
        // The purge ran in another process (as the operator's command does): the serving
        // instance sees it once its short-lived group cache expires.
        tokio::time::sleep(kinship_server::store::GROUP_CACHE_TTL).await;
        let old = http.get(format!("{url}?since=1")).send().await.unwrap();
        assert_eq!(old.status(), StatusCode::GONE, "[{}]", db.backend);
        assert_eq!(
            http.get(&url).send().await.unwrap().status(),
            StatusCode::OK
        );

        // After a purge, a new phone paging from the start in small pages still gets through,
        // and a cursor from the future (e.g. after a server restore) must resync.
        let (mut cursor, mut pages) = ("0".to_owned(), 0);
        loop {
            let response = http
                .get(format!("{url}?since={cursor}&limit=2"))
                .send()
                .await
                .unwrap();
            assert_eq!(
                response.status(),
                StatusCode::OK,
                "[{}] page {pages}",
                db.backend
            );
            let page: Value = response.json().await.unwrap();
            cursor = page["next_cursor"].as_str().unwrap().to_owned();
            pages += 1;
            if !page["has_more"].as_bool().unwrap() {
                break;
            }
            assert!(pages < 20);
        }
        let future = http.get(format!("{url}?since=9999")).send().await.unwrap();
        assert_eq!(future.status(), StatusCode::GONE, "[{}]", db.backend);

        // Retrying a post whose event was deleted since is a conflict, not a new event.
        http.delete(format!("{url}/{}", first["id"].as_str().unwrap()))
            .bearer_auth(&group.organizer_token)
            .send()
            .await
            .unwrap();
        let late_retry = post("Retried", Some("retry-1")).await.unwrap();
        assert_eq!(
            late_retry.status(),
            StatusCode::CONFLICT,
            "[{}]",
            db.backend
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn joining_rotating_and_the_directory_bundle() {
    for db in both_backends().await {
        let group = create_group(&db.url, "Circle", Visibility::Private).await;
        let server = start(&db.url, ServerConfig::default()).await;
        let http = client();
        let base = &server.base;
        let join = |code: String| {
            http.post(format!("{base}/v1/groups/{}/join", group.group_id))
                .json(&json!({"invite_code": code}))
                .send()
        };
        let joined = join(group.invite_code.clone().unwrap()).await.unwrap();
        assert_eq!(joined.status(), StatusCode::CREATED);
        let member = joined.json::<Value>().await.unwrap()["member_token"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            member.starts_with("mem_") && member.len() >= 68,
            "256-bit random token"
        );

        let store = kinship_server::Store::connect(&db.url, Default::default())
            .await
            .unwrap();
        let new_code = store.rotate_invite(&group.group_id).await.unwrap().unwrap();
        assert_eq!(
            join(group.invite_code.clone().unwrap())
                .await
                .unwrap()
                .status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(join(new_code).await.unwrap().status(), StatusCode::CREATED);
        let feed = format!("{base}/v1/groups/{}/events", group.group_id);
        assert_eq!(
            http.get(&feed)
                .bearer_auth(&member)
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::OK,
            "members keep access"
        );
        // Revoking ends every member token at once; the private feed is closed to it.
        let rejoined = join(store.rotate_invite(&group.group_id).await.unwrap().unwrap())
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()["member_token"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(store.revoke_members(&group.group_id).await.unwrap() >= 2);
        for token in [&member, &rejoined] {
            let status = http
                .get(&feed)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status();
            assert_eq!(status, StatusCode::UNAUTHORIZED, "a revoked member token");
        }

        let new_token = store
            .rotate_organizer_token(&group.group_id)
            .await
            .unwrap()
            .unwrap();
        let old = http
            .post(&feed)
            .bearer_auth(&group.organizer_token)
            .json(&event_json("x"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            old.status(),
            StatusCode::UNAUTHORIZED,
            "the old organizer token stops working"
        );
        let new = http
            .post(&feed)
            .bearer_auth(&new_token)
            .json(&event_json("x"))
            .send()
            .await
            .unwrap();
        assert_eq!(new.status(), StatusCode::CREATED);

        assert_eq!(
            http.get(format!("{base}/v1/directory/bundle"))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::NOT_FOUND
        );
        store
            .publish_directory(7, b"{\"format\":\"kinship-directory-bundle\"}")
            .await
            .unwrap();
        let bundle = http
            .get(format!("{base}/v1/directory/bundle"))
            .send()
            .await
            .unwrap();
        assert_eq!(bundle.status(), StatusCode::OK);
        assert_eq!(bundle.headers()["etag"], "\"directory-7\"");
        // A phone that has version 7 gets a bodiless 304; one that has 6 gets the bundle.
        let same = http
            .get(format!("{base}/v1/directory/bundle"))
            .header("if-none-match", "\"directory-7\"")
            .send()
            .await
            .unwrap();
        assert_eq!(same.status(), StatusCode::NOT_MODIFIED, "[{}]", db.backend);
        assert!(same.bytes().await.unwrap().is_empty());
        let older = http
            .get(format!("{base}/v1/directory/bundle"))
            .header("if-none-match", "\"directory-6\"")
            .send()
            .await
            .unwrap();
        assert_eq!(older.status(), StatusCode::OK);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn data_survives_a_server_restart() {
    for db in both_backends().await {
        let group = create_group(&db.url, "Lasting", Visibility::Public).await;
        let http = client();
        let first = spawn_binary(&db.url, &[]).await;
        let url = |base: &str| format!("{base}/v1/groups/{}/events", group.group_id);
        let created = http
            .post(url(&first.base))
            .bearer_auth(&group.organizer_token)
            .json(&event_json("Before restart"))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), StatusCode::CREATED);
        drop(first);
        let second = spawn_binary(&db.url, &[]).await;
        let feed: Value = http
            .get(url(&second.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            feed["changes"][0]["title"], "Before restart",
            "[{}]",
            db.backend
        );
    }
}

/// Two instances on one PostgreSQL: instance A holds its write transaction open while B writes
/// to the same group; a reader polling B must still see both events.
#[tokio::test(flavor = "multi_thread")]
async fn two_instances_never_let_a_polling_reader_skip_a_version() {
    let Some(db) = maybe_postgres_database().await else {
        return;
    };
    let group = create_group(&db.url, "Shared", Visibility::Public).await;
    let slow = spawn_binary(&db.url, &["--test-hold-write-ms", "1500"]).await;
    let fast = spawn_binary(&db.url, &[]).await;
    let http = client();
    let feed = format!("{}/v1/groups/{}/events", fast.base, group.group_id);

    let slow_post = {
        let (http, url, token) = (
            http.clone(),
            format!("{}/v1/groups/{}/events", slow.base, group.group_id),
            group.organizer_token.clone(),
        );
        tokio::spawn(async move {
            http.post(url)
                .bearer_auth(token)
                .json(&event_json("Slow writer"))
                .send()
                .await
                .unwrap()
                .status()
        })
    };
    // Start the fast write only once the slow one holds its transaction open (its backend is
    // "idle in transaction" while the server sleeps inside it), not after a guessed delay.
    wait_for_open_transaction(&db.url).await;
    let fast_post = {
        let (http, url, token) = (http.clone(), feed.clone(), group.organizer_token.clone());
        tokio::spawn(async move {
            http.post(url)
                .bearer_auth(token)
                .json(&event_json("Fast writer"))
                .send()
                .await
                .unwrap()
                .status()
        })
    };

    // Poll like a phone: remember the cursor, never look back.
    let (mut cursor, mut seen) = ("0".to_owned(), Vec::new());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while seen.len() < 2 && tokio::time::Instant::now() < deadline {
        let page: Value = http
            .get(format!("{feed}?since={cursor}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for event in page["changes"].as_array().unwrap() {
            seen.push(event["title"].as_str().unwrap().to_owned());
        }
        cursor = page["next_cursor"].as_str().unwrap().to_owned();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(slow_post.await.unwrap(), StatusCode::CREATED);
    assert_eq!(fast_post.await.unwrap(), StatusCode::CREATED);
    assert_eq!(
        seen,
        ["Slow writer", "Fast writer"],
        "the reader saw every version, in order"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_limits_answer_429_with_retry_after() {
    let db = sqlite_database();
    let server = start(
        &db.url,
        ServerConfig {
            rate_limit_per_minute: 5,
            ..ServerConfig::default()
        },
    )
    .await;
    let http = client();
    let mut statuses = Vec::new();
    for _ in 0..7 {
        let response = http
            .get(format!("{}/v1/groups", server.base))
            .send()
            .await
            .unwrap();
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            let retry: u64 = response.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!(retry >= 1);
        }
        statuses.push(response.status().as_u16());
    }
    assert_eq!(statuses, [200, 200, 200, 200, 200, 429, 429]);
}

#[tokio::test(flavor = "multi_thread")]
async fn openapi_matches_the_routes_and_health_and_metrics_answer() {
    let db = sqlite_database();
    let group = create_group(&db.url, "Docs", Visibility::Public).await;
    // By default /metrics is off: nothing to find, token or not.
    let default = start(&db.url, ServerConfig::default()).await;
    let off = client()
        .get(format!("{}/metrics", default.base))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(off.status(), StatusCode::NOT_FOUND);
    let server = start(
        &db.url,
        ServerConfig {
            metrics_token: Some(METRICS_TOKEN.into()),
            ..ServerConfig::default()
        },
    )
    .await;
    let http = client();
    let spec: Value = http
        .get(format!("{}/openapi.json", server.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(spec["openapi"], "3.1.0");
    // The schemas are generated from the protocol's types; their limits are its constants.
    let schemas = &spec["components"]["schemas"];
    for (schema, field, key, limit) in [
        (
            "EventInput",
            "title",
            "maxLength",
            kinship_protocol::MAX_TITLE_CHARS,
        ),
        (
            "EventInput",
            "description",
            "maxLength",
            kinship_protocol::MAX_DESCRIPTION_CHARS,
        ),
        (
            "EventInput",
            "online_url",
            "maxLength",
            kinship_protocol::MAX_URL_CHARS,
        ),
        (
            "EventInput",
            "accessibility",
            "maxLength",
            kinship_protocol::MAX_ACCESSIBILITY_CHARS,
        ),
        (
            "Group",
            "name",
            "maxLength",
            kinship_protocol::MAX_GROUP_NAME_CHARS,
        ),
        (
            "DirectoryReport",
            "note",
            "maxLength",
            kinship_protocol::MAX_REPORT_NOTE_CHARS,
        ),
    ] {
        assert_eq!(
            schemas[schema]["properties"][field][key],
            json!(limit),
            "{schema}.{field} {key}"
        );
    }
    assert_eq!(
        schemas["EventInput"]["required"],
        json!(["title", "starts_at", "ends_at", "time_zone", "category"])
    );
    assert_eq!(
        schemas["ReportProblem"]["enum"],
        json!(kinship_protocol::ReportProblem::ALL.map(|p| p.as_str()))
    );
    let paths = spec["paths"].as_object().unwrap();
    assert!(paths.len() >= 9);
    for (path, operations) in paths {
        let concrete = path
            .replace("{group_id}", &group.group_id)
            .replace("{event_id}", "0123");
        for method in operations.as_object().unwrap().keys() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let response = http
                .request(method.clone(), format!("{}{concrete}", server.base))
                .send()
                .await
                .unwrap();
            assert_ne!(
                response.status(),
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path} is documented but not routed"
            );
            let documented: Vec<&String> = operations[method.as_str().to_lowercase()]["responses"]
                .as_object()
                .unwrap()
                .keys()
                .collect();
            assert!(
                documented.contains(&&response.status().as_u16().to_string()),
                "{method} {path} answered {} which the document does not list",
                response.status()
            );
        }
    }
    // Every route the API's router declares is documented: read from the router's own source,
    // so a route added without documenting it fails here.
    let declared = declared_routes(include_str!("../src/api.rs"));
    assert!(
        declared.len() >= 9,
        "the router's routes were found: {declared:?}"
    );
    for (path, method) in &declared {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} is routed but not in /openapi.json"
        );
    }
    let documented: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
    assert_eq!(
        documented,
        declared.len(),
        "the document lists no route the router lacks"
    );

    assert_eq!(
        http.get(format!("{}/healthz", server.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "ok"
    );
    // /metrics asks for the metrics token: none, or a wrong one, is 401 and shows nothing.
    for token in [None, Some("wrong"), Some(&group.organizer_token[..])] {
        let mut request = http.get(format!("{}/metrics", server.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let refused = request.send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED, "{token:?}");
        assert!(!refused.text().await.unwrap().contains("kinship_"));
    }
    let metrics = http
        .get(format!("{}/metrics", server.base))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("kinship_http_requests_total{route=\"/openapi.json\",status=\"200\"} 2"),
        "{metrics}"
    );
    assert!(
        !metrics.contains(&group.group_id),
        "metrics use route patterns, not ids"
    );
    // Latency is a histogram per route: the two requests above are in its count.
    assert!(
        metrics.contains("kinship_http_request_duration_seconds_count{route=\"/openapi.json\"} 2"),
        "{metrics}"
    );
    assert!(metrics.contains(
        "kinship_http_request_duration_seconds_bucket{route=\"/openapi.json\",le=\"0.1\"}"
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn operator_commands_create_groups_and_publish_only_signed_bundles() {
    let db = sqlite_database();
    let output = std::process::Command::new(server_binary())
        .args([
            "--database-url",
            &db.url,
            "create-group",
            "--name",
            "Trans Youth Lisbon",
            "--private",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let created: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(
        created["group_id"].is_string()
            && created["organizer_token"]
                .as_str()
                .unwrap()
                .starts_with("org_")
    );
    assert!(created["invite_code"].as_str().unwrap().starts_with("inv_"));

    let bogus = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(bogus.path(), r#"{"format":"kinship-directory-bundle","key_id":"kinship-directory-2026","signature":"00","payload":"{}"}"#).unwrap();
    let refused = std::process::Command::new(server_binary())
        .args([
            "--database-url",
            &db.url,
            "publish-directory",
            bogus.path().to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("refused"));
    let empty_name = std::process::Command::new(server_binary())
        .args(["--database-url", &db.url, "create-group", "--name", ""])
        .output()
        .unwrap();
    assert!(!empty_name.status.success());
}

/// (path, lowercase method) of every `.route("PATH", get(..).post(..))` call in `source`.
fn declared_routes(source: &str) -> Vec<(String, String)> {
    let mut routes = Vec::new();
    for call in source.split(".route(").skip(1) {
        // The call's arguments: up to the parenthesis that closes `.route(`.
        let mut depth = 1;
        let end = call
            .char_indices()
            .find(|(_, c)| {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                depth == 0
            })
            .map(|(i, _)| i)
            .expect("a closed .route( call");
        let args = &call[..end];
        let path = args.split('"').nth(1).expect("a path literal").to_owned();
        let handlers = args.split_once(',').map(|(_, h)| h).unwrap_or_default();
        for method in ["get", "post", "put", "delete", "patch"] {
            let called = handlers.match_indices(&format!("{method}(")).any(|(i, _)| {
                i == 0
                    || !handlers.as_bytes()[i - 1].is_ascii_alphanumeric()
                        && handlers.as_bytes()[i - 1] != b'_'
            });
            if called {
                routes.push((path.clone(), method.to_owned()));
            }
        }
    }
    routes
}

/// Waits (at most 10 s) until some session of the test database is idle inside an open
/// transaction.
async fn wait_for_open_transaction(url: &str) {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect to PostgreSQL");
    tokio::spawn(connection);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let open: i64 = client
            .query_one(
                "SELECT count(*) FROM pg_stat_activity
                 WHERE datname = current_database() AND state = 'idle in transaction'",
                &[],
            )
            .await
            .expect("pg_stat_activity")
            .get(0);
        if open > 0 {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the slow write never opened its transaction"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn directory_reports_are_anonymous_bounded_and_rate_limited() {
    for db in both_backends().await {
        let group = create_group(&db.url, "Reporters", Visibility::Public).await;
        let config = ServerConfig {
            // Two of the malformed reports below are well-formed JSON and count against it.
            reports_per_minute: 5,
            ..ServerConfig::default()
        };
        let server = start(&db.url, config).await;
        let http = client();
        let url = format!("{}/v1/directory/reports", server.base);
        let good = json!({"entry_id": "us-988-lifeline", "directory_version": 2,
                          "problem": "did_not_connect", "note": "rang out at 3am"});
        // With a token: refused, so no report can be tied to a member or organizer.
        let response = http
            .post(&url)
            .bearer_auth(&group.organizer_token)
            .json(&good)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::BAD_REQUEST,
            "[{}]",
            db.backend
        );
        // Malformed: unknown fields, a bad id, an overlong note, an unknown problem.
        for bad in [
            json!({"entry_id": "us-988-lifeline", "directory_version": 2, "problem": "closed", "device": "x"}),
            json!({"entry_id": "US 988", "directory_version": 2, "problem": "closed"}),
            json!({"entry_id": "us-988-lifeline", "directory_version": 2, "problem": "closed", "note": "n".repeat(281)}),
            json!({"entry_id": "us-988-lifeline", "directory_version": 2, "problem": "rude"}),
        ] {
            let status = http.post(&url).json(&bad).send().await.unwrap().status();
            assert!(
                status == 422 || status == 400,
                "[{}] {bad}: {status}",
                db.backend
            );
        }
        let store =
            kinship_server::Store::connect(&db.url, kinship_server::StoreOptions::default())
                .await
                .unwrap();
        assert!(
            store.directory_reports().await.unwrap().is_empty(),
            "refused ones store nothing"
        );
        // Three good ones pass the limit; the fourth from the same address waits.
        let mut statuses = Vec::new();
        for _ in 0..4 {
            statuses.push(
                http.post(&url)
                    .json(&good)
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16(),
            );
        }
        assert_eq!(statuses, [202, 202, 202, 429], "[{}]", db.backend);
        let reports = store.directory_reports().await.unwrap();
        assert_eq!(reports.len(), 1);
        assert_eq!(reports[0].count, 3);
        assert_eq!(reports[0].notes.len(), 3);
        // Nothing about the sender is kept: the stored summary has no address or token field.
        let text = serde_json::to_string(&reports).unwrap();
        assert!(
            !text.contains("127.0.0.1") && !text.contains("org_"),
            "{text}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn hardening_json_only_rate_limits_before_tokens_and_a_private_database_file() {
    let db = sqlite_database();
    let group = create_group(&db.url, "Hardened", Visibility::Public).await;
    // The SQLite file (and its WAL) is the owner's only, whatever the umask.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let path = db.url.trim_start_matches("sqlite://");
        let mode = std::fs::metadata(path).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "mode {mode:o}");
    }
    let server = start(
        &db.url,
        ServerConfig {
            rate_limit_per_minute: 3,
            ..ServerConfig::default()
        },
    )
    .await;
    let http = client();
    let url = format!("{}/v1/groups/{}/events", server.base, group.group_id);
    // A JSON endpoint refuses a body that is not JSON: 415, nothing stored.
    let text = http
        .post(&url)
        .bearer_auth(&group.organizer_token)
        .header("content-type", "text/plain")
        .body(event_json("Sneaky").to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(text.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // A malformed Authorization header is rate-limited like anything else.
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let response = http
            .get(format!("{}/v1/groups", server.base))
            .header("authorization", "Basic bm90IGEgdG9rZW4=")
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
    }
    assert_eq!(statuses, [401, 401, 429, 429, 429], "{statuses:?}");
    let stored = kinship_server::Store::connect(&db.url, kinship_server::StoreOptions::default())
        .await
        .unwrap()
        .group(&group.group_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.head, 0, "the refused text body stored nothing");
}

/// The operator reads the reports on `/operate/reports` after signing in with the operator
/// token; notes are shown as text; organizer tokens and organizer sessions do not open it; a
/// new operator token ends the old sign-in.
#[tokio::test(flavor = "multi_thread")]
async fn the_operator_reads_directory_reports_on_a_signed_in_page() {
    for db in both_backends().await {
        let group = create_group(&db.url, "Operators", Visibility::Public).await;
        let server = start(&db.url, ServerConfig::default()).await;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let base = &server.base;
        let tag = format!("[{}]", db.backend);
        for note in ["<b>rang out</b> & \"nobody\"", "busy tone at 3am"] {
            let status = http
                .post(format!("{base}/v1/directory/reports"))
                .json(&json!({"entry_id": "gb-samaritans", "directory_version": 2,
                              "problem": "did_not_connect", "note": note}))
                .send()
                .await
                .unwrap()
                .status();
            assert_eq!(status, 202, "{tag}");
        }
        // Not signed in: the reports page sends the browser to sign in, and shows nothing.
        let anonymous = http
            .get(format!("{base}/operate/reports"))
            .send()
            .await
            .unwrap();
        assert_eq!(anonymous.status(), StatusCode::SEE_OTHER, "{tag}");
        assert_eq!(anonymous.headers()["location"], "/operate");
        assert!(!anonymous.text().await.unwrap().contains("gb-samaritans"));

        let sign_in = |token: String, csrf: Option<String>| {
            let http = http.clone();
            let base = base.clone();
            async move {
                let form = http.get(format!("{base}/operate")).send().await.unwrap();
                assert_eq!(form.status(), 200);
                assert!(form.headers()["content-security-policy"]
                    .to_str()
                    .unwrap()
                    .contains("default-src 'none'"));
                let signin_cookie = set_cookie_value(&form, "kinship_operate_signin").unwrap();
                let csrf = csrf.unwrap_or_else(|| signin_cookie.clone());
                http.post(format!("{base}/operate/sign-in"))
                    .header("cookie", format!("kinship_operate_signin={signin_cookie}"))
                    .form(&[("csrf", csrf.as_str()), ("token", token.as_str())])
                    .send()
                    .await
                    .unwrap()
            }
        };
        // Before any operator token exists, and with an organizer's token: refused.
        for token in ["op_nothing".to_owned(), group.organizer_token.clone()] {
            let refused = sign_in(token, None).await;
            assert_eq!(refused.status(), StatusCode::UNAUTHORIZED, "{tag}");
            assert!(set_cookie_value(&refused, "kinship_operate").is_none());
        }
        // The binary's command prints the token once.
        let output = std::process::Command::new(server_binary())
            .args(["--database-url", &db.url, "operator-token"])
            .output()
            .unwrap();
        assert!(output.status.success(), "{tag}");
        let token = String::from_utf8(output.stdout).unwrap().trim().to_owned();
        assert!(
            token.starts_with("op_") && token.len() > 40,
            "{tag} {token}"
        );
        // The right token with another form's CSRF value: refused.
        let forged = sign_in(token.clone(), Some("0".repeat(32))).await;
        assert_eq!(forged.status(), StatusCode::FORBIDDEN, "{tag}");
        let signed_in = sign_in(token.clone(), None).await;
        assert_eq!(signed_in.status(), StatusCode::SEE_OTHER, "{tag}");
        assert_eq!(signed_in.headers()["location"], "/operate/reports");
        let raw_cookie = signed_in
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .find(|v| v.starts_with("kinship_operate="))
            .unwrap();
        assert!(
            raw_cookie.contains("HttpOnly") && raw_cookie.contains("Path=/;"),
            "{raw_cookie}"
        );
        let session = set_cookie_value(&signed_in, "kinship_operate").unwrap();
        let page = http
            .get(format!("{base}/operate/reports"))
            .header("cookie", format!("kinship_operate={session}"))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200, "{tag}");
        assert_eq!(page.headers()["cache-control"], "no-store");
        let html = page.text().await.unwrap();
        assert!(
            html.contains("data-entry=\"gb-samaritans\""),
            "{tag} {html}"
        );
        assert!(html.contains("<strong class=\"count\">2</strong>"), "{tag}");
        assert!(html.contains("did not connect") && html.contains("busy tone at 3am"));
        // A note is text: escaped, never markup.
        assert!(
            html.contains("&lt;b&gt;rang out&lt;/b&gt; &amp; &quot;nobody&quot;")
                && !html.contains("<b>rang out"),
            "{tag}"
        );
        // The operator's session id under the organizers' cookie opens nothing there, and an
        // organizer's cookie name does not open the operator's page.
        let crossed = http
            .get(format!("{base}/operate/reports"))
            .header("cookie", format!("kinship_session={session}"))
            .send()
            .await
            .unwrap();
        assert_eq!(crossed.status(), StatusCode::SEE_OTHER, "{tag}");
        let organizer_page = http
            .get(format!("{base}/organize/events"))
            .header("cookie", format!("kinship_session={session}"))
            .send()
            .await
            .unwrap();
        assert_eq!(organizer_page.status(), StatusCode::SEE_OTHER, "{tag}");
        // A new operator token ends the old sign-in at once.
        let store =
            kinship_server::Store::connect(&db.url, kinship_server::StoreOptions::default())
                .await
                .unwrap();
        let newer = store.rotate_operator_token().await.unwrap();
        assert_ne!(newer, token);
        assert!(!store.is_operator(&token).await.unwrap());
        let ended = http
            .get(format!("{base}/operate/reports"))
            .header("cookie", format!("kinship_operate={session}"))
            .send()
            .await
            .unwrap();
        assert_eq!(ended.status(), StatusCode::SEE_OTHER, "{tag}");
    }
}

/// `/readyz` tells the truth about the database: 200 while PostgreSQL answers, 503 while it
/// refuses connections, 200 again once it is back, with no restart of the server.
#[tokio::test(flavor = "multi_thread")]
async fn readiness_follows_the_database() {
    let sqlite = sqlite_database();
    let server = start(&sqlite.url, ServerConfig::default()).await;
    let ready = client()
        .get(format!("{}/readyz", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    let Some(db) = maybe_postgres_database().await else {
        return;
    };
    let server = start(&db.url, ServerConfig::default()).await;
    let readyz = || async {
        client()
            .get(format!("{}/readyz", server.base))
            .send()
            .await
            .unwrap()
            .status()
    };
    assert_eq!(readyz().await, StatusCode::OK);
    let name = db.url.rsplit('/').next().unwrap().to_owned();
    let base = std::env::var(POSTGRES_ENV).unwrap();
    let (admin, connection) =
        tokio_postgres::connect(&format!("{base}/postgres"), tokio_postgres::NoTls)
            .await
            .unwrap();
    tokio::spawn(connection);
    // The database goes away: no new connections, and the open ones are cut.
    admin
        .batch_execute(&format!(
            "ALTER DATABASE {name} ALLOW_CONNECTIONS false; \
             SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
        ))
        .await
        .unwrap();
    assert_eq!(readyz().await, StatusCode::SERVICE_UNAVAILABLE);
    // Liveness is not readiness: the process still serves.
    let health = client()
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    admin
        .batch_execute(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"))
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while readyz().await != StatusCode::OK {
        assert!(
            std::time::Instant::now() < deadline,
            "not ready 20 s after the database came back"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// SIGTERM: the port closes at once, a request in flight still gets its answer, and a request
/// stuck longer than the grace period does not keep the process alive.
#[tokio::test(flavor = "multi_thread")]
async fn shutdown_finishes_requests_in_flight_and_exits_in_bounded_time() {
    for (hold_ms, in_flight_finishes) in [(1_500u64, true), (60_000, false)] {
        let db = sqlite_database();
        let group = create_group(&db.url, "Shutdown", Visibility::Public).await;
        let hold = hold_ms.to_string();
        let mut server = spawn_binary(
            &db.url,
            &["--test-hold-write-ms", &hold, "--shutdown-grace-secs", "3"],
        )
        .await;
        let post = {
            let url = format!("{}/v1/groups/{}/events", server.base, group.group_id);
            let token = group.organizer_token.clone();
            tokio::spawn(async move {
                client()
                    .post(url)
                    .bearer_auth(token)
                    .json(&event_json("Still posted"))
                    .send()
                    .await
                    .map(|r| r.status())
            })
        };
        tokio::time::sleep(Duration::from_millis(400)).await;
        let signalled = std::time::Instant::now();
        server.terminate();
        // New connections are refused soon after the signal.
        let address = server.base.trim_start_matches("http://").to_owned();
        let mut refused = false;
        for _ in 0..100 {
            if std::net::TcpStream::connect(&address).is_err() {
                refused = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(refused, "the listener stays open after SIGTERM");
        let exited = server.wait_exit(Duration::from_secs(10));
        let took = signalled.elapsed();
        assert!(exited.is_some(), "still running 10 s after SIGTERM");
        let answered = post.await.unwrap();
        if in_flight_finishes {
            assert_eq!(
                answered.ok(),
                Some(StatusCode::CREATED),
                "the request in flight"
            );
        } else {
            assert!(
                took >= Duration::from_secs(3) && took < Duration::from_secs(8),
                "exited {took:?} after the signal, grace 3 s"
            );
            assert!(answered.is_err(), "the stuck request was cut: {answered:?}");
        }
    }
}

/// Organizer sessions live in the database: a sign-in on one instance works on another, a
/// sign-out on either ends it on both, and one group's many sign-ins never push another
/// group's organizers out.
#[tokio::test(flavor = "multi_thread")]
async fn organizer_sessions_are_shared_by_instances_and_capped_per_group() {
    for db in both_backends().await {
        let tag = format!("[{}]", db.backend);
        let ours = create_group(&db.url, "Ours", Visibility::Public).await;
        let theirs = create_group(&db.url, "Theirs", Visibility::Public).await;
        let a = start(&db.url, ServerConfig::default()).await;
        let b = start(&db.url, ServerConfig::default()).await;
        let http = no_redirects();
        let events = |base: &str, cookie: &str| {
            let (http, url, cookie) = (
                http.clone(),
                format!("{base}/organize/events"),
                cookie.to_owned(),
            );
            async move {
                http.get(url)
                    .header("cookie", cookie)
                    .send()
                    .await
                    .unwrap()
                    .status()
            }
        };
        let (cookie, csrf) = sign_in(&a.base, &ours.organizer_token).await;
        assert_eq!(events(&b.base, &cookie).await, StatusCode::OK, "{tag} on B");
        // Signed out on B: gone on A too.
        let out = http
            .post(format!("{}/organize/sign-out", b.base))
            .header("cookie", &cookie)
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(out.status(), StatusCode::SEE_OTHER, "{tag}");
        assert_eq!(
            events(&a.base, &cookie).await,
            StatusCode::SEE_OTHER,
            "{tag}"
        );
        // Their organizer signs in once; ours signs in many times, on both instances.
        let (their_cookie, _) = sign_in(&b.base, &theirs.organizer_token).await;
        let mut ours_cookies = Vec::new();
        for i in 0..25 {
            let base = if i % 2 == 0 { &a.base } else { &b.base };
            ours_cookies.push(sign_in(base, &ours.organizer_token).await.0);
        }
        assert_eq!(
            events(&a.base, &their_cookie).await,
            StatusCode::OK,
            "{tag} theirs kept"
        );
        assert_eq!(
            events(&a.base, ours_cookies.last().unwrap()).await,
            StatusCode::OK,
            "{tag} our newest"
        );
        assert_eq!(
            events(&b.base, &ours_cookies[0]).await,
            StatusCode::SEE_OTHER,
            "{tag} our oldest went first"
        );
        // Only hashes are stored: no session id from a cookie is in the database file.
        if db.backend == "sqlite" {
            let path = db.url.trim_start_matches("sqlite://").to_owned();
            let id = ours_cookies
                .last()
                .unwrap()
                .trim_start_matches("kinship_session=");
            for file in [path.clone(), format!("{path}-wal")] {
                let bytes = std::fs::read(&file).unwrap_or_default();
                let text = String::from_utf8_lossy(&bytes);
                assert!(!text.contains(id), "{tag} a session id in {file}");
                assert!(
                    !text.contains(&ours.organizer_token),
                    "{tag} a token in {file}"
                );
            }
        }
    }
}

/// Login CSRF: a sign-in form posted from another site is refused even when that site planted
/// the double-submit cookie and knows its value.
#[tokio::test(flavor = "multi_thread")]
async fn a_sign_in_posted_from_another_site_is_refused() {
    let db = sqlite_database();
    let group = create_group(&db.url, "Cross-site", Visibility::Public).await;
    let server = start(&db.url, ServerConfig::default()).await;
    let http = no_redirects();
    let planted = "0123456789abcdef0123456789abcdef";
    let post = |site: &'static str| {
        http.post(format!("{}/organize/sign-in", server.base))
            .header("cookie", format!("kinship_signin={planted}"))
            .header("sec-fetch-site", site)
            .form(&[("csrf", planted), ("token", group.organizer_token.as_str())])
            .send()
    };
    let cross = post("cross-site").await.unwrap();
    assert_eq!(cross.status(), StatusCode::FORBIDDEN);
    assert!(set_cookie_value(&cross, "kinship_session").is_none());
    let same = post("same-origin").await.unwrap();
    assert_eq!(same.status(), StatusCode::SEE_OTHER);
    assert!(set_cookie_value(&same, "kinship_session").is_some());
}

/// Idempotency keys answer a retry with the first event until they are forgotten; a purge
/// forgets them, and then the same key creates anew.
#[tokio::test(flavor = "multi_thread")]
async fn idempotency_keys_expire_and_are_purged() {
    for db in both_backends().await {
        let tag = format!("[{}]", db.backend);
        let group = create_group(&db.url, "Retries", Visibility::Public).await;
        let server = start(&db.url, ServerConfig::default()).await;
        let url = format!("{}/v1/groups/{}/events", server.base, group.group_id);
        let post = || {
            client()
                .post(&url)
                .bearer_auth(&group.organizer_token)
                .header("idempotency-key", "retry-me")
                .json(&event_json("Once"))
                .send()
        };
        let id = |v: Value| v["id"].as_str().unwrap().to_owned();
        let first = id(post().await.unwrap().json().await.unwrap());
        let retry = id(post().await.unwrap().json().await.unwrap());
        assert_eq!(first, retry, "{tag} a retry returns the first event");
        let store =
            kinship_server::Store::connect(&db.url, kinship_server::StoreOptions::default())
                .await
                .unwrap();
        // Nothing is young enough to purge at the real cutoff; everything up to now is.
        let cutoff =
            chrono::Utc::now() - chrono::Duration::hours(kinship_server::store::IDEMPOTENCY_HOURS);
        assert_eq!(store.purge_idempotency(cutoff).await.unwrap(), 0, "{tag}");
        let purged = store
            .purge_idempotency(chrono::Utc::now() + chrono::Duration::seconds(1))
            .await
            .unwrap();
        assert_eq!(purged, 1, "{tag}");
        let after = id(post().await.unwrap().json().await.unwrap());
        assert_ne!(after, first, "{tag} a forgotten key creates anew");
    }
}
