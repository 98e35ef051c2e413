//! Logins from other providers: Google-style ID tokens (format, exp, iss, aud checked; the
//! emulator does not call Google for keys), OIDC providers (signatures checked with one of
//! the emulator's own pools' keys, or with the keys another issuer publishes), and opaque
//! social tokens.

use base64::Engine;
use serde_json::{json, Value};

use crate::common::start;
use crate::identity_pools::{identity_client, ierr, AUTH_ROLE};

fn pair(code: &str, message: &str) -> (String, String) {
    (code.to_string(), message.to_string())
}

/// An RS256-looking JWT with a signature nobody checks.
fn unsigned_jwt(claims: Value) -> String {
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.{}",
        engine.encode(r#"{"alg":"RS256","kid":"k1"}"#),
        engine.encode(claims.to_string()),
        engine.encode("signature")
    )
}

#[tokio::test]
async fn third_party_tokens_are_checked_as_far_as_possible_offline() {
    let emulator = start().await;
    let ci = identity_client(&emulator.url).await;
    let user_pool = emulator.pool("oidc").await;
    let issuer_host = emulator.url.trim_start_matches("http://").to_string();
    let oidc_provider = format!("{issuer_host}/{user_pool}");
    let pool_id = ci
        .create_identity_pool()
        .identity_pool_name("social")
        .allow_unauthenticated_identities(false)
        .supported_login_providers("accounts.google.com", "google-app")
        .supported_login_providers("graph.facebook.com", "fb-app")
        .open_id_connect_provider_arns(format!(
            "arn:aws:iam::000000000000:oidc-provider/{oidc_provider}"
        ))
        .send()
        .await
        .unwrap()
        .identity_pool_id()
        .to_string();
    ci.set_identity_pool_roles()
        .identity_pool_id(&pool_id)
        .roles("authenticated", AUTH_ROLE)
        .send()
        .await
        .unwrap();
    let now = emulator.app.clock.now() as i64;
    let get_id = |provider: &str, token: String| {
        let (ci, pool_id, provider) = (ci.clone(), pool_id.clone(), provider.to_string());
        async move {
            ci.get_id()
                .identity_pool_id(pool_id)
                .logins(provider, token)
                .send()
                .await
                .map(|o| o.identity_id.unwrap())
                .map_err(ierr)
        }
    };
    let google = |claims: Value| {
        let mut base = json!({"iss": "https://accounts.google.com", "aud": "google-app",
                              "sub": "g-1", "exp": now + 600});
        for (k, v) in claims.as_object().unwrap() {
            base[k] = v.clone();
        }
        unsigned_jwt(base)
    };
    // Google: the same subject, the same identity.
    let first = get_id("accounts.google.com", google(json!({})))
        .await
        .unwrap();
    let again = get_id("accounts.google.com", google(json!({"exp": now + 900})))
        .await
        .unwrap();
    assert_eq!(first, again);
    let output = ci
        .get_credentials_for_identity()
        .identity_id(&first)
        .logins("accounts.google.com", google(json!({})))
        .send()
        .await
        .unwrap();
    assert!(output
        .credentials()
        .unwrap()
        .access_key_id()
        .unwrap()
        .starts_with("ASIA"));
    assert_eq!(
        get_id("accounts.google.com", google(json!({"aud": "other-app"})))
            .await
            .unwrap_err(),
        pair(
            "NotAuthorizedException",
            "Token is not from a supported provider of this identity pool."
        )
    );
    assert_eq!(
        get_id(
            "accounts.google.com",
            google(json!({"iss": "https://evil.example.com"}))
        )
        .await
        .unwrap_err(),
        pair(
            "NotAuthorizedException",
            "Invalid login token. Issuer doesn't match providerName"
        )
    );
    let expired = get_id("accounts.google.com", google(json!({"exp": now - 10})))
        .await
        .unwrap_err();
    assert!(
        expired
            .1
            .starts_with("Invalid login token. Token expired: "),
        "{}",
        expired.1
    );
    assert_eq!(
        get_id("accounts.google.com", "opaque".into())
            .await
            .unwrap_err(),
        pair(
            "NotAuthorizedException",
            "Invalid login token. Not a valid OpenId Connect identity token."
        )
    );

    // Facebook's tokens are opaque: the same token, the same identity.
    let fb = get_id("graph.facebook.com", "EAAB-token".into())
        .await
        .unwrap();
    assert_eq!(
        get_id("graph.facebook.com", "EAAB-token".into())
            .await
            .unwrap(),
        fb
    );
    assert_ne!(fb, first);

    // An OIDC provider that is one of the emulator's user pools: its signature is checked.
    let forged = unsigned_jwt(json!({"iss": format!("http://{oidc_provider}"), "aud": "c",
                                     "sub": "s", "exp": now + 600}));
    assert_eq!(
        get_id(&oidc_provider, forged).await.unwrap_err(),
        pair(
            "NotAuthorizedException",
            "Invalid login token. Couldn't verify signed token."
        )
    );
    let client_id = emulator.client(&user_pool, "app").await;
    emulator
        .idp
        .update_user_pool_client()
        .user_pool_id(&user_pool)
        .client_id(&client_id)
        .explicit_auth_flows(
            aws_sdk_cognitoidentityprovider::types::ExplicitAuthFlowsType::AllowAdminUserPasswordAuth,
        )
        .send()
        .await
        .unwrap();
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(&user_pool)
        .username("carol")
        .send()
        .await
        .unwrap();
    emulator
        .set_password(&user_pool, "carol", "Passw0rd!")
        .await;
    let id_token = emulator
        .idp
        .admin_initiate_auth()
        .user_pool_id(&user_pool)
        .client_id(&client_id)
        .auth_flow(aws_sdk_cognitoidentityprovider::types::AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "carol")
        .auth_parameters("PASSWORD", "Passw0rd!")
        .send()
        .await
        .unwrap()
        .authentication_result
        .unwrap()
        .id_token
        .unwrap();
    let carol = get_id(&oidc_provider, id_token.clone()).await.unwrap();
    assert_eq!(get_id(&oidc_provider, id_token).await.unwrap(), carol);

    // A provider the pool does not have.
    assert_eq!(
        get_id("www.amazon.com", "token".into()).await.unwrap_err(),
        pair(
            "NotAuthorizedException",
            "Token is not from a supported provider of this identity pool."
        )
    );
    emulator.stop().await;
}

/// An OIDC provider somewhere else (here: an in-test issuer on loopback): its tokens'
/// signatures are checked with the keys its discovery document points to.
#[tokio::test(flavor = "multi_thread")]
async fn oidc_provider_tokens_are_checked_with_the_issuers_published_keys() {
    use axum::routing::get;
    use cognito_emulator::infra::crypto::jwt::SigningKey;
    let key = std::sync::Arc::new(
        tokio::task::spawn_blocking(SigningKey::generate)
            .await
            .unwrap(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://{}/realm", listener.local_addr().unwrap());
    let discovery = json!({"issuer": issuer, "jwks_uri": format!("{issuer}/keys")});
    let jwks = json!({"keys": [key.jwk()]});
    let router = axum::Router::new()
        .route(
            "/realm/.well-known/openid-configuration",
            get(move || async move { axum::Json(discovery) }),
        )
        .route("/realm/keys", get(move || async move { axum::Json(jwks) }));
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    let emulator = start().await;
    let ci = identity_client(&emulator.url).await;
    let provider = issuer.trim_start_matches("http://").to_string();
    let pool_id = ci
        .create_identity_pool()
        .identity_pool_name("oidc")
        .allow_unauthenticated_identities(false)
        .open_id_connect_provider_arns(format!(
            "arn:aws:iam::000000000000:oidc-provider/{provider}"
        ))
        .send()
        .await
        .unwrap()
        .identity_pool_id()
        .to_string();
    let now = emulator.app.clock.now() as i64;
    let claims = json!({"iss": issuer, "aud": "app", "sub": "oidc-user", "exp": now + 600});
    let get_id = |token: String| {
        let (ci, pool_id, provider) = (ci.clone(), pool_id.clone(), provider.clone());
        async move {
            ci.get_id()
                .identity_pool_id(pool_id)
                .logins(provider, token)
                .send()
                .await
                .map(|o| o.identity_id.unwrap())
                .map_err(ierr)
        }
    };
    let signed = key.sign(&claims);
    let first = get_id(signed.clone()).await.unwrap();
    assert_eq!(get_id(signed).await.unwrap(), first);
    // Signed by a key the issuer does not publish, or not signed at all: refused.
    let other = tokio::task::spawn_blocking(SigningKey::generate)
        .await
        .unwrap();
    let forged = other.sign(&claims);
    assert_eq!(
        get_id(forged).await.unwrap_err(),
        pair(
            "NotAuthorizedException",
            "Invalid login token. Couldn't verify signed token."
        )
    );
    assert_eq!(
        get_id(unsigned_jwt(claims)).await.unwrap_err(),
        pair(
            "NotAuthorizedException",
            "Invalid login token. Couldn't verify signed token."
        )
    );
}
