//! AssociateSoftwareToken and VerifySoftwareToken inside a sign-in (MFA_SETUP): they name
//! the challenge by its Session alone, and each answers with a new Session for the next
//! step. (With an access token they are plain user operations: `api/mfa.rs`.)

use super::invalid_session;
use super::session::{lookup, session_id, session_pool_id, use_once};
use crate::app::App;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::idp::store::auth::{AuthSession, Pending};
use crate::idp::store::user::{MfaFactor, SoftwareToken};
use crate::idp::store::{PoolHandle, UserPool};
use crate::infra::crypto::totp;

fn pool_of(app: &App, session: &str) -> ApiResult<PoolHandle> {
    let pool_id = session_pool_id(session).ok_or_else(invalid_session)?;
    app.store.pool(&pool_id).map_err(|_| invalid_session())
}

/// Uses up `id` and keeps its successor, waiting for `pending`.
fn continue_session(
    pool: &mut UserPool,
    id: &str,
    found: AuthSession,
    pending: Pending,
    now: f64,
) -> ApiResult<String> {
    use_once(pool, id)?;
    let next = session_id(pool.id());
    pool.auth.add_session(
        next.clone(),
        AuthSession {
            pending,
            used: false,
            secret_block: None,
            ..found
        },
        now,
    );
    Ok(next)
}

/// A new secret for the user being set up; returns it and the next Session.
pub fn associate(app: &App, session: &str) -> ApiResult<(String, String)> {
    let pool = pool_of(app, session)?;
    let mut guard = pool.write();
    let now = app.clock.now();
    let found = lookup(&guard, session, now)?;
    let Pending::MfaSetup { options, .. } = &found.pending else {
        return Err(invalid_session());
    };
    if !options.contains(&MfaFactor::SoftwareToken) {
        // Text unconfirmed.
        return Err(ApiError::new(
            ErrorCode::SoftwareTokenMFANotFoundException,
            "Software token MFA is not enabled for the user pool.",
        ));
    }
    let secret = totp::new_secret();
    let pending = Pending::MfaSetup {
        options: options.clone(),
        secret: Some(secret.clone()),
        verified: false,
    };
    let next = continue_session(&mut guard, session, found, pending, now)?;
    Ok((secret, next))
}

/// Checks a code of the associated secret; on success the secret becomes the user's
/// software token, and the next Session completes MFA_SETUP.
pub fn verify(
    app: &App,
    session: &str,
    code: &str,
    friendly_name: Option<String>,
) -> ApiResult<String> {
    let pool = pool_of(app, session)?;
    let mut guard = pool.write();
    let now = app.clock.now();
    let found = lookup(&guard, session, now)?;
    let Pending::MfaSetup {
        options,
        secret: Some(secret),
        ..
    } = &found.pending
    else {
        return Err(ApiError::new(
            ErrorCode::SoftwareTokenMFANotFoundException,
            "Software Token MFA has not been associated with the user; call AssociateSoftwareToken first.",
        ));
    };
    let step = totp::matching_step(secret, code, now).ok_or_else(code_mismatch)?;
    let token = SoftwareToken {
        secret: secret.clone(),
        friendly_name,
        last_step: step,
    };
    let pending = Pending::MfaSetup {
        options: options.clone(),
        secret: Some(secret.clone()),
        verified: true,
    };
    let user = found.user;
    let next = continue_session(&mut guard, session, found, pending, now)?;
    guard.users.update(user, |u| {
        u.extras_mut().mfa.software_token = Some(token);
        u.extras_mut().mfa.pending_secret = None;
        u.modified = now;
    });
    Ok(next)
}

/// VerifySoftwareToken's answer to a wrong code (observed).
pub fn code_mismatch() -> ApiError {
    ApiError::new(ErrorCode::EnableSoftwareTokenMFAException, "Code mismatch")
}
