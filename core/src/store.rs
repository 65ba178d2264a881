//! The SQLite database of one profile: connection settings and schema migrations.
//!
//! One connection per unlocked profile, held behind the profile's session lock, so there is one
//! writer and every multi-row write is one transaction. The pragmas favour durability and
//! privacy over raw speed: WAL with `synchronous=NORMAL` survives a killed process,
//! `temp_store=MEMORY` keeps sorts and temporary tables off the disk, and `secure_delete`
//! overwrites freed pages so deleted sealed rows do not linger in the file.
//!
//! Only sealed blobs and random row ids are stored (see `docs/SECURITY.md`).

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

/// Table of one-per-profile sealed documents (favourites, the safety plan).
pub const DOCUMENTS_TABLE: &str = "documents";

/// Schema version this code writes; `PRAGMA user_version` holds the database's.
pub const SCHEMA_VERSION: u32 = 5;

const SCHEMA_V1: &str = "
    CREATE TABLE meta (
        key    TEXT PRIMARY KEY NOT NULL,
        value  BLOB NOT NULL
    );
    CREATE TABLE journal_entries (
        id      TEXT PRIMARY KEY NOT NULL,
        sealed  BLOB NOT NULL
    );
";

/// Coping data and one-per-profile sealed documents (favourites, the safety plan).
const UPGRADE_1_TO_2: &str = "
    CREATE TABLE coping_custom (
        id      TEXT PRIMARY KEY NOT NULL,
        sealed  BLOB NOT NULL
    );
    CREATE TABLE coping_tries (
        id      TEXT PRIMARY KEY NOT NULL,
        sealed  BLOB NOT NULL
    );
    CREATE TABLE documents (
        id      TEXT PRIMARY KEY NOT NULL,
        sealed  BLOB NOT NULL
    );
";

/// The person's own directory entries (a therapist, a local group).
const UPGRADE_2_TO_3: &str = "
    CREATE TABLE directory_private (
        id      TEXT PRIMARY KEY NOT NULL,
        sealed  BLOB NOT NULL
    );
";

/// Followed peer groups (with member tokens and sync cursors) and their cached events.
const UPGRADE_3_TO_4: &str = "
    CREATE TABLE followed_groups (
        id      TEXT PRIMARY KEY NOT NULL,
        sealed  BLOB NOT NULL
    );
    CREATE TABLE group_events (
        id      TEXT PRIMARY KEY NOT NULL,
        sealed  BLOB NOT NULL
    );
";

/// "This number didn't work" reports waiting for the next sync.
const UPGRADE_4_TO_5: &str = "
    CREATE TABLE directory_reports (
        id      TEXT PRIMARY KEY NOT NULL,
        sealed  BLOB NOT NULL
    );
";

/// What can go wrong opening or using the database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite reported an error.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The database was written by a newer version of Kinship (a schema version above
    /// [`SCHEMA_VERSION`]); this build cannot open it.
    #[error("the database was written by a newer version of Kinship (schema {found}, this build knows {SCHEMA_VERSION})")]
    TooNew {
        /// The database's schema version (`PRAGMA user_version`).
        found: u32,
    },
    /// The database's schema version has no known upgrade step.
    #[error("no upgrade path from schema {from}")]
    NoUpgradePath {
        /// The schema version no upgrade step starts from.
        from: u32,
    },
}

/// The SQLite database of one profile: one connection, with the schema brought up to date on open.
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             PRAGMA foreign_keys = ON;
             PRAGMA temp_store = MEMORY;
             PRAGMA secure_delete = ON;",
        )?;
        #[cfg(debug_assertions)]
        crash_test::install_pause_in_commit(&conn);
        let mut store = Store { conn };
        store.migrate()?;
        Ok(store)
    }

    /// The underlying SQLite connection.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Folds the WAL back into the main file and truncates it, then closes the connection.
    pub fn close(self) -> Result<(), StoreError> {
        self.checkpoint()?;
        self.conn.close().map_err(|(_, err)| StoreError::from(err))
    }

    /// Folds the write-ahead log into the main database file and truncates the log.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// The value stored under `key` in the `meta` table (unencrypted bytes as given), if any.
    pub fn meta_get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")?;
        let mut rows = stmt.query([key])?;
        Ok(match rows.next()? {
            Some(row) => Some(row.get(0)?),
            None => None,
        })
    }

    /// Stores `value` under `key` in the `meta` table, replacing any earlier value.
    pub fn meta_set(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            rusqlite::params![key, value],
        )?;
        Ok(())
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let found: u32 = tx.query_row("PRAGMA user_version", [], |row| row.get(0))?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::TooNew { found });
        }
        for version in found..SCHEMA_VERSION {
            match version {
                0 => tx.execute_batch(SCHEMA_V1)?,
                1 => tx.execute_batch(UPGRADE_1_TO_2)?,
                2 => tx.execute_batch(UPGRADE_2_TO_3)?,
                3 => tx.execute_batch(UPGRADE_3_TO_4)?,
                4 => tx.execute_batch(UPGRADE_4_TO_5)?,
                _ => return Err(StoreError::NoUpgradePath { from: version }),
            }
        }
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        tx.commit()?;
        if found < SCHEMA_VERSION {
            log::info!("database schema upgraded from {found} to {SCHEMA_VERSION}");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_database_gets_current_schema_and_wal() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite")).unwrap();
        let version: u32 = store
            .conn()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        let mode: String = store
            .conn()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        store.meta_set("k", b"v").unwrap();
        assert_eq!(store.meta_get("k").unwrap().as_deref(), Some(&b"v"[..]));
        assert_eq!(store.meta_get("missing").unwrap(), None);
    }

    #[test]
    fn version_1_database_is_upgraded_keeping_its_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(SCHEMA_V1).unwrap();
        conn.execute(
            "INSERT INTO journal_entries (id, sealed) VALUES ('a', x'01')",
            [],
        )
        .unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        drop(conn);
        let store = Store::open(&path).unwrap();
        let rows: u32 = store
            .conn()
            .query_row("SELECT count(*) FROM journal_entries", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 1);
        let tables: u32 = store
            .conn()
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name IN ('coping_custom', 'coping_tries', 'documents', 'directory_private', 'followed_groups', 'group_events')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 6);
    }

    #[test]
    fn database_from_a_newer_version_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        Store::open(&path).unwrap().close().unwrap();
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        drop(conn);
        assert!(matches!(Store::open(&path), Err(StoreError::TooNew { .. })));
    }
}

/// Debug builds only: the SIGKILL test (`core/tests/crash.rs`) must kill a writer while a
/// transaction is open, which no timing can guarantee. With `KINSHIP_TEST_PAUSE_IN_COMMIT=N`
/// set, the Nth commit on this connection stops inside SQLite's commit hook (the transaction
/// is written but not committed), says `in-commit` on stdout and waits to be killed. Release
/// builds, which phones run, do not contain this.
#[cfg(debug_assertions)]
mod crash_test {
    use std::io::Write;
    use std::sync::atomic::{AtomicUsize, Ordering};

    pub const PAUSE_ENV: &str = "KINSHIP_TEST_PAUSE_IN_COMMIT";

    pub fn install_pause_in_commit(conn: &rusqlite::Connection) {
        let Some(target) = std::env::var(PAUSE_ENV)
            .ok()
            .and_then(|n| n.parse::<usize>().ok())
        else {
            return;
        };
        let commits = AtomicUsize::new(0);
        conn.commit_hook(Some(move || {
            if commits.fetch_add(1, Ordering::SeqCst) + 1 == target {
                let mut out = std::io::stdout();
                let _ = writeln!(out, "in-commit");
                let _ = out.flush();
                std::thread::sleep(std::time::Duration::from_secs(60));
            }
            false
        }));
    }
}
