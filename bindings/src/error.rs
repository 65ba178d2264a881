//! The one error type phones see, and the one place core errors become it.

use kinship_core::backup::BackupError;

/// Every error a phone can see, with what the app can do about it. Messages never carry
/// anything the person wrote or any key material.
///
/// Its `Display` text is exported too (`toString()` in Kotlin, `description` in Swift), so a
/// crash report or a log line says what happened; what to show the person is the app's
/// (KinshipKit's `userMessage`).
#[derive(Debug, thiserror::Error, uniffi::Error)]
#[uniffi::export(Display)]
pub enum KinshipError {
    /// Ask for the passphrase (or the device key) again.
    #[error("the vault is locked")]
    Locked,
    /// The profile was erased (quick erase) while this handle was open: nothing of it is left,
    /// and only a new profile can be created.
    #[error("this profile was erased")]
    Erased,
    #[error("no Kinship profile exists here yet")]
    NotInitialized,
    #[error("a Kinship profile already exists here")]
    AlreadyInitialized,
    #[error("wrong passphrase")]
    WrongPassphrase,
    #[error("wrong device key")]
    WrongDeviceKey,
    #[error("passphrase too weak")]
    WeakPassphrase,
    #[error("not found")]
    NotFound,
    /// The input was refused as it is. `field` and `problem` are for the app to say it in the
    /// person's language (KinshipKit's and the Android layer's `userMessage` do); `reason` is
    /// English for developers and never quotes the input.
    #[error("invalid input: {reason}")]
    InvalidInput {
        field: Option<String>,
        problem: InputProblem,
        reason: String,
    },
    /// The app cancelled the call (a backup export or import); nothing was written.
    #[error("cancelled")]
    Cancelled,
    /// A defect in the library rather than anything the person did; report it.
    #[error("internal error: {reason}")]
    Internal { reason: String },
    /// No server could be reached; everything cached keeps working.
    #[error("offline")]
    Offline,
    /// Sealed data failed authentication: a damaged or tampered row.
    #[error("damaged data: {reason}")]
    Corrupted { reason: String },
    /// A backup file that cannot be restored (not a backup, damaged, too large...).
    #[error("backup: {reason}")]
    BadBackup { reason: String },
    /// A directory update that was refused; the directory in use stays as it was.
    #[error("directory update refused: {reason}")]
    DirectoryUpdateRefused { reason: String },
    /// The server answered, but not with what was needed.
    #[error("server: {reason}")]
    Remote { status: Option<i32>, reason: String },
    /// The phone's storage failed (full disk, permissions).
    #[error("storage: {reason}")]
    Storage { reason: String },
}

pub type Result<T, E = KinshipError> = std::result::Result<T, E>;

mirror_enum! {
    /// What kind of problem an `InvalidInput` is, for a message in the person's language.
    InputProblem <=> kinship_core::InputProblem {
        /// Something required is missing or empty.
        Missing,
        /// A text is longer than its field allows.
        TooLong,
        /// A list has more items than allowed.
        TooMany,
        /// A number is outside its range.
        OutOfRange,
        /// A value is not in the form its field needs (an id, a date, a number, a URL).
        Malformed,
        /// Well formed, but not allowed here (editing a built-in strategy).
        NotAllowed,
        /// It exists already.
        Duplicate,
    }
}

/// A callback the app implemented (a backup stream, a listener) failed in a way it did not
/// declare: treated as the storage failing, since every such callback moves data.
impl From<uniffi::UnexpectedUniFFICallbackError> for KinshipError {
    fn from(err: uniffi::UnexpectedUniFFICallbackError) -> Self {
        KinshipError::Storage {
            reason: format!("the app's callback failed: {}", err.reason),
        }
    }
}

impl From<kinship_core::Error> for KinshipError {
    fn from(err: kinship_core::Error) -> Self {
        use kinship_core::Error as E;
        match err {
            E::Locked => KinshipError::Locked,
            E::Erased => KinshipError::Erased,
            E::NotInitialized => KinshipError::NotInitialized,
            E::AlreadyInitialized => KinshipError::AlreadyInitialized,
            E::WrongPassphrase | E::Backup(BackupError::WrongPassphrase) => {
                KinshipError::WrongPassphrase
            }
            E::WrongDeviceKey | E::NoDeviceKey => KinshipError::WrongDeviceKey,
            E::WeakPassphrase => KinshipError::WeakPassphrase,
            E::NotFound => KinshipError::NotFound,
            E::InvalidInput {
                field,
                problem,
                reason,
            } => KinshipError::InvalidInput {
                field,
                problem: problem.into(),
                reason,
            },
            E::Cancelled => KinshipError::Cancelled,
            E::Offline => KinshipError::Offline,
            E::Corrupted { what } => KinshipError::Corrupted { reason: what },
            E::Remote { status, reason } => KinshipError::Remote {
                status: status.map(i32::from),
                reason,
            },
            E::Backup(backup) => KinshipError::BadBackup {
                reason: backup.to_string(),
            },
            E::Directory(directory) => directory.into(),
            storage @ (E::Storage(_) | E::Io(_)) => KinshipError::Storage {
                reason: storage.to_string(),
            },
        }
    }
}

impl From<kinship_core::directory::DirectoryError> for KinshipError {
    fn from(err: kinship_core::directory::DirectoryError) -> Self {
        use kinship_core::directory::DirectoryError as D;
        match err {
            // The variant already says "refused"; the reason is the inner cause alone.
            D::Bundle(bundle) => KinshipError::DirectoryUpdateRefused {
                reason: bundle.to_string(),
            },
            D::Builtin(data) => KinshipError::Corrupted {
                reason: format!("the built-in directory: {data}"),
            },
        }
    }
}
