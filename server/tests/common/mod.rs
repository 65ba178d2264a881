//! Test harness: real servers on 127.0.0.1 over a real SQLite file or a fresh PostgreSQL
//! database on the cluster that scripts/test starts (KINSHIP_TEST_POSTGRES_URL).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed step should panic
#![allow(dead_code)]

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use kinship_protocol::Visibility;
use kinship_server::local::LocalServer;
use kinship_server::store::NewGroup;
use kinship_server::{ServerConfig, Store, StoreOptions};
use serde_json::{json, Value};

pub const POSTGRES_ENV: &str = "KINSHIP_TEST_POSTGRES_URL";

/// A database for one test, and what keeps it alive.
pub struct Database {
    pub url: String,
    pub backend: &'static str,
    _dir: Option<tempfile::TempDir>,
}

pub use kinship_test_support::skip_without;

/// One fresh SQLite database, and one fresh PostgreSQL database when the test cluster is
/// there (scripts/test starts one; plain `cargo test` skips it, saying so).
pub async fn both_backends() -> Vec<Database> {
    let mut databases = vec![sqlite_database()];
    databases.extend(maybe_postgres_database().await);
    databases
}

/// A fresh PostgreSQL database, or `None` (said on stderr) without the test cluster.
pub async fn maybe_postgres_database() -> Option<Database> {
    if std::env::var_os(POSTGRES_ENV).is_none() {
        skip_without("PostgreSQL", &format!("{POSTGRES_ENV} is not set"));
        return None;
    }
    Some(postgres_database().await)
}

pub fn sqlite_database() -> Database {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("server.sqlite").display());
    Database {
        url,
        backend: "sqlite",
        _dir: Some(dir),
    }
}

pub async fn postgres_database() -> Database {
    let base = std::env::var(POSTGRES_ENV).unwrap_or_else(|_| {
        panic!(
            "{POSTGRES_ENV} is not set: run ./scripts/test, which starts PostgreSQL on 127.0.0.1"
        )
    });
    let name = format!("kinship_test_{}", kinship_server::store::random_hex(6));
    let (client, connection) =
        tokio_postgres::connect(&format!("{base}/postgres"), tokio_postgres::NoTls)
            .await
            .expect("connect to the test PostgreSQL cluster");
    tokio::spawn(connection);
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create database");
    Database {
        url: format!("{base}/{name}"),
        backend: "postgres",
        _dir: None,
    }
}

/// The server of a test: [`LocalServer`], stopped when dropped.
pub type TestServer = LocalServer;

pub async fn start(url: &str, config: ServerConfig) -> TestServer {
    LocalServer::start(url, config, &[])
        .await
        .expect("start the server")
}

pub async fn create_group(url: &str, name: &str, visibility: Visibility) -> NewGroup {
    Store::connect(url, StoreOptions::default())
        .await
        .expect("open store")
        .create_group(name, "A test group", visibility)
        .await
        .expect("create group")
}

pub fn event_json(title: &str) -> Value {
    json!({
        "title": title,
        "description": "Bring a friend if you like.",
        "starts_at": "2026-12-03T19:00:00",
        "ends_at": "2026-12-03T21:00:00",
        "time_zone": "Europe/Lisbon",
        "place": {"name": "Community centre", "address": "Rua da Alegria 1"},
        "accessibility": "Step-free entrance",
        "category": "social"
    })
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

/// A `kinship-server` process (the real binary), killed when dropped.
pub struct ServerProcess {
    pub base: String,
    child: Child,
}

impl ServerProcess {
    /// Sends SIGTERM, as systemd or a container runtime does to stop the server.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success());
    }

    /// Waits up to `limit` for the process to exit; `None` if it is still running.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let deadline = std::time::Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            if std::time::Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn server_binary() -> &'static str {
    env!("CARGO_BIN_EXE_kinship-server")
}

/// Starts the binary on a free loopback port and waits until /healthz answers.
pub async fn spawn_binary(url: &str, extra: &[&str]) -> ServerProcess {
    let port = free_port();
    let child = Command::new(server_binary())
        .args([
            "--database-url",
            url,
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn kinship-server");
    let process = ServerProcess {
        base: format!("http://127.0.0.1:{port}"),
        child,
    };
    let http = client();
    for _ in 0..200 {
        if http
            .get(format!("{}/healthz", process.base))
            .send()
            .await
            .is_ok()
        {
            return process;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("kinship-server did not start");
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

pub fn set_cookies(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::to_owned)
        .collect()
}

/// The `Set-Cookie` line for `name`, if the response sets it.
pub fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    set_cookies(response)
        .into_iter()
        .find(|c| c.starts_with(&format!("{name}=")))
}

pub fn cookie_value(set_cookie: &str) -> String {
    let first = set_cookie.split(';').next().unwrap_or("");
    first
        .split_once('=')
        .map(|(_, v)| v)
        .unwrap_or("")
        .to_owned()
}

/// The value a response sets for cookie `name`, unless it clears it.
pub fn set_cookie_value(response: &reqwest::Response, name: &str) -> Option<String> {
    set_cookie(response, name)
        .map(|line| cookie_value(&line))
        .filter(|value| !value.is_empty())
}

/// Signs in with `token` by plain HTTP: the session cookie header and the page's CSRF token.
pub async fn sign_in(base: &str, token: &str) -> (String, String) {
    let client = no_redirects();
    let response = client.get(format!("{base}/organize")).send().await.unwrap();
    let signin = cookie_value(&set_cookie(&response, "kinship_signin").expect("sign-in cookie"));
    let csrf = hidden_field(&response.text().await.unwrap(), "csrf");
    let response = client
        .post(format!("{base}/organize/sign-in"))
        .header(reqwest::header::COOKIE, format!("kinship_signin={signin}"))
        .form(&[("csrf", csrf.as_str()), ("token", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::SEE_OTHER);
    let session = cookie_value(&set_cookie(&response, "kinship_session").expect("session"));
    let cookie = format!("kinship_session={session}");
    let html = client
        .get(format!("{base}/organize/events"))
        .header(reqwest::header::COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    (cookie, hidden_field(&html, "csrf"))
}

/// The value of the first hidden input called `name` in a page.
pub fn hidden_field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} field in the page"))
        + marker.len();
    let end = html[start..].find('"').expect("closing quote") + start;
    html[start..end].to_owned()
}

/// A client that shows redirects instead of following them.
pub fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("http client")
}
