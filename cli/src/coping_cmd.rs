//! `kinship coping ...`: the strategy library, your own strategies, tries and suggestions.

use std::path::Path;

use clap::Subcommand;
use kinship_core::coping::{StrategyStats, Try};
use kinship_core::{
    Category, Context, NewStrategy, NewTry, Strategy, StrategyChanges, Suggestion, SuggestionKind,
};

use crate::journal_cmd::{now, print_json};
use crate::passphrase::open_unlocked;
use crate::CliResult;

#[derive(Subcommand)]
pub enum CopingCommand {
    /// Every strategy (built-in and yours), optionally of one category.
    List {
        #[arg(long, value_parser = parse_category)]
        category: Option<Category>,
        #[arg(long)]
        json: bool,
    },
    /// One strategy with its steps.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Strategies containing every word (prefixes match; case and accents ignored).
    Search {
        query: String,
        #[arg(long)]
        json: bool,
    },
    /// Mark a strategy as a favourite.
    Favorite { id: String },
    /// Remove the favourite mark.
    Unfavorite { id: String },
    /// Write a strategy of your own (sealed like your journal). Prints its id.
    Add {
        #[arg(long)]
        title: String,
        /// One step; repeat for several, in order.
        #[arg(long = "step", value_name = "TEXT", required = true)]
        steps: Vec<String>,
        #[arg(long, value_parser = parse_category)]
        category: Option<Category>,
        #[arg(long)]
        summary: Option<String>,
        #[arg(long)]
        minutes: Option<u32>,
        /// When it helps (e.g. anxious, cant_sleep, lonely); repeat for several.
        #[arg(long = "suits", value_name = "CONTEXT", value_parser = parse_context)]
        suits: Vec<Context>,
    },
    /// Change one of your own strategies.
    Edit {
        id: String,
        #[arg(long)]
        title: Option<String>,
        /// Replaces all steps; repeat for several.
        #[arg(long = "step", value_name = "TEXT")]
        steps: Vec<String>,
        #[arg(long, value_parser = parse_category)]
        category: Option<Category>,
        #[arg(long)]
        summary: Option<String>,
        #[arg(long)]
        minutes: Option<u32>,
        #[arg(long = "suits", value_name = "CONTEXT", value_parser = parse_context)]
        suits: Vec<Context>,
    },
    /// Delete one of your own strategies, with its logged tries.
    Delete { id: String },
    /// Log a try: your distress (0-10) before and after.
    Log {
        id: String,
        #[arg(long)]
        before: u8,
        #[arg(long)]
        after: u8,
        #[arg(long)]
        note: Option<String>,
    },
    /// What has helped you: times tried and mean change in distress per strategy.
    Stats {
        #[arg(long)]
        json: bool,
    },
    /// What might help now, ranked by what helped you before.
    Suggest {
        /// How distressed you feel, 0 (calm) to 10 (the worst).
        #[arg(long)]
        distress: u8,
        /// What this moment is like (e.g. anxious, lonely, cant_sleep); repeat for several.
        #[arg(long = "context", value_name = "CONTEXT", value_parser = parse_context)]
        contexts: Vec<Context>,
        #[arg(long, default_value_t = 5)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(dir: &Path, command: CopingCommand) -> CliResult {
    let kinship = open_unlocked(dir)?;
    let coping = kinship.coping();
    match command {
        CopingCommand::List { category, json } => print_strategies(&coping.list(category)?, json)?,
        CopingCommand::Show { id, json } => {
            let strategy = coping.get(&id)?;
            if json {
                print_json(&strategy)?;
            } else {
                print_strategy(&strategy);
            }
        }
        CopingCommand::Search { query, json } => print_strategies(&coping.search(&query)?, json)?,
        CopingCommand::Favorite { id } => {
            coping.favorite(&id)?;
            println!("Added {id} to your favourites.");
        }
        CopingCommand::Unfavorite { id } => {
            coping.unfavorite(&id)?;
            println!("Removed {id} from your favourites.");
        }
        CopingCommand::Add {
            title,
            steps,
            category,
            summary,
            minutes,
            suits,
        } => {
            let new = NewStrategy {
                title,
                summary,
                steps,
                minutes,
                category,
                tags: Vec::new(),
                suits,
            };
            println!("{}", coping.add_custom(new, now())?.id);
        }
        CopingCommand::Edit {
            id,
            title,
            steps,
            category,
            summary,
            minutes,
            suits,
        } => {
            let changes = StrategyChanges {
                title,
                summary,
                steps: Some(steps).filter(|s| !s.is_empty()),
                minutes,
                category,
                suits: Some(suits).filter(|s| !s.is_empty()),
            };
            println!("{}", coping.edit_custom(&id, changes, now())?.id);
        }
        CopingCommand::Delete { id } => {
            coping.delete_custom(&id)?;
            println!("Deleted {id}");
        }
        CopingCommand::Log {
            id,
            before,
            after,
            note,
        } => {
            let logged = coping.log_try(
                NewTry {
                    strategy_id: id,
                    distress_before: before,
                    distress_after: after,
                    note,
                },
                now(),
            )?;
            print_logged(&logged);
        }
        CopingCommand::Stats { json } => {
            let stats = coping.stats()?;
            if json {
                print_json(&stats)?;
            } else {
                print_stats(&stats);
            }
        }
        CopingCommand::Suggest {
            distress,
            contexts,
            limit,
            json,
        } => {
            let suggestions = coping.suggest(distress, &contexts, limit)?;
            if json {
                print_json(&suggestions)?;
            } else {
                print_suggestions(&suggestions);
            }
        }
    }
    Ok(())
}

fn parse_category(text: &str) -> Result<Category, String> {
    Category::parse(text).ok_or_else(|| {
        let known: Vec<_> = Category::ALL.iter().map(|c| c.as_str()).collect();
        format!("unknown category; known: {}", known.join(", "))
    })
}

fn parse_context(text: &str) -> Result<Context, String> {
    Context::parse(text).ok_or_else(|| {
        let known: Vec<_> = Context::ALL.iter().map(|c| c.as_str()).collect();
        format!("unknown context; known: {}", known.join(", "))
    })
}

fn print_strategies(strategies: &[Strategy], json: bool) -> CliResult {
    if json {
        return print_json(strategies);
    }
    if strategies.is_empty() {
        println!("(no strategies)");
    }
    for s in strategies {
        println!("{}", strategy_line(s));
    }
    Ok(())
}

pub fn strategy_line(s: &Strategy) -> String {
    format!(
        "{:<34} {:<2} {:>3} min  {}: {}",
        s.id,
        if s.favorite { "★" } else { "" },
        s.minutes,
        s.title,
        s.summary
    )
}

pub fn print_strategy(s: &Strategy) {
    println!("{}{}", s.title, if s.favorite { "  ★" } else { "" });
    println!("  id        {}", s.id);
    println!("  category  {}", s.category.as_str());
    println!("  time      about {} min", s.minutes);
    if !s.suits.is_empty() {
        let suits: Vec<_> = s.suits.iter().map(|c| c.as_str()).collect();
        println!("  suits     {}", suits.join(", "));
    }
    if !s.summary.is_empty() {
        println!("\n{}", s.summary);
    }
    println!();
    for (n, step) in s.steps.iter().enumerate() {
        println!("  {}. {}", n + 1, step);
    }
}

pub fn print_logged(logged: &Try) {
    let change = i16::from(logged.distress_after) - i16::from(logged.distress_before);
    println!(
        "Logged {}: distress {} → {} ({change:+}).",
        logged.strategy_id, logged.distress_before, logged.distress_after
    );
}

pub fn print_stats(stats: &[StrategyStats]) {
    if stats.is_empty() {
        println!("Nothing logged yet. After trying a strategy: kinship coping log ID --before N --after N");
    }
    for s in stats {
        println!(
            "{:<34} tried {:>3}×  mean change {:+.1}  {}",
            s.id, s.times_tried, s.mean_change, s.title
        );
    }
}

pub fn print_suggestions(suggestions: &[Suggestion]) {
    for s in suggestions {
        match s.kind {
            SuggestionKind::SafetyPlan | SuggestionKind::Crisis => {
                println!("!! {}: {}", s.title, s.summary);
                for action in &s.actions {
                    println!("   tap: {}  ({})", action.uri, action.label);
                }
            }
            SuggestionKind::Strategy => println!(
                "{:<34} expected drop {:>4.1}  tried {}×  {}",
                s.id,
                s.score.unwrap_or_default(),
                s.times_tried,
                s.title
            ),
        }
    }
}
