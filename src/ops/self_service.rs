//! What signed-in users do with their access token (GetUser, ChangePassword, GlobalSignOut),
//! and token revocation.

use crate::app::App;
use crate::crypto::password::PasswordRecord;
use crate::error::{ApiError, ApiResult};
use crate::generated::cognito_idp::*;
use crate::ops::users::attribute_list;
use crate::password_policy::{self, Context};
use crate::protocol::RequestContext;
use crate::tokens::{sign_out_everywhere, verify_access_token};

pub fn get_user(
    app: &App,
    _: &RequestContext,
    input: GetUserRequest,
) -> ApiResult<GetUserResponse> {
    let token = verify_access_token(app, &input.access_token)?;
    let pool = token.pool.read();
    let user = pool
        .users
        .get(token.user)
        .ok_or_else(ApiError::user_not_found)?;
    let mut attributes = attribute_list(user);
    attributes.retain(|a| !a.name.starts_with("dev:"));
    Ok(GetUserResponse {
        username: user.username.clone(),
        user_attributes: attributes,
        mfa_options: (!user.mfa_options.is_empty()).then(|| user.mfa_options.clone()),
        preferred_mfa_setting: None,
        user_mfa_setting_list: None,
    })
}

pub fn global_sign_out(
    app: &App,
    _: &RequestContext,
    input: GlobalSignOutRequest,
) -> ApiResult<GlobalSignOutResponse> {
    let token = verify_access_token(app, &input.access_token)?;
    sign_out_everywhere(&mut token.pool.write(), token.user);
    Ok(GlobalSignOutResponse {})
}

pub fn admin_user_global_sign_out(
    app: &App,
    _: &RequestContext,
    input: AdminUserGlobalSignOutRequest,
) -> ApiResult<AdminUserGlobalSignOutResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let mut pool = pool.write();
    let user = pool.find_user(&input.username)?;
    sign_out_everywhere(&mut pool, user);
    Ok(AdminUserGlobalSignOutResponse {})
}

/// Revokes a refresh token and the access tokens derived from it (same `origin_jti`).
pub fn revoke_token(
    app: &App,
    _: &RequestContext,
    input: RevokeTokenRequest,
) -> ApiResult<RevokeTokenResponse> {
    let pool = app.store.pool_for_client(&input.client_id)?;
    let mut pool = pool.write();
    let client = pool.client(&input.client_id)?;
    if client.config.enable_token_revocation == Some(false) {
        // Text unconfirmed.
        return Err(ApiError::new(
            "UnsupportedOperationException",
            "Token revocation is not enabled for this client.",
        ));
    }
    if !client.secrets.is_empty() {
        let given = input.client_secret.as_deref().unwrap_or_default();
        let known = client
            .secrets
            .iter()
            .any(|s| subtle::ConstantTimeEq::ct_eq(s.value.as_bytes(), given.as_bytes()).into());
        if !known {
            return Err(ApiError::not_authorized(format!(
                "Unable to verify secret for client {}",
                input.client_id
            )));
        }
    }
    if input.token.split('.').count() == 3 {
        // An ID or access token (JWS); only refresh tokens can be revoked.
        return Err(ApiError::new(
            "UnsupportedTokenTypeException",
            "Unsupported token type",
        ));
    }
    let origin = match pool.auth.refresh_tokens.get_mut(&input.token) {
        Some(record) if record.client_id == input.client_id => {
            record.revoked = true;
            Some(record.origin_jti.clone())
        }
        // Unknown tokens revoke nothing and are no error (RFC 7009).
        _ => None,
    };
    if let Some(origin) = origin {
        pool.auth.revoked_origins.insert(origin);
    }
    Ok(RevokeTokenResponse {})
}

pub fn change_password(
    app: &App,
    _: &RequestContext,
    input: ChangePasswordRequest,
) -> ApiResult<ChangePasswordResponse> {
    let token = verify_access_token(app, &input.access_token)?;
    let now = app.clock.now();
    let mut pool = token.pool.write();
    let user = pool
        .users
        .get(token.user)
        .ok_or_else(ApiError::user_not_found)?;
    if let Some(previous) = &input.previous_password {
        let matches = user
            .password
            .as_ref()
            .is_some_and(|record| record.verify(pool.srp_pool_name(), &user.username, previous));
        if !matches {
            return Err(ApiError::not_authorized("Incorrect username or password."));
        }
    }
    let policy = pool.password_policy();
    password_policy::check(&policy, &input.proposed_password, Context::UserPassword)?;
    let record = PasswordRecord::new(
        pool.srp_pool_name(),
        &user.username,
        &input.proposed_password,
    );
    pool.users.update(token.user, |u| {
        u.password = Some(record);
        u.modified = now;
    });
    Ok(ChangePasswordResponse {})
}
