//! Issuing and checking a pool's tokens: RS256 ID and access tokens with
//! Cognito's claims, opaque refresh tokens, revocation.
//!
//! Signing happens outside the pool's lock: claims are built from a snapshot taken under
//! the lock, then signed, then, under a short write lock, a refresh is re-checked and the
//! refresh token recorded.

use crate::idp::engine::risk::Source;
use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use serde_json::{json, Map, Value};

use crate::app::{App, RequestContext};
use crate::error::{ApiError, ApiResult};
use crate::generated::cognito_idp::{AuthenticationResultType, TimeUnitsType, UserPoolClientType};
use crate::idp::engine::triggers::token_generation::{self, source, Claims, TokenEvent};
use crate::idp::engine::triggers::{self, Trigger};
use crate::idp::store::auth::{PoolKeys, RefreshRecord};
use crate::idp::store::{PoolHandle, UserKey, UserPool};
use crate::infra::crypto::jwt::{kid_of, SigningKey};

pub const ADMIN_SCOPE: &str = "aws.cognito.signin.user.admin";
/// Real refresh tokens are JWEs; ours look like one (clients may sniff the header).
const REFRESH_HEADER: &str = "eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ";

/// The pool's keys, assigned on first need from the app's reserve (outside the lock).
pub fn pool_keys(app: &App, pool: &PoolHandle) -> Arc<PoolKeys> {
    // The cell is taken out of the lock: concurrent first uses wait for one key pair.
    let cell = pool.read().auth.keys.clone();
    if let Some(keys) = cell.get() {
        return keys.clone();
    }
    let keys = cell
        .get_or_init(|| {
            Arc::new(PoolKeys {
                id: app.take_key(),
                access: app.take_key(),
            })
        })
        .clone();
    // New keys are part of what a durable pool writes.
    pool.write().header_changed();
    keys
}

/// Which sign-in these tokens continue: a new one, or a refresh of an earlier one.
pub struct Grant {
    pub user: UserKey,
    pub client_id: String,
    /// `(origin_jti, auth_time)` of the original sign-in when refreshing.
    pub origin: Option<(String, i64)>,
    pub with_refresh_token: bool,
    /// The OAuth scopes granted (hosted UI, `/oauth2/token`); None for the user-pool API,
    /// whose access tokens carry `aws.cognito.signin.user.admin` only.
    pub scope: Option<String>,
    /// The authorize request's `nonce`, copied into the ID token.
    pub nonce: Option<String>,
    /// The device signed in with (the access token's `device_key`; its refresh token is
    /// bound to it).
    pub device_key: Option<String>,
    /// Where the sign-in came from, kept with its refresh token (ListUserSessions).
    pub source: Source,
    /// PreTokenGeneration's `triggerSource` for these tokens (`TokenGeneration_…`); the
    /// function is given the request's ClientMetadata (`ctx.caller`).
    pub trigger_source: &'static str,
}

impl Grant {
    /// A new sign-in through the user-pool API.
    pub fn api(user: UserKey, client_id: &str) -> Self {
        Grant {
            user,
            client_id: client_id.to_string(),
            origin: None,
            with_refresh_token: true,
            scope: None,
            nonce: None,
            device_key: None,
            source: Source::default(),
            trigger_source: source::AUTHENTICATION,
        }
    }

    /// The scopes the access token carries.
    fn scopes(&self) -> Vec<String> {
        let scope = self.scope.as_deref().unwrap_or(ADMIN_SCOPE);
        scope
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()
    }

    /// Without `openid`, the OAuth endpoints issue no ID token.
    fn with_id_token(&self) -> bool {
        self.scope
            .as_deref()
            .is_none_or(|s| s.split(' ').any(|s| s == "openid"))
    }
}

fn seconds(value: Option<i64>, unit: Option<TimeUnitsType>, default: i64) -> i64 {
    let unit = match unit {
        Some(TimeUnitsType::Seconds) => 1,
        Some(TimeUnitsType::Minutes) => 60,
        Some(TimeUnitsType::Hours) | None => 3600,
        Some(TimeUnitsType::Days) => 86_400,
    };
    value.filter(|v| *v > 0).map_or(default, |v| v * unit)
}

/// Lifetimes in seconds: (access, id, refresh).
pub fn lifetimes(client: &UserPoolClientType) -> (i64, i64, i64) {
    let units = client.token_validity_units.clone().unwrap_or_default();
    let refresh_unit = units.refresh_token.or(Some(TimeUnitsType::Days));
    (
        seconds(client.access_token_validity, units.access_token, 3600),
        seconds(client.id_token_validity, units.id_token, 3600),
        seconds(client.refresh_token_validity, refresh_unit, 30 * 86_400),
    )
}

/// Claims both tokens share, and the ID token's attribute claims.
pub struct Snapshot {
    pub username: String,
    pub sub: String,
    pub groups: Vec<String>,
    pub roles: Vec<String>,
    pub preferred_role: Option<String>,
    pub attributes: Map<String, Value>,
    pub client: UserPoolClientType,
}

/// What a user's tokens for a client say about them, taken under the pool's lock.
pub fn snapshot(pool: &UserPool, user: UserKey, client_id: &str) -> ApiResult<Snapshot> {
    let user = pool.users.get(user).ok_or_else(ApiError::user_not_found)?;
    let client = pool.client(client_id)?.config.clone();
    // Groups by precedence (lowest first), then name.
    let mut groups: Vec<_> = user
        .groups
        .iter()
        .filter_map(|g| pool.groups.get(g))
        .collect();
    groups.sort_by_key(|g| {
        (
            g.group.precedence.unwrap_or(i64::MAX),
            g.group.group_name.clone(),
        )
    });
    let roles: Vec<String> = groups
        .iter()
        .filter_map(|g| g.group.role_arn.clone())
        .collect();
    let preferred_role = groups.iter().find_map(|g| g.group.role_arn.clone());
    let readable = client.read_attributes.clone();
    let mut attributes = Map::new();
    for (name, value) in user.attributes.iter() {
        let allowed = match &readable {
            Some(list) if !list.is_empty() => list.iter().any(|n| n == name),
            _ => !name.starts_with("dev:"),
        };
        if !allowed || name == "sub" {
            continue;
        }
        let claim = match name {
            "email_verified" | "phone_number_verified" => Value::Bool(value == "true"),
            "updated_at" => value
                .parse::<i64>()
                .map(Value::from)
                .unwrap_or_else(|_| Value::String(value.to_string())),
            // Stored as JSON text (as AdminGetUser shows it); the ID token has the array.
            "identities" => serde_json::from_str::<Value>(value)
                .ok()
                .filter(Value::is_array)
                .unwrap_or_else(|| Value::String(value.to_string())),
            _ => Value::String(value.to_string()),
        };
        attributes.insert(name.to_string(), claim);
    }
    Ok(Snapshot {
        username: user.username.clone(),
        sub: user.sub().to_string(),
        groups: groups
            .iter()
            .filter_map(|g| g.group.group_name.clone())
            .collect(),
        roles,
        preferred_role,
        attributes,
        client,
    })
}

/// Signs new ID and access tokens (and a refresh token when asked) for a granted sign-in,
/// after PreTokenGeneration (when the pool has it) has changed their claims.
pub fn issue(
    app: &App,
    ctx: &RequestContext,
    pool: &PoolHandle,
    grant: Grant,
) -> ApiResult<AuthenticationResultType> {
    let keys = pool_keys(app, pool);
    let (snapshot, pool_id, trigger) = {
        let pool = pool.read();
        let trigger = Trigger::PreTokenGeneration.of(&pool).map(|function| {
            let attributes = pool
                .users
                .get(grant.user)
                .map(|user| triggers::user_attributes(&pool, user));
            (function, attributes.unwrap_or_else(|| json!({})))
        });
        (
            snapshot(&pool, grant.user, &grant.client_id)?,
            pool.id().to_string(),
            trigger,
        )
    };
    let now = app.clock.now() as i64;
    let (origin_jti, auth_time) = grant
        .origin
        .clone()
        .unwrap_or_else(|| (crate::infra::ids::uuid(), now));
    let (access_life, id_life, refresh_life) = lifetimes(&snapshot.client);
    let event_id = crate::infra::ids::uuid();
    let issuer = app.issuer(&pool_id);

    let mut id_claims = Map::new();
    id_claims.insert("sub".into(), json!(snapshot.sub));
    if !snapshot.groups.is_empty() {
        id_claims.insert("cognito:groups".into(), json!(snapshot.groups));
    }
    if !snapshot.roles.is_empty() {
        id_claims.insert("cognito:roles".into(), json!(snapshot.roles));
    }
    if let Some(role) = &snapshot.preferred_role {
        id_claims.insert("cognito:preferred_role".into(), json!(role));
    }
    id_claims.extend(snapshot.attributes.clone());
    id_claims.insert("iss".into(), json!(issuer));
    id_claims.insert("cognito:username".into(), json!(snapshot.username));
    if let Some(nonce) = &grant.nonce {
        id_claims.insert("nonce".into(), json!(nonce));
    }
    id_claims.insert("origin_jti".into(), json!(origin_jti));
    id_claims.insert("aud".into(), json!(grant.client_id));
    id_claims.insert("event_id".into(), json!(event_id));
    id_claims.insert("token_use".into(), json!("id"));
    id_claims.insert("auth_time".into(), json!(auth_time));
    id_claims.insert("exp".into(), json!(now + id_life));
    id_claims.insert("iat".into(), json!(now));
    id_claims.insert("jti".into(), json!(crate::infra::ids::uuid()));

    let mut access_claims = Map::new();
    access_claims.insert("sub".into(), json!(snapshot.sub));
    if !snapshot.groups.is_empty() {
        access_claims.insert("cognito:groups".into(), json!(snapshot.groups));
    }
    access_claims.insert("iss".into(), json!(issuer));
    access_claims.insert("client_id".into(), json!(grant.client_id));
    access_claims.insert("origin_jti".into(), json!(origin_jti));
    access_claims.insert("event_id".into(), json!(event_id));
    access_claims.insert("token_use".into(), json!("access"));
    access_claims.insert(
        "scope".into(),
        json!(grant.scope.as_deref().unwrap_or(ADMIN_SCOPE)),
    );
    access_claims.insert("auth_time".into(), json!(auth_time));
    access_claims.insert("exp".into(), json!(now + access_life));
    access_claims.insert("iat".into(), json!(now));
    access_claims.insert("jti".into(), json!(crate::infra::ids::uuid()));
    access_claims.insert("username".into(), json!(snapshot.username));
    if let Some(device_key) = &grant.device_key {
        access_claims.insert("device_key".into(), json!(device_key));
    }
    if grant.scope.is_some() {
        // Tokens from the OAuth endpoints (unconfirmed for API-issued ones).
        access_claims.insert("version".into(), json!(2));
    }

    if let Some((function, user_attributes)) = trigger {
        let scopes = grant.scopes();
        let with_id_token = grant.with_id_token();
        token_generation::pre_token_generation(
            app,
            ctx,
            &function,
            TokenEvent {
                pool_id: &pool_id,
                source: grant.trigger_source,
                username: Some(&snapshot.username),
                client_id: &grant.client_id,
                user_attributes,
                groups: &snapshot.groups,
                roles: &snapshot.roles,
                preferred_role: snapshot.preferred_role.as_deref(),
                scopes: &scopes,
                client_metadata: ctx.caller.client_metadata.as_ref(),
            },
            Claims {
                id: with_id_token.then_some(&mut id_claims),
                access: &mut access_claims,
            },
        )?;
    }

    let access_token = keys.access.sign(&Value::Object(access_claims));
    let id_token = grant.with_id_token().then(|| {
        if grant.scope.is_some() {
            id_claims.insert("at_hash".into(), json!(at_hash(&access_token)));
        }
        keys.id.sign(&Value::Object(id_claims))
    });
    let refresh_token = grant.with_refresh_token.then(new_refresh_token);
    {
        let mut pool = pool.write();
        // A sign-out may have overtaken a refresh while it signed, or the user may have been
        // deleted or disabled meanwhile: then nothing comes out.
        if grant.origin.is_some() {
            check_sign_in_live(&pool, &origin_jti)?;
        }
        let user = pool
            .users
            .get(grant.user)
            .filter(|u| u.sub() == snapshot.sub)
            .ok_or_else(ApiError::user_not_found)?;
        if !user.enabled {
            return Err(ApiError::not_authorized("User is disabled."));
        }
        if let Some(token) = &refresh_token {
            let record = RefreshRecord {
                user: grant.user,
                client_id: grant.client_id.clone(),
                origin_jti: origin_jti.clone(),
                auth_time,
                expires: now as f64 + refresh_life as f64,
                revoked: false,
                scope: grant.scope.clone(),
                device_key: grant.device_key.clone(),
                last_used: now as f64,
                ip: grant.source.ip.map(|ip| ip.to_string()),
                user_agent: grant.source.user_agent.clone(),
            };
            pool.auth.add_refresh_token(token.clone(), record);
            pool.auth.purge_refresh_tokens(now as f64);
        }
    }
    Ok(AuthenticationResultType {
        access_token: Some(access_token),
        id_token,
        refresh_token,
        expires_in: Some(access_life),
        token_type: Some("Bearer".to_string()),
        new_device_metadata: None,
    })
}

/// OIDC's `at_hash`: the left half of the SHA-256 of the access token, base64url.
pub fn at_hash(access_token: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(access_token.as_bytes());
    URL_SAFE_NO_PAD.encode(&digest[..16])
}

/// Whether a sign-in may still be refreshed: sign-out, RevokeToken and deleting the user
/// revoke its origin along with its refresh tokens (rotation alone revokes only the old token).
pub fn check_sign_in_live(pool: &UserPool, origin_jti: &str) -> ApiResult<()> {
    if pool.auth.is_revoked_origin(origin_jti) {
        return Err(revoked_refresh_token());
    }
    Ok(())
}

pub fn revoked_refresh_token() -> ApiError {
    ApiError::not_authorized("Refresh Token has been revoked")
}

fn new_refresh_token() -> String {
    let mut rng = rand::thread_rng();
    let mut part = |len: usize| {
        let mut bytes = vec![0u8; len];
        rng.fill_bytes(&mut bytes);
        URL_SAFE_NO_PAD.encode(bytes)
    };
    format!(
        "{REFRESH_HEADER}.{}.{}.{}.{}",
        part(256),
        part(12),
        part(400),
        part(16)
    )
}

/// A verified access token: its pool, user and claims.
pub struct AccessToken {
    pub pool: PoolHandle,
    pub user: UserKey,
    pub claims: Value,
}

fn invalid() -> ApiError {
    ApiError::not_authorized("Invalid Access Token")
}

/// Checks an access token as every self-service operation does: signature by the pool's
/// access key, `token_use`, expiry, scope, revocation, and that the user still exists.
pub fn verify_access_token(app: &App, token: &str) -> ApiResult<AccessToken> {
    verify_access_token_for(app, token, ADMIN_SCOPE)
}

/// [`verify_access_token`] for another scope (`openid` for userInfo).
pub fn verify_access_token_for(app: &App, token: &str, scope: &str) -> ApiResult<AccessToken> {
    let payload = token.split('.').nth(1).ok_or_else(invalid)?;
    let unverified: Value = URL_SAFE_NO_PAD
        .decode(payload)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(invalid)?;
    let pool_id = unverified["iss"]
        .as_str()
        .and_then(|iss| iss.rsplit('/').next())
        .ok_or_else(invalid)?;
    let pool = app.store.pool(pool_id).map_err(|_| invalid())?;
    let keys: Arc<PoolKeys> = pool.read().auth.keys.get().cloned().ok_or_else(invalid)?;
    let key: &SigningKey = &keys.access;
    if kid_of(token).as_deref() != Some(key.kid.as_str()) {
        return Err(invalid());
    }
    let claims = key.verify(token).ok_or_else(invalid)?;
    if claims["token_use"] != "access" || claims["iss"] != app.issuer(pool_id).as_str() {
        return Err(invalid());
    }
    let now = app.clock.now();
    if claims["exp"].as_f64().is_none_or(|exp| exp <= now) {
        return Err(ApiError::not_authorized("Access Token has expired"));
    }
    let scopes = claims["scope"].as_str().unwrap_or_default();
    if !scopes.split(' ').any(|s| s == scope) {
        return Err(ApiError::not_authorized(
            "Access Token does not have required scopes",
        ));
    }
    let user = {
        let pool = pool.read();
        let username = claims["username"].as_str().ok_or_else(invalid)?;
        let key = pool
            .users
            .find_by_username(username)
            .ok_or_else(ApiError::user_not_found)?;
        let user = pool.user(key)?;
        // A user deleted and created again under the same name is someone else.
        if claims["sub"].as_str() != Some(user.sub()) {
            return Err(ApiError::user_not_found());
        }
        let origin = claims["origin_jti"].as_str().unwrap_or_default();
        if pool.auth.is_revoked_origin(origin) {
            return Err(ApiError::not_authorized("Access Token has been revoked"));
        }
        if !user.enabled {
            return Err(ApiError::not_authorized("User is disabled."));
        }
        key
    };
    Ok(AccessToken { pool, user, claims })
}

/// Revokes a refresh token and every token of its sign-in (RevokeToken, `/oauth2/revoke`).
/// Unknown tokens, or another client's, revoke nothing and are no error (RFC 7009).
pub fn revoke_refresh_token(pool: &mut UserPool, client_id: &str, token: &str, now: f64) {
    let ours = pool
        .auth
        .refresh_token(token)
        .is_some_and(|r| r.client_id == client_id);
    if ours {
        if let Some(origin) = pool.auth.revoke_refresh_token(token) {
            pool.auth.revoke_origin(origin, now);
        }
    }
}

/// Signs a user out everywhere: every refresh token dies, and with it every access token
/// derived from the same sign-ins (they share `origin_jti`).
pub fn sign_out_everywhere(pool: &mut UserPool, user: UserKey, now: f64) {
    pool.auth.revoke_user(user, now);
}

/// An access token for an app client itself (client_credentials, GetClientToken): the
/// client is its subject, the scopes are its resource-server scopes; no user, no ID token.
/// A PreTokenGeneration V3_0 function may change it (V1_0 and V2_0 are not called).
/// Returns the token and its lifetime in seconds.
pub fn issue_client_token(
    app: &App,
    ctx: &RequestContext,
    pool: &PoolHandle,
    client: &UserPoolClientType,
    scope: &str,
) -> ApiResult<(String, i64)> {
    let keys = pool_keys(app, pool);
    let (pool_id, trigger) = {
        let pool = pool.read();
        let trigger = Trigger::PreTokenGeneration
            .of(&pool)
            .filter(|function| function.version == "3");
        (pool.id().to_string(), trigger)
    };
    let client_id = client.client_id.clone().unwrap_or_default();
    let (access_life, _, _) = lifetimes(client);
    let now = app.clock.now() as i64;
    let mut claims = json!({
        "sub": client_id,
        "token_use": "access",
        "scope": scope,
        "auth_time": now,
        "iss": app.issuer(&pool_id),
        "exp": now + access_life,
        "iat": now,
        "version": 2,
        "jti": crate::infra::ids::uuid(),
        "client_id": client_id,
    });
    if let Some(function) = trigger {
        let scopes: Vec<String> = scope.split(' ').map(String::from).collect();
        let access = claims.as_object_mut().expect("claims are an object");
        token_generation::pre_token_generation(
            app,
            ctx,
            &function,
            TokenEvent {
                pool_id: &pool_id,
                source: source::CLIENT_CREDENTIALS,
                username: None,
                client_id: &client_id,
                user_attributes: json!({}),
                groups: &[],
                roles: &[],
                preferred_role: None,
                scopes: &scopes,
                client_metadata: ctx.caller.client_metadata.as_ref(),
            },
            Claims { id: None, access },
        )?;
        // The client may have been deleted while the function ran.
        pool.read().client(&client_id)?;
    }
    Ok((keys.access.sign(&claims), access_life))
}
