//! One user pool and everything it owns.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::auth::AuthState;
use super::branding::Branding;
use super::users::{SignInAliases, UserKey, Users};
use crate::error::{ApiError, ApiResult};
use crate::generated::cognito_idp::{
    AliasAttributeType, DomainDescriptionType, GetUserPoolMfaConfigResponse, GroupType,
    IdentityProviderType, PasswordPolicyType, ReplicaStatusType, ResourceServerType,
    SmsMfaConfigType, UserPoolClientType, UserPoolMfaType, UserPoolType, UsernameAttributeType,
};
use crate::infra::crypto::password::PasswordRecord;

pub struct UserPool {
    /// Every setting, as DescribeUserPool returns it (counts are filled in on the way out).
    pub config: UserPoolType,
    pub mfa: GetUserPoolMfaConfigResponse,
    pub clients: BTreeMap<String, AppClient>,
    pub groups: BTreeMap<String, Group>,
    /// The pool's hosted-UI domain (one per pool), as DescribeUserPoolDomain shows it.
    pub domain: Option<DomainDescriptionType>,
    /// Resource servers by identifier: their scopes are `<identifier>/<scope>`.
    pub resource_servers: BTreeMap<String, ResourceServerType>,
    /// External identity providers by provider name.
    pub identity_providers: BTreeMap<String, IdentityProviderType>,
    /// Hosted UI customization, managed login branding and terms.
    pub branding: Branding,
    /// Session tracking and threat protection settings.
    pub security: super::security::Security,
    /// User import jobs (CreateUserImportJob), oldest first.
    pub import_jobs: super::import_jobs::ImportJobs,
    /// Multi-Region replicas (CreateUserPoolReplica), oldest first: recorded, not served.
    pub replicas: Vec<Replica>,
    pub users: Users,
    pub auth: AuthState,
    /// Settings, clients, groups or keys changed since last written to disk.
    pub header_dirty: bool,
}

/// A multi-Region replica of the pool in another region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Replica {
    pub region: String,
    pub status: ReplicaStatusType,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
}

/// What a pool keeps besides its users, as written to disk.
#[derive(Serialize, Deserialize)]
pub struct PoolHeader {
    pub config: UserPoolType,
    pub mfa: GetUserPoolMfaConfigResponse,
    pub clients: Vec<(UserPoolClientType, Vec<ClientSecret>)>,
    pub groups: Vec<GroupType>,
    // Added after schema version 2: absent in older files.
    #[serde(default)]
    pub domain: Option<DomainDescriptionType>,
    #[serde(default)]
    pub resource_servers: Vec<ResourceServerType>,
    #[serde(default)]
    pub identity_providers: Vec<IdentityProviderType>,
    #[serde(default)]
    pub branding: Branding,
    #[serde(default)]
    pub security: super::security::Security,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub import_jobs: Vec<super::import_jobs::ImportJob>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replicas: Vec<Replica>,
    /// PKCS#8 of the ID-token and access-token keys, base64.
    pub keys: Option<(String, String)>,
}

impl AppClient {
    /// A client secret sent as-is (GetTokensFromRefreshToken, RevokeToken): any of the
    /// client's secrets, compared in constant time. Clients without a secret need none.
    pub fn verify_secret(&self, given: Option<&str>) -> ApiResult<()> {
        if self.secrets.is_empty() {
            return Ok(());
        }
        let client_id = self.config.client_id.as_deref().unwrap_or_default();
        let given = given.ok_or_else(|| {
            ApiError::not_authorized(format!(
                "Client {client_id} is configured for secret but secret was not received"
            ))
        })?;
        let matches = self
            .secrets
            .iter()
            .any(|s| subtle::ConstantTimeEq::ct_eq(s.value.as_bytes(), given.as_bytes()).into());
        if matches {
            Ok(())
        } else {
            Err(ApiError::not_authorized(format!(
                "Unable to verify secret for client {client_id}"
            )))
        }
    }
}

pub struct AppClient {
    /// As DescribeUserPoolClient returns it; `client_secret` is the first secret.
    pub config: UserPoolClientType,
    pub secrets: Vec<ClientSecret>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClientSecret {
    pub id: String,
    pub value: String,
    pub created: f64,
}

pub struct Group {
    pub group: GroupType,
    pub members: BTreeSet<UserKey>,
}

impl UserPool {
    pub fn new(config: UserPoolType) -> Self {
        let case_sensitive = config
            .username_configuration
            .as_ref()
            .map(|c| c.case_sensitive)
            .unwrap_or(true);
        let aliases = if let Some(names) = config
            .username_attributes
            .as_ref()
            .filter(|n| !n.is_empty())
        {
            SignInAliases {
                attributes: names
                    .iter()
                    .map(|n| match n {
                        UsernameAttributeType::Email => "email".to_string(),
                        UsernameAttributeType::PhoneNumber => "phone_number".to_string(),
                    })
                    .collect(),
                require_verified: false,
            }
        } else {
            SignInAliases {
                attributes: config
                    .alias_attributes
                    .iter()
                    .flatten()
                    .map(|a| match a {
                        AliasAttributeType::Email => "email".to_string(),
                        AliasAttributeType::PhoneNumber => "phone_number".to_string(),
                        AliasAttributeType::PreferredUsername => "preferred_username".to_string(),
                    })
                    .collect(),
                require_verified: true,
            }
        };
        Self {
            mfa: GetUserPoolMfaConfigResponse {
                mfa_configuration: config.mfa_configuration,
                // A pool created with MFA on and an SMS configuration has SMS MFA.
                sms_mfa_configuration: (config
                    .mfa_configuration
                    .is_some_and(|m| m != UserPoolMfaType::Off)
                    && config.sms_configuration.is_some())
                .then(|| SmsMfaConfigType {
                    sms_authentication_message: config.sms_authentication_message.clone(),
                    sms_configuration: config.sms_configuration.clone(),
                }),
                ..Default::default()
            },
            config,
            clients: BTreeMap::new(),
            groups: BTreeMap::new(),
            domain: None,
            resource_servers: BTreeMap::new(),
            identity_providers: BTreeMap::new(),
            branding: Branding::default(),
            security: Default::default(),
            import_jobs: Default::default(),
            replicas: Vec::new(),
            users: Users::new(case_sensitive, aliases),
            auth: AuthState::default(),
            header_dirty: true,
        }
    }

    /// Whether anything changed since it was last written to disk.
    pub fn has_changes(&self) -> bool {
        self.header_dirty || self.users.has_changes() || self.auth.has_changes()
    }

    /// Records that settings, clients, groups or keys changed (for persistence).
    pub fn header_changed(&mut self) {
        self.header_dirty = true;
    }

    pub fn header(&self) -> PoolHeader {
        use base64::Engine;
        let b64 = |k: &crate::infra::crypto::jwt::SigningKey| {
            base64::engine::general_purpose::STANDARD.encode(k.pkcs8())
        };
        PoolHeader {
            config: self.config.clone(),
            mfa: self.mfa.clone(),
            clients: self
                .clients
                .values()
                .map(|c| (c.config.clone(), c.secrets.clone()))
                .collect(),
            groups: self.groups.values().map(|g| g.group.clone()).collect(),
            domain: self.domain.clone(),
            resource_servers: self.resource_servers.values().cloned().collect(),
            identity_providers: self.identity_providers.values().cloned().collect(),
            branding: self.branding.clone(),
            security: self.security.clone(),
            import_jobs: self.import_jobs.stored(),
            replicas: self.replicas.clone(),
            keys: self.auth.keys.get().map(|k| (b64(&k.id), b64(&k.access))),
        }
    }

    /// A pool read back from disk; its users are restored separately.
    pub fn from_header(header: PoolHeader) -> Self {
        use base64::Engine;
        let mut pool = Self::new(header.config);
        pool.mfa = header.mfa;
        for (config, secrets) in header.clients {
            let id = config.client_id.clone().unwrap_or_default();
            pool.clients.insert(id, AppClient { config, secrets });
        }
        for group in header.groups {
            let name = group.group_name.clone().unwrap_or_default();
            pool.groups.insert(
                name,
                Group {
                    group,
                    members: Default::default(),
                },
            );
        }
        pool.domain = header.domain;
        for server in header.resource_servers {
            let identifier = server.identifier.clone().unwrap_or_default();
            pool.resource_servers.insert(identifier, server);
        }
        for provider in header.identity_providers {
            let name = provider.provider_name.clone().unwrap_or_default();
            pool.identity_providers.insert(name, provider);
        }
        pool.branding = header.branding;
        pool.security = header.security;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        pool.import_jobs = super::import_jobs::ImportJobs::restore(header.import_jobs, now);
        pool.replicas = header.replicas;
        let key = |b64: &str| {
            base64::engine::general_purpose::STANDARD
                .decode(b64)
                .ok()
                .and_then(|der| crate::infra::crypto::jwt::SigningKey::from_pkcs8(&der))
        };
        if let Some((Some(id), Some(access))) = header.keys.map(|(i, a)| (key(&i), key(&a))) {
            let _ = pool
                .auth
                .keys
                .set(std::sync::Arc::new(super::auth::PoolKeys { id, access }));
        }
        pool.header_dirty = false;
        pool
    }

    pub fn id(&self) -> &str {
        self.config.id.as_deref().unwrap_or_default()
    }

    /// The SRP "pool name": the part of the pool id after `_`.
    pub fn srp_pool_name(&self) -> &str {
        self.id()
            .split_once('_')
            .map(|(_, name)| name)
            .unwrap_or_default()
    }

    /// `email` / `phone_number` when the pool signs users in by them instead of a username.
    pub fn username_attributes(&self) -> Vec<&'static str> {
        self.config
            .username_attributes
            .iter()
            .flatten()
            .map(|a| match a {
                UsernameAttributeType::Email => "email",
                UsernameAttributeType::PhoneNumber => "phone_number",
            })
            .collect()
    }

    /// The schema's required attributes (other than `sub`) for which `has` says no.
    pub fn missing_required(&self, has: impl Fn(&str) -> bool) -> Vec<String> {
        self.config
            .schema_attributes
            .iter()
            .flatten()
            .filter(|a| a.required == Some(true))
            .filter_map(|a| a.name.clone())
            .filter(|name| name != "sub" && !has(name))
            .collect()
    }

    /// A password record for one of this pool's users (salted with the SRP pool name).
    pub fn password_record(&self, username: &str, password: &str) -> PasswordRecord {
        PasswordRecord::new(self.srp_pool_name(), username, password)
    }

    /// The pool's password policy, or Cognito's default.
    pub fn password_policy(&self) -> PasswordPolicyType {
        self.config
            .policies
            .as_ref()
            .and_then(|p| p.password_policy.clone())
            .unwrap_or_else(default_password_policy)
    }

    /// The user a key names (gone if deleted since the key was found).
    pub fn user(&self, key: UserKey) -> ApiResult<&super::User> {
        self.users.get(key).ok_or_else(ApiError::user_not_found)
    }

    pub fn find_user(&self, name: &str) -> ApiResult<UserKey> {
        self.users.find(name).ok_or_else(ApiError::user_not_found)
    }

    pub fn client(&self, client_id: &str) -> ApiResult<&AppClient> {
        self.clients
            .get(client_id)
            .ok_or_else(|| ApiError::client_not_found(client_id))
    }

    pub fn client_mut(&mut self, client_id: &str) -> ApiResult<&mut AppClient> {
        self.clients
            .get_mut(client_id)
            .ok_or_else(|| ApiError::client_not_found(client_id))
    }

    pub fn group_mut(&mut self, name: &str) -> ApiResult<&mut Group> {
        self.groups
            .get_mut(name)
            .ok_or_else(ApiError::group_not_found)
    }

    pub fn group(&self, name: &str) -> ApiResult<&Group> {
        self.groups.get(name).ok_or_else(ApiError::group_not_found)
    }
}

/// Cognito's default password policy, for pools created without one.
pub fn default_password_policy() -> PasswordPolicyType {
    PasswordPolicyType {
        minimum_length: Some(8),
        require_uppercase: Some(true),
        require_lowercase: Some(true),
        require_numbers: Some(true),
        require_symbols: Some(true),
        password_history_size: None,
        temporary_password_validity_days: Some(7),
    }
}
