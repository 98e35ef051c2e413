//! CustomMessage (every kind of message) and the custom senders (the code encrypted with the
//! AWS Encryption SDK under a KMS data key, decrypted here by the real Python Encryption SDK).

use std::collections::HashMap;
use std::process::Command;
use std::sync::{Arc, Mutex};

use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, AuthFlowType, ChallengeNameType, CustomEmailLambdaVersionConfigType,
    CustomEmailSenderLambdaVersionType, ExplicitAuthFlowsType as Flow, LambdaConfigType,
    MessageActionType, SmsConfigurationType, SmsMfaConfigType, UserPoolMfaType,
};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Json, Router};
use base64::Engine;
use cognito_emulator::config::Config;
use serde_json::{json, Value};

use crate::common::{err, start_with, Emulator};
use crate::external::tool_available;
use crate::lambda_server::{arn, Answer, LambdaServer};
use crate::triggers::{pool_with, with_lambda};

const PASSWORD: &str = "Passw0rd!";

fn custom_message() -> LambdaConfigType {
    LambdaConfigType::builder()
        .custom_message(arn("custom-message"))
        .build()
}

/// A CustomMessage function writing "<source>: <code placeholder>" messages (and a subject).
fn rewriting(lambda: &LambdaServer) {
    lambda.on("custom-message", |mut event| {
        let source = event["triggerSource"].as_str().unwrap().to_string();
        let code = event["request"]["codeParameter"]
            .as_str()
            .unwrap()
            .to_string();
        let text = match event["request"]["usernameParameter"].as_str() {
            Some(user) => format!("{source}: {user} / {code}"),
            None => format!("{source}: {code}"),
        };
        event["response"]["emailMessage"] = json!(format!("<p>{text}</p>"));
        event["response"]["smsMessage"] = json!(text);
        event["response"]["emailSubject"] = json!(format!("Subject of {source}"));
        Answer::Event(event)
    });
}

fn email(address: &str) -> AttributeType {
    AttributeType::builder()
        .name("email")
        .value(address)
        .build()
        .unwrap()
}

async fn last_message(emulator: &Emulator, pool_id: &str, username: &str) -> Value {
    emulator
        .messages(pool_id, Some(username))
        .await
        .last()
        .cloned()
        .expect("a kept message")
}

#[tokio::test]
async fn every_message_goes_through_custom_message() {
    let (emulator, lambda) = with_lambda().await;
    rewriting(&lambda);
    let (pool_id, client_id) = pool_with(&emulator, custom_message()).await;

    // Sign-up: the exact event, then the rewritten message with the real code.
    emulator
        .idp
        .sign_up()
        .client_id(&client_id)
        .username("jane")
        .password(PASSWORD)
        .user_attributes(email("jane@example.com"))
        .client_metadata("app", "web")
        .send()
        .await
        .unwrap();
    let event = lambda.events("custom-message").pop().unwrap();
    assert_eq!(event["triggerSource"], "CustomMessage_SignUp");
    assert_eq!(event["userName"], "jane");
    assert_eq!(event["callerContext"]["clientId"], client_id.as_str());
    let sub = event["request"]["userAttributes"]["sub"].as_str().unwrap();
    assert_eq!(sub.len(), 36);
    assert_eq!(
        event["request"],
        json!({
            "userAttributes": {
                "sub": sub,
                "email": "jane@example.com",
                "cognito:user_status": "UNCONFIRMED",
            },
            "codeParameter": "{####}",
            "linkParameter": "{##Click Here##}",
            "usernameParameter": null,
            "clientMetadata": {"app": "web"},
        })
    );
    assert_eq!(
        event["response"],
        json!({"smsMessage": null, "emailMessage": null, "emailSubject": null})
    );
    let message = last_message(&emulator, &pool_id, "jane").await;
    let code = message["code"].as_str().unwrap();
    assert_eq!(
        message["body"],
        format!("<p>CustomMessage_SignUp: {code}</p>")
    );
    assert_eq!(message["subject"], "Subject of CustomMessage_SignUp");

    // The other kinds of message, each with its trigger source.
    emulator
        .idp
        .resend_confirmation_code()
        .client_id(&client_id)
        .username("jane")
        .send()
        .await
        .unwrap();
    let message = last_message(&emulator, &pool_id, "jane").await;
    let code = message["code"].as_str().unwrap().to_string();
    assert_eq!(
        message["body"],
        format!("<p>CustomMessage_ResendCode: {code}</p>")
    );
    emulator
        .idp
        .confirm_sign_up()
        .client_id(&client_id)
        .username("jane")
        .confirmation_code(&code)
        .send()
        .await
        .unwrap();
    emulator
        .idp
        .forgot_password()
        .client_id(&client_id)
        .username("jane")
        .send()
        .await
        .unwrap();
    let message = last_message(&emulator, &pool_id, "jane").await;
    assert_eq!(
        message["body"],
        format!(
            "<p>CustomMessage_ForgotPassword: {}</p>",
            message["code"].as_str().unwrap()
        )
    );
    // A signed-in user changing and verifying an address.
    let password_client = emulator
        .client_with_flows(
            &pool_id,
            "password",
            &[Flow::AllowUserPasswordAuth, Flow::AllowRefreshTokenAuth],
        )
        .await;
    let access_token = emulator
        .idp
        .initiate_auth()
        .client_id(&password_client)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "jane")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap()
        .authentication_result
        .unwrap()
        .access_token
        .unwrap();
    emulator
        .idp
        .update_user_attributes()
        .access_token(&access_token)
        .user_attributes(email("jane@example.org"))
        .send()
        .await
        .unwrap();
    let message = last_message(&emulator, &pool_id, "jane").await;
    assert_eq!(message["destination"], "jane@example.org");
    assert_eq!(
        message["body"],
        format!(
            "<p>CustomMessage_UpdateUserAttribute: {}</p>",
            message["code"].as_str().unwrap()
        )
    );
    emulator
        .idp
        .get_user_attribute_verification_code()
        .access_token(&access_token)
        .attribute_name("email")
        .send()
        .await
        .unwrap();
    let message = last_message(&emulator, &pool_id, "jane").await;
    assert_eq!(
        message["body"],
        format!(
            "<p>CustomMessage_VerifyUserAttribute: {}</p>",
            message["code"].as_str().unwrap()
        )
    );

    // An invitation names the username and the temporary password.
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("kim")
        .temporary_password("Temp0rary!")
        .user_attributes(email("kim@example.com"))
        .desired_delivery_mediums(aws_sdk_cognitoidentityprovider::types::DeliveryMediumType::Email)
        .send()
        .await
        .unwrap();
    let event = lambda.events("custom-message").pop().unwrap();
    assert_eq!(event["triggerSource"], "CustomMessage_AdminCreateUser");
    assert_eq!(event["request"]["usernameParameter"], "{username}");
    assert_eq!(
        event["callerContext"]["clientId"],
        "CLIENT_ID_NOT_APPLICABLE"
    );
    let message = last_message(&emulator, &pool_id, "kim").await;
    assert_eq!(
        message["body"],
        "<p>CustomMessage_AdminCreateUser: kim / Temp0rary!</p>"
    );
    let sources: Vec<String> = lambda
        .events("custom-message")
        .iter()
        .map(|e| e["triggerSource"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        sources,
        [
            "CustomMessage_SignUp",
            "CustomMessage_ResendCode",
            "CustomMessage_ForgotPassword",
            "CustomMessage_UpdateUserAttribute",
            "CustomMessage_VerifyUserAttribute",
            "CustomMessage_AdminCreateUser",
        ]
    );
}

#[tokio::test]
async fn mfa_codes_are_custom_messages_of_authentication() {
    let (emulator, lambda) = with_lambda().await;
    rewriting(&lambda);
    let (pool_id, _) = pool_with(&emulator, custom_message()).await;
    emulator
        .idp
        .set_user_pool_mfa_config()
        .user_pool_id(&pool_id)
        .mfa_configuration(UserPoolMfaType::On)
        .sms_mfa_configuration(
            SmsMfaConfigType::builder()
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
    let client_id = emulator
        .client_with_flows(
            &pool_id,
            "password",
            &[Flow::AllowUserPasswordAuth, Flow::AllowRefreshTokenAuth],
        )
        .await;
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("bob")
        .message_action(MessageActionType::Suppress)
        .user_attributes(
            AttributeType::builder()
                .name("phone_number")
                .value("+15555551234")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    emulator.set_password(&pool_id, "bob", PASSWORD).await;
    let challenged = emulator
        .idp
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "bob")
        .auth_parameters("PASSWORD", PASSWORD)
        .client_metadata("step", "mfa")
        .send()
        .await
        .unwrap();
    assert_eq!(challenged.challenge_name, Some(ChallengeNameType::SmsMfa));
    let event = lambda.events("custom-message").pop().unwrap();
    assert_eq!(event["triggerSource"], "CustomMessage_Authentication");
    assert_eq!(event["request"]["clientMetadata"], json!({"step": "mfa"}));
    let message = last_message(&emulator, &pool_id, "bob").await;
    let code = message["code"].as_str().unwrap().to_string();
    assert_eq!(
        message["body"],
        format!("CustomMessage_Authentication: {code}")
    );
    let signed_in = emulator
        .idp
        .respond_to_auth_challenge()
        .client_id(&client_id)
        .challenge_name(ChallengeNameType::SmsMfa)
        .session(challenged.session.unwrap())
        .challenge_responses("USERNAME", "bob")
        .challenge_responses("SMS_MFA_CODE", &code)
        .send()
        .await
        .unwrap();
    assert!(signed_in.authentication_result.is_some());
}

#[tokio::test]
async fn failing_or_incomplete_custom_messages() {
    let (emulator, lambda) = with_lambda().await;
    let (pool_id, client_id) = pool_with(&emulator, custom_message()).await;
    let sign_up = |name: &'static str| {
        emulator
            .idp
            .sign_up()
            .client_id(&client_id)
            .username(name)
            .password(PASSWORD)
            .user_attributes(email("x@example.com"))
            .send()
    };
    // A message without the code placeholder cannot deliver the code: the pool's own is kept.
    lambda.respond("custom-message", json!({"emailMessage": "Welcome!"}));
    sign_up("ann").await.unwrap();
    let message = last_message(&emulator, &pool_id, "ann").await;
    assert_eq!(
        message["body"],
        format!(
            "Your verification code is {}.",
            message["code"].as_str().unwrap()
        )
    );
    // A thrown error fails the request with Cognito's error.
    lambda.on("custom-message", |_| Answer::Error("no template".into()));
    let error = sign_up("bea").await.map_err(err).unwrap_err();
    assert_eq!(
        error,
        (
            "UserLambdaValidationException".to_string(),
            "CustomMessage failed with error no template.".to_string()
        )
    );
    assert!(emulator.messages(&pool_id, Some("bea")).await.is_empty());
    // A message that is not a string is not Cognito's event.
    lambda.respond("custom-message", json!({"emailMessage": 42}));
    let error = sign_up("cat").await.map_err(err).unwrap_err();
    assert_eq!(error.0, "InvalidLambdaResponseException");
}

/// A KMS speaking just enough of the JSON API: GenerateDataKey and Decrypt (the "ciphertext"
/// is the key under a recognisable prefix).
async fn fake_kms() -> (String, Arc<Mutex<Vec<String>>>) {
    let targets = Arc::new(Mutex::new(Vec::new()));
    async fn kms(
        State(targets): State<Arc<Mutex<Vec<String>>>>,
        headers: HeaderMap,
        body: axum::body::Bytes,
    ) -> Json<Value> {
        // KMS speaks application/x-amz-json-1.1.
        let body: Value = serde_json::from_slice(&body).unwrap();
        let b64 = base64::engine::general_purpose::STANDARD;
        let target = headers["x-amz-target"].to_str().unwrap().to_string();
        assert!(headers["authorization"]
            .to_str()
            .unwrap()
            .contains("/kms/aws4_request"));
        targets.lock().unwrap().push(target.clone());
        let key_id = "arn:aws:kms:us-east-1:000000000000:key/test-key";
        match target.as_str() {
            "TrentService.GenerateDataKey" => {
                let key: Vec<u8> = (0..32u8)
                    .map(|i| i.wrapping_mul(7).wrapping_add(3))
                    .collect();
                let mut wrapped = b"fake-kms:".to_vec();
                wrapped.extend_from_slice(&key);
                Json(json!({
                    "KeyId": key_id,
                    "Plaintext": b64.encode(&key),
                    "CiphertextBlob": b64.encode(&wrapped),
                }))
            }
            _ => {
                let wrapped = b64
                    .decode(body["CiphertextBlob"].as_str().unwrap())
                    .unwrap();
                Json(json!({
                    "KeyId": key_id,
                    "Plaintext": b64.encode(&wrapped[9..]),
                    "EncryptionAlgorithm": "SYMMETRIC_DEFAULT",
                }))
            }
        }
    }
    let app = Router::new()
        .route("/", post(kms))
        .with_state(targets.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, targets)
}

fn email_sender(kms_key: bool) -> LambdaConfigType {
    let mut config = LambdaConfigType::builder()
        .custom_message(arn("custom-message"))
        .custom_email_sender(
            CustomEmailLambdaVersionConfigType::builder()
                .lambda_arn(arn("email-sender"))
                .lambda_version(CustomEmailSenderLambdaVersionType::V10)
                .build()
                .unwrap(),
        );
    if kms_key {
        config = config.kms_key_id("arn:aws:kms:us-east-1:000000000000:key/test-key");
    }
    config.build()
}

#[tokio::test(flavor = "multi_thread")]
async fn custom_email_senders_get_the_code_encrypted_under_the_pools_kms_key() {
    let lambda = LambdaServer::start().await;
    lambda.echo("email-sender");
    lambda.echo("custom-message");
    let (kms_url, kms_calls) = fake_kms().await;
    let mut config = Config::default_for_tests();
    config.lambda_endpoint = Some(lambda.url.clone());
    config.kms_endpoint = Some(kms_url.clone());
    let emulator = start_with(config).await;
    let (pool_id, client_id) = pool_with(&emulator, email_sender(true)).await;
    emulator
        .idp
        .sign_up()
        .client_id(&client_id)
        .username("jane")
        .password(PASSWORD)
        .user_attributes(email("jane@example.com"))
        .send()
        .await
        .unwrap();
    // The sender replaces CustomMessage for e-mail.
    assert!(lambda.events("custom-message").is_empty());
    let event = lambda.events("email-sender").pop().unwrap();
    assert_eq!(event["triggerSource"], "CustomEmailSender_SignUp");
    assert_eq!(event["request"]["type"], "customEmailSenderRequestV1");
    assert_eq!(
        event["request"]["userAttributes"]["email"],
        "jane@example.com"
    );
    assert_eq!(
        kms_calls.lock().unwrap().as_slice(),
        ["TrentService.GenerateDataKey"]
    );
    let encrypted = event["request"]["code"].as_str().unwrap().to_string();
    let kept = last_message(&emulator, &pool_id, "jane").await;
    let code = kept["code"].as_str().unwrap().to_string();
    assert_ne!(encrypted, code);

    // The real AWS Encryption SDK decrypts it with KMS (ours, through AWS_ENDPOINT_URL_KMS).
    let decrypted = tokio::task::spawn_blocking(move || {
        let python = concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/.venv/bin/python");
        let python = if std::path::Path::new(python).exists() {
            python
        } else {
            "python3"
        };
        if !tool_available(python, &["-c", "import aws_encryption_sdk"]) {
            return None;
        }
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/clients/encryption_sdk_decrypt.py"
        );
        Some(
            Command::new(python)
                .args([
                    script,
                    "arn:aws:kms:us-east-1:000000000000:key/test-key",
                    &encrypted,
                ])
                .env("AWS_ENDPOINT_URL_KMS", &kms_url)
                .env("AWS_ACCESS_KEY_ID", "test")
                .env("AWS_SECRET_ACCESS_KEY", "test")
                .env("AWS_DEFAULT_REGION", "us-east-1")
                .output()
                .unwrap(),
        )
    })
    .await
    .unwrap();
    if let Some(output) = decrypted {
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stdout}\n{stderr}");
        assert_eq!(stdout, format!("suite 0x478\ncode {code}\n"));
        assert_eq!(
            kms_calls.lock().unwrap().last().map(String::as_str),
            Some("TrentService.Decrypt")
        );
    }
}

#[tokio::test]
async fn without_kms_the_sender_gets_the_code_itself_and_its_failures_are_not_the_callers() {
    let (emulator, lambda) = with_lambda().await;
    lambda.on("email-sender", |_| Answer::Error("SES is down".into()));
    let (pool_id, client_id) = pool_with(&emulator, email_sender(false)).await;
    emulator
        .idp
        .sign_up()
        .client_id(&client_id)
        .username("jane")
        .password(PASSWORD)
        .user_attributes(email("jane@example.com"))
        .send()
        .await
        .unwrap();
    let kept = last_message(&emulator, &pool_id, "jane").await;
    let event = lambda.events("email-sender").pop().unwrap();
    assert_eq!(event["request"]["code"], kept["code"]);
    let counts: HashMap<String, usize> =
        lambda
            .calls()
            .iter()
            .fold(HashMap::new(), |mut counts, call| {
                *counts.entry(call.function.clone()).or_default() += 1;
                counts
            });
    assert_eq!(counts.get("email-sender"), Some(&1));
}

#[tokio::test]
async fn custom_sms_senders_get_invitations_and_codes_sent_by_sms() {
    use aws_sdk_cognitoidentityprovider::types::{
        CustomSmsLambdaVersionConfigType, CustomSmsSenderLambdaVersionType, DeliveryMediumType,
    };
    let (emulator, lambda) = with_lambda().await;
    lambda.echo("sms-sender");
    lambda.echo("custom-message");
    let config = LambdaConfigType::builder()
        .custom_message(arn("custom-message"))
        .custom_sms_sender(
            CustomSmsLambdaVersionConfigType::builder()
                .lambda_arn(arn("sms-sender"))
                .lambda_version(CustomSmsSenderLambdaVersionType::V10)
                .build()
                .unwrap(),
        )
        .build();
    let (pool_id, _) = pool_with(&emulator, config).await;
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("sam")
        .temporary_password("Temp0rary!")
        .user_attributes(
            AttributeType::builder()
                .name("phone_number")
                .value("+15555550100")
                .build()
                .unwrap(),
        )
        .desired_delivery_mediums(DeliveryMediumType::Sms)
        .client_metadata("origin", "admin")
        .send()
        .await
        .unwrap();
    let event = lambda
        .events("sms-sender")
        .pop()
        .expect("the SMS sender was called");
    assert_eq!(event["triggerSource"], "CustomSMSSender_AdminCreateUser");
    assert_eq!(event["userName"], "sam");
    assert_eq!(event["request"]["type"], "customSMSSenderRequestV1");
    // Without --kms-endpoint the code is the temporary password itself.
    assert_eq!(event["request"]["code"], "Temp0rary!");
    assert_eq!(
        event["request"]["clientMetadata"],
        json!({"origin": "admin"})
    );
    assert_eq!(
        event["request"]["userAttributes"]["phone_number"],
        "+15555550100"
    );
    // The SMS sender replaces CustomMessage for SMS.
    assert!(lambda.events("custom-message").is_empty());
}
