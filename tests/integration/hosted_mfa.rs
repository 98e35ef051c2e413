//! The hosted sign-in's MFA pages over HTTP, as a browser without scripts sees them (cookies
//! kept, redirects not followed): the SMS and e-mail code pages and SELECT_MFA_TYPE, each
//! ending in the code exchanged at the token endpoint (MFA_SETUP: `hosted_mfa_setup.rs`).
//! The helpers here read a page's forms and submit them as a browser would.

use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, EmailConfigurationType, EmailMfaConfigType, EmailMfaSettingsType,
    EmailSendingAccountType, MessageActionType, OAuthFlowType, SmsConfigurationType,
    SmsMfaConfigType, SmsMfaSettingsType, SoftwareTokenMfaConfigType, UserPoolMfaType,
};
use totp_rs::{Algorithm, Secret, TOTP};

use crate::auth::claims;
use crate::common::{start, Emulator};
use crate::oauth::{query_of, Browser, Page};

pub const PASSWORD: &str = "Perm4nent!pass";
pub const CALLBACK: &str = "http://localhost:3000/callback";

pub struct Factors {
    pub sms: bool,
    pub totp: bool,
    pub email: bool,
}

/// A pool named `name` with the MFA configuration and factors given (SES e-mail sending, so
/// that e-mail MFA is possible), and a public code-flow client; returns (pool, client).
pub async fn mfa_pool(
    emulator: &Emulator,
    name: &str,
    mfa: UserPoolMfaType,
    factors: Factors,
    callback: &str,
) -> (String, String) {
    let pool = emulator
        .idp
        .create_user_pool()
        .pool_name(name)
        .email_configuration(
            EmailConfigurationType::builder()
                .email_sending_account(EmailSendingAccountType::Developer)
                .source_arn("arn:aws:ses:us-east-1:123456789012:identity/example.com")
                .build(),
        )
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let mut config = emulator
        .idp
        .set_user_pool_mfa_config()
        .user_pool_id(&pool)
        .mfa_configuration(mfa);
    if factors.sms {
        config = config.sms_mfa_configuration(
            SmsMfaConfigType::builder()
                .sms_configuration(
                    SmsConfigurationType::builder()
                        .sns_caller_arn("arn:aws:iam::123456789012:role/sns")
                        .build(),
                )
                .build(),
        );
    }
    if factors.totp {
        config = config.software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        );
    }
    if factors.email {
        config = config.email_mfa_configuration(EmailMfaConfigType::builder().build());
    }
    config.send().await.unwrap();
    let client = emulator
        .idp
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("web")
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_scopes("openid")
        .allowed_o_auth_scopes("email")
        .allowed_o_auth_scopes("profile")
        .callback_urls(callback)
        .supported_identity_providers("COGNITO")
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    (pool, client)
}

/// A confirmed user with a permanent password and the attributes given.
pub async fn mfa_user(
    emulator: &Emulator,
    pool: &str,
    username: &str,
    attributes: &[(&str, &str)],
) {
    let mut create = emulator
        .idp
        .admin_create_user()
        .user_pool_id(pool)
        .username(username)
        .message_action(MessageActionType::Suppress);
    for (name, value) in attributes {
        create = create.user_attributes(
            AttributeType::builder()
                .name(*name)
                .value(*value)
                .build()
                .unwrap(),
        );
    }
    create.send().await.unwrap();
    emulator.set_password(pool, username, PASSWORD).await;
}

/// The code of a TOTP secret for the emulator's time plus `steps` steps of 30 s.
pub fn totp_code(emulator: &Emulator, secret: &str, steps: i64) -> String {
    let key = Secret::Encoded(secret.to_string()).to_bytes().unwrap();
    let totp = TOTP::new(Algorithm::SHA1, 6, 1, 30, key).unwrap();
    totp.generate((emulator.app.clock.now() as i64 + steps * 30) as u64)
}

pub fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

/// A form of a page by name: its action and hidden fields.
pub fn form(html: &str, name: &str) -> (String, Vec<(String, String)>) {
    let start = html
        .find(&format!("<form name=\"{name}\""))
        .unwrap_or_else(|| panic!("no form {name} in {html}"));
    let form = &html[start..start + html[start..].find("</form>").unwrap()];
    let attribute = |tag: &str, name: &str| {
        let marker = format!("{name}=\"");
        tag.find(&marker).map(|at| {
            let rest = &tag[at + marker.len()..];
            unescape(&rest[..rest.find('"').unwrap()])
        })
    };
    let action = attribute(form, "action").unwrap();
    let hidden = form
        .split("<input ")
        .skip(1)
        .filter(|tag| tag.starts_with("type=\"hidden\""))
        .map(|tag| {
            (
                attribute(tag, "name").unwrap(),
                attribute(tag, "value").unwrap(),
            )
        })
        .collect();
    (action, hidden)
}

pub fn hidden<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no hidden {name}"))
}

/// Submits a form of `page` with its hidden fields and `fields`.
pub async fn submit(
    browser: &mut Browser,
    page: &Page,
    name: &str,
    fields: &[(&str, &str)],
) -> Page {
    let (action, hidden) = form(&page.body, name);
    let mut all: Vec<(&str, &str)> = hidden
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    all.extend_from_slice(fields);
    browser.post_form(&action, &all).await
}

/// The error message a page shows.
pub fn error_of(page: &Page) -> String {
    let marker = "<p id=\"loginErrorMessage\" class=\"errorMessage-customizable\">";
    let start = page
        .body
        .find(marker)
        .unwrap_or_else(|| panic!("no error message in {}", page.body))
        + marker.len();
    unescape(&page.body[start..start + page.body[start..].find("</p>").unwrap()])
}

/// Opens the sign-in page of the code flow and signs in with the password.
pub async fn password_step(browser: &mut Browser, client: &str, username: &str) -> Page {
    let authorize = format!(
        "/oauth2/authorize?response_type=code&client_id={client}&redirect_uri={}&state=mfa&scope=openid+email",
        url::form_urlencoded::byte_serialize(CALLBACK.as_bytes()).collect::<String>()
    );
    let login = browser.get(&authorize).await.location.unwrap();
    let page = browser.sign_in(&login, username, PASSWORD).await;
    assert_eq!(page.status, 200, "{}", page.body);
    page
}

/// The app's back end: the code of the redirect exchanged for tokens; returns the ID
/// token's claims.
pub async fn exchange(emulator: &Emulator, client: &str, page: &Page) -> serde_json::Value {
    assert_eq!(page.status, 302, "{}", page.body);
    let location = page.location.clone().unwrap();
    assert!(
        location.starts_with(&format!("{CALLBACK}?code=")),
        "{location}"
    );
    let params = query_of(&location);
    assert_eq!(params["state"], "mfa");
    let response = emulator
        .http
        .post(format!("{}/oauth2/token", emulator.url))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", client),
            ("code", &params["code"]),
            ("redirect_uri", CALLBACK),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let tokens: serde_json::Value = response.json().await.unwrap();
    claims(tokens["id_token"].as_str().unwrap())
}

pub async fn last_code(
    emulator: &Emulator,
    pool: &str,
    username: &str,
) -> (String, serde_json::Value) {
    let messages = emulator.messages(pool, Some(username)).await;
    let message = messages.last().expect("a message").clone();
    (message["code"].as_str().unwrap().to_string(), message)
}

#[tokio::test]
async fn sms_code_page_wrong_code_forged_post_then_signed_in() {
    let emulator = start().await;
    let factors = Factors {
        sms: true,
        totp: false,
        email: false,
    };
    let (pool, client) = mfa_pool(
        &emulator,
        "hosted-sms",
        UserPoolMfaType::On,
        factors,
        CALLBACK,
    )
    .await;
    mfa_user(&emulator, &pool, "bob", &[("phone_number", "+15555551234")]).await;
    let mut browser = Browser::new(&emulator.url);
    let page = password_step(&mut browser, &client, "bob").await;
    assert!(
        page.body.contains(
            "We have delivered the authentication code by SMS to +*******1234. Please enter the code to complete authentication."
        ),
        "{}",
        page.body
    );
    let (action, fields) = form(&page.body, "cognitoMfaForm");
    assert!(
        action.starts_with("/login?response_type=code&client_id="),
        "{action}"
    );
    assert_eq!(hidden(&fields, "challenge"), "SMS_MFA");
    assert_eq!(hidden(&fields, "username"), "bob");
    let session = hidden(&fields, "session").to_string();
    assert!(!browser.cookies.contains_key(&format!("cognito_{pool}")));
    // The code went out by SMS.
    let (code, message) = last_code(&emulator, &pool, "bob").await;
    assert_eq!(message["deliveryMedium"], "SMS");
    assert_eq!(message["destination"], "+15555551234");

    let wrong = if code == "000000" { "111111" } else { "000000" };
    let again = submit(
        &mut browser,
        &page,
        "cognitoMfaForm",
        &[("authentication_code", wrong)],
    )
    .await;
    assert_eq!(again.status, 200);
    assert_eq!(error_of(&again), "Invalid code or auth state for the user.");
    let (_, fields) = form(&again.body, "cognitoMfaForm");
    assert_eq!(hidden(&fields, "session"), session);
    assert!(again.body.contains("by SMS to +*******1234."));

    // Without the CSRF token the form is refused.
    let forged: Vec<(&str, &str)> = fields
        .iter()
        .filter(|(n, _)| n != "_csrf")
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .chain([("authentication_code", code.as_str())])
        .collect();
    let refused = browser.post_form(&action, &forged).await;
    assert_eq!(refused.status, 403);

    let done = submit(
        &mut browser,
        &again,
        "cognitoMfaForm",
        &[("authentication_code", &code)],
    )
    .await;
    assert!(browser.cookies.contains_key(&format!("cognito_{pool}")));
    let claims = exchange(&emulator, &client, &done).await;
    assert_eq!(claims["cognito:username"], "bob");

    // Within the hosted session no password or code is asked for again.
    let authorize = format!(
        "/oauth2/authorize?response_type=code&client_id={client}&redirect_uri={}&state=mfa&scope=openid",
        url::form_urlencoded::byte_serialize(CALLBACK.as_bytes()).collect::<String>()
    );
    let within = browser.get(&authorize).await;
    assert!(within.location.unwrap().starts_with(CALLBACK));

    // A session that is over sends the browser back to the sign-in form, with the reason.
    let mut other = Browser::new(&emulator.url);
    let page = password_step(&mut other, &client, "bob").await;
    let (code, _) = last_code(&emulator, &pool, "bob").await;
    emulator.advance_clock(190.0).await;
    let expired = submit(
        &mut other,
        &page,
        "cognitoMfaForm",
        &[("authentication_code", &code)],
    )
    .await;
    assert_eq!(expired.status, 200);
    assert_eq!(
        error_of(&expired),
        "Invalid session for the user, session is expired."
    );
    assert!(expired.body.contains("<form name=\"cognitoSignInForm\""));
    emulator.stop().await;
}

#[tokio::test]
async fn select_mfa_type_then_the_email_code_page() {
    let emulator = start().await;
    let factors = Factors {
        sms: true,
        totp: false,
        email: true,
    };
    let (pool, client) = mfa_pool(
        &emulator,
        "hosted-select",
        UserPoolMfaType::Optional,
        factors,
        CALLBACK,
    )
    .await;
    mfa_user(
        &emulator,
        &pool,
        "erin",
        &[
            ("phone_number", "+15555559876"),
            ("email", "erin@example.com"),
        ],
    )
    .await;
    emulator
        .idp
        .admin_set_user_mfa_preference()
        .user_pool_id(&pool)
        .username("erin")
        .sms_mfa_settings(SmsMfaSettingsType::builder().enabled(true).build())
        .email_mfa_settings(EmailMfaSettingsType::builder().enabled(true).build())
        .send()
        .await
        .unwrap();
    let mut browser = Browser::new(&emulator.url);
    let page = password_step(&mut browser, &client, "erin").await;
    let (_, fields) = form(&page.body, "cognitoSelectMfaForm");
    assert_eq!(hidden(&fields, "challenge"), "SELECT_MFA_TYPE");
    assert!(page.body.contains("name=\"mfa_type\" value=\"SMS_MFA\""));
    assert!(page.body.contains("name=\"mfa_type\" value=\"EMAIL_OTP\""));
    assert!(!page.body.contains("value=\"SOFTWARE_TOKEN_MFA\""));
    // A factor that is not offered: the choice again, with Cognito's refusal.
    let refused = submit(
        &mut browser,
        &page,
        "cognitoSelectMfaForm",
        &[("mfa_type", "SOFTWARE_TOKEN_MFA")],
    )
    .await;
    assert_eq!(
        error_of(&refused),
        "SOFTWARE_TOKEN_MFA is not an MFA method the user can use."
    );
    assert!(refused
        .body
        .contains("name=\"mfa_type\" value=\"EMAIL_OTP\""));
    let email = submit(
        &mut browser,
        &page,
        "cognitoSelectMfaForm",
        &[("mfa_type", "EMAIL_OTP")],
    )
    .await;
    assert_eq!(email.status, 200);
    assert!(
        email.body.contains(
            "We have delivered the authentication code by email to e***@e***. Please enter the code to complete authentication."
        ),
        "{}",
        email.body
    );
    let (code, message) = last_code(&emulator, &pool, "erin").await;
    assert_eq!(message["deliveryMedium"], "EMAIL");
    let done = submit(
        &mut browser,
        &email,
        "cognitoMfaForm",
        &[("authentication_code", &code)],
    )
    .await;
    let claims = exchange(&emulator, &client, &done).await;
    assert_eq!(claims["email"], "erin@example.com");
    emulator.stop().await;
}

#[tokio::test]
async fn a_new_password_is_followed_by_the_mfa_code_page() {
    let emulator = start().await;
    let factors = Factors {
        sms: true,
        totp: false,
        email: false,
    };
    let (pool, client) = mfa_pool(
        &emulator,
        "hosted-new-password",
        UserPoolMfaType::On,
        factors,
        CALLBACK,
    )
    .await;
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool)
        .username("nina")
        .temporary_password("Temp0rary!pass")
        .message_action(MessageActionType::Suppress)
        .user_attributes(
            AttributeType::builder()
                .name("phone_number")
                .value("+15555554321")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let mut browser = Browser::new(&emulator.url);
    let authorize = format!(
        "/oauth2/authorize?response_type=code&client_id={client}&redirect_uri={}&state=mfa&scope=openid",
        url::form_urlencoded::byte_serialize(CALLBACK.as_bytes()).collect::<String>()
    );
    let login = browser.get(&authorize).await.location.unwrap();
    let page = browser.sign_in(&login, "nina", "Temp0rary!pass").await;
    let fields = [("new_password", PASSWORD), ("confirm_password", PASSWORD)];
    let page = submit(&mut browser, &page, "cognitoNewPasswordForm", &fields).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("by SMS to +*******4321."),
        "{}",
        page.body
    );
    let (code, _) = last_code(&emulator, &pool, "nina").await;
    let done = submit(
        &mut browser,
        &page,
        "cognitoMfaForm",
        &[("authentication_code", &code)],
    )
    .await;
    let claims = exchange(&emulator, &client, &done).await;
    assert_eq!(claims["cognito:username"], "nina");
    emulator.stop().await;
}
