//! DefineAuthChallenge, CreateAuthChallenge and VerifyAuthChallengeResponse: the three
//! functions that drive a CUSTOM_AUTH sign-in (`sign_in/custom.rs` calls them).

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::{flag, string_map, unrecognizable, Event, Function};
use crate::app::{App, RequestContext};
use crate::error::ApiResult;
use crate::idp::store::auth::ChallengeResult;

/// Who a custom sign-in is for, as every one of its events shows it.
pub struct ChallengeEvent {
    pub pool_id: String,
    /// The user's username (what was typed, when there is no such user).
    pub user_name: String,
    pub client_id: String,
    /// `request.userAttributes` (empty when there is no such user).
    pub user_attributes: Value,
    /// `request.userNotFound`: sent only when the client has PreventUserExistenceErrors
    /// ENABLED.
    pub user_not_found: Option<bool>,
    /// RespondToAuthChallenge's ClientMetadata (InitiateAuth's goes to other triggers only).
    pub client_metadata: Option<BTreeMap<String, String>>,
}

impl ChallengeEvent {
    fn request(&self, members: Value) -> Value {
        let mut request = json!({ "userAttributes": self.user_attributes });
        for (name, value) in members.as_object().expect("an object") {
            request[name] = value.clone();
        }
        if let Some(metadata) = &self.client_metadata {
            request["clientMetadata"] = string_map(metadata);
        }
        if let Some(not_found) = self.user_not_found {
            request["userNotFound"] = Value::Bool(not_found);
        }
        request
    }

    fn call(
        &self,
        app: &App,
        ctx: &RequestContext,
        function: &Function,
        source: &str,
        request: Value,
        response: Value,
    ) -> ApiResult<Value> {
        function.invoke(
            app,
            ctx,
            Event {
                pool_id: &self.pool_id,
                trigger_source: source,
                user_name: &self.user_name,
                client_id: Some(&self.client_id),
                request: self.request(request),
                response,
            },
        )
    }
}

/// `request.session` as Cognito sends it.
fn session_json(session: &[ChallengeResult]) -> Value {
    Value::Array(
        session
            .iter()
            .map(|c| {
                json!({
                    "challengeName": c.name,
                    "challengeResult": c.result,
                    "challengeMetadata": c.metadata,
                })
            })
            .collect(),
    )
}

/// What DefineAuthChallenge decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    Fail,
    IssueTokens,
    Challenge(String),
}

/// DefineAuthChallenge_Authentication. `failAuthentication` wins over `issueTokens`
/// (unconfirmed), and an answer that decides nothing is refused.
pub fn define(
    app: &App,
    ctx: &RequestContext,
    function: &Function,
    event: &ChallengeEvent,
    session: &[ChallengeResult],
) -> ApiResult<Next> {
    // unconfirmed: the `response` members Cognito sends before the function fills them.
    let response = event.call(
        app,
        ctx,
        function,
        "DefineAuthChallenge_Authentication",
        json!({ "session": session_json(session) }),
        json!({"challengeName": null, "issueTokens": null, "failAuthentication": null}),
    )?;
    if flag(&response, "failAuthentication")? {
        return Ok(Next::Fail);
    }
    if flag(&response, "issueTokens")? {
        return Ok(Next::IssueTokens);
    }
    match response.get("challengeName") {
        Some(Value::String(name)) if !name.is_empty() => Ok(Next::Challenge(name.clone())),
        _ => Err(unrecognizable()),
    }
}

/// What CreateAuthChallenge made: the parameters for the client, those kept for
/// VerifyAuthChallengeResponse, and the name that goes into the session.
#[derive(Debug, Clone, PartialEq)]
pub struct Created {
    pub public: BTreeMap<String, String>,
    pub private: Value,
    pub metadata: Option<String>,
}

/// CreateAuthChallenge_Authentication.
pub fn create(
    app: &App,
    ctx: &RequestContext,
    function: &Function,
    event: &ChallengeEvent,
    challenge_name: &str,
    session: &[ChallengeResult],
) -> ApiResult<Created> {
    let response = event.call(
        app,
        ctx,
        function,
        "CreateAuthChallenge_Authentication",
        json!({ "challengeName": challenge_name, "session": session_json(session) }),
        json!({
            "publicChallengeParameters": null,
            "privateChallengeParameters": null,
            "challengeMetadata": null,
        }),
    )?;
    let public = match response.get("publicChallengeParameters") {
        None | Some(Value::Null) => BTreeMap::new(),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| Ok((k.clone(), scalar(v)?)))
            .collect::<ApiResult<_>>()?,
        Some(_) => return Err(unrecognizable()),
    };
    let private = match response.get("privateChallengeParameters") {
        None | Some(Value::Null) => Value::Object(Map::new()),
        Some(map @ Value::Object(_)) => map.clone(),
        Some(_) => return Err(unrecognizable()),
    };
    let metadata = match response.get("challengeMetadata") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(unrecognizable()),
    };
    Ok(Created {
        public,
        private,
        metadata,
    })
}

/// A challenge parameter: a string, or a number or boolean written as one (unconfirmed).
fn scalar(value: &Value) -> ApiResult<String> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(_) | Value::Bool(_) => Ok(value.to_string()),
        _ => Err(unrecognizable()),
    }
}

/// VerifyAuthChallengeResponse_Authentication: whether the answer is right.
pub fn verify(
    app: &App,
    ctx: &RequestContext,
    function: &Function,
    event: &ChallengeEvent,
    private: &Value,
    answer: &str,
) -> ApiResult<bool> {
    let response = event.call(
        app,
        ctx,
        function,
        "VerifyAuthChallengeResponse_Authentication",
        json!({ "privateChallengeParameters": private, "challengeAnswer": answer }),
        json!({ "answerCorrect": null }),
    )?;
    flag(&response, "answerCorrect")
}
