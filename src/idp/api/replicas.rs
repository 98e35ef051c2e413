//! Multi-Region replicas: Create/List/Update/DeleteUserPoolReplica. The emulator records a
//! pool's replicas and answers for them as Cognito does, but serves one copy of the pool:
//! requests for the replica's region do not reach it (the pool id names its primary region).
//! A replica is ACTIVE as soon as it is created, and gone as soon as it is deleted (Cognito
//! takes minutes: CREATING, DELETING). Texts unconfirmed.

use crate::app::{App, RequestContext};
use crate::error::{ApiError, ApiResult};
use crate::generated::cognito_idp::*;
use crate::idp::store::pool::Replica;
use crate::idp::store::UserPool;
use crate::infra::ids;

/// How many secondary regions a pool may have (unconfirmed).
const MAX_REPLICAS: usize = 5;

fn primary_region(pool: &UserPool) -> &str {
    pool.id().split_once('_').map_or("", |(region, _)| region)
}

fn shown(
    app: &App,
    pool: &UserPool,
    region: &str,
    role: ReplicaRoleType,
    status: ReplicaStatusType,
) -> UserPoolReplicaType {
    UserPoolReplicaType {
        region_name: Some(region.to_string()),
        role: Some(role),
        status: Some(status),
        user_pool_arn: Some(ids::user_pool_arn(region, app.account_id(), pool.id())),
    }
}

/// A region name as AWS spells them (`us-east-1`, `ap-southeast-2`, `us-gov-west-1`).
fn is_region(name: &str) -> bool {
    let parts: Vec<&str> = name.split('-').collect();
    parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty()
}

fn not_found(region: &str) -> ApiError {
    ApiError::resource_not_found(format!("The user pool has no replica in {region}."))
}

pub fn create_user_pool_replica(
    app: &App,
    _: &RequestContext,
    input: CreateUserPoolReplicaRequest,
) -> ApiResult<CreateUserPoolReplicaResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let mut pool = pool.write();
    let region = input.region_name;
    if !is_region(&region) {
        return Err(ApiError::invalid_parameter(format!(
            "{region} is not a region name."
        )));
    }
    if region == primary_region(&pool) {
        return Err(ApiError::invalid_parameter(format!(
            "The user pool's primary region is {region}: a replica must be in another region."
        )));
    }
    if pool.replicas.iter().any(|r| r.region == region) {
        return Err(ApiError::invalid_parameter(format!(
            "The user pool already has a replica in {region}."
        )));
    }
    if pool.replicas.len() >= MAX_REPLICAS {
        return Err(ApiError::new(
            crate::error::ErrorCode::LimitExceededException,
            format!("A user pool can have at most {MAX_REPLICAS} replicas."),
        ));
    }
    pool.replicas.push(Replica {
        region: region.clone(),
        status: ReplicaStatusType::Active,
        tags: input.user_pool_tags.unwrap_or_default(),
    });
    pool.header_changed();
    // Cognito answers while the replica is being created.
    Ok(CreateUserPoolReplicaResponse {
        user_pool_replica: Some(shown(
            app,
            &pool,
            &region,
            ReplicaRoleType::Secondary,
            ReplicaStatusType::Creating,
        )),
    })
}

/// The primary, then its replicas; one page.
pub fn list_user_pool_replicas(
    app: &App,
    _: &RequestContext,
    input: ListUserPoolReplicasRequest,
) -> ApiResult<ListUserPoolReplicasResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let pool = pool.read();
    if input.next_token.is_some() {
        return Err(ApiError::invalid_parameter("The NextToken is not valid."));
    }
    let primary = primary_region(&pool).to_string();
    let mut replicas = vec![shown(
        app,
        &pool,
        &primary,
        ReplicaRoleType::Primary,
        ReplicaStatusType::Active,
    )];
    replicas.extend(
        pool.replicas
            .iter()
            .map(|r| shown(app, &pool, &r.region, ReplicaRoleType::Secondary, r.status)),
    );
    Ok(ListUserPoolReplicasResponse {
        user_pool_replicas: Some(replicas),
        next_token: None,
    })
}

pub fn update_user_pool_replica(
    app: &App,
    _: &RequestContext,
    input: UpdateUserPoolReplicaRequest,
) -> ApiResult<UpdateUserPoolReplicaResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let mut pool = pool.write();
    let status = match input.status {
        UpdateReplicaStatusType::Active => ReplicaStatusType::Active,
        UpdateReplicaStatusType::Inactive => ReplicaStatusType::Inactive,
    };
    let region = input.region_name;
    let replica = pool
        .replicas
        .iter_mut()
        .find(|r| r.region == region)
        .ok_or_else(|| not_found(&region))?;
    replica.status = status;
    pool.header_changed();
    Ok(UpdateUserPoolReplicaResponse {
        user_pool_replica: Some(shown(
            app,
            &pool,
            &region,
            ReplicaRoleType::Secondary,
            status,
        )),
    })
}

pub fn delete_user_pool_replica(
    app: &App,
    _: &RequestContext,
    input: DeleteUserPoolReplicaRequest,
) -> ApiResult<DeleteUserPoolReplicaResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let mut pool = pool.write();
    let region = input.region_name;
    if region == primary_region(&pool) {
        return Err(ApiError::invalid_parameter(
            "The primary region's user pool is not a replica: delete the user pool instead.",
        ));
    }
    let at = pool
        .replicas
        .iter()
        .position(|r| r.region == region)
        .ok_or_else(|| not_found(&region))?;
    pool.replicas.remove(at);
    pool.header_changed();
    Ok(DeleteUserPoolReplicaResponse {
        user_pool_replica: Some(shown(
            app,
            &pool,
            &region,
            ReplicaRoleType::Secondary,
            ReplicaStatusType::Deleting,
        )),
    })
}
