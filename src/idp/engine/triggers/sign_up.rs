//! PreSignUp (SignUp, AdminCreateUser, a federated user's first sign-in) and
//! PostConfirmation (ConfirmSignUp, AdminConfirmSignUp, ConfirmForgotPassword).

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::{flag, string_map, Event, Function};
use crate::app::{App, RequestContext};
use crate::error::{ApiError, ApiResult};
use crate::generated::cognito_idp::{AttributeType, UserStatusType};
use crate::idp::store::User;

/// What PreSignUp is shown of the user about to be created.
pub struct SignUpEvent<'a> {
    pub pool_id: &'a str,
    /// `PreSignUp_SignUp`, `PreSignUp_AdminCreateUser` or `PreSignUp_ExternalProvider`.
    pub source: &'a str,
    pub username: &'a str,
    pub client_id: Option<&'a str>,
    /// The attributes given (no `sub` yet: the user does not exist).
    pub attributes: &'a [(String, String)],
    pub validation_data: Option<&'a [AttributeType]>,
    pub client_metadata: Option<&'a BTreeMap<String, String>>,
}

/// PreSignUp's answer.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct PreSignUpDecision {
    pub auto_confirm: bool,
    pub auto_verify_email: bool,
    pub auto_verify_phone: bool,
}

impl PreSignUpDecision {
    /// Confirms and verifies the new user as the function asked. Verifying an address the
    /// user does not have is an error (unconfirmed text).
    pub fn apply(self, user: &mut User) -> ApiResult<()> {
        for (asked, attribute) in [
            (self.auto_verify_email, "email"),
            (self.auto_verify_phone, "phone_number"),
        ] {
            if !asked {
                continue;
            }
            if user.attribute(attribute).is_none() {
                return Err(ApiError::invalid_parameter(format!(
                    "PreSignUp asked to verify {attribute}, but the user has no {attribute}."
                )));
            }
            user.set_attribute(&format!("{attribute}_verified"), "true".to_string());
        }
        if self.auto_confirm {
            user.status = UserStatusType::Confirmed;
        }
        Ok(())
    }
}

/// Calls PreSignUp; a function error rejects the sign-up (UserLambdaValidationException).
pub fn pre_sign_up(
    app: &App,
    ctx: &RequestContext,
    function: &Function,
    event: SignUpEvent,
) -> ApiResult<PreSignUpDecision> {
    let attributes: serde_json::Map<String, Value> = event
        .attributes
        .iter()
        .map(|(name, value)| (name.clone(), Value::String(value.clone())))
        .collect();
    let mut request = json!({
        "userAttributes": attributes,
        // unconfirmed: Cognito sends null when the call had no ValidationData.
        "validationData": event.validation_data.map(|data| {
            Value::Object(
                data.iter()
                    .map(|a| (a.name.clone(), Value::String(a.value.clone().unwrap_or_default())))
                    .collect(),
            )
        }),
    });
    if let Some(metadata) = event.client_metadata {
        request["clientMetadata"] = string_map(metadata);
    }
    let response = function.invoke(
        app,
        ctx,
        Event {
            pool_id: event.pool_id,
            trigger_source: event.source,
            user_name: event.username,
            client_id: event.client_id,
            request,
            response: json!({
                "autoConfirmUser": false,
                "autoVerifyEmail": false,
                "autoVerifyPhone": false,
            }),
        },
    )?;
    Ok(PreSignUpDecision {
        auto_confirm: flag(&response, "autoConfirmUser")?,
        auto_verify_email: flag(&response, "autoVerifyEmail")?,
        auto_verify_phone: flag(&response, "autoVerifyPhone")?,
    })
}
