//! External identity providers (SAML, OIDC, Google, Facebook, Login with Amazon, Sign in
//! with Apple): create, describe, update, delete, list, and lookup by IdP identifier.

use std::collections::BTreeSet;

use crate::app::App;
use crate::app::RequestContext;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::generated::cognito_idp::*;
use crate::idp::api::{page_by_key, page_size, Empty};
use crate::idp::engine::identity_providers as rules;
use crate::idp::engine::tokens::pool_keys;
use crate::idp::store::{PoolHandle, UserPool};

/// Cognito's quota of identity providers per user pool.
const MAX_PROVIDERS: usize = 300;

pub fn create_identity_provider(
    app: &App,
    _: &RequestContext,
    input: CreateIdentityProviderRequest,
) -> ApiResult<CreateIdentityProviderResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    rules::check_name(&input.provider_name, input.provider_type)?;
    let mut details = rules::settle_details(input.provider_type, &input.provider_details)?;
    encryption_certificate(
        app,
        &pool,
        &input.user_pool_id,
        input.provider_type,
        &mut details,
    );
    let mut pool = pool.write();
    if pool.identity_providers.contains_key(&input.provider_name) {
        // Text unconfirmed.
        return Err(ApiError::new(
            ErrorCode::DuplicateProviderException,
            format!(
                "A provider with the name {} already exists in this user pool.",
                input.provider_name
            ),
        ));
    }
    if pool.identity_providers.len() >= MAX_PROVIDERS {
        // Text unconfirmed.
        return Err(ApiError::new(
            ErrorCode::LimitExceededException,
            format!("A user pool can have at most {MAX_PROVIDERS} identity providers."),
        ));
    }
    let identifiers = input.idp_identifiers.unwrap_or_default();
    check_identifiers(&pool, &input.provider_name, &identifiers)?;
    let mapping =
        rules::settle_mapping(input.provider_type, schema(&pool), input.attribute_mapping)?;
    let now = app.clock.now();
    let provider = IdentityProviderType {
        user_pool_id: Some(input.user_pool_id),
        provider_name: Some(input.provider_name.clone()),
        provider_type: Some(input.provider_type),
        provider_details: Some(details),
        attribute_mapping: Some(mapping),
        idp_identifiers: Some(identifiers),
        acr_mapping: input.acr_mapping,
        creation_date: Some(now),
        last_modified_date: Some(now),
    };
    pool.header_changed();
    pool.identity_providers
        .insert(input.provider_name, provider.clone());
    Ok(CreateIdentityProviderResponse {
        identity_provider: provider,
    })
}

/// A SAML provider with EncryptedResponses gets the certificate Cognito's requests carry
/// for the IdP to encrypt to (`ActiveEncryptionCertificate`, read-only). Here it is the
/// certificate of the pool's ID-token key, made outside the pool lock; real Cognito keeps a
/// separate key (unconfirmed which).
fn encryption_certificate(
    app: &App,
    pool: &PoolHandle,
    pool_id: &str,
    kind: IdentityProviderTypeType,
    details: &mut rules::Details,
) {
    let encrypted = details.get("EncryptedResponses").map(String::as_str) == Some("true");
    if kind != IdentityProviderTypeType::Saml || !encrypted {
        return;
    }
    let keys = pool_keys(app, pool);
    let certificate = keys.id.certificate(pool_id, app.clock.now() as i64);
    details.insert("ActiveEncryptionCertificate".into(), certificate);
}

fn schema(pool: &UserPool) -> &[SchemaAttributeType] {
    pool.config.schema_attributes.as_deref().unwrap_or_default()
}

/// IdP identifiers name one provider of the pool each (texts unconfirmed).
fn check_identifiers(pool: &UserPool, provider: &str, identifiers: &[String]) -> ApiResult<()> {
    let mut seen = BTreeSet::new();
    for identifier in identifiers {
        let taken_by_other = pool.identity_providers.values().any(|p| {
            p.provider_name.as_deref() != Some(provider)
                && p.idp_identifiers.iter().flatten().any(|i| i == identifier)
        });
        if taken_by_other || !seen.insert(identifier) {
            return Err(ApiError::new(
                ErrorCode::DuplicateProviderException,
                format!("The IdP identifier {identifier} is already used in this user pool."),
            ));
        }
    }
    Ok(())
}

fn not_found(name: &str) -> ApiError {
    // Text unconfirmed.
    ApiError::resource_not_found(format!("Identity provider {name} does not exist."))
}

pub fn describe_identity_provider(
    app: &App,
    _: &RequestContext,
    input: DescribeIdentityProviderRequest,
) -> ApiResult<DescribeIdentityProviderResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let pool = pool.read();
    let provider = pool
        .identity_providers
        .get(&input.provider_name)
        .ok_or_else(|| not_found(&input.provider_name))?;
    Ok(DescribeIdentityProviderResponse {
        identity_provider: provider.clone(),
    })
}

/// Replaces what is given (details, mapping, identifiers); omitted settings stay. Given
/// details are checked as a whole for the provider's type.
pub fn update_identity_provider(
    app: &App,
    _: &RequestContext,
    input: UpdateIdentityProviderRequest,
) -> ApiResult<UpdateIdentityProviderResponse> {
    let handle = app.store.pool(&input.user_pool_id)?;
    let kind = handle
        .read()
        .identity_providers
        .get(&input.provider_name)
        .ok_or_else(|| not_found(&input.provider_name))?
        .provider_type
        .unwrap_or_default();
    let details = match &input.provider_details {
        Some(given) => {
            let mut details = rules::settle_details(kind, given)?;
            encryption_certificate(app, &handle, &input.user_pool_id, kind, &mut details);
            Some(details)
        }
        None => None,
    };
    let mut pool = handle.write();
    let mut provider = pool
        .identity_providers
        .get(&input.provider_name)
        .ok_or_else(|| not_found(&input.provider_name))?
        .clone();
    if details.is_some() {
        provider.provider_details = details;
    }
    if input.attribute_mapping.is_some() {
        provider.attribute_mapping = Some(rules::settle_mapping(
            kind,
            schema(&pool),
            input.attribute_mapping,
        )?);
    }
    if let Some(identifiers) = input.idp_identifiers {
        check_identifiers(&pool, &input.provider_name, &identifiers)?;
        provider.idp_identifiers = Some(identifiers);
    }
    if input.acr_mapping.is_some() {
        provider.acr_mapping = input.acr_mapping;
    }
    provider.last_modified_date = Some(app.clock.now());
    pool.header_changed();
    pool.identity_providers
        .insert(input.provider_name, provider.clone());
    Ok(UpdateIdentityProviderResponse {
        identity_provider: provider,
    })
}

/// Deleting a provider also takes it out of the app clients that supported it (unconfirmed:
/// Cognito's documentation does not say).
pub fn delete_identity_provider(
    app: &App,
    _: &RequestContext,
    input: DeleteIdentityProviderRequest,
) -> ApiResult<Empty> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let mut pool = pool.write();
    pool.identity_providers
        .remove(&input.provider_name)
        .ok_or_else(|| not_found(&input.provider_name))?;
    pool.header_changed();
    for client in pool.clients.values_mut() {
        if let Some(providers) = client.config.supported_identity_providers.as_mut() {
            providers.retain(|p| p != &input.provider_name);
        }
    }
    Ok(Empty {})
}

pub fn list_identity_providers(
    app: &App,
    _: &RequestContext,
    input: ListIdentityProvidersRequest,
) -> ApiResult<ListIdentityProvidersResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let pool = pool.read();
    let (page, next_token) = page_by_key(
        &pool.identity_providers,
        input.next_token.as_deref(),
        page_size(input.max_results),
    )?;
    let providers = page
        .into_iter()
        .map(|p| ProviderDescription {
            provider_name: p.provider_name.clone(),
            provider_type: p.provider_type,
            creation_date: p.creation_date,
            last_modified_date: p.last_modified_date,
        })
        .collect();
    Ok(ListIdentityProvidersResponse {
        providers,
        next_token,
    })
}

pub fn get_identity_provider_by_identifier(
    app: &App,
    _: &RequestContext,
    input: GetIdentityProviderByIdentifierRequest,
) -> ApiResult<GetIdentityProviderByIdentifierResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let pool = pool.read();
    let provider = pool
        .identity_providers
        .values()
        .find(|p| {
            p.idp_identifiers
                .iter()
                .flatten()
                .any(|i| i == &input.idp_identifier)
        })
        .ok_or_else(|| {
            // Text unconfirmed.
            ApiError::resource_not_found(format!(
                "Identity provider with identifier {} does not exist.",
                input.idp_identifier
            ))
        })?;
    Ok(GetIdentityProviderByIdentifierResponse {
        identity_provider: provider.clone(),
    })
}
