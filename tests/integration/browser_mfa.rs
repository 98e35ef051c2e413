//! The hosted MFA pages in Debian's Chromium (browser_mfa.mjs, driven by playwright-core):
//! an authenticator app set up inside the sign-in and asked for at the next one, and an SMS
//! code read from the message endpoint; each ends in the code exchanged at the token
//! endpoint. Without Node, its packages or Chromium these tests skip, unless
//! COGNITO_EMULATOR_REQUIRE_CLIENTS=1.

use aws_sdk_cognitoidentityprovider::types::UserPoolMfaType;
use serde_json::{json, Value};

use crate::browser::{app_server, browser_ready};
use crate::common::start;
use crate::hosted_mfa::{mfa_pool, mfa_user, Factors, PASSWORD};
use crate::javascript::run_node;

async fn scenario(name: &str, config: Value) {
    run_node(
        "browser_mfa.mjs",
        vec![name.to_string(), config.to_string()],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn browser_sets_up_an_authenticator_app_and_signs_in_with_it() {
    if !browser_ready() {
        return;
    }
    let emulator = start().await;
    let app = app_server().await;
    let factors = Factors {
        sms: false,
        totp: true,
        email: false,
    };
    let (pool, client) = mfa_pool(
        &emulator,
        "Browser TOTP",
        UserPoolMfaType::On,
        factors,
        &app.callback,
    )
    .await;
    mfa_user(&emulator, &pool, "tina", &[]).await;
    let config = json!({
        "endpoint": emulator.url, "pool": pool, "poolName": "Browser TOTP", "clientId": client,
        "callback": app.callback, "username": "tina", "password": PASSWORD,
    });
    scenario("totp", config).await;
    let user = emulator
        .idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username("tina")
        .send()
        .await
        .unwrap();
    assert_eq!(user.preferred_mfa_setting(), Some("SOFTWARE_TOKEN_MFA"));
    emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn browser_answers_an_sms_code_from_the_message_endpoint() {
    if !browser_ready() {
        return;
    }
    let emulator = start().await;
    let app = app_server().await;
    let factors = Factors {
        sms: true,
        totp: false,
        email: false,
    };
    let (pool, client) = mfa_pool(
        &emulator,
        "browser-sms",
        UserPoolMfaType::On,
        factors,
        &app.callback,
    )
    .await;
    mfa_user(&emulator, &pool, "sam", &[("phone_number", "+15555551234")]).await;
    let config = json!({
        "endpoint": emulator.url, "pool": pool, "clientId": client,
        "callback": app.callback, "username": "sam", "password": PASSWORD,
    });
    scenario("sms", config).await;
    emulator.stop().await;
}
