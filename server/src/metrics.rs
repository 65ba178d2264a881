//! Prometheus metrics at `/metrics` (the `prometheus` crate, one registry per app): requests
//! by route pattern and status, a histogram of request latency by route, the feed page cache's
//! hits and misses, and the storage backend. Routes are patterns (`/v1/groups/{group_id}`),
//! never raw paths, which hold ids.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder,
};

use crate::SharedState;

/// Latency buckets in seconds: a 304 poll takes well under a millisecond, a first sync page a
/// few; the p99 target is 100 ms.
const LATENCY_BUCKETS: &[f64] = &[
    0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
}

impl Default for Metrics {
    fn default() -> Self {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "kinship_http_requests_total",
                "HTTP requests by route and status.",
            ),
            &["route", "status"],
        )
        .unwrap_or_else(|_| unreachable_metric());
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "kinship_http_request_duration_seconds",
                "Time spent answering, by route.",
            )
            .buckets(LATENCY_BUCKETS.to_vec()),
            &["route"],
        )
        .unwrap_or_else(|_| unreachable_metric());
        // Registering fresh collectors with distinct names in a fresh registry cannot fail.
        let _ = registry.register(Box::new(requests.clone()));
        let _ = registry.register(Box::new(latency.clone()));
        Metrics {
            registry,
            requests,
            latency,
        }
    }
}

/// The metric definitions above are constants; a failure to build one is a programming error
/// that the test suite catches (every metric is read in `openapi_matches_the_routes...`).
fn unreachable_metric<T>() -> T {
    panic!("a constant metric definition was refused")
}

/// Middleware: counts each request and its latency under its route pattern.
pub async fn track(State(state): State<SharedState>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".into());
    let started = Instant::now();
    // Addresses are members' personal data: only an operator who asks gets an access log.
    let logged = state.config.log_client_addresses.then(|| {
        let peer = request
            .extensions()
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0);
        let address = crate::limits::client_address(
            request.headers(),
            peer,
            state.config.trust_forwarded_for,
        );
        (address, request.method().clone())
    });
    let response = next.run(request).await;
    let elapsed = started.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    if let Some((address, method)) = logged {
        tracing::info!(target: "access", %address, %method, route = %route, status, ms = elapsed * 1e3);
    }
    state
        .metrics
        .requests
        .with_label_values(&[route.as_str(), &status.to_string()])
        .inc();
    state
        .metrics
        .latency
        .with_label_values(&[route.as_str()])
        .observe(elapsed);
    response
}

/// `GET /metrics`: off (404) unless the server has a metrics token, and then only for a
/// request that carries it (`Authorization: Bearer ...`), so the default exposes nothing.
#[utoipa::path(get, path = "/metrics", summary = "Prometheus metrics (with the server's metrics token; off without one)", security(("bearer" = [])), responses((status = 200, description = "text exposition format", body = String), (status = 401, description = "the metrics token is missing or wrong"), (status = 404, description = "metrics are off: the server has no metrics token")))]
pub async fn render(State(state): State<SharedState>, headers: HeaderMap) -> Response {
    let Some(expected) = state.config.metrics_token.as_deref() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if !crate::store::constant_time_eq(presented, expected) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
        )
            .into_response();
    }
    let mut out = Vec::new();
    let _ = TextEncoder::new().encode(&state.metrics.registry.gather(), &mut out);
    let mut text = String::from_utf8(out).unwrap_or_default();
    // Read at scrape time: the page cache counts in atomics of its own.
    let (hits, misses) = state.pages.counts();
    text.push_str(&format!(
        "# HELP kinship_feed_page_cache_total Feed pages served from memory (hit) or read from the database (miss).\n# TYPE kinship_feed_page_cache_total counter\nkinship_feed_page_cache_total{{result=\"hit\"}} {hits}\nkinship_feed_page_cache_total{{result=\"miss\"}} {misses}\n"
    ));
    text.push_str(&format!(
        "# HELP kinship_store_backend The storage backend in use.\n# TYPE kinship_store_backend gauge\nkinship_store_backend{{backend=\"{}\"}} 1\n",
        state.store.backend()
    ));
    (
        [("content-type", TextEncoder::new().format_type().to_owned())],
        text,
    )
        .into_response()
}
