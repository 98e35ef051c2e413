//! Sessions and the hosted UI: sign-ins at the token endpoint are sessions (and count towards
//! MaxPerUser); a client's SSO session lifetime bounds reuse of the hosted-UI session.

use aws_sdk_cognitoidentityprovider::types::UserPoolTierType;
use serde_json::{json, Value};

use crate::common::start;
use crate::sessions::{enable, get_user, list, pool_with_user, sign_in, PASSWORD};

#[tokio::test]
async fn a_clients_sso_session_lifetime_bounds_reuse_of_the_hosted_session() {
    let emulator = start().await;
    let (pool_id, _) = pool_with_user(&emulator, UserPoolTierType::Essentials).await;
    let callback = "http://localhost:3000/callback";
    let client = emulator
        .idp
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("web")
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_flows(aws_sdk_cognitoidentityprovider::types::OAuthFlowType::Code)
        .allowed_o_auth_scopes("openid")
        .callback_urls(callback)
        .supported_identity_providers("COGNITO")
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    let query = format!(
        "response_type=code&client_id={client}&redirect_uri={}&scope=openid",
        url::form_urlencoded::byte_serialize(callback.as_bytes()).collect::<String>()
    );
    let mut browser = crate::oauth::Browser::new(&emulator.url);
    let page = browser
        .sign_in(&format!("/login?{query}"), "sam", PASSWORD)
        .await;
    assert_eq!(page.status, 302, "{}", page.body);
    let authorize = format!("/oauth2/authorize?{query}");
    let reused = |page: crate::oauth::Page| page.location.unwrap().starts_with(callback);

    // Without a setting the hosted session signs the user in again.
    emulator.advance_clock(5.0 * 60.0).await;
    assert!(reused(browser.get(&authorize).await));

    let set = |minutes: i64| {
        emulator.idp_call(
            "SetUserPoolClientSessionConfiguration",
            json!({"UserPoolId": pool_id, "ClientId": client,
                   "SSOSession": {"MaxValidityMinutes": minutes}}),
        )
    };
    assert_eq!(set(10).await.0, 200);
    assert!(reused(browser.get(&authorize).await), "5 of 10 minutes");
    emulator.advance_clock(6.0 * 60.0).await;
    let page = browser.get(&authorize).await;
    assert!(
        page.location.as_deref().unwrap().starts_with("/login?"),
        "11 of 10 minutes: {:?}",
        page.location
    );
    assert_eq!(set(0).await.0, 200);
    let page = browser
        .sign_in(&format!("/login?{query}"), "sam", PASSWORD)
        .await;
    assert!(reused(page), "a fresh sign-in");
    let page = browser.get(&authorize).await;
    assert!(
        page.location.unwrap().starts_with("/login?"),
        "0: never reused"
    );
}

#[tokio::test]
async fn hosted_ui_sign_ins_are_sessions_too() {
    let emulator = start().await;
    let (pool_id, client_id) = pool_with_user(&emulator, UserPoolTierType::Essentials).await;
    assert_eq!(enable(&emulator, &pool_id, 1).await.0, 200);
    let callback = "http://localhost:3000/callback";
    let web = emulator
        .idp
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("web")
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_flows(aws_sdk_cognitoidentityprovider::types::OAuthFlowType::Code)
        .allowed_o_auth_scopes("openid")
        .allowed_o_auth_scopes("aws.cognito.signin.user.admin")
        .callback_urls(callback)
        .supported_identity_providers("COGNITO")
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    let (api_access, _) = sign_in(&emulator, &client_id).await;
    emulator.advance_clock(1.0).await;
    let query = format!(
        "response_type=code&client_id={web}&redirect_uri={}&scope=openid+aws.cognito.signin.user.admin",
        url::form_urlencoded::byte_serialize(callback.as_bytes()).collect::<String>()
    );
    let mut browser = crate::oauth::Browser::new(&emulator.url);
    let page = browser
        .sign_in(&format!("/login?{query}"), "sam", PASSWORD)
        .await;
    let code = crate::oauth::query_of(&page.location.unwrap())["code"].clone();
    let response: Value = emulator
        .http
        .post(format!("{}/oauth2/token", emulator.url))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", web.as_str()),
            ("code", code.as_str()),
            ("redirect_uri", callback),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let web_access = response["access_token"].as_str().unwrap();
    // MaxPerUser 1: the API sign-in before it is revoked.
    assert_eq!(
        get_user(&emulator, &api_access).await.unwrap_err().1,
        "Access Token has been revoked"
    );
    let sessions = list(&emulator, web_access).await;
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0]["ClientId"], web.as_str());
    assert_eq!(sessions[0]["IsCurrentSession"], true);
}
