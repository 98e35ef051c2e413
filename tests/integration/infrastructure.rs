//! What infrastructure as code (Terraform, CDK, CloudFormation through LocalStack) does to a
//! pool, in its order, with the describe calls a provider makes after each create; then the
//! result used through the pool's domain host name.

use aws_sdk_cognitoidentityprovider::types::{
    IdentityProviderTypeType as Kind, OAuthFlowType, ResourceServerScopeType,
};

use crate::common::start;
use crate::identity_providers::{details, GOOGLE};
use crate::oauth::{query_of, Browser};

const CALLBACK: &str = "https://app.example.com/callback";

#[tokio::test]
async fn a_terraform_style_sequence_then_sign_in_through_the_domain() {
    let emulator = start().await;
    let idp = &emulator.idp;
    let pool = emulator.pool("tf-pool").await;

    // aws_cognito_user_pool_domain
    let domain = idp
        .create_user_pool_domain()
        .user_pool_id(&pool)
        .domain("tf-example")
        .managed_login_version(2)
        .send()
        .await
        .unwrap();
    assert_eq!(domain.managed_login_version, Some(2));
    let described = idp
        .describe_user_pool_domain()
        .domain("tf-example")
        .send()
        .await
        .unwrap()
        .domain_description
        .unwrap();
    assert_eq!(described.user_pool_id.as_deref(), Some(pool.as_str()));
    assert_eq!(described.status.unwrap().as_str(), "ACTIVE");

    // aws_cognito_resource_server
    let server = idp
        .create_resource_server()
        .user_pool_id(&pool)
        .identifier("https://api.example.com")
        .name("api")
        .scopes(
            ResourceServerScopeType::builder()
                .scope_name("read")
                .scope_description("Read")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap()
        .resource_server
        .unwrap();
    assert_eq!(server.scopes().len(), 1);

    // aws_cognito_identity_provider
    idp.create_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Google")
        .provider_type(Kind::Google)
        .set_provider_details(Some(details(GOOGLE)))
        .attribute_mapping("email", "email")
        .send()
        .await
        .unwrap();
    let google = idp
        .describe_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Google")
        .send()
        .await
        .unwrap()
        .identity_provider
        .unwrap();
    assert_eq!(google.provider_type.unwrap().as_str(), "Google");

    // aws_cognito_user_pool_client, depending on all of the above
    let client = idp
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("web")
        .generate_secret(true)
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_scopes("openid")
        .allowed_o_auth_scopes("https://api.example.com/read")
        .callback_urls(CALLBACK)
        .logout_urls("https://app.example.com/")
        .supported_identity_providers("COGNITO")
        .supported_identity_providers("Google")
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    let client_id = client.client_id.clone().unwrap();
    let secret = client.client_secret.clone().unwrap();
    let again = idp
        .describe_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&client_id)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    assert_eq!(
        again.allowed_o_auth_scopes(),
        client.allowed_o_auth_scopes()
    );
    assert_eq!(again.supported_identity_providers(), ["COGNITO", "Google"]);
    let pool_described = idp
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap();
    assert_eq!(pool_described.domain.as_deref(), Some("tf-example"));

    // The AWS host name mapped to the emulator: discovery lists it, sign-in works on it,
    // and another pool's client is refused there.
    let host = "tf-example.auth.us-east-1.amazoncognito.com";
    let discovery: serde_json::Value = emulator
        .http
        .get(format!(
            "{}/{pool}/.well-known/openid-configuration",
            emulator.url
        ))
        .header("host", host)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        discovery["token_endpoint"],
        format!("http://{host}/oauth2/token")
    );
    assert_eq!(
        discovery["authorization_endpoint"],
        format!("http://{host}/oauth2/authorize")
    );

    idp.admin_create_user()
        .user_pool_id(&pool)
        .username("tf-user")
        .send()
        .await
        .unwrap();
    emulator
        .set_password(&pool, "tf-user", "Perm4nent!pass")
        .await;
    let mut browser = Browser::new(&emulator.url);
    browser.host = Some(host.to_string());
    let authorize = format!(
        "/oauth2/authorize?response_type=code&client_id={client_id}&redirect_uri={}&scope=openid",
        url::form_urlencoded::byte_serialize(CALLBACK.as_bytes()).collect::<String>()
    );
    let login = browser.get(&authorize).await.location.unwrap();
    let page = browser.sign_in(&login, "tf-user", "Perm4nent!pass").await;
    let code = query_of(&page.location.unwrap())["code"].clone();
    let tokens: serde_json::Value = emulator
        .http
        .post(format!("{}/oauth2/token", emulator.url))
        .header("host", host)
        .basic_auth(&client_id, Some(&secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", CALLBACK),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(tokens["id_token"].is_string(), "{tokens}");

    let other_pool = emulator.pool("other").await;
    let other = idp
        .create_user_pool_client()
        .user_pool_id(&other_pool)
        .client_name("other")
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_scopes("openid")
        .callback_urls(CALLBACK)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    let refused = browser.get(&authorize.replace(&client_id, &other)).await;
    assert_eq!(refused.status, 400);
    assert!(refused.body.contains("does not belong to this domain"));

    // Destroy in reverse order, as Terraform does.
    idp.delete_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&client_id)
        .send()
        .await
        .unwrap();
    idp.delete_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Google")
        .send()
        .await
        .unwrap();
    idp.delete_resource_server()
        .user_pool_id(&pool)
        .identifier("https://api.example.com")
        .send()
        .await
        .unwrap();
    idp.delete_user_pool_domain()
        .user_pool_id(&pool)
        .domain("tf-example")
        .send()
        .await
        .unwrap();
    idp.delete_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    emulator.stop().await;
}
