//! CUSTOM_AUTH's errors (flows, parameters, missing triggers, function failures), the
//! administrator operations, and a user disabled while a challenge is out.

use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ChallengeNameType, ExplicitAuthFlowsType as Flow, LambdaConfigType,
};
use serde_json::json;

use crate::auth::secret_hash;
use crate::lambda_server::{arn, Answer};
use crate::triggers::with_lambda;
use crate::triggers_custom::{
    answer, custom_config, initiate, quiz, quiz_pool, respond, Quiz, PASSWORD,
};

#[tokio::test(flavor = "multi_thread")]
async fn custom_auth_errors() {
    let (emulator, lambda) = with_lambda().await;
    quiz(&lambda);
    // The client must allow CUSTOM_AUTH.
    let quiz = quiz_pool(&emulator, custom_config(), false).await;
    let srp_only = emulator
        .client_with_flows(&quiz.pool_id, "srp", &[Flow::AllowUserSrpAuth])
        .await;
    let srp_only = Quiz {
        pool_id: quiz.pool_id.clone(),
        client_id: srp_only,
    };
    assert_eq!(
        initiate(&emulator, &srp_only, &[("USERNAME", "jane")])
            .await
            .unwrap_err(),
        (
            "InvalidParameterException".to_string(),
            "CUSTOM_AUTH is not enabled for the client.".to_string()
        )
    );
    assert_eq!(
        initiate(&emulator, &quiz, &[]).await.unwrap_err(),
        (
            "InvalidParameterException".to_string(),
            "Missing required parameter USERNAME".to_string()
        )
    );
    assert_eq!(
        initiate(
            &emulator,
            &quiz,
            &[("USERNAME", "jane"), ("CHALLENGE_NAME", "SRP_A")]
        )
        .await
        .unwrap_err(),
        (
            "InvalidParameterException".to_string(),
            "Missing required parameter SRP_A".to_string()
        )
    );

    // No DefineAuthChallenge, or no CreateAuthChallenge when a challenge is asked for.
    let not_configured = (
        "InvalidParameterException".to_string(),
        "Custom auth lambda trigger is not configured for the user pool.".to_string(),
    );
    let bare = quiz_pool(&emulator, LambdaConfigType::builder().build(), false).await;
    assert_eq!(
        initiate(&emulator, &bare, &[("USERNAME", "jane")])
            .await
            .unwrap_err(),
        not_configured
    );
    let define_only = LambdaConfigType::builder()
        .define_auth_challenge(arn("define"))
        .build();
    let define_only = quiz_pool(&emulator, define_only, false).await;
    assert_eq!(
        initiate(&emulator, &define_only, &[("USERNAME", "jane")])
            .await
            .unwrap_err(),
        not_configured
    );

    // An answer must name ANSWER and USERNAME.
    let (_, _, session, _) = initiate(&emulator, &quiz, &[("USERNAME", "jane")])
        .await
        .unwrap();
    assert_eq!(
        respond(
            &emulator,
            &quiz,
            ChallengeNameType::CustomChallenge,
            session.clone(),
            &[("USERNAME", "jane")]
        )
        .await
        .unwrap_err(),
        (
            "InvalidParameterException".to_string(),
            "Missing required parameter ANSWER".to_string()
        )
    );
    // A Session for another challenge is not a custom one's.
    assert_eq!(
        respond(
            &emulator,
            &quiz,
            ChallengeNameType::NewPasswordRequired,
            session.clone(),
            &[("USERNAME", "jane"), ("NEW_PASSWORD", PASSWORD)]
        )
        .await
        .unwrap_err(),
        (
            "NotAuthorizedException".to_string(),
            "Invalid session for the user.".to_string()
        )
    );

    // Function errors, as for every trigger.
    lambda.on("verify", |_| Answer::Error("no verifier today".into()));
    assert_eq!(
        answer(&emulator, &quiz, session, "jane", "4")
            .await
            .unwrap_err(),
        (
            "UserLambdaValidationException".to_string(),
            "VerifyAuthChallengeResponse failed with error no verifier today.".to_string()
        )
    );
    lambda.on("define", |_| Answer::Error("boom".into()));
    assert_eq!(
        initiate(&emulator, &quiz, &[("USERNAME", "jane")])
            .await
            .unwrap_err(),
        (
            "UserLambdaValidationException".to_string(),
            "DefineAuthChallenge failed with error boom.".to_string()
        )
    );
    lambda.respond("define", json!({"challengeName": "NOT_A_CHALLENGE"}));
    assert_eq!(
        initiate(&emulator, &quiz, &[("USERNAME", "jane")])
            .await
            .unwrap_err(),
        (
            "InvalidLambdaResponseException".to_string(),
            "Unrecognizable lambda output".to_string()
        )
    );
    emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn admin_custom_auth_and_a_disabled_user() {
    let (emulator, lambda) = with_lambda().await;
    quiz(&lambda);
    let quiz = quiz_pool(&emulator, custom_config(), false).await;
    let out = emulator
        .idp
        .admin_initiate_auth()
        .user_pool_id(&quiz.pool_id)
        .client_id(&quiz.client_id)
        .auth_flow(AuthFlowType::CustomAuth)
        .auth_parameters("USERNAME", "jane")
        .send()
        .await
        .unwrap();
    assert_eq!(out.challenge_name, Some(ChallengeNameType::CustomChallenge));
    let done = emulator
        .idp
        .admin_respond_to_auth_challenge()
        .user_pool_id(&quiz.pool_id)
        .client_id(&quiz.client_id)
        .challenge_name(ChallengeNameType::CustomChallenge)
        .set_session(out.session)
        .challenge_responses("USERNAME", "jane")
        .challenge_responses("ANSWER", "4")
        .client_metadata("admin", "true")
        .send()
        .await
        .unwrap();
    assert!(done.authentication_result.unwrap().id_token.is_some());
    assert_eq!(
        lambda.events("verify")[0]["request"]["clientMetadata"],
        json!({"admin": "true"})
    );

    // Disabled while the challenge was out: no tokens.
    let (_, _, session, _) = initiate(&emulator, &quiz, &[("USERNAME", "jane")])
        .await
        .unwrap();
    emulator
        .idp
        .admin_disable_user()
        .user_pool_id(&quiz.pool_id)
        .username("jane")
        .send()
        .await
        .unwrap();
    assert_eq!(
        answer(&emulator, &quiz, session, "jane", "4")
            .await
            .unwrap_err(),
        (
            "NotAuthorizedException".to_string(),
            "User is disabled.".to_string()
        )
    );
    assert_eq!(
        initiate(&emulator, &quiz, &[("USERNAME", "jane")])
            .await
            .unwrap_err(),
        (
            "NotAuthorizedException".to_string(),
            "User is disabled.".to_string()
        )
    );
    emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_with_a_secret_sends_secret_hash_at_each_step() {
    let (emulator, lambda) = with_lambda().await;
    quiz(&lambda);
    let quiz = quiz_pool(&emulator, custom_config(), false).await;
    let client = emulator
        .idp
        .create_user_pool_client()
        .user_pool_id(&quiz.pool_id)
        .client_name("server")
        .generate_secret(true)
        .explicit_auth_flows(Flow::AllowCustomAuth)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    let client_id = client.client_id.unwrap();
    let hash = secret_hash(&client.client_secret.unwrap(), "jane", &client_id);
    let secret = Quiz {
        pool_id: quiz.pool_id.clone(),
        client_id: client_id.clone(),
    };
    assert_eq!(
        initiate(&emulator, &secret, &[("USERNAME", "jane")])
            .await
            .unwrap_err(),
        (
            "NotAuthorizedException".to_string(),
            format!("Client {client_id} is configured for secret but secret was not received")
        )
    );
    assert!(lambda.calls().is_empty());
    let (_, _, session, _) = initiate(
        &emulator,
        &secret,
        &[("USERNAME", "jane"), ("SECRET_HASH", &hash)],
    )
    .await
    .unwrap();
    assert_eq!(
        answer(&emulator, &secret, session.clone(), "jane", "4")
            .await
            .unwrap_err(),
        (
            "NotAuthorizedException".to_string(),
            format!("Client {client_id} is configured for secret but secret was not received")
        )
    );
    // That answer was refused before the Session was spent.
    let (_, _, _, tokens) = respond(
        &emulator,
        &secret,
        ChallengeNameType::CustomChallenge,
        session,
        &[
            ("USERNAME", "jane"),
            ("ANSWER", "4"),
            ("SECRET_HASH", &hash),
        ],
    )
    .await
    .unwrap();
    assert!(tokens.is_some());
    emulator.stop().await;
}
