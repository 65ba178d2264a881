//! Installing signed directory updates on a phone. Signing, verification and the trusted keys
//! are in `kinship-directory` (re-exported here); this module keeps the last good bundle in the
//! profile folder. It is written atomically, so a refused or interrupted update leaves the last
//! good directory in place.

use std::path::{Path, PathBuf};

pub use kinship_directory::bundle::{
    sign, verify, BundleError, TrustedKey, BUNDLE_FORMAT, MAX_BUNDLE_BYTES, TRUSTED_KEYS,
};

use super::model::DirectoryData;
use super::Directory;

/// Where a profile folder keeps its last good bundle. Public data: not sealed.
pub const INSTALLED_FILE_NAME: &str = "directory-bundle.json";

/// Verifies `bytes` and, if newer than the directory `data_dir` uses now, stores it as the
/// last good bundle. Returns the new version. On any refusal nothing is written.
pub fn install(data_dir: &Path, bytes: &[u8], keys: &[TrustedKey]) -> Result<u64, crate::Error> {
    let data = verify(bytes, keys).map_err(super::DirectoryError::from)?;
    let current = current_version(data_dir, keys)?;
    if data.version <= current {
        return Err(super::DirectoryError::from(BundleError::NotNewer {
            current,
            offered: data.version,
        })
        .into());
    }
    crate::fs::create_private_dir(data_dir)?;
    crate::fs::write_atomically(&installed_path(data_dir), bytes)?;
    Ok(data.version)
}

/// The last good bundle stored in `data_dir`, if there is one and it still verifies.
pub fn load_installed(data_dir: &Path, keys: &[TrustedKey]) -> Option<DirectoryData> {
    let bytes = std::fs::read(installed_path(data_dir)).ok()?;
    verify(&bytes, keys).ok()
}

/// Where the last good bundle is kept in the profile folder `data_dir`.
pub fn installed_path(data_dir: &Path) -> PathBuf {
    data_dir.join(INSTALLED_FILE_NAME)
}

fn current_version(data_dir: &Path, keys: &[TrustedKey]) -> Result<u64, crate::Error> {
    let builtin = Directory::builtin()?.version();
    Ok(load_installed(data_dir, keys)
        .map(|d| d.version)
        .unwrap_or(0)
        .max(builtin))
}
