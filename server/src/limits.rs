//! Rate limits: a token bucket per client address and per token, in memory per instance.
//! Behind a load balancer each instance limits what it sees; `--rate-limit-per-minute` is per
//! instance (see docs/DEPLOY.md).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::Instant;

use axum::http::HeaderMap;

use crate::error::ApiError;

pub struct RateLimiter {
    per_minute: u32,
    buckets: Mutex<Buckets>,
}

struct Buckets {
    by_key: HashMap<String, Bucket>,
    /// When idle buckets were last forgotten: at most every [`PRUNE_EVERY_SECS`], so a full
    /// map is not scanned on every request.
    pruned: Instant,
}

struct Bucket {
    tokens: f64,
    refreshed: Instant,
}

/// Buckets idle this long are forgotten, so the map does not grow without bound.
const FORGET_AFTER_SECS: f64 = 600.0;
const PRUNE_ABOVE: usize = 10_000;
const PRUNE_EVERY_SECS: f64 = 10.0;

impl RateLimiter {
    pub fn new(per_minute: u32) -> Self {
        RateLimiter {
            per_minute: per_minute.max(1),
            buckets: Mutex::new(Buckets {
                by_key: HashMap::new(),
                pruned: Instant::now(),
            }),
        }
    }

    /// Takes one request from `key`'s bucket, or says how long to wait.
    pub fn check(&self, key: &str) -> Result<(), ApiError> {
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        let now = Instant::now();
        let mut guard = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let buckets = &mut *guard;
        if buckets.by_key.len() > PRUNE_ABOVE
            && now.duration_since(buckets.pruned).as_secs_f64() > PRUNE_EVERY_SECS
        {
            buckets
                .by_key
                .retain(|_, b| now.duration_since(b.refreshed).as_secs_f64() < FORGET_AFTER_SECS);
            buckets.pruned = now;
        }
        let bucket = buckets.by_key.entry(key.to_owned()).or_insert(Bucket {
            tokens: capacity,
            refreshed: now,
        });
        let elapsed = now.duration_since(bucket.refreshed).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_second).min(capacity);
        bucket.refreshed = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait = ((1.0 - bucket.tokens) / per_second).ceil().max(1.0);
            Err(ApiError::RateLimited {
                retry_after_secs: wait as u64,
            })
        }
    }
}

/// The client, as rate limits and logs see it: the TCP peer, or the last `X-Forwarded-For`
/// hop when the server is told it sits behind a trusted proxy (the hop that proxy appended, on
/// the header's last line; earlier hops and lines are the client's own words). A hop that is
/// not an IP address, or a header longer than [`MAX_FORWARDED_FOR_BYTES`], is ignored in favour
/// of the peer. IPv6 clients are grouped by their /64 (one subscriber's network: a single
/// phone can use 2^64 addresses), IPv4-mapped IPv6 counts as IPv4, and every loopback address
/// is one client.
pub fn client_address(
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
    trust_forwarded_for: bool,
) -> String {
    let forwarded = trust_forwarded_for
        .then(|| forwarded_for_last_hop(headers))
        .flatten();
    match forwarded.or(peer.map(|p| p.ip())) {
        Some(ip) => client_key(ip),
        None => "unknown".into(),
    }
}

/// Longest `X-Forwarded-For` line read; a longer one is not a proxy's.
pub const MAX_FORWARDED_FOR_BYTES: usize = 512;

fn forwarded_for_last_hop(headers: &HeaderMap) -> Option<IpAddr> {
    let line = headers.get_all("x-forwarded-for").iter().next_back()?;
    if line.len() > MAX_FORWARDED_FOR_BYTES {
        return None;
    }
    let hop = line.to_str().ok()?.rsplit(',').next()?.trim();
    hop.parse().ok()
}

fn client_key(ip: IpAddr) -> String {
    let ip = match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    };
    if ip.is_loopback() {
        return "loopback".into();
    }
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_empties_then_says_when_to_retry() {
        let limiter = RateLimiter::new(3);
        for _ in 0..3 {
            assert!(limiter.check("a").is_ok());
        }
        match limiter.check("a") {
            Err(ApiError::RateLimited { retry_after_secs }) => {
                assert!((1..=20).contains(&retry_after_secs))
            }
            other => panic!("expected a rate limit, got {other:?}"),
        }
        assert!(limiter.check("b").is_ok(), "buckets are per key");
    }

    fn headers(lines: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for line in lines {
            map.append("x-forwarded-for", line.parse().unwrap());
        }
        map
    }

    #[test]
    fn the_proxy_appended_hop_counts_and_nothing_the_client_wrote() {
        let peer: Option<SocketAddr> = Some("10.0.0.9:443".parse().unwrap());
        // The client's own first line and first hops are ignored; the proxy's last hop counts.
        let h = headers(&["1.1.1.1", "6.6.6.6, 203.0.113.7"]);
        assert_eq!(client_address(&h, peer, true), "203.0.113.7");
        // Not trusted: the peer, whatever the header says.
        assert_eq!(client_address(&h, peer, false), "10.0.0.9");
        // A hop that is not an address, or an oversized line: the peer.
        for bad in ["not-an-ip", &"9".repeat(MAX_FORWARDED_FOR_BYTES + 1)] {
            assert_eq!(client_address(&headers(&[bad]), peer, true), "10.0.0.9");
        }
    }

    #[test]
    fn one_ipv6_network_and_every_loopback_address_is_one_client() {
        let key = |ip: &str| {
            client_address(
                &HeaderMap::new(),
                Some(SocketAddr::new(ip.parse().unwrap(), 1)),
                false,
            )
        };
        assert_eq!(key("2001:db8:1:2::1"), key("2001:db8:1:2:ffff::9"));
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(key("::ffff:192.0.2.1"), "192.0.2.1");
        assert_eq!(key("127.0.0.1"), key("127.0.0.9"));
        assert_eq!(key("127.0.0.1"), key("::1"));
    }
}
