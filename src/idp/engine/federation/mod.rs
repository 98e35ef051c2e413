//! Signing in through an external identity provider: the browser goes from
//! `/oauth2/authorize?identity_provider=…` to the provider (an OIDC provider, `oidc.rs`, or
//! the stand-in page of a social provider, which cannot be reached offline), comes back,
//! and the provider's identity becomes a federated user `<ProviderName>_<id>` (status
//! EXTERNAL_PROVIDER, with the `identities` attribute and the provider's AttributeMapping),
//! who then gets a hosted session and the authorize request's answer.

pub mod oidc;
pub mod saml;

use serde_json::{json, Map, Value};

use crate::app::{App, RequestContext};
use crate::error::{ApiError, ApiResult};
use crate::generated::cognito_idp::{IdentityProviderTypeType, UserStatusType};
use crate::idp::engine::oauth::authorize::Authorization;
use crate::idp::engine::triggers::sign_up::PreSignUpDecision;
use crate::idp::engine::triggers::{self, Trigger};
use crate::idp::store::oauth::PendingFederation;
use crate::idp::store::user::{Attributes, User};
use crate::idp::store::{PoolHandle, UserKey, UserPool};

/// A pending federated sign-in lasts ten minutes.
const PENDING_LIFETIME: f64 = 600.0;

/// Where the provider sends the browser back to.
pub fn idp_response_url(app: &App) -> String {
    format!("{}/oauth2/idpresponse", app.public_url)
}

/// A provider's type, by name.
pub fn provider_type(pool: &PoolHandle, provider: &str) -> Option<IdentityProviderTypeType> {
    let pool = pool.read();
    pool.identity_providers
        .get(provider)
        .and_then(|p| p.provider_type)
}

/// Keeps the authorize request while the browser is at the provider; returns the `state`
/// to send (it names the pool, so the answer finds it again) and the nonce.
pub fn remember(
    app: &App,
    request: &Authorization,
    authorize_query: &str,
    provider: &str,
) -> (String, String) {
    let now = app.clock.now();
    let mut pool = request.pool.write();
    let state = format!("{}~{}", pool.id(), crate::infra::ids::uuid());
    let nonce = crate::infra::ids::uuid();
    pool.auth.oauth.add_federation(
        state.clone(),
        PendingFederation {
            authorize_query: authorize_query.to_string(),
            provider: provider.to_string(),
            nonce: nonce.clone(),
            expires: now + PENDING_LIFETIME,
        },
        now,
    );
    (state, nonce)
}

/// The pending sign-in a `state` names, left in place.
pub fn pending(app: &App, state: &str) -> Option<(PoolHandle, PendingFederation)> {
    let (pool_id, _) = state.split_once('~')?;
    let pool = app.store.pool(pool_id).ok()?;
    let pending = pool
        .read()
        .auth
        .oauth
        .federation(state, app.clock.now())?
        .clone();
    Some((pool, pending))
}

/// The pending sign-in a provider's answer names by its `state`.
pub fn recall(app: &App, state: &str) -> Option<(PoolHandle, PendingFederation)> {
    let (pool_id, _) = state.split_once('~')?;
    let pool = app.store.pool(pool_id).ok()?;
    let pending = pool
        .write()
        .auth
        .oauth
        .take_federation(state, app.clock.now())?;
    Some((pool, pending))
}

/// The provider's id for the user: `sub` for OIDC, Google and Apple; `id` for Facebook;
/// `user_id` for Login with Amazon; the assertion's NameID for SAML.
fn provider_user_id(kind: IdentityProviderTypeType, claims: &Map<String, Value>) -> Option<String> {
    if kind == IdentityProviderTypeType::Saml {
        let value = claims.get(saml::NAME_ID_CLAIM)?;
        return Some(text_of(value)).filter(|v| !v.is_empty());
    }
    let name = match kind {
        IdentityProviderTypeType::Facebook => "id",
        IdentityProviderTypeType::LoginWithAmazon => "user_id",
        _ => "sub",
    };
    let value = claims.get(name).or_else(|| claims.get("sub"))?;
    Some(text_of(value)).filter(|v| !v.is_empty())
}

fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// What a provider said of its user: the flat claims the attribute mapping reads (the ID
/// token's claims over userInfo for OIDC, a social stand-in's form, a SAML assertion's
/// attributes and NameID) and the same answer in the parts the inbound federation trigger is
/// shown (`tokenResponse`, `idToken`, `userInfo`, or `samlResponse`).
pub struct ProviderAnswer {
    pub claims: Map<String, Value>,
    pub parts: Map<String, Value>,
}

impl ProviderAnswer {
    /// A provider whose answer is one set of claims, shown to the trigger under `part`.
    pub fn single(part: &str, claims: Map<String, Value>) -> Self {
        let mut parts = Map::new();
        parts.insert(part.to_string(), string_values(&claims));
        Self { claims, parts }
    }
}

/// A claim set as the trigger's string map: every value as text.
pub fn string_values(claims: &Map<String, Value>) -> Value {
    Value::Object(
        claims
            .iter()
            .map(|(name, value)| (name.clone(), Value::String(text_of(value))))
            .collect(),
    )
}

/// Signs the provider's user in: finds or creates the federated user and applies the
/// provider's attribute mapping (on every sign-in, as Cognito does). `issuer` goes into the
/// new user's `identities` (a SAML provider's entity id). With no lock held, the inbound
/// federation trigger may first replace the claims the mapping reads, and a user's first
/// sign-in calls PreSignUp (`PreSignUp_ExternalProvider`); their errors refuse the user.
pub fn sign_in(
    app: &App,
    ctx: &RequestContext,
    pool: &PoolHandle,
    client_id: &str,
    provider: &str,
    answer: &ProviderAnswer,
    issuer: Option<&str>,
) -> ApiResult<UserKey> {
    let transformed = inbound_federation(app, ctx, pool, client_id, provider, answer)?;
    let identity = Identity {
        provider,
        claims: &answer.claims,
        mapped: transformed.as_ref().unwrap_or(&answer.claims),
    };
    let (new, pre_sign_up, pool_id) = {
        let mut guard = pool.write();
        match find_or_describe(app, &mut guard, &identity)? {
            Found::User(key) => return Ok(key),
            Found::New(new) => {
                let function = Trigger::PreSignUp.of(&guard);
                (new, function, guard.id().to_string())
            }
        }
    };
    let decision = match pre_sign_up {
        Some(function) => triggers::sign_up::pre_sign_up(
            app,
            ctx,
            &function,
            triggers::sign_up::SignUpEvent {
                pool_id: &pool_id,
                source: "PreSignUp_ExternalProvider",
                username: &new.username,
                client_id: Some(client_id),
                attributes: &new.mapped,
                validation_data: None,
                client_metadata: None,
            },
        )?,
        None => Default::default(),
    };
    let mut guard = pool.write();
    // Looked up again: a concurrent first sign-in of the same identity may have won.
    let new = match find_or_describe(app, &mut guard, &identity)? {
        Found::User(key) => return Ok(key),
        Found::New(new) => new,
    };
    let now = app.clock.now();
    let identities = json!([{
        "userId": new.user_id,
        "providerName": provider,
        "providerType": new.kind.as_str(),
        "issuer": issuer,
        "primary": true,
        "dateCreated": (now * 1000.0) as i64,
    }]);
    let mut pairs = vec![("sub".to_string(), crate::infra::ids::uuid())];
    pairs.extend(new.mapped);
    pairs.push(("identities".to_string(), identities.to_string()));
    let mut user = User::new(
        new.username,
        Attributes::from_pairs(pairs),
        UserStatusType::ExternalProvider,
        now,
    );
    // A federated user stays EXTERNAL_PROVIDER; autoVerifyEmail / autoVerifyPhone apply
    // (unconfirmed: what Cognito does with autoConfirmUser here).
    PreSignUpDecision {
        auto_confirm: false,
        ..decision
    }
    .apply(&mut user)?;
    Ok(guard.users.insert(user))
}

/// A federated user who does not exist yet.
struct NewFederated {
    username: String,
    user_id: String,
    kind: IdentityProviderTypeType,
    mapped: Vec<(String, String)>,
}

enum Found {
    User(UserKey),
    New(NewFederated),
}

/// The provider's user: `claims` as the provider sent them name the user; `mapped` are the
/// claims the attribute mapping reads (the inbound federation trigger's, when it answered).
struct Identity<'a> {
    provider: &'a str,
    claims: &'a Map<String, Value>,
    mapped: &'a Map<String, Value>,
}

/// Calls the inbound federation trigger (`InboundFederation_ExternalProvider`) if the pool
/// names one. Its non-empty `userAttributesToMap` replaces the claims the attribute mapping
/// reads; `{}` keeps the provider's. Unconfirmed: that the answer is read through the
/// provider's AttributeMapping (the trigger's name and "omitted attributes are dropped"
/// suggest so), and that it cannot change which user signs in (the provider's own id still
/// names the user).
fn inbound_federation(
    app: &App,
    ctx: &RequestContext,
    pool: &PoolHandle,
    client_id: &str,
    provider: &str,
    answer: &ProviderAnswer,
) -> ApiResult<Option<Map<String, Value>>> {
    let (function, pool_id) = {
        let guard = pool.read();
        let Some(function) = Trigger::InboundFederation.of(&guard) else {
            return Ok(None);
        };
        (function, guard.id().to_string())
    };
    let kind = provider_type(pool, provider).unwrap_or(IdentityProviderTypeType::Oidc);
    let user_id = provider_user_id(kind, &answer.claims)
        .ok_or_else(|| ApiError::invalid_parameter("The provider did not name its user."))?;
    let response = function.invoke(
        app,
        ctx,
        triggers::Event {
            pool_id: &pool_id,
            trigger_source: "InboundFederation_ExternalProvider",
            user_name: &format!("{provider}_{user_id}"),
            client_id: Some(client_id),
            request: json!({
                "providerName": provider,
                "providerType": kind.as_str(),
                "attributes": answer.parts,
            }),
            response: json!({ "userAttributesToMap": {} }),
        },
    )?;
    let to_map = match response.get("userAttributesToMap") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(map)) => map,
        Some(_) => return Err(triggers::unrecognizable()),
    };
    if to_map.is_empty() {
        return Ok(None);
    }
    if to_map.values().any(|v| !v.is_string()) {
        return Err(triggers::unrecognizable());
    }
    Ok(Some(to_map.clone()))
}

/// The user the provider's identity signs in as (its mapped attributes applied), or what a
/// new federated user would be.
fn find_or_describe(app: &App, guard: &mut UserPool, identity: &Identity) -> ApiResult<Found> {
    let Identity {
        provider,
        claims,
        mapped: mapping_claims,
    } = *identity;
    let now = app.clock.now();
    let idp = guard
        .identity_providers
        .get(provider)
        .cloned()
        .ok_or_else(|| ApiError::invalid_parameter(format!("No identity provider {provider}.")))?;
    let kind = idp.provider_type.unwrap_or(IdentityProviderTypeType::Oidc);
    let user_id = provider_user_id(kind, claims)
        .ok_or_else(|| ApiError::invalid_parameter("The provider did not name its user."))?;
    let mapped: Vec<(String, String)> = idp
        .attribute_mapping
        .iter()
        .flatten()
        .filter(|(attribute, _)| *attribute != "username")
        .filter_map(|(attribute, claim)| {
            mapping_claims
                .get(claim)
                .filter(|v| !v.is_null())
                .map(|v| (attribute.clone(), text_of(v)))
        })
        .collect();
    // An identity linked to a user (AdminLinkProviderForUser) signs in as that user.
    if let Some(key) = crate::idp::engine::links::linked_user(guard, provider, &user_id) {
        if !guard.users.get(key).is_some_and(|u| u.enabled) {
            return Err(ApiError::not_authorized("User is disabled."));
        }
        return Ok(Found::User(key));
    }
    let username = format!("{provider}_{user_id}");
    if let Some(key) = guard.users.find_by_username(&username) {
        let enabled = guard.users.get(key).is_some_and(|u| u.enabled);
        if !enabled {
            return Err(ApiError::not_authorized("User is disabled."));
        }
        guard.users.update(key, |user| {
            for (name, value) in mapped {
                user.set_attribute(&name, value);
            }
            user.modified = now;
        });
        return Ok(Found::User(key));
    }
    Ok(Found::New(NewFederated {
        username,
        user_id,
        kind,
        mapped,
    }))
}
