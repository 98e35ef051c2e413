//! A pool behind its lock, and the guards that count themselves (no trigger and no crypto may
//! run under one) and record the pool for the next durable flush.

use std::sync::Arc;

use parking_lot::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::{ChangedPools, PoolHandle, UserPool};
use crate::infra::blocking;

/// A pool behind its lock. Writers get a [`PoolWriteGuard`], which records the pool for the
/// next durable flush when it is released with changes: after the change, on whatever thread
/// the operation happens to run, so a flush can never drain the record before the change.
///
/// Lock rule: the guards are not `Send`, so an async operation cannot hold one across an
/// await (the futures the server runs must be `Send`): decide under the lock, release it,
/// await, then re-lock and re-check.
pub struct Pool {
    lock: RwLock<UserPool>,
    /// With `--data-dir`: where released guards record changed pools.
    changed: Option<ChangedPools>,
}

impl Pool {
    pub(super) fn new(pool: UserPool, changed: Option<ChangedPools>) -> PoolHandle {
        Arc::new(Pool {
            lock: RwLock::new(pool),
            changed,
        })
    }

    pub fn read(&self) -> PoolReadGuard<'_> {
        let guard = self.lock.read();
        blocking::pool_guard_taken();
        PoolReadGuard(guard)
    }

    pub fn write(&self) -> PoolWriteGuard<'_> {
        let guard = self.lock.write();
        blocking::pool_guard_taken();
        PoolWriteGuard {
            guard,
            changed: self.changed.as_ref(),
        }
    }
}

/// Shared access to a pool; see [`Pool`]. Debug builds count the guards a thread holds, so
/// a Lambda trigger or crypto run under a lock fails the test that reaches it.
pub struct PoolReadGuard<'a>(RwLockReadGuard<'a, UserPool>);

impl std::ops::Deref for PoolReadGuard<'_> {
    type Target = UserPool;
    fn deref(&self) -> &UserPool {
        &self.0
    }
}

impl Drop for PoolReadGuard<'_> {
    fn drop(&mut self) {
        blocking::pool_guard_released();
    }
}

/// Exclusive access to a pool; see [`Pool`].
pub struct PoolWriteGuard<'a> {
    guard: RwLockWriteGuard<'a, UserPool>,
    changed: Option<&'a ChangedPools>,
}

impl std::ops::Deref for PoolWriteGuard<'_> {
    type Target = UserPool;
    fn deref(&self) -> &UserPool {
        &self.guard
    }
}

impl std::ops::DerefMut for PoolWriteGuard<'_> {
    fn deref_mut(&mut self) -> &mut UserPool {
        &mut self.guard
    }
}

impl Drop for PoolWriteGuard<'_> {
    /// Runs before the lock is released: a flush that collects this pool afterwards sees
    /// the change.
    fn drop(&mut self) {
        blocking::pool_guard_released();
        if let Some(changed) = self.changed {
            if self.guard.has_changes() {
                changed.lock().insert(self.guard.id().to_string());
            }
        }
    }
}
