//! HTTP to peer-group servers: one client with timeouts, retries with exponential backoff
//! and jitter (honouring `Retry-After`), bounded response bodies, and the rule that plain
//! `http://` is only for a server on this device.
//!
//! Hand-sized on purpose: the phone library must stay under 6 MB, and reqwest with hyper and
//! tokio's network driver took about half a megabyte of it. `ureq` is a maintained blocking
//! client on rustls; each request runs on tokio's blocking pool, so the sync stays async for
//! its callers. The body is read (bounded) on that thread too, and handed back whole.

use crate::error::InputProblem;
use std::time::Duration;

use rand::Rng;
pub(crate) use ureq::http::{header, StatusCode};

use super::sync::SyncOptions;
use crate::error::{Error, Result};

/// Largest response body read from a server (after decompression): a hostile server cannot
/// exhaust the phone's memory.
pub const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// The HTTP client: cheap to clone (one connection pool).
#[derive(Clone)]
pub(crate) struct Http {
    agent: ureq::Agent,
}

pub(crate) fn client(options: &SyncOptions) -> Result<Http> {
    let config = ureq::Agent::config_builder()
        // A redirect could send the member token to another host, or to plain http: never
        // followed, and the 3xx itself comes back as an answer.
        .max_redirects(0)
        .max_redirects_will_error(false)
        // Every status is an answer the sync interprets, not a transport error.
        .http_status_as_error(false)
        // The whole exchange, body included: a server that trickles bytes is cut off.
        .timeout_global(Some(options.timeout))
        .timeout_connect(Some(options.timeout.min(Duration::from_secs(5))))
        .user_agent(concat!("kinship/", env!("CARGO_PKG_VERSION")))
        .build();
    Ok(Http {
        agent: config.into(),
    })
}

impl Http {
    pub(crate) fn get(&self, url: &str) -> Request {
        self.request("GET", url)
    }

    pub(crate) fn post(&self, url: &str) -> Request {
        self.request("POST", url)
    }

    fn request(&self, method: &'static str, url: &str) -> Request {
        Request {
            agent: self.agent.clone(),
            method,
            url: url.to_owned(),
            headers: Vec::new(),
            body: None,
            limit: MAX_RESPONSE_BYTES,
        }
    }
}

/// One request, built as with reqwest's builder and sent by [`send`].
pub(crate) struct Request {
    agent: ureq::Agent,
    method: &'static str,
    url: String,
    headers: Vec<(header::HeaderName, String)>,
    body: Option<Vec<u8>>,
    limit: usize,
}

impl Request {
    pub(crate) fn header(mut self, name: header::HeaderName, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }

    /// The body as JSON (`Content-Type: application/json`).
    pub(crate) fn json<T: serde::Serialize>(mut self, body: &T) -> Self {
        // Our request types always encode; an empty body would be refused by the server.
        self.body = Some(serde_json::to_vec(body).unwrap_or_default());
        self.header(header::CONTENT_TYPE, "application/json")
    }

    /// Reads at most `limit` bytes of the answer (the default is [`MAX_RESPONSE_BYTES`]).
    pub(crate) fn limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    /// Sends and reads the body, on the calling (blocking) thread.
    fn run(self) -> std::result::Result<Response, ureq::Error> {
        let mut builder = ureq::http::Request::builder()
            .method(self.method)
            .uri(self.url.as_str());
        for (name, value) in &self.headers {
            builder = builder.header(name, value.as_str());
        }
        let mut response = match self.body {
            Some(body) => self
                .agent
                .run(builder.body(body).map_err(ureq::Error::Http)?)?,
            None => self
                .agent
                .run(builder.body(()).map_err(ureq::Error::Http)?)?,
        };
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .body_mut()
            .with_config()
            .limit(self.limit as u64)
            .read_to_vec()
            .map_err(|err| match err {
                ureq::Error::BodyExceedsLimit(_) => BodyError::TooLarge,
                _ => BodyError::Broken,
            });
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}

/// An answer: status, headers and the body as read (bounded).
pub(crate) struct Response {
    status: StatusCode,
    headers: header::HeaderMap,
    body: std::result::Result<Vec<u8>, BodyError>,
}

#[derive(Debug, Clone, Copy)]
enum BodyError {
    TooLarge,
    Broken,
}

impl Response {
    pub(crate) fn status(&self) -> StatusCode {
        self.status
    }

    pub(crate) fn headers(&self) -> &header::HeaderMap {
        &self.headers
    }
}

/// Sends with retries: connection failures and timeouts, 5xx and 429 are retried with
/// exponential backoff and jitter (a 429's `Retry-After` is honoured up to a limit).
pub(crate) async fn send(
    options: &SyncOptions,
    requests: &mut u32,
    build: impl Fn() -> Request,
) -> Result<Response> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        *requests += 1;
        let last = attempt >= options.max_attempts;
        let request = build();
        let sent = tokio::task::spawn_blocking(move || request.run())
            .await
            .map_err(|_| remote(None, "the request stopped unexpectedly"))?;
        match sent {
            Ok(response) if !last && is_retryable(response.status()) => {
                let wait = retry_after(&response).unwrap_or_else(|| backoff(options, attempt));
                if wait > options.max_retry_after {
                    return Ok(response);
                }
                tokio::time::sleep(wait).await;
            }
            Ok(response) => return Ok(response),
            Err(err) if !last && is_transient(&err) => {
                tokio::time::sleep(backoff(options, attempt)).await;
            }
            Err(err) if is_unreachable(&err) => return Err(Error::Offline),
            Err(err) => {
                return Err(Error::Remote {
                    status: None,
                    reason: format!("the connection failed: {}", describe(&err)),
                })
            }
        }
    }
}

/// The body, refused if it grew past `limit` bytes (nothing more was read).
pub(crate) async fn read_bounded(response: Response, limit: usize) -> Result<Vec<u8>> {
    let bytes = body(response, "the server sent more data than allowed")?;
    if bytes.len() > limit {
        return Err(remote(200, "the server sent more data than allowed"));
    }
    Ok(bytes)
}

pub(crate) async fn read_json<T: serde::de::DeserializeOwned>(response: Response) -> Result<T> {
    let bytes = body(response, "the server sent more data than a page may hold")?;
    serde_json::from_slice(&bytes).map_err(|e| Error::Remote {
        status: Some(200),
        reason: format!(
            "the server sent malformed JSON ({:?} at line {})",
            e.classify(),
            e.line()
        ),
    })
}

pub(crate) fn with_token(request: Request, token: Option<&str>) -> Request {
    match token {
        Some(token) => request.header(header::AUTHORIZATION, &format!("Bearer {token}")),
        None => request,
    }
}

fn body(response: Response, too_large: &str) -> Result<Vec<u8>> {
    match response.body {
        Ok(bytes) => Ok(bytes),
        Err(BodyError::TooLarge) => Err(remote(200, too_large)),
        Err(BodyError::Broken) => Err(remote(None, "the response broke off")),
    }
}

/// Failures worth another try, and that mean "offline" when the tries run out.
fn is_transient(err: &ureq::Error) -> bool {
    matches!(
        err,
        ureq::Error::Io(_)
            | ureq::Error::Timeout(_)
            | ureq::Error::HostNotFound
            | ureq::Error::ConnectionFailed
            | ureq::Error::BodyStalled
    )
}

/// No server could be reached (as opposed to one that answered and broke off).
fn is_unreachable(err: &ureq::Error) -> bool {
    use std::io::ErrorKind;
    match err {
        ureq::Error::Timeout(_) | ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => true,
        ureq::Error::Io(io) => matches!(
            io.kind(),
            ErrorKind::ConnectionRefused
                | ErrorKind::NotConnected
                | ErrorKind::AddrNotAvailable
                | ErrorKind::NetworkUnreachable
                | ErrorKind::HostUnreachable
                | ErrorKind::NetworkDown
                | ErrorKind::TimedOut
        ),
        _ => false,
    }
}

/// What went wrong, without the URL (it names the group).
fn describe(err: &ureq::Error) -> &'static str {
    match err {
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) | ureq::Error::TlsRequired => {
            "the secure connection could not be set up"
        }
        ureq::Error::Protocol(_) | ureq::Error::LargeResponseHeader(..) => {
            "the server did not answer in HTTP"
        }
        ureq::Error::Decompress(..) => "the answer could not be decompressed",
        ureq::Error::BadUri(_) | ureq::Error::Http(_) => "the address is not valid",
        ureq::Error::Io(_) | ureq::Error::BodyStalled => "the response broke off",
        _ => "an unexpected error",
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
