//! What an identity gets: AWS credentials (GetCredentialsForIdentity) and OpenID tokens
//! (GetOpenIdToken).

use serde_json::Map;

use crate::app::{App, RequestContext};
use crate::error::{ApiError, ApiResult};
use crate::generated::cognito_identity::*;
use crate::identity::engine::identities::authenticate;
use crate::identity::engine::{credentials, openid, roles};

pub fn get_credentials_for_identity(
    app: &App,
    _: &RequestContext,
    input: GetCredentialsForIdentityInput,
) -> ApiResult<GetCredentialsForIdentityResponse> {
    let (pool_id, verified) = authenticate(app, &input.identity_id, input.logins.as_ref())?;
    let (role_arn, principal_tags) = {
        let state = app.identity.read();
        let pool = state.pool(&pool_id)?;
        (
            roles::choose(pool, &verified, input.custom_role_arn.as_deref())?,
            roles::principal_tags(pool, &verified),
        )
    };
    let credentials = credentials::issue(
        app,
        credentials::Grant {
            identity_id: input.identity_id.clone(),
            identity_pool_id: pool_id,
            role_arn,
            principal_tags,
            logins: verified.iter().map(|v| v.login.provider.clone()).collect(),
        },
    );
    Ok(GetCredentialsForIdentityResponse {
        identity_id: Some(input.identity_id),
        credentials: Some(credentials),
    })
}

/// How long GetOpenIdToken's tokens last (unconfirmed: 10 minutes).
const OPEN_ID_TOKEN_SECONDS: i64 = 600;

/// An OpenID token for an identity of a pool with AllowClassicFlow: `amr` `["unauthenticated"]`, or `["authenticated",
/// <provider>, <provider>:<pool>:<subject>]` (user pools: `<provider>:CognitoSignIn:<sub>`).
pub fn get_open_id_token(
    app: &App,
    _: &RequestContext,
    input: GetOpenIdTokenInput,
) -> ApiResult<GetOpenIdTokenResponse> {
    // The basic (classic) flow's first step: its token goes to STS AssumeRoleWithWebIdentity.
    let classic = {
        let state = app.identity.read();
        let pool_id = state.pool_of(&input.identity_id)?;
        state.pool(&pool_id)?.config.allow_classic_flow == Some(true)
    };
    if !classic {
        // unconfirmed text
        return Err(ApiError::invalid_parameter(
            "Basic (classic) flow is not enabled, please use enhanced flow.",
        ));
    }
    let (pool_id, verified) = authenticate(app, &input.identity_id, input.logins.as_ref())?;
    let mut amr = Vec::new();
    if verified.is_empty() {
        amr.push("unauthenticated".to_string());
    } else {
        amr.push("authenticated".to_string());
        for login in verified.iter().filter(|v| !v.own_token) {
            let provider = &login.login.provider;
            amr.push(provider.clone());
            if provider.starts_with("cognito-idp.") {
                amr.push(format!("{provider}:CognitoSignIn:{}", login.login.subject));
            } else {
                amr.push(format!("{provider}:{pool_id}:{}", login.login.subject));
            }
        }
    }
    let token = openid::sign(
        app,
        &pool_id,
        &input.identity_id,
        amr,
        OPEN_ID_TOKEN_SECONDS,
        Map::new(),
    );
    Ok(GetOpenIdTokenResponse {
        identity_id: Some(input.identity_id),
        token: Some(token),
    })
}
