//! What a pool keeps for sign-in: its signing keys, pending challenges, refresh tokens,
//! revocations and lockouts.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use super::users::UserKey;
use crate::infra::crypto::jwt::SigningKey;

/// How long a revocation is kept: access tokens live at most a day (AccessTokenValidity),
/// plus a margin.
const REVOCATION_MEMORY: f64 = 86_400.0 + 3_600.0;

/// Each changed key with its current value (None: gone), emptying the change set.
fn drain_changes<V: Clone>(
    changed: &mut HashSet<String>,
    current: &HashMap<String, V>,
) -> Vec<(String, Option<V>)> {
    changed
        .drain()
        .map(|key| {
            let value = current.get(&key).cloned();
            (key, value)
        })
        .collect()
}

/// When to sweep a map of expiring entries: only once it has doubled since the last sweep,
/// so a sweep costs O(1) per insertion however large the map grows.
#[derive(Debug, Default)]
struct Sweep {
    next: usize,
}

impl Sweep {
    fn due(&self, len: usize) -> bool {
        len >= self.next
    }

    fn done(&mut self, len: usize) {
        self.next = (2 * len).max(1024);
    }
}

/// A pool's two signing keys: Cognito signs ID and access tokens with different keys.
#[derive(Debug)]
pub struct PoolKeys {
    pub id: SigningKey,
    pub access: SigningKey,
}

/// What a pending challenge is waiting for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    NewPassword,
    /// SRP's second step: the server's secret and public values and the client's A.
    PasswordVerifier {
        b: Vec<u8>,
        big_b: Vec<u8>,
        a: Vec<u8>,
        v: Vec<u8>,
    },
}

/// A challenge handed to a client: found by its Session string (and, for SRP, by its
/// SECRET_BLOCK, because pycognito answers without the Session).
#[derive(Debug, Clone)]
pub struct AuthSession {
    pub client_id: String,
    pub user: UserKey,
    pub username: String,
    pub pending: Pending,
    pub expires: f64,
    pub used: bool,
    /// The SECRET_BLOCK of an SRP challenge, to find this session from it.
    pub secret_block: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RefreshRecord {
    pub user: UserKey,
    pub client_id: String,
    pub origin_jti: String,
    pub auth_time: i64,
    pub expires: f64,
    pub revoked: bool,
}

/// What a code that was sent to a user is for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CodePurpose {
    SignUp,
    ForgotPassword,
    /// Verifying an attribute (`email` or `phone_number`).
    VerifyAttribute(String),
}

#[derive(Debug, Clone)]
pub struct PendingCode {
    pub code: String,
    pub expires: f64,
    pub failures: u32,
    /// A new value that takes effect only once verified (AttributesRequireVerificationBeforeUpdate).
    pub pending_value: Option<String>,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Lockout {
    pub failures: u32,
    pub until: f64,
}

#[derive(Debug, Default)]
pub struct AuthState {
    /// Assigned on first need; shared so it can be initialised outside the pool's lock.
    pub keys: Arc<OnceLock<Arc<PoolKeys>>>,
    pub sessions: HashMap<String, AuthSession>,
    /// SECRET_BLOCK → Session string.
    pub secret_blocks: HashMap<String, String>,
    refresh_tokens: HashMap<String, RefreshRecord>,
    refresh_sweep: Sweep,
    /// `origin_jti`s whose access tokens no longer work (RevokeToken, sign-out), with when
    /// they were revoked.
    revoked_origins: HashMap<String, f64>,
    origin_sweep: Sweep,
    /// What changed since last written to disk (tracked only when state is durable).
    tracking: bool,
    changed_tokens: HashSet<String>,
    changed_origins: HashSet<String>,
    pub lockouts: HashMap<UserKey, Lockout>,
    /// Codes sent and not yet used.
    pub codes: HashMap<(UserKey, CodePurpose), PendingCode>,
    code_sweep: Sweep,
    session_sweep: Sweep,
}

impl AuthState {
    /// Forgets challenges that expired (called as new ones are made; amortised).
    pub fn purge_sessions(&mut self, now: f64) {
        if !self.session_sweep.due(self.sessions.len()) {
            return;
        }
        let before = self.sessions.len();
        self.sessions.retain(|_, s| s.expires > now);
        if self.sessions.len() != before {
            let live: HashSet<&String> = self.sessions.keys().collect();
            self.secret_blocks
                .retain(|_, session| live.contains(session));
        }
        self.session_sweep.done(self.sessions.len());
    }

    /// Keeps a code sent to a user (replacing any earlier one for the same purpose), and
    /// forgets codes that expired unused (amortised).
    pub fn add_code(&mut self, slot: (UserKey, CodePurpose), code: PendingCode, now: f64) {
        self.codes.insert(slot, code);
        if self.code_sweep.due(self.codes.len()) {
            self.codes.retain(|_, c| c.expires > now);
            self.code_sweep.done(self.codes.len());
        }
    }

    /// Starts recording changes to refresh tokens and revocations, for persistence.
    pub fn track_changes(&mut self) {
        self.tracking = true;
    }

    pub fn has_changes(&self) -> bool {
        !self.changed_tokens.is_empty() || !self.changed_origins.is_empty()
    }

    /// Refresh tokens changed (Some) or gone (None), and revoked origins with their time of
    /// revocation (Some) or forgotten (None).
    #[allow(clippy::type_complexity)]
    pub fn take_changes(
        &mut self,
    ) -> (
        Vec<(String, Option<RefreshRecord>)>,
        Vec<(String, Option<f64>)>,
    ) {
        let tokens = drain_changes(&mut self.changed_tokens, &self.refresh_tokens);
        let origins = drain_changes(&mut self.changed_origins, &self.revoked_origins);
        (tokens, origins)
    }

    fn token_changed(&mut self, token: &str) {
        if self.tracking {
            self.changed_tokens.insert(token.to_string());
        }
    }

    pub fn refresh_token(&self, token: &str) -> Option<&RefreshRecord> {
        self.refresh_tokens.get(token)
    }

    pub fn add_refresh_token(&mut self, token: String, record: RefreshRecord) {
        self.token_changed(&token);
        self.refresh_tokens.insert(token, record);
    }

    /// Puts back a token read from disk.
    pub fn restore_refresh_token(&mut self, token: String, record: RefreshRecord) {
        self.refresh_tokens.insert(token, record);
    }

    /// Revokes one refresh token; returns its origin.
    pub fn revoke_refresh_token(&mut self, token: &str) -> Option<String> {
        let record = self.refresh_tokens.get_mut(token)?;
        record.revoked = true;
        let origin = record.origin_jti.clone();
        self.token_changed(token);
        Some(origin)
    }

    /// Access tokens of this sign-in stop working. Revocations are forgotten once every
    /// access token they could stop has expired (amortised, like refresh tokens).
    pub fn revoke_origin(&mut self, origin: String, now: f64) {
        if self.revoked_origins.contains_key(&origin) {
            return;
        }
        self.revoked_origins.insert(origin.clone(), now);
        self.origin_changed(origin);
        if self.origin_sweep.due(self.revoked_origins.len()) {
            let expired: Vec<String> = self
                .revoked_origins
                .iter()
                .filter(|(_, revoked_at)| **revoked_at + REVOCATION_MEMORY < now)
                .map(|(o, _)| o.clone())
                .collect();
            for origin in expired {
                self.revoked_origins.remove(&origin);
                self.origin_changed(origin);
            }
            self.origin_sweep.done(self.revoked_origins.len());
        }
    }

    fn origin_changed(&mut self, origin: String) {
        if self.tracking {
            self.changed_origins.insert(origin);
        }
    }

    /// Puts back a revocation read from disk.
    pub fn restore_revoked_origin(&mut self, origin: String, revoked_at: f64) {
        self.revoked_origins.insert(origin, revoked_at);
    }

    pub fn is_revoked_origin(&self, origin: &str) -> bool {
        self.revoked_origins.contains_key(origin)
    }

    /// Every refresh token of a user dies, and the access tokens of those sign-ins.
    pub fn revoke_user(&mut self, user: UserKey, now: f64) {
        let tokens: Vec<String> = self
            .refresh_tokens
            .iter()
            .filter(|(_, r)| r.user == user)
            .map(|(t, _)| t.clone())
            .collect();
        for token in tokens {
            if let Some(origin) = self.revoke_refresh_token(&token) {
                self.revoke_origin(origin, now);
            }
        }
    }

    /// Forgets expired refresh tokens, amortised: a sweep only when the map has doubled
    /// since the last one.
    pub fn purge_refresh_tokens(&mut self, now: f64) {
        if !self.refresh_sweep.due(self.refresh_tokens.len()) {
            return;
        }
        let expired: Vec<String> = self
            .refresh_tokens
            .iter()
            .filter(|(_, r)| r.expires <= now)
            .map(|(t, _)| t.clone())
            .collect();
        for token in expired {
            self.refresh_tokens.remove(&token);
            self.token_changed(&token);
        }
        self.refresh_sweep.done(self.refresh_tokens.len());
    }

    /// Everything a user had: tokens and challenges (AdminDeleteUser, DeleteUser).
    pub fn forget_user(&mut self, user: UserKey, now: f64) {
        // Its access tokens die with it: they share origin_jti with its refresh tokens.
        self.revoke_user(user, now);
        let tokens: Vec<String> = self
            .refresh_tokens
            .iter()
            .filter(|(_, r)| r.user == user)
            .map(|(t, _)| t.clone())
            .collect();
        for token in tokens {
            self.refresh_tokens.remove(&token);
            self.token_changed(&token);
        }
        self.sessions.retain(|_, s| s.user != user);
        self.lockouts.remove(&user);
        self.codes.retain(|(owner, _), _| *owner != user);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expired_codes_and_sessions_are_swept_as_new_ones_arrive() {
        let mut auth = AuthState::default();
        let code = |expires| PendingCode {
            code: "123456".into(),
            expires,
            failures: 0,
            pending_value: None,
        };
        let session = |user, expires| AuthSession {
            client_id: "client".into(),
            user,
            username: "someone".into(),
            pending: Pending::NewPassword,
            expires,
            used: false,
            secret_block: None,
        };
        let user = |i: usize| i as UserKey;
        let (early, late) = (100.0, 10_000.0);
        for i in 0..3000 {
            auth.add_code((user(i), CodePurpose::SignUp), code(early), 0.0);
            auth.purge_sessions(0.0);
            auth.sessions
                .insert(format!("s{i}"), session(user(i), early));
        }
        for i in 3000..6000 {
            auth.add_code((user(i), CodePurpose::SignUp), code(late), late - 1.0);
            auth.purge_sessions(late - 1.0);
            auth.sessions
                .insert(format!("s{i}"), session(user(i), late));
        }
        assert!(auth.codes.len() <= 3000, "{} codes kept", auth.codes.len());
        assert!(
            auth.sessions.len() <= 3000,
            "{} sessions kept",
            auth.sessions.len()
        );
        assert!(auth.codes.contains_key(&(user(5999), CodePurpose::SignUp)));
        assert!(auth.sessions.contains_key("s5999"));
    }

    #[test]
    fn revocations_are_forgotten_once_no_access_token_can_use_them() {
        let mut auth = AuthState::default();
        auth.track_changes();
        auth.revoke_origin("old".into(), 0.0);
        let two_days = 2.0 * 86_400.0;
        for i in 0..1100 {
            auth.revoke_origin(format!("new{i}"), two_days);
        }
        assert!(!auth.is_revoked_origin("old"));
        assert!(auth.is_revoked_origin("new0"));
        assert!(auth.is_revoked_origin("new1099"));
        let (_, origins) = auth.take_changes();
        assert!(
            origins.contains(&("old".to_string(), None)),
            "the deletion is persisted"
        );
        assert!(origins.contains(&("new7".to_string(), Some(two_days))));
        // Within a day the revocation stays.
        let mut auth = AuthState::default();
        auth.revoke_origin("recent".into(), two_days - 3_600.0);
        for i in 0..1100 {
            auth.revoke_origin(format!("new{i}"), two_days);
        }
        assert!(auth.is_revoked_origin("recent"));
    }
}
