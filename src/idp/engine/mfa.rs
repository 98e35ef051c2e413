//! MFA rules shared by the settings operations and sign-in: which factors a pool offers,
//! which a user has turned on and can receive, what a sign-in asks for, and the user's
//! preferences (SetUserMFAPreference).

use std::collections::BTreeSet;

use crate::error::{ApiError, ApiResult};
use crate::generated::cognito_idp::{DeliveryMediumType, EmailSendingAccountType, UserPoolMfaType};
use crate::idp::store::user::MfaFactor;
use crate::idp::store::{User, UserPool};

/// Whether the pool's MFA configuration offers a factor.
pub fn pool_offers(pool: &UserPool, factor: MfaFactor) -> bool {
    match factor {
        MfaFactor::Sms => pool.mfa.sms_mfa_configuration.is_some(),
        MfaFactor::SoftwareToken => pool
            .mfa
            .software_token_mfa_configuration
            .as_ref()
            .and_then(|c| c.enabled)
            .unwrap_or(false),
        MfaFactor::Email => pool.mfa.email_mfa_configuration.is_some() && sends_own_email(pool),
    }
}

/// E-mail MFA and e-mail one-time codes need the pool to send through SES (DEVELOPER), as
/// in Cognito; nothing is sent here, so any well-formed SES ARN does.
pub fn sends_own_email(pool: &UserPool) -> bool {
    pool.config
        .email_configuration
        .as_ref()
        .and_then(|c| c.email_sending_account)
        == Some(EmailSendingAccountType::Developer)
}

/// Whether the user can use a factor: a phone number for SMS, a verified software token, an
/// e-mail address for e-mail codes.
pub fn user_has(user: &User, factor: MfaFactor) -> bool {
    match factor {
        MfaFactor::Sms => user.attribute("phone_number").is_some(),
        MfaFactor::SoftwareToken => user.extras().mfa.software_token.is_some(),
        MfaFactor::Email => user.attribute("email").is_some(),
    }
}

/// The factors the user turned on, including SMS turned on the legacy way (MFAOptions).
pub fn enabled(user: &User) -> BTreeSet<MfaFactor> {
    let mut factors = user.extras().mfa.enabled.clone();
    if user
        .extras()
        .mfa_options
        .iter()
        .any(|o| o.delivery_medium == Some(DeliveryMediumType::Sms))
    {
        factors.insert(MfaFactor::Sms);
    }
    factors
}

/// What a sign-in asks for once the first factor has passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// No MFA: tokens.
    None,
    Challenge(MfaFactor),
    /// SELECT_MFA_TYPE among these.
    Select(Vec<MfaFactor>),
    /// MFA_SETUP: MFA is required and the user has no factor; these can be set up.
    Setup(Vec<MfaFactor>),
}

pub fn decide(pool: &UserPool, user: &User) -> Decision {
    let required = match pool.mfa.mfa_configuration {
        Some(UserPoolMfaType::On) => true,
        Some(UserPoolMfaType::Optional) => false,
        _ => return Decision::None,
    };
    let usable: Vec<MfaFactor> = enabled(user)
        .into_iter()
        .filter(|f| pool_offers(pool, *f) && user_has(user, *f))
        .collect();
    if usable.is_empty() {
        if !required {
            return Decision::None;
        }
        // Required MFA with nothing turned on: a phone number is enough for SMS, and a
        // verified software token is used (Cognito's behaviour for pools with MFA ON).
        for factor in [MfaFactor::Sms, MfaFactor::SoftwareToken] {
            if pool_offers(pool, factor) && user_has(user, factor) {
                return Decision::Challenge(factor);
            }
        }
        return Decision::Setup(
            MfaFactor::ALL
                .into_iter()
                .filter(|f| pool_offers(pool, *f))
                .collect(),
        );
    }
    match user.extras().mfa.preferred.filter(|p| usable.contains(p)) {
        Some(preferred) => Decision::Challenge(preferred),
        None if usable.len() == 1 => Decision::Challenge(usable[0]),
        None => Decision::Select(usable),
    }
}

/// One factor's part of SetUserMFAPreference.
#[derive(Debug, Clone, Copy, Default)]
pub struct Preference {
    pub enabled: Option<bool>,
    pub preferred: Option<bool>,
}

/// Applies SetUserMFAPreference / AdminSetUserMFAPreference to a user, with Cognito's
/// refusals (a factor the user cannot receive cannot be turned on).
pub fn set_preferences(
    user: &mut User,
    changes: &[(MfaFactor, Preference)],
    passkey_mfa: Option<bool>,
) -> ApiResult<()> {
    let preferred: Vec<MfaFactor> = changes
        .iter()
        .filter(|(_, p)| p.preferred == Some(true))
        .map(|(f, _)| *f)
        .collect();
    if preferred.len() > 1 {
        // Text unconfirmed.
        return Err(ApiError::invalid_parameter(
            "Only one MFA method can be set as preferred.",
        ));
    }
    for (factor, change) in changes {
        let turning_on = change.enabled == Some(true) || change.preferred == Some(true);
        if turning_on && !user_has(user, *factor) {
            return Err(ApiError::invalid_parameter(format!(
                "User does not have delivery config set to turn on {}",
                factor.as_str()
            )));
        }
    }
    let mut enabled = enabled(user);
    let mut preferred_now = user.extras().mfa.preferred;
    for (factor, change) in changes {
        match change.enabled {
            Some(true) => {
                enabled.insert(*factor);
            }
            Some(false) => {
                enabled.remove(factor);
                if preferred_now == Some(*factor) {
                    preferred_now = None;
                }
            }
            None => {}
        }
        match change.preferred {
            Some(true) => {
                // Preferring a factor turns it on (unconfirmed: Cognito may refuse instead).
                enabled.insert(*factor);
                preferred_now = Some(*factor);
            }
            Some(false) if preferred_now == Some(*factor) => preferred_now = None,
            _ => {}
        }
    }
    let passkey_mfa = passkey_mfa.unwrap_or(user.extras().mfa.passkey_mfa);
    if passkey_mfa && enabled.is_empty() {
        // Cognito asks for another factor so the user cannot be locked out (text unconfirmed).
        return Err(ApiError::invalid_parameter(
            "Passkey MFA requires another MFA method (SMS, TOTP or email) to be activated for the user.",
        ));
    }
    user.extras_mut().mfa.passkey_mfa = passkey_mfa;
    if !enabled.contains(&MfaFactor::Sms) {
        user.extras_mut()
            .mfa_options
            .retain(|o| o.delivery_medium != Some(DeliveryMediumType::Sms));
    }
    user.extras_mut().mfa.enabled = enabled;
    user.extras_mut().mfa.preferred = preferred_now;
    Ok(())
}

/// GetUser / AdminGetUser: PreferredMfaSetting and UserMFASettingList.
pub fn user_settings(user: &User) -> (Option<String>, Option<Vec<String>>) {
    let enabled = enabled(user);
    let list =
        (!enabled.is_empty()).then(|| enabled.iter().map(|f| f.as_str().to_string()).collect());
    (
        user.extras().mfa.preferred.map(|f| f.as_str().to_string()),
        list,
    )
}
