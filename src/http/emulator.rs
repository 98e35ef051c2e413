//! The emulator's own endpoints, under `/_emulator` (documented in the README).

use std::sync::Arc;

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::aws_json::{error_response, error_response_with_status};
use crate::app::App;
use crate::error::{ApiError, ErrorCode};
use crate::idp::engine::branding;

pub fn router() -> Router<Arc<App>> {
    Router::new()
        .route("/health", get(health))
        .route("/messages", get(list_messages).delete(clear_messages))
        .route(
            "/lambda-invocations",
            get(list_invocations).delete(clear_invocations),
        )
        .route("/reset", post(reset))
        .route("/clock", get(clock).post(advance_clock))
        .route("/ui-image/{pool_id}/{key}", get(ui_image))
        .route(
            "/feedback-tokens/{pool_id}/{username}",
            get(feedback_tokens),
        )
        .route("/credentials/{access_key_id}", get(credentials))
        .route("/user-import/{pool_id}/{job_id}", put(upload_import_file))
}

/// A user import job's PreSignedUrl: a PUT of the CSV file, answered as S3 answers one (200,
/// an ETag, no body). The `X-Amz-Signature` must be the job's; the file at most 100 MB.
async fn upload_import_file(
    State(app): State<Arc<App>>,
    Path((pool_id, job_id)): Path<(String, String)>,
    Query(query): Query<std::collections::HashMap<String, String>>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> Response {
    use crate::idp::engine::user_import::{self, UploadRefusal, MAX_FILE_BYTES};
    let too_large = || {
        error_response_with_status(
            StatusCode::PAYLOAD_TOO_LARGE,
            &ApiError::invalid_parameter(format!(
                "A user import file may have at most {MAX_FILE_BYTES} bytes."
            )),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_FILE_BYTES as u64) {
        return too_large();
    }
    let Ok(file) = axum::body::to_bytes(body, MAX_FILE_BYTES).await else {
        return too_large();
    };
    let token = query.get("X-Amz-Signature").cloned();
    let stored = crate::service::on_blocking_pool(move || {
        user_import::store_upload(&app, &pool_id, &job_id, token.as_deref(), file.to_vec())
    })
    .await;
    match stored {
        Ok(Ok(etag)) => (StatusCode::OK, [(header::ETAG, etag)]).into_response(),
        Ok(Err(UploadRefusal::NotFound(e))) => {
            error_response_with_status(StatusCode::NOT_FOUND, &e)
        }
        Ok(Err(UploadRefusal::Denied(e))) => error_response_with_status(StatusCode::FORBIDDEN, &e),
        Ok(Err(UploadRefusal::Closed(e))) => error_response_with_status(StatusCode::CONFLICT, &e),
        Err(e) => error_response(&e),
    }
}

/// What a set of credentials from GetCredentialsForIdentity stands for: identity, pool,
/// role, principal tags, logins, expiry.
async fn credentials(State(app): State<Arc<App>>, Path(access_key_id): Path<String>) -> Response {
    match app.identity.issued(&access_key_id) {
        Some(issued) => Json(issued).into_response(),
        None => error_response_with_status(
            StatusCode::NOT_FOUND,
            &ApiError::new(
                ErrorCode::ResourceNotFoundException,
                format!("No credentials with AccessKeyId {access_key_id} were issued."),
            ),
        ),
    }
}

/// The feedback tokens of a user's events (Cognito mails them in its risk notifications):
/// what UpdateAuthEventFeedback needs.
async fn feedback_tokens(
    State(app): State<Arc<App>>,
    Path((pool_id, username)): Path<(String, String)>,
) -> Response {
    match crate::idp::engine::auth_events::feedback_tokens(&app, &pool_id, &username) {
        Ok(tokens) => {
            let events: Vec<Value> = tokens
                .into_iter()
                .map(|(id, token)| json!({"eventId": id, "feedbackToken": token}))
                .collect();
            Json(json!({ "events": events })).into_response()
        }
        Err(error) => error_response_with_status(StatusCode::NOT_FOUND, &error),
    }
}

async fn health(State(app): State<Arc<App>>) -> Json<Value> {
    Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "region": app.region(),
        "publicUrl": app.public_url,
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MessageFilter {
    user_pool_id: Option<String>,
    username: Option<String>,
}

/// An extractor's refusal (a malformed query or body), as an AWS-shaped error.
fn malformed(rejection: impl std::fmt::Display) -> Response {
    error_response(&ApiError::serialization(rejection.to_string()))
}

async fn list_messages(
    State(app): State<Arc<App>>,
    filter: Result<Query<MessageFilter>, QueryRejection>,
) -> Response {
    let Query(filter) = match filter {
        Ok(filter) => filter,
        Err(rejection) => return malformed(rejection),
    };
    let messages = app
        .messages
        .list(filter.user_pool_id.as_deref(), filter.username.as_deref());
    Json(json!({ "messages": messages })).into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InvocationFilter {
    user_pool_id: Option<String>,
    trigger_source: Option<String>,
}

/// Every Lambda trigger invocation (function, trigger source, event, answer, duration, error),
/// oldest first.
async fn list_invocations(
    State(app): State<Arc<App>>,
    filter: Result<Query<InvocationFilter>, QueryRejection>,
) -> Response {
    let Query(filter) = match filter {
        Ok(filter) => filter,
        Err(rejection) => return malformed(rejection),
    };
    let invocations = app.lambda.list(
        filter.user_pool_id.as_deref(),
        filter.trigger_source.as_deref(),
    );
    Json(json!({ "invocations": invocations })).into_response()
}

async fn clear_invocations(State(app): State<Arc<App>>) -> Json<Value> {
    app.lambda.clear();
    Json(json!({}))
}

async fn clear_messages(State(app): State<Arc<App>>) -> Json<Value> {
    app.messages.clear();
    Json(json!({}))
}

async fn reset(State(app): State<Arc<App>>) -> Json<Value> {
    app.reset();
    Json(json!({}))
}

async fn clock(State(app): State<Arc<App>>) -> Json<Value> {
    Json(json!({
        "now": app.clock.now(),
        "offsetSeconds": app.clock.offset_seconds(),
        "frozen": app.clock.frozen(),
    }))
}

#[derive(Deserialize)]
struct Advance {
    #[serde(default)]
    seconds: f64,
    frozen: Option<bool>,
}

/// Moves the emulator's clock forward by `seconds` (codes, sessions and tokens then expire),
/// after stopping it (`"frozen": true`) or letting it run again (`false`).
async fn advance_clock(
    State(app): State<Arc<App>>,
    advance: Result<Json<Advance>, JsonRejection>,
) -> Response {
    let Json(advance) = match advance {
        Ok(advance) => advance,
        Err(rejection) => return malformed(rejection),
    };
    if let Some(frozen) = advance.frozen {
        app.clock.freeze(frozen);
    }
    app.clock.advance(advance.seconds);
    clock(State(app)).await.into_response()
}

/// A logo set with SetUICustomization (GetUICustomization's `ImageUrl`), by pool and by app
/// client id or `ALL`.
async fn ui_image(
    State(app): State<Arc<App>>,
    Path((pool_id, key)): Path<(String, String)>,
) -> Response {
    let not_found = |message: String| {
        error_response_with_status(
            StatusCode::NOT_FOUND,
            &ApiError::new(ErrorCode::ResourceNotFoundException, message),
        )
    };
    match branding::ui_image(&app, &pool_id, &key) {
        Ok(Some((content_type, bytes))) => (
            [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, "no-cache".to_string()),
            ],
            bytes,
        )
            .into_response(),
        Ok(None) => not_found(format!("No image is set for {key} in {pool_id}.")),
        Err(error) => not_found(error.message),
    }
}
