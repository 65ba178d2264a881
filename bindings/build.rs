//! Link options for the phone library.
//!
//! Relocations are a large part of a shared library built from Rust: every pointer in a
//! vtable, string table or static slice needs one, 24 bytes each in `.rela.dyn` (about 330 KB of
//! the 6 MB library). Packed, they take a few kilobytes: the stripped library is smaller on
//! disk, in the APK and in memory, and loads faster, with no change to the code.
//! - Android: the platform's own packed format, which the loader reads from API 23 (our
//!   minSdk is 26); lld in every supported NDK writes it.
//! - Linux with glibc (the host build the JVM tests and the size benchmark use): the standard
//!   RELR format, read by glibc 2.36 and later, written by binutils 2.38 and later.
//! - Apple platforms already use chained fixups, which are compact.

use std::env;

fn main() {
    let os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let target_env = env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    match (os.as_str(), target_env.as_str()) {
        ("android", _) => println!("cargo::rustc-link-arg-cdylib=-Wl,--pack-dyn-relocs=android"),
        ("linux", "gnu") => {
            println!("cargo::rustc-link-arg-cdylib=-Wl,-z,pack-relative-relocs");
            println!("cargo::rustc-link-arg-cdylib=-Wl,--icf=all");
        }
        _ => {}
    }
}
