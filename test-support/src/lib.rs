//! Helpers every test suite of the workspace shares.
//!
//! A plain `cargo test` on a machine without PostgreSQL, Chromium or the Python checkers skips
//! the parts that need them and says so on stderr; `scripts/test` sets
//! [`REQUIRE_SERVICES_ENV`], and then a missing service fails the test instead.

use std::io::Write;
use std::process::Command;

/// Set by scripts/test: every service must be there.
pub const REQUIRE_SERVICES_ENV: &str = "KINSHIP_REQUIRE_SERVICES";

/// Says on stderr that the part of a test needing `service` is skipped, and why, and returns
/// `true`; panics instead when scripts/test requires every service.
pub fn skip_without(service: &str, why: &str) -> bool {
    if std::env::var_os(REQUIRE_SERVICES_ENV).is_some() {
        panic!("{service} is required ({REQUIRE_SERVICES_ENV} is set): {why}");
    }
    // Written to stderr directly, past the test harness's output capture, so that a plain
    // `cargo test` shows what it did not run.
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED the {service} part of a test: {why} (scripts/test runs it)"
    );
    true
}

/// Whether `python3` can import every module of `modules` (e.g. `["phonenumbers"]`); when it
/// cannot, the part of the test that needs it is skipped (see [`skip_without`]).
pub fn python_has(modules: &[&str]) -> bool {
    let imports = format!("import {}", modules.join(", "));
    let available = Command::new("python3")
        .args(["-c", &imports])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !available {
        skip_without(
            &format!("python3 with {}", modules.join(" and ")),
            "not installed (pip install it, as scripts/test does)",
        );
    }
    available
}
