//! What a pool keeps for sign-in: its signing keys, pending challenges, refresh tokens,
//! revocations and lockouts.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};

mod custom;
pub use custom::{ChallengeResult, CustomFlow};

use super::user::MfaFactor;
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
    /// An MFA code (SMS_MFA, EMAIL_OTP, SOFTWARE_TOKEN_MFA).
    Mfa(MfaPending),
    /// SELECT_MFA_TYPE among these factors.
    SelectMfaType(Vec<MfaFactor>),
    /// MFA_SETUP: a software token being set up inside sign-in (AssociateSoftwareToken and
    /// VerifySoftwareToken with the Session).
    MfaSetup {
        options: Vec<MfaFactor>,
        secret: Option<String>,
        verified: bool,
    },
    /// A sign-up just confirmed with its code (ConfirmSignUp's Session): InitiateAuth
    /// USER_AUTH with this Session signs the user in without another factor.
    SignedUp,
    /// A remembered device is to prove itself (DEVICE_SRP_AUTH).
    DeviceSrpAuth,
    /// Device SRP's second step, as [`Pending::PasswordVerifier`] with the device's verifier.
    DevicePasswordVerifier {
        b: Vec<u8>,
        big_b: Vec<u8>,
        a: Vec<u8>,
        v: Vec<u8>,
    },
    /// USER_AUTH: the first factors this user may choose from (SELECT_CHALLENGE).
    SelectChallenge(Vec<crate::generated::cognito_idp::ChallengeNameType>),
    /// USER_AUTH: PASSWORD or PASSWORD_SRP chosen without the password or SRP_A.
    Password {
        srp: bool,
    },
    /// A passkey assertion answering this challenge (base64url).
    WebAuthn {
        challenge: String,
    },
    /// CUSTOM_CHALLENGE: what CreateAuthChallenge kept for VerifyAuthChallengeResponse.
    CustomChallenge {
        private: serde_json::Value,
        metadata: Option<String>,
    },
}

/// An MFA code a sign-in waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MfaPending {
    pub factor: MfaFactor,
    /// The code sent by SMS or e-mail (None for a software token).
    pub code: Option<String>,
    /// When the sent code expires, in Unix milliseconds.
    pub code_expires_ms: i64,
    /// Wrong codes so far in this session.
    pub failures: u32,
    /// Set up inside MFA_SETUP: on success the factor is turned on, and for e-mail this
    /// address becomes the user's (verified) e-mail.
    pub setting_up: Option<String>,
    /// USER_AUTH's EMAIL_OTP / SMS_OTP first factor rather than MFA.
    pub first_factor: bool,
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
    /// The DEVICE_KEY the sign-in names, carried to the next steps and into the tokens.
    pub device_key: Option<String>,
    /// The CUSTOM_AUTH sign-in this challenge is part of, if it is.
    pub custom: Option<Box<CustomFlow>>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RefreshRecord {
    pub user: UserKey,
    pub client_id: String,
    pub origin_jti: String,
    pub auth_time: i64,
    pub expires: f64,
    pub revoked: bool,
    /// The OAuth scopes of a sign-in through the hosted UI / OAuth endpoints; refreshed
    /// tokens keep them. Absent in files written before OAuth.
    #[serde(default)]
    pub scope: Option<String>,
    /// The device the tokens were issued to: refreshing needs its DEVICE_KEY, and forgetting
    /// the device revokes them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_key: Option<String>,
    /// When the sign-in was last used (issued or refreshed), its source address and user
    /// agent: what ListUserSessions shows. Absent in files written before sessions.
    #[serde(default)]
    pub last_used: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
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

/// A passkey registration started (StartWebAuthnRegistration) and not yet completed.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingRegistration {
    /// The challenge, base64url.
    pub challenge: String,
    /// The app client of the access token that started it.
    pub client_id: String,
    pub expires: f64,
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
    /// Pending challenges by Session string; add them with [`AuthState::add_session`].
    pub sessions: HashMap<String, AuthSession>,
    /// (expiry in milliseconds, Session string): expired challenges are found from the
    /// front instead of by scanning every pending one.
    session_expiry: std::collections::BTreeSet<(i64, String)>,
    /// SECRET_BLOCK → Session string.
    pub secret_blocks: HashMap<String, String>,
    /// (user, DEVICE_KEY) → Session string of a pending DEVICE_SRP_AUTH: pycognito answers it
    /// without the Session.
    pub device_challenges: HashMap<(UserKey, String), String>,
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
    /// When each user last asked for codes (at most the limit's worth of times per user),
    /// to throttle requests; forgotten once out of the window (amortised).
    code_requests: HashMap<UserKey, Vec<f64>>,
    request_sweep: Sweep,
    code_sweep: Sweep,
    /// Authorization codes and hosted-UI sessions.
    pub oauth: super::oauth::OAuthState,
    /// Passkey registrations under way, one per user (a new one replaces it).
    pub registrations: HashMap<UserKey, PendingRegistration>,
}

impl AuthState {
    /// Keeps a code sent to a user (replacing any earlier one for the same purpose), and
    /// forgets codes that expired unused (amortised).
    pub fn add_code(&mut self, slot: (UserKey, CodePurpose), code: PendingCode, now: f64) {
        self.codes.insert(slot, code);
        if self.code_sweep.due(self.codes.len()) {
            self.codes.retain(|_, c| c.expires > now);
            self.code_sweep.done(self.codes.len());
        }
    }

    /// Keeps a pending challenge, first forgetting those that expired.
    pub fn add_session(&mut self, id: String, session: AuthSession, now: f64) {
        self.purge_sessions(now);
        if let Some(block) = &session.secret_block {
            self.secret_blocks.insert(block.clone(), id.clone());
        }
        if let (Pending::DeviceSrpAuth, Some(device)) = (&session.pending, &session.device_key) {
            self.device_challenges
                .insert((session.user, device.clone()), id.clone());
        }
        self.session_expiry
            .insert(((session.expires * 1000.0) as i64, id.clone()));
        self.sessions.insert(id, session);
    }

    /// Forgets challenges that expired, oldest first.
    fn purge_sessions(&mut self, now: f64) {
        let now = (now * 1000.0) as i64;
        while let Some(first) = self.session_expiry.first() {
            if first.0 > now {
                break;
            }
            let (_, id) = self.session_expiry.pop_first().expect("first exists");
            if let Some(session) = self.sessions.remove(&id) {
                if let Some(block) = session.secret_block {
                    self.secret_blocks.remove(&block);
                }
                if let Some(device) = session.device_key {
                    let slot = (session.user, device);
                    if self.device_challenges.get(&slot) == Some(&id) {
                        self.device_challenges.remove(&slot);
                    }
                }
            }
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

    /// A user's refresh tokens (a full scan: for listing sessions, not for hot paths).
    pub fn refresh_tokens_of(
        &self,
        user: UserKey,
    ) -> impl Iterator<Item = (&String, &RefreshRecord)> {
        self.refresh_tokens
            .iter()
            .filter(move |(_, r)| r.user == user)
    }

    /// Changes a refresh token's record in place (recorded for persistence).
    pub fn update_refresh_token(&mut self, token: &str, change: impl FnOnce(&mut RefreshRecord)) {
        if let Some(record) = self.refresh_tokens.get_mut(token) {
            change(record);
            self.token_changed(token);
        }
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
        self.revoke_where(|r| r.user == user, now);
    }

    /// The refresh tokens issued to one of a user's devices die, and the access tokens of
    /// those sign-ins (ForgetDevice).
    pub fn revoke_device(&mut self, user: UserKey, device_key: &str, now: f64) {
        self.revoke_where(
            |r| r.user == user && r.device_key.as_deref() == Some(device_key),
            now,
        );
    }

    fn revoke_where(&mut self, which: impl Fn(&RefreshRecord) -> bool, now: f64) {
        let tokens: Vec<String> = self
            .refresh_tokens
            .iter()
            .filter(|(_, r)| which(r))
            .map(|(t, _)| t.clone())
            .collect();
        for token in tokens {
            if let Some(origin) = self.revoke_refresh_token(&token) {
                self.revoke_origin(origin, now);
            }
        }
    }

    /// Records a request for a code at `now` unless `limit` were recorded within the `window`
    /// seconds before it (refused requests are not recorded). Returns whether it is allowed.
    pub fn allow_code_request(
        &mut self,
        user: UserKey,
        now: f64,
        window: f64,
        limit: usize,
    ) -> bool {
        let recent = |t: &f64| *t > now - window;
        // Amortised: a sweep only when the map has doubled since the last one.
        if self.request_sweep.due(self.code_requests.len()) {
            self.code_requests
                .retain(|_, times| times.iter().any(recent));
            self.request_sweep.done(self.code_requests.len());
        }
        let times = self.code_requests.entry(user).or_default();
        times.retain(recent);
        if times.len() >= limit {
            return false;
        }
        times.push(now);
        true
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
        self.oauth.forget_user(user);
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
        let blocks = &mut self.secret_blocks;
        self.sessions.retain(|_, s| {
            let keep = s.user != user;
            if let (false, Some(block)) = (keep, &s.secret_block) {
                blocks.remove(block);
            }
            keep
        });
        self.device_challenges
            .retain(|(owner, _), _| *owner != user);
        self.lockouts.remove(&user);
        self.code_requests.remove(&user);
        self.codes.retain(|(owner, _), _| *owner != user);
        self.registrations.remove(&user);
    }
}

#[cfg(test)]
mod tests;
