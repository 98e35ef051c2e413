//! A `Logins` map, verified rather than trusted.
//!
//! - A user pool of this emulator (`cognito-idp.<region>.amazonaws.com/<poolId>` → an ID
//!   token): signed by that pool's ID-token key, unexpired, issued by that pool, for an app
//!   client configured on the identity pool, `token_use` = id, and with ServerSideTokenCheck
//!   its sign-in not revoked and its user still there and enabled.
//! - This service's own OpenID tokens (`cognito-identity.amazonaws.com`, developer
//!   authenticated identities): signed by our key, unexpired, for this pool.
//! - OIDC providers (OpenIdConnectProviderARNs): format, `exp`, `iss` matching the provider,
//!   and the signature: with the pool's key when the issuer is one of this emulator's user
//!   pools, else with the issuer's JWKS (its discovery document's `jwks_uri`, cached ten
//!   minutes) when the issuer can be reached; an unreachable issuer's tokens pass unsigned.
//! - Google/Apple ID tokens: format, `exp`, `iss`, `aud` where the pool names the app; their
//!   signatures are not checked (the emulator does not call Google or Apple).
//! - Facebook, Amazon, Twitter/Digits access tokens and SAML responses: opaque, not checked.
//!
//! Signatures are checked with no lock held.

use std::collections::BTreeMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::Value;

use crate::app::App;
use crate::error::{ApiError, ApiResult};
use crate::generated::cognito_identity::IdentityPool;
use crate::identity::engine::pools::{oidc_provider_of_arn, user_pool_provider_host};
use crate::identity::store::Login;

/// The provider name of this service's own OpenID tokens in a Logins map.
pub const OWN_PROVIDER: &str = "cognito-identity.amazonaws.com";

/// A login that passed its checks.
#[derive(Debug, Clone)]
pub struct Verified {
    pub login: Login,
    /// The token's claims (Null for opaque tokens).
    pub claims: Value,
    /// The key of the provider's role mapping (`<provider>:<clientId>` for user pools).
    pub mapping_key: String,
    /// Whether this is the service's own token for an identity (not a link to keep).
    pub own_token: bool,
}

fn invalid(detail: &str) -> ApiError {
    ApiError::not_authorized(format!("Invalid login token. {detail}"))
}

pub fn unsupported() -> ApiError {
    // Observed text.
    ApiError::not_authorized("Token is not from a supported provider of this identity pool.")
}

/// The claims of a JWT, unverified; None when it is not a JWT.
pub fn unverified_claims(token: &str) -> Option<Value> {
    let mut parts = token.split('.');
    let (_, payload, _) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    claims.is_object().then_some(claims)
}

fn check_exp(claims: &Value, now: f64) -> ApiResult<()> {
    let exp = claims["exp"]
        .as_f64()
        .ok_or_else(|| invalid("Not a valid OpenId Connect identity token."))?;
    if now >= exp {
        // Observed form: the current time first (unconfirmed order).
        return Err(invalid(&format!(
            "Token expired: {} >= {}",
            now as i64, exp as i64
        )));
    }
    Ok(())
}

fn aud_contains(claims: &Value, wanted: &str) -> bool {
    match &claims["aud"] {
        Value::String(aud) => aud == wanted,
        Value::Array(auds) => auds.iter().any(|a| a == wanted),
        _ => false,
    }
}

fn opaque_subject(token: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Verifies every login of the map against the pool's providers.
pub fn verify(
    app: &App,
    config: &IdentityPool,
    logins: &BTreeMap<String, String>,
) -> ApiResult<Vec<Verified>> {
    logins
        .iter()
        .map(|(provider, token)| verify_one(app, config, &canonical(app, config, provider), token))
        .collect()
}

/// A user pool named by this emulator's issuer (`<host>/<poolId>`, what Amplify derives from
/// the ID token's `iss`) is the pool's `cognito-idp.<region>.amazonaws.com/<poolId>` provider.
/// Only when the identity pool trusts that user pool as such (not as an OIDC provider).
fn canonical(app: &App, config: &IdentityPool, provider: &str) -> String {
    if let Some((_, pool_id)) = provider.rsplit_once('/') {
        let issuer = app.issuer(pool_id);
        let bare = issuer
            .split_once("://")
            .map_or(issuer.as_str(), |(_, rest)| rest);
        if bare == provider {
            if let Some((region, _)) = pool_id.split_once('_') {
                let name = format!("cognito-idp.{region}.amazonaws.com/{pool_id}");
                let trusted = config
                    .cognito_identity_providers
                    .iter()
                    .flatten()
                    .any(|p| p.provider_name.as_deref() == Some(name.as_str()));
                if trusted {
                    return name;
                }
            }
        }
    }
    provider.to_string()
}

fn verify_one(
    app: &App,
    config: &IdentityPool,
    provider: &str,
    token: &str,
) -> ApiResult<Verified> {
    let now = app.clock.now();
    let verified = |subject: String, claims: Value, mapping_key: String| Verified {
        login: Login {
            provider: provider.to_string(),
            subject,
        },
        claims,
        mapping_key,
        own_token: false,
    };
    if provider == OWN_PROVIDER {
        let claims = super::openid::verify(app, token)
            .ok_or_else(|| invalid("Couldn't verify signed token."))?;
        check_exp(&claims, now)?;
        if !aud_contains(&claims, &config.identity_pool_id) {
            return Err(unsupported());
        }
        let subject = claims["sub"].as_str().unwrap_or_default().to_string();
        let mut login = verified(subject, claims, provider.to_string());
        login.own_token = true;
        return Ok(login);
    }
    let configured: Vec<_> = config
        .cognito_identity_providers
        .iter()
        .flatten()
        .filter(|p| p.provider_name.as_deref() == Some(provider))
        .collect();
    if !configured.is_empty() {
        let (_, pool_id) = user_pool_provider_host(provider).ok_or_else(unsupported)?;
        let claims = verify_user_pool_token(app, pool_id, token)?;
        check_exp(&claims, now)?;
        let issuer = claims["iss"].as_str().unwrap_or_default();
        if issuer != app.issuer(pool_id) && issuer != format!("https://{provider}") {
            return Err(invalid("Issuer doesn't match providerName"));
        }
        let aud = claims["aud"].as_str().unwrap_or_default().to_string();
        let Some(client) = configured
            .iter()
            .find(|p| p.client_id.as_deref() == Some(aud.as_str()))
        else {
            return Err(unsupported());
        };
        if claims["token_use"] != "id" {
            // unconfirmed text
            return Err(invalid("Not a valid OpenId Connect identity token."));
        }
        if client.server_side_token_check == Some(true) {
            check_active(app, pool_id, &claims)?;
        }
        let subject = claims["sub"].as_str().unwrap_or_default().to_string();
        return Ok(verified(subject, claims, format!("{provider}:{aud}")));
    }
    if let Some(app_id) = config
        .supported_login_providers
        .as_ref()
        .and_then(|p| p.get(provider))
    {
        return match provider {
            "accounts.google.com" | "appleid.apple.com" => {
                let claims = unverified_claims(token)
                    .ok_or_else(|| invalid("Not a valid OpenId Connect identity token."))?;
                check_exp(&claims, now)?;
                let iss = claims["iss"].as_str().unwrap_or_default();
                if iss.trim_start_matches("https://") != provider {
                    return Err(invalid("Issuer doesn't match providerName"));
                }
                if !app_id.split(',').any(|id| aud_contains(&claims, id.trim())) {
                    return Err(unsupported());
                }
                let subject = claims["sub"].as_str().unwrap_or_default().to_string();
                Ok(verified(subject, claims, provider.to_string()))
            }
            // Opaque access tokens: the provider would have to be asked (unchecked).
            _ => Ok(verified(
                opaque_subject(token),
                Value::Null,
                provider.to_string(),
            )),
        };
    }
    let oidc = config
        .open_id_connect_provider_arns
        .iter()
        .flatten()
        .any(|arn| oidc_provider_of_arn(arn) == Some(provider));
    if oidc {
        let claims = unverified_claims(token)
            .ok_or_else(|| invalid("Not a valid OpenId Connect identity token."))?;
        check_exp(&claims, now)?;
        let iss = claims["iss"].as_str().unwrap_or_default();
        let bare = iss
            .strip_prefix("https://")
            .or_else(|| iss.strip_prefix("http://"))
            .unwrap_or(iss);
        if bare != provider {
            return Err(invalid("Issuer doesn't match providerName"));
        }
        // One of this emulator's own user pools: its signature is checked with its key;
        // another issuer's with its published keys.
        let own_pool = iss
            .rsplit('/')
            .next()
            .filter(|id| app.issuer(id) == iss && app.store.pool(id).is_ok());
        match own_pool {
            Some(pool_id) => {
                verify_user_pool_token(app, pool_id, token)?;
            }
            None => verify_with_issuer_keys(app, iss, token)?,
        }
        let subject = claims["sub"].as_str().unwrap_or_default().to_string();
        return Ok(verified(subject, claims, provider.to_string()));
    }
    if config
        .saml_provider_arns
        .iter()
        .flatten()
        .any(|arn| arn == provider)
    {
        // A SAML response: its signature is not checked.
        return Ok(verified(
            opaque_subject(token),
            Value::Null,
            provider.to_string(),
        ));
    }
    Err(unsupported())
}

/// The claims of an ID token signed by one of this emulator's user pools.
fn verify_user_pool_token(app: &App, pool_id: &str, token: &str) -> ApiResult<Value> {
    let bad = || invalid("Couldn't verify signed token.");
    let pool = app.store.pool(pool_id).map_err(|_| bad())?;
    let keys = pool.read().auth.keys.get().cloned().ok_or_else(bad)?;
    keys.id.verify(token).ok_or_else(bad)
}

/// How long an issuer's fetched keys are used before they are fetched again.
const JWKS_SECONDS: f64 = 600.0;
const FETCH_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// Checks an OIDC token's signature with its issuer's JWKS. An issuer that cannot be reached
/// (or a thread that may not wait for it) leaves the token's signature unchecked, with a
/// log line; keys that do not verify it refuse it.
fn verify_with_issuer_keys(app: &App, iss: &str, token: &str) -> ApiResult<()> {
    let Some(jwks) = issuer_keys(app, iss) else {
        return Ok(());
    };
    match crate::infra::crypto::jwt::verify_with_jwks(token, &jwks) {
        Some(_) => Ok(()),
        None => Err(invalid("Couldn't verify signed token.")),
    }
}

fn issuer_keys(app: &App, iss: &str) -> Option<Value> {
    let now = app.clock.now();
    if let Some((fetched, jwks)) = app.identity.jwks.lock().get(iss) {
        if now - fetched < JWKS_SECONDS {
            return Some(jwks.clone());
        }
    }
    let secure = iss.starts_with("https://");
    let loopback = url::Url::parse(iss).ok().is_some_and(|url| {
        matches!(url.host(), Some(url::Host::Domain("localhost")))
            || matches!(url.host(), Some(url::Host::Ipv4(ip)) if ip.is_loopback())
            || matches!(url.host(), Some(url::Host::Ipv6(ip)) if ip.is_loopback())
    });
    if !(secure || loopback && iss.starts_with("http://")) {
        return None;
    }
    if !crate::infra::blocking::can_block() {
        tracing::warn!("the keys of {iss} were not fetched: this request may not wait");
        return None;
    }
    let discovery = format!(
        "{}/.well-known/openid-configuration",
        iss.trim_end_matches('/')
    );
    let fetched = crate::infra::lambda::wait(FETCH_TIMEOUT, async move {
        let document = crate::infra::http_client::get_json(&discovery).await?;
        let jwks_uri = document["jwks_uri"]
            .as_str()
            .ok_or_else(|| format!("{discovery} names no jwks_uri"))?
            .to_string();
        crate::infra::http_client::get_json(&jwks_uri).await
    });
    match fetched {
        Ok(Ok(jwks)) => {
            app.identity
                .jwks
                .lock()
                .insert(iss.to_string(), (now, jwks.clone()));
            Some(jwks)
        }
        Ok(Err(reason)) => {
            tracing::warn!("{iss}'s token signature is not checked: {reason}");
            None
        }
        Err(_) => {
            tracing::warn!("{iss}'s token signature is not checked: its keys did not come in time");
            None
        }
    }
}

/// Whether a Logins map may name an OIDC provider whose keys must be fetched (so the
/// operation runs where it may wait): any provider that is not a user pool, this service's
/// own tokens or a social provider.
pub fn may_fetch_keys(input: &Value) -> bool {
    const SOCIAL: &[&str] = &[
        "graph.facebook.com",
        "accounts.google.com",
        "appleid.apple.com",
        "www.amazon.com",
        "api.twitter.com",
        "www.digits.com",
        OWN_PROVIDER,
    ];
    input["Logins"].as_object().is_some_and(|logins| {
        logins.keys().any(|provider| {
            !provider.starts_with("cognito-idp.") && !SOCIAL.contains(&provider.as_str())
        })
    })
}

/// ServerSideTokenCheck: the sign-in is not revoked (sign-out, RevokeToken) and its user
/// still exists and is enabled.
fn check_active(app: &App, pool_id: &str, claims: &Value) -> ApiResult<()> {
    // Observed text.
    let inactive = || ApiError::not_authorized("Token is inactive");
    let pool = app.store.pool(pool_id).map_err(|_| inactive())?;
    let pool = pool.read();
    let origin = claims["origin_jti"].as_str().unwrap_or_default();
    if pool.auth.is_revoked_origin(origin) {
        return Err(inactive());
    }
    let username = claims["cognito:username"].as_str().unwrap_or_default();
    let user = pool
        .users
        .find_by_username(username)
        .and_then(|key| pool.users.get(key))
        .ok_or_else(inactive)?;
    if user.sub() != claims["sub"].as_str().unwrap_or_default() || !user.enabled {
        return Err(inactive());
    }
    Ok(())
}
