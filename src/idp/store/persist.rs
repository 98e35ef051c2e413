//! Durable state (`--data-dir`): SQLite in WAL mode next to the in-memory store, which stays
//! the read path. After every operation the pools it touched are flushed in one transaction
//! (their changed users, and their settings/clients/groups/keys when those changed) before
//! the response is sent, so an acknowledged write survives the process being killed.
//!
//! Also written: refresh tokens and revoked sign-ins. Not written: challenges in progress,
//! unused codes and lockouts (all short-lived).

use std::path::Path;

use parking_lot::Mutex;
use rusqlite::{params, Connection};

use super::pool::{PoolHeader, UserPool};
use super::users::User;
use crate::error::ApiError;

/// The on-disk schema; a file written by a newer version is refused, an older one migrated.
/// 2: revoked_origins.revoked_at (so revocations can be forgotten once useless).
/// 3: documents (state of other services kept by the same commits: identity pools).
/// 4: identity pools' identities in documents of their own (`<pool>/<identity>`); a version 3
///    file's pools carry them inside and are rewritten apart by the first commit.
const SCHEMA_VERSION: i64 = 4;

pub struct Persistence {
    connection: Mutex<Connection>,
    path: std::path::PathBuf,
}

/// What one pool has to write.
pub struct PoolChanges {
    pub pool_id: String,
    pub header: Option<String>,
    /// `(key, Some(json))` to write, `(key, None)` to delete.
    pub users: Vec<(u64, Option<String>)>,
    /// `(token, Some(json))` to write, `(token, None)` to delete.
    pub refresh_tokens: Vec<(String, Option<String>)>,
    /// `(origin, Some(revoked_at))` to write, `(origin, None)` to delete.
    pub revoked_origins: Vec<(String, Option<f64>)>,
}

/// Decodes rows on every core: JSON decoding is a large part of a restart.
fn parse_on_every_core<R: Sync, T: Send>(
    rows: &[R],
    parse: impl Fn(&R) -> Result<T, String> + Sync,
) -> Result<Vec<T>, String> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = rows.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let parts: Vec<_> = rows
            .chunks(chunk)
            .map(|part| scope.spawn(|| part.iter().map(&parse).collect::<Result<Vec<T>, _>>()))
            .collect();
        let mut all = Vec::with_capacity(rows.len());
        for part in parts {
            all.extend(part.join().expect("decoding thread")?);
        }
        Ok(all)
    })
}

fn storage_error(e: impl std::fmt::Display) -> ApiError {
    ApiError::internal(format!("durable state: {e}"))
}

impl Persistence {
    pub fn open(dir: &Path) -> Result<Self, String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("data dir {}: {e}", dir.display()))?;
        let path = dir.join("cognito-emulator.sqlite3");
        let fail = |e: rusqlite::Error| format!("data file {}: {e}", path.display());
        let connection = Connection::open(&path).map_err(fail)?;
        // Long enough for a restarting emulator to let go of the file, short enough to say
        // promptly that another one holds it.
        connection
            .busy_timeout(std::time::Duration::from_secs(2))
            .map_err(fail)?;
        // WAL with synchronous=NORMAL: a committed transaction survives the process dying
        // (SIGKILL); only a power loss can lose the last ones. Exclusive locking: one process
        // owns the file, so no file-lock system calls per transaction (and a second emulator
        // on the same directory is refused instead of interleaving writes).
        connection
            .execute_batch(
                "PRAGMA locking_mode = EXCLUSIVE;
                 PRAGMA journal_mode = WAL;
                 PRAGMA synchronous = NORMAL;
                 PRAGMA wal_autocheckpoint = 10000;
                 PRAGMA cache_size = -65536;
                 CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
                 CREATE TABLE IF NOT EXISTS pools (id TEXT PRIMARY KEY, header TEXT NOT NULL);
                 CREATE TABLE IF NOT EXISTS users (pool_id TEXT NOT NULL, key INTEGER NOT NULL, data TEXT NOT NULL,
                                                   PRIMARY KEY (pool_id, key)) WITHOUT ROWID;
                 CREATE TABLE IF NOT EXISTS refresh_tokens (token TEXT PRIMARY KEY, pool_id TEXT NOT NULL, data TEXT NOT NULL);
                 CREATE TABLE IF NOT EXISTS revoked_origins (pool_id TEXT NOT NULL, origin TEXT NOT NULL,
                                                             revoked_at REAL NOT NULL,
                                                             PRIMARY KEY (pool_id, origin)) WITHOUT ROWID;
                 CREATE TABLE IF NOT EXISTS documents (kind TEXT NOT NULL, key TEXT NOT NULL, data TEXT NOT NULL,
                                                       PRIMARY KEY (kind, key)) WITHOUT ROWID;",
            )
            .map_err(|e| match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::DatabaseBusy) => format!(
                    "data dir {} is in use by another process (another cognito-emulator?)",
                    dir.display()
                ),
                _ => fail(e),
            })?;
        let version: Option<i64> = connection
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |r| r.get(0),
            )
            .ok();
        match version {
            None => {
                connection
                    .execute("INSERT INTO meta (key, value) VALUES ('schema_version', ?1)", [SCHEMA_VERSION])
                    .map_err(fail)?;
            }
            Some(v) if v > SCHEMA_VERSION => {
                return Err(format!(
                    "data file {} has schema version {v}; this cognito-emulator reads up to {SCHEMA_VERSION}",
                    path.display()
                ))
            }
            Some(1) => {
                // Revocations from version 1 carry no time: count them as revoked now.
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0.0, |d| d.as_secs_f64());
                connection
                    .execute_batch(&format!(
                        "BEGIN;
                         ALTER TABLE revoked_origins ADD COLUMN revoked_at REAL NOT NULL DEFAULT {now};
                         UPDATE meta SET value = 4 WHERE key = 'schema_version';
                         COMMIT;"
                    ))
                    .map_err(fail)?;
            }
            // Version 3 only added the documents table, created above; version 4 changed
            // what the identity store writes there, and reads version 3's documents as well.
            Some(2) | Some(3) => {
                connection
                    .execute("UPDATE meta SET value = 4 WHERE key = 'schema_version'", [])
                    .map_err(fail)?;
            }
            Some(_) => {}
        }
        // A damaged file must never load in part: check the whole structure first (rows are
        // then checked one by one as they are decoded).
        let damaged = |detail: String| {
            format!(
                "data file {} is damaged ({detail}); refusing to start rather than load part of it. Restore it from a backup, or move it away to start empty.",
                path.display()
            )
        };
        let problems: Vec<String> = connection
            .prepare("PRAGMA quick_check(5)")
            .and_then(|mut s| {
                s.query_map([], |r| r.get::<_, String>(0))?
                    .collect::<Result<_, _>>()
            })
            .map_err(|e| damaged(e.to_string()))?;
        if problems != ["ok"] {
            return Err(damaged(problems.join("; ")));
        }
        Ok(Self {
            connection: Mutex::new(connection),
            path,
        })
    }

    /// Every pool on disk, with its users.
    pub fn load(&self) -> Result<Vec<UserPool>, String> {
        self.load_where(None).map_err(|e| {
            format!(
                "data file {} is damaged or unreadable ({e}); refusing to start rather than load part of it",
                self.path.display()
            )
        })
    }

    /// One pool as the disk holds it, if it does.
    pub fn load_pool(&self, id: &str) -> Result<Option<UserPool>, String> {
        Ok(self.load_where(Some(id))?.pop())
    }

    fn load_where(&self, only: Option<&str>) -> Result<Vec<UserPool>, String> {
        let connection = self.connection.lock();
        let fail = |e: rusqlite::Error| format!("reading durable state: {e}");
        let mut pools = Vec::new();
        let mut statement = connection
            .prepare("SELECT id, header FROM pools WHERE ?1 IS NULL OR id = ?1")
            .map_err(fail)?;
        let headers: Vec<(String, String)> = statement
            .query_map([only], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(fail)?
            .collect::<Result<_, _>>()
            .map_err(fail)?;
        let mut users = connection
            .prepare("SELECT key, data FROM users WHERE pool_id = ?1 ORDER BY key")
            .map_err(fail)?;
        let mut tokens = connection
            .prepare("SELECT token, data FROM refresh_tokens WHERE pool_id = ?1")
            .map_err(fail)?;
        let mut origins = connection
            .prepare("SELECT origin, revoked_at FROM revoked_origins WHERE pool_id = ?1")
            .map_err(fail)?;
        for (id, header) in headers {
            let header: PoolHeader =
                serde_json::from_str(&header).map_err(|e| format!("pool {id} on disk: {e}"))?;
            let mut pool = UserPool::from_header(header);
            let rows: Vec<(i64, String)> = users
                .query_map([&id], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(fail)?
                .collect::<Result<_, _>>()
                .map_err(fail)?;
            let restored = parse_on_every_core(&rows, |(key, data)| {
                serde_json::from_str::<User>(data)
                    .map(|user| {
                        let entries = pool.users.index_entries(&user);
                        (*key as u64, user, entries)
                    })
                    .map_err(|e| format!("user {key} of pool {id} on disk: {e}"))
            })?;
            drop(rows);
            for (key, user, _) in &restored {
                for group in &user.groups {
                    if let Some(group) = pool.groups.get_mut(group) {
                        group.members.insert(*key);
                    }
                }
            }
            pool.users.restore(restored);
            let rows = tokens
                .query_map([&id], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                })
                .map_err(fail)?;
            for row in rows {
                let (token, data) = row.map_err(fail)?;
                let record = serde_json::from_str(&data)
                    .map_err(|e| format!("a refresh token of pool {id} on disk: {e}"))?;
                pool.auth.restore_refresh_token(token, record);
            }
            let rows = origins
                .query_map([&id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, f64>(1)?)))
                .map_err(fail)?;
            for row in rows {
                let (origin, revoked_at) = row.map_err(fail)?;
                pool.auth.restore_revoked_origin(origin, revoked_at);
            }
            pools.push(pool);
        }
        Ok(pools)
    }

    /// The documents of one kind: `(key, data)`.
    pub fn load_documents(&self, kind: &str) -> Result<Vec<(String, String)>, String> {
        let connection = self.connection.lock();
        let fail = |e: rusqlite::Error| format!("reading durable state: {e}");
        let mut statement = connection
            .prepare("SELECT key, data FROM documents WHERE kind = ?1 ORDER BY key")
            .map_err(fail)?;
        let rows = statement
            .query_map([kind], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(fail)?
            .collect::<Result<_, _>>()
            .map_err(fail);
        rows
    }

    /// Writes a batch of changes in one transaction; `documents` are `(kind, key, Some(data))`
    /// to write and `(kind, key, None)` to delete.
    pub fn write(
        &self,
        deleted_pools: &[String],
        changes: &[PoolChanges],
        documents: &[(&str, String, Option<String>)],
    ) -> Result<(), ApiError> {
        let mut connection = self.connection.lock();
        let tx = connection.transaction().map_err(storage_error)?;
        for (kind, key, data) in documents {
            match data {
                Some(data) => tx.execute(
                    "INSERT OR REPLACE INTO documents (kind, key, data) VALUES (?1, ?2, ?3)",
                    params![kind, key, data],
                ),
                None => tx.execute(
                    "DELETE FROM documents WHERE kind = ?1 AND key = ?2",
                    params![kind, key],
                ),
            }
            .map_err(storage_error)?;
        }
        for id in deleted_pools {
            tx.execute("DELETE FROM pools WHERE id = ?1", [id])
                .map_err(storage_error)?;
            for table in ["users", "refresh_tokens", "revoked_origins"] {
                tx.execute(&format!("DELETE FROM {table} WHERE pool_id = ?1"), [id])
                    .map_err(storage_error)?;
            }
        }
        {
            let mut put_user = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO users (pool_id, key, data) VALUES (?1, ?2, ?3)",
                )
                .map_err(storage_error)?;
            let mut drop_user = tx
                .prepare_cached("DELETE FROM users WHERE pool_id = ?1 AND key = ?2")
                .map_err(storage_error)?;
            for change in changes {
                if let Some(header) = &change.header {
                    tx.execute(
                        "INSERT OR REPLACE INTO pools (id, header) VALUES (?1, ?2)",
                        params![change.pool_id, header],
                    )
                    .map_err(storage_error)?;
                }
                for (key, data) in &change.users {
                    match data {
                        Some(data) => put_user.execute(params![change.pool_id, *key as i64, data]),
                        None => drop_user.execute(params![change.pool_id, *key as i64]),
                    }
                    .map_err(storage_error)?;
                }
                for (token, data) in &change.refresh_tokens {
                    match data {
                        Some(data) => tx.execute(
                            "INSERT OR REPLACE INTO refresh_tokens (token, pool_id, data) VALUES (?1, ?2, ?3)",
                            params![token, change.pool_id, data],
                        ),
                        None => tx.execute("DELETE FROM refresh_tokens WHERE token = ?1", [token]),
                    }
                    .map_err(storage_error)?;
                }
                for (origin, revoked_at) in &change.revoked_origins {
                    match revoked_at {
                        Some(revoked_at) => tx.execute(
                            "INSERT OR REPLACE INTO revoked_origins (pool_id, origin, revoked_at) VALUES (?1, ?2, ?3)",
                            params![change.pool_id, origin, revoked_at],
                        ),
                        None => tx.execute(
                            "DELETE FROM revoked_origins WHERE pool_id = ?1 AND origin = ?2",
                            params![change.pool_id, origin],
                        ),
                    }
                    .map_err(storage_error)?;
                }
            }
        }
        tx.commit().map_err(storage_error)
    }

    /// Forgets everything (the reset endpoint).
    pub fn clear(&self) -> Result<(), ApiError> {
        self.connection
            .lock()
            .execute_batch("DELETE FROM pools; DELETE FROM users; DELETE FROM refresh_tokens; DELETE FROM revoked_origins; DELETE FROM documents;")
            .map_err(storage_error)
    }
}
