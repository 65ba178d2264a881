//! Directory bundles (`kinship_core::directory::bundle`), as a server or a file hands them over.
//! The first byte chooses what is fuzzed: even, the bundle envelope itself (JSON, key id,
//! signature) against the built-in keys and a fuzzing key; odd, the directory document behind a
//! good signature: the rest is signed with the fuzzing key, so every check of the payload runs.
#![no_main]

use ed25519_dalek::SigningKey;
use kinship_core::directory::bundle::{self, TrustedKey, TRUSTED_KEYS};
use libfuzzer_sys::fuzz_target;

const SIGNING_KEY: [u8; 32] = [0x24; 32];
const KEY_ID: &str = "fuzz-key";

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let fuzz_key = TrustedKey {
        id: KEY_ID,
        public_key: SigningKey::from_bytes(&SIGNING_KEY)
            .verifying_key()
            .to_bytes(),
    };
    if mode % 2 == 0 {
        let mut keys = TRUSTED_KEYS.to_vec();
        keys.push(fuzz_key);
        let _ = bundle::verify(rest, &keys);
        return;
    }
    let Ok(document) = std::str::from_utf8(rest) else {
        return;
    };
    if let Ok(signed) = bundle::sign(document, &hex(&SIGNING_KEY), KEY_ID) {
        // sign() validated the document: the bundle it made must verify and parse.
        let data =
            bundle::verify(signed.as_bytes(), &[fuzz_key]).expect("a signed bundle verifies");
        assert!(
            bundle::verify(signed.as_bytes(), TRUSTED_KEYS).is_err(),
            "an unknown key"
        );
        let _ = data.version;
    }
});

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
