//! Linking external identities to users: AdminLinkProviderForUser and
//! AdminDisableProviderForUser.

use crate::app::App;
use crate::app::RequestContext;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::generated::cognito_idp::*;
use crate::idp::api::Empty;
use crate::idp::engine::links::{self, COGNITO_SUBJECT, MAX_LINKS};
use crate::idp::store::user::ProviderLink;
use crate::idp::store::{UserKey, UserPool};

/// The provider name that stands for the pool's own users.
const COGNITO: &str = "Cognito";

struct Identity {
    provider: String,
    attribute: String,
    value: String,
}

/// The three members of a ProviderUserIdentifierType, each required here (texts
/// unconfirmed).
fn identity(member: &str, given: &ProviderUserIdentifierType) -> ApiResult<Identity> {
    let missing =
        |field: &str| ApiError::invalid_parameter(format!("{member}.{field} is required."));
    Ok(Identity {
        provider: given
            .provider_name
            .clone()
            .ok_or_else(|| missing("ProviderName"))?,
        attribute: given
            .provider_attribute_name
            .clone()
            .unwrap_or_else(|| COGNITO_SUBJECT.to_string()),
        value: given
            .provider_attribute_value
            .clone()
            .filter(|v| !v.is_empty())
            .ok_or_else(|| missing("ProviderAttributeValue"))?,
    })
}

fn provider<'a>(pool: &'a UserPool, name: &str) -> ApiResult<&'a IdentityProviderType> {
    pool.identity_providers.get(name).ok_or_else(|| {
        ApiError::invalid_parameter(format!(
            "The provider {name} does not exist for User Pool {}",
            pool.id()
        ))
    })
}

/// A federated user's username: `<provider name>_<the user's id there>`.
fn federated_user(pool: &UserPool, provider: &str, user_id: &str) -> Option<UserKey> {
    pool.users
        .find_by_username(&format!("{provider}_{user_id}"))
}

pub fn admin_link_provider_for_user(
    app: &App,
    _: &RequestContext,
    input: AdminLinkProviderForUserRequest,
) -> ApiResult<Empty> {
    let destination = identity("DestinationUser", &input.destination_user)?;
    let source = identity("SourceUser", &input.source_user)?;
    let pool = app.store.pool(&input.user_pool_id)?;
    let mut pool = pool.write();
    // The destination: a native user by username, or a federated user by provider id.
    let target = if destination.provider.eq_ignore_ascii_case(COGNITO) {
        pool.find_user(&destination.value)?
    } else {
        provider(&pool, &destination.provider)?;
        federated_user(&pool, &destination.provider, &destination.value)
            .ok_or_else(ApiError::user_not_found)?
    };
    if source.provider.eq_ignore_ascii_case(COGNITO) {
        return Err(ApiError::invalid_parameter(
            "The SourceUser must be a user of an external identity provider.",
        ));
    }
    let source_provider = provider(&pool, &source.provider)?;
    let kind = source_provider.provider_type.unwrap_or_default();
    let social = !matches!(
        kind,
        IdentityProviderTypeType::Oidc | IdentityProviderTypeType::Saml
    );
    if source.attribute != COGNITO_SUBJECT {
        // Social identities link by their subject; OIDC and SAML ones by Cognito_Subject or a
        // user pool attribute their attribute mapping fills (texts unconfirmed).
        let mapped = source_provider
            .attribute_mapping
            .as_ref()
            .is_some_and(|m| m.contains_key(&source.attribute));
        if social {
            return Err(ApiError::invalid_parameter(format!(
                "ProviderAttributeName must be {COGNITO_SUBJECT} for {} identity providers.",
                kind.as_str()
            )));
        }
        if !mapped {
            return Err(ApiError::invalid_parameter(format!(
                "The attribute {} is not mapped for the provider {}.",
                source.attribute, source.provider
            )));
        }
    }
    if federated_user(&pool, &source.provider, &source.value).is_some() {
        return Err(ApiError::invalid_parameter(
            "Merging is not currently supported, provide a SourceUser that has not been signed up in order to link",
        ));
    }
    match links::linked_user(&pool, &source.provider, &source.value) {
        Some(owner) if owner == target => return Ok(Empty {}),
        Some(_) => {
            // Text unconfirmed.
            return Err(ApiError::new(
                ErrorCode::AliasExistsException,
                "The SourceUser is already linked to another user.",
            ));
        }
        None => {}
    }
    let mut user_links = pool.user(target)?.extras().links.clone();
    if user_links.len() >= MAX_LINKS {
        // Text unconfirmed.
        return Err(ApiError::new(
            ErrorCode::LimitExceededException,
            format!("A user can have at most {MAX_LINKS} linked identities."),
        ));
    }
    let now = app.clock.now();
    user_links.push(ProviderLink {
        provider_name: source.provider,
        provider_type: kind.as_str().to_string(),
        attribute_name: source.attribute,
        user_id: source.value,
        created: now,
    });
    pool.users.update(target, |user| {
        links::set_links(user, user_links);
        user.modified = now;
    });
    Ok(Empty {})
}

/// Removes a linked identity from the user it was linked to, and disables the federated
/// user of that identity if there is one. With ProviderName `Cognito` it disables a native
/// user (who then cannot sign in with a password; unconfirmed how Cognito shows it, here as
/// Enabled false).
pub fn admin_disable_provider_for_user(
    app: &App,
    _: &RequestContext,
    input: AdminDisableProviderForUserRequest,
) -> ApiResult<Empty> {
    let given = identity("User", &input.user)?;
    let pool = app.store.pool(&input.user_pool_id)?;
    let mut pool = pool.write();
    let now = app.clock.now();
    if given.provider.eq_ignore_ascii_case(COGNITO) {
        let key = pool.find_user(&given.value)?;
        pool.users.update(key, |user| {
            user.enabled = false;
            user.modified = now;
        });
        return Ok(Empty {});
    }
    provider(&pool, &given.provider)?;
    let mut found = false;
    if let Some(owner) = links::linked_user(&pool, &given.provider, &given.value) {
        let mut user_links = pool.user(owner)?.extras().links.clone();
        let before = user_links.len();
        user_links.retain(|link| {
            let names_it =
                given.attribute == COGNITO_SUBJECT || given.attribute == link.attribute_name;
            !(link.provider_name == given.provider && link.user_id == given.value && names_it)
        });
        if user_links.len() < before {
            found = true;
            pool.users.update(owner, |user| {
                links::set_links(user, user_links);
                user.modified = now;
            });
        }
    }
    if let Some(key) = federated_user(&pool, &given.provider, &given.value) {
        found = true;
        pool.users.update(key, |user| {
            user.enabled = false;
            user.modified = now;
        });
    }
    if !found {
        return Err(ApiError::user_not_found());
    }
    Ok(Empty {})
}
