//! PreTokenGeneration V1_0, V2_0 and V3_0 on the user-pool API: the events of each trigger
//! source, every kind of override as the decoded tokens show it, the claims no function may
//! touch, group overrides, scopes, refresh, a new password, errors. Devices, SRP, MFA and the
//! feature plan are in `triggers_tokens_flows.rs`; the hosted pages and client credentials
//! in `triggers_tokens_oauth.rs`.

use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, AuthFlowType, AuthenticationResultType, ChallengeNameType,
    ExplicitAuthFlowsType as Flow, LambdaConfigType, MessageActionType,
    PreTokenGenerationLambdaVersionType as Version, PreTokenGenerationVersionConfigType,
    VerifiedAttributeType,
};
use serde_json::{json, Value};

use crate::auth::claims;
use crate::common::{err, Emulator};
use crate::lambda_server::{arn, Answer};
use crate::triggers::with_lambda;

pub const PASSWORD: &str = "Perm4nent!pass";
pub const ADMINS_ROLE: &str = "arn:aws:iam::123456789012:role/admins";
pub const READERS_ROLE: &str = "arn:aws:iam::123456789012:role/readers";

type Failure = (String, String);

/// PreTokenGeneration as the older `PreTokenGeneration` ARN (V1_0).
pub fn v1(name: &str) -> LambdaConfigType {
    LambdaConfigType::builder()
        .pre_token_generation(arn(name))
        .build()
}

/// PreTokenGeneration through `PreTokenGenerationConfig`.
pub fn versioned(name: &str, version: Version) -> LambdaConfigType {
    LambdaConfigType::builder()
        .pre_token_generation_config(
            PreTokenGenerationVersionConfigType::builder()
                .lambda_version(version)
                .lambda_arn(arn(name))
                .build()
                .unwrap(),
        )
        .build()
}

/// A pool with `lambda_config`, a client allowing passwords, SRP and refresh, and `jane`
/// (verified e-mail, in groups `admins` (precedence 1, a role) and `readers` (precedence 2,
/// a role)); returns (pool id, client id, jane's sub).
pub async fn setup(
    emulator: &Emulator,
    lambda_config: LambdaConfigType,
) -> (String, String, String) {
    let pool_id = emulator
        .idp
        .create_user_pool()
        .pool_name("tokens")
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .lambda_config(lambda_config)
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
            &[
                Flow::AllowUserPasswordAuth,
                Flow::AllowUserSrpAuth,
                Flow::AllowRefreshTokenAuth,
            ],
        )
        .await;
    create_user(emulator, &pool_id, "jane", false).await;
    emulator.set_password(&pool_id, "jane", PASSWORD).await;
    for (group, role, precedence) in [("admins", ADMINS_ROLE, 1), ("readers", READERS_ROLE, 2)] {
        emulator
            .idp
            .create_group()
            .user_pool_id(&pool_id)
            .group_name(group)
            .role_arn(role)
            .precedence(precedence)
            .send()
            .await
            .unwrap();
        emulator
            .idp
            .admin_add_user_to_group()
            .user_pool_id(&pool_id)
            .username("jane")
            .group_name(group)
            .send()
            .await
            .unwrap();
    }
    let sub = sub_of(emulator, &pool_id, "jane").await;
    (pool_id, client_id, sub)
}

pub async fn create_user(emulator: &Emulator, pool_id: &str, username: &str, temporary: bool) {
    let attribute = |name: &str, value: &str| {
        AttributeType::builder()
            .name(name)
            .value(value)
            .build()
            .unwrap()
    };
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(pool_id)
        .username(username)
        .user_attributes(attribute("email", &format!("{username}@example.com")))
        .user_attributes(attribute("email_verified", "true"))
        .user_attributes(attribute("name", "Jane"))
        .set_temporary_password(temporary.then(|| "Temp0rary!pass".to_string()))
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
}

pub async fn sub_of(emulator: &Emulator, pool_id: &str, username: &str) -> String {
    emulator
        .idp
        .admin_get_user()
        .user_pool_id(pool_id)
        .username(username)
        .send()
        .await
        .unwrap()
        .user_attributes
        .unwrap()
        .into_iter()
        .find(|a| a.name == "sub")
        .and_then(|a| a.value)
        .unwrap()
}

/// What the function is shown of `jane`.
pub fn jane(sub: &str) -> Value {
    json!({
        "sub": sub,
        "email": "jane@example.com",
        "email_verified": "true",
        "name": "Jane",
        "cognito:user_status": "CONFIRMED",
    })
}

/// Jane's groups as Cognito shows them (by precedence).
pub fn jane_groups() -> Value {
    json!({
        "groupsToOverride": ["admins", "readers"],
        "iamRolesToOverride": [ADMINS_ROLE, READERS_ROLE],
        "preferredRole": ADMINS_ROLE,
    })
}

/// USER_PASSWORD_AUTH as `jane`, with ClientMetadata.
pub async fn sign_in(
    emulator: &Emulator,
    client_id: &str,
) -> Result<AuthenticationResultType, Failure> {
    emulator
        .idp
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "jane")
        .auth_parameters("PASSWORD", PASSWORD)
        .client_metadata("app", "web")
        .send()
        .await
        .map_err(err)
        .map(|out| out.authentication_result.expect("tokens"))
}

pub fn tokens(result: &AuthenticationResultType) -> (Value, Value) {
    (
        claims(result.id_token.as_deref().unwrap()),
        claims(result.access_token.as_deref().unwrap()),
    )
}

#[tokio::test]
async fn v1_sees_the_id_token_and_overrides_its_claims_and_groups() {
    let (emulator, lambda) = with_lambda().await;
    let (pool_id, client_id, sub) = setup(&emulator, v1("pre-token")).await;
    lambda.respond(
        "pre-token",
        json!({"claimsOverrideDetails": {
            "claimsToAddOrOverride": {
                "tier": "gold",
                "name": "Jane Doe",
                // Claims no function may change: ignored.
                "sub": "someone-else",
                "cognito:username": "mallory",
                "iss": "https://evil.example.com",
                "token_use": "access",
                "cognito:user_status": "FAKE",
            },
            "claimsToSuppress": ["email_verified", "aud", "exp"],
            "groupOverrideDetails": {
                "groupsToOverride": ["editors"],
                "iamRolesToOverride": [READERS_ROLE],
                "preferredRole": READERS_ROLE,
            },
        }}),
    );
    let result = sign_in(&emulator, &client_id).await.unwrap();

    let events = lambda.events("pre-token");
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event["version"], "1");
    assert_eq!(event["triggerSource"], "TokenGeneration_Authentication");
    assert_eq!(event["region"], "us-east-1");
    assert_eq!(event["userPoolId"], pool_id.as_str());
    assert_eq!(event["userName"], "jane");
    assert_eq!(event["callerContext"]["clientId"], client_id.as_str());
    assert_eq!(
        event["request"],
        json!({
            "userAttributes": jane(&sub),
            "groupConfiguration": jane_groups(),
            "clientMetadata": {"app": "web"},
        })
    );
    assert_eq!(event["response"], json!({"claimsOverrideDetails": null}));

    let (id, access) = tokens(&result);
    assert_eq!(id["tier"], "gold");
    assert_eq!(id["name"], "Jane Doe");
    assert_eq!(id["email"], "jane@example.com");
    assert!(id.get("email_verified").is_none());
    assert!(id.get("cognito:user_status").is_none());
    assert_eq!(id["sub"], sub.as_str());
    assert_eq!(id["cognito:username"], "jane");
    assert_eq!(id["token_use"], "id");
    assert_eq!(id["aud"], client_id.as_str());
    assert!(id["iss"].as_str().unwrap().ends_with(&pool_id));
    assert!(id["exp"].is_i64());
    assert_eq!(id["cognito:groups"], json!(["editors"]));
    assert_eq!(id["cognito:roles"], json!([READERS_ROLE]));
    assert_eq!(id["cognito:preferred_role"], READERS_ROLE);
    // V1 changes only the ID token, and the access token's groups.
    assert!(access.get("tier").is_none());
    assert_eq!(access["cognito:groups"], json!(["editors"]));
    assert_eq!(access["scope"], "aws.cognito.signin.user.admin");
    assert_eq!(access["username"], "jane");
}

#[tokio::test]
async fn v1_without_an_answer_changes_nothing_and_an_empty_group_override_removes_groups() {
    let (emulator, lambda) = with_lambda().await;
    let (_, client_id, sub) = setup(&emulator, versioned("pre-token", Version::V10)).await;
    lambda.echo("pre-token");
    let (id, access) = tokens(&sign_in(&emulator, &client_id).await.unwrap());
    assert_eq!(id["cognito:groups"], json!(["admins", "readers"]));
    assert_eq!(id["cognito:preferred_role"], ADMINS_ROLE);
    assert_eq!(id["email_verified"], true);
    assert_eq!(id["sub"], sub.as_str());
    assert_eq!(access["cognito:groups"], json!(["admins", "readers"]));

    lambda.respond(
        "pre-token",
        json!({"claimsOverrideDetails": {"groupOverrideDetails": {}}}),
    );
    let (id, access) = tokens(&sign_in(&emulator, &client_id).await.unwrap());
    for claim in ["cognito:groups", "cognito:roles", "cognito:preferred_role"] {
        assert!(id.get(claim).is_none(), "{claim}");
    }
    assert!(access.get("cognito:groups").is_none());
}

#[tokio::test]
async fn v2_overrides_both_tokens_with_any_json_and_changes_scopes() {
    let (emulator, lambda) = with_lambda().await;
    let (pool_id, client_id, sub) = setup(&emulator, versioned("pre-token", Version::V20)).await;
    lambda.respond(
        "pre-token",
        json!({"claimsAndScopeOverrideDetails": {
            "idTokenGeneration": {
                "claimsToAddOrOverride": {
                    "level": 3,
                    "beta": true,
                    "teams": ["red", 7],
                    "profile_data": {"plan": "pro", "seats": [1, 2]},
                    // Stays a plain value in the ID token.
                    "email_verified": {"nested": true},
                    "nonce": "mine",
                },
                "claimsToSuppress": ["email", "cognito:username"],
            },
            "accessTokenGeneration": {
                "claimsToAddOrOverride": {
                    "tenant": "t-1",
                    "roles": ["reader"],
                    "username": "mallory",
                    "client_id": "other",
                    "scope": "everything",
                },
                "claimsToSuppress": ["auth_time", "cognito:groups"],
                "scopesToAdd": ["https://api.example.com/read", "aws.cognito.signin.user.admin"],
                "scopesToSuppress": ["phone"],
            },
        }}),
    );
    let result = sign_in(&emulator, &client_id).await.unwrap();
    let event = &lambda.events("pre-token")[0];
    assert_eq!(event["version"], "2");
    assert_eq!(event["triggerSource"], "TokenGeneration_Authentication");
    assert_eq!(event["userPoolId"], pool_id.as_str());
    assert_eq!(
        event["request"],
        json!({
            "userAttributes": jane(&sub),
            "groupConfiguration": jane_groups(),
            "scopes": ["aws.cognito.signin.user.admin"],
            "clientMetadata": {"app": "web"},
        })
    );
    assert_eq!(
        event["response"],
        json!({"claimsAndScopeOverrideDetails": null})
    );

    let (id, access) = tokens(&result);
    assert_eq!(id["level"], 3);
    assert_eq!(id["beta"], true);
    assert_eq!(id["teams"], json!(["red", 7]));
    assert_eq!(id["profile_data"], json!({"plan": "pro", "seats": [1, 2]}));
    assert_eq!(id["email_verified"], true);
    assert!(id.get("nonce").is_none());
    assert!(id.get("email").is_none());
    assert_eq!(id["cognito:username"], "jane");
    assert_eq!(id["cognito:groups"], json!(["admins", "readers"]));
    assert!(id.get("tenant").is_none());

    assert_eq!(access["tenant"], "t-1");
    assert_eq!(access["roles"], json!(["reader"]));
    assert_eq!(access["username"], "jane");
    assert_eq!(access["client_id"], client_id.as_str());
    assert!(access["auth_time"].is_i64());
    assert!(access.get("cognito:groups").is_none());
    assert!(access.get("level").is_none());
    assert_eq!(
        access["scope"],
        "aws.cognito.signin.user.admin https://api.example.com/read"
    );
    // Still an access token for the self-service API.
    let user = emulator
        .idp
        .get_user()
        .access_token(result.access_token.unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(user.username, "jane");
}

#[tokio::test]
async fn v2_suppressing_the_admin_scope_leaves_a_token_the_self_service_api_refuses() {
    let (emulator, lambda) = with_lambda().await;
    let (_, client_id, _) = setup(&emulator, versioned("pre-token", Version::V20)).await;
    lambda.respond(
        "pre-token",
        json!({"claimsAndScopeOverrideDetails": {
            "accessTokenGeneration": {"scopesToSuppress": ["aws.cognito.signin.user.admin"]},
            "groupOverrideDetails": {"groupsToOverride": ["only"]},
        }}),
    );
    let result = sign_in(&emulator, &client_id).await.unwrap();
    let (id, access) = tokens(&result);
    assert!(access.get("scope").is_none());
    assert_eq!(access["cognito:groups"], json!(["only"]));
    assert_eq!(id["cognito:groups"], json!(["only"]));
    assert!(id.get("cognito:roles").is_none());
    let refused = emulator
        .idp
        .get_user()
        .access_token(result.access_token.unwrap())
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(
        refused,
        (
            "NotAuthorizedException".into(),
            "Access Token does not have required scopes".into()
        )
    );
}

#[tokio::test]
async fn refresh_and_new_password_have_their_own_trigger_sources() {
    let (emulator, lambda) = with_lambda().await;
    let (pool_id, client_id, _) = setup(&emulator, versioned("pre-token", Version::V20)).await;
    lambda.on("pre-token", |mut event| {
        let source = event["triggerSource"].as_str().unwrap().to_string();
        event["response"]["claimsAndScopeOverrideDetails"] = json!({
            "idTokenGeneration": {"claimsToAddOrOverride": {"source": source}},
            "accessTokenGeneration": {"claimsToAddOrOverride": {"source": source}},
        });
        Answer::Event(event)
    });
    let first = sign_in(&emulator, &client_id).await.unwrap();
    assert_eq!(tokens(&first).0["source"], "TokenGeneration_Authentication");

    // REFRESH_TOKEN_AUTH, then GetTokensFromRefreshToken: both refresh.
    let refreshed = emulator
        .idp
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", first.refresh_token.clone().unwrap())
        .client_metadata("why", "refresh")
        .send()
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    let (id, access) = tokens(&refreshed);
    assert_eq!(id["source"], "TokenGeneration_RefreshTokens");
    assert_eq!(access["source"], "TokenGeneration_RefreshTokens");
    let event = lambda.events("pre-token").pop().unwrap();
    assert_eq!(event["triggerSource"], "TokenGeneration_RefreshTokens");
    assert_eq!(
        event["request"]["clientMetadata"],
        json!({"why": "refresh"})
    );
    assert_eq!(
        event["request"]["scopes"],
        json!(["aws.cognito.signin.user.admin"])
    );
    let again = emulator
        .idp
        .get_tokens_from_refresh_token()
        .client_id(&client_id)
        .refresh_token(first.refresh_token.clone().unwrap())
        .send()
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    assert_eq!(tokens(&again).1["source"], "TokenGeneration_RefreshTokens");

    // A temporary password changed at NEW_PASSWORD_REQUIRED.
    create_user(&emulator, &pool_id, "newbie", true).await;
    let step = emulator
        .idp
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "newbie")
        .auth_parameters("PASSWORD", "Temp0rary!pass")
        .send()
        .await
        .unwrap();
    assert_eq!(
        step.challenge_name,
        Some(ChallengeNameType::NewPasswordRequired)
    );
    let calls = lambda.calls().len();
    let done = emulator
        .idp
        .respond_to_auth_challenge()
        .client_id(&client_id)
        .challenge_name(ChallengeNameType::NewPasswordRequired)
        .set_session(step.session)
        .challenge_responses("USERNAME", "newbie")
        .challenge_responses("NEW_PASSWORD", PASSWORD)
        .client_metadata("step", "new-password")
        .send()
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    assert_eq!(lambda.calls().len(), calls + 1);
    assert_eq!(
        tokens(&done).0["source"],
        "TokenGeneration_NewPasswordChallenge"
    );
    let event = lambda.events("pre-token").pop().unwrap();
    assert_eq!(event["userName"], "newbie");
    assert_eq!(
        event["request"]["clientMetadata"],
        json!({"step": "new-password"})
    );
    assert_eq!(
        event["request"]["userAttributes"]["cognito:user_status"],
        "CONFIRMED"
    );
    assert_eq!(
        event["request"]["groupConfiguration"],
        json!({"groupsToOverride": [], "iamRolesToOverride": [], "preferredRole": null})
    );
}

#[tokio::test]
async fn a_function_error_or_a_malformed_answer_issues_no_tokens() {
    let (emulator, lambda) = with_lambda().await;
    let (_, client_id, _) = setup(&emulator, versioned("pre-token", Version::V20)).await;
    let cases = [
        (
            Answer::Error("no tokens for you".into()),
            "UserLambdaValidationException",
            "PreTokenGeneration failed with error no tokens for you.",
        ),
        (
            Answer::Raw(200, "not json".into()),
            "InvalidLambdaResponseException",
            "Invalid lambda function output : Invalid JSON",
        ),
    ];
    for (answer, code, message) in cases {
        let answer = std::sync::Mutex::new(Some(answer));
        lambda.on("pre-token", move |_| answer.lock().unwrap().take().unwrap());
        assert_eq!(
            sign_in(&emulator, &client_id).await.unwrap_err(),
            (code.to_string(), message.to_string())
        );
    }
    let malformed = [
        json!({"claimsAndScopeOverrideDetails": "all of them"}),
        json!({"claimsAndScopeOverrideDetails": {"idTokenGeneration": {"claimsToSuppress": "email"}}}),
        json!({"claimsAndScopeOverrideDetails": {"accessTokenGeneration": {"scopesToAdd": ["a b"]}}}),
        json!({"claimsAndScopeOverrideDetails": {"groupOverrideDetails": {"groupsToOverride": [1]}}}),
    ];
    for response in malformed {
        lambda.respond("pre-token", response.clone());
        assert_eq!(
            sign_in(&emulator, &client_id).await.unwrap_err(),
            (
                "InvalidLambdaResponseException".to_string(),
                "Unrecognizable lambda output".to_string()
            ),
            "{response}"
        );
    }
}

#[tokio::test]
async fn v1_claims_are_strings() {
    let (emulator, lambda) = with_lambda().await;
    let (_, client_id, _) = setup(&emulator, v1("pre-token")).await;
    lambda.respond(
        "pre-token",
        json!({"claimsOverrideDetails": {"claimsToAddOrOverride": {"level": 3}}}),
    );
    assert_eq!(
        sign_in(&emulator, &client_id).await.unwrap_err(),
        (
            "InvalidLambdaResponseException".to_string(),
            "Unrecognizable lambda output".to_string()
        )
    );
}
