//! The hosted account pages: sign-up (`/signup`), its confirmation code (`/confirm`), and
//! password recovery (`/forgotPassword`, `/confirmForgotPassword`). Each runs the same
//! operation an app would call (SignUp, ConfirmSignUp, ResendConfirmationCode,
//! ForgotPassword, ConfirmForgotPassword), validated against the model, so rules, messages
//! and error texts are the API's. Codes are read from the emulator's message endpoint.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value};

use super::oauth::refusal;
use super::{
    authorize_query, blocking, csrf_ok, csrf_refused, csrf_token, decode_pairs, form_page, html,
    internal_error, redirect, run_operation, with_param, with_username, View,
};
use crate::app::App;
use crate::error::ApiError;
use crate::generated::cognito_idp::Operation as Op;
use crate::idp::engine::oauth::authorize::{Authorization, Refusal};
use crate::infra::crypto::srp;

/// A page's request: its (checked) authorize parameters, the username it carries, the form.
struct PageRequest {
    authorization: Authorization,
    look: crate::idp::engine::branding::PageLook,
    query: String,
    username: String,
    csrf: String,
}

/// Checks the authorize parameters every page carries; refusals are shown as authorize
/// shows them.
fn page_request(
    app: &App,
    query: Option<String>,
    headers: &HeaderMap,
) -> Result<PageRequest, Refusal> {
    let query = query.unwrap_or_default();
    let params = decode_pairs(query.as_bytes());
    let authorization = super::check_authorize(app, headers, &params)?;
    Ok(PageRequest {
        look: super::look_of(&authorization),
        authorization,
        query: authorize_query(&query),
        username: params.get("username").cloned().unwrap_or_default(),
        csrf: csrf_token(headers),
    })
}

/// Why a posted form is not run.
enum Rejected {
    Authorize(Refusal),
    Csrf,
}

impl Rejected {
    fn response(self) -> Response {
        match self {
            Rejected::Authorize(r) => refusal(r),
            Rejected::Csrf => csrf_refused(),
        }
    }
}

/// A posted page: its checked request and its form, if the form carries the CSRF token.
fn posted(
    app: &App,
    query: Option<String>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(PageRequest, std::collections::BTreeMap<String, String>), Rejected> {
    let request = page_request(app, query, headers).map_err(Rejected::Authorize)?;
    let form = decode_pairs(body);
    if !csrf_ok(headers, &form) {
        return Err(Rejected::Csrf);
    }
    Ok((request, form))
}

/// A page's form, shown for a valid request; `render` makes the page.
fn show(
    app: &App,
    query: Option<String>,
    headers: &HeaderMap,
    render: impl FnOnce(&PageRequest) -> Response,
) -> Response {
    match page_request(app, query, headers) {
        Ok(request) => render(&request),
        Err(r) => refusal(r),
    }
}

fn view<'a>(request: &'a PageRequest, error: Option<&'a str>) -> View<'a> {
    View {
        query: &request.query,
        csrf: &request.csrf,
        error,
        notice: None,
        sign_up: true,
        look: Some(&request.look),
        providers: &[],
        cognito: true,
    }
}

/// Runs an operation for the page's client: ClientId and, for a client with a secret,
/// the SECRET_HASH the page computes for the user (the hosted UI is the client's own).
async fn submit(
    app: &Arc<App>,
    authorization: &Authorization,
    op: Op,
    mut input: Value,
) -> Result<Value, ApiError> {
    let client_id = authorization.client_id.clone();
    let secret = authorization
        .pool
        .read()
        .client(&client_id)?
        .secrets
        .first()
        .map(|s| s.value.clone());
    input["ClientId"] = json!(client_id);
    if let (Some(secret), Some(username)) = (secret, input["Username"].as_str()) {
        input["SecretHash"] = json!(srp::secret_hash(&secret, username, &client_id));
    }
    blocking(app, move |app| run_operation(app, op, input)).await?
}

/// A failed operation: shown on its page again, or an error page for a server error.
fn failed(error: ApiError, page: impl FnOnce(&str) -> String, app: &App, csrf: &str) -> Response {
    if error.status() >= 500 {
        return internal_error(error);
    }
    form_page(app, page(&error.message), csrf)
}

fn sign_up_page(view: &View, username: &str, fields: &[(String, String)]) -> String {
    let attributes: String = fields
        .iter()
        .map(|(name, value)| {
            html::field(name, "text", &format!("requiredAttributes[{name}]"), value)
        })
        .collect();
    let body = format!(
        "<h1>Sign up with a new account</h1>{error}\
<form name=\"cognitoSignUpForm\" method=\"post\" action=\"/signup?{action}\">{csrf}\
{user}{attributes}{password}{terms}<button type=\"submit\" name=\"signUpButton\" class=\"submitButton-customizable\">Sign up</button></form>\
<p class=\"links\">Already have an account? <a class=\"redirect-customizable\" href=\"/login?{action}\">Sign in</a></p>",
        error = html::error_message(view.error),
        action = html::escape(view.query),
        csrf = html::hidden("_csrf", view.csrf),
        user = html::field("Username", "text", "username", username),
        password = html::field("Password", "password", "password", ""),
        terms = html::terms(view.look, "By signing up, you agree to the"),
    );
    html::page("Signup", &body, view.look)
}

/// The attributes the sign-up form asks for: the schema's required ones, and `email` when
/// the pool verifies it (where the confirmation code goes).
fn sign_up_attributes(authorization: &Authorization) -> Vec<String> {
    let pool = authorization.pool.read();
    let mut names = pool.missing_required(|_| false);
    let verifies_email = pool
        .config
        .auto_verified_attributes
        .iter()
        .flatten()
        .any(|a| a.as_str() == "email");
    if verifies_email && !names.iter().any(|n| n == "email") {
        names.insert(0, "email".to_string());
    }
    names
}

/// GET /signup.
pub async fn sign_up_form(
    State(app): State<Arc<App>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    show(&app, query, &headers, |request| {
        let fields: Vec<(String, String)> = sign_up_attributes(&request.authorization)
            .into_iter()
            .map(|n| (n, String::new()))
            .collect();
        form_page(
            &app,
            sign_up_page(&view(request, None), "", &fields),
            &request.csrf,
        )
    })
}

/// POST /signup: SignUp, then the confirmation page (or sign-in, if confirmed at once).
pub async fn sign_up(
    State(app): State<Arc<App>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (request, form) = match posted(&app, query, &headers, &body) {
        Ok(posted) => posted,
        Err(rejected) => return rejected.response(),
    };
    let username = form.get("username").cloned().unwrap_or_default();
    let fields: Vec<(String, String)> = sign_up_attributes(&request.authorization)
        .into_iter()
        .map(|name| {
            let value = form
                .get(&format!("requiredAttributes[{name}]"))
                .cloned()
                .unwrap_or_default();
            (name, value)
        })
        .collect();
    let attributes: Vec<Value> = fields
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| json!({"Name": name, "Value": value}))
        .collect();
    let input = json!({
        "Username": username,
        "Password": form.get("password").cloned().unwrap_or_default(),
        "UserAttributes": attributes,
    });
    match submit(&app, &request.authorization, Op::SignUp, input).await {
        Ok(output) if output["UserConfirmed"] == true => {
            redirect(&with_param("/login", &request.query, "notice", "confirmed"))
        }
        Ok(_) => redirect(&with_username("/confirm", &request.query, &username)),
        Err(error) => failed(
            error,
            |message| sign_up_page(&view(&request, Some(message)), &username, &fields),
            &app,
            &request.csrf,
        ),
    }
}

fn confirm_page(view: &View, username: &str) -> String {
    let body = format!(
        "<h1>Confirm your account</h1>{notice}<p class=\"info\">We have sent a code to confirm your account. \
The emulator keeps it: read it from /_emulator/messages.</p>{error}\
<form name=\"cognitoConfirmForm\" method=\"post\" action=\"/confirm?{action}\">{csrf}{user}{code}\
<button type=\"submit\" name=\"confirm\" class=\"submitButton-customizable\">Confirm account</button></form>\
<form method=\"post\" action=\"/confirm?{action}\">{csrf}{user}{resend}\
<button type=\"submit\" class=\"redirect-customizable\">Resend code</button></form>",
        notice = html::notice(view.notice),
        error = html::error_message(view.error),
        action = html::escape(view.query),
        csrf = html::hidden("_csrf", view.csrf),
        user = html::hidden("username", username),
        code = html::field("Verification Code", "text", "code", ""),
        resend = html::hidden("resend", "1"),
    );
    html::page("Confirm", &body, view.look)
}

/// GET /confirm?...&username=.
pub async fn confirm_form(
    State(app): State<Arc<App>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    show(&app, query, &headers, |request| {
        form_page(
            &app,
            confirm_page(&view(request, None), &request.username),
            &request.csrf,
        )
    })
}

/// POST /confirm: ConfirmSignUp, or ResendConfirmationCode.
pub async fn confirm(
    State(app): State<Arc<App>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (request, form) = match posted(&app, query, &headers, &body) {
        Ok(posted) => posted,
        Err(rejected) => return rejected.response(),
    };
    let username = form.get("username").cloned().unwrap_or_default();
    let resend = form.contains_key("resend");
    let (op, input) = if resend {
        (Op::ResendConfirmationCode, json!({"Username": username}))
    } else {
        let code = form.get("code").cloned().unwrap_or_default();
        (
            Op::ConfirmSignUp,
            json!({"Username": username, "ConfirmationCode": code}),
        )
    };
    match submit(&app, &request.authorization, op, input).await {
        Ok(_) if resend => {
            let view = View {
                notice: Some("A new code is on its way."),
                ..view(&request, None)
            };
            form_page(&app, confirm_page(&view, &username), &request.csrf)
        }
        Ok(_) => redirect(&with_param("/login", &request.query, "notice", "confirmed")),
        Err(error) => failed(
            error,
            |message| confirm_page(&view(&request, Some(message)), &username),
            &app,
            &request.csrf,
        ),
    }
}

fn forgot_password_page(view: &View, username: &str) -> String {
    let body = format!(
        "<h1>Forgot your password?</h1><p class=\"info\">Enter your username below and we will send a message to reset your password.</p>{error}\
<form name=\"cognitoForgotPasswordForm\" method=\"post\" action=\"/forgotPassword?{action}\">{csrf}{user}\
<button type=\"submit\" name=\"reset_my_password\" class=\"submitButton-customizable\">Reset my password</button></form>",
        error = html::error_message(view.error),
        action = html::escape(view.query),
        csrf = html::hidden("_csrf", view.csrf),
        user = html::field("Username", "text", "username", username),
    );
    html::page("Forgot Password", &body, view.look)
}

/// GET /forgotPassword.
pub async fn forgot_password_form(
    State(app): State<Arc<App>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    show(&app, query, &headers, |request| {
        form_page(
            &app,
            forgot_password_page(&view(request, None), ""),
            &request.csrf,
        )
    })
}

/// POST /forgotPassword: ForgotPassword, then the page for the code and new password.
pub async fn forgot_password(
    State(app): State<Arc<App>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (request, form) = match posted(&app, query, &headers, &body) {
        Ok(posted) => posted,
        Err(rejected) => return rejected.response(),
    };
    let username = form.get("username").cloned().unwrap_or_default();
    let input = json!({"Username": username});
    match submit(&app, &request.authorization, Op::ForgotPassword, input).await {
        Ok(_) => redirect(&with_username(
            "/confirmForgotPassword",
            &request.query,
            &username,
        )),
        Err(error) => failed(
            error,
            |message| forgot_password_page(&view(&request, Some(message)), &username),
            &app,
            &request.csrf,
        ),
    }
}

fn confirm_forgot_password_page(view: &View, username: &str) -> String {
    let body = format!(
        "<h1>Reset your password</h1><p class=\"info\">We have sent a password reset code. \
The emulator keeps it: read it from /_emulator/messages.</p>{error}\
<form name=\"cognitoConfirmForgotPasswordForm\" method=\"post\" action=\"/confirmForgotPassword?{action}\">{csrf}{user}{code}{new}{confirm}\
<button type=\"submit\" name=\"reset_password\" class=\"submitButton-customizable\">Change Password</button></form>",
        error = html::error_message(view.error),
        action = html::escape(view.query),
        csrf = html::hidden("_csrf", view.csrf),
        user = html::hidden("username", username),
        code = html::field("Code", "text", "code", ""),
        new = html::field("New Password", "password", "password", ""),
        confirm = html::field("Enter New Password Again", "password", "confirm_password", ""),
    );
    html::page("Reset Password", &body, view.look)
}

/// GET /confirmForgotPassword?...&username=.
pub async fn confirm_forgot_password_form(
    State(app): State<Arc<App>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    show(&app, query, &headers, |request| {
        let page = confirm_forgot_password_page(&view(request, None), &request.username);
        form_page(&app, page, &request.csrf)
    })
}

/// POST /confirmForgotPassword: ConfirmForgotPassword, then sign-in.
pub async fn confirm_forgot_password(
    State(app): State<Arc<App>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (request, form) = match posted(&app, query, &headers, &body) {
        Ok(posted) => posted,
        Err(rejected) => return rejected.response(),
    };
    let username = form.get("username").cloned().unwrap_or_default();
    let page =
        |message: &str| confirm_forgot_password_page(&view(&request, Some(message)), &username);
    let password = form.get("password").cloned().unwrap_or_default();
    if form.get("confirm_password") != Some(&password) {
        return form_page(&app, page("Passwords do not match"), &request.csrf);
    }
    let input = json!({
        "Username": username,
        "ConfirmationCode": form.get("code").cloned().unwrap_or_default(),
        "Password": password,
    });
    match submit(
        &app,
        &request.authorization,
        Op::ConfirmForgotPassword,
        input,
    )
    .await
    {
        Ok(_) => redirect(&with_param(
            "/login",
            &request.query,
            "notice",
            "password_reset",
        )),
        Err(error) => failed(error, page, &app, &request.csrf),
    }
}
