//! HTTP to peer-group servers: one client with timeouts, retries with exponential backoff
//! and jitter (honouring `Retry-After`), bounded response bodies, and the rule that plain
//! `http://` is only for a server on this device.

use crate::error::InputProblem;
use std::time::Duration;

use rand::Rng;
use reqwest::{header, RequestBuilder, Response, StatusCode};

use super::sync::SyncOptions;
use crate::error::{Error, Result};

pub(crate) fn client(options: &SyncOptions) -> Result<reqwest::Client> {
    reqwest::Client::builder()
        // A redirect could send the member token to another host, or to plain http.
        .redirect(reqwest::redirect::Policy::none())
        .timeout(options.timeout)
        .connect_timeout(options.timeout.min(Duration::from_secs(5)))
        .user_agent(concat!("kinship/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::Remote {
            status: None,
            reason: format!("cannot set up HTTP: {e}"),
        })
}

/// Sends with retries: connection failures and timeouts, 5xx and 429 are retried with
/// exponential backoff and jitter (a 429's `Retry-After` is honoured up to a limit).
pub(crate) async fn send(
    options: &SyncOptions,
    requests: &mut u32,
    build: impl Fn() -> RequestBuilder,
) -> Result<Response> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        *requests += 1;
        let last = attempt >= options.max_attempts;
        match build().send().await {
            Ok(response) if !last && is_retryable(response.status()) => {
                let wait = retry_after(&response).unwrap_or_else(|| backoff(options, attempt));
                if wait > options.max_retry_after {
                    return Ok(response);
                }
                tokio::time::sleep(wait).await;
            }
            Ok(response) => return Ok(response),
            Err(err) if !last && (err.is_connect() || err.is_timeout() || err.is_request()) => {
                tokio::time::sleep(backoff(options, attempt)).await;
            }
            Err(err) if err.is_connect() || err.is_timeout() => return Err(Error::Offline),
            Err(err) => {
                return Err(Error::Remote {
                    status: None,
                    reason: format!("the connection failed: {}", err.without_url()),
                })
            }
        }
    }
}

fn is_retryable(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
}

fn retry_after(response: &Response) -> Option<Duration> {
    let seconds: u64 = response
        .headers()
        .get(header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds))
}

/// `base * 2^(attempt-1)` plus up to the same again of random jitter.
fn backoff(options: &SyncOptions, attempt: u32) -> Duration {
    let step = options.base_backoff * 2u32.saturating_pow(attempt.saturating_sub(1).min(8));
    step + step.mul_f64(rand::thread_rng().gen::<f64>())
}

/// Largest response body read from a server (after decompression): a hostile server cannot
/// exhaust the phone's memory.
pub const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// The body, refused as soon as it grows past `limit` bytes (nothing more is read).
pub(crate) async fn read_bounded(mut response: Response, limit: usize) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| Error::Remote {
        status: None,
        reason: format!("the response broke off: {}", e.without_url()),
    })? {
        if bytes.len() + chunk.len() > limit {
            return Err(remote(200, "the server sent more data than allowed"));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

pub(crate) async fn read_json<T: serde::de::DeserializeOwned>(mut response: Response) -> Result<T> {
    let broke = |e: reqwest::Error| Error::Remote {
        status: None,
        reason: format!("the response broke off: {}", e.without_url()),
    };
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(broke)? {
        if bytes.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err(remote(
                200,
                "the server sent more data than a page may hold",
            ));
        }
        bytes.extend_from_slice(&chunk);
    }
    serde_json::from_slice(&bytes).map_err(|e| Error::Remote {
        status: Some(200),
        reason: format!(
            "the server sent malformed JSON ({:?} at line {})",
            e.classify(),
            e.line()
        ),
    })
}

pub(crate) fn with_token(request: RequestBuilder, token: Option<&str>) -> RequestBuilder {
    match token {
        Some(token) => request.bearer_auth(token),
        None => request,
    }
}

/// `https://host[:port]`, or plain `http://` only for this device itself (a local test
/// server): tokens and group ids must not cross a network in clear.
pub(crate) fn normalize_server(url: &str) -> Result<String> {
    let url = url.trim().trim_end_matches('/');
    let refuse = || {
        Error::invalid_field(
            InputProblem::Malformed,
            "server_url",
            "a server URL starts with https:// (http:// only for 127.0.0.1 or localhost)",
        )
    };
    if let Some(rest) = url.strip_prefix("http://") {
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        let host = match authority.rsplit_once(':') {
            Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
            _ => authority,
        };
        return if matches!(host, "127.0.0.1" | "localhost" | "[::1]")
            && !rest.contains(char::is_whitespace)
        {
            Ok(url.to_owned())
        } else {
            Err(refuse())
        };
    }
    if url.starts_with("https://") && crate::directory::actions::is_web_url(url) {
        Ok(url.to_owned())
    } else {
        Err(refuse())
    }
}

/// An answer that was not what was needed; `status` is the HTTP status the server really sent,
/// `None` when there was none (a broken connection, a page loop).
pub(crate) fn remote(status: impl Into<Option<u16>>, reason: &str) -> Error {
    Error::Remote {
        status: status.into(),
        reason: reason.to_owned(),
    }
}

pub(crate) fn remote_status(status: StatusCode) -> Error {
    Error::Remote {
        status: Some(status.as_u16()),
        reason: format!("the server answered {status}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_for_this_device() {
        assert_eq!(
            normalize_server("https://groups.example.org/").unwrap(),
            "https://groups.example.org"
        );
        for local in [
            "http://127.0.0.1:8080",
            "http://localhost:9000",
            "http://[::1]:8080",
        ] {
            assert!(normalize_server(local).is_ok(), "{local}");
        }
        for refused in [
            "http://groups.example.org",
            "http://localhost.evil.example",
            "http://127.0.0.1.evil.example",
            "ftp://x.org",
            "groups.example.org",
        ] {
            assert!(normalize_server(refused).is_err(), "{refused}");
        }
    }
}
