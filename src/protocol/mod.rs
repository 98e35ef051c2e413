//! The AWS JSON 1.1 protocol of both services: `POST /` with `X-Amz-Target`, a JSON body in,
//! a JSON body or an AWS-shaped error out.

pub mod schema;
pub mod validate;

use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::app::App;
use crate::error::ApiError;
use crate::generated::{cognito_identity, cognito_idp};
use crate::ops;

pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// What an operation knows about the request besides its input.
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub request_id: String,
}

/// An operation of either service, resolved from `X-Amz-Target`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    UserPools(cognito_idp::Operation),
    IdentityPools(cognito_identity::Operation),
}

impl Target {
    pub fn parse(header: &str) -> Result<Self, ApiError> {
        let unknown = || {
            ApiError::new(
                "UnknownOperationException",
                format!("Unknown operation: {header}"),
            )
        };
        let (prefix, name) = header.rsplit_once('.').ok_or_else(unknown)?;
        match prefix {
            cognito_idp::TARGET_PREFIX => {
                cognito_idp::Operation::from_name(name).map(Target::UserPools)
            }
            cognito_identity::TARGET_PREFIX => {
                cognito_identity::Operation::from_name(name).map(Target::IdentityPools)
            }
            _ => None,
        }
        .ok_or_else(unknown)
    }

    pub fn name(self) -> &'static str {
        match self {
            Target::UserPools(op) => op.name(),
            Target::IdentityPools(op) => op.name(),
        }
    }

    pub fn validate(self, body: &Value) -> Result<(), ApiError> {
        let (shapes, input) = match self {
            Target::UserPools(op) => (cognito_idp::SHAPES, op.input_shape()),
            Target::IdentityPools(op) => (cognito_identity::SHAPES, op.input_shape()),
        };
        match input {
            Some(index) => validate::validate(shapes, index, body),
            None => Ok(()),
        }
    }
}

/// `POST /`: the one entry point of both services.
pub async fn handle(State(app): State<Arc<App>>, headers: HeaderMap, body: Body) -> Response {
    let started = Instant::now();
    let request_id = crate::ids::uuid();
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let ctx = RequestContext {
        request_id: request_id.clone(),
    };
    let result = process(app, ctx, target.as_deref(), body).await;
    let response = encode(&request_id, result);
    tracing::info!(
        target: "cognito_emulator::requests",
        operation = target.as_deref().and_then(|t| t.rsplit('.').next()).unwrap_or("-"),
        status = response.status().as_u16(),
        micros = started.elapsed().as_micros() as u64,
        request_id = %request_id,
    );
    response
}

async fn process(
    app: Arc<App>,
    ctx: RequestContext,
    target: Option<&str>,
    body: Body,
) -> Result<String, ApiError> {
    let target = target.ok_or_else(|| {
        ApiError::new(
            "UnknownOperationException",
            "Missing the X-Amz-Target header: it names the operation, e.g. AWSCognitoIdentityProviderService.ListUserPools",
        )
    })?;
    let target = Target::parse(target)?;
    let limit = app.config.max_body_bytes;
    let bytes: Bytes = axum::body::to_bytes(body, limit).await.map_err(|_| {
        ApiError::new(
            "RequestEntityTooLargeException",
            format!("Request body exceeds the limit of {limit} bytes."),
        )
    })?;
    let input = parse_body(&bytes)?;
    target.validate(&input)?;
    ops::dispatch(app, ctx, target, input).await
}

fn parse_body(bytes: &[u8]) -> Result<Value, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Default::default()));
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(_) => Err(ApiError::serialization(
            "The request body must be a JSON object.",
        )),
        Err(e) => Err(ApiError::serialization(format!(
            "The request body is not valid JSON: {e}"
        ))),
    }
}

fn encode(request_id: &str, result: Result<String, ApiError>) -> Response {
    let (status, body, error) = match result {
        Ok(body) => (StatusCode::OK, body, None),
        Err(error) => {
            let body = serde_json::json!({"__type": error.code, "message": error.message});
            let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
            (status, body.to_string(), Some(error))
        }
    };
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert("content-type", HeaderValue::from_static(CONTENT_TYPE));
    if let Ok(id) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-requestid", id);
    }
    if let Some(error) = error {
        if let Ok(code) = HeaderValue::from_str(&format!("{}:", error.code)) {
            headers.insert("x-amzn-errortype", code);
        }
        if let Ok(message) = HeaderValue::from_str(&header_safe(&error.message)) {
            headers.insert("x-amzn-errormessage", message);
        }
    }
    response
}

/// Header values must be visible ASCII; anything else becomes `?`.
fn header_safe(text: &str) -> String {
    text.chars()
        .map(|c| if (' '..='~').contains(&c) { c } else { '?' })
        .collect()
}
