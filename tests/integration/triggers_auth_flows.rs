//! PreAuthentication and PostAuthentication in the other sign-in flows: the hosted page (with
//! UserMigration first), USER_AUTH, a remembered device, a temporary password, CUSTOM_AUTH.

use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ExplicitAuthFlowsType as Flow, LambdaConfigType, OAuthFlowType,
};
use serde_json::json;

use crate::common::Emulator;
use crate::lambda_server::{arn, Answer};
use crate::oauth::{query_of, Browser};
use crate::triggers::{pool_with, with_lambda};
use crate::triggers_authentication::authentication;
use crate::triggers_lifecycle::password_client;
use crate::triggers_migration::old_system;

// ---- The hosted sign-in page ----

const CALLBACK: &str = "http://localhost:3000/callback";

pub async fn hosted_client(emulator: &Emulator, pool_id: &str) -> String {
    emulator
        .idp
        .create_user_pool_client()
        .user_pool_id(pool_id)
        .client_name("web")
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_scopes("openid")
        .callback_urls(CALLBACK)
        .supported_identity_providers("COGNITO")
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap()
}

pub fn login_path(client_id: &str) -> String {
    format!(
        "/login?response_type=code&client_id={client_id}&redirect_uri={}",
        url::form_urlencoded::byte_serialize(CALLBACK.as_bytes()).collect::<String>()
    )
}

#[tokio::test]
async fn the_hosted_page_migrates_and_calls_pre_and_post_authentication() {
    let (emulator, lambda) = with_lambda().await;
    old_system(&lambda, "migrate", "CONFIRMED");
    lambda.echo("pre-auth");
    lambda.echo("post-auth");
    let config = LambdaConfigType::builder()
        .user_migration(arn("migrate"))
        .pre_authentication(arn("pre-auth"))
        .post_authentication(arn("post-auth"))
        .build();
    let (pool_id, _) = pool_with(&emulator, config).await;
    let client_id = hosted_client(&emulator, &pool_id).await;
    let mut browser = Browser::new(&emulator.url);
    let page = browser
        .sign_in(&login_path(&client_id), "oldtimer", "Legacy-passw0rd")
        .await;
    assert_eq!(page.status, 302, "{}", page.body);
    let location = page.location.unwrap();
    assert!(location.starts_with(CALLBACK), "{location}");
    assert!(query_of(&location).contains_key("code"), "{location}");
    let calls = lambda.calls();
    let sources: Vec<&str> = calls
        .iter()
        .map(|c| c.event["triggerSource"].as_str().unwrap())
        .collect();
    assert_eq!(
        sources,
        [
            "UserMigration_Authentication",
            "PreAuthentication_Authentication",
            "PostAuthentication_Authentication"
        ]
    );
    for call in &calls {
        assert_eq!(call.event["callerContext"]["clientId"], client_id.as_str());
    }
    assert_eq!(calls[2].event["request"]["newDeviceUsed"], false);

    // A function's error is shown on the page, and nobody is signed in.
    lambda.on("pre-auth", |_| {
        Answer::Error("Closed for maintenance".into())
    });
    let mut browser = Browser::new(&emulator.url);
    let page = browser
        .sign_in(&login_path(&client_id), "oldtimer", "Legacy-passw0rd")
        .await;
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("PreAuthentication failed with error Closed for maintenance."),
        "{}",
        page.body
    );
}

// ---- USER_AUTH and remembered devices ----

#[tokio::test]
async fn user_auth_with_a_password_migrates_and_authenticates() {
    use aws_sdk_cognitoidentityprovider::types::{
        AuthFactorType, ChallengeNameType, SignInPolicyType, UserPoolPolicyType,
    };
    let (emulator, lambda) = with_lambda().await;
    old_system(&lambda, "migrate", "CONFIRMED");
    lambda.echo("pre-auth");
    lambda.echo("post-auth");
    let config = LambdaConfigType::builder()
        .user_migration(arn("migrate"))
        .pre_authentication(arn("pre-auth"))
        .post_authentication(arn("post-auth"))
        .build();
    let pool_id = emulator
        .idp
        .create_user_pool()
        .pool_name("user-auth")
        .lambda_config(config)
        .policies(
            UserPoolPolicyType::builder()
                .sign_in_policy(
                    SignInPolicyType::builder()
                        .allowed_first_auth_factors(AuthFactorType::Password)
                        .allowed_first_auth_factors(AuthFactorType::EmailOtp)
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
        .client_with_flows(
            &pool_id,
            "app",
            &[Flow::AllowUserAuth, Flow::AllowRefreshTokenAuth],
        )
        .await;
    let out = emulator
        .idp
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::UserAuth)
        .auth_parameters("USERNAME", "oldtimer")
        .auth_parameters("PREFERRED_CHALLENGE", "PASSWORD")
        .auth_parameters("PASSWORD", "Legacy-passw0rd")
        .send()
        .await
        .unwrap();
    assert!(out.authentication_result.is_some());
    let order: Vec<String> = lambda.calls().into_iter().map(|c| c.function).collect();
    assert_eq!(order, ["migrate", "pre-auth", "post-auth"]);

    // Choosing from SELECT_CHALLENGE: PreAuthentication once, before any factor.
    let out = emulator
        .idp
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::UserAuth)
        .auth_parameters("USERNAME", "oldtimer")
        .send()
        .await
        .unwrap();
    assert_eq!(out.challenge_name, Some(ChallengeNameType::SelectChallenge));
    assert_eq!(lambda.events("pre-auth").len(), 2);
    let out = emulator
        .idp
        .respond_to_auth_challenge()
        .client_id(&client_id)
        .challenge_name(ChallengeNameType::SelectChallenge)
        .session(out.session.unwrap())
        .challenge_responses("USERNAME", "oldtimer")
        .challenge_responses("ANSWER", "PASSWORD")
        .challenge_responses("PASSWORD", "Legacy-passw0rd")
        .client_metadata("step", "select")
        .send()
        .await
        .unwrap();
    assert!(out.authentication_result.is_some());
    let order: Vec<String> = lambda.calls().into_iter().map(|c| c.function).collect();
    assert_eq!(
        order,
        ["migrate", "pre-auth", "post-auth", "pre-auth", "post-auth"]
    );
    // PostAuthentication hears the ClientMetadata of the call that finished the sign-in.
    assert_eq!(
        lambda.events("post-auth")[1]["request"]["clientMetadata"],
        json!({"step": "select"})
    );

    // A passwordless first factor: PreAuthentication before the code is sent,
    // PostAuthentication once it is answered; no migration without a password.
    let out = emulator
        .idp
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::UserAuth)
        .auth_parameters("USERNAME", "oldtimer")
        .auth_parameters("PREFERRED_CHALLENGE", "EMAIL_OTP")
        .send()
        .await
        .unwrap();
    assert_eq!(out.challenge_name, Some(ChallengeNameType::EmailOtp));
    assert_eq!(lambda.events("pre-auth").len(), 3);
    let messages = emulator.messages(&pool_id, Some("oldtimer")).await;
    let code = messages.last().unwrap()["code"]
        .as_str()
        .unwrap()
        .to_string();
    let out = emulator
        .idp
        .respond_to_auth_challenge()
        .client_id(&client_id)
        .challenge_name(ChallengeNameType::EmailOtp)
        .session(out.session.unwrap())
        .challenge_responses("USERNAME", "oldtimer")
        .challenge_responses("EMAIL_OTP_CODE", code)
        .send()
        .await
        .unwrap();
    assert!(out.authentication_result.is_some());
    assert_eq!(lambda.events("post-auth").len(), 3);
    assert_eq!(lambda.events("migrate").len(), 1);
}

#[tokio::test]
async fn a_new_device_is_reported_to_post_authentication() {
    use aws_sdk_cognitoidentityprovider::types::DeviceConfigurationType;
    let (emulator, lambda) = with_lambda().await;
    lambda.echo("post-auth");
    let pool_id = emulator
        .idp
        .create_user_pool()
        .pool_name("devices")
        .lambda_config(
            LambdaConfigType::builder()
                .post_authentication(arn("post-auth"))
                .build(),
        )
        .device_configuration(
            DeviceConfigurationType::builder()
                .challenge_required_on_new_device(false)
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
    let client_id = password_client(&emulator, &pool_id, false).await;
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("dana")
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    emulator
        .set_password(&pool_id, "dana", "Legacy-passw0rd")
        .await;
    let out = emulator
        .idp
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "dana")
        .auth_parameters("PASSWORD", "Legacy-passw0rd")
        .send()
        .await
        .unwrap();
    assert!(out
        .authentication_result
        .unwrap()
        .new_device_metadata
        .is_some());
    let event = &lambda.events("post-auth")[0];
    assert_eq!(event["request"]["newDeviceUsed"], true);
}

#[tokio::test]
async fn a_temporary_password_is_authenticated_once_the_new_password_is_set() {
    use aws_sdk_cognitoidentityprovider::types::ChallengeNameType;
    let (emulator, lambda) = with_lambda().await;
    lambda.echo("pre-auth");
    lambda.echo("post-auth");
    let (pool_id, _) = pool_with(&emulator, authentication()).await;
    let client_id = password_client(&emulator, &pool_id, false).await;
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("tom")
        .temporary_password("Temp0rary!")
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    let out = emulator
        .idp
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "tom")
        .auth_parameters("PASSWORD", "Temp0rary!")
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.challenge_name,
        Some(ChallengeNameType::NewPasswordRequired)
    );
    let pre = lambda.events("pre-auth");
    assert_eq!(pre.len(), 1);
    assert_eq!(
        pre[0]["request"]["userAttributes"]["cognito:user_status"],
        "FORCE_CHANGE_PASSWORD"
    );
    assert!(lambda.events("post-auth").is_empty());
    emulator
        .idp
        .respond_to_auth_challenge()
        .client_id(&client_id)
        .challenge_name(ChallengeNameType::NewPasswordRequired)
        .session(out.session.unwrap())
        .challenge_responses("USERNAME", "tom")
        .challenge_responses("NEW_PASSWORD", "N3w-passw0rd!")
        .send()
        .await
        .unwrap();
    let post = lambda.events("post-auth");
    assert_eq!(post.len(), 1);
    assert_eq!(
        post[0]["request"]["userAttributes"]["cognito:user_status"],
        "CONFIRMED"
    );
    assert_eq!(lambda.events("pre-auth").len(), 1);
}

#[tokio::test]
async fn custom_auth_is_pre_authenticated_at_its_start_and_post_authenticated_at_its_tokens() {
    use crate::triggers_custom::{answer, initiate, quiz, quiz_pool};
    use aws_sdk_cognitoidentityprovider::types::ChallengeNameType;
    let (emulator, lambda) = with_lambda().await;
    quiz(&lambda);
    lambda.echo("pre-auth");
    lambda.echo("post-auth");
    let config = LambdaConfigType::builder()
        .define_auth_challenge(arn("define"))
        .create_auth_challenge(arn("create"))
        .verify_auth_challenge_response(arn("verify"))
        .pre_authentication(arn("pre-auth"))
        .post_authentication(arn("post-auth"))
        .build();
    let quiz_setup = quiz_pool(&emulator, config, false).await;
    let (challenge, _, session, _) = initiate(&emulator, &quiz_setup, &[("USERNAME", "jane")])
        .await
        .unwrap();
    assert_eq!(challenge, Some(ChallengeNameType::CustomChallenge));
    let order: Vec<String> = lambda.calls().into_iter().map(|c| c.function).collect();
    assert_eq!(order, ["pre-auth", "define", "create"]);
    let pre = &lambda.events("pre-auth")[0];
    assert_eq!(pre["request"]["validationData"], json!({"initiate": "yes"}));
    let (_, _, _, tokens) = answer(&emulator, &quiz_setup, session, "jane", "4")
        .await
        .unwrap();
    assert!(tokens.is_some());
    let order: Vec<String> = lambda.calls().into_iter().map(|c| c.function).collect();
    assert_eq!(
        order,
        [
            "pre-auth",
            "define",
            "create",
            "verify",
            "define",
            "post-auth"
        ]
    );
    let post = &lambda.events("post-auth")[0];
    assert_eq!(
        post["request"]["clientMetadata"],
        json!({"round": "answer"})
    );

    // A PreAuthentication refusal stops the custom sign-in before DefineAuthChallenge.
    lambda.on("pre-auth", |_| Answer::Error("No quiz today".into()));
    let error = initiate(&emulator, &quiz_setup, &[("USERNAME", "jane")])
        .await
        .unwrap_err();
    assert_eq!(
        error,
        (
            "UserLambdaValidationException".to_string(),
            "PreAuthentication failed with error No quiz today.".to_string()
        )
    );
    assert_eq!(lambda.events("define").len(), 2);
}
