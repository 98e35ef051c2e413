//! A pool's roles and role mappings, and its principal tag maps.

use crate::app::{App, RequestContext};
use crate::error::{ApiError, ApiResult};
use crate::generated::cognito_identity::*;
use crate::identity::api::Empty;
use crate::identity::engine::pools::{check_role_arn, check_role_mapping, knows_provider};
use crate::identity::store::TagMap;

pub fn set_identity_pool_roles(
    app: &App,
    _: &RequestContext,
    input: SetIdentityPoolRolesInput,
) -> ApiResult<Empty> {
    let mut state = app.identity.write();
    let pool = state.pool_mut(&input.identity_pool_id)?;
    for arn in input.roles.values() {
        check_role_arn(arn)?;
    }
    let mappings = input.role_mappings.unwrap_or_default();
    for (key, mapping) in &mappings {
        check_role_mapping(&pool.config, key, mapping)?;
    }
    pool.roles = input.roles;
    pool.role_mappings = mappings;
    Ok(Empty {})
}

pub fn get_identity_pool_roles(
    app: &App,
    _: &RequestContext,
    input: GetIdentityPoolRolesInput,
) -> ApiResult<GetIdentityPoolRolesResponse> {
    let state = app.identity.read();
    let pool = state.pool(&input.identity_pool_id)?;
    Ok(GetIdentityPoolRolesResponse {
        identity_pool_id: Some(input.identity_pool_id),
        roles: Some(pool.roles.clone()),
        role_mappings: (!pool.role_mappings.is_empty()).then(|| pool.role_mappings.clone()),
    })
}

pub fn set_principal_tag_attribute_map(
    app: &App,
    _: &RequestContext,
    input: SetPrincipalTagAttributeMapInput,
) -> ApiResult<SetPrincipalTagAttributeMapResponse> {
    let mut state = app.identity.write();
    let pool = state.pool_mut(&input.identity_pool_id)?;
    if !knows_provider(&pool.config, &input.identity_provider_name, false) {
        // unconfirmed text
        return Err(ApiError::invalid_parameter(format!(
            "Identity provider {} is not configured in identity pool {}.",
            input.identity_provider_name, input.identity_pool_id
        )));
    }
    let map = TagMap {
        tags: input.principal_tags.unwrap_or_default(),
        use_defaults: input.use_defaults.unwrap_or(false),
    };
    pool.principal_tags
        .insert(input.identity_provider_name.clone(), map.clone());
    Ok(SetPrincipalTagAttributeMapResponse {
        identity_pool_id: Some(input.identity_pool_id),
        identity_provider_name: Some(input.identity_provider_name),
        principal_tags: Some(map.tags),
        use_defaults: Some(map.use_defaults),
    })
}

/// A provider with no map set answers UseDefaults false and no tags (unconfirmed).
pub fn get_principal_tag_attribute_map(
    app: &App,
    _: &RequestContext,
    input: GetPrincipalTagAttributeMapInput,
) -> ApiResult<GetPrincipalTagAttributeMapResponse> {
    let state = app.identity.read();
    let pool = state.pool(&input.identity_pool_id)?;
    if !knows_provider(&pool.config, &input.identity_provider_name, false) {
        // unconfirmed text
        return Err(ApiError::resource_not_found(format!(
            "Identity provider {} is not configured in identity pool {}.",
            input.identity_provider_name, input.identity_pool_id
        )));
    }
    let map = pool
        .principal_tags
        .get(&input.identity_provider_name)
        .cloned()
        .unwrap_or_default();
    Ok(GetPrincipalTagAttributeMapResponse {
        identity_pool_id: Some(input.identity_pool_id),
        identity_provider_name: Some(input.identity_provider_name),
        principal_tags: (!map.tags.is_empty()).then_some(map.tags),
        use_defaults: Some(map.use_defaults),
    })
}
