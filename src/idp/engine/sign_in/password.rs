//! USER_PASSWORD_AUTH and ADMIN_USER_PASSWORD_AUTH (ADMIN_NO_SRP_AUTH): the password itself.

use std::collections::BTreeMap;

use super::{incorrect, param, SignIn, Step};
use crate::error::{ApiError, ApiResult};
use crate::generated::cognito_idp::UserStatusType;
use crate::idp::store::{UserKey, UserPool};

impl SignIn<'_> {
    pub(super) fn password(&self, params: &BTreeMap<String, String>) -> ApiResult<Step> {
        let username = param(params, "USERNAME")?;
        let password = param(params, "PASSWORD")?;
        let secret_hash = params.get("SECRET_HASH").map(String::as_str);
        self.before_authentication(username, secret_hash, Some(password))?;
        let user = self.check_password(username, password, secret_hash)?;
        self.after_first_factor(user)
    }

    /// Resolves the user and checks the password, counting failures towards a lockout.
    pub(super) fn check_password(
        &self,
        username: &str,
        password: &str,
        secret_hash: Option<&str>,
    ) -> ApiResult<UserKey> {
        let found = self.pool.read().users.find(username);
        if let Some(key) = found {
            self.adopt_imported_password(key, password);
        }
        let mut pool = self.pool.write();
        let found =
            self.rules
                .check_secret_hash_for(&pool, self.client_id, secret_hash, username)?;
        let Some(key) = found else {
            return Err(if self.rules.prevent_user_existence_errors {
                incorrect()
            } else {
                ApiError::user_not_found()
            });
        };
        self.check_password_of(&mut pool, key, password)?;
        Ok(key)
    }

    /// Checks a known user's password: lockout, the password, then the user's state.
    pub(super) fn check_password_of(
        &self,
        pool: &mut UserPool,
        key: UserKey,
        password: &str,
    ) -> ApiResult<()> {
        let now = self.app.clock.now();
        super::account::check_lockout(pool, key, now)?;
        let user = pool.user(key)?;
        // A user without a password who must reset it (imported, migrated for a reset) is
        // told so whatever password was tried.
        if user.password.is_none() && user.status == UserStatusType::ResetRequired {
            return super::account::check_user_state(pool, key, now, &self.rules);
        }
        let matches = user
            .password
            .as_ref()
            .is_some_and(|record| record.verify(pool.srp_pool_name(), &user.username, password));
        if !matches {
            crate::idp::engine::auth_events::password_failed(pool, self, key, now);
            super::account::record_failure(pool, key, now);
            return Err(incorrect());
        }
        pool.auth.lockouts.remove(&key);
        super::account::check_user_state(pool, key, now, &self.rules)
    }
}
