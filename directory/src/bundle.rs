//! Signed directory updates.
//!
//! A bundle is a JSON envelope around the directory document:
//!
//! ```json
//! {"format": "kinship-directory-bundle", "key_id": "kinship-directory-2026",
//!  "signature": "<128 hex: ed25519 over the UTF-8 bytes of payload>",
//!  "payload": "<the kinship-directory JSON document, as a string>"}
//! ```
//!
//! The verifying keys are compiled in ([`TRUSTED_KEYS`]); `docs/SECURITY.md` explains rotation.
//! A phone installs a bundle only if its signature verifies under a trusted key, its payload
//! validates, and its version is larger than the directory in use (the core's
//! `directory::bundle::install`).

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};

use crate::model::{DataError, DirectoryData};

/// The `format` value of every bundle envelope.
pub const BUNDLE_FORMAT: &str = "kinship-directory-bundle";
/// Largest bundle accepted.
pub const MAX_BUNDLE_BYTES: usize = 8 * 1024 * 1024;

/// A public key bundles may be signed with.
#[derive(Debug, Clone, Copy)]
pub struct TrustedKey {
    /// The `key_id` a bundle names to be checked under this key.
    pub id: &'static str,
    /// The Ed25519 public key, 32 bytes.
    pub public_key: [u8; 32],
}

/// Keys this build trusts. To rotate: add the new key here and ship it, start signing with it,
/// and remove the old one a release later (see `docs/SECURITY.md`). The private halves are
/// never in the repository.
pub const TRUSTED_KEYS: &[TrustedKey] = &[TrustedKey {
    id: "kinship-directory-2026",
    public_key: [
        0x46, 0x3c, 0x1c, 0xf2, 0x88, 0x47, 0x8f, 0xe6, 0x39, 0xff, 0xeb, 0x02, 0x7c, 0x1c, 0xf0,
        0xaa, 0x1c, 0xac, 0x54, 0xfa, 0xa4, 0x22, 0x19, 0x81, 0xe4, 0x99, 0x68, 0x80, 0xec, 0xcb,
        0x40, 0x65,
    ],
}];

/// Why a bundle was refused, or could not be signed.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// Not a bundle: not JSON of the envelope's shape (exactly four string members), or its
    /// `format` is not [`BUNDLE_FORMAT`].
    #[error("not a directory bundle")]
    Malformed,
    /// Larger than [`MAX_BUNDLE_BYTES`]; refused before it is parsed.
    #[error("the bundle is larger than {MAX_BUNDLE_BYTES} bytes")]
    TooLarge,
    /// Its `key_id` names none of the trusted keys, or that key is not a valid Ed25519 public
    /// key.
    #[error("the bundle is signed with a key this version does not trust")]
    UnknownKey,
    /// The signature is not 64 bytes of hex, or does not verify over the payload: the bundle
    /// may have been forged or altered.
    #[error("the bundle's signature does not verify")]
    BadSignature,
    /// The payload (or the document given to [`sign`]) is not a valid directory document.
    #[error("the bundle's directory is invalid: {0}")]
    Invalid(DataError),
    /// Its version is not larger than the directory in use. [`verify`] does not check this: the
    /// core's install step does.
    #[error(
        "the bundle (version {offered}) is not newer than the directory in use (version {current})"
    )]
    NotNewer {
        /// The version of the directory in use.
        current: u64,
        /// The bundle's version.
        offered: u64,
    },
    /// The signing key given to [`sign`] is not 32 bytes of hex.
    #[error("signing key must be 32 bytes of hex")]
    BadSigningKey,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BundleFile {
    format: String,
    key_id: String,
    signature: String,
    payload: String,
}

/// Signs a directory document (validated first) into a bundle.
pub fn sign(
    directory_json: &str,
    signing_key_hex: &str,
    key_id: &str,
) -> Result<String, BundleError> {
    DirectoryData::parse(directory_json).map_err(BundleError::Invalid)?;
    let secret: [u8; 32] = hex::decode(signing_key_hex.trim())
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or(BundleError::BadSigningKey)?;
    let signing_key = SigningKey::from_bytes(&secret);
    let signature = signing_key.sign(directory_json.as_bytes());
    let file = BundleFile {
        format: BUNDLE_FORMAT.into(),
        key_id: key_id.into(),
        signature: hex::encode(signature.to_bytes()),
        payload: directory_json.into(),
    };
    serde_json::to_string_pretty(&file).map_err(|_| BundleError::Malformed)
}

/// Checks a bundle's signature under `keys` and validates its directory.
pub fn verify(bytes: &[u8], keys: &[TrustedKey]) -> Result<DirectoryData, BundleError> {
    if bytes.len() > MAX_BUNDLE_BYTES {
        return Err(BundleError::TooLarge);
    }
    let file: BundleFile = serde_json::from_slice(bytes).map_err(|_| BundleError::Malformed)?;
    if file.format != BUNDLE_FORMAT {
        return Err(BundleError::Malformed);
    }
    let key = keys
        .iter()
        .find(|k| k.id == file.key_id)
        .ok_or(BundleError::UnknownKey)?;
    let verifying_key =
        VerifyingKey::from_bytes(&key.public_key).map_err(|_| BundleError::UnknownKey)?;
    let signature: [u8; 64] = hex::decode(&file.signature)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or(BundleError::BadSignature)?;
    verifying_key
        .verify(file.payload.as_bytes(), &Signature::from_bytes(&signature))
        .map_err(|_| BundleError::BadSignature)?;
    DirectoryData::parse(&file.payload).map_err(BundleError::Invalid)
}
