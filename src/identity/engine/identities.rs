//! An identity's logins at request time: what GetCredentialsForIdentity, GetOpenIdToken and
//! UnlinkIdentity check before they act for an identity.

use std::collections::BTreeMap;

use crate::app::App;
use crate::error::{ApiError, ApiResult};
use crate::identity::engine::logins::{self, Verified};

pub fn logins_dont_match() -> ApiError {
    // Observed text.
    ApiError::not_authorized(
        "Logins don't match. Please include at least one valid login for this identity or identity pool.",
    )
}

pub fn unauthenticated_not_supported() -> ApiError {
    // Observed text.
    ApiError::not_authorized("Unauthenticated access is not supported for this identity pool.")
}

/// Verifies a request's logins for an identity (signatures with no lock held), then checks
/// them against the identity's links: an identity with links needs one of them (or this
/// service's own token for it); logins not linked anywhere yet are linked to it (so an
/// unauthenticated identity becomes authenticated). Returns the pool id and the logins.
pub fn authenticate(
    app: &App,
    identity_id: &str,
    given: Option<&BTreeMap<String, String>>,
) -> ApiResult<(String, Vec<Verified>)> {
    let (pool_id, config) = {
        let state = app.identity.read();
        let pool_id = state.pool_of(identity_id)?;
        (pool_id.clone(), state.pool(&pool_id)?.config.clone())
    };
    let verified = match given {
        Some(given) => logins::verify(app, &config, given)?,
        None => Vec::new(),
    };
    let mut state = app.identity.write();
    let identity = state.identity(identity_id)?.clone();
    if verified.is_empty() {
        if !identity.logins.is_empty() {
            return Err(logins_dont_match());
        }
        if !state
            .pool(&pool_id)?
            .config
            .allow_unauthenticated_identities
        {
            return Err(unauthenticated_not_supported());
        }
        return Ok((pool_id, verified));
    }
    let mut matched = false;
    let mut to_link = Vec::new();
    for login in &verified {
        if login.own_token {
            if login.login.subject != identity_id {
                return Err(logins_dont_match());
            }
            matched = true;
            continue;
        }
        match state.linked(&pool_id, &login.login) {
            Some(id) if id == identity_id => matched = true,
            Some(_) => return Err(logins_dont_match()),
            None => to_link.push(login.login.clone()),
        }
    }
    if !matched && !identity.logins.is_empty() {
        return Err(logins_dont_match());
    }
    let now = app.clock.now();
    for login in to_link {
        state.link(&pool_id, identity_id, login, now)?;
    }
    Ok((pool_id, verified))
}
