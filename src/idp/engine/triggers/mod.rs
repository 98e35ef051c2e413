//! Lambda triggers: when Cognito calls which function, with what event, and what its answer
//! means. The call itself is `infra::lambda`; each trigger's events and answers live in a
//! file of its own here, the flows call them.
//!
//! Rules: a trigger is called with no pool lock held (decide under the lock, release it,
//! invoke, re-lock and re-check what was read); the operation runs on the blocking pool
//! (`idp::MAY_INVOKE_TRIGGERS`, or a CPU-heavy operation, or a hosted page's blocking work),
//! where the wait may block (`infra::blocking`).

pub mod authentication;
pub mod custom_auth;
pub mod messages;
pub mod migration;
pub mod senders;
pub mod sign_up;
pub mod token_generation;

use serde_json::{json, Map, Value};

use crate::app::{App, RequestContext};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::generated::cognito_idp::LambdaConfigType;
use crate::idp::store::{User, UserPool};
use crate::infra::lambda::InvokeError;

/// A trigger a pool's LambdaConfig can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    PreSignUp,
    PostConfirmation,
    PreAuthentication,
    PostAuthentication,
    DefineAuthChallenge,
    CreateAuthChallenge,
    VerifyAuthChallengeResponse,
    PreTokenGeneration,
    CustomMessage,
    UserMigration,
    CustomEmailSender,
    CustomSmsSender,
    InboundFederation,
}

impl Trigger {
    /// The name Cognito uses in its error messages ("PreSignUp failed with error …").
    pub fn name(self) -> &'static str {
        match self {
            Trigger::PreSignUp => "PreSignUp",
            Trigger::PostConfirmation => "PostConfirmation",
            Trigger::PreAuthentication => "PreAuthentication",
            Trigger::PostAuthentication => "PostAuthentication",
            Trigger::DefineAuthChallenge => "DefineAuthChallenge",
            Trigger::CreateAuthChallenge => "CreateAuthChallenge",
            Trigger::VerifyAuthChallengeResponse => "VerifyAuthChallengeResponse",
            Trigger::PreTokenGeneration => "PreTokenGeneration",
            Trigger::CustomMessage => "CustomMessage",
            Trigger::UserMigration => "UserMigration",
            Trigger::CustomEmailSender => "CustomEmailSender",
            Trigger::CustomSmsSender => "CustomSMSSender",
            Trigger::InboundFederation => "InboundFederation",
        }
    }

    /// The function a pool configures for this trigger, with the event `version` it is sent
    /// ("1"; PreTokenGeneration V2_0 and V3_0 are "2" and "3").
    pub fn function(self, config: Option<&LambdaConfigType>) -> Option<Function> {
        let config = config?;
        let plain = |arn: &Option<String>| {
            arn.as_ref().map(|arn| Function {
                trigger: self,
                arn: arn.clone(),
                version: "1",
            })
        };
        match self {
            Trigger::PreSignUp => plain(&config.pre_sign_up),
            Trigger::PostConfirmation => plain(&config.post_confirmation),
            Trigger::PreAuthentication => plain(&config.pre_authentication),
            Trigger::PostAuthentication => plain(&config.post_authentication),
            Trigger::DefineAuthChallenge => plain(&config.define_auth_challenge),
            Trigger::CreateAuthChallenge => plain(&config.create_auth_challenge),
            Trigger::VerifyAuthChallengeResponse => plain(&config.verify_auth_challenge_response),
            Trigger::CustomMessage => plain(&config.custom_message),
            Trigger::UserMigration => plain(&config.user_migration),
            Trigger::PreTokenGeneration => {
                // PreTokenGenerationConfig wins over the older PreTokenGeneration ARN (V1_0).
                match &config.pre_token_generation_config {
                    Some(versioned) => Some(Function {
                        trigger: self,
                        arn: versioned.lambda_arn.clone(),
                        version: match versioned.lambda_version.as_str() {
                            "V2_0" => "2",
                            "V3_0" => "3",
                            _ => "1",
                        },
                    }),
                    None => plain(&config.pre_token_generation),
                }
            }
            Trigger::CustomEmailSender => config.custom_email_sender.as_ref().map(|c| Function {
                trigger: self,
                arn: c.lambda_arn.clone(),
                version: "1",
            }),
            Trigger::CustomSmsSender => config.custom_sms_sender.as_ref().map(|c| Function {
                trigger: self,
                arn: c.lambda_arn.clone(),
                version: "1",
            }),
            Trigger::InboundFederation => config.inbound_federation.as_ref().map(|c| Function {
                trigger: self,
                arn: c.lambda_arn.clone(),
                version: "1",
            }),
        }
    }

    /// The function configured for this trigger in `pool`, if any.
    pub fn of(self, pool: &UserPool) -> Option<Function> {
        self.function(pool.config.lambda_config.as_ref())
    }
}

/// Whether a request for the pool `input` names (by `UserPoolId` or `ClientId`) may invoke a
/// function: the pool has one configured (a trigger or a custom sender). Operations that may
/// invoke triggers need a thread that may wait only then; a request that names no pool (an
/// access token's) is assumed to. An unknown pool invokes nothing: the request fails first.
pub fn may_invoke(app: &App, input: &Value) -> bool {
    let pool = if let Some(id) = input.get("UserPoolId").and_then(Value::as_str) {
        app.store.pool(id)
    } else if let Some(id) = input.get("ClientId").and_then(Value::as_str) {
        app.store.pool_for_client(id)
    } else {
        return true;
    };
    pool.is_ok_and(|pool| {
        pool.read()
            .config
            .lambda_config
            .as_ref()
            .is_some_and(|config| *config != LambdaConfigType::default())
    })
}

/// A configured trigger function.
#[derive(Debug, Clone, PartialEq)]
pub struct Function {
    pub trigger: Trigger,
    pub arn: String,
    /// The event's `version`.
    pub version: &'static str,
}

/// What a trigger is called with, besides its function.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub pool_id: &'a str,
    pub trigger_source: &'a str,
    /// The user's username (what the user typed, for UserMigration); empty when the event
    /// has no user (a client-credentials token): `userName` is then null.
    pub user_name: &'a str,
    /// The app client; `None` for administrator operations without one.
    pub client_id: Option<&'a str>,
    /// The event's `request` object.
    pub request: Value,
    /// The event's `response` object as Cognito sends it (the members the function may set,
    /// as nulls or defaults).
    pub response: Value,
}

impl Function {
    /// Calls the function with Cognito's event envelope and returns its answer's `response`
    /// object, or Cognito's error for the failure. No pool lock may be held.
    pub fn invoke(&self, app: &App, ctx: &RequestContext, event: Event) -> ApiResult<Value> {
        if !ctx.triggers {
            return Ok(event.response);
        }
        let region = event
            .pool_id
            .split_once('_')
            .map_or(app.region(), |(region, _)| region);
        let envelope = json!({
            "version": self.version,
            "triggerSource": event.trigger_source,
            "region": region,
            "userPoolId": event.pool_id,
            "userName": (!event.user_name.is_empty()).then_some(event.user_name),
            "callerContext": {
                "awsSdkVersion": sdk_version(ctx.user_agent.as_deref()),
                // unconfirmed: what Cognito sends for administrator operations without a client.
                "clientId": event.client_id.unwrap_or("CLIENT_ID_NOT_APPLICABLE"),
            },
            "request": event.request,
            "response": event.response,
        });
        let answer = app.lambda.invoke_blocking(
            &self.arn,
            event.pool_id,
            event.trigger_source,
            &envelope,
            app.clock.now(),
        );
        let name = self.trigger.name();
        match answer {
            Ok(answer) => match answer.get("response") {
                Some(Value::Object(response)) => Ok(Value::Object(response.clone())),
                // A function may leave `response` null when it sets nothing.
                Some(Value::Null) | None if answer.get("triggerSource").is_some() => {
                    Ok(Value::Object(Map::new()))
                }
                _ => Err(unrecognizable()),
            },
            Err(InvokeError::Function(message)) => Err(ApiError::new(
                ErrorCode::UserLambdaValidationException,
                format!("{name} failed with error {message}."),
            )),
            Err(InvokeError::InvalidAnswer(_)) => Err(ApiError::new(
                ErrorCode::InvalidLambdaResponseException,
                "Invalid lambda function output : Invalid JSON",
            )),
            Err(InvokeError::NoEndpoint) => {
                tracing::warn!(
                    "{} names the {name} trigger {}, but no Lambda endpoint is configured: \
                     start the emulator with --lambda-endpoint URL (COGNITO_EMULATOR_LAMBDA_ENDPOINT), \
                     e.g. `sam local start-lambda`'s http://127.0.0.1:3001",
                    event.pool_id,
                    self.arn
                );
                // What Cognito answers when it may not invoke the function.
                Err(ApiError::new(
                    ErrorCode::UnexpectedLambdaException,
                    format!("{name} invocation failed due to error AccessDeniedException."),
                ))
            }
            Err(InvokeError::Invocation(reason)) => {
                tracing::warn!("{name} trigger {} could not be invoked: {reason}", self.arn);
                let error = if reason.contains("did not answer within") {
                    "Socket timeout while invoking Lambda function"
                } else {
                    "ResourceNotFoundException"
                };
                Err(ApiError::new(
                    ErrorCode::UnexpectedLambdaException,
                    format!("{name} invocation failed due to error {error}."),
                ))
            }
        }
    }
}

/// An answer that is JSON but not the event Cognito sent.
pub fn unrecognizable() -> ApiError {
    ApiError::new(
        ErrorCode::InvalidLambdaResponseException,
        "Unrecognizable lambda output",
    )
}

/// `callerContext.awsSdkVersion`: the SDK named in the request's User-Agent
/// (`aws-sdk-js/3.600.0` → `aws-sdk-js-3.600.0`), else Cognito's `aws-sdk-unknown-unknown`.
fn sdk_version(user_agent: Option<&str>) -> String {
    user_agent
        .into_iter()
        .flat_map(str::split_whitespace)
        .find_map(|part| {
            let (name, version) = part.split_once('/')?;
            name.starts_with("aws-sdk-")
                .then(|| format!("{name}-{version}"))
        })
        .unwrap_or_else(|| "aws-sdk-unknown-unknown".to_string())
}

/// A user's attributes as triggers see them: every attribute as a string, plus
/// `cognito:user_status` (and `cognito:email_alias` / `cognito:phone_number_alias` when the
/// address is a sign-in alias).
pub fn user_attributes(pool: &UserPool, user: &User) -> Value {
    let mut attributes: Map<String, Value> = user
        .attributes
        .iter()
        .map(|(name, value)| (name.to_string(), Value::String(value.to_string())))
        .collect();
    attributes.insert(
        "cognito:user_status".into(),
        Value::String(user.status.as_str().to_string()),
    );
    for (attribute, alias) in [
        ("email", "cognito:email_alias"),
        ("phone_number", "cognito:phone_number_alias"),
    ] {
        if pool.users.is_alias(attribute) && user.is_verified(attribute) {
            if let Some(value) = user.attribute(attribute) {
                attributes.insert(alias.into(), Value::String(value.to_string()));
            }
        }
    }
    Value::Object(attributes)
}

/// ClientMetadata / ValidationData as the event's string map (absent: an empty object, as
/// Cognito sends it).
pub fn string_map<'a>(pairs: impl IntoIterator<Item = (&'a String, &'a String)>) -> Value {
    Value::Object(
        pairs
            .into_iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

/// A boolean member of a trigger's answer: `true`, or absent/null/false.
pub fn flag(response: &Value, member: &str) -> ApiResult<bool> {
    match response.get(member) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(value)) => Ok(*value),
        Some(_) => Err(unrecognizable()),
    }
}

#[cfg(test)]
mod tests {
    use super::sdk_version;

    #[test]
    fn the_sdk_comes_from_the_user_agent() {
        assert_eq!(
            sdk_version(Some("aws-sdk-js/3.600.0 ua/2.1 os/linux")),
            "aws-sdk-js-3.600.0"
        );
        assert_eq!(sdk_version(Some("curl/8")), "aws-sdk-unknown-unknown");
        assert_eq!(sdk_version(None), "aws-sdk-unknown-unknown");
    }
}
