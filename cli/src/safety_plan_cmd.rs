//! `kinship safety-plan ...`: read and edit your safety plan.

use std::path::Path;

use clap::Subcommand;
use kinship_core::{Awareness, Kinship, PlanContact, SafetyPlan, Section};

use crate::journal_cmd::{now, print_json};
use crate::passphrase::open_unlocked;
use crate::CliResult;

#[derive(Subcommand)]
pub enum SafetyPlanCommand {
    /// Your whole plan, with one-tap numbers for the people you listed.
    Show {
        #[arg(long)]
        json: bool,
    },
    /// Replace one section's items. SECTION: warning-signs, coping, distractions,
    /// professionals, safe-environment, reasons. Under `coping`, a strategy id links to it.
    Set {
        #[arg(value_parser = parse_section)]
        section: Section,
        #[arg(long = "item", value_name = "TEXT")]
        items: Vec<String>,
    },
    /// Add a person to ask for help.
    AddContact {
        #[arg(long)]
        name: String,
        #[arg(long)]
        phone: String,
        /// Whether they know about your sexuality or gender: yes, no or unsure.
        #[arg(long, value_parser = parse_awareness, default_value = "unsure")]
        knows: Awareness,
        /// Safe to call in a crisis (crisis suggestions offer them first).
        #[arg(long, conflicts_with = "not_safe")]
        safe: bool,
        /// Not safe to call in a crisis (left out of crisis suggestions, kept in the plan).
        #[arg(long)]
        not_safe: bool,
    },
    /// Remove a person by their number in `safety-plan show` (1, 2, ...).
    RemoveContact { number: usize },
}

pub fn run(dir: &Path, command: SafetyPlanCommand) -> CliResult {
    let kinship = open_unlocked(dir)?;
    let planner = kinship.safety_plan();
    match command {
        SafetyPlanCommand::Show { json } => {
            let plan = planner.get()?;
            if json {
                print_json(&plan_json(&plan))?;
            } else {
                print_plan(&kinship, &plan);
            }
        }
        SafetyPlanCommand::Set { section, items } => {
            planner.set_section(section, items, now())?;
            println!("Saved \"{}\".", section.heading());
        }
        SafetyPlanCommand::AddContact {
            name,
            phone,
            knows,
            safe,
            not_safe,
        } => {
            let safe_in_crisis = match (safe, not_safe) {
                (true, _) => Some(true),
                (_, true) => Some(false),
                _ => None,
            };
            let contact = planner.add_contact_with(
                PlanContact {
                    name,
                    phone,
                    knows_about_me: knows,
                    safe_in_crisis,
                },
                now(),
            )?;
            println!(
                "Added {} ({}).",
                contact.name,
                contact.action_uri().unwrap_or_default()
            );
        }
        SafetyPlanCommand::RemoveContact { number } => {
            planner.remove_contact(number.saturating_sub(1), now())?;
            println!("Removed contact {number}.");
        }
    }
    Ok(())
}

fn parse_awareness(text: &str) -> Result<Awareness, String> {
    match text {
        "yes" => Ok(Awareness::Knows),
        "no" => Ok(Awareness::DoesNotKnow),
        "unsure" => Ok(Awareness::Unsure),
        _ => Err("yes, no or unsure".into()),
    }
}

fn parse_section(text: &str) -> Result<Section, String> {
    Section::parse(text).ok_or_else(|| {
        let known: Vec<_> = Section::ALL.iter().map(|s| s.as_str()).collect();
        format!("unknown section; known: {}", known.join(", "))
    })
}

/// The plan as JSON, with each contact's one-tap action alongside its number.
fn plan_json(plan: &SafetyPlan) -> serde_json::Value {
    let mut value = serde_json::to_value(plan).unwrap_or_default();
    if let Some(contacts) = value
        .get_mut("help_contacts")
        .and_then(|c| c.as_array_mut())
    {
        for (contact, source) in contacts.iter_mut().zip(&plan.help_contacts) {
            contact["action_uri"] = source.action_uri().into();
        }
    }
    value
}

pub fn print_plan(kinship: &Kinship, plan: &SafetyPlan) {
    if plan.is_empty() {
        println!("Your safety plan is empty. Start with: kinship safety-plan set warning-signs --item \"...\"");
        return;
    }
    let coping = kinship.coping();
    for section in Section::ALL {
        println!("{}", section.heading());
        let items = plan.section(section);
        if items.is_empty() {
            println!("  (nothing yet)");
        }
        for item in items {
            // A coping item that names a strategy shows the strategy's title.
            match coping.get(item) {
                Ok(strategy) if section == Section::InternalCoping => {
                    println!("  - {} ({})", strategy.title, strategy.id)
                }
                _ => println!("  - {item}"),
            }
        }
        if section == Section::Distractions {
            println!("People I can ask for help");
            if plan.help_contacts.is_empty() {
                println!("  (nobody yet: kinship safety-plan add-contact --name N --phone P)");
            }
            for (n, contact) in plan.help_contacts.iter().enumerate() {
                let knows = match contact.knows_about_me {
                    Awareness::Knows => "knows about me",
                    Awareness::DoesNotKnow => "doesn't know",
                    Awareness::Unsure => "not sure what they know",
                };
                let safe = match contact.safe_in_crisis {
                    Some(true) => ", safe in a crisis",
                    Some(false) => ", not safe in a crisis",
                    None => "",
                };
                println!(
                    "  {}. {}  {}  → {}  ({knows}{safe})",
                    n + 1,
                    contact.name,
                    contact.phone,
                    contact.action_uri().unwrap_or_default()
                );
            }
        }
    }
    if let Some(updated) = plan.updated_at {
        println!("(updated {})", updated.format("%Y-%m-%d %H:%M"));
    }
}
