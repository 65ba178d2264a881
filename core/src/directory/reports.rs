//! "This number didn't work": a person reports a directory entry (did not connect, wrong
//! hours, closed, wrong information, with an optional short note). Reports queue offline,
//! sealed like the journal (which entries a person called says something about them), and the
//! next sync sends them to the person's server with no member token and no device identifier
//! (`POST /v1/directory/reports`, docs/PROTOCOL.md); a report the server accepted, or refused
//! for good, leaves the queue.

use crate::error::InputProblem;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use kinship_protocol::ReportProblem;

use super::Directory;
use crate::error::{Error, Result};

/// Table of queued reports, one sealed row each.
pub const TABLE: &str = "directory_reports";
/// Reports kept waiting at most: a phone offline for months does not grow without bound.
pub const MAX_QUEUED: usize = 50;

/// A report waiting to be sent.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct QueuedReport {
    /// Random: 16 lowercase hex digits.
    pub id: String,
    /// Id of the public directory entry reported; it must exist in the directory in use, else
    /// [`Error::NotFound`].
    pub entry_id: String,
    /// What went wrong.
    pub problem: ReportProblem,
    /// The person's note: trimmed, `None` when empty; at most
    /// [`kinship_protocol::MAX_REPORT_NOTE_CHARS`] characters, no control characters other than
    /// line feeds and tabs.
    pub note: Option<String>,
    /// The directory version the person saw the entry in.
    pub directory_version: u64,
    /// When the report was queued (UTC); kept on the phone, never sent.
    pub queued_at: DateTime<Utc>,
}

impl std::fmt::Debug for QueuedReport {
    // The note is what a person wrote: never in a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueuedReport")
            .field("id", &self.id)
            .field("entry_id", &self.entry_id)
            .field("problem", &self.problem)
            .field("note", &self.note.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl QueuedReport {
    /// What goes over the wire: the entry, the problem, the data version and the note; no
    /// time, no token, no identifier.
    pub fn to_wire(&self) -> kinship_protocol::DirectoryReport {
        kinship_protocol::DirectoryReport {
            entry_id: self.entry_id.clone(),
            directory_version: self.directory_version,
            problem: self.problem,
            note: self.note.clone(),
        }
    }
}

/// Checks a new report against the directory in use and builds it.
pub(crate) fn build(
    directory: &Directory,
    entry_id: &str,
    problem: ReportProblem,
    note: Option<String>,
    now: DateTime<Utc>,
) -> Result<QueuedReport> {
    if directory.get(entry_id).is_none() {
        return Err(Error::NotFound);
    }
    let note = note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    let report = QueuedReport {
        id: crate::session::random_id(8),
        entry_id: entry_id.to_owned(),
        problem,
        note,
        directory_version: directory.version(),
        queued_at: now,
    };
    report
        .to_wire()
        .validate()
        .map_err(|e| Error::invalid_field(InputProblem::Malformed, e.field, e.problem))?;
    Ok(report)
}
