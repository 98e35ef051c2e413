//! Declarative seeding (`--seed FILE`): pools, their hosted-UI domain, resource servers and
//! identity providers, app clients (with fixed ids and secrets), groups and users, so a
//! docker-compose file or a CI job always gets the same ids.
//!
//! Applying a seed is idempotent: what already exists (pools by id, or by name when the seed
//! gives no id; clients by id or name; resource servers by identifier; identity providers,
//! groups and users by name; a domain the pool already has) is left alone, never
//! duplicated. Everything goes through the same operations and validation as API calls, and
//! any problem names the file, the entry and the cause. Identity pools (with fixed ids, roles
//! and role mappings) come after the user pools they trust.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::app::App;
use crate::error::ApiError;
use crate::generated::cognito_identity::Operation as IdentityOp;
use crate::generated::cognito_idp::{Operation as Op, UserStatusType};
use crate::protocol::Target;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Seed {
    #[serde(default)]
    pub user_pools: Vec<SeedPool>,
    /// Identity pools, applied after the user pools they may trust.
    #[serde(default)]
    pub identity_pools: Vec<SeedIdentityPool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SeedIdentityPool {
    /// A fixed identity pool id, `<region>:<uuid>`.
    pub id: Option<String>,
    pub name: String,
    /// Any other CreateIdentityPool request members, spelled as in the API
    /// (`AllowUnauthenticatedIdentities`, `CognitoIdentityProviders`, …).
    #[serde(default)]
    pub settings: Map<String, Value>,
    /// SetIdentityPoolRoles' `Roles` (`authenticated`, `unauthenticated`).
    #[serde(default)]
    pub roles: Map<String, Value>,
    /// SetIdentityPoolRoles' `RoleMappings`.
    #[serde(default)]
    pub role_mappings: Map<String, Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SeedPool {
    /// A fixed pool id, `<region>_<alphanumerics>`.
    pub id: Option<String>,
    pub name: String,
    /// Any other CreateUserPool request members, spelled as in the API (`Policies`,
    /// `UsernameAttributes`, `AutoVerifiedAttributes`, `Schema`, …).
    #[serde(default)]
    pub settings: Map<String, Value>,
    /// A hosted-UI domain prefix (`CreateUserPoolDomain`).
    pub domain: Option<String>,
    /// CreateResourceServer requests, spelled as in the API (`Identifier`, `Name`, `Scopes`).
    #[serde(default)]
    pub resource_servers: Vec<Map<String, Value>>,
    /// CreateIdentityProvider requests, spelled as in the API (`ProviderName`,
    /// `ProviderType`, `ProviderDetails`, `AttributeMapping`, `IdpIdentifiers`).
    #[serde(default)]
    pub identity_providers: Vec<Map<String, Value>>,
    #[serde(default)]
    pub clients: Vec<SeedClient>,
    #[serde(default)]
    pub groups: Vec<SeedGroup>,
    #[serde(default)]
    pub users: Vec<SeedUser>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SeedClient {
    /// A fixed client id (1–128 of `[\w+]`; Cognito's own are 26 lower-case alphanumerics).
    pub id: Option<String>,
    pub name: String,
    /// A fixed client secret; `generateSecret: true` makes a random one instead.
    pub secret: Option<String>,
    #[serde(default)]
    pub generate_secret: bool,
    /// Any other CreateUserPoolClient request members (`ExplicitAuthFlows`, `CallbackURLs`, …).
    #[serde(default)]
    pub settings: Map<String, Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SeedGroup {
    pub name: String,
    pub description: Option<String>,
    pub precedence: Option<i64>,
    pub role_arn: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SeedUser {
    pub username: String,
    pub password: Option<String>,
    /// `CONFIRMED` (default when a password is given), `FORCE_CHANGE_PASSWORD` (the password
    /// is temporary) or `UNCONFIRMED` (as after SignUp).
    pub status: Option<String>,
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    #[serde(default)]
    pub groups: Vec<String>,
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
}

fn enabled_by_default() -> bool {
    true
}

/// Runs an operation as a request would be run: validated against the model first.
fn call_user_pools(app: &App, op: Op, input: Value) -> Result<Value, ApiError> {
    Target::UserPools(op).validate(&input)?;
    crate::service::call_user_pools(app, op, input, false)
}

/// Reads and applies a seed file, as one operation whose changes are durably committed
/// before this returns; the error names the file, the entry and the problem.
pub async fn apply_file(app: &App, path: &Path) -> Result<(), String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("seed file {}: {e}", path.display()))?;
    let seed: Seed = if path.extension().is_some_and(|e| e == "json") {
        serde_json::from_str(&text).map_err(|e| format!("seed file {}: {e}", path.display()))?
    } else {
        serde_norway::from_str(&text).map_err(|e| format!("seed file {}: {e}", path.display()))?
    };
    let applied = crate::service::perform(app, async { Ok(apply(app, &seed)) })
        .await
        .map_err(|e| e.message)
        .and_then(|applied| applied);
    applied.map_err(|e| format!("seed file {}: {e}", path.display()))
}

/// Applies a parsed seed.
pub fn apply(app: &App, seed: &Seed) -> Result<(), String> {
    for (i, pool) in seed.user_pools.iter().enumerate() {
        let at = |what: String| {
            move |e: ApiError| {
                format!(
                    "userPools[{i}] ({}){what}: {}: {}",
                    pool.name, e.code, e.message
                )
            }
        };
        let pool_id = ensure_pool(app, pool).map_err(at(String::new()))?;
        // What clients refer to (scopes, providers) comes first.
        if let Some(domain) = &pool.domain {
            ensure_domain(app, &pool_id, domain).map_err(at(format!(".domain ({domain})")))?;
        }
        for (j, server) in pool.resource_servers.iter().enumerate() {
            ensure_member(
                app,
                &pool_id,
                Op::CreateResourceServer,
                "Identifier",
                server,
            )
            .map_err(at(format!(".resourceServers[{j}]")))?;
        }
        for (j, provider) in pool.identity_providers.iter().enumerate() {
            ensure_member(
                app,
                &pool_id,
                Op::CreateIdentityProvider,
                "ProviderName",
                provider,
            )
            .map_err(at(format!(".identityProviders[{j}]")))?;
        }
        for (j, client) in pool.clients.iter().enumerate() {
            ensure_client(app, &pool_id, client)
                .map_err(at(format!(".clients[{j}] ({})", client.name)))?;
        }
        for (j, group) in pool.groups.iter().enumerate() {
            ensure_group(app, &pool_id, group)
                .map_err(at(format!(".groups[{j}] ({})", group.name)))?;
        }
        for (j, user) in pool.users.iter().enumerate() {
            ensure_user(app, &pool_id, user)
                .map_err(at(format!(".users[{j}] ({})", user.username)))?;
        }
        tracing::info!(user_pool_id = %pool_id, name = %pool.name, "seeded user pool");
    }
    for (i, pool) in seed.identity_pools.iter().enumerate() {
        let id = ensure_identity_pool(app, pool).map_err(|e| {
            format!(
                "identityPools[{i}] ({}): {}: {}",
                pool.name, e.code, e.message
            )
        })?;
        tracing::info!(identity_pool_id = %id, name = %pool.name, "seeded identity pool");
    }
    Ok(())
}

/// Runs a cognito-identity operation as a request would be run.
fn call_identity_pools(app: &App, op: IdentityOp, input: Value) -> Result<Value, ApiError> {
    Target::IdentityPools(op).validate(&input)?;
    crate::service::call_identity_pools(app, op, input)
}

/// An identity pool (by id, or by name without one) with its roles, created unless it exists.
fn ensure_identity_pool(app: &App, pool: &SeedIdentityPool) -> Result<String, ApiError> {
    let existing = {
        let state = app.identity.read();
        match &pool.id {
            Some(id) => state.pools.contains_key(id).then(|| id.clone()),
            None => state
                .pools
                .values()
                .find(|p| p.config.identity_pool_name == pool.name)
                .map(|p| p.config.identity_pool_id.clone()),
        }
    };
    if let Some(id) = existing {
        return Ok(id);
    }
    if let Some(id) = &pool.id {
        Target::IdentityPools(IdentityOp::DescribeIdentityPool)
            .validate(&json!({"IdentityPoolId": id}))?;
    }
    let mut request = pool.settings.clone();
    request.insert("IdentityPoolName".into(), json!(pool.name));
    request
        .entry("AllowUnauthenticatedIdentities")
        .or_insert(json!(false));
    let created = call_identity_pools(app, IdentityOp::CreateIdentityPool, Value::Object(request))?;
    let mut id = created["IdentityPoolId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if let Some(fixed) = &pool.id {
        app.identity.write().rename_pool(&id, fixed)?;
        id = fixed.clone();
    }
    if !pool.roles.is_empty() || !pool.role_mappings.is_empty() {
        let mut request = json!({"IdentityPoolId": id, "Roles": pool.roles});
        if !pool.role_mappings.is_empty() {
            request["RoleMappings"] = json!(pool.role_mappings);
        }
        call_identity_pools(app, IdentityOp::SetIdentityPoolRoles, request)?;
    }
    Ok(id)
}

fn ensure_pool(app: &App, pool: &SeedPool) -> Result<String, ApiError> {
    let existing = match &pool.id {
        Some(id) => app.store.pool(id).ok().map(|_| id.clone()),
        None => app.store.pool_id_by_name(&pool.name),
    };
    if let Some(id) = existing {
        return Ok(id);
    }
    if let Some(id) = &pool.id {
        // Checked against the model's rule before anything is created.
        Target::UserPools(Op::DescribeUserPool).validate(&json!({"UserPoolId": id}))?;
    }
    let mut request = pool.settings.clone();
    request.insert("PoolName".into(), json!(pool.name));
    let created = call_user_pools(app, Op::CreateUserPool, Value::Object(request))?;
    let generated = created["UserPool"]["Id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    match &pool.id {
        Some(id) => {
            let arn = crate::infra::ids::user_pool_arn(app.region(), app.account_id(), id);
            app.store.rename_pool(&generated, id, arn)?;
            Ok(id.clone())
        }
        None => Ok(generated),
    }
}

fn ensure_domain(app: &App, pool_id: &str, domain: &str) -> Result<(), ApiError> {
    if app.store.pool(pool_id)?.read().domain.is_some() {
        return Ok(());
    }
    let request = json!({"UserPoolId": pool_id, "Domain": domain});
    call_user_pools(app, Op::CreateUserPoolDomain, request).map(|_| ())
}

/// A resource server or identity provider, created unless the pool has one under the same
/// `key` (`Identifier`, `ProviderName`).
fn ensure_member(
    app: &App,
    pool_id: &str,
    op: Op,
    key: &str,
    request: &Map<String, Value>,
) -> Result<(), ApiError> {
    let name = request.get(key).and_then(Value::as_str).unwrap_or_default();
    let exists = {
        let pool = app.store.pool(pool_id)?;
        let pool = pool.read();
        match op {
            Op::CreateResourceServer => pool.resource_servers.contains_key(name),
            _ => pool.identity_providers.contains_key(name),
        }
    };
    if exists {
        return Ok(());
    }
    let mut request = request.clone();
    request.insert("UserPoolId".into(), json!(pool_id));
    call_user_pools(app, op, Value::Object(request)).map(|_| ())
}

fn ensure_client(app: &App, pool_id: &str, client: &SeedClient) -> Result<(), ApiError> {
    let pool = app.store.pool(pool_id)?;
    let exists = {
        let pool = pool.read();
        match &client.id {
            Some(id) => pool.clients.contains_key(id),
            None => pool
                .clients
                .values()
                .any(|c| c.config.client_name.as_deref() == Some(client.name.as_str())),
        }
    };
    if exists {
        return Ok(());
    }
    let mut request = client.settings.clone();
    request.insert("UserPoolId".into(), json!(pool_id));
    request.insert("ClientName".into(), json!(client.name));
    if let Some(secret) = &client.secret {
        request.insert("ClientSecret".into(), json!(secret));
    } else if client.generate_secret {
        request.insert("GenerateSecret".into(), json!(true));
    }
    if let Some(id) = &client.id {
        // Checked against the model's rule before anything is created.
        Target::UserPools(Op::DescribeUserPoolClient)
            .validate(&json!({"UserPoolId": pool_id, "ClientId": id}))?;
    }
    let created = call_user_pools(app, Op::CreateUserPoolClient, Value::Object(request))?;
    if let Some(id) = &client.id {
        let generated = created["UserPoolClient"]["ClientId"]
            .as_str()
            .unwrap_or_default();
        app.store.rename_client(pool_id, generated, id)?;
    }
    Ok(())
}

fn ensure_group(app: &App, pool_id: &str, group: &SeedGroup) -> Result<(), ApiError> {
    if app
        .store
        .pool(pool_id)?
        .read()
        .groups
        .contains_key(&group.name)
    {
        return Ok(());
    }
    let mut request = json!({"UserPoolId": pool_id, "GroupName": group.name});
    if let Some(description) = &group.description {
        request["Description"] = json!(description);
    }
    if let Some(precedence) = group.precedence {
        request["Precedence"] = json!(precedence);
    }
    if let Some(role) = &group.role_arn {
        request["RoleArn"] = json!(role);
    }
    call_user_pools(app, Op::CreateGroup, request).map(|_| ())
}

fn ensure_user(app: &App, pool_id: &str, user: &SeedUser) -> Result<(), ApiError> {
    let pool = app.store.pool(pool_id)?;
    if pool.read().users.find(&user.username).is_some() {
        return Ok(());
    }
    let status = match user.status.as_deref() {
        None if user.password.is_some() => UserStatusType::Confirmed,
        None => UserStatusType::ForceChangePassword,
        Some(s) => match UserStatusType::parse(s) {
            Some(
                status @ (UserStatusType::Confirmed
                | UserStatusType::ForceChangePassword
                | UserStatusType::Unconfirmed),
            ) => status,
            _ => {
                return Err(ApiError::invalid_parameter(format!(
                    "status must be CONFIRMED, FORCE_CHANGE_PASSWORD or UNCONFIRMED, not {s}"
                )))
            }
        },
    };
    if status != UserStatusType::ForceChangePassword && user.password.is_none() {
        return Err(ApiError::invalid_parameter(format!(
            "a {} user needs a password",
            status.as_str()
        )));
    }
    let attributes: Vec<Value> = user
        .attributes
        .iter()
        .map(|(n, v)| json!({"Name": n, "Value": v}))
        .collect();
    let mut request = json!({"UserPoolId": pool_id, "Username": user.username, "MessageAction": "SUPPRESS", "UserAttributes": attributes});
    if let Some(password) = &user.password {
        request["TemporaryPassword"] = json!(password);
    }
    let created = call_user_pools(app, Op::AdminCreateUser, request)?;
    let username = created["User"]["Username"]
        .as_str()
        .unwrap_or(&user.username)
        .to_string();
    if let (Some(password), true) = (
        &user.password,
        status != UserStatusType::ForceChangePassword,
    ) {
        call_user_pools(
            app,
            Op::AdminSetUserPassword,
            json!({"UserPoolId": pool_id, "Username": username, "Password": password, "Permanent": true}),
        )?;
    }
    if status == UserStatusType::Unconfirmed {
        let mut guard = pool.write();
        if let Some(key) = guard.users.find_by_username(&username) {
            guard
                .users
                .update(key, |u| u.status = UserStatusType::Unconfirmed);
        }
    }
    for group in &user.groups {
        call_user_pools(
            app,
            Op::AdminAddUserToGroup,
            json!({"UserPoolId": pool_id, "Username": username, "GroupName": group}),
        )?;
    }
    if !user.enabled {
        call_user_pools(
            app,
            Op::AdminDisableUser,
            json!({"UserPoolId": pool_id, "Username": username}),
        )?;
    }
    Ok(())
}
