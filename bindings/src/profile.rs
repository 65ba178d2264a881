//! The vault lifecycle of one person's profile.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::error::Result;

/// One person's profile: create or open it, unlock it, and reach its parts. Safe to share
/// between threads; every call locks the profile's state for its duration.
#[derive(uniffi::Object)]
pub struct KinshipProfile {
    pub(crate) inner: kinship_core::Kinship,
}

/// Whether `data_dir` holds a profile (to choose between "create" and "unlock" screens).
#[uniffi::export]
pub fn profile_exists(data_dir: String) -> bool {
    kinship_core::Kinship::exists(&PathBuf::from(data_dir))
}

#[uniffi::export]
impl KinshipProfile {
    /// Creates a profile in `data_dir`, unlocked.
    #[uniffi::constructor]
    pub fn create(data_dir: String, passphrase: String) -> Result<Arc<Self>> {
        let inner = kinship_core::Kinship::create(&PathBuf::from(data_dir), &passphrase)?;
        Ok(Arc::new(KinshipProfile { inner }))
    }

    /// Opens an existing profile, locked.
    #[uniffi::constructor]
    pub fn open(data_dir: String) -> Result<Arc<Self>> {
        let inner = kinship_core::Kinship::open(&PathBuf::from(data_dir))?;
        Ok(Arc::new(KinshipProfile { inner }))
    }

    pub fn unlock(&self, passphrase: String) -> Result<()> {
        Ok(self.inner.unlock(&passphrase)?)
    }

    /// Unlocks with the 32-byte key the phone keeps in its keystore (Android Keystore, iOS
    /// Keychain), for biometric unlock.
    pub fn unlock_with_device_key(&self, device_key: Vec<u8>) -> Result<()> {
        Ok(self.inner.unlock_with_device_key(&device_key)?)
    }

    /// Needs the passphrase as well as an unlocked vault; a passphrase change removes it.
    pub fn enable_device_key(&self, passphrase: String, device_key: Vec<u8>) -> Result<()> {
        Ok(self.inner.enable_device_key(&passphrase, &device_key)?)
    }

    pub fn disable_device_key(&self) -> Result<()> {
        Ok(self.inner.disable_device_key()?)
    }

    pub fn has_device_key(&self) -> Result<bool> {
        Ok(self.inner.has_device_key()?)
    }

    /// Locks now: keys and every decrypted cache are wiped from memory.
    pub fn lock(&self) {
        self.inner.lock()
    }

    pub fn is_unlocked(&self) -> bool {
        self.inner.is_unlocked()
    }

    /// Locks after this many idle seconds; `None` turns auto-lock off.
    pub fn set_auto_lock_seconds(&self, seconds: Option<u32>) {
        self.inner
            .set_auto_lock(seconds.map(|s| Duration::from_secs(u64::from(s))))
    }

    /// Rewraps the data key; the journal itself is not rewritten.
    pub fn change_passphrase(&self, old: String, new: String) -> Result<()> {
        Ok(self.inner.change_passphrase(&old, &new)?)
    }

    /// Destroys the keys at once, then the files. Nothing can be recovered afterwards.
    pub fn quick_erase(&self) -> Result<()> {
        Ok(self.inner.quick_erase()?)
    }
}
