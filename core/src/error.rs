//! The error type of the public API.
//!
//! Each module has its own error enum for what can go wrong inside it; this enum is what callers
//! (the CLI, the FFI layer) see. Variants say what the person or the app can do about it.
//! Messages never carry personal data: no journal text, titles, tags or passphrases.

use kinship_directory::bundle::BundleError;
use kinship_directory::DataError;

use crate::store::StoreError;
use crate::vault::VaultError;

/// Largest backup accepted on import, so a hostile file cannot exhaust memory.
pub const MAX_BACKUP_BYTES: u64 = 1 << 30;

// The errors of the backup and directory modules are defined here, below the modules that
// return `Error`, so that the layers point one way (error -> store, vault; never a feature).

#[derive(Debug, thiserror::Error)]
/// What can be wrong with a backup file.
pub enum BackupError {
    #[error("not a Kinship backup file")]
    NotABackup,
    #[error("backup format version {0} is not supported by this version of Kinship")]
    UnsupportedVersion(u8),
    #[error("the backup file is truncated")]
    Truncated,
    #[error("wrong backup passphrase")]
    WrongPassphrase,
    #[error("the backup file has been altered or damaged")]
    Tampered,
    #[error("the backup content is malformed: {0}")]
    Malformed(String),
    #[error("the backup file is larger than the {MAX_BACKUP_BYTES} bytes accepted")]
    TooLarge,
}

#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    #[error("the built-in directory is invalid: {0}")]
    Builtin(DataError),
    #[error("directory update refused: {0}")]
    Bundle(#[from] BundleError),
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the vault is locked")]
    Locked,
    #[error("no Kinship profile exists in this folder yet")]
    NotInitialized,
    #[error("a Kinship profile already exists in this folder")]
    AlreadyInitialized,
    #[error("wrong passphrase")]
    WrongPassphrase,
    #[error("wrong device key")]
    WrongDeviceKey,
    #[error("no device key is enabled")]
    NoDeviceKey,
    #[error(
        "passphrase too weak: use at least {} characters",
        crate::vault::MIN_PASSPHRASE_CHARS
    )]
    WeakPassphrase,
    #[error("not found")]
    NotFound,
    /// What was wrong, in English for developers (never quoting the input), and the field it
    /// was in where one can be named, so an app can point at it and say it in its own words.
    #[error("invalid input: {reason}")]
    InvalidInput {
        field: Option<String>,
        reason: String,
    },
    /// Sealed data failed authentication: a damaged or tampered row, or a key that does not
    /// belong to this database.
    #[error("data is damaged and cannot be read: {what}")]
    Corrupted { what: String },
    #[error("backup: {0}")]
    Backup(BackupError),
    #[error("storage: {0}")]
    Storage(#[from] StoreError),
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    #[error("this profile was erased")]
    Erased,
    /// The server could not be reached; cached data keeps working.
    #[error("offline: the server could not be reached")]
    Offline,
    /// The server answered, but not with what was needed. `status` is the HTTP status it
    /// sent, `None` when the answer broke off before one mattered.
    #[error("server: {reason}")]
    Remote { status: Option<u16>, reason: String },
    #[error("{0}")]
    Directory(#[from] DirectoryError),
}

impl Error {
    pub(crate) fn invalid(reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            field: None,
            reason: reason.into(),
        }
    }

    /// Invalid input in a named field (`title`, `phone`, `server_url`...).
    pub(crate) fn invalid_field(field: &str, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            field: Some(field.to_owned()),
            reason: reason.into(),
        }
    }

    pub(crate) fn corrupted(what: impl Into<String>) -> Self {
        Error::Corrupted { what: what.into() }
    }
}

impl From<VaultError> for Error {
    fn from(err: VaultError) -> Self {
        match err {
            VaultError::WrongPassphrase => Error::WrongPassphrase,
            VaultError::WrongDeviceKey => Error::WrongDeviceKey,
            VaultError::NoDeviceKey => Error::NoDeviceKey,
            VaultError::WeakPassphrase => Error::WeakPassphrase,
            VaultError::BadKeyLength | VaultError::BadKdfParams(_) => {
                Error::invalid(err.to_string())
            }
            VaultError::Corrupted => Error::corrupted("sealed value"),
            VaultError::MalformedKeyFile(what) => Error::corrupted(format!("key file ({what})")),
            VaultError::Io(io) => Error::Io(io),
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(err: rusqlite::Error) -> Self {
        Error::Storage(StoreError::Sqlite(err))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
