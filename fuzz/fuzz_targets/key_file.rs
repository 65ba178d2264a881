//! The key file (`keys.json`), which a profile folder copied from elsewhere brings: its format,
//! version, KDF parameters, salt and wrapped keys. A file that loads must have parameters
//! within the limits (so unlocking it cannot ask a phone for absurd work) and must load again
//! once saved.
#![no_main]

use kinship_core::vault::KeyFile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Ok(file) = KeyFile::from_json(bytes) else {
        return;
    };
    assert!(
        file.kdf_params().validate().is_ok(),
        "loaded with refused parameters"
    );
    // The device-key path is cheap (no Argon2id): a wrong key must fail, never panic.
    assert!(file.unwrap_with_device_key(&[7u8; 32]).is_err() || file.has_device_key());
    let saved = serde_json::to_vec_pretty(&file).expect("a loaded key file encodes");
    let again = KeyFile::from_json(&saved).expect("a saved key file loads again");
    assert_eq!(again.kdf_params(), file.kdf_params());
    assert_eq!(again.has_device_key(), file.has_device_key());
});
