//! User pools: create, describe, update, delete, list, custom attributes, MFA configuration.

use crate::app::App;
use crate::app::RequestContext;
use crate::error::{ApiError, ApiResult};
use crate::generated::cognito_idp::*;
use crate::idp::api::{decode_token, encode_token, page_size, reshape, Empty};
use crate::idp::engine::attributes;
use crate::idp::engine::feature_plans;
use crate::idp::engine::passkeys;
use crate::idp::engine::password_policy;
use crate::idp::store::UserPool;
use crate::infra::ids;

pub fn create_user_pool(
    app: &App,
    ctx: &RequestContext,
    input: CreateUserPoolRequest,
) -> ApiResult<CreateUserPoolResponse> {
    if input
        .username_attributes
        .as_ref()
        .is_some_and(|a| !a.is_empty())
        && input
            .alias_attributes
            .as_ref()
            .is_some_and(|a| !a.is_empty())
    {
        // Text unconfirmed.
        return Err(ApiError::invalid_parameter(
            "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.",
        ));
    }
    let schema = attributes::build_schema(input.schema.as_deref().unwrap_or_default())?;
    let now = app.clock.now();
    let id = ids::user_pool_id(&ctx.region);
    let mut config: UserPoolType = reshape(&input)?;
    config.name = Some(input.pool_name.clone());
    config.schema_attributes = Some(schema);
    config.id = Some(id.clone());
    config.arn = Some(ids::user_pool_arn(&ctx.region, app.account_id(), &id));
    config.creation_date = Some(now);
    config.last_modified_date = Some(now);
    fill_defaults(&mut config, true)?;
    let pool = UserPool::new(config);
    let user_pool = describe(&pool);
    app.store.insert_pool(pool);
    app.prepare_keys();
    tracing::debug!(user_pool_id = %id, "user pool created");
    Ok(CreateUserPoolResponse {
        user_pool: Some(user_pool),
    })
}

/// The settings Cognito fills in when a request leaves them out. Also used by
/// UpdateUserPool, which resets omitted settings to these defaults.
fn fill_defaults(config: &mut UserPoolType, creating: bool) -> ApiResult<()> {
    let policies = config.policies.get_or_insert_with(Default::default);
    let password = policies
        .password_policy
        .get_or_insert_with(password_policy::default_policy);
    // 0 means the default; SDKs whose integers are not optional (the Rust
    // SDK) always send 0 for settings left unset, so 0 is the same as absent here.
    let temporary_days = password.temporary_password_validity_days.filter(|d| *d > 0);
    password.temporary_password_validity_days = Some(temporary_days.unwrap_or(7));
    policies
        .sign_in_policy
        .get_or_insert_with(|| SignInPolicyType {
            allowed_first_auth_factors: Some(vec![AuthFactorType::Password]),
        });
    let admin_create = config
        .admin_create_user_config
        .get_or_insert_with(Default::default);
    admin_create
        .allow_admin_create_user_only
        .get_or_insert(false);
    let unused_days = admin_create.unused_account_validity_days.filter(|d| *d > 0);
    if unused_days.is_some() && temporary_days.is_some_and(|d| d != 7) {
        // Text unconfirmed.
        return Err(ApiError::invalid_parameter(
            "You cannot set both TemporaryPasswordValidityDays in PasswordPolicy and UnusedAccountValidityDays in AdminCreateUserConfig.",
        ));
    }
    admin_create.unused_account_validity_days = Some(unused_days.unwrap_or(7));
    let mfa = *config.mfa_configuration.get_or_insert(UserPoolMfaType::Off);
    if creating && mfa != UserPoolMfaType::Off && config.sms_configuration.is_none() {
        // Cognito refuses MFA ON/OPTIONAL at creation without SmsConfiguration (text unconfirmed).
        return Err(ApiError::invalid_parameter(
            "SMS configuration and Auth Role ARN are required when MFA is enabled.",
        ));
    }
    let template = config
        .verification_message_template
        .get_or_insert_with(Default::default);
    template
        .default_email_option
        .get_or_insert(DefaultEmailOptionType::ConfirmWithCode);
    // The template and the older top-level members are two views of one setting; when both
    // are given the template wins (unconfirmed).
    mirror(
        &mut template.email_message,
        &mut config.email_verification_message,
    );
    mirror(
        &mut template.email_subject,
        &mut config.email_verification_subject,
    );
    mirror(
        &mut template.sms_message,
        &mut config.sms_verification_message,
    );
    config
        .email_configuration
        .get_or_insert_with(Default::default)
        .email_sending_account
        .get_or_insert(EmailSendingAccountType::CognitoDefault);
    // Cognito's default recovery order: verified e-mail, then phone (unconfirmed).
    config
        .account_recovery_setting
        .get_or_insert_with(|| AccountRecoverySettingType {
            recovery_mechanisms: Some(vec![
                RecoveryOptionType {
                    name: RecoveryOptionNameType::VerifiedEmail,
                    priority: 1,
                },
                RecoveryOptionType {
                    name: RecoveryOptionNameType::VerifiedPhoneNumber,
                    priority: 2,
                },
            ]),
        });
    config.lambda_config.get_or_insert_with(Default::default);
    config
        .user_attribute_update_settings
        .get_or_insert_with(Default::default)
        .attributes_require_verification_before_update
        .get_or_insert_with(Vec::new);
    config
        .deletion_protection
        .get_or_insert(DeletionProtectionType::Inactive);
    config
        .user_pool_tier
        .get_or_insert(UserPoolTierType::Essentials);
    feature_plans::check_pool(config)
}

/// Makes both copies of a setting the one given (the template's first).
fn mirror(template: &mut Option<String>, legacy: &mut Option<String>) {
    match template {
        Some(value) => *legacy = Some(value.clone()),
        None => *template = legacy.clone(),
    }
}

/// The pool as DescribeUserPool shows it.
pub fn describe(pool: &UserPool) -> UserPoolType {
    let mut config = pool.config.clone();
    config.estimated_number_of_users = Some(pool.users.len() as i64);
    config.mfa_configuration = pool.mfa.mfa_configuration.or(config.mfa_configuration);
    config
}

pub fn describe_user_pool(
    app: &App,
    _: &RequestContext,
    input: DescribeUserPoolRequest,
) -> ApiResult<DescribeUserPoolResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let user_pool = describe(&pool.read());
    Ok(DescribeUserPoolResponse {
        user_pool: Some(user_pool),
    })
}

/// A full replacement of every updatable setting: omitted ones return to their defaults.
pub fn update_user_pool(
    app: &App,
    _: &RequestContext,
    input: UpdateUserPoolRequest,
) -> ApiResult<Empty> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let mut updated: UserPoolType = reshape(&input)?;
    let mut pool = pool.write();
    pool.header_changed();
    let old = &pool.config;
    updated.id = old.id.clone();
    updated.arn = old.arn.clone();
    updated.name = input.pool_name.clone().or_else(|| old.name.clone());
    updated.creation_date = old.creation_date;
    updated.schema_attributes = old.schema_attributes.clone();
    updated.username_attributes = old.username_attributes.clone();
    updated.alias_attributes = old.alias_attributes.clone();
    updated.username_configuration = old.username_configuration.clone();
    updated.domain = old.domain.clone();
    updated.custom_domain = old.custom_domain.clone();
    updated.last_modified_date = Some(app.clock.now());
    // MFA may already be on through SetUserPoolMfaConfig (e.g. TOTP only), so the
    // SmsConfiguration rule of CreateUserPool does not apply here.
    fill_defaults(&mut updated, false)?;
    pool.mfa.mfa_configuration = updated.mfa_configuration;
    pool.config = updated;
    Ok(Empty {})
}

pub fn delete_user_pool(
    app: &App,
    _: &RequestContext,
    input: DeleteUserPoolRequest,
) -> ApiResult<Empty> {
    let pool = app.store.pool(&input.user_pool_id)?;
    if pool.read().config.deletion_protection == Some(DeletionProtectionType::Active) {
        // Text unconfirmed.
        return Err(ApiError::invalid_parameter(
            "The user pool cannot be deleted because deletion protection is activated.",
        ));
    }
    if pool.read().domain.is_some() {
        return Err(ApiError::invalid_parameter(
            "User pool cannot be deleted. It has a domain configured that should be deleted first.",
        ));
    }
    app.store.remove_pool(&input.user_pool_id);
    app.messages.forget_pool(&input.user_pool_id);
    Ok(Empty {})
}

pub fn list_user_pools(
    app: &App,
    ctx: &RequestContext,
    input: ListUserPoolsRequest,
) -> ApiResult<ListUserPoolsResponse> {
    let after = decode_token(input.next_token.as_deref())?;
    let (page, more) = app.store.pools_after(
        &ctx.region,
        after.as_deref(),
        page_size(Some(input.max_results)),
    );
    let user_pools: Vec<UserPoolDescriptionType> = page
        .iter()
        .map(|pool| {
            let pool = pool.read();
            UserPoolDescriptionType {
                id: pool.config.id.clone(),
                name: pool.config.name.clone(),
                lambda_config: pool.config.lambda_config.clone(),
                creation_date: pool.config.creation_date,
                last_modified_date: pool.config.last_modified_date,
                ..Default::default()
            }
        })
        .collect();
    let next_token = if more {
        user_pools
            .last()
            .and_then(|p| p.id.as_deref())
            .map(encode_token)
    } else {
        None
    };
    Ok(ListUserPoolsResponse {
        user_pools: Some(user_pools),
        next_token,
    })
}

pub fn add_custom_attributes(
    app: &App,
    _: &RequestContext,
    input: AddCustomAttributesRequest,
) -> ApiResult<Empty> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let mut pool = pool.write();
    pool.header_changed();
    let mut schema = pool.config.schema_attributes.clone().unwrap_or_default();
    attributes::add_custom(&mut schema, &input.custom_attributes)?;
    pool.config.schema_attributes = Some(schema);
    pool.config.last_modified_date = Some(app.clock.now());
    Ok(Empty {})
}

pub fn get_user_pool_mfa_config(
    app: &App,
    _: &RequestContext,
    input: GetUserPoolMfaConfigRequest,
) -> ApiResult<GetUserPoolMfaConfigResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let mfa = pool.read().mfa.clone();
    Ok(mfa)
}

/// Configuration only: the MFA challenges themselves belong to the auth engine.
pub fn set_user_pool_mfa_config(
    app: &App,
    _: &RequestContext,
    input: SetUserPoolMfaConfigRequest,
) -> ApiResult<SetUserPoolMfaConfigResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let mut pool = pool.write();
    pool.header_changed();
    feature_plans::check_mfa(&pool.config, &input)?;
    let mut mfa: GetUserPoolMfaConfigResponse = reshape(&input)?;
    if mfa.mfa_configuration.is_none() {
        mfa.mfa_configuration = pool.mfa.mfa_configuration;
    }
    let enabled = |on: Option<bool>| on == Some(true);
    let any_factor = mfa.sms_mfa_configuration.is_some()
        || enabled(
            mfa.software_token_mfa_configuration
                .as_ref()
                .and_then(|c| c.enabled),
        )
        || mfa.email_mfa_configuration.is_some();
    if mfa.email_mfa_configuration.is_some()
        && pool
            .config
            .email_configuration
            .as_ref()
            .and_then(|c| c.email_sending_account)
            != Some(EmailSendingAccountType::Developer)
    {
        // E-mail MFA needs SES sending, as in Cognito (text unconfirmed).
        return Err(ApiError::invalid_parameter(
            "Email MFA requires the user pool to send email with Amazon SES: set EmailConfiguration with EmailSendingAccount DEVELOPER.",
        ));
    }
    // A given SMS or e-mail configuration counts as that factor being on (unconfirmed).
    match (mfa.mfa_configuration, any_factor) {
        (Some(UserPoolMfaType::On | UserPoolMfaType::Optional), false) => {
            return Err(ApiError::invalid_parameter(
                "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration.",
            ))
        }
        (Some(UserPoolMfaType::Off), true) => {
            return Err(ApiError::invalid_parameter(
                "Invalid MFA configuration given, can't turn off MFA and configure an MFA together.",
            ))
        }
        _ => {}
    }
    mfa.web_authn_configuration = passkeys::configure(
        pool.mfa.web_authn_configuration.as_ref(),
        mfa.web_authn_configuration,
    )?;
    pool.config.mfa_configuration = mfa.mfa_configuration;
    pool.config.last_modified_date = Some(app.clock.now());
    pool.mfa = mfa.clone();
    reshape(mfa)
}
