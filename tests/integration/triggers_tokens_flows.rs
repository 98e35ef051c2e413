//! PreTokenGeneration after the other ways of signing in (a remembered device, SRP, an MFA
//! answer), and the feature plan V2_0 and V3_0 need.

use std::collections::HashMap;

use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ChallengeNameType, DeviceConfigurationType, ExplicitAuthFlowsType as Flow,
    LambdaConfigType, PreTokenGenerationLambdaVersionType as Version, SoftwareTokenMfaConfigType,
    SoftwareTokenMfaSettingsType, UserPoolMfaType, UserPoolTierType,
};
use serde_json::{json, Value};

use crate::common::err;
use crate::devices;
use crate::lambda_server::{arn, Answer};
use crate::triggers::with_lambda;
use crate::triggers_tokens::{create_user, setup, sign_in, tokens, v1, versioned, PASSWORD};

#[tokio::test]
async fn a_remembered_device_signs_in_with_authenticate_device() {
    let (emulator, lambda) = with_lambda().await;
    lambda.on("pre-token", |mut event| {
        let source = event["triggerSource"].clone();
        event["response"]["claimsOverrideDetails"] =
            json!({"claimsToAddOrOverride": {"source": source}});
        Answer::Event(event)
    });
    let pool_id = emulator
        .idp
        .create_user_pool()
        .pool_name("devices")
        .device_configuration(
            DeviceConfigurationType::builder()
                .challenge_required_on_new_device(false)
                .device_only_remembered_on_user_prompt(false)
                .build(),
        )
        .lambda_config(v1("pre-token"))
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
            "app",
            &[Flow::AllowUserPasswordAuth, Flow::AllowRefreshTokenAuth],
        )
        .await;
    create_user(&emulator, &pool_id, "jane", false).await;
    emulator.set_password(&pool_id, "jane", PASSWORD).await;
    let pool = devices::Pool { pool_id, client_id };
    let (device, first, _) = devices::confirm_new_device(&emulator, &pool, "jane", None).await;
    assert_eq!(tokens(&first).0["source"], "TokenGeneration_Authentication");
    let step = devices::sign_in(&emulator, &pool, "jane", Some(&device.key))
        .await
        .unwrap();
    assert_eq!(step.challenge_name, Some(ChallengeNameType::DeviceSrpAuth));
    let result = devices::prove_device(&emulator, &pool, step.session, "jane", &device, true)
        .await
        .unwrap();
    let (id, access) = tokens(&result);
    assert_eq!(id["source"], "TokenGeneration_AuthenticateDevice");
    assert_eq!(access["device_key"], device.key.as_str());
    let sources: Vec<Value> = lambda
        .events("pre-token")
        .iter()
        .map(|e| e["triggerSource"].clone())
        .collect();
    assert_eq!(
        sources,
        [
            json!("TokenGeneration_Authentication"),
            json!("TokenGeneration_AuthenticateDevice")
        ]
    );
}

#[tokio::test]
async fn access_token_customization_needs_the_essentials_or_plus_plan() {
    let (emulator, _lambda) = with_lambda().await;
    let create = |tier: UserPoolTierType, config: LambdaConfigType| {
        emulator
            .idp
            .create_user_pool()
            .pool_name("plans")
            .user_pool_tier(tier)
            .lambda_config(config)
            .send()
    };
    for version in [Version::V20, Version::V30] {
        let refused = create(UserPoolTierType::Lite, versioned("f", version.clone()))
            .await
            .map_err(err)
            .unwrap_err();
        assert_eq!(
            refused,
            (
                "FeatureUnavailableInTierException".to_string(),
                format!(
                    "Access token customization (PreTokenGenerationConfig LambdaVersion {}) is not \
                     available in the LITE feature plan: the user pool tier must be ESSENTIALS or PLUS.",
                    version.as_str()
                )
            )
        );
        for tier in [UserPoolTierType::Essentials, UserPoolTierType::Plus] {
            create(tier, versioned("f", version.clone())).await.unwrap();
        }
    }
    let lite = create(UserPoolTierType::Lite, versioned("f", Version::V10))
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    create(UserPoolTierType::Lite, v1("f")).await.unwrap();
    let refused = emulator
        .idp
        .update_user_pool()
        .user_pool_id(&lite)
        .user_pool_tier(UserPoolTierType::Lite)
        .lambda_config(versioned("f", Version::V20))
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(refused.0, "FeatureUnavailableInTierException");
}

#[tokio::test]
async fn srp_sign_in_calls_the_trigger_once_at_the_end() {
    let (emulator, lambda) = with_lambda().await;
    let (pool_id, client_id, _) = setup(&emulator, versioned("pre-token", Version::V30)).await;
    lambda.respond(
        "pre-token",
        json!({"claimsAndScopeOverrideDetails": {
            "accessTokenGeneration": {"claimsToAddOrOverride": {"via": "srp"}},
        }}),
    );
    let client = crate::srp::srp_client::Client::new();
    let step = emulator
        .idp
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::UserSrpAuth)
        .auth_parameters("USERNAME", "jane")
        .auth_parameters("SRP_A", client.srp_a())
        .send()
        .await
        .unwrap();
    assert!(lambda.calls().is_empty());
    let parameters: HashMap<String, String> = step.challenge_parameters.unwrap();
    let pool_name = pool_id.split_once('_').unwrap().1;
    let signature = client.sign(pool_name, PASSWORD, &parameters);
    let result = emulator
        .idp
        .respond_to_auth_challenge()
        .client_id(&client_id)
        .challenge_name(ChallengeNameType::PasswordVerifier)
        .set_session(step.session)
        .challenge_responses("USERNAME", &parameters["USER_ID_FOR_SRP"])
        .challenge_responses("PASSWORD_CLAIM_SECRET_BLOCK", &parameters["SECRET_BLOCK"])
        .challenge_responses("PASSWORD_CLAIM_SIGNATURE", signature)
        .challenge_responses("TIMESTAMP", crate::srp::srp_client::TIMESTAMP)
        .send()
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    assert_eq!(tokens(&result).1["via"], "srp");
    let events = lambda.events("pre-token");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["version"], "3");
    assert_eq!(events[0]["triggerSource"], "TokenGeneration_Authentication");
    assert!(events[0]["request"].get("clientMetadata").is_none());
}

#[tokio::test]
async fn an_mfa_answer_ends_in_authentication_with_its_client_metadata() {
    let (emulator, lambda) = with_lambda().await;
    let (pool_id, client_id, _) = setup(&emulator, versioned("pre-token", Version::V20)).await;
    lambda.echo("pre-token");
    emulator
        .idp
        .set_user_pool_mfa_config()
        .user_pool_id(&pool_id)
        .mfa_configuration(UserPoolMfaType::Optional)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .send()
        .await
        .unwrap();
    let access = sign_in(&emulator, &client_id)
        .await
        .unwrap()
        .access_token
        .unwrap();
    let secret = emulator
        .idp
        .associate_software_token()
        .access_token(&access)
        .send()
        .await
        .unwrap()
        .secret_code
        .unwrap();
    emulator
        .idp
        .verify_software_token()
        .access_token(&access)
        .user_code(crate::mfa::totp_code(&emulator, &secret, 0))
        .send()
        .await
        .unwrap();
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
    let calls = lambda.calls().len();
    let step = emulator
        .idp
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "jane")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap();
    assert_eq!(
        step.challenge_name,
        Some(ChallengeNameType::SoftwareTokenMfa)
    );
    // No tokens yet, no trigger.
    assert_eq!(lambda.calls().len(), calls);
    emulator.advance_clock(30.0).await;
    let result = emulator
        .idp
        .respond_to_auth_challenge()
        .client_id(&client_id)
        .challenge_name(ChallengeNameType::SoftwareTokenMfa)
        .set_session(step.session)
        .challenge_responses("USERNAME", "jane")
        .challenge_responses(
            "SOFTWARE_TOKEN_MFA_CODE",
            crate::mfa::totp_code(&emulator, &secret, 0),
        )
        .client_metadata("step", "mfa")
        .send()
        .await
        .unwrap();
    assert!(result.authentication_result.is_some());
    let events = lambda.events("pre-token");
    assert_eq!(events.len(), calls + 1);
    let event = events.last().unwrap();
    assert_eq!(event["triggerSource"], "TokenGeneration_Authentication");
    assert_eq!(event["request"]["clientMetadata"], json!({"step": "mfa"}));
}

#[tokio::test]
async fn with_rotation_a_failed_refresh_keeps_the_old_refresh_token() {
    use aws_sdk_cognitoidentityprovider::types::{FeatureType, RefreshTokenRotationType};
    let (emulator, lambda) = with_lambda().await;
    let (pool_id, client_id, _) = setup(&emulator, v1("pre-token")).await;
    emulator
        .idp
        .update_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .explicit_auth_flows(Flow::AllowUserPasswordAuth)
        .explicit_auth_flows(Flow::AllowRefreshTokenAuth)
        .refresh_token_rotation(
            RefreshTokenRotationType::builder()
                .feature(FeatureType::Enabled)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    lambda.echo("pre-token");
    let old = sign_in(&emulator, &client_id)
        .await
        .unwrap()
        .refresh_token
        .unwrap();
    let refresh = || {
        emulator
            .idp
            .get_tokens_from_refresh_token()
            .client_id(&client_id)
            .refresh_token(&old)
            .send()
    };
    lambda.on("pre-token", |_| Answer::Error("try later".into()));
    assert_eq!(
        refresh().await.map_err(err).unwrap_err(),
        (
            "UserLambdaValidationException".to_string(),
            "PreTokenGeneration failed with error try later.".to_string()
        )
    );
    lambda.echo("pre-token");
    let rotated = refresh().await.unwrap().authentication_result.unwrap();
    assert!(rotated.refresh_token.is_some_and(|new| new != old));
    // Used once, the old token is gone.
    assert_eq!(
        refresh().await.map_err(err).unwrap_err().0,
        "NotAuthorizedException"
    );
    let sources: Vec<Value> = lambda
        .events("pre-token")
        .iter()
        .map(|e| e["triggerSource"].clone())
        .collect();
    assert_eq!(
        sources,
        [
            json!("TokenGeneration_Authentication"),
            json!("TokenGeneration_RefreshTokens"),
            json!("TokenGeneration_RefreshTokens")
        ]
    );
}

#[tokio::test]
async fn custom_auth_ends_in_authentication_with_the_answers_client_metadata() {
    use crate::triggers_custom::{answer, initiate, quiz, quiz_pool};
    let (emulator, lambda) = with_lambda().await;
    quiz(&lambda);
    lambda.respond(
        "pre-token",
        json!({"claimsAndScopeOverrideDetails": {
            "accessTokenGeneration": {"claimsToAddOrOverride": {"via": "quiz"}},
        }}),
    );
    let config = LambdaConfigType::builder()
        .define_auth_challenge(arn("define"))
        .create_auth_challenge(arn("create"))
        .verify_auth_challenge_response(arn("verify"))
        .pre_token_generation_config(
            versioned("pre-token", Version::V20)
                .pre_token_generation_config
                .unwrap(),
        )
        .build();
    let quiz_setup = quiz_pool(&emulator, config, false).await;
    let (challenge, _, session, _) = initiate(&emulator, &quiz_setup, &[("USERNAME", "jane")])
        .await
        .unwrap();
    assert_eq!(challenge, Some(ChallengeNameType::CustomChallenge));
    assert!(lambda.events("pre-token").is_empty());
    let (_, _, _, access) = answer(&emulator, &quiz_setup, session, "jane", "4")
        .await
        .unwrap();
    assert_eq!(crate::auth::claims(&access.unwrap())["via"], "quiz");
    let events = lambda.events("pre-token");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["triggerSource"], "TokenGeneration_Authentication");
    assert_eq!(
        events[0]["request"]["clientMetadata"],
        json!({"round": "answer"})
    );
}
