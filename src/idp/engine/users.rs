//! Rules about users shared by the operations that create, change and sign in users: what a
//! client may write, usernames in pools that sign in by e-mail or phone, sign-in aliases, and
//! how users are listed and removed.

use std::collections::BTreeMap;

use crate::app::{App, RequestContext};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::generated::cognito_idp::*;
use crate::idp::engine::attributes::{self, WriteKind};
use crate::idp::engine::codes;
use crate::idp::store::auth::CodePurpose;
use crate::idp::store::{User, UserKey, UserPool};

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
        mfa_options: (!user.extras().mfa_options.is_empty())
            .then(|| user.extras().mfa_options.clone()),
    }
}

/// Attributes users write about themselves (SignUp, NEW_PASSWORD_REQUIRED,
/// UpdateUserAttributes): only what the client's WriteAttributes allow, never `*_verified`
/// (only administrators vouch for an address) nor developer-only attributes; then the schema.
pub fn check_user_writes(
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
pub fn sign_in_username(
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
pub struct AliasMove {
    from: UserKey,
    attribute: String,
}

/// Checks that `candidate`'s sign-in aliases are free; with `force`, lists the users who must
/// give theirs up instead of failing.
pub fn claim_aliases(
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
                ErrorCode::UsernameExistsException,
                format!("An account with the given {attribute} already exists."),
            ));
        }
        if force && !username_attributes {
            moves.push(AliasMove {
                from: holder,
                attribute: attribute.to_string(),
            });
        } else {
            // Cognito says `An account with the email already exists.` here (no "given").
            return Err(ApiError::new(
                ErrorCode::AliasExistsException,
                format!("An account with the {attribute} already exists."),
            ));
        }
    }
    Ok(moves)
}

pub fn release_aliases(pool: &mut UserPool, moves: Vec<AliasMove>, now: f64) {
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

/// Deletes a user with its memberships, tokens, challenges and codes.
pub fn remove_user(pool: &mut UserPool, key: UserKey, now: f64) {
    pool.auth.forget_user(key, now);
    if let Some(user) = pool.users.remove(key) {
        for group in &user.groups {
            if let Some(group) = pool.groups.get_mut(group) {
                group.members.remove(&key);
            }
        }
    }
}

/// Removes attributes (never `sub` or a required one); a removed e-mail or phone number
/// takes its `_verified` flag with it.
pub fn delete_attributes(
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

/// Writes checked attribute values to a user (UpdateUserAttributes, AdminUpdateUserAttributes).
/// A new e-mail or phone number the pool auto-verifies gets a code, unless the same call
/// marks it verified (`email_verified`, which only administrators may write); with
/// AttributesRequireVerificationBeforeUpdate the old value stays until the new one is
/// verified, otherwise the new value is kept unverified. Returns where codes went.
pub fn update_attributes(
    app: &App,
    ctx: &RequestContext,
    pool: &mut UserPool,
    key: UserKey,
    values: BTreeMap<String, String>,
    now: f64,
) -> ApiResult<Vec<CodeDeliveryDetailsType>> {
    let auto_verified: Vec<String> = pool
        .config
        .auto_verified_attributes
        .iter()
        .flatten()
        .map(|a| a.as_str().to_string())
        .collect();
    let keep_until_verified: Vec<String> = pool
        .config
        .user_attribute_update_settings
        .as_ref()
        .and_then(|s| s.attributes_require_verification_before_update.clone())
        .unwrap_or_default()
        .iter()
        .map(|a| a.as_str().to_string())
        .collect();
    let mut updated = pool.user(key)?.clone();
    let mut to_verify = Vec::new();
    for (name, value) in &values {
        let verified = format!("{name}_verified");
        let changed = updated.attribute(name) != Some(value.as_str());
        let verifiable = name == "email" || name == "phone_number";
        let vouched = values.contains_key(&verified);
        if verifiable && changed && !vouched && auto_verified.contains(name) {
            if keep_until_verified.contains(name) && updated.attribute(name).is_some() {
                to_verify.push((name.clone(), value.clone(), true));
                continue;
            }
            updated.set_attribute(&verified, "false".to_string());
            to_verify.push((name.clone(), value.clone(), false));
        } else if verifiable && changed && !vouched && updated.attribute(&verified).is_some() {
            updated.set_attribute(&verified, "false".to_string());
        }
        updated.set_attribute(name, value.clone());
    }
    let moves = claim_aliases(pool, Some(key), &updated, false, false)?;
    release_aliases(pool, moves, now);
    updated.modified = now;
    pool.users.update(key, |u| *u = updated);
    let mut details = Vec::new();
    for (name, value, pending) in to_verify {
        let purpose = CodePurpose::VerifyAttribute(name.clone());
        let pending_value = pending.then(|| value.clone());
        let delivery = codes::Delivery {
            attribute: &name,
            to: &value,
            pending_value,
            trigger: "UpdateUserAttribute",
        };
        details.push(codes::send_to(app, ctx, pool, key, purpose, delivery)?);
    }
    Ok(details)
}
