//! In-memory state: pools, each behind its own lock, owning their users, clients and groups.

pub mod auth;
pub mod branding;
pub mod device;
pub mod import_jobs;
pub mod limits;
pub mod lock;
pub mod oauth;
pub mod persist;
pub mod pool;
pub mod sections;
pub mod security;
pub mod user;
pub mod users;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use parking_lot::{Mutex, RwLock};

use persist::{Persistence, PoolChanges};

pub use lock::{Pool, PoolReadGuard, PoolWriteGuard};
pub use pool::{AppClient, ClientSecret, Group, UserPool};
pub use sections::DurableSection;
pub use users::{User, UserKey, Users};

use crate::error::{ApiError, ApiResult};

pub type PoolHandle = Arc<Pool>;

/// The pools changed since the last flush, shared by the store and each pool.
pub(crate) type ChangedPools = Arc<Mutex<HashSet<String>>>;

#[derive(Default)]
pub struct Store {
    /// Ordered by pool id, so ListUserPools pages are stable.
    pools: RwLock<BTreeMap<String, PoolHandle>>,
    /// App client id → pool id: sign-in calls name only the client.
    client_pools: RwLock<HashMap<String, String>>,
    /// Hosted-UI domain (a prefix, or a custom domain's full name) → pool id: domains are
    /// unique across all pools.
    domain_pools: RwLock<HashMap<String, String>>,
    /// Durable state, when `--data-dir` is given.
    durable: Option<Durable>,
    /// Counts failed writes whose changes were rolled back (odd while one is rolling back).
    rollbacks: std::sync::atomic::AtomicU64,
    /// Other state written by the same commits (identity pools).
    sections: RwLock<Vec<Arc<dyn DurableSection>>>,
}

/// What the next flush has to write.
struct Durable {
    persistence: Persistence,
    /// Pools changed since the last flush (recorded by [`PoolWriteGuard`]).
    touched: ChangedPools,
    deleted: Mutex<Vec<String>>,
    /// Held from collecting changes until they are committed, so an operation whose changes
    /// another flush collected cannot answer before that flush has committed them.
    flushing: Mutex<()>,
    /// Requests waiting for their changes to be on disk; see [`Store::start_writer`].
    waiting: Mutex<Option<std::sync::mpsc::Sender<tokio::sync::oneshot::Sender<ApiResult<()>>>>>,
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
                touched: ChangedPools::default(),
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
            if let Some(domain) = pool.domain.as_ref().and_then(|d| d.domain.as_deref()) {
                store.claim_domain(domain, &id);
            }
            let handle = Pool::new(pool, store.changed_pools());
            store.pools.write().insert(id, handle);
        }
        Ok(store)
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
    pub fn has_pending_changes(&self) -> bool {
        let Some(durable) = &self.durable else {
            return false;
        };
        if self.sections.read().iter().any(|s| s.has_changes()) {
            return true;
        }
        if !durable.deleted.lock().is_empty() {
            return true;
        }
        let touched: Vec<String> = durable.touched.lock().iter().cloned().collect();
        touched
            .iter()
            .any(|id| self.pool(id).is_ok_and(|pool| pool.read().has_changes()))
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
            let Ok(pool) = self.pool(&id) else {
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
        let (sections, documents) = self.section_changes();
        if changes.is_empty() && deleted.is_empty() && documents.is_empty() {
            return Ok(());
        }
        let written = durable.persistence.write(&deleted, &changes, &documents);
        if let Err(error) = &written {
            // Memory must not keep what the disk refused (a full disk, say): the pools this
            // write was for go back to what the file holds.
            tracing::error!("{error}; rolling back the changes it held");
            let ids: Vec<String> = changes
                .into_iter()
                .map(|c| c.pool_id)
                .chain(deleted)
                .collect();
            let sections = sections::written(sections, &documents);
            self.roll_back(&durable.persistence, &ids, &sections);
        }
        written
    }

    /// Counts rollbacks of failed writes, twice each (odd while one runs): an operation
    /// that overlapped one may have lost its changes, and must not answer success.
    pub fn rollbacks(&self) -> u64 {
        self.rollbacks.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Reloads these pools from disk (or forgets them, when the disk has none).
    fn roll_back(
        &self,
        persistence: &Persistence,
        ids: &[String],
        sections: &[Arc<dyn DurableSection>],
    ) {
        use std::sync::atomic::Ordering::SeqCst;
        self.rollbacks.fetch_add(1, SeqCst);
        sections::reload(persistence, sections);
        for id in ids {
            let reloaded = match persistence.load_pool(id) {
                Ok(reloaded) => reloaded,
                Err(e) => {
                    // Memory and disk may now differ; nothing better is possible here.
                    tracing::error!("rolling back pool {id}: {e}");
                    continue;
                }
            };
            self.client_pools.write().retain(|_, pool| pool != id);
            self.domain_pools.write().retain(|_, pool| pool != id);
            match reloaded {
                Some(mut pool) => {
                    pool.users.track_changes();
                    pool.auth.track_changes();
                    for client_id in pool.clients.keys() {
                        self.register_client(client_id, id);
                    }
                    if let Some(domain) = pool.domain.as_ref().and_then(|d| d.domain.as_deref()) {
                        self.claim_domain(domain, id);
                    }
                    let existing = self.pools.read().get(id).cloned();
                    match existing {
                        Some(handle) => *handle.write() = pool,
                        None => {
                            let handle = Pool::new(pool, self.changed_pools());
                            self.pools.write().insert(id.clone(), handle);
                        }
                    }
                }
                None => {
                    self.pools.write().remove(id);
                }
            }
        }
        self.rollbacks.fetch_add(1, SeqCst);
    }

    pub fn insert_pool(&self, mut pool: UserPool) {
        let id = pool.id().to_string();
        if self.durable.is_some() {
            pool.users.track_changes();
            pool.auth.track_changes();
        }
        let handle = Pool::new(pool, self.changed_pools());
        self.pools.write().insert(id.clone(), handle);
        // Recorded only once the pool can be found: a flush that drained the record earlier
        // would otherwise skip the pool and lose it.
        if let Some(changed) = self.changed_pools() {
            changed.lock().insert(id);
        }
    }

    /// Where a durable store's pools record their changes.
    fn changed_pools(&self) -> Option<ChangedPools> {
        self.durable.as_ref().map(|d| d.touched.clone())
    }

    pub fn pool(&self, id: &str) -> ApiResult<PoolHandle> {
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
        self.domain_pools.write().retain(|_, pool| pool != id);
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
            if let Some(domain) = guard.domain.as_mut() {
                domain.user_pool_id = Some(new_id.to_string());
            }
            for server in guard.resource_servers.values_mut() {
                server.user_pool_id = Some(new_id.to_string());
            }
            for provider in guard.identity_providers.values_mut() {
                provider.user_pool_id = Some(new_id.to_string());
            }
            guard.header_changed();
            guard.users.mark_all_dirty();
        }
        pools.insert(new_id.to_string(), pool);
        if let Some(durable) = &self.durable {
            durable.deleted.lock().push(old_id.to_string());
        }
        for registry in [&self.client_pools, &self.domain_pools] {
            for owner in registry
                .write()
                .values_mut()
                .filter(|p| p.as_str() == old_id)
            {
                *owner = new_id.to_string();
            }
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

    /// Records a hosted-UI domain as the pool's; false when another pool already has it.
    pub fn claim_domain(&self, domain: &str, pool_id: &str) -> bool {
        match self.domain_pools.write().entry(domain.to_string()) {
            std::collections::hash_map::Entry::Occupied(owner) => owner.get() == pool_id,
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(pool_id.to_string());
                true
            }
        }
    }

    pub fn release_domain(&self, domain: &str) {
        self.domain_pools.write().remove(domain);
    }

    /// The pool whose hosted-UI domain a name or `Host` header names: a bare prefix
    /// (`myapp`), a prefix domain's host (`myapp.auth.us-east-1.amazoncognito.com`, the region
    /// being the pool's), or a custom domain (`auth.example.com`). Case and a port are ignored.
    pub fn pool_of_domain(&self, host: &str) -> Option<String> {
        let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
        let host = match host.rsplit_once(':') {
            Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name.to_string(),
            _ => host,
        };
        let owners = self.domain_pools.read();
        if let Some(pool_id) = owners.get(&host) {
            return Some(pool_id.clone());
        }
        let (prefix, rest) = host.split_once(".auth.")?;
        let region = rest.strip_suffix(".amazoncognito.com")?;
        owners
            .get(prefix)
            .filter(|pool_id| pool_id.starts_with(&format!("{region}_")))
            .cloned()
    }

    /// Up to `limit` pools of `region` whose id comes after `after`, and whether more follow.
    /// Pool ids start with their region, so a region's pools are one range of the map.
    pub fn pools_after(
        &self,
        region: &str,
        after: Option<&str>,
        limit: usize,
    ) -> (Vec<PoolHandle>, bool) {
        use std::ops::Bound;
        let prefix = format!("{region}_");
        let start = match after {
            Some(after) if after >= prefix.as_str() => Bound::Excluded(after.to_string()),
            _ => Bound::Included(prefix.clone()),
        };
        let pools = self.pools.read();
        let mut iter = pools
            .range((start, Bound::Unbounded))
            .take_while(|(id, _)| id.starts_with(&prefix))
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
        self.domain_pools.write().clear();
        for section in self.sections.read().iter() {
            section.clear();
        }
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
