//! The vault lifecycle of one person's profile, and the feature handles it hands out.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use zeroize::Zeroizing;

use crate::error::{InputProblem, KinshipError, Result};
use crate::listeners::LockListener;
use crate::task::{off_thread, CancelOnDrop, CancelToken, TaskHandle};

/// One person's profile: create or open it, unlock it, and reach its parts through the
/// feature handles ([`KinshipProfile::journal`] and the others). Safe to share between
/// threads. Every class here has an interface (`KinshipProfileInterface`, `JournalInterface`...
/// in Kotlin; `...Protocol` in Swift) that an app's tests can fake.
#[derive(uniffi::Object)]
pub struct KinshipProfile {
    pub(crate) inner: kinship_core::Kinship,
}

/// Whether `data_dir` holds a profile (to choose between "create" and "unlock" screens).
#[uniffi::export]
pub fn profile_exists(data_dir: String) -> bool {
    kinship_core::Kinship::exists(&PathBuf::from(data_dir))
}

/// Creates a profile in `data_dir`, unlocked. Takes about a third of a second (Argon2id), off
/// the caller's thread. The passphrase is UTF-8 bytes the app can wipe after the call.
#[uniffi::export(async_runtime = "tokio")]
pub async fn create_profile(data_dir: String, passphrase: Vec<u8>) -> Result<Arc<KinshipProfile>> {
    let passphrase = passphrase_text(passphrase)?;
    off_thread(move || {
        let inner = kinship_core::Kinship::create(&PathBuf::from(data_dir), &passphrase)?;
        Ok(Arc::new(KinshipProfile { inner }))
    })
    .await
}

#[uniffi::export]
impl KinshipProfile {
    /// Opens an existing profile, locked. Fast: nothing is derived until an unlock.
    #[uniffi::constructor]
    pub fn open(data_dir: String) -> Result<Arc<Self>> {
        let inner = kinship_core::Kinship::open(&PathBuf::from(data_dir))?;
        Ok(Arc::new(KinshipProfile { inner }))
    }

    /// Unlocks with the 32-byte key the app keeps wrapped by the OS keystore (see the phones
    /// guide, `docs/PHONES.md`), for biometric unlock. Fast: no key derivation.
    pub fn unlock_with_device_key(&self, device_key: Vec<u8>) -> Result<()> {
        let device_key = Zeroizing::new(device_key);
        Ok(self.inner.unlock_with_device_key(&device_key)?)
    }

    pub fn disable_device_key(&self) -> Result<()> {
        Ok(self.inner.disable_device_key()?)
    }

    pub fn has_device_key(&self) -> Result<bool> {
        Ok(self.inner.has_device_key()?)
    }

    /// Whether a decoy and a duress passphrase are set, for a settings screen (unlocked).
    pub fn passphrase_settings(&self) -> Result<PassphraseSettings> {
        let settings = self.inner.passphrase_settings()?;
        Ok(PassphraseSettings {
            decoy: settings.decoy,
            duress: settings.duress,
        })
    }

    /// Locks now: keys and every decrypted cache are wiped from memory.
    pub fn lock(&self) {
        self.inner.lock()
    }

    pub fn is_unlocked(&self) -> bool {
        self.inner.is_unlocked()
    }

    /// Locks after this many idle seconds (at least 1); `None` turns auto-lock off.
    pub fn set_auto_lock_seconds(&self, seconds: Option<i32>) -> Result<()> {
        let timeout = match seconds {
            None => None,
            Some(s) if s >= 1 => Some(Duration::from_secs(s.unsigned_abs().into())),
            Some(_) => {
                return Err(KinshipError::InvalidInput {
                    field: Some("seconds".into()),
                    problem: InputProblem::OutOfRange,
                    reason: "auto-lock needs at least 1 second".into(),
                })
            }
        };
        self.inner.set_auto_lock(timeout);
        Ok(())
    }

    /// Destroys the keys at once, then the files. Nothing can be recovered afterwards; every
    /// later call on this profile raises `Erased`.
    pub fn quick_erase(&self) -> Result<()> {
        Ok(self.inner.quick_erase()?)
    }

    pub fn journal(&self) -> Arc<crate::journal::Journal> {
        Arc::new(crate::journal::Journal {
            core: self.inner.clone(),
        })
    }

    pub fn coping(&self) -> Arc<crate::coping::CopingLibrary> {
        Arc::new(crate::coping::CopingLibrary {
            core: self.inner.clone(),
        })
    }

    pub fn safety_plan(&self) -> Arc<crate::safety_plan::SafetyPlanner> {
        Arc::new(crate::safety_plan::SafetyPlanner {
            core: self.inner.clone(),
        })
    }

    /// The crisis directory with the person's own entries and reports. `public` is the
    /// directory in use (one [`crate::directory::KinshipDirectory`] per app is enough).
    pub fn directory(
        &self,
        public: Arc<crate::directory::KinshipDirectory>,
    ) -> Arc<crate::directory::Directory> {
        Arc::new(crate::directory::Directory {
            core: self.inner.clone(),
            public,
        })
    }

    pub fn groups(&self) -> Arc<crate::groups::Groups> {
        Arc::new(crate::groups::Groups {
            core: self.inner.clone(),
        })
    }

    pub fn backups(&self) -> Arc<crate::backup::Backups> {
        Arc::new(crate::backup::Backups {
            core: self.inner.clone(),
        })
    }

    pub fn reminders(&self) -> Arc<crate::reminders::Reminders> {
        Arc::new(crate::reminders::Reminders {
            core: self.inner.clone(),
        })
    }

    /// Calls `listener` at every change of the lock state: unlock, lock (by the app, or by
    /// auto-lock when the idle time runs out, as it happens), and quick erase.
    pub fn observe_lock(&self, listener: Arc<dyn LockListener>) -> Arc<TaskHandle> {
        crate::listeners::observe_lock(&self.inner, listener)
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl KinshipProfile {
    /// Unlocks with the passphrase (about a third of a second of Argon2id, off the caller's
    /// thread). Cancelled before the derivation ends, it locks again as soon as it does: a
    /// caller that went away never leaves the vault open behind it.
    #[uniffi::method(default(cancel = None))]
    pub async fn unlock(
        &self,
        passphrase: Vec<u8>,
        cancel: Option<Arc<CancelToken>>,
    ) -> Result<()> {
        let passphrase = passphrase_text(passphrase)?;
        let core = self.inner.clone();
        let cancel = CancelOnDrop::new(cancel);
        let cancelled = cancel.checker();
        off_thread(move || {
            core.unlock(&passphrase)?;
            if cancelled() {
                core.lock();
                return Err(KinshipError::Cancelled);
            }
            Ok(())
        })
        .await?;
        cancel.disarm();
        Ok(())
    }

    /// Adds the device key (a second way in). Needs the passphrase as well as an unlocked
    /// vault; a passphrase change removes it.
    pub async fn enable_device_key(&self, passphrase: Vec<u8>, device_key: Vec<u8>) -> Result<()> {
        let passphrase = passphrase_text(passphrase)?;
        let device_key = Zeroizing::new(device_key);
        let core = self.inner.clone();
        off_thread(move || Ok(core.enable_device_key(&passphrase, &device_key)?)).await
    }

    /// Rewraps the data key; the journal itself is not rewritten. In a decoy profile it
    /// changes the decoy's passphrase.
    pub async fn change_passphrase(&self, old: Vec<u8>, new: Vec<u8>) -> Result<()> {
        self.with_two_passphrases(old, new, |core, old, new| core.change_passphrase(old, new))
            .await
    }

    /// Sets (or replaces, starting it afresh) the decoy passphrase, which then opens a second,
    /// separate profile. Needs the vault unlocked and this profile's `passphrase`. A
    /// passphrase that already opens something: `InvalidInput` (`Duplicate`). In a decoy
    /// profile: `InvalidInput` (`NotAllowed`). See `docs/PHONES.md`.
    pub async fn set_decoy_passphrase(&self, passphrase: Vec<u8>, decoy: Vec<u8>) -> Result<()> {
        self.with_two_passphrases(passphrase, decoy, |core, own, decoy| {
            core.set_decoy_passphrase(own, decoy)
        })
        .await
    }

    /// Clears the decoy passphrase and erases the decoy profile. Needs this profile's
    /// passphrase.
    pub async fn clear_decoy_passphrase(&self, passphrase: Vec<u8>) -> Result<()> {
        self.with_passphrase(passphrase, |core, own| core.clear_decoy_passphrase(own))
            .await
    }

    /// Sets (or replaces) the duress passphrase: an unlock with it erases this profile and its
    /// decoy at once and opens a new, empty profile, as a fresh install looks. Needs the vault
    /// unlocked and this profile's `passphrase`.
    pub async fn set_duress_passphrase(&self, passphrase: Vec<u8>, duress: Vec<u8>) -> Result<()> {
        self.with_two_passphrases(passphrase, duress, |core, own, duress| {
            core.set_duress_passphrase(own, duress)
        })
        .await
    }

    /// Clears the duress passphrase. Needs this profile's passphrase.
    pub async fn clear_duress_passphrase(&self, passphrase: Vec<u8>) -> Result<()> {
        self.with_passphrase(passphrase, |core, own| core.clear_duress_passphrase(own))
            .await
    }
}

impl KinshipProfile {
    /// Runs `call` off the caller's thread with one passphrase from the app's bytes (each call
    /// that takes one derives a key: a third of a second).
    async fn with_passphrase(
        &self,
        passphrase: Vec<u8>,
        call: impl FnOnce(&kinship_core::Kinship, &str) -> kinship_core::Result<()> + Send + 'static,
    ) -> Result<()> {
        let passphrase = passphrase_text(passphrase)?;
        let core = self.inner.clone();
        off_thread(move || Ok(call(&core, &passphrase)?)).await
    }

    /// As [`KinshipProfile::with_passphrase`], with two.
    async fn with_two_passphrases(
        &self,
        first: Vec<u8>,
        second: Vec<u8>,
        call: impl FnOnce(&kinship_core::Kinship, &str, &str) -> kinship_core::Result<()>
            + Send
            + 'static,
    ) -> Result<()> {
        let first = passphrase_text(first)?;
        let second = passphrase_text(second)?;
        let core = self.inner.clone();
        off_thread(move || Ok(call(&core, &first, &second)?)).await
    }
}

/// Whether a decoy and a duress passphrase are set (a decoy profile sees neither).
#[derive(uniffi::Record, Debug, Clone, Copy, PartialEq, Eq)]
pub struct PassphraseSettings {
    /// A decoy passphrase opens a second, separate profile.
    pub decoy: bool,
    /// A duress passphrase erases the profile and opens a new, empty one.
    pub duress: bool,
}

/// A passphrase from the app's byte array, in memory that is wiped when dropped. It must be
/// UTF-8 (what `String.toByteArray()` and `String.data(using: .utf8)` give).
pub(crate) fn passphrase_text(bytes: Vec<u8>) -> Result<Zeroizing<String>> {
    let bytes = Zeroizing::new(bytes);
    match std::str::from_utf8(&bytes) {
        Ok(text) => Ok(Zeroizing::new(text.to_owned())),
        Err(_) => Err(KinshipError::InvalidInput {
            field: Some("passphrase".into()),
            problem: InputProblem::Malformed,
            reason: "a passphrase must be UTF-8 text".into(),
        }),
    }
}
