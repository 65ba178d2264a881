//! The operator's pages at `/operate`: whoever runs the server signs in with the operator token
//! (`kinship-server operator-token` prints it once) and reads what phones reported about
//! directory entries ("this number didn't work"), most reported first, with people's notes.
//!
//! The same rules as the organizer page ([`crate::organize`]): server-rendered HTML with no
//! scripts, the security headers of [`crate::web`], sessions held in memory and re-checked
//! against the token on every request (so `operator-token` again ends every session), a
//! double-submit CSRF value on the sign-in form and the session's own on sign-out. The pages
//! are built with `maud`, whose templates escape every value they insert: a person's note is
//! text, never markup.

use std::net::SocketAddr;

use axum::extract::rejection::FormRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use kinship_protocol::ReportProblem;
use maud::{html, Markup};

use crate::store::{constant_time_eq, ReportSummary, StoreError};
use crate::web::{
    append_cookie, cookie, cookie_header, html_response, is_hex, limit_address, secure_cookies,
    security_headers, see_other, set_retry_after, sign_in_csrf, sign_in_csrf_matches, signed_in,
    signed_out, CsrfForm, Session, SignInForm, SESSION_HOURS,
};
use crate::web::{end_session, find_session, start_session, token_field, SessionKind};
use crate::SharedState;

/// The operator session's cookie.
pub const SESSION_COOKIE: &str = "kinship_operate";
/// The sign-in form's double-submit cookie.
pub const SIGNIN_COOKIE: &str = "kinship_operate_signin";

const SIGNIN_TTL_SECS: u64 = 3600;
/// Longer than any token `new_secret` makes; a longer one is refused before hashing.
const MAX_TOKEN_CHARS: usize = 200;

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/operate", get(sign_in_page))
        .route("/operate/", get(sign_in_page))
        .route("/operate/sign-in", post(sign_in))
        .route("/operate/sign-out", post(sign_out))
        .route("/operate/reports", get(reports_page))
        .layer(axum::middleware::map_response(security_headers))
}

// ---------------------------------------------------------------------------------------------
// Handlers

async fn sign_in_page(
    State(state): State<SharedState>,
    headers: HeaderMap,
) -> Result<Response, Fail> {
    if current_session(&state, &headers).await?.is_some() {
        return Ok(see_other("/operate/reports"));
    }
    Ok(sign_in_response(&state, &headers, StatusCode::OK, None))
}

async fn sign_in(
    State(state): State<SharedState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    form: Result<Form<SignInForm>, FormRejection>,
) -> Result<Response, Fail> {
    limit_address(&state, &headers, peer).map_err(Fail::RateLimited)?;
    let Form(form) = form.map_err(|_| Fail::SignInExpired)?;
    let secure = secure_cookies(&state, &headers);
    if !sign_in_csrf_matches(&headers, SIGNIN_COOKIE, secure, &form.csrf) {
        return Err(Fail::SignInExpired);
    }
    let token = form.token.trim();
    let valid = !token.is_empty()
        && token.len() <= MAX_TOKEN_CHARS
        && state.store.is_operator(token).await?;
    if !valid {
        return Ok(sign_in_response(
            &state,
            &headers,
            StatusCode::UNAUTHORIZED,
            Some("That token didn't work. It starts with op_; `kinship-server operator-token` makes a new one (and ends the old one)."),
        ));
    }
    let id = start_session(&state.store, SessionKind::Operator, "operator", token).await?;
    Ok(signed_in(
        &state,
        &headers,
        (SESSION_COOKIE, SIGNIN_COOKIE),
        &id,
        "/operate/reports",
    ))
}

async fn sign_out(
    State(state): State<SharedState>,
    headers: HeaderMap,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response, Fail> {
    let (id, session) = current_session(&state, &headers)
        .await?
        .ok_or(Fail::NoSession)?;
    let Form(form) = form.map_err(|_| Fail::BadCsrf)?;
    if !constant_time_eq(&session.csrf, &form.csrf) {
        return Err(Fail::BadCsrf);
    }
    end_session(&state.store, &id).await?;
    Ok(signed_out(&state, &headers, SESSION_COOKIE, "/operate"))
}

async fn reports_page(
    State(state): State<SharedState>,
    headers: HeaderMap,
) -> Result<Response, Fail> {
    let Some((_, session)) = current_session(&state, &headers).await? else {
        return Ok(see_other("/operate"));
    };
    let reports = state.store.directory_reports().await?;
    Ok(html_response(
        StatusCode::OK,
        render_reports(&session, &reports),
    ))
}

// ---------------------------------------------------------------------------------------------
// Sessions and cookies

/// The signed-in operator, if the cookie names a live session whose token is still current.
async fn current_session(
    state: &SharedState,
    headers: &HeaderMap,
) -> Result<Option<(String, Session)>, Fail> {
    let secure = secure_cookies(state, headers);
    let Some(id) = cookie(headers, SESSION_COOKIE, secure).filter(|v| is_hex(v, 64)) else {
        return Ok(None);
    };
    let session = find_session(&state.store, SessionKind::Operator, id).await?;
    Ok(session.map(|s| (id.to_owned(), s)))
}

/// The sign-in form, reusing the browser's double-submit value when it has a good one.
fn sign_in_response(
    state: &SharedState,
    headers: &HeaderMap,
    status: StatusCode,
    error: Option<&str>,
) -> Response {
    let secure = secure_cookies(state, headers);
    let csrf = sign_in_csrf(headers, SIGNIN_COOKIE, secure);
    let mut response = html_response(status, render_sign_in(&csrf, error));
    append_cookie(
        &mut response,
        &cookie_header(SIGNIN_COOKIE, &csrf, SIGNIN_TTL_SECS, secure),
    );
    response
}

// ---------------------------------------------------------------------------------------------
// Pages

fn page(title: &str, body: Markup) -> String {
    crate::web::document("operator", title, body)
}

fn render_sign_in(csrf: &str, error: Option<&str>) -> String {
    page(
        "Sign in",
        html! {
            main {
                h1 { "Server operator" }
                p { "Here you can read what people reported about the crisis directory: numbers that did not connect, wrong hours, services that closed. Nothing identifies who sent a report." }
                form.card method="post" action="/operate/sign-in" {
                    input type="hidden" name="csrf" value=(csrf);
                    (token_field("Operator token", MAX_TOKEN_CHARS, error))
                    button type="submit" id="sign-in" { "Sign in" }
                }
                p.hint { "You'll stay signed in for " (SESSION_HOURS) " hours on this browser." }
            }
        },
    )
}

fn render_reports(session: &Session, reports: &[ReportSummary]) -> String {
    let total: i64 = reports.iter().map(|r| r.count).sum();
    let entries = {
        let mut ids: Vec<&str> = reports.iter().map(|r| r.entry_id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        ids.len()
    };
    page(
        "Directory reports",
        html! {
            header {
                p { "Kinship operator" }
                form method="post" action="/operate/sign-out" {
                    input type="hidden" name="csrf" value=(session.csrf);
                    button.secondary type="submit" id="sign-out" { "Sign out" }
                }
            }
            main {
                h1 { "Directory reports" }
                @if reports.is_empty() {
                    p.empty id="no-reports" { "No reports yet. When someone taps \u{201c}this number didn't work\u{201d}, it shows here after their next sync." }
                } @else {
                    p id="summary" {
                        (counted(total, "report", "reports")) " about "
                        (counted(entries as i64, "entry", "entries")) ", most reported first. "
                        "Check each against its sources before changing anything: a report is a lead, not a fact."
                    }
                    @for report in reports {
                        section.event data-entry=(report.entry_id) {
                            h2 { code { (report.entry_id) } }
                            p.meta {
                                strong.count { (report.count) } " \u{00d7} " (problem_label(&report.problem))
                                " · directory version " (report.directory_version)
                                " · first " (report.first_at.format("%Y-%m-%d"))
                                ", last " (report.last_at.format("%Y-%m-%d"))
                            }
                            @if !report.notes.is_empty() {
                                ul.notes {
                                    @for note in &report.notes { li { (note) } }
                                }
                            }
                        }
                    }
                }
                h2 { "Turning reports into a correction" }
                p { "Fix the entry's source file in data/directory (with the page that confirms the change), rebuild and sign the bundle, then publish it with kinship-server publish-directory; phones pick it up on their next sync. docs/DIRECTORY.md has the steps." }
            }
        },
    )
}

/// "1 report", "2 reports".
fn counted(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn problem_label(problem: &str) -> &'static str {
    match ReportProblem::parse(problem) {
        Some(ReportProblem::DidNotConnect) => "did not connect",
        Some(ReportProblem::WrongHours) => "wrong hours",
        Some(ReportProblem::Closed) => "closed",
        Some(ReportProblem::WrongInformation) => "wrong information",
        None => "other",
    }
}

// ---------------------------------------------------------------------------------------------
// Failures, as pages

enum Fail {
    NoSession,
    BadCsrf,
    SignInExpired,
    RateLimited(u64),
    Storage(StoreError),
}

impl From<StoreError> for Fail {
    fn from(err: StoreError) -> Self {
        Fail::Storage(err)
    }
}

impl IntoResponse for Fail {
    fn into_response(self) -> Response {
        let (status, title, text) = match &self {
            Fail::NoSession => (
                StatusCode::FORBIDDEN,
                "Please sign in again",
                "Your sign-in has ended, so nothing was changed.",
            ),
            Fail::BadCsrf => (
                StatusCode::FORBIDDEN,
                "That form has expired",
                "This form didn't come from your current sign-in, so nothing was changed.",
            ),
            Fail::SignInExpired => (
                StatusCode::FORBIDDEN,
                "That sign-in form has expired",
                "Please reload the sign-in page and try again. Your browser needs to allow cookies for this page.",
            ),
            Fail::RateLimited(_) => (
                StatusCode::TOO_MANY_REQUESTS,
                "Please slow down a little",
                "There were many requests from your address. Wait a minute, then try again.",
            ),
            Fail::Storage(err) => {
                tracing::error!(target: "kinship_server::operate", "storage error: {err}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong on our side",
                    "Please try again in a moment.",
                )
            }
        };
        let body = html! {
            main {
                h1 { (title) }
                p { (text) }
                p { a.button href="/operate" { "Sign in again" } }
            }
        };
        let mut response = html_response(status, page(title, body));
        if let Fail::RateLimited(secs) = self {
            set_retry_after(&mut response, secs);
        }
        response
    }
}
