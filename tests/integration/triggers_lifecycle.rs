//! PreSignUp from AdminCreateUser and a federated user's first sign-in, and PostConfirmation
//! (ConfirmSignUp, AdminConfirmSignUp, ConfirmForgotPassword, a PreSignUp
//! auto-confirmation). Pre/PostAuthentication are in `triggers_authentication.rs`,
//! UserMigration in `triggers_migration.rs`.

use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, ExplicitAuthFlowsType as Flow, LambdaConfigType, MessageActionType,
    PreventUserExistenceErrorTypes,
};
use serde_json::{json, Value};

use crate::common::{err, Emulator};
use crate::lambda_server::{arn, Answer};
use crate::triggers::{pool_with, with_lambda};
use crate::triggers_authentication::password_sign_in;

pub const PASSWORD: &str = "Passw0rd!";

pub fn attribute(name: &str, value: &str) -> AttributeType {
    AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .unwrap()
}

/// An event's `request` with the (random) `sub` checked and taken out.
pub fn request_without_sub(event: &Value) -> Value {
    let mut request = event["request"].clone();
    let sub = request["userAttributes"]
        .as_object_mut()
        .unwrap()
        .remove("sub")
        .unwrap();
    assert_eq!(sub.as_str().unwrap().len(), 36, "{sub}");
    request
}

/// A client allowing the password flows and SRP; `hide`: PreventUserExistenceErrors.
pub async fn password_client(emulator: &Emulator, pool_id: &str, hide: bool) -> String {
    emulator
        .idp
        .create_user_pool_client()
        .user_pool_id(pool_id)
        .client_name("passwords")
        .explicit_auth_flows(Flow::AllowUserPasswordAuth)
        .explicit_auth_flows(Flow::AllowAdminUserPasswordAuth)
        .explicit_auth_flows(Flow::AllowUserSrpAuth)
        .explicit_auth_flows(Flow::AllowRefreshTokenAuth)
        .prevent_user_existence_errors(if hide {
            PreventUserExistenceErrorTypes::Enabled
        } else {
            PreventUserExistenceErrorTypes::Legacy
        })
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap()
}

/// A confirmed user `jane` (verified e-mail) with PASSWORD, created without triggers firing.
pub async fn confirmed_user(emulator: &Emulator, pool_id: &str) {
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(pool_id)
        .username("jane")
        .message_action(MessageActionType::Suppress)
        .user_attributes(attribute("email", "jane@example.com"))
        .user_attributes(attribute("email_verified", "true"))
        .send()
        .await
        .unwrap();
    emulator.set_password(pool_id, "jane", PASSWORD).await;
}

pub async fn status_of(emulator: &Emulator, pool_id: &str, username: &str) -> String {
    emulator
        .idp
        .admin_get_user()
        .user_pool_id(pool_id)
        .username(username)
        .send()
        .await
        .unwrap()
        .user_status
        .unwrap()
        .as_str()
        .to_string()
}

// ---- PreSignUp_AdminCreateUser ----

#[tokio::test]
async fn admin_create_user_calls_pre_sign_up_and_ignores_its_confirmation() {
    let (emulator, lambda) = with_lambda().await;
    lambda.respond(
        "pre-sign-up",
        json!({"autoConfirmUser": true, "autoVerifyEmail": true}),
    );
    let config = LambdaConfigType::builder()
        .pre_sign_up(arn("pre-sign-up"))
        .build();
    let (pool_id, _) = pool_with(&emulator, config).await;
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("jane")
        .message_action(MessageActionType::Suppress)
        .user_attributes(attribute("email", "jane@example.com"))
        .validation_data(attribute("invite", "abc"))
        .client_metadata("source", "admin")
        .send()
        .await
        .unwrap();
    let events = lambda.events("pre-sign-up");
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event["triggerSource"], "PreSignUp_AdminCreateUser");
    assert_eq!(event["userName"], "jane");
    assert_eq!(
        event["callerContext"]["clientId"],
        "CLIENT_ID_NOT_APPLICABLE"
    );
    assert_eq!(
        event["request"],
        json!({
            "userAttributes": {"email": "jane@example.com"},
            "validationData": {"invite": "abc"},
            "clientMetadata": {"source": "admin"},
        })
    );
    // autoConfirmUser and autoVerifyEmail do not apply to AdminCreateUser.
    assert_eq!(
        status_of(&emulator, &pool_id, "jane").await,
        "FORCE_CHANGE_PASSWORD"
    );
    let user = emulator
        .idp
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("jane")
        .send()
        .await
        .unwrap();
    assert!(!user
        .user_attributes()
        .iter()
        .any(|a| a.name == "email_verified"));

    // A thrown error creates nobody.
    lambda.on("pre-sign-up", |_| Answer::Error("Not invited".into()));
    let error = emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("john")
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(
        error,
        (
            "UserLambdaValidationException".to_string(),
            "PreSignUp failed with error Not invited.".to_string()
        )
    );
    let missing = emulator
        .idp
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("john")
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(missing.0, "UserNotFoundException");
}

// ---- PostConfirmation ----

fn post_confirmation() -> LambdaConfigType {
    LambdaConfigType::builder()
        .post_confirmation(arn("post-confirmation"))
        .build()
}

async fn sign_up_jane(emulator: &Emulator, client_id: &str) {
    emulator
        .idp
        .sign_up()
        .client_id(client_id)
        .username("jane")
        .password(PASSWORD)
        .user_attributes(attribute("email", "jane@example.com"))
        .send()
        .await
        .unwrap();
}

pub async fn code_for(emulator: &Emulator, pool_id: &str, username: &str) -> String {
    let messages = emulator.messages(pool_id, Some(username)).await;
    messages.last().unwrap()["code"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn confirm_sign_up_calls_post_confirmation_with_the_confirmed_user() {
    let (emulator, lambda) = with_lambda().await;
    lambda.echo("post-confirmation");
    let (pool_id, client_id) = pool_with(&emulator, post_confirmation()).await;
    sign_up_jane(&emulator, &client_id).await;
    assert!(lambda.calls().is_empty());
    let code = code_for(&emulator, &pool_id, "jane").await;
    emulator
        .idp
        .confirm_sign_up()
        .client_id(&client_id)
        .username("jane")
        .confirmation_code(code)
        .client_metadata("step", "confirm")
        .send()
        .await
        .unwrap();
    let events = lambda.events("post-confirmation");
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event["version"], "1");
    assert_eq!(event["triggerSource"], "PostConfirmation_ConfirmSignUp");
    assert_eq!(event["userPoolId"], pool_id.as_str());
    assert_eq!(event["userName"], "jane");
    assert_eq!(event["callerContext"]["clientId"], client_id.as_str());
    assert_eq!(
        request_without_sub(event),
        json!({
            "userAttributes": {
                "email": "jane@example.com",
                "email_verified": "true",
                "cognito:user_status": "CONFIRMED",
            },
            "clientMetadata": {"step": "confirm"},
        })
    );
    assert_eq!(event["response"], json!({}));
}

#[tokio::test]
async fn a_post_confirmation_error_fails_the_call_but_the_user_stays_confirmed() {
    let (emulator, lambda) = with_lambda().await;
    lambda.on("post-confirmation", |_| Answer::Error("CRM is down".into()));
    let (pool_id, client_id) = pool_with(&emulator, post_confirmation()).await;
    sign_up_jane(&emulator, &client_id).await;
    let code = code_for(&emulator, &pool_id, "jane").await;
    let error = emulator
        .idp
        .confirm_sign_up()
        .client_id(&client_id)
        .username("jane")
        .confirmation_code(code)
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(
        error,
        (
            "UserLambdaValidationException".to_string(),
            "PostConfirmation failed with error CRM is down.".to_string()
        )
    );
    assert_eq!(status_of(&emulator, &pool_id, "jane").await, "CONFIRMED");
    // No clientMetadata member when the call had none.
    let event = &lambda.events("post-confirmation")[0];
    assert!(event["request"].get("clientMetadata").is_none(), "{event}");
}

#[tokio::test]
async fn admin_confirm_sign_up_calls_post_confirmation_without_a_client() {
    let (emulator, lambda) = with_lambda().await;
    lambda.echo("post-confirmation");
    let (pool_id, client_id) = pool_with(&emulator, post_confirmation()).await;
    sign_up_jane(&emulator, &client_id).await;
    emulator
        .idp
        .admin_confirm_sign_up()
        .user_pool_id(&pool_id)
        .username("jane")
        .client_metadata("by", "admin")
        .send()
        .await
        .unwrap();
    let event = &lambda.events("post-confirmation")[0];
    assert_eq!(event["triggerSource"], "PostConfirmation_ConfirmSignUp");
    assert_eq!(
        event["callerContext"]["clientId"],
        "CLIENT_ID_NOT_APPLICABLE"
    );
    assert_eq!(
        request_without_sub(event),
        json!({
            "userAttributes": {
                "email": "jane@example.com",
                "cognito:user_status": "CONFIRMED",
            },
            "clientMetadata": {"by": "admin"},
        })
    );
}

#[tokio::test]
async fn a_user_pre_sign_up_confirms_is_post_confirmed_at_sign_up() {
    let (emulator, lambda) = with_lambda().await;
    lambda.respond("pre-sign-up", json!({"autoConfirmUser": true}));
    lambda.echo("post-confirmation");
    let config = LambdaConfigType::builder()
        .pre_sign_up(arn("pre-sign-up"))
        .post_confirmation(arn("post-confirmation"))
        .build();
    let (_, client_id) = pool_with(&emulator, config).await;
    let out = emulator
        .idp
        .sign_up()
        .client_id(&client_id)
        .username("jane")
        .password(PASSWORD)
        .user_attributes(attribute("email", "jane@example.com"))
        .client_metadata("campaign", "spring")
        .send()
        .await
        .unwrap();
    assert!(out.user_confirmed);
    let calls = lambda.calls();
    let order: Vec<&str> = calls.iter().map(|c| c.function.as_str()).collect();
    assert_eq!(order, ["pre-sign-up", "post-confirmation"]);
    let event = &calls[1].event;
    assert_eq!(event["triggerSource"], "PostConfirmation_ConfirmSignUp");
    assert_eq!(
        request_without_sub(event),
        json!({
            "userAttributes": {
                "email": "jane@example.com",
                "cognito:user_status": "CONFIRMED",
            },
            "clientMetadata": {"campaign": "spring"},
        })
    );
}

#[tokio::test]
async fn confirm_forgot_password_calls_post_confirmation() {
    let (emulator, lambda) = with_lambda().await;
    lambda.echo("post-confirmation");
    let (pool_id, client_id) = pool_with(&emulator, post_confirmation()).await;
    confirmed_user(&emulator, &pool_id).await;
    emulator
        .idp
        .forgot_password()
        .client_id(&client_id)
        .username("jane")
        .send()
        .await
        .unwrap();
    let code = code_for(&emulator, &pool_id, "jane").await;
    emulator
        .idp
        .confirm_forgot_password()
        .client_id(&client_id)
        .username("jane")
        .confirmation_code(code)
        .password("N3w-passw0rd!")
        .client_metadata("reason", "forgot")
        .send()
        .await
        .unwrap();
    let events = lambda.events("post-confirmation");
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0]["triggerSource"],
        "PostConfirmation_ConfirmForgotPassword"
    );
    assert_eq!(
        request_without_sub(&events[0]),
        json!({
            "userAttributes": {
                "email": "jane@example.com",
                "email_verified": "true",
                "cognito:user_status": "CONFIRMED",
            },
            "clientMetadata": {"reason": "forgot"},
        })
    );
}

// ---- PreSignUp_ExternalProvider ----

/// The Google provider (its sign-in is the stand-in page) with `mapping` (attribute, claim).
async fn google_provider(emulator: &Emulator, pool_id: &str, mapping: &[(&str, &str)]) {
    let mut provider = emulator
        .idp
        .create_identity_provider()
        .user_pool_id(pool_id)
        .provider_name("Google")
        .provider_type(aws_sdk_cognitoidentityprovider::types::IdentityProviderTypeType::Google)
        .set_provider_details(Some(crate::identity_providers::details(
            crate::identity_providers::GOOGLE,
        )));
    for (attribute, claim) in mapping {
        provider = provider.attribute_mapping(*attribute, *claim);
    }
    provider.send().await.unwrap();
}

#[tokio::test]
async fn a_federated_users_first_sign_in_calls_pre_sign_up() {
    let (emulator, lambda) = with_lambda().await;
    lambda.respond("pre-sign-up", json!({"autoVerifyEmail": true}));
    let config = LambdaConfigType::builder()
        .pre_sign_up(arn("pre-sign-up"))
        .build();
    let (pool_id, _) = pool_with(&emulator, config).await;
    google_provider(&emulator, &pool_id, &[("email", "email"), ("name", "name")]).await;
    let client = crate::federation::web_client(&emulator, &pool_id, &["Google"]).await;
    let mut browser = crate::oauth::Browser::new(&emulator.url);
    let location = crate::federation::stand_in_sign_in(
        &mut browser,
        &client,
        "Google",
        &[
            ("sub", "1057"),
            ("email", "gina@gmail.com"),
            ("name", "Gina"),
        ],
    )
    .await;
    assert!(location.contains("code="), "{location}");
    let events = lambda.events("pre-sign-up");
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event["triggerSource"], "PreSignUp_ExternalProvider");
    assert_eq!(event["userName"], "Google_1057");
    assert_eq!(event["callerContext"]["clientId"], client.as_str());
    assert_eq!(
        event["request"],
        json!({
            "userAttributes": {"email": "gina@gmail.com", "name": "Gina"},
            "validationData": null,
        })
    );
    let user = emulator
        .idp
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("Google_1057")
        .send()
        .await
        .unwrap();
    assert_eq!(user.user_status.unwrap().as_str(), "EXTERNAL_PROVIDER");
    let verified = user
        .user_attributes
        .unwrap()
        .into_iter()
        .find(|a| a.name == "email_verified")
        .and_then(|a| a.value);
    assert_eq!(verified.as_deref(), Some("true"));

    // The next sign-in of the same identity is no sign-up.
    browser.cookies.clear();
    crate::federation::stand_in_sign_in(
        &mut browser,
        &client,
        "Google",
        &[("sub", "1057"), ("email", "gina@gmail.com")],
    )
    .await;
    assert_eq!(lambda.events("pre-sign-up").len(), 1);

    // A refusal goes back to the app as Cognito's hosted UI sends it, and creates nobody.
    lambda.on("pre-sign-up", |_| {
        Answer::Error("Domain not allowed".into())
    });
    browser.cookies.clear();
    let location = crate::federation::stand_in_sign_in(
        &mut browser,
        &client,
        "Google",
        &[("sub", "2048"), ("email", "eve@evil.example")],
    )
    .await;
    assert!(
        location.starts_with("http://localhost:3000/callback?error_description="),
        "{location}"
    );
    let query = crate::oauth::query_of(&location);
    assert_eq!(query["error"], "invalid_request");
    assert_eq!(
        query["error_description"],
        "PreSignUp failed with error Domain not allowed."
    );
    assert_eq!(query["state"], "fed");
    let missing = emulator
        .idp
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("Google_2048")
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(missing.0, "UserNotFoundException");
}

#[tokio::test]
async fn without_these_triggers_no_function_is_called() {
    let (emulator, lambda) = with_lambda().await;
    // Only an unrelated trigger configured (a function the Lambda server does not have).
    let config = LambdaConfigType::builder()
        .define_auth_challenge(arn("define"))
        .build();
    let (pool_id, client_id) = pool_with(&emulator, config).await;
    let password_client = password_client(&emulator, &pool_id, false).await;
    confirmed_user(&emulator, &pool_id).await;
    password_sign_in(&emulator, &password_client, "jane", PASSWORD)
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
    let code = code_for(&emulator, &pool_id, "jane").await;
    emulator
        .idp
        .confirm_forgot_password()
        .client_id(&client_id)
        .username("jane")
        .confirmation_code(code)
        .password("N3w-passw0rd!")
        .send()
        .await
        .unwrap();
    let error = password_sign_in(&emulator, &password_client, "ghost", PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(error.0, "UserNotFoundException");
    assert!(lambda.calls().is_empty());
}

// ---- InboundFederation_ExternalProvider ----

pub fn inbound_federation_config() -> LambdaConfigType {
    use aws_sdk_cognitoidentityprovider::types::{
        InboundFederationLambdaType, InboundFederationLambdaVersionType,
    };
    LambdaConfigType::builder()
        .inbound_federation(
            InboundFederationLambdaType::builder()
                .lambda_arn(arn("inbound"))
                .lambda_version(InboundFederationLambdaVersionType::V10)
                .build()
                .unwrap(),
        )
        .build()
}

async fn federated_user(
    emulator: &Emulator,
    pool_id: &str,
    username: &str,
) -> Vec<(String, String)> {
    let user = emulator
        .idp
        .admin_get_user()
        .user_pool_id(pool_id)
        .username(username)
        .send()
        .await
        .unwrap();
    let mut attributes: Vec<(String, String)> = user
        .user_attributes()
        .iter()
        .filter(|a| !["sub", "identities"].contains(&a.name()))
        .map(|a| {
            (
                a.name().to_string(),
                a.value().unwrap_or_default().to_string(),
            )
        })
        .collect();
    attributes.sort();
    attributes
}

#[tokio::test]
async fn the_inbound_federation_trigger_rewrites_what_the_attribute_mapping_reads() {
    let (emulator, lambda) = with_lambda().await;
    // The function tidies the provider's claims: a lower-case e-mail, a name made of two
    // claims, and `nickname` dropped by leaving it out.
    lambda.on("inbound", |mut event| {
        let claims = event["request"]["attributes"]["idToken"].clone();
        let email = claims["email"].as_str().unwrap_or_default().to_lowercase();
        event["response"]["userAttributesToMap"] = json!({
            "sub": claims["sub"],
            "email": email,
            "name": format!("{} (federated)", claims["name"].as_str().unwrap_or_default()),
        });
        Answer::Event(event)
    });
    let (pool_id, _) = pool_with(&emulator, inbound_federation_config()).await;
    google_provider(
        &emulator,
        &pool_id,
        &[
            ("email", "email"),
            ("name", "name"),
            ("nickname", "given_name"),
        ],
    )
    .await;
    let client = crate::federation::web_client(&emulator, &pool_id, &["Google"]).await;
    let mut browser = crate::oauth::Browser::new(&emulator.url);
    let location = crate::federation::stand_in_sign_in(
        &mut browser,
        &client,
        "Google",
        &[
            ("sub", "1057"),
            ("email", "Gina@GMAIL.com"),
            ("name", "Gina"),
            ("given_name", "G"),
            ("email_verified", "true"),
        ],
    )
    .await;
    assert!(location.contains("code="), "{location}");
    let events = lambda.events("inbound");
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event["triggerSource"], "InboundFederation_ExternalProvider");
    assert_eq!(event["userName"], "Google_1057");
    assert_eq!(event["userPoolId"], pool_id.as_str());
    assert_eq!(event["callerContext"]["clientId"], client.as_str());
    let access_token = event["request"]["attributes"]["tokenResponse"]["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(access_token.starts_with("stand-in-"), "{access_token}");
    assert_eq!(
        event["request"],
        json!({
            "providerName": "Google",
            "providerType": "Google",
            "attributes": {
                "tokenResponse": {
                    "access_token": access_token,
                    "token_type": "Bearer",
                    "expires_in": "3600",
                },
                "idToken": {
                    "sub": "1057",
                    "email": "Gina@GMAIL.com",
                    "name": "Gina",
                    "given_name": "G",
                    "email_verified": "true",
                },
            },
        })
    );
    // Sent with an empty answer, which keeps the provider's claims.
    assert_eq!(event["response"], json!({"userAttributesToMap": {}}));
    let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        list.iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    };
    assert_eq!(
        federated_user(&emulator, &pool_id, "Google_1057").await,
        pairs(&[("email", "gina@gmail.com"), ("name", "Gina (federated)")])
    );

    // `{}` keeps the provider's claims, on the next sign-in of the same user too.
    lambda.respond("inbound", json!({"userAttributesToMap": {}}));
    browser.cookies.clear();
    crate::federation::stand_in_sign_in(
        &mut browser,
        &client,
        "Google",
        &[
            ("sub", "1057"),
            ("email", "gina@example.org"),
            ("given_name", "Gi"),
        ],
    )
    .await;
    assert_eq!(lambda.events("inbound").len(), 2);
    assert_eq!(
        federated_user(&emulator, &pool_id, "Google_1057").await,
        pairs(&[
            ("email", "gina@example.org"),
            ("name", "Gina (federated)"),
            ("nickname", "Gi"),
        ])
    );

    // Answers that are not string maps are refused; a thrown error refuses the sign-in.
    lambda.respond("inbound", json!({"userAttributesToMap": {"email": 7}}));
    browser.cookies.clear();
    let location = crate::federation::stand_in_sign_in(
        &mut browser,
        &client,
        "Google",
        &[("sub", "2048"), ("email", "eve@example.com")],
    )
    .await;
    assert_eq!(
        crate::oauth::query_of(&location)["error_description"],
        "Unrecognizable lambda output"
    );
    lambda.on("inbound", |_| Answer::Error("Not from here".into()));
    browser.cookies.clear();
    let location = crate::federation::stand_in_sign_in(
        &mut browser,
        &client,
        "Google",
        &[("sub", "2048"), ("email", "eve@example.com")],
    )
    .await;
    let query = crate::oauth::query_of(&location);
    assert_eq!(query["error"], "invalid_request");
    assert_eq!(
        query["error_description"],
        "InboundFederation failed with error Not from here."
    );
    let missing = emulator
        .idp
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("Google_2048")
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(missing.0, "UserNotFoundException");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_inbound_federation_trigger_sees_an_oidc_providers_tokens_id_token_and_user_info() {
    let (emulator, lambda) = with_lambda().await;
    lambda.respond("inbound", json!({"userAttributesToMap": {}}));
    let (pool_id, _) = pool_with(&emulator, inbound_federation_config()).await;
    crate::federation::upstream_provider(&emulator, &pool_id, None).await;
    let client = crate::federation::web_client(&emulator, &pool_id, &["Upstream"]).await;
    let mut browser = crate::oauth::Browser::new(&emulator.url);
    let page = browser
        .get(&crate::federation::authorize(
            &client,
            "&identity_provider=Upstream",
        ))
        .await;
    let to_provider = page.location.unwrap();
    let page = browser
        .get(to_provider.strip_prefix(&emulator.url).unwrap())
        .await;
    let page = browser
        .sign_in(&page.location.unwrap(), "erin", crate::federation::PASSWORD)
        .await;
    let back = page.location.unwrap();
    let page = browser.get(back.strip_prefix(&emulator.url).unwrap()).await;
    assert_eq!(page.status, 302, "{}", page.body);
    assert!(page.location.unwrap().contains("code="));

    let events = lambda.events("inbound");
    assert_eq!(events.len(), 1);
    let request = &events[0]["request"];
    assert_eq!(request["providerName"], "Upstream");
    assert_eq!(request["providerType"], "OIDC");
    let attributes = &request["attributes"];
    let id_token = &attributes["idToken"];
    let sub = id_token["sub"].as_str().unwrap();
    assert_eq!(sub.len(), 36, "{id_token}");
    assert_eq!(events[0]["userName"], format!("Upstream_{sub}"));
    assert_eq!(id_token["email"], "erin@example.com");
    assert_eq!(id_token["token_use"], "id");
    assert_eq!(attributes["userInfo"]["sub"], sub);
    assert_eq!(attributes["userInfo"]["email"], "erin@example.com");
    let tokens = &attributes["tokenResponse"];
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], "3600");
    assert_eq!(tokens["id_token"].as_str().unwrap().split('.').count(), 3);
    assert!(attributes.get("samlResponse").is_none());
    // The empty answer kept the provider's e-mail.
    assert_eq!(
        federated_user(&emulator, &pool_id, &format!("Upstream_{sub}")).await,
        vec![("email".to_string(), "erin@example.com".to_string())]
    );
}
