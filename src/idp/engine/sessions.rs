//! User sessions: one per sign-in, i.e. per refresh-token family (`origin_jti`), with its
//! client, when it began and was last used, and where from. Revoking one kills its refresh
//! tokens and, through the origin, its access and ID tokens. With session tracking on, a
//! user keeps at most the pool's MaxPerUser sessions: a new sign-in revokes the oldest.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use crate::app::App;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::generated::cognito_idp::*;
use crate::idp::engine::risk::Source;
use crate::idp::store::{PoolHandle, UserKey, UserPool};

/// A session's id: `tkn` and 25 characters of [a-z0-9], derived from its origin.
pub fn session_id(origin: &str) -> String {
    let digest = Sha256::digest(origin.as_bytes());
    let alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut id = String::from("tkn");
    id.extend(
        digest
            .iter()
            .take(25)
            .map(|b| alphabet[usize::from(*b) % alphabet.len()] as char),
    );
    id
}

/// One live sign-in of a user.
#[derive(Debug, Clone)]
pub struct Session {
    pub origin: String,
    pub client_id: String,
    pub created: f64,
    pub last_used: f64,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl Session {
    pub fn describe(&self, current_origin: Option<&str>) -> SessionDescriptionType {
        SessionDescriptionType {
            session_id: Some(session_id(&self.origin)),
            session_type: Some(SessionTypeType::Token),
            client_id: Some(self.client_id.clone()),
            create_date: Some(self.created),
            last_active_date: Some(self.last_used.max(self.created)),
            last_ip_address: self.ip.clone(),
            // The User-Agent text stands for the device (unconfirmed).
            device_type: self
                .user_agent
                .as_ref()
                .map(|a| a.chars().take(1024).collect()),
            is_current_session: current_origin.map(|o| o == self.origin),
            last_location: None,
            origin_session_id: None,
        }
    }
}

/// The user's live sessions, newest first: sign-ins with a refresh token that is neither
/// revoked nor expired, whose sign-in was not revoked.
pub fn of_user(pool: &UserPool, user: UserKey, now: f64) -> Vec<Session> {
    let mut by_origin: BTreeMap<&str, Session> = BTreeMap::new();
    for (_, record) in pool.auth.refresh_tokens_of(user) {
        if record.revoked
            || record.expires <= now
            || pool.auth.is_revoked_origin(&record.origin_jti)
        {
            continue;
        }
        let session = by_origin
            .entry(&record.origin_jti)
            .or_insert_with(|| Session {
                origin: record.origin_jti.clone(),
                client_id: record.client_id.clone(),
                created: record.auth_time as f64,
                last_used: 0.0,
                ip: None,
                user_agent: None,
            });
        if record.last_used >= session.last_used {
            session.last_used = record.last_used;
            session.ip = record.ip.clone().or(session.ip.take());
            session.user_agent = record.user_agent.clone().or(session.user_agent.take());
        }
    }
    let mut sessions: Vec<Session> = by_origin.into_values().collect();
    sessions.sort_by(|a, b| {
        b.created
            .total_cmp(&a.created)
            .then_with(|| b.last_used.total_cmp(&a.last_used))
            .then_with(|| a.origin.cmp(&b.origin))
    });
    sessions
}

/// Revokes a sign-in: its refresh tokens and the tokens issued from them.
pub fn revoke_origin(pool: &mut UserPool, user: UserKey, origin: &str, now: f64) {
    let tokens: Vec<String> = pool
        .auth
        .refresh_tokens_of(user)
        .filter(|(_, r)| r.origin_jti == origin)
        .map(|(t, _)| t.clone())
        .collect();
    for token in tokens {
        pool.auth.revoke_refresh_token(&token);
    }
    pool.auth.revoke_origin(origin.to_string(), now);
}

/// Revokes the user's session with this id; ResourceNotFoundException when it has none.
pub fn revoke(pool: &mut UserPool, user: UserKey, id: &str, now: f64) -> ApiResult<()> {
    let session = of_user(pool, user, now)
        .into_iter()
        .find(|s| session_id(&s.origin) == id)
        // Text unconfirmed.
        .ok_or_else(|| ApiError::resource_not_found("Session not found."))?;
    revoke_origin(pool, user, &session.origin, now);
    Ok(())
}

/// The session operations need session tracking on.
pub fn check_tracking(pool: &UserPool) -> ApiResult<()> {
    if pool.security.tracking() {
        return Ok(());
    }
    // Text unconfirmed.
    Err(ApiError::new(
        ErrorCode::OperationNotEnabledException,
        "User session tracking is not enabled for this user pool.",
    ))
}

fn note(pool: &mut UserPool, token: &str, source: &Source, now: f64) -> Option<UserKey> {
    let user = pool.auth.refresh_token(token)?.user;
    pool.auth.update_refresh_token(token, |r| {
        r.last_used = now;
        if let Some(ip) = source.ip {
            r.ip = Some(ip.to_string());
        }
        if source.user_agent.is_some() {
            r.user_agent = source.user_agent.clone();
        }
    });
    Some(user)
}

/// A new sign-in got this refresh token: remember where from, and keep the user within
/// the pool's MaxPerUser sessions by revoking the oldest.
pub fn started(app: &App, pool: &PoolHandle, token: &str, source: &Source) {
    // The token was issued with its source (tokens::Grant): only MaxPerUser needs more, so
    // sign-ins in pools without session tracking take no second write lock.
    {
        let pool = pool.read();
        if !(pool.security.sessions.is_some() && pool.security.tracking()) {
            return;
        }
    }
    let now = app.clock.now();
    let mut pool = pool.write();
    let Some(user) = note(&mut pool, token, source, now) else {
        return;
    };
    let max = match &pool.security.sessions {
        Some(s) if pool.security.tracking() => s.token.max_per_user.max(1) as usize,
        _ => return,
    };
    let sessions = of_user(&pool, user, now);
    for oldest in sessions.iter().skip(max) {
        revoke_origin(&mut pool, user, &oldest.origin, now);
    }
}

/// A hosted-UI sign-in got its tokens at the token endpoint (its source is not known there).
pub fn started_at_token_endpoint(app: &App, pool: &PoolHandle, result: &AuthenticationResultType) {
    if let Some(token) = &result.refresh_token {
        started(app, pool, token, &Source::default());
    }
}

/// A sign-in was refreshed with (or rotated to) this refresh token.
pub fn refreshed(app: &App, pool: &PoolHandle, token: &str, source: &Source) {
    let now = app.clock.now();
    note(&mut pool.write(), token, source, now);
}

/// Whether a hosted-UI (SSO) session signed in at `auth_time` may still sign a user in to
/// this client without asking again: within the client's SSO MaxValidityMinutes when set
/// (0: never). The hosted session itself lasts at most an hour, so longer settings are cut
/// short (unconfirmed how Cognito combines them).
pub fn sso_reusable(app: &App, pool: &PoolHandle, client_id: &str, auth_time: i64) -> bool {
    let pool = pool.read();
    let Some(config) = pool.security.client_sso.get(client_id) else {
        return true;
    };
    let age = app.clock.now() - auth_time as f64;
    age < (config.max_validity_minutes * 60) as f64
}

#[cfg(test)]
mod tests {
    #[test]
    fn session_ids_match_the_model_pattern() {
        let id = super::session_id("0f8fad5b-d9cb-469f-a165-70867728950e");
        assert_eq!(id.len(), 28);
        assert!(id.starts_with("tkn"));
        assert!(id[3..]
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
        assert_eq!(
            id,
            super::session_id("0f8fad5b-d9cb-469f-a165-70867728950e")
        );
    }
}
