//! A hook that forwards the core's log lines to the app's logger (Logcat, `os_log`, a crash
//! reporter's breadcrumbs). The core's lines are redacted at the source: counts, status codes
//! and kinds of events, never what a person wrote, an id, a server address or a key
//! (`docs/SECURITY.md`, "Logs").

use std::sync::{Arc, RwLock};

/// How much to forward.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum LogLevel {
    Error,
    Warn,
    Info,
    Debug,
}

/// Implemented by the app. Called on whatever thread logged, sometimes while the core holds
/// the profile's lock: keep it quick, and never call back into Kinship from it (that would
/// wait on the lock forever).
#[uniffi::export(with_foreign)]
pub trait LogSink: Send + Sync {
    /// `target` is the core's module (`kinship_core::groups::sync`).
    fn log(&self, level: LogLevel, target: String, message: String);
}

/// Forwards the core's log lines at `max_level` and above to `sink`; `None` stops forwarding.
/// One sink per process: a second call replaces the first.
#[uniffi::export]
pub fn set_log_sink(sink: Option<Arc<dyn LogSink>>, max_level: LogLevel) {
    // `set_logger` succeeds once per process; after that only the sink behind it changes.
    let _ = log::set_logger(&FORWARDER);
    let filter = match (&sink, max_level) {
        (None, _) => log::LevelFilter::Off,
        (Some(_), LogLevel::Error) => log::LevelFilter::Error,
        (Some(_), LogLevel::Warn) => log::LevelFilter::Warn,
        (Some(_), LogLevel::Info) => log::LevelFilter::Info,
        (Some(_), LogLevel::Debug) => log::LevelFilter::Debug,
    };
    *SINK.write().unwrap_or_else(|p| p.into_inner()) = sink;
    log::set_max_level(filter);
}

static SINK: RwLock<Option<Arc<dyn LogSink>>> = RwLock::new(None);
static FORWARDER: Forwarder = Forwarder;

struct Forwarder;

impl log::Log for Forwarder {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        // Only the core's own lines: an HTTP library's debug lines name the server, which tells
        // which group the person follows.
        metadata.level() <= log::max_level()
            && kinship_core::logging::is_core_target(metadata.target())
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let sink = SINK.read().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some(sink) = sink {
            let level = match record.level() {
                log::Level::Error => LogLevel::Error,
                log::Level::Warn => LogLevel::Warn,
                log::Level::Info => LogLevel::Info,
                log::Level::Debug | log::Level::Trace => LogLevel::Debug,
            };
            sink.log(level, record.target().to_owned(), record.args().to_string());
        }
    }

    fn flush(&self) {}
}
