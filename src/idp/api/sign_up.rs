//! Self-service sign-up: SignUp, ConfirmSignUp, ResendConfirmationCode, and password
//! recovery: ForgotPassword, ConfirmForgotPassword, AdminResetUserPassword.

use crate::app::App;
use crate::app::RequestContext;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::generated::cognito_idp::*;
use crate::idp::engine::attributes::{self, WriteKind};
use crate::idp::engine::auth_events;
use crate::idp::engine::client_rules::ClientRules;
use crate::idp::engine::codes;
use crate::idp::engine::password_policy::{self, Context};
use crate::idp::engine::sign_in::sign_up_session;
use crate::idp::engine::triggers::migration;
use crate::idp::engine::triggers::sign_up::PostConfirmation;
use crate::idp::engine::triggers::{self, Trigger};
use crate::idp::engine::users::{
    check_user_writes, claim_aliases, release_aliases, sign_in_username,
};
use crate::idp::store::auth::CodePurpose;
use crate::idp::store::users::Attributes;
use crate::idp::store::{PoolHandle, User, UserKey, UserPool};
use crate::infra::ids;

/// The pool and rules of a public call that names only its client, with SECRET_HASH checked.
fn public_client(
    app: &App,
    client_id: &str,
    secret_hash: Option<&str>,
    username: &str,
) -> ApiResult<(PoolHandle, ClientRules)> {
    let pool = app.store.pool_for_client(client_id)?;
    let rules = {
        let guard = pool.read();
        let rules = ClientRules::of(guard.client(client_id)?);
        rules.check_secret_hash_for(&guard, client_id, secret_hash, username)?;
        rules
    };
    Ok((pool, rules))
}

/// Unknown users in ConfirmSignUp, ResendConfirmationCode and ForgotPassword (LEGACY).
fn unknown_user() -> ApiError {
    ApiError::new(
        ErrorCode::UserNotFoundException,
        "Username/client id combination not found.",
    )
}

/// The user a confirmation code is given for; with PreventUserExistenceErrors an unknown
/// user looks like a wrong code.
fn user_confirming_a_code(
    pool: &UserPool,
    rules: &ClientRules,
    username: &str,
) -> ApiResult<UserKey> {
    pool.users.find(username).ok_or_else(|| {
        if rules.prevent_user_existence_errors {
            codes::mismatch()
        } else {
            unknown_user()
        }
    })
}

/// Which attribute a sign-up code goes to: an auto-verified e-mail first, else phone.
fn verification_attribute(pool: &UserPool, user: &User) -> Option<&'static str> {
    let auto: Vec<VerifiedAttributeType> = pool
        .config
        .auto_verified_attributes
        .clone()
        .unwrap_or_default();
    [
        (VerifiedAttributeType::Email, "email"),
        (VerifiedAttributeType::PhoneNumber, "phone_number"),
    ]
    .into_iter()
    .find(|(kind, name)| auto.contains(kind) && user.attribute(name).is_some())
    .map(|(_, name)| name)
}

/// What SignUp checks before it creates a user (twice with a PreSignUp trigger: before the
/// function runs, and again under the write lock after it answered).
struct NewUser {
    username: String,
    values: Vec<(String, String)>,
}

fn check_sign_up(
    pool: &UserPool,
    input: &SignUpRequest,
    sub: &str,
    password: &str,
) -> ApiResult<NewUser> {
    if pool
        .config
        .admin_create_user_config
        .as_ref()
        .and_then(|c| c.allow_admin_create_user_only)
        == Some(true)
    {
        // Text unconfirmed.
        return Err(ApiError::not_authorized(
            "SignUp is not permitted for this user pool",
        ));
    }
    let written = input.user_attributes.clone().unwrap_or_default();
    let mut values = check_user_writes(pool, &input.client_id, &written, WriteKind::Create)?;
    let username = sign_in_username(pool, &input.username, sub, &mut values)?;
    if pool.users.find_by_username(&username).is_some() {
        return Err(ApiError::new(
            ErrorCode::UsernameExistsException,
            "User already exists",
        ));
    }
    let missing: Vec<String> = pool
        .missing_required(|name| values.contains_key(name))
        .into_iter()
        .map(|name| format!("{name}: The attribute is required"))
        .collect();
    if !missing.is_empty() {
        return Err(ApiError::invalid_parameter(format!(
            "Attributes did not conform to the schema: {}",
            missing.join(" ")
        )));
    }
    password_policy::check(&pool.password_policy(), password, Context::UserPassword)?;
    Ok(NewUser {
        username,
        values: values.into_iter().collect(),
    })
}

pub fn sign_up(app: &App, ctx: &RequestContext, input: SignUpRequest) -> ApiResult<SignUpResponse> {
    let (pool, _) = public_client(
        app,
        &input.client_id,
        input.secret_hash.as_deref(),
        &input.username,
    )?;
    let Some(password) = input.password.as_deref() else {
        return Err(ApiError::invalid_parameter(
            "A password is required: passwordless sign-up is not implemented by cognito-emulator yet.",
        ));
    };
    let sub = ids::uuid();
    let (pool_id, pre_sign_up) = {
        let guard = pool.read();
        let checked = check_sign_up(&guard, &input, &sub, password)?;
        let trigger = Trigger::PreSignUp.of(&guard).map(|f| (f, checked));
        (guard.id().to_string(), trigger)
    };
    // The function runs with no lock held; what it was shown is checked again below.
    let decision = match pre_sign_up {
        Some((function, checked)) => triggers::sign_up::pre_sign_up(
            app,
            ctx,
            &function,
            triggers::sign_up::SignUpEvent {
                pool_id: &pool_id,
                source: "PreSignUp_SignUp",
                username: &checked.username,
                client_id: Some(&input.client_id),
                attributes: &checked.values,
                validation_data: input.validation_data.as_deref(),
                client_metadata: input.client_metadata.as_ref(),
            },
        )?,
        None => Default::default(),
    };
    let now = app.clock.now();
    let mut pool = pool.write();
    let NewUser { username, values } = check_sign_up(&pool, &input, &sub, password)?;
    let mut attribute_pairs = vec![("sub".to_string(), sub.clone())];
    attribute_pairs.extend(values);
    let mut user = User::new(
        username.clone(),
        Attributes::from_pairs(attribute_pairs),
        UserStatusType::Unconfirmed,
        now,
    );
    user.password = Some(pool.password_record(&username, password));
    decision.apply(&mut user)?;
    // With e-mail/phone as username, the address may belong to one user only; an unverified
    // e-mail or phone is no alias yet (those collisions surface at confirmation), but a
    // preferred_username is one at once (and a verified one, auto-verified by PreSignUp).
    claim_aliases(&pool, None, &user, false, true)?;
    let confirmed = user.status == UserStatusType::Confirmed;
    let attribute = (!confirmed)
        .then(|| verification_attribute(&pool, &user))
        .flatten();
    let key = pool.users.insert(user);
    let code_delivery_details = match attribute {
        Some(attribute) => Some(codes::send(
            app,
            ctx,
            &mut pool,
            key,
            CodePurpose::SignUp,
            attribute,
            "SignUp",
        )?),
        None => None,
    };
    auth_events::signed_up(app, ctx, &mut pool, key);
    // A user PreSignUp confirmed is confirmed now: PostConfirmation follows, with SignUp's
    // ClientMetadata (unconfirmed: the docs list SignUp among the operations whose
    // ClientMetadata reaches PostConfirmation).
    let post_confirmation = confirmed
        .then(|| PostConfirmation::of(&pool, key))
        .flatten();
    drop(pool);
    if let Some(post_confirmation) = post_confirmation {
        post_confirmation.call(
            app,
            ctx,
            "PostConfirmation_ConfirmSignUp",
            Some(&input.client_id),
            input.client_metadata.as_ref(),
        )?;
    }
    Ok(SignUpResponse {
        user_confirmed: confirmed,
        user_sub: sub,
        code_delivery_details,
        session: None,
    })
}

pub fn confirm_sign_up(
    app: &App,
    ctx: &RequestContext,
    input: ConfirmSignUpRequest,
) -> ApiResult<ConfirmSignUpResponse> {
    let (pool, rules) = public_client(
        app,
        &input.client_id,
        input.secret_hash.as_deref(),
        &input.username,
    )?;
    let now = app.clock.now();
    let mut pool = pool.write();
    let key = user_confirming_a_code(&pool, &rules, &input.username)?;
    let status = pool.user(key)?.status;
    if status != UserStatusType::Unconfirmed {
        return Err(ApiError::not_authorized(format!(
            "User cannot be confirmed. Current status is {}",
            status.as_str()
        )));
    }
    codes::check(
        &mut pool,
        key,
        CodePurpose::SignUp,
        &input.confirmation_code,
        now,
    )?;
    // The attribute the code went to is now verified, and becomes an alias if the pool has one.
    let mut confirmed = pool.user(key)?.clone();
    if let Some(attribute) = verification_attribute(&pool, &confirmed) {
        confirmed.set_attribute(&format!("{attribute}_verified"), "true".to_string());
    }
    let moves = claim_aliases(
        &pool,
        Some(key),
        &confirmed,
        input.force_alias_creation == Some(true),
        false,
    )?;
    codes::consume(&mut pool, key, CodePurpose::SignUp);
    release_aliases(&mut pool, moves, now);
    confirmed.status = UserStatusType::Confirmed;
    confirmed.modified = now;
    let username = confirmed.username.clone();
    pool.users.update(key, |u| *u = confirmed);
    // Clients that sign in with USER_AUTH get a Session to sign the new user in with
    // (Amplify's auto sign-in); others none (unconfirmed).
    let session = rules.allows(AuthFlowType::UserAuth).then(|| {
        sign_up_session(
            &mut pool,
            &input.client_id,
            rules.session_minutes,
            key,
            &username,
            now,
        )
    });
    let post_confirmation = PostConfirmation::of(&pool, key);
    drop(pool);
    if let Some(post_confirmation) = post_confirmation {
        post_confirmation.call(
            app,
            ctx,
            "PostConfirmation_ConfirmSignUp",
            Some(&input.client_id),
            input.client_metadata.as_ref(),
        )?;
    }
    Ok(ConfirmSignUpResponse { session })
}

pub fn resend_confirmation_code(
    app: &App,
    ctx: &RequestContext,
    input: ResendConfirmationCodeRequest,
) -> ApiResult<ResendConfirmationCodeResponse> {
    let (pool, rules) = public_client(
        app,
        &input.client_id,
        input.secret_hash.as_deref(),
        &input.username,
    )?;
    let mut pool = pool.write();
    let Some(key) = pool.users.find(&input.username) else {
        return Ok(ResendConfirmationCodeResponse {
            code_delivery_details: Some(simulated_delivery(&rules, &input.username)?),
        });
    };
    let user = pool.user(key)?;
    if user.status != UserStatusType::Unconfirmed {
        return Err(ApiError::invalid_parameter("User is already confirmed."));
    }
    let attribute = verification_attribute(&pool, user)
        .or_else(|| {
            ["email", "phone_number"]
                .into_iter()
                .find(|a| user.attribute(a).is_some())
        })
        .ok_or_else(|| {
            ApiError::invalid_parameter("The user has no email or phone_number to send a code to.")
        })?;
    codes::check_request_rate(app, &mut pool, key)?;
    let details = codes::send(
        app,
        ctx,
        &mut pool,
        key,
        CodePurpose::SignUp,
        attribute,
        "ResendCode",
    )?;
    auth_events::code_resent(app, ctx, &mut pool, key);
    Ok(ResendConfirmationCodeResponse {
        code_delivery_details: Some(details),
    })
}

/// An unknown user in ResendConfirmationCode/ForgotPassword: UserNotFoundException, or with
/// PreventUserExistenceErrors a plausible delivery that reveals nothing.
fn simulated_delivery(rules: &ClientRules, username: &str) -> ApiResult<CodeDeliveryDetailsType> {
    if rules.prevent_user_existence_errors {
        Ok(simulated(username))
    } else {
        Err(unknown_user())
    }
}

/// What PreventUserExistenceErrors answers for an unknown user: a plausible delivery.
fn simulated(username: &str) -> CodeDeliveryDetailsType {
    let looks_like_email = username.contains('@');
    CodeDeliveryDetailsType {
        destination: Some(if looks_like_email {
            attributes::mask_destination(username)
        } else {
            "+*******0000".into()
        }),
        delivery_medium: Some(if looks_like_email {
            DeliveryMediumType::Email
        } else {
            DeliveryMediumType::Sms
        }),
        attribute_name: Some(
            if looks_like_email {
                "email"
            } else {
                "phone_number"
            }
            .to_string(),
        ),
    }
}

/// The first verified channel in the pool's AccountRecoverySetting order, for a user whose
/// password may be reset (ForgotPassword, AdminResetUserPassword).
fn recovery_attribute(pool: &UserPool, key: UserKey) -> ApiResult<&'static str> {
    let user = pool.user(key)?;
    if !user.enabled {
        return Err(ApiError::not_authorized("User is disabled."));
    }
    // A temporary password is replaced by answering NEW_PASSWORD_REQUIRED, not by a reset.
    if user.status == UserStatusType::ForceChangePassword {
        return Err(ApiError::not_authorized(
            "User password cannot be reset in the current state.",
        ));
    }
    let mut mechanisms = pool
        .config
        .account_recovery_setting
        .as_ref()
        .and_then(|s| s.recovery_mechanisms.clone())
        .unwrap_or_default();
    mechanisms.sort_by_key(|m| m.priority);
    for mechanism in mechanisms {
        let attribute = match mechanism.name {
            RecoveryOptionNameType::VerifiedEmail => "email",
            RecoveryOptionNameType::VerifiedPhoneNumber => "phone_number",
            RecoveryOptionNameType::AdminOnly => {
                // Text unconfirmed.
                return Err(ApiError::not_authorized(
                    "User password cannot be reset in the current state.",
                ));
            }
        };
        if user.attribute(attribute).is_some() && user.is_verified(attribute) {
            return Ok(attribute);
        }
    }
    Err(ApiError::invalid_parameter(
        "Cannot reset password for the user as there is no registered/verified email or phone_number",
    ))
}

pub fn forgot_password(
    app: &App,
    ctx: &RequestContext,
    input: ForgotPasswordRequest,
) -> ApiResult<ForgotPasswordResponse> {
    let (pool, rules) = public_client(
        app,
        &input.client_id,
        input.secret_hash.as_deref(),
        &input.username,
    )?;
    migrate_for_reset(app, ctx, &pool, &input)?;
    let mut pool = pool.write();
    let Some(key) = pool.users.find(&input.username) else {
        return Ok(ForgotPasswordResponse {
            code_delivery_details: Some(simulated_delivery(&rules, &input.username)?),
        });
    };
    let attribute = recovery_attribute(&pool, key)?;
    codes::check_request_rate(app, &mut pool, key)?;
    let details = codes::send(
        app,
        ctx,
        &mut pool,
        key,
        CodePurpose::ForgotPassword,
        attribute,
        "ForgotPassword",
    )?;
    auth_events::password_forgotten(app, ctx, &mut pool, key);
    Ok(ForgotPasswordResponse {
        code_delivery_details: Some(details),
    })
}

/// UserMigration_ForgotPassword: someone the pool does not know asks for a reset; a user
/// the function knows is created (RESET_REQUIRED, no password) and gets the code below.
fn migrate_for_reset(
    app: &App,
    ctx: &RequestContext,
    pool: &PoolHandle,
    input: &ForgotPasswordRequest,
) -> ApiResult<()> {
    let (function, pool_id) = {
        let guard = pool.read();
        if guard.users.find(&input.username).is_some() {
            return Ok(());
        }
        let Some(function) = Trigger::UserMigration.of(&guard) else {
            return Ok(());
        };
        (function, guard.id().to_string())
    };
    let answer = migration::user_migration(
        app,
        ctx,
        &function,
        migration::MigrationEvent {
            pool_id: &pool_id,
            source: "UserMigration_ForgotPassword",
            user_name: &input.username,
            client_id: &input.client_id,
            password: None,
            client_metadata: input.client_metadata.as_ref(),
        },
    )?;
    if let Some(migrated) = answer {
        let mut guard = pool.write();
        if guard.users.find(&input.username).is_none() {
            migration::create(app, ctx, &mut guard, &input.username, None, migrated)?;
        }
    }
    Ok(())
}

pub fn confirm_forgot_password(
    app: &App,
    ctx: &RequestContext,
    input: ConfirmForgotPasswordRequest,
) -> ApiResult<ConfirmForgotPasswordResponse> {
    let (pool, rules) = public_client(
        app,
        &input.client_id,
        input.secret_hash.as_deref(),
        &input.username,
    )?;
    let now = app.clock.now();
    let mut pool = pool.write();
    let key = user_confirming_a_code(&pool, &rules, &input.username)?;
    password_policy::check(
        &pool.password_policy(),
        &input.password,
        Context::UserPassword,
    )?;
    codes::check(
        &mut pool,
        key,
        CodePurpose::ForgotPassword,
        &input.confirmation_code,
        now,
    )?;
    codes::consume(&mut pool, key, CodePurpose::ForgotPassword);
    let username = pool.user(key)?.username.clone();
    let record = pool.password_record(&username, &input.password);
    pool.users.update(key, |u| {
        u.password = Some(record);
        u.temporary_password_expires = None;
        if matches!(
            u.status,
            UserStatusType::ResetRequired | UserStatusType::ForceChangePassword
        ) {
            u.status = UserStatusType::Confirmed;
        }
        u.modified = now;
    });
    pool.auth.lockouts.remove(&key);
    auth_events::password_reset(app, ctx, &mut pool, key);
    let post_confirmation = PostConfirmation::of(&pool, key);
    drop(pool);
    if let Some(post_confirmation) = post_confirmation {
        post_confirmation.call(
            app,
            ctx,
            "PostConfirmation_ConfirmForgotPassword",
            Some(&input.client_id),
            input.client_metadata.as_ref(),
        )?;
    }
    Ok(ConfirmForgotPasswordResponse {})
}

/// The user must reset their password: status RESET_REQUIRED and a code sent as
/// ForgotPassword sends it.
pub fn admin_reset_user_password(
    app: &App,
    ctx: &RequestContext,
    input: AdminResetUserPasswordRequest,
) -> ApiResult<AdminResetUserPasswordResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let now = app.clock.now();
    let mut pool = pool.write();
    let key = pool.find_user(&input.username)?;
    let attribute = recovery_attribute(&pool, key)?;
    codes::send(
        app,
        ctx,
        &mut pool,
        key,
        CodePurpose::ForgotPassword,
        attribute,
        "AdminResetUserPassword",
    )?;
    pool.users.update(key, |u| {
        u.status = UserStatusType::ResetRequired;
        u.modified = now;
    });
    Ok(AdminResetUserPasswordResponse {})
}
