//! What signed-in users do with their access token (GetUser, ChangePassword, GlobalSignOut),
//! and token revocation.

use crate::app::App;
use crate::app::RequestContext;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::generated::cognito_idp::*;
use crate::idp::api::Empty;
use crate::idp::engine::attributes::WriteKind;
use crate::idp::engine::auth_events;
use crate::idp::engine::codes;
use crate::idp::engine::password_policy::{self, Context};
use crate::idp::engine::tokens::{self, sign_out_everywhere, verify_access_token};
use crate::idp::engine::users::{
    attribute_list, check_user_writes, claim_aliases, delete_attributes, release_aliases,
    remove_user, update_attributes,
};
use crate::idp::store::auth::CodePurpose;

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
    let (preferred_mfa_setting, user_mfa_setting_list) =
        crate::idp::engine::mfa::user_settings(user);
    Ok(GetUserResponse {
        username: user.username.clone(),
        user_attributes: attributes,
        mfa_options: (!user.extras().mfa_options.is_empty())
            .then(|| user.extras().mfa_options.clone()),
        preferred_mfa_setting,
        user_mfa_setting_list,
    })
}

pub fn global_sign_out(
    app: &App,
    _: &RequestContext,
    input: GlobalSignOutRequest,
) -> ApiResult<GlobalSignOutResponse> {
    let token = verify_access_token(app, &input.access_token)?;
    sign_out_everywhere(&mut token.pool.write(), token.user, app.clock.now());
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
    sign_out_everywhere(&mut pool, user, app.clock.now());
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
            ErrorCode::UnsupportedOperationException,
            "Token revocation is not enabled for this client.",
        ));
    }
    client.verify_secret(input.client_secret.as_deref())?;
    if input.token.split('.').count() == 3 {
        // An ID or access token (JWS); only refresh tokens can be revoked.
        return Err(ApiError::new(
            ErrorCode::UnsupportedTokenTypeException,
            "Unsupported token type",
        ));
    }
    tokens::revoke_refresh_token(&mut pool, &input.client_id, &input.token, app.clock.now());
    Ok(RevokeTokenResponse {})
}

pub fn change_password(
    app: &App,
    ctx: &RequestContext,
    input: ChangePasswordRequest,
) -> ApiResult<ChangePasswordResponse> {
    let token = verify_access_token(app, &input.access_token)?;
    let now = app.clock.now();
    let mut pool = token.pool.write();
    let user = pool
        .users
        .get(token.user)
        .ok_or_else(ApiError::user_not_found)?;
    // Only a user without a password (passwordless sign-in) may omit the old one.
    if let Some(record) = &user.password {
        let previous = input.previous_password.as_deref().ok_or_else(|| {
            // Text unconfirmed.
            ApiError::invalid_parameter("PreviousPassword is required to change the password.")
        })?;
        if !record.verify(pool.srp_pool_name(), &user.username, previous) {
            return Err(ApiError::not_authorized("Incorrect username or password."));
        }
    }
    let policy = pool.password_policy();
    password_policy::check(&policy, &input.proposed_password, Context::UserPassword)?;
    let record = pool.password_record(&user.username, &input.proposed_password);
    pool.users.update(token.user, |u| {
        u.password = Some(record);
        u.modified = now;
    });
    auth_events::password_changed(app, ctx, &mut pool, token.user);
    Ok(ChangePasswordResponse {})
}

pub fn delete_user(app: &App, _: &RequestContext, input: DeleteUserRequest) -> ApiResult<Empty> {
    let token = verify_access_token(app, &input.access_token)?;
    remove_user(&mut token.pool.write(), token.user, app.clock.now());
    Ok(Empty {})
}

pub fn delete_user_attributes(
    app: &App,
    _: &RequestContext,
    input: DeleteUserAttributesRequest,
) -> ApiResult<DeleteUserAttributesResponse> {
    let token = verify_access_token(app, &input.access_token)?;
    let now = app.clock.now();
    delete_attributes(
        &mut token.pool.write(),
        token.user,
        &input.user_attribute_names,
        now,
    )?;
    Ok(DeleteUserAttributesResponse {})
}

pub fn set_user_settings(
    app: &App,
    _: &RequestContext,
    input: SetUserSettingsRequest,
) -> ApiResult<SetUserSettingsResponse> {
    let token = verify_access_token(app, &input.access_token)?;
    let now = app.clock.now();
    token.pool.write().users.update(token.user, |u| {
        u.extras_mut().mfa_options = input.mfa_options;
        u.modified = now;
    });
    Ok(SetUserSettingsResponse {})
}

/// A user changes their own attributes. A new e-mail or phone number the pool auto-verifies
/// gets a code; with AttributesRequireVerificationBeforeUpdate the old value stays until the
/// new one is verified, otherwise the new value is kept unverified.
pub fn update_user_attributes(
    app: &App,
    ctx: &RequestContext,
    input: UpdateUserAttributesRequest,
) -> ApiResult<UpdateUserAttributesResponse> {
    let token = verify_access_token(app, &input.access_token)?;
    let client_id = token.claims["client_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let now = app.clock.now();
    let mut pool = token.pool.write();
    let values = check_user_writes(&pool, &client_id, &input.user_attributes, WriteKind::Update)?;
    let details = update_attributes(app, ctx, &mut pool, token.user, values, now)?;
    Ok(UpdateUserAttributesResponse {
        code_delivery_details_list: (!details.is_empty()).then_some(details),
    })
}

pub fn get_user_attribute_verification_code(
    app: &App,
    ctx: &RequestContext,
    input: GetUserAttributeVerificationCodeRequest,
) -> ApiResult<GetUserAttributeVerificationCodeResponse> {
    let token = verify_access_token(app, &input.access_token)?;
    if input.attribute_name != "email" && input.attribute_name != "phone_number" {
        return Err(ApiError::invalid_parameter(format!(
            "Attribute {} cannot be verified: only email and phone_number can.",
            input.attribute_name
        )));
    }
    let mut pool = token.pool.write();
    let purpose = CodePurpose::VerifyAttribute(input.attribute_name.clone());
    codes::check_request_rate(app, &mut pool, token.user)?;
    let details = codes::send(
        app,
        ctx,
        &mut pool,
        token.user,
        purpose,
        &input.attribute_name,
        "VerifyUserAttribute",
    )?;
    Ok(GetUserAttributeVerificationCodeResponse {
        code_delivery_details: Some(details),
    })
}

pub fn verify_user_attribute(
    app: &App,
    _: &RequestContext,
    input: VerifyUserAttributeRequest,
) -> ApiResult<VerifyUserAttributeResponse> {
    let token = verify_access_token(app, &input.access_token)?;
    let now = app.clock.now();
    let mut pool = token.pool.write();
    let purpose = CodePurpose::VerifyAttribute(input.attribute_name.clone());
    let pending_value = codes::check(&mut pool, token.user, purpose.clone(), &input.code, now)?;
    let mut updated = pool
        .users
        .get(token.user)
        .ok_or_else(ApiError::user_not_found)?
        .clone();
    if let Some(value) = pending_value {
        updated.set_attribute(&input.attribute_name, value);
    }
    updated.set_attribute(
        &format!("{}_verified", input.attribute_name),
        "true".to_string(),
    );
    updated.modified = now;
    let moves = claim_aliases(&pool, Some(token.user), &updated, false, false)?;
    codes::consume(&mut pool, token.user, purpose);
    release_aliases(&mut pool, moves, now);
    pool.users.update(token.user, |u| *u = updated);
    Ok(VerifyUserAttributeResponse {})
}
