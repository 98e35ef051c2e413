//! cognito-identity's OpenID tokens (GetOpenIdToken, GetOpenIdTokenForDeveloperIdentity),
//! their JWKS and discovery document, developer-authenticated identities, and identity
//! pools surviving a restart.

use aws_sdk_cognitoidentity as identity;
use base64::Engine;
use cognito_emulator::infra::crypto::jwt::verify_with_jwks;
use serde_json::{json, Value};

use crate::common::{start, Emulator};
use crate::identity_credentials::Setup;
use crate::identity_pools::{identity_client, ierr, AUTH_ROLE, UNAUTH_ROLE};

const DEVELOPER: &str = "login.mycompany.myapp";

fn pair(code: &str, message: &str) -> (String, String) {
    (code.to_string(), message.to_string())
}

/// The claims of a token, checked against the published JWKS.
async fn verified(emulator: &Emulator, token: &str) -> Value {
    let jwks = emulator
        .get_json(&format!(
            "{}/cognito-identity/.well-known/jwks_uri",
            emulator.url
        ))
        .await;
    verify_with_jwks(token, &jwks).expect("signed by the published key")
}

#[tokio::test]
async fn open_id_tokens_are_signed_by_the_published_issuer() {
    let setup = Setup::new(false, true).await;
    let emulator = &setup.emulator;
    let discovery = emulator
        .get_json(&format!(
            "{}/cognito-identity/.well-known/openid-configuration",
            emulator.url
        ))
        .await;
    let issuer = format!("{}/cognito-identity", emulator.url);
    assert_eq!(discovery["issuer"], issuer.as_str());
    assert_eq!(
        discovery["jwks_uri"],
        format!("{issuer}/.well-known/jwks_uri").as_str()
    );
    let jwks = emulator
        .get_json(&format!("{issuer}/.well-known/jwks.json"))
        .await;
    assert_eq!(jwks["keys"][0]["alg"], "RS256");

    let guest = setup.get_id(None).await.unwrap();
    // Only with the basic (classic) flow on.
    let e = setup
        .ci
        .get_open_id_token()
        .identity_id(&guest)
        .send()
        .await
        .map_err(ierr)
        .unwrap_err();
    assert_eq!(
        e,
        pair(
            "InvalidParameterException",
            "Basic (classic) flow is not enabled, please use enhanced flow."
        )
    );
    setup
        .ci
        .update_identity_pool()
        .identity_pool_id(&setup.identity_pool_id)
        .identity_pool_name("app")
        .allow_unauthenticated_identities(true)
        .allow_classic_flow(true)
        .cognito_identity_providers(crate::identity_pools::user_pool_provider(
            &setup.user_pool_id,
            &setup.client_id,
            false,
        ))
        .send()
        .await
        .unwrap();
    let output = setup
        .ci
        .get_open_id_token()
        .identity_id(&guest)
        .send()
        .await
        .unwrap();
    assert_eq!(output.identity_id(), Some(guest.as_str()));
    let claims = verified(emulator, output.token().unwrap()).await;
    assert_eq!(claims["iss"], issuer.as_str());
    assert_eq!(claims["sub"], guest.as_str());
    assert_eq!(claims["aud"], setup.identity_pool_id.as_str());
    assert_eq!(claims["amr"], json!(["unauthenticated"]));
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        600
    );

    let (bob, _) = setup.tokens("bob").await;
    let bob_id = setup.get_id(Some(&bob)).await.unwrap();
    let token = setup
        .ci
        .get_open_id_token()
        .identity_id(&bob_id)
        .logins(&setup.provider, &bob)
        .send()
        .await
        .unwrap()
        .token
        .unwrap();
    let claims = verified(emulator, &token).await;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let bob_claims: Value =
        serde_json::from_slice(&engine.decode(bob.split('.').nth(1).unwrap()).unwrap()).unwrap();
    let sub = bob_claims["sub"].as_str().unwrap();
    assert_eq!(
        claims["amr"],
        json!([
            "authenticated",
            setup.provider,
            format!("{}:CognitoSignIn:{sub}", setup.provider)
        ])
    );
    // The identity's logins are required, as for credentials.
    let e = setup
        .ci
        .get_open_id_token()
        .identity_id(&bob_id)
        .send()
        .await
        .map_err(ierr)
        .unwrap_err();
    assert_eq!(
        e,
        pair(
            "NotAuthorizedException",
            "Logins don't match. Please include at least one valid login for this identity or identity pool."
        )
    );
    let ghost = "us-east-1:00000000-0000-0000-0000-000000000000";
    let e = setup
        .ci
        .get_open_id_token()
        .identity_id(ghost)
        .send()
        .await
        .map_err(ierr)
        .unwrap_err();
    assert_eq!(
        e,
        pair(
            "ResourceNotFoundException",
            &format!("Identity '{ghost}' not found.")
        )
    );
    setup.emulator.stop().await;
}

pub async fn developer_pool(ci: &identity::Client) -> String {
    let id = ci
        .create_identity_pool()
        .identity_pool_name("developer")
        .allow_unauthenticated_identities(false)
        .developer_provider_name(DEVELOPER)
        .send()
        .await
        .unwrap()
        .identity_pool_id()
        .to_string();
    ci.set_identity_pool_roles()
        .identity_pool_id(&id)
        .roles("authenticated", AUTH_ROLE)
        .roles("unauthenticated", UNAUTH_ROLE)
        .send()
        .await
        .unwrap();
    id
}

pub async fn developer_token(
    ci: &identity::Client,
    pool_id: &str,
    user: &str,
    identity_id: Option<&str>,
) -> Result<(String, String), (String, String)> {
    ci.get_open_id_token_for_developer_identity()
        .identity_pool_id(pool_id)
        .logins(DEVELOPER, user)
        .set_identity_id(identity_id.map(str::to_string))
        .principal_tags("team", "blue")
        .token_duration(3600)
        .send()
        .await
        .map(|o| (o.identity_id.unwrap(), o.token.unwrap()))
        .map_err(ierr)
}

#[tokio::test]
async fn developer_identities_get_tokens_credentials_and_can_be_merged() {
    let emulator = start().await;
    let ci = identity_client(&emulator.url).await;
    let pool_id = developer_pool(&ci).await;
    let (identity_id, token) = developer_token(&ci, &pool_id, "user-1", None)
        .await
        .unwrap();
    let claims = verified(&emulator, &token).await;
    assert_eq!(claims["sub"], identity_id.as_str());
    assert_eq!(claims["aud"], pool_id.as_str());
    assert_eq!(
        claims["amr"],
        json!([
            "authenticated",
            DEVELOPER,
            format!("{DEVELOPER}:{pool_id}:user-1")
        ])
    );
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        3600
    );
    assert_eq!(
        claims["https://aws.amazon.com/tags"]["principal_tags"]["team"],
        json!(["blue"])
    );
    // The same user: the same identity.
    let (again, _) = developer_token(&ci, &pool_id, "user-1", None)
        .await
        .unwrap();
    assert_eq!(again, identity_id);

    // The app trades the token for credentials.
    let output = ci
        .get_credentials_for_identity()
        .identity_id(&identity_id)
        .logins("cognito-identity.amazonaws.com", &token)
        .send()
        .await
        .unwrap();
    let key = output
        .credentials()
        .unwrap()
        .access_key_id()
        .unwrap()
        .to_string();
    let issued = emulator
        .get_json(&format!("{}/_emulator/credentials/{key}", emulator.url))
        .await;
    assert_eq!(issued["roleArn"], AUTH_ROLE);
    assert_eq!(issued["principalTags"], json!({"team": "blue"}));
    // Another identity's token is no login for this one.
    let (other_id, other_token) = developer_token(&ci, &pool_id, "user-2", None)
        .await
        .unwrap();
    let e = ci
        .get_credentials_for_identity()
        .identity_id(&identity_id)
        .logins("cognito-identity.amazonaws.com", &other_token)
        .send()
        .await
        .map_err(ierr)
        .unwrap_err();
    assert_eq!(
        e,
        pair(
            "NotAuthorizedException",
            "Logins don't match. Please include at least one valid login for this identity or identity pool."
        )
    );
    // A developer user belongs to one identity.
    let e = developer_token(&ci, &pool_id, "user-2", Some(&identity_id))
        .await
        .unwrap_err();
    assert_eq!(
        e,
        pair(
            "DeveloperUserAlreadyRegisteredException",
            "Developer user user-2 is already registered to another identity."
        )
    );
    // A new user can be linked to an existing identity.
    let (linked, _) = developer_token(&ci, &pool_id, "user-3", Some(&identity_id))
        .await
        .unwrap();
    assert_eq!(linked, identity_id);
    // Only the pool's developer provider.
    let e = ci
        .get_open_id_token_for_developer_identity()
        .identity_pool_id(&pool_id)
        .logins("other.provider", "u")
        .send()
        .await
        .map_err(ierr)
        .unwrap_err();
    assert_eq!(
        e,
        pair(
            "NotAuthorizedException",
            &format!("The Logins map must contain the developer provider name of identity pool {pool_id}.")
        )
    );

    // Lookup by user and by identity.
    let found = ci
        .lookup_developer_identity()
        .identity_pool_id(&pool_id)
        .developer_user_identifier("user-1")
        .send()
        .await
        .unwrap();
    assert_eq!(found.identity_id(), Some(identity_id.as_str()));
    assert_eq!(found.developer_user_identifier_list(), ["user-1", "user-3"]);
    let found = ci
        .lookup_developer_identity()
        .identity_pool_id(&pool_id)
        .identity_id(&other_id)
        .max_results(10)
        .send()
        .await
        .unwrap();
    assert_eq!(found.developer_user_identifier_list(), ["user-2"]);
    let e = ci
        .lookup_developer_identity()
        .identity_pool_id(&pool_id)
        .send()
        .await
        .map_err(ierr)
        .unwrap_err();
    assert_eq!(
        e,
        pair(
            "InvalidParameterException",
            "Either IdentityId or DeveloperUserIdentifier must be given."
        )
    );
    let e = ci
        .lookup_developer_identity()
        .identity_pool_id(&pool_id)
        .developer_user_identifier("nobody")
        .send()
        .await
        .map_err(ierr)
        .unwrap_err();
    assert_eq!(
        e,
        pair(
            "ResourceNotFoundException",
            "No identity matches the given developer user identifier or identity id."
        )
    );

    // Merge user-2's identity into user-1's.
    let merged = ci
        .merge_developer_identities()
        .identity_pool_id(&pool_id)
        .developer_provider_name(DEVELOPER)
        .source_user_identifier("user-2")
        .destination_user_identifier("user-1")
        .send()
        .await
        .unwrap();
    assert_eq!(merged.identity_id(), Some(identity_id.as_str()));
    let found = ci
        .lookup_developer_identity()
        .identity_pool_id(&pool_id)
        .developer_user_identifier("user-2")
        .send()
        .await
        .unwrap();
    assert_eq!(found.identity_id(), Some(identity_id.as_str()));
    assert_eq!(
        found.developer_user_identifier_list(),
        ["user-1", "user-2", "user-3"]
    );
    let e = ci
        .describe_identity()
        .identity_id(&other_id)
        .send()
        .await
        .map_err(ierr)
        .unwrap_err();
    assert_eq!(e.0, "ResourceNotFoundException");
    let e = ci
        .merge_developer_identities()
        .identity_pool_id(&pool_id)
        .developer_provider_name(DEVELOPER)
        .source_user_identifier("nobody")
        .destination_user_identifier("user-1")
        .send()
        .await
        .map_err(ierr)
        .unwrap_err();
    assert_eq!(
        e,
        pair(
            "ResourceNotFoundException",
            "Developer user nobody is not linked to any identity."
        )
    );
    let e = ci
        .merge_developer_identities()
        .identity_pool_id(&pool_id)
        .developer_provider_name("wrong.name")
        .source_user_identifier("user-2")
        .destination_user_identifier("user-1")
        .send()
        .await
        .map_err(ierr)
        .unwrap_err();
    assert_eq!(
        e,
        pair(
            "NotAuthorizedException",
            &format!(
                "Developer provider wrong.name is not configured for identity pool {pool_id}."
            )
        )
    );

    // Unlink one user.
    ci.unlink_developer_identity()
        .identity_pool_id(&pool_id)
        .identity_id(&identity_id)
        .developer_provider_name(DEVELOPER)
        .developer_user_identifier("user-3")
        .send()
        .await
        .unwrap();
    let e = ci
        .unlink_developer_identity()
        .identity_pool_id(&pool_id)
        .identity_id(&identity_id)
        .developer_provider_name(DEVELOPER)
        .developer_user_identifier("user-3")
        .send()
        .await
        .map_err(ierr)
        .unwrap_err();
    assert_eq!(
        e,
        pair(
            "ResourceNotFoundException",
            &format!("Developer user user-3 is not linked to identity {identity_id}.")
        )
    );
    let found = ci
        .lookup_developer_identity()
        .identity_pool_id(&pool_id)
        .identity_id(&identity_id)
        .send()
        .await
        .unwrap();
    assert_eq!(found.developer_user_identifier_list(), ["user-1", "user-2"]);

    // An expired developer token.
    emulator.advance_clock(3601.0).await;
    let e = ci
        .get_credentials_for_identity()
        .identity_id(&identity_id)
        .logins("cognito-identity.amazonaws.com", &token)
        .send()
        .await
        .map_err(ierr)
        .unwrap_err();
    assert_eq!(e.0, "NotAuthorizedException");
    assert!(
        e.1.starts_with("Invalid login token. Token expired: "),
        "{}",
        e.1
    );
    emulator.stop().await;
}
