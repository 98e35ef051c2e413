//! `POST /`: the one HTTP entry point of both services' AWS JSON 1.1 APIs.

use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::app::{App, RequestContext};
use crate::error::{ApiError, ErrorCode};
use crate::protocol::{self, ErrorReply, Target, CONTENT_TYPE};
use crate::service;

pub async fn handle(State(app): State<Arc<App>>, request: axum::extract::Request) -> Response {
    let (parts, body) = request.into_parts();
    let headers = parts.headers;
    let peer = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>();
    let started = Instant::now();

    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let region = signed_region(&headers);
    let mut ctx = RequestContext::new(region.as_deref().unwrap_or(app.region()));
    ctx.signed = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("AWS4-HMAC-SHA256"));
    ctx.source_ip = peer.map(|p| p.0.ip().to_canonical());
    ctx.user_agent = headers
        .get("user-agent")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let request_id = ctx.request_id.clone();
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

/// The region of a SigV4 `Authorization` header's credential scope
/// (`Credential=AKID/20261205/us-west-2/cognito-idp/aws4_request`), if it names a
/// well-formed one. Signatures are not checked: any credentials work.
fn signed_region(headers: &HeaderMap) -> Option<String> {
    let authorization = headers.get("authorization")?.to_str().ok()?;
    let credential = authorization.split("Credential=").nth(1)?;
    let region = credential.split('/').nth(2)?;
    let well_formed = (4..=32).contains(&region.len())
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && region.contains('-');
    well_formed.then(|| region.to_string())
}

async fn process(
    app: Arc<App>,
    ctx: RequestContext,
    target: Option<&str>,
    body: Body,
) -> Result<String, ApiError> {
    let target = target.ok_or_else(|| {
        ApiError::new(ErrorCode::UnknownOperationException,
            "Missing the X-Amz-Target header: it names the operation, e.g. AWSCognitoIdentityProviderService.ListUserPools",
        )
    })?;
    let target = Target::parse(target)?;
    let limit = app.config.max_body_bytes;
    // A client that sends a request head and then no body must not hold its connection.
    let patience = std::time::Duration::from_secs(app.config.idle_timeout.max(1));
    let read = tokio::time::timeout(patience, axum::body::to_bytes(body, limit))
        .await
        .map_err(|_| {
            ApiError::new(
                ErrorCode::RequestTimeoutException,
                format!(
                    "The request body did not arrive within {} seconds.",
                    patience.as_secs()
                ),
            )
        })?;
    let bytes: Bytes = read.map_err(|e| {
        let too_large = e
            .into_inner()
            .downcast_ref::<http_body_util::LengthLimitError>()
            .is_some();
        if too_large {
            ApiError::new(
                ErrorCode::RequestEntityTooLargeException,
                format!("Request body exceeds the limit of {limit} bytes."),
            )
        } else {
            // The connection ended (or broke) before the body did.
            ApiError::serialization("The request body ended before its declared length.")
        }
    })?;
    let input = protocol::parse_body(&bytes)?;
    target.validate(&input)?;
    service::dispatch(app, ctx, target, input).await
}

fn encode(request_id: &str, result: Result<String, ApiError>) -> Response {
    let mut response = match result {
        Ok(body) => (StatusCode::OK, body).into_response(),
        Err(error) => error_response(&error),
    };
    let headers = response.headers_mut();
    headers.insert("content-type", HeaderValue::from_static(CONTENT_TYPE));
    if let Ok(id) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-requestid", id);
    }
    response
}

/// An AWS-shaped error answered with another status than its code's (403 refusals, 404 and
/// 405 for routes).
pub fn error_response_with_status(status: StatusCode, error: &ApiError) -> Response {
    let mut response = error_response(error);
    *response.status_mut() = status;
    response
}

/// An AWS-shaped error response (every error the HTTP layer answers goes through here).
pub fn error_response(error: &ApiError) -> Response {
    let reply = ErrorReply::new(error);
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::BAD_REQUEST);
    let mut response = (status, reply.body).into_response();
    let headers = response.headers_mut();
    headers.insert("content-type", HeaderValue::from_static(CONTENT_TYPE));
    if let Ok(code) = HeaderValue::from_str(&reply.error_type) {
        headers.insert("x-amzn-errortype", code);
    }
    if let Ok(message) = HeaderValue::from_str(&reply.error_message) {
        headers.insert("x-amzn-errormessage", message);
    }
    response
}
