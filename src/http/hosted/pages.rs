//! The hosted sign-in page (`/login`) and what follows it on the same form: the
//! NEW_PASSWORD_REQUIRED step, and the MFA pages of `mfa_pages.rs`. The forms post back to
//! `/login` with the authorize parameters in the query, like Cognito's classic hosted UI,
//! and use its field names (`username`, `password`), so existing browser tests work.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::choice_pages::{self, ChoicePage};
use super::mfa_pages::{self, MfaPage};
use super::oauth::refusal;
use super::{
    authorize_query, blocking, csrf_ok, csrf_refused, csrf_token, decode_pairs, form_page, html,
    html_response, internal_error, look_of, notice_text, providers_of, redirect,
    session_cookie_name, set_cookie, sign_up_allowed, with_username, View,
};
use crate::app::{App, RequestContext};
use crate::error::ApiError;
use crate::generated::cognito_idp::ChallengeNameType;
use crate::idp::engine::oauth::authorize::{self, Authorization};
use crate::idp::engine::sign_in::{Answer, Api, SignIn, Step};
use crate::service;

/// One button per external provider: authorize again, straight to that provider.
pub(super) fn provider_buttons(view: &View) -> String {
    view.providers
        .iter()
        .map(|provider| {
            let href = super::with_param(
                "/oauth2/authorize",
                view.query,
                "identity_provider",
                provider,
            );
            format!(
                "<p><a class=\"idpButton-customizable\" href=\"{}\">Continue with {}</a></p>",
                html::escape(&href),
                html::escape(provider)
            )
        })
        .collect()
}

fn login_page(view: &View, username: &str) -> String {
    let buttons = provider_buttons(view);
    if !view.cognito {
        let body = format!("<h1>Sign in with your corporate ID</h1>{buttons}");
        return html::page("Signin", &body, view.look);
    }
    let mut links = format!(
        "<a class=\"redirect-customizable\" href=\"/forgotPassword?{}\">Forgot your password?</a>",
        html::escape(view.query)
    );
    if view.sign_up {
        links += &format!(
            "<br>Need an account? <a class=\"redirect-customizable\" href=\"/signup?{}\">Sign up</a>",
            html::escape(view.query)
        );
    }
    let body = format!(
        "{buttons}<h1>Sign in with your username and password</h1>{notice}{error}\
<form name=\"cognitoSignInForm\" method=\"post\" action=\"/login?{action}\">{csrf}\
{user}{password}<button type=\"submit\" name=\"signInSubmitButton\" class=\"submitButton-customizable\">Sign in</button></form>\
<p class=\"links\">{links}</p>",
        notice = html::notice(view.notice),
        error = html::error_message(view.error),
        action = html::escape(view.query),
        csrf = html::hidden("_csrf", view.csrf),
        user = html::field("Username", "text", "username", username),
        password = html::field("Password", "password", "password", ""),
    );
    html::page("Signin", &body, view.look)
}

fn new_password_page(view: &View, username: &str, session: &str, required: &[String]) -> String {
    let attributes: String = required
        .iter()
        .map(|name| html::field(name, "text", &format!("userAttributes.{name}"), ""))
        .collect();
    let body = format!(
        "<h1>Change Password</h1><p class=\"info\">Please enter a new password.</p>{error}\
<form name=\"cognitoNewPasswordForm\" method=\"post\" action=\"/login?{action}\">{csrf}\
{challenge}{session}{user}{attributes}{new}{confirm}\
<button type=\"submit\" name=\"reset_password\" class=\"submitButton-customizable\">Send</button></form>",
        error = html::error_message(view.error),
        action = html::escape(view.query),
        csrf = html::hidden("_csrf", view.csrf),
        challenge = html::hidden("challenge", "NEW_PASSWORD_REQUIRED"),
        session = html::hidden("session", session),
        user = html::hidden("username", username),
        new = html::field("New Password", "password", "new_password", ""),
        confirm = html::field("Enter New Password Again", "password", "confirm_password", ""),
    );
    html::page("Change Password", &body, view.look)
}

/// GET /login: the sign-in form for a valid authorize request.
pub async fn login_form(
    State(app): State<Arc<App>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let query = query.unwrap_or_default();
    let request = match super::check_authorize(&app, &headers, &decode_pairs(query.as_bytes())) {
        Ok(request) => request,
        Err(r) => return refusal(r),
    };
    let csrf = csrf_token(&headers);
    let notice = decode_pairs(query.as_bytes()).get("notice").cloned();
    let look = look_of(&request);
    let (providers, cognito) = providers_of(&request);
    let view = View {
        query: &authorize_query(&query),
        csrf: &csrf,
        error: None,
        notice: notice.as_deref().and_then(notice_text),
        sign_up: sign_up_allowed(&request),
        look: Some(&look),
        providers: &providers,
        cognito,
    };
    let page = if cognito && choice_pages::enabled(&request) {
        choice_pages::username_page(&view, "")
    } else {
        login_page(&view, "")
    };
    form_page(&app, page, &csrf)
}

/// What the sign-in state machine made of a form.
enum Outcome {
    SignedIn {
        location: String,
        session: String,
    },
    NewPassword {
        username: String,
        session: String,
        required: Vec<String>,
    },
    Mfa(MfaPage),
    Choice(ChoicePage),
    Failed(ApiError),
}

/// The page a failed form shows again.
enum Retry {
    SignIn,
    NewPassword {
        session: String,
        required: Vec<String>,
    },
    Mfa(BTreeMap<String, String>),
    Choice(BTreeMap<String, String>),
}

/// POST /login: the username and password, or the new password of a NEW_PASSWORD_REQUIRED
/// step; signed in, the browser gets a hosted session and goes back to the app.
pub async fn login(
    State(app): State<Arc<App>>,
    peer: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let query = query.unwrap_or_default();
    let request = match super::check_authorize(&app, &headers, &decode_pairs(query.as_bytes())) {
        Ok(request) => request,
        Err(r) => return refusal(r),
    };
    let form = decode_pairs(&body);
    if !csrf_ok(&headers, &form) {
        return csrf_refused();
    }
    let csrf = form["_csrf"].clone();
    let sign_up = sign_up_allowed(&request);
    let look = look_of(&request);
    let (providers, cognito) = providers_of(&request);
    let pool_id = request.pool.read().id().to_string();
    let issuer = {
        let pool = request.pool.read();
        pool.config.name.clone().unwrap_or_else(|| pool_id.clone())
    };
    let username = form.get("username").cloned().unwrap_or_default();
    // A failed challenge answer shows its form again, with the same session.
    let retry = match form
        .get("challenge")
        .map(String::as_str)
        .unwrap_or_default()
    {
        "NEW_PASSWORD_REQUIRED" => Retry::NewPassword {
            session: form.get("session").cloned().unwrap_or_default(),
            required: form
                .keys()
                .filter_map(|k| k.strip_prefix("userAttributes.").map(str::to_string))
                .collect(),
        },
        challenge if mfa_pages::answers(challenge) => Retry::Mfa(form.clone()),
        challenge if choice_pages::answers(challenge) => Retry::Choice(form.clone()),
        _ => Retry::SignIn,
    };
    let source = crate::idp::engine::risk::Source {
        ip: peer.map(|p| p.0 .0.ip().to_canonical()),
        user_agent: headers
            .get("user-agent")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    };
    let outcome = blocking(&app, move |app| sign_in(app, request, form, source)).await;
    let view = View {
        query: &authorize_query(&query),
        csrf: &csrf,
        error: None,
        notice: None,
        sign_up,
        look: Some(&look),
        providers: &providers,
        cognito,
    };
    match outcome {
        Ok(Outcome::SignedIn { location, session }) => {
            let mut response = redirect(&location);
            response.headers_mut().insert(
                SET_COOKIE,
                set_cookie(
                    &app,
                    &session_cookie_name(&pool_id),
                    &session,
                    authorize::SESSION_LIFETIME as i64,
                ),
            );
            response
        }
        Ok(Outcome::NewPassword {
            username,
            session,
            required,
        }) => html_response(
            StatusCode::OK,
            new_password_page(&view, &username, &session, &required),
        ),
        Ok(Outcome::Mfa(page)) => {
            html_response(StatusCode::OK, mfa_pages::render(&view, &page, &issuer))
        }
        Ok(Outcome::Choice(page)) => {
            html_response(StatusCode::OK, choice_pages::render(&view, &page))
        }
        Ok(Outcome::Failed(error)) if error.status() >= 500 => internal_error(error),
        // Cognito sends an unconfirmed user to the confirmation page (a code is on its way
        // only if they ask for one again).
        Ok(Outcome::Failed(error))
            if error.code == crate::error::ErrorCode::UserNotConfirmedException =>
        {
            redirect(&with_username("/confirm", view.query, &username))
        }
        Ok(Outcome::Failed(error)) => {
            let view = View {
                error: Some(&error.message),
                ..view
            };
            let page = match retry {
                Retry::NewPassword { session, required } => {
                    new_password_page(&view, &username, &session, &required)
                }
                // A sign-in whose session is over starts again.
                Retry::Mfa(form) => match mfa_pages::retry_page(&form, &error) {
                    Some(page) => mfa_pages::render(&view, &page, &issuer),
                    None => login_page(&view, ""),
                },
                Retry::Choice(form) => match choice_pages::retry_page(&form, &error) {
                    Some(page) => choice_pages::render(&view, &page),
                    None => choice_pages::username_page(&view, username.trim()),
                },
                Retry::SignIn => login_page(&view, &username),
            };
            html_response(StatusCode::OK, page)
        }
        Err(error) => internal_error(error),
    }
}

/// Runs the form through the sign-in state machine (on the blocking pool).
fn sign_in(
    app: &App,
    request: Authorization,
    form: BTreeMap<String, String>,
    source: crate::idp::engine::risk::Source,
) -> Outcome {
    let mut ctx = RequestContext::new(app.region());
    ctx.caller.client_id = Some(request.client_id.clone());
    let outcome = sign_in_with(app, &ctx, request, form, source);
    if !matches!(outcome, Outcome::Failed(_)) {
        if let Err(error) = service::deliver_messages(app, &ctx) {
            return Outcome::Failed(error);
        }
    }
    outcome
}

fn sign_in_with(
    app: &App,
    ctx: &RequestContext,
    request: Authorization,
    form: BTreeMap<String, String>,
    source: crate::idp::engine::risk::Source,
) -> Outcome {
    let get = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    let mut sign_in = match SignIn::new(app, ctx, &request.pool, &request.client_id, Api::Hosted) {
        Ok(sign_in) => sign_in,
        Err(error) => return Outcome::Failed(error),
    };
    sign_in.source = source;
    let step = if choice_pages::answers(get("challenge")) {
        choice_pages::answer(&sign_in, &form)
    } else if mfa_pages::answers(get("challenge")) {
        mfa_pages::answer(app, &sign_in, &form)
    } else if get("challenge") == "NEW_PASSWORD_REQUIRED" {
        if get("new_password") != get("confirm_password") {
            return Outcome::Failed(ApiError::invalid_parameter("Passwords do not match"));
        }
        let mut responses = BTreeMap::from([
            ("USERNAME".to_string(), get("username").to_string()),
            ("NEW_PASSWORD".to_string(), get("new_password").to_string()),
        ]);
        for (name, value) in &form {
            if name.starts_with("userAttributes.") && !value.is_empty() {
                responses.insert(name.clone(), value.clone());
            }
        }
        let answer = Answer {
            session: form.get("session").map(String::as_str),
            responses: &responses,
        };
        sign_in.respond(ChallengeNameType::NewPasswordRequired, &answer)
    } else {
        sign_in.hosted_password(get("username"), get("password"))
    };
    let step: Step = match step {
        Ok(step) => step,
        Err(error) => return Outcome::Failed(error),
    };
    if let Some(user) = sign_in.signed_in_user() {
        let signed_in =
            authorize::start_session(app, &request.pool, user).and_then(|(session, auth_time)| {
                let location = authorize::answer(app, &request, user, auth_time)?;
                Ok(Outcome::SignedIn { location, session })
            });
        return match signed_in {
            Ok(outcome) => outcome,
            Err(error) => Outcome::Failed(error),
        };
    }
    match step.challenge_name {
        Some(ChallengeNameType::NewPasswordRequired) => {
            let parameters = step.challenge_parameters.unwrap_or_default();
            let required: Vec<String> = parameters
                .get("requiredAttributes")
                .and_then(|r| serde_json::from_str::<Vec<String>>(r).ok())
                .unwrap_or_default()
                .into_iter()
                .map(|name| name.trim_start_matches("userAttributes.").to_string())
                .collect();
            Outcome::NewPassword {
                username: parameters
                    .get("USER_ID_FOR_SRP")
                    .cloned()
                    .unwrap_or_default(),
                session: step.session.unwrap_or_default(),
                required,
            }
        }
        _ => match choice_pages::page_of(&step, get("username")) {
            Some(page) => Outcome::Choice(page),
            None => mfa_page(app, step, get("username")),
        },
    }
}

fn mfa_page(app: &App, step: Step, username: &str) -> Outcome {
    let other = step.challenge_name;
    match mfa_pages::page_of(app, step, username) {
        Ok(Some(page)) => Outcome::Mfa(page),
        Ok(None) => Outcome::Failed(not_implemented(other)),
        Err(error) => Outcome::Failed(error),
    }
}

fn not_implemented(challenge: Option<ChallengeNameType>) -> ApiError {
    ApiError::new(
        crate::error::ErrorCode::NotImplementedException,
        format!(
            "The {} challenge is not implemented in the hosted UI of cognito-emulator yet.",
            challenge.map(|c| c.as_str()).unwrap_or("unknown")
        ),
    )
}
