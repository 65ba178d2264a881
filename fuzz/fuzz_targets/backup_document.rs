//! The document inside a backup (the journal, coping data, safety plan and reminders someone
//! else exported), sealed under the fixed key and imported through the real import path into a
//! throwaway profile: parsing, validation and the merge rules of docs/FORMAT.md section 5.4.
#![no_main]

mod common;

use kinship_core::backup;
use kinship_core::vault::{KdfParams, SecretKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|document: &[u8]| {
    let key = SecretKey::from_slice(&common::BACKUP_KEY).expect("a 32-byte key");
    let file = backup::encrypt_with_key(document, &key, KdfParams::MINIMUM, &[0x5a; 16])
        .expect("sealing cannot fail");
    common::import_into_throwaway_profile(&file);
});
