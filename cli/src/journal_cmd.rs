//! `kinship journal ...`: write, read, search and summarise entries.

use std::io::Read;
use std::path::Path;

use chrono::{DateTime, FixedOffset, Local, NaiveDate, TimeZone};
use clap::{Args, Subcommand};
use kinship_core::{Entry, EntryChanges, EntryFilter, JournalStats, NewEntry, StatsRange};

use crate::passphrase::open_unlocked;
use crate::{CliError, CliResult};

#[derive(Subcommand)]
pub enum JournalCommand {
    /// Write a new entry; the text comes from --text or standard input. Prints the new id.
    Add {
        #[arg(long)]
        title: Option<String>,
        /// 1 (very low) to 5 (very good).
        #[arg(long)]
        mood: Option<u8>,
        /// A feeling or topic; repeat for several.
        #[arg(long = "tag", value_name = "TAG")]
        tags: Vec<String>,
        /// A coping strategy you used (see `kinship coping list`); repeat for several.
        #[arg(long = "strategy", value_name = "ID")]
        strategies: Vec<String>,
        #[arg(long)]
        text: Option<String>,
    },
    /// Entries, newest first.
    List {
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Continue after the last entry of a previous page.
        #[arg(long)]
        cursor: Option<String>,
        #[command(flatten)]
        filter: FilterArgs,
        #[arg(long)]
        json: bool,
    },
    /// One entry in full.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Change an entry's title, text, mood or tags.
    Edit {
        id: String,
        #[arg(long, conflicts_with = "no_title")]
        title: Option<String>,
        #[arg(long)]
        no_title: bool,
        #[arg(long, conflicts_with = "no_mood")]
        mood: Option<u8>,
        #[arg(long)]
        no_mood: bool,
        /// Replaces all tags; repeat for several.
        #[arg(long = "tag", value_name = "TAG", conflicts_with = "no_tags")]
        tags: Vec<String>,
        #[arg(long)]
        no_tags: bool,
        /// Replaces the linked coping strategies; repeat for several.
        #[arg(long = "strategy", value_name = "ID", conflicts_with = "no_strategies")]
        strategies: Vec<String>,
        #[arg(long)]
        no_strategies: bool,
        #[arg(long, conflicts_with = "text_stdin")]
        text: Option<String>,
        /// Read the new text from standard input.
        #[arg(long)]
        text_stdin: bool,
    },
    /// Delete an entry.
    Delete { id: String },
    /// Entries containing every word (prefixes match; case and accents ignored).
    Search {
        query: String,
        #[arg(long, default_value_t = 50)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// Mood per day and week, tag counts and your current streak.
    Stats {
        /// First day (YYYY-MM-DD).
        #[arg(long)]
        from: Option<NaiveDate>,
        /// Last day (YYYY-MM-DD).
        #[arg(long)]
        to: Option<NaiveDate>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
pub struct FilterArgs {
    #[arg(long)]
    tag: Option<String>,
    #[arg(long)]
    mood: Option<u8>,
    /// Entries written on or after this day (YYYY-MM-DD, local time).
    #[arg(long)]
    from: Option<NaiveDate>,
    /// Entries written on or before this day (YYYY-MM-DD, local time).
    #[arg(long)]
    to: Option<NaiveDate>,
}

pub fn run(dir: &Path, command: JournalCommand) -> CliResult {
    let kinship = open_unlocked(dir)?;
    let journal = kinship.journal();
    match command {
        JournalCommand::Add {
            title,
            mood,
            tags,
            strategies,
            text,
        } => {
            check_strategies(&kinship, &strategies)?;
            let body = match text {
                Some(text) => text,
                None => read_stdin()?,
            };
            let new = NewEntry {
                title,
                body,
                mood,
                tags,
                strategy_ids: strategies,
            };
            let entry = journal.add(new, now())?;
            println!("{}", entry.id);
        }
        JournalCommand::List {
            limit,
            cursor,
            filter,
            json,
        } => {
            let page = journal.list(&filter.into_filter()?, limit, cursor.as_deref())?;
            if json {
                print_json(&page.entries)?;
            } else {
                print_list(&page.entries);
            }
            if let Some(next) = page.next_cursor {
                eprintln!("more entries: --cursor {next}");
            }
            warn_about_unreadable(&journal)?;
        }
        JournalCommand::Show { id, json } => {
            let entry = journal.get(&id)?;
            if json {
                print_json(&entry)?;
            } else {
                print_entry(&entry);
            }
        }
        JournalCommand::Edit {
            id,
            title,
            no_title,
            mood,
            no_mood,
            tags,
            no_tags,
            strategies,
            no_strategies,
            text,
            text_stdin,
        } => {
            check_strategies(&kinship, &strategies)?;
            let changes = EntryChanges {
                title: if no_title {
                    Some(None)
                } else {
                    title.map(Some)
                },
                mood: if no_mood { Some(None) } else { mood.map(Some) },
                tags: if no_tags {
                    Some(Vec::new())
                } else {
                    Some(tags).filter(|t| !t.is_empty())
                },
                body: if text_stdin {
                    Some(read_stdin()?)
                } else {
                    text
                },
                strategy_ids: if no_strategies {
                    Some(Vec::new())
                } else {
                    Some(strategies).filter(|s| !s.is_empty())
                },
            };
            let entry = journal.update(&id, changes, now())?;
            println!("{}", entry.id);
        }
        JournalCommand::Delete { id } => {
            journal.delete(&id)?;
            println!("Deleted {id}");
        }
        JournalCommand::Search { query, limit, json } => {
            let entries = journal.search(&query, limit)?;
            if json {
                print_json(&entries)?;
            } else {
                print_list(&entries);
            }
        }
        JournalCommand::Stats { from, to, json } => {
            let stats = journal.stats(&StatsRange {
                from,
                to,
                today: Local::now().date_naive(),
            })?;
            if json {
                print_json(&stats)?;
            } else {
                print_stats(&stats);
            }
        }
    }
    Ok(())
}

impl FilterArgs {
    fn into_filter(self) -> CliResult<EntryFilter> {
        Ok(EntryFilter {
            tag: self.tag,
            mood: self.mood,
            from: self.from.map(local_midnight).transpose()?,
            until: self
                .to
                .and_then(|day| day.succ_opt())
                .map(local_midnight)
                .transpose()?,
        })
    }
}

/// The person's current local time, with their UTC offset: entries remember both.
pub fn now() -> DateTime<FixedOffset> {
    Local::now().fixed_offset()
}

fn local_midnight(day: NaiveDate) -> CliResult<DateTime<chrono::Utc>> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    Local
        .from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.to_utc())
        .ok_or_else(|| CliError::Usage(format!("{day} has no local midnight")))
}

/// Linked strategies must exist: a typo would otherwise link to nothing.
fn check_strategies(kinship: &kinship_core::Kinship, ids: &[String]) -> CliResult {
    let coping = kinship.coping();
    for id in ids {
        if coping.get(id).is_err() {
            return Err(CliError::Usage(format!("no coping strategy with id {id}")));
        }
    }
    Ok(())
}

fn read_stdin() -> CliResult<String> {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text)?;
    Ok(text)
}

pub fn print_json<T: serde::Serialize + ?Sized>(value: &T) -> CliResult {
    let text = serde_json::to_string_pretty(value)
        .map_err(|_| CliError::Other("could not encode JSON".into()))?;
    println!("{text}");
    Ok(())
}

pub fn print_list(entries: &[Entry]) {
    if entries.is_empty() {
        println!("(no entries)");
    }
    for entry in entries {
        println!("{}", summary_line(entry));
    }
}

pub fn summary_line(entry: &Entry) -> String {
    let mood = entry
        .mood
        .map(|m| format!("mood {m}"))
        .unwrap_or_else(|| "      ".into());
    let headline = entry.title.clone().unwrap_or_else(|| {
        entry
            .body
            .lines()
            .next()
            .unwrap_or("")
            .chars()
            .take(50)
            .collect()
    });
    let tags = if entry.tags.is_empty() {
        String::new()
    } else {
        format!("  #{}", entry.tags.join(" #"))
    };
    format!(
        "{}  {}  {}  {}{}",
        entry.id,
        entry.created_at.format("%Y-%m-%d %H:%M"),
        mood,
        headline,
        tags
    )
}

pub fn print_entry(entry: &Entry) {
    println!("{}", entry.title.as_deref().unwrap_or("(untitled)"));
    println!("  id       {}", entry.id);
    println!(
        "  written  {}",
        entry.created_at.format("%Y-%m-%d %H:%M %:z")
    );
    if entry.updated_at != entry.created_at {
        println!(
            "  edited   {}",
            entry.updated_at.format("%Y-%m-%d %H:%M %:z")
        );
    }
    if let Some(mood) = entry.mood {
        println!("  mood     {mood}/5");
    }
    if !entry.tags.is_empty() {
        println!("  tags     {}", entry.tags.join(", "));
    }
    if !entry.strategy_ids.is_empty() {
        println!("  coping   {}", entry.strategy_ids.join(", "));
    }
    println!();
    println!("{}", entry.body.trim_end());
}

pub fn print_stats(stats: &JournalStats) {
    println!("Entries: {}", stats.entries);
    println!("Current streak: {} day(s)", stats.current_streak_days);
    if !stats.mood_by_week.is_empty() {
        println!("Mood by week:");
        for point in &stats.mood_by_week {
            println!(
                "  {}  {:.1}  {}  ({} rated)",
                point.period,
                point.average,
                "*".repeat(point.average.round() as usize),
                point.rated_entries
            );
        }
    }
    if !stats.mood_by_day.is_empty() {
        println!("Mood by day:");
        for point in &stats.mood_by_day {
            println!("  {}  {:.1}", point.period, point.average);
        }
    }
    if !stats.tag_counts.is_empty() {
        println!("Tags:");
        for tag in &stats.tag_counts {
            println!("  {:<20} {}", tag.tag, tag.count);
        }
    }
}

fn warn_about_unreadable(journal: &kinship_core::Journal) -> CliResult {
    let unreadable = journal.unreadable_ids()?;
    if !unreadable.is_empty() {
        eprintln!(
            "warning: {} entries are damaged and could not be read; importing a backup can restore them",
            unreadable.len()
        );
    }
    Ok(())
}
