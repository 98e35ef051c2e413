//! /oauth2/authorize, /oauth2/token, /oauth2/userInfo, /oauth2/revoke and /logout.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::header::{
    AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, SET_COOKIE, WWW_AUTHENTICATE,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::{
    blocking, cookie, decode_pairs, error_page, internal_error, redirect, session_cookie_name,
    set_cookie,
};
use crate::app::App;
use crate::idp::engine::oauth::authorize::{self, Refusal};
use crate::idp::engine::oauth::{self as engine, ClientCredentials, OAuthError};
use crate::idp::engine::sessions;

fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn oauth_error(error: &OAuthError) -> Response {
    let mut body = json!({"error": error.error});
    if let Some(description) = &error.description {
        body["error_description"] = json!(description);
    }
    let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::BAD_REQUEST);
    json_response(status, &body)
}

pub fn refusal(refusal: Refusal) -> Response {
    match refusal {
        Refusal::Page(message) => error_page(StatusCode::BAD_REQUEST, &message),
        Refusal::Redirect(location) => redirect(&location),
    }
}

/// GET /oauth2/authorize: within a hosted session, the answer at once; otherwise the
/// sign-in page, with the same parameters.
pub async fn authorize(
    State(app): State<Arc<App>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let query = query.unwrap_or_default();
    let params = decode_pairs(query.as_bytes());
    let request = match super::check_authorize(&app, &headers, &params) {
        Ok(request) => request,
        Err(r) => return refusal(r),
    };
    if let Some(provider) = request.identity_provider.clone() {
        return super::federation::start(&app, request, &query, &provider).await;
    }
    let pool_id = request.pool.read().id().to_string();
    let session = cookie(&headers, &session_cookie_name(&pool_id))
        .filter(|_| !request.prompt_login)
        .and_then(|c| authorize::session_user(&app, &request.pool, c))
        .filter(|(_, at)| sessions::sso_reusable(&app, &request.pool, &request.client_id, *at));
    let Some((user, auth_time)) = session else {
        return redirect(&format!("/login?{query}"));
    };
    match blocking(&app, move |app| {
        authorize::answer(app, &request, user, auth_time)
    })
    .await
    {
        Ok(Ok(location)) => redirect(&location),
        Ok(Err(error)) | Err(error) => internal_error(error),
    }
}

/// A form body; the token and revocation endpoints take nothing else.
fn form_of(
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<std::collections::BTreeMap<String, String>, OAuthError> {
    let is_form = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(OAuthError::invalid_request(
            "Content-Type must be application/x-www-form-urlencoded",
        ));
    }
    Ok(decode_pairs(body))
}

fn credentials(
    headers: &HeaderMap,
    form: &std::collections::BTreeMap<String, String>,
) -> Result<ClientCredentials, OAuthError> {
    let basic = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok());
    ClientCredentials::from_request(basic, form)
}

/// POST /oauth2/token.
pub async fn token(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    let request =
        form_of(&headers, &body).and_then(|form| Ok((credentials(&headers, &form)?, form)));
    let (credentials, form) = match request {
        Ok(request) => request,
        Err(error) => return oauth_error(&error),
    };
    match blocking(&app, move |app| {
        engine::token::token(app, &credentials, &form)
    })
    .await
    {
        Ok(Ok(body)) => json_response(StatusCode::OK, &body),
        Ok(Err(error)) => oauth_error(&error),
        Err(error) => oauth_error(&OAuthError::new(500, "server_error", error.message)),
    }
}

/// GET or POST /oauth2/userInfo with a bearer access token.
pub async fn user_info(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let bearer = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim);
    match engine::userinfo::user_info(&app, bearer) {
        Ok(claims) => json_response(StatusCode::OK, &claims),
        Err(error) => {
            let mut response = oauth_error(&error);
            let challenge = format!(
                "Bearer error=\"{}\", error_description=\"{}\"",
                error.error,
                error.description.as_deref().unwrap_or_default()
            );
            if let Ok(value) = HeaderValue::from_str(&challenge) {
                response.headers_mut().insert(WWW_AUTHENTICATE, value);
            }
            response
        }
    }
}

/// POST /oauth2/revoke: 200 with an empty body, also for unknown tokens.
pub async fn revoke(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    let request =
        form_of(&headers, &body).and_then(|form| Ok((credentials(&headers, &form)?, form)));
    let (credentials, form) = match request {
        Ok(request) => request,
        Err(error) => return oauth_error(&error),
    };
    let revoked = crate::service::perform(&app, async {
        Ok(engine::revoke(&app, &credentials, &form))
    })
    .await;
    match revoked {
        Ok(Ok(())) => StatusCode::OK.into_response(),
        Ok(Err(error)) => oauth_error(&error),
        Err(error) => oauth_error(&OAuthError::new(500, "server_error", error.message)),
    }
}

/// GET /logout: ends the hosted session, then goes to `logout_uri` (one of the client's
/// sign-out URLs) or, with `redirect_uri` and `response_type`, back to the sign-in page.
pub async fn logout(
    State(app): State<Arc<App>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let query = query.unwrap_or_default();
    let params = decode_pairs(query.as_bytes());
    let Some(client_id) = params.get("client_id") else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Required parameter client_id is missing.",
        );
    };
    let Ok(pool) = app.store.pool_for_client(client_id) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Invalid client_id: no such app client.",
        );
    };
    let (pool_id, logout_urls) = {
        let guard = pool.read();
        let urls = guard
            .client(client_id)
            .ok()
            .and_then(|c| c.config.logout_urls.clone())
            .unwrap_or_default();
        (guard.id().to_string(), urls)
    };
    let location = if let Some(logout_uri) = params.get("logout_uri") {
        if !logout_urls.iter().any(|u| u == logout_uri) {
            return error_page(
                StatusCode::BAD_REQUEST,
                "logout_uri is not one of the app client's sign-out URLs.",
            );
        }
        logout_uri.clone()
    } else if params.contains_key("redirect_uri") && params.contains_key("response_type") {
        // Signs in again: the sign-in page checks the parameters.
        format!("/login?{query}")
    } else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "logout_uri, or redirect_uri with response_type, is required.",
        );
    };
    let name = session_cookie_name(&pool_id);
    if let Some(session) = cookie(&headers, &name) {
        authorize::end_session(&pool, session);
    }
    let mut response = redirect(&location);
    response
        .headers_mut()
        .insert(SET_COOKIE, set_cookie(&app, &name, "", 0));
    response
}
