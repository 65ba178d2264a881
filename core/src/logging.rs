//! The core's log lines go through the `log` facade; the app installs a `log::Log` (the FFI
//! layer forwards to the platform's log) to see them. The core's own lines are redacted: lock
//! changes, sync counts and status codes ("group #n", never a group id, name or server URL),
//! backup counts, directory versions, schema migrations; never text a person wrote, an entry id,
//! a token or a passphrase (see `docs/SECURITY.md`).
//!
//! Other crates in the process log too, and are **not** redacted: the HTTP client `ureq` logs
//! each request's URL at debug level, which names a server and a group followed. Forward only the core's lines: wrap the app's logger in [`CoreOnly`], or test
//! targets with [`is_core_target`].

/// Whether a log line's target is the core's own (redacted) module path.
pub fn is_core_target(target: &str) -> bool {
    target == "kinship_core" || target.starts_with("kinship_core::")
}

/// A `log::Log` that passes on only the core's own lines to the logger it wraps.
pub struct CoreOnly<L>(pub L);

impl<L: log::Log> log::Log for CoreOnly<L> {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        is_core_target(metadata.target()) && self.0.enabled(metadata)
    }

    fn log(&self, record: &log::Record<'_>) {
        if is_core_target(record.target()) {
            self.0.log(record);
        }
    }

    fn flush(&self) {
        self.0.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_cores_targets_pass() {
        assert!(is_core_target("kinship_core"));
        assert!(is_core_target("kinship_core::groups::sync"));
        assert!(!is_core_target("kinship_core_extra"));
        assert!(!is_core_target("ureq::unversioned"));
    }
}
