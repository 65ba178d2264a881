//! Plaintext Markdown export: the one way journal text leaves the vault unencrypted, and only
//! when the person asks for it explicitly.

use std::io::Write;
use std::path::Path;

use crate::error::Result;
use crate::journal::{Entry, Journal};

/// Writes one Markdown file per entry of `journal` into `dir` (created if missing) and returns
/// how many were written (`Kinship::export_markdown_unencrypted`).
pub(crate) fn export(journal: &Journal, dir: &Path) -> Result<usize> {
    let entries = journal.all()?;
    crate::fs::create_private_dir(dir)?;
    for entry in &entries {
        write_private_file(&dir.join(file_name(entry)), render(entry).as_bytes())?;
    }
    Ok(entries.len())
}

/// `2026-11-27-1430-<first 8 hex of id>.md`, sortable by the writer's local time.
fn file_name(entry: &Entry) -> String {
    format!(
        "{}-{}.md",
        entry.created_at.format("%Y-%m-%d-%H%M"),
        &entry.id[..8.min(entry.id.len())]
    )
}

fn render(entry: &Entry) -> String {
    let mut out = String::new();
    let heading = entry.title.as_deref().unwrap_or("Journal entry");
    out.push_str(&format!("# {heading}\n\n"));
    out.push_str(&format!(
        "- Written: {}\n",
        entry.created_at.format("%Y-%m-%d %H:%M %:z")
    ));
    if entry.updated_at != entry.created_at {
        out.push_str(&format!(
            "- Edited: {}\n",
            entry.updated_at.format("%Y-%m-%d %H:%M %:z")
        ));
    }
    if let Some(mood) = entry.mood {
        out.push_str(&format!("- Mood: {mood}/5\n"));
    }
    if !entry.tags.is_empty() {
        out.push_str(&format!("- Tags: {}\n", entry.tags.join(", ")));
    }
    if !entry.strategy_ids.is_empty() {
        out.push_str(&format!(
            "- Coping strategies used: {}\n",
            entry.strategy_ids.join(", ")
        ));
    }
    out.push('\n');
    out.push_str(entry.body.trim_end());
    out.push('\n');
    out
}

fn write_private_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    crate::fs::create_private_file(path)?.write_all(bytes)
}
