//! Peer groups: follow, sync (uniffi async on tokio: Kotlin `suspend`, Swift `async`), the
//! cached events, and "add to calendar".

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use chrono::Utc;
use zeroize::Zeroizing;

use crate::error::{InputProblem, KinshipError, Result};
use crate::task::{until_cancelled, CancelToken};
use crate::time::{LocalDateTime, TimeZoneId};

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
    pub followed_at: SystemTime,
    pub last_synced_at: Option<SystemTime>,
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
    /// The wall-clock start as the organizer set it, in `time_zone`.
    pub starts_at: LocalDateTime,
    pub ends_at: LocalDateTime,
    pub time_zone: TimeZoneId,
    /// The start as an instant, for sorting and reminders (`None` when the library does not
    /// know the time zone).
    pub start_instant: Option<SystemTime>,
    pub end_instant: Option<SystemTime>,
    pub online_url: Option<String>,
    pub place_name: Option<String>,
    pub place_address: Option<String>,
    pub accessibility: Option<String>,
    pub category: EventCategory,
    pub cancelled: bool,
    /// When the organizer last changed it.
    pub updated_at: SystemTime,
}

/// Which cached events to list.
#[derive(Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct EventQuery {
    /// Now when unset. Ongoing events are included.
    #[uniffi(default = None)]
    pub from: Option<SystemTime>,
    #[uniffi(default = 30)]
    pub days: i32,
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
    pub new_events: i32,
    pub updated_events: i32,
    pub removed_events: i32,
    /// The server said nothing changed (one request, answered 304).
    pub not_modified: bool,
    /// Why this group could not be synced this time; its cached events stay.
    pub error: Option<String>,
}

#[derive(Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct SyncSummary {
    pub groups: i32,
    pub new_events: i32,
    pub updated_events: i32,
    pub removed_events: i32,
    pub per_group: Vec<GroupSyncResult>,
    pub errors: Vec<String>,
    /// A newer signed directory installed during this sync.
    pub directory_version: Option<i64>,
    /// "This number didn't work" reports the server accepted in this sync.
    pub reports_sent: i32,
}

/// How patient a sync is; unset fields keep the defaults (15 s per request, 4 tries).
#[derive(Clone, Default, PartialEq, uniffi::Record)]
pub struct SyncSettings {
    /// Time limit of one request, in milliseconds (connecting gets at most 5 s of it).
    #[uniffi(default = None)]
    pub request_timeout_ms: Option<i32>,
    /// Tries per request, the first included (1 to 10).
    #[uniffi(default = None)]
    pub max_attempts: Option<i32>,
}

/// What a sync while locked did. The events stay sealed until the next unlock merges them.
#[derive(Clone, PartialEq, uniffi::Record)]
pub struct BackgroundSyncSummary {
    pub groups_polled: i32,
    /// Feed pages stored, sealed, for the next unlock.
    pub pages_stored: i32,
    /// Changed and deleted events in them (counted, not read: a notification can say "new
    /// events in your groups" without saying which).
    pub events_received: i32,
    pub failures: Vec<BackgroundPollFailure>,
    /// The vault was unlocked, so a normal sync ran instead.
    pub ran_unlocked_sync: bool,
}

/// One group a sync while locked could not poll.
#[derive(Clone, PartialEq, uniffi::Record)]
pub struct BackgroundPollFailure {
    pub group_id: String,
    pub problem: BackgroundPollProblem,
    /// The HTTP status, where there was one.
    pub status: Option<i32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum BackgroundPollProblem {
    Offline,
    /// The member token was refused (revoked, or the group closed).
    AccessRefused,
    /// The server answered with something unusable.
    Server,
    /// The phone's storage failed.
    Storage,
}

/// What the merge at the last unlock took in from background syncs.
#[derive(Clone, PartialEq, uniffi::Record)]
pub struct BackgroundMergeSummary {
    pub pages_applied: i32,
    pub pages_skipped: i32,
    /// Stored pages that failed to open (damaged or tampered), removed unread.
    pub damaged: i32,
    pub new_events: i32,
    pub updated_events: i32,
    pub removed_events: i32,
}

/// What a join link names, for a "join this group?" screen. The invite code stays inside the
/// library: pass the whole link to [`Groups::join`].
#[derive(Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct JoinLinkInfo {
    /// The server's base URL (`https://host[:port][/base]`).
    pub server_url: String,
    /// The group's id on that server.
    pub group_id: String,
    /// Whether the link carries an invite code (a private group's link does).
    pub has_invite: bool,
}

/// Reads a join link (`https://HOST/join/GROUP_ID[#invite=CODE]`) without joining: what it
/// names, never the invite code. `InvalidInput` (field `link`) when it is not a join link.
#[uniffi::export]
pub fn parse_join_link(link: String) -> Result<JoinLinkInfo> {
    let link = Zeroizing::new(link);
    let parsed = kinship_core::groups::join_link::JoinLink::parse(&link)?;
    Ok(JoinLinkInfo {
        server_url: parsed.server_url.clone(),
        group_id: parsed.group_id.clone(),
        has_invite: parsed.invite_code.is_some(),
    })
}

/// Followed peer groups and their cached events (`KinshipProfile.groups()`).
#[derive(uniffi::Object)]
pub struct Groups {
    pub(crate) core: kinship_core::Kinship,
}

#[uniffi::export(async_runtime = "tokio")]
impl Groups {
    /// Follows a peer group (a private one needs its invite code).
    #[uniffi::method(default(cancel = None))]
    pub async fn follow(
        &self,
        server_url: String,
        group_id: String,
        invite_code: Option<String>,
        cancel: Option<Arc<CancelToken>>,
    ) -> Result<FollowedGroup> {
        let groups = self.core.groups();
        let following = async {
            Ok(groups
                .follow(&server_url, &group_id, invite_code.as_deref())
                .await?)
        };
        Ok(until_cancelled(cancel, following).await?.into())
    }

    /// Follows the group a join link names, with the link's invite code if it has one (see
    /// [`parse_join_link`] to show what it names first).
    #[uniffi::method(default(cancel = None))]
    pub async fn join(
        &self,
        link: String,
        cancel: Option<Arc<CancelToken>>,
    ) -> Result<FollowedGroup> {
        let link = Zeroizing::new(link);
        let groups = self.core.groups();
        let joining = async { Ok(groups.join(&link).await?) };
        Ok(until_cancelled(cancel, joining).await?.into())
    }

    /// For a background job while the vault is locked (WorkManager, BGAppRefreshTask): polls
    /// the followed groups with the 32-byte background key the OS releases without the person,
    /// and stores what comes back sealed so that only an unlock can read it (merged then).
    /// `WrongDeviceKey` when the key does not fit, `NotFound` when background sync is off,
    /// `Offline` when no server answered. See docs/SECURITY.md for what the opt-in exposes.
    #[uniffi::method(default(cancel = None))]
    pub async fn sync_while_locked(
        &self,
        background_key: Vec<u8>,
        settings: Option<SyncSettings>,
        cancel: Option<Arc<CancelToken>>,
    ) -> Result<BackgroundSyncSummary> {
        let background_key = Zeroizing::new(background_key);
        let options = sync_options(settings.unwrap_or_default())?;
        let polling = async {
            Ok(self
                .core
                .sync_while_locked(&background_key, &options)
                .await?)
        };
        Ok(background_summary(until_cancelled(cancel, polling).await?))
    }

    /// Pulls every followed group's changes. Offline raises `Offline` only when no server
    /// could be reached; one failing group is reported in the summary. Cancelling stops
    /// between requests; what was stored by then stays (each page is stored whole).
    #[uniffi::method(default(settings = None, cancel = None))]
    pub async fn sync_now(
        &self,
        settings: Option<SyncSettings>,
        cancel: Option<Arc<CancelToken>>,
    ) -> Result<SyncSummary> {
        let options = sync_options(settings.unwrap_or_default())?;
        let groups = self.core.groups();
        let syncing = async { Ok(groups.sync_with(&options).await?) };
        Ok(summary(until_cancelled(cancel, syncing).await?))
    }
}

#[uniffi::export]
impl Groups {
    /// Turns on background sync while locked (needs the vault unlocked). `background_key` is a
    /// random 32-byte key the app keeps with "after first unlock" access (docs/PHONES.md),
    /// never the device key.
    pub fn enable_background_sync(&self, background_key: Vec<u8>) -> Result<()> {
        let background_key = Zeroizing::new(background_key);
        Ok(self.core.enable_background_sync(&background_key)?)
    }

    /// Turns it off (needs the vault unlocked): merges what was stored, then shreds the
    /// manifest and the stored pages. The app deletes its background key then.
    pub fn disable_background_sync(&self) -> Result<()> {
        Ok(self.core.disable_background_sync()?)
    }

    /// Whether background sync is on; works while locked.
    pub fn background_sync_enabled(&self) -> Result<bool> {
        Ok(self.core.background_sync_enabled()?)
    }

    /// What the merge at the last unlock took in, if there was one.
    pub fn last_background_merge(&self) -> Result<Option<BackgroundMergeSummary>> {
        let merged = self.core.background_sync().last_merge()?;
        Ok(merged.map(|m| BackgroundMergeSummary {
            pages_applied: crate::count_out(m.pages_applied),
            pages_skipped: crate::count_out(m.pages_skipped),
            damaged: crate::count_out(m.damaged),
            new_events: crate::count_out(m.new),
            updated_events: crate::count_out(m.updated),
            removed_events: crate::count_out(m.removed),
        }))
    }

    /// Stops following a group and forgets its cached events.
    pub fn unfollow(&self, group_id: String) -> Result<()> {
        Ok(self.core.groups().unfollow(&group_id)?)
    }

    /// Calls `listener` after every committed change to followed groups or cached events.
    pub fn observe_changes(
        &self,
        listener: Arc<dyn crate::listeners::ChangeListener>,
    ) -> Arc<crate::task::TaskHandle> {
        crate::listeners::observe_changes(
            &self.core,
            kinship_core::events::DataTopic::Groups,
            listener,
        )
    }

    /// Calls `listener` with each step and the result of every sync (this profile's, started
    /// by anyone).
    pub fn observe_sync(
        &self,
        listener: Arc<dyn crate::listeners::SyncListener>,
    ) -> Arc<crate::task::TaskHandle> {
        crate::listeners::observe_sync(&self.core, listener)
    }

    pub fn followed(&self) -> Result<Vec<FollowedGroup>> {
        let groups = self.core.groups().list()?;
        Ok(groups.into_iter().map(Into::into).collect())
    }

    /// Cached upcoming (and ongoing) events, soonest first; works offline.
    pub fn upcoming_events(&self, query: EventQuery) -> Result<Vec<GroupEvent>> {
        let from = query.from.map(crate::time::utc).unwrap_or_else(Utc::now);
        let days = u32::try_from(query.days).map_err(|_| KinshipError::InvalidInput {
            field: Some("days".into()),
            problem: InputProblem::OutOfRange,
            reason: "days must not be negative".into(),
        })?;
        let query = kinship_core::groups::EventQuery {
            group_id: query.group_id,
            category: query.category.map(Into::into),
            include_cancelled: query.include_cancelled,
            ..kinship_core::groups::EventQuery::from_now(from, days)
        };
        let events = self.core.groups().upcoming(&query)?;
        Ok(events.into_iter().map(Into::into).collect())
    }

    pub fn event(&self, event_id: String) -> Result<GroupEvent> {
        Ok(self.core.groups().event(&event_id)?.into())
    }

    /// An iCalendar file (RFC 5545) with these cached events, for "add to calendar".
    pub fn export_ics(&self, event_ids: Vec<String>) -> Result<String> {
        Ok(self.core.groups().export_ics(&event_ids, Utc::now())?)
    }
}

fn sync_options(settings: SyncSettings) -> Result<kinship_core::sync::SyncOptions> {
    let mut options = kinship_core::sync::SyncOptions::default();
    if let Some(ms) = settings.request_timeout_ms {
        let ms = u64::try_from(ms)
            .ok()
            .filter(|ms| (100..=120_000).contains(ms))
            .ok_or_else(|| out_of_range("request_timeout_ms", "between 100 ms and 2 minutes"))?;
        options.timeout = Duration::from_millis(ms);
    }
    if let Some(tries) = settings.max_attempts {
        options.max_attempts = u32::try_from(tries)
            .ok()
            .filter(|t| (1..=10).contains(t))
            .ok_or_else(|| out_of_range("max_attempts", "between 1 and 10"))?;
    }
    Ok(options)
}

fn out_of_range(field: &str, reason: &str) -> KinshipError {
    KinshipError::InvalidInput {
        field: Some(field.into()),
        problem: InputProblem::OutOfRange,
        reason: reason.into(),
    }
}

fn background_summary(
    report: kinship_core::background::BackgroundSyncReport,
) -> BackgroundSyncSummary {
    use kinship_core::background::PollError;
    BackgroundSyncSummary {
        groups_polled: crate::count_out(report.groups_polled),
        pages_stored: crate::count_out(report.pages_stored),
        events_received: crate::count_out(report.events_received),
        failures: report
            .failures
            .into_iter()
            .map(|f| {
                let (problem, status) = match f.error {
                    PollError::Offline => (BackgroundPollProblem::Offline, None),
                    PollError::AccessRefused { status } => {
                        (BackgroundPollProblem::AccessRefused, Some(status))
                    }
                    PollError::Server { status } => (BackgroundPollProblem::Server, status),
                    PollError::Storage => (BackgroundPollProblem::Storage, None),
                };
                BackgroundPollFailure {
                    group_id: f.group_id,
                    problem,
                    status: status.map(i32::from),
                }
            })
            .collect(),
        ran_unlocked_sync: report.unlocked_sync.is_some(),
    }
}

pub(crate) fn summary(report: kinship_core::sync::SyncReport) -> SyncSummary {
    let per_group: Vec<GroupSyncResult> = report
        .groups
        .into_iter()
        .map(|g| GroupSyncResult {
            group_id: g.group_id,
            name: g.name,
            new_events: crate::count_out(g.new),
            updated_events: crate::count_out(g.updated),
            removed_events: crate::count_out(g.removed),
            not_modified: g.not_modified,
            error: g.error,
        })
        .collect();
    let sum = |f: fn(&GroupSyncResult) -> i32| per_group.iter().map(f).sum::<i32>();
    SyncSummary {
        groups: crate::count_out(per_group.len()),
        new_events: sum(|g| g.new_events),
        updated_events: sum(|g| g.updated_events),
        removed_events: sum(|g| g.removed_events),
        errors: per_group.iter().filter_map(|g| g.error.clone()).collect(),
        per_group,
        directory_version: report
            .directory_version
            .map(|v| i64::try_from(v).unwrap_or(i64::MAX)),
        reports_sent: crate::count_out(report.reports_sent),
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
            followed_at: crate::time::instant(&g.followed_at),
            last_synced_at: g.last_synced_at.as_ref().map(crate::time::instant),
        }
    }
}

impl From<kinship_core::groups::CachedEvent> for GroupEvent {
    fn from(cached: kinship_core::groups::CachedEvent) -> Self {
        let start_instant = cached.starts_at_utc().as_ref().map(crate::time::instant);
        let end_instant = cached.ends_at_utc().as_ref().map(crate::time::instant);
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
            starts_at: LocalDateTime(input.starts_at),
            ends_at: LocalDateTime(input.ends_at),
            time_zone: TimeZoneId(input.time_zone),
            start_instant,
            end_instant,
            online_url: input.online_url,
            place_name,
            place_address,
            accessibility: input.accessibility,
            category: input.category.into(),
            cancelled,
            updated_at: crate::time::instant(&event.updated_at),
        }
    }
}

redacted_display!(
    FollowedGroup,
    JoinLinkInfo(group_id, has_invite),
    GroupEvent(id),
    EventQuery,
    GroupSyncResult,
    SyncSummary,
);
