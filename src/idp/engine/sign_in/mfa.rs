//! The MFA step after the first factor: SMS_MFA, EMAIL_OTP and SOFTWARE_TOKEN_MFA codes,
//! SELECT_MFA_TYPE when several factors are on and none is preferred, and MFA_SETUP when
//! the pool requires MFA and the user has none (a software token set up with the Session,
//! see `totp_setup.rs`, or an e-mail address confirmed with a code).

use std::collections::BTreeMap;

use super::session::use_once;
use super::{invalid_session, Answer, SignIn, Step};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::generated::cognito_idp::*;
use crate::idp::engine::attributes::mask_destination;
use crate::idp::engine::codes::{self, Content, Recipient};
use crate::idp::engine::mfa::{self, Decision};
use crate::idp::store::auth::{MfaPending, Pending};
use crate::idp::store::user::MfaFactor;
use crate::idp::store::{UserKey, UserPool};
use crate::infra::crypto::totp;

/// How long an SMS or e-mail MFA code is good for (Cognito's is unconfirmed; the session
/// itself lasts the client's AuthSessionValidity).
const CODE_LIFETIME_MS: i64 = 3 * 60 * 1000;
/// Wrong codes one sign-in may try before it must start again. Real Cognito accepted six
/// wrong codes without locking (the limit is unconfirmed); a bound keeps 6-digit codes from
/// being guessed.
const MAX_CODE_FAILURES: u32 = 10;
const DEFAULT_SMS_MESSAGE: &str = "Your authentication code is {####}. ";
const DEFAULT_EMAIL_MESSAGE: &str = "Your authentication code is {####}";
const DEFAULT_EMAIL_SUBJECT: &str = "Your authentication code";

fn mismatch() -> ApiError {
    ApiError::new(
        ErrorCode::CodeMismatchException,
        "Invalid code or auth state for the user.",
    )
}

fn challenge_of(factor: MfaFactor) -> ChallengeNameType {
    match factor {
        MfaFactor::Sms => ChallengeNameType::SmsMfa,
        MfaFactor::SoftwareToken => ChallengeNameType::SoftwareTokenMfa,
        MfaFactor::Email => ChallengeNameType::EmailOtp,
    }
}

fn json_list(factors: &[MfaFactor]) -> String {
    serde_json::to_string(&factors.iter().map(|f| f.as_str()).collect::<Vec<_>>()).expect("json")
}

impl SignIn<'_> {
    /// The MFA challenge the pool and user call for, if any (under the pool's lock).
    pub(super) fn mfa_step(&self, pool: &mut UserPool, key: UserKey) -> ApiResult<Option<Step>> {
        let user = pool.user(key)?;
        let username = user.username.clone();
        match mfa::decide(pool, user) {
            Decision::None => Ok(None),
            Decision::Challenge(factor) => self.mfa_challenge(pool, key, factor, None).map(Some),
            Decision::Select(options) => {
                let parameters = BTreeMap::from([
                    ("MFAS_CAN_CHOOSE".to_string(), json_list(&options)),
                    ("USER_ID_FOR_SRP".to_string(), username.clone()),
                ]);
                let session =
                    self.new_session(pool, key, &username, Pending::SelectMfaType(options), None);
                Ok(Some(challenge(
                    ChallengeNameType::SelectMfaType,
                    session,
                    parameters,
                )))
            }
            Decision::Setup(options) => {
                let parameters = BTreeMap::from([
                    ("MFAS_CAN_SETUP".to_string(), json_list(&options)),
                    ("USER_ID_FOR_SRP".to_string(), username.clone()),
                ]);
                let pending = Pending::MfaSetup {
                    options,
                    secret: None,
                    verified: false,
                };
                let session = self.new_session(pool, key, &username, pending, None);
                Ok(Some(challenge(
                    ChallengeNameType::MfaSetup,
                    session,
                    parameters,
                )))
            }
        }
    }

    /// Sends the code (SMS, e-mail) and hands out the challenge. `setting_up` is the e-mail
    /// address being set up inside MFA_SETUP.
    fn mfa_challenge(
        &self,
        pool: &mut UserPool,
        key: UserKey,
        factor: MfaFactor,
        setting_up: Option<String>,
    ) -> ApiResult<Step> {
        self.code_challenge(pool, key, factor, setting_up, false)
    }

    /// USER_AUTH's EMAIL_OTP and SMS_OTP first factors: the same codes, 8 digits (observed
    /// for e-mail; unconfirmed for SMS), answered with EMAIL_OTP_CODE / SMS_OTP_CODE.
    pub(super) fn otp_challenge(
        &self,
        pool: &mut UserPool,
        key: UserKey,
        factor: MfaFactor,
    ) -> ApiResult<Step> {
        let mut step = self.code_challenge(pool, key, factor, None, true)?;
        step.available_challenges = step.challenge_name.map(|c| vec![c]);
        Ok(step)
    }

    fn code_challenge(
        &self,
        pool: &mut UserPool,
        key: UserKey,
        factor: MfaFactor,
        setting_up: Option<String>,
        first_factor: bool,
    ) -> ApiResult<Step> {
        let user = pool.user(key)?;
        let username = user.username.clone();
        let mut parameters = BTreeMap::new();
        let code = match factor {
            MfaFactor::SoftwareToken => {
                if let Some(name) = user
                    .extras()
                    .mfa
                    .software_token
                    .as_ref()
                    .and_then(|t| t.friendly_name.clone())
                {
                    parameters.insert("FRIENDLY_DEVICE_NAME".to_string(), name);
                }
                None
            }
            MfaFactor::Sms | MfaFactor::Email => {
                let (attribute, medium) = match factor {
                    MfaFactor::Sms => ("phone_number", DeliveryMediumType::Sms),
                    _ => ("email", DeliveryMediumType::Email),
                };
                let to = match &setting_up {
                    Some(address) => address.clone(),
                    None => user
                        .attribute(attribute)
                        .ok_or_else(|| {
                            ApiError::invalid_parameter(format!(
                                "The user has no {attribute} to send a code to."
                            ))
                        })?
                        .to_string(),
                };
                let content = match factor {
                    MfaFactor::Sms => Content {
                        template: Some(
                            pool.mfa
                                .sms_mfa_configuration
                                .as_ref()
                                .and_then(|c| c.sms_authentication_message.clone())
                                .or_else(|| pool.config.sms_authentication_message.clone())
                                .unwrap_or_else(|| DEFAULT_SMS_MESSAGE.to_string()),
                        ),
                        subject: None,
                    },
                    _ => {
                        let email = pool.mfa.email_mfa_configuration.clone().unwrap_or_default();
                        Content {
                            template: Some(
                                email
                                    .message
                                    .unwrap_or_else(|| DEFAULT_EMAIL_MESSAGE.to_string()),
                            ),
                            subject: Some(
                                email
                                    .subject
                                    .unwrap_or_else(|| DEFAULT_EMAIL_SUBJECT.to_string()),
                            ),
                        }
                    }
                };
                let recipient = Recipient {
                    pool_id: pool.id(),
                    username: &username,
                    medium,
                    to: &to,
                };
                let digits = if first_factor { 8 } else { 6 };
                let code = codes::deliver(
                    self.app,
                    self.ctx,
                    recipient,
                    content,
                    "Authentication",
                    digits,
                );
                parameters.insert(
                    "CODE_DELIVERY_DELIVERY_MEDIUM".to_string(),
                    medium.as_str().to_string(),
                );
                parameters.insert(
                    "CODE_DELIVERY_DESTINATION".to_string(),
                    mask_destination(&to),
                );
                parameters.insert("USER_ID_FOR_SRP".to_string(), username.clone());
                Some(code)
            }
        };
        let pending = Pending::Mfa(MfaPending {
            factor,
            code,
            code_expires_ms: (self.app.clock.now() * 1000.0) as i64 + CODE_LIFETIME_MS,
            failures: 0,
            setting_up,
            first_factor,
        });
        let session = self.new_session(pool, key, &username, pending, None);
        let name = match factor {
            MfaFactor::Sms if first_factor => ChallengeNameType::SmsOtp,
            _ => challenge_of(factor),
        };
        Ok(challenge(name, session, parameters))
    }

    /// SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP (as a second factor), and USER_AUTH's
    /// EMAIL_OTP and SMS_OTP first factors.
    pub(super) fn answer_mfa_code(&self, factor: MfaFactor, answer: &Answer) -> ApiResult<Step> {
        let now = self.app.clock.now();
        let (key, first_factor) = {
            let mut guard = self.pool.write();
            let (id, found) = self.find_session(&guard, answer.session, None)?;
            self.check_answer_hash(answer, &found.username)?;
            let Pending::Mfa(pending) = &found.pending else {
                return Err(invalid_session());
            };
            if pending.factor != factor {
                return Err(invalid_session());
            }
            let first_factor = pending.first_factor;
            let name = match factor {
                MfaFactor::Sms if first_factor => "SMS_OTP_CODE",
                MfaFactor::Sms => "SMS_MFA_CODE",
                MfaFactor::SoftwareToken => "SOFTWARE_TOKEN_MFA_CODE",
                MfaFactor::Email => "EMAIL_OTP_CODE",
            };
            let given = answer.param(name)?;
            if found.user == super::NOBODY {
                // A simulated USER_AUTH code challenge (PreventUserExistenceErrors).
                return Err(mismatch());
            }
            let user = guard.user(found.user)?;
            let accepted = match factor {
                MfaFactor::SoftwareToken => {
                    let token = user.extras().mfa.software_token.as_ref().ok_or_else(|| {
                        ApiError::new(
                            ErrorCode::SoftwareTokenMFANotFoundException,
                            "Software Token MFA does not exist for the user.",
                        )
                    })?;
                    match totp::matching_step(&token.secret, given, now) {
                        Some(step) if step <= token.last_step => {
                            // Text unconfirmed.
                            return Err(ApiError::new(
                                ErrorCode::ExpiredCodeException,
                                "Your software token has already been used once.",
                            ));
                        }
                        Some(step) => Some(step),
                        None => None,
                    }
                }
                _ => {
                    let sent = pending.code.as_deref().unwrap_or_default();
                    let same: bool =
                        subtle::ConstantTimeEq::ct_eq(sent.as_bytes(), given.as_bytes()).into();
                    if same && pending.code_expires_ms <= (now * 1000.0) as i64 {
                        // Text unconfirmed.
                        return Err(ApiError::new(
                            ErrorCode::ExpiredCodeException,
                            "Your code has expired. Sign in again to get a new one.",
                        ));
                    }
                    same.then_some(0)
                }
            };
            let Some(step) = accepted else {
                let failures = pending.failures + 1;
                if failures >= MAX_CODE_FAILURES {
                    guard.auth.sessions.remove(&id);
                } else if let Some(Pending::Mfa(p)) =
                    guard.auth.sessions.get_mut(&id).map(|s| &mut s.pending)
                {
                    p.failures = failures;
                }
                return Err(mismatch());
            };
            // Answered concurrently: only the first answer counts.
            use_once(&mut guard, &id)?;
            let setting_up = pending.setting_up.clone();
            guard.users.update(found.user, |u| {
                if factor == MfaFactor::SoftwareToken {
                    if let Some(token) = &mut u.extras_mut().mfa.software_token {
                        token.last_step = step;
                    }
                }
                if let Some(address) = setting_up {
                    u.set_attribute("email", address);
                    u.set_attribute("email_verified", "true".to_string());
                    u.extras_mut().mfa.enabled.insert(MfaFactor::Email);
                    u.extras_mut().mfa.preferred.get_or_insert(MfaFactor::Email);
                    u.modified = now;
                }
            });
            (found.user, first_factor)
        };
        if first_factor {
            return self.after_passwordless(key);
        }
        self.finish(key)
    }

    /// SELECT_MFA_TYPE: the chosen factor's challenge.
    pub(super) fn select_mfa_type(&self, answer: &Answer) -> ApiResult<Step> {
        let mut guard = self.pool.write();
        let (id, found) = self.find_session(&guard, answer.session, None)?;
        self.check_answer_hash(answer, &found.username)?;
        let Pending::SelectMfaType(options) = &found.pending else {
            return Err(invalid_session());
        };
        let chosen = answer.param("ANSWER")?;
        let factor = MfaFactor::parse(chosen)
            // The docs also name EMAIL_MFA.
            .or((chosen == "EMAIL_MFA").then_some(MfaFactor::Email))
            .filter(|f| options.contains(f))
            .ok_or_else(|| {
                // Text unconfirmed.
                ApiError::new(
                    ErrorCode::MFAMethodNotFoundException,
                    format!("{chosen} is not an MFA method the user can use."),
                )
            })?;
        use_once(&mut guard, &id)?;
        self.mfa_challenge(&mut guard, found.user, factor, None)
    }

    /// MFA_SETUP: a software token verified with the Session turns TOTP on; an `EMAIL`
    /// answer sends a code to that address (EMAIL_OTP), which turns e-mail MFA on.
    pub(super) fn finish_mfa_setup(&self, answer: &Answer) -> ApiResult<Step> {
        let key = {
            let mut guard = self.pool.write();
            let (id, found) = self.find_session(&guard, answer.session, None)?;
            self.check_answer_hash(answer, &found.username)?;
            let Pending::MfaSetup {
                options, verified, ..
            } = &found.pending
            else {
                return Err(invalid_session());
            };
            if let Some(address) = answer.get("EMAIL") {
                if !options.contains(&MfaFactor::Email) {
                    return Err(ApiError::new(
                        ErrorCode::MFAMethodNotFoundException,
                        "E-mail MFA is not enabled for the user pool.",
                    ));
                }
                if !crate::idp::engine::attributes::is_email(address) {
                    return Err(ApiError::invalid_parameter("Invalid email address format."));
                }
                use_once(&mut guard, &id)?;
                let address = address.to_string();
                return self.mfa_challenge(&mut guard, found.user, MfaFactor::Email, Some(address));
            }
            let has_token = guard
                .user(found.user)?
                .extras()
                .mfa
                .software_token
                .is_some();
            if !verified || !has_token {
                // Text unconfirmed.
                return Err(ApiError::invalid_parameter(
                    "Software token MFA has not been verified for the user; call AssociateSoftwareToken and VerifySoftwareToken with the Session first.",
                ));
            }
            use_once(&mut guard, &id)?;
            let now = self.app.clock.now();
            guard.users.update(found.user, |u| {
                u.extras_mut().mfa.enabled.insert(MfaFactor::SoftwareToken);
                u.extras_mut()
                    .mfa
                    .preferred
                    .get_or_insert(MfaFactor::SoftwareToken);
                u.modified = now;
            });
            found.user
        };
        self.finish(key)
    }
}

fn challenge(
    name: ChallengeNameType,
    session: String,
    parameters: BTreeMap<String, String>,
) -> Step {
    Step {
        challenge_name: Some(name),
        session: Some(session),
        challenge_parameters: Some(parameters),
        ..Default::default()
    }
}
