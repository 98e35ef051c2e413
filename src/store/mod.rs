//! In-memory state: pools, each behind its own lock, owning their users, clients and groups.

pub mod auth;
pub mod pool;
pub mod users;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use parking_lot::RwLock;

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
}

impl Store {
    pub fn insert_pool(&self, pool: UserPool) {
        let id = pool.id().to_string();
        self.pools.write().insert(id, Arc::new(RwLock::new(pool)));
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
        }
        pools.insert(new_id.to_string(), pool);
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

    pub fn clear(&self) {
        self.pools.write().clear();
        self.client_pools.write().clear();
    }
}
