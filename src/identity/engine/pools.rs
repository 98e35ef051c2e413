//! Identity pool settings: their checks, ARNs, and the providers a pool accepts logins from.

use crate::app::App;
use crate::error::{ApiError, ApiResult};
use crate::generated::cognito_identity::{IdentityPool, RoleMapping, RoleMappingType};

/// The host every user-pool provider name has, before `/<userPoolId>`.
pub fn user_pool_provider_host(provider: &str) -> Option<(&str, &str)> {
    let (host, pool_id) = provider.split_once('/')?;
    let region = host
        .strip_prefix("cognito-idp.")?
        .strip_suffix(".amazonaws.com")?;
    (!region.is_empty() && !pool_id.is_empty() && !pool_id.contains('/'))
        .then_some((region, pool_id))
}

pub fn pool_arn(app: &App, pool_id: &str) -> String {
    let region = pool_id.split_once(':').map_or(app.region(), |(r, _)| r);
    format!(
        "arn:aws:cognito-identity:{region}:{}:identitypool/{pool_id}",
        app.account_id()
    )
}

/// The pool id an identity pool ARN names.
pub fn pool_of_arn(arn: &str) -> Option<&str> {
    arn.strip_prefix("arn:aws:cognito-identity:")?
        .split_once(":identitypool/")
        .map(|(_, id)| id)
}

/// Checks a pool's settings (Create/UpdateIdentityPool) and fills the defaults Cognito shows.
pub fn check_config(_app: &App, config: &IdentityPool) -> ApiResult<()> {
    for provider in config.cognito_identity_providers.iter().flatten() {
        let name = provider.provider_name.as_deref().unwrap_or_default();
        if user_pool_provider_host(name).is_none() {
            // unconfirmed text
            return Err(ApiError::invalid_parameter(format!(
                "Invalid Cognito Identity Provider name: {name}. Expected cognito-idp.<region>.amazonaws.com/<userPoolId>."
            )));
        }
        if provider.client_id.is_none() {
            return Err(ApiError::invalid_parameter(format!(
                "ClientId is required for Cognito Identity Provider {name}."
            )));
        }
    }
    for arn in config.open_id_connect_provider_arns.iter().flatten() {
        if oidc_provider_of_arn(arn).is_none() {
            return Err(ApiError::invalid_parameter(format!(
                "Invalid OpenId Connect provider ARN: {arn}"
            )));
        }
    }
    if let Some(name) = &config.developer_provider_name {
        if name.starts_with("cognito") {
            // unconfirmed text; Cognito reserves its own names.
            return Err(ApiError::invalid_parameter(
                "DeveloperProviderName cannot start with 'cognito'.",
            ));
        }
    }
    Ok(())
}

/// `arn:aws:iam::<account>:oidc-provider/<issuer host and path>` → the host and path (the
/// provider's name in a Logins map).
pub fn oidc_provider_of_arn(arn: &str) -> Option<&str> {
    let rest = arn.strip_prefix("arn:aws:iam::")?;
    let (_, provider) = rest.split_once(":oidc-provider/")?;
    (!provider.is_empty()).then_some(provider)
}

/// Whether `name` is a provider this pool accepts logins from (what role mappings and
/// principal tag maps are keyed by; user pools as `<provider>:<clientId>` in role mappings).
pub fn knows_provider(config: &IdentityPool, name: &str, with_client: bool) -> bool {
    let user_pool = config.cognito_identity_providers.iter().flatten().any(|p| {
        let provider = p.provider_name.as_deref().unwrap_or_default();
        if with_client {
            format!("{provider}:{}", p.client_id.as_deref().unwrap_or_default()) == name
        } else {
            provider == name
        }
    });
    user_pool
        || config
            .supported_login_providers
            .as_ref()
            .is_some_and(|p| p.contains_key(name))
        || config
            .open_id_connect_provider_arns
            .iter()
            .flatten()
            .any(|arn| oidc_provider_of_arn(arn) == Some(name))
        || config
            .saml_provider_arns
            .iter()
            .flatten()
            .any(|arn| arn == name)
}

/// A role ARN's shape: `arn:aws:iam::<account>:role/<name>`.
pub fn check_role_arn(arn: &str) -> ApiResult<()> {
    let ok = arn
        .strip_prefix("arn:aws:iam::")
        .and_then(|rest| rest.split_once(":role/"))
        .is_some_and(|(_, name)| !name.is_empty());
    if ok {
        Ok(())
    } else {
        // unconfirmed text
        Err(ApiError::invalid_parameter(format!(
            "Invalid role ARN: {arn}"
        )))
    }
}

/// SetIdentityPoolRoles' RoleMappings: every key a provider of the pool, every mapping complete.
pub fn check_role_mapping(
    config: &IdentityPool,
    key: &str,
    mapping: &RoleMapping,
) -> ApiResult<()> {
    if !knows_provider(config, key, true) {
        // unconfirmed text
        return Err(ApiError::invalid_parameter(format!(
            "Role mapping for {key} is not valid: the provider is not configured in identity pool {}.",
            config.identity_pool_id
        )));
    }
    if mapping.ambiguous_role_resolution.is_none() {
        return Err(ApiError::invalid_parameter(format!(
            "AmbiguousRoleResolution must be specified for the role mapping of {key}."
        )));
    }
    match (mapping.r#type, &mapping.rules_configuration) {
        (RoleMappingType::Rules, None) => Err(ApiError::invalid_parameter(format!(
            "RulesConfiguration must be specified when the role mapping of {key} is of type Rules."
        ))),
        (RoleMappingType::Token, Some(_)) => Err(ApiError::invalid_parameter(format!(
            "RulesConfiguration must not be specified when the role mapping of {key} is of type Token."
        ))),
        (_, Some(rules)) => {
            for rule in &rules.rules {
                check_role_arn(&rule.role_arn)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}
