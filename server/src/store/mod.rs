//! Storage: groups, members, events and their change feed, idempotency keys, directory bundles.
//!
//! Two backends with the same behaviour: an embedded SQLite file (the default, nothing to
//! install) and PostgreSQL (any number of stateless server instances). Both keep one rule that
//! makes the feed safe to poll: a write takes the group's next sequence number with
//! `UPDATE groups SET head = head + 1 ... RETURNING head` inside its transaction, so writers to a
//! group are serialised by that row and sequence numbers become visible in order. A plain
//! sequence or timestamp could commit out of order and let a reader skip a change.

mod postgres;
mod sqlite;

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use kinship_protocol::{DirectoryReport, Event, EventInput, FeedPage, Group, Visibility};
use rand::RngCore;
use sha2::{Digest, Sha256};

pub use postgres::PgStore;
pub use sqlite::SqliteStore;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("postgres: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    #[error("postgres pool: {0}")]
    Pool(String),
    #[error("stored data is malformed: {0}")]
    Malformed(String),
    #[error("unsupported database URL (use sqlite://PATH or postgres://...)")]
    BadUrl,
    #[error("storage task failed")]
    Task,
    #[error("this Idempotency-Key already created an event, which has since been deleted")]
    IdempotentGone,
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A group with its feed bookkeeping.
#[derive(Debug, Clone)]
pub struct GroupRecord {
    pub group: Group,
    /// The last sequence number handed out in this group.
    pub head: i64,
    /// Tombstones up to this sequence number were purged: older cursors must resync.
    pub purged_through: i64,
}

/// What creating a group hands its organizer, once.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NewGroup {
    pub group_id: String,
    pub organizer_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invite_code: Option<String>,
}

/// Notes kept per directory entry (the newest); counts are kept for every report.
pub const MAX_NOTES_PER_ENTRY: i64 = 50;
/// Distinct (entry, problem, version) rows kept at most: reports name entries the server does
/// not know (a phone may have newer data), so a flood of made-up ids must stop somewhere.
pub const MAX_REPORT_ROWS: i64 = 20_000;

/// What phones reported about one directory entry, for the operator.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReportSummary {
    pub entry_id: String,
    pub problem: String,
    pub directory_version: i64,
    pub count: i64,
    pub first_at: DateTime<Utc>,
    pub last_at: DateTime<Utc>,
    /// The notes people wrote, newest first.
    pub notes: Vec<String>,
}

/// How long an `Idempotency-Key` answers a retry with the first result. Older keys are
/// forgotten: automatically with the group's next write, and all at once by `purge-tombstones`.
pub const IDEMPOTENCY_HOURS: i64 = 24;

/// The moment before which idempotency keys have expired.
pub(crate) fn idempotency_cutoff() -> DateTime<Utc> {
    now() - chrono::Duration::hours(IDEMPOTENCY_HOURS)
}

/// A signed-in browser session of a web page, as stored: only hashes of its id and token.
#[derive(Debug, Clone)]
pub struct WebSession {
    /// SHA-256 of the cookie's session id (the id itself is only in the browser).
    pub id_hash: String,
    /// Which pages it opens: `organizer` or `operator`.
    pub kind: String,
    /// The organizer's group id, or `operator`.
    pub subject: String,
    /// SHA-256 of the token it signed in with, re-checked on every request.
    pub token_hash: String,
    /// The session's CSRF token, written into its forms.
    pub csrf: String,
    pub expires_at: DateTime<Utc>,
}

/// Options that tests use to provoke races; off in production.
#[derive(Debug, Clone, Default)]
pub struct StoreOptions {
    /// Keep each write transaction open this long after taking its sequence number.
    pub hold_writes: Option<Duration>,
}

pub struct Store {
    backend: Backend,
    groups: GroupCache,
}

enum Backend {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

macro_rules! dispatch {
    ($self:ident, $store:ident => $call:expr) => {
        match &$self.backend {
            Backend::Sqlite($store) => $call.await,
            Backend::Postgres($store) => $call.await,
        }
    };
}

/// Group records (head, purge point) read in the last [`GROUP_CACHE_TTL`], so a burst of
/// polls costs one database read. A slightly old head is safe: every row up to a committed
/// head is committed, pages are bounded by the head they were computed for, and the next poll
/// sees the rest, so a reader can be a moment late but never skips a change. This instance's
/// own writes forget the entry at once.
#[derive(Default)]
struct GroupCache {
    entries: std::sync::Mutex<std::collections::HashMap<String, (std::time::Instant, GroupRecord)>>,
}

pub const GROUP_CACHE_TTL: Duration = Duration::from_millis(250);

impl GroupCache {
    fn fresh(&self, id: &str) -> Option<GroupRecord> {
        let entries = self.entries.lock().ok()?;
        let (at, record) = entries.get(id)?;
        (at.elapsed() < GROUP_CACHE_TTL).then(|| record.clone())
    }

    fn put(&self, record: &GroupRecord) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= 10_000 {
                entries.clear();
            }
            entries.insert(
                record.group.id.clone(),
                (std::time::Instant::now(), record.clone()),
            );
        }
    }

    fn forget(&self, id: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(id);
        }
    }

    fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }
}

impl Store {
    /// Opens `sqlite://PATH` or `postgres://...` and brings its schema up to date.
    pub async fn connect(url: &str, options: StoreOptions) -> Result<Store> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            Ok(Store::from(Backend::Sqlite(
                SqliteStore::open(path, options).await?,
            )))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Store::from(Backend::Postgres(
                PgStore::connect(url, options).await?,
            )))
        } else {
            Err(StoreError::BadUrl)
        }
    }

    pub async fn create_group(
        &self,
        name: &str,
        description: &str,
        visibility: Visibility,
    ) -> Result<NewGroup> {
        let organizer_token = new_secret("org");
        let invite_code = (visibility == Visibility::Private).then(|| new_secret("inv"));
        let group = Group {
            id: random_hex(8),
            name: name.to_owned(),
            description: description.to_owned(),
            visibility,
            created_at: now(),
        };
        let invite_hash = invite_code.as_deref().map(hash_secret);
        dispatch!(self, s => s.insert_group(&group, &hash_secret(&organizer_token), invite_hash.as_deref()))?;
        Ok(NewGroup {
            group_id: group.id,
            organizer_token,
            invite_code,
        })
    }

    /// Replaces the organizer token; the old one stops working at once.
    pub async fn rotate_organizer_token(&self, group_id: &str) -> Result<Option<String>> {
        let token = new_secret("org");
        let changed = dispatch!(self, s => s.set_secret(group_id, "organizer_token_hash", &hash_secret(&token)))?;
        Ok(changed.then_some(token))
    }

    /// Creates or replaces the operator's token for the operator pages (`/operate`); the old
    /// one stops working at once. Only its hash is kept.
    pub async fn rotate_operator_token(&self) -> Result<String> {
        let token = new_secret("op");
        dispatch!(self, s => s.replace_operator_hash(&hash_secret(&token)))?;
        Ok(token)
    }

    /// Stores a session, first forgetting expired ones and, beyond `keep` sessions of the same
    /// kind and subject, that subject's oldest.
    pub async fn insert_session(&self, session: &WebSession, keep: usize) -> Result<()> {
        dispatch!(self, s => s.insert_session(session, keep))
    }

    /// A live (unexpired) session of `kind` by the hash of its id.
    pub async fn session(&self, kind: &str, id_hash: &str) -> Result<Option<WebSession>> {
        dispatch!(self, s => s.session(kind, id_hash))
    }

    pub async fn delete_session(&self, id_hash: &str) -> Result<()> {
        dispatch!(self, s => s.delete_session(id_hash))
    }

    /// Whether `hash` is the hash of the group's current organizer token.
    pub async fn organizer_hash_is(&self, group_id: &str, hash: &str) -> Result<bool> {
        dispatch!(self, s => s.organizer_hash_is(group_id, hash))
    }

    /// Whether `hash` is the hash of the operator's current token.
    pub async fn operator_hash_is(&self, hash: &str) -> Result<bool> {
        dispatch!(self, s => s.has_operator_hash(hash))
    }

    /// Whether `token` is the operator's current token.
    pub async fn is_operator(&self, token: &str) -> Result<bool> {
        dispatch!(self, s => s.has_operator_hash(&hash_secret(token)))
    }

    /// Replaces a private group's invite code; members who joined keep their tokens.
    pub async fn rotate_invite(&self, group_id: &str) -> Result<Option<String>> {
        let code = new_secret("inv");
        let changed =
            dispatch!(self, s => s.set_secret(group_id, "invite_hash", &hash_secret(&code)))?;
        Ok(changed.then_some(code))
    }

    /// Ends every member token of a group at once (they answer `401` from then on); members
    /// join again with the current invite code. Returns how many were ended.
    pub async fn revoke_members(&self, group_id: &str) -> Result<u64> {
        dispatch!(self, s => s.delete_members(group_id))
    }

    pub async fn public_groups(&self, query: Option<&str>) -> Result<Vec<Group>> {
        let mut groups = dispatch!(self, s => s.public_groups())?;
        if let Some(q) = query
            .map(str::to_lowercase)
            .filter(|q| !q.trim().is_empty())
        {
            groups.retain(|g| {
                g.name.to_lowercase().contains(&q) || g.description.to_lowercase().contains(&q)
            });
        }
        Ok(groups)
    }

    pub async fn group(&self, id: &str) -> Result<Option<GroupRecord>> {
        if let Some(record) = self.groups.fresh(id) {
            return Ok(Some(record));
        }
        let record = dispatch!(self, s => s.group(id))?;
        if let Some(record) = &record {
            self.groups.put(record);
        }
        Ok(record)
    }

    /// The group an organizer token belongs to.
    pub async fn organizer_group(&self, token: &str) -> Result<Option<String>> {
        dispatch!(self, s => s.group_by_secret("organizer_token_hash", &hash_secret(token)))
    }

    /// The group a member token belongs to.
    pub async fn member_group(&self, token: &str) -> Result<Option<String>> {
        dispatch!(self, s => s.member_group(&hash_secret(token)))
    }

    /// A member token for a private group, if `invite_code` is its current code.
    pub async fn join(&self, group_id: &str, invite_code: &str) -> Result<Option<String>> {
        let Some(stored) = dispatch!(self, s => s.invite_hash(group_id))? else {
            return Ok(None);
        };
        if !constant_time_eq(&stored, &hash_secret(invite_code)) {
            return Ok(None);
        }
        let token = new_secret("mem");
        dispatch!(self, s => s.insert_member(group_id, &hash_secret(&token)))?;
        Ok(Some(token))
    }

    /// Stores a new event as the group's next change. With an idempotency key, a retry returns
    /// the event the first attempt created (`false` = not newly created).
    pub async fn create_event(
        &self,
        group_id: &str,
        input: &EventInput,
        idempotency_key: Option<&str>,
    ) -> Result<(Event, bool)> {
        let body =
            serde_json::to_string(input).map_err(|e| StoreError::Malformed(e.to_string()))?;
        let event_id = random_hex(16);
        match self
            .write(
                group_id,
                &event_id,
                Some(&body),
                WriteKind::Create { idempotency_key },
            )
            .await?
        {
            Written::New(event) => Ok((event, true)),
            Written::Replayed(event) => Ok((event, false)),
            // A retry whose first attempt's event was deleted since (or a vanished group).
            Written::Deleted | Written::Missing => Err(StoreError::IdempotentGone),
        }
    }

    pub async fn update_event(
        &self,
        group_id: &str,
        event_id: &str,
        input: &EventInput,
    ) -> Result<Option<Event>> {
        let body =
            serde_json::to_string(input).map_err(|e| StoreError::Malformed(e.to_string()))?;
        Ok(self
            .write(group_id, event_id, Some(&body), WriteKind::Update)
            .await?
            .event())
    }

    /// Deletes an event, leaving a tombstone in the feed. `false` if there was no such event.
    pub async fn delete_event(&self, group_id: &str, event_id: &str) -> Result<bool> {
        Ok(!matches!(
            self.write(group_id, event_id, None, WriteKind::Delete)
                .await?,
            Written::Missing
        ))
    }

    /// Every event write goes through here, so this instance never serves its own stale head.
    async fn write(
        &self,
        group_id: &str,
        event_id: &str,
        body: Option<&str>,
        kind: WriteKind<'_>,
    ) -> Result<Written> {
        let written = dispatch!(self, s => s.write_event(group_id, event_id, body, kind));
        self.groups.forget(group_id);
        written
    }

    pub async fn event(&self, group_id: &str, event_id: &str) -> Result<Option<Event>> {
        dispatch!(self, s => s.event(group_id, event_id))
    }

    /// Changes and tombstones after `since` up to `head` (the group's head when the request
    /// began, so the page matches its ETag), oldest first, at most `limit`. The cursor it hands
    /// out carries the purge point it was issued under: see [`Cursor`].
    pub async fn feed(&self, group: &GroupRecord, since: i64, limit: u32) -> Result<FeedPage> {
        let group_id = group.group.id.as_str();
        let rows = dispatch!(self, s => s.feed_rows(group_id, since, group.head, limit + 1))?;
        let has_more = rows.len() > limit as usize;
        let mut last = since;
        let mut page = FeedPage {
            changes: Vec::new(),
            tombstones: Vec::new(),
            next_cursor: String::new(),
            has_more,
        };
        for row in rows.into_iter().take(limit as usize) {
            last = row.seq;
            match row.body {
                Some(body) => page.changes.push(row_to_event(
                    group_id,
                    row.id,
                    row.seq,
                    row.updated_at,
                    &body,
                )?),
                None => page.tombstones.push(row.id),
            }
        }
        page.next_cursor = Cursor {
            seq: last,
            purged_through: group.purged_through,
        }
        .to_string();
        Ok(page)
    }

    /// Forgets tombstones older than `before`; cursors from before them get 410 Gone.
    /// Forgets idempotency keys recorded at or before `before` (`purge-tombstones` forgets
    /// those older than [`IDEMPOTENCY_HOURS`]); a retry with a forgotten key creates anew.
    pub async fn purge_idempotency(&self, before: DateTime<Utc>) -> Result<u64> {
        dispatch!(self, s => s.purge_idempotency(before.timestamp_micros()))
    }

    pub async fn purge_tombstones(&self, before: DateTime<Utc>) -> Result<u64> {
        let purged = dispatch!(self, s => s.purge_tombstones(before.timestamp_micros()));
        self.groups.clear();
        purged
    }

    pub async fn publish_directory(&self, version: i64, bytes: &[u8]) -> Result<()> {
        dispatch!(self, s => s.publish_directory(version, bytes))
    }

    /// One round trip to the database (`SELECT 1`), for readiness.
    pub async fn ping(&self) -> Result<()> {
        dispatch!(self, s => s.ping())
    }

    pub async fn latest_directory(&self) -> Result<Option<(i64, Vec<u8>)>> {
        dispatch!(self, s => s.latest_directory())
    }

    /// Counts a "this number didn't work" report (and keeps its note, the newest
    /// [`MAX_NOTES_PER_ENTRY`] per entry). `false` when the report store is full.
    pub async fn record_report(&self, report: &DirectoryReport) -> Result<bool> {
        dispatch!(self, s => s.record_report(report))
    }

    /// Every reported entry with its counts and notes, most reported first.
    pub async fn directory_reports(&self) -> Result<Vec<ReportSummary>> {
        dispatch!(self, s => s.directory_reports())
    }

    pub fn backend(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    fn from(backend: Backend) -> Store {
        Store {
            backend,
            groups: GroupCache::default(),
        }
    }
}

/// Which change a write makes.
#[derive(Debug, Clone, Copy)]
pub(crate) enum WriteKind<'a> {
    Create { idempotency_key: Option<&'a str> },
    Update,
    Delete,
}

/// A feed position: the last sequence number seen, and the purge point when it was issued.
///
/// Written `SEQ.PURGED` (a bare `SEQ` from older clients reads as purge point 0). A cursor
/// issued before tombstones were purged past it must resync (410); one issued after the purge
/// is safe even if its number is lower, because later pages never relied on the purged rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub seq: i64,
    pub purged_through: i64,
}

impl Cursor {
    pub fn parse(text: &str) -> Option<Cursor> {
        let (seq, purged) = match text.split_once('.') {
            Some((seq, purged)) => (seq, purged),
            None => (text, "0"),
        };
        let (seq, purged_through) = (seq.parse::<i64>().ok()?, purged.parse::<i64>().ok()?);
        (seq >= 0 && purged_through >= 0).then_some(Cursor {
            seq,
            purged_through,
        })
    }

    /// Whether a reader at this cursor may have missed something the group no longer has.
    pub fn is_stale(&self, group: &GroupRecord) -> bool {
        let missed_purge = self.seq > 0
            && self.seq < group.purged_through
            && self.purged_through < group.purged_through;
        // A cursor ahead of the group (e.g. after the server was restored from a backup).
        missed_purge || self.seq > group.head
    }
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.seq, self.purged_through)
    }
}

/// What a write did.
pub(crate) enum Written {
    New(Event),
    /// An idempotent retry: the event the first attempt created.
    Replayed(Event),
    /// A tombstone replaced the event.
    Deleted,
    /// No such group or event.
    Missing,
}

impl Written {
    fn event(self) -> Option<Event> {
        match self {
            Written::New(e) | Written::Replayed(e) => Some(e),
            Written::Deleted | Written::Missing => None,
        }
    }
}

/// A row of the feed as both backends read it.
pub(crate) struct FeedRow {
    pub id: String,
    pub seq: i64,
    pub updated_at: i64,
    pub body: Option<String>,
}

pub(crate) fn row_to_event(
    group_id: &str,
    id: String,
    seq: i64,
    updated_at: i64,
    body: &str,
) -> Result<Event> {
    let input: EventInput =
        serde_json::from_str(body).map_err(|e| StoreError::Malformed(e.to_string()))?;
    Ok(Event {
        id,
        group_id: group_id.to_owned(),
        version: seq,
        updated_at: Utc
            .timestamp_micros(updated_at)
            .single()
            .unwrap_or_default(),
        input,
        organizer_signature: None,
    })
}

pub(crate) fn parse_visibility(text: &str) -> Result<Visibility> {
    match text {
        "public" => Ok(Visibility::Public),
        "private" => Ok(Visibility::Private),
        other => Err(StoreError::Malformed(format!("visibility {other}"))),
    }
}

pub(crate) fn visibility_str(visibility: Visibility) -> &'static str {
    match visibility {
        Visibility::Public => "public",
        Visibility::Private => "private",
    }
}

pub(crate) fn micros_to_time(micros: i64) -> DateTime<Utc> {
    Utc.timestamp_micros(micros).single().unwrap_or_default()
}

pub(crate) fn now() -> DateTime<Utc> {
    Utc::now()
}

/// A random secret of 256 bits with a readable prefix (`org_`, `mem_`, `inv_`).
pub fn new_secret(prefix: &str) -> String {
    format!("{prefix}_{}", random_hex(32))
}

pub fn random_hex(bytes: usize) -> String {
    let mut raw = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    hex::encode(raw)
}

/// Secrets are stored only as SHA-256 hashes: they carry 256 random bits, so a fast hash is
/// enough, and a stolen database yields no usable token.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

pub fn constant_time_eq(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}
