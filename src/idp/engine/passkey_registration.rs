//! Registering a passkey for a user: the ceremony StartWebAuthnRegistration and
//! CompleteWebAuthnRegistration run with an access token's user, and the hosted passkey
//! page with its hosted session's user. The WebAuthn checks are in [`super::passkeys`].

use serde_json::Value;

use super::passkeys::{self, Holder, CHALLENGE_SECONDS, MAX_PASSKEYS};
use crate::app::App;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::idp::store::auth::PendingRegistration;
use crate::idp::store::{PoolHandle, UserKey};

/// Starts a registration for `user` through app client `client_id`: the
/// PublicKeyCredentialCreationOptions (JSON form) to hand to the browser.
pub fn start(app: &App, pool: &PoolHandle, user: UserKey, client_id: &str) -> ApiResult<Value> {
    let now = app.clock.now();
    let mut pool = pool.write();
    let settings = passkeys::settings(&pool)?;
    let holder = pool.user(user)?;
    if holder.extras().passkeys.len() >= MAX_PASSKEYS {
        // Text unconfirmed.
        return Err(ApiError::new(
            ErrorCode::LimitExceededException,
            format!("A user can register at most {MAX_PASSKEYS} passkeys."),
        ));
    }
    let challenge = passkeys::new_challenge();
    let display_name = ["name", "email", "phone_number"]
        .iter()
        .find_map(|a| holder.attribute(a))
        .unwrap_or(&holder.username);
    let options = passkeys::creation_options(
        &settings,
        &Holder {
            sub: holder.sub(),
            username: &holder.username,
            display_name,
        },
        &holder.extras().passkeys,
        &challenge,
    );
    pool.auth.registrations.insert(
        user,
        PendingRegistration {
            challenge,
            client_id: client_id.to_string(),
            expires: now + CHALLENGE_SECONDS,
        },
    );
    Ok(options)
}

/// Completes `user`'s registration with a RegistrationResponseJSON: the passkey is kept.
/// The signatures are checked outside the pool lock.
pub fn complete(
    app: &App,
    pool: &PoolHandle,
    user: UserKey,
    client_id: &str,
    credential: &Value,
) -> ApiResult<()> {
    let now = app.clock.now();
    let not_found = || {
        // Text unconfirmed.
        ApiError::new(
            ErrorCode::WebAuthnChallengeNotFoundException,
            "No passkey registration is under way for the user: call StartWebAuthnRegistration first.",
        )
    };
    // Under the lock: what the credential must answer.
    let (settings, pending, existing) = {
        let guard = pool.read();
        let settings = passkeys::settings(&guard)?;
        let pending = guard
            .auth
            .registrations
            .get(&user)
            .filter(|p| p.expires > now)
            .cloned()
            .ok_or_else(not_found)?;
        (
            settings,
            pending,
            guard.user(user)?.extras().passkeys.clone(),
        )
    };
    if pending.client_id != client_id {
        // Text unconfirmed.
        return Err(ApiError::new(
            ErrorCode::WebAuthnClientMismatchException,
            "The registration was started by another app client.",
        ));
    }
    let passkey =
        passkeys::finish_registration(&settings, &pending.challenge, &existing, credential, now)?;
    let mut guard = pool.write();
    // Used once: a concurrent completion of the same challenge loses.
    if guard.auth.registrations.get(&user) != Some(&pending) {
        return Err(not_found());
    }
    guard.auth.registrations.remove(&user);
    let added = guard.users.update(user, |holder| {
        if holder.extras().passkeys.iter().any(|p| p.id == passkey.id) {
            return false;
        }
        holder.extras_mut().passkeys.push(passkey);
        holder.modified = now;
        true
    });
    match added {
        Some(true) => Ok(()),
        Some(false) => Err(ApiError::invalid_parameter(
            "Invalid WebAuthn credential: this passkey is already registered for the user.",
        )),
        None => Err(ApiError::user_not_found()),
    }
}
