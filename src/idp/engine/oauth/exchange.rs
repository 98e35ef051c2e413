//! Token exchange (RFC 8693), as GetDerivedToken and the token endpoint's
//! `urn:ietf:params:oauth:grant-type:token-exchange` grant both do it: a client trades a
//! subject token of its pool (and, for delegation, an actor token) for a new access or ID
//! token, narrowed in scope and bound to one audience or resource server.
//!
//! What Cognito documents (the model and the developer guide): the client needs
//! `ALLOW_TOKEN_EXCHANGE_IMPERSONATION` (no actor token) or `ALLOW_TOKEN_EXCHANGE_DELEGATION`
//! (an actor token) in its ExplicitAuthFlows; the scopes granted are the intersection of
//! those asked, the subject token's and the client's allowed scopes, or the subject token's
//! when none are asked; an actor token puts an `act` claim in the issued token; Audiences
//! and Resources exclude each other; no refresh token is issued; Essentials and Plus only.
//! The rest is decided here, each place saying so.

use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::AuthenticatedClient;
use crate::app::App;
use crate::generated::cognito_idp::{
    ExplicitAuthFlowsType, IssuedTokenTypeIdentifierType, TokenTypeIdentifierType, UserPoolTierType,
};
use crate::idp::engine::tokens;
use crate::idp::store::auth::PoolKeys;
use crate::idp::store::UserKey;
use crate::infra::crypto::jwt::kid_of;

/// A token presented to the exchange: what it is, and the third-party provider that
/// issued it, if not this pool.
pub struct Presented<'a> {
    pub token: &'a str,
    pub kind: TokenTypeIdentifierType,
    pub provider: Option<&'a str>,
}

pub struct Request<'a> {
    pub subject: Presented<'a>,
    pub actor: Option<Presented<'a>>,
    /// None or empty: the subject token's scopes.
    pub scopes: Option<Vec<String>>,
    pub audience: Option<String>,
    pub resource: Option<String>,
    pub requested: IssuedTokenTypeIdentifierType,
}

pub struct Issued {
    pub token: String,
    pub kind: IssuedTokenTypeIdentifierType,
    pub expires_in: i64,
    /// The scopes of an issued access token (None for an ID token).
    pub scopes: Option<Vec<String>>,
}

/// Why an exchange was refused; each front door answers it in its own terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The request itself is malformed (invalid_request).
    Request(String),
    /// The client may not do this kind of exchange (unauthorized_client).
    NotEnabled(String),
    /// The pool's feature plan has no token exchange.
    PlanRequired,
    /// The subject or actor token is not valid (invalid_grant).
    Token(String),
    /// The subject token's user is gone (invalid_grant).
    UserNotFound,
    /// None of the scopes asked can be granted (invalid_scope).
    Scope,
    /// The resource server named does not exist (invalid_target).
    Target(String),
    /// Tokens of third-party providers: not verified by this emulator.
    NotImplemented(String),
}

/// A presented token that checked out: its claims and user (None for a client's own
/// token, client_credentials).
struct Verified {
    claims: Value,
    user: Option<UserKey>,
}

/// Runs an exchange for an authenticated client. Signs: call it off the async threads.
pub fn exchange(
    app: &App,
    client: &AuthenticatedClient,
    request: Request<'_>,
) -> Result<Issued, Failure> {
    let client_id = client.config.client_id.clone().unwrap_or_default();
    let lite = client.pool.read().config.user_pool_tier == Some(UserPoolTierType::Lite);
    if lite {
        return Err(Failure::PlanRequired);
    }
    if request.audience.is_some() && request.resource.is_some() {
        return Err(Failure::Request(
            "You can't request both Audiences and Resources.".into(),
        ));
    }
    let flows = client
        .config
        .explicit_auth_flows
        .as_deref()
        .unwrap_or_default();
    let (flow, name) = match request.actor {
        Some(_) => (
            ExplicitAuthFlowsType::AllowTokenExchangeDelegation,
            "ALLOW_TOKEN_EXCHANGE_DELEGATION",
        ),
        None => (
            ExplicitAuthFlowsType::AllowTokenExchangeImpersonation,
            "ALLOW_TOKEN_EXCHANGE_IMPERSONATION",
        ),
    };
    if !flows.contains(&flow) {
        return Err(Failure::NotEnabled(format!(
            "{name} is not enabled for this client."
        )));
    }

    let keys = tokens::pool_keys(app, &client.pool);
    let subject = verify(app, client, &keys, &request.subject, "subject")?;
    let actor = match &request.actor {
        Some(actor) => Some(verify(app, client, &keys, actor, "actor")?),
        None => None,
    };
    if let Some(resource) = &request.resource {
        if !client.pool.read().resource_servers.contains_key(resource) {
            return Err(Failure::Target(format!(
                "Resource server {resource} does not exist."
            )));
        }
    }
    let audience = request.audience.clone().or(request.resource.clone());
    let act = actor.map(|actor| act_claim(&actor.claims, &subject.claims));

    match request.requested {
        IssuedTokenTypeIdentifierType::AccessToken => {
            let scopes = granted_scopes(client, &request, &subject.claims)?;
            let (token, expires_in) = access_token(
                app, client, &keys, &client_id, &subject, &scopes, audience, act,
            );
            Ok(Issued {
                token,
                kind: IssuedTokenTypeIdentifierType::AccessToken,
                expires_in,
                scopes: Some(scopes),
            })
        }
        IssuedTokenTypeIdentifierType::IdToken => {
            let user = subject.user.ok_or_else(|| {
                // Decided: an ID token describes a user; a client's own token has none.
                Failure::Request(
                    "An ID token can only be issued for a user's subject token.".into(),
                )
            })?;
            let (token, expires_in) = id_token(
                app,
                client,
                &keys,
                &client_id,
                user,
                &subject.claims,
                audience,
                act,
            )?;
            Ok(Issued {
                token,
                kind: IssuedTokenTypeIdentifierType::IdToken,
                expires_in,
                scopes: None,
            })
        }
    }
}

/// Checks a token of this pool as every consumer of it would: the signature of the pool's
/// key for its type, issuer, `token_use`, expiry, that its client still exists, and, for a
/// user's token, that the user is the same, enabled, and the sign-in not revoked.
fn verify(
    app: &App,
    client: &AuthenticatedClient,
    keys: &PoolKeys,
    presented: &Presented<'_>,
    role: &str,
) -> Result<Verified, Failure> {
    let type_name = match presented.kind {
        TokenTypeIdentifierType::AccessToken => "ACCESS_TOKEN",
        TokenTypeIdentifierType::IdToken => "ID_TOKEN",
        TokenTypeIdentifierType::Saml2 => "SAML2",
    };
    if let Some(provider) = presented.provider {
        // Cognito checks such a token against the provider's configuration (its JWKS for
        // OIDC, its metadata for SAML). That needs the operation to wait on the network,
        // which operations here cannot do yet.
        return Err(Failure::NotImplemented(format!(
            "Exchanging {role} tokens of third-party identity providers ({provider}) is not \
             implemented by cognito-emulator yet."
        )));
    }
    let (key, token_use) = match presented.kind {
        TokenTypeIdentifierType::AccessToken => (&keys.access, "access"),
        TokenTypeIdentifierType::IdToken => (&keys.id, "id"),
        TokenTypeIdentifierType::Saml2 => {
            return Err(Failure::Request(format!(
                "A SAML2 {role} token must name the identity provider that issued it."
            )))
        }
    };
    let invalid = || Failure::Token(format!("Invalid {role} token."));
    let kid = kid_of(presented.token).ok_or_else(invalid)?;
    if kid != key.kid {
        let other = if key.kid == keys.access.kid {
            &keys.id
        } else {
            &keys.access
        };
        if kid == other.kid {
            return Err(Failure::Token(format!(
                "The {role} token is not of type {type_name}."
            )));
        }
        return Err(invalid());
    }
    let claims = key.verify(presented.token).ok_or_else(invalid)?;
    let pool_id = client.pool.read().id().to_string();
    if claims["token_use"] != token_use || claims["iss"] != app.issuer(&pool_id).as_str() {
        return Err(invalid());
    }
    if claims["exp"]
        .as_f64()
        .is_none_or(|exp| exp <= app.clock.now())
    {
        return Err(Failure::Token(format!("The {role} token has expired.")));
    }
    let pool = client.pool.read();
    let token_client = match presented.kind {
        TokenTypeIdentifierType::IdToken => claims["aud"].as_str(),
        _ => claims["client_id"].as_str(),
    };
    if token_client.is_none_or(|c| pool.client(c).is_err()) {
        return Err(invalid());
    }
    let username = claims["username"]
        .as_str()
        .or(claims["cognito:username"].as_str());
    let user = match username {
        None => None,
        Some(username) => {
            let key = pool
                .users
                .find_by_username(username)
                .ok_or(Failure::UserNotFound)?;
            let user = pool.user(key).map_err(|_| Failure::UserNotFound)?;
            // A user deleted and created again under the same name is someone else.
            if claims["sub"].as_str() != Some(user.sub()) {
                return Err(Failure::UserNotFound);
            }
            if !user.enabled {
                return Err(Failure::Token("User is disabled.".into()));
            }
            Some(key)
        }
    };
    let origin = claims["origin_jti"].as_str().unwrap_or_default();
    if !origin.is_empty() && pool.auth.is_revoked_origin(origin) {
        return Err(Failure::Token(format!(
            "The {role} token has been revoked."
        )));
    }
    Ok(Verified { claims, user })
}

/// The intersection of the scopes asked, the subject token's and the client's allowed
/// scopes, in the order asked; the subject token's scopes when none are asked.
fn granted_scopes(
    client: &AuthenticatedClient,
    request: &Request<'_>,
    subject: &Value,
) -> Result<Vec<String>, Failure> {
    let allowed = client
        .config
        .allowed_oauth_scopes
        .clone()
        .unwrap_or_default();
    // Decided: an ID token carries no scopes, so it limits nothing; its exchange is
    // limited by the client's allowed scopes alone.
    let held: Option<Vec<String>> = subject["scope"].as_str().map(|s| {
        s.split(' ')
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()
    });
    let asked: Vec<String> = request.scopes.clone().unwrap_or_default();
    let granted: Vec<String> = if asked.is_empty() {
        held.unwrap_or(allowed)
    } else {
        let mut granted: Vec<String> = Vec::new();
        for scope in asked {
            let ok = allowed.contains(&scope)
                && held.as_ref().is_none_or(|h| h.contains(&scope))
                && !granted.contains(&scope);
            if ok {
                granted.push(scope);
            }
        }
        granted
    };
    if granted.is_empty() {
        return Err(Failure::Scope);
    }
    Ok(granted)
}

/// RFC 8693 §4.1: the actor's `sub`, and a delegation the subject token already carried
/// nested inside. Decided: also the actor token's client (`client_id`), which names the
/// intermediary service when the actor is a user's token.
fn act_claim(actor: &Value, subject: &Value) -> Value {
    let mut act = Map::new();
    act.insert("sub".into(), actor["sub"].clone());
    let actor_client = actor["client_id"].as_str().or(actor["aud"].as_str());
    if let Some(client) = actor_client {
        act.insert("client_id".into(), json!(client));
    }
    if subject.get("act").is_some_and(Value::is_object) {
        act.insert("act".into(), subject["act"].clone());
    }
    Value::Object(act)
}

/// Copies a claim from the subject token when it has it.
fn copy(claims: &mut Map<String, Value>, subject: &Value, from: &str, to: &str) {
    if let Some(value) = subject.get(from).filter(|v| !v.is_null()) {
        claims.insert(to.into(), value.clone());
    }
}

/// The derived access token: the subject's identity and sign-in (`origin_jti`, so signing
/// that sign-in out revokes it too), the requesting client, the granted scopes, the
/// audience and actor. Decided: it lives as long as the requesting client's access tokens.
#[allow(clippy::too_many_arguments)]
fn access_token(
    app: &App,
    client: &AuthenticatedClient,
    keys: &Arc<PoolKeys>,
    client_id: &str,
    subject: &Verified,
    scopes: &[String],
    audience: Option<String>,
    act: Option<Value>,
) -> (String, i64) {
    let s = &subject.claims;
    let pool_id = client.pool.read().id().to_string();
    let (life, _, _) = tokens::lifetimes(&client.config);
    let now = app.clock.now() as i64;
    let mut claims = Map::new();
    copy(&mut claims, s, "sub", "sub");
    copy(&mut claims, s, "cognito:groups", "cognito:groups");
    claims.insert("iss".into(), json!(app.issuer(&pool_id)));
    claims.insert("client_id".into(), json!(client_id));
    copy(&mut claims, s, "origin_jti", "origin_jti");
    copy(&mut claims, s, "event_id", "event_id");
    claims.insert("token_use".into(), json!("access"));
    claims.insert("scope".into(), json!(scopes.join(" ")));
    claims.insert(
        "auth_time".into(),
        s.get("auth_time").cloned().unwrap_or(json!(now)),
    );
    claims.insert("exp".into(), json!(now + life));
    claims.insert("iat".into(), json!(now));
    claims.insert("jti".into(), json!(crate::infra::ids::uuid()));
    copy(&mut claims, s, "username", "username");
    copy(&mut claims, s, "cognito:username", "username");
    claims.insert("version".into(), json!(2));
    if let Some(audience) = audience {
        claims.insert("aud".into(), json!(audience));
    }
    if let Some(act) = act {
        claims.insert("act".into(), act);
    }
    (keys.access.sign(&Value::Object(claims)), life)
}

/// The derived ID token: the user as the requesting client may read them now. Decided:
/// `aud` is the audience or resource asked for, else the requesting client.
#[allow(clippy::too_many_arguments)]
fn id_token(
    app: &App,
    client: &AuthenticatedClient,
    keys: &Arc<PoolKeys>,
    client_id: &str,
    user: UserKey,
    subject: &Value,
    audience: Option<String>,
    act: Option<Value>,
) -> Result<(String, i64), Failure> {
    let (snapshot, pool_id) = {
        let pool = client.pool.read();
        let snapshot =
            tokens::snapshot(&pool, user, client_id).map_err(|_| Failure::UserNotFound)?;
        (snapshot, pool.id().to_string())
    };
    let (_, life, _) = tokens::lifetimes(&client.config);
    let now = app.clock.now() as i64;
    let mut claims = Map::new();
    claims.insert("sub".into(), json!(snapshot.sub));
    if !snapshot.groups.is_empty() {
        claims.insert("cognito:groups".into(), json!(snapshot.groups));
    }
    if !snapshot.roles.is_empty() {
        claims.insert("cognito:roles".into(), json!(snapshot.roles));
    }
    if let Some(role) = &snapshot.preferred_role {
        claims.insert("cognito:preferred_role".into(), json!(role));
    }
    claims.extend(snapshot.attributes);
    claims.insert("iss".into(), json!(app.issuer(&pool_id)));
    claims.insert("cognito:username".into(), json!(snapshot.username));
    copy(&mut claims, subject, "origin_jti", "origin_jti");
    claims.insert(
        "aud".into(),
        json!(audience.as_deref().unwrap_or(client_id)),
    );
    copy(&mut claims, subject, "event_id", "event_id");
    claims.insert("token_use".into(), json!("id"));
    claims.insert(
        "auth_time".into(),
        subject.get("auth_time").cloned().unwrap_or(json!(now)),
    );
    claims.insert("exp".into(), json!(now + life));
    claims.insert("iat".into(), json!(now));
    claims.insert("jti".into(), json!(crate::infra::ids::uuid()));
    if let Some(act) = act {
        claims.insert("act".into(), act);
    }
    Ok((keys.id.sign(&Value::Object(claims)), life))
}

#[cfg(test)]
mod tests {
    use super::act_claim;
    use serde_json::json;

    #[test]
    fn an_earlier_delegation_is_nested_in_the_new_act_claim() {
        let actor = json!({"sub": "svc", "client_id": "svc"});
        let subject = json!({"sub": "u", "act": {"sub": "first"}});
        assert_eq!(
            act_claim(&actor, &subject),
            json!({"sub": "svc", "client_id": "svc", "act": {"sub": "first"}})
        );
        assert_eq!(
            act_claim(&json!({"sub": "u2", "aud": "c"}), &json!({})),
            json!({"sub": "u2", "client_id": "c"})
        );
    }
}
