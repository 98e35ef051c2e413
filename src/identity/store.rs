//! cognito-identity's state: identity pools with their roles, role mappings, principal tag
//! maps and identities, one lock over all of them (identity pools are few), and the
//! credentials issued (in memory only: they live an hour).
//!
//! Durable with `--data-dir`: each identity pool is one document (its settings) in the
//! user-pool store's `documents` table and each identity another (`<pool id>/<identity
//! id>`), so that a new identity writes one small row whatever the pool holds; both are
//! written by the same group commit ([`crate::idp::store::DurableSection`]); the OpenID
//! signing key is one more. Pools saved with their identities inside (before 2026-12-05) load
//! as they are, and are rewritten in the new layout by the next commit.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use parking_lot::{Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult};
use crate::generated::cognito_identity::{IdentityPool, RoleMapping};
use crate::infra::crypto::jwt::SigningKey;

/// A login linked to an identity: the provider and the user it names there.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Login {
    pub provider: String,
    pub subject: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Identity {
    pub id: String,
    #[serde(default)]
    pub logins: BTreeSet<Login>,
    pub created: f64,
    pub modified: f64,
}

/// SetPrincipalTagAttributeMap's settings for one provider.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TagMap {
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub use_defaults: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PoolRecord {
    pub config: IdentityPool,
    #[serde(default)]
    pub roles: BTreeMap<String, String>,
    #[serde(default)]
    pub role_mappings: BTreeMap<String, RoleMapping>,
    #[serde(default)]
    pub principal_tags: BTreeMap<String, TagMap>,
    /// Saved as documents of their own (see the module comment); read here from pools saved
    /// before that.
    #[serde(default, skip_serializing)]
    pub identities: BTreeMap<String, Identity>,
}

impl PoolRecord {
    pub fn new(config: IdentityPool) -> Self {
        Self {
            config,
            roles: BTreeMap::new(),
            role_mappings: BTreeMap::new(),
            principal_tags: BTreeMap::new(),
            identities: BTreeMap::new(),
        }
    }
}

/// What a set of issued credentials stands for (the introspection endpoint's answer).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Issued {
    pub access_key_id: String,
    pub identity_id: String,
    pub identity_pool_id: String,
    pub role_arn: String,
    pub authenticated: bool,
    pub principal_tags: BTreeMap<String, String>,
    pub logins: Vec<String>,
    pub expiration: f64,
}

#[derive(Default)]
pub struct State {
    pub pools: BTreeMap<String, PoolRecord>,
    /// Identity id → its pool.
    pub identity_pools: HashMap<String, String>,
    /// (pool, login) → identity id.
    pub logins: HashMap<(String, Login), String>,
    /// Pools changed since the last flush, and pools deleted.
    changed: HashSet<String>,
    /// Identities changed since the last flush, and identities deleted: (pool, identity).
    changed_identities: HashSet<(String, String)>,
}

impl State {
    pub fn pool(&self, id: &str) -> ApiResult<&PoolRecord> {
        self.pools.get(id).ok_or_else(|| pool_not_found(id))
    }

    pub fn pool_mut(&mut self, id: &str) -> ApiResult<&mut PoolRecord> {
        if !self.pools.contains_key(id) {
            return Err(pool_not_found(id));
        }
        self.changed.insert(id.to_string());
        Ok(self.pools.get_mut(id).expect("checked"))
    }

    /// A pool whose identity `identity_id` is about to change (or, with `None`, which is
    /// about to gain one): the identity's document is rewritten, not the pool's.
    fn identity_mut(
        &mut self,
        pool_id: &str,
        identity_id: Option<&str>,
    ) -> ApiResult<&mut PoolRecord> {
        let pool = self
            .pools
            .get_mut(pool_id)
            .ok_or_else(|| pool_not_found(pool_id))?;
        if let Some(identity_id) = identity_id {
            self.changed_identities
                .insert((pool_id.to_string(), identity_id.to_string()));
        }
        Ok(pool)
    }

    pub fn insert_pool(&mut self, record: PoolRecord) {
        let id = record.config.identity_pool_id.clone();
        self.index_pool(&record);
        self.changed.insert(id.clone());
        for identity in record.identities.keys() {
            self.changed_identities
                .insert((id.clone(), identity.clone()));
        }
        self.pools.insert(id, record);
    }

    pub fn remove_pool(&mut self, id: &str) -> ApiResult<PoolRecord> {
        let record = self.pools.remove(id).ok_or_else(|| pool_not_found(id))?;
        self.identity_pools.retain(|_, pool| pool != id);
        self.logins.retain(|(pool, _), _| pool != id);
        self.changed.insert(id.to_string());
        for identity in record.identities.keys() {
            self.changed_identities
                .insert((id.to_string(), identity.clone()));
        }
        Ok(record)
    }

    /// Gives a new pool (no identities yet) a chosen id (seed files fix ids).
    pub fn rename_pool(&mut self, old_id: &str, new_id: &str) -> ApiResult<()> {
        if self.pools.contains_key(new_id) {
            return Err(ApiError::invalid_parameter(format!(
                "Identity pool {new_id} already exists."
            )));
        }
        let mut record = self.remove_pool(old_id)?;
        record.config.identity_pool_id = new_id.to_string();
        self.insert_pool(record);
        Ok(())
    }

    fn index_pool(&mut self, record: &PoolRecord) {
        let pool_id = &record.config.identity_pool_id;
        for identity in record.identities.values() {
            self.identity_pools
                .insert(identity.id.clone(), pool_id.clone());
            for login in &identity.logins {
                self.logins
                    .insert((pool_id.clone(), login.clone()), identity.id.clone());
            }
        }
    }

    /// The pool id of an identity.
    pub fn pool_of(&self, identity_id: &str) -> ApiResult<String> {
        self.identity_pools
            .get(identity_id)
            .cloned()
            .ok_or_else(|| identity_not_found(identity_id))
    }

    pub fn identity(&self, identity_id: &str) -> ApiResult<&Identity> {
        let pool = self.pool_of(identity_id)?;
        self.pool(&pool)?
            .identities
            .get(identity_id)
            .ok_or_else(|| identity_not_found(identity_id))
    }

    /// The identity a login is linked to in a pool.
    pub fn linked(&self, pool_id: &str, login: &Login) -> Option<&str> {
        self.logins
            .get(&(pool_id.to_string(), login.clone()))
            .map(String::as_str)
    }

    /// A new identity in a pool (and its region), linked to `logins`.
    pub fn create_identity(
        &mut self,
        pool_id: &str,
        logins: &[Login],
        now: f64,
    ) -> ApiResult<String> {
        let region = pool_id
            .split_once(':')
            .map_or(pool_id, |(region, _)| region);
        let id = format!("{region}:{}", crate::infra::ids::uuid());
        let identity = Identity {
            id: id.clone(),
            logins: BTreeSet::new(),
            created: now,
            modified: now,
        };
        self.identity_mut(pool_id, None)?
            .identities
            .insert(id.clone(), identity);
        self.changed_identities
            .insert((pool_id.to_string(), id.clone()));
        self.identity_pools.insert(id.clone(), pool_id.to_string());
        for login in logins {
            self.link(pool_id, &id, login.clone(), now)?;
        }
        Ok(id)
    }

    /// Links a login to an identity (moving it from any other identity).
    pub fn link(
        &mut self,
        pool_id: &str,
        identity_id: &str,
        login: Login,
        now: f64,
    ) -> ApiResult<()> {
        if let Some(previous) = self.linked(pool_id, &login).map(str::to_string) {
            if previous == identity_id {
                return Ok(());
            }
            self.unlink(pool_id, &previous, &login, now)?;
        }
        let identity = self
            .identity_mut(pool_id, Some(identity_id))?
            .identities
            .get_mut(identity_id)
            .ok_or_else(|| identity_not_found(identity_id))?;
        identity.logins.insert(login.clone());
        identity.modified = now;
        self.logins
            .insert((pool_id.to_string(), login), identity_id.to_string());
        Ok(())
    }

    pub fn unlink(
        &mut self,
        pool_id: &str,
        identity_id: &str,
        login: &Login,
        now: f64,
    ) -> ApiResult<()> {
        let identity = self
            .identity_mut(pool_id, Some(identity_id))?
            .identities
            .get_mut(identity_id)
            .ok_or_else(|| identity_not_found(identity_id))?;
        if identity.logins.remove(login) {
            identity.modified = now;
            self.logins.remove(&(pool_id.to_string(), login.clone()));
        }
        Ok(())
    }

    /// Deletes an identity with its links; false when there was none.
    pub fn delete_identity(&mut self, identity_id: &str) -> bool {
        let Some(pool_id) = self.identity_pools.remove(identity_id) else {
            return false;
        };
        self.changed_identities
            .insert((pool_id.clone(), identity_id.to_string()));
        let Some(identity) = self
            .pools
            .get_mut(&pool_id)
            .and_then(|pool| pool.identities.remove(identity_id))
        else {
            return false;
        };
        for login in identity.logins {
            self.logins.remove(&(pool_id.clone(), login));
        }
        true
    }
}

pub fn pool_not_found(id: &str) -> ApiError {
    ApiError::resource_not_found(format!("IdentityPool '{id}' not found."))
}

// unconfirmed text
pub fn identity_not_found(id: &str) -> ApiError {
    ApiError::resource_not_found(format!("Identity '{id}' not found."))
}

#[derive(Default)]
pub struct IdentityStore {
    state: RwLock<State>,
    /// The OpenID token signing key, made on first need.
    key: Mutex<Option<Arc<SigningKey>>>,
    /// Whether the key was made since the last flush.
    key_changed: AtomicBool,
    /// Issued credentials by AccessKeyId, the latest [`ISSUED_KEPT`].
    issued: Mutex<IssuedLog>,
    /// OIDC providers' key sets by issuer, with when they were fetched (emulator clock).
    pub jwks: Mutex<HashMap<String, (f64, serde_json::Value)>>,
}

/// How many issued credential sets the introspection endpoint remembers.
const ISSUED_KEPT: usize = 100_000;

#[derive(Default)]
struct IssuedLog {
    by_key: HashMap<String, Issued>,
    order: VecDeque<String>,
}

impl IdentityStore {
    pub fn read(&self) -> RwLockReadGuard<'_, State> {
        self.state.read()
    }

    pub fn write(&self) -> RwLockWriteGuard<'_, State> {
        self.state.write()
    }

    /// The OpenID signing key; `make` runs (off the lock's holders) only the first time.
    pub fn signing_key(&self, make: impl FnOnce() -> SigningKey) -> Arc<SigningKey> {
        let mut key = self.key.lock();
        if let Some(key) = key.as_ref() {
            return key.clone();
        }
        let made = Arc::new(make());
        *key = Some(made.clone());
        self.key_changed.store(true, Ordering::SeqCst);
        made
    }

    /// The key, if one was made.
    pub fn existing_key(&self) -> Option<Arc<SigningKey>> {
        self.key.lock().clone()
    }

    /// Remembers what a set of credentials stands for (the oldest are forgotten first).
    pub fn record_issued(&self, issued: Issued) {
        let mut log = self.issued.lock();
        while log.order.len() >= ISSUED_KEPT {
            if let Some(oldest) = log.order.pop_front() {
                log.by_key.remove(&oldest);
            }
        }
        log.order.push_back(issued.access_key_id.clone());
        log.by_key.insert(issued.access_key_id.clone(), issued);
    }

    pub fn issued(&self, access_key_id: &str) -> Option<Issued> {
        self.issued.lock().by_key.get(access_key_id).cloned()
    }
}

mod durable;
#[cfg(test)]
mod tests;
