//! What the server's web pages share: sessions held in memory, cookies, the security headers
//! and the style sheet. The pages themselves live in [`crate::organize`] (organizers) and
//! [`crate::operate`] (the server's operator), as `maud` templates that escape what they insert.

use std::time::Duration;

use std::net::SocketAddr;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use crate::error::ApiError;
use crate::store::{constant_time_eq, hash_secret, random_hex, StoreError, WebSession};
use crate::SharedState;
use crate::Store;

/// How long a sign-in lasts.
pub const SESSION_HOURS: u64 = 8;
/// Scripts: none at all. Styles: only the page's own inline block.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The pages' one style sheet, inline (the CSP allows no other).
pub(crate) const STYLE: &str = "
:root { color-scheme: light; --ink: #2b2233; --muted: #5f5468; --accent: #7a2e8e; --accent-ink: #fff;
  --warm: #fff7ef; --line: #e4d7e9; --ok: #e6f4ea; --bad: #fdecec; --bad-ink: #8a1c1c; }
* { box-sizing: border-box; }
body { margin: 0; font: 17px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: var(--ink); background: var(--warm); }
.stripe { height: 6px; background: linear-gradient(90deg, #e40303, #ff8c00, #ffed00, #008026, #24408e, #732982, #5bcefa, #f5a9b8); }
header, main { max-width: 48rem; margin: 0 auto; padding: 0 1rem; }
header { display: flex; align-items: center; justify-content: space-between; gap: 1rem; padding-top: 1rem; flex-wrap: wrap; }
header p { margin: 0; color: var(--muted); }
h1 { font-size: 1.8rem; margin: 1rem 0 .5rem; }
h2 { font-size: 1.35rem; margin: 2rem 0 .75rem; }
h3 { font-size: 1.15rem; margin: 0 0 .25rem; overflow-wrap: anywhere; }
a { color: var(--accent); }
.notice { background: var(--ok); border-left: 4px solid #2e7d32; padding: .75rem 1rem; border-radius: 6px; }
.problems { background: var(--bad); border-left: 4px solid var(--bad-ink); padding: .75rem 1rem; border-radius: 6px; }
.field-error { color: var(--bad-ink); margin: .25rem 0 0; font-weight: 600; }
.event { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 1rem; margin: 0 0 1rem; }
.event.cancelled { opacity: .8; border-style: dashed; }
.event .meta { color: var(--muted); margin: .25rem 0; }
.event .description { white-space: pre-wrap; overflow-wrap: anywhere; }
.badge { display: inline-block; font-size: .85rem; padding: 0 .5rem; border-radius: 999px; background: var(--line); margin-right: .25rem; }
.badge.cancelled { background: var(--bad); color: var(--bad-ink); font-weight: 600; }
.actions { display: flex; gap: .5rem; flex-wrap: wrap; margin-top: .75rem; }
.actions form { margin: 0; }
form.card { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 1rem; }
.field { margin: 0 0 1rem; }
.field label { display: block; font-weight: 600; }
.hint { color: var(--muted); font-size: .9rem; margin: 0; }
input, select, textarea { font: inherit; width: 100%; padding: .45rem .6rem; border: 1px solid #b9a8c2; border-radius: 6px; background: #fff; color: var(--ink); }
textarea { min-height: 6rem; }
fieldset { border: 1px solid var(--line); border-radius: 8px; margin: 0 0 1rem; padding: .5rem 1rem 0; }
legend { font-weight: 700; padding: 0 .25rem; }
[aria-invalid=true] { border-color: var(--bad-ink); border-width: 2px; }
.row { display: grid; grid-template-columns: 1fr 1fr; gap: 0 1rem; }
@media (max-width: 36rem) { .row { grid-template-columns: 1fr; } }
button, .button { display: inline-block; font: inherit; font-weight: 600; padding: .45rem 1rem; border-radius: 6px; border: 2px solid var(--accent); background: var(--accent); color: var(--accent-ink); cursor: pointer; text-decoration: none; }
button.secondary, .button.secondary { background: #fff; color: var(--accent); }
button.danger { background: #fff; color: var(--bad-ink); border-color: var(--bad-ink); }
:focus-visible { outline: 3px solid #ff8c00; outline-offset: 2px; }
.empty { color: var(--muted); font-style: italic; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
";

pub(crate) const SESSION_TTL: Duration = Duration::from_secs(SESSION_HOURS * 3600);

/// Which web pages a session opens. A session of one kind never opens the other's pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SessionKind {
    Organizer,
    Operator,
}

impl SessionKind {
    fn as_str(self) -> &'static str {
        match self {
            SessionKind::Organizer => "organizer",
            SessionKind::Operator => "operator",
        }
    }
}

/// Sessions kept per subject (one group's organizers, or the operator); beyond it that
/// subject's oldest goes, so nobody can sign another group's organizers out by signing in often.
pub(crate) const MAX_SESSIONS_PER_SUBJECT: usize = 20;

/// A signed-in browser. Sessions live in the database, so every instance of the server sees
/// the same ones; the database keeps only hashes of the session id and of the token.
#[derive(Clone)]
pub(crate) struct Session {
    /// Whom the token signed in: an organizer's group id, or `operator`.
    pub(crate) subject: String,
    pub(crate) csrf: String,
}

/// Signs `subject` in with `token`; returns the session id for the cookie.
pub(crate) async fn start_session(
    store: &Store,
    kind: SessionKind,
    subject: &str,
    token: &str,
) -> Result<String, StoreError> {
    let id = random_hex(32);
    let session = WebSession {
        id_hash: hash_secret(&id),
        kind: kind.as_str().to_owned(),
        subject: subject.to_owned(),
        token_hash: hash_secret(token),
        csrf: random_hex(32),
        expires_at: chrono::Utc::now() + chrono::Duration::hours(SESSION_HOURS as i64),
    };
    store
        .insert_session(&session, MAX_SESSIONS_PER_SUBJECT)
        .await?;
    Ok(id)
}

/// The live session of `kind` the cookie's `id` names, if its token is still the current one
/// (a rotated token ends its sessions at once, on every instance).
pub(crate) async fn find_session(
    store: &Store,
    kind: SessionKind,
    id: &str,
) -> Result<Option<Session>, StoreError> {
    let Some(stored) = store.session(kind.as_str(), &hash_secret(id)).await? else {
        return Ok(None);
    };
    let current = match kind {
        SessionKind::Organizer => {
            store
                .organizer_hash_is(&stored.subject, &stored.token_hash)
                .await?
        }
        SessionKind::Operator => store.operator_hash_is(&stored.token_hash).await?,
    };
    if !current {
        store.delete_session(&stored.id_hash).await?;
        return Ok(None);
    }
    Ok(Some(Session {
        subject: stored.subject,
        csrf: stored.csrf,
    }))
}

/// Signs the session out.
pub(crate) async fn end_session(store: &Store, id: &str) -> Result<(), StoreError> {
    store.delete_session(&hash_secret(id)).await
}

/// The value of the cookie called `base` (see [`cookie_name`]) from the request's `Cookie`
/// headers. Over HTTPS only the `__Host-` name counts: a cookie planted under the plain name
/// (by a plain-HTTP page or a sibling subdomain) is never read there.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, base: &str, secure: bool) -> Option<&'a str> {
    let name = cookie_name(base, secure);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

/// What the cookie called `base` is named: `__Host-base` when the browser came over HTTPS,
/// which browsers accept only with `Secure; Path=/` and no `Domain`, so that nothing but this
/// host over HTTPS can set or overwrite it; the plain name on a plain-HTTP (loopback) server,
/// where a browser would drop a `Secure` cookie.
pub(crate) fn cookie_name(base: &str, secure: bool) -> String {
    if secure {
        format!("__Host-{base}")
    } else {
        base.to_owned()
    }
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict and `Path=/` always, never a `Domain`, and
/// over HTTPS `Secure` under the `__Host-` name. Not scoped to a page's path: sessions are of
/// one kind and one subject in the database, and the organizer's and the operator's cookies
/// have different names, so a cookie sent to another page opens nothing there.
pub(crate) fn cookie_header(base: &str, value: &str, max_age: u64, secure: bool) -> String {
    let name = cookie_name(base, secure);
    let mut text = format!("{name}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}");
    if secure {
        text.push_str("; Secure");
    }
    text
}

pub(crate) fn append_cookie(response: &mut Response, cookie: &str) {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// Whether the browser came over HTTPS: always when the operator says the pages are served
/// over HTTPS (`--https-cookies`), else when a trusted proxy reports `X-Forwarded-Proto: https`.
pub(crate) fn secure_cookies(state: &SharedState, headers: &HeaderMap) -> bool {
    state.config.https_cookies
        || (state.config.trust_forwarded_for
            && headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("https")))
}

pub(crate) fn is_hex(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| b.is_ascii_hexdigit())
}

pub(crate) fn html_response(status: StatusCode, html: String) -> Response {
    (status, Html(html)).into_response()
}

pub(crate) fn see_other(location: &'static str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}

/// Headers every server-rendered page carries: no scripts, no sniffing, no referrer, no
/// framing, no caching.
pub(crate) async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A sign-in form as posted: the double-submit value and the token.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct SignInForm {
    pub(crate) csrf: String,
    pub(crate) token: String,
}

/// A signed-in form with nothing but the session's CSRF token (sign-out, cancel).
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct CsrfForm {
    pub(crate) csrf: String,
}

/// The double-submit value for a sign-in form: the browser's own when its cookie holds a good
/// one (so two open tabs both work), else a new one.
pub(crate) fn sign_in_csrf(headers: &HeaderMap, cookie_name: &str, secure: bool) -> String {
    cookie(headers, cookie_name, secure)
        .filter(|v| is_hex(v, 32))
        .map(str::to_owned)
        .unwrap_or_else(|| random_hex(16))
}

/// Whether a posted sign-in form carries the value its cookie holds and comes from this site,
/// so that another site cannot sign a browser in with its own token (login CSRF), even one
/// that managed to plant the cookie.
pub(crate) fn sign_in_csrf_matches(
    headers: &HeaderMap,
    cookie_name: &str,
    secure: bool,
    submitted: &str,
) -> bool {
    same_site_post(headers)
        && cookie(headers, cookie_name, secure)
            .filter(|v| is_hex(v, 32))
            .is_some_and(|expected| constant_time_eq(expected, submitted))
}

/// A POST that the browser says came from this site. `Sec-Fetch-Site`, which every current
/// browser sends, must be `same-origin` (or `none`: typed by the person). Without it, an
/// `Origin` must name the `Host` the request went to; `Origin: null` (which browsers send for a
/// form on a `no-referrer` page like ours) says nothing either way. A client that sends neither
/// is not a browser another site can drive, and the double-submit cookie still applies.
fn same_site_post(headers: &HeaderMap) -> bool {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        return site == "same-origin" || site == "none";
    }
    match (text("origin"), text("host")) {
        (None | Some("null"), _) => true,
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_some_and(|(_, authority)| authority.eq_ignore_ascii_case(host)),
        (Some(_), None) => false,
    }
}

/// The per-address rate limit, taken before any token is looked at: `Err(seconds)` to wait.
pub(crate) fn limit_address(
    state: &SharedState,
    headers: &HeaderMap,
    peer: SocketAddr,
) -> Result<(), u64> {
    let address =
        crate::limits::client_address(headers, Some(peer), state.config.trust_forwarded_for);
    state
        .limiter
        .check(&format!("ip:{address}"))
        .map_err(|err| match err {
            ApiError::RateLimited { retry_after_secs } => retry_after_secs,
            // The limiter answers nothing else.
            _ => 60,
        })
}

/// The sign-in form's token input, with its error beside it (both pages sign in this way).
pub(crate) fn token_field(label: &str, max_chars: usize, error: Option<&str>) -> maud::Markup {
    maud::html! {
        div.field {
            label for="token" { (label) }
            input type="password" id="token" name="token" required
                autocomplete="current-password" spellcheck="false"
                autocapitalize="off" maxlength=(max_chars)
                aria-invalid=[error.map(|_| "true")]
                aria-describedby=[error.map(|_| "token-error")];
            @if let Some(error) = error {
                p.field-error id="token-error" role="alert" { (error) }
            }
        }
    }
}

/// Tells the browser when to try again after a 429.
pub(crate) fn set_retry_after(response: &mut Response, secs: u64) {
    if let Ok(value) = HeaderValue::from_str(&secs.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
}

/// A whole page: `site` names the part of the server ("organizer", "operator") after the title.
pub(crate) fn document(site: &str, title: &str, body: maud::Markup) -> String {
    let page = maud::html! {
        (maud::DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex";
                title { (title) " · Kinship " (site) }
                style { (maud::PreEscaped(STYLE)) }
            }
            body {
                div.stripe {}
                (body)
            }
        }
    };
    page.into_string()
}

/// The answer to a good sign-in: the session cookie set, the sign-in form's cookie cleared,
/// and the browser sent on to `location`.
pub(crate) fn signed_in(
    state: &SharedState,
    headers: &HeaderMap,
    cookies: (&str, &str),
    session_id: &str,
    location: &'static str,
) -> Response {
    let (session_cookie, signin_cookie) = cookies;
    let secure = secure_cookies(state, headers);
    let mut response = see_other(location);
    append_cookie(
        &mut response,
        &cookie_header(session_cookie, session_id, SESSION_TTL.as_secs(), secure),
    );
    append_cookie(&mut response, &cookie_header(signin_cookie, "", 0, secure));
    response
}

/// The answer to a sign-out: the session cookie cleared and the browser sent to `location`.
pub(crate) fn signed_out(
    state: &SharedState,
    headers: &HeaderMap,
    session_cookie: &str,
    location: &'static str,
) -> Response {
    let mut response = see_other(location);
    append_cookie(
        &mut response,
        &cookie_header(session_cookie, "", 0, secure_cookies(state, headers)),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; kinship_session=abc ; b=2"),
        );
        assert_eq!(cookie(&headers, "kinship_session", false), Some("abc"));
        assert_eq!(cookie(&headers, "c", false), None);
        // Over HTTPS the plain name, which anyone on the network could have planted, is ignored.
        assert_eq!(cookie(&headers, "kinship_session", true), None);
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("kinship_session=abc; __Host-kinship_session=def"),
        );
        assert_eq!(cookie(&headers, "kinship_session", true), Some("def"));
    }

    #[test]
    fn sign_in_posts_from_another_site_are_refused() {
        let with = |pairs: &[(&'static str, &str)]| {
            let mut headers = HeaderMap::new();
            headers.insert(
                header::COOKIE,
                HeaderValue::from_static("s=0123456789abcdef0123456789abcdef"),
            );
            for (name, value) in pairs {
                headers.insert(*name, HeaderValue::from_str(value).unwrap());
            }
            sign_in_csrf_matches(&headers, "s", false, "0123456789abcdef0123456789abcdef")
        };
        assert!(with(&[]));
        assert!(with(&[
            ("sec-fetch-site", "same-origin"),
            ("origin", "http://127.0.0.1:8080"),
            ("host", "127.0.0.1:8080")
        ]));
        assert!(!with(&[("sec-fetch-site", "cross-site")]));
        assert!(!with(&[("sec-fetch-site", "same-site")]));
        assert!(!with(&[
            ("origin", "https://evil.example"),
            ("host", "kinship.example")
        ]));
        assert!(with(&[
            ("origin", "null"),
            ("host", "kinship.example"),
            ("sec-fetch-site", "same-origin")
        ]));
        assert!(!with(&[
            ("origin", "null"),
            ("sec-fetch-site", "cross-site")
        ]));
    }
}
