//! Challenges kept between sign-in steps, found by their Session string (or, for SRP, by the
//! SECRET_BLOCK, because pycognito answers without the Session). Single use, and they expire
//! after the client's AuthSessionValidity.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;

use super::{invalid_session, missing, Answer, SignIn};
use crate::error::{ApiError, ApiResult};
use crate::idp::store::auth::{AuthSession, Pending};
use crate::idp::store::{UserKey, UserPool};

impl SignIn<'_> {
    /// Keeps a new challenge and returns its Session string.
    pub(super) fn new_session(
        &self,
        pool: &mut UserPool,
        user: UserKey,
        username: &str,
        pending: Pending,
        secret_block: Option<String>,
    ) -> String {
        let now = self.app.clock.now();
        let id = session_id(pool.id());
        pool.auth.add_session(
            id.clone(),
            AuthSession {
                client_id: self.client_id.to_string(),
                user,
                username: username.to_string(),
                pending,
                expires: now + self.rules.session_minutes as f64 * 60.0,
                used: false,
                secret_block,
                device_key: self.device.borrow().clone(),
                custom: self.custom.borrow().clone().map(Box::new),
            },
            now,
        );
        id
    }

    /// The pending challenge a session (or, for SRP, a SECRET_BLOCK) names, with Cognito's
    /// errors for unknown, used and expired sessions. Not yet marked used.
    pub(super) fn find_session(
        &self,
        pool: &UserPool,
        session: Option<&str>,
        secret_block: Option<&str>,
    ) -> ApiResult<(String, AuthSession)> {
        let id = match (session, secret_block) {
            (Some(id), _) => id.to_string(),
            (None, Some(block)) => pool
                .auth
                .secret_blocks
                .get(block)
                .cloned()
                .ok_or_else(invalid_session)?,
            (None, None) => return Err(missing("Session")),
        };
        let found = lookup(pool, &id, self.app.clock.now())?;
        if found.client_id != self.client_id {
            return Err(invalid_session());
        }
        if self.device.borrow().is_none() {
            self.set_device(found.device_key.clone());
        }
        *self.custom.borrow_mut() = found.custom.as_deref().cloned();
        Ok((id, found))
    }
}

impl SignIn<'_> {
    /// An answer's SECRET_HASH, over the name it gives or the challenged user's.
    pub(super) fn check_answer_hash(&self, answer: &Answer, session_user: &str) -> ApiResult<()> {
        let username = answer.param("USERNAME")?;
        self.rules.check_secret_hash(
            self.client_id,
            answer.get("SECRET_HASH"),
            &[username, session_user],
        )
    }
}

/// ConfirmSignUp's Session for a client with USER_AUTH: InitiateAuth USER_AUTH with it signs
/// the new user in (Amplify's auto sign-in). Lives the client's AuthSessionValidity.
pub fn sign_up_session(
    pool: &mut UserPool,
    client_id: &str,
    session_minutes: i64,
    user: UserKey,
    username: &str,
    now: f64,
) -> String {
    let id = session_id(pool.id());
    pool.auth.add_session(
        id.clone(),
        AuthSession {
            client_id: client_id.to_string(),
            user,
            username: username.to_string(),
            pending: Pending::SignedUp,
            expires: now + session_minutes as f64 * 60.0,
            used: false,
            secret_block: None,
            device_key: None,
            custom: None,
        },
        now,
    );
    id
}

/// The pending challenge a Session string names, with Cognito's errors for unknown, used
/// and expired sessions. Not yet marked used.
pub(super) fn lookup(pool: &UserPool, id: &str, now: f64) -> ApiResult<AuthSession> {
    let found = pool
        .auth
        .sessions
        .get(id)
        .cloned()
        .ok_or_else(invalid_session)?;
    if found.used {
        return Err(used_session());
    }
    if found.expires <= now {
        return Err(ApiError::not_authorized(
            "Invalid session for the user, session is expired.",
        ));
    }
    Ok(found)
}

/// A new Session string: random, followed by the pool it belongs to, so that operations
/// given only a Session (AssociateSoftwareToken, VerifySoftwareToken) find its pool.
pub(super) fn session_id(pool_id: &str) -> String {
    let mut bytes = [0u8; 48];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(bytes),
        URL_SAFE_NO_PAD.encode(pool_id)
    )
}

/// The pool a Session string names (see [`session_id`]), if it names one.
pub(super) fn session_pool_id(session: &str) -> Option<String> {
    let (_, pool) = session.rsplit_once('.')?;
    String::from_utf8(URL_SAFE_NO_PAD.decode(pool).ok()?).ok()
}

/// Marks a pending challenge used, refusing one already used: when answers race, only the
/// first counts.
pub(super) fn use_once(pool: &mut UserPool, id: &str) -> ApiResult<()> {
    match pool.auth.sessions.get_mut(id) {
        Some(s) if !s.used => {
            s.used = true;
            Ok(())
        }
        _ => Err(used_session()),
    }
}

pub(super) fn used_session() -> ApiError {
    ApiError::not_authorized("Invalid session for the user, session can only be used once.")
}
