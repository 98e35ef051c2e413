//! In-memory state: pools, each behind its own lock, owning their users, clients and groups.

pub mod auth;
pub mod persist;
pub mod pool;
pub mod users;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use parking_lot::{Mutex, RwLock};

use persist::{Persistence, PoolChanges};

pub use pool::{AppClient, ClientSecret, Group, UserPool};
pub use users::{User, UserKey, Users};

use crate::error::{ApiError, ApiResult};

pub type PoolHandle = Arc<RwLock<UserPool>>;

#[derive(Default)]
pub struct Store {
    /// Ordered by pool id, so ListUserPools pages are stable.
    pools: RwLock<BTreeMap<String, PoolHandle>>,
    /// App client id → pool id: sign-in calls name only the client.
    client_pools: RwLock<HashMap<String, String>>,
    /// Durable state, when `--data-dir` is given.
    durable: Option<Durable>,
}

/// Which pools an operation may have changed, to be flushed before it answers.
struct Durable {
    persistence: Persistence,
    /// Pools operations used, recorded when each operation has finished (so after its
    /// changes): a flush that drained this set earlier cannot have missed them.
    touched: Mutex<HashSet<String>>,
    deleted: Mutex<Vec<String>>,
    /// Held from collecting changes until they are committed, so an operation whose changes
    /// another flush collected cannot answer before that flush has committed them.
    flushing: Mutex<()>,
    /// Requests waiting for their changes to be on disk; see [`Store::start_writer`].
    waiting: Mutex<Option<std::sync::mpsc::Sender<tokio::sync::oneshot::Sender<ApiResult<()>>>>>,
}

thread_local! {
    /// Pools the operation running on this thread has used (operations are synchronous).
    static USED_BY_OPERATION: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// How long the writer holds a commit open when the previous one was shared (PostgreSQL's
/// `commit_delay`): fewer, larger transactions. A lone writer never waits. 100 µs measured
/// best for AdminCreateUser from 16 connections (+8–10% over none; 300 µs was worse).
const COMMIT_DELAY: std::time::Duration = std::time::Duration::from_micros(100);

fn to_json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).expect("the store's types serialise")
}

impl Store {
    /// A store backed by a data directory, with what it holds already loaded.
    pub fn durable(dir: &Path) -> Result<Self, String> {
        let persistence = Persistence::open(dir)?;
        let pools = persistence.load()?;
        let store = Store {
            durable: Some(Durable {
                persistence,
                touched: Mutex::default(),
                deleted: Mutex::default(),
                flushing: Mutex::default(),
                waiting: Mutex::default(),
            }),
            ..Default::default()
        };
        for mut pool in pools {
            pool.users.track_changes();
            pool.auth.track_changes();
            let id = pool.id().to_string();
            for client_id in pool.clients.keys() {
                store.register_client(client_id, &id);
            }
            store.pools.write().insert(id, Arc::new(RwLock::new(pool)));
        }
        Ok(store)
    }

    /// Records a pool the running operation uses; [`Store::operation_finished`] passes it on.
    fn touch(&self, id: &str) {
        if self.durable.is_some() {
            USED_BY_OPERATION.with_borrow_mut(|used| used.push(id.to_string()));
        }
    }

    /// Called on the thread that ran an operation, once it has made all its changes: the
    /// pools it used become candidates for the next flush.
    pub fn operation_finished(&self) {
        if let Some(durable) = &self.durable {
            let used = USED_BY_OPERATION.with_borrow_mut(std::mem::take);
            if !used.is_empty() {
                durable.touched.lock().extend(used);
            }
        }
    }

    /// Starts the thread that writes changes for operations waiting on [`Store::durable_commit`]:
    /// whatever queued up while it was writing goes into the next single transaction (group
    /// commit), so concurrent writers share commits and no async thread ever blocks on disk.
    /// `flush` is this store's [`Store::flush`], reached through whatever owns the store.
    pub fn start_writer(&self, flush: impl Fn() -> ApiResult<()> + Send + 'static) {
        let Some(durable) = &self.durable else { return };
        let (sender, receiver) =
            std::sync::mpsc::channel::<tokio::sync::oneshot::Sender<ApiResult<()>>>();
        *durable.waiting.lock() = Some(sender);
        std::thread::Builder::new()
            .name("durable-writer".into())
            .spawn(move || {
                let mut last_batch = 0;
                while let Ok(first) = receiver.recv() {
                    // Under concurrent writes, give the others a moment to join this commit.
                    if last_batch > 1 {
                        std::thread::sleep(COMMIT_DELAY);
                    }
                    let mut waiters = vec![first];
                    waiters.extend(receiver.try_iter());
                    last_batch = waiters.len();
                    let result = flush();
                    for waiter in waiters {
                        let _ = waiter.send(result.clone());
                    }
                }
            })
            .expect("spawn the durable writer");
    }

    /// Resolves once every change made so far is on disk (immediately without `--data-dir`,
    /// or when nothing is waiting to be written).
    pub async fn durable_commit(&self) -> ApiResult<()> {
        let Some(durable) = &self.durable else {
            return Ok(());
        };
        // Nothing left to collect and no flush between collecting and committing (checked in
        // that order: a flush holds `flushing` from before it collects until it has committed):
        // whatever this operation changed, if anything, is already on disk.
        if !self.has_pending_changes() && !durable.flushing.is_locked() {
            return Ok(());
        }
        let (done, wait) = tokio::sync::oneshot::channel();
        let sender = durable.waiting.lock().clone();
        match sender {
            Some(sender) if sender.send(done).is_ok() => wait
                .await
                .map_err(|_| ApiError::internal("durable writer stopped"))?,
            // No writer thread (e.g. a store used directly): write in place.
            _ => self.flush(),
        }
    }

    /// Whether a pool has changes that no flush has collected yet.
    fn has_pending_changes(&self) -> bool {
        let Some(durable) = &self.durable else {
            return false;
        };
        if !durable.deleted.lock().is_empty() {
            return true;
        }
        let touched: Vec<String> = durable.touched.lock().iter().cloned().collect();
        touched.iter().any(|id| {
            self.pool_untracked(id)
                .is_ok_and(|pool| pool.read().has_changes())
        })
    }

    /// Writes what the operations since the last flush changed, in one transaction.
    pub fn flush(&self) -> ApiResult<()> {
        let Some(durable) = &self.durable else {
            return Ok(());
        };
        let _flushing = durable.flushing.lock();
        let touched: Vec<String> = durable.touched.lock().drain().collect();
        let deleted: Vec<String> = std::mem::take(&mut *durable.deleted.lock());
        let mut changes = Vec::new();
        for id in touched {
            let Ok(pool) = self.pool_untracked(&id) else {
                continue;
            };
            // Most touched pools were only read: a shared lock tells.
            if !pool.read().has_changes() {
                continue;
            }
            // Copy what changed under the lock, and serialise it after releasing the lock, so
            // the pool's writers wait for copies only.
            let (users, header, tokens, origins) = {
                let mut pool = pool.write();
                let users: Vec<(UserKey, Option<User>)> = pool
                    .users
                    .take_dirty()
                    .into_iter()
                    .map(|key| (key, pool.users.get(key).cloned()))
                    .collect();
                let header = std::mem::take(&mut pool.header_dirty).then(|| pool.header());
                let (tokens, origins) = pool.auth.take_changes();
                (users, header, tokens, origins)
            };
            changes.push(PoolChanges {
                pool_id: id,
                header: header.as_ref().map(to_json),
                users: users
                    .into_iter()
                    .map(|(key, user)| (key, user.as_ref().map(to_json)))
                    .collect(),
                refresh_tokens: tokens
                    .into_iter()
                    .map(|(token, record)| (token, record.as_ref().map(to_json)))
                    .collect(),
                revoked_origins: origins,
            });
        }
        if changes.is_empty() && deleted.is_empty() {
            return Ok(());
        }
        durable.persistence.write(&deleted, &changes)
    }

    pub fn insert_pool(&self, mut pool: UserPool) {
        let id = pool.id().to_string();
        if self.durable.is_some() {
            pool.users.track_changes();
            pool.auth.track_changes();
        }
        self.touch(&id);
        self.pools.write().insert(id, Arc::new(RwLock::new(pool)));
    }

    pub fn pool(&self, id: &str) -> ApiResult<PoolHandle> {
        let pool = self.pool_untracked(id)?;
        self.touch(id);
        Ok(pool)
    }

    /// A pool for a caller that will not change it (not recorded for persistence).
    pub fn pool_untracked(&self, id: &str) -> ApiResult<PoolHandle> {
        self.pools
            .read()
            .get(id)
            .cloned()
            .ok_or_else(|| ApiError::pool_not_found(id))
    }

    pub fn remove_pool(&self, id: &str) -> Option<PoolHandle> {
        let removed = self.pools.write().remove(id)?;
        if let Some(durable) = &self.durable {
            durable.deleted.lock().push(id.to_string());
        }
        self.client_pools.write().retain(|_, pool| pool != id);
        Some(removed)
    }

    /// Gives a pool a chosen id (seed files fix ids so that configurations stay stable).
    pub fn rename_pool(&self, old_id: &str, new_id: &str, arn: String) -> ApiResult<()> {
        let mut pools = self.pools.write();
        if pools.contains_key(new_id) {
            return Err(ApiError::invalid_parameter(format!(
                "User pool {new_id} already exists."
            )));
        }
        let pool = pools
            .remove(old_id)
            .ok_or_else(|| ApiError::pool_not_found(old_id))?;
        {
            let mut guard = pool.write();
            guard.config.id = Some(new_id.to_string());
            guard.config.arn = Some(arn);
            for client in guard.clients.values_mut() {
                client.config.user_pool_id = Some(new_id.to_string());
            }
            for group in guard.groups.values_mut() {
                group.group.user_pool_id = Some(new_id.to_string());
            }
            guard.header_changed();
            guard.users.mark_all_dirty();
        }
        pools.insert(new_id.to_string(), pool);
        if let Some(durable) = &self.durable {
            durable.deleted.lock().push(old_id.to_string());
        }
        self.touch(new_id);
        self.operation_finished();
        for owner in self
            .client_pools
            .write()
            .values_mut()
            .filter(|p| p.as_str() == old_id)
        {
            *owner = new_id.to_string();
        }
        Ok(())
    }

    /// Gives an app client a chosen id.
    pub fn rename_client(&self, pool_id: &str, old_id: &str, new_id: &str) -> ApiResult<()> {
        if self.client_pools.read().contains_key(new_id) {
            return Err(ApiError::invalid_parameter(format!(
                "User pool client {new_id} already exists."
            )));
        }
        let pool = self.pool(pool_id)?;
        let mut pool = pool.write();
        pool.header_changed();
        let mut client = pool
            .clients
            .remove(old_id)
            .ok_or_else(|| ApiError::client_not_found(old_id))?;
        client.config.client_id = Some(new_id.to_string());
        for secret in &mut client.secrets {
            secret.id = secret.id.replacen(old_id, new_id, 1);
        }
        pool.clients.insert(new_id.to_string(), client);
        let mut owners = self.client_pools.write();
        owners.remove(old_id);
        owners.insert(new_id.to_string(), pool_id.to_string());
        Ok(())
    }

    /// The id of the pool with this name, if any (seeding matches pools without fixed ids
    /// by name).
    pub fn pool_id_by_name(&self, name: &str) -> Option<String> {
        self.pools
            .read()
            .iter()
            .find(|(_, pool)| pool.read().config.name.as_deref() == Some(name))
            .map(|(id, _)| id.clone())
    }

    pub fn register_client(&self, client_id: &str, pool_id: &str) {
        self.client_pools
            .write()
            .insert(client_id.to_string(), pool_id.to_string());
    }

    pub fn unregister_client(&self, client_id: &str) {
        self.client_pools.write().remove(client_id);
    }

    /// The pool an app client belongs to.
    pub fn pool_for_client(&self, client_id: &str) -> ApiResult<PoolHandle> {
        let pool_id = self
            .client_pools
            .read()
            .get(client_id)
            .cloned()
            .ok_or_else(|| ApiError::client_not_found(client_id))?;
        self.pool(&pool_id)
            .map_err(|_| ApiError::client_not_found(client_id))
    }

    /// Up to `limit` pools whose id comes after `after`, and whether more follow.
    pub fn pools_after(&self, after: Option<&str>, limit: usize) -> (Vec<PoolHandle>, bool) {
        let pools = self.pools.read();
        let mut iter = pools
            .iter()
            .filter(|(id, _)| after.is_none_or(|after| id.as_str() > after))
            .map(|(_, pool)| pool.clone());
        let page: Vec<PoolHandle> = iter.by_ref().take(limit).collect();
        let more = iter.next().is_some();
        (page, more)
    }

    /// The pool a user pool ARN names.
    pub fn pool_by_arn(&self, arn: &str) -> ApiResult<PoolHandle> {
        let id = arn
            .strip_prefix("arn:aws:cognito-idp:")
            .and_then(|rest| rest.split_once(":userpool/"))
            .map(|(_, id)| id)
            .ok_or_else(|| {
                ApiError::resource_not_found(format!("Resource {arn} does not exist."))
            })?;
        self.pool(id)
            .map_err(|_| ApiError::resource_not_found(format!("Resource {arn} does not exist.")))
    }

    pub fn clear(&self) -> ApiResult<()> {
        self.pools.write().clear();
        self.client_pools.write().clear();
        match &self.durable {
            Some(durable) => {
                let _flushing = durable.flushing.lock();
                durable.touched.lock().clear();
                durable.deleted.lock().clear();
                durable.persistence.clear()
            }
            None => Ok(()),
        }
    }
}
