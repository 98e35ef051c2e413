//! One user pool and everything it owns.

use std::collections::{BTreeMap, BTreeSet};

use super::auth::AuthState;
use super::users::{SignInAliases, UserKey, Users};
use crate::crypto::password::PasswordRecord;
use crate::error::{ApiError, ApiResult};
use crate::generated::cognito_idp::{
    AliasAttributeType, GetUserPoolMfaConfigResponse, GroupType, PasswordPolicyType,
    UserPoolClientType, UserPoolType, UsernameAttributeType,
};

pub struct UserPool {
    /// Every setting, as DescribeUserPool returns it (counts are filled in on the way out).
    pub config: UserPoolType,
    pub mfa: GetUserPoolMfaConfigResponse,
    pub clients: BTreeMap<String, AppClient>,
    pub groups: BTreeMap<String, Group>,
    pub users: Users,
    pub auth: AuthState,
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

#[derive(Debug, Clone)]
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
                ..Default::default()
            },
            config,
            clients: BTreeMap::new(),
            groups: BTreeMap::new(),
            users: Users::new(case_sensitive, aliases),
            auth: AuthState::default(),
        }
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
            .unwrap_or_else(crate::password_policy::default_policy)
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
