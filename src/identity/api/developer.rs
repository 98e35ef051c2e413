//! Developer-authenticated identities: the pool's DeveloperProviderName names users of the
//! developer's own backend, which calls GetOpenIdTokenForDeveloperIdentity (SigV4) and hands
//! the token to its app, which uses it as the `cognito-identity.amazonaws.com` login.

use serde_json::{json, Map};

use crate::app::{App, RequestContext};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::generated::cognito_identity::*;
use crate::identity::api::{page, Empty};
use crate::identity::engine::{logins, openid};
use crate::identity::store::{identity_not_found, Login, State};

/// The pool's developer provider name, which `name` must be.
fn developer_provider(state: &State, pool_id: &str, name: &str) -> ApiResult<String> {
    let pool = state.pool(pool_id)?;
    match &pool.config.developer_provider_name {
        Some(configured) if configured == name => Ok(configured.clone()),
        // unconfirmed text
        _ => Err(ApiError::not_authorized(format!(
            "Developer provider {name} is not configured for identity pool {pool_id}."
        ))),
    }
}

pub fn get_open_id_token_for_developer_identity(
    app: &App,
    _: &RequestContext,
    input: GetOpenIdTokenForDeveloperIdentityInput,
) -> ApiResult<GetOpenIdTokenForDeveloperIdentityResponse> {
    let pool_id = input.identity_pool_id.clone();
    let config = app.identity.read().pool(&pool_id)?.config.clone();
    let developer = config.developer_provider_name.clone().unwrap_or_default();
    let user = input
        .logins
        .get(&developer)
        .filter(|_| !developer.is_empty())
        .cloned()
        .ok_or_else(|| {
            // unconfirmed text
            ApiError::not_authorized(format!(
                "The Logins map must contain the developer provider name of identity pool {pool_id}."
            ))
        })?;
    // Other logins in the map are verified like GetId's, and linked too.
    let mut others = input.logins.clone();
    others.remove(&developer);
    let verified = logins::verify(app, &config, &others)?;
    let login = Login {
        provider: developer.clone(),
        subject: user.clone(),
    };
    let now = app.clock.now();
    let identity_id = {
        let mut state = app.identity.write();
        let linked = state.linked(&pool_id, &login).map(str::to_string);
        let identity_id = match (linked, &input.identity_id) {
            (Some(linked), Some(given)) if linked != *given => {
                // unconfirmed text
                return Err(ApiError::new(
                    ErrorCode::DeveloperUserAlreadyRegisteredException,
                    format!("Developer user {user} is already registered to another identity."),
                ));
            }
            (Some(linked), _) => linked,
            (None, Some(given)) => {
                if state.pool_of(given)? != pool_id {
                    return Err(identity_not_found(given));
                }
                state.link(&pool_id, given, login, now)?;
                given.clone()
            }
            (None, None) => state.create_identity(&pool_id, &[login], now)?,
        };
        for other in verified.into_iter().filter(|v| !v.own_token) {
            state.link(&pool_id, &identity_id, other.login, now)?;
        }
        identity_id
    };
    let mut extra = Map::new();
    if let Some(tags) = input.principal_tags.filter(|t| !t.is_empty()) {
        let tags: Map<_, _> = tags.into_iter().map(|(k, v)| (k, json!([v]))).collect();
        extra.insert(
            "https://aws.amazon.com/tags".into(),
            json!({"principal_tags": tags}),
        );
    }
    let amr = vec![
        "authenticated".to_string(),
        developer.clone(),
        format!("{developer}:{pool_id}:{user}"),
    ];
    let token = openid::sign(
        app,
        &pool_id,
        &identity_id,
        amr,
        input.token_duration.unwrap_or(900),
        extra,
    );
    Ok(GetOpenIdTokenForDeveloperIdentityResponse {
        identity_id: Some(identity_id),
        token: Some(token),
    })
}

/// The identity of a developer user, or the developer users of an identity.
pub fn lookup_developer_identity(
    app: &App,
    _: &RequestContext,
    input: LookupDeveloperIdentityInput,
) -> ApiResult<LookupDeveloperIdentityResponse> {
    let state = app.identity.read();
    let pool = state.pool(&input.identity_pool_id)?;
    let developer = pool
        .config
        .developer_provider_name
        .clone()
        .unwrap_or_default();
    // unconfirmed texts
    let not_found = || {
        ApiError::resource_not_found(
            "No identity matches the given developer user identifier or identity id.",
        )
    };
    let identity_id = match (&input.identity_id, &input.developer_user_identifier) {
        (_, Some(user)) => {
            let login = Login {
                provider: developer.clone(),
                subject: user.clone(),
            };
            let id = state
                .linked(&input.identity_pool_id, &login)
                .ok_or_else(not_found)?
                .to_string();
            if input.identity_id.as_ref().is_some_and(|given| *given != id) {
                return Err(not_found());
            }
            id
        }
        (Some(id), None) => {
            if !pool.identities.contains_key(id) {
                return Err(not_found());
            }
            id.clone()
        }
        (None, None) => {
            return Err(ApiError::invalid_parameter(
                "Either IdentityId or DeveloperUserIdentifier must be given.",
            ))
        }
    };
    let identity = pool.identities.get(&identity_id).ok_or_else(not_found)?;
    let users: Vec<(String, String)> = identity
        .logins
        .iter()
        .filter(|l| l.provider == developer)
        .map(|l| (l.subject.clone(), l.subject.clone()))
        .collect();
    let (users, next_token) = page(
        users.iter().map(|(k, v)| (k, v.clone())),
        input.next_token.as_deref(),
        input.max_results.unwrap_or(60),
    );
    Ok(LookupDeveloperIdentityResponse {
        identity_id: Some(identity_id),
        developer_user_identifier_list: Some(users),
        next_token,
    })
}

/// Moves every login of the source user's identity to the destination user's identity and
/// deletes the source identity.
pub fn merge_developer_identities(
    app: &App,
    _: &RequestContext,
    input: MergeDeveloperIdentitiesInput,
) -> ApiResult<MergeDeveloperIdentitiesResponse> {
    let pool_id = input.identity_pool_id;
    let mut state = app.identity.write();
    let developer = developer_provider(&state, &pool_id, &input.developer_provider_name)?;
    let identity_of = |state: &State, user: &str| {
        let login = Login {
            provider: developer.clone(),
            subject: user.to_string(),
        };
        state
            .linked(&pool_id, &login)
            .map(str::to_string)
            .ok_or_else(|| {
                // unconfirmed text
                ApiError::resource_not_found(format!(
                    "Developer user {user} is not linked to any identity."
                ))
            })
    };
    let source = identity_of(&state, &input.source_user_identifier)?;
    let destination = identity_of(&state, &input.destination_user_identifier)?;
    if source != destination {
        let now = app.clock.now();
        let moved: Vec<Login> = state.identity(&source)?.logins.iter().cloned().collect();
        for login in moved {
            state.link(&pool_id, &destination, login, now)?;
        }
        state.delete_identity(&source);
    }
    Ok(MergeDeveloperIdentitiesResponse {
        identity_id: Some(destination),
    })
}

pub fn unlink_developer_identity(
    app: &App,
    _: &RequestContext,
    input: UnlinkDeveloperIdentityInput,
) -> ApiResult<Empty> {
    let pool_id = input.identity_pool_id;
    let mut state = app.identity.write();
    let developer = developer_provider(&state, &pool_id, &input.developer_provider_name)?;
    let login = Login {
        provider: developer,
        subject: input.developer_user_identifier,
    };
    if state.linked(&pool_id, &login) != Some(input.identity_id.as_str()) {
        // unconfirmed text
        return Err(ApiError::resource_not_found(format!(
            "Developer user {} is not linked to identity {}.",
            login.subject, input.identity_id
        )));
    }
    state.unlink(&pool_id, &input.identity_id, &login, app.clock.now())?;
    Ok(Empty {})
}
