//! End-to-end harness: a real `kinship-server` on loopback, optionally behind a small proxy
//! that injects the failures phones meet in real life (a 500, a 429, malformed JSON, a server
//! that disappears mid-sync). Everything binds to 127.0.0.1.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use kinship_core::{KdfParams, Kinship};
use kinship_protocol::Visibility;
use kinship_server::local::LocalServer;
use kinship_server::store::NewGroup;
use kinship_server::{ServerConfig, Store, StoreOptions};
use serde_json::{json, Value};

pub const PASS: &str = "e2e passphrase one";

/// A server running in this process over a temporary SQLite file.
pub struct Server {
    pub base: String,
    pub url: String,
    _server: LocalServer,
    _dir: tempfile::TempDir,
}

impl Server {
    pub async fn start() -> Server {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("server.sqlite").display());
        let config = ServerConfig {
            rate_limit_per_minute: 1_000_000,
            ..ServerConfig::default()
        };
        let server = LocalServer::start(&url, config, &[]).await.expect("server");
        Server {
            base: server.base.clone(),
            url,
            _server: server,
            _dir: dir,
        }
    }

    /// A second handle on the server's database, for operator actions.
    pub async fn store(&self) -> Store {
        Store::connect(&self.url, StoreOptions::default())
            .await
            .expect("store")
    }

    pub async fn group(&self, name: &str, visibility: Visibility) -> NewGroup {
        self.store()
            .await
            .create_group(name, "e2e group", visibility)
            .await
            .expect("group")
    }

    pub async fn post(&self, group: &NewGroup, title: &str) -> Value {
        let response = reqwest::Client::new()
            .post(format!("{}/v1/groups/{}/events", self.base, group.group_id))
            .bearer_auth(&group.organizer_token)
            .json(&event(title))
            .send()
            .await
            .expect("post");
        assert_eq!(response.status(), reqwest::StatusCode::CREATED);
        response.json().await.expect("event")
    }

    pub async fn put(&self, group: &NewGroup, id: &str, body: &Value) {
        let response = reqwest::Client::new()
            .put(format!(
                "{}/v1/groups/{}/events/{id}",
                self.base, group.group_id
            ))
            .bearer_auth(&group.organizer_token)
            .json(body)
            .send()
            .await
            .expect("put");
        assert_eq!(response.status(), reqwest::StatusCode::OK);
    }

    pub async fn delete(&self, group: &NewGroup, id: &str) {
        let response = reqwest::Client::new()
            .delete(format!(
                "{}/v1/groups/{}/events/{id}",
                self.base, group.group_id
            ))
            .bearer_auth(&group.organizer_token)
            .send()
            .await
            .expect("delete");
        assert_eq!(response.status(), reqwest::StatusCode::NO_CONTENT);
    }
}

pub fn event(title: &str) -> Value {
    json!({
        "title": title,
        "description": "Everyone welcome, come as you are.",
        "starts_at": "2027-03-05T18:00:00",
        "ends_at": "2027-03-05T20:00:00",
        "time_zone": "America/New_York",
        "place": {"name": "The Center", "address": "208 W 13th St"},
        "category": "social"
    })
}

/// A fresh profile on the phone side.
pub fn phone() -> (Kinship, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let kinship = Kinship::create_with_params(&dir.path().join("phone"), PASS, KdfParams::MINIMUM)
        .expect("profile");
    (kinship, dir)
}

/// Files under `dir`, at any depth, whose bytes contain `needle` (names only, never contents).
pub fn files_containing(dir: &std::path::Path, needle: &str) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut folders = vec![dir.to_owned()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("read folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                folders.push(path);
            } else {
                let bytes = std::fs::read(&path).expect("read file");
                if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                    found.push(path);
                }
            }
        }
    }
    found
}

/// What the proxy does with the next request.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer 500 without asking the server.
    ServerError,
    /// Answer 429 with `Retry-After: N`.
    TooManyRequests(u64),
    /// Answer 200 with a body that is not JSON.
    MalformedJson,
    /// Forward to the server unchanged (to place a later fault on a later request).
    PassThrough,
    /// Forward, then send the headers and half of the server's body, and drop the connection.
    /// Waits for the next feed request.
    CutBody,
    /// Answer `302 Found` with this `Location` (a hostile server sending the phone elsewhere).
    Redirect(String),
    /// Forward, and replace the group's `id` in the answer with this one (a hostile server).
    /// Waits for the next request for a group.
    WrongGroupId(String),
    /// Answer a directory-bundle request with this many bytes. Waits for that request.
    HugeBundle(usize),
}

#[derive(Default)]
struct ProxyState {
    upstream: String,
    faults: Vec<Fault>,
    /// (path, status) of every request answered.
    log: Vec<(String, u16)>,
    /// After this many feed pages answered, the proxy goes away.
    die_after_pages: Option<usize>,
    pages: usize,
    /// Bodies cut off halfway so far.
    cuts: usize,
    /// Path and query of every request, in order.
    requested: Vec<String>,
    /// (path, whether it carried an Authorization header) of every request.
    authorization_seen: Vec<(String, bool)>,
    /// Bearer tokens the phone sent, in order (to look for them at rest afterwards).
    bearer_tokens: Vec<String>,
    dead: Option<tokio::sync::oneshot::Sender<()>>,
}

/// A proxy in front of a server: the phone talks to it as if it were the server.
pub struct Proxy {
    pub base: String,
    pub address: SocketAddr,
    state: Arc<Mutex<ProxyState>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Proxy {
    pub async fn start(upstream: &str) -> Proxy {
        Self::start_on("127.0.0.1:0".parse().expect("address"), upstream).await
    }

    /// Starts (again) on a given address, e.g. to bring a "killed" server back.
    pub async fn start_on(address: SocketAddr, upstream: &str) -> Proxy {
        let state = Arc::new(Mutex::new(ProxyState {
            upstream: upstream.to_owned(),
            ..ProxyState::default()
        }));
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .expect("bind proxy");
        let address = listener.local_addr().expect("addr");
        let (dead_tx, dead_rx) = tokio::sync::oneshot::channel::<()>();
        state.lock().expect("lock").dead = Some(dead_tx);
        let router = axum::Router::new()
            .fallback(forward)
            .with_state(state.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = dead_rx.await;
                })
                .await;
        });
        Proxy {
            base: format!("http://{address}"),
            address,
            state,
            task,
        }
    }

    pub fn inject(&self, faults: Vec<Fault>) {
        self.state.lock().expect("lock").faults = faults;
    }

    pub fn die_after_pages(&self, pages: usize) {
        self.state.lock().expect("lock").die_after_pages = Some(pages);
    }

    /// Requests answered so far: (path, status).
    pub fn log(&self) -> Vec<(String, u16)> {
        self.state.lock().expect("lock").log.clone()
    }

    /// Path and query of every request so far (the feed's `since` cursors among them).
    pub fn requested(&self) -> Vec<String> {
        self.state.lock().expect("lock").requested.clone()
    }

    /// (path, carried an Authorization header) of every request so far.
    pub fn authorization_seen(&self) -> Vec<(String, bool)> {
        self.state.lock().expect("lock").authorization_seen.clone()
    }

    /// Bearer tokens the phone has sent so far.
    pub fn bearer_tokens(&self) -> Vec<String> {
        self.state.lock().expect("lock").bearer_tokens.clone()
    }

    /// Responses whose body was cut off halfway (Fault::CutBody) so far.
    pub fn cuts(&self) -> usize {
        self.state.lock().expect("lock").cuts
    }

    pub fn clear_log(&self) {
        self.state.lock().expect("lock").log.clear();
    }

    /// Waits until the proxy has stopped listening.
    pub async fn wait_dead(self) {
        while !self.task.is_finished() {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }
}

async fn forward(State(state): State<Arc<Mutex<ProxyState>>>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let path_and_query = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let bearer = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    let fault = {
        let mut s = state.lock().expect("lock");
        s.bearer_tokens.extend(bearer);
        s.requested.push(path_and_query.clone());
        s.authorization_seen.push((
            path.clone(),
            request.headers().contains_key("authorization"),
        ));
        // A fault aimed at one kind of request lets the others pass it by.
        let aimed_elsewhere = match s.faults.first() {
            Some(Fault::CutBody) => !path.ends_with("/events"),
            Some(Fault::WrongGroupId(_)) => {
                !(path.starts_with("/v1/groups/") && path.matches('/').count() == 3)
            }
            Some(Fault::HugeBundle(_)) => path != "/v1/directory/bundle",
            _ => false,
        };
        (!s.faults.is_empty() && !aimed_elsewhere).then(|| s.faults.remove(0))
    };
    let response = match fault {
        Some(Fault::ServerError) => (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response(),
        Some(Fault::TooManyRequests(seconds)) => {
            let mut response = (StatusCode::TOO_MANY_REQUESTS, "slow down").into_response();
            if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
                response.headers_mut().insert("retry-after", value);
            }
            response
        }
        Some(Fault::MalformedJson) => (
            StatusCode::OK,
            [("content-type", "application/json")],
            "{\"changes\": [",
        )
            .into_response(),
        Some(Fault::CutBody) => {
            let whole = pass_through(&state, request, &path_and_query).await;
            let cut = cut_halfway(whole).await;
            state.lock().expect("lock").cuts += 1;
            cut
        }
        Some(Fault::Redirect(location)) => {
            let mut response = StatusCode::FOUND.into_response();
            if let Ok(value) = HeaderValue::from_str(&location) {
                response.headers_mut().insert("location", value);
            }
            response
        }
        Some(Fault::WrongGroupId(other)) => {
            let answer = pass_through(&state, request, &path_and_query).await;
            let (parts, body) = answer.into_parts();
            let bytes = axum::body::to_bytes(body, 1 << 20)
                .await
                .unwrap_or_default();
            let mut group: Value = serde_json::from_slice(&bytes).unwrap_or_default();
            group["id"] = Value::String(other);
            let mut response =
                Response::from_parts(parts, axum::body::Body::from(group.to_string()));
            response.headers_mut().remove("content-length");
            response
        }
        Some(Fault::HugeBundle(size)) => (
            StatusCode::OK,
            [("content-type", "application/json")],
            vec![b' '; size],
        )
            .into_response(),
        Some(Fault::PassThrough) | None => pass_through(&state, request, &path_and_query).await,
    };
    let mut s = state.lock().expect("lock");
    s.log.push((path.clone(), response.status().as_u16()));
    if path.ends_with("/events") && response.status() == StatusCode::OK {
        s.pages += 1;
        if s.die_after_pages.is_some_and(|limit| s.pages >= limit) {
            if let Some(dead) = s.dead.take() {
                let _ = dead.send(());
            }
        }
    }
    response
}

/// The same status and headers, a `Content-Length` for the whole body, then half the body and
/// an error, on which the server drops the connection mid-body.
async fn cut_halfway(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let half = bytes.slice(..bytes.len() / 2);
    parts
        .headers
        .insert("content-length", HeaderValue::from(bytes.len()));
    let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
        Ok(half),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "cut",
        )),
    ];
    let stream = futures_util::stream::iter(chunks);
    Response::from_parts(parts, axum::body::Body::from_stream(stream))
}

async fn pass_through(
    state: &Arc<Mutex<ProxyState>>,
    request: Request,
    path_and_query: &str,
) -> Response {
    let upstream = state.lock().expect("lock").upstream.clone();
    let method = request.method().clone();
    let headers = request.headers().clone();
    let body = axum::body::to_bytes(request.into_body(), 1 << 20)
        .await
        .unwrap_or_default();
    let mut outgoing = reqwest::Client::new()
        .request(method, format!("{upstream}{path_and_query}"))
        .body(body.to_vec());
    for name in [
        "authorization",
        "if-none-match",
        "content-type",
        "idempotency-key",
    ] {
        if let Some(value) = headers.get(name) {
            outgoing = outgoing.header(name, value.as_bytes());
        }
    }
    match outgoing.send().await {
        Ok(upstream_response) => {
            let status = StatusCode::from_u16(upstream_response.status().as_u16())
                .unwrap_or(StatusCode::BAD_GATEWAY);
            let mut headers = HeaderMap::new();
            for name in ["etag", "content-type", "retry-after"] {
                if let Some(value) = upstream_response
                    .headers()
                    .get(name)
                    .and_then(|v| HeaderValue::from_bytes(v.as_bytes()).ok())
                {
                    headers.insert(name, value);
                }
            }
            let bytes: Bytes = upstream_response.bytes().await.unwrap_or_default();
            (status, headers, bytes).into_response()
        }
        Err(_) => StatusCode::BAD_GATEWAY.into_response(),
    }
}
