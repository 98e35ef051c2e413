//! UserMigration: someone unknown to the pool signs in with a password
//! (`UserMigration_Authentication`) or asks to reset one (`UserMigration_ForgotPassword`);
//! the function looks them up in the old system and answers with their attributes, and the
//! user is created from its answer before the flow goes on.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::{flag, string_map, unrecognizable, Event, Function};
use crate::app::{App, RequestContext};
use crate::error::{ApiError, ApiResult};
use crate::generated::cognito_idp::{AttributeType, DeliveryMediumType, UserStatusType};
use crate::idp::engine::attributes::{self, WriteKind};
use crate::idp::engine::users::{claim_aliases, release_aliases, sign_in_username};
use crate::idp::store::user::MfaFactor;
use crate::idp::store::users::Attributes;
use crate::idp::store::{User, UserKey, UserPool};
use crate::infra::ids;
use crate::infra::messages::Message;

/// Who is being migrated, and how.
pub struct MigrationEvent<'a> {
    pub pool_id: &'a str,
    /// `UserMigration_Authentication` or `UserMigration_ForgotPassword`.
    pub source: &'a str,
    /// What the user typed.
    pub user_name: &'a str,
    pub client_id: &'a str,
    /// The password typed at sign-in (none for ForgotPassword).
    pub password: Option<&'a str>,
    pub client_metadata: Option<&'a BTreeMap<String, String>>,
}

/// The function's answer for a user it knows.
#[derive(Debug, Clone)]
pub struct Migrated {
    pub attributes: Vec<(String, String)>,
    pub status: UserStatusType,
    /// `messageAction: SUPPRESS`.
    pub suppress: bool,
    pub mediums: Vec<DeliveryMediumType>,
    pub force_alias_creation: bool,
    pub enable_sms_mfa: bool,
}

/// Calls UserMigration. `None` when the function answered without `userAttributes`: it does
/// not know the user either, and the flow answers as for any unknown user (unconfirmed).
pub fn user_migration(
    app: &App,
    ctx: &RequestContext,
    function: &Function,
    event: MigrationEvent,
) -> ApiResult<Option<Migrated>> {
    let mut request = json!({});
    if let Some(password) = event.password {
        request["password"] = Value::String(password.to_string());
    }
    // The docs name ClientMetadata as the source of both (InitiateAuth's, ForgotPassword's).
    if let Some(metadata) = event.client_metadata {
        request["validationData"] = string_map(metadata);
        request["clientMetadata"] = string_map(metadata);
    }
    let response = function.invoke(
        app,
        ctx,
        Event {
            pool_id: event.pool_id,
            trigger_source: event.source,
            user_name: event.user_name,
            client_id: Some(event.client_id),
            request,
            response: json!({
                "userAttributes": null,
                "forceAliasCreation": null,
                "enableSMSMFA": null,
                "finalUserStatus": null,
                "messageAction": null,
                "desiredDeliveryMediums": null,
            }),
        },
    )?;
    let attributes: Vec<(String, String)> = match response.get("userAttributes") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(map)) if map.is_empty() => return Ok(None),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(name, value)| match value {
                Value::String(value) => Ok((name.clone(), value.clone())),
                _ => Err(unrecognizable()),
            })
            .collect::<ApiResult<_>>()?,
        Some(_) => return Err(unrecognizable()),
    };
    let forgot = event.password.is_none();
    let status = match response.get("finalUserStatus").and_then(Value::as_str) {
        // A user migrated by ForgotPassword has no password yet: they reset it.
        _ if forgot => UserStatusType::ResetRequired,
        Some("RESET_REQUIRED") => UserStatusType::ResetRequired,
        // Not set: the user signs in with the password they typed (the docs' default).
        Some("CONFIRMED") | None => UserStatusType::Confirmed,
        Some(_) => return Err(unrecognizable()),
    };
    let suppress = match response.get("messageAction") {
        None | Some(Value::Null) => false,
        Some(Value::String(action)) if action == "SUPPRESS" => true,
        Some(Value::String(action)) if action == "RESEND" => false,
        Some(_) => return Err(unrecognizable()),
    };
    let mediums = match response.get("desiredDeliveryMediums") {
        None | Some(Value::Null) => vec![DeliveryMediumType::Sms],
        Some(Value::Array(list)) => list
            .iter()
            .map(|m| {
                m.as_str()
                    .and_then(DeliveryMediumType::parse)
                    .ok_or_else(unrecognizable)
            })
            .collect::<ApiResult<_>>()?,
        Some(_) => return Err(unrecognizable()),
    };
    Ok(Some(Migrated {
        attributes,
        status,
        suppress,
        mediums,
        force_alias_creation: flag(&response, "forceAliasCreation")?,
        enable_sms_mfa: flag(&response, "enableSMSMFA")?,
    }))
}

/// Creates the migrated user under the pool's write lock: `typed` is the name they signed
/// in with, `password` the one they typed (none from ForgotPassword). The password policy
/// is not applied (the password was the old system's). Keeps the welcome message unless
/// the function suppressed it.
pub fn create(
    app: &App,
    ctx: &RequestContext,
    pool: &mut UserPool,
    typed: &str,
    password: Option<&str>,
    migrated: Migrated,
) -> ApiResult<UserKey> {
    let now = app.clock.now();
    let given: Vec<AttributeType> = migrated
        .attributes
        .iter()
        .filter(|(name, _)| name != "sub" && !name.starts_with("cognito:"))
        .map(|(name, value)| AttributeType {
            name: name.clone(),
            value: Some(value.clone()),
        })
        .collect();
    let mut values = attributes::check_writes(
        pool.config.schema_attributes.as_deref().unwrap_or_default(),
        &given,
        WriteKind::Create,
    )?;
    let sub = ids::uuid();
    let username = sign_in_username(pool, typed, &sub, &mut values)?;
    let mut pairs = vec![("sub".to_string(), sub)];
    pairs.extend(values);
    let mut user = User::new(
        username.clone(),
        Attributes::from_pairs(pairs),
        migrated.status,
        now,
    );
    user.password = password.map(|p| pool.password_record(&username, p));
    if migrated.enable_sms_mfa {
        user.extras_mut().mfa.enabled.insert(MfaFactor::Sms);
    }
    // The operations that migrate list neither AliasExistsException nor
    // UsernameExistsException: a clash is reported as a bad parameter (unconfirmed).
    let moves = claim_aliases(pool, None, &user, migrated.force_alias_creation, true)
        .map_err(|e| ApiError::invalid_parameter(e.message.clone()))?;
    release_aliases(pool, moves, now);
    if !migrated.suppress {
        welcome(app, ctx, pool.id(), &user, &migrated.mediums);
    }
    Ok(pool.users.insert(user))
}

/// The welcome message Cognito sends a migrated user (unconfirmed text: Cognito's own is not
/// documented), through each desired medium the user has an address for.
fn welcome(
    app: &App,
    ctx: &RequestContext,
    pool_id: &str,
    user: &User,
    mediums: &[DeliveryMediumType],
) {
    for medium in mediums {
        let (attribute, subject) = match medium {
            DeliveryMediumType::Email => ("email", Some("Welcome".to_string())),
            DeliveryMediumType::Sms => ("phone_number", None),
        };
        let Some(destination) = user.attribute(attribute) else {
            continue;
        };
        ctx.outbox.send(Message {
            id: ids::uuid(),
            user_pool_id: pool_id.to_string(),
            username: user.username.clone(),
            trigger: "UserMigration".to_string(),
            delivery_medium: medium.as_str().to_string(),
            destination: destination.to_string(),
            subject,
            body: format!("Welcome! Your username is {}.", user.username),
            code: None,
            created_at: app.clock.now(),
        });
    }
}
