//! The pool's authorization server and hosted pages, served at the emulator's root: the
//! OAuth endpoints (`oauth.rs`: /oauth2/authorize, /oauth2/token, /oauth2/userInfo,
//! /oauth2/revoke, /logout) and the sign-in pages (`pages.rs`), in HTML from `html.rs`.
//! The logic is in `idp::engine::oauth` and the sign-in state machine; this layer decodes
//! forms, queries and cookies and renders answers.

mod html;
mod oauth;
mod pages;

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::app::App;
use crate::error::{ApiError, ApiResult};
use crate::service;

/// Routes under the CORS layer: single-page apps call the token, userInfo and revocation
/// endpoints cross-origin, as they may with Cognito.
pub fn api_router() -> Router<Arc<App>> {
    Router::new()
        .route("/oauth2/token", post(oauth::token))
        .route(
            "/oauth2/userInfo",
            get(oauth::user_info).post(oauth::user_info),
        )
        .route("/oauth2/revoke", post(oauth::revoke))
}

/// Routes a browser navigates to (no CORS: pages are not read cross-origin).
pub fn page_router() -> Router<Arc<App>> {
    Router::new()
        .route("/oauth2/authorize", get(oauth::authorize))
        .route("/logout", get(oauth::logout))
        .route("/login", get(pages::login_form).post(pages::login))
}

/// A form body or query string as a map (a repeated name keeps its first value).
fn decode_pairs(encoded: &[u8]) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for (name, value) in url::form_urlencoded::parse(encoded) {
        map.entry(name.into_owned())
            .or_insert_with(|| value.into_owned());
    }
    map
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
}

/// The hosted-UI session cookie of one pool (one emulator host serves every pool).
fn session_cookie_name(pool_id: &str) -> String {
    format!("cognito_{pool_id}")
}

fn set_cookie(app: &App, name: &str, value: &str, max_age: i64) -> HeaderValue {
    let secure = if app.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}"
    ))
    .expect("cookie names and values are URL-safe")
}

fn redirect(location: &str) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}

fn html_response(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html;charset=UTF-8"),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // The pages may not be framed (clickjacking) and run no script.
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    headers.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; img-src * data:; form-action 'self' *; frame-ancestors 'none'",
        ),
    );
    response
}

fn error_page(status: StatusCode, message: &str) -> Response {
    let body = format!(
        "<h1>An error was encountered with the requested page.</h1>{}",
        html::error_message(Some(message))
    );
    html_response(status, html::page("Error", &body, None))
}

/// Runs work that signs tokens or hashes passwords on the blocking pool, and waits for its
/// changes to be durable before answering.
async fn blocking<T: Send + 'static>(
    app: &Arc<App>,
    work: impl FnOnce(&App) -> T + Send + 'static,
) -> ApiResult<T> {
    let worker = app.clone();
    service::perform(app, async move {
        tokio::task::spawn_blocking(move || work(&worker))
            .await
            .map_err(|e| ApiError::internal(e.to_string()))
    })
    .await
}

fn internal_error(error: ApiError) -> Response {
    error_page(StatusCode::INTERNAL_SERVER_ERROR, &error.message)
}
