//! Sync with peer-group servers: follow groups, pull their change feeds, keep events offline.
//!
//! Offline is a normal state. Each page of a feed is applied in one transaction together with
//! the cursor that follows it, so a server that vanishes mid-sync leaves either the old or the
//! new page, never half, and the next sync resumes from the stored cursor. A no-change poll is
//! one request answered `304 Not Modified`. Requests retry with exponential backoff and jitter,
//! honour `Retry-After`, and report `Offline` when the server cannot be reached. The journal
//! never leaves the device: only group ids, member tokens and cursors are ever sent.

use crate::error::InputProblem;
use std::collections::BTreeSet;
use std::time::Duration;

use super::transport::{header, Http, StatusCode};
use chrono::Utc;
use kinship_protocol::{FeedPage, Group, JoinRequest, JoinResponse, Visibility};
use serde::Serialize;

pub use super::transport::MAX_RESPONSE_BYTES;
use super::transport::{
    client, normalize_server, read_bounded, read_json, remote, remote_status, send, with_token,
};
use crate::directory::bundle;
use crate::error::{Error, Result};
use crate::events::{DataTopic, DirectoryEvent, Event, SyncEvent};
use crate::groups::{
    clear_events, event_row_id, group_row_id, records, CachedEvent, FollowedGroup, GroupRecord,
    Groups, EVENTS_TABLE, GROUPS_TABLE,
};

/// How hard to try.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Events asked for per feed page (the `limit` parameter); 200 by default.
    pub page_size: u32,
    /// Tries per request, the first included; connection failures, timeouts, 5xx and 429 answers
    /// are retried. 4 by default.
    pub max_attempts: u32,
    /// Wait before the first retry, doubled for each further one, plus random jitter of up to the
    /// same again; 250 ms by default.
    pub base_backoff: Duration,
    /// The longest `Retry-After` honoured before giving up on that request.
    pub max_retry_after: Duration,
    /// Time limit of one request; connecting is limited to the smaller of this and 5 seconds. 15 s
    /// by default.
    pub timeout: Duration,
    /// How often to ask a server for a newer directory bundle (not on every poll, so a poll
    /// with nothing new stays one request).
    pub directory_check_interval: Duration,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            page_size: 200,
            max_attempts: 4,
            base_backoff: Duration::from_millis(250),
            max_retry_after: Duration::from_secs(30),
            timeout: Duration::from_secs(15),
            directory_check_interval: Duration::from_secs(24 * 3600),
        }
    }
}

/// What one sync changed, per group.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SyncReport {
    /// One report per followed group.
    pub groups: Vec<GroupSyncReport>,
    /// A newer signed directory installed from a server.
    pub directory_version: Option<u64>,
    /// Why a server's directory bundle was refused (the old directory stays).
    pub directory_error: Option<String>,
    /// "This number didn't work" reports the server accepted in this sync.
    pub reports_sent: usize,
    /// HTTP requests made, retries included.
    pub requests: u32,
}

/// What one sync changed in one followed group.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GroupSyncReport {
    /// The group's server (base URL).
    pub server_url: String,
    /// The group's id on that server.
    pub group_id: String,
    /// The group's name, as stored when it was followed.
    pub name: String,
    /// Events cached for the first time.
    pub new: usize,
    /// Cached events replaced by the version the server sent.
    pub updated: usize,
    /// Cached events removed because the server deleted them.
    pub removed: usize,
    /// Answered 304: nothing changed since the last sync.
    pub not_modified: bool,
    /// The server no longer had our cursor's history, so the group was fetched from scratch.
    pub resynced: bool,
    /// Why this group could not be synced this time (its cached events stay).
    pub error: Option<String>,
}

impl Groups {
    /// Follows a group on `server_url`; a private group needs its invite code, which is
    /// exchanged for an opaque member token (sealed, like everything here).
    pub async fn follow(
        &self,
        server_url: &str,
        group_id: &str,
        invite_code: Option<&str>,
    ) -> Result<FollowedGroup> {
        let server_url = normalize_server(server_url)?;
        if group_id.is_empty()
            || group_id.len() > 64
            || !group_id.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return Err(Error::invalid_field(
                InputProblem::Malformed,
                "group_id",
                "a group id is letters and digits",
            ));
        }
        let already = self.inner.with_unlocked(|u| {
            Ok(records(u)?
                .iter()
                .any(|(_, r)| r.server_url == server_url && r.group_id == group_id))
        })?;
        if already {
            return Err(Error::invalid(
                InputProblem::Duplicate,
                "you already follow this group",
            ));
        }
        let http = client(&SyncOptions::default())?;
        let options = SyncOptions::default();
        let mut requests = 0;
        let member_token = match invite_code {
            Some(code) => {
                let url = format!("{server_url}/v1/groups/{group_id}/join");
                let body = JoinRequest {
                    invite_code: code.to_owned(),
                };
                let response =
                    send(&options, &mut requests, || http.post(&url).json(&body)).await?;
                match response.status() {
                    StatusCode::CREATED | StatusCode::OK => {
                        Some(read_json::<JoinResponse>(response).await?.member_token)
                    }
                    StatusCode::FORBIDDEN => {
                        // The server answers a missing group as it answers a wrong code.
                        return Err(remote(
                            403,
                            "the invite code was not accepted, or there is no such group",
                        ));
                    }
                    StatusCode::CONFLICT => None,
                    status => return Err(remote_status(status)),
                }
            }
            None => None,
        };
        let url = format!("{server_url}/v1/groups/{group_id}");
        let response = send(&options, &mut requests, || {
            with_token(http.get(&url), member_token.as_deref())
        })
        .await?;
        let group: Group = match response.status() {
            StatusCode::OK => read_json(response).await?,
            StatusCode::UNAUTHORIZED => {
                return Err(remote(
                    401,
                    "this group is private: an invite code is needed",
                ))
            }
            StatusCode::FORBIDDEN => return Err(remote(403, "this group refused access")),
            // A private group answers as a missing one to whoever has no token for it.
            StatusCode::NOT_FOUND => {
                return Err(remote(
                    404,
                    "no such group on that server, or it is private: ask for an invite link",
                ))
            }
            status => return Err(remote_status(status)),
        };
        // A hostile server could answer with another group's id and overwrite a followed group
        // (and its member token) under that id.
        if group.id != group_id {
            return Err(remote(200, "the server answered with another group"));
        }
        // Names are shown to the person: refuse control characters and absurd lengths.
        kinship_protocol::validate_group(&group.name, &group.description)
            .map_err(|e| remote(200, &format!("the server sent an unusable group ({e})")))?;
        if group.visibility == Visibility::Private && member_token.is_none() {
            return Err(remote(
                401,
                "this group is private: an invite code is needed",
            ));
        }
        let record = GroupRecord {
            server_url,
            group_id: group.id,
            name: group.name,
            description: group.description,
            visibility: group.visibility,
            followed_at: Utc::now(),
            last_synced_at: None,
            member_token,
            cursor: "0".into(),
            etag: None,
            directory_checked_at: None,
        };
        let followed = self.inner.with_unlocked(|u| {
            u.put_sealed(GROUPS_TABLE, &record.row_id(u), &record)?;
            u.changed(DataTopic::Groups);
            Ok(record.public())
        })?;
        super::background::refresh_manifest(&self.inner)?;
        Ok(followed)
    }

    /// Pulls every followed group's changes (and a newer directory bundle, if a server has one).
    pub async fn sync_now(&self) -> Result<SyncReport> {
        self.sync_with(&SyncOptions::default()).await
    }

    /// As [`Groups::sync_now`], with explicit options. Fails with [`Error::Offline`] when the
    /// server of every followed group was unreachable; a group that fails otherwise is reported
    /// in its [`GroupSyncReport::error`] while the others still sync. Does not count as use for
    /// the auto-lock.
    pub async fn sync_with(&self, options: &SyncOptions) -> Result<SyncReport> {
        let followed = self.inner.with_unlocked_in_background(|u| {
            Ok(records(u)?.into_iter().map(|(_, r)| r).collect::<Vec<_>>())
        })?;
        let http = client(options)?;
        let mut report = SyncReport::default();
        let mut offline = 0;
        log::info!("sync started: {} groups", followed.len());
        self.inner.events.publish(Event::Sync(SyncEvent::Started {
            groups: followed.len(),
        }));
        for (n, record) in followed.iter().enumerate() {
            let mut group_report = GroupSyncReport {
                server_url: record.server_url.clone(),
                group_id: record.group_id.clone(),
                name: record.name.clone(),
                ..GroupSyncReport::default()
            };
            if let Err(err) = self
                .sync_group(
                    &http,
                    options,
                    record,
                    &mut group_report,
                    &mut report.requests,
                )
                .await
            {
                if matches!(err, Error::Offline) {
                    offline += 1;
                }
                log::info!("sync: group #{n} failed ({})", failure_kind(&err));
                group_report.error = Some(err.to_string());
            } else {
                log::info!(
                    "sync: group #{n}: {} new, {} updated, {} removed{}",
                    group_report.new,
                    group_report.updated,
                    group_report.removed,
                    if group_report.not_modified {
                        " (304)"
                    } else {
                        ""
                    }
                );
            }
            self.inner
                .events
                .publish(Event::Sync(SyncEvent::GroupFinished {
                    group_id: group_report.group_id.clone(),
                    new_or_changed: group_report.new + group_report.updated,
                    removed: group_report.removed,
                    error: group_report.error.clone(),
                }));
            report.groups.push(group_report);
        }
        let failed = report.groups.iter().filter(|g| g.error.is_some()).count();
        if !followed.is_empty() && offline == followed.len() {
            self.finished(followed.len(), failed);
            return Err(Error::Offline);
        }
        // Finished is told whatever happens next: the groups' work is done and committed.
        let after = self
            .after_groups(&http, options, &followed, &mut report)
            .await;
        self.finished(followed.len(), failed);
        after.map(|()| report)
    }

    /// The directory check and the queued reports, once the groups are synced.
    async fn after_groups(
        &self,
        http: &Http,
        options: &SyncOptions,
        followed: &[GroupRecord],
        report: &mut SyncReport,
    ) -> Result<()> {
        let now = Utc::now();
        let due = |r: &GroupRecord| {
            r.directory_checked_at.is_none_or(|t| {
                (now - t).to_std().unwrap_or_default() >= options.directory_check_interval
            })
        };
        let servers: BTreeSet<&str> = followed
            .iter()
            .filter(|r| due(r))
            .map(|r| r.server_url.as_str())
            .collect();
        for server in servers {
            if self.fetch_directory(http, options, server, report).await {
                self.mark_directory_checked(server, now)?;
            }
        }
        // Reports go to the server the person has synced with longest (one server, so that
        // following several does not spread them around).
        if let Some(server) = followed
            .iter()
            .min_by_key(|r| r.followed_at)
            .map(|r| r.server_url.clone())
        {
            report.reports_sent = self
                .send_reports(http, options, &server, &mut report.requests)
                .await?;
        }
        if report.reports_sent > 0 {
            log::info!("sync: {} directory reports sent", report.reports_sent);
        }
        // New cursors: the background poll goes on from here.
        super::background::refresh_manifest(&self.inner)?;
        Ok(())
    }

    /// Logs and tells sync listeners that a sync is over.
    fn finished(&self, groups: usize, failed: usize) {
        log::info!("sync finished: {groups} groups, {failed} failed");
        self.inner
            .events
            .publish(Event::Sync(SyncEvent::Finished { groups, failed }));
    }

    /// Sends queued directory reports with no token; each one the server accepted (202) or
    /// refused for good (400, 413, 422) leaves the queue; anything else keeps the rest for the
    /// next sync.
    async fn send_reports(
        &self,
        http: &Http,
        options: &SyncOptions,
        server: &str,
        requests: &mut u32,
    ) -> Result<usize> {
        let queued = self
            .inner
            .with_unlocked_in_background(|u| crate::directory::private::queued(u))?;
        let url = format!("{server}/v1/directory/reports");
        let mut sent = 0;
        for report in queued {
            let body = report.to_wire();
            let Ok(response) = send(options, requests, || http.post(&url).json(&body)).await else {
                break;
            };
            let status = response.status();
            let done = status == StatusCode::ACCEPTED;
            let refused = matches!(status.as_u16(), 400 | 413 | 422);
            if !done && !refused {
                break;
            }
            self.inner.with_unlocked_in_background(|u| {
                let removed = u.delete_sealed(crate::directory::reports::TABLE, &report.id)?;
                // The queue the app may show (`queued_reports`) got shorter.
                u.changed(DataTopic::PersonalDirectory);
                Ok(removed)
            })?;
            sent += usize::from(done);
        }
        Ok(sent)
    }

    async fn sync_group(
        &self,
        http: &Http,
        options: &SyncOptions,
        start: &GroupRecord,
        report: &mut GroupSyncReport,
        requests: &mut u32,
    ) -> Result<()> {
        let mut record = start.clone();
        // Bounded: a server cannot keep a phone paging forever.
        for _ in 0..MAX_PAGES_PER_SYNC {
            let fetched = fetch_page(http, options, &FeedPosition::of(&record), requests).await?;
            let (page, new_etag) = match fetched {
                Fetched::NotModified => {
                    report.not_modified = report.new + report.updated + report.removed == 0;
                    return Ok(());
                }
                Fetched::Gone => {
                    record = self.restart_from_scratch(&record)?;
                    report.resynced = true;
                    continue;
                }
                Fetched::Page { page, etag } => (page, etag),
            };
            let quiet = is_quiet(&page);
            let Some(applied) = self.apply_page(&record, &page, new_etag, None)? else {
                return Ok(()); // unfollowed meanwhile
            };
            report.new += applied.new;
            report.updated += applied.updated;
            report.removed += applied.removed;
            record = applied.record;
            // One more (empty) page after changes stores the ETag for the new cursor, so the
            // next poll with nothing new is a single 304.
            if quiet {
                return Ok(());
            }
        }
        Err(remote(None, "the server kept sending pages"))
    }

    /// Applies one page and its cursor in a single transaction; re-applying is harmless.
    /// `None` when the group is no longer followed, or when `from_cursor` is given and the
    /// stored cursor is not it (the page does not continue from where this phone is).
    pub(crate) fn apply_page(
        &self,
        record: &GroupRecord,
        page: &FeedPage,
        etag: Option<String>,
        from_cursor: Option<&str>,
    ) -> Result<Option<Applied>> {
        self.inner.with_unlocked_in_background(|u| {
            let row_id = record.row_id(u);
            let Some(mut current) = u.get_sealed::<GroupRecord>(GROUPS_TABLE, &row_id)? else {
                return Ok(None);
            };
            if from_cursor.is_some_and(|cursor| cursor != current.cursor) {
                return Ok(None);
            }
            let tx = u.store.conn().unchecked_transaction()?;
            let mut applied = Applied::default();
            for event in &page.changes {
                let event_row = event_row_id(u, &record.server_url, &record.group_id, &event.id);
                if u.exists_sealed(EVENTS_TABLE, &event_row)? {
                    applied.updated += 1;
                } else {
                    applied.new += 1;
                }
                let cached = CachedEvent {
                    server_url: record.server_url.clone(),
                    group_name: current.name.clone(),
                    event: event.clone(),
                };
                u.put_sealed(EVENTS_TABLE, &event_row, &cached)?;
            }
            for event_id in &page.tombstones {
                let event_row = event_row_id(u, &record.server_url, &record.group_id, event_id);
                applied.removed += usize::from(u.delete_sealed(EVENTS_TABLE, &event_row)?);
            }
            current.cursor = page.next_cursor.clone();
            current.etag = etag;
            current.last_synced_at = Some(Utc::now());
            u.put_sealed(GROUPS_TABLE, &row_id, &current)?;
            tx.commit()?;
            if applied.new + applied.updated + applied.removed > 0 {
                u.changed(DataTopic::Groups);
            }
            applied.record = current;
            Ok(Some(applied))
        })
    }

    /// The server no longer has our cursor's history: forget the group's cache and start over,
    /// in one transaction.
    pub(crate) fn restart_from_scratch(&self, record: &GroupRecord) -> Result<GroupRecord> {
        self.inner.with_unlocked_in_background(|u| {
            let row_id = group_row_id(u, &record.server_url, &record.group_id);
            let mut current = u
                .get_sealed::<GroupRecord>(GROUPS_TABLE, &row_id)?
                .ok_or(Error::NotFound)?;
            let tx = u.store.conn().unchecked_transaction()?;
            let cleared = clear_events(u, &record.server_url, &record.group_id)?;
            current.cursor = "0".into();
            current.etag = None;
            u.put_sealed(GROUPS_TABLE, &row_id, &current)?;
            tx.commit()?;
            if cleared > 0 {
                u.changed(DataTopic::Groups);
            }
            Ok(current)
        })
    }

    /// Asks `server` for a newer signed directory; whether the server answered.
    async fn fetch_directory(
        &self,
        http: &Http,
        options: &SyncOptions,
        server: &str,
        report: &mut SyncReport,
    ) -> bool {
        let url = format!("{server}/v1/directory/bundle");
        // The server's ETag names the bundle's version: asking with the version in use makes a
        // check with nothing newer one bodiless 304.
        let in_use = crate::directory::Directory::load(self.inner.data_dir())
            .map(|d| format!("\"directory-{}\"", d.version()))
            .unwrap_or_default();
        let request = || {
            http.get(&url)
                .header(header::IF_NONE_MATCH, in_use.as_str())
                // Read no further than a bundle may be: the rest is never in memory.
                .limit(bundle::MAX_BUNDLE_BYTES)
        };
        let Ok(response) = send(options, &mut report.requests, request).await else {
            return false;
        };
        if response.status() != StatusCode::OK {
            return matches!(
                response.status(),
                StatusCode::NOT_FOUND | StatusCode::NOT_MODIFIED
            );
        }
        // Read at most a bundle's worth: a hostile server could send gigabytes.
        let Ok(bytes) = read_bounded(response, bundle::MAX_BUNDLE_BYTES).await else {
            report.directory_error =
                Some("the server sent a directory bundle that is too large".into());
            return true;
        };
        // Locked or erased while the bundle was on its way: install nothing (an install after a
        // quick erase would recreate the erased folder).
        if self.inner.with_unlocked_in_background(|_| Ok(())).is_err() {
            return false;
        }
        match bundle::install(self.inner.data_dir(), &bytes, bundle::TRUSTED_KEYS) {
            Ok(version) => {
                log::info!("directory bundle installed by sync: version {version}");
                report.directory_version = Some(version);
                self.inner
                    .events
                    .publish(Event::Directory(DirectoryEvent::Updated { version }));
            }
            Err(Error::Directory(crate::directory::DirectoryError::Bundle(
                bundle::BundleError::NotNewer { .. },
            ))) => {}
            Err(err) => report.directory_error = Some(err.to_string()),
        }
        true
    }

    fn mark_directory_checked(&self, server: &str, at: chrono::DateTime<Utc>) -> Result<()> {
        self.inner.with_unlocked_in_background(|u| {
            for (row_id, mut record) in records(u)? {
                if record.server_url == server {
                    record.directory_checked_at = Some(at);
                    u.put_sealed(GROUPS_TABLE, &row_id, &record)?;
                }
            }
            Ok(())
        })
    }
}

/// What applying one page changed.
#[derive(Default)]
pub(crate) struct Applied {
    pub new: usize,
    pub updated: usize,
    pub removed: usize,
    pub record: GroupRecord,
}

/// Most pages read from one group in one sync.
pub(crate) const MAX_PAGES_PER_SYNC: usize = 10_000;

/// Where a group's feed is read from: what a page request needs, and nothing else (the
/// background manifest keeps exactly this per group).
#[derive(Clone, Serialize, serde::Deserialize, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub(crate) struct FeedPosition {
    pub server_url: String,
    pub group_id: String,
    pub member_token: Option<String>,
    pub cursor: String,
    pub etag: Option<String>,
}

impl FeedPosition {
    pub(crate) fn of(record: &GroupRecord) -> FeedPosition {
        FeedPosition {
            server_url: record.server_url.clone(),
            group_id: record.group_id.clone(),
            member_token: record.member_token.clone(),
            cursor: record.cursor.clone(),
            etag: record.etag.clone(),
        }
    }
}

/// The answer to one page request.
pub(crate) enum Fetched {
    /// `304`: nothing changed since `etag`.
    NotModified,
    /// `410` for a cursor other than `0`: the server no longer has that history.
    Gone,
    /// A page that passed the protocol's check, and the ETag it came with.
    Page {
        page: FeedPage,
        etag: Option<String>,
    },
}

/// Asks for the page after `at.cursor` (with `If-None-Match` when an ETag is known) and checks
/// it; any answer other than 200, 304 or a 410 that can be recovered from is an error.
pub(crate) async fn fetch_page(
    http: &Http,
    options: &SyncOptions,
    at: &FeedPosition,
    requests: &mut u32,
) -> Result<Fetched> {
    let url = format!(
        "{}/v1/groups/{}/events?since={}&limit={}",
        at.server_url, at.group_id, at.cursor, options.page_size
    );
    let response = send(options, requests, || {
        let request = with_token(http.get(&url), at.member_token.as_deref());
        match &at.etag {
            Some(tag) => request.header(header::IF_NONE_MATCH, tag),
            None => request,
        }
    })
    .await?;
    match response.status() {
        StatusCode::NOT_MODIFIED => return Ok(Fetched::NotModified),
        StatusCode::GONE if at.cursor != "0" => return Ok(Fetched::Gone),
        StatusCode::OK => {}
        status => return Err(remote_status(status)),
    }
    let etag = response
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let page: FeedPage = read_json(response).await?;
    check_page(&at.group_id, &at.cursor, &page)?;
    Ok(Fetched::Page { page, etag })
}

/// Whether a page is the last one and carries nothing.
pub(crate) fn is_quiet(page: &FeedPage) -> bool {
    page.changes.is_empty() && page.tombstones.is_empty() && !page.has_more
}

impl Default for GroupRecord {
    fn default() -> Self {
        GroupRecord {
            server_url: String::new(),
            group_id: String::new(),
            name: String::new(),
            description: String::new(),
            visibility: Visibility::Public,
            followed_at: Utc::now(),
            last_synced_at: None,
            member_token: None,
            cursor: "0".into(),
            etag: None,
            directory_checked_at: None,
        }
    }
}

/// What a log line may say about a failed group: the kind and status code, never the text
/// (which could one day quote a server's answer).
fn failure_kind(err: &Error) -> String {
    match err {
        Error::Offline => "offline".into(),
        Error::Remote {
            status: Some(status),
            ..
        } => format!("status {status}"),
        Error::Remote { status: None, .. } => "connection broke off".into(),
        Error::Locked => "locked".into(),
        _ => "local error".into(),
    }
}

/// A page is applied only if all of it makes sense (the protocol's rule, shared with the
/// server).
pub(crate) fn check_page(group_id: &str, cursor: &str, page: &FeedPage) -> Result<()> {
    kinship_protocol::check_page(group_id, cursor, page).map_err(|why| Error::Remote {
        status: Some(200),
        reason: format!("the server sent a page that makes no sense: {why}"),
    })
}
