//! Which role a credentials request gets: the pool's authenticated or unauthenticated role,
//! or what a provider's role mapping (Token or Rules) decides, and the principal tags.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::generated::cognito_identity::{
    AmbiguousRoleResolutionType, MappingRule, MappingRuleMatchType, RoleMappingType,
};
use crate::identity::engine::logins::Verified;
use crate::identity::store::PoolRecord;

fn no_role() -> ApiError {
    // Observed text.
    ApiError::new(
        ErrorCode::InvalidIdentityPoolConfigurationException,
        "Invalid identity pool configuration. Check assigned IAM roles for this pool.",
    )
}

fn role(pool: &PoolRecord, kind: &str) -> ApiResult<String> {
    pool.roles.get(kind).cloned().ok_or_else(no_role)
}

/// The role for a request with these verified logins (none: unauthenticated).
pub fn choose(
    pool: &PoolRecord,
    logins: &[Verified],
    custom_role_arn: Option<&str>,
) -> ApiResult<String> {
    if logins.is_empty() {
        return role(pool, "unauthenticated");
    }
    // The first login (in provider order) whose provider has a role mapping decides.
    let Some((login, mapping)) = logins
        .iter()
        .find_map(|l| pool.role_mappings.get(&l.mapping_key).map(|m| (l, m)))
    else {
        return role(pool, "authenticated");
    };
    let chosen = match mapping.r#type {
        RoleMappingType::Token => from_token(&login.claims, custom_role_arn)?,
        RoleMappingType::Rules => mapping
            .rules_configuration
            .iter()
            .flat_map(|c| c.rules.iter())
            .find(|rule| matches(rule, &login.claims))
            .map(|rule| rule.role_arn.clone()),
    };
    match chosen {
        Some(arn) => Ok(arn),
        None => match mapping.ambiguous_role_resolution.unwrap_or_default() {
            AmbiguousRoleResolutionType::AuthenticatedRole => role(pool, "authenticated"),
            // unconfirmed text
            AmbiguousRoleResolutionType::Deny => Err(ApiError::not_authorized(
                "Unable to determine the role to assume: the role mapping denies ambiguous requests.",
            )),
        },
    }
}

/// Token mapping: `cognito:preferred_role`, or the CustomRoleArn when it is one of
/// `cognito:roles`; None is ambiguous.
fn from_token(claims: &Value, custom_role_arn: Option<&str>) -> ApiResult<Option<String>> {
    let roles: Vec<&str> = claims["cognito:roles"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if let Some(custom) = custom_role_arn {
        if roles.contains(&custom) {
            return Ok(Some(custom.to_string()));
        }
        // unconfirmed text
        return Err(ApiError::not_authorized(format!(
            "The role {custom} is not one of the roles of the token (cognito:roles)."
        )));
    }
    if let Some(preferred) = claims["cognito:preferred_role"].as_str() {
        return Ok(Some(preferred.to_string()));
    }
    Ok(None)
}

/// A rule against a claim: a string claim as it is, a list claim (e.g. `cognito:groups`)
/// by any element (NotEqual: by none).
fn matches(rule: &MappingRule, claims: &Value) -> bool {
    let values: Vec<String> = match &claims[rule.claim.as_str()] {
        Value::Null => return false,
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items.iter().map(claim_text).collect(),
        other => vec![claim_text(other)],
    };
    let one = |value: &str| match rule.match_type {
        MappingRuleMatchType::Equals | MappingRuleMatchType::NotEqual => value == rule.value,
        MappingRuleMatchType::Contains => value.contains(&rule.value),
        MappingRuleMatchType::StartsWith => value.starts_with(&rule.value),
    };
    let any = values.iter().any(|v| one(v));
    if rule.match_type == MappingRuleMatchType::NotEqual {
        !any
    } else {
        any
    }
}

fn claim_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The session tags: per provider, tag → claim (SetPrincipalTagAttributeMap), or with
/// UseDefaults `username` → `sub` and `client` → `aud`; own OpenID tokens carry theirs.
pub fn principal_tags(pool: &PoolRecord, logins: &[Verified]) -> BTreeMap<String, String> {
    let mut tags = BTreeMap::new();
    for login in logins {
        if login.own_token {
            if let Some(own) =
                login.claims["https://aws.amazon.com/tags"]["principal_tags"].as_object()
            {
                for (tag, values) in own {
                    if let Some(value) = values.get(0).and_then(Value::as_str) {
                        tags.insert(tag.clone(), value.to_string());
                    }
                }
            }
            continue;
        }
        let Some(map) = pool.principal_tags.get(&login.login.provider) else {
            continue;
        };
        let mut pairs: Vec<(String, String)> = map
            .tags
            .iter()
            .map(|(tag, claim)| (tag.clone(), claim.clone()))
            .collect();
        if map.use_defaults && map.tags.is_empty() {
            pairs = vec![
                ("username".into(), "sub".into()),
                ("client".into(), "aud".into()),
            ];
        }
        for (tag, claim) in pairs {
            match &login.claims[claim.as_str()] {
                Value::Null => {}
                value => {
                    tags.insert(tag, claim_text(value));
                }
            }
        }
    }
    tags
}
