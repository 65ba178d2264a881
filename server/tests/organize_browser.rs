//! The organizer page end to end: the real server on 127.0.0.1 with a temporary SQLite file,
//! driven by Debian's headless Chromium through chromedriver with `fantoccini` (a W3C WebDriver
//! client), and by plain HTTP requests for what a browser would never send (forged forms,
//! missing CSRF tokens).
//!
//! The browser test needs `chromium` and `chromium-driver` (Debian packages; `scripts/test`
//! installs them). Without them it fails with a message saying so: it never skips. Paths can
//! be overridden with `KINSHIP_CHROMIUM` and `KINSHIP_CHROMEDRIVER`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed step should panic

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{cookie_value, hidden_field, set_cookie, sign_in};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use kinship_protocol::Visibility;
use kinship_server::local::LocalServer;
use kinship_server::{ServerConfig, Store, StoreOptions};
use reqwest::header::{CONTENT_SECURITY_POLICY, CONTENT_TYPE, COOKIE, LOCATION};
use reqwest::redirect::Policy;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A title that would change the page's title if any of it ran.
const INJECTION: &str =
    r#"<script>document.title='pwned'</script><img src=x onerror="document.title='pwned'">"#;
const GROUP_NAME: &str = "Rainbow Readers <&> Friends";
const EXPECTED_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'";

struct Server {
    base: String,
    group_id: String,
    token: String,
    /// A second public group, with one real event of its own.
    other_group_id: String,
    other_token: String,
    other_event_id: String,
    /// The database, for the operator's token.
    url: String,
    _server: LocalServer,
    _dir: tempfile::TempDir,
}

/// The whole application on an ephemeral loopback port, with one public group.
async fn start_server() -> Server {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("kinship.sqlite").display());
    let server = LocalServer::start(
        &url,
        ServerConfig::default(),
        &[
            (GROUP_NAME, "A queer book club", Visibility::Public),
            ("Another group", "Someone else's events", Visibility::Public),
        ],
    )
    .await
    .expect("start the server");
    let base = server.base.clone();
    let (group, other) = (server.groups[0].clone(), server.groups[1].clone());
    let created: Value = http()
        .post(format!("{base}/v1/groups/{}/events", other.group_id))
        .bearer_auth(&other.organizer_token)
        .json(&json!({
            "title": "Their event",
            "starts_at": "2026-12-10T19:00:00",
            "ends_at": "2026-12-10T21:00:00",
            "time_zone": "Europe/Lisbon",
            "place": {"name": "Their hall", "address": "Rua 2, Lisboa"},
            "category": "social"
        }))
        .send()
        .await
        .expect("post the other group's event")
        .json()
        .await
        .expect("event JSON");
    Server {
        base,
        group_id: group.group_id,
        token: group.organizer_token,
        other_group_id: other.group_id,
        other_token: other.organizer_token,
        other_event_id: created["id"].as_str().expect("event id").to_owned(),
        url,
        _server: server,
        _dir: dir,
    }
}

/// The other group's feed, as anyone may read it (it is public).
async fn other_feed(server: &Server) -> Value {
    let response = http()
        .get(format!(
            "{}/v1/groups/{}/events",
            server.base, server.other_group_id
        ))
        .send()
        .await
        .expect("feed request");
    response.json().await.expect("feed JSON")
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("http client")
}

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

async fn feed(server: &Server) -> Value {
    let response = http()
        .get(format!(
            "{}/v1/groups/{}/events",
            server.base, server.group_id
        ))
        .send()
        .await
        .expect("feed request");
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("feed JSON")
}

fn event_form<'a>(csrf: &'a str, title: &'a str, ends_at: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("form_id", "0123456789abcdef0123456789abcdef"),
        ("title", title),
        ("description", "Bring a friend & a snack"),
        ("starts_at", "2026-12-03T19:00"),
        ("ends_at", ends_at),
        ("time_zone", "Europe/Lisbon"),
        ("online_url", ""),
        ("place_name", "Livraria"),
        ("place_address", "Rua 1, Lisboa"),
        ("accessibility", "Step-free entrance"),
        ("category", "workshop"),
        ("status", "scheduled"),
    ]
}

/// Sign-in, cookies, CSRF and escaping, by plain HTTP: the requests a forging site could send.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_need_a_session_and_its_csrf_token() {
    let server = start_server().await;
    let client = http();
    let base = &server.base;

    // Not signed in: the events page sends you to sign in.
    let response = client
        .get(format!("{base}/organize/events"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/organize");

    // The sign-in page: security headers, a password field, a double-submit CSRF cookie.
    let response = client.get(format!("{base}/organize")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    let csp = headers[CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.starts_with(EXPECTED_CSP), "CSP was {csp}");
    assert!(!csp.contains("script-src"), "no script may run: {csp}");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert!(headers[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let signin_cookie = set_cookie(&response, "kinship_signin").expect("sign-in cookie");
    assert!(signin_cookie.contains("HttpOnly") && signin_cookie.contains("SameSite=Strict"));
    let signin = cookie_value(&signin_cookie);
    let html = response.text().await.unwrap();
    assert!(html.contains("type=\"password\""));
    assert!(html.contains("<label for=\"token\">"));
    let signin_csrf = hidden_field(&html, "csrf");
    assert_eq!(signin_csrf, signin);
    let signin_cookie_header = format!("kinship_signin={signin}");

    // Sign-in without the CSRF pair: 403, no session.
    let response = client
        .post(format!("{base}/organize/sign-in"))
        .form(&[("token", server.token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(set_cookie(&response, "kinship_session").is_none());

    // A wrong token: 401 with the form again, no session.
    let response = client
        .post(format!("{base}/organize/sign-in"))
        .header(COOKIE, &signin_cookie_header)
        .form(&[("csrf", signin_csrf.as_str()), ("token", "org_wrong")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(set_cookie(&response, "kinship_session").is_none());
    let html = response.text().await.unwrap();
    assert!(html.contains("didn't work"), "a clear error: {html}");
    assert!(html.contains("id=\"token\""));
    assert!(!html.contains("org_wrong"), "the typed token is not echoed");

    // The right token: 303 to the events page and an HttpOnly, SameSite=Strict session cookie.
    let response = client
        .post(format!("{base}/organize/sign-in"))
        .header(COOKIE, &signin_cookie_header)
        .form(&[
            ("csrf", signin_csrf.as_str()),
            ("token", server.token.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/organize/events");
    let session_cookie = set_cookie(&response, "kinship_session").expect("session cookie");
    for part in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(
            session_cookie.split(';').any(|p| p.trim() == part),
            "{part} missing from {session_cookie}"
        );
    }
    let session = cookie_value(&session_cookie);
    assert!(
        session.len() >= 32 && session.bytes().all(|b| b.is_ascii_hexdigit()),
        "at least 128 random bits: {session}"
    );
    let cookie = format!("kinship_session={session}");

    // The events page: the group's name escaped, a CSRF token in every form.
    let response = client
        .get(format!("{base}/organize/events"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let html = response.text().await.unwrap();
    assert!(html.contains("Rainbow Readers &lt;&amp;&gt; Friends"));
    assert!(!html.contains(GROUP_NAME));
    let csrf = hidden_field(&html, "csrf");
    assert_eq!(csrf.len(), 64);
    assert_ne!(csrf, session, "the CSRF token is not the session id");
    for tag in html.split("<form").skip(1) {
        assert!(
            tag.contains(&format!("name=\"csrf\" value=\"{csrf}\"")),
            "a form without the CSRF token: <form{tag}"
        );
    }

    // Forged posts: no token, a wrong token, or a token without the session cookie. All 403,
    // and nothing is created.
    let good = event_form(&csrf, "Queer book club", "2026-12-03T21:00");
    let mut without: Vec<_> = good.clone();
    without.retain(|(k, _)| *k != "csrf");
    let wrong_csrf = "0".repeat(64);
    let wrong = event_form(&wrong_csrf, "Queer book club", "2026-12-03T21:00");
    for (form, cookie) in [
        (&without, Some(&cookie)),
        (&wrong, Some(&cookie)),
        (&good, None),
    ] {
        let mut request = client.post(format!("{base}/organize/events")).form(form);
        if let Some(cookie) = cookie {
            request = request.header(COOKIE, cookie);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
    }
    assert_eq!(feed(&server).await["changes"].as_array().unwrap().len(), 0);

    // A mistake: 422, the field's problem shown, everything typed kept (and escaped).
    let bad = event_form(&csrf, INJECTION, "2026-12-03T18:00");
    let response = client
        .post(format!("{base}/organize/events"))
        .header(COOKIE, &cookie)
        .form(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("The end must be after the start."));
    assert!(html.contains("id=\"ends_at-error\""));
    assert!(html.contains("value=\"2026-12-03T18:00\""));
    assert!(html.contains("Bring a friend &amp; a snack"));
    assert!(html.contains(
        "value=\"&lt;script&gt;document.title='pwned'&lt;/script&gt;&lt;img src=x onerror=&quot;document.title='pwned'&quot;&gt;\""
    ));
    assert!(!html.contains("<script") && !html.contains("<img"));
    assert_eq!(feed(&server).await["changes"].as_array().unwrap().len(), 0);

    // The right form creates the event; the same form sent twice creates it once.
    let form = event_form(&csrf, INJECTION, "2026-12-03T21:00");
    for _ in 0..2 {
        let response = client
            .post(format!("{base}/organize/events"))
            .header(COOKIE, &cookie)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&response), "/organize/events?done=created");
    }
    let page = feed(&server).await;
    let changes = page["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "one event: {page}");
    let event = &changes[0];
    assert_eq!(event["title"], INJECTION);
    assert_eq!(event["starts_at"], "2026-12-03T19:00:00");
    assert_eq!(event["category"], "workshop");
    assert_eq!(event["place"]["address"], "Rua 1, Lisboa");
    assert_eq!(event["status"], "scheduled");
    let event_id = event["id"].as_str().unwrap().to_owned();

    // The list shows it escaped.
    let html = client
        .get(format!("{base}/organize/events"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(&format!("id=\"event-{event_id}\"")));
    // Escaped as text: `<`, `>`, `&` and `"` become entities (a `'` is harmless in text and in
    // the double-quoted attributes the templates write).
    assert!(html.contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;"));
    assert!(!html.contains("<script"));
    assert!(!html.contains("<script") && !html.contains("<img"));

    // Edit and cancel also need the token; forged ones change nothing.
    let response = client
        .post(format!("{base}/organize/events/{event_id}/cancel"))
        .header(COOKIE, &cookie)
        .form(&[("csrf", "nope")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let edited = event_form("", "Renamed by a forger", "2026-12-03T21:00");
    let response = client
        .post(format!("{base}/organize/events/{event_id}"))
        .header(COOKIE, &cookie)
        .form(&edited)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let event = &feed(&server).await["changes"][0];
    assert_eq!(event["title"], INJECTION);
    assert_eq!(event["status"], "scheduled");

    // With the token, cancelling works.
    let response = client
        .post(format!("{base}/organize/events/{event_id}/cancel"))
        .header(COOKIE, &cookie)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(feed(&server).await["changes"][0]["status"], "cancelled");

    // An unknown event, and another group's real event: 404 to view, edit or cancel, with a
    // valid session and CSRF token, and the other group's event stays exactly as it was.
    let response = client
        .get(format!(
            "{base}/organize/events/ffffffffffffffffffffffffffffffff"
        ))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let theirs = server.other_event_id.clone();
    let their_feed = other_feed(&server).await;
    assert_eq!(their_feed["changes"][0]["id"], theirs.as_str());
    let response = client
        .get(format!("{base}/organize/events/{theirs}"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let html = response.text().await.unwrap();
    assert!(!html.contains("Their event"), "nothing of it is shown");
    let hijack = event_form(&csrf, "Taken over", "2026-12-03T21:00");
    let response = client
        .post(format!("{base}/organize/events/{theirs}"))
        .header(COOKIE, &cookie)
        .form(&hijack)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = client
        .post(format!("{base}/organize/events/{theirs}/cancel"))
        .header(COOKIE, &cookie)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        other_feed(&server).await,
        their_feed,
        "their event is unchanged"
    );

    // One session's CSRF token is worthless in another session: the other group's organizer,
    // signed in, cannot be made to post with this session's token.
    let (their_cookie, their_csrf) = sign_in(base, &server.other_token).await;
    assert_ne!(their_csrf, csrf);
    let response = client
        .post(format!("{base}/organize/events"))
        .header(COOKIE, &their_cookie)
        .form(&event_form(&csrf, "Planted", "2026-12-03T21:00"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = client
        .post(format!("{base}/organize/events/{theirs}/cancel"))
        .header(COOKIE, &their_cookie)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        other_feed(&server).await,
        their_feed,
        "nothing was planted or cancelled"
    );
    // ...while their own token works in their own session (the check above could fail).
    let response = client
        .post(format!("{base}/organize/events/{theirs}/cancel"))
        .header(COOKIE, &their_cookie)
        .form(&[("csrf", their_csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        other_feed(&server).await["changes"][0]["status"],
        "cancelled"
    );

    // Signing out needs the token too, then ends the session for good.
    let response = client
        .post(format!("{base}/organize/sign-out"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = client
        .post(format!("{base}/organize/sign-out"))
        .header(COOKIE, &cookie)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let cleared = set_cookie(&response, "kinship_session").expect("cookie cleared");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    let response = client
        .get(format!("{base}/organize/events"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = client
        .post(format!("{base}/organize/events"))
        .header(COOKIE, &cookie)
        .form(&good)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(feed(&server).await["changes"].as_array().unwrap().len(), 1);
}

/// A real click-through in headless Chromium: sign in, create an event whose title is a script
/// injection, edit it, cancel it, and check that the title shows literally and nothing ran.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn click_through_in_headless_chromium() {
    let Some((chromium, chromedriver)) = browser_binaries() else {
        return;
    };
    let server = start_server().await;
    let driver = Driver::start(&chromium, &chromedriver)
        .await
        .unwrap_or_else(|e| panic!("could not start headless Chromium: {e}"));
    let result = click_through(&driver, &server).await;
    drop(driver);
    if let Err(message) = result {
        panic!("{message}");
    }
}

async fn click_through(driver: &Driver, server: &Server) -> Result<(), String> {
    let base = &server.base;

    // A wrong token first: the error is shown beside the field.
    driver.goto(&format!("{base}/organize")).await?;
    expect_eq(driver.title().await?, "Sign in · Kinship organizer".into())?;
    driver.type_into("#token", "org_not_the_token").await?;
    driver.click("#sign-in").await?;
    driver.wait_text("#token-error", "didn't work").await?;

    // The right token.
    driver.type_into("#token", &server.token).await?;
    driver.click("#sign-in").await?;
    driver.wait_for("form#create").await?;
    let url = driver.url().await?;
    expect(url.ends_with("/organize/events"), &format!("at {url}"))?;
    driver.wait_text("header", GROUP_NAME).await?;

    // Create the event with the injection as its title.
    driver.type_into("#title", INJECTION).await?;
    driver
        .type_into("#description", "Bring a friend <b>or two</b> & snacks.")
        .await?;
    driver
        .set_datetime("#starts_at", "2026-12-03T19:00")
        .await?;
    driver.set_datetime("#ends_at", "2026-12-03T21:00").await?;
    driver.type_into("#time_zone", "Europe/Lisbon").await?;
    driver
        .type_into("#place_name", "Livraria Sá da Costa")
        .await?;
    driver.type_into("#place_address", "Rua 1, Lisboa").await?;
    driver
        .type_into("#accessibility", "Step-free entrance")
        .await?;
    driver.click("#category option[value=\"workshop\"]").await?;
    driver.click("form#create button[type=\"submit\"]").await?;
    driver.wait_text(".notice", "posted").await?;
    check_nothing_ran(driver).await?;
    let titles = driver.texts("#events .event-title").await?;
    expect_eq(titles, vec![INJECTION.to_owned()])?;
    driver
        .wait_text(".event .description", "<b>or two</b>")
        .await?;

    // Edit it: the form shows the title literally, and a change is saved.
    driver.click(".event a.edit").await?;
    driver.wait_for("form#edit").await?;
    expect_eq(driver.property("#title", "value").await?, INJECTION.into())?;
    expect_eq(
        driver.property("#starts_at", "value").await?,
        "2026-12-03T19:00".into(),
    )?;
    expect_eq(
        driver.property("#description", "value").await?,
        "Bring a friend <b>or two</b> & snacks.".into(),
    )?;
    check_nothing_ran(driver).await?;
    driver
        .type_into("#description", "Bring a friend. Tea and biscuits provided.")
        .await?;
    driver
        .type_into("#place_name", "Livraria Sá da Costa, upstairs")
        .await?;
    driver.click("form#edit button[type=\"submit\"]").await?;
    driver.wait_text(".notice", "saved").await?;
    driver
        .wait_text(".event .description", "Tea and biscuits")
        .await?;
    driver.wait_text(".event", "upstairs").await?;

    // Cancel it.
    driver.click(".event form.cancel button").await?;
    driver.wait_text(".notice", "cancelled").await?;
    driver.wait_text(".event .status", "Cancelled").await?;
    expect(
        driver.find_all(".event form.cancel").await?.is_empty(),
        "a cancelled event offers no cancel button",
    )?;
    let titles = driver.texts("#events .event-title").await?;
    expect_eq(titles, vec![INJECTION.to_owned()])?;
    check_nothing_ran(driver).await?;

    // The screenshot: a real PNG of a real page.
    let png = driver.screenshot().await?;
    let path = target_dir().join("organize-screenshot.png");
    std::fs::write(&path, &png).map_err(|e| format!("writing {}: {e}", path.display()))?;
    check_png(&png)?;
    println!("screenshot saved to {}", path.display());

    // What the browser did is what the API serves.
    let page = feed(server).await;
    let changes = page["changes"].as_array().ok_or("no changes")?;
    expect_eq(changes.len(), 1)?;
    let event = &changes[0];
    expect_eq(event["title"].clone(), json!(INJECTION))?;
    expect_eq(event["status"].clone(), json!("cancelled"))?;
    expect_eq(event["category"].clone(), json!("workshop"))?;
    expect_eq(event["starts_at"].clone(), json!("2026-12-03T19:00:00"))?;
    expect_eq(
        event["description"].clone(),
        json!("Bring a friend. Tea and biscuits provided."),
    )?;
    expect_eq(
        event["place"]["name"].clone(),
        json!("Livraria Sá da Costa, upstairs"),
    )?;

    // Sign out.
    driver.click("#sign-out").await?;
    driver.wait_text(".notice", "signed out").await?;
    driver.goto(&format!("{base}/organize/events")).await?;
    driver.wait_for("#token").await?;

    // The operator's page, in the same browser: a report whose note is an injection is
    // listed, as text.
    let status = http()
        .post(format!("{base}/v1/directory/reports"))
        .json(
            &json!({"entry_id": "pt-sos-voz-amiga", "directory_version": 2,
                      "problem": "wrong_hours", "note": INJECTION}),
        )
        .send()
        .await
        .map_err(|e| e.to_string())?
        .status();
    expect_eq(status.as_u16(), 202)?;
    let operator_token = Store::connect(&server.url, StoreOptions::default())
        .await
        .map_err(|e| e.to_string())?
        .rotate_operator_token()
        .await
        .map_err(|e| e.to_string())?;
    driver.goto(&format!("{base}/operate/reports")).await?;
    driver.wait_for("#token").await?;
    driver.type_into("#token", "op_wrong").await?;
    driver.click("#sign-in").await?;
    driver.wait_text("#token-error", "didn't work").await?;
    driver.type_into("#token", &operator_token).await?;
    driver.click("#sign-in").await?;
    driver
        .wait_text("#summary", "1 report about 1 entry")
        .await?;
    check_nothing_ran(driver).await?;
    expect_eq(driver.texts(".notes li").await?, vec![INJECTION.to_owned()])?;
    expect_eq(
        driver.texts("h2 code").await?,
        vec!["pt-sos-voz-amiga".to_owned()],
    )?;
    driver.click("#sign-out").await?;
    driver.wait_for("#token").await?;
    Ok(())
}

/// No script ran and the injection made no element: the page title is ours, and the page has
/// no script or img element at all (it uses neither).
async fn check_nothing_ran(driver: &Driver) -> Result<(), String> {
    let title = driver.title().await?;
    expect(
        !title.contains("pwned")
            && (title.ends_with("· Kinship organizer") || title.ends_with("· Kinship operator")),
        &format!("the page title changed to {title:?}"),
    )?;
    expect_eq(driver.find_all("script").await?.len(), 0)?;
    expect_eq(driver.find_all("img").await?.len(), 0)?;
    expect_eq(driver.find_all("[onerror]").await?.len(), 0)?;
    Ok(())
}

fn check_png(png: &[u8]) -> Result<(), String> {
    expect(
        png.starts_with(b"\x89PNG\r\n\x1a\n"),
        "the screenshot is not a PNG",
    )?;
    expect(png.len() > 24 && &png[12..16] == b"IHDR", "no IHDR chunk")?;
    let width = u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
    let height = u32::from_be_bytes([png[20], png[21], png[22], png[23]]);
    expect(
        width >= 400 && height >= 300,
        &format!("the screenshot is only {width}x{height}"),
    )?;
    // A blank page compresses to a few kilobytes; text, forms and colours do not.
    expect(
        png.len() > 20_000,
        &format!("the screenshot is only {} bytes: blank?", png.len()),
    )
}

fn expect(condition: bool, message: &str) -> Result<(), String> {
    if condition {
        Ok(())
    } else {
        Err(message.to_owned())
    }
}

fn expect_eq<T: PartialEq + std::fmt::Debug>(actual: T, expected: T) -> Result<(), String> {
    if actual == expected {
        Ok(())
    } else {
        Err(format!("expected {expected:?}, got {actual:?}"))
    }
}

/// Where cargo puts build output: the test binary lives in `<target>/<profile>/deps/`.
fn target_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.parent()?.to_path_buf()))
        .filter(|dir| dir.join("CACHEDIR.TAG").exists() || dir.ends_with("target"))
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"))
}

/// Chromium and chromedriver, or a failure that says how to get them.
/// Chromium and chromedriver, or `None` (said on stderr) when they are missing and scripts/test
/// did not ask for them (`KINSHIP_REQUIRE_SERVICES`).
fn browser_binaries() -> Option<(PathBuf, PathBuf)> {
    let find = |env: &str, name: &str| -> Option<PathBuf> {
        if let Some(path) = std::env::var_os(env) {
            return Some(PathBuf::from(path)).filter(|p| p.is_file());
        }
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join(name))
                .find(|p| p.is_file())
        })
    };
    let chromium = find("KINSHIP_CHROMIUM", "chromium");
    let chromedriver = find("KINSHIP_CHROMEDRIVER", "chromedriver");
    match (chromium, chromedriver) {
        (Some(chromium), Some(chromedriver)) => Some((chromium, chromedriver)),
        (chromium, chromedriver) => {
            let missing: Vec<&str> = [
                ("chromium", chromium.is_none()),
                ("chromedriver", chromedriver.is_none()),
            ]
            .iter()
            .filter(|(_, gone)| *gone)
            .map(|(name, _)| *name)
            .collect();
            common::skip_without(
                "headless Chromium",
                &format!(
                    "the organizer page's browser test needs Debian's chromium and \
                     chromium-driver (missing: {}); install them with `apt-get install -y \
                     chromium chromium-driver`, or point KINSHIP_CHROMIUM / KINSHIP_CHROMEDRIVER \
                     at them",
                    missing.join(", ")
                ),
            );
            None
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The browser, driven through chromedriver by `fantoccini` (a maintained W3C WebDriver client).

const WAIT: Duration = Duration::from_secs(15);

struct Driver {
    client: Client,
    /// The WebDriver session, ended in `drop` even when a test panics.
    session: Option<String>,
    port: u16,
    chromedriver: Child,
    _profile: tempfile::TempDir,
}

impl Driver {
    async fn start(chromium: &Path, chromedriver: &Path) -> Result<Driver, String> {
        let port = free_port()?;
        let mut child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            // Chromium on Linux takes its UI language (and so the order of the date segments
            // that `set_datetime` types) from the environment, not from --lang.
            .env("LANGUAGE", "en_US:en")
            .env("LC_ALL", "C.UTF-8")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", chromedriver.display()))?;
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        let started = Instant::now();
        while TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_err() {
            if let Ok(Some(exit)) = child.try_wait() {
                return Err(format!("chromedriver exited at once: {exit}"));
            }
            if started.elapsed() > Duration::from_secs(20) {
                let _ = child.kill();
                return Err("chromedriver did not listen within 20 s".into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = tempfile::tempdir().map_err(|e| e.to_string())?;
        let options = json!({
            "binary": chromium.display().to_string(),
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--lang=en-US",
                "--window-size=1280,1600",
                format!("--user-data-dir={}", profile.path().display()),
            ]
        });
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert("pageLoadStrategy".into(), json!("normal"));
        capabilities.insert("goog:chromeOptions".into(), options);
        // Plain HTTP to chromedriver on loopback: no TLS stack needed.
        let connected = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://{address}"))
            .await;
        let client = match connected {
            Ok(client) => client,
            Err(e) => {
                let _ = child.kill();
                return Err(format!("no browser session: {e}"));
            }
        };
        let session = client.session_id().await.ok().flatten();
        Ok(Driver {
            client,
            session,
            port,
            chromedriver: child,
            _profile: profile,
        })
    }

    async fn goto(&self, url: &str) -> Result<(), String> {
        self.client
            .goto(url)
            .await
            .map_err(|e| format!("goto {url}: {e}"))
    }

    async fn title(&self) -> Result<String, String> {
        self.client.title().await.map_err(|e| e.to_string())
    }

    async fn url(&self) -> Result<String, String> {
        Ok(self
            .client
            .current_url()
            .await
            .map_err(|e| e.to_string())?
            .to_string())
    }

    async fn find_all(&self, css: &str) -> Result<Vec<Element>, String> {
        self.client
            .find_all(Locator::Css(css))
            .await
            .map_err(|e| format!("finding {css}: {e}"))
    }

    /// Waits until `css` matches (after a click, the next page may still be loading).
    async fn wait_for(&self, css: &str) -> Result<Element, String> {
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
            .map_err(|e| format!("waited {WAIT:?} for {css}: {e}"))
    }

    /// Waits until `css`'s text contains `needle`.
    async fn wait_text(&self, css: &str, needle: &str) -> Result<(), String> {
        let started = Instant::now();
        let mut last = String::new();
        loop {
            if let Ok(element) = self.client.find(Locator::Css(css)).await {
                if let Ok(text) = element.text().await {
                    if text.contains(needle) {
                        return Ok(());
                    }
                    last = text;
                }
            }
            if started.elapsed() > WAIT {
                let url = self.url().await.unwrap_or_default();
                return Err(format!(
                    "waited {WAIT:?} for {css} to say {needle:?}; it said {last:?} (at {url})"
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn texts(&self, css: &str) -> Result<Vec<String>, String> {
        let mut texts = Vec::new();
        for element in self.find_all(css).await? {
            texts.push(element.text().await.map_err(|e| e.to_string())?);
        }
        Ok(texts)
    }

    async fn property(&self, css: &str, name: &str) -> Result<String, String> {
        let element = self.wait_for(css).await?;
        Ok(element
            .prop(name)
            .await
            .map_err(|e| format!("{css}.{name}: {e}"))?
            .unwrap_or_default())
    }

    async fn click(&self, css: &str) -> Result<(), String> {
        self.wait_for(css)
            .await?
            .click()
            .await
            .map_err(|e| format!("clicking {css}: {e}"))
    }

    /// Clears a field and types into it, key by key, as a person would.
    async fn type_into(&self, css: &str, text: &str) -> Result<(), String> {
        let element = self.wait_for(css).await?;
        element
            .clear()
            .await
            .map_err(|e| format!("clearing {css}: {e}"))?;
        element
            .send_keys(text)
            .await
            .map_err(|e| format!("typing into {css}: {e}"))?;
        let typed = self.property(css, "value").await?;
        expect(
            typed == text,
            &format!("typed {text:?} into {css}, it holds {typed:?}"),
        )
    }

    /// A datetime-local field, typed segment by segment the way Chromium's en-US control takes
    /// it (month, day, year, then Tab to hour, minute, AM/PM): `value` is `YYYY-MM-DDTHH:MM`.
    async fn set_datetime(&self, css: &str, value: &str) -> Result<(), String> {
        let (date, time) = value.split_once('T').ok_or("datetime needs a T")?;
        let mut date = date.split('-');
        let (year, month, day) = (
            date.next().unwrap_or(""),
            date.next().unwrap_or(""),
            date.next().unwrap_or(""),
        );
        let (hour, minute) = time.split_once(':').ok_or("time needs a colon")?;
        let hour: u32 = hour.parse().map_err(|_| "bad hour")?;
        let (hour12, meridiem) = match hour {
            0 => (12, "A"),
            1..=11 => (hour, "A"),
            12 => (12, "P"),
            _ => (hour - 12, "P"),
        };
        let tab = char::from(Key::Tab);
        let keys = format!("{month}{day}{year}{tab}{hour12:02}{minute}{meridiem}");
        let element = self.wait_for(css).await?;
        element
            .clear()
            .await
            .map_err(|e| format!("clearing {css}: {e}"))?;
        element
            .click()
            .await
            .map_err(|e| format!("clicking {css}: {e}"))?;
        element
            .send_keys(&keys)
            .await
            .map_err(|e| format!("typing into {css}: {e}"))?;
        let typed = self.property(css, "value").await?;
        expect(
            typed == value,
            &format!("typed {value:?} into {css}, it holds {typed:?}"),
        )
    }

    async fn screenshot(&self) -> Result<Vec<u8>, String> {
        self.client.screenshot().await.map_err(|e| e.to_string())
    }
}

impl Drop for Driver {
    /// Ends the browser session (which quits Chromium), then stops chromedriver. `drop` cannot
    /// wait for the async client, so the session is deleted with one blocking request: best
    /// effort, and it also runs when a test panics.
    fn drop(&mut self) {
        if let Some(session) = &self.session {
            let address = SocketAddr::from(([127, 0, 0, 1], self.port));
            if let Ok(mut stream) = TcpStream::connect_timeout(&address, Duration::from_secs(2)) {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(15)));
                let _ = write!(
                    stream,
                    "DELETE /session/{session} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
                    self.port
                );
                let mut reply = Vec::new();
                let _ = stream.read_to_end(&mut reply);
            }
        }
        let _ = self.chromedriver.kill();
        let _ = self.chromedriver.wait();
    }
}

fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}
