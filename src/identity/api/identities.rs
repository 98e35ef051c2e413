//! Identities: GetId, DescribeIdentity, ListIdentities, DeleteIdentities, UnlinkIdentity.

use std::collections::BTreeSet;

use crate::app::{App, RequestContext};
use crate::error::ApiResult;
use crate::generated::cognito_identity::*;
use crate::identity::api::{page, Empty};
use crate::identity::engine::identities::{authenticate, unauthenticated_not_supported};
use crate::identity::engine::logins;
use crate::identity::store::{pool_not_found, Identity};

/// The identity of a set of logins (the same logins, the same identity; new logins are
/// linked to it, and identities they were linked to are merged into it), or a new
/// unauthenticated identity.
pub fn get_id(app: &App, _: &RequestContext, input: GetIdInput) -> ApiResult<GetIdResponse> {
    let config = app
        .identity
        .read()
        .pool(&input.identity_pool_id)?
        .config
        .clone();
    let given = input.logins.unwrap_or_default();
    let verified = logins::verify(app, &config, &given)?;
    let now = app.clock.now();
    let mut state = app.identity.write();
    let pool_id = input.identity_pool_id;
    state.pool(&pool_id)?;
    if verified.is_empty() {
        if !config.allow_unauthenticated_identities {
            return Err(unauthenticated_not_supported());
        }
        let id = state.create_identity(&pool_id, &[], now)?;
        return Ok(GetIdResponse {
            identity_id: Some(id),
        });
    }
    // This service's own token names its identity.
    if let Some(own) = verified.iter().find(|v| v.own_token) {
        state.identity(&own.login.subject)?;
        return Ok(GetIdResponse {
            identity_id: Some(own.login.subject.clone()),
        });
    }
    let linked: Vec<String> = verified
        .iter()
        .filter_map(|v| state.linked(&pool_id, &v.login).map(str::to_string))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let Some(target) = linked
        .iter()
        .min_by(|a, b| {
            let created = |id: &str| state.identity(id).map_or(f64::MAX, |i| i.created);
            created(a).total_cmp(&created(b))
        })
        .cloned()
    else {
        let new: Vec<_> = verified.into_iter().map(|v| v.login).collect();
        let id = state.create_identity(&pool_id, &new, now)?;
        return Ok(GetIdResponse {
            identity_id: Some(id),
        });
    };
    // Merge the other identities these logins reach into the oldest one.
    for other in linked.iter().filter(|id| **id != target) {
        let moved: Vec<_> = state
            .identity(other)
            .map(|i| i.logins.iter().cloned().collect())
            .unwrap_or_default();
        for login in moved {
            state.link(&pool_id, &target, login, now)?;
        }
        state.delete_identity(other);
    }
    for login in verified {
        state.link(&pool_id, &target, login.login, now)?;
    }
    Ok(GetIdResponse {
        identity_id: Some(target),
    })
}

fn describe(identity: &Identity) -> IdentityDescription {
    let providers: BTreeSet<&str> = identity
        .logins
        .iter()
        .map(|l| l.provider.as_str())
        .collect();
    IdentityDescription {
        identity_id: Some(identity.id.clone()),
        logins: (!providers.is_empty())
            .then(|| providers.into_iter().map(str::to_string).collect()),
        creation_date: Some(identity.created),
        last_modified_date: Some(identity.modified),
    }
}

pub fn describe_identity(
    app: &App,
    _: &RequestContext,
    input: DescribeIdentityInput,
) -> ApiResult<IdentityDescription> {
    let state = app.identity.read();
    Ok(describe(state.identity(&input.identity_id)?))
}

pub fn list_identities(
    app: &App,
    _: &RequestContext,
    input: ListIdentitiesInput,
) -> ApiResult<ListIdentitiesResponse> {
    let state = app.identity.read();
    let pool = state
        .pools
        .get(&input.identity_pool_id)
        .ok_or_else(|| pool_not_found(&input.identity_pool_id))?;
    let (identities, next_token) = page(
        pool.identities.iter().map(|(id, i)| (id, describe(i))),
        input.next_token.as_deref(),
        input.max_results,
    );
    Ok(ListIdentitiesResponse {
        identity_pool_id: Some(input.identity_pool_id),
        identities: Some(identities),
        next_token,
    })
}

/// Unknown ids are skipped (unconfirmed: Cognito may list them as unprocessed).
pub fn delete_identities(
    app: &App,
    _: &RequestContext,
    input: DeleteIdentitiesInput,
) -> ApiResult<DeleteIdentitiesResponse> {
    let mut state = app.identity.write();
    for id in &input.identity_ids_to_delete {
        state.delete_identity(id);
    }
    Ok(DeleteIdentitiesResponse {
        unprocessed_identity_ids: Some(Vec::new()),
    })
}

/// Removes the links of the providers in LoginsToRemove; the request must prove the identity
/// with one of its logins.
pub fn unlink_identity(
    app: &App,
    _: &RequestContext,
    input: UnlinkIdentityInput,
) -> ApiResult<Empty> {
    let (pool_id, _) = authenticate(app, &input.identity_id, Some(&input.logins))?;
    let now = app.clock.now();
    let mut state = app.identity.write();
    let remove: Vec<_> = state
        .identity(&input.identity_id)?
        .logins
        .iter()
        .filter(|l| input.logins_to_remove.contains(&l.provider))
        .cloned()
        .collect();
    for login in remove {
        state.unlink(&pool_id, &input.identity_id, &login, now)?;
    }
    Ok(Empty {})
}
