//! Peer groups: follow, sync (uniffi async on tokio: Kotlin `suspend`, Swift `async`), the
//! cached events, and "add to calendar".

use chrono::Utc;

use crate::error::Result;
use crate::journal::parse_instant;
use crate::profile::KinshipProfile;

mirror_enum! {
    GroupVisibility <=> kinship_protocol::Visibility {
        Public,
        /// Joined with an invite code; members stay anonymous.
        Private,
    }
}

mirror_enum! {
    EventCategory <=> kinship_protocol::Category {
        Social,
        Advocacy,
        Workshop,
        Discussion,
        Other,
    }
}

#[derive(Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct FollowedGroup {
    pub server_url: String,
    pub group_id: String,
    pub name: String,
    pub description: String,
    pub visibility: GroupVisibility,
    /// RFC 3339, UTC.
    pub followed_at: String,
    pub last_synced_at: Option<String>,
}

/// An event cached on the phone, readable offline.
#[derive(Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct GroupEvent {
    pub id: String,
    pub group_id: String,
    pub group_name: String,
    pub server_url: String,
    pub title: String,
    pub description: String,
    /// Local wall-clock time `YYYY-MM-DDTHH:MM:SS` in `time_zone`, as the organizer set it.
    pub starts_at: String,
    pub ends_at: String,
    /// IANA time zone, e.g. `Europe/Lisbon`.
    pub time_zone: String,
    /// RFC 3339 UTC start, for sorting and reminders (`None` for an unknown time zone).
    pub starts_at_utc: Option<String>,
    pub ends_at_utc: Option<String>,
    pub online_url: Option<String>,
    pub place_name: Option<String>,
    pub place_address: Option<String>,
    pub accessibility: Option<String>,
    pub category: EventCategory,
    pub cancelled: bool,
    /// RFC 3339, UTC: when the organizer last changed it.
    pub updated_at: String,
}

/// Which cached events to list.
#[derive(Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct EventQuery {
    /// RFC 3339; now when unset. Ongoing events are included.
    #[uniffi(default = None)]
    pub from: Option<String>,
    #[uniffi(default = 30)]
    pub days: u32,
    #[uniffi(default = None)]
    pub group_id: Option<String>,
    #[uniffi(default = None)]
    pub category: Option<EventCategory>,
    /// Include cancelled events (marked `cancelled`).
    #[uniffi(default = false)]
    pub include_cancelled: bool,
}

/// What one sync changed in one group.
#[derive(Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct GroupSyncResult {
    pub group_id: String,
    pub name: String,
    pub new_events: u32,
    pub updated_events: u32,
    pub removed_events: u32,
    /// The server said nothing changed (one request, answered 304).
    pub not_modified: bool,
    /// Why this group could not be synced this time; its cached events stay.
    pub error: Option<String>,
}

#[derive(Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct SyncSummary {
    pub groups: u32,
    pub new_events: u32,
    pub updated_events: u32,
    pub removed_events: u32,
    pub per_group: Vec<GroupSyncResult>,
    pub errors: Vec<String>,
    /// A newer signed directory installed during this sync.
    pub directory_version: Option<u64>,
    /// "This number didn't work" reports the server accepted in this sync.
    pub reports_sent: u32,
}

#[uniffi::export(async_runtime = "tokio")]
impl KinshipProfile {
    /// Follows a peer group (a private one needs its invite code).
    pub async fn follow_group(
        &self,
        server_url: String,
        group_id: String,
        invite_code: Option<String>,
    ) -> Result<FollowedGroup> {
        let followed = self
            .inner
            .groups()
            .follow(&server_url, &group_id, invite_code.as_deref())
            .await?;
        Ok(followed.into())
    }

    /// Pulls every followed group's changes. Offline raises `Offline` only when no server
    /// could be reached; one failing group is reported in the summary.
    pub async fn sync_now(&self) -> Result<SyncSummary> {
        let report = self.inner.groups().sync_now().await?;
        let per_group: Vec<GroupSyncResult> = report
            .groups
            .into_iter()
            .map(|g| GroupSyncResult {
                group_id: g.group_id,
                name: g.name,
                new_events: g.new as u32,
                updated_events: g.updated as u32,
                removed_events: g.removed as u32,
                not_modified: g.not_modified,
                error: g.error,
            })
            .collect();
        let sum = |f: fn(&GroupSyncResult) -> u32| per_group.iter().map(f).sum::<u32>();
        Ok(SyncSummary {
            groups: per_group.len() as u32,
            new_events: sum(|g| g.new_events),
            updated_events: sum(|g| g.updated_events),
            removed_events: sum(|g| g.removed_events),
            errors: per_group.iter().filter_map(|g| g.error.clone()).collect(),
            per_group,
            directory_version: report.directory_version,
            reports_sent: u32::try_from(report.reports_sent).unwrap_or(u32::MAX),
        })
    }
}

#[uniffi::export]
impl KinshipProfile {
    /// Stops following a group and forgets its cached events.
    pub fn unfollow_group(&self, group_id: String) -> Result<()> {
        Ok(self.inner.groups().unfollow(&group_id)?)
    }

    pub fn followed_groups(&self) -> Result<Vec<FollowedGroup>> {
        let groups = self.inner.groups().list()?;
        Ok(groups.into_iter().map(Into::into).collect())
    }

    /// Cached upcoming (and ongoing) events, soonest first; works offline.
    pub fn upcoming_events(&self, query: EventQuery) -> Result<Vec<GroupEvent>> {
        let from = match query.from.as_deref() {
            Some(from) => parse_instant(from)?,
            None => Utc::now(),
        };
        let query = kinship_core::groups::EventQuery {
            group_id: query.group_id,
            category: query.category.map(Into::into),
            include_cancelled: query.include_cancelled,
            ..kinship_core::groups::EventQuery::from_now(from, query.days)
        };
        let events = self.inner.groups().upcoming(&query)?;
        Ok(events.into_iter().map(Into::into).collect())
    }

    pub fn get_event(&self, event_id: String) -> Result<GroupEvent> {
        Ok(self.inner.groups().event(&event_id)?.into())
    }

    /// An iCalendar file (RFC 5545) with these cached events, for "add to calendar".
    pub fn export_events_ics(&self, event_ids: Vec<String>) -> Result<String> {
        Ok(self.inner.groups().export_ics(&event_ids, Utc::now())?)
    }
}

impl From<kinship_core::groups::FollowedGroup> for FollowedGroup {
    fn from(g: kinship_core::groups::FollowedGroup) -> Self {
        FollowedGroup {
            server_url: g.server_url,
            group_id: g.group_id,
            name: g.name,
            description: g.description,
            visibility: g.visibility.into(),
            followed_at: crate::rfc3339(&g.followed_at),
            last_synced_at: g.last_synced_at.map(|t| crate::rfc3339(&t)),
        }
    }
}

impl From<kinship_core::groups::CachedEvent> for GroupEvent {
    fn from(cached: kinship_core::groups::CachedEvent) -> Self {
        let starts_at_utc = cached.starts_at_utc().map(|t| crate::rfc3339(&t));
        let ends_at_utc = cached.ends_at_utc().map(|t| crate::rfc3339(&t));
        let cancelled = cached.is_cancelled();
        let event = cached.event;
        let input = event.input;
        let (place_name, place_address) = match input.place {
            Some(place) => (Some(place.name), Some(place.address)),
            None => (None, None),
        };
        GroupEvent {
            id: event.id,
            group_id: event.group_id,
            group_name: cached.group_name,
            server_url: cached.server_url,
            title: input.title,
            description: input.description,
            starts_at: input.starts_at.format("%Y-%m-%dT%H:%M:%S").to_string(),
            ends_at: input.ends_at.format("%Y-%m-%dT%H:%M:%S").to_string(),
            time_zone: input.time_zone,
            starts_at_utc,
            ends_at_utc,
            online_url: input.online_url,
            place_name,
            place_address,
            accessibility: input.accessibility,
            category: input.category.into(),
            cancelled,
            updated_at: crate::rfc3339(&event.updated_at),
        }
    }
}

redacted_display!(
    FollowedGroup,
    GroupEvent(id),
    EventQuery,
    GroupSyncResult,
    SyncSummary,
);
