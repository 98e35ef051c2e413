//! `/oauth2/token`: the authorization_code, refresh_token, client_credentials and
//! token-exchange (RFC 8693) grants.
//! Answers are RFC 6749 JSON; errors are [`OAuthError`]s.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};
use subtle::ConstantTimeEq;

use super::exchange::{self, Failure, Presented};
use super::{allows_flow, authenticate, grant_scopes, ClientCredentials, OAuthError};
use crate::app::App;
use crate::generated::cognito_idp::{
    AuthenticationResultType, IssuedTokenTypeIdentifierType, OAuthFlowType, TokenTypeIdentifierType,
};
use crate::idp::engine::sign_in::{Api, SignIn};
use crate::idp::engine::tokens::{self, Grant};
use crate::idp::engine::triggers::token_generation::{self, source};

/// Runs a token request. Signs tokens: call it off the async threads.
pub fn token(
    app: &App,
    credentials: &ClientCredentials,
    form: &BTreeMap<String, String>,
) -> Result<Value, OAuthError> {
    let grant_type = form
        .get("grant_type")
        .ok_or_else(|| OAuthError::invalid_request("grant_type is required"))?;
    match grant_type.as_str() {
        "authorization_code" => authorization_code(app, credentials, form),
        "refresh_token" => refresh_token(app, credentials, form),
        "client_credentials" => client_credentials(app, credentials, form),
        TOKEN_EXCHANGE => token_exchange(app, credentials, form),
        _ => Err(OAuthError::bare(400, "unsupported_grant_type")),
    }
}

fn required<'a>(form: &'a BTreeMap<String, String>, name: &str) -> Result<&'a str, OAuthError> {
    form.get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| OAuthError::invalid_request(format!("{name} is required")))
}

fn authorization_code(
    app: &App,
    credentials: &ClientCredentials,
    form: &BTreeMap<String, String>,
) -> Result<Value, OAuthError> {
    let client = authenticate(app, credentials)?;
    if !allows_flow(&client.config, OAuthFlowType::Code) {
        return Err(OAuthError::unauthorized_client());
    }
    let code = required(form, "code")?;
    let redirect_uri = required(form, "redirect_uri")?;
    let now = app.clock.now();
    // Taken out first: a code is spent by any attempt to use it.
    let record = client
        .pool
        .write()
        .auth
        .oauth
        .take_code(code, now)
        .ok_or_else(OAuthError::invalid_grant)?;
    if record.client_id != credentials.client_id || record.redirect_uri != redirect_uri {
        return Err(OAuthError::invalid_grant());
    }
    if let Some((method, challenge)) = &record.challenge {
        let verifier = form
            .get("code_verifier")
            .ok_or_else(OAuthError::invalid_grant)?;
        if !pkce_matches(method, challenge, verifier) {
            return Err(OAuthError::invalid_grant());
        }
    }
    let same_user = client
        .pool
        .read()
        .users
        .get(record.user)
        .is_some_and(|u| u.sub() == record.sub && u.enabled);
    if !same_user {
        return Err(OAuthError::invalid_grant());
    }
    let ctx = crate::app::RequestContext::new(app.region());
    let result = tokens::issue(
        app,
        &ctx,
        &client.pool,
        Grant {
            user: record.user,
            client_id: record.client_id.clone(),
            origin: Some((crate::infra::ids::uuid(), record.auth_time)),
            with_refresh_token: true,
            scope: Some(record.scope),
            nonce: record.nonce,
            device_key: None,
            source: Default::default(),
            trigger_source: source::HOSTED_AUTH,
        },
    )
    .map_err(refused)?;
    crate::idp::engine::sessions::started_at_token_endpoint(app, &client.pool, &result);
    Ok(token_response(result))
}

/// Why tokens were not issued: a trigger's error with its text (unconfirmed: what Cognito's
/// token endpoint answers then), anything else `invalid_grant`.
fn refused(error: crate::error::ApiError) -> OAuthError {
    if token_generation::is_lambda_error(&error) {
        OAuthError::invalid_request(error.message)
    } else {
        OAuthError::invalid_grant()
    }
}

/// RFC 7636: `S256` compares BASE64URL(SHA256(verifier)), `plain` the verifier itself.
fn pkce_matches(method: &str, challenge: &str, verifier: &str) -> bool {
    use base64::Engine;
    use sha2::Digest;
    // RFC 7636 §4.1: 43 to 128 characters.
    if !(43..=128).contains(&verifier.len()) {
        return false;
    }
    let expected = match method {
        "S256" => base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(sha2::Sha256::digest(verifier.as_bytes())),
        _ => verifier.to_string(),
    };
    expected.as_bytes().ct_eq(challenge.as_bytes()).into()
}

fn refresh_token(
    app: &App,
    credentials: &ClientCredentials,
    form: &BTreeMap<String, String>,
) -> Result<Value, OAuthError> {
    let client = authenticate(app, credentials)?;
    let token = required(form, "refresh_token")?;
    // A refresh sends nothing, so its messages need no delivery.
    let ctx = crate::app::RequestContext::new(app.region());
    let sign_in = SignIn::new(app, &ctx, &client.pool, &credentials.client_id, Api::Hosted)
        .map_err(|_| OAuthError::invalid_client())?;
    // A refresh token issued to a device needs that device's key here too.
    sign_in.set_device(form.get("device_key").cloned());
    let step = sign_in.refresh(token).map_err(refused)?;
    let result = step
        .authentication_result
        .ok_or_else(OAuthError::invalid_grant)?;
    Ok(token_response(result))
}

fn client_credentials(
    app: &App,
    credentials: &ClientCredentials,
    form: &BTreeMap<String, String>,
) -> Result<Value, OAuthError> {
    let client = authenticate(app, credentials)?;
    if !client.confidential || !allows_flow(&client.config, OAuthFlowType::ClientCredentials) {
        return Err(OAuthError::unauthorized_client());
    }
    let allowed = client
        .config
        .allowed_oauth_scopes
        .clone()
        .unwrap_or_default();
    let scope = grant_scopes(form.get("scope").map(String::as_str), &allowed)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| OAuthError::bare(400, "invalid_scope"))?
        .join(" ");
    let ctx = crate::app::RequestContext::new(app.region());
    let (access_token, expires_in) =
        tokens::issue_client_token(app, &ctx, &client.pool, &client.config, &scope).map_err(
            |error| {
                if token_generation::is_lambda_error(&error) {
                    refused(error)
                } else {
                    // The client was deleted meanwhile.
                    OAuthError::invalid_client()
                }
            },
        )?;
    Ok(json!({
        "access_token": access_token,
        "expires_in": expires_in,
        "token_type": "Bearer",
    }))
}

const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";
const ID_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:id_token";
const SAML2_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:saml2";

/// RFC 8693 §3: a token type identifier.
fn token_type(urn: &str, name: &str) -> Result<TokenTypeIdentifierType, OAuthError> {
    match urn {
        ACCESS_TOKEN_TYPE => Ok(TokenTypeIdentifierType::AccessToken),
        ID_TOKEN_TYPE => Ok(TokenTypeIdentifierType::IdToken),
        SAML2_TOKEN_TYPE => Ok(TokenTypeIdentifierType::Saml2),
        _ => Err(OAuthError::invalid_request(format!("unsupported {name}"))),
    }
}

/// The token-exchange grant (RFC 8693 §2.1), GetDerivedToken's form at the endpoint.
/// Third-party tokens (SubjectTokenProviderName) have no documented form parameter here:
/// a SAML2 subject is refused like any token without its provider.
fn token_exchange(
    app: &App,
    credentials: &ClientCredentials,
    form: &BTreeMap<String, String>,
) -> Result<Value, OAuthError> {
    let client = authenticate(app, credentials)?;
    let subject = required(form, "subject_token")?;
    let subject_type = token_type(required(form, "subject_token_type")?, "subject_token_type")?;
    let actor = form.get("actor_token").filter(|t| !t.is_empty());
    let actor_type = form.get("actor_token_type").filter(|t| !t.is_empty());
    let actor = match (actor, actor_type) {
        (Some(token), Some(urn)) => Some(Presented {
            token,
            kind: token_type(urn, "actor_token_type")?,
            provider: None,
        }),
        (None, None) => None,
        // RFC 8693 §2.1: actor_token_type is required with actor_token, and only then.
        _ => {
            return Err(OAuthError::invalid_request(
                "actor_token and actor_token_type go together",
            ))
        }
    };
    let requested = match form.get("requested_token_type").map(String::as_str) {
        None | Some("") | Some(ACCESS_TOKEN_TYPE) => IssuedTokenTypeIdentifierType::AccessToken,
        Some(ID_TOKEN_TYPE) => IssuedTokenTypeIdentifierType::IdToken,
        Some(_) => {
            return Err(OAuthError::invalid_request(
                "unsupported requested_token_type",
            ))
        }
    };
    let scopes = form.get("scope").map(|s| {
        s.split([' ', '+'])
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()
    });
    let nonempty = |name: &str| form.get(name).filter(|v| !v.is_empty()).cloned();
    let request = exchange::Request {
        subject: Presented {
            token: subject,
            kind: subject_type,
            provider: None,
        },
        actor,
        scopes,
        audience: nonempty("audience"),
        resource: nonempty("resource"),
        requested,
    };
    let issued = exchange::exchange(app, &client, request).map_err(|failure| match failure {
        Failure::Request(message) | Failure::NotImplemented(message) => {
            OAuthError::invalid_request(message)
        }
        Failure::NotEnabled(_) | Failure::PlanRequired => OAuthError::unauthorized_client(),
        Failure::Token(_) | Failure::UserNotFound => OAuthError::invalid_grant(),
        Failure::Scope => OAuthError::bare(400, "invalid_scope"),
        Failure::Target(_) => OAuthError::bare(400, "invalid_target"),
    })?;
    // RFC 8693 §2.2.1: the issued token is in `access_token` whatever its type.
    let (issued_type, bearer) = match issued.kind {
        IssuedTokenTypeIdentifierType::AccessToken => (ACCESS_TOKEN_TYPE, "Bearer"),
        IssuedTokenTypeIdentifierType::IdToken => (ID_TOKEN_TYPE, "N_A"),
    };
    let mut body = Map::new();
    body.insert("access_token".into(), json!(issued.token));
    body.insert("issued_token_type".into(), json!(issued_type));
    body.insert("token_type".into(), json!(bearer));
    body.insert("expires_in".into(), json!(issued.expires_in));
    if let Some(scopes) = issued.scopes {
        body.insert("scope".into(), json!(scopes.join(" ")));
    }
    Ok(Value::Object(body))
}

/// `id_token` only with `openid`; `refresh_token` only when one was issued.
fn token_response(result: AuthenticationResultType) -> Value {
    let mut body = Map::new();
    if let Some(id_token) = result.id_token {
        body.insert("id_token".into(), json!(id_token));
    }
    body.insert("access_token".into(), json!(result.access_token));
    if let Some(refresh_token) = result.refresh_token {
        body.insert("refresh_token".into(), json!(refresh_token));
    }
    body.insert("expires_in".into(), json!(result.expires_in));
    body.insert("token_type".into(), json!("Bearer"));
    Value::Object(body)
}

#[cfg(test)]
mod tests {
    use super::pkce_matches;

    #[test]
    fn pkce_s256_and_plain() {
        // RFC 7636 appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(pkce_matches("S256", challenge, verifier));
        assert!(!pkce_matches(
            "S256",
            challenge,
            &verifier.replace('d', "e")
        ));
        assert!(pkce_matches("plain", verifier, verifier));
        assert!(!pkce_matches("plain", "short", "short"));
    }
}
