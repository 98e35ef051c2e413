//! The triggers around a sign-in, each run with no pool lock held: UserMigration for
//! someone unknown who signs in with a password, PreAuthentication before the first factor
//! is checked, PostAuthentication once the user is authenticated (before tokens or the
//! hosted session). Refreshing tokens calls none of them.

use serde_json::json;

use super::SignIn;
use crate::error::ApiResult;
use crate::idp::engine::triggers::authentication::{self, AuthenticationEvent};
use crate::idp::engine::triggers::migration::{self, MigrationEvent};
use crate::idp::engine::triggers::{user_attributes, Function, Trigger};
use crate::idp::store::UserKey;

impl SignIn<'_> {
    /// Before a first factor is checked: the password flows, USER_SRP_AUTH, USER_AUTH and the
    /// hosted page's password. `password` is the one typed, where the flow has it: an unknown
    /// user is then migrated first. PreAuthentication follows for the user (or, with
    /// PreventUserExistenceErrors, for someone who does not exist, `userNotFound: true`).
    pub(super) fn before_authentication(
        &self,
        username: &str,
        secret_hash: Option<&str>,
        password: Option<&str>,
    ) -> ApiResult<()> {
        let (found, pool_id, migration, pre) = {
            let guard = self.pool.read();
            let pre = Trigger::PreAuthentication.of(&guard);
            let migration = Trigger::UserMigration.of(&guard);
            if pre.is_none() && migration.is_none() {
                return Ok(());
            }
            // A wrong SECRET_HASH is the flow's to report: no function hears of the attempt.
            let Ok(found) =
                self.rules
                    .check_secret_hash_for(&guard, self.client_id, secret_hash, username)
            else {
                return Ok(());
            };
            (found, guard.id().to_string(), migration, pre)
        };
        let found = match (found, migration, password) {
            (None, Some(function), Some(password)) => {
                self.migrate(&function, &pool_id, username, password)?
            }
            (found, ..) => found,
        };
        let Some(function) = pre else {
            return Ok(());
        };
        let hides_existence = self.rules.prevent_user_existence_errors;
        let (user_name, attributes) = match found {
            Some(key) => {
                let guard = self.pool.read();
                let Some(user) = guard.users.get(key) else {
                    return Ok(());
                };
                (user.username.clone(), user_attributes(&guard, user))
            }
            None if hides_existence => (username.to_string(), json!({})),
            None => return Ok(()),
        };
        authentication::pre_authentication(
            self.app,
            self.ctx,
            &function,
            AuthenticationEvent {
                pool_id: &pool_id,
                user_name: &user_name,
                client_id: self.client_id,
                attributes,
                client_metadata: self.ctx.caller.client_metadata.as_ref(),
            },
            hides_existence.then_some(found.is_none()),
        )
    }

    /// UserMigration_Authentication for `username`, unknown to the pool: the user the
    /// function's answer created, or `None` when it does not know them either.
    fn migrate(
        &self,
        function: &Function,
        pool_id: &str,
        username: &str,
        password: &str,
    ) -> ApiResult<Option<UserKey>> {
        let answer = migration::user_migration(
            self.app,
            self.ctx,
            function,
            MigrationEvent {
                pool_id,
                source: "UserMigration_Authentication",
                user_name: username,
                client_id: self.client_id,
                password: Some(password),
                client_metadata: self.ctx.caller.client_metadata.as_ref(),
            },
        )?;
        let Some(migrated) = answer else {
            return Ok(None);
        };
        let mut guard = self.pool.write();
        // A concurrent sign-in may have migrated the same user meanwhile: theirs stands.
        if let Some(key) = guard.users.find(username) {
            return Ok(Some(key));
        }
        migration::create(
            self.app,
            self.ctx,
            &mut guard,
            username,
            Some(password),
            migrated,
        )
        .map(Some)
    }

    /// PostAuthentication for the authenticated user, before tokens or the hosted session.
    pub(super) fn after_authentication(
        &self,
        key: UserKey,
        new_device_used: bool,
    ) -> ApiResult<()> {
        let (function, pool_id, user_name, attributes) = {
            let guard = self.pool.read();
            let Some(function) = Trigger::PostAuthentication.of(&guard) else {
                return Ok(());
            };
            let user = guard.user(key)?;
            (
                function,
                guard.id().to_string(),
                user.username.clone(),
                user_attributes(&guard, user),
            )
        };
        authentication::post_authentication(
            self.app,
            self.ctx,
            &function,
            AuthenticationEvent {
                pool_id: &pool_id,
                user_name: &user_name,
                client_id: self.client_id,
                attributes,
                client_metadata: self.ctx.caller.client_metadata.as_ref(),
            },
            new_device_used,
        )
    }
}
