//! The authorization server driven by real clients: openid-client (Node) for discovery, the
//! code flow and client credentials (the hosted pages in a real browser are in
//! `browser.rs`).

use aws_sdk_cognitoidentityprovider::types::OAuthFlowType;

use crate::common::{start, Emulator};
use crate::javascript::{node_ready, run_node};

const PASSWORD: &str = "Perm4nent!pass";
const CALLBACK: &str = "http://localhost:3000/callback";

/// A pool with a confirmed user `carol` and a public code-flow client; (pool, client).
async fn web_app(emulator: &Emulator, callback: &str) -> (String, String) {
    let pool = emulator.pool("oauth-clients").await;
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool)
        .username("carol")
        .user_attributes(
            aws_sdk_cognitoidentityprovider::types::AttributeType::builder()
                .name("email")
                .value("carol@example.com")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    emulator.set_password(&pool, "carol", PASSWORD).await;
    let client = emulator
        .idp
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("spa")
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_scopes("openid")
        .allowed_o_auth_scopes("email")
        .allowed_o_auth_scopes("profile")
        .callback_urls(callback)
        .supported_identity_providers("COGNITO")
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    (pool, client)
}

#[tokio::test(flavor = "multi_thread")]
async fn openid_client_discovery_code_flow_userinfo_refresh_and_client_credentials() {
    if !node_ready() {
        return;
    }
    let emulator = start().await;
    let (pool, client) = web_app(&emulator, CALLBACK).await;
    // A machine client with a resource server's scope, for client_credentials.
    emulator
        .idp
        .create_resource_server()
        .user_pool_id(&pool)
        .identifier("orders")
        .name("orders")
        .scopes(
            aws_sdk_cognitoidentityprovider::types::ResourceServerScopeType::builder()
                .scope_name("read")
                .scope_description("read orders")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let machine = emulator
        .idp
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("worker")
        .generate_secret(true)
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_flows(OAuthFlowType::ClientCredentials)
        .allowed_o_auth_scopes("orders/read")
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    run_node(
        "openid_client.mjs",
        vec![
            emulator.url.clone(),
            pool,
            client,
            CALLBACK.to_string(),
            "carol".to_string(),
            PASSWORD.to_string(),
            machine.client_id.unwrap(),
            machine.client_secret.unwrap(),
            "orders/read".to_string(),
        ],
    )
    .await;
    emulator.stop().await;
}
