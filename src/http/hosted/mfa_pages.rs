//! The hosted sign-in's MFA pages, reached from the sign-in form (`pages.rs`) and posting
//! back to `/login` like its NEW_PASSWORD_REQUIRED form, with the challenge's name and
//! Session in hidden fields:
//! - the code page of SMS_MFA and EMAIL_OTP (where the code went, masked; also the code
//!   pages of passwordless sign-in, EMAIL_OTP and SMS_OTP, from `choice_pages.rs`) and of
//!   SOFTWARE_TOKEN_MFA; the code goes in `authentication_code`, as in Cognito's classic
//!   hosted UI;
//! - SELECT_MFA_TYPE: one button per factor offered, then that factor's code page;
//! - MFA_SETUP: an authenticator app (AssociateSoftwareToken with the Session: the secret
//!   as text, as an `otpauth://` link and as a QR code in inline SVG; the first code
//!   verifies it) and, where the pool offers it, an e-mail address (then EMAIL_OTP).

use std::collections::BTreeMap;

use super::{html, View};
use crate::app::App;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::generated::cognito_idp::ChallengeNameType;
use crate::idp::engine::sign_in::{totp_setup, Answer, SignIn, Step};

/// An MFA page to show: the challenge it answers and what the page needs of it.
pub(super) struct MfaPage {
    pub challenge: ChallengeNameType,
    pub session: String,
    /// The challenged user (`USERNAME` of the answer; the account in the otpauth URI).
    pub username: String,
    /// Where an SMS or e-mail code went (masked), or a software token's device name.
    pub destination: String,
    /// SELECT_MFA_TYPE's factors to choose from; MFA_SETUP's factors to set up.
    pub options: Vec<String>,
    /// MFA_SETUP: the secret AssociateSoftwareToken handed out.
    pub secret: Option<String>,
}

/// Whether a form's `challenge` is one of these pages'.
pub(super) fn answers(challenge: &str) -> bool {
    parse(challenge).is_some()
}

fn parse(name: &str) -> Option<ChallengeNameType> {
    use ChallengeNameType::*;
    [
        SmsMfa,
        EmailOtp,
        SmsOtp,
        SoftwareTokenMfa,
        SelectMfaType,
        MfaSetup,
    ]
    .into_iter()
    .find(|c| c.as_str() == name)
}

/// A factor of MFAS_CAN_CHOOSE / MFAS_CAN_SETUP this page knows.
fn known_factor(name: &str) -> bool {
    ["SMS_MFA", "EMAIL_OTP", "SOFTWARE_TOKEN_MFA"].contains(&name)
}

/// The page of a challenge step, or None for a challenge these pages do not answer. An
/// MFA_SETUP that offers a software token associates one with the Session first (the page
/// shows its secret), which hands out the Session the page carries on.
pub(super) fn page_of(app: &App, step: Step, username: &str) -> ApiResult<Option<MfaPage>> {
    let Some(challenge) = step.challenge_name.filter(|c| answers(c.as_str())) else {
        return Ok(None);
    };
    let parameters = step.challenge_parameters.unwrap_or_default();
    let get = |name: &str| parameters.get(name).cloned().unwrap_or_default();
    let list = |name: &str| -> Vec<String> {
        serde_json::from_str::<Vec<String>>(&get(name))
            .unwrap_or_default()
            .into_iter()
            .filter(|f| known_factor(f))
            .collect()
    };
    let mut page = MfaPage {
        challenge,
        session: step.session.unwrap_or_default(),
        username: parameters
            .get("USER_ID_FOR_SRP")
            .cloned()
            .unwrap_or_else(|| username.to_string()),
        destination: match challenge {
            ChallengeNameType::SoftwareTokenMfa => get("FRIENDLY_DEVICE_NAME"),
            _ => get("CODE_DELIVERY_DESTINATION"),
        },
        options: match challenge {
            ChallengeNameType::SelectMfaType => list("MFAS_CAN_CHOOSE"),
            ChallengeNameType::MfaSetup => list("MFAS_CAN_SETUP"),
            _ => Vec::new(),
        },
        secret: None,
    };
    if challenge == ChallengeNameType::MfaSetup {
        let offers = |f: &str| page.options.iter().any(|o| o == f);
        if !offers("SOFTWARE_TOKEN_MFA") && !offers("EMAIL_OTP") {
            // SMS cannot be set up here (the user needs a phone number first). The text is
            // the classic hosted UI's, as reported; unconfirmed.
            return Err(ApiError::invalid_parameter(
                "You must have multi-factor authentication (MFA) set up to sign in. Please set up MFA and try again.",
            ));
        }
        if offers("SOFTWARE_TOKEN_MFA") {
            let (secret, session) = totp_setup::associate(app, &page.session)?;
            page.secret = Some(secret);
            page.session = session;
        }
    }
    Ok(Some(page))
}

/// Answers an MFA page's form (its `challenge` is one of [`answers`]).
pub(super) fn answer(
    app: &App,
    sign_in: &SignIn,
    form: &BTreeMap<String, String>,
) -> ApiResult<Step> {
    let get = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    let challenge = parse(get("challenge")).expect("an MFA page's form");
    let code = get("authentication_code").trim();
    let mut session = get("session").to_string();
    let mut responses = BTreeMap::from([("USERNAME".to_string(), get("username").to_string())]);
    let mut put = |name: &str, value: &str| responses.insert(name.to_string(), value.to_string());
    match challenge {
        ChallengeNameType::SmsMfa => put("SMS_MFA_CODE", code),
        ChallengeNameType::EmailOtp => put("EMAIL_OTP_CODE", code),
        ChallengeNameType::SmsOtp => put("SMS_OTP_CODE", code),
        ChallengeNameType::SoftwareTokenMfa => put("SOFTWARE_TOKEN_MFA_CODE", code),
        ChallengeNameType::SelectMfaType => put("ANSWER", get("mfa_type")),
        _ if get("setup") == "EMAIL_OTP" => put("EMAIL", get("email").trim()),
        _ => {
            // VerifySoftwareToken with the Session: a wrong code leaves the Session as it
            // was, so the same page can be answered again.
            let name = get("device_name").trim();
            let name = (!name.is_empty()).then(|| name.to_string());
            session = totp_setup::verify(app, &session, code, name)?;
            None
        }
    };
    let answer = Answer {
        session: Some(&session),
        responses: &responses,
    };
    sign_in.respond(challenge, &answer)
}

/// The page a failed answer shows again, from the form's hidden fields (None: the sign-in
/// must start again, its Session being over).
pub(super) fn retry_page(form: &BTreeMap<String, String>, error: &ApiError) -> Option<MfaPage> {
    if error.code == ErrorCode::NotAuthorizedException {
        return None;
    }
    let get = |name: &str| form.get(name).cloned().unwrap_or_default();
    Some(MfaPage {
        challenge: parse(&get("challenge"))?,
        session: get("session"),
        username: get("username"),
        destination: get("destination"),
        options: get("options")
            .split(',')
            .filter(|f| known_factor(f))
            .map(str::to_string)
            .collect(),
        secret: form.get("secret").cloned().filter(|s| !s.is_empty()),
    })
}

fn factor_label(factor: &str) -> &'static str {
    match factor {
        "SMS_MFA" => "SMS message",
        "EMAIL_OTP" => "Email message",
        _ => "Authenticator app",
    }
}

/// The page's HTML; `issuer` names the pool in an authenticator app.
pub(super) fn render(view: &View, page: &MfaPage, issuer: &str) -> String {
    let common = |challenge: &str, extra: &str| {
        format!(
            "{}{}{}{}{}",
            html::hidden("_csrf", view.csrf),
            html::hidden("challenge", challenge),
            html::hidden("session", &page.session),
            html::hidden("username", &page.username),
            extra
        )
    };
    let action = html::escape(view.query);
    let error = html::error_message(view.error);
    let body = match page.challenge {
        ChallengeNameType::SelectMfaType => {
            let buttons: String = page
                .options
                .iter()
                .map(|f| {
                    format!(
                        "<button type=\"submit\" name=\"mfa_type\" value=\"{}\" class=\"submitButton-customizable\">{}</button>",
                        html::escape(f),
                        factor_label(f)
                    )
                })
                .collect();
            format!(
                "<h1>Choose how to verify your sign-in</h1>{error}\
<form name=\"cognitoSelectMfaForm\" method=\"post\" action=\"/login?{action}\">{fields}{buttons}</form>",
                fields = common(
                    "SELECT_MFA_TYPE",
                    &html::hidden("options", &page.options.join(","))
                ),
            )
        }
        ChallengeNameType::MfaSetup => setup_body(view, page, issuer, &common),
        challenge => {
            let lead = match challenge {
                ChallengeNameType::SmsMfa | ChallengeNameType::SmsOtp => format!(
                    "We have delivered the authentication code by SMS to {}. Please enter the code to complete authentication.",
                    page.destination
                ),
                // Unconfirmed wording, after the SMS one.
                ChallengeNameType::EmailOtp => format!(
                    "We have delivered the authentication code by email to {}. Please enter the code to complete authentication.",
                    page.destination
                ),
                _ if page.destination.is_empty() => {
                    "Enter the code from your authenticator app to complete authentication."
                        .to_string()
                }
                _ => format!(
                    "Enter the code from your authenticator app ({}) to complete authentication.",
                    page.destination
                ),
            };
            format!(
                "<h1>Multi-factor authentication</h1><p class=\"info\" id=\"mfaDescription\">{lead}</p>{error}\
<form name=\"cognitoMfaForm\" method=\"post\" action=\"/login?{action}\">{fields}{code}\
<button type=\"submit\" name=\"signInButton\" class=\"submitButton-customizable\">Sign in</button></form>",
                lead = html::escape(&lead),
                fields = common(
                    challenge.as_str(),
                    &html::hidden("destination", &page.destination)
                ),
                code = html::field("Code", "text", "authentication_code", ""),
            )
        }
    };
    html::page("Multi-factor authentication", &body, view.look)
}

/// MFA_SETUP: an authenticator app (when offered) and an e-mail address (when offered).
fn setup_body(
    view: &View,
    page: &MfaPage,
    issuer: &str,
    common: &dyn Fn(&str, &str) -> String,
) -> String {
    let action = html::escape(view.query);
    let options = html::hidden("options", &page.options.join(","));
    let mut body = format!(
        "<h1>Set up multi-factor authentication</h1>{}",
        html::error_message(view.error)
    );
    if let Some(secret) = &page.secret {
        let uri = otpauth_uri(issuer, &page.username, secret);
        let extra = format!(
            "{}{}{}",
            html::hidden("setup", "SOFTWARE_TOKEN_MFA"),
            html::hidden("secret", secret),
            options
        );
        body += &format!(
            "<p class=\"info\">Scan the QR code with an authenticator app, or enter the secret key in it, then enter the code the app shows.</p>\
<div class=\"qr\" id=\"totpQrCode\">{qr}</div>\
<p class=\"info\">Secret key: <code id=\"totpSecret\">{secret}</code></p>\
<p class=\"info\"><a id=\"totpLink\" href=\"{uri}\">Open in an authenticator app</a></p>\
<form name=\"cognitoTotpSetupForm\" method=\"post\" action=\"/login?{action}\">{fields}{code}{device}\
<button type=\"submit\" name=\"totpSetupButton\" class=\"submitButton-customizable\">Verify</button></form>",
            qr = qr_svg(&uri),
            secret = html::escape(secret),
            uri = html::escape(&uri),
            fields = common("MFA_SETUP", &extra),
            code = html::field("Code", "text", "authentication_code", ""),
            device = html::field("Device name (optional)", "text", "device_name", ""),
        );
    }
    if page.options.iter().any(|o| o == "EMAIL_OTP") {
        // The secret comes along, for the authenticator form shown again after an error.
        let secret = page
            .secret
            .as_deref()
            .map(|s| html::hidden("secret", s))
            .unwrap_or_default();
        let extra = format!("{}{secret}{options}", html::hidden("setup", "EMAIL_OTP"));
        let lead = if page.secret.is_some() {
            "Or receive codes by email:"
        } else {
            "Enter the email address to send sign-in codes to."
        };
        body += &format!(
            "<p class=\"info\">{lead}</p>\
<form name=\"cognitoEmailMfaSetupForm\" method=\"post\" action=\"/login?{action}\">{fields}{email}\
<button type=\"submit\" name=\"emailSetupButton\" class=\"submitButton-customizable\">Send code</button></form>",
            fields = common("MFA_SETUP", &extra),
            email = html::field("Email", "email", "email", ""),
        );
    }
    body
}

/// The key URI authenticator apps read: `otpauth://totp/<issuer>:<account>?secret=…&issuer=…`.
fn otpauth_uri(issuer: &str, username: &str, secret: &str) -> String {
    format!(
        "otpauth://totp/{}:{}?secret={secret}&issuer={}",
        percent_encode(issuer),
        percent_encode(username),
        percent_encode(issuer)
    )
}

/// RFC 3986 percent-encoding of everything but the unreserved characters.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A QR code of `data` as an inline SVG element (nothing fetched); empty if it cannot be
/// encoded.
fn qr_svg(data: &str) -> String {
    use qrcode::render::svg;
    let Ok(code) = qrcode::QrCode::new(data.as_bytes()) else {
        return String::new();
    };
    let image = code
        .render::<svg::Color>()
        .min_dimensions(200, 200)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build();
    // Inline in HTML: the element, without the XML declaration.
    match image.find("<svg") {
        Some(start) => image[start..].to_string(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_uri_encodes_its_names() {
        assert_eq!(
            otpauth_uri("My Pool", "a b:c@d", "ABCDEF"),
            "otpauth://totp/My%20Pool:a%20b%3Ac%40d?secret=ABCDEF&issuer=My%20Pool"
        );
    }

    #[test]
    fn the_qr_code_is_an_inline_svg_element() {
        let svg = qr_svg("otpauth://totp/p:u?secret=ABC&issuer=p");
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(svg.trim_end().ends_with("</svg>"));
        assert!(!svg.contains("<?xml"));
    }
}
