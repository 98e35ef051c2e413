//! A signed-in user's passkeys: StartWebAuthnRegistration, CompleteWebAuthnRegistration,
//! ListWebAuthnCredentials, DeleteWebAuthnCredential. The rules are in
//! [`crate::idp::engine::passkeys`].

use crate::app::{App, RequestContext};
use crate::error::{ApiError, ApiResult};
use crate::generated::cognito_idp::*;
use crate::idp::api::{decode_token, encode_token};
use crate::idp::engine::tokens::verify_access_token;
use crate::idp::engine::{passkey_registration, passkeys};

fn client_of(claims: &serde_json::Value) -> String {
    claims["client_id"].as_str().unwrap_or_default().to_string()
}

pub fn start_web_authn_registration(
    app: &App,
    _: &RequestContext,
    input: StartWebAuthnRegistrationRequest,
) -> ApiResult<StartWebAuthnRegistrationResponse> {
    let token = verify_access_token(app, &input.access_token)?;
    let options =
        passkey_registration::start(app, &token.pool, token.user, &client_of(&token.claims))?;
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
    passkey_registration::complete(
        app,
        &token.pool,
        token.user,
        &client_of(&token.claims),
        &input.credential,
    )?;
    Ok(CompleteWebAuthnRegistrationResponse {})
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
            user.extras()
                .passkeys
                .iter()
                .position(|p| &p.id == id)
                .ok_or_else(|| ApiError::invalid_parameter("Invalid pagination token."))?
                + 1
        }
    };
    let page: Vec<_> = user
        .extras()
        .passkeys
        .iter()
        .skip(start)
        .take(limit)
        .collect();
    let next_token = (start + page.len() < user.extras().passkeys.len())
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
        let before = user.extras().passkeys.len();
        user.extras_mut()
            .passkeys
            .retain(|p| p.id != input.credential_id);
        let removed = before != user.extras().passkeys.len();
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
