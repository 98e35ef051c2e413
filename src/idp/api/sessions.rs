//! User sessions (one per sign-in: a refresh token and the tokens issued from it) and the
//! pool and client session settings: ListUserSessions, AdminListUserSessions,
//! RevokeUserSession, AdminRevokeUserSession, Get/SetUserPoolSessionConfiguration,
//! Get/SetUserPoolClientSessionConfiguration. The rules are in
//! [`crate::idp::engine::sessions`].

use crate::app::{App, RequestContext};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::generated::cognito_idp::*;
use crate::idp::api::{decode_token, encode_token};
use crate::idp::engine::sessions::{self, session_id, Session};
use crate::idp::engine::tokens::verify_access_token;
use crate::idp::store::security::SessionSettings;
use crate::idp::store::UserPool;

/// Sessions per page (the model allows up to 125; unconfirmed).
const PAGE: usize = 60;

/// One page of sessions after the session a token names, and the next token.
fn page(
    sessions: Vec<Session>,
    current: Option<&str>,
    next_token: Option<&str>,
) -> ApiResult<(Vec<SessionDescriptionType>, Option<String>)> {
    let start = match decode_token(next_token)? {
        Some(id) => {
            sessions
                .iter()
                .position(|s| session_id(&s.origin) == id)
                .ok_or_else(|| ApiError::invalid_parameter("Invalid pagination token."))?
                + 1
        }
        None => 0,
    };
    let rest = &sessions[start.min(sessions.len())..];
    let page = rest
        .iter()
        .take(PAGE)
        .map(|s| s.describe(current))
        .collect();
    let next = (rest.len() > PAGE).then(|| encode_token(&session_id(&rest[PAGE - 1].origin)));
    Ok((page, next))
}

pub fn list_user_sessions(
    app: &App,
    _: &RequestContext,
    input: ListUserSessionsRequest,
) -> ApiResult<ListUserSessionsResponse> {
    let token = verify_access_token(app, &input.access_token)?;
    let pool = token.pool.read();
    sessions::check_tracking(&pool)?;
    let list = sessions::of_user(&pool, token.user, app.clock.now());
    let current = token.claims["origin_jti"].as_str();
    let (page, next_token) = page(list, current, input.next_token.as_deref())?;
    Ok(ListUserSessionsResponse {
        sessions: Some(page),
        next_token,
    })
}

pub fn admin_list_user_sessions(
    app: &App,
    _: &RequestContext,
    input: AdminListUserSessionsRequest,
) -> ApiResult<AdminListUserSessionsResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let pool = pool.read();
    sessions::check_tracking(&pool)?;
    let user = pool.find_user(&input.username)?;
    let list = sessions::of_user(&pool, user, app.clock.now());
    let (page, next_token) = page(list, None, input.next_token.as_deref())?;
    Ok(AdminListUserSessionsResponse {
        sessions: Some(page),
        next_token,
    })
}

// RevokeAssociatedSessions LINKED would also end the sessions linked to this one (a
// hosted-UI session and the sign-ins made through it); the emulator keeps no such links, so
// it revokes the one session either way (unconfirmed).

pub fn revoke_user_session(
    app: &App,
    _: &RequestContext,
    input: RevokeUserSessionRequest,
) -> ApiResult<RevokeUserSessionResponse> {
    let token = verify_access_token(app, &input.access_token)?;
    let mut pool = token.pool.write();
    sessions::check_tracking(&pool)?;
    sessions::revoke(&mut pool, token.user, &input.session_id, app.clock.now())?;
    Ok(RevokeUserSessionResponse {})
}

pub fn admin_revoke_user_session(
    app: &App,
    _: &RequestContext,
    input: AdminRevokeUserSessionRequest,
) -> ApiResult<AdminRevokeUserSessionResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let mut pool = pool.write();
    sessions::check_tracking(&pool)?;
    let user = pool.find_user(&input.username)?;
    sessions::revoke(&mut pool, user, &input.session_id, app.clock.now())?;
    Ok(AdminRevokeUserSessionResponse {})
}

fn session_configuration(pool: &UserPool) -> GetUserPoolSessionConfigurationResponse {
    let settings = pool.security.sessions.as_ref();
    GetUserPoolSessionConfigurationResponse {
        user_pool_id: Some(pool.id().to_string()),
        // Off until set, with no limit shown (unconfirmed).
        user_session_tracking: Some(
            settings.map_or(UserSessionTrackingType::Disabled, |s| s.tracking),
        ),
        token_session: settings.map(|s| s.token.clone()),
    }
}

pub fn get_user_pool_session_configuration(
    app: &App,
    _: &RequestContext,
    input: GetUserPoolSessionConfigurationRequest,
) -> ApiResult<GetUserPoolSessionConfigurationResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let pool = pool.read();
    Ok(session_configuration(&pool))
}

/// Session settings belong to the Essentials and Plus feature plans (unconfirmed).
fn check_tier(pool: &UserPool) -> ApiResult<()> {
    if pool.config.user_pool_tier == Some(UserPoolTierType::Lite) {
        return Err(ApiError::new(
            ErrorCode::FeatureUnavailableInTierException,
            "Session configuration is not available in the LITE feature plan.",
        ));
    }
    Ok(())
}

pub fn set_user_pool_session_configuration(
    app: &App,
    _: &RequestContext,
    input: SetUserPoolSessionConfigurationRequest,
) -> ApiResult<SetUserPoolSessionConfigurationResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let mut pool = pool.write();
    check_tier(&pool)?;
    pool.security.sessions = Some(SessionSettings {
        tracking: input.user_session_tracking,
        token: input.token_session,
    });
    pool.header_changed();
    let answer = session_configuration(&pool);
    Ok(SetUserPoolSessionConfigurationResponse {
        user_pool_id: answer.user_pool_id,
        user_session_tracking: answer.user_session_tracking,
        token_session: answer.token_session,
    })
}

/// A client's hosted-UI (SSO) session lifetime; one hour until set (the hosted session's
/// lifetime).
fn sso_session(pool: &UserPool, client_id: &str) -> ClientSSOSessionConfigType {
    pool.security
        .client_sso
        .get(client_id)
        .cloned()
        .unwrap_or(ClientSSOSessionConfigType {
            max_validity_minutes: 60,
        })
}

pub fn get_user_pool_client_session_configuration(
    app: &App,
    _: &RequestContext,
    input: GetUserPoolClientSessionConfigurationRequest,
) -> ApiResult<GetUserPoolClientSessionConfigurationResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let pool = pool.read();
    pool.client(&input.client_id)?;
    Ok(GetUserPoolClientSessionConfigurationResponse {
        user_pool_id: Some(input.user_pool_id),
        sso_session: Some(sso_session(&pool, &input.client_id)),
        client_id: Some(input.client_id),
    })
}

pub fn set_user_pool_client_session_configuration(
    app: &App,
    _: &RequestContext,
    input: SetUserPoolClientSessionConfigurationRequest,
) -> ApiResult<SetUserPoolClientSessionConfigurationResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let mut pool = pool.write();
    pool.client(&input.client_id)?;
    check_tier(&pool)?;
    pool.security
        .client_sso
        .insert(input.client_id.clone(), input.sso_session.clone());
    pool.header_changed();
    Ok(SetUserPoolClientSessionConfigurationResponse {
        user_pool_id: Some(input.user_pool_id),
        client_id: Some(input.client_id),
        sso_session: Some(input.sso_session),
    })
}
