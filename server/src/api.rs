//! The JSON API under `/v1`, plus `/healthz`, `/metrics` and `/openapi.json`.
//!
//! Who may do what: anyone lists public groups and reads a public group's feed; a private
//! group's feed needs a member or organizer token of that group; writing events needs the
//! group's organizer token. An unknown token is 401, a known token of the wrong group or role
//! is 403.

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use kinship_protocol::{
    DirectoryReport, ErrorBody, Event, EventInput, FeedPage, Group, JoinRequest, JoinResponse,
    Visibility, DEFAULT_PAGE, MAX_INVITE_CODE_CHARS, MAX_PAGE,
};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::error::ApiError;
use crate::store::{Cursor, GroupRecord};
use crate::SharedState;

const MAX_IDEMPOTENCY_KEY_CHARS: usize = 128;

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(crate::metrics::render))
        .route("/openapi.json", get(crate::openapi::document))
        .route("/v1/groups", get(list_groups))
        .route("/v1/groups/{group_id}", get(get_group))
        .route("/v1/groups/{group_id}/join", axum::routing::post(join))
        .route("/v1/groups/{group_id}/events", get(feed).post(create_event))
        .route(
            "/v1/groups/{group_id}/events/{event_id}",
            get(get_event).put(update_event).delete(delete_event),
        )
        .route("/v1/directory/bundle", get(directory_bundle))
        .route("/v1/directory/reports", axum::routing::post(report_entry))
}

/// The caller of a request, resolved from its bearer token after the per-address rate limit:
/// a handler that takes a `Caller` has already passed both.
impl axum::extract::FromRequestParts<SharedState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &SharedState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0);
        identify(state, &parts.headers, peer).await
    }
}

/// Who is calling, from their bearer token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    Anonymous,
    Member { group_id: String },
    Organizer { group_id: String },
}

impl Caller {
    fn belongs_to(&self, group_id: &str) -> bool {
        match self {
            Caller::Anonymous => false,
            Caller::Member { group_id: g } | Caller::Organizer { group_id: g } => g == group_id,
        }
    }
}

/// Resolves the bearer token (if any) and applies the rate limits for the address and token.
pub async fn identify(
    state: &SharedState,
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
) -> Result<Caller, ApiError> {
    // The address's limit comes first: a malformed Authorization header must not skip it.
    let address = crate::limits::client_address(headers, peer, state.config.trust_forwarded_for);
    state.limiter.check(&format!("ip:{address}"))?;
    let token = bearer_token(headers)?;
    let Some(token) = token else {
        return Ok(Caller::Anonymous);
    };
    let caller = if let Some(group_id) = state.store.organizer_group(&token).await? {
        Caller::Organizer { group_id }
    } else if let Some(group_id) = state.store.member_group(&token).await? {
        Caller::Member { group_id }
    } else {
        return Err(ApiError::Unauthorized);
    };
    // Only real tokens get a bucket: made-up ones cannot grow the limiter's memory.
    state
        .limiter
        .check(&format!("token:{}", crate::store::hash_secret(&token)))?;
    Ok(caller)
}

#[utoipa::path(get, path = "/healthz", summary = "Liveness", responses((status = 200, description = "ok", body = String)))]
async fn healthz() -> &'static str {
    "ok"
}

/// How long readiness waits for the database before it says "not ready".
const READINESS_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);

/// Readiness for a load balancer: 200 when the database answers, 503 while it does not (the
/// body never says why: the reason goes to the log).
#[utoipa::path(get, path = "/readyz", summary = "Readiness: the database answers", responses((status = 200, description = "ready", body = String), (status = 503, description = "the database is unreachable", body = String)))]
async fn readyz(State(state): State<SharedState>) -> Response {
    let why = match tokio::time::timeout(READINESS_TIMEOUT, state.store.ping()).await {
        Ok(Ok(())) => return "ready".into_response(),
        Ok(Err(err)) => err.to_string(),
        Err(_) => format!("no answer within {READINESS_TIMEOUT:?}"),
    };
    tracing::warn!(target: "kinship_server::readyz", "the database is not ready: {why}");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        "the database is unreachable",
    )
        .into_response()
}

#[derive(Deserialize)]
struct GroupsQuery {
    q: Option<String>,
}

#[utoipa::path(get, path = "/v1/groups", summary = "List public groups", params(("q" = Option<String>, Query, description = "words the group's name or description contains")), responses((status = 200, description = "groups", body = [Group]), (status = 429, description = "rate limited", body = ErrorBody)))]
async fn list_groups(
    State(state): State<SharedState>,
    _caller: Caller,
    Query(query): Query<GroupsQuery>,
) -> Result<Response, ApiError> {
    let groups = state.store.public_groups(query.q.as_deref()).await?;
    Ok(Json(groups).into_response())
}

#[utoipa::path(get, path = "/v1/groups/{group_id}", summary = "One group (private groups need a member or organizer token)", params(("group_id" = String, Path, description = "the group's id")), security((), ("bearer" = [])), responses((status = 200, description = "group", body = Group), (status = 401, description = "a token the server does not know", body = ErrorBody), (status = 404, description = "no such group, or a private group and no token of it (the same answer)", body = ErrorBody), (status = 429, description = "rate limited", body = ErrorBody)))]
async fn get_group(
    State(state): State<SharedState>,
    caller: Caller,
    Path(group_id): Path<String>,
) -> Result<Response, ApiError> {
    let record = readable_group(&state, &caller, &group_id).await?;
    Ok(Json(record.group).into_response())
}

#[utoipa::path(post, path = "/v1/groups/{group_id}/join", summary = "Join a private group with its invite code; returns an opaque member token", params(("group_id" = String, Path, description = "the group's id")), request_body = JoinRequest, responses((status = 201, description = "joined", body = JoinResponse), (status = 400, description = "malformed JSON", body = ErrorBody), (status = 403, description = "wrong invite code, or no such group (the same answer)", body = ErrorBody), (status = 409, description = "public group", body = ErrorBody), (status = 413, description = "body too large", body = ErrorBody), (status = 415, description = "the body is not JSON", body = ErrorBody), (status = 422, description = "invalid", body = ErrorBody), (status = 429, description = "rate limited", body = ErrorBody)))]
async fn join(
    State(state): State<SharedState>,
    _caller: Caller,
    Path(group_id): Path<String>,
    JsonBody(request): JsonBody<JoinRequest>,
) -> Result<Response, ApiError> {
    if request.invite_code.is_empty() || request.invite_code.len() > MAX_INVITE_CODE_CHARS {
        return Err(ApiError::Invalid(
            "invite_code: must be 1 to 128 characters".into(),
        ));
    }
    // A group that does not exist is refused as a wrong invite code is (403, same body): the
    // join route must not tell a real private group id from a made-up one.
    let record = state
        .store
        .group(&group_id)
        .await?
        .ok_or(ApiError::Forbidden)?;
    // Public groups are listed by `/v1/groups` anyway: saying so reveals nothing.
    if record.group.visibility == Visibility::Public {
        return Err(ApiError::Conflict(
            "a public group needs no joining: read its events directly".into(),
        ));
    }
    let token = state
        .store
        .join(&group_id, &request.invite_code)
        .await?
        .ok_or(ApiError::Forbidden)?;
    Ok((
        StatusCode::CREATED,
        Json(JoinResponse {
            member_token: token,
        }),
    )
        .into_response())
}

#[derive(Deserialize)]
struct FeedQuery {
    since: Option<String>,
    limit: Option<String>,
}

#[utoipa::path(get, path = "/v1/groups/{group_id}/events", summary = "The group's change feed after a cursor", params(("group_id" = String, Path, description = "the group's id"), ("since" = Option<String>, Query, description = "next_cursor of an earlier page; absent or 0 for the start"), ("limit" = Option<u32>, Query, description = "1 to 500 changes", minimum = 1, maximum = 500), ("If-None-Match" = Option<String>, Header, description = "the ETag of the page the client has")), security((), ("bearer" = [])), responses((status = 200, description = "a page", body = FeedPage, headers(("ETag" = String, description = "changes with every write to the group"))), (status = 304, description = "nothing changed"), (status = 400, description = "bad cursor or limit", body = ErrorBody), (status = 401, description = "a token the server does not know", body = ErrorBody), (status = 404, description = "no such group, or a private group and no token of it (the same answer)", body = ErrorBody), (status = 410, description = "cursor older than the kept history: resync", body = ErrorBody), (status = 429, description = "rate limited", body = ErrorBody)))]
async fn feed(
    State(state): State<SharedState>,
    caller: Caller,
    headers: HeaderMap,
    Path(group_id): Path<String>,
    Query(query): Query<FeedQuery>,
) -> Result<Response, ApiError> {
    let since = match query.since.as_deref() {
        None | Some("") => Cursor {
            seq: 0,
            purged_through: 0,
        },
        Some(text) => Cursor::parse(text).ok_or_else(|| {
            ApiError::BadRequest("since must be a cursor from an earlier page".into())
        })?,
    };
    let limit = match query.limit.as_deref() {
        None => DEFAULT_PAGE,
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|l| (1..=MAX_PAGE).contains(l))
            .ok_or_else(|| ApiError::BadRequest(format!("limit must be 1 to {MAX_PAGE}")))?,
    };
    let record = readable_group(&state, &caller, &group_id).await?;
    if since.is_stale(&record) {
        return Err(ApiError::Gone(
            "this cursor is older than the kept history: resync from the start".into(),
        ));
    }
    // The page is fully determined by the group's head and the query, so the ETag is known
    // before reading any event: a poll with nothing new costs one small query.
    let etag = format!(
        "\"{}-{}-{}-{}\"",
        record.head, record.purged_through, since, limit
    );
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag))
    {
        return Ok(with_etag(StatusCode::NOT_MODIFIED.into_response(), &etag));
    }
    // Many phones ask for the same page: serve it from memory while the ETag still holds.
    let key = format!("{group_id}/{etag}");
    let body = match state.pages.get(&key) {
        Some(body) => body,
        None => {
            let page = state.store.feed(&record, since.seq, limit).await?;
            let body = axum::body::Bytes::from(
                serde_json::to_vec(&page)
                    .map_err(|_| ApiError::BadRequest("page encoding".into()))?,
            );
            state.pages.put(key, body.clone());
            body
        }
    };
    let response = ([(header::CONTENT_TYPE, "application/json")], body).into_response();
    Ok(with_etag(response, &etag))
}

#[utoipa::path(post, path = "/v1/groups/{group_id}/events", summary = "Create an event (organizer token). Idempotency-Key makes a retry apply once.", params(("group_id" = String, Path, description = "the group's id"), ("Idempotency-Key" = Option<String>, Header, description = "up to 128 characters")), security(("bearer" = [])), request_body = EventInput, responses((status = 201, description = "created", body = Event), (status = 400, description = "malformed JSON", body = ErrorBody), (status = 401, description = "token needed", body = ErrorBody), (status = 403, description = "not this group's organizer (also when there is no such group)", body = ErrorBody), (status = 413, description = "body too large", body = ErrorBody), (status = 415, description = "the body is not JSON", body = ErrorBody), (status = 422, description = "invalid field", body = ErrorBody), (status = 429, description = "rate limited", body = ErrorBody)))]
async fn create_event(
    State(state): State<SharedState>,
    caller: Caller,
    headers: HeaderMap,
    Path(group_id): Path<String>,
    JsonBody(input): JsonBody<EventInput>,
) -> Result<Response, ApiError> {
    require_organizer(&caller, &group_id)?;
    let key = idempotency_key(&headers)?;
    input
        .validate()
        .map_err(|e| ApiError::Invalid(e.to_string()))?;
    let (event, created) = state
        .store
        .create_event(&group_id, &input, key.as_deref())
        .await?;
    let mut response = (StatusCode::CREATED, Json(&event)).into_response();
    if let Ok(location) =
        HeaderValue::from_str(&format!("/v1/groups/{group_id}/events/{}", event.id))
    {
        response.headers_mut().insert(header::LOCATION, location);
    }
    if !created {
        response
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(response)
}

#[utoipa::path(get, path = "/v1/groups/{group_id}/events/{event_id}", summary = "One event", params(("group_id" = String, Path, description = "the group's id"), ("event_id" = String, Path, description = "the event's id")), security((), ("bearer" = [])), responses((status = 200, description = "event", body = Event), (status = 401, description = "a token the server does not know", body = ErrorBody), (status = 404, description = "not found (also: a private group and no token of it)", body = ErrorBody), (status = 429, description = "rate limited", body = ErrorBody)))]
async fn get_event(
    State(state): State<SharedState>,
    caller: Caller,
    Path((group_id, event_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    readable_group(&state, &caller, &group_id).await?;
    let event = state
        .store
        .event(&group_id, &event_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(event).into_response())
}

#[utoipa::path(put, path = "/v1/groups/{group_id}/events/{event_id}", summary = "Replace an event (organizer token)", params(("group_id" = String, Path, description = "the group's id"), ("event_id" = String, Path, description = "the event's id")), security(("bearer" = [])), request_body = EventInput, responses((status = 200, description = "updated", body = Event), (status = 400, description = "malformed JSON", body = ErrorBody), (status = 401, description = "token needed", body = ErrorBody), (status = 403, description = "not this group's organizer", body = ErrorBody), (status = 404, description = "not found", body = ErrorBody), (status = 413, description = "body too large", body = ErrorBody), (status = 415, description = "the body is not JSON", body = ErrorBody), (status = 422, description = "invalid field", body = ErrorBody), (status = 429, description = "rate limited", body = ErrorBody)))]
async fn update_event(
    State(state): State<SharedState>,
    caller: Caller,
    Path((group_id, event_id)): Path<(String, String)>,
    JsonBody(input): JsonBody<EventInput>,
) -> Result<Response, ApiError> {
    require_organizer(&caller, &group_id)?;
    input
        .validate()
        .map_err(|e| ApiError::Invalid(e.to_string()))?;
    let event = state
        .store
        .update_event(&group_id, &event_id, &input)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(event).into_response())
}

#[utoipa::path(delete, path = "/v1/groups/{group_id}/events/{event_id}", summary = "Delete an event, leaving a tombstone in the feed (organizer token)", params(("group_id" = String, Path, description = "the group's id"), ("event_id" = String, Path, description = "the event's id")), security(("bearer" = [])), responses((status = 204, description = "deleted"), (status = 401, description = "token needed", body = ErrorBody), (status = 403, description = "not this group's organizer", body = ErrorBody), (status = 404, description = "not found", body = ErrorBody), (status = 429, description = "rate limited", body = ErrorBody)))]
async fn delete_event(
    State(state): State<SharedState>,
    caller: Caller,
    Path((group_id, event_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    require_organizer(&caller, &group_id)?;
    if state.store.delete_event(&group_id, &event_id).await? {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::NotFound)
    }
}

#[utoipa::path(get, path = "/v1/directory/bundle", summary = "The latest signed directory bundle", params(("If-None-Match" = Option<String>, Header, description = "the ETag of the version the phone has (\"directory-N\")")), responses((status = 200, description = "a kinship-directory-bundle JSON document; ETag \"directory-N\""), (status = 304, description = "the phone has this version"), (status = 404, description = "none published", body = ErrorBody), (status = 429, description = "rate limited", body = ErrorBody)))]
async fn directory_bundle(
    State(state): State<SharedState>,
    _caller: Caller,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (version, bytes) = state
        .store
        .latest_directory()
        .await?
        .ok_or(ApiError::NotFound)?;
    // A phone that has this version already gets a bodiless 304.
    let etag = format!("\"directory-{version}\"");
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag))
    {
        return Ok(with_etag(StatusCode::NOT_MODIFIED.into_response(), &etag));
    }
    let response = ([(header::CONTENT_TYPE, "application/json")], bytes).into_response();
    Ok(with_etag(response, &etag))
}

/// "This number didn't work": counted per entry for the operator. Anonymous by design: a
/// request with a token is refused (so no report can be tied to a member), and the address is
/// used for the rate limit only, never stored.
#[utoipa::path(post, path = "/v1/directory/reports", summary = "Report that a directory entry did not work (anonymous: no token, no identifier)", request_body = DirectoryReport, responses((status = 202, description = "counted"), (status = 400, description = "sent with a token, or malformed", body = ErrorBody), (status = 413, description = "body too large", body = ErrorBody), (status = 415, description = "the body is not JSON", body = ErrorBody), (status = 422, description = "invalid field", body = ErrorBody), (status = 429, description = "too many reports from this address, or the report store is full", body = ErrorBody)))]
async fn report_entry(
    State(state): State<SharedState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    JsonBody(report): JsonBody<kinship_protocol::DirectoryReport>,
) -> Result<Response, ApiError> {
    if headers.contains_key(header::AUTHORIZATION) {
        return Err(ApiError::BadRequest(
            "reports are anonymous: send them without a token".into(),
        ));
    }
    let address =
        crate::limits::client_address(&headers, Some(peer), state.config.trust_forwarded_for);
    state.limiter.check(&format!("ip:{address}"))?;
    state.report_limiter.check(&format!("report:{address}"))?;
    report
        .validate()
        .map_err(|e| ApiError::Invalid(e.to_string()))?;
    if !state.store.record_report(&report).await? {
        return Err(ApiError::RateLimited {
            retry_after_secs: 3600,
        });
    }
    Ok(StatusCode::ACCEPTED.into_response())
}

/// The group, if `caller` may read it: public groups are open to all. A private group the
/// caller is not a member of answers exactly as a group that does not exist (404, same body),
/// so that nobody without its token can learn that a private group id is real.
pub async fn readable_group(
    state: &SharedState,
    caller: &Caller,
    group_id: &str,
) -> Result<GroupRecord, ApiError> {
    let record = state
        .store
        .group(group_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if record.group.visibility == Visibility::Private && !caller.belongs_to(group_id) {
        return Err(ApiError::NotFound);
    }
    Ok(record)
}

/// Only this group's organizer passes. Anyone else is refused the same way whether the group
/// exists or not (401 without a token, 403 with another one), so that these routes cannot
/// tell a private group from a missing one either.
fn require_organizer(caller: &Caller, group_id: &str) -> Result<(), ApiError> {
    match caller {
        Caller::Anonymous => Err(ApiError::Unauthorized),
        Caller::Organizer { group_id: g } if g == group_id => Ok(()),
        _ => Err(ApiError::Forbidden),
    }
}

fn bearer_token(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| ApiError::Unauthorized)?;
    // The scheme name is case-insensitive (RFC 9110).
    let token = value
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .filter(|t| !t.is_empty() && t.len() <= 200)
        .ok_or(ApiError::Unauthorized)?;
    Ok(Some(token.to_owned()))
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .filter(|k| !k.is_empty() && k.len() <= MAX_IDEMPOTENCY_KEY_CHARS)
        .ok_or_else(|| {
            ApiError::BadRequest("Idempotency-Key must be 1 to 128 visible characters".into())
        })?;
    Ok(Some(key.to_owned()))
}

fn with_etag(mut response: Response, etag: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(etag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// A JSON body with the API's own errors: 413 when too large, 400 when not JSON, 422 when
/// JSON of the wrong shape (missing or unknown fields, wrong types).
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        // A JSON endpoint takes JSON only: a form or text body is refused before it is read.
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|mime| {
                let mime = mime.trim().to_ascii_lowercase();
                mime == "application/json" || mime.ends_with("+json")
            })
            .unwrap_or(false);
        if !is_json {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::TooLarge
                } else {
                    ApiError::BadRequest("could not read the request body".into())
                }
            })?;
        serde_json::from_slice(&bytes).map(JsonBody).map_err(|e| {
            use serde_json::error::Category;
            match e.classify() {
                Category::Data => ApiError::Invalid(format!("the JSON does not fit: {e}")),
                Category::Syntax | Category::Eof | Category::Io => ApiError::BadRequest(format!(
                    "malformed JSON at line {} column {}",
                    e.line(),
                    e.column()
                )),
            }
        })
    }
}
