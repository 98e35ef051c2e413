//! The hosted sign-in's MFA_SETUP page over HTTP: an authenticator app set up inside the
//! sign-in (secret, key URI and inline QR code; the first code verifies it) and asked for at
//! the next sign-in, an e-mail address set up instead, and a hostile username escaped on
//! every page.

use aws_sdk_cognitoidentityprovider::types::UserPoolMfaType;

use crate::common::start;
use crate::hosted_mfa::{
    error_of, exchange, form, hidden, last_code, mfa_pool, mfa_user, password_step, submit,
    totp_code, Factors, CALLBACK,
};
use crate::oauth::Browser;
#[tokio::test]
async fn totp_set_up_inside_the_sign_in_then_asked_for() {
    let emulator = start().await;
    let factors = Factors {
        sms: false,
        totp: true,
        email: false,
    };
    let (pool, client) = mfa_pool(
        &emulator,
        "Hosted TOTP",
        UserPoolMfaType::On,
        factors,
        CALLBACK,
    )
    .await;
    mfa_user(&emulator, &pool, "dave", &[]).await;
    let mut browser = Browser::new(&emulator.url);
    let page = password_step(&mut browser, &client, "dave").await;
    let (_, fields) = form(&page.body, "cognitoTotpSetupForm");
    assert_eq!(hidden(&fields, "challenge"), "MFA_SETUP");
    let secret = hidden(&fields, "secret").to_string();
    assert_eq!(secret.len(), 32);
    assert!(page
        .body
        .contains(&format!("<code id=\"totpSecret\">{secret}</code>")));
    // The key URI, as a link and as a QR code drawn inline (nothing fetched).
    let uri = format!("otpauth://totp/Hosted%20TOTP:dave?secret={secret}&amp;issuer=Hosted%20TOTP");
    assert!(
        page.body.contains(&format!("href=\"{uri}\"")),
        "{}",
        page.body
    );
    assert!(page
        .body
        .contains("<div class=\"qr\" id=\"totpQrCode\"><svg"));
    assert!(!page.body.contains("<img"));
    // No e-mail set-up where the pool does not offer e-mail MFA.
    assert!(!page.body.contains("cognitoEmailMfaSetupForm"));

    let wrong = submit(
        &mut browser,
        &page,
        "cognitoTotpSetupForm",
        &[("authentication_code", "000000"), ("device_name", "")],
    )
    .await;
    assert_eq!(error_of(&wrong), "Code mismatch");
    let (_, again) = form(&wrong.body, "cognitoTotpSetupForm");
    assert_eq!(hidden(&again, "session"), hidden(&fields, "session"));
    assert_eq!(hidden(&again, "secret"), secret);
    let code = totp_code(&emulator, &secret, 0);
    let done = submit(
        &mut browser,
        &wrong,
        "cognitoTotpSetupForm",
        &[
            ("authentication_code", &code),
            ("device_name", "my <phone>"),
        ],
    )
    .await;
    let claims = exchange(&emulator, &client, &done).await;
    assert_eq!(claims["cognito:username"], "dave");
    let user = emulator
        .idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username("dave")
        .send()
        .await
        .unwrap();
    assert_eq!(user.preferred_mfa_setting(), Some("SOFTWARE_TOKEN_MFA"));

    // The next sign-in asks for the app's code, naming the device.
    let mut browser = Browser::new(&emulator.url);
    let page = password_step(&mut browser, &client, "dave").await;
    assert!(
        page.body.contains("Enter the code from your authenticator app (my &lt;phone&gt;) to complete authentication."),
        "{}",
        page.body
    );
    let (_, fields) = form(&page.body, "cognitoMfaForm");
    assert_eq!(hidden(&fields, "challenge"), "SOFTWARE_TOKEN_MFA");
    // The code that verified the app is spent.
    let used = submit(
        &mut browser,
        &page,
        "cognitoMfaForm",
        &[("authentication_code", &code)],
    )
    .await;
    assert_eq!(
        error_of(&used),
        "Your software token has already been used once."
    );
    let next = totp_code(&emulator, &secret, 1);
    let done = submit(
        &mut browser,
        &used,
        "cognitoMfaForm",
        &[("authentication_code", &next)],
    )
    .await;
    let claims = exchange(&emulator, &client, &done).await;
    assert_eq!(claims["cognito:username"], "dave");
    emulator.stop().await;
}

#[tokio::test]
async fn mfa_setup_with_an_email_address() {
    let emulator = start().await;
    let factors = Factors {
        sms: false,
        totp: true,
        email: true,
    };
    let (pool, client) = mfa_pool(
        &emulator,
        "hosted-setup",
        UserPoolMfaType::On,
        factors,
        CALLBACK,
    )
    .await;
    mfa_user(&emulator, &pool, "fay", &[]).await;
    let mut browser = Browser::new(&emulator.url);
    let page = password_step(&mut browser, &client, "fay").await;
    // Both ways are offered, on the Session AssociateSoftwareToken handed out.
    let (_, totp) = form(&page.body, "cognitoTotpSetupForm");
    let (_, email) = form(&page.body, "cognitoEmailMfaSetupForm");
    assert_eq!(hidden(&totp, "session"), hidden(&email, "session"));
    let bad = submit(
        &mut browser,
        &page,
        "cognitoEmailMfaSetupForm",
        &[("email", "not-an-address")],
    )
    .await;
    assert_eq!(error_of(&bad), "Invalid email address format.");
    assert!(bad.body.contains("cognitoTotpSetupForm"));
    let sent = submit(
        &mut browser,
        &bad,
        "cognitoEmailMfaSetupForm",
        &[("email", "fay@example.com")],
    )
    .await;
    assert!(
        sent.body.contains("by email to f***@e***."),
        "{}",
        sent.body
    );
    let (_, fields) = form(&sent.body, "cognitoMfaForm");
    assert_eq!(hidden(&fields, "challenge"), "EMAIL_OTP");
    let (code, message) = last_code(&emulator, &pool, "fay").await;
    assert_eq!(message["destination"], "fay@example.com");
    let done = submit(
        &mut browser,
        &sent,
        "cognitoMfaForm",
        &[("authentication_code", &code)],
    )
    .await;
    let claims = exchange(&emulator, &client, &done).await;
    assert_eq!(claims["email"], "fay@example.com");
    let user = emulator
        .idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username("fay")
        .send()
        .await
        .unwrap();
    assert_eq!(user.preferred_mfa_setting(), Some("EMAIL_OTP"));
    emulator.stop().await;
}

#[tokio::test]
async fn a_hostile_username_is_escaped_on_the_mfa_pages() {
    let emulator = start().await;
    let factors = Factors {
        sms: true,
        totp: true,
        email: false,
    };
    let (pool, client) = mfa_pool(
        &emulator,
        "hosted-xss",
        UserPoolMfaType::On,
        factors,
        CALLBACK,
    )
    .await;
    let hostile = "\"><script>alert(1)</script>";
    mfa_user(
        &emulator,
        &pool,
        hostile,
        &[("phone_number", "+15555550000")],
    )
    .await;
    mfa_user(&emulator, &pool, "<img/src=x/onerror=alert(2)>", &[]).await;
    let mut browser = Browser::new(&emulator.url);
    let page = password_step(&mut browser, &client, hostile).await;
    assert!(!page.body.contains("<script>"), "{}", page.body);
    assert!(page
        .body
        .contains("value=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\""));
    let (_, fields) = form(&page.body, "cognitoMfaForm");
    assert_eq!(hidden(&fields, "username"), hostile);
    // The wrong-code page echoes the fields back, escaped as well.
    let again = submit(
        &mut browser,
        &page,
        "cognitoMfaForm",
        &[("authentication_code", "<b>")],
    )
    .await;
    assert_eq!(error_of(&again), "Invalid code or auth state for the user.");
    assert!(!again.body.contains("<script>") && !again.body.contains("<b>"));
    let (code, _) = last_code(&emulator, &pool, hostile).await;
    let done = submit(
        &mut browser,
        &again,
        "cognitoMfaForm",
        &[("authentication_code", &code)],
    )
    .await;
    let claims = exchange(&emulator, &client, &done).await;
    assert_eq!(claims["cognito:username"], hostile);

    // The set-up page: the name is percent-encoded in the key URI and escaped in the fields.
    let mut browser = Browser::new(&emulator.url);
    let page = password_step(&mut browser, &client, "<img/src=x/onerror=alert(2)>").await;
    assert!(page.body.contains("cognitoTotpSetupForm"), "{}", page.body);
    assert!(!page.body.contains("<img"));
    assert!(page.body.contains(
        "otpauth://totp/hosted-xss:%3Cimg%2Fsrc%3Dx%2Fonerror%3Dalert%282%29%3E?secret="
    ));
    // Posted without its CSRF token, the set-up form is refused.
    let (action, fields) = form(&page.body, "cognitoTotpSetupForm");
    let forged: Vec<(&str, &str)> = fields
        .iter()
        .filter(|(n, _)| n != "_csrf")
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    assert_eq!(browser.post_form(&action, &forged).await.status, 403);
    emulator.stop().await;
}
