//! MFA: software tokens (set up with an access token and inside sign-in), SMS and e-mail
//! codes, SELECT_MFA_TYPE and MFA_SETUP, with codes from an independent TOTP library and
//! from the emulator's message endpoint.

use std::collections::HashMap;

use aws_sdk_cognitoidentityprovider::types::EmailMfaSettingsType;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, AuthFlowType, ChallengeNameType, EmailConfigurationType, EmailMfaConfigType,
    EmailSendingAccountType, ExplicitAuthFlowsType as Flow, SmsConfigurationType, SmsMfaConfigType,
    SmsMfaSettingsType, SoftwareTokenMfaConfigType, SoftwareTokenMfaSettingsType, UserPoolMfaType,
    VerifySoftwareTokenResponseType,
};
use totp_rs::{Algorithm, Secret, TOTP};

use crate::common::{err, start, Emulator};

const PASSWORD: &str = "Mfa!passw0rd";

/// The code of `secret` for the emulator's current time plus `steps` steps.
pub fn totp_code(emulator: &Emulator, secret: &str, steps: i64) -> String {
    let key = Secret::Encoded(secret.to_string()).to_bytes().unwrap();
    let totp = TOTP::new(Algorithm::SHA1, 6, 1, 30, key).unwrap();
    let now = emulator.app.clock.now() as i64 + steps * 30;
    totp.generate(now as u64)
}

struct Setup {
    pool_id: String,
    client_id: String,
}

/// A pool with the given MFA configuration, an SES-sending e-mail configuration and an
/// SMS configuration, and a client allowing password sign-in.
async fn pool(
    emulator: &Emulator,
    mfa: UserPoolMfaType,
    sms: bool,
    totp: bool,
    email: bool,
) -> Setup {
    let pool_id = emulator
        .idp
        .create_user_pool()
        .pool_name("mfa")
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
        .user_pool_id(&pool_id)
        .mfa_configuration(mfa);
    if sms {
        config = config.sms_mfa_configuration(
            SmsMfaConfigType::builder()
                .sms_authentication_message("Your code: {####}")
                .sms_configuration(
                    SmsConfigurationType::builder()
                        .sns_caller_arn("arn:aws:iam::123456789012:role/sns")
                        .build(),
                )
                .build(),
        );
    }
    if totp {
        config = config.software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        );
    }
    if email {
        config = config.email_mfa_configuration(
            EmailMfaConfigType::builder()
                .message("Sign-in code {####}")
                .subject("Your sign-in code")
                .build(),
        );
    }
    config.send().await.unwrap();
    let client_id = emulator
        .client_with_flows(
            &pool_id,
            "app",
            &[
                Flow::AllowUserPasswordAuth,
                Flow::AllowUserSrpAuth,
                Flow::AllowRefreshTokenAuth,
            ],
        )
        .await;
    Setup { pool_id, client_id }
}

async fn user(emulator: &Emulator, setup: &Setup, name: &str, attributes: &[(&str, &str)]) {
    let mut create = emulator
        .idp
        .admin_create_user()
        .user_pool_id(&setup.pool_id)
        .username(name)
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress);
    for (n, v) in attributes {
        create =
            create.user_attributes(AttributeType::builder().name(*n).value(*v).build().unwrap());
    }
    create.send().await.unwrap();
    emulator.set_password(&setup.pool_id, name, PASSWORD).await;
}

async fn password_sign_in(
    emulator: &Emulator,
    setup: &Setup,
    name: &str,
) -> aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthOutput {
    emulator
        .idp
        .initiate_auth()
        .client_id(&setup.client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", name)
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap()
}

async fn respond(
    emulator: &Emulator,
    setup: &Setup,
    challenge: ChallengeNameType,
    session: &str,
    responses: &[(&str, &str)],
) -> Result<
    aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput,
    (String, String),
>{
    let mut call = emulator
        .idp
        .respond_to_auth_challenge()
        .client_id(&setup.client_id)
        .challenge_name(challenge)
        .session(session);
    for (k, v) in responses {
        call = call.challenge_responses(*k, *v);
    }
    call.send().await.map_err(err)
}

/// The newest code the emulator kept for `user`.
async fn sent_code(emulator: &Emulator, setup: &Setup, user: &str) -> (String, serde_json::Value) {
    let messages = emulator.messages(&setup.pool_id, Some(user)).await;
    let message = messages.last().expect("a message").clone();
    (message["code"].as_str().unwrap().to_string(), message)
}

#[tokio::test]
async fn software_token_set_up_with_an_access_token_then_required_at_sign_in() {
    let emulator = start().await;
    let setup = pool(&emulator, UserPoolMfaType::Optional, false, true, false).await;
    user(&emulator, &setup, "alice", &[]).await;
    // OPTIONAL and no factor turned on: tokens straight away.
    let first = password_sign_in(&emulator, &setup, "alice").await;
    let access = first.authentication_result.unwrap().access_token.unwrap();

    // No token yet: it cannot be turned on.
    let refused = emulator
        .idp
        .set_user_mfa_preference()
        .access_token(&access)
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(
        refused,
        (
            "InvalidParameterException".to_string(),
            "User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA".to_string()
        )
    );
    let unassociated = emulator
        .idp
        .verify_software_token()
        .access_token(&access)
        .user_code("123456")
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(unassociated.0, "SoftwareTokenMFANotFoundException");

    let associated = emulator
        .idp
        .associate_software_token()
        .access_token(&access)
        .send()
        .await
        .unwrap();
    let secret = associated.secret_code.unwrap();
    assert_eq!(secret.len(), 32);
    assert!(associated.session.is_none());
    // A second association hands out a different secret; the latest one counts.
    let secret2 = emulator
        .idp
        .associate_software_token()
        .access_token(&access)
        .send()
        .await
        .unwrap()
        .secret_code
        .unwrap();
    assert_ne!(secret, secret2);
    let wrong = emulator
        .idp
        .verify_software_token()
        .access_token(&access)
        .user_code(totp_code(&emulator, &secret, 0))
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(
        wrong,
        (
            "EnableSoftwareTokenMFAException".to_string(),
            "Code mismatch".to_string()
        )
    );
    let verify_code = totp_code(&emulator, &secret2, 0);
    let verified = emulator
        .idp
        .verify_software_token()
        .access_token(&access)
        .user_code(&verify_code)
        .friendly_device_name("phone")
        .send()
        .await
        .unwrap();
    assert_eq!(
        verified.status,
        Some(VerifySoftwareTokenResponseType::Success)
    );
    // Verified but not turned on: still no MFA.
    let user_now = emulator
        .idp
        .get_user()
        .access_token(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(user_now.preferred_mfa_setting, None);
    assert_eq!(user_now.user_mfa_setting_list, None);
    assert!(password_sign_in(&emulator, &setup, "alice")
        .await
        .authentication_result
        .is_some());

    emulator
        .idp
        .set_user_mfa_preference()
        .access_token(&access)
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let user_now = emulator
        .idp
        .get_user()
        .access_token(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(
        user_now.preferred_mfa_setting.as_deref(),
        Some("SOFTWARE_TOKEN_MFA")
    );
    assert_eq!(
        user_now.user_mfa_setting_list,
        Some(vec!["SOFTWARE_TOKEN_MFA".to_string()])
    );

    let challenged = password_sign_in(&emulator, &setup, "alice").await;
    assert_eq!(
        challenged.challenge_name,
        Some(ChallengeNameType::SoftwareTokenMfa)
    );
    assert!(challenged.authentication_result.is_none());
    assert_eq!(
        challenged
            .challenge_parameters
            .unwrap()
            .get("FRIENDLY_DEVICE_NAME")
            .map(String::as_str),
        Some("phone")
    );
    let session = challenged.session.unwrap();
    let bad = respond(
        &emulator,
        &setup,
        ChallengeNameType::SoftwareTokenMfa,
        &session,
        &[("USERNAME", "alice"), ("SOFTWARE_TOKEN_MFA_CODE", "000000")],
    )
    .await
    .unwrap_err();
    assert_eq!(
        bad,
        (
            "CodeMismatchException".to_string(),
            "Invalid code or auth state for the user.".to_string()
        )
    );
    // The code used to verify the token is spent.
    let reused = respond(
        &emulator,
        &setup,
        ChallengeNameType::SoftwareTokenMfa,
        &session,
        &[
            ("USERNAME", "alice"),
            ("SOFTWARE_TOKEN_MFA_CODE", &verify_code),
        ],
    )
    .await
    .unwrap_err();
    assert_eq!(reused.0, "ExpiredCodeException");
    // The session survives wrong codes; the next step's code (within the window) works.
    let next_code = totp_code(&emulator, &secret2, 1);
    let done = respond(
        &emulator,
        &setup,
        ChallengeNameType::SoftwareTokenMfa,
        &session,
        &[
            ("USERNAME", "alice"),
            ("SOFTWARE_TOKEN_MFA_CODE", &next_code),
        ],
    )
    .await
    .unwrap();
    let tokens = done.authentication_result.unwrap();
    assert!(tokens.id_token.is_some());
    assert_eq!(
        done.challenge_parameters.unwrap_or_default(),
        HashMap::new()
    );
    // A session is used once.
    let again = respond(
        &emulator,
        &setup,
        ChallengeNameType::SoftwareTokenMfa,
        &session,
        &[
            ("USERNAME", "alice"),
            ("SOFTWARE_TOKEN_MFA_CODE", &next_code),
        ],
    )
    .await
    .unwrap_err();
    assert_eq!(
        again,
        (
            "NotAuthorizedException".to_string(),
            "Invalid session for the user, session can only be used once.".to_string()
        )
    );

    // An administrator removes the token: MFA is off again for the user.
    emulator
        .idp
        .admin_delete_software_token()
        .user_pool_id(&setup.pool_id)
        .username("alice")
        .send()
        .await
        .unwrap();
    let admin_view = emulator
        .idp
        .admin_get_user()
        .user_pool_id(&setup.pool_id)
        .username("alice")
        .send()
        .await
        .unwrap();
    assert_eq!(admin_view.preferred_mfa_setting, None);
    assert_eq!(admin_view.user_mfa_setting_list, None);
    assert!(password_sign_in(&emulator, &setup, "alice")
        .await
        .authentication_result
        .is_some());
    emulator.stop().await;
}

#[tokio::test]
async fn required_sms_mfa_uses_the_phone_number_and_the_pool_message() {
    let emulator = start().await;
    let setup = pool(&emulator, UserPoolMfaType::On, true, false, false).await;
    user(
        &emulator,
        &setup,
        "bob",
        &[("phone_number", "+15555551234")],
    )
    .await;
    let challenged = password_sign_in(&emulator, &setup, "bob").await;
    assert_eq!(challenged.challenge_name, Some(ChallengeNameType::SmsMfa));
    let parameters = challenged.challenge_parameters.unwrap();
    assert_eq!(parameters["CODE_DELIVERY_DELIVERY_MEDIUM"], "SMS");
    assert_eq!(parameters["CODE_DELIVERY_DESTINATION"], "+*******1234");
    assert_eq!(parameters["USER_ID_FOR_SRP"], "bob");
    let (code, message) = sent_code(&emulator, &setup, "bob").await;
    assert_eq!(message["deliveryMedium"], "SMS");
    assert_eq!(message["destination"], "+15555551234");
    assert_eq!(message["body"], format!("Your code: {code}"));
    let session = challenged.session.unwrap();
    let missing = respond(
        &emulator,
        &setup,
        ChallengeNameType::SmsMfa,
        &session,
        &[("USERNAME", "bob")],
    )
    .await
    .unwrap_err();
    assert_eq!(
        missing,
        (
            "InvalidParameterException".to_string(),
            "Missing required parameter SMS_MFA_CODE".to_string()
        )
    );
    // Answering another challenge than the one asked is refused.
    let other = respond(
        &emulator,
        &setup,
        ChallengeNameType::SoftwareTokenMfa,
        &session,
        &[("USERNAME", "bob"), ("SOFTWARE_TOKEN_MFA_CODE", &code)],
    )
    .await
    .unwrap_err();
    assert_eq!(other.0, "NotAuthorizedException");
    let done = respond(
        &emulator,
        &setup,
        ChallengeNameType::SmsMfa,
        &session,
        &[("USERNAME", "bob"), ("SMS_MFA_CODE", &code)],
    )
    .await
    .unwrap();
    assert!(done.authentication_result.unwrap().access_token.is_some());

    // After three minutes the default session (AuthSessionValidity 3) has ended...
    let challenged = password_sign_in(&emulator, &setup, "bob").await;
    let (code, _) = sent_code(&emulator, &setup, "bob").await;
    emulator.advance_clock(190.0).await;
    let expired = respond(
        &emulator,
        &setup,
        ChallengeNameType::SmsMfa,
        challenged.session.as_deref().unwrap(),
        &[("USERNAME", "bob"), ("SMS_MFA_CODE", &code)],
    )
    .await
    .unwrap_err();
    assert_eq!(
        expired,
        (
            "NotAuthorizedException".to_string(),
            "Invalid session for the user, session is expired.".to_string()
        )
    );
    // ...and with a longer session the code itself expires after three minutes.
    let long = Setup {
        pool_id: setup.pool_id.clone(),
        client_id: emulator
            .idp
            .create_user_pool_client()
            .user_pool_id(&setup.pool_id)
            .client_name("long-sessions")
            .auth_session_validity(15)
            .explicit_auth_flows(Flow::AllowUserPasswordAuth)
            .explicit_auth_flows(Flow::AllowRefreshTokenAuth)
            .send()
            .await
            .unwrap()
            .user_pool_client
            .unwrap()
            .client_id
            .unwrap(),
    };
    let challenged = password_sign_in(&emulator, &long, "bob").await;
    let (code, _) = sent_code(&emulator, &long, "bob").await;
    emulator.advance_clock(190.0).await;
    let expired = respond(
        &emulator,
        &long,
        ChallengeNameType::SmsMfa,
        challenged.session.as_deref().unwrap(),
        &[("USERNAME", "bob"), ("SMS_MFA_CODE", &code)],
    )
    .await
    .unwrap_err();
    assert_eq!(expired.0, "ExpiredCodeException");
    emulator.stop().await;
}

#[tokio::test]
async fn wrong_codes_end_the_sign_in_after_ten() {
    let emulator = start().await;
    let setup = pool(&emulator, UserPoolMfaType::On, true, false, false).await;
    user(
        &emulator,
        &setup,
        "carol",
        &[("phone_number", "+15555550000")],
    )
    .await;
    let challenged = password_sign_in(&emulator, &setup, "carol").await;
    let session = challenged.session.unwrap();
    let (code, _) = sent_code(&emulator, &setup, "carol").await;
    let wrong = if code == "111111" { "222222" } else { "111111" };
    for _ in 0..10 {
        let refused = respond(
            &emulator,
            &setup,
            ChallengeNameType::SmsMfa,
            &session,
            &[("USERNAME", "carol"), ("SMS_MFA_CODE", wrong)],
        )
        .await
        .unwrap_err();
        assert_eq!(refused.0, "CodeMismatchException");
    }
    let ended = respond(
        &emulator,
        &setup,
        ChallengeNameType::SmsMfa,
        &session,
        &[("USERNAME", "carol"), ("SMS_MFA_CODE", &code)],
    )
    .await
    .unwrap_err();
    assert_eq!(
        ended,
        (
            "NotAuthorizedException".to_string(),
            "Invalid session for the user.".to_string()
        )
    );
    emulator.stop().await;
}

#[tokio::test]
async fn mfa_setup_inside_sign_in_with_the_session() {
    let emulator = start().await;
    let setup = pool(&emulator, UserPoolMfaType::On, false, true, false).await;
    user(&emulator, &setup, "dave", &[]).await;
    let challenged = password_sign_in(&emulator, &setup, "dave").await;
    assert_eq!(challenged.challenge_name, Some(ChallengeNameType::MfaSetup));
    let parameters = challenged.challenge_parameters.unwrap();
    assert_eq!(parameters["MFAS_CAN_SETUP"], "[\"SOFTWARE_TOKEN_MFA\"]");
    let session = challenged.session.unwrap();
    // Not verified yet: MFA_SETUP cannot be completed.
    let early = respond(
        &emulator,
        &setup,
        ChallengeNameType::MfaSetup,
        &session,
        &[("USERNAME", "dave")],
    )
    .await
    .unwrap_err();
    assert_eq!(early.0, "InvalidParameterException");
    let associated = emulator
        .idp
        .associate_software_token()
        .session(&session)
        .send()
        .await
        .unwrap();
    let secret = associated.secret_code.unwrap();
    let session2 = associated.session.unwrap();
    assert_ne!(session2, session);
    let wrong = emulator
        .idp
        .verify_software_token()
        .session(&session2)
        .user_code("000000")
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(wrong.0, "EnableSoftwareTokenMFAException");
    let verified = emulator
        .idp
        .verify_software_token()
        .session(&session2)
        .user_code(totp_code(&emulator, &secret, 0))
        .friendly_device_name("laptop")
        .send()
        .await
        .unwrap();
    assert_eq!(
        verified.status,
        Some(VerifySoftwareTokenResponseType::Success)
    );
    let session3 = verified.session.unwrap();
    // The earlier sessions are spent.
    let stale = emulator
        .idp
        .associate_software_token()
        .session(&session2)
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(stale.0, "NotAuthorizedException");
    let done = respond(
        &emulator,
        &setup,
        ChallengeNameType::MfaSetup,
        &session3,
        &[("USERNAME", "dave")],
    )
    .await
    .unwrap();
    assert!(done.authentication_result.unwrap().access_token.is_some());
    let view = emulator
        .idp
        .admin_get_user()
        .user_pool_id(&setup.pool_id)
        .username("dave")
        .send()
        .await
        .unwrap();
    assert_eq!(
        view.preferred_mfa_setting.as_deref(),
        Some("SOFTWARE_TOKEN_MFA")
    );
    // From now on the token is asked for.
    let next = password_sign_in(&emulator, &setup, "dave").await;
    assert_eq!(
        next.challenge_name,
        Some(ChallengeNameType::SoftwareTokenMfa)
    );
    emulator.stop().await;
}

#[tokio::test]
async fn several_factors_without_a_preference_ask_which() {
    let emulator = start().await;
    let setup = pool(&emulator, UserPoolMfaType::Optional, true, false, true).await;
    user(
        &emulator,
        &setup,
        "erin",
        &[
            ("phone_number", "+15555559876"),
            ("email", "erin@example.com"),
            ("email_verified", "true"),
        ],
    )
    .await;
    emulator
        .idp
        .admin_set_user_mfa_preference()
        .user_pool_id(&setup.pool_id)
        .username("erin")
        .sms_mfa_settings(SmsMfaSettingsType::builder().enabled(true).build())
        .email_mfa_settings(EmailMfaSettingsType::builder().enabled(true).build())
        .send()
        .await
        .unwrap();
    let view = emulator
        .idp
        .admin_get_user()
        .user_pool_id(&setup.pool_id)
        .username("erin")
        .send()
        .await
        .unwrap();
    assert_eq!(
        view.user_mfa_setting_list,
        Some(vec!["SMS_MFA".to_string(), "EMAIL_OTP".to_string()])
    );
    let challenged = password_sign_in(&emulator, &setup, "erin").await;
    assert_eq!(
        challenged.challenge_name,
        Some(ChallengeNameType::SelectMfaType)
    );
    assert_eq!(
        challenged.challenge_parameters.unwrap()["MFAS_CAN_CHOOSE"],
        "[\"SMS_MFA\",\"EMAIL_OTP\"]"
    );
    let session = challenged.session.unwrap();
    let unknown = respond(
        &emulator,
        &setup,
        ChallengeNameType::SelectMfaType,
        &session,
        &[("USERNAME", "erin"), ("ANSWER", "SOFTWARE_TOKEN_MFA")],
    )
    .await
    .unwrap_err();
    assert_eq!(unknown.0, "MFAMethodNotFoundException");
    let email = respond(
        &emulator,
        &setup,
        ChallengeNameType::SelectMfaType,
        &session,
        &[("USERNAME", "erin"), ("ANSWER", "EMAIL_OTP")],
    )
    .await
    .unwrap();
    assert_eq!(email.challenge_name, Some(ChallengeNameType::EmailOtp));
    let parameters = email.challenge_parameters.unwrap();
    assert_eq!(parameters["CODE_DELIVERY_DELIVERY_MEDIUM"], "EMAIL");
    assert_eq!(parameters["CODE_DELIVERY_DESTINATION"], "e***@e***");
    let (code, message) = sent_code(&emulator, &setup, "erin").await;
    assert_eq!(message["subject"], "Your sign-in code");
    assert_eq!(message["body"], format!("Sign-in code {code}"));
    let done = respond(
        &emulator,
        &setup,
        ChallengeNameType::EmailOtp,
        email.session.as_deref().unwrap(),
        &[("USERNAME", "erin"), ("EMAIL_OTP_CODE", &code)],
    )
    .await
    .unwrap();
    assert!(done.authentication_result.is_some());

    // A preferred factor is asked for directly.
    emulator
        .idp
        .admin_set_user_mfa_preference()
        .user_pool_id(&setup.pool_id)
        .username("erin")
        .sms_mfa_settings(
            SmsMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let sms = password_sign_in(&emulator, &setup, "erin").await;
    assert_eq!(sms.challenge_name, Some(ChallengeNameType::SmsMfa));
    // Two preferred factors are refused.
    let two = emulator
        .idp
        .admin_set_user_mfa_preference()
        .user_pool_id(&setup.pool_id)
        .username("erin")
        .sms_mfa_settings(
            SmsMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .email_mfa_settings(
            EmailMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(two.0, "InvalidParameterException");
    emulator.stop().await;
}

#[tokio::test]
async fn email_mfa_needs_ses_sending() {
    let emulator = start().await;
    let pool_id = emulator.pool("default-email").await;
    let refused = emulator
        .idp
        .set_user_pool_mfa_config()
        .user_pool_id(&pool_id)
        .mfa_configuration(UserPoolMfaType::Optional)
        .email_mfa_configuration(EmailMfaConfigType::builder().build())
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(refused.0, "InvalidParameterException");
    assert!(refused.1.contains("DEVELOPER"), "{}", refused.1);
    emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn amazon_cognito_identity_js_mfa_callbacks() {
    if !crate::javascript::node_ready() {
        return;
    }
    let emulator = start().await;
    let optional = pool(&emulator, UserPoolMfaType::Optional, true, true, false).await;
    user(
        &emulator,
        &optional,
        "mfauser",
        &[("phone_number", "+15555550123")],
    )
    .await;
    let required = pool(&emulator, UserPoolMfaType::On, false, true, false).await;
    user(&emulator, &required, "setupuser", &[]).await;
    crate::javascript::run_node(
        "identity_js_mfa.mjs",
        vec![
            emulator.url.clone(),
            optional.pool_id.clone(),
            optional.client_id.clone(),
            required.pool_id.clone(),
            required.client_id.clone(),
        ],
    )
    .await;
    emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn amplify_v6_mfa_steps() {
    if !crate::javascript::node_ready() {
        return;
    }
    let emulator = start().await;
    let totp_only = pool(&emulator, UserPoolMfaType::On, false, true, false).await;
    user(&emulator, &totp_only, "amptotp", &[]).await;
    let choice = pool(&emulator, UserPoolMfaType::On, false, true, true).await;
    user(&emulator, &choice, "ampemail", &[]).await;
    crate::javascript::run_node(
        "amplify_mfa.mjs",
        vec![
            emulator.url.clone(),
            totp_only.pool_id.clone(),
            totp_only.client_id.clone(),
            choice.pool_id.clone(),
            choice.client_id.clone(),
        ],
    )
    .await;
    emulator.stop().await;
}
