//! Resource servers: the custom OAuth scopes (`<identifier>/<scope>`) of a pool.

use std::collections::BTreeSet;

use crate::app::App;
use crate::app::RequestContext;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::generated::cognito_idp::*;
use crate::idp::api::{page_by_key, page_size, Empty};
use crate::idp::store::UserPool;

/// Cognito's quota of resource servers per user pool.
const MAX_RESOURCE_SERVERS: usize = 25;
/// ListResourceServers pages hold at most 50 (the model's MaxResults bound).
const MAX_PAGE: usize = 50;

pub fn create_resource_server(
    app: &App,
    _: &RequestContext,
    input: CreateResourceServerRequest,
) -> ApiResult<CreateResourceServerResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let scopes = check_scopes(input.scopes)?;
    let mut pool = pool.write();
    if pool.resource_servers.contains_key(&input.identifier) {
        // Text unconfirmed.
        return Err(ApiError::invalid_parameter(format!(
            "{} already exists in user pool {}.",
            input.identifier, input.user_pool_id
        )));
    }
    if pool.resource_servers.len() >= MAX_RESOURCE_SERVERS {
        // Text unconfirmed.
        return Err(ApiError::new(
            ErrorCode::LimitExceededException,
            format!("A user pool can have at most {MAX_RESOURCE_SERVERS} resource servers."),
        ));
    }
    pool.header_changed();
    let server = ResourceServerType {
        user_pool_id: Some(input.user_pool_id),
        identifier: Some(input.identifier.clone()),
        name: Some(input.name),
        scopes: Some(scopes),
        managed_by: None,
    };
    pool.resource_servers
        .insert(input.identifier, server.clone());
    Ok(CreateResourceServerResponse {
        resource_server: server,
    })
}

/// Scope names are unique within a resource server (text unconfirmed). An absent list is an
/// empty one, as Cognito shows it.
fn check_scopes(
    scopes: Option<Vec<ResourceServerScopeType>>,
) -> ApiResult<Vec<ResourceServerScopeType>> {
    let scopes = scopes.unwrap_or_default();
    let mut seen = BTreeSet::new();
    for scope in &scopes {
        if !seen.insert(scope.scope_name.as_str()) {
            return Err(ApiError::invalid_parameter(format!(
                "Duplicate scope name {} in the resource server.",
                scope.scope_name
            )));
        }
    }
    Ok(scopes)
}

fn not_found(identifier: &str) -> ApiError {
    // Text unconfirmed.
    ApiError::resource_not_found(format!("Resource server {identifier} does not exist."))
}

fn server<'a>(pool: &'a UserPool, identifier: &str) -> ApiResult<&'a ResourceServerType> {
    pool.resource_servers
        .get(identifier)
        .ok_or_else(|| not_found(identifier))
}

pub fn describe_resource_server(
    app: &App,
    _: &RequestContext,
    input: DescribeResourceServerRequest,
) -> ApiResult<DescribeResourceServerResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let pool = pool.read();
    Ok(DescribeResourceServerResponse {
        resource_server: server(&pool, &input.identifier)?.clone(),
    })
}

/// A full replacement of the name and scopes: omitted scopes are removed, and app clients
/// lose the removed scopes from their AllowedOAuthScopes.
pub fn update_resource_server(
    app: &App,
    _: &RequestContext,
    input: UpdateResourceServerRequest,
) -> ApiResult<UpdateResourceServerResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let scopes = check_scopes(input.scopes)?;
    let mut pool = pool.write();
    server(&pool, &input.identifier)?;
    pool.header_changed();
    let kept: BTreeSet<String> = scopes
        .iter()
        .map(|s| format!("{}/{}", input.identifier, s.scope_name))
        .collect();
    drop_client_scopes(&mut pool, &input.identifier, |scope| kept.contains(scope));
    let server = ResourceServerType {
        user_pool_id: Some(input.user_pool_id),
        identifier: Some(input.identifier.clone()),
        name: Some(input.name),
        scopes: Some(scopes),
        managed_by: None,
    };
    pool.resource_servers
        .insert(input.identifier, server.clone());
    Ok(UpdateResourceServerResponse {
        resource_server: server,
    })
}

/// Deleting a resource server takes its scopes away from the app clients that allowed them
/// (as Cognito does: unconfirmed in its documentation).
pub fn delete_resource_server(
    app: &App,
    _: &RequestContext,
    input: DeleteResourceServerRequest,
) -> ApiResult<Empty> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let mut pool = pool.write();
    pool.resource_servers
        .remove(&input.identifier)
        .ok_or_else(|| not_found(&input.identifier))?;
    pool.header_changed();
    drop_client_scopes(&mut pool, &input.identifier, |_| false);
    Ok(Empty {})
}

/// Removes from every client the scopes of `identifier` that `keep` refuses.
fn drop_client_scopes(pool: &mut UserPool, identifier: &str, keep: impl Fn(&str) -> bool) {
    let prefix = format!("{identifier}/");
    let belongs = |scope: &str| {
        scope
            .strip_prefix(&prefix)
            .is_some_and(|name| !name.contains('/'))
    };
    for client in pool.clients.values_mut() {
        if let Some(scopes) = client.config.allowed_oauth_scopes.as_mut() {
            scopes.retain(|scope| !belongs(scope) || keep(scope));
        }
    }
}

pub fn list_resource_servers(
    app: &App,
    _: &RequestContext,
    input: ListResourceServersRequest,
) -> ApiResult<ListResourceServersResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let pool = pool.read();
    let (page, next_token) = page_by_key(
        &pool.resource_servers,
        input.next_token.as_deref(),
        page_size(input.max_results).min(MAX_PAGE),
    )?;
    Ok(ListResourceServersResponse {
        resource_servers: page.into_iter().cloned().collect(),
        next_token,
    })
}
