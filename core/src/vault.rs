//! Keys, key derivation and sealing.
//!
//! Everything a person writes is encrypted under one random 256-bit *data key* (DEK). The DEK
//! itself is never stored in clear: the key file holds it *wrapped* (sealed) under a key derived
//! from the passphrase with Argon2id, and optionally under a 32-byte *device key* that the phone
//! keeps in Android Keystore / iOS Keychain. Changing the passphrase rewraps the DEK and touches
//! no data row, and erasing the key file makes every row unreadable at once (crypto-shredding).
//!
//! A sealed value is `version (1) || nonce (24) || XChaCha20-Poly1305 ciphertext+tag`, with
//! associated data naming the table and row it belongs to, so a value copied to another row or
//! table fails to open. The byte layout is specified in `docs/FORMAT.md`.

use std::fs;
use std::path::Path;

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, AeadInPlace, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// Format version written as the first byte of every sealed value and into associated data.
pub const SEAL_VERSION: u8 = 1;
/// Length of the data key, the passphrase-derived key and the device key.
pub const KEY_LEN: usize = 32;
/// Length of an XChaCha20-Poly1305 nonce.
pub const NONCE_LEN: usize = 24;
/// Length of a Poly1305 tag.
pub const TAG_LEN: usize = 16;
/// Length of an Argon2id salt.
pub const SALT_LEN: usize = 16;
/// Shortest passphrase accepted, in Unicode scalar values.
pub const MIN_PASSPHRASE_CHARS: usize = 8;

/// What can go wrong with keys, key derivation, the key file and sealed values.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// The passphrase does not unwrap the data key.
    #[error("wrong passphrase")]
    WrongPassphrase,
    /// The device key does not unwrap the data key.
    #[error("wrong device key")]
    WrongDeviceKey,
    /// The passphrase is shorter than [`MIN_PASSPHRASE_CHARS`] (spaces at either end not counted).
    #[error("passphrase too weak: it needs at least {MIN_PASSPHRASE_CHARS} characters")]
    WeakPassphrase,
    /// A key handed in is not exactly [`KEY_LEN`] (32) bytes long.
    #[error("a key must be exactly {KEY_LEN} bytes")]
    BadKeyLength,
    /// Argon2id parameters outside [`KdfParams::MINIMUM`]..[`KdfParams::MAXIMUM`] or otherwise
    /// refused; the text says which limit.
    #[error("key derivation parameters out of range: {0}")]
    BadKdfParams(&'static str),
    /// The key file holds no device-key copy of the data key.
    #[error("no device key is enabled for this profile")]
    NoDeviceKey,
    /// A sealed value failed authentication: damaged, tampered, moved to another row or table, or
    /// sealed under another key.
    #[error("sealed data failed authentication (damaged or moved)")]
    Corrupted,
    /// The key file is not a Kinship key file of a known version, or a wrapped key in it is
    /// malformed; the text says which part.
    #[error("key file is malformed: {0}")]
    MalformedKeyFile(&'static str),
    /// Reading or writing the key file failed.
    #[error("key file i/o failed: {0}")]
    Io(#[from] std::io::Error),
}

/// Argon2id cost parameters. Stored beside every wrapped key so they can be raised later and so
/// a memory-constrained device (an iOS extension) can choose its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory cost, in KiB (1 KiB = 1024 bytes).
    pub memory_kib: u32,
    /// Number of passes over the memory.
    pub iterations: u32,
    /// Number of lanes (degree of parallelism).
    pub parallelism: u32,
}

impl KdfParams {
    /// The default for new profiles: 96 MiB, 4 passes, 1 lane. Above the design floor of
    /// 64 MiB / 3 passes because that unlocked in ~130 ms on the 2-core benchmark machine, too
    /// cheap for an attacker; this takes ~250 ms there and well under a second on a phone.
    /// Memory rather than passes was raised first: it is what makes GPU guessing expensive.
    pub const DEFAULT: KdfParams = KdfParams {
        memory_kib: 96 * 1024,
        iterations: 4,
        parallelism: 1,
    };
    /// OWASP's floor for Argon2id (19 MiB, 2 passes); nothing weaker is accepted.
    pub const MINIMUM: KdfParams = KdfParams {
        memory_kib: 19 * 1024,
        iterations: 2,
        parallelism: 1,
    };
    /// Ceiling that protects against a hostile key or backup file asking for absurd work: a
    /// phone must survive whatever passes this (the old ceiling, 1 GiB x 64 passes, did not).
    pub const MAXIMUM: KdfParams = KdfParams {
        memory_kib: 256 * 1024,
        iterations: 16,
        parallelism: 4,
    };
    /// Memory times passes, at most: four times the default's work (96 MiB x 4).
    pub const MAX_WORK_KIB_PASSES: u64 = 4 * 96 * 1024 * 4;

    /// Refuses parameters below OWASP's floor or above what a phone could ever run.
    pub fn validate(&self) -> Result<(), VaultError> {
        if self.memory_kib < Self::MINIMUM.memory_kib || self.iterations < Self::MINIMUM.iterations
        {
            return Err(VaultError::BadKdfParams(
                "below the minimum of 19 MiB and 2 passes",
            ));
        }
        if self.parallelism == 0 {
            return Err(VaultError::BadKdfParams("parallelism must be at least 1"));
        }
        if self.memory_kib > Self::MAXIMUM.memory_kib
            || self.iterations > Self::MAXIMUM.iterations
            || self.parallelism > Self::MAXIMUM.parallelism
        {
            return Err(VaultError::BadKdfParams(
                "above the maximum of 256 MiB, 16 passes, 4 lanes",
            ));
        }
        if u64::from(self.memory_kib) * u64::from(self.iterations) > Self::MAX_WORK_KIB_PASSES {
            return Err(VaultError::BadKdfParams(
                "more work than four times the default",
            ));
        }
        if self.memory_kib < 8 * self.parallelism {
            return Err(VaultError::BadKdfParams(
                "memory too small for the parallelism",
            ));
        }
        Ok(())
    }
}

impl Default for KdfParams {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A 256-bit secret, wiped from memory when dropped.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SecretKey([u8; KEY_LEN]);

impl SecretKey {
    /// A fresh key from the operating system's random number generator.
    pub fn random() -> Self {
        let mut key = SecretKey([0u8; KEY_LEN]);
        rand::rngs::OsRng.fill_bytes(&mut key.0);
        key
    }

    /// Takes a key handed in from outside (the phone's Keystore / Keychain).
    pub fn from_slice(bytes: &[u8]) -> Result<Self, VaultError> {
        let array: [u8; KEY_LEN] = bytes.try_into().map_err(|_| VaultError::BadKeyLength)?;
        Ok(SecretKey(array))
    }

    /// The raw key bytes. A copy made from them is not wiped on drop.
    pub fn expose(&self) -> &[u8; KEY_LEN] {
        &self.0
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

/// Seals and opens values under one key. Holds the key only inside the AEAD instance, which
/// wipes it on drop.
pub struct Cipher {
    aead: XChaCha20Poly1305,
}

impl Cipher {
    /// A cipher sealing and opening under `key` (XChaCha20-Poly1305).
    pub fn new(key: &SecretKey) -> Self {
        Cipher {
            aead: XChaCha20Poly1305::new(key.expose().into()),
        }
    }

    /// Seals `plaintext` for the row `row_id` of `table` with a fresh random nonce.
    pub fn seal(&self, table: &str, row_id: &str, plaintext: &[u8]) -> Vec<u8> {
        self.seal_with_ad(&associated_data(table, row_id), plaintext)
    }

    /// Seals `value` as JSON padded with [`pad_json`] for the row `row_id` of `table`: the same
    /// result as `seal(table, row_id, &pad_json(&serde_json::to_vec(value)?))`, written into one
    /// buffer and encrypted in place. `size_hint` is the expected JSON length; a buffer that has
    /// to grow is wiped before it is freed, so no plaintext is left behind.
    pub fn seal_json<T: Serialize + ?Sized>(
        &self,
        table: &str,
        row_id: &str,
        value: &T,
        size_hint: usize,
    ) -> Result<Vec<u8>, serde_json::Error> {
        let mut buffer = SealBuffer::with_json_capacity(size_hint);
        serde_json::to_writer(&mut buffer, value)?;
        Ok(self.seal_buffer(&associated_data(table, row_id), buffer))
    }

    /// Pads the JSON in `buffer` and encrypts it in place, behind the version and nonce.
    fn seal_buffer(&self, ad: &[u8], mut buffer: SealBuffer) -> Vec<u8> {
        let nonce = random_nonce();
        let json_len = buffer.0.len() - SEAL_HEADER_LEN;
        let padded = padded_len(json_len);
        buffer.reserve(padded - json_len + TAG_LEN);
        buffer.0.resize(SEAL_HEADER_LEN + padded, b' ');
        buffer.0[0] = SEAL_VERSION;
        buffer.0[1..SEAL_HEADER_LEN].copy_from_slice(&nonce);
        let body = &mut buffer.0[SEAL_HEADER_LEN..];
        match self
            .aead
            .encrypt_in_place_detached(XNonce::from_slice(&nonce), ad, body)
        {
            Ok(tag) => {
                buffer.0.extend_from_slice(&tag);
                // Encrypted now: hand the bytes out instead of wiping them.
                std::mem::take(&mut *buffer.0)
            }
            // As in `seal_with_ad`: cannot happen with in-memory buffers; an empty result then
            // fails every later open. The buffer (plaintext or not) is wiped on drop.
            Err(_) => Vec::new(),
        }
    }

    /// Opens a value sealed by [`Cipher::seal`] for the same table and row.
    pub fn open(
        &self,
        table: &str,
        row_id: &str,
        sealed: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, VaultError> {
        self.open_with_ad(&associated_data(table, row_id), sealed)
    }

    /// Seals `plaintext` with a fresh random nonce, binding it to the associated data `ad` (which
    /// is authenticated, not stored).
    pub fn seal_with_ad(&self, ad: &[u8], plaintext: &[u8]) -> Vec<u8> {
        let nonce = random_nonce();
        let mut out = Vec::with_capacity(1 + NONCE_LEN + plaintext.len() + TAG_LEN);
        out.push(SEAL_VERSION);
        out.extend_from_slice(&nonce);
        // Encryption with a valid key and in-memory buffers cannot fail; an error here would
        // mean a broken AEAD implementation, and an empty result then fails every later open.
        if let Ok(ciphertext) = self.aead.encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad: ad,
            },
        ) {
            out.extend_from_slice(&ciphertext);
        }
        out
    }

    /// Opens a value sealed by [`Cipher::seal_with_ad`] with the same associated data; fails with
    /// [`VaultError::Corrupted`] if it was altered or the data differs.
    pub fn open_with_ad(&self, ad: &[u8], sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, VaultError> {
        if sealed.len() < 1 + NONCE_LEN + TAG_LEN || sealed[0] != SEAL_VERSION {
            return Err(VaultError::Corrupted);
        }
        let (nonce, ciphertext) = sealed[1..].split_at(NONCE_LEN);
        self.aead
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: ad,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| VaultError::Corrupted)
    }
}

/// Smallest padded size of a sealed JSON row, in bytes of plaintext.
pub const PADDED_MIN_BYTES: usize = 512;

/// The size a sealed JSON value of `len` bytes is padded to before sealing: at least
/// [`PADDED_MIN_BYTES`], then the next size of the series 512, 768, 1024, 1536, 2048, 3072...
/// (each power of two and one and a half times it). The sealed size then tells a reader of
/// the database only which of these steps a row falls in, never its exact length, for at most
/// half again the space (SECURITY.md section 3).
pub fn padded_len(len: usize) -> usize {
    if len <= PADDED_MIN_BYTES {
        return PADDED_MIN_BYTES;
    }
    let power = len.next_power_of_two();
    let three_quarters = power / 4 * 3;
    if len <= three_quarters {
        three_quarters
    } else {
        power
    }
}

/// `json` with spaces added up to [`padded_len`]. JSON readers skip trailing whitespace, so a
/// padded row reads exactly as before, and rows sealed before padding still read.
pub fn pad_json(json: &[u8]) -> Zeroizing<Vec<u8>> {
    let mut padded = Zeroizing::new(Vec::with_capacity(padded_len(json.len())));
    padded.extend_from_slice(json);
    padded.resize(padded_len(json.len()), b' ');
    padded
}

/// Version byte and nonce in front of every sealed value.
const SEAL_HEADER_LEN: usize = 1 + NONCE_LEN;

/// The bytes of a value being sealed: header, then JSON (plaintext until encrypted in place).
/// Wiped on drop, and its old allocation is wiped whenever it grows.
struct SealBuffer(Zeroizing<Vec<u8>>);

impl SealBuffer {
    fn with_json_capacity(json_len: usize) -> Self {
        let json_len = padded_len(json_len);
        let mut bytes = Vec::with_capacity(SEAL_HEADER_LEN + json_len + TAG_LEN);
        bytes.resize(SEAL_HEADER_LEN, 0);
        SealBuffer(Zeroizing::new(bytes))
    }

    /// Makes room for `additional` more bytes without leaving a copy in freed memory.
    fn reserve(&mut self, additional: usize) {
        let needed = self.0.len() + additional;
        if needed > self.0.capacity() {
            let mut grown = Vec::with_capacity(needed.max(self.0.capacity() * 2));
            grown.extend_from_slice(&self.0);
            // The old buffer is wiped when `Zeroizing` drops it.
            self.0 = Zeroizing::new(grown);
        }
    }
}

impl std::io::Write for SealBuffer {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.reserve(data.len());
        self.0.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Associated data for a sealed value: binds it to the format version, its table and its row.
pub fn associated_data(table: &str, row_id: &str) -> Vec<u8> {
    format!("kinship/{SEAL_VERSION}/{table}/{row_id}").into_bytes()
}

/// Refuses passphrases that are empty or shorter than [`MIN_PASSPHRASE_CHARS`].
pub fn check_passphrase_strength(passphrase: &str) -> Result<(), VaultError> {
    // Counted as derive_key sees it (NFC), so a decomposed accent does not count twice.
    if passphrase.trim().nfc().count() < MIN_PASSPHRASE_CHARS {
        return Err(VaultError::WeakPassphrase);
    }
    Ok(())
}

/// Derives a 256-bit key from a passphrase with Argon2id (version 0x13).
///
/// The passphrase is normalised to Unicode NFC first, so the same passphrase typed on keyboards
/// that compose accents differently still opens the vault.
pub fn derive_key(
    passphrase: &str,
    salt: &[u8],
    params: KdfParams,
) -> Result<SecretKey, VaultError> {
    params.validate()?;
    let argon_params = Params::new(
        params.memory_kib,
        params.iterations,
        params.parallelism,
        Some(KEY_LEN),
    )
    .map_err(|_| VaultError::BadKdfParams("rejected by Argon2"))?;
    let normalized = Zeroizing::new(passphrase.nfc().collect::<String>());
    let mut key = SecretKey([0u8; KEY_LEN]);
    // Argon2's working memory holds enough to recompute the key: wipe it, don't just free it.
    let mut memory = Zeroizing::new(vec![argon2::Block::default(); argon_params.block_count()]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, argon_params)
        .hash_password_into_with_memory(
            normalized.as_bytes(),
            salt,
            &mut key.0,
            memory.as_mut_slice(),
        )
        .map_err(|_| VaultError::BadKdfParams("rejected by Argon2"))?;
    Ok(key)
}

/// A fresh random 16-byte Argon2id salt from the operating system.
pub fn random_salt() -> [u8; SALT_LEN] {
    let mut salt = [0u8; SALT_LEN];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    salt
}

/// A fresh 192-bit nonce. Drawn from the thread-local CSPRNG (ChaCha, seeded and periodically
/// reseeded from the OS) rather than a system call per seal: 192 random bits never repeat in
/// practice, and sealing is on the hot path of every write.
pub fn random_nonce() -> [u8; NONCE_LEN] {
    let mut nonce = [0u8; NONCE_LEN];
    rand::thread_rng().fill_bytes(&mut nonce);
    nonce
}

/// Number of passphrase key slots in every key file: one for the profile, one for a decoy
/// profile, one for a duress passphrase. Unused slots hold random bytes of the same length, so
/// the file has one shape whatever is set.
pub const KEY_SLOTS: usize = 3;
/// Number of database files in every profile folder: the profile's and one more, which holds a
/// decoy profile or, when none is set, an empty database under a key nobody has.
pub const DATABASES: u8 = 2;
/// Length of a slot's plaintext: kind (1), database (1), data key (32), zeros (6).
const SLOT_PLAINTEXT_LEN: usize = 40;
/// Length of a sealed slot: version, nonce, plaintext, tag.
pub const SLOT_LEN: usize = 1 + NONCE_LEN + SLOT_PLAINTEXT_LEN + TAG_LEN;

/// What a key slot opens.
#[derive(Clone, Debug)]
pub enum SlotContent {
    /// A working profile: its data key and which of the [`DATABASES`] it lives in. A decoy
    /// profile is one of these too, and its slot says nothing that tells it from the other.
    Profile {
        /// Index of the database file, below [`DATABASES`].
        database: u8,
        /// The data key that seals that database's rows.
        key: SecretKey,
    },
    /// The duress passphrase: unlocking with it erases the profile and starts a new one.
    Duress,
}

/// A slot that opened, and where it is in the key file.
#[derive(Clone, Debug)]
pub struct OpenedSlot {
    /// Index of the slot, below [`KEY_SLOTS`].
    pub slot: usize,
    /// What it holds.
    pub content: SlotContent,
}

/// What a passphrase or a device key opens in a key file.
#[derive(Debug)]
pub enum Opened {
    /// A slot of a current key file.
    Slot(OpenedSlot),
    /// The one data key of a version-1 key file (before key slots), in database 0. The
    /// profile rewrites the file in the current version on the next passphrase unlock.
    Legacy(SecretKey),
}

/// The key file: every wrapped copy of the data keys, and nothing else.
///
/// Stored as JSON (hex for bytes) beside the databases, written atomically (temporary file,
/// fsync, rename), and overwritten with random bytes before removal on quick erase. Every
/// current file has the same fields and sizes: one Argon2id salt and parameter set shared by
/// [`KEY_SLOTS`] slots, so one derivation tries every slot (FORMAT.md section 4).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyFile {
    format: String,
    version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    passphrase: Option<PassphraseEnvelope>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kdf: Option<KdfSection>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    slots: Vec<HexBytes>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    device: Option<DeviceEnvelope>,
}

/// The version-1 passphrase envelope: its own salt, one wrapped data key.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct PassphraseEnvelope {
    kdf: String,
    #[serde(flatten)]
    params: KdfParams,
    #[serde(with = "hex_bytes")]
    salt: Vec<u8>,
    #[serde(with = "hex_bytes")]
    wrapped_key: Vec<u8>,
}

/// The key derivation every slot of a version-2 file shares.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct KdfSection {
    algorithm: String,
    #[serde(flatten)]
    params: KdfParams,
    #[serde(with = "hex_bytes")]
    salt: Vec<u8>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct HexBytes(#[serde(with = "hex_bytes")] Vec<u8>);

#[derive(Debug, Clone, Serialize, Deserialize)]
struct DeviceEnvelope {
    #[serde(with = "hex_bytes")]
    wrapped_key: Vec<u8>,
}

const KEY_FILE_FORMAT: &str = "kinship-keys";
const LEGACY_VERSION: u32 = 1;
const KEY_FILE_VERSION: u32 = 2;
const KEYS_TABLE: &str = "keys";
const PASSPHRASE_ROW: &str = "passphrase";
const DEVICE_ROW: &str = "device";
const SLOT_KIND_PROFILE: u8 = 1;
const SLOT_KIND_DURESS: u8 = 2;

impl KeyFile {
    /// A key file whose slot `slot` opens `content` with `passphrase`, every other slot random,
    /// under a fresh salt.
    pub fn new(
        slot: usize,
        content: &SlotContent,
        passphrase: &str,
        params: KdfParams,
    ) -> Result<Self, VaultError> {
        check_passphrase_strength(passphrase)?;
        params.validate()?;
        if slot >= KEY_SLOTS {
            return Err(VaultError::MalformedKeyFile("no such key slot"));
        }
        let mut file = KeyFile {
            format: KEY_FILE_FORMAT.to_owned(),
            version: KEY_FILE_VERSION,
            passphrase: None,
            kdf: Some(KdfSection {
                algorithm: "argon2id".to_owned(),
                params,
                salt: random_salt().to_vec(),
            }),
            slots: (0..KEY_SLOTS).map(|_| HexBytes(unused_slot())).collect(),
            device: None,
        };
        let kek = file.derive(passphrase)?;
        file.set_slot(slot, &kek, content)?;
        Ok(file)
    }

    /// The key a passphrase gives for this file: one Argon2id derivation, which then tries
    /// every slot ([`KeyFile::open_slots`]).
    pub fn derive(&self, passphrase: &str) -> Result<SecretKey, VaultError> {
        match (&self.kdf, &self.passphrase) {
            (Some(kdf), _) => derive_key(passphrase, &kdf.salt, kdf.params),
            (None, Some(legacy)) => derive_key(passphrase, &legacy.salt, legacy.params),
            (None, None) => Err(VaultError::MalformedKeyFile("no key derivation")),
        }
    }

    /// Derives once and opens what the passphrase opens; [`VaultError::WrongPassphrase`] if
    /// nothing.
    pub fn open_with_passphrase(&self, passphrase: &str) -> Result<Opened, VaultError> {
        let kek = self.derive(passphrase)?;
        self.open_with_kek(&kek)
    }

    /// What `kek` (from [`KeyFile::derive`]) opens. Every slot is tried, whichever opens, so
    /// the work does not depend on which passphrase was typed.
    pub fn open_with_kek(&self, kek: &SecretKey) -> Result<Opened, VaultError> {
        if let Some(legacy) = &self.passphrase {
            let raw = Cipher::new(kek)
                .open(KEYS_TABLE, PASSPHRASE_ROW, &legacy.wrapped_key)
                .map_err(|_| VaultError::WrongPassphrase)?;
            let key = SecretKey::from_slice(&raw)
                .map_err(|_| VaultError::MalformedKeyFile("passphrase key"))?;
            return Ok(Opened::Legacy(key));
        }
        self.open_slots(kek)
            .into_iter()
            .next()
            .map(Opened::Slot)
            .ok_or(VaultError::WrongPassphrase)
    }

    /// Every slot `kek` opens (more than one only in a file written by something else).
    pub fn open_slots(&self, kek: &SecretKey) -> Vec<OpenedSlot> {
        let cipher = Cipher::new(kek);
        let mut opened = Vec::new();
        for (slot, sealed) in self.slots.iter().enumerate() {
            // No early exit: every slot costs the same one AEAD open.
            if let Ok(plain) = cipher.open(KEYS_TABLE, &slot_row(slot), &sealed.0) {
                if let Some(content) = SlotContent::decode(&plain) {
                    opened.push(OpenedSlot { slot, content });
                }
            }
        }
        opened
    }

    /// Seals `content` into slot `slot` under `kek` (from [`KeyFile::derive`]).
    pub fn set_slot(
        &mut self,
        slot: usize,
        kek: &SecretKey,
        content: &SlotContent,
    ) -> Result<(), VaultError> {
        let sealed = self
            .slots
            .get_mut(slot)
            .ok_or(VaultError::MalformedKeyFile("no such key slot"))?;
        sealed.0 = Cipher::new(kek).seal(KEYS_TABLE, &slot_row(slot), &content.encode()[..]);
        Ok(())
    }

    /// Fills slot `slot` with random bytes: whatever it opened is gone.
    pub fn clear_slot(&mut self, slot: usize) -> Result<(), VaultError> {
        let sealed = self
            .slots
            .get_mut(slot)
            .ok_or(VaultError::MalformedKeyFile("no such key slot"))?;
        sealed.0 = unused_slot();
        Ok(())
    }

    /// Whether this is a version-1 file, rewritten on the next passphrase unlock.
    pub fn is_legacy(&self) -> bool {
        self.passphrase.is_some()
    }

    /// Opens what the 32-byte device key opens; fails with [`VaultError::NoDeviceKey`] when
    /// none is stored and [`VaultError::WrongDeviceKey`] when it does not open.
    pub fn unwrap_with_device_key(&self, device_key: &[u8]) -> Result<Opened, VaultError> {
        let envelope = self.device.as_ref().ok_or(VaultError::NoDeviceKey)?;
        let kek = SecretKey::from_slice(device_key)?;
        let raw = Cipher::new(&kek)
            .open(KEYS_TABLE, DEVICE_ROW, &envelope.wrapped_key)
            .map_err(|_| VaultError::WrongDeviceKey)?;
        if self.is_legacy() {
            let key = SecretKey::from_slice(&raw)
                .map_err(|_| VaultError::MalformedKeyFile("device key"))?;
            return Ok(Opened::Legacy(key));
        }
        // The device copy names its slot in the last plaintext byte, so a device key opens
        // only the profile that enabled it, and that profile knows which slot is its own.
        let content =
            SlotContent::decode(&raw).ok_or(VaultError::MalformedKeyFile("device key"))?;
        let slot = usize::from(raw[SLOT_PLAINTEXT_LEN - 1]);
        if slot >= KEY_SLOTS {
            return Err(VaultError::MalformedKeyFile("device key"));
        }
        Ok(Opened::Slot(OpenedSlot { slot, content }))
    }

    /// Adds (or replaces) a copy of what `slot` opens, wrapped under the 32-byte `device_key`.
    pub fn set_device_key(
        &mut self,
        slot: &OpenedSlot,
        device_key: &[u8],
    ) -> Result<(), VaultError> {
        let kek = SecretKey::from_slice(device_key)?;
        let mut plain = slot.content.encode();
        plain[SLOT_PLAINTEXT_LEN - 1] =
            u8::try_from(slot.slot).map_err(|_| VaultError::MalformedKeyFile("no such slot"))?;
        let wrapped_key = Cipher::new(&kek).seal(KEYS_TABLE, DEVICE_ROW, &plain[..]);
        self.device = Some(DeviceEnvelope { wrapped_key });
        Ok(())
    }

    /// Removes the device-key copy, if any.
    pub fn clear_device_key(&mut self) {
        self.device = None;
    }

    /// Whether a device-key copy is present.
    pub fn has_device_key(&self) -> bool {
        self.device.is_some()
    }

    /// The Argon2id parameters every slot is wrapped with.
    pub fn kdf_params(&self) -> KdfParams {
        match (&self.kdf, &self.passphrase) {
            (Some(kdf), _) => kdf.params,
            (None, Some(legacy)) => legacy.params,
            // from_json refuses a file with neither.
            (None, None) => KdfParams::DEFAULT,
        }
    }

    /// Reads and checks a key file: its format, version, key derivation and parameter limits.
    pub fn load(path: &Path) -> Result<Self, VaultError> {
        Self::from_json(&fs::read(path)?)
    }

    /// Parses and checks a key file's bytes as [`KeyFile::load`] does (which reads them from
    /// disk): for a key file that came from elsewhere, and for fuzzing.
    pub fn from_json(bytes: &[u8]) -> Result<Self, VaultError> {
        let file: KeyFile = serde_json::from_slice(bytes)
            .map_err(|_| VaultError::MalformedKeyFile("not a kinship key file"))?;
        if file.format != KEY_FILE_FORMAT {
            return Err(VaultError::MalformedKeyFile("unknown format or version"));
        }
        match (file.version, &file.kdf, &file.passphrase) {
            (KEY_FILE_VERSION, Some(kdf), None) => {
                if kdf.algorithm != "argon2id" || kdf.salt.len() != SALT_LEN {
                    return Err(VaultError::MalformedKeyFile("unknown key derivation"));
                }
                if file.slots.len() != KEY_SLOTS || file.slots.iter().any(|s| s.0.len() != SLOT_LEN)
                {
                    return Err(VaultError::MalformedKeyFile("key slots"));
                }
                kdf.params.validate()?;
            }
            (LEGACY_VERSION, None, Some(legacy)) if file.slots.is_empty() => {
                if legacy.kdf != "argon2id" || legacy.salt.len() != SALT_LEN {
                    return Err(VaultError::MalformedKeyFile("unknown key derivation"));
                }
                legacy.params.validate()?;
            }
            _ => return Err(VaultError::MalformedKeyFile("unknown format or version")),
        }
        Ok(file)
    }

    /// Writes the key file so that a crash leaves either the old or the new file, never half.
    pub fn save(&self, path: &Path) -> Result<(), VaultError> {
        let bytes = serde_json::to_vec_pretty(self)
            .map_err(|_| VaultError::MalformedKeyFile("could not encode"))?;
        write_atomically(path, &bytes)?;
        Ok(())
    }
}

impl SlotContent {
    fn encode(&self) -> Zeroizing<[u8; SLOT_PLAINTEXT_LEN]> {
        let mut plain = Zeroizing::new([0u8; SLOT_PLAINTEXT_LEN]);
        match self {
            SlotContent::Profile { database, key } => {
                plain[0] = SLOT_KIND_PROFILE;
                plain[1] = *database;
                plain[2..2 + KEY_LEN].copy_from_slice(key.expose());
            }
            SlotContent::Duress => plain[0] = SLOT_KIND_DURESS,
        }
        plain
    }

    fn decode(plain: &[u8]) -> Option<SlotContent> {
        if plain.len() != SLOT_PLAINTEXT_LEN {
            return None;
        }
        match plain[0] {
            SLOT_KIND_PROFILE if plain[1] < DATABASES => Some(SlotContent::Profile {
                database: plain[1],
                key: SecretKey::from_slice(&plain[2..2 + KEY_LEN]).ok()?,
            }),
            SLOT_KIND_DURESS => Some(SlotContent::Duress),
            _ => None,
        }
    }
}

/// The row name a slot is sealed for, so a slot copied to another position fails to open.
fn slot_row(slot: usize) -> String {
    format!("slot/{slot}")
}

/// An unused slot: the seal version byte, as every sealed slot has, then random bytes, which
/// nobody can tell from a nonce and ciphertext.
fn unused_slot() -> Vec<u8> {
    let mut bytes = vec![0u8; SLOT_LEN];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes[0] = SEAL_VERSION;
    bytes
}

pub use crate::fs::{create_private_dir, create_private_file, shred_file, write_atomically};

mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        hex::decode(text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASS: &str = "correct horse battery";

    #[test]
    fn sealed_value_opens_only_for_its_own_row_and_table() {
        let cipher = Cipher::new(&SecretKey::random());
        let sealed = cipher.seal("journal_entries", "a1", b"hello");
        assert_eq!(
            &cipher.open("journal_entries", "a1", &sealed).unwrap()[..],
            b"hello"
        );
        assert!(matches!(
            cipher.open("journal_entries", "a2", &sealed),
            Err(VaultError::Corrupted)
        ));
        assert!(matches!(
            cipher.open("meta", "a1", &sealed),
            Err(VaultError::Corrupted)
        ));
    }

    #[test]
    fn sealing_json_in_place_matches_padding_then_sealing() {
        let cipher = Cipher::new(&SecretKey::random());
        // Hints below, at and far above the real size: the buffer grows or not, same result.
        for (text_len, hint) in [(10, 0), (700, 700), (3000, 16), (5000, 100_000)] {
            let value = serde_json::json!({ "body": "é".repeat(text_len), "mood": 3 });
            let expected = pad_json(&serde_json::to_vec(&value).unwrap());
            let sealed = cipher.seal_json("t", "r", &value, hint).unwrap();
            let reference = cipher.seal("t", "r", &expected);
            assert_eq!(sealed.len(), reference.len(), "same size as before");
            assert_eq!(sealed[0], SEAL_VERSION);
            assert_eq!(&cipher.open("t", "r", &sealed).unwrap()[..], &expected[..]);
            assert!(cipher.open("t", "other", &sealed).is_err());
        }
    }

    #[test]
    fn every_seal_uses_a_fresh_nonce() {
        let cipher = Cipher::new(&SecretKey::random());
        let a = cipher.seal("t", "r", b"same");
        let b = cipher.seal("t", "r", b"same");
        assert_ne!(a[1..1 + NONCE_LEN], b[1..1 + NONCE_LEN]);
        assert_ne!(a, b);
    }

    #[test]
    fn flipped_byte_is_detected() {
        let cipher = Cipher::new(&SecretKey::random());
        let mut sealed = cipher.seal("t", "r", b"secret");
        let last = sealed.len() - 1;
        sealed[last] ^= 0x01;
        assert!(matches!(
            cipher.open("t", "r", &sealed),
            Err(VaultError::Corrupted)
        ));
        assert!(matches!(
            cipher.open("t", "r", &sealed[..10]),
            Err(VaultError::Corrupted)
        ));
    }

    #[test]
    fn weak_passphrases_are_refused() {
        for weak in ["", "       ", "short", "1234567"] {
            assert!(matches!(
                check_passphrase_strength(weak),
                Err(VaultError::WeakPassphrase)
            ));
        }
        assert!(check_passphrase_strength("eight ch").is_ok());
    }

    #[test]
    fn kdf_params_below_owasp_floor_are_refused() {
        let weak = KdfParams {
            memory_kib: 1024,
            iterations: 1,
            parallelism: 1,
        };
        assert!(weak.validate().is_err());
        let huge = KdfParams {
            memory_kib: 64 * 1024 * 1024,
            iterations: 3,
            parallelism: 1,
        };
        assert!(huge.validate().is_err());
        assert!(KdfParams::DEFAULT.validate().is_ok());
        assert!(KdfParams::MINIMUM.validate().is_ok());
    }

    fn profile(database: u8, key: &SecretKey) -> SlotContent {
        SlotContent::Profile {
            database,
            key: key.clone(),
        }
    }

    fn opened_key(opened: Opened) -> (usize, [u8; KEY_LEN]) {
        match opened {
            Opened::Slot(OpenedSlot {
                slot,
                content: SlotContent::Profile { key, .. },
            }) => (slot, *key.expose()),
            other => panic!("expected a profile slot, got {other:?}"),
        }
    }

    #[test]
    fn key_file_unwraps_with_passphrase_and_device_key() {
        let dek = SecretKey::random();
        let mut file = KeyFile::new(2, &profile(1, &dek), PASS, KdfParams::MINIMUM).unwrap();
        let opened = file.open_with_passphrase(PASS).unwrap();
        assert_eq!(opened_key(opened), (2, *dek.expose()));
        assert!(matches!(
            file.open_with_passphrase("not the passphrase"),
            Err(VaultError::WrongPassphrase)
        ));

        let device = [7u8; KEY_LEN];
        assert!(matches!(
            file.unwrap_with_device_key(&device),
            Err(VaultError::NoDeviceKey)
        ));
        let Opened::Slot(slot) = file.open_with_passphrase(PASS).unwrap() else {
            panic!("a current file opens a slot");
        };
        file.set_device_key(&slot, &device).unwrap();
        assert_eq!(
            opened_key(file.unwrap_with_device_key(&device).unwrap()),
            (2, *dek.expose()),
            "the device copy names the slot that enabled it"
        );
        assert!(matches!(
            file.unwrap_with_device_key(&[8u8; KEY_LEN]),
            Err(VaultError::WrongDeviceKey)
        ));
        assert!(matches!(
            file.unwrap_with_device_key(&[8u8; 5]),
            Err(VaultError::BadKeyLength)
        ));
    }

    #[test]
    fn one_derivation_opens_whichever_slot_the_passphrase_sealed() {
        let (real, decoy) = (SecretKey::random(), SecretKey::random());
        let mut file = KeyFile::new(0, &profile(0, &real), PASS, KdfParams::MINIMUM).unwrap();
        let decoy_kek = file.derive("the decoy passphrase").unwrap();
        file.set_slot(2, &decoy_kek, &profile(1, &decoy)).unwrap();
        let duress_kek = file.derive("the duress passphrase").unwrap();
        file.set_slot(1, &duress_kek, &SlotContent::Duress).unwrap();
        assert_eq!(
            opened_key(file.open_with_passphrase(PASS).unwrap()),
            (0, *real.expose())
        );
        assert_eq!(
            opened_key(file.open_with_kek(&decoy_kek).unwrap()),
            (2, *decoy.expose())
        );
        assert!(matches!(
            file.open_with_kek(&duress_kek).unwrap(),
            Opened::Slot(OpenedSlot {
                slot: 1,
                content: SlotContent::Duress
            })
        ));
        file.clear_slot(2).unwrap();
        assert!(matches!(
            file.open_with_kek(&decoy_kek),
            Err(VaultError::WrongPassphrase)
        ));
    }

    #[test]
    fn a_key_file_has_one_shape_and_size_whatever_slots_are_set() {
        let real = SecretKey::random();
        let plain = KeyFile::new(1, &profile(0, &real), PASS, KdfParams::MINIMUM).unwrap();
        let mut full = plain.clone();
        let kek = full.derive("the decoy passphrase").unwrap();
        full.set_slot(0, &kek, &profile(1, &SecretKey::random()))
            .unwrap();
        let kek = full.derive("the duress passphrase").unwrap();
        full.set_slot(2, &kek, &SlotContent::Duress).unwrap();
        let shape = |file: &KeyFile| {
            let json: serde_json::Value =
                serde_json::from_slice(&serde_json::to_vec_pretty(file).unwrap()).unwrap();
            let slots: Vec<usize> = json["slots"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().len())
                .collect();
            let keys: Vec<String> = json.as_object().unwrap().keys().cloned().collect();
            (keys, slots, serde_json::to_vec_pretty(file).unwrap().len())
        };
        assert_eq!(shape(&plain), shape(&full));
        assert_eq!(shape(&plain).1, vec![SLOT_LEN * 2; KEY_SLOTS]);
        let slot = |file: &KeyFile, i: usize| file.slots[i].0.clone();
        assert_ne!(slot(&plain, 0), slot(&full, 0));
        assert_eq!(
            slot(&plain, 0)[0],
            SEAL_VERSION,
            "unused slots start as sealed ones do"
        );
    }

    #[test]
    fn a_version_one_key_file_still_opens() {
        let dek = SecretKey::random();
        let salt = random_salt();
        let kek = derive_key(PASS, &salt, KdfParams::MINIMUM).unwrap();
        let wrapped = Cipher::new(&kek).seal(KEYS_TABLE, PASSPHRASE_ROW, dek.expose());
        let json = serde_json::json!({
            "format": "kinship-keys",
            "version": 1,
            "passphrase": {
                "kdf": "argon2id",
                "memory_kib": KdfParams::MINIMUM.memory_kib,
                "iterations": KdfParams::MINIMUM.iterations,
                "parallelism": 1,
                "salt": hex::encode(salt),
                "wrapped_key": hex::encode(&wrapped),
            }
        });
        let file = KeyFile::from_json(&serde_json::to_vec(&json).unwrap()).unwrap();
        assert!(file.is_legacy());
        match file.open_with_passphrase(PASS).unwrap() {
            Opened::Legacy(key) => assert_eq!(key.expose(), dek.expose()),
            other => panic!("expected the legacy key, got {other:?}"),
        }
    }

    #[test]
    fn passphrase_normalisation_makes_composed_and_decomposed_equal() {
        let salt = random_salt();
        let composed = derive_key("caf\u{e9} au lait", &salt, KdfParams::MINIMUM).unwrap();
        let decomposed = derive_key("cafe\u{301} au lait", &salt, KdfParams::MINIMUM).unwrap();
        assert_eq!(composed.expose(), decomposed.expose());
    }

    #[test]
    fn key_file_roundtrips_through_disk() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.json");
        let dek = SecretKey::random();
        KeyFile::new(0, &profile(0, &dek), PASS, KdfParams::MINIMUM)
            .unwrap()
            .save(&path)
            .unwrap();
        let loaded = KeyFile::load(&path).unwrap();
        let from_bytes = KeyFile::from_json(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(from_bytes.kdf_params(), KdfParams::MINIMUM);
        assert!(matches!(
            KeyFile::from_json(b"{\"format\":\"kinship-keys\"}"),
            Err(VaultError::MalformedKeyFile(_))
        ));
        assert_eq!(
            opened_key(loaded.open_with_passphrase(PASS).unwrap()),
            (0, *dek.expose())
        );
        shred_file(&path).unwrap();
        assert!(!path.exists());
    }

    #[test]
    fn padding_steps_are_powers_of_two_and_one_and_a_half_times_them() {
        let steps: Vec<usize> = [0, 1, 512, 513, 768, 769, 1024, 1025, 1536, 1537, 5000]
            .iter()
            .map(|&n| padded_len(n))
            .collect();
        assert_eq!(
            steps,
            [512, 512, 512, 768, 768, 1024, 1024, 1536, 1536, 2048, 6144]
        );
        for n in 0..20_000 {
            let padded = padded_len(n);
            assert!(padded >= n && padded >= PADDED_MIN_BYTES);
            assert!(
                n <= PADDED_MIN_BYTES || padded * 2 <= n * 3,
                "{n} -> {padded}"
            );
        }
        let json = br#"{"a":"b"}"#;
        let padded = pad_json(json);
        assert_eq!(padded.len(), 512);
        let value: serde_json::Value = serde_json::from_slice(&padded).unwrap();
        assert_eq!(value["a"], "b");
    }
}
