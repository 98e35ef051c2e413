//! CustomMessage and the custom senders: what happens to a message between the operation
//! that built it (`ctx.outbox`) and its delivery (`service::deliver_messages`), with no pool
//! lock held.

use serde_json::{json, Value};

use super::{string_map, unrecognizable, user_attributes, Event, Trigger};
use crate::app::{App, RequestContext};
use crate::error::ApiResult;
use crate::infra::messages::Message;

/// The code and username placeholders Cognito gives the function.
const CODE_PARAMETER: &str = "{####}";
const USERNAME_PARAMETER: &str = "{username}";
/// Cognito's placeholder for a verification link (CONFIRM_WITH_LINK).
const LINK_PARAMETER: &str = "{##Click Here##}";

/// The trigger-source suffix of a message (`CustomMessage_<suffix>`,
/// `CustomEmailSender_<suffix>`), from what it was built for; None for a message Cognito
/// documents no trigger source for (a migrated user's welcome).
pub fn source_suffix(message: &Message) -> Option<&'static str> {
    Some(match message.trigger.as_str() {
        "UserMigration" => return None,
        "SignUp" => "SignUp",
        "ResendCode" => "ResendCode",
        // unconfirmed: AdminResetUserPassword's code is announced as a forgotten password's.
        "ForgotPassword" | "AdminResetUserPassword" => "ForgotPassword",
        "UpdateUserAttribute" => "UpdateUserAttribute",
        "VerifyUserAttribute" => "VerifyUserAttribute",
        "AdminCreateUser" => "AdminCreateUser",
        _ => "Authentication",
    })
}

/// What the pool says about one message, read under its lock.
struct Plan {
    custom_message: Option<super::Function>,
    sender: Option<super::Function>,
    attributes: Value,
}

fn plan(app: &App, message: &Message) -> Option<Plan> {
    source_suffix(message)?;
    let pool = app.store.pool(&message.user_pool_id).ok()?;
    let pool = pool.read();
    pool.config.lambda_config.as_ref()?;
    let key = pool.users.find_by_username(&message.username)?;
    let user = pool.users.get(key)?;
    let sender = match message.delivery_medium.as_str() {
        "EMAIL" => Trigger::CustomEmailSender.of(&pool),
        _ => Trigger::CustomSmsSender.of(&pool),
    };
    Some(Plan {
        // A custom sender takes the message over: CustomMessage is not asked (unconfirmed).
        custom_message: Trigger::CustomMessage
            .of(&pool)
            .filter(|_| sender.is_none()),
        sender,
        attributes: user_attributes(&pool, user),
    })
}

/// Runs the pool's CustomMessage trigger on each message and hands each to its custom sender
/// where one is configured; returns the messages to keep.
pub fn before_delivery(
    app: &App,
    ctx: &RequestContext,
    messages: Vec<Message>,
) -> ApiResult<Vec<Message>> {
    let mut delivered = Vec::with_capacity(messages.len());
    for mut message in messages {
        if let Some(plan) = plan(app, &message) {
            if let Some(function) = &plan.custom_message {
                custom_message(app, ctx, function, &mut message, plan.attributes.clone())?;
            }
            if let Some(function) = &plan.sender {
                super::senders::send(app, ctx, function, &message, plan.attributes)?;
            }
        }
        delivered.push(message);
    }
    Ok(delivered)
}

fn custom_message(
    app: &App,
    ctx: &RequestContext,
    function: &super::Function,
    message: &mut Message,
    attributes: Value,
) -> ApiResult<()> {
    let suffix = source_suffix(message).unwrap_or("Authentication");
    let admin_create_user = suffix == "AdminCreateUser";
    let mut request = json!({
        "userAttributes": attributes,
        "codeParameter": CODE_PARAMETER,
        "linkParameter": LINK_PARAMETER,
        "usernameParameter": if admin_create_user { Value::from(USERNAME_PARAMETER) } else { Value::Null },
    });
    if let Some(metadata) = &ctx.caller.client_metadata {
        request["clientMetadata"] = string_map(metadata);
    }
    let source = format!("CustomMessage_{suffix}");
    let response = function.invoke(
        app,
        ctx,
        Event {
            pool_id: &message.user_pool_id,
            trigger_source: &source,
            user_name: &message.username,
            client_id: ctx.caller.client_id.as_deref(),
            request,
            response: json!({"smsMessage": null, "emailMessage": null, "emailSubject": null}),
        },
    )?;
    let text = |member: &str| -> ApiResult<Option<String>> {
        match response.get(member) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(_) => Err(unrecognizable()),
        }
    };
    let email = message.delivery_medium == "EMAIL";
    let body = if email {
        text("emailMessage")?
    } else {
        text("smsMessage")?
    };
    let code = message.code.clone().unwrap_or_default();
    if let Some(body) = body {
        // A message without the code (and, for an invitation, the username) could not do its
        // job: Cognito's own message is sent instead (unconfirmed).
        let complete = body.contains(CODE_PARAMETER)
            && (!admin_create_user || body.contains(USERNAME_PARAMETER));
        if complete {
            message.body = body
                .replace(CODE_PARAMETER, &code)
                .replace(USERNAME_PARAMETER, &message.username);
        } else {
            tracing::warn!(
                source = %source,
                "CustomMessage answered a message without {CODE_PARAMETER}{}: the default message is kept",
                if admin_create_user { " and {username}" } else { "" }
            );
        }
    }
    if email {
        if let Some(subject) = text("emailSubject")? {
            message.subject = Some(subject.replace(USERNAME_PARAMETER, &message.username));
        }
    }
    Ok(())
}
