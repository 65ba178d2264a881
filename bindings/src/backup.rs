//! Encrypted backups of the journal, coping data and safety plan, with progress callbacks.

use std::path::Path;
use std::sync::Arc;

use crate::error::Result;
use crate::profile::KinshipProfile;

/// Implemented by the app (Kotlin or Swift) to drive a progress bar.
#[uniffi::export(with_foreign)]
pub trait BackupProgress: Send + Sync {
    fn on_progress(&self, done: u32, total: u32);
}

#[derive(Clone, PartialEq, uniffi::Record)]
pub struct BackupExportSummary {
    pub entries: u32,
    /// Damaged entries that could not be included.
    pub unreadable: u32,
}

#[derive(Clone, PartialEq, uniffi::Record)]
pub struct BackupImportSummary {
    pub added: u32,
    pub updated: u32,
    pub unchanged: u32,
    pub strategies: u32,
    pub tries: u32,
    pub skipped_tries: u32,
    pub safety_plan_restored: bool,
}

#[uniffi::export]
impl KinshipProfile {
    /// Writes an encrypted backup to `path` under its own `passphrase` (atomically: an
    /// interrupted export leaves no half file).
    pub fn export_backup(
        &self,
        path: String,
        passphrase: String,
        progress: Option<Arc<dyn BackupProgress>>,
    ) -> Result<BackupExportSummary> {
        let mut report = progress_reporter(progress);
        let summary = self
            .inner
            .export_backup(Path::new(&path), &passphrase, &mut report)?;
        Ok(BackupExportSummary {
            entries: summary.entries as u32,
            unreadable: summary.unreadable as u32,
        })
    }

    /// Merges a backup into this profile in one transaction: a wrong passphrase or a damaged
    /// file changes nothing.
    pub fn import_backup(
        &self,
        path: String,
        passphrase: String,
        progress: Option<Arc<dyn BackupProgress>>,
    ) -> Result<BackupImportSummary> {
        let mut report = progress_reporter(progress);
        let summary = self
            .inner
            .import_backup(Path::new(&path), &passphrase, &mut report)?;
        Ok(BackupImportSummary {
            added: summary.added as u32,
            updated: summary.updated as u32,
            unchanged: summary.unchanged as u32,
            strategies: summary.strategies as u32,
            tries: summary.tries as u32,
            skipped_tries: summary.skipped_tries as u32,
            safety_plan_restored: summary.safety_plan_restored,
        })
    }
}

fn progress_reporter(
    listener: Option<Arc<dyn BackupProgress>>,
) -> impl FnMut(kinship_core::Progress) {
    move |p: kinship_core::Progress| {
        if let Some(listener) = &listener {
            listener.on_progress(p.done as u32, p.total as u32);
        }
    }
}
