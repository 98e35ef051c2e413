//! In-memory state: pools, each behind its own lock, owning their users, clients and groups.

pub mod pool;
pub mod users;

use std::collections::BTreeMap;
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
        self.pools.write().remove(id)
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
    }
}
