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
    /// The file does not start with the Kinship backup marker: it is some other kind of file.
    /// Nothing was imported.
    #[error("not a Kinship backup file")]
    NotABackup,
    /// The file is a Kinship backup in a format version (the number given) that this version of
    /// Kinship cannot read. Nothing was imported.
    #[error("backup format version {0} is not supported by this version of Kinship")]
    UnsupportedVersion(u8),
    /// The file is shorter than its header or its declared length says: an incomplete copy or
    /// download. Nothing was imported.
    #[error("the backup file is truncated")]
    Truncated,
    /// The backup passphrase does not open the file. Callers see it as [`Error::WrongPassphrase`],
    /// not inside [`Error::Backup`].
    #[error("wrong backup passphrase")]
    WrongPassphrase,
    /// The file failed authentication (altered, damaged, or with bytes added after its end).
    /// Nothing was imported.
    #[error("the backup file has been altered or damaged")]
    Tampered,
    /// The file could not be used for another reason: its content is not a valid Kinship backup
    /// document, its key derivation parameters are out of range, or encryption failed on export.
    /// The text names the problem (a JSON error by kind and line only), never the content.
    #[error("the backup content is malformed: {0}")]
    Malformed(String),
    /// The file is larger than [`MAX_BACKUP_BYTES`] (1 GiB); it was not read.
    #[error("the backup file is larger than the {MAX_BACKUP_BYTES} bytes accepted")]
    TooLarge,
}

/// What can go wrong loading or updating the crisis directory.
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    /// The directory built into the library failed to decompress or validate: a defect of the
    /// build, not something the person did.
    #[error("the built-in directory is invalid: {0}")]
    Builtin(DataError),
    /// A directory update (a signed bundle) was refused: bad signature, malformed, or not newer
    /// than the directory in use. The directory in use stays as it was.
    #[error("directory update refused: {0}")]
    Bundle(#[from] BundleError),
}

/// The kind of problem an [`Error::InvalidInput`] names: a code an app turns into a sentence in
/// the person's language (with the field it names), where the `reason` text is English for
/// developers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InputProblem {
    /// Something required is missing or empty (a title, a name, a step, a way to reach a
    /// service).
    Missing,
    /// A text is longer than its field allows.
    TooLong,
    /// A list has more items than allowed (tags, steps, contacts).
    TooMany,
    /// A number is outside its range (a mood, a distress level, minutes, a limit).
    OutOfRange,
    /// A value is not in the form its field needs (an id, a cursor, a date, a phone number, a
    /// URL, a country code, a key of the wrong length).
    Malformed,
    /// The value is well formed but not allowed here (editing a built-in strategy, adding an
    /// emergency number by hand).
    NotAllowed,
    /// It exists already (a group already followed).
    Duplicate,
}

/// The error type of every public call of the core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The vault is locked (by the person, or by auto-lock after it was idle): unlock it and try
    /// again. Nothing was read or written.
    #[error("the vault is locked")]
    Locked,
    /// No Kinship profile exists in this folder yet (it has no key file).
    #[error("no Kinship profile exists in this folder yet")]
    NotInitialized,
    /// A Kinship profile already exists in this folder; nothing was changed.
    #[error("a Kinship profile already exists in this folder")]
    AlreadyInitialized,
    /// The passphrase was wrong (the profile's, or a backup file's); nothing was changed.
    #[error("wrong passphrase")]
    WrongPassphrase,
    /// The device key does not open this profile; nothing was changed.
    #[error("wrong device key")]
    WrongDeviceKey,
    /// Unlocking with a device key was asked for, but none is enabled for this profile (changing
    /// the passphrase removes it).
    #[error("no device key is enabled")]
    NoDeviceKey,
    /// The chosen passphrase (for a new profile, a passphrase change or a backup) is shorter
    /// than [`crate::vault::MIN_PASSPHRASE_CHARS`] characters, spaces at either end not counted;
    /// nothing was changed.
    #[error(
        "passphrase too weak: use at least {} characters",
        crate::vault::MIN_PASSPHRASE_CHARS
    )]
    WeakPassphrase,
    /// No item with the given id exists (it may have been deleted).
    #[error("not found")]
    NotFound,
    /// What was wrong, in English for developers (never quoting the input), and the field it
    /// was in where one can be named, so an app can point at it and say it in its own words.
    #[error("invalid input: {reason}")]
    InvalidInput {
        /// The input field at fault (`title`, `phone`, `server_url`...), or `None` when no single
        /// field is.
        field: Option<String>,
        /// What kind of problem it is, for an app to say in the person's language.
        problem: InputProblem,
        /// What was wrong, in English for developers; never quotes the input.
        reason: String,
    },
    /// Sealed data failed authentication: a damaged or tampered row, or a key that does not
    /// belong to this database.
    #[error("data is damaged and cannot be read: {what}")]
    Corrupted {
        /// Which kind of data failed (`journal entry`, `key file (...)`), never its content.
        what: String,
    },
    /// A backup file could not be used; see [`BackupError`]. An import that fails this way has
    /// written nothing.
    #[error("backup: {0}")]
    Backup(BackupError),
    /// The database failed: an SQLite error, or a schema this version of Kinship cannot read.
    #[error("storage: {0}")]
    Storage(#[from] StoreError),
    /// Reading or writing a file failed.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    /// The caller cancelled the work (a backup export or import); nothing was written.
    #[error("cancelled")]
    Cancelled,
    /// This profile was quick-erased; every further call on it fails.
    #[error("this profile was erased")]
    Erased,
    /// The server could not be reached; cached data keeps working.
    #[error("offline: the server could not be reached")]
    Offline,
    /// The server answered, but not with what was needed. `status` is the HTTP status it
    /// sent, `None` when the answer broke off before one mattered.
    #[error("server: {reason}")]
    Remote {
        /// The HTTP status code the server sent, if one was received.
        status: Option<u16>,
        /// What was wrong, in English for developers.
        reason: String,
    },
    /// The crisis directory could not be loaded or updated; see [`DirectoryError`].
    #[error("{0}")]
    Directory(#[from] DirectoryError),
}

impl Error {
    pub(crate) fn invalid(problem: InputProblem, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            field: None,
            problem,
            reason: reason.into(),
        }
    }

    /// Invalid input in a named field (`title`, `phone`, `server_url`...).
    pub(crate) fn invalid_field(
        problem: InputProblem,
        field: &str,
        reason: impl Into<String>,
    ) -> Self {
        Error::InvalidInput {
            field: Some(field.to_owned()),
            problem,
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
                Error::invalid(InputProblem::Malformed, err.to_string())
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

/// A result whose error is [`Error`] unless another is named.
pub type Result<T, E = Error> = std::result::Result<T, E>;
