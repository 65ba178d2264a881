//! Prometheus metrics at `/metrics`: requests by route and status, and request time.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::SharedState;

#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    seconds: Mutex<BTreeMap<String, f64>>,
}

/// Middleware: counts each request under its route pattern (never the raw path, which holds ids).
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
    if let Some((address, method)) = logged {
        eprintln!(
            "{address} {method} {route} {} {:.1}ms",
            response.status().as_u16(),
            started.elapsed().as_secs_f64() * 1e3
        );
    }
    let elapsed = started.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    if let Ok(mut requests) = state.metrics.requests.lock() {
        *requests.entry((route.clone(), status)).or_default() += 1;
    }
    if let Ok(mut seconds) = state.metrics.seconds.lock() {
        *seconds.entry(route).or_default() += elapsed;
    }
    response
}

pub async fn render(State(state): State<SharedState>) -> impl IntoResponse {
    let mut out = String::new();
    out.push_str("# HELP kinship_http_requests_total HTTP requests by route and status.\n");
    out.push_str("# TYPE kinship_http_requests_total counter\n");
    if let Ok(requests) = state.metrics.requests.lock() {
        for ((route, status), count) in requests.iter() {
            out.push_str(&format!(
                "kinship_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {count}\n"
            ));
        }
    }
    out.push_str("# HELP kinship_http_request_seconds_total Time spent answering, by route.\n");
    out.push_str("# TYPE kinship_http_request_seconds_total counter\n");
    if let Ok(seconds) = state.metrics.seconds.lock() {
        for (route, total) in seconds.iter() {
            out.push_str(&format!(
                "kinship_http_request_seconds_total{{route=\"{route}\"}} {total:.6}\n"
            ));
        }
    }
    let (hits, misses) = state.pages.counts();
    out.push_str(&format!(
        "# HELP kinship_feed_page_cache_total Feed pages served from memory (hit) or read from the database (miss).\n# TYPE kinship_feed_page_cache_total counter\nkinship_feed_page_cache_total{{result=\"hit\"}} {hits}\nkinship_feed_page_cache_total{{result=\"miss\"}} {misses}\n"
    ));
    out.push_str(&format!(
        "# HELP kinship_store_backend The storage backend in use.\n# TYPE kinship_store_backend gauge\nkinship_store_backend{{backend=\"{}\"}} 1\n",
        state.store.backend()
    ));
    ([("content-type", "text/plain; version=0.0.4")], out)
}
