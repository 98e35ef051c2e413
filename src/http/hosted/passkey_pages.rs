//! `/passkeys/add?<authorize parameters>`: a signed-in user (the pool's hosted session)
//! registers a passkey. GET starts a registration (the options in a JSON script element,
//! `navigator.credentials.create` run by the passkey script on a click); POST completes it
//! with the RegistrationResponseJSON and goes on to `/oauth2/authorize` with the same
//! parameters, which answers the app within the session. An app links here after sign-in.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::oauth::refusal;
use super::{
    authorize_query, blocking, cookie, csrf_ok, csrf_refused, csrf_token, decode_pairs, error_page,
    form_page, html, look_of, redirect, session_cookie_name,
};
use crate::app::App;
use crate::error::ApiError;
use crate::idp::engine::oauth::authorize::{self, Authorization};
use crate::idp::engine::passkey_registration;
use crate::idp::store::UserKey;

/// The request's authorize parameters checked, and the hosted session's user.
fn signed_in(
    app: &App,
    headers: &HeaderMap,
    query: &str,
) -> Result<(Authorization, UserKey), Box<Response>> {
    let request =
        super::check_authorize(app, headers, &decode_pairs(query.as_bytes())).map_err(refusal)?;
    let pool_id = request.pool.read().id().to_string();
    let user = cookie(headers, &session_cookie_name(&pool_id))
        .and_then(|c| authorize::session_user(app, &request.pool, c))
        .map(|(user, _)| user);
    match user {
        Some(user) => Ok((request, user)),
        None => Err(Box::new(error_page(
            StatusCode::UNAUTHORIZED,
            "Sign in first: a passkey is added for the signed-in user.",
        ))),
    }
}

/// Starts a registration and renders its page.
async fn start_page(
    app: &Arc<App>,
    request: Authorization,
    user: UserKey,
    query: &str,
    csrf: &str,
    error: Option<&str>,
) -> Response {
    let look = look_of(&request);
    let username = match request.pool.read().user(user) {
        Ok(u) => u.username.clone(),
        Err(e) => return error_page(StatusCode::UNAUTHORIZED, &e.message),
    };
    let started = blocking(app, move |app| {
        passkey_registration::start(app, &request.pool, user, &request.client_id)
    })
    .await
    .and_then(|r| r);
    let options = match started {
        Ok(options) => options,
        Err(e) if e.status() >= 500 => {
            return error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.message)
        }
        Err(e) => return error_page(StatusCode::BAD_REQUEST, &e.message),
    };
    let query = html::escape(&authorize_query(query));
    let body = format!(
        "<h1>Add a passkey</h1><p class=\"info\" id=\"signedInAs\">Signed in as {user}. A passkey lets you sign in without a password.</p>{error}\
<p id=\"passkeyError\" class=\"errorMessage-customizable\" hidden></p>{data}\
<form name=\"cognitoPasskeyAddForm\" data-passkey=\"create\" method=\"post\" action=\"/passkeys/add?{query}\">{csrf}{credential}\
<button type=\"button\" id=\"passkeyButton\" name=\"passkeyButton\" class=\"submitButton-customizable\">Create a passkey</button></form>\
<p class=\"links\"><a class=\"redirect-customizable\" id=\"skipPasskey\" href=\"/oauth2/authorize?{query}\">Not now</a></p>{script}",
        user = html::escape(&username),
        error = html::error_message(error),
        data = html::json_data("passkeyOptions", &options),
        csrf = html::hidden("_csrf", csrf),
        credential = html::hidden("credential", ""),
        script = html::passkey_script(),
    );
    form_page(app, html::page("Add a passkey", &body, Some(&look)), csrf)
}

/// GET /passkeys/add: the registration page of the hosted session's user.
pub async fn add_form(
    State(app): State<Arc<App>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let query = query.unwrap_or_default();
    let (request, user) = match signed_in(&app, &headers, &query) {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let csrf = csrf_token(&headers);
    start_page(&app, request, user, &query, &csrf, None).await
}

/// POST /passkeys/add: the new passkey's RegistrationResponseJSON; kept, the browser goes
/// on to the app.
pub async fn add(
    State(app): State<Arc<App>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let query = query.unwrap_or_default();
    let (request, user) = match signed_in(&app, &headers, &query) {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let form = decode_pairs(&body);
    if !csrf_ok(&headers, &form) {
        return csrf_refused();
    }
    let csrf = form["_csrf"].clone();
    let credential = form.get("credential").cloned().unwrap_or_default();
    let pool = request.pool.clone();
    let client_id = request.client_id.clone();
    let completed = blocking(&app, move |app| {
        let credential = serde_json::from_str(&credential).map_err(|_| {
            // Text unconfirmed.
            ApiError::invalid_parameter(
                "Invalid WebAuthn credential: not a RegistrationResponseJSON.",
            )
        })?;
        passkey_registration::complete(app, &pool, user, &client_id, &credential)
    })
    .await
    .and_then(|r| r);
    match completed {
        Ok(()) => redirect(&format!("/oauth2/authorize?{}", authorize_query(&query))),
        Err(e) if e.status() >= 500 => error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.message),
        Err(e) => start_page(&app, request, user, &query, &csrf, Some(&e.message)).await,
    }
}
