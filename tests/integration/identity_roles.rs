//! Role choice and principal tags through the official Rust SDK: role mappings of type
//! Token (preferred role, CustomRoleArn) and Rules (every MatchType, in order), ambiguity
//! resolution, principal tag maps and the tags credentials carry.

use serde_json::{json, Value};

use crate::identity_credentials::{Setup, ADMIN_ROLE, READER_ROLE};
use crate::identity_pools::{identity_client, ierr, user_pool_provider, AUTH_ROLE};

fn pair(code: &str, message: &str) -> (String, String) {
    (code.to_string(), message.to_string())
}

#[tokio::test]
async fn token_role_mappings_use_preferred_and_custom_roles() {
    let setup = Setup::new(false, true).await;
    setup
        .map_roles(json!({"Type": "Token", "AmbiguousRoleResolution": "AuthenticatedRole"}))
        .await;
    let (alice, _) = setup.tokens("alice").await;
    let (bob, _) = setup.tokens("bob").await;
    let alice_id = setup.get_id(Some(&alice)).await.unwrap();
    let bob_id = setup.get_id(Some(&bob)).await.unwrap();
    // cognito:preferred_role: the group with the lowest precedence.
    let issued = setup
        .credentials(&alice_id, Some(&alice), None)
        .await
        .unwrap();
    assert_eq!(issued["roleArn"], ADMIN_ROLE);
    // CustomRoleArn, one of cognito:roles.
    let issued = setup
        .credentials(&alice_id, Some(&alice), Some(READER_ROLE))
        .await
        .unwrap();
    assert_eq!(issued["roleArn"], READER_ROLE);
    let e = setup
        .credentials(
            &alice_id,
            Some(&alice),
            Some("arn:aws:iam::000000000000:role/other"),
        )
        .await
        .unwrap_err();
    assert_eq!(
        e,
        pair(
            "NotAuthorizedException",
            "The role arn:aws:iam::000000000000:role/other is not one of the roles of the token (cognito:roles)."
        )
    );
    // No role in the token: ambiguous, resolved to the authenticated role, or denied.
    let issued = setup.credentials(&bob_id, Some(&bob), None).await.unwrap();
    assert_eq!(issued["roleArn"], AUTH_ROLE);
    setup
        .map_roles(json!({"Type": "Token", "AmbiguousRoleResolution": "Deny"}))
        .await;
    assert_eq!(
        setup
            .credentials(&bob_id, Some(&bob), None)
            .await
            .unwrap_err(),
        pair(
            "NotAuthorizedException",
            "Unable to determine the role to assume: the role mapping denies ambiguous requests."
        )
    );
    setup.emulator.stop().await;
}

#[tokio::test]
async fn rules_role_mappings_match_claims_in_order() {
    let setup = Setup::new(false, true).await;
    let (alice, _) = setup.tokens("alice").await;
    let (bob, _) = setup.tokens("bob").await;
    let alice_id = setup.get_id(Some(&alice)).await.unwrap();
    let bob_id = setup.get_id(Some(&bob)).await.unwrap();
    let rule = |claim: &str, match_type: &str, value: &str, role: &str| json!({"Claim": claim, "MatchType": match_type, "Value": value, "RoleARN": role});
    let rules = |rules: Vec<Value>, ambiguous: &str| {
        json!({"Type": "Rules", "AmbiguousRoleResolution": ambiguous,
               "RulesConfiguration": {"Rules": rules}})
    };
    let role_of = |id: &str, token: &str| {
        let (id, token) = (id.to_string(), token.to_string());
        let setup = &setup;
        async move {
            setup
                .credentials(&id, Some(&token), None)
                .await
                .map(|issued| issued["roleArn"].as_str().unwrap().to_string())
        }
    };
    // Equals on a string claim; Contains on a list claim (any element).
    setup
        .map_roles(rules(
            vec![
                rule("email", "Equals", "bob@example.com", READER_ROLE),
                rule("cognito:groups", "Contains", "dmin", ADMIN_ROLE),
            ],
            "AuthenticatedRole",
        ))
        .await;
    assert_eq!(role_of(&bob_id, &bob).await.unwrap(), READER_ROLE);
    assert_eq!(role_of(&alice_id, &alice).await.unwrap(), ADMIN_ROLE);
    // StartsWith; the first matching rule wins.
    setup
        .map_roles(rules(
            vec![
                rule("email", "StartsWith", "ali", ADMIN_ROLE),
                rule("email", "Contains", "example", READER_ROLE),
            ],
            "AuthenticatedRole",
        ))
        .await;
    assert_eq!(role_of(&alice_id, &alice).await.unwrap(), ADMIN_ROLE);
    assert_eq!(role_of(&bob_id, &bob).await.unwrap(), READER_ROLE);
    // NotEqual; a claim the token lacks never matches; ambiguity resolution.
    setup
        .map_roles(rules(
            vec![
                rule("custom:missing", "NotEqual", "x", ADMIN_ROLE),
                rule("cognito:username", "NotEqual", "alice", READER_ROLE),
            ],
            "Deny",
        ))
        .await;
    assert_eq!(role_of(&bob_id, &bob).await.unwrap(), READER_ROLE);
    assert_eq!(
        role_of(&alice_id, &alice).await.unwrap_err(),
        pair(
            "NotAuthorizedException",
            "Unable to determine the role to assume: the role mapping denies ambiguous requests."
        )
    );
    setup
        .map_roles(rules(
            vec![rule("cognito:username", "Equals", "nobody", ADMIN_ROLE)],
            "AuthenticatedRole",
        ))
        .await;
    assert_eq!(role_of(&alice_id, &alice).await.unwrap(), AUTH_ROLE);
    setup.emulator.stop().await;
}

#[tokio::test]
async fn principal_tags_come_with_the_credentials() {
    let setup = Setup::new(false, true).await;
    let (bob, _) = setup.tokens("bob").await;
    let bob_id = setup.get_id(Some(&bob)).await.unwrap();
    setup
        .ci
        .set_principal_tag_attribute_map()
        .identity_pool_id(&setup.identity_pool_id)
        .identity_provider_name(&setup.provider)
        .principal_tags("mail", "email")
        .principal_tags("user", "cognito:username")
        .send()
        .await
        .unwrap();
    let issued = setup.credentials(&bob_id, Some(&bob), None).await.unwrap();
    assert_eq!(
        issued["principalTags"],
        json!({"mail": "bob@example.com", "user": "bob"})
    );
    // UseDefaults: username → sub, client → aud.
    setup
        .ci
        .set_principal_tag_attribute_map()
        .identity_pool_id(&setup.identity_pool_id)
        .identity_provider_name(&setup.provider)
        .use_defaults(true)
        .send()
        .await
        .unwrap();
    let issued = setup.credentials(&bob_id, Some(&bob), None).await.unwrap();
    assert_eq!(issued["principalTags"]["client"], setup.client_id.as_str());
    let sub = setup
        .emulator
        .idp
        .admin_get_user()
        .user_pool_id(&setup.user_pool_id)
        .username("bob")
        .send()
        .await
        .unwrap()
        .user_attributes()
        .iter()
        .find(|a| a.name() == "sub")
        .unwrap()
        .value()
        .unwrap()
        .to_string();
    assert_eq!(issued["principalTags"]["username"], sub.as_str());
    setup.emulator.stop().await;
}

#[tokio::test]
async fn principal_tag_maps_are_set_and_read_per_provider() {
    let emulator = crate::common::start().await;
    let ci = identity_client(&emulator.url).await;
    let provider = "cognito-idp.us-east-1.amazonaws.com/us-east-1_abc";
    let id = ci
        .create_identity_pool()
        .identity_pool_name("tags")
        .allow_unauthenticated_identities(false)
        .cognito_identity_providers(user_pool_provider("us-east-1_abc", "client1", false))
        .send()
        .await
        .unwrap()
        .identity_pool_id()
        .to_string();
    let unset = ci
        .get_principal_tag_attribute_map()
        .identity_pool_id(&id)
        .identity_provider_name(provider)
        .send()
        .await
        .unwrap();
    assert_eq!(unset.use_defaults(), Some(false));
    assert!(unset.principal_tags().is_none());
    let set = ci
        .set_principal_tag_attribute_map()
        .identity_pool_id(&id)
        .identity_provider_name(provider)
        .principal_tags("department", "custom:department")
        .use_defaults(false)
        .send()
        .await
        .unwrap();
    assert_eq!(
        set.principal_tags().unwrap()["department"],
        "custom:department"
    );
    let got = ci
        .get_principal_tag_attribute_map()
        .identity_pool_id(&id)
        .identity_provider_name(provider)
        .send()
        .await
        .unwrap();
    assert_eq!(got.identity_pool_id(), Some(id.as_str()));
    assert_eq!(got.identity_provider_name(), Some(provider));
    assert_eq!(
        got.principal_tags().unwrap()["department"],
        "custom:department"
    );
    assert_eq!(got.use_defaults(), Some(false));

    let message =
        format!("Identity provider accounts.google.com is not configured in identity pool {id}.");
    let e = ci
        .set_principal_tag_attribute_map()
        .identity_pool_id(&id)
        .identity_provider_name("accounts.google.com")
        .use_defaults(true)
        .send()
        .await
        .map_err(ierr)
        .unwrap_err();
    assert_eq!(e, pair("InvalidParameterException", &message));
    let e = ci
        .get_principal_tag_attribute_map()
        .identity_pool_id(&id)
        .identity_provider_name("accounts.google.com")
        .send()
        .await
        .map_err(ierr)
        .unwrap_err();
    assert_eq!(e, pair("ResourceNotFoundException", &message));
    emulator.stop().await;
}
