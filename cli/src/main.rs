//! `kinship`: the desktop command line over kinship-core.
//!
//! Exit codes: 0 ok, 1 other error, 2 usage, 3 wrong passphrase, 4 not initialized or locked,
//! 5 offline.
//! Errors go to stderr as one line; nothing personal is ever printed in an error.

mod coping_cmd;
mod directory_cmd;
mod groups_cmd;
mod journal_cmd;
mod passphrase;
mod profile_cmd;
mod safety_plan_cmd;
mod tour;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use kinship_core::Error;

#[derive(Parser)]
#[command(
    name = "kinship",
    version,
    about = "Kinship: your private journal, offline and encrypted"
)]
struct Cli {
    /// Profile folder (default: the platform's data directory, e.g. ~/.local/share/kinship).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new encrypted profile (asks for a passphrase, or reads KINSHIP_PASSPHRASE).
    Init,
    /// Write, read and search journal entries.
    #[command(subcommand)]
    Journal(journal_cmd::JournalCommand),
    /// Coping strategies: the library, your own, what you tried, and suggestions.
    #[command(subcommand)]
    Coping(coping_cmd::CopingCommand),
    /// Your safety plan (Stanley–Brown sections).
    #[command(subcommand)]
    SafetyPlan(safety_plan_cmd::SafetyPlanCommand),
    /// Who to call right now: emergency number first, then crisis lines open now. No
    /// passphrase needed.
    Crisis {
        /// Two-letter country code (default: from your locale).
        #[arg(long)]
        country: Option<String>,
        /// The time to check opening hours for (RFC 3339; default: now).
        #[arg(long)]
        at: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The directory of crisis lines, peer-support groups and communities.
    #[command(subcommand)]
    Directory(directory_cmd::DirectoryCommand),
    /// Peer groups you follow on a server.
    #[command(subcommand)]
    Groups(groups_cmd::GroupsCommand),
    /// Fetch your groups' new events (exit code 5 when offline; cached events stay).
    Sync {
        #[arg(long)]
        json: bool,
    },
    /// Your groups' events, offline.
    #[command(subcommand)]
    Events(groups_cmd::EventsCommand),
    /// Change the passphrase, or set a decoy or duress passphrase.
    #[command(subcommand)]
    Passphrase(profile_cmd::PassphraseCommand),
    /// Encrypted backups: export and import (import merges, never duplicates).
    #[command(subcommand)]
    Backup(profile_cmd::BackupCommand),
    /// Write every entry as a plaintext Markdown file into DIR. Anyone with DIR can read them.
    ExportMarkdown { dir: PathBuf },
    /// Destroy the profile at once: keys first (crypto-shredding), then all files.
    Erase {
        /// Required: erasing cannot be undone.
        #[arg(long)]
        yes: bool,
    },
    /// A walk through everything Kinship can do, in a temporary folder.
    Tour,
}

/// What the CLI can fail with: a core error, or a problem of the command line itself.
#[derive(Debug)]
pub enum CliError {
    Core(Error),
    Usage(String),
    Other(String),
}

impl From<Error> for CliError {
    fn from(err: Error) -> Self {
        CliError::Core(err)
    }
}

impl From<kinship_core::directory::DirectoryError> for CliError {
    fn from(err: kinship_core::directory::DirectoryError) -> Self {
        CliError::Core(err.into())
    }
}

impl From<std::io::Error> for CliError {
    fn from(err: std::io::Error) -> Self {
        CliError::Other(format!("i/o: {err}"))
    }
}

pub type CliResult<T = ()> = Result<T, CliError>;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return usage_error(err),
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("kinship: {}", one_line(&message(&err)));
            ExitCode::from(exit_code(&err))
        }
    }
}

fn run(cli: Cli) -> CliResult {
    let data_dir = match cli.data_dir {
        Some(dir) => dir,
        None => default_data_dir()?,
    };
    match cli.command {
        Command::Init => profile_cmd::init(&data_dir),
        Command::Journal(command) => journal_cmd::run(&data_dir, command),
        Command::Coping(command) => coping_cmd::run(&data_dir, command),
        Command::SafetyPlan(command) => safety_plan_cmd::run(&data_dir, command),
        Command::Crisis { country, at, json } => {
            directory_cmd::crisis(&data_dir, country, at, json)
        }
        Command::Directory(command) => directory_cmd::run(&data_dir, command),
        Command::Groups(command) => groups_cmd::groups(&data_dir, command),
        Command::Sync { json } => groups_cmd::sync(&data_dir, json),
        Command::Events(command) => groups_cmd::events(&data_dir, command),
        Command::Passphrase(command) => profile_cmd::passphrase(&data_dir, command),
        Command::Backup(command) => profile_cmd::backup(&data_dir, command),
        Command::ExportMarkdown { dir } => profile_cmd::export_markdown(&data_dir, &dir),
        Command::Erase { yes } => profile_cmd::erase(&data_dir, yes),
        Command::Tour => tour::run(),
    }
}

fn default_data_dir() -> CliResult<PathBuf> {
    dirs::data_dir()
        .map(|dir| dir.join("kinship"))
        .ok_or_else(|| {
            CliError::Usage("no data directory on this platform: pass --data-dir".into())
        })
}

/// Help and version go to stdout with 0; anything else is one line on stderr with 2.
fn usage_error(err: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match err.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = err.print();
            if err.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            }
        }
        _ => {
            let rendered = err.render().to_string();
            let first = rendered.lines().next().unwrap_or("usage error");
            eprintln!("kinship: {}", first.trim_start_matches("error: "));
            ExitCode::from(2)
        }
    }
}

fn message(err: &CliError) -> String {
    match err {
        CliError::Core(Error::NotInitialized) => {
            "no Kinship profile here yet: run `kinship init` first".into()
        }
        CliError::Core(core) => core.to_string(),
        CliError::Usage(text) | CliError::Other(text) => text.clone(),
    }
}

fn exit_code(err: &CliError) -> u8 {
    match err {
        CliError::Core(Error::WrongPassphrase) => 3,
        CliError::Core(Error::NotInitialized | Error::Locked) => 4,
        CliError::Core(Error::Offline) => 5,
        CliError::Usage(_) => 2,
        CliError::Core(_) | CliError::Other(_) => 1,
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
