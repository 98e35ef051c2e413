//! UserMigration at sign-in (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH; USER_AUTH and the
//! hosted page are in `triggers_authentication.rs`) and in ForgotPassword: the event, the user
//! created from the answer, the error mappings; and the same with boto3.

use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ExplicitAuthFlowsType as Flow, LambdaConfigType,
};
use serde_json::{json, Value};

use crate::common::{err, Emulator};
use crate::lambda_server::{arn, Answer, LambdaServer};
use crate::triggers::{pool_with, with_lambda};

/// What the old system knows: `oldtimer` (and `forgetful`) with their attributes; a wrong
/// password is refused with an error, anyone else is unknown (the event comes back as is).
pub fn old_system(lambda: &LambdaServer, name: &str, status: &'static str) {
    lambda.on(name, move |mut event| {
        let user = event["userName"].as_str().unwrap().to_string();
        let password = event["request"]["password"].as_str().map(str::to_string);
        if user == "stranger" {
            return Answer::Error("Bad password".into());
        }
        if !["oldtimer", "forgetful"].contains(&user.as_str()) {
            return Answer::Event(event);
        }
        if password.is_some_and(|p| p != "Legacy-passw0rd") {
            return Answer::Error("Bad password".into());
        }
        event["response"]["userAttributes"] = json!({
            "email": format!("{user}@example.com"),
            "email_verified": "true",
            "name": "Old Timer",
        });
        event["response"]["finalUserStatus"] = json!(status);
        event["response"]["messageAction"] = json!("SUPPRESS");
        Answer::Event(event)
    });
}

pub fn migration() -> LambdaConfigType {
    LambdaConfigType::builder()
        .user_migration(arn("migrate"))
        .build()
}

async fn password_client(emulator: &Emulator, pool_id: &str) -> String {
    emulator
        .client_with_flows(
            pool_id,
            "passwords",
            &[
                Flow::AllowUserPasswordAuth,
                Flow::AllowAdminUserPasswordAuth,
                Flow::AllowUserSrpAuth,
                Flow::AllowRefreshTokenAuth,
            ],
        )
        .await
}

async fn sign_in(
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
        .client_metadata("origin", "test")
        .send()
        .await
        .map(|o| o.authentication_result.unwrap().id_token.unwrap())
        .map_err(err)
}

fn claims(token: &str) -> Value {
    crate::auth::claims(token)
}

#[tokio::test]
async fn an_unknown_user_is_migrated_at_sign_in_and_signed_in() {
    let (emulator, lambda) = with_lambda().await;
    old_system(&lambda, "migrate", "CONFIRMED");
    let (pool_id, _) = pool_with(&emulator, migration()).await;
    let client_id = password_client(&emulator, &pool_id).await;
    let id_token = sign_in(&emulator, &client_id, "oldtimer", "Legacy-passw0rd")
        .await
        .unwrap();
    let claims = claims(&id_token);
    assert_eq!(claims["cognito:username"], "oldtimer");
    assert_eq!(claims["email"], "oldtimer@example.com");
    assert_eq!(claims["email_verified"], true);
    assert_eq!(claims["name"], "Old Timer");

    let events = lambda.events("migrate");
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event["version"], "1");
    assert_eq!(event["triggerSource"], "UserMigration_Authentication");
    assert_eq!(event["userPoolId"], pool_id.as_str());
    assert_eq!(event["userName"], "oldtimer");
    assert_eq!(event["callerContext"]["clientId"], client_id.as_str());
    assert_eq!(
        event["request"],
        json!({
            "password": "Legacy-passw0rd",
            "validationData": {"origin": "test"},
            "clientMetadata": {"origin": "test"},
        })
    );
    assert_eq!(
        event["response"],
        json!({
            "userAttributes": null,
            "forceAliasCreation": null,
            "enableSMSMFA": null,
            "finalUserStatus": null,
            "messageAction": null,
            "desiredDeliveryMediums": null,
        })
    );
    // SUPPRESS: no welcome message.
    assert!(emulator
        .messages(&pool_id, Some("oldtimer"))
        .await
        .is_empty());

    // Now a user of the pool: the next sign-in does not ask the old system, and the password
    // the user typed is theirs.
    sign_in(&emulator, &client_id, "oldtimer", "Legacy-passw0rd")
        .await
        .unwrap();
    let error = sign_in(&emulator, &client_id, "oldtimer", "Other-passw0rd")
        .await
        .unwrap_err();
    assert_eq!(error.1, "Incorrect username or password.");
    assert_eq!(lambda.events("migrate").len(), 1);
}

#[tokio::test]
async fn the_functions_refusals_and_unknown_users() {
    let (emulator, lambda) = with_lambda().await;
    old_system(&lambda, "migrate", "CONFIRMED");
    let (pool_id, _) = pool_with(&emulator, migration()).await;
    let client_id = password_client(&emulator, &pool_id).await;
    let error = sign_in(&emulator, &client_id, "oldtimer", "Wr0ng-passw0rd")
        .await
        .unwrap_err();
    assert_eq!(
        error,
        (
            "UserLambdaValidationException".to_string(),
            "UserMigration failed with error Bad password.".to_string()
        )
    );
    // Not known to the old system either (no userAttributes): an unknown user.
    let error = sign_in(&emulator, &client_id, "nobody", "Legacy-passw0rd")
        .await
        .unwrap_err();
    assert_eq!(
        error,
        (
            "UserNotFoundException".to_string(),
            "User does not exist.".to_string()
        )
    );
    // Nobody was created.
    let (status, _) = emulator
        .idp_call(
            "AdminGetUser",
            json!({"UserPoolId": pool_id, "Username": "oldtimer"}),
        )
        .await;
    assert_eq!(status, 400);
    // A malformed answer.
    lambda.respond("migrate", json!({"userAttributes": {"email": 7}}));
    let error = sign_in(&emulator, &client_id, "oldtimer", "Legacy-passw0rd")
        .await
        .unwrap_err();
    assert_eq!(
        error,
        (
            "InvalidLambdaResponseException".to_string(),
            "Unrecognizable lambda output".to_string()
        )
    );
}

#[tokio::test]
async fn reset_required_welcome_message_and_the_admin_flow() {
    let (emulator, lambda) = with_lambda().await;
    lambda.on("migrate", |mut event| {
        let user = event["userName"].as_str().unwrap().to_string();
        event["response"]["userAttributes"] = json!({
            "email": format!("{user}@example.com"),
            "email_verified": "true",
        });
        if user == "oldtimer" {
            event["response"]["finalUserStatus"] = json!("RESET_REQUIRED");
        }
        event["response"]["desiredDeliveryMediums"] = json!(["EMAIL"]);
        event["response"]["enableSMSMFA"] = json!(true);
        Answer::Event(event)
    });
    let (pool_id, _) = pool_with(&emulator, migration()).await;
    let client_id = password_client(&emulator, &pool_id).await;
    let error = emulator
        .idp
        .admin_initiate_auth()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "oldtimer")
        .auth_parameters("PASSWORD", "Legacy-passw0rd")
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(
        error,
        (
            "PasswordResetRequiredException".to_string(),
            "Password reset required for the user".to_string()
        )
    );
    let event = &lambda.events("migrate")[0];
    assert_eq!(event["callerContext"]["clientId"], client_id.as_str());
    assert_eq!(event["request"], json!({"password": "Legacy-passw0rd"}));
    let user = emulator
        .idp
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("oldtimer")
        .send()
        .await
        .unwrap();
    assert_eq!(user.user_mfa_setting_list(), ["SMS_MFA"]);
    assert_eq!(user.user_status.unwrap().as_str(), "RESET_REQUIRED");

    // No finalUserStatus: CONFIRMED. No messageAction: the welcome message, by e-mail as
    // asked, delivered with the sign-in's success.
    emulator
        .idp
        .admin_initiate_auth()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "newcomer")
        .auth_parameters("PASSWORD", "Legacy-passw0rd")
        .send()
        .await
        .unwrap();
    let messages = emulator.messages(&pool_id, Some("newcomer")).await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["deliveryMedium"], "EMAIL");
    assert_eq!(messages[0]["destination"], "newcomer@example.com");
    assert_eq!(messages[0]["trigger"], "UserMigration");
}

#[tokio::test]
async fn forgot_password_migrates_an_unknown_user_and_sends_the_code() {
    let (emulator, lambda) = with_lambda().await;
    old_system(&lambda, "migrate", "CONFIRMED");
    let (pool_id, client_id) = pool_with(&emulator, migration()).await;
    let details = emulator
        .idp
        .forgot_password()
        .client_id(&client_id)
        .username("forgetful")
        .client_metadata("flow", "reset")
        .send()
        .await
        .unwrap()
        .code_delivery_details
        .unwrap();
    assert_eq!(details.destination.as_deref(), Some("f***@e***"));
    let event = &lambda.events("migrate")[0];
    assert_eq!(event["triggerSource"], "UserMigration_ForgotPassword");
    assert_eq!(event["userName"], "forgetful");
    assert_eq!(
        event["request"],
        json!({
            "validationData": {"flow": "reset"},
            "clientMetadata": {"flow": "reset"},
        })
    );
    let user = emulator
        .idp
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("forgetful")
        .send()
        .await
        .unwrap();
    // Whatever finalUserStatus says: the user has no password until the reset.
    assert_eq!(user.user_status.unwrap().as_str(), "RESET_REQUIRED");
    let messages = emulator.messages(&pool_id, Some("forgetful")).await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["trigger"], "ForgotPassword");

    // Unknown to the old system too: Cognito's answer for an unknown user.
    let error = emulator
        .idp
        .forgot_password()
        .client_id(&client_id)
        .username("nobody")
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(error.0, "UserNotFoundException");
    // A thrown error.
    let error = emulator
        .idp
        .forgot_password()
        .client_id(&client_id)
        .username("stranger")
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(
        error,
        (
            "UserLambdaValidationException".to_string(),
            "UserMigration failed with error Bad password.".to_string()
        )
    );
}

#[tokio::test]
async fn migration_comes_before_pre_authentication() {
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
    let client_id = password_client(&emulator, &pool_id).await;
    sign_in(&emulator, &client_id, "oldtimer", "Legacy-passw0rd")
        .await
        .unwrap();
    let order: Vec<String> = lambda.calls().into_iter().map(|c| c.function).collect();
    assert_eq!(order, ["migrate", "pre-auth", "post-auth"]);
    let pre = &lambda.events("pre-auth")[0];
    assert_eq!(
        pre["request"]["userAttributes"]["cognito:user_status"],
        "CONFIRMED"
    );
    assert_eq!(pre["request"]["userAttributes"]["name"], "Old Timer");
}

#[tokio::test(flavor = "multi_thread")]
async fn boto3_migrates_users_at_sign_in_and_forgot_password() {
    let (emulator, lambda) = with_lambda().await;
    old_system(&lambda, "migrate", "CONFIRMED");
    let (pool_id, _) = pool_with(&emulator, migration()).await;
    let client_id = password_client(&emulator, &pool_id).await;
    let url = emulator.url.clone();
    let (pool, client) = (pool_id.clone(), client_id.clone());
    let output = tokio::task::spawn_blocking(move || {
        let python = concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/.venv/bin/python3");
        let python = if std::path::Path::new(python).exists() {
            python
        } else {
            "python3"
        };
        let has_boto3 = std::process::Command::new(python)
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
            "/tests/clients/boto3_user_migration.py"
        );
        Some(
            std::process::Command::new(python)
                .args([script, &url, &pool, &client])
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
    assert!(stdout.contains("boto3 user migration OK"), "{stdout}");
    let sources: Vec<String> = lambda
        .events("migrate")
        .iter()
        .map(|e| e["triggerSource"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        sources,
        [
            "UserMigration_Authentication",
            "UserMigration_Authentication",
            "UserMigration_ForgotPassword"
        ]
    );
    assert_eq!(
        lambda.events("migrate")[0]["request"]["validationData"],
        json!({"origin": "boto3"})
    );
    assert!(
        lambda.events("migrate")[0]["callerContext"]["awsSdkVersion"]
            .as_str()
            .unwrap()
            .starts_with("aws-sdk-")
    );
}

#[tokio::test]
async fn managed_login_confirms_migrates_and_resets_with_the_triggers() {
    use crate::oauth::{hidden_value, Browser};
    use crate::triggers_auth_flows::{hosted_client, login_path};
    let (emulator, lambda) = with_lambda().await;
    old_system(&lambda, "migrate", "CONFIRMED");
    lambda.echo("post-confirmation");
    let config = LambdaConfigType::builder()
        .user_migration(arn("migrate"))
        .post_confirmation(arn("post-confirmation"))
        .build();
    let (pool_id, api_client) = pool_with(&emulator, config).await;
    let client_id = hosted_client(&emulator, &pool_id).await;
    let query = login_path(&client_id)
        .trim_start_matches("/login?")
        .to_string();
    let mut browser = Browser::new(&emulator.url);

    // The confirmation page: PostConfirmation_ConfirmSignUp for the page's client.
    emulator
        .idp
        .sign_up()
        .client_id(&api_client)
        .username("jane")
        .password("Passw0rd!")
        .user_attributes(
            aws_sdk_cognitoidentityprovider::types::AttributeType::builder()
                .name("email")
                .value("jane@example.com")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let confirm = format!("/confirm?{query}&username=jane");
    let page = browser.get(&confirm).await;
    let csrf = hidden_value(&page.body, "_csrf");
    let code = crate::triggers_lifecycle::code_for(&emulator, &pool_id, "jane").await;
    let page = browser
        .post_form(
            &confirm,
            &[("_csrf", &csrf), ("username", "jane"), ("code", &code)],
        )
        .await;
    assert_eq!(
        page.location,
        Some(format!("/login?{query}&notice=confirmed"))
    );
    let event = &lambda.events("post-confirmation")[0];
    assert_eq!(event["triggerSource"], "PostConfirmation_ConfirmSignUp");
    assert_eq!(event["callerContext"]["clientId"], client_id.as_str());

    // Forgot password for someone only the old system knows: migrated, then reset.
    let page = browser.get(&format!("/forgotPassword?{query}")).await;
    let csrf = hidden_value(&page.body, "_csrf");
    let page = browser
        .post_form(
            &format!("/forgotPassword?{query}"),
            &[("_csrf", &csrf), ("username", "forgetful")],
        )
        .await;
    let reset = page.location.unwrap();
    assert_eq!(
        reset,
        format!("/confirmForgotPassword?{query}&username=forgetful")
    );
    let migrate = lambda.events("migrate");
    assert_eq!(migrate.len(), 1);
    assert_eq!(migrate[0]["triggerSource"], "UserMigration_ForgotPassword");
    let code = crate::triggers_lifecycle::code_for(&emulator, &pool_id, "forgetful").await;
    let page = browser.get(&reset).await;
    let csrf = hidden_value(&page.body, "_csrf");
    let page = browser
        .post_form(
            &reset,
            &[
                ("_csrf", &csrf),
                ("username", "forgetful"),
                ("code", &code),
                ("password", "Fresh-passw0rd!"),
                ("confirm_password", "Fresh-passw0rd!"),
            ],
        )
        .await;
    assert_eq!(
        page.location,
        Some(format!("/login?{query}&notice=password_reset"))
    );
    let events = lambda.events("post-confirmation");
    assert_eq!(events.len(), 2);
    assert_eq!(
        events[1]["triggerSource"],
        "PostConfirmation_ConfirmForgotPassword"
    );
    assert_eq!(events[1]["userName"], "forgetful");
    assert_eq!(
        events[1]["request"]["userAttributes"]["cognito:user_status"],
        "CONFIRMED"
    );
    let page = browser
        .sign_in(&login_path(&client_id), "forgetful", "Fresh-passw0rd!")
        .await;
    assert!(page
        .location
        .unwrap()
        .starts_with("http://localhost:3000/callback?code="));
}
