//! App clients: create, describe, update, delete, list, and secret rotation.

use crate::app::App;
use crate::app::RequestContext;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::generated::cognito_idp::*;
use crate::idp::api::{page_by_key, page_size, reshape, Empty};
use crate::idp::store::{AppClient, ClientSecret, UserPool};
use crate::infra::ids;

const STANDARD_SCOPES: &[&str] = &[
    "openid",
    "email",
    "phone",
    "profile",
    "aws.cognito.signin.user.admin",
];
const LEGACY_FLOWS: &[ExplicitAuthFlowsType] = &[
    ExplicitAuthFlowsType::AdminNoSrpAuth,
    ExplicitAuthFlowsType::CustomAuthFlowOnly,
    ExplicitAuthFlowsType::UserPasswordAuth,
];
const MAX_SECRETS: usize = 2;

pub fn create_user_pool_client(
    app: &App,
    _: &RequestContext,
    input: CreateUserPoolClientRequest,
) -> ApiResult<CreateUserPoolClientResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let now = app.clock.now();
    let client_id = ids::client_id();
    let mut config: UserPoolClientType = reshape(&input)?;
    config.client_id = Some(client_id.clone());
    config.creation_date = Some(now);
    config.last_modified_date = Some(now);
    let secret = match (&input.client_secret, input.generate_secret) {
        (Some(custom), _) => Some(custom.clone()),
        (None, Some(true)) => Some(ids::client_secret()),
        _ => None,
    };
    let secrets: Vec<ClientSecret> = secret
        .map(|value| new_secret(&client_id, value, now))
        .into_iter()
        .collect();
    config.client_secret = secrets.first().map(|s| s.value.clone());
    let mut pool = pool.write();
    pool.header_changed();
    let config = settle(&pool, config, "creating")?;
    app.store.register_client(&client_id, &input.user_pool_id);
    pool.clients.insert(
        client_id,
        AppClient {
            config: config.clone(),
            secrets,
        },
    );
    Ok(CreateUserPoolClientResponse {
        user_pool_client: Some(config),
    })
}

fn new_secret(client_id: &str, value: String, now: f64) -> ClientSecret {
    // `<client-id>--<creation time>`; milliseconds keep two secrets made in one second apart.
    ClientSecret {
        id: format!("{client_id}--{}", (now * 1000.0) as i64),
        value,
        created: now,
    }
}

/// Fills Cognito's defaults into a client's settings and applies its cross-field rules.
fn settle(
    pool: &UserPool,
    mut config: UserPoolClientType,
    verb: &str,
) -> ApiResult<UserPoolClientType> {
    settle_token_validity(&mut config)?;
    let flows = config.explicit_auth_flows.get_or_insert_with(|| {
        vec![
            ExplicitAuthFlowsType::AllowRefreshTokenAuth,
            ExplicitAuthFlowsType::AllowUserSrpAuth,
            ExplicitAuthFlowsType::AllowCustomAuth,
        ]
    });
    let legacy = flows.iter().filter(|f| LEGACY_FLOWS.contains(f)).count();
    if legacy > 0 && legacy < flows.len() {
        // Text unconfirmed.
        return Err(ApiError::invalid_parameter(
            "ExplicitAuthFlows cannot mix the legacy values ADMIN_NO_SRP_AUTH, CUSTOM_AUTH_FLOW_ONLY and USER_PASSWORD_AUTH with ALLOW_ values.",
        ));
    }
    let schema = pool.config.schema_attributes.as_deref().unwrap_or_default();
    let known = |name: &String| schema.iter().any(|a| a.name.as_ref() == Some(name));
    if config.read_attributes.iter().flatten().any(|n| !known(n)) {
        return Err(ApiError::invalid_parameter(format!(
            "Invalid read attributes specified while {verb} a client"
        )));
    }
    if config
        .write_attributes
        .iter()
        .flatten()
        .any(|n| !known(n) || n == "sub")
    {
        return Err(ApiError::invalid_parameter(format!(
            "Invalid write attributes specified while {verb} a client"
        )));
    }
    for provider in config.supported_identity_providers.iter().flatten() {
        if provider != "COGNITO" && !pool.identity_providers.contains_key(provider) {
            return Err(ApiError::invalid_parameter(format!(
                "The provider {provider} does not exist for User Pool {}",
                pool.id()
            )));
        }
    }
    check_oauth(pool, &config)?;
    config
        .allowed_oauth_flows_user_pool_client
        .get_or_insert(false);
    config.enable_token_revocation.get_or_insert(true);
    config
        .enable_propagate_additional_user_context_data
        .get_or_insert(false);
    config.auth_session_validity.get_or_insert(3);
    config
        .prevent_user_existence_errors
        .get_or_insert(PreventUserExistenceErrorTypes::Legacy);
    config.user_pool_id = Some(pool.id().to_string());
    Ok(config)
}

/// Defaults: 60 minutes for access and ID tokens and 30 days for refresh tokens. A validity
/// given without a unit is in hours (access, ID) or days (refresh), as Cognito reads it.
fn settle_token_validity(config: &mut UserPoolClientType) -> ApiResult<()> {
    // RefreshTokenValidity 0 means "the default".
    if config.refresh_token_validity == Some(0) {
        config.refresh_token_validity = None;
    }
    let units = config
        .token_validity_units
        .get_or_insert_with(Default::default);
    let slots = [
        (
            &mut config.access_token_validity,
            &mut units.access_token,
            TimeUnitsType::Hours,
            3600,
            300,
            86_400,
        ),
        (
            &mut config.id_token_validity,
            &mut units.id_token,
            TimeUnitsType::Hours,
            3600,
            300,
            86_400,
        ),
        (
            &mut config.refresh_token_validity,
            &mut units.refresh_token,
            TimeUnitsType::Days,
            30 * 86_400,
            3600,
            3650 * 86_400,
        ),
    ];
    for (value, unit, implied_unit, default_seconds, min_seconds, max_seconds) in slots {
        match (*value, *unit) {
            (None, None) => {
                let default_unit = if implied_unit == TimeUnitsType::Days {
                    TimeUnitsType::Days
                } else {
                    TimeUnitsType::Minutes
                };
                *unit = Some(default_unit);
                *value = Some(default_seconds / seconds(default_unit));
            }
            (Some(_), None) => *unit = Some(implied_unit),
            (None, Some(u)) => *value = Some((default_seconds / seconds(u)).max(1)),
            (Some(_), Some(_)) => {}
        }
        let total = value.unwrap_or_default() * seconds(unit.unwrap_or(implied_unit));
        if !(min_seconds..=max_seconds).contains(&total) {
            // Text unconfirmed.
            return Err(ApiError::invalid_parameter(
                "Invalid range for token validity.",
            ));
        }
    }
    Ok(())
}

fn seconds(unit: TimeUnitsType) -> i64 {
    match unit {
        TimeUnitsType::Seconds => 1,
        TimeUnitsType::Minutes => 60,
        TimeUnitsType::Hours => 3600,
        TimeUnitsType::Days => 86_400,
    }
}

/// Cognito's OAuth cross-field rules (texts partly unconfirmed).
fn check_oauth(pool: &UserPool, config: &UserPoolClientType) -> ApiResult<()> {
    let flows = config.allowed_oauth_flows.as_deref().unwrap_or_default();
    let scopes = config.allowed_oauth_scopes.as_deref().unwrap_or_default();
    let callbacks = config.callback_urls.as_deref().unwrap_or_default();
    let client_credentials = flows.contains(&OAuthFlowType::ClientCredentials);
    if client_credentials && flows.len() > 1 {
        return Err(ApiError::invalid_parameter(
            "client_credentials flow can not be selected along with code flow or implicit flow.",
        ));
    }
    if client_credentials && config.client_secret.is_none() {
        return Err(ApiError::invalid_parameter(
            "client_credentials flow can not be selected if client does not have a client secret.",
        ));
    }
    if client_credentials && scopes.iter().any(|s| STANDARD_SCOPES.contains(&s.as_str())) {
        return Err(ApiError::invalid_parameter(
            "client_credentials flow can only be used with custom scopes.",
        ));
    }
    if config.allowed_oauth_flows_user_pool_client == Some(true) {
        if flows.is_empty() {
            return Err(ApiError::invalid_parameter(
                "AllowedOAuthFlows must be specified when AllowedOAuthFlowsUserPoolClient is true.",
            ));
        }
        if scopes.is_empty() {
            return Err(ApiError::invalid_parameter(
                "AllowedOAuthScopes must be specified when AllowedOAuthFlowsUserPoolClient is true.",
            ));
        }
        if !client_credentials && callbacks.is_empty() {
            return Err(ApiError::invalid_parameter(
                "CallbackURLs must be specified for the code and implicit flows.",
            ));
        }
    }
    // A custom scope is `<resource server identifier>/<scope name>` of one of the pool's
    // resource servers (identifiers may contain `/`, scope names may not).
    let custom_scope_exists = |scope: &str| {
        scope.rsplit_once('/').is_some_and(|(identifier, name)| {
            pool.resource_servers
                .get(identifier)
                .and_then(|server| server.scopes.as_ref())
                .is_some_and(|scopes| scopes.iter().any(|s| s.scope_name == name))
        })
    };
    for scope in scopes {
        if !STANDARD_SCOPES.contains(&scope.as_str()) && !custom_scope_exists(scope) {
            return Err(ApiError::new(
                ErrorCode::ScopeDoesNotExistException,
                format!("Invalid scope requested: {scope}"),
            ));
        }
    }
    if let Some(default) = &config.default_redirect_uri {
        if !callbacks.contains(default) {
            return Err(ApiError::invalid_parameter(
                "DefaultRedirectURI must be one of the CallbackURLs.",
            ));
        }
    }
    Ok(())
}

pub fn describe_user_pool_client(
    app: &App,
    _: &RequestContext,
    input: DescribeUserPoolClientRequest,
) -> ApiResult<DescribeUserPoolClientResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let pool = pool.read();
    let config = pool.client(&input.client_id)?.config.clone();
    Ok(DescribeUserPoolClientResponse {
        user_pool_client: Some(config),
    })
}

/// A full replacement: omitted settings return to their defaults.
pub fn update_user_pool_client(
    app: &App,
    _: &RequestContext,
    input: UpdateUserPoolClientRequest,
) -> ApiResult<UpdateUserPoolClientResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let mut pool = pool.write();
    pool.header_changed();
    let old = pool.client(&input.client_id)?.config.clone();
    let mut config: UserPoolClientType = reshape(&input)?;
    config.client_name = input.client_name.clone().or(old.client_name);
    config.client_secret = old.client_secret;
    config.creation_date = old.creation_date;
    config.last_modified_date = Some(app.clock.now());
    let config = settle(&pool, config, "updating")?;
    pool.client_mut(&input.client_id)?.config = config.clone();
    Ok(UpdateUserPoolClientResponse {
        user_pool_client: Some(config),
    })
}

pub fn delete_user_pool_client(
    app: &App,
    _: &RequestContext,
    input: DeleteUserPoolClientRequest,
) -> ApiResult<Empty> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let mut pool = pool.write();
    pool.header_changed();
    pool.clients
        .remove(&input.client_id)
        .ok_or_else(|| ApiError::client_not_found(&input.client_id))?;
    pool.branding.forget_client(&input.client_id);
    pool.security.forget_client(&input.client_id);
    app.store.unregister_client(&input.client_id);
    Ok(Empty {})
}

pub fn list_user_pool_clients(
    app: &App,
    _: &RequestContext,
    input: ListUserPoolClientsRequest,
) -> ApiResult<ListUserPoolClientsResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let pool = pool.read();
    let (page, next_token) = page_by_key(
        &pool.clients,
        input.next_token.as_deref(),
        page_size(input.max_results),
    )?;
    let user_pool_clients = page
        .into_iter()
        .map(|client| UserPoolClientDescription {
            client_id: client.config.client_id.clone(),
            client_name: client.config.client_name.clone(),
            user_pool_id: client.config.user_pool_id.clone(),
        })
        .collect();
    Ok(ListUserPoolClientsResponse {
        user_pool_clients: Some(user_pool_clients),
        next_token,
    })
}

fn descriptor(secret: &ClientSecret, with_value: bool) -> ClientSecretDescriptorType {
    ClientSecretDescriptorType {
        client_secret_id: Some(secret.id.clone()),
        client_secret_value: with_value.then(|| secret.value.clone()),
        client_secret_create_date: Some(secret.created),
    }
}

pub fn add_user_pool_client_secret(
    app: &App,
    _: &RequestContext,
    input: AddUserPoolClientSecretRequest,
) -> ApiResult<AddUserPoolClientSecretResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let mut pool = pool.write();
    pool.header_changed();
    let now = app.clock.now();
    let client = pool.client_mut(&input.client_id)?;
    if client.secrets.len() >= MAX_SECRETS {
        // Text unconfirmed.
        return Err(ApiError::new(
            ErrorCode::LimitExceededException,
            format!(
                "Client {} already has the maximum of {MAX_SECRETS} client secrets.",
                input.client_id
            ),
        ));
    }
    let value = input
        .client_secret
        .clone()
        .unwrap_or_else(ids::client_secret);
    let mut secret = new_secret(&input.client_id, value, now);
    // Two secrets made in the same millisecond: the later one takes the next millisecond.
    let mut millis = (now * 1000.0) as i64;
    while client.secrets.iter().any(|s| s.id == secret.id) {
        millis += 1;
        secret.id = format!("{}--{millis}", input.client_id);
    }
    client.secrets.push(secret.clone());
    client.config.client_secret = client.secrets.first().map(|s| s.value.clone());
    client.config.last_modified_date = Some(now);
    Ok(AddUserPoolClientSecretResponse {
        client_secret_descriptor: Some(descriptor(&secret, true)),
    })
}

pub fn delete_user_pool_client_secret(
    app: &App,
    _: &RequestContext,
    input: DeleteUserPoolClientSecretRequest,
) -> ApiResult<DeleteUserPoolClientSecretResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let mut pool = pool.write();
    pool.header_changed();
    let now = app.clock.now();
    let client = pool.client_mut(&input.client_id)?;
    let index = client
        .secrets
        .iter()
        .position(|s| s.id == input.client_secret_id)
        .ok_or_else(|| {
            ApiError::resource_not_found(format!(
                "Client secret {} does not exist.",
                input.client_secret_id
            ))
        })?;
    if client.secrets.len() == 1 {
        // Text unconfirmed: a confidential client keeps at least one secret.
        return Err(ApiError::invalid_parameter(
            "The last client secret of a client cannot be deleted.",
        ));
    }
    client.secrets.remove(index);
    client.config.client_secret = client.secrets.first().map(|s| s.value.clone());
    client.config.last_modified_date = Some(now);
    Ok(DeleteUserPoolClientSecretResponse {})
}

pub fn list_user_pool_client_secrets(
    app: &App,
    _: &RequestContext,
    input: ListUserPoolClientSecretsRequest,
) -> ApiResult<ListUserPoolClientSecretsResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let pool = pool.read();
    let client = pool.client(&input.client_id)?;
    let client_secrets = client
        .secrets
        .iter()
        .map(|s| descriptor(s, false))
        .collect();
    Ok(ListUserPoolClientSecretsResponse {
        client_secrets: Some(client_secrets),
        next_token: None,
    })
}
