//! What a pool keeps for sign-in: its signing keys, pending challenges, refresh tokens,
//! revocations and lockouts.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use super::users::UserKey;
use crate::crypto::jwt::SigningKey;

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

#[derive(Debug, Clone)]
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
    pub refresh_tokens: HashMap<String, RefreshRecord>,
    next_refresh_sweep: usize,
    /// `origin_jti`s whose access tokens no longer work (RevokeToken, sign-out).
    pub revoked_origins: HashSet<String>,
    pub lockouts: HashMap<UserKey, Lockout>,
    /// Codes sent and not yet used.
    pub codes: HashMap<(UserKey, CodePurpose), PendingCode>,
}

impl AuthState {
    /// Forgets challenges that expired (called as new ones are made).
    pub fn purge_sessions(&mut self, now: f64) {
        let before = self.sessions.len();
        self.sessions.retain(|_, s| s.expires > now);
        if self.sessions.len() != before {
            let live: HashSet<&String> = self.sessions.keys().collect();
            self.secret_blocks
                .retain(|_, session| live.contains(session));
        }
    }

    /// Forgets expired refresh tokens, amortised: a sweep only when the map has doubled
    /// since the last one.
    pub fn purge_refresh_tokens(&mut self, now: f64) {
        if self.refresh_tokens.len() < self.next_refresh_sweep {
            return;
        }
        self.refresh_tokens.retain(|_, r| r.expires > now);
        self.next_refresh_sweep = (2 * self.refresh_tokens.len()).max(1024);
    }

    /// Everything a user had: tokens and challenges (AdminDeleteUser, DeleteUser).
    pub fn forget_user(&mut self, user: UserKey) {
        // Its access tokens die with it: they share origin_jti with its refresh tokens.
        for record in self.refresh_tokens.values().filter(|r| r.user == user) {
            self.revoked_origins.insert(record.origin_jti.clone());
        }
        self.refresh_tokens.retain(|_, r| r.user != user);
        self.sessions.retain(|_, s| s.user != user);
        self.lockouts.remove(&user);
        self.codes.retain(|(owner, _), _| *owner != user);
    }
}
