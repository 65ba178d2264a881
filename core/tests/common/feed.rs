//! A minimal peer-group server on 127.0.0.1 for the core's own tests: one private group with
//! one event, an invite code that gives a member token, and no directory bundle. Enough for a
//! follow and a sync to run end to end without the server crate.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};

pub const GROUP_ID: &str = "g1";
pub const GROUP_NAME: &str = "Rainbow Readers Circle";
pub const EVENT_TITLE: &str = "Moonlit picnic by the lake";
pub const INVITE: &str = "invite-SECRET-4242";
pub const TOKEN: &str = "member-token-SECRET-7f3a9c";

/// Starts the server on an ephemeral port; returns its base URL (`http://127.0.0.1:PORT`).
/// The accept loop runs on a detached thread until the test process ends.
pub fn start() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let _ = serve(stream);
        }
    });
    url
}

fn serve(mut stream: TcpStream) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut length = 0usize;
    let mut authorized = false;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        if lower.starts_with("authorization:") && line.contains(TOKEN) {
            authorized = true;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("");
    let target = parts.next().unwrap_or("");
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let (status, json) = route(method, path, query, &body, authorized);
    let text = json.to_string();
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
        text.len()
    )?;
    stream.flush()
}

fn route(
    method: &str,
    path: &str,
    query: &str,
    body: &[u8],
    authorized: bool,
) -> (&'static str, serde_json::Value) {
    let group = format!("/v1/groups/{GROUP_ID}");
    match (method, path) {
        ("POST", p) if p == format!("{group}/join") => {
            if String::from_utf8_lossy(body).contains(INVITE) {
                ("200 OK", serde_json::json!({ "member_token": TOKEN }))
            } else {
                ("403 Forbidden", serde_json::json!({}))
            }
        }
        ("GET", p) if p == group && authorized => (
            "200 OK",
            serde_json::json!({
                "id": GROUP_ID, "name": GROUP_NAME, "description": "books and tea",
                "visibility": "private", "created_at": "2026-01-01T00:00:00Z",
            }),
        ),
        ("GET", p) if p == format!("{group}/events") && authorized => {
            if query.contains("since=0") {
                ("200 OK", page(vec![event()], "1"))
            } else {
                ("200 OK", page(vec![], "1"))
            }
        }
        _ => ("404 Not Found", serde_json::json!({})),
    }
}

fn page(changes: Vec<serde_json::Value>, next: &str) -> serde_json::Value {
    serde_json::json!({ "changes": changes, "tombstones": [], "next_cursor": next, "has_more": false })
}

fn event() -> serde_json::Value {
    serde_json::json!({
        "id": "e1", "group_id": GROUP_ID, "version": 1, "updated_at": "2026-11-01T00:00:00Z",
        "title": EVENT_TITLE, "description": "", "starts_at": "2099-12-03T19:00:00",
        "ends_at": "2099-12-03T21:00:00", "time_zone": "Europe/Lisbon",
        "online_url": "https://example.org/meet", "category": "social",
    })
}
