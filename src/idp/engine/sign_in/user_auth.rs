//! USER_AUTH, choice-based sign-in: the user's first factor is one of the pool's
//! AllowedFirstAuthFactors that this user can use, named up front (PREFERRED_CHALLENGE) or
//! chosen from SELECT_CHALLENGE's AvailableChallenges. PASSWORD is checked at once,
//! PASSWORD_SRP continues in `srp.rs`, WEB_AUTHN in `webauthn.rs`; then the steps every
//! first factor is followed by (`complete.rs`).

use std::collections::BTreeMap;

use super::account::check_user_state;
use super::session::use_once;
use super::{incorrect, invalid_session, param, Answer, SignIn, Step, NOBODY};
use crate::error::{ApiError, ApiResult};
use crate::generated::cognito_idp::*;
use crate::idp::engine::attributes::mask_destination;
use crate::idp::engine::{feature_plans, passkeys};
use crate::idp::store::auth::{MfaPending, Pending};
use crate::idp::store::user::MfaFactor;
use crate::idp::store::{UserKey, UserPool};

/// The first-factor challenges a user can answer, in the order Cognito lists them
/// (observed `["PASSWORD_SRP","PASSWORD"]`; where the others go is unconfirmed).
fn available(pool: &UserPool, key: UserKey) -> Vec<ChallengeNameType> {
    let Some(user) = pool.users.get(key) else {
        return Vec::new();
    };
    let factors = passkeys::allowed_first_factors(pool);
    let mut challenges = Vec::new();
    // A user who must change a temporary password can only use it (observed).
    let forced = user.status == UserStatusType::ForceChangePassword;
    // Where MFA is required, codes are no first factor, and passkeys only when they count
    // as two factors (FactorConfiguration MULTI_FACTOR_WITH_USER_VERIFICATION; unconfirmed).
    let mfa_required = pool.mfa.mfa_configuration == Some(UserPoolMfaType::On);
    let passkey_is_mfa = pool
        .mfa
        .web_authn_configuration
        .as_ref()
        .and_then(|c| c.factor_configuration)
        == Some(WebAuthnFactorConfigurationType::MultiFactorWithUserVerification);
    let codes = !forced && !mfa_required;
    let passkey_is_mfa = passkey_is_mfa || user.extras().mfa.passkey_mfa;
    if factors.contains(&AuthFactorType::WebAuthn) && !forced && (!mfa_required || passkey_is_mfa) {
        let rp = passkeys::settings(pool).ok().map(|s| s.rp_id);
        if user
            .extras()
            .passkeys
            .iter()
            .any(|p| Some(&p.relying_party_id) == rp.as_ref())
        {
            challenges.push(ChallengeNameType::WebAuthn);
        }
    }
    if factors.contains(&AuthFactorType::EmailOtp) && codes && user.is_verified("email") {
        challenges.push(ChallengeNameType::EmailOtp);
    }
    if factors.contains(&AuthFactorType::SmsOtp) && codes && user.is_verified("phone_number") {
        challenges.push(ChallengeNameType::SmsOtp);
    }
    if factors.contains(&AuthFactorType::Password) && user.password.is_some() {
        challenges.push(ChallengeNameType::PasswordSrp);
        challenges.push(ChallengeNameType::Password);
    } else if factors.contains(&AuthFactorType::Password) && user.extras().imported_hash.is_some() {
        // An imported hash is checked with the password itself, not SRP.
        challenges.push(ChallengeNameType::Password);
    }
    challenges
}

/// What a pool offers someone who does not exist (PreventUserExistenceErrors): the
/// challenges a user with a password and a verified e-mail could choose, so nothing tells
/// them apart (unconfirmed).
fn offered_to_nobody(pool: &UserPool) -> Vec<ChallengeNameType> {
    let factors = passkeys::allowed_first_factors(pool);
    let mut challenges = Vec::new();
    let mfa_required = pool.mfa.mfa_configuration == Some(UserPoolMfaType::On);
    if factors.contains(&AuthFactorType::EmailOtp) && !mfa_required {
        challenges.push(ChallengeNameType::EmailOtp);
    }
    if factors.contains(&AuthFactorType::Password) {
        challenges.push(ChallengeNameType::PasswordSrp);
        challenges.push(ChallengeNameType::Password);
    }
    challenges
}

impl SignIn<'_> {
    /// InitiateAuth / AdminInitiateAuth with AuthFlow USER_AUTH.
    pub(super) fn user_auth(
        &self,
        params: &BTreeMap<String, String>,
        session: Option<&str>,
    ) -> ApiResult<Step> {
        feature_plans::check_user_auth(&self.pool.read())?;
        let username = param(params, "USERNAME")?;
        let preferred = params
            .get("PREFERRED_CHALLENGE")
            .and_then(|c| ChallengeNameType::parse(c));
        // An unknown user who names PASSWORD up front is migrated with it (passwordless
        // sign-in never migrates); PreAuthentication runs once, before any factor.
        let password = (preferred == Some(ChallengeNameType::Password))
            .then(|| params.get("PASSWORD").map(String::as_str))
            .flatten();
        let secret_hash = params.get("SECRET_HASH").map(String::as_str);
        self.before_authentication(username, secret_hash, password)?;
        if let Some(session) = session {
            return self.auto_sign_in(username, params, session);
        }
        let (key, internal, choices) = {
            let guard = self.pool.read();
            let found = self.rules.check_secret_hash_for(
                &guard,
                self.client_id,
                params.get("SECRET_HASH").map(String::as_str),
                username,
            )?;
            match found.and_then(|k| guard.users.get(k).map(|u| (k, u))) {
                Some((k, user)) => (k, user.username.clone(), available(&guard, k)),
                None if self.rules.prevent_user_existence_errors => {
                    (NOBODY, username.to_string(), offered_to_nobody(&guard))
                }
                None => return Err(ApiError::user_not_found()),
            }
        };
        match preferred.filter(|p| choices.contains(p)) {
            Some(ChallengeNameType::Password) => {
                let password = param(params, "PASSWORD")?;
                if key == NOBODY {
                    return Err(incorrect());
                }
                let user = self.check_password(
                    username,
                    password,
                    params.get("SECRET_HASH").map(String::as_str),
                )?;
                self.after_first_factor(user)
            }
            Some(ChallengeNameType::PasswordSrp) => self.start_srp_for(params, false),
            Some(ChallengeNameType::WebAuthn) => self.web_authn_challenge(key, &internal),
            Some(code @ (ChallengeNameType::EmailOtp | ChallengeNameType::SmsOtp)) => {
                self.otp_first_factor(key, &internal, code)
            }
            _ => {
                let session = self.new_session(
                    &mut self.pool.write(),
                    key,
                    &internal,
                    Pending::SelectChallenge(choices.clone()),
                    None,
                );
                Ok(Step {
                    challenge_name: Some(ChallengeNameType::SelectChallenge),
                    session: Some(session),
                    challenge_parameters: Some(BTreeMap::new()),
                    available_challenges: Some(choices),
                    ..Default::default()
                })
            }
        }
    }

    /// USER_AUTH with ConfirmSignUp's Session: the confirmation code was the first factor
    /// (what may follow, MFA, still does).
    fn auto_sign_in(
        &self,
        username: &str,
        params: &BTreeMap<String, String>,
        session: &str,
    ) -> ApiResult<Step> {
        let key = {
            let mut guard = self.pool.write();
            let (id, found) = self.find_session(&guard, Some(session), None)?;
            if found.pending != Pending::SignedUp || guard.users.find(username) != Some(found.user)
            {
                return Err(invalid_session());
            }
            self.rules.check_secret_hash(
                self.client_id,
                params.get("SECRET_HASH").map(String::as_str),
                &[username, &found.username],
            )?;
            use_once(&mut guard, &id)?;
            found.user
        };
        self.after_first_factor(key)
    }

    /// Takes the session an answer names if it waits for `expected`, marking it used:
    /// (the user, the user's internal name, what it waited for).
    pub(super) fn take_session(
        &self,
        answer: &Answer,
        expected: impl Fn(&Pending) -> bool,
    ) -> ApiResult<(UserKey, String, Pending)> {
        let mut guard = self.pool.write();
        let (id, found) = self.find_session(&guard, answer.session, None)?;
        if !expected(&found.pending) {
            return Err(invalid_session());
        }
        self.check_answer_hash(answer, &found.username)?;
        use_once(&mut guard, &id)?;
        Ok((found.user, found.username, found.pending))
    }

    /// RespondToAuthChallenge SELECT_CHALLENGE: ANSWER is one of the AvailableChallenges,
    /// with PASSWORD or SRP_A when it names those.
    pub(super) fn select_challenge(&self, answer: &Answer) -> ApiResult<Step> {
        let chosen = answer.param("ANSWER")?;
        let (key, internal, pending) =
            self.take_session(answer, |p| matches!(p, Pending::SelectChallenge(_)))?;
        let Pending::SelectChallenge(choices) = pending else {
            unreachable!("checked by take_session");
        };
        let Some(chosen) = ChallengeNameType::parse(chosen).filter(|c| choices.contains(c)) else {
            // Text unconfirmed.
            return Err(ApiError::invalid_parameter(format!(
                "Invalid ANSWER {chosen}: not one of the available challenges."
            )));
        };
        match chosen {
            ChallengeNameType::Password => match answer.get("PASSWORD") {
                Some(password) => self.password_answer(key, password),
                None => self.ask_password(key, &internal, false),
            },
            ChallengeNameType::PasswordSrp => match answer.get("SRP_A") {
                Some(srp_a) => self.srp_answer(key, &internal, srp_a, answer),
                None => self.ask_password(key, &internal, true),
            },
            ChallengeNameType::WebAuthn => self.web_authn_challenge(key, &internal),
            code => self.otp_first_factor(key, &internal, code),
        }
    }

    /// EMAIL_OTP or SMS_OTP as the first factor: a code is sent (as for MFA, `mfa.rs`).
    fn otp_first_factor(
        &self,
        key: UserKey,
        username: &str,
        challenge: ChallengeNameType,
    ) -> ApiResult<Step> {
        if key == NOBODY {
            return Ok(self.simulated_email_otp(username));
        }
        let factor = if challenge == ChallengeNameType::SmsOtp {
            MfaFactor::Sms
        } else {
            MfaFactor::Email
        };
        self.otp_challenge(&mut self.pool.write(), key, factor)
    }

    /// What someone who does not exist gets for EMAIL_OTP under PreventUserExistenceErrors:
    /// a challenge like anyone's, with a masked destination, that no code answers (observed).
    fn simulated_email_otp(&self, username: &str) -> Step {
        let address = if username.contains('@') {
            username.to_string()
        } else {
            format!("{username}@example.com")
        };
        let pending = Pending::Mfa(MfaPending {
            factor: MfaFactor::Email,
            code: None,
            code_expires_ms: 0,
            failures: 0,
            setting_up: None,
            first_factor: true,
        });
        let session = self.new_session(&mut self.pool.write(), NOBODY, username, pending, None);
        Step {
            challenge_name: Some(ChallengeNameType::EmailOtp),
            session: Some(session),
            challenge_parameters: Some(BTreeMap::from([
                (
                    "CODE_DELIVERY_DELIVERY_MEDIUM".to_string(),
                    "EMAIL".to_string(),
                ),
                ("USER_ID_FOR_SRP".to_string(), username.to_string()),
                (
                    "CODE_DELIVERY_DESTINATION".to_string(),
                    mask_destination(&address),
                ),
            ])),
            available_challenges: Some(vec![ChallengeNameType::EmailOtp]),
            ..Default::default()
        }
    }

    /// After a passwordless first factor (a code, a passkey that verified its user): the
    /// user's state, then tokens. No MFA challenge follows (unconfirmed: Cognito documents
    /// passwordless sign-in and MFA as alternatives).
    pub(super) fn after_passwordless(&self, key: UserKey) -> ApiResult<Step> {
        let now = self.app.clock.now();
        check_user_state(&self.pool.read(), key, now, &self.rules)?;
        self.finish(key)
    }

    /// RespondToAuthChallenge PASSWORD or PASSWORD_SRP, after SELECT_CHALLENGE chose it bare.
    pub(super) fn password_challenge(&self, answer: &Answer, srp: bool) -> ApiResult<Step> {
        let wanted = Pending::Password { srp };
        let given = if srp {
            answer.param("SRP_A")?
        } else {
            answer.param("PASSWORD")?
        };
        let (key, internal, _) = self.take_session(answer, |p| *p == wanted)?;
        if srp {
            self.srp_answer(key, &internal, given, answer)
        } else {
            self.password_answer(key, given)
        }
    }

    fn ask_password(&self, key: UserKey, internal: &str, srp: bool) -> ApiResult<Step> {
        let session = self.new_session(
            &mut self.pool.write(),
            key,
            internal,
            Pending::Password { srp },
            None,
        );
        Ok(Step {
            challenge_name: Some(if srp {
                ChallengeNameType::PasswordSrp
            } else {
                ChallengeNameType::Password
            }),
            session: Some(session),
            challenge_parameters: Some(BTreeMap::new()),
            ..Default::default()
        })
    }

    fn password_answer(&self, key: UserKey, password: &str) -> ApiResult<Step> {
        if key == NOBODY {
            return Err(incorrect());
        }
        self.adopt_imported_password(key, password);
        self.check_password_of(&mut self.pool.write(), key, password)?;
        self.after_first_factor(key)
    }

    /// SRP's first step for a user a session already named; PASSWORD_VERIFIER follows.
    fn srp_answer(
        &self,
        key: UserKey,
        internal: &str,
        srp_a: &str,
        answer: &Answer,
    ) -> ApiResult<Step> {
        if key == NOBODY {
            return Err(incorrect());
        }
        let mut params = BTreeMap::from([
            ("USERNAME".to_string(), internal.to_string()),
            ("SRP_A".to_string(), srp_a.to_string()),
        ]);
        if let Some(hash) = answer.get("SECRET_HASH") {
            params.insert("SECRET_HASH".to_string(), hash.to_string());
        }
        // The SECRET_HASH was checked against the answer's USERNAME already.
        self.start_srp_for(&params, true)
    }
}
