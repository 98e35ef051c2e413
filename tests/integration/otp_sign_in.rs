//! USER_AUTH with EMAIL_OTP and SMS_OTP as first factors: a code sent to the verified
//! address or number (read at the emulator's message endpoint) answers the challenge, with
//! the Rust SDK; and the same sign-ins from boto3.

use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, AuthFactorType, ChallengeNameType, MessageActionType, UserPoolMfaType,
    UserVerificationType,
};

use crate::common::start;
use crate::passkeys::passkey_pool;
use crate::user_auth::{respond, user_auth, Next};

const ALL: &[AuthFactorType] = &[
    AuthFactorType::Password,
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

#[tokio::test]
async fn codes_by_email_and_sms_as_first_factors() {
    let emulator = start().await;
    let (pool, client) = passkey_pool(&emulator, ALL, UserVerificationType::Preferred).await;
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
    emulator
        .set_password(&pool, "hana", crate::passkeys::PASSWORD)
        .await;

    let out = user_auth(&emulator, &client, "hana", &[]).await.unwrap();
    assert_eq!(
        out.available_challenges(),
        [
            ChallengeNameType::EmailOtp,
            ChallengeNameType::SmsOtp,
            ChallengeNameType::PasswordSrp,
            ChallengeNameType::Password
        ]
    );
    let factors = emulator
        .idp
        .admin_get_user_auth_factors()
        .user_pool_id(&pool)
        .username("hana")
        .send()
        .await
        .unwrap();
    assert_eq!(factors.configured_user_auth_factors(), ALL);
    assert_eq!(factors.preferred_mfa_setting(), None);
    assert!(factors.user_mfa_setting_list().is_empty());

    // EMAIL_OTP up front: an 8-digit code by e-mail; a wrong one leaves the session usable.
    let out = user_auth(
        &emulator,
        &client,
        "hana",
        &[("PREFERRED_CHALLENGE", "EMAIL_OTP")],
    )
    .await
    .unwrap();
    assert_eq!(out.challenge_name, Some(ChallengeNameType::EmailOtp));
    assert_eq!(out.available_challenges(), [ChallengeNameType::EmailOtp]);
    let parameters = out.challenge_parameters.clone().unwrap();
    assert_eq!(parameters["CODE_DELIVERY_DELIVERY_MEDIUM"], "EMAIL");
    assert_eq!(parameters["CODE_DELIVERY_DESTINATION"], "h***@e***");
    let messages = emulator.messages(&pool, Some("hana")).await;
    let message = messages.last().unwrap();
    assert_eq!(message["destination"], "hana@example.com");
    let code = message["code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 8);
    let session = out.session.unwrap();
    let wrong = if code == "00000000" {
        "11111111"
    } else {
        "00000000"
    };
    let got = respond(
        &emulator,
        &client,
        ChallengeNameType::EmailOtp,
        &session,
        &[("USERNAME", "hana"), ("EMAIL_OTP_CODE", wrong)],
    )
    .await
    .unwrap_err();
    assert_eq!(
        got,
        (
            "CodeMismatchException".to_string(),
            "Invalid code or auth state for the user.".to_string()
        )
    );
    let next = respond(
        &emulator,
        &client,
        ChallengeNameType::EmailOtp,
        &session,
        &[("USERNAME", "hana"), ("EMAIL_OTP_CODE", &code)],
    )
    .await
    .unwrap();
    assert!(matches!(next, Next::Tokens(_)), "{next:?}");

    // SMS_OTP chosen from SELECT_CHALLENGE.
    let session = user_auth(&emulator, &client, "hana", &[])
        .await
        .unwrap()
        .session
        .unwrap();
    let Next::Challenge(name, parameters, session) = respond(
        &emulator,
        &client,
        ChallengeNameType::SelectChallenge,
        &session,
        &[("USERNAME", "hana"), ("ANSWER", "SMS_OTP")],
    )
    .await
    .unwrap() else {
        panic!("a challenge")
    };
    assert_eq!(name, ChallengeNameType::SmsOtp);
    assert_eq!(parameters["CODE_DELIVERY_DELIVERY_MEDIUM"], "SMS");
    let messages = emulator.messages(&pool, Some("hana")).await;
    let message = messages.last().unwrap();
    assert_eq!(message["destination"], "+15555550123");
    assert_eq!(message["deliveryMedium"], "SMS");
    let code = message["code"].as_str().unwrap();
    let next = respond(
        &emulator,
        &client,
        ChallengeNameType::SmsOtp,
        &session,
        &[("USERNAME", "hana"), ("SMS_OTP_CODE", code)],
    )
    .await
    .unwrap();
    assert!(matches!(next, Next::Tokens(_)), "{next:?}");

    // Someone who does not exist, where the client hides that: a code challenge like
    // anyone's, which no code answers.
    let hiding = emulator
        .idp
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("hiding")
        .explicit_auth_flows(
            aws_sdk_cognitoidentityprovider::types::ExplicitAuthFlowsType::AllowUserAuth,
        )
        .prevent_user_existence_errors(
            aws_sdk_cognitoidentityprovider::types::PreventUserExistenceErrorTypes::Enabled,
        )
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    let out = user_auth(&emulator, &hiding, "nobody@example.org", &[])
        .await
        .unwrap();
    assert_eq!(
        out.available_challenges(),
        [
            ChallengeNameType::EmailOtp,
            ChallengeNameType::PasswordSrp,
            ChallengeNameType::Password
        ]
    );
    let out = user_auth(
        &emulator,
        &hiding,
        "nobody@example.org",
        &[("PREFERRED_CHALLENGE", "EMAIL_OTP")],
    )
    .await
    .unwrap();
    assert_eq!(out.challenge_name, Some(ChallengeNameType::EmailOtp));
    let parameters = out.challenge_parameters.clone().unwrap();
    assert_eq!(parameters["CODE_DELIVERY_DESTINATION"], "n***@e***");
    assert!(emulator
        .messages(&pool, Some("nobody@example.org"))
        .await
        .is_empty());
    let got = respond(
        &emulator,
        &hiding,
        ChallengeNameType::EmailOtp,
        out.session.as_deref().unwrap(),
        &[
            ("USERNAME", "nobody@example.org"),
            ("EMAIL_OTP_CODE", "12345678"),
        ],
    )
    .await
    .unwrap_err();
    assert_eq!(
        got,
        (
            "CodeMismatchException".to_string(),
            "Invalid code or auth state for the user.".to_string()
        )
    );

    // Where MFA is required, codes are no first factor.
    emulator
        .idp
        .set_user_pool_mfa_config()
        .user_pool_id(&pool)
        .mfa_configuration(UserPoolMfaType::On)
        .software_token_mfa_configuration(
            aws_sdk_cognitoidentityprovider::types::SoftwareTokenMfaConfigType::builder()
                .enabled(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    emulator
        .idp
        .admin_set_user_mfa_preference()
        .user_pool_id(&pool)
        .username("hana")
        .sms_mfa_settings(
            aws_sdk_cognitoidentityprovider::types::SmsMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let factors = emulator
        .idp
        .admin_get_user_auth_factors()
        .user_pool_id(&pool)
        .username("hana")
        .send()
        .await
        .unwrap();
    assert_eq!(factors.preferred_mfa_setting(), Some("SMS_MFA"));
    assert_eq!(factors.user_mfa_setting_list(), ["SMS_MFA"]);
    let out = user_auth(
        &emulator,
        &client,
        "hana",
        &[("PREFERRED_CHALLENGE", "EMAIL_OTP")],
    )
    .await
    .unwrap();
    assert_eq!(out.challenge_name, Some(ChallengeNameType::SelectChallenge));
    assert_eq!(
        out.available_challenges(),
        [ChallengeNameType::PasswordSrp, ChallengeNameType::Password]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn boto3_signs_in_with_user_auth_password_and_email_otp() {
    let emulator = start().await;
    let url = emulator.url.clone();
    let output = tokio::task::spawn_blocking(move || {
        let has_boto3 = std::process::Command::new("python3")
            .args(["-c", "import boto3"])
            .output()
            .is_ok_and(|o| o.status.success());
        if !has_boto3 {
            assert!(
                std::env::var("COGNITO_EMULATOR_REQUIRE_CLIENTS").as_deref() != Ok("1"),
                "boto3 is required"
            );
            return None;
        }
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/clients/boto3_user_auth.py"
        );
        Some(
            std::process::Command::new("python3")
                .args([script, &url])
                .output()
                .unwrap(),
        )
    })
    .await
    .unwrap();
    let Some(output) = output else { return };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "boto3 script failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("boto3 user_auth OK"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread")]
async fn amplify_v6_user_auth_with_an_email_code() {
    if !crate::javascript::node_ready() {
        return;
    }
    let emulator = start().await;
    let (pool, client) = passkey_pool(&emulator, ALL, UserVerificationType::Preferred).await;
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool)
        .username("hana")
        .user_attributes(attribute("email", "hana@example.com"))
        .user_attributes(attribute("email_verified", "true"))
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    emulator
        .set_password(&pool, "hana", crate::passkeys::PASSWORD)
        .await;
    crate::javascript::run_node(
        "amplify_user_auth.mjs",
        vec![emulator.url.clone(), pool, client],
    )
    .await;
    emulator.stop().await;
}
