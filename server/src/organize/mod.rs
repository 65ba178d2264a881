//! The organizer web page at `/organize`: a group's organizers sign in with their organizer
//! token and list, create, edit and cancel the group's events from any browser.
//!
//! Design:
//! Layout: this file holds the routes, the handlers and the session checks; [`forms`] the
//! event form and its way to and from [`EventInput`]; [`views`] the pages.
//! - **Server-rendered HTML, no scripts.** Every page is a `maud` template ([`views`]), which
//!   escapes every piece of data it inserts (event text, ids, error text, form values), and is
//!   served with a Content-Security-Policy that allows no script at all, so even a missed
//!   escape could not run code. Responses also carry `nosniff`, `no-referrer`, `no-store` and `DENY` framing.
//! - **Sessions in the database.** Signing in swaps the long-lived organizer token for a random
//!   256-bit session id in an `HttpOnly; SameSite=Strict; Path=/` cookie, valid for
//!   [`SESSION_HOURS`] hours. The database keeps only the SHA-256 of the id and of the token
//!   ([`crate::web`]); the token's hash is checked against the group's on every request, so
//!   rotating the token (`kinship-server rotate-token`) ends every session at once. Every
//!   instance on the database sees the same sessions, and a restart signs nobody out. A
//!   group's organizers keep at most 20 sessions, their oldest going first. Over HTTPS (`--https-cookies`, or a trusted proxy,
//!   `--trust-forwarded-for`, that reports `X-Forwarded-Proto: https`) the cookies are
//!   `__Host-kinship_session` and `__Host-kinship_signin` with `Secure` and no `Domain`, so
//!   neither a plain-HTTP page nor a sibling subdomain can plant or overwrite them; on a
//!   plain-HTTP loopback server they keep their plain names, or the browser would drop them.
//!   Serve the page over HTTPS in production.
//! - **CSRF.** Every form carries a hidden `csrf` field: the session's random token on signed-in
//!   pages, and for the sign-in form a double-submit value that must match a short-lived
//!   `kinship_signin` cookie (so another site cannot sign a browser into its own group).
//!   A POST whose token is missing or wrong answers 403 and changes nothing.
//! - **Same rules as the API.** Forms become [`EventInput`] and pass [`EventInput::validate`];
//!   problems are shown beside their fields (422) with everything the person typed kept. A
//!   hidden per-form id is the idempotency key, so a double-submitted form posts one event.

mod forms;
mod views;

use std::collections::HashMap;
use std::net::SocketAddr;

use axum::extract::rejection::FormRejection;
use axum::extract::{ConnectInfo, Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use kinship_protocol::{Category, Event, Status};

use crate::store::{constant_time_eq, random_hex, StoreError};
use crate::web::{
    append_cookie, cookie, cookie_header, html_response, is_hex, limit_address, secure_cookies,
    security_headers, see_other, set_retry_after, sign_in_csrf, sign_in_csrf_matches, signed_in,
    signed_out, CsrfForm, Session, SignInForm,
};
use crate::web::{end_session, find_session, start_session, SessionKind};
pub use crate::web::{CONTENT_SECURITY_POLICY, SESSION_HOURS};
use crate::SharedState;
use forms::{form_to_input, input_to_form, EventForm};
use views::Next;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "kinship_session";
/// The sign-in form's double-submit cookie.
pub const SIGNIN_COOKIE: &str = "kinship_signin";

const SIGNIN_TTL_SECS: u64 = 3600;
/// The feed is read in pages of this size, up to this many pages (100,000 changes).
const FEED_PAGE: u32 = 500;
const MAX_FEED_PAGES: usize = 200;
/// The API's limit on a bearer token; a longer one cannot be an organizer token.
const MAX_TOKEN_CHARS: usize = 200;

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/organize", get(sign_in_page))
        .route("/organize/", get(sign_in_page))
        .route("/organize/sign-in", post(sign_in))
        .route("/organize/sign-out", post(sign_out))
        .route("/organize/events", get(events_page).post(create_event))
        .route(
            "/organize/events/{event_id}",
            get(edit_page).post(edit_event),
        )
        .route("/organize/events/{event_id}/cancel", post(cancel_event))
        .layer(axum::middleware::map_response(security_headers))
}

// ---------------------------------------------------------------------------------------------
// Handlers

async fn sign_in_page(
    State(state): State<SharedState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, Fail> {
    if current_session(&state, &headers).await?.is_some() {
        return Ok(see_other("/organize/events"));
    }
    let notice = match done(query.as_deref()) {
        Some("signed_out") => Some("You're signed out. Thank you for all you do for your group."),
        _ => None,
    };
    let secure = secure_cookies(&state, &headers);
    Ok(sign_in_response(
        &headers,
        secure,
        StatusCode::OK,
        notice,
        None,
    ))
}

async fn sign_in(
    State(state): State<SharedState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    form: Result<Form<SignInForm>, FormRejection>,
) -> Result<Response, Fail> {
    limit_address(&state, &headers, peer).map_err(Fail::RateLimited)?;
    let Form(form) = form.map_err(|r| form_fail(r, Fail::SignInExpired))?;
    let secure = secure_cookies(&state, &headers);
    if !sign_in_csrf_matches(&headers, SIGNIN_COOKIE, secure, &form.csrf) {
        return Err(Fail::SignInExpired);
    }
    let token = form.token.trim();
    let group = if token.is_empty() || token.len() > MAX_TOKEN_CHARS {
        None
    } else {
        state.store.organizer_group(token).await?
    };
    let Some(group_id) = group else {
        return Ok(sign_in_response(
            &headers,
            secure,
            StatusCode::UNAUTHORIZED,
            None,
            Some("That token didn't work. Check that you copied all of it (it starts with org_), or ask whoever runs your Kinship server for a new one."),
        ));
    };
    let id = start_session(&state.store, SessionKind::Organizer, &group_id, token).await?;
    Ok(signed_in(
        &state,
        &headers,
        (SESSION_COOKIE, SIGNIN_COOKIE),
        &id,
        "/organize/events",
    ))
}

async fn sign_out(
    State(state): State<SharedState>,
    headers: HeaderMap,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response, Fail> {
    let (id, _, _) = signed_in_post(&state, &headers, form).await?;
    end_session(&state.store, &id).await?;
    Ok(signed_out(
        &state,
        &headers,
        SESSION_COOKIE,
        "/organize?done=signed_out",
    ))
}

async fn events_page(
    State(state): State<SharedState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, Fail> {
    let Some((_, session)) = current_session(&state, &headers).await? else {
        return Ok(see_other("/organize"));
    };
    let notice = match done(query.as_deref()) {
        Some("created") => {
            Some("Your event is posted. Members will see it the next time their app syncs.")
        }
        Some("saved") => Some("Your changes are saved."),
        Some("cancelled") => {
            Some("The event is marked as cancelled, so members will know it's called off.")
        }
        _ => None,
    };
    let events = group_events(&state, &session.subject).await?;
    let mut blank = EventForm {
        form_id: random_hex(16),
        category: Category::Social.as_str().to_owned(),
        status: "scheduled".to_owned(),
        ..EventForm::default()
    };
    // Most groups meet in one place: offer the time zone of the latest change.
    if let Some(latest) = events.iter().max_by_key(|e| e.version) {
        blank.time_zone = latest.input.time_zone.clone();
    }
    let name = group_name(&state, &session.subject).await?;
    let html = views::events(&session, &name, &events, notice, &blank, &[]);
    Ok(html_response(StatusCode::OK, html))
}

async fn create_event(
    State(state): State<SharedState>,
    headers: HeaderMap,
    form: Result<Form<EventForm>, FormRejection>,
) -> Result<Response, Fail> {
    let (_, session, form) = signed_in_post(&state, &headers, form).await?;
    let input = match form_to_input(&form) {
        Ok(input) => input,
        Err(errors) => {
            let events = group_events(&state, &session.subject).await?;
            let mut form = form;
            if !is_hex(&form.form_id, 32) {
                form.form_id = random_hex(16);
            }
            let name = group_name(&state, &session.subject).await?;
            let html = views::events(&session, &name, &events, None, &form, &errors);
            return Ok(html_response(StatusCode::UNPROCESSABLE_ENTITY, html));
        }
    };
    let key = is_hex(&form.form_id, 32).then(|| format!("organize:{}", form.form_id));
    state
        .store
        .create_event(&session.subject, &input, key.as_deref())
        .await?;
    Ok(see_other("/organize/events?done=created"))
}

async fn edit_page(
    State(state): State<SharedState>,
    headers: HeaderMap,
    Path(event_id): Path<String>,
) -> Result<Response, Fail> {
    let Some((_, session)) = current_session(&state, &headers).await? else {
        return Ok(see_other("/organize"));
    };
    let event = state
        .store
        .event(&session.subject, &event_id)
        .await?
        .ok_or(Fail::NotFound)?;
    let form = input_to_form(&event.input);
    let name = group_name(&state, &session.subject).await?;
    Ok(html_response(
        StatusCode::OK,
        views::edit(&session, &name, &event_id, &form, &[]),
    ))
}

async fn edit_event(
    State(state): State<SharedState>,
    headers: HeaderMap,
    Path(event_id): Path<String>,
    form: Result<Form<EventForm>, FormRejection>,
) -> Result<Response, Fail> {
    let (_, session, form) = signed_in_post(&state, &headers, form).await?;
    let input = match form_to_input(&form) {
        Ok(input) => input,
        Err(errors) => {
            state
                .store
                .event(&session.subject, &event_id)
                .await?
                .ok_or(Fail::NotFound)?;
            let name = group_name(&state, &session.subject).await?;
            return Ok(html_response(
                StatusCode::UNPROCESSABLE_ENTITY,
                views::edit(&session, &name, &event_id, &form, &errors),
            ));
        }
    };
    state
        .store
        .update_event(&session.subject, &event_id, &input)
        .await?
        .ok_or(Fail::NotFound)?;
    Ok(see_other("/organize/events?done=saved"))
}

async fn cancel_event(
    State(state): State<SharedState>,
    headers: HeaderMap,
    Path(event_id): Path<String>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response, Fail> {
    let (_, session, _) = signed_in_post(&state, &headers, form).await?;
    let event = state
        .store
        .event(&session.subject, &event_id)
        .await?
        .ok_or(Fail::NotFound)?;
    if event.input.status != Status::Cancelled {
        let mut input = event.input;
        input.status = Status::Cancelled;
        state
            .store
            .update_event(&session.subject, &event_id, &input)
            .await?
            .ok_or(Fail::NotFound)?;
    }
    Ok(see_other("/organize/events?done=cancelled"))
}

/// The `done=` notice a redirect asked for. Only fixed words are recognised and the page shows
/// fixed sentences for them, so nothing from the URL is ever written into the page.
fn done(query: Option<&str>) -> Option<&str> {
    query?
        .split('&')
        .find_map(|pair| pair.strip_prefix("done="))
}

// ---------------------------------------------------------------------------------------------
// Sessions, cookies, CSRF

/// The signed-in session, if the cookie names a live one whose token still works.
async fn current_session(
    state: &SharedState,
    headers: &HeaderMap,
) -> Result<Option<(String, Session)>, Fail> {
    let secure = secure_cookies(state, headers);
    let Some(id) = cookie(headers, SESSION_COOKIE, secure).filter(|v| is_hex(v, 64)) else {
        return Ok(None);
    };
    let session = find_session(&state.store, SessionKind::Organizer, id).await?;
    Ok(session.map(|s| (id.to_owned(), s)))
}

/// A form that carries the session's CSRF token.
trait SignedForm {
    fn csrf(&self) -> &str;
}

impl SignedForm for EventForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

impl SignedForm for CsrfForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// A POST from a signed-in organizer: the session id, the session and the form, once the
/// form's CSRF token is the session's. No session, an unreadable form or a wrong token is a
/// 403 (413 for a form too large to read), and nothing changes.
async fn signed_in_post<T: SignedForm>(
    state: &SharedState,
    headers: &HeaderMap,
    form: Result<Form<T>, FormRejection>,
) -> Result<(String, Session, T), Fail> {
    let (id, session) = current_session(state, headers)
        .await?
        .ok_or(Fail::NoSession)?;
    let Form(form) = form.map_err(|r| form_fail(r, Fail::BadCsrf))?;
    if !constant_time_eq(&session.csrf, form.csrf()) {
        return Err(Fail::BadCsrf);
    }
    Ok((id, session, form))
}

/// The sign-in form, reusing the browser's double-submit cookie when it has a good one (so two
/// open tabs both work).
fn sign_in_response(
    headers: &HeaderMap,
    secure: bool,
    status: StatusCode,
    notice: Option<&str>,
    error: Option<&str>,
) -> Response {
    let csrf = sign_in_csrf(headers, SIGNIN_COOKIE, secure);
    let mut response = html_response(status, views::sign_in(&csrf, notice, error));
    append_cookie(
        &mut response,
        &cookie_header(SIGNIN_COOKIE, &csrf, SIGNIN_TTL_SECS, secure),
    );
    response
}

// ---------------------------------------------------------------------------------------------
// Failures, as pages

enum Fail {
    NoSession,
    BadCsrf,
    SignInExpired,
    TooLarge,
    NotFound,
    RateLimited(u64),
    Storage(StoreError),
}

/// A body that is not a readable form carries no valid CSRF token: `otherwise` (a 403), or
/// 413 when it was too large to read.
fn form_fail(rejection: FormRejection, otherwise: Fail) -> Fail {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Fail::TooLarge
    } else {
        otherwise
    }
}

impl From<StoreError> for Fail {
    fn from(err: StoreError) -> Self {
        Fail::Storage(err)
    }
}

impl IntoResponse for Fail {
    fn into_response(self) -> Response {
        let too_large = format!(
            "A form may hold up to {} KB, so nothing was changed. Please go back and shorten the description.",
            kinship_protocol::MAX_BODY_BYTES / 1024
        );
        let ended = format!(
            "Your sign-in has ended (they last {SESSION_HOURS} hours), so nothing was changed."
        );
        let (status, title, text, next) = match &self {
            Fail::NoSession => (StatusCode::FORBIDDEN, "Please sign in again", ended.as_str(), Next::SignIn),
            Fail::BadCsrf => (
                StatusCode::FORBIDDEN,
                "That form has expired",
                "This form didn't come from your current sign-in, so nothing was changed. Open your events page and try again.",
                Next::Events,
            ),
            Fail::SignInExpired => (
                StatusCode::FORBIDDEN,
                "That sign-in form has expired",
                "Please reload the sign-in page and try again. Your browser needs to allow cookies for this page.",
                Next::SignIn,
            ),
            Fail::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "That was more than we can take at once",
                too_large.as_str(),
                Next::Events,
            ),
            Fail::NotFound => (
                StatusCode::NOT_FOUND,
                "We couldn't find that event",
                "It may have been deleted, or it belongs to another group.",
                Next::Events,
            ),
            Fail::RateLimited(_) => (
                StatusCode::TOO_MANY_REQUESTS,
                "Please slow down a little",
                "There were many requests from your address. Wait a minute, then try again.",
                Next::None,
            ),
            Fail::Storage(err) => {
                tracing::error!(target: "kinship_server::organize", "storage error: {err}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong on our side",
                    "Nothing you did caused this. Please try again in a moment.",
                    Next::Events,
                )
            }
        };
        let mut response = html_response(status, views::failure(title, text, next));
        if let Fail::RateLimited(secs) = self {
            set_retry_after(&mut response, secs);
        }
        response
    }
}

/// The group's name for the page header ("" for a group that no longer exists).
async fn group_name(state: &SharedState, group_id: &str) -> Result<String, Fail> {
    Ok(state
        .store
        .group(group_id)
        .await?
        .map(|g| g.group.name)
        .unwrap_or_default())
}

/// Every live event of the group, read through the feed page by page, soonest first.
async fn group_events(state: &SharedState, group_id: &str) -> Result<Vec<Event>, Fail> {
    let mut events: HashMap<String, Event> = HashMap::new();
    let mut since = 0i64;
    let Some(group) = state.store.group(group_id).await? else {
        return Ok(Vec::new());
    };
    for _ in 0..MAX_FEED_PAGES {
        let page = state.store.feed(&group, since, FEED_PAGE).await?;
        for event in page.changes {
            events.insert(event.id.clone(), event);
        }
        for id in &page.tombstones {
            events.remove(id);
        }
        let next = crate::store::Cursor::parse(&page.next_cursor).map_or(since, |c| c.seq);
        if !page.has_more || next <= since {
            break;
        }
        since = next;
    }
    let mut events: Vec<Event> = events.into_values().collect();
    events.sort_by(|a, b| {
        (a.input.starts_at, &a.input.title, &a.id).cmp(&(b.input.starts_at, &b.input.title, &b.id))
    });
    Ok(events)
}
