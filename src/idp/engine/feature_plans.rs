//! What a pool's feature plan (`UserPoolTier`) allows. LITE has no choice-based sign-in
//! (USER_AUTH), no passwordless first factors (EMAIL_OTP, SMS_OTP, WEB_AUTHN), no passkeys,
//! no e-mail MFA and no access-token customization (PreTokenGeneration V2_0 / V3_0);
//! ESSENTIALS (the default) and PLUS have them all. The texts are
//! unconfirmed.

use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::generated::cognito_idp::*;
use crate::idp::store::UserPool;

fn lite(config: &UserPoolType) -> bool {
    config.user_pool_tier == Some(UserPoolTierType::Lite)
}

fn unavailable(feature: &str) -> ApiError {
    ApiError::new(
        ErrorCode::FeatureUnavailableInTierException,
        format!("{feature} is not available in the LITE feature plan: the user pool tier must be ESSENTIALS or PLUS."),
    )
}

/// CreateUserPool / UpdateUserPool: the first factors the tier allows.
pub fn check_pool(config: &UserPoolType) -> ApiResult<()> {
    let passwordless = config
        .policies
        .as_ref()
        .and_then(|p| p.sign_in_policy.as_ref())
        .and_then(|s| s.allowed_first_auth_factors.as_ref())
        .is_some_and(|f| f.iter().any(|f| *f != AuthFactorType::Password));
    if lite(config) && passwordless {
        return Err(unavailable(
            "Passwordless sign-in (AllowedFirstAuthFactors other than PASSWORD)",
        ));
    }
    let token_customization = config
        .lambda_config
        .as_ref()
        .and_then(|l| l.pre_token_generation_config.as_ref())
        .filter(|c| c.lambda_version != PreTokenGenerationLambdaVersionType::V1_0);
    if let Some(versioned) = token_customization.filter(|_| lite(config)) {
        return Err(unavailable(&format!(
            "Access token customization (PreTokenGenerationConfig LambdaVersion {})",
            versioned.lambda_version.as_str()
        )));
    }
    Ok(())
}

/// SetUserPoolMfaConfig: passkeys and e-mail MFA need ESSENTIALS or PLUS.
pub fn check_mfa(config: &UserPoolType, mfa: &SetUserPoolMfaConfigRequest) -> ApiResult<()> {
    if lite(config) && mfa.web_authn_configuration.is_some() {
        return Err(unavailable("WebAuthnConfiguration (passkeys)"));
    }
    if lite(config) && mfa.email_mfa_configuration.is_some() {
        return Err(unavailable("EmailMfaConfiguration (e-mail MFA)"));
    }
    Ok(())
}

/// InitiateAuth / AdminInitiateAuth with USER_AUTH.
pub fn check_user_auth(pool: &UserPool) -> ApiResult<()> {
    if lite(&pool.config) {
        return Err(unavailable("Choice-based sign-in (USER_AUTH)"));
    }
    Ok(())
}

/// SetLogDeliveryConfiguration: exporting user activity (userAuthEvents) is threat
/// protection's, which needs PLUS.
pub fn check_user_activity_logs(config: &UserPoolType) -> ApiResult<()> {
    if config.user_pool_tier == Some(UserPoolTierType::Plus) {
        return Ok(());
    }
    Err(ApiError::new(
        ErrorCode::FeatureUnavailableInTierException,
        "User activity log export (userAuthEvents) is available in the PLUS feature plan only.",
    ))
}
