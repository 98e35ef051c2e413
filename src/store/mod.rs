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
