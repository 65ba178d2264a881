//! Peer groups a person follows, and the events cached from them for offline use.
//!
//! Which groups someone follows can out them, so everything here is sealed like the journal:
//! `followed_groups` rows hold the server URL, group id, name, member token, sync cursor and
//! ETag; `group_events` rows hold one cached event each. Row ids are keyed hashes (see
//! [`crate::session::Unlocked::keyed_row_id`]), so the database never shows a server's event or
//! group id in clear. The network side lives in [`crate::sync`].

use crate::error::InputProblem;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use kinship_protocol::{Category, Event, Status, Visibility};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::events::DataTopic;
use crate::session::{Inner, Unlocked};

pub mod background;
pub mod ics;
pub mod join_link;
pub mod sync;
mod transport;

/// Table of followed groups, one sealed row each under a keyed-hash row id.
pub const GROUPS_TABLE: &str = "followed_groups";
/// Table of cached events, one sealed row each under a keyed-hash row id.
pub const EVENTS_TABLE: &str = "group_events";

/// A followed group as the app shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FollowedGroup {
    /// The server's base URL: `https://host[:port]` with no trailing slash (plain `http://` only
    /// for this device).
    pub server_url: String,
    /// The group's id on that server: 1 to 64 ASCII letters and digits.
    pub group_id: String,
    /// The group's name, as the server sent it when the group was followed.
    pub name: String,
    /// The group's description, as the server sent it when the group was followed.
    pub description: String,
    /// Whether the group is public or private (a private one is read with a member token).
    pub visibility: Visibility,
    /// When the person followed it (UTC).
    pub followed_at: DateTime<Utc>,
    /// When a page of its change feed was last applied (UTC); `None` before the first sync.
    pub last_synced_at: Option<DateTime<Utc>>,
}

/// What is sealed per followed group: the group plus what sync needs.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct GroupRecord {
    pub server_url: String,
    pub group_id: String,
    pub name: String,
    pub description: String,
    pub visibility: Visibility,
    pub followed_at: DateTime<Utc>,
    pub last_synced_at: Option<DateTime<Utc>>,
    /// Opaque member token for a private group.
    pub member_token: Option<String>,
    /// The feed cursor of the last applied page.
    pub cursor: String,
    /// The ETag of the last response for `cursor`, for a one-request no-change poll.
    pub etag: Option<String>,
    /// When this group's server was last asked for a newer directory bundle.
    #[serde(default)]
    pub directory_checked_at: Option<DateTime<Utc>>,
}

/// A cached event with the group it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedEvent {
    /// Base URL of the server the event came from (as in [`FollowedGroup::server_url`]).
    pub server_url: String,
    /// Name of the group it came from, as stored when the group was followed.
    pub group_name: String,
    /// The event as the server sent it (its fields appear at the top level when serialised).
    #[serde(flatten)]
    pub event: Event,
}

impl CachedEvent {
    /// Whether the organiser cancelled the event.
    pub fn is_cancelled(&self) -> bool {
        self.event.input.status == Status::Cancelled
    }

    /// When it starts, in UTC (its local time read in its own time zone).
    pub fn starts_at_utc(&self) -> Option<DateTime<Utc>> {
        crate::zone::local_to_utc(&self.event.input.time_zone, self.event.input.starts_at)
    }

    /// When it ends, in UTC.
    pub fn ends_at_utc(&self) -> Option<DateTime<Utc>> {
        crate::zone::local_to_utc(&self.event.input.time_zone, self.event.input.ends_at)
    }
}

/// Which cached events to list.
#[derive(Debug, Clone)]
pub struct EventQuery {
    /// Events starting from this instant (ongoing ones included)...
    pub from: DateTime<Utc>,
    /// ...and up to this many days later.
    pub days: u32,
    /// Only events of the group with this id.
    pub group_id: Option<String>,
    /// Only events of this category.
    pub category: Option<Category>,
    /// Include cancelled events (marked as such).
    pub include_cancelled: bool,
}

impl EventQuery {
    /// Events from `now` for `days` days, every group and category, cancelled ones included
    /// (marked): what an events screen shows by default. Events under way at `now` are in it.
    pub fn from_now(now: DateTime<Utc>, days: u32) -> EventQuery {
        EventQuery {
            from: now,
            days,
            group_id: None,
            category: None,
            include_cancelled: true,
        }
    }
}

/// The followed groups and cached events of an unlocked profile.
#[derive(Clone)]
pub struct Groups {
    pub(crate) inner: Arc<Inner>,
}

impl Groups {
    pub(crate) fn new(inner: Arc<Inner>) -> Self {
        Groups { inner }
    }

    /// The followed groups, sorted by name (damaged rows are skipped).
    pub fn list(&self) -> Result<Vec<FollowedGroup>> {
        self.inner.with_unlocked(|u| {
            let mut groups: Vec<FollowedGroup> =
                records(u)?.into_iter().map(|(_, r)| r.public()).collect();
            groups.sort_by(|a, b| {
                a.name
                    .cmp(&b.name)
                    .then_with(|| a.group_id.cmp(&b.group_id))
            });
            Ok(groups)
        })
    }

    /// Stops following a group and forgets its cached events, in one transaction (and drops it
    /// from the background-sync manifest when that is on).
    pub fn unfollow(&self, group_id: &str) -> Result<()> {
        self.inner.with_unlocked(|u| {
            let matching: Vec<(String, GroupRecord)> = records(u)?
                .into_iter()
                .filter(|(_, r)| r.group_id == group_id)
                .collect();
            if matching.is_empty() {
                return Err(Error::NotFound);
            }
            let tx = u.store.conn().unchecked_transaction()?;
            for (row_id, record) in &matching {
                clear_events(u, &record.server_url, &record.group_id)?;
                u.delete_sealed(GROUPS_TABLE, row_id)?;
            }
            tx.commit()?;
            u.changed(DataTopic::Groups);
            Ok(())
        })?;
        // The background poll must stop asking for a group the person left.
        background::refresh_manifest(&self.inner)
    }

    /// Upcoming (and ongoing) events, soonest first.
    pub fn upcoming(&self, query: &EventQuery) -> Result<Vec<CachedEvent>> {
        // A huge `days` means "everything from now on", not an overflow.
        let until = Duration::try_days(i64::from(query.days))
            .and_then(|span| query.from.checked_add_signed(span))
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        self.inner.with_unlocked(|u| {
            let mut events: Vec<(DateTime<Utc>, CachedEvent)> = cached_events(u)?
                .into_iter()
                .filter(|e| {
                    query
                        .group_id
                        .as_deref()
                        .is_none_or(|g| e.event.group_id == g)
                })
                .filter(|e| query.category.is_none_or(|c| e.event.input.category == c))
                .filter(|e| query.include_cancelled || !e.is_cancelled())
                .filter_map(|e| {
                    let start = e.starts_at_utc()?;
                    let end = e.ends_at_utc()?;
                    (end >= query.from && start <= until).then_some((start, e))
                })
                .collect();
            events.sort_by(|(a, ea), (b, eb)| a.cmp(b).then_with(|| ea.event.id.cmp(&eb.event.id)));
            Ok(events.into_iter().map(|(_, e)| e).collect())
        })
    }

    /// One cached event by its id.
    pub fn event(&self, event_id: &str) -> Result<CachedEvent> {
        self.inner.with_unlocked(|u| {
            cached_events(u)?
                .into_iter()
                .find(|e| e.event.id == event_id)
                .ok_or(Error::NotFound)
        })
    }

    /// An iCalendar file (RFC 5545) with the given cached events, for "add to calendar".
    pub fn export_ics(&self, event_ids: &[String], now: DateTime<Utc>) -> Result<String> {
        let chosen: Vec<CachedEvent> = event_ids
            .iter()
            .map(|id| self.event(id))
            .collect::<Result<_>>()?;
        let items: Vec<ics::IcsEvent<'_>> = chosen
            .iter()
            .map(|e| ics::IcsEvent {
                event: &e.event,
                server: &e.server_url,
                group_name: &e.group_name,
            })
            .collect();
        ics::export(&items, now).map_err(|e| Error::invalid(InputProblem::Malformed, e.to_string()))
    }
}

impl GroupRecord {
    pub(crate) fn public(&self) -> FollowedGroup {
        FollowedGroup {
            server_url: self.server_url.clone(),
            group_id: self.group_id.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            visibility: self.visibility,
            followed_at: self.followed_at,
            last_synced_at: self.last_synced_at,
        }
    }

    pub(crate) fn row_id(&self, u: &Unlocked) -> String {
        group_row_id(u, &self.server_url, &self.group_id)
    }
}

pub(crate) fn group_row_id(u: &Unlocked, server_url: &str, group_id: &str) -> String {
    u.keyed_row_id(&["group", server_url, group_id])
}

pub(crate) fn event_row_id(
    u: &Unlocked,
    server_url: &str,
    group_id: &str,
    event_id: &str,
) -> String {
    u.keyed_row_id(&["event", server_url, group_id, event_id])
}

/// Every followed group with its row id (damaged rows are skipped).
pub(crate) fn records(u: &Unlocked) -> Result<Vec<(String, GroupRecord)>> {
    Ok(u.all_sealed::<GroupRecord>(GROUPS_TABLE)?
        .into_iter()
        .filter_map(|(id, r)| r.ok().map(|r| (id, r)))
        .collect())
}

/// Every readable cached event.
pub(crate) fn cached_events(u: &Unlocked) -> Result<Vec<CachedEvent>> {
    Ok(u.all_sealed::<CachedEvent>(EVENTS_TABLE)?
        .into_iter()
        .filter_map(|(_, e)| e.ok())
        .collect())
}

/// Deletes a group's cached events (inside the caller's transaction).
pub(crate) fn clear_events(u: &Unlocked, server_url: &str, group_id: &str) -> Result<usize> {
    let mut removed = 0;
    for event in cached_events(u)? {
        if event.server_url == server_url && event.event.group_id == group_id {
            removed += usize::from(u.delete_sealed(
                EVENTS_TABLE,
                &event_row_id(u, server_url, group_id, &event.event.id),
            )?);
        }
    }
    Ok(removed)
}
