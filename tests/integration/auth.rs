//! Sign-in with passwords, challenges, sessions, tokens, refresh, sign-out and revocation,
//! driven by the Rust SDK; tokens are verified against the JWKS the emulator publishes.

use aws_lc_rs::signature::{RsaPublicKeyComponents, RSA_PKCS1_2048_8192_SHA256};
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, AuthFlowType, ChallengeNameType, ExplicitAuthFlowsType as Flow,
    MessageActionType, PreventUserExistenceErrorTypes,
};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::common::{err, start, Emulator};

const PASSWORD: &str = "Perm4nent!pass";
const TEMPORARY: &str = "Temp0rary!pass";

/// The payload of a JWT, unverified.
pub fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

/// Checks a token's RS256 signature with the key its `kid` names in `jwks`.
pub fn verifies_with(token: &str, jwks: &Value) -> bool {
    let (signing_input, signature) = token.rsplit_once('.').unwrap();
    let header: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(token.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(header["alg"], "RS256");
    let Some(jwk) = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == header["kid"])
    else {
        return false;
    };
    let n = URL_SAFE_NO_PAD.decode(jwk["n"].as_str().unwrap()).unwrap();
    let e = URL_SAFE_NO_PAD.decode(jwk["e"].as_str().unwrap()).unwrap();
    RsaPublicKeyComponents { n: &n, e: &e }
        .verify(
            &RSA_PKCS1_2048_8192_SHA256,
            signing_input.as_bytes(),
            &URL_SAFE_NO_PAD.decode(signature).unwrap(),
        )
        .is_ok()
}

pub fn secret_hash(secret: &str, username: &str, client_id: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{username}{client_id}").as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

pub struct Setup {
    pub pool_id: String,
    pub client_id: String,
    pub secret: Option<String>,
}

/// A pool with a confirmed user `alice` (given_name, verified email, group `admins`) and a
/// client that allows every password flow.
pub async fn setup(
    emulator: &Emulator,
    with_secret: bool,
    prevent_existence_errors: bool,
) -> Setup {
    let pool_id = emulator.pool("auth").await;
    let client = emulator
        .idp
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("app")
        .generate_secret(with_secret)
        .explicit_auth_flows(Flow::AllowUserPasswordAuth)
        .explicit_auth_flows(Flow::AllowAdminUserPasswordAuth)
        .explicit_auth_flows(Flow::AllowUserSrpAuth)
        .explicit_auth_flows(Flow::AllowRefreshTokenAuth)
        .prevent_user_existence_errors(if prevent_existence_errors {
            PreventUserExistenceErrorTypes::Enabled
        } else {
            PreventUserExistenceErrorTypes::Legacy
        })
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("alice")
        .temporary_password(TEMPORARY)
        .message_action(MessageActionType::Suppress)
        .user_attributes(
            AttributeType::builder()
                .name("email")
                .value("alice@example.com")
                .build()
                .unwrap(),
        )
        .user_attributes(
            AttributeType::builder()
                .name("email_verified")
                .value("true")
                .build()
                .unwrap(),
        )
        .user_attributes(
            AttributeType::builder()
                .name("given_name")
                .value("Alice")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    emulator.set_password(&pool_id, "alice", PASSWORD).await;
    emulator
        .idp
        .create_group()
        .user_pool_id(&pool_id)
        .group_name("admins")
        .precedence(1)
        .send()
        .await
        .unwrap();
    emulator
        .idp
        .admin_add_user_to_group()
        .user_pool_id(&pool_id)
        .username("alice")
        .group_name("admins")
        .send()
        .await
        .unwrap();
    Setup {
        pool_id,
        client_id: client.client_id.unwrap(),
        secret: client.client_secret,
    }
}

async fn password_login(
    emulator: &Emulator,
    setup: &Setup,
    username: &str,
    password: &str,
) -> Result<
    aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthOutput,
    (String, String),
> {
    let mut request = emulator
        .idp
        .initiate_auth()
        .client_id(&setup.client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("PASSWORD", password);
    if let Some(secret) = &setup.secret {
        request = request.auth_parameters(
            "SECRET_HASH",
            secret_hash(secret, username, &setup.client_id),
        );
    }
    request.send().await.map_err(err)
}

async fn jwks(emulator: &Emulator, pool_id: &str) -> Value {
    emulator
        .http
        .get(format!("{}/{pool_id}/.well-known/jwks.json", emulator.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn password_sign_in_issues_cognito_shaped_tokens() {
    let emulator = start().await;
    let setup = setup(&emulator, false, false).await;
    let output = password_login(&emulator, &setup, "alice", PASSWORD)
        .await
        .unwrap();
    assert!(output.challenge_name.is_none());
    let result = output.authentication_result.unwrap();
    assert_eq!(result.token_type.as_deref(), Some("Bearer"));
    assert_eq!(result.expires_in, 3600);
    let id_token = result.id_token.unwrap();
    let access_token = result.access_token.unwrap();
    let refresh_token = result.refresh_token.unwrap();
    assert_eq!(
        refresh_token.split('.').count(),
        5,
        "JWE-shaped refresh token"
    );

    let issuer = format!("{}/{}", emulator.url, setup.pool_id);
    let id = claims(&id_token);
    assert_eq!(id["token_use"], "id");
    assert_eq!(id["aud"], setup.client_id.as_str());
    assert_eq!(id["iss"], issuer.as_str());
    assert_eq!(id["cognito:username"], "alice");
    assert_eq!(id["email"], "alice@example.com");
    assert_eq!(id["email_verified"], true, "booleans are JSON booleans");
    assert_eq!(id["given_name"], "Alice");
    assert_eq!(id["cognito:groups"], json!(["admins"]));
    assert_eq!(
        id["exp"].as_i64().unwrap() - id["iat"].as_i64().unwrap(),
        3600
    );
    assert_eq!(id["sub"].as_str().unwrap().len(), 36);

    let access = claims(&access_token);
    assert_eq!(access["token_use"], "access");
    assert_eq!(access["client_id"], setup.client_id.as_str());
    assert!(
        access.get("aud").is_none(),
        "access tokens carry client_id, not aud"
    );
    assert_eq!(access["scope"], "aws.cognito.signin.user.admin");
    assert_eq!(access["username"], "alice");
    assert_eq!(access["sub"], id["sub"]);
    assert_eq!(access["origin_jti"], id["origin_jti"]);
    assert_ne!(access["jti"], id["jti"]);

    // Two keys (ID and access tokens are signed with different ones), both verifiable.
    let jwks = jwks(&emulator, &setup.pool_id).await;
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 2);
    assert!(verifies_with(&id_token, &jwks));
    assert!(verifies_with(&access_token, &jwks));
    let header = |t: &str| -> Value {
        serde_json::from_slice(
            &URL_SAFE_NO_PAD
                .decode(t.split('.').next().unwrap())
                .unwrap(),
        )
        .unwrap()
    };
    assert_ne!(header(&id_token)["kid"], header(&access_token)["kid"]);
    assert_eq!(
        header(&id_token).as_object().unwrap().len(),
        2,
        "header is exactly kid and alg"
    );

    let discovery: Value = emulator
        .http
        .get(format!("{issuer}/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(discovery["issuer"], issuer.as_str());
    assert_eq!(
        discovery["jwks_uri"],
        format!("{issuer}/.well-known/jwks.json")
    );

    // GetUser with the access token; an ID token is no access token.
    let user = emulator
        .idp
        .get_user()
        .access_token(&access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(user.username, "alice");
    assert!(user
        .user_attributes
        .iter()
        .any(|a| a.name == "given_name" && a.value.as_deref() == Some("Alice")));
    let error = emulator
        .idp
        .get_user()
        .access_token(&id_token)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(error),
        (
            "NotAuthorizedException".into(),
            "Invalid Access Token".into()
        )
    );

    // Admin flow, aliases of the same user.
    let admin = emulator
        .idp
        .admin_initiate_auth()
        .user_pool_id(&setup.pool_id)
        .client_id(&setup.client_id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap();
    assert!(admin.authentication_result.unwrap().access_token.is_some());
}

#[tokio::test]
async fn wrong_passwords_unknown_users_and_client_rules() {
    let emulator = start().await;
    let setup = setup(&emulator, false, false).await;
    let incorrect = (
        "NotAuthorizedException".to_string(),
        "Incorrect username or password.".to_string(),
    );
    assert_eq!(
        password_login(&emulator, &setup, "alice", "Wrong!pass1")
            .await
            .unwrap_err(),
        incorrect
    );
    assert_eq!(
        password_login(&emulator, &setup, "nobody", PASSWORD)
            .await
            .unwrap_err(),
        (
            "UserNotFoundException".into(),
            "User does not exist.".into()
        )
    );
    let missing = emulator
        .idp
        .initiate_auth()
        .client_id(&setup.client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "alice")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(missing),
        (
            "InvalidParameterException".into(),
            "Missing required parameter PASSWORD".into()
        )
    );

    // A client without USER_PASSWORD_AUTH.
    let srp_only = emulator
        .idp
        .create_user_pool_client()
        .user_pool_id(&setup.pool_id)
        .client_name("srp-only")
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    let error = emulator
        .idp
        .initiate_auth()
        .client_id(srp_only.client_id.unwrap())
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(error),
        (
            "InvalidParameterException".into(),
            "USER_PASSWORD_AUTH flow not enabled for this client".into()
        )
    );

    // Disabled users.
    emulator
        .idp
        .admin_disable_user()
        .user_pool_id(&setup.pool_id)
        .username("alice")
        .send()
        .await
        .unwrap();
    assert_eq!(
        password_login(&emulator, &setup, "alice", PASSWORD)
            .await
            .unwrap_err(),
        ("NotAuthorizedException".into(), "User is disabled.".into())
    );
    emulator
        .idp
        .admin_enable_user()
        .user_pool_id(&setup.pool_id)
        .username("alice")
        .send()
        .await
        .unwrap();

    // Repeated failures lock the user out, even with the right password; time unlocks. The
    // clock is frozen so the one-second lock cannot run out on a loaded machine.
    emulator.freeze_clock().await;
    for _ in 0..5 {
        assert_eq!(
            password_login(&emulator, &setup, "alice", "Wrong!pass1")
                .await
                .unwrap_err(),
            incorrect
        );
    }
    assert_eq!(
        password_login(&emulator, &setup, "alice", PASSWORD)
            .await
            .unwrap_err(),
        (
            "NotAuthorizedException".into(),
            "Password attempts exceeded".into()
        )
    );
    emulator.app.clock.advance(2.0);
    assert!(password_login(&emulator, &setup, "alice", PASSWORD)
        .await
        .is_ok());

    // With PreventUserExistenceErrors an unknown user looks like a wrong password.
    let hidden = crate::auth::setup(&emulator, false, true).await;
    assert_eq!(
        password_login(&emulator, &hidden, "nobody", PASSWORD)
            .await
            .unwrap_err(),
        incorrect
    );
}

#[tokio::test]
async fn secret_hash_is_required_and_checked() {
    let emulator = start().await;
    let setup = setup(&emulator, true, false).await;
    assert!(password_login(&emulator, &setup, "alice", PASSWORD)
        .await
        .is_ok());
    let without = emulator
        .idp
        .initiate_auth()
        .client_id(&setup.client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(without),
        (
            "NotAuthorizedException".into(),
            format!(
                "Client {} is configured for secret but secret was not received",
                setup.client_id
            )
        )
    );
    let wrong = emulator
        .idp
        .initiate_auth()
        .client_id(&setup.client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("PASSWORD", PASSWORD)
        .auth_parameters(
            "SECRET_HASH",
            secret_hash("not-the-secret", "alice", &setup.client_id),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(wrong),
        (
            "NotAuthorizedException".into(),
            format!(
                "Unable to verify secret hash for client {}",
                setup.client_id
            )
        )
    );
}

#[tokio::test]
async fn new_password_required_after_admin_create_user() {
    let emulator = start().await;
    let setup = setup(&emulator, false, false).await;
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(&setup.pool_id)
        .username("bob")
        .temporary_password(TEMPORARY)
        .message_action(MessageActionType::Suppress)
        .user_attributes(
            AttributeType::builder()
                .name("email")
                .value("bob@example.com")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let challenge = password_login(&emulator, &setup, "bob", TEMPORARY)
        .await
        .unwrap();
    assert_eq!(
        challenge.challenge_name,
        Some(ChallengeNameType::NewPasswordRequired)
    );
    let parameters = challenge.challenge_parameters.unwrap();
    assert_eq!(parameters["USER_ID_FOR_SRP"], "bob");
    assert_eq!(parameters["requiredAttributes"], "[]");
    let current: Value = serde_json::from_str(&parameters["userAttributes"]).unwrap();
    assert_eq!(current, json!({"email": "bob@example.com"}));
    let session = challenge.session.unwrap();
    assert!(session.len() >= 20);

    let respond = |password: &'static str, session: String| {
        emulator
            .idp
            .respond_to_auth_challenge()
            .client_id(&setup.client_id)
            .challenge_name(ChallengeNameType::NewPasswordRequired)
            .session(session)
            .challenge_responses("USERNAME", "bob")
            .challenge_responses("NEW_PASSWORD", password)
            .challenge_responses("userAttributes.given_name", "Bob")
            .send()
    };
    // A password the policy refuses leaves the session usable.
    let weak = respond("weak", session.clone()).await.unwrap_err();
    assert_eq!(
        err(weak),
        (
            "InvalidPasswordException".into(),
            "Password did not conform with policy: Password not long enough".into()
        )
    );
    let done = respond(PASSWORD, session.clone()).await.unwrap();
    assert!(done.authentication_result.unwrap().id_token.is_some());
    let again = respond(PASSWORD, session).await.unwrap_err();
    assert_eq!(
        err(again),
        (
            "NotAuthorizedException".into(),
            "Invalid session for the user, session can only be used once.".into()
        )
    );
    let bob = emulator
        .idp
        .admin_get_user()
        .user_pool_id(&setup.pool_id)
        .username("bob")
        .send()
        .await
        .unwrap();
    assert_eq!(bob.user_status.unwrap().as_str(), "CONFIRMED");
    assert!(bob
        .user_attributes
        .unwrap()
        .iter()
        .any(|a| a.name == "given_name" && a.value.as_deref() == Some("Bob")));
    assert!(password_login(&emulator, &setup, "bob", PASSWORD)
        .await
        .unwrap()
        .authentication_result
        .is_some());

    // Sessions expire after the client's AuthSessionValidity (3 minutes).
    emulator
        .idp
        .admin_set_user_password()
        .user_pool_id(&setup.pool_id)
        .username("bob")
        .password(TEMPORARY)
        .permanent(false)
        .send()
        .await
        .unwrap();
    let challenge = password_login(&emulator, &setup, "bob", TEMPORARY)
        .await
        .unwrap();
    emulator.app.clock.advance(181.0);
    let expired = respond(PASSWORD, challenge.session.unwrap())
        .await
        .unwrap_err();
    assert_eq!(
        err(expired),
        (
            "NotAuthorizedException".into(),
            "Invalid session for the user, session is expired.".into()
        )
    );
}

#[tokio::test]
async fn refresh_sign_out_revocation_and_expiry() {
    let emulator = start().await;
    let setup = setup(&emulator, false, false).await;
    let first = password_login(&emulator, &setup, "alice", PASSWORD)
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    let refresh_token = first.refresh_token.clone().unwrap();
    let refresh = |token: String| {
        emulator
            .idp
            .initiate_auth()
            .client_id(&setup.client_id)
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .auth_parameters("REFRESH_TOKEN", token)
            .send()
    };
    emulator.app.clock.advance(10.0);
    let refreshed = refresh(refresh_token.clone())
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    assert!(
        refreshed.refresh_token.is_none(),
        "no rotation: no new refresh token"
    );
    let (before, after) = (
        claims(first.id_token.as_ref().unwrap()),
        claims(refreshed.id_token.as_ref().unwrap()),
    );
    assert_eq!(before["origin_jti"], after["origin_jti"]);
    assert_eq!(before["auth_time"], after["auth_time"]);
    assert!(after["iat"].as_i64().unwrap() >= before["iat"].as_i64().unwrap() + 10);

    // Access tokens expire with the clock.
    emulator.app.clock.advance(3600.0);
    let expired = emulator
        .idp
        .get_user()
        .access_token(refreshed.access_token.as_ref().unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(expired),
        (
            "NotAuthorizedException".into(),
            "Access Token has expired".into()
        )
    );

    // GlobalSignOut kills the refresh token and the access tokens of that sign-in.
    let current = refresh(refresh_token.clone())
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    let access = current.access_token.unwrap();
    emulator
        .idp
        .get_user()
        .access_token(&access)
        .send()
        .await
        .unwrap();
    emulator
        .idp
        .global_sign_out()
        .access_token(&access)
        .send()
        .await
        .unwrap();
    let revoked = emulator
        .idp
        .get_user()
        .access_token(&access)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(revoked),
        (
            "NotAuthorizedException".into(),
            "Access Token has been revoked".into()
        )
    );
    let dead = refresh(refresh_token).await.unwrap_err();
    assert_eq!(
        err(dead),
        (
            "NotAuthorizedException".into(),
            "Refresh Token has been revoked".into()
        )
    );
    let bogus = refresh("not-a-token".into()).await.unwrap_err();
    assert_eq!(
        err(bogus),
        (
            "NotAuthorizedException".into(),
            "Invalid Refresh Token".into()
        )
    );

    // RevokeToken revokes one sign-in only.
    let one = password_login(&emulator, &setup, "alice", PASSWORD)
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    let two = password_login(&emulator, &setup, "alice", PASSWORD)
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    emulator
        .idp
        .revoke_token()
        .client_id(&setup.client_id)
        .token(one.refresh_token.unwrap())
        .send()
        .await
        .unwrap();
    let gone = emulator
        .idp
        .get_user()
        .access_token(one.access_token.unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(gone),
        (
            "NotAuthorizedException".into(),
            "Access Token has been revoked".into()
        )
    );
    emulator
        .idp
        .get_user()
        .access_token(two.access_token.as_ref().unwrap())
        .send()
        .await
        .unwrap();
    let wrong_type = emulator
        .idp
        .revoke_token()
        .client_id(&setup.client_id)
        .token(two.access_token.clone().unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(wrong_type).0, "UnsupportedTokenTypeException");

    // AdminUserGlobalSignOut.
    emulator
        .idp
        .admin_user_global_sign_out()
        .user_pool_id(&setup.pool_id)
        .username("alice")
        .send()
        .await
        .unwrap();
    let out = emulator
        .idp
        .get_user()
        .access_token(two.access_token.unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(out).1, "Access Token has been revoked");

    // Refresh tokens expire after 30 days.
    let late = password_login(&emulator, &setup, "alice", PASSWORD)
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    emulator.app.clock.advance(30.0 * 86_400.0 + 1.0);
    let stale = refresh(late.refresh_token.unwrap()).await.unwrap_err();
    assert_eq!(
        err(stale),
        (
            "NotAuthorizedException".into(),
            "Refresh Token has expired".into()
        )
    );
}

#[tokio::test]
async fn change_password_and_refresh_token_rotation() {
    let emulator = start().await;
    let setup = setup(&emulator, false, false).await;
    let tokens = password_login(&emulator, &setup, "alice", PASSWORD)
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    let access = tokens.access_token.unwrap();
    let wrong = emulator
        .idp
        .change_password()
        .access_token(&access)
        .previous_password("Not!the1")
        .proposed_password("N3w!password")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(wrong),
        (
            "NotAuthorizedException".into(),
            "Incorrect username or password.".into()
        )
    );
    emulator
        .idp
        .change_password()
        .access_token(&access)
        .previous_password(PASSWORD)
        .proposed_password("N3w!password")
        .send()
        .await
        .unwrap();
    assert_eq!(
        password_login(&emulator, &setup, "alice", PASSWORD)
            .await
            .unwrap_err(),
        (
            "NotAuthorizedException".to_string(),
            "Incorrect username or password.".to_string()
        )
    );
    assert!(password_login(&emulator, &setup, "alice", "N3w!password")
        .await
        .is_ok());

    // Rotation: GetTokensFromRefreshToken returns a new refresh token; the old one dies.
    emulator
        .idp
        .update_user_pool_client()
        .user_pool_id(&setup.pool_id)
        .client_id(&setup.client_id)
        .explicit_auth_flows(Flow::AllowUserPasswordAuth)
        .explicit_auth_flows(Flow::AllowRefreshTokenAuth)
        .refresh_token_rotation(
            aws_sdk_cognitoidentityprovider::types::RefreshTokenRotationType::builder()
                .feature(aws_sdk_cognitoidentityprovider::types::FeatureType::Enabled)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let signed_in = password_login(&emulator, &setup, "alice", "N3w!password")
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    let old = signed_in.refresh_token.unwrap();
    let rotated = emulator
        .idp
        .get_tokens_from_refresh_token()
        .client_id(&setup.client_id)
        .refresh_token(&old)
        .send()
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    let new = rotated.refresh_token.unwrap();
    assert_ne!(new, old);
    let reuse = emulator
        .idp
        .get_tokens_from_refresh_token()
        .client_id(&setup.client_id)
        .refresh_token(&old)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(reuse).1, "Refresh Token has been revoked");
    emulator
        .idp
        .get_tokens_from_refresh_token()
        .client_id(&setup.client_id)
        .refresh_token(&new)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn token_lifetimes_roles_readable_attributes_and_required_attributes() {
    let emulator = start().await;
    let setup = setup(&emulator, false, false).await;
    // Short access tokens, ID tokens in hours, limited readable attributes.
    emulator
        .idp
        .update_user_pool_client()
        .user_pool_id(&setup.pool_id)
        .client_id(&setup.client_id)
        .explicit_auth_flows(Flow::AllowUserPasswordAuth)
        .explicit_auth_flows(Flow::AllowRefreshTokenAuth)
        .access_token_validity(5)
        .id_token_validity(2)
        .token_validity_units(
            aws_sdk_cognitoidentityprovider::types::TokenValidityUnitsType::builder()
                .access_token(aws_sdk_cognitoidentityprovider::types::TimeUnitsType::Minutes)
                .id_token(aws_sdk_cognitoidentityprovider::types::TimeUnitsType::Hours)
                .build(),
        )
        .read_attributes("email")
        .send()
        .await
        .unwrap();
    emulator
        .idp
        .create_group()
        .user_pool_id(&setup.pool_id)
        .group_name("readers")
        .precedence(0)
        .role_arn("arn:aws:iam::000000000000:role/readers")
        .send()
        .await
        .unwrap();
    emulator
        .idp
        .update_group()
        .user_pool_id(&setup.pool_id)
        .group_name("admins")
        .role_arn("arn:aws:iam::000000000000:role/admins")
        .send()
        .await
        .unwrap();
    emulator
        .idp
        .admin_add_user_to_group()
        .user_pool_id(&setup.pool_id)
        .username("alice")
        .group_name("readers")
        .send()
        .await
        .unwrap();
    let result = password_login(&emulator, &setup, "alice", PASSWORD)
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    assert_eq!(result.expires_in, 300);
    let access = claims(result.access_token.as_ref().unwrap());
    let id = claims(result.id_token.as_ref().unwrap());
    assert_eq!(
        access["exp"].as_i64().unwrap() - access["iat"].as_i64().unwrap(),
        300
    );
    assert_eq!(
        id["exp"].as_i64().unwrap() - id["iat"].as_i64().unwrap(),
        7200
    );
    // Groups by precedence; the preferred role is the lowest precedence's.
    assert_eq!(id["cognito:groups"], json!(["readers", "admins"]));
    assert_eq!(
        id["cognito:roles"],
        json!([
            "arn:aws:iam::000000000000:role/readers",
            "arn:aws:iam::000000000000:role/admins"
        ])
    );
    assert_eq!(
        id["cognito:preferred_role"],
        "arn:aws:iam::000000000000:role/readers"
    );
    assert_eq!(access["cognito:groups"], json!(["readers", "admins"]));
    // Only readable attributes are claims.
    assert_eq!(id["email"], "alice@example.com");
    assert!(id.get("given_name").is_none());
    assert!(id.get("email_verified").is_none());

    // A pool that requires given_name asks for it in NEW_PASSWORD_REQUIRED.
    let strict = emulator
        .idp
        .create_user_pool()
        .pool_name("strict")
        .schema(
            aws_sdk_cognitoidentityprovider::types::SchemaAttributeType::builder()
                .name("given_name")
                .required(true)
                .build(),
        )
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let client_id = emulator
        .client_with_flows(&strict, "app", &[Flow::AllowUserPasswordAuth])
        .await;
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(&strict)
        .username("hank")
        .temporary_password(TEMPORARY)
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    let strict_setup = Setup {
        pool_id: strict.clone(),
        client_id: client_id.clone(),
        secret: None,
    };
    let challenge = password_login(&emulator, &strict_setup, "hank", TEMPORARY)
        .await
        .unwrap();
    let parameters = challenge.challenge_parameters.unwrap();
    assert_eq!(
        parameters["requiredAttributes"],
        r#"["userAttributes.given_name"]"#
    );
    let respond = |with_name: bool| {
        let mut request = emulator
            .idp
            .respond_to_auth_challenge()
            .client_id(&client_id)
            .challenge_name(ChallengeNameType::NewPasswordRequired)
            .session(challenge.session.clone().unwrap())
            .challenge_responses("USERNAME", "hank")
            .challenge_responses("NEW_PASSWORD", PASSWORD);
        if with_name {
            request = request.challenge_responses("userAttributes.given_name", "Hank");
        }
        request.send()
    };
    let missing = respond(false).await.unwrap_err();
    assert_eq!(
        err(missing),
        (
            "InvalidParameterException".into(),
            "Invalid attributes given, given_name is missing".into()
        )
    );
    let done = respond(true).await.unwrap().authentication_result.unwrap();
    assert_eq!(
        claims(done.id_token.as_ref().unwrap())["given_name"],
        "Hank"
    );
}

#[tokio::test]
async fn a_recreated_user_does_not_inherit_old_tokens() {
    let emulator = start().await;
    let setup = setup(&emulator, false, false).await;
    let old = password_login(&emulator, &setup, "alice", PASSWORD)
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    emulator
        .idp
        .admin_delete_user()
        .user_pool_id(&setup.pool_id)
        .username("alice")
        .send()
        .await
        .unwrap();
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(&setup.pool_id)
        .username("alice")
        .temporary_password(TEMPORARY)
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    let stale = emulator
        .idp
        .get_user()
        .access_token(old.access_token.unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(stale),
        (
            "UserNotFoundException".into(),
            "User does not exist.".into()
        )
    );
    let refresh = emulator
        .idp
        .initiate_auth()
        .client_id(&setup.client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", old.refresh_token.unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(refresh),
        (
            "NotAuthorizedException".into(),
            "Invalid Refresh Token".into()
        )
    );
}

/// Turns refresh-token rotation on for the setup's client.
async fn enable_rotation(emulator: &Emulator, setup: &Setup) {
    emulator
        .idp
        .update_user_pool_client()
        .user_pool_id(&setup.pool_id)
        .client_id(&setup.client_id)
        .explicit_auth_flows(Flow::AllowUserPasswordAuth)
        .explicit_auth_flows(Flow::AllowRefreshTokenAuth)
        .refresh_token_rotation(
            aws_sdk_cognitoidentityprovider::types::RefreshTokenRotationType::builder()
                .feature(aws_sdk_cognitoidentityprovider::types::FeatureType::Enabled)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
}

/// A refresh through InitiateAuth (REFRESH_TOKEN_AUTH) or GetTokensFromRefreshToken: the new
/// access token and, with rotation, the new refresh token.
async fn refresh_with(
    idp: aws_sdk_cognitoidentityprovider::Client,
    client_id: String,
    token: String,
    via_initiate_auth: bool,
) -> Result<(String, Option<String>), (String, String)> {
    let result = if via_initiate_auth {
        idp.initiate_auth()
            .client_id(client_id)
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .auth_parameters("REFRESH_TOKEN", token)
            .send()
            .await
            .map_err(err)?
            .authentication_result
    } else {
        idp.get_tokens_from_refresh_token()
            .client_id(client_id)
            .refresh_token(token)
            .send()
            .await
            .map_err(err)?
            .authentication_result
    };
    let result = result.unwrap();
    Ok((result.access_token.unwrap(), result.refresh_token))
}

fn revoked_refresh_token() -> (String, String) {
    (
        "NotAuthorizedException".into(),
        "Refresh Token has been revoked".into(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_refresh_racing_a_sign_out_leaves_nothing_working() {
    let emulator = start().await;
    let setup = setup(&emulator, false, false).await;
    for rotation in [false, true] {
        if rotation {
            enable_rotation(&emulator, &setup).await;
        }
        for round in 0..50 {
            let tokens = password_login(&emulator, &setup, "alice", PASSWORD)
                .await
                .unwrap()
                .authentication_result
                .unwrap();
            let (access, old) = (tokens.access_token.unwrap(), tokens.refresh_token.unwrap());
            let refresh = tokio::spawn(refresh_with(
                emulator.idp.clone(),
                setup.client_id.clone(),
                old.clone(),
                round % 2 == 0,
            ));
            if round % 4 < 2 {
                emulator
                    .idp
                    .global_sign_out()
                    .access_token(&access)
                    .send()
                    .await
                    .unwrap();
            } else {
                emulator
                    .idp
                    .admin_user_global_sign_out()
                    .user_pool_id(&setup.pool_id)
                    .username("alice")
                    .send()
                    .await
                    .unwrap();
            }
            // Whichever came first, nothing the refresh gave out works after the sign-out.
            match refresh.await.unwrap() {
                Ok((new_access, new_refresh)) => {
                    let get_user = emulator
                        .idp
                        .get_user()
                        .access_token(new_access)
                        .send()
                        .await
                        .unwrap_err();
                    assert_eq!(
                        err(get_user),
                        (
                            "NotAuthorizedException".into(),
                            "Access Token has been revoked".into()
                        ),
                        "round {round}, rotation {rotation}"
                    );
                    assert_eq!(new_refresh.is_some(), rotation);
                    if let Some(new_refresh) = new_refresh {
                        let again = refresh_with(
                            emulator.idp.clone(),
                            setup.client_id.clone(),
                            new_refresh,
                            round % 2 == 1,
                        )
                        .await;
                        assert_eq!(
                            again.unwrap_err(),
                            revoked_refresh_token(),
                            "round {round}: a refresh token issued after the sign-out"
                        );
                    }
                }
                Err(error) => assert_eq!(error, revoked_refresh_token()),
            }
            let old = refresh_with(emulator.idp.clone(), setup.client_id.clone(), old, true).await;
            assert_eq!(old.unwrap_err(), revoked_refresh_token());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rotated_refresh_token_is_exchanged_once_however_many_race() {
    let emulator = start().await;
    let setup = setup(&emulator, false, false).await;
    enable_rotation(&emulator, &setup).await;
    for round in 0..10 {
        let old = password_login(&emulator, &setup, "alice", PASSWORD)
            .await
            .unwrap()
            .authentication_result
            .unwrap()
            .refresh_token
            .unwrap();
        let mut racing = tokio::task::JoinSet::new();
        for i in 0..10 {
            racing.spawn(refresh_with(
                emulator.idp.clone(),
                setup.client_id.clone(),
                old.clone(),
                i % 2 == 0,
            ));
        }
        let mut winners = Vec::new();
        while let Some(result) = racing.join_next().await {
            match result.unwrap() {
                Ok(tokens) => winners.push(tokens),
                Err(error) => assert_eq!(error, revoked_refresh_token()),
            }
        }
        assert_eq!(winners.len(), 1, "round {round}: exactly one exchange");
        let (access, new) = winners.pop().unwrap();
        emulator
            .idp
            .get_user()
            .access_token(access)
            .send()
            .await
            .unwrap();
        refresh_with(
            emulator.idp.clone(),
            setup.client_id.clone(),
            new.unwrap(),
            true,
        )
        .await
        .unwrap();
    }
}
