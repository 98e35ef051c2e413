//! PreTokenGeneration (V1_0, V2_0, V3_0): the claims Cognito is about to sign, shown to a
//! function that may add, override and suppress claims, override groups and (V2/V3) change
//! the access token's scopes. Called by `engine::tokens` after the claims are decided and
//! before signing, with no pool lock held.
//!
//! - V1_0 answers `claimsOverrideDetails` (ID token claims, strings only); its group
//!   override changes the access token's `cognito:groups` too.
//! - V2_0 and V3_0 answer `claimsAndScopeOverrideDetails` (ID and access tokens, any JSON
//!   values, scopes); only V3_0 is called for client-credentials tokens.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::{string_map, unrecognizable, Event, Function};
use crate::app::{App, RequestContext};
use crate::error::{ApiError, ApiResult, ErrorCode};

/// The `triggerSource` of each path that issues tokens.
pub mod source {
    pub const AUTHENTICATION: &str = "TokenGeneration_Authentication";
    pub const NEW_PASSWORD_CHALLENGE: &str = "TokenGeneration_NewPasswordChallenge";
    pub const AUTHENTICATE_DEVICE: &str = "TokenGeneration_AuthenticateDevice";
    pub const REFRESH_TOKENS: &str = "TokenGeneration_RefreshTokens";
    pub const HOSTED_AUTH: &str = "TokenGeneration_HostedAuth";
    pub const CLIENT_CREDENTIALS: &str = "TokenGeneration_ClientCredentials";
}

/// Whether an error is a trigger's (the function refused, answered badly or could not be
/// called): the OAuth endpoints pass these on with their text.
pub fn is_lambda_error(error: &ApiError) -> bool {
    matches!(
        error.code,
        ErrorCode::UserLambdaValidationException
            | ErrorCode::InvalidLambdaResponseException
            | ErrorCode::UnexpectedLambdaException
    )
}

/// Claims no answer may add, override or suppress: ignored when an answer names them
/// (the documented reserved claims, and what identifies the token; list partly unconfirmed).
const RESERVED: &[&str] = &[
    "acr",
    "amr",
    "aud",
    "at_hash",
    "auth_time",
    "azp",
    "client_id",
    "device_key",
    "event_id",
    "exp",
    "iat",
    "identities",
    "iss",
    "jti",
    "nbf",
    "nonce",
    "origin_jti",
    "scope",
    "sub",
    "token_use",
    "username",
    "version",
];

/// The group claims, changed through `groupOverrideDetails` (and suppressible).
const GROUP_CLAIMS: &[&str] = &["cognito:groups", "cognito:roles", "cognito:preferred_role"];

/// ID-token claims whose value stays a plain string or boolean: a V2/V3 answer giving them
/// an array or object is ignored for them (unconfirmed: Cognito may refuse the answer).
const SCALAR_ONLY: &[&str] = &[
    "email_verified",
    "phone_number_verified",
    "updated_at",
    "address",
];

fn may_suppress(claim: &str) -> bool {
    !RESERVED.contains(&claim) && (!claim.starts_with("cognito:") || GROUP_CLAIMS.contains(&claim))
}

fn may_set(claim: &str) -> bool {
    may_suppress(claim) && !claim.starts_with("dev:")
}

/// What the function is shown: the user (none for client credentials), their groups as
/// the tokens would carry them, and the scopes.
pub struct TokenEvent<'a> {
    pub pool_id: &'a str,
    pub source: &'a str,
    /// The user's username; `None` for a client-credentials token.
    pub username: Option<&'a str>,
    pub client_id: &'a str,
    /// `userAttributes` (from `triggers::user_attributes`); `{}` without a user.
    pub user_attributes: Value,
    pub groups: &'a [String],
    pub roles: &'a [String],
    pub preferred_role: Option<&'a str>,
    /// The access token's scopes (sent to V2/V3 functions).
    pub scopes: &'a [String],
    pub client_metadata: Option<&'a BTreeMap<String, String>>,
}

/// The claims about to be signed; `id` is `None` when no ID token is issued.
pub struct Claims<'a> {
    pub id: Option<&'a mut Map<String, Value>>,
    pub access: &'a mut Map<String, Value>,
}

/// Calls the function and applies its answer to `claims`. The access token's `scope` claim
/// is rewritten from the scopes the answer leaves (absent when none is left).
pub fn pre_token_generation(
    app: &App,
    ctx: &RequestContext,
    function: &Function,
    event: TokenEvent,
    claims: Claims,
) -> ApiResult<()> {
    let v1 = function.version == "1";
    let mut request = json!({
        "userAttributes": event.user_attributes,
        "groupConfiguration": {
            "groupsToOverride": event.groups,
            "iamRolesToOverride": event.roles,
            "preferredRole": event.preferred_role,
        },
    });
    if !v1 {
        request["scopes"] = json!(event.scopes);
    }
    if let Some(metadata) = event.client_metadata {
        request["clientMetadata"] = string_map(metadata);
    }
    let member = if v1 {
        "claimsOverrideDetails"
    } else {
        "claimsAndScopeOverrideDetails"
    };
    let mut response = Map::new();
    response.insert(member.into(), Value::Null);
    let answer = function.invoke(
        app,
        ctx,
        Event {
            pool_id: event.pool_id,
            trigger_source: event.source,
            user_name: event.username.unwrap_or(""),
            client_id: Some(event.client_id),
            request,
            response: Value::Object(response),
        },
    )?;
    let details = match answer.get(member) {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::Object(details)) => details,
        Some(_) => return Err(unrecognizable()),
    };
    let Claims { mut id, access } = claims;
    // A client-credentials token has no groups to override.
    if event.username.is_some() {
        apply_groups(
            details.get("groupOverrideDetails"),
            id.as_deref_mut(),
            access,
        )?;
    }
    if v1 {
        let changes = TokenChanges::read(Some(details), true, false)?;
        if let Some(id) = id {
            changes.apply(id, true);
        }
        return Ok(());
    }
    let id_changes = TokenChanges::read(object(details.get("idTokenGeneration"))?, false, false)?;
    let access_changes =
        TokenChanges::read(object(details.get("accessTokenGeneration"))?, false, true)?;
    if let Some(id) = id {
        id_changes.apply(id, true);
    }
    access_changes.apply(access, false);
    let scopes = access_changes.scopes(event.scopes);
    if scopes.is_empty() {
        access.remove("scope");
    } else {
        access.insert("scope".into(), json!(scopes.join(" ")));
    }
    Ok(())
}

/// An optional object member of the answer.
fn object(value: Option<&Value>) -> ApiResult<Option<&Map<String, Value>>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map)),
        Some(_) => Err(unrecognizable()),
    }
}

/// An optional list of strings in the answer.
fn strings(value: Option<&Value>) -> ApiResult<Option<Vec<String>>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| item.as_str().map(str::to_string).ok_or_else(unrecognizable))
            .collect::<ApiResult<Vec<_>>>()
            .map(Some),
        Some(_) => Err(unrecognizable()),
    }
}

/// One token's part of an answer.
#[derive(Default)]
struct TokenChanges {
    add: Map<String, Value>,
    suppress: Vec<String>,
    scopes_to_add: Vec<String>,
    scopes_to_suppress: Vec<String>,
}

impl TokenChanges {
    fn read(
        details: Option<&Map<String, Value>>,
        strings_only: bool,
        with_scopes: bool,
    ) -> ApiResult<Self> {
        let Some(details) = details else {
            return Ok(Self::default());
        };
        let add = match object(details.get("claimsToAddOrOverride"))? {
            Some(add) => add.clone(),
            None => Map::new(),
        };
        if strings_only && add.values().any(|v| !v.is_string()) {
            // V1_0 claims are strings (unconfirmed: what Cognito does with other values).
            return Err(unrecognizable());
        }
        let mut changes = TokenChanges {
            add,
            suppress: strings(details.get("claimsToSuppress"))?.unwrap_or_default(),
            ..Default::default()
        };
        if with_scopes {
            changes.scopes_to_add = strings(details.get("scopesToAdd"))?.unwrap_or_default();
            changes.scopes_to_suppress =
                strings(details.get("scopesToSuppress"))?.unwrap_or_default();
            // A scope is one word (unconfirmed: Cognito's handling of one with spaces).
            if changes
                .scopes_to_add
                .iter()
                .any(|s| s.is_empty() || s.contains(char::is_whitespace))
            {
                return Err(unrecognizable());
            }
        }
        Ok(changes)
    }

    /// Adds and overrides, then suppresses (a claim both added and suppressed is
    /// suppressed); reserved claims are left as they are.
    fn apply(&self, claims: &mut Map<String, Value>, id_token: bool) {
        for (name, value) in &self.add {
            if !may_set(name) {
                continue;
            }
            let complex = value.is_array() || value.is_object();
            if id_token && complex && SCALAR_ONLY.contains(&name.as_str()) {
                continue;
            }
            claims.insert(name.clone(), value.clone());
        }
        for name in &self.suppress {
            if may_suppress(name) {
                claims.remove(name);
            }
        }
    }

    /// The scopes left: the token's, less those suppressed, plus those added (in order,
    /// without repeats).
    fn scopes(&self, current: &[String]) -> Vec<String> {
        let mut scopes: Vec<String> = current
            .iter()
            .filter(|s| !self.scopes_to_suppress.contains(s))
            .cloned()
            .collect();
        for scope in &self.scopes_to_add {
            if !scopes.contains(scope) && !self.scopes_to_suppress.contains(scope) {
                scopes.push(scope.clone());
            }
        }
        scopes
    }
}

/// `groupOverrideDetails`: when given, its lists replace `cognito:groups` (both tokens),
/// `cognito:roles` and `cognito:preferred_role` (ID token); a member left out or empty
/// removes its claim (unconfirmed). Absent or null: the groups stay.
fn apply_groups(
    value: Option<&Value>,
    id: Option<&mut Map<String, Value>>,
    access: &mut Map<String, Value>,
) -> ApiResult<()> {
    let Some(details) = object(value)? else {
        return Ok(());
    };
    let groups = strings(details.get("groupsToOverride"))?.unwrap_or_default();
    let roles = strings(details.get("iamRolesToOverride"))?.unwrap_or_default();
    let preferred = match details.get("preferredRole") {
        None | Some(Value::Null) => None,
        Some(Value::String(role)) => Some(role.clone()),
        Some(_) => return Err(unrecognizable()),
    };
    let set = |claims: &mut Map<String, Value>, name: &str, list: &[String]| {
        if list.is_empty() {
            claims.remove(name);
        } else {
            claims.insert(name.into(), json!(list));
        }
    };
    set(access, "cognito:groups", &groups);
    if let Some(id) = id {
        set(id, "cognito:groups", &groups);
        set(id, "cognito:roles", &roles);
        match preferred {
            Some(role) => id.insert("cognito:preferred_role".into(), json!(role)),
            None => id.remove("cognito:preferred_role"),
        };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_claims_are_left_alone_and_suppression_wins() {
        let mut claims = Map::new();
        claims.insert("sub".into(), json!("s"));
        claims.insert("email".into(), json!("a@b"));
        claims.insert("cognito:username".into(), json!("jane"));
        let changes = TokenChanges {
            add: json!({"sub": "x", "cognito:username": "y", "tier": "gold", "dev:x": "1",
                        "both": 1, "cognito:groups": ["g"]})
            .as_object()
            .unwrap()
            .clone(),
            suppress: vec![
                "email".into(),
                "both".into(),
                "iss".into(),
                "cognito:username".into(),
            ],
            ..Default::default()
        };
        changes.apply(&mut claims, true);
        assert_eq!(
            Value::Object(claims),
            json!({"sub": "s", "cognito:username": "jane", "tier": "gold", "cognito:groups": ["g"]})
        );
    }

    #[test]
    fn scopes_are_suppressed_then_added_once() {
        let changes = TokenChanges {
            scopes_to_add: vec!["a/b".into(), "openid".into(), "x".into()],
            scopes_to_suppress: vec!["email".into(), "x".into()],
            ..Default::default()
        };
        let current = ["openid".to_string(), "email".to_string()];
        assert_eq!(changes.scopes(&current), ["openid", "a/b"]);
    }
}
