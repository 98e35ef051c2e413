//! Tags of identity pools, by ARN (`arn:aws:cognito-identity:<region>:<account>:identitypool/<id>`).

use crate::app::{App, RequestContext};
use crate::error::{ApiError, ApiResult};
use crate::generated::cognito_identity::*;
use crate::identity::engine::pools::pool_of_arn;
use crate::identity::store::PoolRecord;

fn with_pool<T>(app: &App, arn: &str, change: impl FnOnce(&mut PoolRecord) -> T) -> ApiResult<T> {
    // unconfirmed text
    let missing = || ApiError::resource_not_found(format!("Resource {arn} does not exist."));
    let id = pool_of_arn(arn).ok_or_else(missing)?;
    let mut state = app.identity.write();
    let pool = state.pool_mut(id).map_err(|_| missing())?;
    Ok(change(pool))
}

pub fn tag_resource(
    app: &App,
    _: &RequestContext,
    input: TagResourceInput,
) -> ApiResult<TagResourceResponse> {
    with_pool(app, &input.resource_arn, |pool| {
        let tags = pool
            .config
            .identity_pool_tags
            .get_or_insert_with(Default::default);
        let added = input.tags.keys().filter(|k| !tags.contains_key(*k)).count();
        if tags.len() + added > 50 {
            // unconfirmed text: the model allows 50 tags per pool.
            return Err(ApiError::invalid_parameter(
                "A pool can have at most 50 tags.",
            ));
        }
        tags.extend(input.tags);
        Ok(())
    })??;
    Ok(TagResourceResponse {})
}

pub fn untag_resource(
    app: &App,
    _: &RequestContext,
    input: UntagResourceInput,
) -> ApiResult<UntagResourceResponse> {
    with_pool(app, &input.resource_arn, |pool| {
        if let Some(tags) = pool.config.identity_pool_tags.as_mut() {
            for key in &input.tag_keys {
                tags.remove(key);
            }
        }
    })?;
    Ok(UntagResourceResponse {})
}

pub fn list_tags_for_resource(
    app: &App,
    _: &RequestContext,
    input: ListTagsForResourceInput,
) -> ApiResult<ListTagsForResourceResponse> {
    let missing =
        || ApiError::resource_not_found(format!("Resource {} does not exist.", input.resource_arn));
    let id = pool_of_arn(&input.resource_arn).ok_or_else(missing)?;
    let state = app.identity.read();
    let pool = state.pool(id).map_err(|_| missing())?;
    Ok(ListTagsForResourceResponse {
        tags: Some(pool.config.identity_pool_tags.clone().unwrap_or_default()),
    })
}
