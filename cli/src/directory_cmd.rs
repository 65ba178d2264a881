//! `kinship crisis` and `kinship directory ...`: crisis contacts one tap away, and the
//! directory of lines and groups. Public entries need no passphrase.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use clap::Subcommand;
use kinship_core::directory::bundle;
use kinship_core::directory::private::NewPrivateEntry;
use kinship_core::directory::reports::ReportProblem;
use kinship_core::directory::{
    Channel, CrisisContacts, Directory, DirectoryQuery, Kind, SearchHit,
};
use kinship_core::Kinship;

use crate::journal_cmd::{now, print_json};
use crate::passphrase::{open_unlocked, PASSPHRASE_ENV};
use crate::{CliError, CliResult};

#[derive(Subcommand)]
pub enum DirectoryCommand {
    /// Search lines, groups and communities.
    Search {
        /// Words to look for in names, organisations and descriptions.
        query: Option<String>,
        /// Two-letter country code; international entries are always included.
        #[arg(long)]
        country: Option<String>,
        #[arg(long, value_parser = parse_kind)]
        kind: Option<Kind>,
        /// Audience tag (lgbtq, trans, youth, ...); repeat for several.
        #[arg(long = "tag", value_name = "TAG")]
        tags: Vec<String>,
        #[arg(long = "lang", value_name = "LANG")]
        language: Option<String>,
        /// phone, sms, chat or website.
        #[arg(long, value_parser = parse_channel)]
        channel: Option<Channel>,
        #[arg(long)]
        open_now: bool,
        /// Include your own private entries (needs your passphrase).
        #[arg(long)]
        private: bool,
        #[arg(long)]
        json: bool,
    },
    /// One entry in full, with its source and verification date.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// The whole directory as JSON.
    Export {
        #[arg(long, required = true)]
        json: bool,
    },
    /// Add an entry of your own (sealed like your journal). Prints its id.
    Add {
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = parse_kind)]
        kind: Option<Kind>,
        #[arg(long)]
        organization: Option<String>,
        #[arg(long)]
        description: Option<String>,
        /// Full international number, e.g. +44 20 7946 0000.
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        sms: Option<String>,
        #[arg(long)]
        website: Option<String>,
        #[arg(long)]
        notes: Option<String>,
    },
    /// Remove one of your own entries.
    Remove { id: String },
    /// Report that an entry did not work (sent anonymously with the next `kinship sync`).
    Report {
        id: String,
        /// did-not-connect, wrong-hours, closed or wrong-information
        #[arg(long)]
        problem: String,
        /// A short note (at most 280 characters); the server's operator can read it.
        #[arg(long)]
        note: Option<String>,
    },
    /// Reports waiting for the next sync.
    Reports {
        #[arg(long)]
        json: bool,
    },
    /// Install a newer signed directory bundle.
    ImportBundle { file: PathBuf },
    /// (maintainers) Sign a directory document into a bundle.
    #[command(hide = true)]
    SignBundle {
        input: PathBuf,
        output: PathBuf,
        /// File holding the 32-byte ed25519 private key as hex.
        #[arg(long, conflicts_with = "key_env")]
        key_file: Option<PathBuf>,
        /// Environment variable holding the key as hex.
        #[arg(long)]
        key_env: Option<String>,
        #[arg(long, default_value = "kinship-directory-2026")]
        key_id: String,
    },
}

pub fn crisis(
    data_dir: &Path,
    country: Option<String>,
    at: Option<String>,
    json: bool,
) -> CliResult {
    let (country, from) = match country {
        Some(code) => (code, "--country".to_owned()),
        None => country_from_locale().ok_or_else(|| {
            CliError::Usage("no country given and none in your locale: pass --country CC".into())
        })?,
    };
    if kinship_core::directory::parse_country(&country).is_err() {
        return Err(CliError::Usage(
            "a country is an ISO 3166-1 two-letter code such as US or GB".into(),
        ));
    }
    let at = parse_at(at)?;
    let contacts = Directory::load(data_dir)?.crisis_contacts(&country, at);
    if json {
        eprintln!("country: {} (from {from})", contacts.country);
        print_json(&contacts.contacts)
    } else {
        println!(
            "Crisis contacts for {} (country from {from}):",
            contacts.country
        );
        print_crisis(&contacts);
        Ok(())
    }
}

pub fn run(data_dir: &Path, command: DirectoryCommand) -> CliResult {
    match command {
        DirectoryCommand::Search {
            query,
            country,
            kind,
            tags,
            language,
            channel,
            open_now,
            private,
            json,
        } => {
            let directory = Directory::load(data_dir)?;
            let query = DirectoryQuery {
                text: query,
                country: country.map(|c| c.to_uppercase()),
                kind,
                audience: tags,
                language,
                channel,
                open_now,
                limit: None,
            };
            let hits = if private || wants_private(data_dir) {
                open_unlocked(data_dir)?.personal_directory().search(
                    &directory,
                    &query,
                    Utc::now(),
                )?
            } else {
                directory.search(&query, &[], Utc::now())
            };
            if json {
                print_json(&hits)?;
            } else {
                print_hits(&hits);
            }
        }
        DirectoryCommand::Show { id, json } => {
            let hit = find(data_dir, &id)?;
            if json {
                print_json(&hit)?;
            } else {
                print_hit_in_full(&hit);
            }
        }
        DirectoryCommand::Export { .. } => print_json(Directory::load(data_dir)?.entries())?,
        DirectoryCommand::Add {
            name,
            kind,
            organization,
            description,
            phone,
            sms,
            website,
            notes,
        } => {
            let kinship = open_unlocked(data_dir)?;
            let new = NewPrivateEntry {
                kind,
                name,
                organization,
                description,
                phone,
                sms,
                website,
                notes,
            };
            println!("{}", kinship.personal_directory().add(new, now())?.id);
        }
        DirectoryCommand::Remove { id } => {
            open_unlocked(data_dir)?.personal_directory().remove(&id)?;
            println!("Removed {id}");
        }
        DirectoryCommand::Report { id, problem, note } => {
            let problem = ReportProblem::parse(&problem).ok_or_else(|| {
                CliError::Usage(
                    "--problem is did-not-connect, wrong-hours, closed or wrong-information".into(),
                )
            })?;
            let kinship = open_unlocked(data_dir)?;
            kinship
                .personal_directory()
                .report(&id, problem, note, chrono::Utc::now())?;
            println!(
                "Thank you. The report waits, sealed, for your next `kinship sync`, which sends \
                 it without your member token to the server you sync with. Its operator can \
                 read the note."
            );
        }
        DirectoryCommand::Reports { json } => {
            let queued = open_unlocked(data_dir)?
                .personal_directory()
                .queued_reports()?;
            if json {
                let rows: Vec<_> = queued
                    .iter()
                    .map(|r| {
                        serde_json::json!({"entry_id": r.entry_id, "problem": r.problem,
                                           "note": r.note, "queued_at": r.queued_at})
                    })
                    .collect();
                print_json(&rows)?;
            } else if queued.is_empty() {
                println!("No reports waiting.");
            } else {
                for r in &queued {
                    println!("{}  {}", r.entry_id, r.problem.as_str());
                }
            }
        }
        DirectoryCommand::ImportBundle { file } => {
            let bytes = std::fs::read(&file)?;
            let version = bundle::install(data_dir, &bytes, bundle::TRUSTED_KEYS)?;
            println!("Installed directory version {version}.");
        }
        DirectoryCommand::SignBundle {
            input,
            output,
            key_file,
            key_env,
            key_id,
        } => {
            let key = match (key_file, key_env) {
                (Some(path), _) => zeroize::Zeroizing::new(std::fs::read_to_string(path)?),
                (None, Some(var)) => {
                    zeroize::Zeroizing::new(std::env::var(&var).map_err(|_| {
                        CliError::Usage(format!("environment variable {var} is not set"))
                    })?)
                }
                (None, None) => return Err(CliError::Usage("give --key-file or --key-env".into())),
            };
            let document = std::fs::read_to_string(&input)?;
            let signed = bundle::sign(&document, &key, &key_id)
                .map_err(|e| CliError::Other(e.to_string()))?;
            std::fs::write(&output, signed)?;
            println!("Signed {} into {}", input.display(), output.display());
        }
    }
    Ok(())
}

/// Private entries join searches when the passphrase is already in the environment.
fn wants_private(data_dir: &Path) -> bool {
    std::env::var_os(PASSPHRASE_ENV).is_some() && Kinship::exists(data_dir)
}

fn find(data_dir: &Path, id: &str) -> CliResult<SearchHit> {
    let directory = Directory::load(data_dir)?;
    let private = if id.starts_with("private-") {
        open_unlocked(data_dir)?
            .personal_directory()
            .private_entries()?
    } else {
        Vec::new()
    };
    let everything = DirectoryQuery::default();
    directory
        .search(&everything, &private, Utc::now())
        .into_iter()
        .find(|hit| hit.entry.id == id)
        .ok_or(CliError::Core(kinship_core::Error::NotFound))
}

/// `LC_ALL`, `LC_MESSAGES` or `LANG` such as `en_US.UTF-8` -> ("US", "LANG=en_US.UTF-8").
fn country_from_locale() -> Option<(String, String)> {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .into_iter()
        .find_map(|var| {
            let value = std::env::var(var).ok()?;
            let region = value.split(['.', '@']).next()?.split('_').nth(1)?;
            (region.len() == 2 && region.chars().all(|c| c.is_ascii_alphabetic()))
                .then(|| (region.to_uppercase(), format!("your locale, {var}={value}")))
        })
}

fn parse_at(at: Option<String>) -> CliResult<DateTime<Utc>> {
    match at {
        None => Ok(Utc::now()),
        Some(text) => DateTime::parse_from_rfc3339(&text)
            .map(|t| t.to_utc())
            .map_err(|_| {
                CliError::Usage(
                    "--at takes an RFC 3339 time such as 2026-11-27T21:30:00+01:00".into(),
                )
            }),
    }
}

fn parse_kind(text: &str) -> Result<Kind, String> {
    Kind::parse(text).ok_or_else(|| {
        let known: Vec<_> = Kind::ALL.iter().map(|k| k.as_str()).collect();
        format!("unknown kind; known: {}", known.join(", "))
    })
}

fn parse_channel(text: &str) -> Result<Channel, String> {
    Channel::parse(text).ok_or_else(|| "a channel is phone, sms, chat or website".to_owned())
}

pub fn print_crisis(contacts: &CrisisContacts) {
    if let Some(advice) = &contacts.advice {
        println!("{advice}");
    }
    for (n, c) in contacts.contacts.iter().enumerate() {
        let when = match (c.always_open, c.open_now, c.opens_at) {
            (true, _, _) => "24/7".to_owned(),
            (false, Some(true), _) => "open now".to_owned(),
            (false, Some(false), Some(opens)) => {
                format!("closed now, opens {}", opens.format("%a %H:%M UTC"))
            }
            (false, Some(false), None) => "closed now".to_owned(),
            (false, None, _) => "hours unknown".to_owned(),
        };
        println!(
            "{:>2}. {}{} — {}  [{}]  → {}",
            n + 1,
            c.name,
            if c.lgbtq { " (LGBTQ+)" } else { "" },
            c.label,
            when,
            c.action_uri
        );
        println!(
            "      source: {} (checked {}{}{})",
            c.source_url,
            c.verified_on,
            if c.stale { ", may be out of date" } else { "" },
            if c.unverified {
                ", no official source yet"
            } else {
                ""
            }
        );
    }
}

fn print_hits(hits: &[SearchHit]) {
    if hits.is_empty() {
        println!("(nothing found)");
    }
    for hit in hits {
        let first_action = hit.actions.first().map(|a| a.uri.as_str()).unwrap_or("");
        println!(
            "{:<42} {:<18} {}{}{}  {}",
            hit.entry.id,
            hit.entry.kind.as_str(),
            hit.entry.name,
            if hit.private { " (yours)" } else { "" },
            if hit.stale {
                " (may be out of date)"
            } else {
                ""
            },
            first_action
        );
    }
}

fn print_hit_in_full(hit: &SearchHit) {
    let e = &hit.entry;
    println!(
        "{}{}",
        e.name,
        if hit.private { " (your own entry)" } else { "" }
    );
    if let Some(org) = &e.organization {
        println!("  organisation  {org}");
    }
    println!("  kind          {}", e.kind.as_str());
    println!("  countries     {}", e.countries.join(", "));
    if !e.audience.is_empty() {
        println!("  for           {}", e.audience.join(", "));
    }
    if let Some(hours) = &e.hours_text {
        println!("  hours         {hours}");
    }
    if let Some(note) = &e.confidentiality {
        println!("  confidential. {note}");
    }
    if let Some(description) = &e.description {
        println!("\n{description}\n");
    }
    for action in &hit.actions {
        println!("  {:<16} {}", action.label, action.uri);
    }
    println!(
        "  source        {} (checked {})",
        e.source_url, e.verified_on
    );
}
