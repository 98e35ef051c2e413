//! Choice-based sign-in on the hosted pages over HTTP (a browser without scripts: the
//! passkey's assertion is made by the software authenticator from the options the page
//! carries): the username first, then the user's methods: password, e-mail code, SMS code,
//! passkey; each ends in the code exchanged at the token endpoint. Wrong answers, forged
//! posts and echoed markup.

use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, AuthFactorType, ExplicitAuthFlowsType as Flow, MessageActionType, OAuthFlowType,
    UserVerificationType,
};
use serde_json::Value;

use crate::authenticator::{Attest, Authenticator, Bend};
use crate::common::{start, Emulator};
use crate::hosted_mfa::{error_of, exchange, form, hidden, last_code, submit, CALLBACK};
use crate::oauth::{Browser, Page};
use crate::passkeys::{passkey_pool, register, ORIGIN, PASSWORD};

const ALL: &[AuthFactorType] = &[
    AuthFactorType::Password,
    AuthFactorType::WebAuthn,
    AuthFactorType::EmailOtp,
    AuthFactorType::SmsOtp,
];

fn attribute(name: &str, value: &str) -> AttributeType {
    AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .unwrap()
}

/// A passkey pool (relying party `localhost`) with every first factor, a code-flow client
/// with ALLOW_USER_AUTH, and "hana" with a password and a verified e-mail and phone.
/// Returns (pool, client).
pub async fn passwordless_pool(emulator: &Emulator, callback: &str) -> (String, String) {
    let (pool, _) = passkey_pool(emulator, ALL, UserVerificationType::Required).await;
    let client = emulator
        .idp
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("web")
        .explicit_auth_flows(Flow::AllowUserAuth)
        .explicit_auth_flows(Flow::AllowUserPasswordAuth)
        .explicit_auth_flows(Flow::AllowRefreshTokenAuth)
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
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool)
        .username("hana")
        .user_attributes(attribute("email", "hana@example.com"))
        .user_attributes(attribute("email_verified", "true"))
        .user_attributes(attribute("phone_number", "+15555550123"))
        .user_attributes(attribute("phone_number_verified", "true"))
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    emulator.set_password(&pool, "hana", PASSWORD).await;
    (pool, client)
}

/// The authorize parameters of the code flow.
fn authorize_query(client: &str) -> String {
    format!(
        "response_type=code&client_id={client}&redirect_uri={}&state=mfa&scope=openid+email",
        url::form_urlencoded::byte_serialize(CALLBACK.as_bytes()).collect::<String>()
    )
}

/// The sign-in page of the code flow: the username form.
async fn username_page(browser: &mut Browser, client: &str) -> Page {
    let authorize = format!("/oauth2/authorize?{}", authorize_query(client));
    let login = browser.get(&authorize).await.location.unwrap();
    let page = browser.get(&login).await;
    assert_eq!(page.status, 200, "{}", page.body);
    page
}

/// The username submitted: the page of the user's methods.
async fn choices(browser: &mut Browser, client: &str, username: &str) -> Page {
    let page = username_page(browser, client).await;
    assert!(page.body.contains("<form name=\"cognitoUsernameForm\""));
    assert!(!page.body.contains("name=\"password\""), "{}", page.body);
    assert!(page
        .body
        .contains("href=\"/forgotPassword?response_type=code&amp;client_id="));
    let page = submit(
        browser,
        &page,
        "cognitoUsernameForm",
        &[("username", username)],
    )
    .await;
    assert_eq!(page.status, 200, "{}", page.body);
    page
}

/// The methods a choice page offers (the password form, then the buttons).
fn methods(page: &Page) -> Vec<String> {
    let mut methods = Vec::new();
    if page.body.contains("<form name=\"cognitoPasswordForm\"") {
        methods.push("PASSWORD".to_string());
    }
    for part in page.body.split("name=\"method\" value=\"").skip(1) {
        methods.push(part[..part.find('"').unwrap()].to_string());
    }
    methods
}

fn wrong(code: &str) -> String {
    let digit = if code.starts_with('0') { "1" } else { "0" };
    digit.repeat(code.len())
}

#[tokio::test]
async fn username_first_then_an_email_or_sms_code() {
    let emulator = start().await;
    let (pool, client) = passwordless_pool(&emulator, CALLBACK).await;
    for (method, medium, destination) in [
        ("EMAIL_OTP", "email", "h***@e***"),
        ("SMS_OTP", "SMS", "+*******0123"),
    ] {
        let mut browser = Browser::new(&emulator.url);
        let page = choices(&mut browser, &client, "hana").await;
        assert_eq!(methods(&page), ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]);
        assert!(page
            .body
            .contains("<p class=\"info\" id=\"signInAs\">hana</p>"));
        let page = submit(
            &mut browser,
            &page,
            "cognitoChoiceForm",
            &[("method", method)],
        )
        .await;
        assert!(
            page.body.contains(&format!(
                "We have delivered the authentication code by {medium} to {destination}."
            )),
            "{}",
            page.body
        );
        let (code, message) = last_code(&emulator, &pool, "hana").await;
        assert_eq!(code.len(), 8, "{message}");
        let (_, fields) = form(&page.body, "cognitoMfaForm");
        assert_eq!(hidden(&fields, "challenge"), method);
        // A wrong code shows the page again, whose Session still works.
        let again = submit(
            &mut browser,
            &page,
            "cognitoMfaForm",
            &[("authentication_code", &wrong(&code))],
        )
        .await;
        assert_eq!(error_of(&again), "Invalid code or auth state for the user.");
        // A post without the browser's CSRF token is refused.
        let (action, mut forged) = form(&again.body, "cognitoMfaForm");
        forged.retain(|(n, _)| n != "_csrf");
        let mut fields: Vec<(&str, &str)> = forged
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        fields.push(("authentication_code", &code));
        fields.push(("_csrf", "forged-forged-forged-forged-forged-forged"));
        let refused = browser.post_form(&action, &fields).await;
        assert_eq!(refused.status, 403);
        let signed_in = submit(
            &mut browser,
            &again,
            "cognitoMfaForm",
            &[("authentication_code", &code)],
        )
        .await;
        let claims = exchange(&emulator, &client, &signed_in).await;
        assert_eq!(claims["cognito:username"], "hana");
    }
    emulator.stop().await;
}

#[tokio::test]
async fn username_first_then_the_password_then_markup_is_escaped() {
    let emulator = start().await;
    let (_, client) = passwordless_pool(&emulator, CALLBACK).await;
    let mut browser = Browser::new(&emulator.url);
    let page = choices(&mut browser, &client, "hana").await;
    let again = submit(
        &mut browser,
        &page,
        "cognitoPasswordForm",
        &[("password", "Wrong-pass1!")],
    )
    .await;
    assert_eq!(error_of(&again), "Incorrect username or password.");
    assert_eq!(methods(&again), ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]);
    // The choice's Session is still good after a wrong password.
    let code_page = submit(
        &mut browser,
        &again,
        "cognitoChoiceForm",
        &[("method", "EMAIL_OTP")],
    )
    .await;
    assert!(code_page.body.contains("<form name=\"cognitoMfaForm\""));
    let signed_in = submit(
        &mut browser,
        &again,
        "cognitoPasswordForm",
        &[("password", PASSWORD)],
    )
    .await;
    let claims = exchange(&emulator, &client, &signed_in).await;
    assert_eq!(claims["cognito:username"], "hana");

    // An unknown user, with markup in the name: the username page again, the name escaped.
    let mut browser = Browser::new(&emulator.url);
    let evil = "<script>alert('x')</script>\"";
    let page = choices(&mut browser, &client, evil).await;
    assert_eq!(error_of(&page), "User does not exist.");
    assert!(!page.body.contains("<script>alert"), "{}", page.body);
    assert!(page
        .body
        .contains("value=\"&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&quot;\""));
    // The username form checks CSRF too.
    let (action, _) = form(&page.body, "cognitoUsernameForm");
    let refused = browser
        .post_form(&action, &[("challenge", "USER_AUTH"), ("username", "hana")])
        .await;
    assert_eq!(refused.status, 403);
    emulator.stop().await;
}

/// The options a passkey page carries, as its script reads them.
fn page_options(page: &Page) -> Value {
    let marker = "<script type=\"application/json\" id=\"passkeyOptions\">";
    let start = page.body.find(marker).expect("the options") + marker.len();
    let json = &page.body[start..start + page.body[start..].find("</script>").unwrap()];
    serde_json::from_str(json).unwrap()
}

/// Posts the passkey form with the credential in its `credential` field, as its script does.
async fn with_credential(browser: &mut Browser, page: &Page, credential: &Value) -> Page {
    let (action, fields) = form(&page.body, "cognitoPasskeyForm");
    let credential = credential.to_string();
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| match n.as_str() {
            "credential" => (n.as_str(), credential.as_str()),
            _ => (n.as_str(), v.as_str()),
        })
        .collect();
    browser.post_form(&action, &fields).await
}

#[tokio::test]
async fn a_passkey_answers_the_passkey_page() {
    let emulator = start().await;
    let (_, client) = passwordless_pool(&emulator, CALLBACK).await;
    let token = emulator
        .idp
        .initiate_auth()
        .client_id(&client)
        .auth_flow(aws_sdk_cognitoidentityprovider::types::AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "hana")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap()
        .authentication_result
        .unwrap()
        .access_token
        .unwrap();
    let mut authenticator = Authenticator::es256();
    register(&emulator, &token, &mut authenticator, Attest::None).await;

    let mut browser = Browser::new(&emulator.url);
    let page = choices(&mut browser, &client, "hana").await;
    assert_eq!(
        methods(&page),
        ["PASSWORD", "WEB_AUTHN", "EMAIL_OTP", "SMS_OTP"]
    );
    let page = submit(
        &mut browser,
        &page,
        "cognitoChoiceForm",
        &[("method", "WEB_AUTHN")],
    )
    .await;
    assert!(page
        .body
        .contains("<form name=\"cognitoPasskeyForm\" data-passkey=\"get\""));
    // The page's one script is the passkey script, which the CSP allows by its hash.
    assert_eq!(page.body.matches("<script>").count(), 1);
    let options = page_options(&page);
    assert_eq!(options["rpId"], "localhost");
    assert_eq!(options["allowCredentials"][0]["id"], authenticator.id());
    // An assertion from another origin is refused; the Session is spent, so the sign-in
    // starts again at the username.
    let bent = Bend {
        origin: Some("https://evil.example".into()),
        ..Default::default()
    };
    let credential = authenticator.assert(&options, ORIGIN, &bent);
    let failed = with_credential(&mut browser, &page, &credential).await;
    assert_eq!(
        error_of(&failed),
        "Passkey authentication failed: the origin https://evil.example is not allowed."
    );
    assert!(failed.body.contains("<form name=\"cognitoUsernameForm\""));
    assert!(failed.body.contains("value=\"hana\""));
    let page = submit(
        &mut browser,
        &failed,
        "cognitoUsernameForm",
        &[("username", "hana")],
    )
    .await;
    let page = submit(
        &mut browser,
        &page,
        "cognitoChoiceForm",
        &[("method", "WEB_AUTHN")],
    )
    .await;
    let credential = authenticator.assert(&page_options(&page), ORIGIN, &Bend::default());
    let signed_in = with_credential(&mut browser, &page, &credential).await;
    let claims = exchange(&emulator, &client, &signed_in).await;
    assert_eq!(claims["cognito:username"], "hana");
    emulator.stop().await;
}

#[tokio::test]
async fn a_signed_in_user_adds_a_passkey_then_signs_in_with_it() {
    let emulator = start().await;
    let (pool, client) = passwordless_pool(&emulator, CALLBACK).await;
    let add = format!("/passkeys/add?{}", authorize_query(&client));
    // Nobody is signed in yet.
    let mut browser = Browser::new(&emulator.url);
    let page = browser.get(&add).await;
    assert_eq!(page.status, 401);
    // Signed in with the password, the app sends the browser to the passkey page.
    let page = choices(&mut browser, &client, "hana").await;
    let signed_in = submit(
        &mut browser,
        &page,
        "cognitoPasswordForm",
        &[("password", PASSWORD)],
    )
    .await;
    exchange(&emulator, &client, &signed_in).await;
    let page = browser.get(&add).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page
        .body
        .contains("<form name=\"cognitoPasskeyAddForm\" data-passkey=\"create\""));
    assert!(page.body.contains("Signed in as hana."));
    let options = page_options(&page);
    assert_eq!(options["rp"]["id"], "localhost");
    assert_eq!(options["user"]["name"], "hana");
    let mut authenticator = Authenticator::es256();
    let post = |page: &Page, credential: &Value| {
        let (action, fields) = form(&page.body, "cognitoPasskeyAddForm");
        let credential = credential.to_string();
        let mut all: Vec<(String, String)> = fields
            .into_iter()
            .filter(|(n, _)| n != "credential")
            .collect();
        all.push(("credential".into(), credential));
        (action, all)
    };
    // A forged post, then a credential made for another origin.
    let bent = Bend {
        origin: Some("https://evil.example".into()),
        ..Default::default()
    };
    let credential = authenticator.register(&options, ORIGIN, Attest::None, &bent);
    let (action, mut fields) = post(&page, &credential);
    fields.retain(|(n, _)| n != "_csrf");
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    assert_eq!(browser.post_form(&action, &pairs).await.status, 403);
    let (action, fields) = post(&page, &credential);
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let again = browser.post_form(&action, &pairs).await;
    assert_eq!(again.status, 200);
    assert_eq!(
        error_of(&again),
        "The origin https://evil.example is not allowed for this relying party."
    );
    // The page shown again carries a new registration; an honest credential is kept, and
    // the browser goes on to the app.
    let options = page_options(&again);
    let credential = authenticator.register(&options, ORIGIN, Attest::None, &Bend::default());
    let (action, fields) = post(&again, &credential);
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let added = browser.post_form(&action, &pairs).await;
    assert_eq!(added.status, 302, "{}", added.body);
    let location = added.location.unwrap();
    assert!(location.starts_with("/oauth2/authorize?"), "{location}");
    let back = browser.get(&location).await;
    exchange(&emulator, &client, &back).await;
    let listed = emulator
        .idp
        .admin_get_user_auth_factors()
        .user_pool_id(&pool)
        .username("hana")
        .send()
        .await
        .unwrap();
    assert!(listed
        .configured_user_auth_factors()
        .contains(&AuthFactorType::WebAuthn));

    // A new browser signs in with it.
    let mut browser = Browser::new(&emulator.url);
    let page = choices(&mut browser, &client, "hana").await;
    let page = submit(
        &mut browser,
        &page,
        "cognitoChoiceForm",
        &[("method", "WEB_AUTHN")],
    )
    .await;
    let credential = authenticator.assert(&page_options(&page), ORIGIN, &Bend::default());
    let signed_in = with_credential(&mut browser, &page, &credential).await;
    let claims = exchange(&emulator, &client, &signed_in).await;
    assert_eq!(claims["cognito:username"], "hana");
    emulator.stop().await;
}
