//! A signed-in user's passkeys: StartWebAuthnRegistration, CompleteWebAuthnRegistration,
//! ListWebAuthnCredentials, DeleteWebAuthnCredential. The rules are in
//! [`crate::idp::engine::passkeys`].

use crate::app::{App, RequestContext};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::generated::cognito_idp::*;
use crate::idp::api::{decode_token, encode_token};
use crate::idp::engine::passkeys::{self, Holder, CHALLENGE_SECONDS, MAX_PASSKEYS};
use crate::idp::engine::tokens::verify_access_token;
use crate::idp::store::auth::PendingRegistration;

fn client_of(claims: &serde_json::Value) -> String {
    claims["client_id"].as_str().unwrap_or_default().to_string()
}

pub fn start_web_authn_registration(
    app: &App,
    _: &RequestContext,
    input: StartWebAuthnRegistrationRequest,
) -> ApiResult<StartWebAuthnRegistrationResponse> {
    let token = verify_access_token(app, &input.access_token)?;
    let now = app.clock.now();
    let mut pool = token.pool.write();
    let settings = passkeys::settings(&pool)?;
    let user = pool.user(token.user)?;
    if user.passkeys.len() >= MAX_PASSKEYS {
        // Text unconfirmed.
        return Err(ApiError::new(
            ErrorCode::LimitExceededException,
            format!("A user can register at most {MAX_PASSKEYS} passkeys."),
        ));
    }
    let challenge = passkeys::new_challenge();
    let display_name = ["name", "email", "phone_number"]
        .iter()
        .find_map(|a| user.attribute(a))
        .unwrap_or(&user.username);
    let options = passkeys::creation_options(
        &settings,
        &Holder {
            sub: user.sub(),
            username: &user.username,
            display_name,
        },
        &user.passkeys,
        &challenge,
    );
    pool.auth.registrations.insert(
        token.user,
        PendingRegistration {
            challenge,
            client_id: client_of(&token.claims),
            expires: now + CHALLENGE_SECONDS,
        },
    );
    Ok(StartWebAuthnRegistrationResponse {
        credential_creation_options: options,
    })
}

pub fn complete_web_authn_registration(
    app: &App,
    _: &RequestContext,
    input: CompleteWebAuthnRegistrationRequest,
) -> ApiResult<CompleteWebAuthnRegistrationResponse> {
    let token = verify_access_token(app, &input.access_token)?;
    let now = app.clock.now();
    let not_found = || {
        // Text unconfirmed.
        ApiError::new(
            ErrorCode::WebAuthnChallengeNotFoundException,
            "No passkey registration is under way for the user: call StartWebAuthnRegistration first.",
        )
    };
    // Under the lock: what the credential must answer. The signatures are checked outside.
    let (settings, pending, existing) = {
        let pool = token.pool.read();
        let settings = passkeys::settings(&pool)?;
        let pending = pool
            .auth
            .registrations
            .get(&token.user)
            .filter(|p| p.expires > now)
            .cloned()
            .ok_or_else(not_found)?;
        (settings, pending, pool.user(token.user)?.passkeys.clone())
    };
    if pending.client_id != client_of(&token.claims) {
        // Text unconfirmed.
        return Err(ApiError::new(
            ErrorCode::WebAuthnClientMismatchException,
            "The registration was started by another app client.",
        ));
    }
    let passkey = passkeys::finish_registration(
        &settings,
        &pending.challenge,
        &existing,
        &input.credential,
        now,
    )?;
    let mut pool = token.pool.write();
    // Used once: a concurrent completion of the same challenge loses.
    if pool.auth.registrations.get(&token.user) != Some(&pending) {
        return Err(not_found());
    }
    pool.auth.registrations.remove(&token.user);
    let added = pool.users.update(token.user, |user| {
        if user.passkeys.iter().any(|p| p.id == passkey.id) {
            return false;
        }
        user.passkeys.push(passkey);
        user.modified = now;
        true
    });
    match added {
        Some(true) => Ok(CompleteWebAuthnRegistrationResponse {}),
        Some(false) => Err(ApiError::invalid_parameter(
            "Invalid WebAuthn credential: this passkey is already registered for the user.",
        )),
        None => Err(ApiError::user_not_found()),
    }
}

pub fn list_web_authn_credentials(
    app: &App,
    _: &RequestContext,
    input: ListWebAuthnCredentialsRequest,
) -> ApiResult<ListWebAuthnCredentialsResponse> {
    let token = verify_access_token(app, &input.access_token)?;
    let after = decode_token(input.next_token.as_deref())?;
    let limit = match input.max_results {
        Some(n) if n > 0 => n as usize,
        _ => 20,
    };
    let pool = token.pool.read();
    let user = pool.user(token.user)?;
    let start = match &after {
        None => 0,
        Some(id) => {
            user.passkeys
                .iter()
                .position(|p| &p.id == id)
                .ok_or_else(|| ApiError::invalid_parameter("Invalid pagination token."))?
                + 1
        }
    };
    let page: Vec<_> = user.passkeys.iter().skip(start).take(limit).collect();
    let next_token = (start + page.len() < user.passkeys.len())
        .then(|| page.last().map(|p| encode_token(&p.id)))
        .flatten();
    Ok(ListWebAuthnCredentialsResponse {
        credentials: page.into_iter().map(passkeys::describe).collect(),
        next_token,
    })
}

pub fn delete_web_authn_credential(
    app: &App,
    _: &RequestContext,
    input: DeleteWebAuthnCredentialRequest,
) -> ApiResult<DeleteWebAuthnCredentialResponse> {
    let token = verify_access_token(app, &input.access_token)?;
    let now = app.clock.now();
    let mut pool = token.pool.write();
    let removed = pool.users.update(token.user, |user| {
        let before = user.passkeys.len();
        user.passkeys.retain(|p| p.id != input.credential_id);
        let removed = before != user.passkeys.len();
        if removed {
            user.modified = now;
        }
        removed
    });
    match removed {
        Some(true) => Ok(DeleteWebAuthnCredentialResponse {}),
        // Text unconfirmed.
        Some(false) => Err(ApiError::resource_not_found(
            "The user has no passkey with this credential ID.",
        )),
        None => Err(ApiError::user_not_found()),
    }
}
