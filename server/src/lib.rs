//! kinship-server: the peer-group server. Groups publish events (social events, advocacy,
//! workshops) to their members' phones, and members stay anonymous: the server stores no
//! names, emails or phone numbers of members, only hashes of their random tokens.
//!
//! Layout: [`api`] (the JSON API under `/v1`), [`organize`] (the organizer web page),
//! [`operate`] (the operator's pages), [`web`] (what the pages share), [`local`] (a server on
//! loopback with seeded groups, for tests and the tour), [`store`]
//! (SQLite or PostgreSQL), [`limits`] (rate limits), [`metrics`], [`openapi`], [`error`].

pub mod api;
pub mod error;
pub mod limits;
pub mod local;
pub mod metrics;
pub mod openapi;
pub mod operate;
pub mod organize;
pub mod store;
pub mod web;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, DefaultBodyLimit};
use axum::http::StatusCode;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tower::ServiceExt;

pub use store::{Store, StoreOptions};

/// How a running server behaves.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Requests per minute allowed per client address and per token.
    pub rate_limit_per_minute: u32,
    /// Log client addresses (off by default: members' addresses are personal data).
    pub log_client_addresses: bool,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted load balancer).
    pub trust_forwarded_for: bool,
    /// The web pages are served over HTTPS (by a proxy in front): their cookies are always
    /// `__Host-` cookies with `Secure`. Without it they are only when a trusted proxy reports
    /// `X-Forwarded-Proto: https`, and plain-named (for a plain-HTTP loopback server) otherwise.
    pub https_cookies: bool,
    /// Feed pages kept in memory (0 turns the page cache off, e.g. to measure the database).
    pub page_cache_entries: usize,
    /// "This number didn't work" reports per minute per client address, per instance.
    pub reports_per_minute: u32,
    /// The bearer token `/metrics` asks for; `None` turns `/metrics` off (404).
    pub metrics_token: Option<String>,
    /// How long one request may take from its headers to its answer, reading its body
    /// included: a client that sends its body slowly gets a 408 and the connection closes.
    pub request_timeout: Duration,
    /// Connections served at once and how long a client may take to send its headers.
    pub connections: ConnectionLimits,
}

/// What keeps clients that open many connections, or send slowly, from using up the server's
/// file descriptors: a cap on connections served at once (beyond it, new ones wait in the
/// kernel's accept queue and are taken as others close) and a deadline for each request's
/// headers, which also closes a kept-alive connection that stays idle that long.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    /// Connections served at once (`serve --max-connections`). Keep it below the process's
    /// file descriptor limit (`LimitNOFILE`) less what the database pool needs.
    pub max_connections: usize,
    /// How long a client may take to send a request's headers (`serve --header-timeout-secs`).
    pub header_read_timeout: Duration,
}

impl ConnectionLimits {
    pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
    pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            max_connections: Self::DEFAULT_MAX_CONNECTIONS,
            header_read_timeout: Self::DEFAULT_HEADER_READ_TIMEOUT,
        }
    }
}

/// The default of [`ServerConfig::request_timeout`] (`serve --request-timeout-secs`).
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            rate_limit_per_minute: 600,
            log_client_addresses: false,
            trust_forwarded_for: false,
            https_cookies: false,
            page_cache_entries: PageCache::DEFAULT_ENTRIES,
            reports_per_minute: 10,
            metrics_token: None,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            connections: ConnectionLimits::default(),
        }
    }
}

/// What every request handler can reach.
pub struct AppState {
    pub store: Store,
    pub config: ServerConfig,
    pub limiter: limits::RateLimiter,
    /// A stricter bucket for anonymous directory reports.
    pub report_limiter: limits::RateLimiter,
    pub metrics: metrics::Metrics,
    /// Recently served feed pages by group and ETag.
    pub pages: PageCache,
}

/// A small in-memory cache of encoded feed pages. An entry is keyed by the page's ETag, which
/// changes with every write to the group, so a stale page can never be served; the cache is
/// simply emptied when full. Hits and misses are counted for `/metrics`.
pub struct PageCache {
    pages: std::sync::Mutex<std::collections::HashMap<String, axum::body::Bytes>>,
    max_entries: usize,
    hits: std::sync::atomic::AtomicU64,
    misses: std::sync::atomic::AtomicU64,
}

impl PageCache {
    pub const DEFAULT_ENTRIES: usize = 512;

    pub fn new(max_entries: usize) -> Self {
        PageCache {
            pages: Default::default(),
            max_entries,
            hits: Default::default(),
            misses: Default::default(),
        }
    }

    /// The cached page, counting a hit or a miss.
    pub fn get(&self, key: &str) -> Option<axum::body::Bytes> {
        use std::sync::atomic::Ordering::Relaxed;
        let found = self.pages.lock().ok().and_then(|p| p.get(key).cloned());
        match found {
            Some(_) => self.hits.fetch_add(1, Relaxed),
            None => self.misses.fetch_add(1, Relaxed),
        };
        found
    }

    pub fn put(&self, key: String, page: axum::body::Bytes) {
        if self.max_entries == 0 {
            return;
        }
        if let Ok(mut pages) = self.pages.lock() {
            if pages.len() >= self.max_entries {
                pages.clear();
            }
            pages.insert(key, page);
        }
    }

    /// (hits, misses) since the server started.
    pub fn counts(&self) -> (u64, u64) {
        use std::sync::atomic::Ordering::Relaxed;
        (self.hits.load(Relaxed), self.misses.load(Relaxed))
    }
}

pub type SharedState = Arc<AppState>;

/// The whole HTTP application.
pub fn app(store: Store, config: ServerConfig) -> Router {
    let page_cache_entries = config.page_cache_entries;
    let request_timeout = config.request_timeout;
    let state = Arc::new(AppState {
        limiter: limits::RateLimiter::new(config.rate_limit_per_minute),
        report_limiter: limits::RateLimiter::new(config.reports_per_minute),
        store,
        config,
        metrics: metrics::Metrics::default(),
        pages: PageCache::new(page_cache_entries),
    });
    api::routes()
        .merge(organize::routes())
        .merge(operate::routes())
        // Inside the metrics layer, so a request that timed out is still counted.
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            request_timeout,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(DefaultBodyLimit::max(kinship_protocol::MAX_BODY_BYTES))
        // Feeds are repetitive JSON: gzip cuts the bytes a phone downloads several-fold.
        .layer(tower_http::compression::CompressionLayer::new())
        .with_state(state)
}

/// How long requests in flight may take to finish after Ctrl-C or SIGTERM before the process
/// exits anyway (`serve --shutdown-grace-secs`).
pub const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(10);

/// Serves until Ctrl-C or SIGTERM ([`serve_with_grace`] with [`SHUTDOWN_GRACE`]).
pub async fn serve(listener: TcpListener, app: Router) -> std::io::Result<()> {
    serve_with_grace(listener, app, SHUTDOWN_GRACE).await
}

/// [`serve_with_limits`] with the default [`ConnectionLimits`].
pub async fn serve_with_grace(
    listener: TcpListener,
    app: Router,
    grace: Duration,
) -> std::io::Result<()> {
    serve_with_limits(listener, app, ConnectionLimits::default(), grace).await
}

/// Serves until Ctrl-C or SIGTERM, at most `limits.max_connections` connections at once, each
/// closed when a request's headers take longer than `limits.header_read_timeout`. After the
/// signal the listener closes at once (new connections are refused, so a load balancer moves
/// on), requests in flight get up to `grace` to finish, and it returns either way: a stuck
/// request cannot keep the process from exiting.
pub async fn serve_with_limits(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    grace: Duration,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let connections = GracefulShutdown::new();
    let signal = shutdown_signal();
    tokio::pin!(signal);
    loop {
        // Wait for a free slot before accepting: at the cap, new connections stay in the
        // kernel's queue instead of taking a file descriptor each.
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut signal => break,
        };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut signal => break,
        };
        match accepted {
            Ok((stream, peer)) => {
                spawn_connection(stream, peer, &app, &limits, &connections, permit)
            }
            Err(err) => {
                // Out of file descriptors, or a connection reset before it was accepted: wait a
                // little rather than spin, as connections close.
                tracing::warn!(target: "kinship_server", "accepting a connection failed: {err}");
                tokio::time::sleep(ACCEPT_RETRY).await;
            }
        }
    }
    drop(listener);
    tokio::select! {
        () = connections.shutdown() => Ok(()),
        () = tokio::time::sleep(grace) => {
            tracing::warn!(target: "kinship_server", "requests still in flight {grace:?} after the shutdown signal: exiting");
            Ok(())
        }
    }
}

/// How long the accept loop waits after a failed accept (e.g. out of file descriptors).
const ACCEPT_RETRY: Duration = Duration::from_millis(50);

/// Serves one connection on its own task; its slot is freed when it closes.
fn spawn_connection(
    stream: TcpStream,
    peer: SocketAddr,
    app: &Router,
    limits: &ConnectionLimits,
    connections: &GracefulShutdown,
    permit: OwnedSemaphorePermit,
) {
    let app = app.clone();
    // Handlers read the client's address from `ConnectInfo`, as with `axum::serve`.
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        app.clone().oneshot(request)
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let connection = connections.watch(builder.serve_connection(TokioIo::new(stream), service));
    tokio::spawn(async move {
        // An error here is the client's: gone, too slow with its headers, or not HTTP.
        let _ = connection.await;
        drop(permit);
    });
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
