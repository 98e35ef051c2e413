//! Self-service sign-up, confirmation and password recovery, with codes read from the
//! emulator's message endpoint.

use aws_sdk_cognitoidentityprovider::types::{
    AliasAttributeType, AttributeType, AuthFlowType, DeliveryMediumType,
    ExplicitAuthFlowsType as Flow, VerifiedAttributeType,
};
use serde_json::json;

use crate::common::{err, start, Emulator};

async fn pool_and_client(emulator: &Emulator) -> (String, String) {
    let pool_id = emulator
        .idp
        .create_user_pool()
        .pool_name("self-service")
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .alias_attributes(AliasAttributeType::Email)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let client_id = emulator
        .client_with_flows(
            &pool_id,
            "web",
            &[Flow::AllowUserPasswordAuth, Flow::AllowRefreshTokenAuth],
        )
        .await;
    (pool_id, client_id)
}

/// The code of the newest kept message for `username` with `trigger`.
async fn latest_code(emulator: &Emulator, pool_id: &str, username: &str, trigger: &str) -> String {
    let messages = emulator.messages(pool_id, Some(username)).await;
    let message = messages
        .iter()
        .rev()
        .find(|m| m["trigger"] == trigger)
        .expect("a kept message");
    let code = message["code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 6);
    assert!(code.bytes().all(|b| b.is_ascii_digit()));
    assert!(message["body"].as_str().unwrap().contains(&code));
    code
}

async fn login(
    emulator: &Emulator,
    client_id: &str,
    username: &str,
    password: &str,
) -> Result<String, (String, String)> {
    emulator
        .idp
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("PASSWORD", password)
        .send()
        .await
        .map(|o| o.authentication_result.unwrap().access_token.unwrap())
        .map_err(err)
}

#[tokio::test]
async fn sign_up_confirm_and_sign_in() {
    let emulator = start().await;
    let (pool_id, client_id) = pool_and_client(&emulator).await;
    let email = |v: &str| {
        AttributeType::builder()
            .name("email")
            .value(v)
            .build()
            .unwrap()
    };
    let signed_up = emulator
        .idp
        .sign_up()
        .client_id(&client_id)
        .username("carol")
        .password("Carol!pass1")
        .user_attributes(email("carol@example.com"))
        .send()
        .await
        .unwrap();
    assert!(!signed_up.user_confirmed);
    assert_eq!(signed_up.user_sub.len(), 36);
    let details = signed_up.code_delivery_details.unwrap();
    assert_eq!(details.destination.as_deref(), Some("c***@e***"));
    assert_eq!(details.delivery_medium, Some(DeliveryMediumType::Email));
    assert_eq!(details.attribute_name.as_deref(), Some("email"));

    assert_eq!(
        login(&emulator, &client_id, "carol", "Carol!pass1")
            .await
            .unwrap_err(),
        (
            "UserNotConfirmedException".into(),
            "User is not confirmed.".into()
        )
    );
    let duplicate = emulator
        .idp
        .sign_up()
        .client_id(&client_id)
        .username("carol")
        .password("Carol!pass1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(duplicate),
        (
            "UsernameExistsException".into(),
            "User already exists".into()
        )
    );
    let weak = emulator
        .idp
        .sign_up()
        .client_id(&client_id)
        .username("dave")
        .password("short")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(weak),
        (
            "InvalidPasswordException".into(),
            "Password did not conform with policy: Password not long enough".into()
        )
    );

    let code = latest_code(&emulator, &pool_id, "carol", "SignUp").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let mismatch = emulator
        .idp
        .confirm_sign_up()
        .client_id(&client_id)
        .username("carol")
        .confirmation_code(wrong)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(mismatch),
        (
            "CodeMismatchException".into(),
            "Invalid verification code provided, please try again.".into()
        )
    );
    emulator
        .idp
        .confirm_sign_up()
        .client_id(&client_id)
        .username("carol")
        .confirmation_code(&code)
        .send()
        .await
        .unwrap();
    let again = emulator
        .idp
        .confirm_sign_up()
        .client_id(&client_id)
        .username("carol")
        .confirmation_code(&code)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(again),
        (
            "NotAuthorizedException".into(),
            "User cannot be confirmed. Current status is CONFIRMED".into()
        )
    );
    let resend = emulator
        .idp
        .resend_confirmation_code()
        .client_id(&client_id)
        .username("carol")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(resend),
        (
            "InvalidParameterException".into(),
            "User is already confirmed.".into()
        )
    );

    let carol = emulator
        .idp
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("carol")
        .send()
        .await
        .unwrap();
    assert_eq!(carol.user_status.unwrap().as_str(), "CONFIRMED");
    assert!(carol
        .user_attributes
        .unwrap()
        .iter()
        .any(|a| a.name == "email_verified" && a.value.as_deref() == Some("true")));
    // The verified e-mail is now a sign-in alias.
    assert!(
        login(&emulator, &client_id, "carol@example.com", "Carol!pass1")
            .await
            .is_ok()
    );

    let unknown = emulator
        .idp
        .confirm_sign_up()
        .client_id(&client_id)
        .username("nobody")
        .confirmation_code("123456")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(unknown),
        (
            "UserNotFoundException".into(),
            "Username/client id combination not found.".into()
        )
    );
}

#[tokio::test]
async fn resend_expiry_and_attempt_limit() {
    let emulator = start().await;
    let (pool_id, client_id) = pool_and_client(&emulator).await;
    emulator
        .idp
        .sign_up()
        .client_id(&client_id)
        .username("erin")
        .password("Erin!pass12")
        .user_attributes(
            AttributeType::builder()
                .name("email")
                .value("erin@example.com")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let first = latest_code(&emulator, &pool_id, "erin", "SignUp").await;
    emulator.app.clock.advance(86_401.0);
    let expired = emulator
        .idp
        .confirm_sign_up()
        .client_id(&client_id)
        .username("erin")
        .confirmation_code(&first)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(expired),
        (
            "ExpiredCodeException".into(),
            "Invalid code provided, please request a code again.".into()
        )
    );
    let resent = emulator
        .idp
        .resend_confirmation_code()
        .client_id(&client_id)
        .username("erin")
        .send()
        .await
        .unwrap();
    assert_eq!(
        resent
            .code_delivery_details
            .unwrap()
            .attribute_name
            .as_deref(),
        Some("email")
    );
    let code = latest_code(&emulator, &pool_id, "erin", "ResendCode").await;
    // Five wrong codes, then the limit (raw calls: SDKs retry LimitExceededException).
    let wrong = if code == "999999" { "888888" } else { "999999" };
    for _ in 0..5 {
        let (_, body) = emulator
            .idp_call(
                "ConfirmSignUp",
                json!({"ClientId": client_id, "Username": "erin", "ConfirmationCode": wrong}),
            )
            .await;
        assert_eq!(body["__type"], "CodeMismatchException");
    }
    let (status, body) = emulator
        .idp_call(
            "ConfirmSignUp",
            json!({"ClientId": client_id, "Username": "erin", "ConfirmationCode": code}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["__type"], "LimitExceededException");
    assert_eq!(
        body["message"],
        "Attempt limit exceeded, please try after some time."
    );
}

#[tokio::test]
async fn forgot_password_and_admin_reset() {
    let emulator = start().await;
    let (pool_id, client_id) = pool_and_client(&emulator).await;
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("frank")
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
        .user_attributes(
            AttributeType::builder()
                .name("email")
                .value("frank@example.com")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    emulator
        .set_password(&pool_id, "frank", "Frank!pass1")
        .await;
    // No verified channel yet.
    let unverified = emulator
        .idp
        .forgot_password()
        .client_id(&client_id)
        .username("frank")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(unverified),
        (
            "InvalidParameterException".into(),
            "Cannot reset password for the user as there is no registered/verified email or phone_number".into()
        )
    );
    emulator
        .idp
        .admin_update_user_attributes()
        .user_pool_id(&pool_id)
        .username("frank")
        .user_attributes(
            AttributeType::builder()
                .name("email_verified")
                .value("true")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let forgot = emulator
        .idp
        .forgot_password()
        .client_id(&client_id)
        .username("frank")
        .send()
        .await
        .unwrap();
    assert_eq!(
        forgot.code_delivery_details.unwrap().destination.as_deref(),
        Some("f***@e***")
    );
    let code = latest_code(&emulator, &pool_id, "frank", "ForgotPassword").await;
    let confirm = |code: String, password: &'static str| {
        emulator
            .idp
            .confirm_forgot_password()
            .client_id(&client_id)
            .username("frank")
            .confirmation_code(code)
            .password(password)
            .send()
    };
    let weak = confirm(code.clone(), "weak").await.unwrap_err();
    assert_eq!(err(weak).0, "InvalidPasswordException");
    emulator.app.clock.advance(3_601.0);
    let expired = confirm(code, "Frank!new12").await.unwrap_err();
    assert_eq!(err(expired).0, "ExpiredCodeException");
    emulator
        .idp
        .forgot_password()
        .client_id(&client_id)
        .username("frank")
        .send()
        .await
        .unwrap();
    let code = latest_code(&emulator, &pool_id, "frank", "ForgotPassword").await;
    confirm(code, "Frank!new12").await.unwrap();
    assert_eq!(
        login(&emulator, &client_id, "frank", "Frank!pass1")
            .await
            .unwrap_err(),
        (
            "NotAuthorizedException".to_string(),
            "Incorrect username or password.".to_string()
        )
    );
    assert!(login(&emulator, &client_id, "frank", "Frank!new12")
        .await
        .is_ok());

    // An administrator forces a reset.
    emulator
        .idp
        .admin_reset_user_password()
        .user_pool_id(&pool_id)
        .username("frank")
        .send()
        .await
        .unwrap();
    assert_eq!(
        login(&emulator, &client_id, "frank", "Frank!new12")
            .await
            .unwrap_err(),
        (
            "PasswordResetRequiredException".into(),
            "Password reset required for the user".into()
        )
    );
    let code = latest_code(&emulator, &pool_id, "frank", "AdminResetUserPassword").await;
    confirm(code, "Frank!third3").await.unwrap();
    let frank = emulator
        .idp
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("frank")
        .send()
        .await
        .unwrap();
    assert_eq!(frank.user_status.unwrap().as_str(), "CONFIRMED");
    assert!(login(&emulator, &client_id, "frank", "Frank!third3")
        .await
        .is_ok());

    let unknown = emulator
        .idp
        .forgot_password()
        .client_id(&client_id)
        .username("nobody")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(unknown),
        (
            "UserNotFoundException".into(),
            "Username/client id combination not found.".into()
        )
    );
}

#[tokio::test]
async fn users_manage_their_own_attributes_and_account() {
    let emulator = start().await;
    let pool_id = emulator
        .idp
        .create_user_pool()
        .pool_name("profile")
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .user_attribute_update_settings(
            aws_sdk_cognitoidentityprovider::types::UserAttributeUpdateSettingsType::builder()
                .attributes_require_verification_before_update(VerifiedAttributeType::Email)
                .build(),
        )
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let client_id = emulator
        .client_with_flows(&pool_id, "web", &[Flow::AllowUserPasswordAuth])
        .await;
    let attribute = |n: &str, v: &str| AttributeType::builder().name(n).value(v).build().unwrap();
    emulator
        .idp
        .sign_up()
        .client_id(&client_id)
        .username("gina")
        .password("Gina!pass12")
        .user_attributes(attribute("email", "gina@example.com"))
        .send()
        .await
        .unwrap();
    let code = latest_code(&emulator, &pool_id, "gina", "SignUp").await;
    emulator
        .idp
        .confirm_sign_up()
        .client_id(&client_id)
        .username("gina")
        .confirmation_code(code)
        .send()
        .await
        .unwrap();
    let access = login(&emulator, &client_id, "gina", "Gina!pass12")
        .await
        .unwrap();
    let attributes_now = || async {
        let user = emulator
            .idp
            .get_user()
            .access_token(&access)
            .send()
            .await
            .unwrap();
        user.user_attributes
            .into_iter()
            .map(|a| (a.name, a.value.unwrap_or_default()))
            .collect::<std::collections::BTreeMap<_, _>>()
    };

    // A new e-mail waits for verification; the old one stays meanwhile.
    let updated = emulator
        .idp
        .update_user_attributes()
        .access_token(&access)
        .user_attributes(attribute("email", "gina@new.example"))
        .user_attributes(attribute("given_name", "Gina"))
        .send()
        .await
        .unwrap();
    let details = updated.code_delivery_details_list.unwrap();
    assert_eq!(details.len(), 1);
    assert_eq!(details[0].destination.as_deref(), Some("g***@n***"));
    let current = attributes_now().await;
    assert_eq!(current["email"], "gina@example.com");
    assert_eq!(current["email_verified"], "true");
    assert_eq!(current["given_name"], "Gina");
    let code = latest_code(&emulator, &pool_id, "gina", "UpdateUserAttribute").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let mismatch = emulator
        .idp
        .verify_user_attribute()
        .access_token(&access)
        .attribute_name("email")
        .code(wrong)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(mismatch).0, "CodeMismatchException");
    emulator
        .idp
        .verify_user_attribute()
        .access_token(&access)
        .attribute_name("email")
        .code(code)
        .send()
        .await
        .unwrap();
    let current = attributes_now().await;
    assert_eq!(current["email"], "gina@new.example");
    assert_eq!(current["email_verified"], "true");

    // Users cannot mark their own attributes verified.
    let forged = emulator
        .idp
        .update_user_attributes()
        .access_token(&access)
        .user_attributes(attribute("phone_number_verified", "true"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(forged),
        (
            "NotAuthorizedException".into(),
            "A client attempted to write unauthorized attribute".into()
        )
    );

    // A fresh code on request.
    let requested = emulator
        .idp
        .get_user_attribute_verification_code()
        .access_token(&access)
        .attribute_name("email")
        .send()
        .await
        .unwrap();
    assert_eq!(
        requested
            .code_delivery_details
            .unwrap()
            .attribute_name
            .as_deref(),
        Some("email")
    );
    let code = latest_code(&emulator, &pool_id, "gina", "VerifyUserAttribute").await;
    emulator
        .idp
        .verify_user_attribute()
        .access_token(&access)
        .attribute_name("email")
        .code(code)
        .send()
        .await
        .unwrap();

    emulator
        .idp
        .delete_user_attributes()
        .access_token(&access)
        .user_attribute_names("given_name")
        .send()
        .await
        .unwrap();
    assert!(!attributes_now().await.contains_key("given_name"));
    emulator
        .idp
        .set_user_settings()
        .access_token(&access)
        .set_mfa_options(Some(vec![]))
        .send()
        .await
        .unwrap();

    emulator
        .idp
        .delete_user()
        .access_token(&access)
        .send()
        .await
        .unwrap();
    let gone = emulator
        .idp
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("gina")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(gone),
        (
            "UserNotFoundException".into(),
            "User does not exist.".into()
        )
    );
    let stale = emulator
        .idp
        .get_user()
        .access_token(&access)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(stale),
        (
            "UserNotFoundException".into(),
            "User does not exist.".into()
        )
    );
}

#[tokio::test]
async fn messages_follow_the_pools_templates() {
    let emulator = start().await;
    let pool_id = emulator
        .idp
        .create_user_pool()
        .pool_name("templated")
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .verification_message_template(
            aws_sdk_cognitoidentityprovider::types::VerificationMessageTemplateType::builder()
                .email_message("Welcome aboard! Your code: {####}")
                .email_subject("Confirm your account")
                .build(),
        )
        .admin_create_user_config(
            aws_sdk_cognitoidentityprovider::types::AdminCreateUserConfigType::builder()
                .invite_message_template(
                    aws_sdk_cognitoidentityprovider::types::MessageTemplateType::builder()
                        .email_message("Hello {username}, use {####} to sign in.")
                        .email_subject("Your new account")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let client_id = emulator
        .idp
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("web")
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    emulator
        .idp
        .sign_up()
        .client_id(&client_id)
        .username("ivy")
        .password("Ivy!passw0rd")
        .user_attributes(
            AttributeType::builder()
                .name("email")
                .value("ivy@example.com")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let code = latest_code(&emulator, &pool_id, "ivy", "SignUp").await;
    let messages = emulator.messages(&pool_id, Some("ivy@example.com")).await;
    assert_eq!(
        messages[0]["body"],
        format!("Welcome aboard! Your code: {code}")
    );
    assert_eq!(messages[0]["subject"], "Confirm your account");
    assert_eq!(messages[0]["deliveryMedium"], "EMAIL");

    emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("jay")
        .temporary_password("Temp0rary!pass")
        .desired_delivery_mediums(DeliveryMediumType::Email)
        .user_attributes(
            AttributeType::builder()
                .name("email")
                .value("jay@example.com")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let invitation = emulator.messages(&pool_id, Some("jay")).await;
    assert_eq!(
        invitation[0]["body"],
        "Hello jay, use Temp0rary!pass to sign in."
    );
    assert_eq!(invitation[0]["subject"], "Your new account");
}

#[tokio::test]
async fn alias_conflicts_at_confirmation_and_force_alias_creation() {
    let emulator = start().await;
    let (pool_id, client_id) = pool_and_client(&emulator).await;
    let email = |v: &str| {
        AttributeType::builder()
            .name("email")
            .value(v)
            .build()
            .unwrap()
    };
    // Users cannot vouch for their own address.
    let forged = emulator
        .idp
        .sign_up()
        .client_id(&client_id)
        .username("mallory")
        .password("Mallory!pass1")
        .user_attributes(email("shared@example.com"))
        .user_attributes(
            AttributeType::builder()
                .name("email_verified")
                .value("true")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(forged),
        (
            "NotAuthorizedException".into(),
            "A client attempted to write unauthorized attribute".into()
        )
    );

    for name in ["first", "second"] {
        emulator
            .idp
            .sign_up()
            .client_id(&client_id)
            .username(name)
            .password("Shared!pass1")
            .user_attributes(email("shared@example.com"))
            .send()
            .await
            .unwrap();
    }
    let code = latest_code(&emulator, &pool_id, "first", "SignUp").await;
    emulator
        .idp
        .confirm_sign_up()
        .client_id(&client_id)
        .username("first")
        .confirmation_code(code)
        .send()
        .await
        .unwrap();
    // The verified e-mail is now first's alias: second cannot confirm with it...
    let code = latest_code(&emulator, &pool_id, "second", "SignUp").await;
    let conflict = emulator
        .idp
        .confirm_sign_up()
        .client_id(&client_id)
        .username("second")
        .confirmation_code(&code)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(conflict),
        (
            "AliasExistsException".into(),
            "An account with the email already exists.".into()
        )
    );
    // ...unless it forces the alias over, with the same code.
    emulator
        .idp
        .confirm_sign_up()
        .client_id(&client_id)
        .username("second")
        .confirmation_code(&code)
        .force_alias_creation(true)
        .send()
        .await
        .unwrap();
    let first = emulator
        .idp
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("first")
        .send()
        .await
        .unwrap();
    assert!(first
        .user_attributes
        .unwrap()
        .iter()
        .any(|a| a.name == "email_verified" && a.value.as_deref() == Some("false")));
    let by_alias = emulator
        .idp
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("shared@example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(by_alias.username, "second");
}

#[tokio::test]
async fn password_reset_needs_an_enabled_user_without_a_temporary_password() {
    let emulator = start().await;
    let (pool_id, client_id) = pool_and_client(&emulator).await;
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("gina")
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
        .user_attributes(
            AttributeType::builder()
                .name("email")
                .value("gina@example.com")
                .build()
                .unwrap(),
        )
        .user_attributes(
            AttributeType::builder()
                .name("email_verified")
                .value("true")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let forgot = || {
        emulator
            .idp
            .forgot_password()
            .client_id(&client_id)
            .username("gina")
            .send()
    };
    let admin_reset = || {
        emulator
            .idp
            .admin_reset_user_password()
            .user_pool_id(&pool_id)
            .username("gina")
            .send()
    };
    let state = (
        "NotAuthorizedException".to_string(),
        "User password cannot be reset in the current state.".to_string(),
    );
    // FORCE_CHANGE_PASSWORD.
    assert_eq!(err(forgot().await.unwrap_err()), state);
    assert_eq!(err(admin_reset().await.unwrap_err()), state);

    emulator.set_password(&pool_id, "gina", "Gina!pass1").await;
    emulator
        .idp
        .admin_disable_user()
        .user_pool_id(&pool_id)
        .username("gina")
        .send()
        .await
        .unwrap();
    let disabled = (
        "NotAuthorizedException".to_string(),
        "User is disabled.".to_string(),
    );
    assert_eq!(err(admin_reset().await.unwrap_err()), disabled);
    assert_eq!(err(forgot().await.unwrap_err()), disabled);
    let gina = emulator
        .idp
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("gina")
        .send()
        .await
        .unwrap();
    assert_eq!(gina.user_status.unwrap().as_str(), "CONFIRMED", "unchanged");
}

/// A confirmed user with a verified e-mail and a password, in a pool from [`pool_and_client`].
async fn verified_user(emulator: &Emulator, pool_id: &str, username: &str, password: &str) {
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(pool_id)
        .username(username)
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
        .user_attributes(
            AttributeType::builder()
                .name("email")
                .value(format!("{username}@example.com"))
                .build()
                .unwrap(),
        )
        .user_attributes(
            AttributeType::builder()
                .name("email_verified")
                .value("true")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    emulator.set_password(pool_id, username, password).await;
}

/// LimitExceededException as Cognito words it, from a raw call (SDKs retry it).
fn assert_limit_exceeded(status: u16, body: &serde_json::Value) {
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["__type"], "LimitExceededException");
    assert_eq!(
        body["message"],
        "Attempt limit exceeded, please try after some time."
    );
}

#[tokio::test]
async fn asking_for_codes_too_often_is_refused_per_user_until_time_passes() {
    let emulator = start().await;
    let (pool_id, client_id) = pool_and_client(&emulator).await;
    verified_user(&emulator, &pool_id, "gina", "Gina!pass12").await;
    verified_user(&emulator, &pool_id, "hugo", "Hugo!pass12").await;
    let forgot = |username: &'static str| {
        emulator.idp_call(
            "ForgotPassword",
            json!({"ClientId": client_id, "Username": username}),
        )
    };
    // Five requests an hour, then refused (the limit is per user: hugo may still ask).
    for _ in 0..5 {
        let (status, body) = forgot("gina").await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, body) = forgot("gina").await;
    assert_limit_exceeded(status, &body);
    let (status, body) = forgot("hugo").await;
    assert_eq!(status, 200, "{body}");
    // A refused request sent nothing: the last code still works.
    let sent = emulator.messages(&pool_id, Some("gina")).await.len();
    assert_eq!(sent, 5);
    // Requests leave the window an hour later.
    emulator.advance_clock(3_601.0).await;
    for _ in 0..5 {
        let (status, body) = forgot("gina").await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, body) = forgot("gina").await;
    assert_limit_exceeded(status, &body);

    // GetUserAttributeVerificationCode counts the same way.
    let access = login(&emulator, &client_id, "hugo", "Hugo!pass12")
        .await
        .unwrap();
    let verification_code = || {
        emulator.idp_call(
            "GetUserAttributeVerificationCode",
            json!({"AccessToken": access, "AttributeName": "email"}),
        )
    };
    // (hugo's ForgotPassword left the window with the clock.)
    for _ in 0..5 {
        let (status, body) = verification_code().await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, body) = verification_code().await;
    assert_limit_exceeded(status, &body);

    // ResendConfirmationCode too (SignUp's own code does not count).
    emulator
        .idp
        .sign_up()
        .client_id(&client_id)
        .username("ivan")
        .password("Ivan!pass12")
        .user_attributes(
            AttributeType::builder()
                .name("email")
                .value("ivan@example.com")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    for _ in 0..5 {
        let (status, body) = emulator
            .idp_call(
                "ResendConfirmationCode",
                json!({"ClientId": client_id, "Username": "ivan"}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, body) = emulator
        .idp_call(
            "ResendConfirmationCode",
            json!({"ClientId": client_id, "Username": "ivan"}),
        )
        .await;
    assert_limit_exceeded(status, &body);
}

#[tokio::test]
async fn a_reset_or_verification_code_dies_after_five_wrong_guesses() {
    let emulator = start().await;
    let (pool_id, client_id) = pool_and_client(&emulator).await;
    verified_user(&emulator, &pool_id, "jane", "Jane!pass12").await;
    let (status, _) = emulator
        .idp_call(
            "ForgotPassword",
            json!({"ClientId": client_id, "Username": "jane"}),
        )
        .await;
    assert_eq!(status, 200);
    let code = latest_code(&emulator, &pool_id, "jane", "ForgotPassword").await;
    let wrong = if code == "999999" { "888888" } else { "999999" };
    let confirm = |code: &str| {
        emulator.idp_call(
            "ConfirmForgotPassword",
            json!({"ClientId": client_id, "Username": "jane", "ConfirmationCode": code, "Password": "Jane!new123"}),
        )
    };
    for _ in 0..5 {
        let (status, body) = confirm(wrong).await;
        assert_eq!(status, 400);
        assert_eq!(body["__type"], "CodeMismatchException");
        assert_eq!(
            body["message"],
            "Invalid verification code provided, please try again."
        );
    }
    // Even the right code is refused now, and the password is unchanged.
    let (status, body) = confirm(&code).await;
    assert_limit_exceeded(status, &body);
    let access = login(&emulator, &client_id, "jane", "Jane!pass12")
        .await
        .unwrap();
    // A new code works.
    emulator
        .idp_call(
            "ForgotPassword",
            json!({"ClientId": client_id, "Username": "jane"}),
        )
        .await;
    let code = latest_code(&emulator, &pool_id, "jane", "ForgotPassword").await;
    let (status, body) = confirm(&code).await;
    assert_eq!(status, 200, "{body}");

    // VerifyUserAttribute shares the limit.
    let (status, _) = emulator
        .idp_call(
            "GetUserAttributeVerificationCode",
            json!({"AccessToken": access, "AttributeName": "email"}),
        )
        .await;
    assert_eq!(status, 200);
    let code = latest_code(&emulator, &pool_id, "jane", "VerifyUserAttribute").await;
    let wrong = if code == "999999" { "888888" } else { "999999" };
    let verify = |code: &str| {
        emulator.idp_call(
            "VerifyUserAttribute",
            json!({"AccessToken": access, "AttributeName": "email", "Code": code}),
        )
    };
    for _ in 0..5 {
        let (_, body) = verify(wrong).await;
        assert_eq!(body["__type"], "CodeMismatchException");
    }
    let (status, body) = verify(&code).await;
    assert_limit_exceeded(status, &body);
}
