//! Sign-in as a small state machine: a flow starts it (InitiateAuth), each challenge answer
//! moves it on (RespondToAuthChallenge), and it ends in tokens. One file per flow or
//! challenge; a new one (MFA, device SRP, custom auth, USER_AUTH, WebAuthn) is a new file and
//! one arm in [`SignIn::initiate`] or [`SignIn::respond`]:
//! - `password.rs`: USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH / ADMIN_NO_SRP_AUTH
//! - `srp.rs`: USER_SRP_AUTH, then PASSWORD_VERIFIER
//! - `new_password.rs`: NEW_PASSWORD_REQUIRED
//! - `mfa.rs`: SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP, SELECT_MFA_TYPE, MFA_SETUP;
//!   `totp_setup.rs`: AssociateSoftwareToken / VerifySoftwareToken with a challenge Session
//! - `user_auth.rs`: USER_AUTH (choice-based sign-in), SELECT_CHALLENGE, PASSWORD, PASSWORD_SRP
//! - `webauthn.rs`: WEB_AUTHN (passkey sign-in)
//! - `custom.rs`: CUSTOM_AUTH and CUSTOM_CHALLENGE (the Define/Create/Verify auth challenge
//!   triggers), with SRP first when the client asks (`CHALLENGE_NAME: SRP_A`)
//! - `refresh.rs`: REFRESH_TOKEN_AUTH and GetTokensFromRefreshToken
//! - `device.rs`: remembered devices: DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER, and the
//!   device keys handed out with the tokens
//! - `hosted.rs`: the hosted sign-in page, which ends in a signed-in user, not tokens
//! - `lifecycle.rs`: the UserMigration, PreAuthentication and PostAuthentication triggers
//! - `session.rs`: challenges kept between steps; `account.rs`: the checks after a first
//!   factor (lockout, disabled, unconfirmed); `complete.rs`: what follows a first factor.
//!
//! These run on the blocking pool (they sign tokens and do SRP arithmetic); arithmetic and
//! signing happen between short pool-lock sections, never under a lock.

mod account;
mod complete;
mod custom;
mod device;
mod hosted;
mod imported_password;
mod lifecycle;
mod mfa;
mod new_password;
mod password;
mod refresh;
mod session;
pub use session::sign_up_session;
mod srp;
pub mod totp_setup;
mod user_auth;
mod webauthn;

use std::collections::BTreeMap;

use crate::app::{App, RequestContext};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::generated::cognito_idp::*;
use crate::idp::engine::client_rules::ClientRules;
use crate::idp::store::user::MfaFactor;
use crate::idp::store::{PoolHandle, UserKey};

/// Which API a sign-in came through: some flows belong to one of them only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    Public,
    Admin,
    /// The hosted sign-in pages: no SECRET_HASH (the client authenticates at the token
    /// endpoint), and a sign-in ends in a hosted session instead of tokens.
    Hosted,
}

/// The answer of every sign-in step, whatever API returns it.
pub type Step = InitiateAuthResponse;

/// A user the session stands for but who does not exist (PreventUserExistenceErrors).
const NOBODY: UserKey = UserKey::MAX;

/// A client's answer to a challenge: the Session it names and its ChallengeResponses.
pub struct Answer<'a> {
    pub session: Option<&'a str>,
    pub responses: &'a BTreeMap<String, String>,
}

impl Answer<'_> {
    fn param(&self, name: &str) -> ApiResult<&str> {
        param(self.responses, name)
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.responses.get(name).map(String::as_str)
    }
}

/// One sign-in step: the pool and app client it happens in, and the client's rules.
pub struct SignIn<'a> {
    pub app: &'a App,
    /// Where the codes a step sends go (delivered once the request has succeeded).
    ctx: &'a RequestContext,
    pub pool: &'a PoolHandle,
    pub client_id: &'a str,
    pub rules: ClientRules,
    /// Where the request came from (threat protection, events, sessions).
    pub source: crate::idp::engine::risk::Source,
    api: Api,
    /// Who a hosted sign-in signed in, once it has.
    signed_in: std::cell::Cell<Option<UserKey>>,
    /// The DEVICE_KEY this sign-in names: from the request, else from the challenge it answers.
    device: std::cell::RefCell<Option<String>>,
    /// The request's ClientMetadata, for the triggers a challenge answer calls.
    pub client_metadata: Option<BTreeMap<String, String>>,
    /// The CUSTOM_AUTH sign-in this step belongs to: started here, or carried by the
    /// challenge answered (see `custom.rs`).
    custom: std::cell::RefCell<Option<crate::idp::store::auth::CustomFlow>>,
    /// PreTokenGeneration's `triggerSource` if this step ends in tokens: the step that
    /// answered a new password or a device's proof says so.
    token_source: std::cell::Cell<&'static str>,
}

fn incorrect() -> ApiError {
    ApiError::not_authorized("Incorrect username or password.")
}

fn invalid_session() -> ApiError {
    ApiError::not_authorized("Invalid session for the user.")
}

fn missing(name: &str) -> ApiError {
    ApiError::invalid_parameter(format!("Missing required parameter {name}"))
}

fn param<'a>(params: &'a BTreeMap<String, String>, name: &str) -> ApiResult<&'a str> {
    params
        .get(name)
        .map(String::as_str)
        .ok_or_else(|| missing(name))
}

impl<'a> SignIn<'a> {
    pub fn new(
        app: &'a App,
        ctx: &'a RequestContext,
        pool: &'a PoolHandle,
        client_id: &'a str,
        api: Api,
    ) -> ApiResult<Self> {
        let mut rules = ClientRules::of(pool.read().client(client_id)?);
        if api == Api::Hosted {
            rules.secrets.clear();
        }
        Ok(Self {
            app,
            ctx,
            pool,
            client_id,
            rules,
            source: Default::default(),
            api,
            signed_in: Default::default(),
            device: Default::default(),
            client_metadata: None,
            custom: Default::default(),
            token_source: std::cell::Cell::new(
                crate::idp::engine::triggers::token_generation::source::AUTHENTICATION,
            ),
        })
    }

    /// The DEVICE_KEY a request names (GetTokensFromRefreshToken's `DeviceKey`).
    pub fn set_device(&self, device_key: Option<String>) {
        *self.device.borrow_mut() = device_key;
    }

    /// InitiateAuth / AdminInitiateAuth (`session`: the Session a USER_AUTH sign-in may
    /// continue, ConfirmSignUp's).
    pub fn initiate(
        &self,
        flow: AuthFlowType,
        params: &BTreeMap<String, String>,
        session: Option<&str>,
    ) -> ApiResult<Step> {
        let wrong_api = match flow {
            AuthFlowType::UserPasswordAuth => self.api == Api::Admin,
            AuthFlowType::AdminUserPasswordAuth | AuthFlowType::AdminNoSrpAuth => {
                self.api == Api::Public
            }
            _ => false,
        };
        if wrong_api {
            // Text unconfirmed.
            return Err(ApiError::invalid_parameter(
                "Initiate Auth method not supported.",
            ));
        }
        if !self.rules.allows(flow) {
            return Err(ApiError::invalid_parameter(match flow {
                AuthFlowType::UserPasswordAuth => {
                    "USER_PASSWORD_AUTH flow not enabled for this client"
                }
                AuthFlowType::CustomAuth => "CUSTOM_AUTH is not enabled for the client.",
                _ => "Auth flow not enabled for this client",
            }));
        }
        // USER_SRP_AUTH's DEVICE_KEY is the one its PASSWORD_VERIFIER answer names: clients
        // send it again there (and amazon-cognito-identity-js answers again without it when
        // told the device does not exist).
        if flow != AuthFlowType::UserSrpAuth {
            self.set_device(params.get("DEVICE_KEY").cloned());
        }
        if !matches!(
            flow,
            AuthFlowType::RefreshTokenAuth | AuthFlowType::RefreshToken
        ) {
            crate::idp::engine::auth_events::screen_sign_in(
                self,
                params.get("USERNAME").map(String::as_str),
            )?;
        }
        match flow {
            AuthFlowType::UserPasswordAuth
            | AuthFlowType::AdminUserPasswordAuth
            | AuthFlowType::AdminNoSrpAuth => self.password(params),
            AuthFlowType::UserSrpAuth => self.start_srp(params),
            AuthFlowType::RefreshTokenAuth | AuthFlowType::RefreshToken => {
                self.refresh_flow(params)
            }
            AuthFlowType::UserAuth => self.user_auth(params, session),
            AuthFlowType::CustomAuth => self.custom_auth(params),
        }
    }

    /// RespondToAuthChallenge / AdminRespondToAuthChallenge.
    pub fn respond(&self, challenge: ChallengeNameType, answer: &Answer) -> ApiResult<Step> {
        // An answer without DEVICE_KEY keeps the one of the challenge (see `find_session`).
        self.set_device(answer.get("DEVICE_KEY").map(str::to_string));
        match challenge {
            ChallengeNameType::NewPasswordRequired => self.new_password(answer),
            ChallengeNameType::PasswordVerifier => self.verify_srp(answer),
            ChallengeNameType::SmsMfa => self.answer_mfa_code(MfaFactor::Sms, answer),
            ChallengeNameType::SoftwareTokenMfa => {
                self.answer_mfa_code(MfaFactor::SoftwareToken, answer)
            }
            ChallengeNameType::EmailOtp => self.answer_mfa_code(MfaFactor::Email, answer),
            ChallengeNameType::SmsOtp => self.answer_mfa_code(MfaFactor::Sms, answer),
            ChallengeNameType::SelectMfaType => self.select_mfa_type(answer),
            ChallengeNameType::MfaSetup => self.finish_mfa_setup(answer),
            ChallengeNameType::DeviceSrpAuth => self.device_srp(answer),
            ChallengeNameType::DevicePasswordVerifier => self.verify_device(answer),
            ChallengeNameType::SelectChallenge => self.select_challenge(answer),
            ChallengeNameType::Password => self.password_challenge(answer, false),
            ChallengeNameType::PasswordSrp => self.password_challenge(answer, true),
            ChallengeNameType::WebAuthn => self.web_authn(answer),
            ChallengeNameType::CustomChallenge => self.custom_challenge(answer),
            other => Err(ApiError::new(
                ErrorCode::NotImplementedException,
                format!(
                    "The {} challenge is not implemented by cognito-emulator yet.",
                    other.as_str()
                ),
            )),
        }
    }
}
