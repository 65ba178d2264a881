//! Profile-wide commands: init, passphrase change, backups, Markdown export, erase.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use kinship_core::{Kinship, Progress};
use zeroize::Zeroizing;

use crate::passphrase::{self, NEW_PASSPHRASE_ENV, PASSPHRASE_ENV};
use crate::{CliError, CliResult};

#[derive(Subcommand)]
pub enum PassphraseCommand {
    /// Rewrap the data key under a new passphrase (instant: no entry is re-encrypted).
    Change,
}

#[derive(Subcommand)]
pub enum BackupCommand {
    /// Write an encrypted backup of the whole profile to FILE.
    Export {
        file: PathBuf,
        /// Read the backup passphrase from this environment variable instead of using the
        /// vault's passphrase.
        #[arg(long, value_name = "VAR")]
        backup_passphrase_env: Option<String>,
    },
    /// Merge an encrypted backup into this profile (nothing is duplicated or lost).
    Import {
        file: PathBuf,
        #[arg(long, value_name = "VAR")]
        backup_passphrase_env: Option<String>,
    },
}

pub fn init(dir: &Path) -> CliResult {
    if Kinship::exists(dir) {
        return Err(kinship_core::Error::AlreadyInitialized.into());
    }
    let passphrase = passphrase::new(PASSPHRASE_ENV, "New passphrase: ")?;
    Kinship::create(dir, &passphrase)?;
    println!("Created an encrypted Kinship profile in {}", dir.display());
    Ok(())
}

pub fn passphrase(dir: &Path, command: PassphraseCommand) -> CliResult {
    match command {
        PassphraseCommand::Change => {
            let kinship = Kinship::open(dir)?;
            let old = passphrase::current()?;
            let new = passphrase::new(NEW_PASSPHRASE_ENV, "New passphrase: ")?;
            kinship.change_passphrase(&old, &new)?;
            println!("Passphrase changed.");
            Ok(())
        }
    }
}

pub fn backup(dir: &Path, command: BackupCommand) -> CliResult {
    match command {
        BackupCommand::Export {
            file,
            backup_passphrase_env,
        } => {
            let (kinship, backup_passphrase) = unlock_for_backup(dir, backup_passphrase_env)?;
            let summary = with_progress_bar(|progress| {
                kinship.export_backup(&file, &backup_passphrase, progress)
            })?;
            println!("Exported {} entries to {}", summary.entries, file.display());
            if summary.unreadable > 0 {
                eprintln!(
                    "warning: {} damaged entries could not be read and are not in the backup",
                    summary.unreadable
                );
            }
            Ok(())
        }
        BackupCommand::Import {
            file,
            backup_passphrase_env,
        } => {
            let (kinship, backup_passphrase) = unlock_for_backup(dir, backup_passphrase_env)?;
            let summary = with_progress_bar(|progress| {
                kinship.import_backup(&file, &backup_passphrase, progress)
            })?;
            println!(
                "Imported: {} added, {} updated, {} already up to date",
                summary.added, summary.updated, summary.unchanged
            );
            Ok(())
        }
    }
}

pub fn export_markdown(dir: &Path, out: &Path) -> CliResult {
    let kinship = passphrase::open_unlocked(dir)?;
    let written = kinship.export_markdown_unencrypted(out)?;
    println!(
        "Wrote {written} entries as plaintext Markdown to {}. These files are NOT encrypted.",
        out.display()
    );
    Ok(())
}

pub fn erase(dir: &Path, yes: bool) -> CliResult {
    if !yes {
        return Err(CliError::Usage(
            "erasing destroys every entry for good: confirm with `kinship erase --yes`".into(),
        ));
    }
    let kinship = Kinship::open(dir)?;
    kinship.quick_erase()?;
    println!("Erased: the keys were destroyed and the profile's files removed.");
    Ok(())
}

/// Unlocks the profile; the backup passphrase is the vault's unless `env` names another.
fn unlock_for_backup(dir: &Path, env: Option<String>) -> CliResult<(Kinship, Zeroizing<String>)> {
    let kinship = Kinship::open(dir)?;
    let vault_passphrase = passphrase::current()?;
    kinship.unlock(&vault_passphrase)?;
    let backup_passphrase = match env {
        Some(var) => passphrase::from_named_env(&var)?,
        None => vault_passphrase,
    };
    Ok((kinship, backup_passphrase))
}

fn with_progress_bar<T>(
    work: impl FnOnce(&mut dyn FnMut(Progress)) -> kinship_core::Result<T>,
) -> CliResult<T> {
    let mut bar = LazyBar::default();
    let result = work(&mut |progress| bar.update(progress));
    bar.finish();
    Ok(result?)
}

/// Shown only on a terminal and only for large journals: small ones finish before a bar would
/// be readable.
#[derive(Default)]
struct LazyBar {
    bar: Option<ProgressBar>,
}

const PROGRESS_THRESHOLD: usize = 500;

impl LazyBar {
    fn update(&mut self, progress: Progress) {
        if progress.total < PROGRESS_THRESHOLD {
            return;
        }
        let bar = self.bar.get_or_insert_with(|| {
            let bar = ProgressBar::new(progress.total as u64);
            if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} entries") {
                bar.set_style(style);
            }
            bar
        });
        bar.set_position(progress.done as u64);
    }

    fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}
