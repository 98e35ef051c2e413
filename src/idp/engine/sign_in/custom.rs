//! CUSTOM_AUTH: the pool's DefineAuthChallenge function decides each step from the
//! sign-in's history (`request.session`): CUSTOM_CHALLENGE (made by CreateAuthChallenge,
//! answered through VerifyAuthChallengeResponse), PASSWORD_VERIFIER when the client started
//! with `CHALLENGE_NAME: SRP_A` (the SRP of `srp.rs`; a new password and MFA follow it as in
//! any password sign-in, then DefineAuthChallenge again), tokens, or failure.
//!
//! The history rides along in every challenge the sign-in hands out (`AuthSession::custom`),
//! so the steps in between come back here: `complete.rs` asks [`SignIn::custom_before_tokens`]
//! and [`SignIn::custom_issuing`], and `finish` returns to DefineAuthChallenge through
//! [`SignIn::custom_password_verified`]. No pool lock is held while a function runs.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::account::check_user_state;
use super::{incorrect, param, Answer, SignIn, Step, NOBODY};
use crate::error::{ApiError, ApiResult};
use crate::generated::cognito_idp::*;
use crate::idp::engine::triggers::custom_auth::{self, ChallengeEvent, Next};
use crate::idp::engine::triggers::{self, unrecognizable, Function, Trigger};
use crate::idp::store::auth::{ChallengeResult, CustomFlow, Pending};
use crate::idp::store::UserKey;

/// Wrong custom answers one sign-in may give: once this many were wrong, a further
/// CUSTOM_CHALLENGE is refused whatever DefineAuthChallenge says (unconfirmed: Cognito caps
/// the loop at about three wrong answers).
const MAX_WRONG_ANSWERS: usize = 3;

/// Observed text; the error code is unconfirmed.
fn not_configured() -> ApiError {
    ApiError::invalid_parameter("Custom auth lambda trigger is not configured for the user pool.")
}

fn entry(name: &str, result: bool, metadata: Option<String>) -> ChallengeResult {
    ChallengeResult {
        name: name.to_string(),
        result,
        metadata,
    }
}

impl SignIn<'_> {
    /// InitiateAuth / AdminInitiateAuth CUSTOM_AUTH: USERNAME, and SRP_A with
    /// `CHALLENGE_NAME: SRP_A` to verify the password first.
    pub(super) fn custom_auth(&self, params: &BTreeMap<String, String>) -> ApiResult<Step> {
        let username = param(params, "USERNAME")?;
        let with_srp = params.get("CHALLENGE_NAME").map(String::as_str) == Some("SRP_A");
        let srp_a = if with_srp {
            Some(param(params, "SRP_A")?)
        } else {
            None
        };
        let now = self.app.clock.now();
        let (key, internal) = {
            let guard = self.pool.read();
            if Trigger::DefineAuthChallenge.of(&guard).is_none() {
                return Err(not_configured());
            }
            let found = self.rules.check_secret_hash_for(
                &guard,
                self.client_id,
                params.get("SECRET_HASH").map(String::as_str),
                username,
            )?;
            match found.and_then(|k| guard.users.get(k).map(|u| (k, u.username.clone()))) {
                Some((k, name)) => {
                    check_user_state(&guard, k, now, &self.rules)?;
                    (k, name)
                }
                None if self.rules.prevent_user_existence_errors => (NOBODY, username.to_string()),
                None => return Err(ApiError::user_not_found()),
            }
        };
        let mut flow = CustomFlow::default();
        if with_srp {
            flow.session.push(entry("SRP_A", true, None));
        }
        *self.custom.borrow_mut() = Some(flow);
        let srp = srp_a.map(|a| {
            let mut srp = BTreeMap::from([
                ("USERNAME".to_string(), internal.clone()),
                ("SRP_A".to_string(), a.to_string()),
            ]);
            if let Some(hash) = params.get("SECRET_HASH") {
                srp.insert("SECRET_HASH".to_string(), hash.clone());
            }
            srp
        });
        // InitiateAuth's ClientMetadata goes to PreAuthentication, not to these triggers.
        self.define_next(key, &internal, None, srp.as_ref())
    }

    /// RespondToAuthChallenge CUSTOM_CHALLENGE: USERNAME and ANSWER, judged by
    /// VerifyAuthChallengeResponse; then DefineAuthChallenge decides what follows.
    pub(super) fn custom_challenge(&self, answer: &Answer) -> ApiResult<Step> {
        answer.param("USERNAME")?;
        let given = answer.param("ANSWER")?;
        let (key, internal, pending) =
            self.take_session(answer, |p| matches!(p, Pending::CustomChallenge { .. }))?;
        let Pending::CustomChallenge { private, metadata } = pending else {
            unreachable!("checked by take_session");
        };
        let client_metadata = self.client_metadata.clone();
        let (verify, event) = self.challenge_event(
            key,
            &internal,
            client_metadata.clone(),
            Trigger::VerifyAuthChallengeResponse,
        )?;
        let correct = custom_auth::verify(self.app, self.ctx, &verify, &event, &private, given)?;
        if let Some(flow) = self.custom.borrow_mut().as_mut() {
            flow.session
                .push(entry("CUSTOM_CHALLENGE", correct, metadata));
        }
        self.define_next(key, &internal, client_metadata.as_ref(), None)
    }

    /// Whether this step belongs to a custom sign-in that has not been granted tokens yet
    /// (its password step runs without the device challenge, which comes with the tokens).
    pub(super) fn custom_before_tokens(&self) -> bool {
        self.custom.borrow().as_ref().is_some_and(|f| !f.issuing)
    }

    /// Whether DefineAuthChallenge granted this custom sign-in its tokens (no MFA follows).
    pub(super) fn custom_issuing(&self) -> bool {
        self.custom.borrow().as_ref().is_some_and(|f| f.issuing)
    }

    /// At the end of a custom sign-in's password step (after PASSWORD_VERIFIER and any new
    /// password or MFA): `{PASSWORD_VERIFIER, true}` joins the session and DefineAuthChallenge
    /// is asked again. None outside custom sign-ins, and once tokens are granted.
    pub(super) fn custom_password_verified(&self, key: UserKey) -> ApiResult<Option<Step>> {
        {
            let mut custom = self.custom.borrow_mut();
            let Some(flow) = custom.as_mut().filter(|f| !f.issuing) else {
                return Ok(None);
            };
            flow.session.push(entry("PASSWORD_VERIFIER", true, None));
        }
        let internal = self.pool.read().user(key)?.username.clone();
        let metadata = self.client_metadata.clone();
        self.define_next(key, &internal, metadata.as_ref(), None)
            .map(Some)
    }

    /// Asks DefineAuthChallenge what follows the session so far, and does it. `srp` holds
    /// InitiateAuth's USERNAME and SRP_A while PASSWORD_VERIFIER may still be asked for.
    fn define_next(
        &self,
        key: UserKey,
        internal: &str,
        client_metadata: Option<&BTreeMap<String, String>>,
        srp: Option<&BTreeMap<String, String>>,
    ) -> ApiResult<Step> {
        let (define, event) = self.challenge_event(
            key,
            internal,
            client_metadata.cloned(),
            Trigger::DefineAuthChallenge,
        )?;
        let flow = self.custom.borrow().clone().unwrap_or_default();
        match custom_auth::define(self.app, self.ctx, &define, &event, &flow.session)? {
            Next::Fail => Err(incorrect()),
            Next::IssueTokens => {
                if key == NOBODY {
                    return Err(incorrect());
                }
                // Re-checked: the user may have been disabled or deleted meanwhile.
                {
                    let guard = self.pool.read();
                    check_user_state(&guard, key, self.app.clock.now(), &self.rules)?;
                    self.check_device(&guard, key)?;
                }
                if let Some(flow) = self.custom.borrow_mut().as_mut() {
                    flow.issuing = true;
                }
                if let Some(step) = self.device_challenge(key)? {
                    return Ok(step);
                }
                self.finish(key)
            }
            Next::Challenge(name) if name == ChallengeNameType::CustomChallenge.as_str() => {
                if flow.wrong_answers() >= MAX_WRONG_ANSWERS {
                    return Err(incorrect());
                }
                self.create_challenge(key, internal, client_metadata, &flow.session)
            }
            Next::Challenge(name) if name == ChallengeNameType::PasswordVerifier.as_str() => {
                // Only right after `SRP_A`: SRP needs the client's A (unconfirmed error).
                let srp = srp.ok_or_else(unrecognizable)?;
                self.start_srp_for(srp, true)
            }
            // unconfirmed: what Cognito answers for other challenge names.
            Next::Challenge(_) => Err(unrecognizable()),
        }
    }

    /// CreateAuthChallenge, then the CUSTOM_CHALLENGE it made for the client.
    fn create_challenge(
        &self,
        key: UserKey,
        internal: &str,
        client_metadata: Option<&BTreeMap<String, String>>,
        session: &[ChallengeResult],
    ) -> ApiResult<Step> {
        let (create, event) = self.challenge_event(
            key,
            internal,
            client_metadata.cloned(),
            Trigger::CreateAuthChallenge,
        )?;
        let created = custom_auth::create(
            self.app,
            self.ctx,
            &create,
            &event,
            ChallengeNameType::CustomChallenge.as_str(),
            session,
        )?;
        let mut parameters = created.public;
        // unconfirmed: Cognito adds the user's name to the function's parameters.
        parameters.insert("USERNAME".to_string(), internal.to_string());
        let pending = Pending::CustomChallenge {
            private: created.private,
            metadata: created.metadata,
        };
        let session = self.new_session(&mut self.pool.write(), key, internal, pending, None);
        Ok(Step {
            challenge_name: Some(ChallengeNameType::CustomChallenge),
            session: Some(session),
            challenge_parameters: Some(parameters),
            ..Default::default()
        })
    }

    /// The function configured for `trigger` and the user as its events show them, read
    /// under a short lock that is released before the function runs.
    fn challenge_event(
        &self,
        key: UserKey,
        internal: &str,
        client_metadata: Option<BTreeMap<String, String>>,
        trigger: Trigger,
    ) -> ApiResult<(Function, ChallengeEvent)> {
        let guard = self.pool.read();
        let function = trigger.of(&guard).ok_or_else(not_configured)?;
        let user_attributes = if key == NOBODY {
            Value::Object(Map::new())
        } else {
            triggers::user_attributes(&guard, guard.user(key)?)
        };
        let event = ChallengeEvent {
            pool_id: guard.id().to_string(),
            user_name: internal.to_string(),
            client_id: self.client_id.to_string(),
            user_attributes,
            user_not_found: self
                .rules
                .prevent_user_existence_errors
                .then_some(key == NOBODY),
            client_metadata,
        };
        Ok((function, event))
    }
}
