//! Identity pools: create, describe, update, delete, list.

use crate::app::{App, RequestContext};
use crate::error::ApiResult;
use crate::generated::cognito_identity::*;
use crate::identity::api::{page, Empty};
use crate::identity::engine::pools::check_config;
use crate::identity::store::PoolRecord;

pub fn create_identity_pool(
    app: &App,
    ctx: &RequestContext,
    input: CreateIdentityPoolInput,
) -> ApiResult<IdentityPool> {
    let config = IdentityPool {
        identity_pool_id: format!("{}:{}", ctx.region, crate::infra::ids::uuid()),
        identity_pool_name: input.identity_pool_name,
        allow_unauthenticated_identities: input.allow_unauthenticated_identities,
        allow_classic_flow: Some(input.allow_classic_flow.unwrap_or(false)),
        supported_login_providers: input.supported_login_providers,
        developer_provider_name: input.developer_provider_name,
        open_id_connect_provider_arns: input.open_id_connect_provider_arns,
        cognito_identity_providers: input.cognito_identity_providers,
        saml_provider_arns: input.saml_provider_arns,
        identity_pool_tags: input.identity_pool_tags,
    };
    check_config(app, &config)?;
    app.identity
        .write()
        .insert_pool(PoolRecord::new(config.clone()));
    Ok(config)
}

pub fn describe_identity_pool(
    app: &App,
    _: &RequestContext,
    input: DescribeIdentityPoolInput,
) -> ApiResult<IdentityPool> {
    let state = app.identity.read();
    Ok(state.pool(&input.identity_pool_id)?.config.clone())
}

/// Takes the whole pool: omitted optional settings are cleared (unconfirmed), except the
/// tags, which have their own operations, and the developer provider name, which cannot change.
pub fn update_identity_pool(
    app: &App,
    _: &RequestContext,
    mut input: IdentityPool,
) -> ApiResult<IdentityPool> {
    let mut state = app.identity.write();
    let record = state.pool_mut(&input.identity_pool_id)?;
    if input.identity_pool_tags.is_none() {
        input.identity_pool_tags = record.config.identity_pool_tags.clone();
    }
    if input.allow_classic_flow.is_none() {
        input.allow_classic_flow = record.config.allow_classic_flow;
    }
    if let Some(existing) = &record.config.developer_provider_name {
        match &input.developer_provider_name {
            None => input.developer_provider_name = Some(existing.clone()),
            Some(new) if new != existing => {
                // unconfirmed text
                return Err(crate::error::ApiError::invalid_parameter(
                    "Cannot modify DeveloperProviderName once it is set.",
                ));
            }
            Some(_) => {}
        }
    }
    check_config(app, &input)?;
    record.config = input.clone();
    Ok(input)
}

pub fn delete_identity_pool(
    app: &App,
    _: &RequestContext,
    input: DeleteIdentityPoolInput,
) -> ApiResult<Empty> {
    app.identity.write().remove_pool(&input.identity_pool_id)?;
    Ok(Empty {})
}

/// The pools of the request's region, ordered by id.
pub fn list_identity_pools(
    app: &App,
    ctx: &RequestContext,
    input: ListIdentityPoolsInput,
) -> ApiResult<ListIdentityPoolsResponse> {
    let state = app.identity.read();
    let prefix = format!("{}:", ctx.region);
    let (pools, next_token) = page(
        state
            .pools
            .iter()
            .filter(|(id, _)| id.starts_with(&prefix))
            .map(|(id, pool)| {
                (
                    id,
                    IdentityPoolShortDescription {
                        identity_pool_id: Some(id.clone()),
                        identity_pool_name: Some(pool.config.identity_pool_name.clone()),
                    },
                )
            }),
        input.next_token.as_deref(),
        input.max_results,
    );
    Ok(ListIdentityPoolsResponse {
        identity_pools: Some(pools),
        next_token,
    })
}
