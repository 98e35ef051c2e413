//! PreTokenGeneration on the hosted pages and the OAuth endpoints: TokenGeneration_HostedAuth
//! (authorization code and implicit flows), TokenGeneration_RefreshTokens at the token
//! endpoint, and TokenGeneration_ClientCredentials (V3_0 only) for the client_credentials
//! grant and GetClientToken; a function's error as these endpoints answer it.

use aws_sdk_cognitoidentityprovider::types::{
    LambdaConfigType, OAuthFlowType, PreTokenGenerationLambdaVersionType as Version,
    ResourceServerScopeType,
};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::auth::{claims, verifies_with};
use crate::common::{err, Emulator};
use crate::lambda_server::Answer;
use crate::oauth::{authorize_path, query_of, token_request, Browser, CALLBACK, VERIFIER};
use crate::triggers::{pool_with, with_lambda};
use crate::triggers_tokens::{jane, jane_groups, setup, versioned, PASSWORD};

/// A public client of `pool_id` for the code and implicit flows.
async fn web_client(emulator: &Emulator, pool_id: &str) -> String {
    emulator
        .idp
        .create_user_pool_client()
        .user_pool_id(pool_id)
        .client_name("web")
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_flows(OAuthFlowType::Implicit)
        .allowed_o_auth_scopes("openid")
        .allowed_o_auth_scopes("email")
        .allowed_o_auth_scopes("aws.cognito.signin.user.admin")
        .callback_urls(CALLBACK)
        .supported_identity_providers("COGNITO")
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap()
}

async fn exchange(emulator: &Emulator, client: &str, code: &str) -> (u16, Value) {
    token_request(
        emulator,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", client),
            ("code", code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", VERIFIER),
        ],
        None,
    )
    .await
}

fn implicit_path(client: &str) -> String {
    format!(
        "/oauth2/authorize?response_type=token&client_id={client}&redirect_uri={}&state=s1&scope=openid+email",
        url::form_urlencoded::byte_serialize(CALLBACK.as_bytes()).collect::<String>()
    )
}

#[tokio::test]
async fn the_code_flow_calls_hosted_auth_and_the_token_endpoint_refresh_calls_refresh_tokens() {
    let (emulator, lambda) = with_lambda().await;
    let (pool_id, _, sub) = setup(&emulator, versioned("pre-token", Version::V20)).await;
    let client = web_client(&emulator, &pool_id).await;
    lambda.on("pre-token", |mut event| {
        let source = event["triggerSource"].clone();
        event["response"]["claimsAndScopeOverrideDetails"] = json!({
            "idTokenGeneration": {"claimsToAddOrOverride": {"source": source, "at_hash": "x"}},
            "accessTokenGeneration": {
                "claimsToAddOrOverride": {"source": source},
                "scopesToAdd": ["https://api.example.com/read"],
                "scopesToSuppress": ["email"],
            },
        });
        Answer::Event(event)
    });

    let mut browser = Browser::new(&emulator.url);
    let authorize = authorize_path(&client, "");
    let login = browser.get(&authorize).await.location.unwrap();
    let page = browser.sign_in(&login, "jane", PASSWORD).await;
    assert_eq!(page.status, 302, "{}", page.body);
    // Signing in on the page issues no tokens yet.
    assert!(lambda.calls().is_empty());
    let code = query_of(&page.location.unwrap())["code"].clone();
    let (status, body) = exchange(&emulator, &client, &code).await;
    assert_eq!(status, 200, "{body}");

    let event = &lambda.events("pre-token")[0];
    assert_eq!(event["version"], "2");
    assert_eq!(event["triggerSource"], "TokenGeneration_HostedAuth");
    assert_eq!(event["userName"], "jane");
    assert_eq!(event["callerContext"]["clientId"], client.as_str());
    assert_eq!(
        event["request"],
        json!({
            "userAttributes": jane(&sub),
            "groupConfiguration": jane_groups(),
            "scopes": ["openid", "email"],
        })
    );
    let jwks = emulator
        .get_json(&format!("{}/{pool_id}/.well-known/jwks.json", emulator.url))
        .await;
    let id_token = body["id_token"].as_str().unwrap();
    let access_token = body["access_token"].as_str().unwrap();
    assert!(verifies_with(id_token, &jwks) && verifies_with(access_token, &jwks));
    let (id, access) = (claims(id_token), claims(access_token));
    assert_eq!(id["source"], "TokenGeneration_HostedAuth");
    assert_eq!(id["nonce"], "n-0S6");
    // at_hash is the access token's, whatever the function says.
    let at_hash = URL_SAFE_NO_PAD.encode(&Sha256::digest(access_token.as_bytes())[..16]);
    assert_eq!(id["at_hash"].as_str().unwrap(), at_hash);
    assert_eq!(access["source"], "TokenGeneration_HostedAuth");
    assert_eq!(access["scope"], "openid https://api.example.com/read");
    assert_eq!(access["version"], 2);

    // The refresh_token grant: the same scopes go to the function again.
    let (status, refreshed) = token_request(
        &emulator,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &client),
            ("refresh_token", body["refresh_token"].as_str().unwrap()),
        ],
        None,
    )
    .await;
    assert_eq!(status, 200, "{refreshed}");
    let event = lambda.events("pre-token").pop().unwrap();
    assert_eq!(event["triggerSource"], "TokenGeneration_RefreshTokens");
    assert_eq!(event["request"]["scopes"], json!(["openid", "email"]));
    let access = claims(refreshed["access_token"].as_str().unwrap());
    assert_eq!(access["source"], "TokenGeneration_RefreshTokens");
    assert_eq!(access["scope"], "openid https://api.example.com/read");

    // The implicit flow within the hosted session.
    let page = browser.get(&implicit_path(&client)).await;
    let location = page.location.unwrap();
    let fragment = query_of(&location);
    assert_eq!(
        claims(&fragment["id_token"])["source"],
        "TokenGeneration_HostedAuth"
    );
    assert_eq!(
        claims(&fragment["access_token"])["scope"],
        "openid https://api.example.com/read"
    );
    assert_eq!(lambda.calls().len(), 3);
}

#[tokio::test]
async fn a_function_error_goes_back_to_the_app_as_an_oauth_error() {
    let (emulator, lambda) = with_lambda().await;
    let (pool_id, _, _) = setup(&emulator, versioned("pre-token", Version::V10)).await;
    let client = web_client(&emulator, &pool_id).await;
    lambda.on("pre-token", |_| Answer::Error("not today".into()));
    let mut browser = Browser::new(&emulator.url);
    let login = browser
        .get(&authorize_path(&client, ""))
        .await
        .location
        .unwrap();
    let page = browser.sign_in(&login, "jane", PASSWORD).await;
    let code = query_of(&page.location.unwrap())["code"].clone();
    let (status, body) = exchange(&emulator, &client, &code).await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({
                "error": "invalid_request",
                "error_description": "PreTokenGeneration failed with error not today.",
            })
        )
    );
    let location = browser.get(&implicit_path(&client)).await.location.unwrap();
    assert!(location.starts_with(&format!("{CALLBACK}#")), "{location}");
    let fragment = query_of(&location);
    assert_eq!(fragment["error"], "invalid_request");
    assert_eq!(
        fragment["error_description"],
        "PreTokenGeneration failed with error not today."
    );
    assert_eq!(fragment["state"], "s1");
    assert!(!fragment.contains_key("access_token"));
}

/// A resource server with `read` and `write` and a confidential client allowed both;
/// returns (client id, secret).
async fn machine_client(emulator: &Emulator, pool_id: &str) -> (String, String) {
    let scope = |name: &str| {
        ResourceServerScopeType::builder()
            .scope_name(name)
            .scope_description(name)
            .build()
            .unwrap()
    };
    emulator
        .idp
        .create_resource_server()
        .user_pool_id(pool_id)
        .identifier("https://api.example.com")
        .name("api")
        .scopes(scope("read"))
        .scopes(scope("write"))
        .send()
        .await
        .unwrap();
    let client = emulator
        .idp
        .create_user_pool_client()
        .user_pool_id(pool_id)
        .client_name("worker")
        .generate_secret(true)
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_flows(OAuthFlowType::ClientCredentials)
        .allowed_o_auth_scopes("https://api.example.com/read")
        .allowed_o_auth_scopes("https://api.example.com/write")
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    (client.client_id.unwrap(), client.client_secret.unwrap())
}

async fn client_credentials(emulator: &Emulator, id: &str, secret: &str) -> (u16, Value) {
    token_request(
        emulator,
        &[("grant_type", "client_credentials")],
        Some((id, secret)),
    )
    .await
}

#[tokio::test]
async fn v3_customizes_client_credentials_tokens() {
    let (emulator, lambda) = with_lambda().await;
    let (pool_id, _) = pool_with(&emulator, versioned("pre-token", Version::V30)).await;
    let (id, secret) = machine_client(&emulator, &pool_id).await;
    lambda.respond(
        "pre-token",
        json!({"claimsAndScopeOverrideDetails": {
            "idTokenGeneration": {"claimsToAddOrOverride": {"ignored": "yes"}},
            "accessTokenGeneration": {
                "claimsToAddOrOverride": {"tenant": "acme", "quota": 10, "sub": "someone"},
                "claimsToSuppress": ["client_id"],
                "scopesToSuppress": ["https://api.example.com/write"],
                "scopesToAdd": ["https://api.example.com/audit"],
            },
            "groupOverrideDetails": {"groupsToOverride": ["machines"]},
        }}),
    );
    let (status, body) = client_credentials(&emulator, &id, &secret).await;
    assert_eq!(status, 200, "{body}");
    let access = claims(body["access_token"].as_str().unwrap());
    assert_eq!(access["tenant"], "acme");
    assert_eq!(access["quota"], 10);
    assert_eq!(access["sub"], id.as_str());
    assert_eq!(access["client_id"], id.as_str());
    assert_eq!(
        access["scope"],
        "https://api.example.com/read https://api.example.com/audit"
    );
    assert!(access.get("ignored").is_none() && access.get("cognito:groups").is_none());

    let event = &lambda.events("pre-token")[0];
    assert_eq!(
        event,
        &json!({
            "version": "3",
            "triggerSource": "TokenGeneration_ClientCredentials",
            "region": "us-east-1",
            "userPoolId": pool_id,
            "userName": null,
            "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": id},
            "request": {
                "userAttributes": {},
                "groupConfiguration": {
                    "groupsToOverride": [],
                    "iamRolesToOverride": [],
                    "preferredRole": null,
                },
                "scopes": ["https://api.example.com/read", "https://api.example.com/write"],
            },
            "response": {"claimsAndScopeOverrideDetails": null},
        })
    );

    // GetClientToken: the same trigger, with the call's ClientMetadata.
    let result = emulator
        .idp
        .get_client_token()
        .client_id(&id)
        .secret(&secret)
        .scopes("https://api.example.com/read")
        .client_metadata("job", "nightly")
        .send()
        .await
        .unwrap()
        .client_authentication_result
        .unwrap();
    let access = claims(result.access_token.as_deref().unwrap());
    assert_eq!(access["tenant"], "acme");
    assert_eq!(
        access["scope"],
        "https://api.example.com/read https://api.example.com/audit"
    );
    let event = lambda.events("pre-token").pop().unwrap();
    assert_eq!(event["triggerSource"], "TokenGeneration_ClientCredentials");
    assert_eq!(
        event["request"]["scopes"],
        json!(["https://api.example.com/read"])
    );
    assert_eq!(
        event["request"]["clientMetadata"],
        json!({"job": "nightly"})
    );

    // A thrown error: the endpoint's invalid_request, the API's Lambda error.
    lambda.on("pre-token", |_| Answer::Error("no machines".into()));
    let (status, body) = client_credentials(&emulator, &id, &secret).await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({
                "error": "invalid_request",
                "error_description": "PreTokenGeneration failed with error no machines.",
            })
        )
    );
    let refused = emulator
        .idp
        .get_client_token()
        .client_id(&id)
        .secret(&secret)
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(
        refused,
        (
            "UserLambdaValidationException".to_string(),
            "PreTokenGeneration failed with error no machines.".to_string()
        )
    );
}

#[tokio::test]
async fn v1_and_v2_are_not_called_for_client_credentials() {
    let (emulator, lambda) = with_lambda().await;
    lambda.on("pre-token", |_| Answer::Error("must not be called".into()));
    let configs: [LambdaConfigType; 3] = [
        crate::triggers_tokens::v1("pre-token"),
        versioned("pre-token", Version::V10),
        versioned("pre-token", Version::V20),
    ];
    for config in configs {
        let (pool_id, _) = pool_with(&emulator, config).await;
        let (id, secret) = machine_client(&emulator, &pool_id).await;
        let (status, body) = client_credentials(&emulator, &id, &secret).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            claims(body["access_token"].as_str().unwrap())["scope"],
            "https://api.example.com/read https://api.example.com/write"
        );
    }
    assert!(lambda.calls().is_empty());
}
