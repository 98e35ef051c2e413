//! The WEB_AUTHN challenge of choice-based sign-in: CREDENTIAL_REQUEST_OPTIONS out, a passkey
//! assertion (CREDENTIAL) back, checked by [`crate::idp::engine::passkeys`] outside the pool
//! lock; the passkey's signature counter is kept.

use std::collections::BTreeMap;

use serde_json::Value;

use super::account::check_user_state;
use super::{incorrect, Answer, SignIn, Step, NOBODY};
use crate::error::{ApiError, ApiResult};
use crate::generated::cognito_idp::*;
use crate::idp::engine::passkeys;
use crate::idp::store::auth::Pending;
use crate::idp::store::{UserKey, UserPool};

/// The pool's passkey settings; sign-in operations list no WebAuthn errors, so a pool that
/// lost its configuration meanwhile answers InvalidParameterException.
fn settings(pool: &UserPool) -> ApiResult<passkeys::Settings> {
    passkeys::settings(pool).map_err(|e| ApiError::invalid_parameter(e.message))
}

impl SignIn<'_> {
    pub(super) fn web_authn_challenge(&self, key: UserKey, internal: &str) -> ApiResult<Step> {
        if key == NOBODY {
            return Err(incorrect());
        }
        let mut guard = self.pool.write();
        let settings = settings(&guard)?;
        let challenge = passkeys::new_challenge();
        let options =
            passkeys::request_options(&settings, &guard.user(key)?.extras().passkeys, &challenge);
        let session = self.new_session(
            &mut guard,
            key,
            internal,
            Pending::WebAuthn { challenge },
            None,
        );
        Ok(Step {
            challenge_name: Some(ChallengeNameType::WebAuthn),
            session: Some(session),
            challenge_parameters: Some(BTreeMap::from([(
                "CREDENTIAL_REQUEST_OPTIONS".to_string(),
                options.to_string(),
            )])),
            ..Default::default()
        })
    }

    /// RespondToAuthChallenge WEB_AUTHN with CREDENTIAL (AuthenticationResponseJSON).
    pub(super) fn web_authn(&self, answer: &Answer) -> ApiResult<Step> {
        let credential: Value =
            serde_json::from_str(answer.param("CREDENTIAL")?).map_err(|_| {
                // Text unconfirmed.
                ApiError::invalid_parameter("CREDENTIAL is not an AuthenticationResponseJSON.")
            })?;
        let (key, _, pending) =
            self.take_session(answer, |p| matches!(p, Pending::WebAuthn { .. }))?;
        let Pending::WebAuthn { challenge } = pending else {
            unreachable!("checked by take_session");
        };
        let (settings, registered, passkey_mfa) = {
            let guard = self.pool.read();
            let user = guard.user(key)?;
            (
                settings(&guard)?,
                user.extras().passkeys.clone(),
                user.extras().mfa.passkey_mfa,
            )
        };
        // Outside the lock: the signature.
        let asserted = passkeys::check_assertion(&settings, &challenge, &registered, &credential)
            .map_err(passkeys::Failure::sign_in_error)?;
        if passkey_mfa && !asserted.user_verified {
            // Passkey MFA requires user verification (text unconfirmed).
            return Err(ApiError::not_authorized(
                "Passkey MFA is on for the user: the passkey must verify the user.",
            ));
        }
        let now = self.app.clock.now();
        let mut guard = self.pool.write();
        if asserted.sign_count != 0 {
            guard.users.update(key, |user| {
                if let Some(p) = user
                    .extras_mut()
                    .passkeys
                    .iter_mut()
                    .find(|p| p.id == asserted.id)
                {
                    p.sign_count = p.sign_count.max(asserted.sign_count);
                }
            });
        }
        check_user_state(&guard, key, now, &self.rules)?;
        drop(guard);
        // A passkey that verified its user is two factors in one; one that did not may be
        // followed by MFA (unconfirmed).
        if asserted.user_verified {
            self.after_passwordless(key)
        } else {
            self.after_first_factor(key)
        }
    }
}
