//! `/oauth2/userInfo`: the signed-in user's claims, as far as the access token's scopes
//! allow (`openid` is required).

use serde_json::{json, Map, Value};

use super::OAuthError;
use crate::app::App;
use crate::idp::engine::tokens::verify_access_token_for;

const EMAIL: &[&str] = &["email", "email_verified"];
const PHONE: &[&str] = &["phone_number", "phone_number_verified"];

/// The claims for a bearer token. Cognito's userInfo answers verified flags as strings.
pub fn user_info(app: &App, bearer: Option<&str>) -> Result<Value, OAuthError> {
    let token = bearer.filter(|t| !t.is_empty()).ok_or_else(|| {
        OAuthError::new(
            400,
            "invalid_request",
            "Bad OAuth2 request at UserInfo Endpoint",
        )
    })?;
    let invalid = || {
        OAuthError::new(
            401,
            "invalid_token",
            "Access token is expired, disabled, or deleted, or the user has globally signed out.",
        )
    };
    let verified = verify_access_token_for(app, token, "openid").map_err(|_| invalid())?;
    let scopes: Vec<&str> = verified.claims["scope"]
        .as_str()
        .unwrap_or_default()
        .split(' ')
        .collect();
    let client_id = verified.claims["client_id"].as_str().unwrap_or_default();
    let pool = verified.pool.read();
    let user = pool.user(verified.user).map_err(|_| invalid())?;
    let readable = pool
        .client(client_id)
        .ok()
        .and_then(|c| c.config.read_attributes.clone())
        .filter(|list| !list.is_empty());
    let mut claims = Map::new();
    claims.insert("sub".into(), json!(user.sub()));
    for (name, value) in user.attributes.iter() {
        if name == "sub" || name.starts_with("dev:") {
            continue;
        }
        if readable
            .as_ref()
            .is_some_and(|list| !list.iter().any(|n| n == name))
        {
            continue;
        }
        let allowed = if EMAIL.contains(&name) {
            scopes.contains(&"email") || scopes.contains(&"profile")
        } else if PHONE.contains(&name) {
            scopes.contains(&"phone") || scopes.contains(&"profile")
        } else {
            scopes.contains(&"profile")
        };
        if allowed {
            claims.insert(name.to_string(), json!(value));
        }
    }
    claims.insert("username".into(), json!(user.username));
    Ok(Value::Object(claims))
}
