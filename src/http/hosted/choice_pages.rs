//! Choice-based sign-in (USER_AUTH) on the hosted pages, like Cognito's managed login: for
//! an app client with ALLOW_USER_AUTH in a pool whose first factors are more than PASSWORD,
//! the sign-in page asks for the username only; then the methods this user can use
//! (SELECT_CHALLENGE's AvailableChallenges): a password, a code by e-mail or SMS (the code
//! pages of `mfa_pages.rs`), a passkey (a page that runs `navigator.credentials.get`). The
//! forms post back to `/login`, with the step in a hidden `challenge` field:
//! - `USER_AUTH`: the username (InitiateAuth USER_AUTH);
//! - `PASSWORD`: the password (USER_AUTH with PREFERRED_CHALLENGE PASSWORD: MFA may follow);
//! - `SELECT_CHALLENGE`: a method chosen (`method`), with the choice's Session;
//! - `WEB_AUTHN`: the passkey's AuthenticationResponseJSON (`credential`) and the Session.

use std::collections::BTreeMap;

use super::{html, View};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::generated::cognito_idp::{AuthFactorType, AuthFlowType, ChallengeNameType};
use crate::idp::engine::oauth::authorize::Authorization;
use crate::idp::engine::sign_in::{Answer, SignIn, Step};
use crate::idp::engine::{feature_plans, passkeys};

/// A page of choice-based sign-in.
pub(super) enum ChoicePage {
    /// The methods to choose from (`PASSWORD`, `WEB_AUTHN`, `EMAIL_OTP`, `SMS_OTP`).
    Choose {
        username: String,
        session: String,
        methods: Vec<String>,
    },
    /// The passkey page: the WEB_AUTHN challenge's CREDENTIAL_REQUEST_OPTIONS.
    Passkey {
        username: String,
        session: String,
        options: serde_json::Value,
    },
}

/// Whether the sign-in pages of an authorize request's client are choice-based.
pub(super) fn enabled(request: &Authorization) -> bool {
    let pool = request.pool.read();
    let user_auth = pool.client(&request.client_id).is_ok_and(|c| {
        c.config.explicit_auth_flows.as_ref().is_some_and(|f| {
            f.contains(&crate::generated::cognito_idp::ExplicitAuthFlowsType::AllowUserAuth)
        })
    });
    user_auth
        && feature_plans::check_user_auth(&pool).is_ok()
        && passkeys::allowed_first_factors(&pool)
            .iter()
            .any(|f| *f != AuthFactorType::Password)
}

/// Whether a form's `challenge` is one of these pages'.
pub(super) fn answers(challenge: &str) -> bool {
    ["USER_AUTH", "PASSWORD", "SELECT_CHALLENGE", "WEB_AUTHN"].contains(&challenge)
}

/// Runs a form of these pages (its `challenge` is one of [`answers`]).
pub(super) fn answer(sign_in: &SignIn, form: &BTreeMap<String, String>) -> ApiResult<Step> {
    let get = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    let username = get("username").trim().to_string();
    let mut params = BTreeMap::from([("USERNAME".to_string(), username.clone())]);
    let respond = |challenge: ChallengeNameType, name: &str, value: &str| {
        let responses = BTreeMap::from([
            ("USERNAME".to_string(), username.clone()),
            (name.to_string(), value.to_string()),
        ]);
        let answer = Answer {
            session: form.get("session").map(String::as_str),
            responses: &responses,
        };
        sign_in.respond(challenge, &answer)
    };
    match get("challenge") {
        "USER_AUTH" => {
            if username.is_empty() {
                // The text of the classic hosted UI's empty form (unconfirmed).
                return Err(ApiError::invalid_parameter("Username cannot be empty"));
            }
            sign_in.initiate(AuthFlowType::UserAuth, &params, None)
        }
        "PASSWORD" => {
            params.insert("PREFERRED_CHALLENGE".into(), "PASSWORD".into());
            params.insert("PASSWORD".into(), get("password").to_string());
            sign_in.initiate(AuthFlowType::UserAuth, &params, None)
        }
        "SELECT_CHALLENGE" => respond(ChallengeNameType::SelectChallenge, "ANSWER", get("method")),
        _ => respond(ChallengeNameType::WebAuthn, "CREDENTIAL", get("credential")),
    }
}

/// The page of a step these pages show (SELECT_CHALLENGE, WEB_AUTHN).
pub(super) fn page_of(step: &Step, username: &str) -> Option<ChoicePage> {
    let parameters = step.challenge_parameters.clone().unwrap_or_default();
    let session = step.session.clone().unwrap_or_default();
    let username = username.trim().to_string();
    match step.challenge_name {
        Some(ChallengeNameType::SelectChallenge) => Some(ChoicePage::Choose {
            username,
            session,
            methods: methods_of(step.available_challenges.as_deref().unwrap_or_default()),
        }),
        Some(ChallengeNameType::WebAuthn) => Some(ChoicePage::Passkey {
            username,
            session,
            options: parameters
                .get("CREDENTIAL_REQUEST_OPTIONS")
                .and_then(|o| serde_json::from_str(o).ok())
                .unwrap_or_default(),
        }),
        _ => None,
    }
}

/// The methods a page offers for AvailableChallenges: the password once (the page does
/// PASSWORD, not SRP), in the order given.
fn methods_of(available: &[ChallengeNameType]) -> Vec<String> {
    let mut methods: Vec<String> = Vec::new();
    for challenge in available {
        let method = match challenge {
            ChallengeNameType::PasswordSrp | ChallengeNameType::Password => "PASSWORD",
            ChallengeNameType::WebAuthn => "WEB_AUTHN",
            ChallengeNameType::EmailOtp => "EMAIL_OTP",
            ChallengeNameType::SmsOtp => "SMS_OTP",
            _ => continue,
        };
        if !methods.iter().any(|m| m == method) {
            methods.push(method.to_string());
        }
    }
    methods
}

fn known_method(method: &str) -> bool {
    ["PASSWORD", "WEB_AUTHN", "EMAIL_OTP", "SMS_OTP"].contains(&method)
}

/// The page a failed form shows again (None: the username page, the sign-in starting
/// again). A wrong password keeps the choice, whose Session was not used.
pub(super) fn retry_page(form: &BTreeMap<String, String>, error: &ApiError) -> Option<ChoicePage> {
    let get = |name: &str| form.get(name).cloned().unwrap_or_default();
    if get("challenge") != "PASSWORD" || error.code == ErrorCode::UserNotFoundException {
        return None;
    }
    Some(ChoicePage::Choose {
        username: get("username"),
        session: get("session"),
        methods: get("methods")
            .split(',')
            .filter(|m| known_method(m))
            .map(str::to_string)
            .collect(),
    })
}

/// The first page: the username only.
pub(super) fn username_page(view: &View, username: &str) -> String {
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
        "{buttons}<h1>Sign in</h1>{notice}{error}\
<form name=\"cognitoUsernameForm\" method=\"post\" action=\"/login?{action}\">{csrf}{challenge}\
{user}<button type=\"submit\" name=\"nextButton\" class=\"submitButton-customizable\">Next</button></form>\
<p class=\"links\">{links}</p>",
        buttons = super::pages::provider_buttons(view),
        notice = html::notice(view.notice),
        error = html::error_message(view.error),
        action = html::escape(view.query),
        csrf = html::hidden("_csrf", view.csrf),
        challenge = html::hidden("challenge", "USER_AUTH"),
        user = html::field("Username", "text", "username", username),
    );
    html::page("Signin", &body, view.look)
}

fn method_label(method: &str) -> &'static str {
    match method {
        "WEB_AUTHN" => "Sign in with a passkey",
        "EMAIL_OTP" => "Email me a sign-in code",
        "SMS_OTP" => "Text me a sign-in code",
        _ => "Sign in with a password",
    }
}

/// A choice page's HTML.
pub(super) fn render(view: &View, page: &ChoicePage) -> String {
    let action = html::escape(view.query);
    let fields = |challenge: &str, username: &str, session: &str| {
        format!(
            "{}{}{}{}",
            html::hidden("_csrf", view.csrf),
            html::hidden("challenge", challenge),
            html::hidden("session", session),
            html::hidden("username", username),
        )
    };
    let again = format!(
        "<p class=\"links\"><a class=\"redirect-customizable\" id=\"otherUser\" href=\"/login?{action}\">Sign in as another user</a></p>"
    );
    let error = html::error_message(view.error);
    let body = match page {
        ChoicePage::Choose {
            username,
            session,
            methods,
        } => {
            let mut body = format!(
                "<h1>Sign in</h1><p class=\"info\" id=\"signInAs\">{}</p>{error}",
                html::escape(username)
            );
            if methods.iter().any(|m| m == "PASSWORD") {
                body += &format!(
                    "<form name=\"cognitoPasswordForm\" method=\"post\" action=\"/login?{action}\">{}{}{}\
<button type=\"submit\" name=\"passwordButton\" class=\"submitButton-customizable\">Sign in</button></form>",
                    fields("PASSWORD", username, session),
                    html::hidden("methods", &methods.join(",")),
                    html::field("Password", "password", "password", ""),
                );
            }
            let others: String = methods
                .iter()
                .filter(|m| *m != "PASSWORD")
                .map(|m| {
                    format!(
                        "<button type=\"submit\" name=\"method\" value=\"{}\" class=\"submitButton-customizable\">{}</button>",
                        html::escape(m),
                        method_label(m)
                    )
                })
                .collect();
            if !others.is_empty() {
                body += &format!(
                    "<form name=\"cognitoChoiceForm\" method=\"post\" action=\"/login?{action}\">{}{others}</form>",
                    fields("SELECT_CHALLENGE", username, session),
                );
            }
            body + &again
        }
        ChoicePage::Passkey {
            username,
            session,
            options,
        } => format!(
            "<h1>Sign in with a passkey</h1><p class=\"info\" id=\"signInAs\">{user}</p>{error}\
<p id=\"passkeyError\" class=\"errorMessage-customizable\" hidden></p>{data}\
<form name=\"cognitoPasskeyForm\" data-passkey=\"get\" method=\"post\" action=\"/login?{action}\">{fields}{credential}\
<button type=\"button\" id=\"passkeyButton\" name=\"passkeyButton\" class=\"submitButton-customizable\">Use my passkey</button></form>{again}{script}",
            user = html::escape(username),
            data = html::json_data("passkeyOptions", options),
            fields = fields("WEB_AUTHN", username, session),
            credential = html::hidden("credential", ""),
            script = html::passkey_script(),
        ),
    };
    html::page("Signin", &body, view.look)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_is_offered_once_and_unknown_challenges_not_at_all() {
        use ChallengeNameType::*;
        assert_eq!(
            methods_of(&[
                WebAuthn,
                EmailOtp,
                SmsOtp,
                PasswordSrp,
                Password,
                CustomChallenge
            ]),
            ["WEB_AUTHN", "EMAIL_OTP", "SMS_OTP", "PASSWORD"]
        );
    }
}
