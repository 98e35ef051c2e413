//! PreAuthentication (before a first factor is checked) and PostAuthentication (after the
//! user is authenticated, before tokens or the hosted session). Neither reads an answer:
//! a function error rejects the sign-in.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::{string_map, Event, Function};
use crate::app::{App, RequestContext};
use crate::error::ApiResult;

/// A sign-in as these triggers are shown it.
pub struct AuthenticationEvent<'a> {
    pub pool_id: &'a str,
    /// The user's username, or for someone who does not exist what they typed.
    pub user_name: &'a str,
    pub client_id: &'a str,
    /// `user_attributes` of the user (an empty object for someone who does not exist).
    pub attributes: Value,
    /// The sign-in request's ClientMetadata.
    pub client_metadata: Option<&'a BTreeMap<String, String>>,
}

/// `PreAuthentication_Authentication`: `validationData` is the request's ClientMetadata;
/// `userNotFound` is sent when the client has PreventUserExistenceErrors ENABLED
/// (`Some(whether the user does not exist)`).
pub fn pre_authentication(
    app: &App,
    ctx: &RequestContext,
    function: &Function,
    event: AuthenticationEvent,
    user_not_found: Option<bool>,
) -> ApiResult<()> {
    let mut request = json!({ "userAttributes": event.attributes });
    // unconfirmed: absent (not null or {}) when the request had no ClientMetadata.
    if let Some(metadata) = event.client_metadata {
        request["validationData"] = string_map(metadata);
    }
    if let Some(not_found) = user_not_found {
        request["userNotFound"] = Value::Bool(not_found);
    }
    call(
        app,
        ctx,
        function,
        event,
        "PreAuthentication_Authentication",
        request,
    )
}

/// `PostAuthentication_Authentication`: `newDeviceUsed` when the sign-in hands out a new
/// device key (pools that remember devices), and the request's ClientMetadata.
pub fn post_authentication(
    app: &App,
    ctx: &RequestContext,
    function: &Function,
    event: AuthenticationEvent,
    new_device_used: bool,
) -> ApiResult<()> {
    let mut request = json!({
        "userAttributes": event.attributes,
        "newDeviceUsed": new_device_used,
    });
    if let Some(metadata) = event.client_metadata {
        request["clientMetadata"] = string_map(metadata);
    }
    call(
        app,
        ctx,
        function,
        event,
        "PostAuthentication_Authentication",
        request,
    )
}

fn call(
    app: &App,
    ctx: &RequestContext,
    function: &Function,
    event: AuthenticationEvent,
    source: &str,
    request: Value,
) -> ApiResult<()> {
    function.invoke(
        app,
        ctx,
        Event {
            pool_id: event.pool_id,
            trigger_source: source,
            user_name: event.user_name,
            client_id: Some(event.client_id),
            request,
            response: json!({}),
        },
    )?;
    Ok(())
}
