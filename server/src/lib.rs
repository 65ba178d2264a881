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

use axum::extract::DefaultBodyLimit;
use axum::Router;

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
    /// Feed pages kept in memory (0 turns the page cache off, e.g. to measure the database).
    pub page_cache_entries: usize,
    /// "This number didn't work" reports per minute per client address, per instance.
    pub reports_per_minute: u32,
    /// The bearer token `/metrics` asks for; `None` turns `/metrics` off (404).
    pub metrics_token: Option<String>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            rate_limit_per_minute: 600,
            log_client_addresses: false,
            trust_forwarded_for: false,
            page_cache_entries: PageCache::DEFAULT_ENTRIES,
            reports_per_minute: 10,
            metrics_token: None,
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
pub async fn serve(listener: tokio::net::TcpListener, app: Router) -> std::io::Result<()> {
    serve_with_grace(listener, app, SHUTDOWN_GRACE).await
}

/// Serves until Ctrl-C or SIGTERM. Then the listener closes at once (new connections are
/// refused, so a load balancer moves on), requests in flight get up to `grace` to finish, and
/// it returns either way: a stuck request cannot keep the process from exiting.
pub async fn serve_with_grace(
    listener: tokio::net::TcpListener,
    app: Router,
    grace: std::time::Duration,
) -> std::io::Result<()> {
    let (signalled, on_signal) = tokio::sync::oneshot::channel::<()>();
    let server = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        let _ = signalled.send(());
    });
    let deadline = async move {
        match on_signal.await {
            Ok(()) => tokio::time::sleep(grace).await,
            // The server ended without a signal: nothing to bound.
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        result = std::future::IntoFuture::into_future(server) => result,
        () = deadline => {
            tracing::warn!(target: "kinship_server", "requests still in flight {grace:?} after the shutdown signal: exiting");
            Ok(())
        }
    }
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
