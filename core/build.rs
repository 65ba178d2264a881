//! Compresses the built-in directory (core/data/directory.json, about 730 KB of JSON) with
//! DEFLATE into the library: about 0.6 MB less in every app. `Directory::builtin` inflates it
//! once, on first use (0.23 ms in the `directory` benchmark).

use std::path::PathBuf;

const SOURCE: &str = "data/directory.json";

// A build script that cannot read its input must stop the build: panicking is how it says so.
#[allow(clippy::expect_used)]
fn main() {
    println!("cargo:rerun-if-changed={SOURCE}");
    let json = std::fs::read(SOURCE).unwrap_or_else(|e| panic!("cannot read {SOURCE}: {e}"));
    let packed = miniz_oxide::deflate::compress_to_vec(&json, 10);
    let out_dir = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR for build scripts");
    let target = PathBuf::from(out_dir).join("directory.json.deflate");
    std::fs::write(&target, packed)
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", target.display()));
}
