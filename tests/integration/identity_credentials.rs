//! cognito-identity's enhanced flow through the official Rust SDK: GetId and
//! GetCredentialsForIdentity unauthenticated and with user-pool logins (verified), role
//! mappings of both types, principal tags, and the identities' own operations.

use aws_sdk_cognitoidentity as identity;
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ExplicitAuthFlowsType};
use serde_json::{json, Value};

use crate::common::{start, Emulator};
use crate::identity_pools::{identity_client, ierr, AUTH_ROLE, UNAUTH_ROLE};

const PASSWORD: &str = "Passw0rd!";
pub const ADMIN_ROLE: &str = "arn:aws:iam::000000000000:role/admin";
pub const READER_ROLE: &str = "arn:aws:iam::000000000000:role/reader";

pub struct Setup {
    pub emulator: Emulator,
    pub ci: identity::Client,
    pub user_pool_id: String,
    pub client_id: String,
    pub provider: String,
    pub identity_pool_id: String,
}

fn pair(code: &str, message: &str) -> (String, String) {
    (code.to_string(), message.to_string())
}

impl Setup {
    /// A user pool with a client, users `alice` (groups admins and readers, with roles) and
    /// `bob` (no groups), and an identity pool trusting the client.
    pub async fn new(server_side_check: bool, allow_unauthenticated: bool) -> Setup {
        let emulator = start().await;
        let ci = identity_client(&emulator.url).await;
        let user_pool_id = emulator.pool("users").await;
        let client_id = emulator
            .client_with_flows(
                &user_pool_id,
                "app",
                &[
                    ExplicitAuthFlowsType::AllowAdminUserPasswordAuth,
                    ExplicitAuthFlowsType::AllowRefreshTokenAuth,
                ],
            )
            .await;
        for (group, role, precedence) in [("admins", ADMIN_ROLE, 1), ("readers", READER_ROLE, 2)] {
            emulator
                .idp
                .create_group()
                .user_pool_id(&user_pool_id)
                .group_name(group)
                .role_arn(role)
                .precedence(precedence)
                .send()
                .await
                .unwrap();
        }
        for user in ["alice", "bob"] {
            emulator
                .idp
                .admin_create_user()
                .user_pool_id(&user_pool_id)
                .username(user)
                .user_attributes(
                    aws_sdk_cognitoidentityprovider::types::AttributeType::builder()
                        .name("email")
                        .value(format!("{user}@example.com"))
                        .build()
                        .unwrap(),
                )
                .send()
                .await
                .unwrap();
            emulator.set_password(&user_pool_id, user, PASSWORD).await;
        }
        for group in ["admins", "readers"] {
            emulator
                .idp
                .admin_add_user_to_group()
                .user_pool_id(&user_pool_id)
                .username("alice")
                .group_name(group)
                .send()
                .await
                .unwrap();
        }
        let provider = format!("cognito-idp.us-east-1.amazonaws.com/{user_pool_id}");
        let identity_pool_id = ci
            .create_identity_pool()
            .identity_pool_name("app")
            .allow_unauthenticated_identities(allow_unauthenticated)
            .cognito_identity_providers(crate::identity_pools::user_pool_provider(
                &user_pool_id,
                &client_id,
                server_side_check,
            ))
            .send()
            .await
            .unwrap()
            .identity_pool_id()
            .to_string();
        ci.set_identity_pool_roles()
            .identity_pool_id(&identity_pool_id)
            .roles("authenticated", AUTH_ROLE)
            .roles("unauthenticated", UNAUTH_ROLE)
            .send()
            .await
            .unwrap();
        Setup {
            emulator,
            ci,
            user_pool_id,
            client_id,
            provider,
            identity_pool_id,
        }
    }

    /// A user's ID token (and access token).
    pub async fn tokens(&self, user: &str) -> (String, String) {
        let result = self
            .emulator
            .idp
            .admin_initiate_auth()
            .user_pool_id(&self.user_pool_id)
            .client_id(&self.client_id)
            .auth_flow(AuthFlowType::AdminUserPasswordAuth)
            .auth_parameters("USERNAME", user)
            .auth_parameters("PASSWORD", PASSWORD)
            .send()
            .await
            .unwrap()
            .authentication_result
            .unwrap();
        (result.id_token.unwrap(), result.access_token.unwrap())
    }

    pub async fn get_id(&self, id_token: Option<&str>) -> Result<String, (String, String)> {
        let mut request = self.ci.get_id().identity_pool_id(&self.identity_pool_id);
        if let Some(token) = id_token {
            request = request.logins(&self.provider, token);
        }
        request
            .send()
            .await
            .map(|o| o.identity_id.unwrap())
            .map_err(ierr)
    }

    /// GetCredentialsForIdentity, then what the emulator says the credentials stand for.
    pub async fn credentials(
        &self,
        identity_id: &str,
        id_token: Option<&str>,
        custom_role: Option<&str>,
    ) -> Result<Value, (String, String)> {
        let mut request = self
            .ci
            .get_credentials_for_identity()
            .identity_id(identity_id);
        if let Some(token) = id_token {
            request = request.logins(&self.provider, token);
        }
        if let Some(role) = custom_role {
            request = request.custom_role_arn(role);
        }
        let output = request.send().await.map_err(ierr)?;
        assert_eq!(output.identity_id(), Some(identity_id));
        let credentials = output.credentials.unwrap();
        let key = credentials.access_key_id.unwrap();
        Ok(self
            .emulator
            .get_json(&format!(
                "{}/_emulator/credentials/{key}",
                self.emulator.url
            ))
            .await)
    }

    /// SetIdentityPoolRoles with one role mapping for the client, as JSON.
    pub async fn map_roles(&self, mapping: Value) {
        let body = json!({
            "IdentityPoolId": self.identity_pool_id,
            "Roles": {"authenticated": AUTH_ROLE, "unauthenticated": UNAUTH_ROLE},
            "RoleMappings": {format!("{}:{}", self.provider, self.client_id): mapping},
        });
        let (status, _, answer) = self
            .emulator
            .call(
                "AWSCognitoIdentityService.SetIdentityPoolRoles",
                &body.to_string(),
            )
            .await;
        assert_eq!(status, 200, "{answer}");
    }
}

#[tokio::test]
async fn guests_get_new_identities_and_the_unauthenticated_role() {
    let setup = Setup::new(false, true).await;
    let first = setup.get_id(None).await.unwrap();
    let second = setup.get_id(None).await.unwrap();
    assert_ne!(
        first, second,
        "every unauthenticated GetId is a new identity"
    );
    assert!(first.starts_with("us-east-1:"));

    let output = setup
        .ci
        .get_credentials_for_identity()
        .identity_id(&first)
        .send()
        .await
        .unwrap();
    let credentials = output.credentials().unwrap();
    let key = credentials.access_key_id().unwrap();
    assert!(key.starts_with("ASIA") && key.len() == 20, "{key}");
    assert!(key
        .chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()));
    assert_eq!(credentials.secret_key().unwrap().len(), 40);
    assert!(credentials.session_token().unwrap().len() > 500);
    let expiration = credentials.expiration().unwrap().secs() as f64;
    let in_an_hour = setup.emulator.app.clock.now() + 3600.0;
    assert!(
        (in_an_hour - expiration).abs() < 5.0,
        "{expiration} vs {in_an_hour}"
    );

    let issued = setup
        .emulator
        .get_json(&format!(
            "{}/_emulator/credentials/{key}",
            setup.emulator.url
        ))
        .await;
    assert_eq!(issued["identityId"], first.as_str());
    assert_eq!(issued["identityPoolId"], setup.identity_pool_id.as_str());
    assert_eq!(issued["roleArn"], UNAUTH_ROLE);
    assert_eq!(issued["authenticated"], false);
    assert_eq!(issued["principalTags"], json!({}));
    let unknown = setup
        .emulator
        .http
        .get(format!(
            "{}/_emulator/credentials/ASIAUNKNOWN",
            setup.emulator.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);

    // The clock moves the expiration.
    setup.emulator.advance_clock(7200.0).await;
    let later = setup.credentials(&first, None, None).await.unwrap();
    assert!(later["expiration"].as_f64().unwrap() > expiration + 7000.0);

    // No unauthenticated role: the pool's configuration is at fault.
    setup
        .ci
        .set_identity_pool_roles()
        .identity_pool_id(&setup.identity_pool_id)
        .roles("authenticated", AUTH_ROLE)
        .send()
        .await
        .unwrap();
    assert_eq!(
        setup.credentials(&first, None, None).await.unwrap_err(),
        pair(
            "InvalidIdentityPoolConfigurationException",
            "Invalid identity pool configuration. Check assigned IAM roles for this pool."
        )
    );
    // Unknown identity and pool.
    let ghost = "us-east-1:00000000-0000-0000-0000-000000000000";
    assert_eq!(
        setup.credentials(ghost, None, None).await.unwrap_err(),
        pair(
            "ResourceNotFoundException",
            &format!("Identity '{ghost}' not found.")
        )
    );
    let e = setup
        .ci
        .get_id()
        .identity_pool_id(ghost)
        .send()
        .await
        .map_err(ierr)
        .unwrap_err();
    assert_eq!(
        e,
        pair(
            "ResourceNotFoundException",
            &format!("IdentityPool '{ghost}' not found.")
        )
    );
    setup.emulator.stop().await;
}

#[tokio::test]
async fn a_pool_without_guest_access_refuses_unauthenticated_identities() {
    let setup = Setup::new(false, false).await;
    let refused = pair(
        "NotAuthorizedException",
        "Unauthenticated access is not supported for this identity pool.",
    );
    assert_eq!(setup.get_id(None).await.unwrap_err(), refused);
    let (id_token, _) = setup.tokens("bob").await;
    let identity_id = setup.get_id(Some(&id_token)).await.unwrap();
    let issued = setup
        .credentials(&identity_id, Some(&id_token), None)
        .await
        .unwrap();
    assert_eq!(issued["roleArn"], AUTH_ROLE);
    assert_eq!(issued["authenticated"], true);
    assert_eq!(issued["logins"], json!([setup.provider]));
    setup.emulator.stop().await;
}

#[tokio::test]
async fn user_pool_logins_are_verified_and_map_to_one_identity() {
    let setup = Setup::new(true, true).await;
    let (id_token, access_token) = setup.tokens("bob").await;
    let identity_id = setup.get_id(Some(&id_token)).await.unwrap();
    // The same user, signed in again: the same identity.
    let (again, _) = setup.tokens("bob").await;
    assert_eq!(setup.get_id(Some(&again)).await.unwrap(), identity_id);
    let (alice, _) = setup.tokens("alice").await;
    assert_ne!(setup.get_id(Some(&alice)).await.unwrap(), identity_id);

    let issued = setup
        .credentials(&identity_id, Some(&id_token), None)
        .await
        .unwrap();
    assert_eq!(issued["roleArn"], AUTH_ROLE);
    // An identity with logins needs one of them.
    let dont_match = pair(
        "NotAuthorizedException",
        "Logins don't match. Please include at least one valid login for this identity or identity pool.",
    );
    assert_eq!(
        setup
            .credentials(&identity_id, None, None)
            .await
            .unwrap_err(),
        dont_match
    );
    assert_eq!(
        setup
            .credentials(&identity_id, Some(&alice), None)
            .await
            .unwrap_err(),
        dont_match
    );

    // What is not a valid ID token of the pool.
    let unverified = pair(
        "NotAuthorizedException",
        "Invalid login token. Couldn't verify signed token.",
    );
    assert_eq!(
        setup.get_id(Some(&access_token)).await.unwrap_err(),
        unverified
    );
    let mut parts: Vec<&str> = id_token.split('.').collect();
    let forged = {
        use base64::Engine;
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let mut claims: Value = serde_json::from_slice(&engine.decode(parts[1]).unwrap()).unwrap();
        claims["sub"] = json!("someone-else");
        engine.encode(claims.to_string())
    };
    parts[1] = &forged;
    assert_eq!(
        setup.get_id(Some(&parts.join("."))).await.unwrap_err(),
        unverified
    );
    assert_eq!(
        setup.get_id(Some("not a token")).await.unwrap_err(),
        unverified
    );

    // A provider the pool does not trust, and a client it does not list.
    let e = setup
        .ci
        .get_id()
        .identity_pool_id(&setup.identity_pool_id)
        .logins("accounts.google.com", &id_token)
        .send()
        .await
        .map_err(ierr)
        .unwrap_err();
    let unsupported = pair(
        "NotAuthorizedException",
        "Token is not from a supported provider of this identity pool.",
    );
    assert_eq!(e, unsupported);
    let other_client = setup.emulator.client(&setup.user_pool_id, "other").await;
    setup
        .emulator
        .idp
        .update_user_pool_client()
        .user_pool_id(&setup.user_pool_id)
        .client_id(&other_client)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowAdminUserPasswordAuth)
        .send()
        .await
        .unwrap();
    let other_token = setup
        .emulator
        .idp
        .admin_initiate_auth()
        .user_pool_id(&setup.user_pool_id)
        .client_id(&other_client)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "bob")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap()
        .authentication_result
        .unwrap()
        .id_token
        .unwrap();
    assert_eq!(
        setup.get_id(Some(&other_token)).await.unwrap_err(),
        unsupported
    );

    // ServerSideTokenCheck: a signed-out user's tokens are inactive.
    setup
        .emulator
        .idp
        .admin_user_global_sign_out()
        .user_pool_id(&setup.user_pool_id)
        .username("bob")
        .send()
        .await
        .unwrap();
    assert_eq!(
        setup
            .credentials(&identity_id, Some(&id_token), None)
            .await
            .unwrap_err(),
        pair("NotAuthorizedException", "Token is inactive")
    );

    // Expired tokens.
    let (fresh, _) = setup.tokens("bob").await;
    setup.emulator.advance_clock(3601.0).await;
    let e = setup.get_id(Some(&fresh)).await.unwrap_err();
    assert_eq!(e.0, "NotAuthorizedException");
    assert!(
        e.1.starts_with("Invalid login token. Token expired: "),
        "{}",
        e.1
    );
    setup.emulator.stop().await;
}

#[tokio::test]
async fn a_guest_identity_becomes_authenticated_when_a_login_is_added() {
    let setup = Setup::new(false, true).await;
    let guest = setup.get_id(None).await.unwrap();
    let (id_token, _) = setup.tokens("bob").await;
    let issued = setup
        .credentials(&guest, Some(&id_token), None)
        .await
        .unwrap();
    assert_eq!(issued["roleArn"], AUTH_ROLE);
    // Now linked: GetId with the login finds the same identity.
    assert_eq!(setup.get_id(Some(&id_token)).await.unwrap(), guest);
    let described = setup
        .ci
        .describe_identity()
        .identity_id(&guest)
        .send()
        .await
        .unwrap();
    assert_eq!(described.logins(), std::slice::from_ref(&setup.provider));
    assert!(described.creation_date().is_some() && described.last_modified_date().is_some());
    setup.emulator.stop().await;
}

#[tokio::test]
async fn identities_are_described_listed_unlinked_and_deleted() {
    let setup = Setup::new(false, true).await;
    let (bob, _) = setup.tokens("bob").await;
    let bob_id = setup.get_id(Some(&bob)).await.unwrap();
    let guest = setup.get_id(None).await.unwrap();
    let third = setup.get_id(None).await.unwrap();

    let first = setup
        .ci
        .list_identities()
        .identity_pool_id(&setup.identity_pool_id)
        .max_results(2)
        .send()
        .await
        .unwrap();
    assert_eq!(
        first.identity_pool_id(),
        Some(setup.identity_pool_id.as_str())
    );
    assert_eq!(first.identities().len(), 2);
    let rest = setup
        .ci
        .list_identities()
        .identity_pool_id(&setup.identity_pool_id)
        .max_results(2)
        .next_token(first.next_token().unwrap())
        .send()
        .await
        .unwrap();
    assert!(rest.next_token().is_none());
    let listed: Vec<_> = first.identities().iter().chain(rest.identities()).collect();
    let mut ids: Vec<&str> = listed.iter().map(|i| i.identity_id().unwrap()).collect();
    ids.sort();
    let mut expected = vec![bob_id.as_str(), guest.as_str(), third.as_str()];
    expected.sort();
    assert_eq!(ids, expected);
    let bob_listed = listed
        .iter()
        .find(|i| i.identity_id() == Some(bob_id.as_str()))
        .unwrap();
    assert_eq!(bob_listed.logins(), std::slice::from_ref(&setup.provider));

    // UnlinkIdentity needs one of the identity's logins.
    let e = setup
        .ci
        .unlink_identity()
        .identity_id(&bob_id)
        .logins(&setup.provider, "x.y.z")
        .logins_to_remove(&setup.provider)
        .send()
        .await
        .map_err(ierr)
        .unwrap_err();
    assert_eq!(
        e,
        pair(
            "NotAuthorizedException",
            "Invalid login token. Couldn't verify signed token."
        )
    );
    setup
        .ci
        .unlink_identity()
        .identity_id(&bob_id)
        .logins(&setup.provider, &bob)
        .logins_to_remove(&setup.provider)
        .send()
        .await
        .unwrap();
    let described = setup
        .ci
        .describe_identity()
        .identity_id(&bob_id)
        .send()
        .await
        .unwrap();
    assert!(described.logins().is_empty());
    // Unlinked, bob's login makes a new identity.
    assert_ne!(setup.get_id(Some(&bob)).await.unwrap(), bob_id);

    let deleted = setup
        .ci
        .delete_identities()
        .identity_ids_to_delete(&guest)
        .identity_ids_to_delete(&third)
        .send()
        .await
        .unwrap();
    assert!(deleted.unprocessed_identity_ids().is_empty());
    let e = setup
        .ci
        .describe_identity()
        .identity_id(&guest)
        .send()
        .await
        .map_err(ierr)
        .unwrap_err();
    assert_eq!(
        e,
        pair(
            "ResourceNotFoundException",
            &format!("Identity '{guest}' not found.")
        )
    );
    let ghost = "us-east-1:00000000-0000-0000-0000-000000000000";
    let e = setup
        .ci
        .list_identities()
        .identity_pool_id(ghost)
        .max_results(10)
        .send()
        .await
        .map_err(ierr)
        .unwrap_err();
    assert_eq!(
        e,
        pair(
            "ResourceNotFoundException",
            &format!("IdentityPool '{ghost}' not found.")
        )
    );
    setup.emulator.stop().await;
}
