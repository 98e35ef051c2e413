//! Groups and memberships.

use std::ops::Bound;

use crate::app::App;
use crate::app::RequestContext;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::generated::cognito_idp::*;
use crate::idp::api::{decode_token, encode_token, page_by_key, page_size, Empty};
use crate::idp::engine::users::user_type;
use crate::idp::store::{Group, UserKey};

pub fn create_group(
    app: &App,
    _: &RequestContext,
    input: CreateGroupRequest,
) -> ApiResult<CreateGroupResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let mut pool = pool.write();
    pool.header_changed();
    if pool.groups.contains_key(&input.group_name) {
        // Punctuation unconfirmed.
        return Err(ApiError::new(
            ErrorCode::GroupExistsException,
            "A group with the name already exists.",
        ));
    }
    let now = app.clock.now();
    let group = GroupType {
        group_name: Some(input.group_name.clone()),
        user_pool_id: Some(input.user_pool_id.clone()),
        description: input.description,
        role_arn: input.role_arn,
        precedence: input.precedence,
        creation_date: Some(now),
        last_modified_date: Some(now),
    };
    pool.groups.insert(
        input.group_name,
        Group {
            group: group.clone(),
            members: Default::default(),
        },
    );
    Ok(CreateGroupResponse { group: Some(group) })
}

pub fn get_group(
    app: &App,
    _: &RequestContext,
    input: GetGroupRequest,
) -> ApiResult<GetGroupResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let group = pool.read().group(&input.group_name)?.group.clone();
    Ok(GetGroupResponse { group: Some(group) })
}

/// Changes the given settings; omitted ones stay as they are.
pub fn update_group(
    app: &App,
    _: &RequestContext,
    input: UpdateGroupRequest,
) -> ApiResult<UpdateGroupResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let mut pool = pool.write();
    pool.header_changed();
    let group = &mut pool.group_mut(&input.group_name)?.group;
    if input.description.is_some() {
        group.description = input.description;
    }
    if input.role_arn.is_some() {
        group.role_arn = input.role_arn;
    }
    if input.precedence.is_some() {
        group.precedence = input.precedence;
    }
    group.last_modified_date = Some(app.clock.now());
    Ok(UpdateGroupResponse {
        group: Some(group.clone()),
    })
}

pub fn delete_group(app: &App, _: &RequestContext, input: DeleteGroupRequest) -> ApiResult<Empty> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let mut pool = pool.write();
    pool.header_changed();
    let group = pool
        .groups
        .remove(&input.group_name)
        .ok_or_else(ApiError::group_not_found)?;
    for key in group.members {
        pool.users
            .update(key, |u| u.groups.remove(&input.group_name));
    }
    Ok(Empty {})
}

pub fn list_groups(
    app: &App,
    _: &RequestContext,
    input: ListGroupsRequest,
) -> ApiResult<ListGroupsResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let pool = pool.read();
    let (page, next_token) = page_by_key(
        &pool.groups,
        input.next_token.as_deref(),
        page_size(input.limit),
    )?;
    let groups = page.into_iter().map(|g| g.group.clone()).collect();
    Ok(ListGroupsResponse {
        groups: Some(groups),
        next_token,
    })
}

pub fn admin_add_user_to_group(
    app: &App,
    _: &RequestContext,
    input: AdminAddUserToGroupRequest,
) -> ApiResult<Empty> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let mut pool = pool.write();
    let key = pool.find_user(&input.username)?;
    pool.group_mut(&input.group_name)?.members.insert(key);
    pool.users
        .update(key, |u| u.groups.insert(input.group_name.clone()));
    Ok(Empty {})
}

pub fn admin_remove_user_from_group(
    app: &App,
    _: &RequestContext,
    input: AdminRemoveUserFromGroupRequest,
) -> ApiResult<Empty> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let mut pool = pool.write();
    let key = pool.find_user(&input.username)?;
    pool.group_mut(&input.group_name)?.members.remove(&key);
    pool.users
        .update(key, |u| u.groups.remove(&input.group_name));
    Ok(Empty {})
}

pub fn admin_list_groups_for_user(
    app: &App,
    _: &RequestContext,
    input: AdminListGroupsForUserRequest,
) -> ApiResult<AdminListGroupsForUserResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let pool = pool.read();
    let user = pool.user(pool.find_user(&input.username)?)?;
    let after = decode_token(input.next_token.as_deref())?;
    let limit = page_size(input.limit);
    let start = after.map_or(Bound::Unbounded, Bound::Excluded);
    let mut names = user.groups.range::<String, _>((start, Bound::Unbounded));
    let groups: Vec<GroupType> = names
        .by_ref()
        .take(limit)
        .filter_map(|name| pool.groups.get(name).map(|g| g.group.clone()))
        .collect();
    let next_token = match (names.next(), groups.last()) {
        (Some(_), Some(last)) => last.group_name.as_deref().map(encode_token),
        _ => None,
    };
    Ok(AdminListGroupsForUserResponse {
        groups: Some(groups),
        next_token,
    })
}

pub fn list_users_in_group(
    app: &App,
    _: &RequestContext,
    input: ListUsersInGroupRequest,
) -> ApiResult<ListUsersInGroupResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let pool = pool.read();
    let group = pool.group(&input.group_name)?;
    let after: Option<UserKey> = decode_token(input.next_token.as_deref())?
        .map(|t| {
            t.parse()
                .map_err(|_| ApiError::invalid_parameter("Invalid pagination token."))
        })
        .transpose()?;
    let limit = page_size(input.limit);
    let start = after.map_or(Bound::Unbounded, Bound::Excluded);
    let mut keys = group.members.range((start, Bound::Unbounded)).copied();
    let page: Vec<UserKey> = keys.by_ref().take(limit).collect();
    let next_token = match (keys.next(), page.last()) {
        (Some(_), Some(last)) => Some(encode_token(&last.to_string())),
        _ => None,
    };
    let users = page
        .into_iter()
        .filter_map(|k| pool.users.get(k))
        .map(user_type)
        .collect();
    Ok(ListUsersInGroupResponse {
        users: Some(users),
        next_token,
    })
}
