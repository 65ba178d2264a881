//! `kinship-server`: serve the API, and the operator's commands (groups, tokens, directory).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use kinship_directory::bundle::{self, TrustedKey};
use kinship_protocol::Visibility;
use kinship_server::{app, serve_with_limits, ConnectionLimits, ServerConfig, Store, StoreOptions};

const DEFAULT_DATABASE_URL: &str = "sqlite://kinship-server.sqlite";

#[derive(Parser)]
#[command(name = "kinship-server", version, about = "Kinship peer-group server")]
struct Cli {
    /// sqlite://PATH (the default, nothing to install) or postgres://USER@HOST/DB.
    #[arg(long, global = true, env = "KINSHIP_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    database_url: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API and the organizer page.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Requests per minute per client address and per token, per instance.
        #[arg(long, default_value_t = 600)]
        rate_limit_per_minute: u32,
        /// Log client addresses (off by default: they are members' personal data).
        #[arg(long)]
        log_client_addresses: bool,
        /// Use X-Forwarded-For for the client address (only behind a trusted load balancer).
        #[arg(long)]
        trust_forwarded_for: bool,
        /// The web pages are served over HTTPS (by a proxy in front): always give them
        /// `__Host-` cookies with `Secure`, whatever X-Forwarded-Proto says.
        #[arg(long)]
        https_cookies: bool,
        /// Anonymous "this number didn't work" reports per minute per client address.
        #[arg(long, default_value_t = 10)]
        reports_per_minute: u32,
        /// The bearer token /metrics asks for. Without one, /metrics is off (404). Prefer the
        /// environment variable: a command line is visible to every user of the machine.
        #[arg(long, env = "KINSHIP_METRICS_TOKEN", hide_env_values = true)]
        metrics_token: Option<String>,
        /// Feed pages kept in memory; 0 turns the page cache off (benchmarks of the database).
        #[arg(long, default_value_t = kinship_server::PageCache::DEFAULT_ENTRIES)]
        page_cache_entries: usize,
        /// After Ctrl-C or SIGTERM, how long requests in flight may take to finish.
        #[arg(long, default_value_t = kinship_server::SHUTDOWN_GRACE.as_secs())]
        shutdown_grace_secs: u64,
        /// Connections served at once; beyond it new ones wait in the kernel's queue. Keep it
        /// below the file descriptor limit (systemd LimitNOFILE) less the database pool.
        #[arg(long, default_value_t = kinship_server::ConnectionLimits::DEFAULT_MAX_CONNECTIONS)]
        max_connections: usize,
        /// Seconds a client may take to send a request's headers (and to stay idle between
        /// requests on a kept-alive connection) before the connection is closed.
        #[arg(long, default_value_t = kinship_server::ConnectionLimits::DEFAULT_HEADER_READ_TIMEOUT.as_secs())]
        header_timeout_secs: u64,
        /// Seconds one request may take from its headers to its answer, its body included;
        /// beyond it the answer is 408 and the connection closes.
        #[arg(long, default_value_t = kinship_server::DEFAULT_REQUEST_TIMEOUT.as_secs())]
        request_timeout_secs: u64,
        /// Tests only: hold each write transaction open this long.
        #[arg(long, hide = true)]
        test_hold_write_ms: Option<u64>,
    },
    /// Create a group; prints its id, organizer token and (private groups) invite code once.
    CreateGroup {
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "")]
        description: String,
        #[arg(long)]
        private: bool,
        #[arg(long)]
        json: bool,
    },
    /// Replace a group's organizer token (the old one stops working).
    RotateToken {
        #[arg(long)]
        group: String,
    },
    /// Replace a private group's invite code (joined members keep access).
    RotateInvite {
        #[arg(long)]
        group: String,
        /// Also end every member token at once (after a leak, or to remove someone): members
        /// join again with the new code. Without it, joined members keep access.
        #[arg(long)]
        revoke_members: bool,
    },
    /// Create or replace the operator token for the operator pages (/operate, where directory
    /// reports are read); prints it once. The old token and its sign-ins stop working.
    OperatorToken,
    /// Publish a signed directory bundle for phones to fetch.
    PublishDirectory {
        file: PathBuf,
        /// Also accept bundles signed by this key (ID=HEX), e.g. a staging key.
        #[arg(long = "trusted-key", value_name = "ID=HEX")]
        trusted_keys: Vec<String>,
    },
    /// Forget tombstones older than N days; older client cursors then resync.
    PurgeTombstones {
        #[arg(long, default_value_t = 90)]
        older_than_days: i64,
    },
    /// What phones reported about directory entries ("this number didn't work"), most
    /// reported first, with people's notes; see docs/DIRECTORY.md for turning them into a
    /// corrected, signed bundle.
    DirectoryReports {
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Logs go to stderr through `tracing`; members' addresses only with --log-client-addresses.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_target(true)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("kinship-server: cannot start the runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(run(cli));
    // A database call still running after the shutdown grace (a blocking SQLite call) must not
    // hold the process: dropping the runtime would wait for it.
    runtime.shutdown_timeout(Duration::from_millis(500));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("kinship-server: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let options = match &cli.command {
        Command::Serve {
            test_hold_write_ms: Some(ms),
            ..
        } => StoreOptions {
            hold_writes: Some(Duration::from_millis(*ms)),
        },
        _ => StoreOptions::default(),
    };
    let store = Store::connect(&cli.database_url, options)
        .await
        .map_err(|e| format!("cannot open the database: {e}"))?;
    match cli.command {
        Command::Serve {
            listen,
            rate_limit_per_minute,
            log_client_addresses,
            trust_forwarded_for,
            https_cookies,
            page_cache_entries,
            reports_per_minute,
            metrics_token,
            shutdown_grace_secs,
            max_connections,
            header_timeout_secs,
            request_timeout_secs,
            ..
        } => {
            let listener = tokio::net::TcpListener::bind(&listen)
                .await
                .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
            let address = listener.local_addr().map_err(|e| e.to_string())?;
            println!(
                "kinship-server listening on http://{address} ({} storage)",
                store.backend()
            );
            let config = ServerConfig {
                rate_limit_per_minute,
                log_client_addresses,
                trust_forwarded_for,
                https_cookies,
                page_cache_entries,
                reports_per_minute,
                metrics_token: metrics_token.filter(|t| !t.is_empty()),
                request_timeout: Duration::from_secs(request_timeout_secs.max(1)),
                connections: ConnectionLimits {
                    max_connections: max_connections.max(1),
                    header_read_timeout: Duration::from_secs(header_timeout_secs.max(1)),
                },
            };
            let grace = Duration::from_secs(shutdown_grace_secs);
            let limits = config.connections.clone();
            serve_with_limits(listener, app(store, config), limits, grace)
                .await
                .map_err(|e| e.to_string())
        }
        Command::CreateGroup {
            name,
            description,
            private,
            json,
        } => {
            kinship_protocol::validate_group(&name, &description).map_err(|e| e.to_string())?;
            let visibility = if private {
                Visibility::Private
            } else {
                Visibility::Public
            };
            let created = store
                .create_group(&name, &description, visibility)
                .await
                .map_err(|e| e.to_string())?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string(&created).map_err(|e| e.to_string())?
                );
            } else {
                println!("group_id:        {}", created.group_id);
                println!(
                    "organizer_token: {}  (shown once: keep it safe)",
                    created.organizer_token
                );
                if let Some(code) = &created.invite_code {
                    println!("invite_code:     {code}");
                }
            }
            Ok(())
        }
        Command::RotateToken { group } => {
            let token = store
                .rotate_organizer_token(&group)
                .await
                .map_err(|e| e.to_string())?;
            println!("{}", token.ok_or("no such group")?);
            Ok(())
        }
        Command::OperatorToken => {
            let token = store
                .rotate_operator_token()
                .await
                .map_err(|e| e.to_string())?;
            println!("{token}");
            eprintln!("kinship-server: sign in at /operate with this token; it is shown only once");
            Ok(())
        }
        Command::RotateInvite {
            group,
            revoke_members,
        } => {
            let record = store
                .group(&group)
                .await
                .map_err(|e| e.to_string())?
                .ok_or("no such group")?;
            if record.group.visibility == Visibility::Public {
                return Err("public groups have no invite code".into());
            }
            let code = store
                .rotate_invite(&group)
                .await
                .map_err(|e| e.to_string())?;
            println!("{}", code.ok_or("no such group")?);
            if revoke_members {
                let ended = store
                    .revoke_members(&group)
                    .await
                    .map_err(|e| e.to_string())?;
                eprintln!("kinship-server: ended {ended} member tokens; members join again with the new code");
            }
            Ok(())
        }
        Command::PublishDirectory { file, trusted_keys } => {
            let bytes =
                std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let extra = parse_trusted_keys(&trusted_keys)?;
            let mut keys: Vec<TrustedKey> = bundle::TRUSTED_KEYS.to_vec();
            keys.extend(extra);
            let data = bundle::verify(&bytes, &keys).map_err(|e| format!("refused: {e}"))?;
            let version = i64::try_from(data.version).map_err(|_| "version out of range")?;
            if let Some((current, _)) = store.latest_directory().await.map_err(|e| e.to_string())? {
                if version <= current {
                    return Err(format!(
                        "refused: version {version} is not newer than the published {current}"
                    ));
                }
            }
            store
                .publish_directory(version, &bytes)
                .await
                .map_err(|e| e.to_string())?;
            println!("published directory version {version}");
            Ok(())
        }
        Command::DirectoryReports { json } => {
            let reports = store.directory_reports().await.map_err(|e| e.to_string())?;
            if json {
                let text = serde_json::to_string_pretty(&reports).map_err(|e| e.to_string())?;
                println!("{text}");
                return Ok(());
            }
            if reports.is_empty() {
                println!("no directory reports");
            }
            for report in &reports {
                println!(
                    "{:>5}  {}  {}  (directory version {}, last {})",
                    report.count,
                    report.entry_id,
                    report.problem,
                    report.directory_version,
                    report.last_at.format("%Y-%m-%d")
                );
                for note in &report.notes {
                    println!("         \"{}\"", note.replace(['\n', '\r'], " "));
                }
            }
            Ok(())
        }
        Command::PurgeTombstones { older_than_days } => {
            let before = chrono::Utc::now() - chrono::Duration::days(older_than_days.max(0));
            let removed = store
                .purge_tombstones(before)
                .await
                .map_err(|e| e.to_string())?;
            let expired = chrono::Utc::now()
                - chrono::Duration::hours(kinship_server::store::IDEMPOTENCY_HOURS);
            let keys = store
                .purge_idempotency(expired)
                .await
                .map_err(|e| e.to_string())?;
            println!("purged {removed} tombstones and {keys} expired idempotency keys");
            Ok(())
        }
    }
}

/// `ID=HEX` pairs; ids are leaked (they live for the whole process) to fit `TrustedKey`.
fn parse_trusted_keys(pairs: &[String]) -> Result<Vec<TrustedKey>, String> {
    pairs
        .iter()
        .map(|pair| {
            let (id, hex_key) = pair.split_once('=').ok_or("a trusted key is ID=HEX")?;
            let public_key: [u8; 32] = hex::decode(hex_key)
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or("a trusted key is 32 bytes of hex")?;
            Ok(TrustedKey {
                id: Box::leak(id.to_owned().into_boxed_str()),
                public_key,
            })
        })
        .collect()
}
