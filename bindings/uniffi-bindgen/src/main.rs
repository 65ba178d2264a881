//! The workspace's own `uniffi-bindgen`, pinned to the same uniffi as the library (a mismatch
//! fails obscurely). Generate with:
//! `cargo run --bin uniffi-bindgen -- generate --library <libkinship_ffi.so> --language kotlin --out-dir <dir>`
fn main() {
    uniffi::uniffi_bindgen_main()
}
