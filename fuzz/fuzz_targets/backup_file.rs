//! A backup file as it arrives from a stranger's hands: header, key derivation parameters, key
//! check, declared length, body. Derivation is stood in for by a fixed key (one Argon2id per
//! execution would be too slow), which also checks that hostile parameters are refused before
//! it is asked for. A file that opens is merged into a throwaway profile.
#![no_main]

mod common;

use kinship_core::backup;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|file: &[u8]| {
    let mut derivations = 0;
    let opened = backup::decrypt_with_key(file, &mut |params, salt| {
        derivations += 1;
        common::fixed_key(params, salt)
    });
    assert!(derivations <= 1, "one derivation per file at most");
    if opened.is_ok() {
        common::import_into_throwaway_profile(file);
    }
});
