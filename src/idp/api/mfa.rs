//! A user's MFA settings: software tokens (AssociateSoftwareToken, VerifySoftwareToken,
//! AdminDeleteSoftwareToken) and MFA preferences (SetUserMFAPreference and its Admin form).
//! The challenges themselves are in [`crate::idp::engine::sign_in`].

use crate::app::{App, RequestContext};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::generated::cognito_idp::*;
use crate::idp::engine::mfa::{self, Preference};
use crate::idp::engine::sign_in::totp_setup;
use crate::idp::engine::tokens::verify_access_token;
use crate::idp::store::user::{MfaFactor, SoftwareToken};
use crate::idp::store::{UserKey, UserPool};
use crate::infra::crypto::totp;

fn one_of(access_token: &Option<String>, session: &Option<String>) -> ApiResult<()> {
    if access_token.is_none() && session.is_none() {
        // Text unconfirmed.
        return Err(ApiError::invalid_parameter(
            "Either AccessToken or Session must be provided.",
        ));
    }
    Ok(())
}

pub fn associate_software_token(
    app: &App,
    _: &RequestContext,
    input: AssociateSoftwareTokenRequest,
) -> ApiResult<AssociateSoftwareTokenResponse> {
    one_of(&input.access_token, &input.session)?;
    if let Some(session) = &input.session {
        let (secret, session) = totp_setup::associate(app, session)?;
        return Ok(AssociateSoftwareTokenResponse {
            secret_code: Some(secret),
            session: Some(session),
        });
    }
    let token = verify_access_token(app, input.access_token.as_deref().unwrap_or_default())?;
    let secret = totp::new_secret();
    let now = app.clock.now();
    token.pool.write().users.update(token.user, |u| {
        u.extras_mut().mfa.pending_secret = Some(secret.clone());
        u.modified = now;
    });
    Ok(AssociateSoftwareTokenResponse {
        secret_code: Some(secret),
        session: None,
    })
}

pub fn verify_software_token(
    app: &App,
    _: &RequestContext,
    input: VerifySoftwareTokenRequest,
) -> ApiResult<VerifySoftwareTokenResponse> {
    one_of(&input.access_token, &input.session)?;
    if let Some(session) = &input.session {
        let session = totp_setup::verify(
            app,
            session,
            &input.user_code,
            input.friendly_device_name.clone(),
        )?;
        return Ok(VerifySoftwareTokenResponse {
            session: Some(session),
            status: Some(VerifySoftwareTokenResponseType::Success),
        });
    }
    let token = verify_access_token(app, input.access_token.as_deref().unwrap_or_default())?;
    let now = app.clock.now();
    let mut pool = token.pool.write();
    let secret = pool
        .user(token.user)?
        .extras().mfa
        .pending_secret
        .clone()
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::SoftwareTokenMFANotFoundException,
                "Software Token MFA has not been associated with the user; call AssociateSoftwareToken first.",
            )
        })?;
    let step = totp::matching_step(&secret, &input.user_code, now)
        .ok_or_else(totp_setup::code_mismatch)?;
    pool.users.update(token.user, |u| {
        u.extras_mut().mfa.software_token = Some(SoftwareToken {
            secret,
            friendly_name: input.friendly_device_name,
            last_step: step,
        });
        u.extras_mut().mfa.pending_secret = None;
        u.modified = now;
    });
    Ok(VerifySoftwareTokenResponse {
        session: None,
        status: Some(VerifySoftwareTokenResponseType::Success),
    })
}

fn preferences(
    sms: Option<SMSMfaSettingsType>,
    software_token: Option<SoftwareTokenMfaSettingsType>,
    email: Option<EmailMfaSettingsType>,
) -> Vec<(MfaFactor, Preference)> {
    let mut changes = Vec::new();
    if let Some(s) = sms {
        changes.push((
            MfaFactor::Sms,
            Preference {
                enabled: s.enabled,
                preferred: s.preferred_mfa,
            },
        ));
    }
    if let Some(s) = software_token {
        changes.push((
            MfaFactor::SoftwareToken,
            Preference {
                enabled: s.enabled,
                preferred: s.preferred_mfa,
            },
        ));
    }
    if let Some(s) = email {
        changes.push((
            MfaFactor::Email,
            Preference {
                enabled: s.enabled,
                preferred: s.preferred_mfa,
            },
        ));
    }
    changes
}

fn set_preferences(
    app: &App,
    pool: &mut UserPool,
    key: UserKey,
    changes: &[(MfaFactor, Preference)],
    passkey_mfa: Option<WebAuthnMfaSettingsType>,
) -> ApiResult<()> {
    let turning_on_email = changes.iter().any(|(f, p)| {
        *f == MfaFactor::Email && (p.enabled == Some(true) || p.preferred == Some(true))
    });
    if turning_on_email && !mfa::sends_own_email(pool) {
        // Text unconfirmed.
        return Err(ApiError::invalid_parameter(
            "Email MFA requires the user pool to send email with Amazon SES (EmailSendingAccount DEVELOPER).",
        ));
    }
    let mut user = pool.user(key)?.clone();
    mfa::set_preferences(&mut user, changes, passkey_mfa.and_then(|s| s.enabled))?;
    user.modified = app.clock.now();
    pool.users.update(key, |u| *u = user);
    Ok(())
}

pub fn set_user_mfa_preference(
    app: &App,
    _: &RequestContext,
    input: SetUserMFAPreferenceRequest,
) -> ApiResult<SetUserMFAPreferenceResponse> {
    let token = verify_access_token(app, &input.access_token)?;
    let changes = preferences(
        input.sms_mfa_settings,
        input.software_token_mfa_settings,
        input.email_mfa_settings,
    );
    set_preferences(
        app,
        &mut token.pool.write(),
        token.user,
        &changes,
        input.web_authn_mfa_settings,
    )?;
    Ok(SetUserMFAPreferenceResponse {})
}

pub fn admin_set_user_mfa_preference(
    app: &App,
    _: &RequestContext,
    input: AdminSetUserMFAPreferenceRequest,
) -> ApiResult<AdminSetUserMFAPreferenceResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let mut pool = pool.write();
    let key = pool.find_user(&input.username)?;
    let changes = preferences(
        input.sms_mfa_settings,
        input.software_token_mfa_settings,
        input.email_mfa_settings,
    );
    set_preferences(app, &mut pool, key, &changes, input.web_authn_mfa_settings)?;
    Ok(AdminSetUserMFAPreferenceResponse {})
}

/// Removes the user's software token (verified or pending) and turns TOTP MFA off.
pub fn admin_delete_software_token(
    app: &App,
    _: &RequestContext,
    input: AdminDeleteSoftwareTokenRequest,
) -> ApiResult<AdminDeleteSoftwareTokenResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let mut pool = pool.write();
    let key = pool.find_user(&input.username)?;
    let now = app.clock.now();
    pool.users.update(key, |u| {
        u.extras_mut().mfa.software_token = None;
        u.extras_mut().mfa.pending_secret = None;
        u.extras_mut().mfa.enabled.remove(&MfaFactor::SoftwareToken);
        if u.extras().mfa.preferred == Some(MfaFactor::SoftwareToken) {
            u.extras_mut().mfa.preferred = None;
        }
        u.modified = now;
    });
    Ok(AdminDeleteSoftwareTokenResponse {})
}
