//! Durable state (`--data-dir`): SQLite in WAL mode next to the in-memory store, which stays
//! the read path. After every operation the pools it touched are flushed in one transaction
//! (their changed users, and their settings/clients/groups/keys when those changed) before
//! the response is sent, so an acknowledged write survives the process being killed.
//!
//! Not written: challenges in progress, unused codes, lockouts and refresh tokens (they are
//! short-lived or re-obtainable by signing in again).

use std::path::Path;

use parking_lot::Mutex;
use rusqlite::{params, Connection};

use super::pool::{PoolHeader, UserPool};
use super::users::User;
use crate::error::ApiError;

/// The on-disk schema; a file written by a newer version is refused.
const SCHEMA_VERSION: i64 = 1;

pub struct Persistence {
    connection: Mutex<Connection>,
}

/// What one pool has to write.
pub struct PoolChanges {
    pub pool_id: String,
    pub header: Option<String>,
    /// `(key, Some(json))` to write, `(key, None)` to delete.
    pub users: Vec<(u64, Option<String>)>,
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
        // WAL with synchronous=NORMAL: a committed transaction survives the process dying
        // (SIGKILL); only a power loss can lose the last ones.
        connection
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 PRAGMA synchronous = NORMAL;
                 CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
                 CREATE TABLE IF NOT EXISTS pools (id TEXT PRIMARY KEY, header TEXT NOT NULL);
                 CREATE TABLE IF NOT EXISTS users (pool_id TEXT NOT NULL, key INTEGER NOT NULL, data TEXT NOT NULL,
                                                   PRIMARY KEY (pool_id, key)) WITHOUT ROWID;",
            )
            .map_err(fail)?;
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
            Some(_) => {}
        }
        Ok(Self {
            connection: Mutex::new(connection),
        })
    }

    /// Every pool on disk, with its users.
    pub fn load(&self) -> Result<Vec<UserPool>, String> {
        let connection = self.connection.lock();
        let fail = |e: rusqlite::Error| format!("reading durable state: {e}");
        let mut pools = Vec::new();
        let mut statement = connection
            .prepare("SELECT id, header FROM pools")
            .map_err(fail)?;
        let headers: Vec<(String, String)> = statement
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(fail)?
            .collect::<Result<_, _>>()
            .map_err(fail)?;
        let mut users = connection
            .prepare("SELECT key, data FROM users WHERE pool_id = ?1 ORDER BY key")
            .map_err(fail)?;
        for (id, header) in headers {
            let header: PoolHeader =
                serde_json::from_str(&header).map_err(|e| format!("pool {id} on disk: {e}"))?;
            let mut pool = UserPool::from_header(header);
            let rows = users
                .query_map([&id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
                .map_err(fail)?;
            for row in rows {
                let (key, data) = row.map_err(fail)?;
                let user: User = serde_json::from_str(&data)
                    .map_err(|e| format!("user {key} of pool {id} on disk: {e}"))?;
                for group in &user.groups {
                    if let Some(group) = pool.groups.get_mut(group) {
                        group.members.insert(key as u64);
                    }
                }
                pool.users.restore(key as u64, user);
            }
            pools.push(pool);
        }
        Ok(pools)
    }

    /// Writes a batch of changes in one transaction.
    pub fn write(&self, deleted_pools: &[String], changes: &[PoolChanges]) -> Result<(), ApiError> {
        let mut connection = self.connection.lock();
        let tx = connection.transaction().map_err(storage_error)?;
        for id in deleted_pools {
            tx.execute("DELETE FROM pools WHERE id = ?1", [id])
                .map_err(storage_error)?;
            tx.execute("DELETE FROM users WHERE pool_id = ?1", [id])
                .map_err(storage_error)?;
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
            }
        }
        tx.commit().map_err(storage_error)
    }

    /// Forgets everything (the reset endpoint).
    pub fn clear(&self) -> Result<(), ApiError> {
        self.connection
            .lock()
            .execute_batch("DELETE FROM pools; DELETE FROM users;")
            .map_err(storage_error)
    }
}
