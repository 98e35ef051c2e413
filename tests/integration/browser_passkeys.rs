//! Passkeys on the hosted pages in Debian's Chromium (browser_passkeys.mjs, driven by
//! playwright-core, with the DevTools protocol's virtual authenticator): a passkey
//! registered on /passkeys/add after a password sign-in, then a sign-in with it. Without
//! Node, its packages or Chromium this test skips, unless COGNITO_EMULATOR_REQUIRE_CLIENTS=1.

use serde_json::json;

use crate::browser::{app_server, browser_ready};
use crate::common::start;
use crate::hosted_passwordless::passwordless_pool;
use crate::javascript::run_node;
use crate::passkeys::PASSWORD;

#[tokio::test(flavor = "multi_thread")]
async fn browser_registers_a_passkey_then_signs_in_with_it() {
    if !browser_ready() {
        return;
    }
    let emulator = start().await;
    let app = app_server().await;
    let (pool, client) = passwordless_pool(&emulator, &app.callback).await;
    let config = json!({
        "endpoint": emulator.url, "clientId": client, "callback": app.callback,
        "username": "hana", "password": PASSWORD,
    });
    run_node(
        "browser_passkeys.mjs",
        vec!["register_then_sign_in".to_string(), config.to_string()],
    )
    .await;
    let user = emulator
        .idp
        .admin_get_user_auth_factors()
        .user_pool_id(&pool)
        .username("hana")
        .send()
        .await
        .unwrap();
    assert!(user
        .configured_user_auth_factors()
        .contains(&aws_sdk_cognitoidentityprovider::types::AuthFactorType::WebAuthn));
    emulator.stop().await;
}
