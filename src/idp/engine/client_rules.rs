//! What sign-in and self-service need to know about an app client: its flows, secrets and
//! session settings, and the SECRET_HASH check.

use crate::error::{ApiError, ApiResult};
use crate::generated::cognito_idp::*;
use crate::idp::store::{AppClient, UserKey, UserPool};
use crate::infra::crypto::srp;

pub struct ClientRules {
    pub flows: Vec<ExplicitAuthFlowsType>,
    pub secrets: Vec<String>,
    pub prevent_user_existence_errors: bool,
    pub session_minutes: i64,
    pub rotation: bool,
}

impl ClientRules {
    pub fn of(client: &AppClient) -> Self {
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

    pub fn allows(&self, flow: AuthFlowType) -> bool {
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
    pub fn check_secret_hash_for(
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
    pub fn check_secret_hash(
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
