//! The pool's authorization server and hosted pages, served at the emulator's root: the
//! OAuth endpoints (`oauth.rs`: /oauth2/authorize, /oauth2/token, /oauth2/userInfo,
//! /oauth2/revoke, /logout) and the sign-in pages (`pages.rs`, its MFA steps in
//! `mfa_pages.rs`, choice-based sign-in in `choice_pages.rs`), a signed-in user's passkey
//! registration (`passkey_pages.rs`), in HTML from `html.rs`.
//! The logic is in `idp::engine::oauth` and the sign-in state machine; this layer decodes
//! forms, queries and cookies and renders answers.

mod account;
mod choice_pages;
mod federation;
mod html;
mod mfa_pages;
mod oauth;
mod pages;
mod passkey_pages;
mod saml;

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
        .route("/oauth2/idpresponse", get(federation::idp_response))
        .route("/saml2/idpresponse", post(saml::idp_response))
        .route("/{pool_id}/saml2/metadata", get(saml::metadata))
        .route(
            "/standin/{provider}",
            get(federation::stand_in_form).post(federation::stand_in),
        )
        .route("/login", get(pages::login_form).post(pages::login))
        .route(
            "/passkeys/add",
            get(passkey_pages::add_form).post(passkey_pages::add),
        )
        .route("/signup", get(account::sign_up_form).post(account::sign_up))
        .route(
            "/confirm",
            get(account::confirm_form).post(account::confirm),
        )
        .route(
            "/forgotPassword",
            get(account::forgot_password_form).post(account::forgot_password),
        )
        .route(
            "/confirmForgotPassword",
            get(account::confirm_forgot_password_form).post(account::confirm_forgot_password),
        )
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
    // The pages may not be framed (clickjacking) and run no script but the passkey one.
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    headers.insert("content-security-policy", content_security_policy());
    response
}

/// The pages' CSP: no script but [`html::PASSKEY_SCRIPT`], allowed by its SHA-256.
fn content_security_policy() -> HeaderValue {
    static POLICY: std::sync::OnceLock<HeaderValue> = std::sync::OnceLock::new();
    POLICY
        .get_or_init(|| {
            use base64::Engine;
            let hash = base64::engine::general_purpose::STANDARD
                .encode(crate::infra::crypto::webauthn::sha256(html::PASSKEY_SCRIPT.as_bytes()));
            HeaderValue::from_str(&format!(
                "default-src 'none'; script-src 'sha256-{hash}'; style-src 'unsafe-inline'; img-src * data:; form-action 'self' *; frame-ancestors 'none'"
            ))
            .expect("a header value")
        })
        .clone()
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
    service::perform(app, service::on_blocking_pool(move || work(&worker))).await
}

fn internal_error(error: ApiError) -> Response {
    error_page(StatusCode::INTERNAL_SERVER_ERROR, &error.message)
}

/// The anti-forgery cookie; its value must come back in a form's `_csrf`. A page from
/// another site can neither read it nor set it, and SameSite=Lax keeps it off cross-site
/// posts.
const CSRF_COOKIE: &str = "XSRF-TOKEN";

/// The browser's CSRF token, or a new one.
fn csrf_token(headers: &HeaderMap) -> String {
    cookie(headers, CSRF_COOKIE)
        .filter(|c| c.len() >= 32)
        .map(str::to_string)
        .unwrap_or_else(crate::infra::ids::random_token)
}

/// A page carrying a form, with the CSRF cookie its form's token matches.
fn form_page(app: &App, body: String, csrf: &str) -> Response {
    let mut response = html_response(StatusCode::OK, body);
    response.headers_mut().insert(
        axum::http::header::SET_COOKIE,
        set_cookie(app, CSRF_COOKIE, csrf, 3600),
    );
    response
}

/// Whether a posted form carries the browser's CSRF token (compared in constant time).
fn csrf_ok(headers: &HeaderMap, form: &BTreeMap<String, String>) -> bool {
    use subtle::ConstantTimeEq;
    let expected = cookie(headers, CSRF_COOKIE).unwrap_or_default();
    let sent = form.get("_csrf").map(String::as_str).unwrap_or_default();
    expected.len() >= 32 && bool::from(expected.as_bytes().ct_eq(sent.as_bytes()))
}

fn csrf_refused() -> Response {
    error_page(
        StatusCode::FORBIDDEN,
        "Invalid or missing CSRF token: reload the page and try again.",
    )
}

/// Runs a cognito-idp operation for a page, validated against the model as an API request
/// is, with its messages delivered. Call it inside [`blocking`].
fn run_operation(
    app: &App,
    op: crate::generated::cognito_idp::Operation,
    input: serde_json::Value,
) -> ApiResult<serde_json::Value> {
    crate::operation::Target::UserPools(op).validate(&input)?;
    service::call_user_pools(app, op, input, true)
}

/// What a page shows besides its form.
struct View<'a> {
    /// The authorize parameters every page carries on to the next (without page-specific
    /// ones such as `username`).
    query: &'a str,
    csrf: &'a str,
    error: Option<&'a str>,
    notice: Option<&'static str>,
    /// Whether the pool lets users sign themselves up (a link on the sign-in page).
    sign_up: bool,
    /// The client's look: CSS, logo, terms.
    look: Option<&'a crate::idp::engine::branding::PageLook>,
    /// The client's external identity providers (buttons on the sign-in page), and whether
    /// it also offers the pool's own users (`COGNITO`, the form).
    providers: &'a [String],
    cognito: bool,
}

/// The client's supported identity providers: the external ones, and whether COGNITO is one.
fn providers_of(
    request: &crate::idp::engine::oauth::authorize::Authorization,
) -> (Vec<String>, bool) {
    let pool = request.pool.read();
    let supported = pool
        .client(&request.client_id)
        .ok()
        .and_then(|c| c.config.supported_identity_providers.clone())
        .unwrap_or_default();
    // A client that names no provider gets the form (Cognito shows an error page instead;
    // the emulator is lenient so that clients made without OAuth settings still work).
    let cognito = supported.is_empty() || supported.iter().any(|p| p == "COGNITO");
    let external = supported
        .into_iter()
        .filter(|p| p != "COGNITO" && pool.identity_providers.contains_key(p))
        .collect();
    (external, cognito)
}

/// The look of the pages for an authorize request's client.
fn look_of(
    request: &crate::idp::engine::oauth::authorize::Authorization,
) -> crate::idp::engine::branding::PageLook {
    crate::idp::engine::branding::page_look(&request.pool.read(), &request.client_id)
}

/// The authorize parameters of a page's query, without the pages' own (`username`,
/// `notice`).
fn authorize_query(query: &str) -> String {
    let pairs = url::form_urlencoded::parse(query.as_bytes())
        .filter(|(name, _)| name != "username" && name != "notice");
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

fn with_param(path: &str, query: &str, name: &str, value: &str) -> String {
    let extra = url::form_urlencoded::Serializer::new(String::new())
        .append_pair(name, value)
        .finish();
    format!("{path}?{query}&{extra}")
}

fn with_username(path: &str, query: &str, username: &str) -> String {
    with_param(path, query, "username", username)
}

/// Notices a page shows after a redirect, by key: a query never puts text on a page.
fn notice_text(key: &str) -> Option<&'static str> {
    match key {
        "confirmed" => Some("Your account is confirmed. Sign in to continue."),
        "password_reset" => Some("Your password has been reset. Sign in with your new password."),
        _ => None,
    }
}

fn sign_up_allowed(request: &crate::idp::engine::oauth::authorize::Authorization) -> bool {
    let pool = request.pool.read();
    pool.config
        .admin_create_user_config
        .as_ref()
        .and_then(|c| c.allow_admin_create_user_only)
        != Some(true)
}

/// The pool whose hosted-UI domain the request's `Host` names (`<prefix>.auth.<region>.
/// amazoncognito.com` mapped to the emulator, or a custom domain), if it names one.
pub(super) fn domain_pool(app: &App, headers: &HeaderMap) -> Option<String> {
    let host = headers.get(axum::http::header::HOST)?.to_str().ok()?;
    // `localhost`, or a bare prefix, is the emulator's own name, not a pool's domain.
    let name = host.rsplit_once(':').map_or(host, |(name, _)| name);
    if !name.contains('.') {
        return None;
    }
    app.store.pool_of_domain(host)
}

/// An authorize request's parameters, checked; reached through a pool's domain, the client
/// must be that pool's.
fn check_authorize(
    app: &App,
    headers: &HeaderMap,
    params: &BTreeMap<String, String>,
) -> Result<
    crate::idp::engine::oauth::authorize::Authorization,
    crate::idp::engine::oauth::authorize::Refusal,
> {
    let request = crate::idp::engine::oauth::authorize::check(app, params)?;
    if let Some(pool_id) = domain_pool(app, headers) {
        if request.pool.read().id() != pool_id {
            return Err(crate::idp::engine::oauth::authorize::Refusal::Page(
                "Invalid client_id: the app client does not belong to this domain's user pool."
                    .into(),
            ));
        }
    }
    Ok(request)
}
