//! Identity pools from clients that are not Rust: boto3 (the enhanced flow, developer
//! identities), `@aws-sdk/client-cognito-identity` with `fromCognitoIdentityPool`, and
//! Amplify v6 `fetchAuthSession()` for a guest and a signed-in user. Without Python, Node or
//! the packages these tests skip, unless COGNITO_EMULATOR_REQUIRE_CLIENTS=1.

use std::process::Command;

use crate::common::start;
use crate::identity_credentials::Setup;
use crate::identity_pools::{identity_client, user_pool_provider, AUTH_ROLE, UNAUTH_ROLE};
use crate::javascript::{node_ready, run_node};

#[tokio::test(flavor = "multi_thread")]
async fn boto3_enhanced_flow_and_developer_identities() {
    let emulator = start().await;
    let url = emulator.url.clone();
    let output = tokio::task::spawn_blocking(move || {
        let has_boto3 = Command::new("python3")
            .args(["-c", "import boto3"])
            .output()
            .is_ok_and(|o| o.status.success());
        if !has_boto3 {
            assert!(
                std::env::var("COGNITO_EMULATOR_REQUIRE_CLIENTS").as_deref() != Ok("1"),
                "python3 with boto3 is required (run .ci/run)"
            );
            return None;
        }
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/clients/boto3_identity.py"
        );
        Some(
            Command::new("python3")
                .args([script, &url])
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
    assert!(stdout.contains("boto3 identity OK"), "{stdout}");
    emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn aws_sdk_v3_identity_client_and_credential_provider() {
    if !node_ready() {
        return;
    }
    let setup = Setup::new(false, true).await;
    let (id_token, _) = setup.tokens("bob").await;
    run_node(
        "identity_sdk_v3.mjs",
        vec![
            setup.emulator.url.clone(),
            setup.identity_pool_id.clone(),
            setup.user_pool_id.clone(),
            id_token,
        ],
    )
    .await;
    setup.emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn amplify_v6_fetch_auth_session_for_a_guest_and_a_user() {
    if !node_ready() {
        return;
    }
    let emulator = start().await;
    let pool_id = emulator.pool("amplify-identity").await;
    let client_id = emulator.client(&pool_id, "web").await;
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("amp")
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    emulator.set_password(&pool_id, "amp", "Amp!passw0rd").await;
    let ci = identity_client(&emulator.url).await;
    let identity_pool_id = ci
        .create_identity_pool()
        .identity_pool_name("amplify")
        .allow_unauthenticated_identities(true)
        .cognito_identity_providers(user_pool_provider(&pool_id, &client_id, true))
        .send()
        .await
        .unwrap()
        .identity_pool_id()
        .to_string();
    ci.set_identity_pool_roles()
        .identity_pool_id(&identity_pool_id)
        .roles("authenticated", AUTH_ROLE)
        .roles("unauthenticated", UNAUTH_ROLE)
        .send()
        .await
        .unwrap();
    run_node(
        "amplify_identity.mjs",
        vec![emulator.url.clone(), pool_id, client_id, identity_pool_id],
    )
    .await;
    emulator.stop().await;
}
