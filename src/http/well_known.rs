//! `/{poolId}/.well-known/jwks.json` and `/{poolId}/.well-known/openid-configuration`: what
//! token verifiers and OIDC clients discover from a token's issuer. The same paths answer
//! when the emulator is reached under the AWS issuer's host name. Identity pools' OpenID
//! tokens have theirs under `/cognito-identity/.well-known/` (`jwks_uri`, as AWS names it).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::app::App;
use crate::error::{ApiError, ErrorCode};
use crate::http::aws_json::{error_response, error_response_with_status};
use crate::idp::engine::tokens::pool_keys;
use crate::service;

pub fn router() -> Router<Arc<App>> {
    Router::new()
        .route("/{pool_id}/.well-known/jwks.json", get(jwks))
        .route(
            "/{pool_id}/.well-known/openid-configuration",
            get(openid_configuration),
        )
        // The identity pools' OpenID issuer (no user pool id is `cognito-identity`: it has no `_`).
        .route("/cognito-identity/.well-known/jwks_uri", get(identity_jwks))
        .route(
            "/cognito-identity/.well-known/jwks.json",
            get(identity_jwks),
        )
        .route(
            "/cognito-identity/.well-known/openid-configuration",
            get(identity_openid_configuration),
        )
}

/// The key of identity pools' OpenID tokens (made, and written with --data-dir, on first need).
async fn identity_jwks(State(app): State<Arc<App>>) -> Response {
    let worker = app.clone();
    let jwks = service::perform(&app, async move {
        tokio::task::spawn_blocking(move || Ok(crate::identity::engine::openid::jwks(&worker)))
            .await
            .map_err(|e| ApiError::internal(e.to_string()))?
    })
    .await;
    match jwks {
        Ok(jwks) => Json(jwks).into_response(),
        Err(error) => error_response(&error),
    }
}

async fn identity_openid_configuration(State(app): State<Arc<App>>) -> Response {
    Json(crate::identity::engine::openid::discovery(&app)).into_response()
}

/// The AWS-shaped error, with 404 for an unknown pool (these are plain GETs, not API calls).
fn not_found(error: ApiError) -> Response {
    if error.code == ErrorCode::ResourceNotFoundException {
        error_response_with_status(StatusCode::NOT_FOUND, &error)
    } else {
        error_response(&error)
    }
}

async fn jwks(State(app): State<Arc<App>>, Path(pool_id): Path<String>) -> Response {
    // The first request may have to wait for key generation: off the async threads. New
    // keys are written to disk (with --data-dir) before they are shown.
    let worker = app.clone();
    let keys = service::perform(&app, async move {
        tokio::task::spawn_blocking(move || {
            let pool = worker.store.pool(&pool_id)?;
            Ok(pool_keys(&worker, &pool))
        })
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?
    })
    .await;
    let keys = match keys {
        Ok(keys) => keys,
        Err(error) => return not_found(error),
    };
    Json(json!({"keys": [keys.id.jwk(), keys.access.jwk()]})).into_response()
}

async fn openid_configuration(
    State(app): State<Arc<App>>,
    Path(pool_id): Path<String>,
    headers: axum::http::HeaderMap,
) -> Response {
    if let Err(error) = app.store.pool(&pool_id) {
        return not_found(error);
    }
    // Reached through the pool's own domain (its AWS host name mapped to the emulator, or a
    // custom domain), the endpoints are on that host, as Cognito lists them.
    let base = match super::hosted::domain_pool(&app, &headers) {
        Some(owner) if owner == pool_id => {
            let scheme = app.public_url.split("://").next().unwrap_or("http");
            let host = headers[axum::http::header::HOST]
                .to_str()
                .unwrap_or_default();
            format!("{scheme}://{host}")
        }
        _ => app.public_url.clone(),
    };
    let base = &base;
    Json(json!({
        "authorization_endpoint": format!("{base}/oauth2/authorize"),
        "end_session_endpoint": format!("{base}/logout"),
        "id_token_signing_alg_values_supported": ["RS256"],
        "issuer": app.issuer(&pool_id),
        "jwks_uri": format!("{base}/{pool_id}/.well-known/jwks.json"),
        "response_types_supported": ["code", "token"],
        "revocation_endpoint": format!("{base}/oauth2/revoke"),
        "scopes_supported": ["openid", "email", "phone", "profile"],
        "subject_types_supported": ["public"],
        "token_endpoint": format!("{base}/oauth2/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "userinfo_endpoint": format!("{base}/oauth2/userInfo"),
    }))
    .into_response()
}
