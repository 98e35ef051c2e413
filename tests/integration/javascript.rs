//! JavaScript clients: the AWS SDK v3, amazon-cognito-identity-js, Amplify v6 and aws-jwt-verify, run with
//! Node from `tests/clients/node` (installed by `.ci/run`). Without Node or the packages these
//! tests skip, unless COGNITO_EMULATOR_REQUIRE_CLIENTS=1.

use std::path::PathBuf;
use std::process::Command;

use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, MessageActionType, VerifiedAttributeType,
};
use cognito_emulator::config::Config;

use crate::common::{start, start_with, Emulator};

fn node_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/node"))
}

pub fn node_ready() -> bool {
    let node = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let ready = node && node_dir().join("node_modules").is_dir();
    if !ready {
        assert!(
            std::env::var("COGNITO_EMULATOR_REQUIRE_CLIENTS").as_deref() != Ok("1"),
            "node and tests/clients/node/node_modules are required (run .ci/run)"
        );
        eprintln!("skipping: node or tests/clients/node/node_modules unavailable");
    }
    ready
}

pub async fn run_node(script: &'static str, args: Vec<String>) {
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(node_dir().join(script))
            .args(args)
            .current_dir(node_dir())
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{script} failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains(" OK"), "{stdout}");
}

async fn public_client(emulator: &Emulator, pool_id: &str) -> String {
    emulator
        .idp
        .create_user_pool_client()
        .user_pool_id(pool_id)
        .client_name("browser")
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap()
}

async fn create_user(
    emulator: &Emulator,
    pool_id: &str,
    username: &str,
    password: &str,
    permanent: bool,
) {
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(pool_id)
        .username(username)
        .temporary_password("Temp0rary!pass")
        .message_action(MessageActionType::Suppress)
        .user_attributes(
            AttributeType::builder()
                .name("email")
                .value(format!("{username}@example.com"))
                .build()
                .unwrap(),
        )
        .user_attributes(
            AttributeType::builder()
                .name("email_verified")
                .value("true")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    if permanent {
        emulator.set_password(pool_id, username, password).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn aws_sdk_for_javascript_v3() {
    if !node_ready() {
        return;
    }
    let emulator = start().await;
    run_node("sdk_v3.mjs", vec![emulator.url.clone()]).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn amazon_cognito_identity_js() {
    if !node_ready() {
        return;
    }
    let emulator = start().await;
    let pool_id = emulator
        .idp
        .create_user_pool()
        .pool_name("identity-js")
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let client_id = public_client(&emulator, &pool_id).await;
    create_user(&emulator, &pool_id, "newbie", "", false).await;
    run_node(
        "identity_js.mjs",
        vec![emulator.url.clone(), pool_id, client_id],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn amplify_v6() {
    if !node_ready() {
        return;
    }
    let emulator = start().await;
    let pool_id = emulator
        .idp
        .create_user_pool()
        .pool_name("amplify")
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let client_id = public_client(&emulator, &pool_id).await;
    create_user(&emulator, &pool_id, "amp", "Amp!passw0rd", true).await;
    create_user(&emulator, &pool_id, "ampnew", "", false).await;
    run_node(
        "amplify.mjs",
        vec![emulator.url.clone(), pool_id, client_id],
    )
    .await;
}

async fn verify_tokens(emulator: Emulator, mode: &str) {
    let setup = crate::auth::setup(&emulator, false, false).await;
    let tokens = emulator
        .idp
        .admin_initiate_auth()
        .user_pool_id(&setup.pool_id)
        .client_id(&setup.client_id)
        .auth_flow(aws_sdk_cognitoidentityprovider::types::AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("PASSWORD", "Perm4nent!pass")
        .send()
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    run_node(
        "jwt_verify.mjs",
        vec![
            mode.to_string(),
            emulator.url.clone(),
            setup.pool_id,
            setup.client_id,
            tokens.id_token.unwrap(),
            tokens.access_token.unwrap(),
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn aws_jwt_verify_with_the_emulator_issuer() {
    if !node_ready() {
        return;
    }
    verify_tokens(start().await, "emulator").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn aws_jwt_verify_cognito_verifier_with_the_aws_issuer() {
    if !node_ready() {
        return;
    }
    let mut config = Config::default_for_tests();
    config.aws_issuer = true;
    verify_tokens(start_with(config).await, "aws").await;
}
