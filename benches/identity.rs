//! Identity pools for the load benchmark (`cargo bench --bench server -- identity`): the
//! enhanced flow with a user-pool login (GetId, then GetCredentialsForIdentity, each verifying
//! the ID token's RS256 signature) against the ceiling of verifying one RS256 signature on
//! both cores, measured in the same run.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use serde_json::{json, Value};

use super::http1::{Connection, Post};
use super::{call, call_target, ceiling, pool_and_client, user_with_password, CONNECTIONS, RUN};
use cognito_emulator::infra::crypto::jwt::SigningKey;

const PASSWORD: &str = "Bench!pass1";
const USERS: usize = 100;

async fn identity_call(http: &impl Post, url: &str, op: &str, body: Value) -> Value {
    call_target(http, url, &format!("AWSCognitoIdentityService.{op}"), body).await
}

/// `bare`: the bare axum handler's requests/s, measured at the start of the run.
pub async fn figures(url: &str, bare: Option<f64>) {
    let http = reqwest::Client::new();
    let (pool_id, client_id) =
        pool_and_client(&http, url, json!({"PoolName": "identity"}), &[]).await;
    let mut tokens = Vec::new();
    for i in 0..USERS {
        let username = format!("identity{i}");
        user_with_password(&http, url, &pool_id, &username, PASSWORD).await;
        let signed_in = call(
            &http,
            url,
            "InitiateAuth",
            json!({"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": username, "PASSWORD": PASSWORD}}),
        )
        .await;
        tokens.push(
            signed_in["AuthenticationResult"]["IdToken"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let provider = format!("cognito-idp.us-east-1.amazonaws.com/{pool_id}");
    let identity_pool = identity_call(&http, url, "CreateIdentityPool", json!({
        "IdentityPoolName": "bench", "AllowUnauthenticatedIdentities": false,
        "CognitoIdentityProviders": [{"ProviderName": provider, "ClientId": client_id, "ServerSideTokenCheck": true}]})).await;
    let identity_pool_id = identity_pool["IdentityPoolId"]
        .as_str()
        .unwrap()
        .to_string();
    identity_call(
        &http,
        url,
        "SetIdentityPoolRoles",
        json!({"IdentityPoolId": identity_pool_id,
        "Roles": {"authenticated": "arn:aws:iam::000000000000:role/bench"}}),
    )
    .await;

    // GetId + GetCredentialsForIdentity pairs from 16 connections.
    let tokens = Arc::new(tokens);
    let pairs = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..CONNECTIONS)
        .map(|t| {
            let (url, tokens, pairs, provider, identity_pool_id) = (
                url.to_string(),
                tokens.clone(),
                pairs.clone(),
                provider.clone(),
                identity_pool_id.clone(),
            );
            tokio::spawn(async move {
                let http = Connection::new(&url);
                let mut i = t;
                while started.elapsed() < RUN {
                    let token = &tokens[i % USERS];
                    let id = identity_call(
                        &http,
                        &url,
                        "GetId",
                        json!({"IdentityPoolId": identity_pool_id,
                        "Logins": {&provider: token}}),
                    )
                    .await;
                    let credentials = identity_call(
                        &http,
                        &url,
                        "GetCredentialsForIdentity",
                        json!({
                        "IdentityId": id["IdentityId"], "Logins": {&provider: token}}),
                    )
                    .await;
                    assert!(credentials["Credentials"]["AccessKeyId"].is_string());
                    pairs.fetch_add(1, Ordering::Relaxed);
                    i += CONNECTIONS;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let rate = pairs.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64();

    // One RS256 verification of an ID-token-sized JWT, on both cores, nothing else.
    let key = Arc::new(SigningKey::generate());
    let token = key.sign(&json!({"sub": "00000000-0000-0000-0000-000000000000", "iss": "http://127.0.0.1/us-east-1_x",
        "aud": "client", "token_use": "id", "exp": 2_000_000_000, "iat": 1_700_000_000, "email": "someone@example.com"}));
    let verifications = tokio::task::block_in_place(|| ceiling(move || drop(key.verify(&token))));
    // Each pair verifies the token twice.
    let pair_ceiling = verifications / 2.0;
    println!();
    println!("| identity pools | pairs/s | RS256 ceiling | ratio |");
    println!("|---|---:|---:|---:|");
    println!(
        "| GetId + GetCredentialsForIdentity, user-pool login | {rate:.0} | {pair_ceiling:.0} (two verifications; {verifications:.0}/s) | {:.0}% |",
        100.0 * rate / pair_ceiling
    );
    // A pair is two HTTP requests: even with no work behind them, their round trips (server
    // and load generator on the same two cores) bound the pairs/s any implementation can reach.
    if let Some(bare) = bare {
        let bound = 1.0 / (2.0 / bare + 1.0 / pair_ceiling);
        println!(
            "| bound: two requests to the bare axum handler ({bare:.0}/s) and two verifications | {bound:.0} | {pair_ceiling:.0} | {:.0}% |",
            100.0 * bound / pair_ceiling
        );
        println!(
            "| GetId + GetCredentialsForIdentity against that bound | {rate:.0} | {bound:.0} | {:.0}% |",
            100.0 * rate / bound
        );
    }
}
