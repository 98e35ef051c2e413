//! Sign-in operations: InitiateAuth, AdminInitiateAuth, RespondToAuthChallenge,
//! AdminRespondToAuthChallenge and GetTokensFromRefreshToken. The flows and challenges
//! themselves are in [`crate::idp::engine::sign_in`].

use crate::app::{App, RequestContext};
use crate::error::{ApiError, ApiResult};
use crate::generated::cognito_idp::*;
use crate::idp::api::reshape;
use crate::idp::engine::sign_in::{Answer, Api, SignIn};

pub fn initiate_auth(
    app: &App,
    ctx: &RequestContext,
    input: InitiateAuthRequest,
) -> ApiResult<InitiateAuthResponse> {
    let pool = app.store.pool_for_client(&input.client_id)?;
    let params = input.auth_parameters.unwrap_or_default();
    SignIn::new(app, ctx, &pool, &input.client_id, Api::Public)?.initiate(input.auth_flow, &params)
}

pub fn admin_initiate_auth(
    app: &App,
    ctx: &RequestContext,
    input: AdminInitiateAuthRequest,
) -> ApiResult<AdminInitiateAuthResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    pool.read().client(&input.client_id)?;
    let params = input.auth_parameters.unwrap_or_default();
    reshape(
        SignIn::new(app, ctx, &pool, &input.client_id, Api::Admin)?
            .initiate(input.auth_flow, &params)?,
    )
}

pub fn respond_to_auth_challenge(
    app: &App,
    ctx: &RequestContext,
    input: RespondToAuthChallengeRequest,
) -> ApiResult<RespondToAuthChallengeResponse> {
    let pool = app.store.pool_for_client(&input.client_id)?;
    let responses = input.challenge_responses.unwrap_or_default();
    reshape(
        SignIn::new(app, ctx, &pool, &input.client_id, Api::Public)?.respond(
            input.challenge_name,
            &Answer {
                session: input.session.as_deref(),
                responses: &responses,
            },
        )?,
    )
}

pub fn admin_respond_to_auth_challenge(
    app: &App,
    ctx: &RequestContext,
    input: AdminRespondToAuthChallengeRequest,
) -> ApiResult<AdminRespondToAuthChallengeResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    pool.read().client(&input.client_id)?;
    let responses = input.challenge_responses.unwrap_or_default();
    reshape(
        SignIn::new(app, ctx, &pool, &input.client_id, Api::Admin)?.respond(
            input.challenge_name,
            &Answer {
                session: input.session.as_deref(),
                responses: &responses,
            },
        )?,
    )
}

pub fn get_tokens_from_refresh_token(
    app: &App,
    ctx: &RequestContext,
    input: GetTokensFromRefreshTokenRequest,
) -> ApiResult<GetTokensFromRefreshTokenResponse> {
    let pool = app.store.pool_for_client(&input.client_id)?;
    {
        let pool = pool.read();
        let client = pool.client(&input.client_id)?;
        client.verify_secret(input.client_secret.as_deref())?;
    }
    let sign_in = SignIn::new(app, ctx, &pool, &input.client_id, Api::Public)?;
    if !sign_in.rules.allows(AuthFlowType::RefreshTokenAuth) {
        return Err(ApiError::invalid_parameter(
            "Auth flow not enabled for this client",
        ));
    }
    sign_in.set_device(input.device_key);
    let result = sign_in.refresh(&input.refresh_token)?;
    Ok(GetTokensFromRefreshTokenResponse {
        authentication_result: result.authentication_result,
    })
}
