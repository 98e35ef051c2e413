//! Lambda triggers through the Invoke API: the invocation contract (endpoint, signing,
//! errors, timeout, the invocation log) and PreSignUp on SignUp.

use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, LambdaConfigType, VerifiedAttributeType,
};
use cognito_emulator::config::Config;
use serde_json::json;

use crate::common::{err, start, start_with, Emulator};
use crate::lambda_server::{arn, Answer, LambdaServer};

/// An emulator whose triggers are invoked at a fresh in-test Lambda server.
pub async fn with_lambda() -> (Emulator, LambdaServer) {
    let lambda = LambdaServer::start().await;
    let mut config = Config::default_for_tests();
    config.lambda_endpoint = Some(lambda.url.clone());
    (start_with(config).await, lambda)
}

/// A pool (e-mail auto-verified) with `lambda_config` and an app client; (pool id, client id).
pub async fn pool_with(emulator: &Emulator, lambda_config: LambdaConfigType) -> (String, String) {
    let pool_id = emulator
        .idp
        .create_user_pool()
        .pool_name("triggers")
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .lambda_config(lambda_config)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let client_id = emulator.client(&pool_id, "app").await;
    (pool_id, client_id)
}

fn pre_sign_up(name: &str) -> LambdaConfigType {
    LambdaConfigType::builder().pre_sign_up(arn(name)).build()
}

async fn sign_up(
    emulator: &Emulator,
    client_id: &str,
    username: &str,
) -> Result<aws_sdk_cognitoidentityprovider::operation::sign_up::SignUpOutput, (String, String)> {
    emulator
        .idp
        .sign_up()
        .client_id(client_id)
        .username(username)
        .password("Passw0rd!")
        .user_attributes(
            AttributeType::builder()
                .name("email")
                .value("jane@example.com")
                .build()
                .unwrap(),
        )
        .validation_data(
            AttributeType::builder()
                .name("invite")
                .value("abc")
                .build()
                .unwrap(),
        )
        .client_metadata("source", "test")
        .send()
        .await
        .map_err(err)
}

#[tokio::test]
async fn pre_sign_up_receives_cognitos_event_and_its_answer_confirms_the_user() {
    let (emulator, lambda) = with_lambda().await;
    lambda.respond(
        "pre-sign-up",
        json!({"autoConfirmUser": true, "autoVerifyEmail": true}),
    );
    let (pool_id, client_id) = pool_with(&emulator, pre_sign_up("pre-sign-up")).await;
    let out = sign_up(&emulator, &client_id, "jane").await.unwrap();
    assert!(out.user_confirmed);
    assert!(out.code_delivery_details.is_none());

    let calls = lambda.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].function, "pre-sign-up");
    assert_eq!(calls[0].qualifier, None);
    assert_eq!(calls[0].invocation_type.as_deref(), Some("RequestResponse"));
    let authorization = calls[0].authorization.clone().unwrap();
    assert!(
        authorization.starts_with("AWS4-HMAC-SHA256 Credential="),
        "{authorization}"
    );
    assert!(
        authorization.contains("/us-east-1/lambda/aws4_request"),
        "{authorization}"
    );
    let event = &calls[0].event;
    assert_eq!(event["version"], "1");
    assert_eq!(event["triggerSource"], "PreSignUp_SignUp");
    assert_eq!(event["region"], "us-east-1");
    assert_eq!(event["userPoolId"], pool_id.as_str());
    assert_eq!(event["userName"], "jane");
    assert_eq!(event["callerContext"]["clientId"], client_id.as_str());
    assert!(event["callerContext"]["awsSdkVersion"]
        .as_str()
        .unwrap()
        .starts_with("aws-sdk-"));
    assert_eq!(
        event["request"],
        json!({
            "userAttributes": {"email": "jane@example.com"},
            "validationData": {"invite": "abc"},
            "clientMetadata": {"source": "test"},
        })
    );
    assert_eq!(
        event["response"],
        json!({"autoConfirmUser": false, "autoVerifyEmail": false, "autoVerifyPhone": false})
    );

    let user = emulator
        .idp
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("jane")
        .send()
        .await
        .unwrap();
    assert_eq!(user.user_status.unwrap().as_str(), "CONFIRMED");
    let verified = user
        .user_attributes
        .unwrap()
        .into_iter()
        .find(|a| a.name == "email_verified")
        .and_then(|a| a.value);
    assert_eq!(verified.as_deref(), Some("true"));
    assert!(emulator.messages(&pool_id, Some("jane")).await.is_empty());

    // The invocation is readable at the emulator's endpoint too.
    let log = emulator
        .get_json(&format!(
            "{}/_emulator/lambda-invocations?userPoolId={pool_id}",
            emulator.url
        ))
        .await;
    let invocations = log["invocations"].as_array().unwrap();
    assert_eq!(invocations.len(), 1);
    assert_eq!(invocations[0]["functionName"], "pre-sign-up");
    assert_eq!(invocations[0]["triggerSource"], "PreSignUp_SignUp");
    assert_eq!(invocations[0]["event"]["userName"], "jane");
    assert_eq!(
        invocations[0]["answer"]["response"]["autoConfirmUser"],
        true
    );
}

#[tokio::test]
async fn an_unchanged_event_signs_up_as_without_the_trigger() {
    let (emulator, lambda) = with_lambda().await;
    lambda.echo("pre-sign-up");
    let (pool_id, client_id) = pool_with(&emulator, pre_sign_up("pre-sign-up")).await;
    let out = sign_up(&emulator, &client_id, "jane").await.unwrap();
    assert!(!out.user_confirmed);
    assert_eq!(
        out.code_delivery_details.unwrap().destination.as_deref(),
        Some("j***@e***")
    );
    assert_eq!(emulator.messages(&pool_id, Some("jane")).await.len(), 1);
    assert_eq!(lambda.events("pre-sign-up")[0]["userName"], "jane");
}

#[tokio::test]
async fn a_thrown_error_rejects_the_sign_up_and_creates_nobody() {
    let (emulator, lambda) = with_lambda().await;
    lambda.on("pre-sign-up", |_| {
        Answer::Error("Invalid email domain".into())
    });
    let (pool_id, client_id) = pool_with(&emulator, pre_sign_up("pre-sign-up")).await;
    let error = sign_up(&emulator, &client_id, "jane").await.unwrap_err();
    assert_eq!(
        error,
        (
            "UserLambdaValidationException".to_string(),
            "PreSignUp failed with error Invalid email domain.".to_string()
        )
    );
    let missing = emulator
        .idp
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("jane")
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(missing.0, "UserNotFoundException");
}

#[tokio::test]
async fn malformed_answers_are_invalid_lambda_responses() {
    let (emulator, lambda) = with_lambda().await;
    let (_, client_id) = pool_with(&emulator, pre_sign_up("pre-sign-up")).await;
    for (body, message) in [
        ("not json", "Invalid lambda function output : Invalid JSON"),
        ("[1, 2]", "Invalid lambda function output : Invalid JSON"),
        (r#"{"hello": "world"}"#, "Unrecognizable lambda output"),
    ] {
        lambda.on("pre-sign-up", move |_| Answer::Raw(200, body.to_string()));
        let error = sign_up(&emulator, &client_id, "jane").await.unwrap_err();
        assert_eq!(
            error,
            (
                "InvalidLambdaResponseException".to_string(),
                message.to_string()
            ),
            "{body}"
        );
    }
    // A flag that is not a boolean is not Cognito's event either.
    lambda.respond("pre-sign-up", json!({"autoConfirmUser": "yes"}));
    let error = sign_up(&emulator, &client_id, "jane").await.unwrap_err();
    assert_eq!(error.0, "InvalidLambdaResponseException");
}

#[tokio::test]
async fn unreachable_missing_and_slow_functions_are_unexpected_lambda_errors() {
    let (emulator, lambda) = with_lambda().await;
    // Not defined at the Lambda server: it answers 404.
    let (_, client_id) = pool_with(&emulator, pre_sign_up("missing")).await;
    let error = sign_up(&emulator, &client_id, "jane").await.unwrap_err();
    assert_eq!(
        error,
        (
            "UnexpectedLambdaException".to_string(),
            "PreSignUp invocation failed due to error ResourceNotFoundException.".to_string()
        )
    );
    // Cognito waits five seconds for a function.
    lambda.on("slow", |event| {
        Answer::Slow(
            std::time::Duration::from_secs(7),
            Box::new(Answer::Event(event)),
        )
    });
    let (_, client_id) = pool_with(&emulator, pre_sign_up("slow")).await;
    let started = std::time::Instant::now();
    let error = sign_up(&emulator, &client_id, "jane").await.unwrap_err();
    assert_eq!(
        error,
        (
            "UnexpectedLambdaException".to_string(),
            "PreSignUp invocation failed due to error Socket timeout while invoking Lambda function."
                .to_string()
        )
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(7));
}

#[tokio::test]
async fn without_an_endpoint_a_configured_trigger_fails_the_operation() {
    let emulator = start().await;
    let (pool_id, client_id) = pool_with(&emulator, pre_sign_up("pre-sign-up")).await;
    let error = sign_up(&emulator, &client_id, "jane").await.unwrap_err();
    assert_eq!(
        error,
        (
            "UnexpectedLambdaException".to_string(),
            "PreSignUp invocation failed due to error AccessDeniedException.".to_string()
        )
    );
    let log = emulator
        .get_json(&format!("{}/_emulator/lambda-invocations", emulator.url))
        .await;
    assert_eq!(log["invocations"][0]["userPoolId"], pool_id.as_str());
    assert_eq!(log["invocations"][0]["error"], "NoEndpoint");
}

#[tokio::test]
async fn qualifiers_and_per_function_endpoints() {
    let main = LambdaServer::start().await;
    let other = LambdaServer::start().await;
    other.echo("elsewhere");
    main.echo("here");
    let mut config = Config::default_for_tests();
    config.lambda_endpoint = Some(main.url.clone());
    config.lambda_function_endpoint = vec![format!("elsewhere={}", other.url)];
    let emulator = start_with(config).await;
    let qualified = format!("{}:live", arn("here"));
    let (_, client_id) = pool_with(&emulator, pre_sign_up_arn(qualified)).await;
    sign_up(&emulator, &client_id, "jane").await.unwrap();
    let (_, client_id) = pool_with(&emulator, pre_sign_up("elsewhere")).await;
    sign_up(&emulator, &client_id, "jane").await.unwrap();
    let calls = main.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].function, "here");
    assert_eq!(calls[0].qualifier.as_deref(), Some("live"));
    assert_eq!(other.calls().len(), 1);
    assert_eq!(other.calls()[0].function, "elsewhere");
}

fn pre_sign_up_arn(arn: String) -> LambdaConfigType {
    LambdaConfigType::builder().pre_sign_up(arn).build()
}
