//! Sign-in: InitiateAuth, AdminInitiateAuth, RespondToAuthChallenge,
//! AdminRespondToAuthChallenge and GetTokensFromRefreshToken (reference §5, §6).
//!
//! These operations run on the blocking pool (they sign tokens and do SRP arithmetic); the
//! arithmetic and signing happen between short pool-lock sections, never under a lock.

use std::collections::BTreeMap;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use num_bigint::BigUint;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::app::App;
use crate::app::RequestContext;
use crate::error::{ApiError, ApiResult};
use crate::generated::cognito_idp::*;
use crate::idp::api::reshape;
use crate::idp::api::users::{check_user_writes, claim_aliases, release_aliases};
use crate::idp::engine::attributes::WriteKind;
use crate::idp::engine::password_policy::{self, Context};
use crate::idp::engine::tokens::{self, Grant};
use crate::idp::store::auth::{AuthSession, Pending};
use crate::idp::store::{AppClient, PoolHandle, UserKey, UserPool};
use crate::infra::crypto::srp;

/// Which API a sign-in came through: some flows belong to one of them only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Api {
    Public,
    Admin,
}

/// The answer of every sign-in step, whatever API returns it.
type Step = InitiateAuthResponse;

/// A user the session stands for but who does not exist (PreventUserExistenceErrors).
const NOBODY: UserKey = UserKey::MAX;
const FAILURES_BEFORE_LOCKOUT: u32 = 5;

fn incorrect() -> ApiError {
    ApiError::not_authorized("Incorrect username or password.")
}

fn missing(name: &str) -> ApiError {
    ApiError::invalid_parameter(format!("Missing required parameter {name}"))
}

fn param<'a>(params: &'a BTreeMap<String, String>, name: &str) -> ApiResult<&'a str> {
    params
        .get(name)
        .map(String::as_str)
        .ok_or_else(|| missing(name))
}

pub fn initiate_auth(
    app: &App,
    _: &RequestContext,
    input: InitiateAuthRequest,
) -> ApiResult<InitiateAuthResponse> {
    let pool = app.store.pool_for_client(&input.client_id)?;
    let params = input.auth_parameters.unwrap_or_default();
    initiate(
        app,
        Api::Public,
        &pool,
        &input.client_id,
        input.auth_flow,
        &params,
    )
}

pub fn admin_initiate_auth(
    app: &App,
    _: &RequestContext,
    input: AdminInitiateAuthRequest,
) -> ApiResult<AdminInitiateAuthResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    pool.read().client(&input.client_id)?;
    let params = input.auth_parameters.unwrap_or_default();
    reshape(initiate(
        app,
        Api::Admin,
        &pool,
        &input.client_id,
        input.auth_flow,
        &params,
    )?)
}

pub fn respond_to_auth_challenge(
    app: &App,
    _: &RequestContext,
    input: RespondToAuthChallengeRequest,
) -> ApiResult<RespondToAuthChallengeResponse> {
    let pool = app.store.pool_for_client(&input.client_id)?;
    let responses = input.challenge_responses.unwrap_or_default();
    reshape(respond(
        app,
        &pool,
        &input.client_id,
        input.challenge_name,
        input.session.as_deref(),
        &responses,
    )?)
}

pub fn admin_respond_to_auth_challenge(
    app: &App,
    _: &RequestContext,
    input: AdminRespondToAuthChallengeRequest,
) -> ApiResult<AdminRespondToAuthChallengeResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    pool.read().client(&input.client_id)?;
    let responses = input.challenge_responses.unwrap_or_default();
    reshape(respond(
        app,
        &pool,
        &input.client_id,
        input.challenge_name,
        input.session.as_deref(),
        &responses,
    )?)
}

pub fn get_tokens_from_refresh_token(
    app: &App,
    _: &RequestContext,
    input: GetTokensFromRefreshTokenRequest,
) -> ApiResult<GetTokensFromRefreshTokenResponse> {
    let pool = app.store.pool_for_client(&input.client_id)?;
    let rules = {
        let pool = pool.read();
        let client = pool.client(&input.client_id)?;
        client.verify_secret(input.client_secret.as_deref())?;
        client_rules(client)
    };
    if !rules.allows(AuthFlowType::RefreshTokenAuth) {
        return Err(ApiError::invalid_parameter(
            "Auth flow not enabled for this client",
        ));
    }
    let result = refresh(
        app,
        &pool,
        &input.client_id,
        &input.refresh_token,
        rules.rotation,
    )?;
    Ok(GetTokensFromRefreshTokenResponse {
        authentication_result: result.authentication_result,
    })
}

/// What sign-in needs to know about the app client.
pub(crate) struct ClientRules {
    pub(crate) flows: Vec<ExplicitAuthFlowsType>,
    pub(crate) secrets: Vec<String>,
    pub(crate) prevent_user_existence_errors: bool,
    pub(crate) session_minutes: i64,
    pub(crate) rotation: bool,
}

pub(crate) fn client_rules(client: &AppClient) -> ClientRules {
    let config = &client.config;
    ClientRules {
        flows: config.explicit_auth_flows.clone().unwrap_or_default(),
        secrets: client.secrets.iter().map(|s| s.value.clone()).collect(),
        prevent_user_existence_errors: config.prevent_user_existence_errors
            == Some(PreventUserExistenceErrorTypes::Enabled),
        session_minutes: config.auth_session_validity.unwrap_or(3),
        rotation: config
            .refresh_token_rotation
            .as_ref()
            .is_some_and(|r| r.feature == FeatureType::Enabled),
    }
}

impl ClientRules {
    fn allows(&self, flow: AuthFlowType) -> bool {
        use ExplicitAuthFlowsType as F;
        let has = |f: F| self.flows.contains(&f);
        let legacy = self.flows.iter().any(|f| {
            matches!(
                f,
                F::AdminNoSrpAuth | F::CustomAuthFlowOnly | F::UserPasswordAuth
            )
        });
        match flow {
            AuthFlowType::UserPasswordAuth => {
                has(F::AllowUserPasswordAuth) || has(F::UserPasswordAuth)
            }
            AuthFlowType::AdminUserPasswordAuth | AuthFlowType::AdminNoSrpAuth => {
                has(F::AllowAdminUserPasswordAuth) || has(F::AdminNoSrpAuth)
            }
            // Legacy clients always allowed SRP and refresh.
            AuthFlowType::UserSrpAuth => has(F::AllowUserSrpAuth) || legacy,
            AuthFlowType::RefreshTokenAuth | AuthFlowType::RefreshToken => {
                has(F::AllowRefreshTokenAuth) || legacy
            }
            AuthFlowType::CustomAuth => has(F::AllowCustomAuth) || has(F::CustomAuthFlowOnly),
            AuthFlowType::UserAuth => has(F::AllowUserAuth),
        }
    }

    /// Resolves the user a request names and checks its SECRET_HASH over that name or the
    /// user's internal username; returns the user, if one exists.
    pub(crate) fn check_secret_hash_for(
        &self,
        pool: &UserPool,
        client_id: &str,
        given: Option<&str>,
        username: &str,
    ) -> ApiResult<Option<UserKey>> {
        let found = pool.users.find(username);
        let internal = found
            .and_then(|k| pool.users.get(k))
            .map(|u| u.username.as_str());
        let names: Vec<&str> = std::iter::once(username).chain(internal).collect();
        self.check_secret_hash(client_id, given, &names)?;
        Ok(found)
    }

    /// SECRET_HASH, for clients with a secret: over the name the caller used or the internal
    /// username, with any of the client's secrets.
    pub(crate) fn check_secret_hash(
        &self,
        client_id: &str,
        given: Option<&str>,
        usernames: &[&str],
    ) -> ApiResult<()> {
        if self.secrets.is_empty() {
            return Ok(());
        }
        let given = given.ok_or_else(|| {
            ApiError::not_authorized(format!(
                "Client {client_id} is configured for secret but secret was not received"
            ))
        })?;
        let valid = self.secrets.iter().any(|secret| {
            usernames
                .iter()
                .any(|name| srp::verify_secret_hash(secret, name, client_id, given))
        });
        if valid {
            Ok(())
        } else {
            Err(ApiError::not_authorized(format!(
                "Unable to verify secret hash for client {client_id}"
            )))
        }
    }
}

fn initiate(
    app: &App,
    api: Api,
    pool: &PoolHandle,
    client_id: &str,
    flow: AuthFlowType,
    params: &BTreeMap<String, String>,
) -> ApiResult<Step> {
    let rules = client_rules(pool.read().client(client_id)?);
    let wrong_api = match flow {
        AuthFlowType::UserPasswordAuth => api == Api::Admin,
        AuthFlowType::AdminUserPasswordAuth | AuthFlowType::AdminNoSrpAuth => api == Api::Public,
        _ => false,
    };
    if wrong_api {
        // Text unconfirmed.
        return Err(ApiError::invalid_parameter(
            "Initiate Auth method not supported.",
        ));
    }
    if !rules.allows(flow) {
        return Err(ApiError::invalid_parameter(match flow {
            AuthFlowType::UserPasswordAuth => "USER_PASSWORD_AUTH flow not enabled for this client",
            AuthFlowType::CustomAuth => "CUSTOM_AUTH is not enabled for the client.",
            _ => "Auth flow not enabled for this client",
        }));
    }
    match flow {
        AuthFlowType::UserPasswordAuth
        | AuthFlowType::AdminUserPasswordAuth
        | AuthFlowType::AdminNoSrpAuth => {
            let username = param(params, "USERNAME")?;
            let password = param(params, "PASSWORD")?;
            let user = authenticate_password(
                app,
                pool,
                client_id,
                &rules,
                username,
                password,
                params.get("SECRET_HASH"),
            )?;
            after_first_factor(app, pool, client_id, &rules, user)
        }
        AuthFlowType::UserSrpAuth => start_srp(app, pool, client_id, &rules, params),
        AuthFlowType::RefreshTokenAuth | AuthFlowType::RefreshToken => {
            let token = param(params, "REFRESH_TOKEN")?;
            let secret_hash = params.get("SECRET_HASH").map(String::as_str);
            let username = params.get("USERNAME").map(String::as_str);
            if !rules.secrets.is_empty() {
                // The hash is over the username the SDK knows, or the internal one.
                let record_user = {
                    let pool = pool.read();
                    pool.auth
                        .refresh_token(token)
                        .and_then(|r| pool.users.get(r.user))
                        .map(|u| u.username.clone())
                };
                let names: Vec<&str> = username.into_iter().chain(record_user.as_deref()).collect();
                rules.check_secret_hash(client_id, secret_hash, &names)?;
            }
            refresh(app, pool, client_id, token, rules.rotation)
        }
        AuthFlowType::CustomAuth | AuthFlowType::UserAuth => Err(ApiError::new(
            "NotImplementedException",
            format!(
                "The {} flow is not implemented by cognito-emulator yet.",
                flow.as_str()
            ),
        )),
    }
}

/// Resolves and checks a user's password (USER_PASSWORD_AUTH and the admin flows).
#[allow(clippy::too_many_arguments)]
fn authenticate_password(
    app: &App,
    pool: &PoolHandle,
    client_id: &str,
    rules: &ClientRules,
    username: &str,
    password: &str,
    secret_hash: Option<&String>,
) -> ApiResult<UserKey> {
    let now = app.clock.now();
    let mut pool = pool.write();
    let found =
        rules.check_secret_hash_for(&pool, client_id, secret_hash.map(String::as_str), username)?;
    let Some(key) = found else {
        return Err(if rules.prevent_user_existence_errors {
            incorrect()
        } else {
            ApiError::user_not_found()
        });
    };
    check_lockout(&pool, key, now)?;
    let user = pool.user(key)?;
    let matches = user
        .password
        .as_ref()
        .is_some_and(|record| record.verify(pool.srp_pool_name(), &user.username, password));
    if !matches {
        record_failure(&mut pool, key, now);
        return Err(incorrect());
    }
    pool.auth.lockouts.remove(&key);
    check_user_state(&pool, key, now, rules)?;
    Ok(key)
}

fn check_lockout(pool: &UserPool, key: UserKey, now: f64) -> ApiResult<()> {
    match pool.auth.lockouts.get(&key) {
        Some(lockout) if lockout.until > now => {
            Err(ApiError::not_authorized("Password attempts exceeded"))
        }
        _ => Ok(()),
    }
}

/// After five consecutive failures each further one locks the user out for twice as long,
/// from 1 second up to 15 minutes (numbers unconfirmed).
fn record_failure(pool: &mut UserPool, key: UserKey, now: f64) {
    let lockout = pool.auth.lockouts.entry(key).or_default();
    lockout.failures += 1;
    if lockout.failures >= FAILURES_BEFORE_LOCKOUT {
        let exponent = (lockout.failures - FAILURES_BEFORE_LOCKOUT).min(10);
        lockout.until = now + f64::from(1u32 << exponent).min(900.0);
    }
}

/// The checks that follow a correct password (reference §6.3).
fn check_user_state(pool: &UserPool, key: UserKey, now: f64, rules: &ClientRules) -> ApiResult<()> {
    let user = pool.user(key)?;
    if !user.enabled {
        return Err(ApiError::not_authorized("User is disabled."));
    }
    match user.status {
        UserStatusType::Unconfirmed => Err(ApiError::new(
            "UserNotConfirmedException",
            "User is not confirmed.",
        )),
        UserStatusType::ResetRequired if rules.prevent_user_existence_errors => Err(incorrect()),
        UserStatusType::ResetRequired => Err(ApiError::new(
            "PasswordResetRequiredException",
            "Password reset required for the user",
        )),
        UserStatusType::ForceChangePassword
            if user.temporary_password_expires.is_some_and(|t| t <= now) =>
        {
            // Text unconfirmed.
            Err(ApiError::not_authorized(
                "Temporary password has expired and must be reset by an administrator.",
            ))
        }
        _ => Ok(()),
    }
}

/// After the password (or SRP) step: a new password if the current one is temporary, else
/// tokens.
fn after_first_factor(
    app: &App,
    pool: &PoolHandle,
    client_id: &str,
    rules: &ClientRules,
    key: UserKey,
) -> ApiResult<Step> {
    let now = app.clock.now();
    let mut guard = pool.write();
    let user = guard.user(key)?.clone();
    if user.status == UserStatusType::ForceChangePassword {
        let required: Vec<String> = guard
            .missing_required(|name| user.attribute(name).is_some())
            .into_iter()
            .map(|name| format!("userAttributes.{name}"))
            .collect();
        let current: serde_json::Map<String, serde_json::Value> = user
            .attributes
            .iter()
            .filter(|(name, _)| *name != "sub")
            .map(|(name, value)| {
                (
                    name.to_string(),
                    serde_json::Value::String(value.to_string()),
                )
            })
            .collect();
        let session = new_session(
            &mut guard,
            client_id,
            key,
            &user.username,
            Pending::NewPassword,
            rules,
            now,
            None,
        );
        let parameters = BTreeMap::from([
            ("USER_ID_FOR_SRP".to_string(), user.username.clone()),
            (
                "requiredAttributes".to_string(),
                serde_json::to_string(&required).expect("json"),
            ),
            (
                "userAttributes".to_string(),
                serde_json::Value::Object(current).to_string(),
            ),
        ]);
        return Ok(Step {
            challenge_name: Some(ChallengeNameType::NewPasswordRequired),
            session: Some(session),
            challenge_parameters: Some(parameters),
            ..Default::default()
        });
    }
    if guard.mfa.mfa_configuration == Some(UserPoolMfaType::On) {
        return Err(ApiError::new(
            "NotImplementedException",
            "MFA challenges are not implemented by cognito-emulator yet; set the pool's MfaConfiguration to OFF or OPTIONAL.",
        ));
    }
    drop(guard);
    let result = tokens::issue(
        app,
        pool,
        Grant {
            user: key,
            client_id: client_id.to_string(),
            origin: None,
            with_refresh_token: true,
        },
    )?;
    Ok(Step {
        authentication_result: Some(result),
        challenge_parameters: Some(BTreeMap::new()),
        ..Default::default()
    })
}

#[allow(clippy::too_many_arguments)]
fn new_session(
    pool: &mut UserPool,
    client_id: &str,
    user: UserKey,
    username: &str,
    pending: Pending,
    rules: &ClientRules,
    now: f64,
    secret_block: Option<String>,
) -> String {
    pool.auth.purge_sessions(now);
    let mut bytes = [0u8; 48];
    rand::thread_rng().fill_bytes(&mut bytes);
    let id = URL_SAFE_NO_PAD.encode(bytes);
    if let Some(block) = &secret_block {
        pool.auth.secret_blocks.insert(block.clone(), id.clone());
    }
    pool.auth.sessions.insert(
        id.clone(),
        AuthSession {
            client_id: client_id.to_string(),
            user,
            username: username.to_string(),
            pending,
            expires: now + rules.session_minutes as f64 * 60.0,
            used: false,
            secret_block,
        },
    );
    id
}

/// The pending challenge a session (or, for SRP, a SECRET_BLOCK) names, with Cognito's
/// errors for unknown, used and expired sessions. Not yet marked used.
fn find_session(
    pool: &UserPool,
    session: Option<&str>,
    secret_block: Option<&str>,
    client_id: &str,
    now: f64,
) -> ApiResult<(String, AuthSession)> {
    let invalid = || ApiError::not_authorized("Invalid session for the user.");
    let id = match (session, secret_block) {
        (Some(id), _) => id.to_string(),
        (None, Some(block)) => pool
            .auth
            .secret_blocks
            .get(block)
            .cloned()
            .ok_or_else(invalid)?,
        (None, None) => return Err(missing("Session")),
    };
    let found = pool.auth.sessions.get(&id).cloned().ok_or_else(invalid)?;
    if found.client_id != client_id {
        return Err(invalid());
    }
    if found.used {
        return Err(ApiError::not_authorized(
            "Invalid session for the user, session can only be used once.",
        ));
    }
    if found.expires <= now {
        return Err(ApiError::not_authorized(
            "Invalid session for the user, session is expired.",
        ));
    }
    Ok((id, found))
}

fn respond(
    app: &App,
    pool: &PoolHandle,
    client_id: &str,
    challenge: ChallengeNameType,
    session: Option<&str>,
    responses: &BTreeMap<String, String>,
) -> ApiResult<Step> {
    let rules = client_rules(pool.read().client(client_id)?);
    match challenge {
        ChallengeNameType::NewPasswordRequired => {
            new_password(app, pool, client_id, &rules, session, responses)
        }
        ChallengeNameType::PasswordVerifier => {
            verify_srp(app, pool, client_id, &rules, session, responses)
        }
        other => Err(ApiError::new(
            "NotImplementedException",
            format!(
                "The {} challenge is not implemented by cognito-emulator yet.",
                other.as_str()
            ),
        )),
    }
}

fn new_password(
    app: &App,
    pool: &PoolHandle,
    client_id: &str,
    rules: &ClientRules,
    session: Option<&str>,
    responses: &BTreeMap<String, String>,
) -> ApiResult<Step> {
    let username = param(responses, "USERNAME")?;
    let new_password = param(responses, "NEW_PASSWORD")?;
    let now = app.clock.now();
    let key = {
        let mut guard = pool.write();
        let (id, found) = find_session(&guard, session, None, client_id, now)?;
        if found.pending != Pending::NewPassword || guard.users.find(username) != Some(found.user) {
            return Err(ApiError::not_authorized("Invalid session for the user."));
        }
        rules.check_secret_hash(
            client_id,
            responses.get("SECRET_HASH").map(String::as_str),
            &[username, &found.username],
        )?;
        let policy = guard.password_policy();
        password_policy::check(&policy, new_password, Context::UserPassword)?;
        let written: Vec<AttributeType> = responses
            .iter()
            .filter_map(|(k, v)| {
                k.strip_prefix("userAttributes.").map(|name| AttributeType {
                    name: name.to_string(),
                    value: Some(v.clone()),
                })
            })
            .collect();
        let values = check_user_writes(&guard, client_id, &written, WriteKind::Update)?;
        let mut user = guard.user(found.user)?.clone();
        let missing = guard
            .missing_required(|name| user.attribute(name).is_some() || values.contains_key(name));
        if let Some(name) = missing.first() {
            // Text unconfirmed.
            return Err(ApiError::invalid_parameter(format!(
                "Invalid attributes given, {name} is missing"
            )));
        }
        for (name, value) in values {
            user.set_attribute(&name, value);
        }
        user.password = Some(guard.password_record(&user.username, new_password));
        user.status = UserStatusType::Confirmed;
        user.temporary_password_expires = None;
        user.modified = now;
        let moves = claim_aliases(&guard, Some(found.user), &user, false, false)?;
        release_aliases(&mut guard, moves, now);
        guard.users.update(found.user, |u| *u = user);
        if let Some(s) = guard.auth.sessions.get_mut(&id) {
            s.used = true;
        }
        found.user
    };
    after_first_factor(app, pool, client_id, rules, key)
}

/// A UUID-looking id that is the same for the same (pool, name), so probing an unknown
/// user's SRP challenge twice reveals nothing.
fn stable_fake_id(pool_id: &str, name: &str) -> (String, [u8; 16]) {
    let digest = Sha256::new()
        .chain_update(pool_id)
        .chain_update([0])
        .chain_update(name)
        .finalize();
    let mut salt = [0u8; 16];
    salt.copy_from_slice(&digest[16..32]);
    salt[0] = (salt[0] & 0x7f).max(1);
    let h = srp::to_hex(&digest[..16]);
    (
        format!(
            "{}-{}-4{}-a{}-{}",
            &h[0..8],
            &h[8..12],
            &h[13..16],
            &h[17..20],
            &h[20..32]
        ),
        salt,
    )
}

fn start_srp(
    app: &App,
    pool: &PoolHandle,
    client_id: &str,
    rules: &ClientRules,
    params: &BTreeMap<String, String>,
) -> ApiResult<Step> {
    let username = param(params, "USERNAME")?;
    let srp_a = param(params, "SRP_A")?;
    let a =
        srp::parse_a(srp_a).ok_or_else(|| ApiError::invalid_parameter("Invalid SRP_A value."))?;
    // Under the lock: who is this, and their salt and x. No arithmetic here.
    let (key, internal, salt, x) = {
        let guard = pool.read();
        let found = rules.check_secret_hash_for(
            &guard,
            client_id,
            params.get("SECRET_HASH").map(String::as_str),
            username,
        )?;
        let user = found.and_then(|k| guard.users.get(k));
        match user.and_then(|u| u.password.clone().map(|p| (u.username.clone(), p))) {
            Some((name, record)) => (found.expect("found"), name, record.salt, Some(record.x)),
            None if rules.prevent_user_existence_errors => {
                let (fake, salt) = stable_fake_id(guard.id(), username);
                (NOBODY, fake, salt, None)
            }
            None => return Err(ApiError::user_not_found()),
        }
    };
    // Outside the lock: the verifier and B (two modular exponentiations).
    let v = match x {
        Some(x) => srp::verifier_from_x(&x),
        None => srp::verifier_from_x(&rand::random::<[u8; 32]>()),
    };
    let challenge = srp::server_challenge(&v);
    let mut block = vec![0u8; 96];
    rand::thread_rng().fill_bytes(&mut block);
    let secret_block = STANDARD.encode(&block);
    let pending = Pending::PasswordVerifier {
        b: challenge.b.to_bytes_be(),
        big_b: challenge.big_b.to_bytes_be(),
        a: a.to_bytes_be(),
        v: v.to_bytes_be(),
    };
    let now = app.clock.now();
    let session = new_session(
        &mut pool.write(),
        client_id,
        key,
        &internal,
        pending,
        rules,
        now,
        Some(secret_block.clone()),
    );
    let parameters = BTreeMap::from([
        ("SALT".to_string(), srp::salt_hex(&salt)),
        (
            "SRP_B".to_string(),
            srp::to_hex(&challenge.big_b.to_bytes_be()),
        ),
        ("SECRET_BLOCK".to_string(), secret_block),
        ("USER_ID_FOR_SRP".to_string(), internal.clone()),
        ("USERNAME".to_string(), internal),
    ]);
    Ok(Step {
        challenge_name: Some(ChallengeNameType::PasswordVerifier),
        session: Some(session),
        challenge_parameters: Some(parameters),
        ..Default::default()
    })
}

fn verify_srp(
    app: &App,
    pool: &PoolHandle,
    client_id: &str,
    rules: &ClientRules,
    session: Option<&str>,
    responses: &BTreeMap<String, String>,
) -> ApiResult<Step> {
    let username = param(responses, "USERNAME")?;
    let secret_block = param(responses, "PASSWORD_CLAIM_SECRET_BLOCK")?;
    let signature = param(responses, "PASSWORD_CLAIM_SIGNATURE")?;
    let timestamp = param(responses, "TIMESTAMP")?;
    let now = app.clock.now();
    // pycognito sends no Session here: the SECRET_BLOCK finds the challenge.
    let (id, found, pool_name) = {
        let guard = pool.read();
        let (id, found) = find_session(&guard, session, Some(secret_block), client_id, now)?;
        if found.secret_block.as_deref() != Some(secret_block) {
            return Err(ApiError::not_authorized("Invalid session for the user."));
        }
        rules.check_secret_hash(
            client_id,
            responses.get("SECRET_HASH").map(String::as_str),
            &[username, &found.username],
        )?;
        (id, found, guard.srp_pool_name().to_string())
    };
    let Pending::PasswordVerifier { b, big_b, a, v } = &found.pending else {
        return Err(ApiError::not_authorized("Invalid session for the user."));
    };
    // Outside the lock: S, K and the expected signature.
    let block_bytes = STANDARD
        .decode(secret_block)
        .map_err(|_| ApiError::not_authorized("Invalid session for the user."))?;
    let key = srp::session_key(
        &BigUint::from_bytes_be(a),
        &BigUint::from_bytes_be(big_b),
        &BigUint::from_bytes_be(b),
        &BigUint::from_bytes_be(v),
    );
    let valid = key.is_some_and(|key| {
        let expected =
            srp::claim_signature(&key, &pool_name, &found.username, &block_bytes, timestamp);
        srp::verify_claim(&expected, signature)
    });
    let mut guard = pool.write();
    // Answered concurrently: only the first answer counts.
    match guard.auth.sessions.get_mut(&id) {
        Some(s) if !s.used => s.used = true,
        _ => {
            return Err(ApiError::not_authorized(
                "Invalid session for the user, session can only be used once.",
            ))
        }
    }
    if found.user == NOBODY {
        return Err(incorrect());
    }
    check_lockout(&guard, found.user, now)?;
    if !valid {
        record_failure(&mut guard, found.user, now);
        return Err(incorrect());
    }
    guard.auth.lockouts.remove(&found.user);
    check_user_state(&guard, found.user, now, rules)?;
    drop(guard);
    after_first_factor(app, pool, client_id, rules, found.user)
}

/// REFRESH_TOKEN_AUTH and GetTokensFromRefreshToken: new ID and access tokens from the same
/// sign-in; with rotation also a new refresh token, the old one then dies.
fn refresh(
    app: &App,
    pool: &PoolHandle,
    client_id: &str,
    token: &str,
    rotate: bool,
) -> ApiResult<Step> {
    let now = app.clock.now();
    let record = {
        let guard = pool.read();
        let record = guard
            .auth
            .refresh_token(token)
            .filter(|r| r.client_id == client_id)
            .cloned()
            .ok_or_else(|| ApiError::not_authorized("Invalid Refresh Token"))?;
        if record.revoked {
            return Err(ApiError::not_authorized("Refresh Token has been revoked"));
        }
        if record.expires <= now {
            return Err(ApiError::not_authorized("Refresh Token has expired"));
        }
        let user = guard
            .users
            .get(record.user)
            .ok_or_else(ApiError::user_not_found)?;
        if !user.enabled {
            return Err(ApiError::not_authorized("User is disabled."));
        }
        record
    };
    let grant = Grant {
        user: record.user,
        client_id: client_id.to_string(),
        origin: Some((record.origin_jti.clone(), record.auth_time)),
        with_refresh_token: rotate,
    };
    let result = tokens::issue(app, pool, grant)?;
    if rotate {
        // The grace period for the old token is not modelled: it dies at once (unconfirmed).
        pool.write().auth.revoke_refresh_token(token);
    }
    Ok(Step {
        authentication_result: Some(result),
        challenge_parameters: Some(BTreeMap::new()),
        ..Default::default()
    })
}
