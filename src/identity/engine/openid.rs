//! This service's OpenID tokens (GetOpenIdToken, GetOpenIdTokenForDeveloperIdentity): RS256
//! JWTs from one signing key, published with a discovery document at the issuer
//! ([`App::identity_issuer`]).

use std::sync::Arc;

use serde_json::{json, Map, Value};

use crate::app::App;
use crate::infra::crypto::jwt::SigningKey;

/// The key, made on first use (may wait for a key generation: call off the async threads).
pub fn key(app: &App) -> Arc<SigningKey> {
    app.identity.signing_key(|| app.take_key())
}

/// A signed token for an identity: `sub` the identity, `aud` its pool, `amr` how it
/// authenticated, valid `lifetime` seconds.
pub fn sign(
    app: &App,
    pool_id: &str,
    identity_id: &str,
    amr: Vec<String>,
    lifetime: i64,
    extra: Map<String, Value>,
) -> String {
    let key = key(app);
    let now = app.clock.now() as i64;
    let mut claims = Map::new();
    claims.insert("sub".into(), json!(identity_id));
    claims.insert("aud".into(), json!(pool_id));
    claims.insert("amr".into(), json!(amr));
    claims.insert("iss".into(), json!(app.identity_issuer()));
    claims.insert(
        "https://cognito-identity.amazonaws.com/identity-pool-arn".into(),
        json!(super::pools::pool_arn(app, pool_id)),
    );
    claims.extend(extra);
    claims.insert("exp".into(), json!(now + lifetime));
    claims.insert("iat".into(), json!(now));
    key.sign(&Value::Object(claims))
}

/// The claims of a token we signed (expiry is the caller's to check).
pub fn verify(app: &App, token: &str) -> Option<Value> {
    let claims = app.identity.existing_key()?.verify(token)?;
    (claims["iss"] == app.identity_issuer().as_str()).then_some(claims)
}

pub fn jwks(app: &App) -> Value {
    json!({"keys": [key(app).jwk()]})
}

pub fn discovery(app: &App) -> Value {
    let issuer = app.identity_issuer();
    let local = format!("{}/cognito-identity", app.public_url);
    json!({
        "issuer": issuer,
        "jwks_uri": format!("{local}/.well-known/jwks_uri"),
        "response_types_supported": ["code", "id_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "claims_supported": ["sub", "aud", "amr", "iss", "exp", "iat"],
    })
}
