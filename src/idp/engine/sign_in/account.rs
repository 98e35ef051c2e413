//! The checks every first factor ends with: lockout after repeated failures, and the user's
//! state (disabled, unconfirmed, reset required, expired temporary password).

use super::incorrect;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::generated::cognito_idp::UserStatusType;
use crate::idp::engine::client_rules::ClientRules;
use crate::idp::store::{UserKey, UserPool};

const FAILURES_BEFORE_LOCKOUT: u32 = 5;

pub(super) fn check_lockout(pool: &UserPool, key: UserKey, now: f64) -> ApiResult<()> {
    match pool.auth.lockouts.get(&key) {
        Some(lockout) if lockout.until > now => {
            Err(ApiError::not_authorized("Password attempts exceeded"))
        }
        _ => Ok(()),
    }
}

/// After five consecutive failures each further one locks the user out for twice as long,
/// from 1 second up to 15 minutes (numbers unconfirmed).
pub(super) fn record_failure(pool: &mut UserPool, key: UserKey, now: f64) {
    let lockout = pool.auth.lockouts.entry(key).or_default();
    lockout.failures += 1;
    if lockout.failures >= FAILURES_BEFORE_LOCKOUT {
        let exponent = (lockout.failures - FAILURES_BEFORE_LOCKOUT).min(10);
        lockout.until = now + f64::from(1u32 << exponent).min(900.0);
    }
}

/// The checks that follow a correct password or SRP proof.
pub(super) fn check_user_state(
    pool: &UserPool,
    key: UserKey,
    now: f64,
    rules: &ClientRules,
) -> ApiResult<()> {
    let user = pool.user(key)?;
    if !user.enabled {
        return Err(ApiError::not_authorized("User is disabled."));
    }
    match user.status {
        UserStatusType::Unconfirmed => Err(ApiError::new(
            ErrorCode::UserNotConfirmedException,
            "User is not confirmed.",
        )),
        UserStatusType::ResetRequired if rules.prevent_user_existence_errors => Err(incorrect()),
        UserStatusType::ResetRequired => Err(ApiError::new(
            ErrorCode::PasswordResetRequiredException,
            "Password reset required for the user",
        )),
        UserStatusType::ForceChangePassword
            if user.temporary_password_expires.is_some_and(|t| t <= now) =>
        {
            // Text unconfirmed.
            Err(ApiError::not_authorized(
                "Temporary password has expired and must be reset by an administrator.",
            ))
        }
        _ => Ok(()),
    }
}
