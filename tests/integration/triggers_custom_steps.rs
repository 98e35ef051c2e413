//! The steps a custom sign-in shares with every sign-in: MFA after its PASSWORD_VERIFIER
//! (then DefineAuthChallenge again), a remembered device's challenge once tokens are
//! granted, and refreshing the tokens it ends with.

use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, AuthFlowType, ChallengeNameType, DeviceConfigurationType,
    DeviceSecretVerifierConfigType, SmsConfigurationType, SmsMfaConfigType, SmsMfaSettingsType,
    UserPoolMfaType,
};
use serde_json::json;

use crate::devices::{prove_device, Pool, Remembered};
use crate::srp::srp_client::{self, Client as SrpClient, TIMESTAMP};
use crate::triggers::with_lambda;
use crate::triggers_custom::{
    answer, custom_config, initiate, quiz, quiz_client, quiz_pool, respond, PASSWORD,
};

#[tokio::test(flavor = "multi_thread")]
async fn mfa_follows_the_password_inside_a_custom_sign_in() {
    let (emulator, lambda) = with_lambda().await;
    quiz(&lambda);
    let quiz = quiz_pool(&emulator, custom_config(), false).await;
    emulator
        .idp
        .set_user_pool_mfa_config()
        .user_pool_id(&quiz.pool_id)
        .mfa_configuration(UserPoolMfaType::Optional)
        .sms_mfa_configuration(
            SmsMfaConfigType::builder()
                .sms_authentication_message("Your code: {####}")
                .sms_configuration(
                    SmsConfigurationType::builder()
                        .sns_caller_arn("arn:aws:iam::123456789012:role/sns")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let attribute = |name: &str, value: &str| {
        AttributeType::builder()
            .name(name)
            .value(value)
            .build()
            .unwrap()
    };
    emulator
        .idp
        .admin_update_user_attributes()
        .user_pool_id(&quiz.pool_id)
        .username("jane")
        .user_attributes(attribute("phone_number", "+15555550123"))
        .user_attributes(attribute("phone_number_verified", "true"))
        .send()
        .await
        .unwrap();
    emulator
        .idp
        .admin_set_user_mfa_preference()
        .user_pool_id(&quiz.pool_id)
        .username("jane")
        .sms_mfa_settings(
            SmsMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .unwrap();

    // Without a password step, the custom challenges alone sign the user in
    // (unconfirmed: Cognito ties MFA to the password).
    let (_, _, session, _) = initiate(&emulator, &quiz, &[("USERNAME", "jane")])
        .await
        .unwrap();
    let (challenge, _, _, tokens) = answer(&emulator, &quiz, session, "jane", "4")
        .await
        .unwrap();
    assert_eq!(challenge, None);
    assert!(tokens.is_some());

    // With SRP: PASSWORD_VERIFIER, then SMS_MFA, then DefineAuthChallenge again.
    let client = SrpClient::new();
    let srp_a = client.srp_a();
    let start = [
        ("USERNAME", "jane"),
        ("CHALLENGE_NAME", "SRP_A"),
        ("SRP_A", srp_a.as_str()),
    ];
    let (_, parameters, session, _) = initiate(&emulator, &quiz, &start).await.unwrap();
    let pool_name = quiz.pool_id.split_once('_').unwrap().1;
    let signature = client.sign(pool_name, PASSWORD, &parameters);
    let defines = lambda.events("define").len();
    let (challenge, parameters, session, _) = respond(
        &emulator,
        &quiz,
        ChallengeNameType::PasswordVerifier,
        session,
        &[
            ("USERNAME", "jane"),
            ("PASSWORD_CLAIM_SECRET_BLOCK", &parameters["SECRET_BLOCK"]),
            ("PASSWORD_CLAIM_SIGNATURE", &signature),
            ("TIMESTAMP", TIMESTAMP),
        ],
    )
    .await
    .unwrap();
    assert_eq!(challenge, Some(ChallengeNameType::SmsMfa));
    assert_eq!(parameters["CODE_DELIVERY_DESTINATION"], "+*******0123");
    assert_eq!(
        lambda.events("define").len(),
        defines,
        "not asked before MFA"
    );
    let code = emulator
        .messages(&quiz.pool_id, Some("jane"))
        .await
        .last()
        .unwrap()["code"]
        .as_str()
        .unwrap()
        .to_string();
    let (challenge, _, session, _) = respond(
        &emulator,
        &quiz,
        ChallengeNameType::SmsMfa,
        session,
        &[("USERNAME", "jane"), ("SMS_MFA_CODE", &code)],
    )
    .await
    .unwrap();
    assert_eq!(challenge, Some(ChallengeNameType::CustomChallenge));
    assert_eq!(
        lambda.events("define").pop().unwrap()["request"]["session"],
        json!([
            {"challengeName": "SRP_A", "challengeResult": true, "challengeMetadata": null},
            {"challengeName": "PASSWORD_VERIFIER", "challengeResult": true, "challengeMetadata": null},
        ])
    );
    // Tokens follow the custom answer: no second MFA.
    let (challenge, _, _, tokens) = answer(&emulator, &quiz, session, "jane", "4")
        .await
        .unwrap();
    assert_eq!(challenge, None);
    assert!(tokens.is_some());
    emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_remembered_device_proves_itself_once_tokens_are_granted() {
    let (emulator, lambda) = with_lambda().await;
    quiz(&lambda);
    let pool_id = emulator
        .idp
        .create_user_pool()
        .pool_name("custom-devices")
        .lambda_config(custom_config())
        .device_configuration(
            DeviceConfigurationType::builder()
                .challenge_required_on_new_device(true)
                .device_only_remembered_on_user_prompt(false)
                .build(),
        )
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let quiz = quiz_client(&emulator, pool_id, false).await;

    // The first custom sign-in hands out a device key with its tokens.
    let custom_tokens = |device: Option<String>| {
        let emulator = &emulator;
        let quiz = &quiz;
        async move {
            let mut request = emulator
                .idp
                .initiate_auth()
                .client_id(&quiz.client_id)
                .auth_flow(AuthFlowType::CustomAuth)
                .auth_parameters("USERNAME", "jane");
            if let Some(device) = device {
                request = request.auth_parameters("DEVICE_KEY", device);
            }
            let out = request.send().await.unwrap();
            emulator
                .idp
                .respond_to_auth_challenge()
                .client_id(&quiz.client_id)
                .challenge_name(ChallengeNameType::CustomChallenge)
                .set_session(out.session)
                .challenge_responses("USERNAME", "jane")
                .challenge_responses("ANSWER", "4")
                .send()
                .await
                .unwrap()
        }
    };
    let first = custom_tokens(None).await.authentication_result.unwrap();
    let metadata = first
        .new_device_metadata
        .clone()
        .expect("NewDeviceMetadata");
    let device = Remembered {
        key: metadata.device_key.unwrap(),
        group_key: metadata.device_group_key.unwrap(),
        password: "device-password".into(),
    };
    let (verifier, salt) =
        srp_client::device_verifier(&device.group_key, &device.key, &device.password);
    emulator
        .idp
        .confirm_device()
        .access_token(first.access_token.clone().unwrap())
        .device_key(&device.key)
        .device_secret_verifier_config(
            DeviceSecretVerifierConfigType::builder()
                .password_verifier(verifier)
                .salt(salt)
                .build(),
        )
        .send()
        .await
        .unwrap();

    // The next one, naming the device: the question first, then the device's SRP.
    let step = custom_tokens(Some(device.key.clone())).await;
    assert_eq!(step.challenge_name, Some(ChallengeNameType::DeviceSrpAuth));
    let pool = Pool {
        pool_id: quiz.pool_id.clone(),
        client_id: quiz.client_id.clone(),
    };
    let result = prove_device(&emulator, &pool, step.session, "jane", &device, true)
        .await
        .unwrap();
    assert!(result.new_device_metadata.is_none());

    // Its refresh token works with the device.
    let refreshed = emulator
        .idp
        .initiate_auth()
        .client_id(&quiz.client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", result.refresh_token.unwrap())
        .auth_parameters("DEVICE_KEY", &device.key)
        .send()
        .await
        .unwrap();
    assert!(refreshed
        .authentication_result
        .unwrap()
        .access_token
        .is_some());
    emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_temporary_password_is_changed_before_the_custom_challenges() {
    let (emulator, lambda) = with_lambda().await;
    quiz(&lambda);
    let quiz = quiz_pool(&emulator, custom_config(), false).await;
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(&quiz.pool_id)
        .username("newbie")
        .temporary_password("Temp0rary!pass")
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    let client = SrpClient::new();
    let srp_a = client.srp_a();
    let start = [
        ("USERNAME", "newbie"),
        ("CHALLENGE_NAME", "SRP_A"),
        ("SRP_A", srp_a.as_str()),
    ];
    let (_, parameters, session, _) = initiate(&emulator, &quiz, &start).await.unwrap();
    assert_eq!(
        lambda.events("define")[0]["request"]["userAttributes"]["cognito:user_status"],
        "FORCE_CHANGE_PASSWORD"
    );
    let pool_name = quiz.pool_id.split_once('_').unwrap().1;
    let signature = client.sign(pool_name, "Temp0rary!pass", &parameters);
    let (challenge, _, session, _) = respond(
        &emulator,
        &quiz,
        ChallengeNameType::PasswordVerifier,
        session,
        &[
            ("USERNAME", "newbie"),
            ("PASSWORD_CLAIM_SECRET_BLOCK", &parameters["SECRET_BLOCK"]),
            ("PASSWORD_CLAIM_SIGNATURE", &signature),
            ("TIMESTAMP", TIMESTAMP),
        ],
    )
    .await
    .unwrap();
    assert_eq!(challenge, Some(ChallengeNameType::NewPasswordRequired));
    let (challenge, _, session, _) = respond(
        &emulator,
        &quiz,
        ChallengeNameType::NewPasswordRequired,
        session,
        &[("USERNAME", "newbie"), ("NEW_PASSWORD", PASSWORD)],
    )
    .await
    .unwrap();
    assert_eq!(challenge, Some(ChallengeNameType::CustomChallenge));
    let define = lambda.events("define").pop().unwrap();
    assert_eq!(
        define["request"]["userAttributes"]["cognito:user_status"],
        "CONFIRMED"
    );
    assert_eq!(define["request"]["session"].as_array().unwrap().len(), 2);
    let (_, _, _, tokens) = answer(&emulator, &quiz, session, "newbie", "4")
        .await
        .unwrap();
    assert!(tokens.is_some());
    emulator.stop().await;
}
