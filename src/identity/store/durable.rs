//! The identity store on disk: which documents a flush writes, and how a start reads them
//! back (see the parent module's comment for the layout).

use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::{Identity, IdentityStore, IssuedLog, PoolRecord, State};
use crate::idp::store::DurableSection;
use crate::infra::crypto::jwt::SigningKey;

/// The document key of the OpenID signing key (pool ids contain `:`, never `_`-first).
const KEY_DOCUMENT: &str = "_openid_signing_key";

/// The document key of an identity.
fn identity_key(pool_id: &str, identity_id: &str) -> String {
    format!("{pool_id}/{identity_id}")
}

impl DurableSection for IdentityStore {
    fn kind(&self) -> &'static str {
        "identity_pool"
    }

    fn has_changes(&self) -> bool {
        let state = self.state.read();
        self.key_changed.load(Ordering::SeqCst)
            || !state.changed.is_empty()
            || !state.changed_identities.is_empty()
    }

    fn take_changes(&self) -> Vec<(String, Option<String>)> {
        let mut state = self.state.write();
        let changed: Vec<String> = state.changed.drain().collect();
        let changed_identities: Vec<(String, String)> = state.changed_identities.drain().collect();
        drop(state);
        let state = self.state.read();
        let mut rows: Vec<(String, Option<String>)> = changed
            .into_iter()
            .map(|id| {
                let data = state
                    .pools
                    .get(&id)
                    .map(|p| serde_json::to_string(p).expect("identity pools serialise"));
                (id, data)
            })
            .collect();
        rows.extend(
            changed_identities
                .into_iter()
                .map(|(pool_id, identity_id)| {
                    let data = state
                        .pools
                        .get(&pool_id)
                        .and_then(|p| p.identities.get(&identity_id))
                        .map(|i| serde_json::to_string(i).expect("identities serialise"));
                    (identity_key(&pool_id, &identity_id), data)
                }),
        );
        drop(state);
        if self.key_changed.swap(false, Ordering::SeqCst) {
            if let Some(key) = self.existing_key() {
                use base64::Engine;
                let der = base64::engine::general_purpose::STANDARD.encode(key.pkcs8());
                rows.push((KEY_DOCUMENT.to_string(), Some(der)));
            }
        }
        rows
    }

    fn restore(&self, rows: Vec<(String, String)>) -> Result<(), String> {
        let mut state = self.state.write();
        let mut identities = Vec::new();
        for (key, data) in rows {
            if key == KEY_DOCUMENT {
                use base64::Engine;
                let der = base64::engine::general_purpose::STANDARD
                    .decode(&data)
                    .map_err(|e| format!("identity signing key on disk: {e}"))?;
                let key = SigningKey::from_pkcs8(&der)
                    .ok_or("identity signing key on disk: not a PKCS#8 RSA key")?;
                *self.key.lock() = Some(Arc::new(key));
                continue;
            }
            if let Some((pool_id, _)) = key.split_once('/') {
                let identity: Identity = serde_json::from_str(&data)
                    .map_err(|e| format!("identity {key} on disk: {e}"))?;
                identities.push((pool_id.to_string(), identity));
                continue;
            }
            let record: PoolRecord = serde_json::from_str(&data)
                .map_err(|e| format!("identity pool {key} on disk: {e}"))?;
            // Saved with its identities inside: the next commit writes them apart.
            for identity in record.identities.keys() {
                state
                    .changed_identities
                    .insert((key.clone(), identity.clone()));
            }
            if !record.identities.is_empty() {
                state.changed.insert(key.clone());
            }
            state.index_pool(&record);
            state.pools.insert(key, record);
        }
        for (pool_id, identity) in identities {
            let Some(pool) = state.pools.get_mut(&pool_id) else {
                // Nothing writes one on purpose (a pool's deletion deletes its identities in
                // the same commit), but a start must not fail on it: dropped, and deleted
                // from the disk by the next commit.
                tracing::warn!(
                    "identity {} on disk belongs to no identity pool ({pool_id}): dropped",
                    identity.id
                );
                state.changed_identities.insert((pool_id, identity.id));
                continue;
            };
            pool.identities
                .insert(identity.id.clone(), identity.clone());
            state
                .identity_pools
                .insert(identity.id.clone(), pool_id.clone());
            for login in identity.logins {
                state
                    .logins
                    .insert((pool_id.clone(), login), identity.id.clone());
            }
        }
        Ok(())
    }

    fn clear(&self) {
        *self.state.write() = State::default();
        *self.key.lock() = None;
        self.key_changed.store(false, Ordering::SeqCst);
        *self.issued.lock() = IssuedLog::default();
    }
}
