//! Tags on user pools, addressed by the pool's ARN (also visible as `UserPoolTags`).

use crate::app::App;
use crate::app::RequestContext;
use crate::error::ApiResult;
use crate::generated::cognito_idp::*;
use crate::idp::api::Empty;

pub fn tag_resource(app: &App, _: &RequestContext, input: TagResourceRequest) -> ApiResult<Empty> {
    let pool = app.store.pool_by_arn(&input.resource_arn)?;
    let mut pool = pool.write();
    pool.header_changed();
    let tags = pool
        .config
        .user_pool_tags
        .get_or_insert_with(Default::default);
    tags.extend(input.tags);
    Ok(Empty {})
}

pub fn untag_resource(
    app: &App,
    _: &RequestContext,
    input: UntagResourceRequest,
) -> ApiResult<Empty> {
    let pool = app.store.pool_by_arn(&input.resource_arn)?;
    let mut pool = pool.write();
    pool.header_changed();
    if let Some(tags) = pool.config.user_pool_tags.as_mut() {
        for key in &input.tag_keys {
            tags.remove(key);
        }
    }
    Ok(Empty {})
}

pub fn list_tags_for_resource(
    app: &App,
    _: &RequestContext,
    input: ListTagsForResourceRequest,
) -> ApiResult<ListTagsForResourceResponse> {
    let pool = app.store.pool_by_arn(&input.resource_arn)?;
    let tags = pool
        .read()
        .config
        .user_pool_tags
        .clone()
        .unwrap_or_default();
    Ok(ListTagsForResourceResponse { tags: Some(tags) })
}
