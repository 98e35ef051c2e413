//! GetUserAuthFactors and AdminGetUserAuthFactors: how a user can sign in (choice-based
//! first factors) and their MFA settings.

use crate::app::{App, RequestContext};
use crate::error::ApiResult;
use crate::generated::cognito_idp::*;
use crate::idp::engine::tokens::verify_access_token;
use crate::idp::engine::{mfa, passkeys};
use crate::idp::store::{UserKey, UserPool};

fn factors(pool: &UserPool, key: UserKey) -> ApiResult<GetUserAuthFactorsResponse> {
    let user = pool.user(key)?;
    let (preferred_mfa_setting, user_mfa_setting_list) = mfa::user_settings(user);
    Ok(GetUserAuthFactorsResponse {
        username: user.username.clone(),
        configured_user_auth_factors: Some(passkeys::configured_factors(pool, user)),
        preferred_mfa_setting,
        user_mfa_setting_list,
    })
}

pub fn get_user_auth_factors(
    app: &App,
    _: &RequestContext,
    input: GetUserAuthFactorsRequest,
) -> ApiResult<GetUserAuthFactorsResponse> {
    let token = verify_access_token(app, &input.access_token)?;
    let pool = token.pool.read();
    factors(&pool, token.user)
}

pub fn admin_get_user_auth_factors(
    app: &App,
    _: &RequestContext,
    input: AdminGetUserAuthFactorsRequest,
) -> ApiResult<AdminGetUserAuthFactorsResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let pool = pool.read();
    let found = factors(&pool, pool.find_user(&input.username)?)?;
    Ok(AdminGetUserAuthFactorsResponse {
        username: found.username,
        configured_user_auth_factors: found.configured_user_auth_factors,
        preferred_mfa_setting: found.preferred_mfa_setting,
        user_mfa_setting_list: found.user_mfa_setting_list,
    })
}
