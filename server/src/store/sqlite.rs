//! The embedded default: one SQLite file, one connection behind a mutex, blocking calls moved
//! off the async runtime. SQLite runs one writer at a time, which already serialises a group's
//! sequence numbers; the schema and statements mirror the PostgreSQL backend.

use std::sync::{Arc, Mutex};

use kinship_protocol::Group;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::{
    micros_to_time, now, parse_visibility, row_to_event, visibility_str, FeedRow, GroupRecord,
    Result, StoreError, StoreOptions, WebSession, WriteKind, Written,
};

const SCHEMA_VERSION: u32 = 4;
const SCHEMA: &str = "
    CREATE TABLE groups (
        id                    TEXT PRIMARY KEY NOT NULL,
        name                  TEXT NOT NULL,
        description           TEXT NOT NULL,
        visibility            TEXT NOT NULL,
        created_at            INTEGER NOT NULL,
        head                  INTEGER NOT NULL DEFAULT 0,
        purged_through        INTEGER NOT NULL DEFAULT 0,
        organizer_token_hash  TEXT NOT NULL UNIQUE,
        invite_hash           TEXT
    );
    CREATE TABLE members (
        token_hash  TEXT PRIMARY KEY NOT NULL,
        group_id    TEXT NOT NULL REFERENCES groups(id),
        created_at  INTEGER NOT NULL
    );
    CREATE TABLE events (
        id          TEXT PRIMARY KEY NOT NULL,
        group_id    TEXT NOT NULL REFERENCES groups(id),
        seq         INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL,
        body        TEXT
    );
    CREATE INDEX events_feed ON events (group_id, seq);
    CREATE TABLE idempotency (
        group_id    TEXT NOT NULL,
        key         TEXT NOT NULL,
        event_id    TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        PRIMARY KEY (group_id, key)
    );
    CREATE TABLE directory_bundles (
        version       INTEGER PRIMARY KEY NOT NULL,
        bytes         BLOB NOT NULL,
        published_at  INTEGER NOT NULL
    );
";
/// Version 2: "this number didn't work" reports, counted per entry, problem and data version.
const SCHEMA_V2: &str = "
    CREATE TABLE directory_reports (
        entry_id           TEXT NOT NULL,
        problem            TEXT NOT NULL,
        directory_version  INTEGER NOT NULL,
        count              INTEGER NOT NULL,
        first_at           INTEGER NOT NULL,
        last_at            INTEGER NOT NULL,
        PRIMARY KEY (entry_id, problem, directory_version)
    );
    CREATE TABLE directory_report_notes (
        id          INTEGER PRIMARY KEY,
        entry_id    TEXT NOT NULL,
        problem     TEXT NOT NULL,
        note        TEXT NOT NULL,
        created_at  INTEGER NOT NULL
    );
    CREATE INDEX directory_report_notes_entry ON directory_report_notes (entry_id, id);
";

/// Version 3: the operator's token for the operator pages (one row at most).
const SCHEMA_V3: &str = "
    CREATE TABLE operator_tokens (
        token_hash  TEXT PRIMARY KEY NOT NULL,
        created_at  INTEGER NOT NULL
    );
";

/// Version 4: the web pages' sessions, shared by every process on the database.
const SCHEMA_V4: &str = "
    CREATE TABLE web_sessions (
        id_hash     TEXT PRIMARY KEY NOT NULL,
        kind        TEXT NOT NULL,
        subject     TEXT NOT NULL,
        token_hash  TEXT NOT NULL,
        csrf        TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        expires_at  INTEGER NOT NULL
    );
    CREATE INDEX web_sessions_subject ON web_sessions (kind, subject, created_at);
";

pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
    options: StoreOptions,
}

impl SqliteStore {
    pub async fn open(path: &str, options: StoreOptions) -> Result<Self> {
        let path = path.to_owned();
        let conn = tokio::task::spawn_blocking(move || -> Result<Connection> {
            create_private(&path);
            let mut conn = Connection::open(path)?;
            conn.busy_timeout(std::time::Duration::from_secs(10))?;
            conn.execute_batch(
                // FULL: a write the server acknowledged (201 to an organizer) survives a power
                // cut; NORMAL with WAL could lose the last ones.
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
            )?;
            migrate(&mut conn)?;
            Ok(conn)
        })
        .await
        .map_err(|_| StoreError::Task)??;
        Ok(SqliteStore {
            conn: Arc::new(Mutex::new(conn)),
            options,
        })
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(|_| StoreError::Task)?
    }

    pub(crate) async fn insert_group(
        &self,
        group: &Group,
        organizer_hash: &str,
        invite_hash: Option<&str>,
    ) -> Result<()> {
        let (group, organizer_hash, invite_hash) = (
            group.clone(),
            organizer_hash.to_owned(),
            invite_hash.map(str::to_owned),
        );
        self.run(move |conn| {
            conn.execute(
                "INSERT INTO groups (id, name, description, visibility, created_at, organizer_token_hash, invite_hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    group.id,
                    group.name,
                    group.description,
                    visibility_str(group.visibility),
                    group.created_at.timestamp_micros(),
                    organizer_hash,
                    invite_hash
                ],
            )?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn delete_members(&self, group_id: &str) -> Result<u64> {
        let group_id = group_id.to_owned();
        self.run(move |conn| {
            Ok(conn.execute("DELETE FROM members WHERE group_id = ?1", [group_id])? as u64)
        })
        .await
    }

    pub(crate) async fn set_secret(
        &self,
        group_id: &str,
        column: &'static str,
        hash: &str,
    ) -> Result<bool> {
        let (group_id, hash) = (group_id.to_owned(), hash.to_owned());
        self.run(move |conn| {
            // `column` is one of two fixed names chosen by the caller, never input.
            let sql = format!("UPDATE groups SET {column} = ?2 WHERE id = ?1");
            Ok(conn.execute(&sql, params![group_id, hash])? == 1)
        })
        .await
    }

    pub(crate) async fn public_groups(&self) -> Result<Vec<Group>> {
        self.run(|conn| {
            let mut stmt = conn.prepare(
                "SELECT id, name, description, visibility, created_at FROM groups WHERE visibility = 'public' ORDER BY name",
            )?;
            let rows = stmt.query_map([], group_from_row)?;
            rows.map(|r| r.map_err(StoreError::from).and_then(|g| g)).collect()
        })
        .await
    }

    pub(crate) async fn group(&self, id: &str) -> Result<Option<GroupRecord>> {
        let id = id.to_owned();
        self.run(move |conn| {
            let row = conn
                .query_row(
                    "SELECT id, name, description, visibility, created_at, head, purged_through FROM groups WHERE id = ?1",
                    [id],
                    |row| Ok((group_from_row(row)?, row.get::<_, i64>(5)?, row.get::<_, i64>(6)?)),
                )
                .optional()?;
            row.map(|(group, head, purged_through)| {
                Ok(GroupRecord {
                    group: group?,
                    head,
                    purged_through,
                })
            })
            .transpose()
        })
        .await
    }

    pub(crate) async fn group_by_secret(
        &self,
        column: &'static str,
        hash: &str,
    ) -> Result<Option<String>> {
        let hash = hash.to_owned();
        self.run(move |conn| {
            let sql = format!("SELECT id FROM groups WHERE {column} = ?1");
            Ok(conn.query_row(&sql, [hash], |r| r.get(0)).optional()?)
        })
        .await
    }

    pub(crate) async fn member_group(&self, hash: &str) -> Result<Option<String>> {
        let hash = hash.to_owned();
        self.run(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT group_id FROM members WHERE token_hash = ?1",
                    [hash],
                    |r| r.get(0),
                )
                .optional()?)
        })
        .await
    }

    pub(crate) async fn replace_operator_hash(&self, hash: &str) -> Result<()> {
        let hash = hash.to_owned();
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute("DELETE FROM operator_tokens", [])?;
            tx.execute(
                "INSERT INTO operator_tokens (token_hash, created_at) VALUES (?1, ?2)",
                params![hash, now().timestamp_micros()],
            )?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn insert_session(&self, session: &WebSession, keep: usize) -> Result<()> {
        let session = session.clone();
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let now = now().timestamp_micros();
            tx.execute("DELETE FROM web_sessions WHERE expires_at <= ?1", [now])?;
            // The subject's oldest go first: one subject cannot push another's out.
            tx.execute(
                "DELETE FROM web_sessions WHERE id_hash IN (
                     SELECT id_hash FROM web_sessions WHERE kind = ?1 AND subject = ?2
                     ORDER BY created_at DESC LIMIT -1 OFFSET ?3)",
                params![session.kind, session.subject, keep.saturating_sub(1) as i64],
            )?;
            tx.execute(
                "INSERT INTO web_sessions (id_hash, kind, subject, token_hash, csrf, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    session.id_hash,
                    session.kind,
                    session.subject,
                    session.token_hash,
                    session.csrf,
                    now,
                    session.expires_at.timestamp_micros()
                ],
            )?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn session(&self, kind: &str, id_hash: &str) -> Result<Option<WebSession>> {
        let (kind, id_hash) = (kind.to_owned(), id_hash.to_owned());
        self.run(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT id_hash, kind, subject, token_hash, csrf, expires_at FROM web_sessions
                     WHERE kind = ?1 AND id_hash = ?2 AND expires_at > ?3",
                    params![kind, id_hash, now().timestamp_micros()],
                    |r| {
                        Ok(WebSession {
                            id_hash: r.get(0)?,
                            kind: r.get(1)?,
                            subject: r.get(2)?,
                            token_hash: r.get(3)?,
                            csrf: r.get(4)?,
                            expires_at: micros_to_time(r.get(5)?),
                        })
                    },
                )
                .optional()?)
        })
        .await
    }

    pub(crate) async fn delete_session(&self, id_hash: &str) -> Result<()> {
        let id_hash = id_hash.to_owned();
        self.run(move |conn| {
            conn.execute("DELETE FROM web_sessions WHERE id_hash = ?1", [id_hash])?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn organizer_hash_is(&self, group_id: &str, hash: &str) -> Result<bool> {
        let (group_id, hash) = (group_id.to_owned(), hash.to_owned());
        self.run(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT 1 FROM groups WHERE id = ?1 AND organizer_token_hash = ?2",
                    [group_id, hash],
                    |_| Ok(()),
                )
                .optional()?
                .is_some())
        })
        .await
    }

    pub(crate) async fn has_operator_hash(&self, hash: &str) -> Result<bool> {
        let hash = hash.to_owned();
        self.run(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT 1 FROM operator_tokens WHERE token_hash = ?1",
                    [hash],
                    |_| Ok(()),
                )
                .optional()?
                .is_some())
        })
        .await
    }

    pub(crate) async fn invite_hash(&self, group_id: &str) -> Result<Option<String>> {
        let group_id = group_id.to_owned();
        self.run(move |conn| {
            let hash: Option<Option<String>> = conn
                .query_row(
                    "SELECT invite_hash FROM groups WHERE id = ?1",
                    [group_id],
                    |r| r.get(0),
                )
                .optional()?;
            Ok(hash.flatten())
        })
        .await
    }

    pub(crate) async fn insert_member(&self, group_id: &str, hash: &str) -> Result<()> {
        let (group_id, hash) = (group_id.to_owned(), hash.to_owned());
        self.run(move |conn| {
            conn.execute(
                "INSERT INTO members (token_hash, group_id, created_at) VALUES (?1, ?2, ?3)",
                params![hash, group_id, now().timestamp_micros()],
            )?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn write_event(
        &self,
        group_id: &str,
        event_id: &str,
        body: Option<&str>,
        kind: WriteKind<'_>,
    ) -> Result<Written> {
        let (group_id, event_id, body) = (
            group_id.to_owned(),
            event_id.to_owned(),
            body.map(str::to_owned),
        );
        let idempotency_key = match kind {
            WriteKind::Create { idempotency_key } => idempotency_key.map(str::to_owned),
            _ => None,
        };
        let is_create = matches!(kind, WriteKind::Create { .. });
        let hold = self.options.hold_writes;
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            // Keys expire: this group's old ones go with every write.
            tx.execute(
                "DELETE FROM idempotency WHERE group_id = ?1 AND created_at <= ?2",
                params![group_id, super::idempotency_cutoff().timestamp_micros()],
            )?;
            if let Some(key) = &idempotency_key {
                let earlier: Option<String> = tx
                    .query_row(
                        "SELECT event_id FROM idempotency WHERE group_id = ?1 AND key = ?2",
                        params![group_id, key],
                        |r| r.get(0),
                    )
                    .optional()?;
                if let Some(earlier) = earlier {
                    let event = read_event(&tx, &group_id, &earlier)?;
                    return Ok(event.map(Written::Replayed).unwrap_or(Written::Missing));
                }
            }
            if !is_create {
                let live: Option<Option<String>> = tx
                    .query_row(
                        "SELECT body FROM events WHERE group_id = ?1 AND id = ?2",
                        params![group_id, event_id],
                        |r| r.get(0),
                    )
                    .optional()?;
                if !matches!(live, Some(Some(_))) {
                    return Ok(Written::Missing);
                }
            }
            let seq: Option<i64> = tx
                .query_row("UPDATE groups SET head = head + 1 WHERE id = ?1 RETURNING head", [&group_id], |r| r.get(0))
                .optional()?;
            let Some(seq) = seq else { return Ok(Written::Missing) };
            if let Some(hold) = hold {
                std::thread::sleep(hold);
            }
            let updated_at = now().timestamp_micros();
            tx.execute(
                "INSERT INTO events (id, group_id, seq, updated_at, body) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, updated_at = excluded.updated_at, body = excluded.body",
                params![event_id, group_id, seq, updated_at, body],
            )?;
            if let Some(key) = &idempotency_key {
                tx.execute(
                    "INSERT INTO idempotency (group_id, key, event_id, created_at) VALUES (?1, ?2, ?3, ?4)",
                    params![group_id, key, event_id, updated_at],
                )?;
            }
            tx.commit()?;
            Ok(match body {
                Some(body) => Written::New(row_to_event(&group_id, event_id, seq, updated_at, &body)?),
                None => Written::Deleted,
            })
        })
        .await
    }

    pub(crate) async fn event(
        &self,
        group_id: &str,
        event_id: &str,
    ) -> Result<Option<super::Event>> {
        let (group_id, event_id) = (group_id.to_owned(), event_id.to_owned());
        self.run(move |conn| read_event(conn, &group_id, &event_id))
            .await
    }

    pub(crate) async fn feed_rows(
        &self,
        group_id: &str,
        since: i64,
        head: i64,
        limit: u32,
    ) -> Result<Vec<FeedRow>> {
        let group_id = group_id.to_owned();
        self.run(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, seq, updated_at, body FROM events WHERE group_id = ?1 AND seq > ?2 AND seq <= ?3 ORDER BY seq LIMIT ?4",
            )?;
            let rows = stmt.query_map(params![group_id, since, head, limit], |r| {
                Ok(FeedRow {
                    id: r.get(0)?,
                    seq: r.get(1)?,
                    updated_at: r.get(2)?,
                    body: r.get(3)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    pub(crate) async fn purge_idempotency(&self, before_micros: i64) -> Result<u64> {
        self.run(move |conn| {
            Ok(conn.execute(
                "DELETE FROM idempotency WHERE created_at <= ?1",
                [before_micros],
            )? as u64)
        })
        .await
    }

    pub(crate) async fn purge_tombstones(&self, before_micros: i64) -> Result<u64> {
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                "UPDATE groups SET purged_through = MAX(purged_through, COALESCE(
                    (SELECT MAX(seq) FROM events WHERE events.group_id = groups.id AND body IS NULL AND updated_at < ?1), 0))",
                [before_micros],
            )?;
            let removed = tx.execute("DELETE FROM events WHERE body IS NULL AND updated_at < ?1", [before_micros])?;
            tx.commit()?;
            Ok(removed as u64)
        })
        .await
    }

    pub(crate) async fn publish_directory(&self, version: i64, bytes: &[u8]) -> Result<()> {
        let bytes = bytes.to_vec();
        self.run(move |conn| {
            conn.execute(
                "INSERT INTO directory_bundles (version, bytes, published_at) VALUES (?1, ?2, ?3)",
                params![version, bytes, now().timestamp_micros()],
            )?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn ping(&self) -> Result<()> {
        self.run(|conn| Ok(conn.query_row("SELECT 1", [], |_| Ok(()))?))
            .await
    }

    pub(crate) async fn latest_directory(&self) -> Result<Option<(i64, Vec<u8>)>> {
        self.run(|conn| {
            Ok(conn
                .query_row(
                    "SELECT version, bytes FROM directory_bundles ORDER BY version DESC LIMIT 1",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?)
        })
        .await
    }
}

impl SqliteStore {
    pub(crate) async fn record_report(
        &self,
        report: &kinship_protocol::DirectoryReport,
    ) -> Result<bool> {
        let report = report.clone();
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let at = now().timestamp_micros();
            let version = i64::try_from(report.directory_version).unwrap_or(i64::MAX);
            let problem = report.problem.as_str();
            let updated = tx.execute(
                "UPDATE directory_reports SET count = count + 1, last_at = ?4
                 WHERE entry_id = ?1 AND problem = ?2 AND directory_version = ?3",
                params![report.entry_id, problem, version, at],
            )?;
            if updated == 0 {
                let rows: i64 =
                    tx.query_row("SELECT COUNT(*) FROM directory_reports", [], |r| r.get(0))?;
                if rows >= super::MAX_REPORT_ROWS {
                    return Ok(false);
                }
                tx.execute(
                    "INSERT INTO directory_reports VALUES (?1, ?2, ?3, 1, ?4, ?4)",
                    params![report.entry_id, problem, version, at],
                )?;
            }
            if let Some(note) = report
                .note
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
            {
                tx.execute(
                    "INSERT INTO directory_report_notes (entry_id, problem, note, created_at)
                     VALUES (?1, ?2, ?3, ?4)",
                    params![report.entry_id, problem, note, at],
                )?;
                tx.execute(
                    "DELETE FROM directory_report_notes WHERE entry_id = ?1 AND id NOT IN
                     (SELECT id FROM directory_report_notes WHERE entry_id = ?1
                      ORDER BY id DESC LIMIT ?2)",
                    params![report.entry_id, super::MAX_NOTES_PER_ENTRY],
                )?;
            }
            tx.commit()?;
            Ok(true)
        })
        .await
    }

    pub(crate) async fn directory_reports(&self) -> Result<Vec<super::ReportSummary>> {
        self.run(|conn| {
            let mut stmt = conn.prepare(
                "SELECT entry_id, problem, directory_version, count, first_at, last_at
                 FROM directory_reports ORDER BY count DESC, entry_id, problem",
            )?;
            let rows: Vec<(String, String, i64, i64, i64, i64)> = stmt
                .query_map([], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                })?
                .collect::<rusqlite::Result<_>>()?;
            let mut notes = conn.prepare(
                "SELECT note FROM directory_report_notes WHERE entry_id = ?1 AND problem = ?2
                 ORDER BY id DESC",
            )?;
            rows.into_iter()
                .map(
                    |(entry_id, problem, directory_version, count, first, last)| {
                        let texts = notes
                            .query_map(params![entry_id, problem], |r| r.get(0))?
                            .collect::<rusqlite::Result<Vec<String>>>()?;
                        Ok(super::ReportSummary {
                            entry_id,
                            problem,
                            directory_version,
                            count,
                            first_at: micros_to_time(first),
                            last_at: micros_to_time(last),
                            notes: texts,
                        })
                    },
                )
                .collect()
        })
        .await
    }
}

/// Creates the database file readable by its owner only, whatever the umask (SQLite gives its
/// -wal and -shm files the same mode). An existing file is left as it is.
fn create_private(path: &str) {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    // If this fails, SQLite's own open reports the problem.
    let _ = options.open(path);
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found: u32 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::Malformed(format!(
            "database schema {found} is newer than this server"
        )));
    }
    if found == 0 {
        tx.execute_batch(SCHEMA)?;
    }
    if found < 2 {
        tx.execute_batch(SCHEMA_V2)?;
    }
    if found < 3 {
        tx.execute_batch(SCHEMA_V3)?;
    }
    if found < 4 {
        tx.execute_batch(SCHEMA_V4)?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(())
}

fn group_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Result<Group>> {
    let (id, name, description): (String, String, String) = (row.get(0)?, row.get(1)?, row.get(2)?);
    let visibility: String = row.get(3)?;
    let created_at: i64 = row.get(4)?;
    Ok(parse_visibility(&visibility).map(|visibility| Group {
        id,
        name,
        description,
        visibility,
        created_at: micros_to_time(created_at),
    }))
}

fn read_event(conn: &Connection, group_id: &str, event_id: &str) -> Result<Option<super::Event>> {
    let row: Option<(i64, i64, Option<String>)> = conn
        .query_row(
            "SELECT seq, updated_at, body FROM events WHERE group_id = ?1 AND id = ?2",
            params![group_id, event_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    match row {
        Some((seq, updated_at, Some(body))) => Ok(Some(row_to_event(
            group_id,
            event_id.to_owned(),
            seq,
            updated_at,
            &body,
        )?)),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[tokio::test]
    async fn acknowledged_writes_are_synced_to_disk() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite");
        let store = SqliteStore::open(path.to_str().unwrap(), StoreOptions::default())
            .await
            .unwrap();
        let (mode, journal): (i64, String) = store
            .run(|conn| {
                let mode = conn.query_row("PRAGMA synchronous", [], |r| r.get(0))?;
                let journal = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
                Ok((mode, journal))
            })
            .await
            .unwrap();
        assert_eq!(mode, 2, "synchronous = FULL");
        assert_eq!(journal, "wal");
    }
}
