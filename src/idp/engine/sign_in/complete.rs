//! What follows a first factor (password, SRP, a new password): NEW_PASSWORD_REQUIRED while
//! the password is temporary, then a remembered device's DEVICE_SRP_AUTH, then MFA where
//! the pool and user call for it, then tokens.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{SignIn, Step};
use crate::error::ApiResult;
use crate::generated::cognito_idp::*;
use crate::idp::engine::tokens::{self, Grant};
use crate::idp::store::auth::Pending;
use crate::idp::store::UserKey;

impl SignIn<'_> {
    pub(super) fn after_first_factor(&self, key: UserKey) -> ApiResult<Step> {
        let mut guard = self.pool.write();
        self.check_device(&guard, key)?;
        let user = guard.user(key)?.clone();
        if user.status == UserStatusType::ForceChangePassword {
            let required: Vec<String> = guard
                .missing_required(|name| user.attribute(name).is_some())
                .into_iter()
                .map(|name| format!("userAttributes.{name}"))
                .collect();
            let current: serde_json::Map<String, Value> = user
                .attributes
                .iter()
                .filter(|(name, _)| *name != "sub")
                .map(|(name, value)| (name.to_string(), Value::String(value.to_string())))
                .collect();
            let session =
                self.new_session(&mut guard, key, &user.username, Pending::NewPassword, None);
            let parameters = BTreeMap::from([
                ("USER_ID_FOR_SRP".to_string(), user.username.clone()),
                (
                    "requiredAttributes".to_string(),
                    serde_json::to_string(&required).expect("json"),
                ),
                (
                    "userAttributes".to_string(),
                    Value::Object(current).to_string(),
                ),
            ]);
            return Ok(Step {
                challenge_name: Some(ChallengeNameType::NewPasswordRequired),
                session: Some(session),
                challenge_parameters: Some(parameters),
                ..Default::default()
            });
        }
        drop(guard);
        // Inside a custom sign-in the device proves itself once tokens are granted.
        if !self.custom_before_tokens() {
            if let Some(step) = self.device_challenge(key)? {
                return Ok(step);
            }
        }
        self.after_device(key, false)
    }

    /// After the device step: `device_verified` when a remembered device proved itself
    /// (DEVICE_PASSWORD_VERIFIER), which stands in for MFA when the pool says so.
    pub(super) fn after_device(&self, key: UserKey, device_verified: bool) -> ApiResult<Step> {
        let mut guard = self.pool.write();
        let skips_mfa = (device_verified && crate::idp::engine::devices::replaces_mfa(&guard))
            || self.custom_issuing();
        if !skips_mfa {
            if let Some(step) = self.mfa_step(&mut guard, key)? {
                return Ok(step);
            }
        }
        drop(guard);
        self.finish(key)
    }

    /// The end of a sign-in: tokens (with the device's key, or a new one handed out), or for
    /// the hosted pages a signed-in user.
    pub(super) fn finish(&self, key: UserKey) -> ApiResult<Step> {
        // A custom sign-in's password step is done: DefineAuthChallenge decides what follows.
        if let Some(step) = self.custom_password_verified(key)? {
            return Ok(step);
        }
        crate::idp::engine::auth_events::signed_in(self, key);
        if self.api == super::Api::Hosted {
            self.signed_in.set(Some(key));
            return Ok(Step::default());
        }
        let (device_key, new_device) = self.device_for_tokens(key)?;
        let grant = Grant {
            device_key,
            source: self.source.clone(),
            trigger_source: self.token_source.get(),
            ..Grant::api(key, self.client_id)
        };
        let mut result = tokens::issue(self.app, self.ctx, self.pool, grant)?;
        result.new_device_metadata = new_device;
        Ok(tokens_step(result))
    }
}

/// The last step: tokens, no further challenge.
pub(super) fn tokens_step(result: AuthenticationResultType) -> Step {
    Step {
        authentication_result: Some(result),
        challenge_parameters: Some(BTreeMap::new()),
        ..Default::default()
    }
}
