//! Sign-ins with a PreTokenGeneration trigger for the load benchmark
//! (`cargo bench --bench server -- triggers`): USER_PASSWORD_AUTH sign-ins/s in a pool whose
//! V2_0 function answers at once from an in-bench Lambda Invoke API (one claim added to each
//! token), against the same sign-ins in a pool without the trigger, on the same server. The
//! issue's target: at least 70% of the rate without it.

use serde_json::{json, Value};

use super::{call, idp, load, report, BlockOnInside};
use cognito_emulator::config::Config;
use cognito_emulator::http::Server;

const PASSWORD: &str = "Bench!pass1";
const USERS: usize = 100;

/// A Lambda Invoke API whose every function answers at once: the event back, with a claim
/// added to both tokens. Runs on a thread of its own (a Lambda runtime is another process).
fn instant_lambda() -> String {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let app = axum::Router::new().route(
                "/2015-03-31/functions/{name}/invocations",
                axum::routing::post(|body: axum::body::Bytes| async move {
                    let mut event: Value = serde_json::from_slice(&body).unwrap();
                    let claim = json!({"claimsToAddOrOverride": {"tenant": "bench"}});
                    event["response"]["claimsAndScopeOverrideDetails"] = json!({
                        "idTokenGeneration": claim,
                        "accessTokenGeneration": claim,
                    });
                    ([("content-type", "application/json")], event.to_string())
                }),
            );
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            sender
                .send(format!("http://{}", listener.local_addr().unwrap()))
                .unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    receiver.recv().unwrap()
}

/// A pool (with `lambda_config`), a client for USER_PASSWORD_AUTH and `USERS` users;
/// returns the client id.
async fn pool(http: &reqwest::Client, url: &str, name: &str, lambda_config: Value) -> String {
    let created = call(
        http,
        url,
        "CreateUserPool",
        json!({"PoolName": name, "LambdaConfig": lambda_config}),
    )
    .await;
    let pool_id = created["UserPool"]["Id"].as_str().unwrap().to_string();
    let app = call(
        http,
        url,
        "CreateUserPoolClient",
        json!({"UserPoolId": pool_id, "ClientName": "bench",
               "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
    )
    .await;
    for i in 0..USERS {
        let username = format!("user{i}");
        call(
            http,
            url,
            "AdminCreateUser",
            json!({"UserPoolId": pool_id, "Username": username, "MessageAction": "SUPPRESS"}),
        )
        .await;
        call(http, url, "AdminSetUserPassword", json!({"UserPoolId": pool_id, "Username": username, "Password": PASSWORD, "Permanent": true})).await;
    }
    app["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_string()
}

fn sign_in(client_id: &str, i: u64) -> (String, Value) {
    (
        idp("InitiateAuth"),
        json!({"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
               "AuthParameters": {"USERNAME": format!("user{}", i as usize % USERS), "PASSWORD": PASSWORD}}),
    )
}

pub async fn figures(servers: &tokio::runtime::Runtime) {
    let lambda_url = instant_lambda();
    let mut config = Config::default_for_tests();
    config.lambda_endpoint = Some(lambda_url);
    let url = servers.block_on_inside(async move {
        let server = Server::bind(config).await.unwrap();
        let url = format!("http://{}", server.local_addr());
        server.spawn();
        url
    });
    let http = reqwest::Client::new();
    let plain = pool(&http, &url, "plain", json!({})).await;
    let triggered = pool(
        &http,
        &url,
        "pre-token",
        json!({"PreTokenGenerationConfig": {"LambdaVersion": "V2_0",
               "LambdaArn": "arn:aws:lambda:us-east-1:123456789012:function:pre-token"}}),
    )
    .await;

    // The trigger really runs: its claim is in the tokens.
    let (target, body) = sign_in(&triggered, 0);
    let op = target.rsplit('.').next().unwrap();
    let signed_in = call(&http, &url, op, body).await;
    let token = signed_in["AuthenticationResult"]["AccessToken"]
        .as_str()
        .unwrap();
    let payload = token.split('.').nth(1).unwrap();
    use base64::Engine;
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["tenant"], "bench");

    // Both warmed up first (connections, the Lambda client's pool), then measured.
    for client_id in [&plain, &triggered] {
        let id = client_id.clone();
        load(&url, Some(400), move |i| sign_in(&id, i)).await;
    }
    let without = load(&url, None, move |i| sign_in(&plain, i)).await;
    let with = load(&url, None, move |i| sign_in(&triggered, i)).await;
    assert_eq!((without.errors, with.errors), (0, 0), "failed sign-ins");
    report("USER_PASSWORD_AUTH, no trigger", &without, None);
    report(
        "USER_PASSWORD_AUTH, PreTokenGeneration V2_0",
        &with,
        Some(without.per_second),
    );
    println!();
    println!(
        "PreTokenGeneration V2_0 answering at once: {:.0} sign-ins/s against {:.0} without it: {:.0}% (target ≥ 70%)",
        with.per_second,
        without.per_second,
        100.0 * with.per_second / without.per_second,
    );
}
