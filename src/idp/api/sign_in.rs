//! Sign-in operations: InitiateAuth, AdminInitiateAuth, RespondToAuthChallenge,
//! AdminRespondToAuthChallenge and GetTokensFromRefreshToken. The flows and challenges
//! themselves are in [`crate::idp::engine::sign_in`].

use crate::app::{App, RequestContext};
use crate::error::{ApiError, ApiResult};
use crate::generated::cognito_idp::*;
use crate::idp::api::reshape;
use crate::idp::engine::risk::Source;
use crate::idp::engine::sessions;
use crate::idp::engine::sign_in::{Answer, Api, SignIn, Step};
use crate::idp::store::PoolHandle;

/// Whether the client passes on its users' context data (their IP address).
fn propagates(pool: &PoolHandle, client_id: &str) -> bool {
    pool.read()
        .client(client_id)
        .is_ok_and(|c| c.config.enable_propagate_additional_user_context_data == Some(true))
}

/// Notes where a sign-in that ended in tokens came from, as its session shows it.
fn note_session(sign_in: &SignIn, step: &ApiResult<Step>, refreshed: Option<&str>) {
    let Ok(step) = step else { return };
    let Some(result) = &step.authentication_result else {
        return;
    };
    match (result.refresh_token.as_deref(), refreshed) {
        (new, Some(old)) => sessions::refreshed(
            sign_in.app,
            sign_in.pool,
            new.unwrap_or(old),
            &sign_in.source,
        ),
        (Some(new), None) => sessions::started(sign_in.app, sign_in.pool, new, &sign_in.source),
        (None, None) => {}
    }
}

fn refresh_param(
    flow: AuthFlowType,
    params: &std::collections::BTreeMap<String, String>,
) -> Option<&str> {
    matches!(
        flow,
        AuthFlowType::RefreshTokenAuth | AuthFlowType::RefreshToken
    )
    .then(|| params.get("REFRESH_TOKEN").map(String::as_str))
    .flatten()
}

pub fn initiate_auth(
    app: &App,
    ctx: &RequestContext,
    input: InitiateAuthRequest,
) -> ApiResult<InitiateAuthResponse> {
    let pool = app.store.pool_for_client(&input.client_id)?;
    let params = input.auth_parameters.unwrap_or_default();
    let mut sign_in = SignIn::new(app, ctx, &pool, &input.client_id, Api::Public)?;
    let propagate = propagates(&pool, &input.client_id);
    sign_in.source = Source::of_public(ctx, input.user_context_data.as_ref(), propagate);
    let step = sign_in.initiate(input.auth_flow, &params, input.session.as_deref());
    note_session(&sign_in, &step, refresh_param(input.auth_flow, &params));
    step
}

pub fn admin_initiate_auth(
    app: &App,
    ctx: &RequestContext,
    input: AdminInitiateAuthRequest,
) -> ApiResult<AdminInitiateAuthResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    pool.read().client(&input.client_id)?;
    let params = input.auth_parameters.unwrap_or_default();
    let mut sign_in = SignIn::new(app, ctx, &pool, &input.client_id, Api::Admin)?;
    sign_in.source = Source::of_admin(ctx, input.context_data.as_ref());
    let step = sign_in.initiate(input.auth_flow, &params, input.session.as_deref());
    note_session(&sign_in, &step, refresh_param(input.auth_flow, &params));
    reshape(step?)
}

pub fn respond_to_auth_challenge(
    app: &App,
    ctx: &RequestContext,
    input: RespondToAuthChallengeRequest,
) -> ApiResult<RespondToAuthChallengeResponse> {
    let pool = app.store.pool_for_client(&input.client_id)?;
    let responses = input.challenge_responses.unwrap_or_default();
    let mut sign_in = SignIn::new(app, ctx, &pool, &input.client_id, Api::Public)?;
    let propagate = propagates(&pool, &input.client_id);
    sign_in.source = Source::of_public(ctx, input.user_context_data.as_ref(), propagate);
    sign_in.client_metadata = input.client_metadata;
    let step = sign_in.respond(
        input.challenge_name,
        &Answer {
            session: input.session.as_deref(),
            responses: &responses,
        },
    );
    note_session(&sign_in, &step, None);
    reshape(step?)
}

pub fn admin_respond_to_auth_challenge(
    app: &App,
    ctx: &RequestContext,
    input: AdminRespondToAuthChallengeRequest,
) -> ApiResult<AdminRespondToAuthChallengeResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    pool.read().client(&input.client_id)?;
    let responses = input.challenge_responses.unwrap_or_default();
    let mut sign_in = SignIn::new(app, ctx, &pool, &input.client_id, Api::Admin)?;
    sign_in.source = Source::of_admin(ctx, input.context_data.as_ref());
    sign_in.client_metadata = input.client_metadata;
    let step = sign_in.respond(
        input.challenge_name,
        &Answer {
            session: input.session.as_deref(),
            responses: &responses,
        },
    );
    note_session(&sign_in, &step, None);
    reshape(step?)
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
    let mut sign_in = SignIn::new(app, ctx, &pool, &input.client_id, Api::Public)?;
    if !sign_in.rules.allows(AuthFlowType::RefreshTokenAuth) {
        return Err(ApiError::invalid_parameter(
            "Auth flow not enabled for this client",
        ));
    }
    sign_in.set_device(input.device_key);
    sign_in.source = Source::of(ctx);
    let step = sign_in.refresh(&input.refresh_token);
    note_session(&sign_in, &step, Some(&input.refresh_token));
    Ok(GetTokensFromRefreshTokenResponse {
        authentication_result: step?.authentication_result,
    })
}
