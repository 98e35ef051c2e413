//! PreAuthentication and PostAuthentication around password, SRP and admin sign-ins: the
//! events, the error mappings, unknown users; never on refresh. The other flows are in
//! `triggers_auth_flows.rs`.

use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, LambdaConfigType};
use serde_json::{json, Value};

use crate::common::{err, Emulator};
use crate::lambda_server::{arn, Answer};
use crate::triggers::{pool_with, with_lambda};
use crate::triggers_lifecycle::{confirmed_user, password_client, request_without_sub, PASSWORD};
// ---- PreAuthentication / PostAuthentication ----

pub fn authentication() -> LambdaConfigType {
    LambdaConfigType::builder()
        .pre_authentication(arn("pre-auth"))
        .post_authentication(arn("post-auth"))
        .build()
}

pub async fn password_sign_in(
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
        .client_metadata("app", "web")
        .send()
        .await
        .map(|o| o.authentication_result.unwrap().id_token.unwrap())
        .map_err(err)
}

fn jane_attributes() -> Value {
    json!({
        "email": "jane@example.com",
        "email_verified": "true",
        "cognito:user_status": "CONFIRMED",
    })
}

#[tokio::test]
async fn a_password_sign_in_calls_pre_then_post_authentication() {
    let (emulator, lambda) = with_lambda().await;
    lambda.echo("pre-auth");
    lambda.echo("post-auth");
    let (pool_id, _) = pool_with(&emulator, authentication()).await;
    let client_id = password_client(&emulator, &pool_id, false).await;
    confirmed_user(&emulator, &pool_id).await;
    password_sign_in(&emulator, &client_id, "jane", PASSWORD)
        .await
        .unwrap();
    let calls = lambda.calls();
    let order: Vec<&str> = calls.iter().map(|c| c.function.as_str()).collect();
    assert_eq!(order, ["pre-auth", "post-auth"]);
    let pre = &calls[0].event;
    assert_eq!(pre["triggerSource"], "PreAuthentication_Authentication");
    assert_eq!(pre["userName"], "jane");
    assert_eq!(pre["callerContext"]["clientId"], client_id.as_str());
    let mut expected = json!({
        "userAttributes": jane_attributes(),
        "validationData": {"app": "web"},
    });
    assert_eq!(request_without_sub(pre), expected);
    assert_eq!(pre["response"], json!({}));
    let post = &calls[1].event;
    assert_eq!(post["triggerSource"], "PostAuthentication_Authentication");
    assert_eq!(post["userName"], "jane");
    expected = json!({
        "userAttributes": jane_attributes(),
        "newDeviceUsed": false,
        "clientMetadata": {"app": "web"},
    });
    assert_eq!(request_without_sub(post), expected);

    // A wrong password: PreAuthentication ran, PostAuthentication did not.
    let error = password_sign_in(&emulator, &client_id, "jane", "Wr0ng-pass!")
        .await
        .unwrap_err();
    assert_eq!(error.1, "Incorrect username or password.");
    let order: Vec<String> = lambda.calls().into_iter().map(|c| c.function).collect();
    assert_eq!(order, ["pre-auth", "post-auth", "pre-auth"]);

    // Refreshing tokens calls neither.
    let refresh = emulator
        .idp
        .admin_initiate_auth()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "jane")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap()
        .authentication_result
        .unwrap()
        .refresh_token
        .unwrap();
    assert_eq!(lambda.calls().len(), 5);
    emulator
        .idp
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", refresh)
        .send()
        .await
        .unwrap();
    assert_eq!(lambda.calls().len(), 5);
}

#[tokio::test]
async fn pre_authentication_errors_reject_the_sign_in_before_the_password_is_checked() {
    let (emulator, lambda) = with_lambda().await;
    lambda.on("pre-auth", |_| Answer::Error("Account under review".into()));
    lambda.echo("post-auth");
    let (pool_id, _) = pool_with(&emulator, authentication()).await;
    let client_id = password_client(&emulator, &pool_id, false).await;
    confirmed_user(&emulator, &pool_id).await;
    for password in [PASSWORD, "Wr0ng-pass!"] {
        let error = password_sign_in(&emulator, &client_id, "jane", password)
            .await
            .unwrap_err();
        assert_eq!(
            error,
            (
                "UserLambdaValidationException".to_string(),
                "PreAuthentication failed with error Account under review.".to_string()
            )
        );
    }
    assert!(lambda.events("post-auth").is_empty());
    // Malformed answers and missing functions map as for every trigger.
    lambda.on("pre-auth", |_| Answer::Raw(200, "not json".into()));
    let error = password_sign_in(&emulator, &client_id, "jane", PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(
        error,
        (
            "InvalidLambdaResponseException".to_string(),
            "Invalid lambda function output : Invalid JSON".to_string()
        )
    );
}

#[tokio::test]
async fn post_authentication_errors_reject_the_sign_in() {
    let (emulator, lambda) = with_lambda().await;
    lambda.echo("pre-auth");
    lambda.on("post-auth", |_| {
        Answer::Error("Audit log unavailable".into())
    });
    let (pool_id, _) = pool_with(&emulator, authentication()).await;
    let client_id = password_client(&emulator, &pool_id, false).await;
    confirmed_user(&emulator, &pool_id).await;
    let error = password_sign_in(&emulator, &client_id, "jane", PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(
        error,
        (
            "UserLambdaValidationException".to_string(),
            "PostAuthentication failed with error Audit log unavailable.".to_string()
        )
    );
    // A function the Lambda endpoint does not have.
    let config = LambdaConfigType::builder()
        .pre_authentication(arn("missing"))
        .build();
    let (pool_id, _) = pool_with(&emulator, config).await;
    let client_id = password_client(&emulator, &pool_id, false).await;
    confirmed_user(&emulator, &pool_id).await;
    let error = password_sign_in(&emulator, &client_id, "jane", PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(
        error,
        (
            "UnexpectedLambdaException".to_string(),
            "PreAuthentication invocation failed due to error ResourceNotFoundException."
                .to_string()
        )
    );
}

#[tokio::test]
async fn unknown_users_reach_pre_authentication_only_with_prevent_user_existence_errors() {
    let (emulator, lambda) = with_lambda().await;
    lambda.echo("pre-auth");
    lambda.echo("post-auth");
    let (pool_id, _) = pool_with(&emulator, authentication()).await;
    let legacy = password_client(&emulator, &pool_id, false).await;
    let hiding = password_client(&emulator, &pool_id, true).await;
    confirmed_user(&emulator, &pool_id).await;

    let error = password_sign_in(&emulator, &legacy, "nobody", PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(error.0, "UserNotFoundException");
    assert!(lambda.calls().is_empty());

    let error = password_sign_in(&emulator, &hiding, "nobody", PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(
        error,
        (
            "NotAuthorizedException".to_string(),
            "Incorrect username or password.".to_string()
        )
    );
    let events = lambda.events("pre-auth");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["userName"], "nobody");
    assert_eq!(
        events[0]["request"],
        json!({
            "userAttributes": {},
            "validationData": {"app": "web"},
            "userNotFound": true,
        })
    );

    // A user who exists: userNotFound false for that client.
    password_sign_in(&emulator, &hiding, "jane", PASSWORD)
        .await
        .unwrap();
    let events = lambda.events("pre-auth");
    assert_eq!(events[1]["request"]["userNotFound"], false);
}

#[tokio::test]
async fn srp_and_admin_sign_ins_call_both_triggers() {
    let (emulator, lambda) = with_lambda().await;
    lambda.echo("pre-auth");
    lambda.echo("post-auth");
    let (pool_id, _) = pool_with(&emulator, authentication()).await;
    let client_id = password_client(&emulator, &pool_id, false).await;
    confirmed_user(&emulator, &pool_id).await;
    let setup = crate::auth::Setup {
        pool_id: pool_id.clone(),
        client_id: client_id.clone(),
        secret: None,
    };
    crate::srp::srp_login(&emulator, &setup, "jane", PASSWORD)
        .await
        .unwrap();
    let sources: Vec<String> = lambda
        .calls()
        .iter()
        .map(|c| c.event["triggerSource"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        sources,
        [
            "PreAuthentication_Authentication",
            "PostAuthentication_Authentication"
        ]
    );
    // No ClientMetadata: no validationData / clientMetadata members.
    assert_eq!(
        request_without_sub(&lambda.calls()[0].event),
        json!({"userAttributes": jane_attributes()})
    );

    emulator
        .idp
        .admin_initiate_auth()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "jane")
        .auth_parameters("PASSWORD", PASSWORD)
        .client_metadata("via", "admin")
        .send()
        .await
        .unwrap();
    let post = lambda.events("post-auth");
    assert_eq!(post.len(), 2);
    assert_eq!(
        post[1]["request"]["clientMetadata"],
        json!({"via": "admin"})
    );
}
