//! The organizer web page at `/organize`: a group's organizers sign in with their organizer
//! token and list, create, edit and cancel the group's events from any browser.
//!
//! Design:
//! - **Server-rendered HTML, no scripts.** Every page is built here with [`escape`] applied to
//!   every piece of data (event text, ids, error text, form values), and served with a
//!   Content-Security-Policy that allows no script at all, so even a missed escape could not
//!   run code. Responses also carry `nosniff`, `no-referrer`, `no-store` and `DENY` framing.
//! - **Sessions in memory.** Signing in swaps the long-lived organizer token for a random
//!   256-bit session id in an `HttpOnly; SameSite=Strict; Path=/organize` cookie, valid for
//!   [`SESSION_HOURS`] hours. Only the SHA-256 of the id is kept as the map key. The session
//!   remembers the token and checks it on every request, so rotating the token
//!   (`kinship-server rotate-token`) ends every session at once, even from another process.
//!   Sessions live in this process: behind a load balancer with several instances, organizers
//!   need sticky sessions (or sign in again when they land elsewhere); a restart signs
//!   everyone out. The cookie is marked `Secure` when the server trusts a proxy
//!   (`--trust-forwarded-for`) that reports `X-Forwarded-Proto: https`; on plain-HTTP loopback
//!   it cannot be, or the browser would drop it. Serve the page over HTTPS in production.
//! - **CSRF.** Every form carries a hidden `csrf` field: the session's random token on signed-in
//!   pages, and for the sign-in form a double-submit value that must match a short-lived
//!   `kinship_signin` cookie (so another site cannot sign a browser into its own group).
//!   A POST whose token is missing or wrong answers 403 and changes nothing.
//! - **Same rules as the API.** Forms become [`EventInput`] and pass [`EventInput::validate`];
//!   problems are shown beside their fields (422) with everything the person typed kept. A
//!   hidden per-form id is the idempotency key, so a double-submitted form posts one event.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::SocketAddr;

use axum::extract::rejection::FormRejection;
use axum::extract::{ConnectInfo, Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{NaiveDateTime, Timelike};
use kinship_protocol::{
    Category, Event, EventInput, FieldError, Place, Status, MAX_ACCESSIBILITY_CHARS,
    MAX_DESCRIPTION_CHARS, MAX_PLACE_CHARS, MAX_TITLE_CHARS, MAX_URL_CHARS,
};
use serde::Deserialize;

use crate::error::ApiError;
use crate::store::{constant_time_eq, random_hex, StoreError};
use crate::web::{
    append_cookie, cookie, html_response, is_hex, limit_address, secure_cookies, security_headers,
    see_other, set_retry_after, sign_in_csrf, sign_in_csrf_matches, CsrfForm, Session, SignInForm,
    SESSION_TTL,
};
pub use crate::web::{escape, Sessions, CONTENT_SECURITY_POLICY, SESSION_HOURS};
use crate::SharedState;

/// The organizer page's cookies are sent to its own paths only.
fn cookie_header(name: &str, value: &str, max_age: u64, secure: bool) -> String {
    crate::web::cookie_header(name, value, "/organize", max_age, secure)
}

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

/// The event form as typed: every field a string, so a mistake can be shown and kept.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct EventForm {
    csrf: String,
    form_id: String,
    title: String,
    description: String,
    starts_at: String,
    ends_at: String,
    time_zone: String,
    online_url: String,
    place_name: String,
    place_address: String,
    accessibility: String,
    category: String,
    status: String,
}

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
    limit_address(&state, &headers, peer).map_err(Fail::from_api)?;
    let Form(form) = form.map_err(|r| form_fail(r, Fail::SignInExpired))?;
    if !sign_in_csrf_matches(&headers, SIGNIN_COOKIE, &form.csrf) {
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
            secure_cookies(&state, &headers),
            StatusCode::UNAUTHORIZED,
            None,
            Some("That token didn't work. Check that you copied all of it (it starts with org_), or ask whoever runs your Kinship server for a new one."),
        ));
    };
    let id = state.sessions.create(&group_id, token);
    let mut response = see_other("/organize/events");
    let secure = secure_cookies(&state, &headers);
    append_cookie(
        &mut response,
        &cookie_header(SESSION_COOKIE, &id, SESSION_TTL.as_secs(), secure),
    );
    append_cookie(&mut response, &cookie_header(SIGNIN_COOKIE, "", 0, secure));
    Ok(response)
}

async fn sign_out(
    State(state): State<SharedState>,
    headers: HeaderMap,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response, Fail> {
    let (id, session) = require_session(&state, &headers).await?;
    let Form(form) = form.map_err(|r| form_fail(r, Fail::BadCsrf))?;
    check_csrf(&session, &form.csrf)?;
    state.sessions.remove(&id);
    let mut response = see_other("/organize?done=signed_out");
    append_cookie(
        &mut response,
        &cookie_header(SESSION_COOKIE, "", 0, secure_cookies(&state, &headers)),
    );
    Ok(response)
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
    let html = render_events(&state, &session, &events, notice, &blank, &[]).await?;
    Ok(html_response(StatusCode::OK, html))
}

async fn create_event(
    State(state): State<SharedState>,
    headers: HeaderMap,
    form: Result<Form<EventForm>, FormRejection>,
) -> Result<Response, Fail> {
    let (_, session) = require_session(&state, &headers).await?;
    let Form(form) = form.map_err(|r| form_fail(r, Fail::BadCsrf))?;
    check_csrf(&session, &form.csrf)?;
    let input = match form_to_input(&form) {
        Ok(input) => input,
        Err(errors) => {
            let events = group_events(&state, &session.subject).await?;
            let mut form = form;
            if !is_hex(&form.form_id, 32) {
                form.form_id = random_hex(16);
            }
            let html = render_events(&state, &session, &events, None, &form, &errors).await?;
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
        render_edit(&session, &name, &event_id, &form, &[]),
    ))
}

async fn edit_event(
    State(state): State<SharedState>,
    headers: HeaderMap,
    Path(event_id): Path<String>,
    form: Result<Form<EventForm>, FormRejection>,
) -> Result<Response, Fail> {
    let (_, session) = require_session(&state, &headers).await?;
    let Form(form) = form.map_err(|r| form_fail(r, Fail::BadCsrf))?;
    check_csrf(&session, &form.csrf)?;
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
                render_edit(&session, &name, &event_id, &form, &errors),
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
    let (_, session) = require_session(&state, &headers).await?;
    let Form(form) = form.map_err(|r| form_fail(r, Fail::BadCsrf))?;
    check_csrf(&session, &form.csrf)?;
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
    let Some(id) = cookie(headers, SESSION_COOKIE).filter(|v| is_hex(v, 64)) else {
        return Ok(None);
    };
    let Some(session) = state.sessions.get(id) else {
        return Ok(None);
    };
    let group = state.store.organizer_group(&session.token).await?;
    if group.as_deref() != Some(session.subject.as_str()) {
        state.sessions.remove(id);
        return Ok(None);
    }
    Ok(Some((id.to_owned(), session)))
}

/// For POSTs: no session is a 403, like a bad CSRF token (nothing may change).
async fn require_session(
    state: &SharedState,
    headers: &HeaderMap,
) -> Result<(String, Session), Fail> {
    current_session(state, headers)
        .await?
        .ok_or(Fail::NoSession)
}

fn check_csrf(session: &Session, submitted: &str) -> Result<(), Fail> {
    if constant_time_eq(&session.csrf, submitted) {
        Ok(())
    } else {
        Err(Fail::BadCsrf)
    }
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
    let csrf = sign_in_csrf(headers, SIGNIN_COOKIE);
    let mut response = html_response(status, render_sign_in(&csrf, notice, error));
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

impl Fail {
    fn from_api(err: ApiError) -> Fail {
        match err {
            ApiError::RateLimited { retry_after_secs } => Fail::RateLimited(retry_after_secs),
            ApiError::Storage(e) => Fail::Storage(e),
            // The limiter answers nothing else.
            _ => Fail::RateLimited(60),
        }
    }
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
        let sign_in_again = "<p><a class=\"button\" href=\"/organize\">Sign in again</a></p>";
        let back = "<p><a class=\"button\" href=\"/organize/events\">Back to your events</a></p>";
        let (status, title, body) = match &self {
            Fail::NoSession => (
                StatusCode::FORBIDDEN,
                "Please sign in again",
                format!("<p>Your sign-in has ended (they last {SESSION_HOURS} hours), so nothing was changed.</p>{sign_in_again}"),
            ),
            Fail::BadCsrf => (
                StatusCode::FORBIDDEN,
                "That form has expired",
                format!("<p>This form didn't come from your current sign-in, so nothing was changed. Open your events page and try again.</p>{back}"),
            ),
            Fail::SignInExpired => (
                StatusCode::FORBIDDEN,
                "That sign-in form has expired",
                format!("<p>Please reload the sign-in page and try again. Your browser needs to allow cookies for this page.</p>{sign_in_again}"),
            ),
            Fail::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "That was more than we can take at once",
                format!(
                    "<p>A form may hold up to {} KB, so nothing was changed. Please go back and shorten the description.</p>{back}",
                    kinship_protocol::MAX_BODY_BYTES / 1024
                ),
            ),
            Fail::NotFound => (
                StatusCode::NOT_FOUND,
                "We couldn't find that event",
                format!("<p>It may have been deleted, or it belongs to another group.</p>{back}"),
            ),
            Fail::RateLimited(_) => (
                StatusCode::TOO_MANY_REQUESTS,
                "Please slow down a little",
                "<p>There were many requests from your address. Wait a minute, then try again.</p>".to_owned(),
            ),
            Fail::Storage(err) => {
                eprintln!("kinship-server: organize page storage error: {err}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong on our side",
                    format!("<p>Nothing you did caused this. Please try again in a moment.</p>{back}"),
                )
            }
        };
        let html = page(title, &format!("<h1>{}</h1>{body}", escape(title)));
        let mut response = html_response(status, html);
        if let Fail::RateLimited(secs) = self {
            set_retry_after(&mut response, secs);
        }
        response
    }
}

// ---------------------------------------------------------------------------------------------
// Forms <-> events

/// A problem to show beside a form field (`field` is the input's id).
struct FormError {
    field: &'static str,
    message: String,
}

fn form_to_input(form: &EventForm) -> Result<EventInput, Vec<FormError>> {
    let mut errors = Vec::new();
    let starts_at = parse_local_time(&form.starts_at);
    if starts_at.is_none() {
        errors.push(FormError {
            field: "starts_at",
            message: "Please give the date and time it starts, like 2026-12-03 19:00.".into(),
        });
    }
    let ends_at = parse_local_time(&form.ends_at);
    if ends_at.is_none() {
        errors.push(FormError {
            field: "ends_at",
            message: "Please give the date and time it ends, like 2026-12-03 21:00.".into(),
        });
    }
    let category = Category::parse(form.category.trim());
    if category.is_none() {
        errors.push(FormError {
            field: "category",
            message: "Please choose a kind of event.".into(),
        });
    }
    let status = match form.status.trim() {
        "" | "scheduled" => Some(Status::Scheduled),
        "cancelled" => Some(Status::Cancelled),
        _ => None,
    };
    if status.is_none() {
        errors.push(FormError {
            field: "status",
            message: "Please choose whether the event is on or cancelled.".into(),
        });
    }
    let (Some(starts_at), Some(ends_at), Some(category), Some(status)) =
        (starts_at, ends_at, category, status)
    else {
        return Err(errors);
    };
    let optional = |text: &str| {
        let text = text.trim();
        (!text.is_empty()).then(|| text.to_owned())
    };
    let place = match (form.place_name.trim(), form.place_address.trim()) {
        ("", "") => None,
        (name, address) => Some(Place {
            name: name.to_owned(),
            address: address.to_owned(),
        }),
    };
    let input = EventInput {
        title: form.title.trim().to_owned(),
        description: form.description.trim_end().to_owned(),
        starts_at,
        ends_at,
        time_zone: form.time_zone.trim().to_owned(),
        online_url: optional(&form.online_url),
        place,
        accessibility: optional(&form.accessibility),
        category,
        status,
    };
    match input.validate() {
        Ok(()) => Ok(input),
        Err(err) => Err(vec![field_error(&err)]),
    }
}

/// The protocol's rule, said for a person and pointed at the right input.
fn field_error(err: &FieldError) -> FormError {
    let (field, label) = match err.field {
        "title" => ("title", "The title"),
        "description" => ("description", "The description"),
        "time_zone" => ("time_zone", "The time zone"),
        "starts_at" => ("starts_at", "The start"),
        "ends_at" => ("ends_at", "The end"),
        "online_url" => ("online_url", "The online link"),
        "place.name" | "place" => ("place_name", "The place name"),
        "place.address" => ("place_address", "The address"),
        "accessibility" => ("accessibility", "The accessibility notes"),
        _ => ("title", "This event"),
    };
    let message = match (err.field, err.problem.as_str()) {
        ("time_zone", _) => {
            "Please give an IANA time zone, such as Europe/Lisbon or America/New_York.".to_owned()
        }
        ("ends_at", "must be after starts_at") => "The end must be after the start.".to_owned(),
        ("online_url", "must be an https:// or http:// link") => {
            "The online link must start with https:// (or http://) and have no spaces.".to_owned()
        }
        ("place", _) => {
            "An event needs a place or an online link: please fill in one of them.".to_owned()
        }
        (_, problem) => format!("{label} {problem}."),
    };
    FormError { field, message }
}

/// `YYYY-MM-DDTHH:MM` as HTML's datetime-local sends it, or with seconds (a space works too).
fn parse_local_time(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim();
    [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
    ]
    .iter()
    .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
}

fn format_local_time(time: &NaiveDateTime) -> String {
    if time.second() == 0 && time.nanosecond() == 0 {
        time.format("%Y-%m-%dT%H:%M").to_string()
    } else {
        time.format("%Y-%m-%dT%H:%M:%S").to_string()
    }
}

fn input_to_form(input: &EventInput) -> EventForm {
    EventForm {
        csrf: String::new(),
        form_id: String::new(),
        title: input.title.clone(),
        description: input.description.clone(),
        starts_at: format_local_time(&input.starts_at),
        ends_at: format_local_time(&input.ends_at),
        time_zone: input.time_zone.clone(),
        online_url: input.online_url.clone().unwrap_or_default(),
        place_name: input
            .place
            .as_ref()
            .map(|p| p.name.clone())
            .unwrap_or_default(),
        place_address: input
            .place
            .as_ref()
            .map(|p| p.address.clone())
            .unwrap_or_default(),
        accessibility: input.accessibility.clone().unwrap_or_default(),
        category: input.category.as_str().to_owned(),
        status: match input.status {
            Status::Scheduled => "scheduled",
            Status::Cancelled => "cancelled",
        }
        .to_owned(),
    }
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

// ---------------------------------------------------------------------------------------------
// HTML. Everything that is not a literal in this file goes through `escape`.

const TIME_ZONES: [&str; 20] = [
    "Europe/Lisbon",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Madrid",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Amsterdam",
    "Europe/Rome",
    "Europe/Warsaw",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Toronto",
    "America/Mexico_City",
    "America/Sao_Paulo",
    "Africa/Johannesburg",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
];

/// A whole document. `title` is text; `body` is HTML built by this module.
fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\">\
         <title>{} · Kinship organizer</title><style>{}</style></head>\
         <body><div class=\"stripe\"></div>{body}</body></html>\n",
        escape(title),
        crate::web::STYLE
    )
}

fn render_sign_in(csrf: &str, notice: Option<&str>, error: Option<&str>) -> String {
    let mut body = String::from("<main><h1>Welcome, organizer</h1>");
    if let Some(notice) = notice {
        let _ = write!(
            body,
            "<p class=\"notice\" role=\"status\">{}</p>",
            escape(notice)
        );
    }
    body.push_str(
        "<p>Here you can post your group's social events, advocacy actions and workshops, \
         keep them up to date, and let members know when plans change.</p>\
         <p>Sign in with your group's organizer token. It was shown once when your group was \
         created; if it's lost, whoever runs your Kinship server can give you a new one.</p>",
    );
    let invalid = error.is_some();
    let _ = write!(
        body,
        "<form class=\"card\" method=\"post\" action=\"/organize/sign-in\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
         <div class=\"field\"><label for=\"token\">Organizer token</label>\
         <input type=\"password\" id=\"token\" name=\"token\" required autocomplete=\"current-password\" \
         spellcheck=\"false\" autocapitalize=\"off\" maxlength=\"{MAX_TOKEN_CHARS}\"{}>{}</div>\
         <button type=\"submit\" id=\"sign-in\">Sign in</button></form>\
         <p class=\"hint\">You'll stay signed in for {SESSION_HOURS} hours on this browser. \
         Members' privacy comes first: this page never shows who follows your group.</p></main>",
        escape(csrf),
        if invalid {
            " aria-invalid=\"true\" aria-describedby=\"token-error\""
        } else {
            ""
        },
        error
            .map(|e| format!(
                "<p class=\"field-error\" id=\"token-error\" role=\"alert\">{}</p>",
                escape(e)
            ))
            .unwrap_or_default(),
    );
    page("Sign in", &body)
}

fn signed_in_header(session: &Session, group_name: &str) -> String {
    format!(
        "<header><p>Kinship organizer · <strong>{}</strong></p>\
         <form method=\"post\" action=\"/organize/sign-out\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
         <button type=\"submit\" class=\"secondary\" id=\"sign-out\">Sign out</button></form></header>",
        escape(group_name),
        escape(&session.csrf)
    )
}

async fn render_events(
    state: &SharedState,
    session: &Session,
    events: &[Event],
    notice: Option<&str>,
    form: &EventForm,
    errors: &[FormError],
) -> Result<String, Fail> {
    let group_name = group_name(state, &session.subject).await?;
    let mut body = signed_in_header(session, &group_name);
    body.push_str("<main><h1>Your events</h1>");
    if let Some(notice) = notice {
        let _ = write!(
            body,
            "<p class=\"notice\" role=\"status\">{}</p>",
            escape(notice)
        );
    }
    if events.is_empty() {
        body.push_str(
            "<p class=\"empty\">No events yet. Your first one is a form away, just below.</p>",
        );
    } else {
        body.push_str("<section aria-label=\"Events\" id=\"events\">");
        for event in events {
            body.push_str(&render_event(session, event));
        }
        body.push_str("</section>");
    }
    body.push_str("<h2 id=\"new-event\">Post a new event</h2>");
    body.push_str(&render_form(
        session,
        "/organize/events",
        "create",
        "Post event",
        form,
        errors,
    ));
    body.push_str("</main>");
    Ok(page("Your events", &body))
}

async fn group_name(state: &SharedState, group_id: &str) -> Result<String, Fail> {
    Ok(state
        .store
        .group(group_id)
        .await?
        .map(|g| g.group.name)
        .unwrap_or_default())
}

fn render_event(session: &Session, event: &Event) -> String {
    let input = &event.input;
    let cancelled = input.status == Status::Cancelled;
    let id = escape(&event.id);
    let mut out = format!(
        "<article class=\"event{}\" id=\"event-{id}\"><h3 class=\"event-title\">{}</h3>",
        if cancelled { " cancelled" } else { "" },
        escape(&input.title)
    );
    out.push_str("<p class=\"meta\">");
    if cancelled {
        out.push_str("<span class=\"badge cancelled status\">Cancelled</span>");
    }
    let _ = write!(
        out,
        "<span class=\"badge\">{}</span> {}</p>",
        escape(category_label(input.category)),
        escape(&when(input))
    );
    if let Some(place) = &input.place {
        let text = if place.address.is_empty() {
            place.name.clone()
        } else {
            format!("{}, {}", place.name, place.address)
        };
        let _ = write!(out, "<p class=\"meta\">Where: {}</p>", escape(&text));
    }
    if let Some(url) = &input.online_url {
        // Validated as http(s):// with no spaces, so it is safe as a link once escaped.
        let _ = write!(
            out,
            "<p class=\"meta\">Online: <a href=\"{0}\" rel=\"noopener noreferrer\">{0}</a></p>",
            escape(url)
        );
    }
    if let Some(notes) = &input.accessibility {
        let _ = write!(
            out,
            "<p class=\"meta\">Accessibility: {}</p>",
            escape(notes)
        );
    }
    if !input.description.is_empty() {
        let _ = write!(
            out,
            "<p class=\"description\">{}</p>",
            escape(&input.description)
        );
    }
    let _ = write!(
        out,
        "<div class=\"actions\"><a class=\"button secondary edit\" href=\"/organize/events/{id}\">\
         Edit<span class=\"visually-hidden\"> {}</span></a>",
        escape(&input.title)
    );
    if !cancelled {
        let _ = write!(
            out,
            "<form method=\"post\" action=\"/organize/events/{id}/cancel\" class=\"cancel\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
             <button type=\"submit\" class=\"danger\">Cancel this event\
             <span class=\"visually-hidden\"> {}</span></button></form>",
            escape(&session.csrf),
            escape(&input.title)
        );
    }
    out.push_str("</div></article>");
    out
}

fn render_edit(
    session: &Session,
    group_name: &str,
    event_id: &str,
    form: &EventForm,
    errors: &[FormError],
) -> String {
    let mut body = signed_in_header(session, group_name);
    body.push_str(
        "<main><p><a href=\"/organize/events\">← Back to your events</a></p><h1>Edit event</h1>",
    );
    body.push_str(&render_form(
        session,
        &format!("/organize/events/{event_id}"),
        "edit",
        "Save changes",
        form,
        errors,
    ));
    body.push_str("</main>");
    page("Edit event", &body)
}

/// The event form. `action` may hold an event id from the URL: it is escaped like the rest.
fn render_form(
    session: &Session,
    action: &str,
    form_id_attr: &str,
    submit: &str,
    form: &EventForm,
    errors: &[FormError],
) -> String {
    let error_for = |field: &str| {
        errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    };
    let mut out = String::new();
    if !errors.is_empty() {
        out.push_str(
            "<div class=\"problems\" role=\"alert\"><p><strong>Almost there: please check \
             what's marked below.</strong></p><ul>",
        );
        for error in errors {
            let _ = write!(
                out,
                "<li><a href=\"#{}\">{}</a></li>",
                escape(error.field),
                escape(&error.message)
            );
        }
        out.push_str("</ul></div>");
    }
    let _ = write!(
        out,
        "<form class=\"card\" method=\"post\" action=\"{}\" id=\"{}\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
         <input type=\"hidden\" name=\"form_id\" value=\"{}\">",
        escape(action),
        escape(form_id_attr),
        escape(&session.csrf),
        escape(&form.form_id)
    );
    out.push_str(&input_field(&Field {
        id: "title",
        label: "Title",
        kind: "text",
        value: &form.title,
        max: MAX_TITLE_CHARS,
        required: true,
        hint: None,
        error: error_for("title"),
    }));
    out.push_str(&textarea_field(
        "description",
        "Description",
        &form.description,
        MAX_DESCRIPTION_CHARS,
        Some("What will happen, who it's for, what to bring. Optional."),
        error_for("description"),
    ));
    out.push_str("<div class=\"row\">");
    for (id, label, value) in [
        ("starts_at", "Starts", &form.starts_at),
        ("ends_at", "Ends", &form.ends_at),
    ] {
        let with_seconds = parse_local_time(value).is_some_and(|t| t.second() != 0);
        out.push_str(&input_field(&Field {
            id,
            label,
            kind: if with_seconds {
                "datetime-local\" step=\"1"
            } else {
                "datetime-local"
            },
            value,
            max: 0,
            required: true,
            hint: Some("Local time where the event happens."),
            error: error_for(id),
        }));
    }
    out.push_str("</div>");
    out.push_str(&input_field(&Field {
        id: "time_zone",
        label: "Time zone",
        kind: "text\" list=\"time-zones\" autocomplete=\"off\" spellcheck=\"false",
        value: &form.time_zone,
        max: 64,
        required: true,
        hint: Some("An IANA name such as Europe/Lisbon or America/New_York."),
        error: error_for("time_zone"),
    }));
    out.push_str("<datalist id=\"time-zones\">");
    for zone in TIME_ZONES {
        let _ = write!(out, "<option value=\"{}\">", escape(zone));
    }
    out.push_str("</datalist>");
    out.push_str(
        "<fieldset><legend>Where is it?</legend>\
         <p class=\"hint\">Give a place, an online link, or both.</p><div class=\"row\">",
    );
    out.push_str(&input_field(&Field {
        id: "place_name",
        label: "Place name",
        kind: "text",
        value: &form.place_name,
        max: MAX_PLACE_CHARS,
        required: false,
        hint: None,
        error: error_for("place_name"),
    }));
    out.push_str(&input_field(&Field {
        id: "place_address",
        label: "Address",
        kind: "text",
        value: &form.place_address,
        max: MAX_PLACE_CHARS,
        required: false,
        hint: None,
        error: error_for("place_address"),
    }));
    out.push_str("</div>");
    out.push_str(&input_field(&Field {
        id: "online_url",
        label: "Online link",
        kind: "url",
        value: &form.online_url,
        max: MAX_URL_CHARS,
        required: false,
        hint: Some("For online or hybrid events: https://..."),
        error: error_for("online_url"),
    }));
    out.push_str("</fieldset>");
    out.push_str(&textarea_field(
        "accessibility",
        "Accessibility",
        &form.accessibility,
        MAX_ACCESSIBILITY_CHARS,
        Some("Step-free access, quiet room, captions, gender-neutral toilets... Optional."),
        error_for("accessibility"),
    ));
    out.push_str("<div class=\"row\">");
    let categories: Vec<(&str, &str)> = Category::ALL
        .iter()
        .map(|c| (c.as_str(), category_label(*c)))
        .collect();
    out.push_str(&select_field(
        "category",
        "Kind of event",
        &categories,
        &form.category,
        error_for("category"),
    ));
    out.push_str(&select_field(
        "status",
        "Status",
        &[
            ("scheduled", "On: it's happening"),
            ("cancelled", "Cancelled: called off"),
        ],
        &form.status,
        error_for("status"),
    ));
    out.push_str("</div>");
    let _ = write!(
        out,
        "<button type=\"submit\">{}</button></form>",
        escape(submit)
    );
    out
}

struct Field<'a> {
    id: &'static str,
    label: &'static str,
    /// The input type, possibly followed by fixed attributes (a literal of this module).
    kind: &'static str,
    value: &'a str,
    /// `maxlength`, or 0 for none.
    max: usize,
    required: bool,
    hint: Option<&'static str>,
    error: Option<&'a str>,
}

fn input_field(field: &Field<'_>) -> String {
    let mut out = format!(
        "<div class=\"field\"><label for=\"{0}\">{1}</label>",
        field.id,
        escape(field.label)
    );
    let described = describe(&mut out, field.id, field.hint, field.error);
    let _ = write!(
        out,
        "<input type=\"{}\" id=\"{1}\" name=\"{1}\" value=\"{2}\"",
        field.kind,
        field.id,
        escape(field.value)
    );
    if field.max > 0 {
        let _ = write!(out, " maxlength=\"{}\"", field.max);
    }
    if field.required {
        out.push_str(" required");
    }
    out.push_str(&described);
    out.push_str("></div>");
    out
}

fn textarea_field(
    id: &'static str,
    label: &'static str,
    value: &str,
    max: usize,
    hint: Option<&'static str>,
    error: Option<&str>,
) -> String {
    let mut out = format!(
        "<div class=\"field\"><label for=\"{id}\">{}</label>",
        escape(label)
    );
    let described = describe(&mut out, id, hint, error);
    // A leading newline right after <textarea> is dropped by parsers: add one so a value that
    // starts with a newline survives the round trip.
    let _ = write!(
        out,
        "<textarea id=\"{id}\" name=\"{id}\" maxlength=\"{max}\"{described}>\n{}</textarea></div>",
        escape(value)
    );
    out
}

fn select_field(
    id: &'static str,
    label: &'static str,
    options: &[(&str, &str)],
    selected: &str,
    error: Option<&str>,
) -> String {
    let mut out = format!(
        "<div class=\"field\"><label for=\"{id}\">{}</label>",
        escape(label)
    );
    let described = describe(&mut out, id, None, error);
    let _ = write!(out, "<select id=\"{id}\" name=\"{id}\"{described}>");
    for (value, text) in options {
        let _ = write!(
            out,
            "<option value=\"{}\"{}>{}</option>",
            escape(value),
            if *value == selected { " selected" } else { "" },
            escape(text)
        );
    }
    out.push_str("</select></div>");
    out
}

/// Writes the hint and error paragraphs; returns the attributes that link the input to them.
fn describe(out: &mut String, id: &str, hint: Option<&str>, error: Option<&str>) -> String {
    let mut ids = Vec::new();
    if let Some(hint) = hint {
        let _ = write!(
            out,
            "<p class=\"hint\" id=\"{id}-hint\">{}</p>",
            escape(hint)
        );
        ids.push(format!("{id}-hint"));
    }
    if let Some(error) = error {
        let _ = write!(
            out,
            "<p class=\"field-error\" id=\"{id}-error\">{}</p>",
            escape(error)
        );
        ids.push(format!("{id}-error"));
    }
    let mut attrs = String::new();
    if !ids.is_empty() {
        let _ = write!(attrs, " aria-describedby=\"{}\"", ids.join(" "));
    }
    if error.is_some() {
        attrs.push_str(" aria-invalid=\"true\"");
    }
    attrs
}

fn category_label(category: Category) -> &'static str {
    match category {
        Category::Social => "Social",
        Category::Advocacy => "Advocacy",
        Category::Workshop => "Workshop",
        Category::Discussion => "Discussion",
        Category::Other => "Other",
    }
}

/// "Thu 3 Dec 2026, 19:00 – 21:00 (Europe/Lisbon)".
fn when(input: &EventInput) -> String {
    let start = input.starts_at.format("%a %-d %b %Y, %H:%M");
    let end = if input.ends_at.date() == input.starts_at.date() {
        input.ends_at.format("%H:%M").to_string()
    } else {
        input.ends_at.format("%a %-d %b %Y, %H:%M").to_string()
    };
    format!("{start} – {end} ({})", input.time_zone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_the_five_characters() {
        assert_eq!(
            escape(r#"<a href="x" onclick='y'>&amp;</a>"#),
            "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;"
        );
        assert_eq!(escape("Café 🏳️‍🌈"), "Café 🏳️‍🌈");
    }

    #[test]
    fn datetime_local_with_and_without_seconds() {
        let a = parse_local_time("2026-12-03T19:00").unwrap();
        let b = parse_local_time("2026-12-03T19:00:00").unwrap();
        assert_eq!(a, b);
        assert_eq!(format_local_time(&a), "2026-12-03T19:00");
        let c = parse_local_time("2026-12-03T19:00:30").unwrap();
        assert_eq!(format_local_time(&c), "2026-12-03T19:00:30");
        assert!(parse_local_time("tomorrow").is_none());
        assert!(parse_local_time("").is_none());
    }

    fn good_form() -> EventForm {
        EventForm {
            title: "Queer book club".into(),
            starts_at: "2026-12-03T19:00".into(),
            ends_at: "2026-12-03T21:00".into(),
            time_zone: "Europe/Lisbon".into(),
            place_name: "Livraria".into(),
            category: "social".into(),
            ..EventForm::default()
        }
    }

    #[test]
    fn forms_become_valid_inputs_or_field_errors() {
        let input = form_to_input(&good_form()).ok().unwrap();
        assert_eq!(input.status, Status::Scheduled);
        assert_eq!(input.place.unwrap().address, "");
        assert!(input.online_url.is_none());

        let mut form = good_form();
        form.ends_at = "2026-12-03T18:00".into();
        let errors = form_to_input(&form).err().unwrap();
        assert_eq!(errors[0].field, "ends_at");

        let mut form = good_form();
        form.place_name.clear();
        assert_eq!(form_to_input(&form).err().unwrap()[0].field, "place_name");

        let mut form = good_form();
        form.starts_at = "soon".into();
        form.category = "party".into();
        let fields: Vec<_> = form_to_input(&form)
            .err()
            .unwrap()
            .iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["starts_at", "category"]);
    }

    #[test]
    fn a_form_round_trips_through_an_input() {
        let input = form_to_input(&good_form()).ok().unwrap();
        let form = input_to_form(&input);
        assert_eq!(form_to_input(&form).ok().unwrap(), input);
    }
}
