//! The scale-out backend: PostgreSQL behind any number of stateless server instances.
//!
//! Writers to a group serialise on its row (`UPDATE groups SET head = head + 1 ... RETURNING
//! head` inside the write transaction), so a reader polling `seq > cursor` can never see a
//! later sequence number commit before an earlier one. Migrations run under a transaction-scoped
//! advisory lock, so instances starting together do not race.

use deadpool_postgres::GenericClient;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use kinship_protocol::Group;
use tokio_postgres::{NoTls, Row};

use super::{
    micros_to_time, now, parse_visibility, row_to_event, visibility_str, FeedRow, GroupRecord,
    Result, StoreError, StoreOptions, WebSession, WriteKind, Written,
};

const MIGRATION_LOCK: i64 = 0x006b_696e_7368_6970; // "kinship"
const MIGRATIONS: &[&str] = &[
    "
    CREATE TABLE groups (
        id                    TEXT PRIMARY KEY,
        name                  TEXT NOT NULL,
        description           TEXT NOT NULL,
        visibility            TEXT NOT NULL,
        created_at            BIGINT NOT NULL,
        head                  BIGINT NOT NULL DEFAULT 0,
        purged_through        BIGINT NOT NULL DEFAULT 0,
        organizer_token_hash  TEXT NOT NULL UNIQUE,
        invite_hash           TEXT
    );
    CREATE TABLE members (
        token_hash  TEXT PRIMARY KEY,
        group_id    TEXT NOT NULL REFERENCES groups(id),
        created_at  BIGINT NOT NULL
    );
    CREATE TABLE events (
        id          TEXT PRIMARY KEY,
        group_id    TEXT NOT NULL REFERENCES groups(id),
        seq         BIGINT NOT NULL,
        updated_at  BIGINT NOT NULL,
        body        TEXT
    );
    CREATE INDEX events_feed ON events (group_id, seq);
    CREATE TABLE idempotency (
        group_id    TEXT NOT NULL,
        key         TEXT NOT NULL,
        event_id    TEXT NOT NULL,
        created_at  BIGINT NOT NULL,
        PRIMARY KEY (group_id, key)
    );
    CREATE TABLE directory_bundles (
        version       BIGINT PRIMARY KEY,
        bytes         BYTEA NOT NULL,
        published_at  BIGINT NOT NULL
    );
",
    // 2: "this number didn't work" reports.
    "
    CREATE TABLE directory_reports (
        entry_id           TEXT NOT NULL,
        problem            TEXT NOT NULL,
        directory_version  BIGINT NOT NULL,
        count              BIGINT NOT NULL,
        first_at           BIGINT NOT NULL,
        last_at            BIGINT NOT NULL,
        PRIMARY KEY (entry_id, problem, directory_version)
    );
    CREATE TABLE directory_report_notes (
        id          BIGSERIAL PRIMARY KEY,
        entry_id    TEXT NOT NULL,
        problem     TEXT NOT NULL,
        note        TEXT NOT NULL,
        created_at  BIGINT NOT NULL
    );
    CREATE INDEX directory_report_notes_entry ON directory_report_notes (entry_id, id);
",
    // 3: the operator's token for the operator pages (one row at most).
    "
    CREATE TABLE operator_tokens (
        token_hash  TEXT PRIMARY KEY,
        created_at  BIGINT NOT NULL
    );
",
    // 4: the web pages' sessions, shared by every instance.
    "
    CREATE TABLE web_sessions (
        id_hash     TEXT PRIMARY KEY,
        kind        TEXT NOT NULL,
        subject     TEXT NOT NULL,
        token_hash  TEXT NOT NULL,
        csrf        TEXT NOT NULL,
        created_at  BIGINT NOT NULL,
        expires_at  BIGINT NOT NULL
    );
    CREATE INDEX web_sessions_subject ON web_sessions (kind, subject, created_at);
",
];

pub struct PgStore {
    pool: Pool,
    options: StoreOptions,
}

impl PgStore {
    pub async fn connect(url: &str, options: StoreOptions) -> Result<Self> {
        let config: tokio_postgres::Config = url.parse()?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(16)
            .build()
            .map_err(|e| StoreError::Pool(e.to_string()))?;
        let store = PgStore { pool, options };
        store.migrate().await?;
        Ok(store)
    }

    async fn client(&self) -> Result<deadpool_postgres::Object> {
        self.pool
            .get()
            .await
            .map_err(|e| StoreError::Pool(e.to_string()))
    }

    async fn migrate(&self) -> Result<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await?;
        tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INT PRIMARY KEY)")
            .await?;
        let done: i64 = tx
            .query_one("SELECT COUNT(*) FROM schema_migrations", &[])
            .await?
            .get(0);
        for (index, sql) in MIGRATIONS.iter().enumerate().skip(done as usize) {
            tx.batch_execute(sql).await?;
            tx.execute(
                "INSERT INTO schema_migrations (version) VALUES ($1)",
                &[&(index as i32 + 1)],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn insert_group(
        &self,
        group: &Group,
        organizer_hash: &str,
        invite_hash: Option<&str>,
    ) -> Result<()> {
        self.client()
            .await?
            .execute(
                "INSERT INTO groups (id, name, description, visibility, created_at, organizer_token_hash, invite_hash)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[
                    &group.id,
                    &group.name,
                    &group.description,
                    &visibility_str(group.visibility),
                    &group.created_at.timestamp_micros(),
                    &organizer_hash,
                    &invite_hash,
                ],
            )
            .await?;
        Ok(())
    }

    pub(crate) async fn delete_members(&self, group_id: &str) -> Result<u64> {
        Ok(self
            .client()
            .await?
            .execute("DELETE FROM members WHERE group_id = $1", &[&group_id])
            .await?)
    }

    pub(crate) async fn set_secret(
        &self,
        group_id: &str,
        column: &'static str,
        hash: &str,
    ) -> Result<bool> {
        // `column` is one of two fixed names chosen by the caller, never input.
        let sql = format!("UPDATE groups SET {column} = $2 WHERE id = $1");
        Ok(self
            .client()
            .await?
            .execute(&sql, &[&group_id, &hash])
            .await?
            == 1)
    }

    pub(crate) async fn public_groups(&self) -> Result<Vec<Group>> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT id, name, description, visibility, created_at FROM groups WHERE visibility = 'public' ORDER BY name",
                &[],
            )
            .await?;
        rows.iter().map(group_from_row).collect()
    }

    pub(crate) async fn group(&self, id: &str) -> Result<Option<GroupRecord>> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT id, name, description, visibility, created_at, head, purged_through FROM groups WHERE id = $1",
                &[&id],
            )
            .await?;
        row.map(|row| {
            Ok(GroupRecord {
                group: group_from_row(&row)?,
                head: row.try_get(5)?,
                purged_through: row.try_get(6)?,
            })
        })
        .transpose()
    }

    pub(crate) async fn group_by_secret(
        &self,
        column: &'static str,
        hash: &str,
    ) -> Result<Option<String>> {
        let sql = format!("SELECT id FROM groups WHERE {column} = $1");
        let row = self.client().await?.query_opt(&sql, &[&hash]).await?;
        Ok(row.map(|r| r.try_get(0)).transpose()?)
    }

    pub(crate) async fn member_group(&self, hash: &str) -> Result<Option<String>> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT group_id FROM members WHERE token_hash = $1",
                &[&hash],
            )
            .await?;
        Ok(row.map(|r| r.try_get(0)).transpose()?)
    }

    pub(crate) async fn replace_operator_hash(&self, hash: &str) -> Result<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        tx.execute("DELETE FROM operator_tokens", &[]).await?;
        tx.execute(
            "INSERT INTO operator_tokens (token_hash, created_at) VALUES ($1, $2)",
            &[&hash, &now().timestamp_micros()],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn insert_session(&self, session: &WebSession, keep: usize) -> Result<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let now = now().timestamp_micros();
        tx.execute("DELETE FROM web_sessions WHERE expires_at <= $1", &[&now])
            .await?;
        // The subject's oldest go first: one subject cannot push another's out.
        tx.execute(
            "DELETE FROM web_sessions WHERE id_hash IN (
                 SELECT id_hash FROM web_sessions WHERE kind = $1 AND subject = $2
                 ORDER BY created_at DESC OFFSET $3)",
            &[
                &session.kind,
                &session.subject,
                &(keep.saturating_sub(1) as i64),
            ],
        )
        .await?;
        tx.execute(
            "INSERT INTO web_sessions (id_hash, kind, subject, token_hash, csrf, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &session.id_hash,
                &session.kind,
                &session.subject,
                &session.token_hash,
                &session.csrf,
                &now,
                &session.expires_at.timestamp_micros(),
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn session(&self, kind: &str, id_hash: &str) -> Result<Option<WebSession>> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT id_hash, kind, subject, token_hash, csrf, expires_at FROM web_sessions
                 WHERE kind = $1 AND id_hash = $2 AND expires_at > $3",
                &[&kind, &id_hash, &now().timestamp_micros()],
            )
            .await?;
        row.map(|r| {
            Ok(WebSession {
                id_hash: r.try_get(0)?,
                kind: r.try_get(1)?,
                subject: r.try_get(2)?,
                token_hash: r.try_get(3)?,
                csrf: r.try_get(4)?,
                expires_at: micros_to_time(r.try_get(5)?),
            })
        })
        .transpose()
    }

    pub(crate) async fn delete_session(&self, id_hash: &str) -> Result<()> {
        self.client()
            .await?
            .execute("DELETE FROM web_sessions WHERE id_hash = $1", &[&id_hash])
            .await?;
        Ok(())
    }

    pub(crate) async fn organizer_hash_is(&self, group_id: &str, hash: &str) -> Result<bool> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT 1 FROM groups WHERE id = $1 AND organizer_token_hash = $2",
                &[&group_id, &hash],
            )
            .await?;
        Ok(row.is_some())
    }

    pub(crate) async fn has_operator_hash(&self, hash: &str) -> Result<bool> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT 1 FROM operator_tokens WHERE token_hash = $1",
                &[&hash],
            )
            .await?;
        Ok(row.is_some())
    }

    pub(crate) async fn invite_hash(&self, group_id: &str) -> Result<Option<String>> {
        let row = self
            .client()
            .await?
            .query_opt("SELECT invite_hash FROM groups WHERE id = $1", &[&group_id])
            .await?;
        Ok(row
            .map(|r| r.try_get::<_, Option<String>>(0))
            .transpose()?
            .flatten())
    }

    pub(crate) async fn insert_member(&self, group_id: &str, hash: &str) -> Result<()> {
        self.client()
            .await?
            .execute(
                "INSERT INTO members (token_hash, group_id, created_at) VALUES ($1, $2, $3)",
                &[&hash, &group_id, &now().timestamp_micros()],
            )
            .await?;
        Ok(())
    }

    pub(crate) async fn write_event(
        &self,
        group_id: &str,
        event_id: &str,
        body: Option<&str>,
        kind: WriteKind<'_>,
    ) -> Result<Written> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let idempotency_key = match kind {
            WriteKind::Create { idempotency_key } => idempotency_key,
            _ => None,
        };
        // Taking the group's next number first locks its row: concurrent writers to the group
        // (on any instance) wait here, so numbers commit in order.
        let Some(row) = tx
            .query_opt(
                "UPDATE groups SET head = head + 1 WHERE id = $1 RETURNING head",
                &[&group_id],
            )
            .await?
        else {
            return Ok(Written::Missing);
        };
        let seq: i64 = row.try_get(0)?;
        // Keys expire: this group's old ones go with every write (under the group's row lock).
        tx.execute(
            "DELETE FROM idempotency WHERE group_id = $1 AND created_at <= $2",
            &[&group_id, &super::idempotency_cutoff().timestamp_micros()],
        )
        .await?;
        if let Some(key) = idempotency_key {
            if let Some(earlier) = tx
                .query_opt(
                    "SELECT event_id FROM idempotency WHERE group_id = $1 AND key = $2",
                    &[&group_id, &key],
                )
                .await?
            {
                let earlier: String = earlier.try_get(0)?;
                // Rolling back returns the number: the retry changes nothing.
                let event = read_event(&tx, group_id, &earlier).await?;
                tx.rollback().await?;
                return Ok(event.map(Written::Replayed).unwrap_or(Written::Missing));
            }
        }
        if !matches!(kind, WriteKind::Create { .. }) {
            let live = tx
                .query_opt(
                    "SELECT body FROM events WHERE group_id = $1 AND id = $2",
                    &[&group_id, &event_id],
                )
                .await?;
            let live = live
                .map(|r| r.try_get::<_, Option<String>>(0))
                .transpose()?
                .flatten();
            if live.is_none() {
                tx.rollback().await?;
                return Ok(Written::Missing);
            }
        }
        if let Some(hold) = self.options.hold_writes {
            tokio::time::sleep(hold).await;
        }
        let updated_at = now().timestamp_micros();
        tx.execute(
            "INSERT INTO events (id, group_id, seq, updated_at, body) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, updated_at = EXCLUDED.updated_at, body = EXCLUDED.body",
            &[&event_id, &group_id, &seq, &updated_at, &body],
        )
        .await?;
        if let Some(key) = idempotency_key {
            tx.execute(
                "INSERT INTO idempotency (group_id, key, event_id, created_at) VALUES ($1, $2, $3, $4)",
                &[&group_id, &key, &event_id, &updated_at],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(match body {
            Some(body) => Written::New(row_to_event(
                group_id,
                event_id.to_owned(),
                seq,
                updated_at,
                body,
            )?),
            None => Written::Deleted,
        })
    }

    pub(crate) async fn event(
        &self,
        group_id: &str,
        event_id: &str,
    ) -> Result<Option<super::Event>> {
        let client = self.client().await?;
        read_event(&client, group_id, event_id).await
    }

    pub(crate) async fn feed_rows(
        &self,
        group_id: &str,
        since: i64,
        head: i64,
        limit: u32,
    ) -> Result<Vec<FeedRow>> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT id, seq, updated_at, body FROM events WHERE group_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4",
                &[&group_id, &since, &head, &i64::from(limit)],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(FeedRow {
                    id: r.try_get(0)?,
                    seq: r.try_get(1)?,
                    updated_at: r.try_get(2)?,
                    body: r.try_get(3)?,
                })
            })
            .collect()
    }

    pub(crate) async fn purge_idempotency(&self, before_micros: i64) -> Result<u64> {
        Ok(self
            .client()
            .await?
            .execute(
                "DELETE FROM idempotency WHERE created_at <= $1",
                &[&before_micros],
            )
            .await?)
    }

    pub(crate) async fn purge_tombstones(&self, before_micros: i64) -> Result<u64> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        tx.execute(
            "UPDATE groups SET purged_through = GREATEST(purged_through, COALESCE(
                (SELECT MAX(seq) FROM events WHERE events.group_id = groups.id AND body IS NULL AND updated_at < $1), 0))",
            &[&before_micros],
        )
        .await?;
        let removed = tx
            .execute(
                "DELETE FROM events WHERE body IS NULL AND updated_at < $1",
                &[&before_micros],
            )
            .await?;
        tx.commit().await?;
        Ok(removed)
    }

    pub(crate) async fn publish_directory(&self, version: i64, bytes: &[u8]) -> Result<()> {
        self.client()
            .await?
            .execute(
                "INSERT INTO directory_bundles (version, bytes, published_at) VALUES ($1, $2, $3)",
                &[&version, &bytes, &now().timestamp_micros()],
            )
            .await?;
        Ok(())
    }

    pub(crate) async fn ping(&self) -> Result<()> {
        self.client().await?.query_one("SELECT 1", &[]).await?;
        Ok(())
    }

    pub(crate) async fn latest_directory(&self) -> Result<Option<(i64, Vec<u8>)>> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT version, bytes FROM directory_bundles ORDER BY version DESC LIMIT 1",
                &[],
            )
            .await?;
        row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
    }
}

impl PgStore {
    pub(crate) async fn record_report(
        &self,
        report: &kinship_protocol::DirectoryReport,
    ) -> Result<bool> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let at = now().timestamp_micros();
        let version = i64::try_from(report.directory_version).unwrap_or(i64::MAX);
        let problem = report.problem.as_str();
        // Serialises reports, so the row cap below holds with many instances.
        tx.execute(
            "LOCK TABLE directory_reports IN SHARE ROW EXCLUSIVE MODE",
            &[],
        )
        .await?;
        let updated = tx
            .execute(
                "UPDATE directory_reports SET count = count + 1, last_at = $4
                 WHERE entry_id = $1 AND problem = $2 AND directory_version = $3",
                &[&report.entry_id, &problem, &version, &at],
            )
            .await?;
        if updated == 0 {
            let rows: i64 = tx
                .query_one("SELECT COUNT(*) FROM directory_reports", &[])
                .await?
                .try_get(0)?;
            if rows >= super::MAX_REPORT_ROWS {
                return Ok(false);
            }
            tx.execute(
                "INSERT INTO directory_reports VALUES ($1, $2, $3, 1, $4, $4)",
                &[&report.entry_id, &problem, &version, &at],
            )
            .await?;
        }
        if let Some(note) = report
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            tx.execute(
                "INSERT INTO directory_report_notes (entry_id, problem, note, created_at)
                 VALUES ($1, $2, $3, $4)",
                &[&report.entry_id, &problem, &note, &at],
            )
            .await?;
            tx.execute(
                "DELETE FROM directory_report_notes WHERE entry_id = $1 AND id NOT IN
                 (SELECT id FROM directory_report_notes WHERE entry_id = $1
                  ORDER BY id DESC LIMIT $2)",
                &[&report.entry_id, &super::MAX_NOTES_PER_ENTRY],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    pub(crate) async fn directory_reports(&self) -> Result<Vec<super::ReportSummary>> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT entry_id, problem, directory_version, count, first_at, last_at
                 FROM directory_reports ORDER BY count DESC, entry_id, problem",
                &[],
            )
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let (entry_id, problem): (String, String) = (row.try_get(0)?, row.try_get(1)?);
            let notes = client
                .query(
                    "SELECT note FROM directory_report_notes WHERE entry_id = $1 AND problem = $2
                     ORDER BY id DESC",
                    &[&entry_id, &problem],
                )
                .await?
                .iter()
                .map(|r| r.try_get(0))
                .collect::<Result<Vec<String>, _>>()?;
            out.push(super::ReportSummary {
                entry_id,
                problem,
                directory_version: row.try_get(2)?,
                count: row.try_get(3)?,
                first_at: micros_to_time(row.try_get(4)?),
                last_at: micros_to_time(row.try_get(5)?),
                notes,
            });
        }
        Ok(out)
    }
}

fn group_from_row(row: &Row) -> Result<Group> {
    let visibility: String = row.try_get(3)?;
    let created_at: i64 = row.try_get(4)?;
    Ok(Group {
        id: row.try_get(0)?,
        name: row.try_get(1)?,
        description: row.try_get(2)?,
        visibility: parse_visibility(&visibility)?,
        created_at: micros_to_time(created_at),
    })
}

async fn read_event(
    client: &impl GenericClient,
    group_id: &str,
    event_id: &str,
) -> Result<Option<super::Event>> {
    let row = client
        .query_opt(
            "SELECT seq, updated_at, body FROM events WHERE group_id = $1 AND id = $2",
            &[&group_id, &event_id],
        )
        .await?;
    let Some(row) = row else { return Ok(None) };
    let body: Option<String> = row.try_get(2)?;
    match body {
        Some(body) => Ok(Some(row_to_event(
            group_id,
            event_id.to_owned(),
            row.try_get(0)?,
            row.try_get(1)?,
            &body,
        )?)),
        None => Ok(None),
    }
}
