//! What the attack test of issue 16 found, as tests: slow and half-sent requests (finding 1),
//! `__Host-` cookies over HTTPS (finding 5) and private groups that answer as missing ones
//! (finding 9).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed step should panic

mod common;

use std::time::{Duration, Instant};

use common::*;
use kinship_protocol::Visibility;
use kinship_server::{ConnectionLimits, ServerConfig};
use reqwest::StatusCode;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A server whose connection limits are small enough for a test to reach.
fn limited(max_connections: usize, header_secs: u64, request_secs: u64) -> ServerConfig {
    ServerConfig {
        rate_limit_per_minute: 1_000_000,
        request_timeout: Duration::from_secs(request_secs),
        connections: ConnectionLimits {
            max_connections,
            header_read_timeout: Duration::from_secs(header_secs),
        },
        ..ServerConfig::default()
    }
}

/// A connection that sent the start of a request and then nothing more.
async fn half_request(base: &str) -> TcpStream {
    let address = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: kinship.test\r\nX-Slow: ")
        .await
        .unwrap();
    stream
}

/// Reads until the server closes the connection (end of stream or reset) or `limit` passes;
/// returns what was read, or `None` if the connection was still open at the limit.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> Option<Vec<u8>> {
    let mut seen = Vec::new();
    let read_all = async {
        let mut buffer = [0u8; 1024];
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(n) => seen.extend_from_slice(&buffer[..n]),
            }
        }
    };
    tokio::time::timeout(limit, read_all).await.ok()?;
    Some(seen)
}

async fn healthz(base: &str, limit: Duration) -> Result<StatusCode, reqwest::Error> {
    reqwest::Client::builder()
        .timeout(limit)
        .build()
        .unwrap()
        .get(format!("{base}/healthz"))
        .send()
        .await
        .map(|r| r.status())
}

#[tokio::test]
async fn half_sent_requests_are_closed_and_healthz_answers_meanwhile() {
    let db = sqlite_database();
    let server = start(&db.url, limited(64, 1, 30)).await;
    let started = Instant::now();
    let mut slow = Vec::new();
    for _ in 0..40 {
        slow.push(half_request(&server.base).await);
    }
    // While the forty wait for their headers' deadline, /healthz answers at once.
    assert_eq!(
        healthz(&server.base, Duration::from_millis(900))
            .await
            .expect("healthz answers while 40 half-sent requests are open"),
        StatusCode::OK
    );
    // Each is closed by the server once its headers are late (1 s here, not 45 s and more).
    for stream in &mut slow {
        let closed = read_until_closed(stream, Duration::from_secs(5)).await;
        assert!(closed.is_some(), "a half-sent request still open after 5 s");
    }
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "closed before its deadline"
    );
}

#[tokio::test]
async fn connections_beyond_the_cap_wait_until_one_closes() {
    let db = sqlite_database();
    // A long header deadline: only the cap can hold /healthz back here.
    let server = start(&db.url, limited(2, 60, 30)).await;
    let slow = [
        half_request(&server.base).await,
        half_request(&server.base).await,
    ];
    // Give the server time to accept both before the third knocks.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        healthz(&server.base, Duration::from_millis(700))
            .await
            .is_err(),
        "a third connection was served with the cap at two"
    );
    drop(slow);
    assert_eq!(
        healthz(&server.base, Duration::from_secs(5))
            .await
            .expect("healthz answers once the slow connections close"),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_body_sent_too_slowly_gets_408_and_the_connection_closes() {
    let db = sqlite_database();
    let server = start(&db.url, limited(64, 10, 1)).await;
    let group = server
        .create_group("Slow", "x", Visibility::Private)
        .await
        .unwrap();
    let address = server.base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST /v1/groups/{}/join HTTP/1.1\r\nHost: kinship.test\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"invite",
        group.group_id
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let answer = read_until_closed(&mut stream, Duration::from_secs(5))
        .await
        .expect("the connection is closed after the request timeout");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

// ---------------------------------------------------------------------------------------------
// Cookies

/// The organizer's sign-in page and a sign-in, with `extra` headers on each request; returns
/// the sign-in page's and the sign-in's `Set-Cookie` lines.
async fn organizer_cookies(
    base: &str,
    token: &str,
    extra: &[(&str, &str)],
    signin_name: &str,
) -> (Vec<String>, Vec<String>, reqwest::Response) {
    let http = no_redirects();
    let mut page = http.get(format!("{base}/organize"));
    for (name, value) in extra {
        page = page.header(*name, *value);
    }
    let page = page.send().await.unwrap();
    let page_cookies = set_cookies(&page);
    let signin = page_cookies
        .iter()
        .find(|c| c.starts_with(&format!("{signin_name}=")))
        .map(|c| cookie_value(c))
        .unwrap_or_else(|| panic!("no {signin_name} in {page_cookies:?}"));
    let csrf = hidden_field(&page.text().await.unwrap(), "csrf");
    let mut post = http
        .post(format!("{base}/organize/sign-in"))
        .header(reqwest::header::COOKIE, format!("{signin_name}={signin}"))
        .form(&[("csrf", csrf.as_str()), ("token", token)]);
    for (name, value) in extra {
        post = post.header(*name, *value);
    }
    let response = post.send().await.unwrap();
    let signed_in = set_cookies(&response);
    (page_cookies, signed_in, response)
}

fn assert_attributes(line: &str, secure: bool) {
    for part in ["HttpOnly", "SameSite=Strict", "Path=/;"] {
        assert!(line.contains(part), "{part} missing: {line}");
    }
    assert!(!line.to_ascii_lowercase().contains("domain="), "{line}");
    assert_eq!(line.contains("; Secure"), secure, "{line}");
}

#[tokio::test]
async fn plain_http_cookies_keep_plain_names_and_are_not_path_scoped() {
    let db = sqlite_database();
    let server = start(&db.url, ServerConfig::default()).await;
    let group = server
        .create_group("Plain", "x", Visibility::Public)
        .await
        .unwrap();
    let (page, signed_in, response) =
        organizer_cookies(&server.base, &group.organizer_token, &[], "kinship_signin").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(page.len(), 1, "{page:?}");
    assert_attributes(&page[0], false);
    assert!(signed_in.iter().any(|c| c.starts_with("kinship_session=")));
    assert!(signed_in.iter().all(|c| !c.starts_with("__Host-")));
    for line in &signed_in {
        assert_attributes(line, false);
    }
}

#[tokio::test]
async fn https_cookies_are_host_prefixed_and_secure() {
    let db = sqlite_database();
    // Both ways of saying HTTPS: the operator's flag, and a trusted proxy's header.
    let flagged = start(
        &db.url,
        ServerConfig {
            https_cookies: true,
            ..ServerConfig::default()
        },
    )
    .await;
    let proxied = start(
        &db.url,
        ServerConfig {
            trust_forwarded_for: true,
            ..ServerConfig::default()
        },
    )
    .await;
    let group = flagged
        .create_group("Secure", "x", Visibility::Public)
        .await
        .unwrap();
    let https = [("x-forwarded-proto", "https")];
    for (server, extra) in [(&flagged, &[][..]), (&proxied, &https[..])] {
        let (page, signed_in, response) = organizer_cookies(
            &server.base,
            &group.organizer_token,
            extra,
            "__Host-kinship_signin",
        )
        .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{signed_in:?}");
        assert_attributes(&page[0], true);
        let session = signed_in
            .iter()
            .find(|c| c.starts_with("__Host-kinship_session="))
            .unwrap_or_else(|| panic!("{signed_in:?}"));
        for line in &signed_in {
            assert!(line.starts_with("__Host-"), "{line}");
            assert_attributes(line, true);
        }
        // The session opens the events page under its `__Host-` name only: the same id under
        // the plain name (as a plain-HTTP page or a sibling subdomain could plant) opens nothing.
        let id = cookie_value(session);
        let http = no_redirects();
        for (name, opens) in [("__Host-kinship_session", true), ("kinship_session", false)] {
            let mut request = http
                .get(format!("{}/organize/events", server.base))
                .header(reqwest::header::COOKIE, format!("{name}={id}"));
            for (header, value) in extra {
                request = request.header(*header, *value);
            }
            let status = request.send().await.unwrap().status();
            assert_eq!(status == StatusCode::OK, opens, "{name}: {status}");
        }
    }
    // A plain-named sign-in cookie does not pass the sign-in's CSRF check over HTTPS.
    let http = no_redirects();
    let page = http
        .get(format!("{}/organize", flagged.base))
        .send()
        .await
        .unwrap();
    let signin = cookie_value(&set_cookie(&page, "__Host-kinship_signin").unwrap());
    let csrf = hidden_field(&page.text().await.unwrap(), "csrf");
    let planted = http
        .post(format!("{}/organize/sign-in", flagged.base))
        .header(reqwest::header::COOKIE, format!("kinship_signin={signin}"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("token", group.organizer_token.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(planted.status(), StatusCode::FORBIDDEN);
    // The operator's sign-in page follows the same rule.
    let operate = http
        .get(format!("{}/operate", flagged.base))
        .send()
        .await
        .unwrap();
    let line = set_cookie(&operate, "__Host-kinship_operate_signin").expect("operator cookie");
    assert_attributes(&line, true);
}

// ---------------------------------------------------------------------------------------------
// Private groups

/// Joins a private group with its invite code and returns the member token.
async fn member_token(
    http: &reqwest::Client,
    base: &str,
    group_id: &str,
    invite_code: &Option<String>,
) -> String {
    http.post(format!("{base}/v1/groups/{group_id}/join"))
        .json(&json!({"invite_code": invite_code.clone().unwrap()}))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["member_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Status, content type and body bytes: what a prober could compare.
async fn answer(request: reqwest::RequestBuilder) -> (u16, String, Vec<u8>) {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (
        status,
        content_type,
        response.bytes().await.unwrap().to_vec(),
    )
}

#[tokio::test]
async fn a_private_group_answers_as_a_missing_one_without_its_token() {
    for db in both_backends().await {
        let private = create_group(&db.url, "Private circle", Visibility::Private).await;
        let elsewhere = create_group(&db.url, "Another circle", Visibility::Private).await;
        let server = start(&db.url, ServerConfig::default()).await;
        let http = client();
        let base = &server.base;
        // A member of another private group: a real token, but not of this group.
        let member = member_token(&http, base, &elsewhere.group_id, &elsewhere.invite_code).await;
        // An id of the same shape that names no group.
        let missing = kinship_server::store::random_hex(private.group_id.len() / 2);
        assert_eq!(missing.len(), private.group_id.len());
        let event = format!("/events/{}", kinship_server::store::random_hex(16));
        for token in [None, Some(member.as_str())] {
            for path in ["", "/events", "/events?since=0&limit=5", event.as_str()] {
                let get = |id: &str| {
                    let request = http.get(format!("{base}/v1/groups/{id}{path}"));
                    match token {
                        Some(token) => request.bearer_auth(token),
                        None => request,
                    }
                };
                let real = answer(get(&private.group_id)).await;
                let made_up = answer(get(&missing)).await;
                assert_eq!(real.0, 404, "[{}] {path} {token:?}", db.backend);
                assert_eq!(real, made_up, "[{}] {path} {token:?}", db.backend);
            }
        }
        // Joining: a wrong invite code for the real group, any code for a made-up one.
        let join = |id: &str| {
            http.post(format!("{base}/v1/groups/{id}/join"))
                .json(&json!({"invite_code": "inv_wrong"}))
        };
        let real = answer(join(&private.group_id)).await;
        assert_eq!(real.0, 403, "[{}]", db.backend);
        assert_eq!(real, answer(join(&missing)).await, "[{}]", db.backend);
        // Writing with another group's organizer token: the same refusal either way.
        let write = |id: &str| {
            http.post(format!("{base}/v1/groups/{id}/events"))
                .bearer_auth(&elsewhere.organizer_token)
                .json(&event_json("Probe"))
        };
        let real = answer(write(&private.group_id)).await;
        assert_eq!(real.0, 403, "[{}]", db.backend);
        assert_eq!(real, answer(write(&missing)).await, "[{}]", db.backend);
        // The group's own member still reads it.
        let own = member_token(&http, base, &private.group_id, &private.invite_code).await;
        let status = http
            .get(format!("{base}/v1/groups/{}", private.group_id))
            .bearer_auth(&own)
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, StatusCode::OK, "[{}]", db.backend);
    }
}
