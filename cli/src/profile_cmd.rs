//! Profile-wide commands: init, passphrases (change, decoy, duress), backups, Markdown export,
//! erase.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use kinship_core::{Error, InputProblem, Kinship, Progress};
use zeroize::Zeroizing;

use crate::passphrase::{
    self, DECOY_PASSPHRASE_ENV, DURESS_PASSPHRASE_ENV, NEW_PASSPHRASE_ENV, PASSPHRASE_ENV,
};
use crate::{CliError, CliResult};

#[derive(Subcommand)]
pub enum PassphraseCommand {
    /// Rewrap the data key under a new passphrase (new one from KINSHIP_NEW_PASSPHRASE or a
    /// prompt; instant: no entry is re-encrypted).
    Change,
    /// A decoy passphrase opens a second, separate profile for harmless entries (new one from
    /// KINSHIP_DECOY_PASSPHRASE or a prompt).
    #[command(subcommand)]
    Decoy(SetOrClear),
    /// A duress passphrase erases this profile at once when entered, and opens a new, empty
    /// one (new one from KINSHIP_DURESS_PASSPHRASE or a prompt).
    #[command(subcommand)]
    Duress(SetOrClear),
    /// Whether a decoy and a duress passphrase are set.
    Status,
}

#[derive(Subcommand)]
pub enum SetOrClear {
    /// Set it, or replace it (a decoy profile set again starts empty).
    Set,
    /// Remove it (clearing the decoy erases the decoy profile).
    Clear,
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
        PassphraseCommand::Decoy(action) => decoy(dir, action),
        PassphraseCommand::Duress(action) => duress(dir, action),
        PassphraseCommand::Status => {
            let (kinship, _) = unlock_with_current(dir)?;
            let settings = kinship.passphrase_settings()?;
            println!("Decoy passphrase: {}", set_or_not(settings.decoy));
            println!("Duress passphrase: {}", set_or_not(settings.duress));
            Ok(())
        }
    }
}

fn decoy(dir: &Path, action: SetOrClear) -> CliResult {
    let (kinship, current) = unlock_with_current(dir)?;
    match action {
        SetOrClear::Set => {
            let decoy = passphrase::new(DECOY_PASSPHRASE_ENV, "Decoy passphrase: ")?;
            kinship
                .set_decoy_passphrase(&current, &decoy)
                .map_err(|err| refused_passphrase(err, "decoy"))?;
            println!(
                "Decoy passphrase set: it opens a separate profile, empty for now. Write a few harmless entries there."
            );
        }
        SetOrClear::Clear => {
            kinship.clear_decoy_passphrase(&current)?;
            println!("No decoy passphrase now; the decoy profile's entries were erased.");
        }
    }
    Ok(())
}

fn duress(dir: &Path, action: SetOrClear) -> CliResult {
    let (kinship, current) = unlock_with_current(dir)?;
    match action {
        SetOrClear::Set => {
            let duress = passphrase::new(DURESS_PASSPHRASE_ENV, "Duress passphrase: ")?;
            kinship
                .set_duress_passphrase(&current, &duress)
                .map_err(|err| refused_passphrase(err, "duress"))?;
            println!(
                "Duress passphrase set: entering it erases this profile at once and opens a new, empty one."
            );
        }
        SetOrClear::Clear => {
            kinship.clear_duress_passphrase(&current)?;
            println!("No duress passphrase now.");
        }
    }
    Ok(())
}

/// Opens the profile and unlocks it; keeps the passphrase, which the decoy and duress calls
/// need again as proof.
fn unlock_with_current(dir: &Path) -> CliResult<(Kinship, Zeroizing<String>)> {
    let kinship = Kinship::open(dir)?;
    let current = passphrase::current()?;
    kinship.unlock(&current)?;
    Ok((kinship, current))
}

/// Says in the CLI's words why a new decoy or duress passphrase (`which`) was refused.
fn refused_passphrase(err: Error, which: &str) -> CliError {
    match err {
        Error::InvalidInput {
            problem: InputProblem::Duplicate,
            ..
        } => CliError::Other(format!(
            "that {which} passphrase is already in use here (it opens this profile or is another of its passphrases): choose a different one"
        )),
        Error::InvalidInput {
            problem: InputProblem::NotAllowed,
            ..
        } => CliError::Other(format!(
            "a {which} passphrase cannot be set in this profile"
        )),
        other => other.into(),
    }
}

fn set_or_not(set: bool) -> &'static str {
    if set {
        "set"
    } else {
        "not set"
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
