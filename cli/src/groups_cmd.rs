//! `kinship groups ...`, `kinship sync` and `kinship events ...`: follow peer groups, pull
//! their events, and keep them offline.

use std::path::{Path, PathBuf};

use chrono::Utc;
use clap::Subcommand;
use kinship_core::groups::{CachedEvent, EventQuery};
use kinship_core::sync::SyncReport;
use kinship_protocol::Category;

use crate::journal_cmd::print_json;
use crate::passphrase::open_unlocked;
use crate::{CliError, CliResult};

#[derive(Subcommand)]
pub enum GroupsCommand {
    /// Follow a group: by its join link (`kinship groups join LINK`, a private group's link
    /// carries its invite code), or by server and id (`kinship groups join SERVER_URL GROUP_ID`,
    /// a private group needs `--invite`).
    Join {
        /// A join link (`https://HOST/join/GROUP_ID[#invite=CODE]`), or the server's URL when a
        /// group id follows.
        link_or_server_url: String,
        group_id: Option<String>,
        #[arg(long, requires = "group_id")]
        invite: Option<String>,
    },
    /// The groups you follow.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Stop following a group and forget its cached events.
    Leave { group_id: String },
}

#[derive(Subcommand)]
pub enum EventsCommand {
    /// Upcoming events of the groups you follow (works offline).
    List {
        #[arg(long, default_value_t = 30)]
        days: u32,
        #[arg(long)]
        group: Option<String>,
        #[arg(long, value_parser = parse_category)]
        category: Option<Category>,
        #[arg(long)]
        json: bool,
    },
    /// An iCalendar file for "add to calendar".
    Ics {
        #[arg(required = true)]
        ids: Vec<String>,
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

pub fn groups(dir: &Path, command: GroupsCommand) -> CliResult {
    let kinship = open_unlocked(dir)?;
    let groups = kinship.groups();
    match command {
        GroupsCommand::Join {
            link_or_server_url,
            group_id,
            invite,
        } => {
            let followed = match group_id {
                Some(group_id) => runtime()?.block_on(groups.follow(
                    &link_or_server_url,
                    &group_id,
                    invite.as_deref(),
                ))?,
                None => runtime()?.block_on(groups.join(&link_or_server_url))?,
            };
            println!(
                "Following \"{}\" ({}). Run `kinship sync` to fetch its events.",
                followed.name, followed.group_id
            );
        }
        GroupsCommand::List { json } => {
            let list = groups.list()?;
            if json {
                print_json(&list)?;
            } else if list.is_empty() {
                println!("You follow no groups yet: kinship groups join LINK");
            } else {
                for g in list {
                    let synced = g
                        .last_synced_at
                        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                        .unwrap_or_else(|| "never".into());
                    println!(
                        "{:<18} {:<30} {}  (synced {synced})",
                        g.group_id, g.name, g.server_url
                    );
                }
            }
        }
        GroupsCommand::Leave { group_id } => {
            groups.unfollow(&group_id)?;
            println!("Stopped following {group_id}.");
        }
    }
    Ok(())
}

pub fn sync(dir: &Path, json: bool) -> CliResult {
    let kinship = open_unlocked(dir)?;
    let report = runtime()?.block_on(kinship.groups().sync_now())?;
    if json {
        print_json(&report)
    } else {
        print_report(&report);
        Ok(())
    }
}

pub fn events(dir: &Path, command: EventsCommand) -> CliResult {
    let kinship = open_unlocked(dir)?;
    let groups = kinship.groups();
    match command {
        EventsCommand::List {
            days,
            group,
            category,
            json,
        } => {
            let query = EventQuery {
                group_id: group,
                category,
                ..EventQuery::from_now(Utc::now(), days)
            };
            let events = groups.upcoming(&query)?;
            if json {
                let flat: Vec<serde_json::Value> = events.iter().map(event_json).collect();
                print_json(&flat)?;
            } else {
                print_events(&events);
            }
        }
        EventsCommand::Ics { ids, output } => {
            let calendar = groups.export_ics(&ids, Utc::now())?;
            match output {
                Some(path) => {
                    std::fs::write(&path, calendar)?;
                    println!("Wrote {} event(s) to {}", ids.len(), path.display());
                }
                None => print!("{calendar}"),
            }
        }
    }
    Ok(())
}

/// The event as JSON with the fields a script needs at the top level.
fn event_json(e: &CachedEvent) -> serde_json::Value {
    let mut value = serde_json::to_value(&e.event).unwrap_or_default();
    value["group_name"] = e.group_name.clone().into();
    value["server_url"] = e.server_url.clone().into();
    value
}

pub fn print_events(events: &[CachedEvent]) {
    if events.is_empty() {
        println!("(no upcoming events)");
    }
    for e in events {
        let input = &e.event.input;
        let place = input
            .place
            .as_ref()
            .map(|p| p.name.clone())
            .or_else(|| input.online_url.clone())
            .unwrap_or_default();
        println!(
            "{}  {} {}  {}{}  — {}, {}",
            e.event.id,
            input.starts_at.format("%a %d %b %H:%M"),
            input.time_zone,
            if e.is_cancelled() { "[CANCELLED] " } else { "" },
            input.title,
            e.group_name,
            place
        );
    }
}

pub fn print_report(report: &SyncReport) {
    for g in &report.groups {
        match (&g.error, g.not_modified) {
            (Some(error), _) => {
                println!("{}: not synced ({error}); cached events still work", g.name)
            }
            (None, true) => println!("{}: up to date", g.name),
            (None, false) => println!(
                "{}: {} new, {} updated, {} removed{}",
                g.name,
                g.new,
                g.updated,
                g.removed,
                if g.resynced {
                    " (fetched from scratch)"
                } else {
                    ""
                }
            ),
        }
    }
    if let Some(version) = report.directory_version {
        println!("Installed directory version {version} from the server.");
    }
    if let Some(error) = &report.directory_error {
        println!("The server's directory update was refused: {error}");
    }
}

fn runtime() -> CliResult<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Other(format!("cannot start the network runtime: {e}")))
}

fn parse_category(text: &str) -> Result<Category, String> {
    Category::parse(text)
        .ok_or_else(|| "a category is social, advocacy, workshop, discussion or other".to_owned())
}
