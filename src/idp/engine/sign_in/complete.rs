//! What follows a first factor (password, SRP, a new password): NEW_PASSWORD_REQUIRED while
//! the password is temporary, else tokens.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{SignIn, Step};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::generated::cognito_idp::*;
use crate::idp::engine::tokens::{self, Grant};
use crate::idp::store::auth::Pending;
use crate::idp::store::UserKey;

impl SignIn<'_> {
    pub(super) fn after_first_factor(&self, key: UserKey) -> ApiResult<Step> {
        let mut guard = self.pool.write();
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
        if guard.mfa.mfa_configuration == Some(UserPoolMfaType::On) {
            return Err(ApiError::new(ErrorCode::NotImplementedException,
                "MFA challenges are not implemented by cognito-emulator yet; set the pool's MfaConfiguration to OFF or OPTIONAL.",
            ));
        }
        drop(guard);
        crate::idp::engine::auth_events::signed_in(self, key);
        if self.api == super::Api::Hosted {
            self.signed_in.set(Some(key));
            return Ok(Step::default());
        }
        let result = tokens::issue(self.app, self.pool, Grant::api(key, self.client_id))?;
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
