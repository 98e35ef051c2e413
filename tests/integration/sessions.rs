//! User sessions (one per sign-in): listed with their client, dates and source, revoked one
//! by one (the refresh token and the access tokens then fail), at most MaxPerUser per user;
//! the pool and client session settings. The Rust SDK predates these operations: they are
//! driven over raw AWS JSON and with boto3.

use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ExplicitAuthFlowsType as Flow, UserPoolTierType,
};
use serde_json::{json, Value};

use crate::common::{err, start, Emulator};

pub const PASSWORD: &str = "Perm4nent!pass";

/// A pool (of the given tier) with a client allowing password and refresh flows, and a
/// user `sam` with a permanent password.
pub async fn pool_with_user(emulator: &Emulator, tier: UserPoolTierType) -> (String, String) {
    let pool_id = emulator
        .idp
        .create_user_pool()
        .pool_name("sessions")
        .user_pool_tier(tier)
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
                Flow::AllowAdminUserPasswordAuth,
                Flow::AllowRefreshTokenAuth,
            ],
        )
        .await;
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("sam")
        .send()
        .await
        .unwrap();
    emulator.set_password(&pool_id, "sam", PASSWORD).await;
    (pool_id, client_id)
}

/// Signs `sam` in: (access token, refresh token).
pub async fn sign_in(emulator: &Emulator, client_id: &str) -> (String, String) {
    let result = emulator
        .idp
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "sam")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    (result.access_token.unwrap(), result.refresh_token.unwrap())
}

async fn refresh(
    emulator: &Emulator,
    client_id: &str,
    token: &str,
) -> Result<(), (String, String)> {
    emulator
        .idp
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", token)
        .send()
        .await
        .map(|_| ())
        .map_err(err)
}

pub async fn get_user(emulator: &Emulator, access: &str) -> Result<(), (String, String)> {
    emulator
        .idp
        .get_user()
        .access_token(access)
        .send()
        .await
        .map(|_| ())
        .map_err(err)
}

fn error(answer: &(u16, Value)) -> (u16, &str, &str) {
    (
        answer.0,
        answer.1["__type"].as_str().unwrap_or_default(),
        answer.1["message"].as_str().unwrap_or_default(),
    )
}

pub async fn enable(emulator: &Emulator, pool_id: &str, max: i64) -> (u16, Value) {
    emulator
        .idp_call(
            "SetUserPoolSessionConfiguration",
            json!({"UserPoolId": pool_id, "UserSessionTracking": "ENABLED",
                   "TokenSession": {"MaxPerUser": max}}),
        )
        .await
}

pub async fn list(emulator: &Emulator, access: &str) -> Vec<Value> {
    let (status, body) = emulator
        .idp_call("ListUserSessions", json!({"AccessToken": access}))
        .await;
    assert_eq!(status, 200, "{body}");
    body["Sessions"].as_array().unwrap().clone()
}

#[tokio::test]
async fn sessions_are_listed_and_revoked_one_by_one() {
    let emulator = start().await;
    let (pool_id, client_id) = pool_with_user(&emulator, UserPoolTierType::Essentials).await;

    // Off until enabled.
    let (status, config) = emulator
        .idp_call(
            "GetUserPoolSessionConfiguration",
            json!({"UserPoolId": pool_id}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        config,
        json!({"UserPoolId": pool_id, "UserSessionTracking": "DISABLED"})
    );
    let (first_access, first_refresh) = sign_in(&emulator, &client_id).await;
    let answer = emulator
        .idp_call("ListUserSessions", json!({"AccessToken": first_access}))
        .await;
    assert_eq!(
        error(&answer),
        (
            400,
            "OperationNotEnabledException",
            "User session tracking is not enabled for this user pool."
        )
    );

    let answer = enable(&emulator, &pool_id, 5).await;
    assert_eq!(
        answer,
        (
            200,
            json!({"UserPoolId": pool_id, "UserSessionTracking": "ENABLED",
                   "TokenSession": {"MaxPerUser": 5}})
        )
    );
    emulator.advance_clock(10.0).await;
    let (second_access, second_refresh) = sign_in(&emulator, &client_id).await;

    let sessions = list(&emulator, &first_access).await;
    assert_eq!(sessions.len(), 2, "{sessions:?}");
    // Newest first; the caller's own sign-in is the current one.
    let (second, first) = (&sessions[0], &sessions[1]);
    assert_eq!(first["IsCurrentSession"], true);
    assert_eq!(second["IsCurrentSession"], false);
    for session in &sessions {
        let id = session["SessionId"].as_str().unwrap();
        assert_eq!(id.len(), 28);
        assert!(id.starts_with("tkn"));
        assert!(id[3..]
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
        assert_eq!(session["SessionType"], "TOKEN");
        assert_eq!(session["ClientId"], client_id);
        assert_eq!(session["LastIPAddress"], "127.0.0.1");
        assert!(
            session["DeviceType"]
                .as_str()
                .unwrap()
                .contains("aws-sdk-rust"),
            "the SDK's User-Agent: {session}"
        );
    }
    assert!(second["CreateDate"].as_f64().unwrap() - first["CreateDate"].as_f64().unwrap() >= 10.0);
    let second_id = second["SessionId"].as_str().unwrap().to_string();
    let first_id = first["SessionId"].as_str().unwrap().to_string();

    // A refresh is activity: the first session's LastActiveDate moves.
    emulator.advance_clock(5.0).await;
    refresh(&emulator, &client_id, &first_refresh)
        .await
        .unwrap();
    let (status, admin) = emulator
        .idp_call(
            "AdminListUserSessions",
            json!({"UserPoolId": pool_id, "Username": "sam"}),
        )
        .await;
    assert_eq!(status, 200, "{admin}");
    let admin = admin["Sessions"].as_array().unwrap();
    assert_eq!(admin.len(), 2);
    let first_now = admin.iter().find(|s| s["SessionId"] == first_id).unwrap();
    let (created, active) = (
        first_now["CreateDate"].as_f64().unwrap(),
        first_now["LastActiveDate"].as_f64().unwrap(),
    );
    assert!(active - created >= 15.0, "{first_now}");
    assert!(first_now.get("IsCurrentSession").is_none());

    // Revoking the second sign-in stops its refresh token and its access token.
    let answer = emulator
        .idp_call(
            "RevokeUserSession",
            json!({"AccessToken": first_access, "SessionId": second_id}),
        )
        .await;
    assert_eq!(answer, (200, json!({})));
    assert_eq!(
        refresh(&emulator, &client_id, &second_refresh).await,
        Err((
            "NotAuthorizedException".into(),
            "Refresh Token has been revoked".into()
        ))
    );
    assert_eq!(
        get_user(&emulator, &second_access).await,
        Err((
            "NotAuthorizedException".into(),
            "Access Token has been revoked".into()
        ))
    );
    get_user(&emulator, &first_access).await.unwrap();
    refresh(&emulator, &client_id, &first_refresh)
        .await
        .unwrap();
    let sessions = list(&emulator, &first_access).await;
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0]["SessionId"], first_id);

    // A session that is gone (or never was).
    let answer = emulator
        .idp_call(
            "RevokeUserSession",
            json!({"AccessToken": first_access, "SessionId": second_id}),
        )
        .await;
    assert_eq!(
        error(&answer),
        (400, "ResourceNotFoundException", "Session not found.")
    );
    let answer = emulator
        .idp_call(
            "AdminRevokeUserSession",
            json!({"UserPoolId": pool_id, "Username": "sam",
                   "SessionId": "tkn0000000000000000000000000"}),
        )
        .await;
    assert_eq!(error(&answer).1, "ResourceNotFoundException");
    let answer = emulator
        .idp_call(
            "AdminRevokeUserSession",
            json!({"UserPoolId": pool_id, "Username": "nobody", "SessionId": first_id}),
        )
        .await;
    assert_eq!(
        error(&answer),
        (400, "UserNotFoundException", "User does not exist.")
    );
    // The session id must match the model's pattern.
    let answer = emulator
        .idp_call(
            "AdminRevokeUserSession",
            json!({"UserPoolId": pool_id, "Username": "sam", "SessionId": "abc"}),
        )
        .await;
    assert_eq!(error(&answer).1, "InvalidParameterException");

    // The administrator revokes the first: its user is signed out.
    let answer = emulator
        .idp_call(
            "AdminRevokeUserSession",
            json!({"UserPoolId": pool_id, "Username": "sam", "SessionId": first_id}),
        )
        .await;
    assert_eq!(answer, (200, json!({})));
    assert_eq!(
        refresh(&emulator, &client_id, &first_refresh)
            .await
            .unwrap_err()
            .1,
        "Refresh Token has been revoked"
    );
    let answer = emulator
        .idp_call("ListUserSessions", json!({"AccessToken": first_access}))
        .await;
    assert_eq!(
        error(&answer),
        (
            400,
            "NotAuthorizedException",
            "Access Token has been revoked"
        )
    );
}

#[tokio::test]
async fn a_new_sign_in_beyond_max_per_user_revokes_the_oldest() {
    let emulator = start().await;
    let (pool_id, client_id) = pool_with_user(&emulator, UserPoolTierType::Plus).await;
    assert_eq!(enable(&emulator, &pool_id, 2).await.0, 200);
    let mut signed_in = Vec::new();
    for _ in 0..3 {
        signed_in.push(sign_in(&emulator, &client_id).await);
        emulator.advance_clock(1.0).await;
    }
    let (oldest_access, oldest_refresh) = &signed_in[0];
    assert_eq!(
        refresh(&emulator, &client_id, oldest_refresh)
            .await
            .unwrap_err()
            .1,
        "Refresh Token has been revoked"
    );
    assert_eq!(
        get_user(&emulator, oldest_access).await.unwrap_err().1,
        "Access Token has been revoked"
    );
    for (access, token) in &signed_in[1..] {
        refresh(&emulator, &client_id, token).await.unwrap();
        get_user(&emulator, access).await.unwrap();
    }
    assert_eq!(list(&emulator, &signed_in[2].0).await.len(), 2);

    // Out of the model's range.
    let answer = enable(&emulator, &pool_id, 0).await;
    assert_eq!(error(&answer).1, "InvalidParameterException");
    let answer = enable(&emulator, &pool_id, 101).await;
    assert_eq!(error(&answer).1, "InvalidParameterException");
    let answer = emulator
        .idp_call(
            "SetUserPoolSessionConfiguration",
            json!({"UserPoolId": pool_id, "UserSessionTracking": "SOMETIMES",
                   "TokenSession": {"MaxPerUser": 3}}),
        )
        .await;
    assert_eq!(error(&answer).1, "InvalidParameterException");
    let answer = emulator
        .idp_call(
            "GetUserPoolSessionConfiguration",
            json!({"UserPoolId": "us-east-1_Nope0000"}),
        )
        .await;
    assert_eq!(error(&answer).1, "ResourceNotFoundException");
}

#[tokio::test]
async fn client_session_settings_are_kept_per_client() {
    let emulator = start().await;
    let (pool_id, client_id) = pool_with_user(&emulator, UserPoolTierType::Essentials).await;
    let get = json!({"UserPoolId": pool_id, "ClientId": client_id});
    let answer = emulator
        .idp_call("GetUserPoolClientSessionConfiguration", get.clone())
        .await;
    assert_eq!(
        answer,
        (
            200,
            json!({"UserPoolId": pool_id, "ClientId": client_id,
                   "SSOSession": {"MaxValidityMinutes": 60}})
        )
    );
    let set = json!({"UserPoolId": pool_id, "ClientId": client_id,
                     "SSOSession": {"MaxValidityMinutes": 720}});
    let answer = emulator
        .idp_call("SetUserPoolClientSessionConfiguration", set.clone())
        .await;
    assert_eq!(answer, (200, set.clone()));
    let answer = emulator
        .idp_call("GetUserPoolClientSessionConfiguration", get)
        .await;
    assert_eq!(answer, (200, set));

    let answer = emulator
        .idp_call(
            "SetUserPoolClientSessionConfiguration",
            json!({"UserPoolId": pool_id, "ClientId": client_id,
                   "SSOSession": {"MaxValidityMinutes": 129601}}),
        )
        .await;
    assert_eq!(error(&answer).1, "InvalidParameterException");
    let answer = emulator
        .idp_call(
            "GetUserPoolClientSessionConfiguration",
            json!({"UserPoolId": pool_id, "ClientId": "nosuchclient"}),
        )
        .await;
    assert_eq!(
        error(&answer),
        (
            400,
            "ResourceNotFoundException",
            "User pool client nosuchclient does not exist."
        )
    );

    // The Lite plan has no session settings.
    let (lite, lite_client) = pool_with_user(&emulator, UserPoolTierType::Lite).await;
    let answer = enable(&emulator, &lite, 3).await;
    assert_eq!(
        error(&answer),
        (
            400,
            "FeatureUnavailableInTierException",
            "Session configuration is not available in the LITE feature plan."
        )
    );
    let answer = emulator
        .idp_call(
            "SetUserPoolClientSessionConfiguration",
            json!({"UserPoolId": lite, "ClientId": lite_client,
                   "SSOSession": {"MaxValidityMinutes": 30}}),
        )
        .await;
    assert_eq!(error(&answer).1, "FeatureUnavailableInTierException");
}

#[tokio::test(flavor = "multi_thread")]
async fn boto3_lists_and_revokes_sessions() {
    let emulator = start().await;
    let url = emulator.url.clone();
    let output = tokio::task::spawn_blocking(move || {
        let python = std::process::Command::new("python3")
            .args(["-c", "import boto3"])
            .output();
        if !python.is_ok_and(|o| o.status.success()) {
            return None;
        }
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/clients/boto3_sessions.py"
        );
        Some(
            std::process::Command::new("python3")
                .args([script, &url])
                .output()
                .unwrap(),
        )
    })
    .await
    .unwrap();
    let Some(output) = output else {
        assert!(
            std::env::var("COGNITO_EMULATOR_REQUIRE_CLIENTS").as_deref() != Ok("1"),
            "boto3 is required (COGNITO_EMULATOR_REQUIRE_CLIENTS=1) but unavailable"
        );
        return;
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if output.status.code() == Some(3) {
        assert!(
            std::env::var("COGNITO_EMULATOR_REQUIRE_CLIENTS").as_deref() != Ok("1"),
            "{stdout}"
        );
        eprintln!("skipping: {stdout}");
        return;
    }
    assert!(
        output.status.success(),
        "boto3 script failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("boto3 sessions OK"), "{stdout}");
}

#[tokio::test]
async fn sessions_settings_and_history_survive_a_restart() {
    let dir = std::env::temp_dir().join(format!("cognito-sessions-{}", uuid::Uuid::new_v4()));
    let config = || {
        let mut config = cognito_emulator::config::Config::default_for_tests();
        config.data_dir = Some(dir.clone());
        config.public_url = Some("http://cognito.test:9229".into());
        config
    };
    let before = crate::common::start_with(config()).await;
    let (pool_id, client_id) = crate::auth_events::protected_pool(
        &before,
        aws_sdk_cognitoidentityprovider::types::AdvancedSecurityModeType::Enforced,
    )
    .await;
    before
        .idp
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("sam")
        .send()
        .await
        .unwrap();
    before.set_password(&pool_id, "sam", PASSWORD).await;
    assert_eq!(enable(&before, &pool_id, 7).await.0, 200);
    before
        .idp
        .set_risk_configuration()
        .user_pool_id(&pool_id)
        .risk_exception_configuration(
            aws_sdk_cognitoidentityprovider::types::RiskExceptionConfigurationType::builder()
                .blocked_ip_range_list("192.0.2.0/24")
                .build(),
        )
        .send()
        .await
        .unwrap();
    let (access, refresh_token) = sign_in(&before, &client_id).await;
    let sessions = list(&before, &access).await;
    before.stop().await;

    let after = crate::common::start_with(config()).await;
    let (status, settings) = after
        .idp_call(
            "GetUserPoolSessionConfiguration",
            json!({"UserPoolId": pool_id}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(settings["TokenSession"]["MaxPerUser"], 7);
    assert_eq!(list(&after, &access).await, sessions);
    let risk = after
        .idp
        .describe_risk_configuration()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap()
        .risk_configuration
        .unwrap();
    assert_eq!(
        risk.risk_exception_configuration()
            .unwrap()
            .blocked_ip_range_list(),
        ["192.0.2.0/24"]
    );
    let history = crate::auth_events::events(&after, &pool_id, "sam").await;
    assert_eq!(history.len(), 1);
    refresh(&after, &client_id, &refresh_token).await.unwrap();
    after.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}
