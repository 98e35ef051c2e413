//! Users, as an administrator manages them (AdminCreateUser, AdminGetUser, …).

use std::collections::{BTreeMap, BTreeSet};

use crate::app::App;
use crate::app::RequestContext;
use crate::error::{ApiError, ApiResult};
use crate::generated::cognito_idp::*;
use crate::idp::engine::attributes::{self, WriteKind};
use crate::idp::engine::password_policy::{self, Context};
use crate::idp::store::users::Attributes;
use crate::idp::store::{User, UserKey, UserPool};
use crate::infra::ids;
use crate::infra::messages::Message;

const DEFAULT_INVITATION: &str = "Your username is {username} and temporary password is {####}.";
const DEFAULT_INVITATION_SUBJECT: &str = "Your temporary password";

/// The attributes of a user as the API lists them.
pub fn attribute_list(user: &User) -> Vec<AttributeType> {
    user.attributes
        .iter()
        .map(|(name, value)| AttributeType {
            name: name.to_string(),
            value: Some(value.to_string()),
        })
        .collect()
}

/// A user as ListUsers, AdminCreateUser and ListUsersInGroup return it.
pub fn user_type(user: &User) -> UserType {
    UserType {
        username: Some(user.username.clone()),
        attributes: Some(attribute_list(user)),
        user_create_date: Some(user.created),
        user_last_modified_date: Some(user.modified),
        enabled: Some(user.enabled),
        user_status: Some(user.status),
        mfa_options: (!user.mfa_options.is_empty()).then(|| user.mfa_options.clone()),
    }
}

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
    _: &RequestContext,
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
                "UnsupportedUserStateException",
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
    let (user, username) = {
        let pool = handle.read();
        let mut values = attributes::check_writes(
            pool.config.schema_attributes.as_deref().unwrap_or_default(),
            input.user_attributes.as_deref().unwrap_or_default(),
            WriteKind::Create,
        )?;
        let sub = ids::uuid();
        let username = sign_in_username(&pool, &input.username, &sub, &mut values)?;
        let mut attribute_pairs = vec![("sub".to_string(), sub)];
        attribute_pairs.extend(values);
        let record = pool.password_record(&username, &temporary_password);
        let user = User {
            username: username.clone(),
            attributes: Attributes::from_pairs(attribute_pairs),
            status: UserStatusType::ForceChangePassword,
            enabled: true,
            created: now,
            modified: now,
            password: Some(record),
            temporary_password_expires: Some(temporary_password_expiry(&pool, now)),
            mfa_options: Vec::new(),
            groups: BTreeSet::new(),
        };
        (user, username)
    };
    let response = user_type(&user);
    let mut pool = handle.write();
    if pool.users.find_by_username(&username).is_some() {
        return Err(ApiError::new(
            "UsernameExistsException",
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

/// Attributes users write about themselves (SignUp, NEW_PASSWORD_REQUIRED,
/// UpdateUserAttributes): only what the client's WriteAttributes allow, never `*_verified`
/// (only administrators vouch for an address) nor developer-only attributes; then the schema.
pub(crate) fn check_user_writes(
    pool: &UserPool,
    client_id: &str,
    written: &[AttributeType],
    kind: WriteKind,
) -> ApiResult<BTreeMap<String, String>> {
    let allowed = pool
        .client(client_id)?
        .config
        .write_attributes
        .clone()
        .filter(|w| !w.is_empty());
    let unauthorized = written.iter().any(|a| {
        a.name.ends_with("_verified")
            || a.name.starts_with("dev:")
            || allowed
                .as_ref()
                .is_some_and(|allowed| !allowed.contains(&a.name))
    });
    if unauthorized {
        return Err(ApiError::not_authorized(
            "A client attempted to write unauthorized attribute",
        ));
    }
    attributes::check_writes(
        pool.config.schema_attributes.as_deref().unwrap_or_default(),
        written,
        kind,
    )
}

/// The internal username for a requested one: in pools that sign in by e-mail or phone, the
/// name must be one of those (it fills the attribute) and the username becomes the `sub`.
pub(crate) fn sign_in_username(
    pool: &UserPool,
    requested: &str,
    sub: &str,
    values: &mut BTreeMap<String, String>,
) -> ApiResult<String> {
    let by = pool.username_attributes();
    if !by.is_empty() {
        let attribute = if by.contains(&"email") && attributes::is_email(requested) {
            "email"
        } else if by.contains(&"phone_number") && attributes::is_phone_number(requested) {
            "phone_number"
        } else {
            return Err(ApiError::invalid_parameter(match by.as_slice() {
                ["email"] => "Username should be an email.",
                ["phone_number"] => "Username should be a phone number.",
                _ => "Username should be either an email or a phone number.",
            }));
        };
        values
            .entry(attribute.to_string())
            .or_insert_with(|| requested.to_string());
        return Ok(sub.to_string());
    }
    if pool.users.is_alias("email") && attributes::is_email(requested) {
        return Err(ApiError::invalid_parameter(
            "Username cannot be of email format, since user pool is configured for email alias.",
        ));
    }
    if pool.users.is_alias("phone_number") && attributes::is_phone_number(requested) {
        // Text unconfirmed (modelled on the e-mail one).
        return Err(ApiError::invalid_parameter(
            "Username cannot be of phone number format, since user pool is configured for phone number alias.",
        ));
    }
    Ok(requested.to_string())
}

/// An alias another user holds and must give up (ForceAliasCreation).
pub(crate) struct AliasMove {
    from: UserKey,
    attribute: String,
}

/// Checks that `candidate`'s sign-in aliases are free; with `force`, lists the users who must
/// give theirs up instead of failing.
pub(crate) fn claim_aliases(
    pool: &UserPool,
    owner: Option<UserKey>,
    candidate: &User,
    force: bool,
    creating: bool,
) -> ApiResult<Vec<AliasMove>> {
    let username_attributes = !pool.username_attributes().is_empty();
    let mut moves = Vec::new();
    for attribute in ["email", "phone_number", "preferred_username"] {
        if !pool.users.is_alias(attribute) {
            continue;
        }
        let Some(value) = candidate.attribute(attribute) else {
            continue;
        };
        let active = username_attributes
            || attribute == "preferred_username"
            || candidate.is_verified(attribute);
        if !active {
            continue;
        }
        let Some(holder) = pool
            .users
            .alias_owner(attribute, value)
            .filter(|h| Some(*h) != owner)
        else {
            continue;
        };
        if username_attributes && creating {
            return Err(ApiError::new(
                "UsernameExistsException",
                format!("An account with the given {attribute} already exists."),
            ));
        }
        if force && !username_attributes {
            moves.push(AliasMove {
                from: holder,
                attribute: attribute.to_string(),
            });
        } else {
            // Reference §7.2/§11: `An account with the email already exists.` (no "given").
            return Err(ApiError::new(
                "AliasExistsException",
                format!("An account with the {attribute} already exists."),
            ));
        }
    }
    Ok(moves)
}

pub(crate) fn release_aliases(pool: &mut UserPool, moves: Vec<AliasMove>, now: f64) {
    for AliasMove { from, attribute } in moves {
        pool.users.update(from, |u| {
            if attribute == "preferred_username" {
                u.remove_attribute(&attribute);
            } else {
                u.set_attribute(&format!("{attribute}_verified"), "false".to_string());
            }
            u.modified = now;
        });
    }
}

/// Keeps the invitation AdminCreateUser would send (reference §7.4).
fn send_invitation(
    app: &App,
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
        app.messages.push(Message {
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
    Ok(AdminGetUserResponse {
        username: user.username.clone(),
        user_attributes: Some(attribute_list(user)),
        user_create_date: Some(user.created),
        user_last_modified_date: Some(user.modified),
        enabled: Some(user.enabled),
        user_status: Some(user.status),
        mfa_options: (!user.mfa_options.is_empty()).then(|| user.mfa_options.clone()),
        preferred_mfa_setting: None,
        user_mfa_setting_list: None,
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

/// Deletes a user with its memberships, tokens, challenges and codes.
pub(crate) fn remove_user(pool: &mut UserPool, key: UserKey, now: f64) {
    pool.auth.forget_user(key, now);
    if let Some(user) = pool.users.remove(key) {
        for group in &user.groups {
            if let Some(group) = pool.groups.get_mut(group) {
                group.members.remove(&key);
            }
        }
    }
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

pub fn admin_update_user_attributes(
    app: &App,
    _: &RequestContext,
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
            let mut updated = pool.user(key)?.clone();
            for (name, value) in &values {
                let verified = format!("{name}_verified");
                // A changed e-mail or phone number is no longer verified unless the same call says so.
                if (name == "email" || name == "phone_number")
                    && updated.attribute(name) != Some(value.as_str())
                    && !values.contains_key(&verified)
                    && updated.attribute(&verified).is_some()
                {
                    updated.set_attribute(&verified, "false".to_string());
                }
                updated.set_attribute(name, value.clone());
            }
            let moves = claim_aliases(pool, Some(key), &updated, false, false)?;
            release_aliases(pool, moves, now);
            updated.modified = now;
            pool.users.update(key, |u| *u = updated);
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

/// Removes attributes (never `sub` or a required one); a removed e-mail or phone number
/// takes its `_verified` flag with it.
pub(crate) fn delete_attributes(
    pool: &mut UserPool,
    key: UserKey,
    names: &[String],
    now: f64,
) -> ApiResult<()> {
    let schema = pool.config.schema_attributes.as_deref().unwrap_or_default();
    for name in names {
        match schema.iter().find(|a| a.name.as_deref() == Some(name.as_str())) {
            None => {
                return Err(ApiError::invalid_parameter(format!(
                    "Attributes did not conform to the schema: Type for attribute {{{name}}} could not be determined"
                )))
            }
            Some(d) if d.required == Some(true) || name == "sub" => {
                return Err(ApiError::invalid_parameter(format!(
                    "Attributes did not conform to the schema: {name}: The attribute is required"
                )))
            }
            Some(_) => {}
        }
    }
    pool.users.update(key, |u| {
        for name in names {
            u.remove_attribute(name);
            if name == "email" || name == "phone_number" {
                u.remove_attribute(&format!("{name}_verified"));
            }
        }
        u.modified = now;
    });
    Ok(())
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
    _: &RequestContext,
    input: AdminConfirmSignUpRequest,
) -> ApiResult<AdminConfirmSignUpResponse> {
    change_user(
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
            Ok(AdminConfirmSignUpResponse {})
        },
    )
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
                u.mfa_options = input.mfa_options.clone();
                u.modified = now;
            });
            Ok(AdminSetUserSettingsResponse {})
        },
    )
}
