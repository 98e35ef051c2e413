//! Users, as an administrator manages them (AdminCreateUser, AdminGetUser, …).

use crate::app::App;
use crate::app::RequestContext;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::generated::cognito_idp::*;
use crate::idp::engine::attributes::{self, WriteKind};
use crate::idp::engine::password_policy::{self, Context};
use crate::idp::engine::triggers::sign_up::PostConfirmation;
use crate::idp::engine::triggers::{self, Trigger};
use crate::idp::engine::users::*;
use crate::idp::store::users::Attributes;
use crate::idp::store::{User, UserKey, UserPool};
use crate::infra::ids;
use crate::infra::messages::Message;

const DEFAULT_INVITATION: &str = "Your username is {username} and temporary password is {####}.";
const DEFAULT_INVITATION_SUBJECT: &str = "Your temporary password";

fn temporary_password_expiry(pool: &UserPool, now: f64) -> f64 {
    let days = pool
        .password_policy()
        .temporary_password_validity_days
        .filter(|d| *d > 0)
        .unwrap_or(7);
    now + days as f64 * 86_400.0
}

pub fn admin_create_user(
    app: &App,
    ctx: &RequestContext,
    input: AdminCreateUserRequest,
) -> ApiResult<AdminCreateUserResponse> {
    let handle = app.store.pool(&input.user_pool_id)?;
    let now = app.clock.now();
    let policy = handle.read().password_policy();
    let temporary_password = match &input.temporary_password {
        Some(given) => {
            password_policy::check(&policy, given, Context::TemporaryPassword)?;
            given.clone()
        }
        None => password_policy::generate(&policy),
    };
    let explicit_mediums = input.desired_delivery_mediums.is_some();
    let mediums = input
        .desired_delivery_mediums
        .clone()
        .unwrap_or_else(|| vec![DeliveryMediumType::Sms]);
    let mut pool = handle.write();

    if input.message_action == Some(MessageActionType::Resend) {
        let key = pool.find_user(&input.username)?;
        let user = pool.user(key)?;
        if user.status != UserStatusType::ForceChangePassword {
            // Text unconfirmed.
            return Err(ApiError::new(
                ErrorCode::UnsupportedUserStateException,
                format!(
                    "Resend not possible. {} status is not FORCE_CHANGE_PASSWORD",
                    user.username
                ),
            ));
        }
        let record = pool.password_record(&user.username, &temporary_password);
        let expires = temporary_password_expiry(&pool, now);
        pool.users.update(key, |u| {
            u.password = Some(record);
            u.temporary_password_expires = Some(expires);
            u.modified = now;
        });
        let user = pool.user(key)?.clone();
        send_invitation(
            app,
            ctx,
            &pool,
            &user,
            &temporary_password,
            &mediums,
            explicit_mediums,
        )?;
        return Ok(AdminCreateUserResponse {
            user: Some(user_type(&user)),
        });
    }

    drop(pool);
    // Everything that only reads the pool's settings happens under a read lock; the write
    // lock covers only the uniqueness checks and the insert.
    let (user, username, pre_sign_up) = {
        let pool = handle.read();
        let mut values = attributes::check_writes(
            pool.config.schema_attributes.as_deref().unwrap_or_default(),
            input.user_attributes.as_deref().unwrap_or_default(),
            WriteKind::Create,
        )?;
        let sub = ids::uuid();
        let username = sign_in_username(&pool, &input.username, &sub, &mut values)?;
        let given: Vec<(String, String)> = values.clone().into_iter().collect();
        let pre_sign_up = match Trigger::PreSignUp.of(&pool) {
            // Nothing is asked of a function for a user who cannot be created anyway.
            Some(_) if pool.users.find_by_username(&username).is_some() => None,
            Some(function) => Some((function, pool.id().to_string(), given)),
            None => None,
        };
        let mut attribute_pairs = vec![("sub".to_string(), sub)];
        attribute_pairs.extend(values);
        let record = pool.password_record(&username, &temporary_password);
        let mut user = User::new(
            username.clone(),
            Attributes::from_pairs(attribute_pairs),
            UserStatusType::ForceChangePassword,
            now,
        );
        user.password = Some(record);
        user.temporary_password_expires = Some(temporary_password_expiry(&pool, now));
        (user, username, pre_sign_up)
    };
    // PreSignUp_AdminCreateUser, with no lock held: its error rejects the user; its
    // autoConfirmUser / autoVerify* answers are ignored here, as Cognito ignores them.
    if let Some((function, pool_id, given)) = pre_sign_up {
        triggers::sign_up::pre_sign_up(
            app,
            ctx,
            &function,
            triggers::sign_up::SignUpEvent {
                pool_id: &pool_id,
                source: "PreSignUp_AdminCreateUser",
                username: &username,
                client_id: None,
                attributes: &given,
                validation_data: input.validation_data.as_deref(),
                client_metadata: input.client_metadata.as_ref(),
            },
        )?;
    }
    let response = user_type(&user);
    let mut pool = handle.write();
    if pool.users.find_by_username(&username).is_some() {
        return Err(ApiError::new(
            ErrorCode::UsernameExistsException,
            "User account already exists",
        ));
    }
    let moves = claim_aliases(
        &pool,
        None,
        &user,
        input.force_alias_creation == Some(true),
        true,
    )?;
    if input.message_action != Some(MessageActionType::Suppress) {
        send_invitation(
            app,
            ctx,
            &pool,
            &user,
            &temporary_password,
            &mediums,
            explicit_mediums,
        )?;
    }
    release_aliases(&mut pool, moves, now);
    pool.users.insert(user);
    Ok(AdminCreateUserResponse {
        user: Some(response),
    })
}

/// Keeps the invitation AdminCreateUser would send.
fn send_invitation(
    app: &App,
    ctx: &RequestContext,
    pool: &UserPool,
    user: &User,
    temporary_password: &str,
    mediums: &[DeliveryMediumType],
    explicit: bool,
) -> ApiResult<()> {
    let template = pool
        .config
        .admin_create_user_config
        .as_ref()
        .and_then(|c| c.invite_message_template.clone())
        .unwrap_or_default();
    let render = |text: &str| {
        text.replace("{username}", &user.username)
            .replace("{####}", temporary_password)
    };
    let mut sent = 0;
    for medium in mediums {
        let (attribute, body, subject) = match medium {
            DeliveryMediumType::Email => (
                "email",
                template
                    .email_message
                    .as_deref()
                    .unwrap_or(DEFAULT_INVITATION),
                Some(
                    template
                        .email_subject
                        .as_deref()
                        .unwrap_or(DEFAULT_INVITATION_SUBJECT),
                ),
            ),
            DeliveryMediumType::Sms => (
                "phone_number",
                template
                    .sms_message
                    .as_deref()
                    .unwrap_or(DEFAULT_INVITATION),
                None,
            ),
        };
        let Some(destination) = user.attribute(attribute) else {
            continue;
        };
        ctx.outbox.send(Message {
            id: ids::uuid(),
            user_pool_id: pool.id().to_string(),
            username: user.username.clone(),
            trigger: "AdminCreateUser".to_string(),
            delivery_medium: medium.as_str().to_string(),
            destination: destination.to_string(),
            subject: subject.map(render),
            body: render(body),
            code: Some(temporary_password.to_string()),
            created_at: app.clock.now(),
        });
        sent += 1;
    }
    if sent == 0 && explicit {
        // Text unconfirmed.
        return Err(ApiError::invalid_parameter(
            "User has no attribute matching desired delivery mediums",
        ));
    }
    if sent == 0 {
        tracing::info!(username = %user.username, "no invitation kept: the user has no phone_number for the default SMS medium");
    }
    Ok(())
}

pub fn admin_get_user(
    app: &App,
    _: &RequestContext,
    input: AdminGetUserRequest,
) -> ApiResult<AdminGetUserResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let pool = pool.read();
    let user = pool.user(pool.find_user(&input.username)?)?;
    let (preferred_mfa_setting, user_mfa_setting_list) =
        crate::idp::engine::mfa::user_settings(user);
    Ok(AdminGetUserResponse {
        username: user.username.clone(),
        user_attributes: Some(attribute_list(user)),
        user_create_date: Some(user.created),
        user_last_modified_date: Some(user.modified),
        enabled: Some(user.enabled),
        user_status: Some(user.status),
        mfa_options: (!user.extras().mfa_options.is_empty())
            .then(|| user.extras().mfa_options.clone()),
        preferred_mfa_setting,
        user_mfa_setting_list,
    })
}

pub fn admin_delete_user(
    app: &App,
    _: &RequestContext,
    input: AdminDeleteUserRequest,
) -> ApiResult<crate::idp::api::Empty> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let mut pool = pool.write();
    let key = pool.find_user(&input.username)?;
    remove_user(&mut pool, key, app.clock.now());
    Ok(crate::idp::api::Empty {})
}

/// Runs `change` on the user `username` names, under the pool's write lock.
fn change_user<R>(
    app: &App,
    pool_id: &str,
    username: &str,
    change: impl FnOnce(&mut UserPool, UserKey, f64) -> ApiResult<R>,
) -> ApiResult<R> {
    let pool = app.store.pool(pool_id)?;
    let mut pool = pool.write();
    let key = pool.find_user(username)?;
    change(&mut pool, key, app.clock.now())
}

pub fn admin_enable_user(
    app: &App,
    _: &RequestContext,
    input: AdminEnableUserRequest,
) -> ApiResult<AdminEnableUserResponse> {
    set_enabled(app, &input.user_pool_id, &input.username, true)?;
    Ok(AdminEnableUserResponse {})
}

pub fn admin_disable_user(
    app: &App,
    _: &RequestContext,
    input: AdminDisableUserRequest,
) -> ApiResult<AdminDisableUserResponse> {
    set_enabled(app, &input.user_pool_id, &input.username, false)?;
    Ok(AdminDisableUserResponse {})
}

fn set_enabled(app: &App, pool_id: &str, username: &str, enabled: bool) -> ApiResult<()> {
    change_user(app, pool_id, username, |pool, key, now| {
        pool.users.update(key, |u| {
            u.enabled = enabled;
            u.modified = now;
        });
        Ok(())
    })
}

/// An administrator changes a user's attributes: as UpdateUserAttributes (codes for new
/// auto-verified addresses), except that the call may mark an address verified.
pub fn admin_update_user_attributes(
    app: &App,
    ctx: &RequestContext,
    input: AdminUpdateUserAttributesRequest,
) -> ApiResult<AdminUpdateUserAttributesResponse> {
    change_user(
        app,
        &input.user_pool_id,
        &input.username,
        |pool, key, now| {
            let values = attributes::check_writes(
                pool.config.schema_attributes.as_deref().unwrap_or_default(),
                &input.user_attributes,
                WriteKind::Update,
            )?;
            update_attributes(app, ctx, pool, key, values, now)?;
            Ok(AdminUpdateUserAttributesResponse::default())
        },
    )
}

pub fn admin_delete_user_attributes(
    app: &App,
    _: &RequestContext,
    input: AdminDeleteUserAttributesRequest,
) -> ApiResult<AdminDeleteUserAttributesResponse> {
    change_user(
        app,
        &input.user_pool_id,
        &input.username,
        |pool, key, now| {
            delete_attributes(pool, key, &input.user_attribute_names, now)?;
            Ok(AdminDeleteUserAttributesResponse {})
        },
    )
}

pub fn admin_set_user_password(
    app: &App,
    _: &RequestContext,
    input: AdminSetUserPasswordRequest,
) -> ApiResult<AdminSetUserPasswordResponse> {
    change_user(
        app,
        &input.user_pool_id,
        &input.username,
        |pool, key, now| {
            password_policy::check(
                &pool.password_policy(),
                &input.password,
                Context::AdminSetPassword,
            )?;
            let username = pool.user(key)?.username.clone();
            let record = pool.password_record(&username, &input.password);
            let permanent = input.permanent == Some(true);
            let expires = (!permanent).then(|| temporary_password_expiry(pool, now));
            pool.users.update(key, |u| {
                u.password = Some(record);
                u.temporary_password_expires = expires;
                u.status = if permanent {
                    UserStatusType::Confirmed
                } else {
                    UserStatusType::ForceChangePassword
                };
                u.modified = now;
            });
            Ok(AdminSetUserPasswordResponse {})
        },
    )
}

pub fn admin_confirm_sign_up(
    app: &App,
    ctx: &RequestContext,
    input: AdminConfirmSignUpRequest,
) -> ApiResult<AdminConfirmSignUpResponse> {
    let post_confirmation = change_user(
        app,
        &input.user_pool_id,
        &input.username,
        |pool, key, now| {
            let status = pool.user(key)?.status;
            if status != UserStatusType::Unconfirmed {
                return Err(ApiError::not_authorized(format!(
                    "User cannot be confirmed. Current status is {}",
                    status.as_str()
                )));
            }
            pool.users.update(key, |u| {
                u.status = UserStatusType::Confirmed;
                u.modified = now;
            });
            Ok(PostConfirmation::of(pool, key))
        },
    )?;
    if let Some(post_confirmation) = post_confirmation {
        post_confirmation.call(
            app,
            ctx,
            "PostConfirmation_ConfirmSignUp",
            None,
            input.client_metadata.as_ref(),
        )?;
    }
    Ok(AdminConfirmSignUpResponse {})
}

pub fn admin_set_user_settings(
    app: &App,
    _: &RequestContext,
    input: AdminSetUserSettingsRequest,
) -> ApiResult<AdminSetUserSettingsResponse> {
    change_user(
        app,
        &input.user_pool_id,
        &input.username,
        |pool, key, now| {
            pool.users.update(key, |u| {
                u.extras_mut().mfa_options = input.mfa_options.clone();
                u.modified = now;
            });
            Ok(AdminSetUserSettingsResponse {})
        },
    )
}
