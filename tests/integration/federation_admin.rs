//! External identities linked to users: AdminLinkProviderForUser and
//! AdminDisableProviderForUser, the `identities` attribute, and the lookup federation uses.

use aws_sdk_cognitoidentityprovider::types::*;

use crate::common::{err, start, Emulator};
use crate::identity_providers::{create_idp, GOOGLE};

fn who(provider: &str, attribute: Option<&str>, value: &str) -> ProviderUserIdentifierType {
    ProviderUserIdentifierType::builder()
        .provider_name(provider)
        .set_provider_attribute_name(attribute.map(str::to_string))
        .provider_attribute_value(value)
        .build()
}

async fn identities(emulator: &Emulator, pool: &str, username: &str) -> Option<serde_json::Value> {
    let user = emulator
        .idp
        .admin_get_user()
        .user_pool_id(pool)
        .username(username)
        .send()
        .await
        .unwrap();
    user.user_attributes()
        .iter()
        .find(|a| a.name() == "identities")
        .map(|a| serde_json::from_str(a.value().unwrap()).unwrap())
}

#[tokio::test]
async fn linking_external_identities() {
    let emulator = start().await;
    let pool = emulator.pool("links").await;
    use IdentityProviderTypeType as T;
    create_idp(&emulator, &pool, "Google", T::Google, GOOGLE)
        .await
        .unwrap();
    for name in ["alice", "bob"] {
        emulator
            .idp
            .admin_create_user()
            .user_pool_id(&pool)
            .username(name)
            .message_action(MessageActionType::Suppress)
            .send()
            .await
            .unwrap();
    }
    let link = |destination: &str, source: ProviderUserIdentifierType| {
        emulator
            .idp
            .admin_link_provider_for_user()
            .user_pool_id(&pool)
            .destination_user(who("Cognito", None, destination))
            .source_user(source)
    };

    link(
        "alice",
        who("Google", Some("Cognito_Subject"), "1234567890"),
    )
    .send()
    .await
    .unwrap();
    let linked = identities(&emulator, &pool, "alice").await.unwrap();
    let entry = &linked[0];
    assert_eq!(entry["userId"], "1234567890");
    assert_eq!(entry["providerName"], "Google");
    assert_eq!(entry["providerType"], "Google");
    assert_eq!(entry["issuer"], serde_json::Value::Null);
    assert_eq!(entry["primary"], false);
    assert!(entry["dateCreated"].as_i64().unwrap() > 1_500_000_000_000);
    {
        let state = emulator.app.store.pool(&pool).unwrap();
        let state = state.read();
        let key = cognito_emulator::idp::engine::links::linked_user(&state, "Google", "1234567890")
            .unwrap();
        assert_eq!(state.user(key).unwrap().username, "alice");
    }
    // ListUsers shows it too.
    let listed = emulator
        .idp
        .list_users()
        .user_pool_id(&pool)
        .filter("username = \"alice\"")
        .send()
        .await
        .unwrap();
    assert!(listed.users()[0]
        .attributes()
        .iter()
        .any(|a| a.name() == "identities"));

    // Linking again to the same user changes nothing; to another user is refused.
    link(
        "alice",
        who("Google", Some("Cognito_Subject"), "1234567890"),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(
        identities(&emulator, &pool, "alice")
            .await
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        err(
            link("bob", who("Google", Some("Cognito_Subject"), "1234567890"))
                .send()
                .await
                .unwrap_err()
        ),
        (
            "AliasExistsException".into(),
            "The SourceUser is already linked to another user.".into()
        )
    );
    // Social identities link by subject; the provider must exist; so must the user.
    assert_eq!(
        err(link("bob", who("Google", Some("email"), "bob@example.com"))
            .send()
            .await
            .unwrap_err()),
        (
            "InvalidParameterException".into(),
            "ProviderAttributeName must be Cognito_Subject for Google identity providers.".into()
        )
    );
    assert_eq!(
        err(link("bob", who("Facebook", Some("Cognito_Subject"), "1"))
            .send()
            .await
            .unwrap_err()),
        (
            "InvalidParameterException".into(),
            format!("The provider Facebook does not exist for User Pool {pool}")
        )
    );
    assert_eq!(
        err(link("carol", who("Google", Some("Cognito_Subject"), "2"))
            .send()
            .await
            .unwrap_err()),
        (
            "UserNotFoundException".into(),
            "User does not exist.".into()
        )
    );
    // At most five identities per user.
    for n in 2..=5 {
        link(
            "bob",
            who("Google", Some("Cognito_Subject"), &format!("g-{n}")),
        )
        .send()
        .await
        .unwrap();
    }
    link("bob", who("Google", None, "g-6"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        err(link("bob", who("Google", None, "g-7"))
            .send()
            .await
            .unwrap_err()),
        (
            "LimitExceededException".into(),
            "A user can have at most 5 linked identities.".into()
        )
    );

    // Disabling the provider for the identity removes the link.
    emulator
        .idp
        .admin_disable_provider_for_user()
        .user_pool_id(&pool)
        .user(who("Google", Some("Cognito_Subject"), "1234567890"))
        .send()
        .await
        .unwrap();
    assert_eq!(identities(&emulator, &pool, "alice").await, None);
    let again = emulator
        .idp
        .admin_disable_provider_for_user()
        .user_pool_id(&pool)
        .user(who("Google", Some("Cognito_Subject"), "1234567890"))
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(
        again,
        (
            "UserNotFoundException".into(),
            "User does not exist.".into()
        )
    );
    // The identity is free again, for another user.
    link("alice", who("Google", None, "g-6"))
        .send()
        .await
        .unwrap_err();
    emulator
        .idp
        .admin_disable_provider_for_user()
        .user_pool_id(&pool)
        .user(who("Google", None, "g-6"))
        .send()
        .await
        .unwrap();
    link("alice", who("Google", None, "g-6"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        identities(&emulator, &pool, "alice").await.unwrap()[0]["userId"],
        "g-6"
    );
}

#[tokio::test]
async fn links_and_providers_survive_a_restart() {
    use cognito_emulator::config::Config;
    let dir = std::env::temp_dir().join(format!("cognito-links-{}", uuid::Uuid::new_v4()));
    let config = || {
        let mut config = Config::default_for_tests();
        config.data_dir = Some(dir.clone());
        config
    };
    let before = crate::common::start_with(config()).await;
    let pool = before.pool("kept").await;
    create_idp(
        &before,
        &pool,
        "Google",
        IdentityProviderTypeType::Google,
        GOOGLE,
    )
    .await
    .unwrap();
    before
        .idp
        .create_resource_server()
        .user_pool_id(&pool)
        .identifier("api")
        .name("API")
        .send()
        .await
        .unwrap();
    before
        .idp
        .admin_create_user()
        .user_pool_id(&pool)
        .username("alice")
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    before
        .idp
        .admin_link_provider_for_user()
        .user_pool_id(&pool)
        .destination_user(who("Cognito", None, "alice"))
        .source_user(who("Google", None, "g-1"))
        .send()
        .await
        .unwrap();
    before.stop().await;

    let after = crate::common::start_with(config()).await;
    let provider = after
        .idp
        .describe_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Google")
        .send()
        .await
        .unwrap()
        .identity_provider
        .unwrap();
    assert_eq!(
        provider.provider_details().unwrap()["client_id"],
        "google-client"
    );
    let server = after
        .idp
        .describe_resource_server()
        .user_pool_id(&pool)
        .identifier("api")
        .send()
        .await
        .unwrap()
        .resource_server
        .unwrap();
    assert_eq!(server.name(), Some("API"));
    assert_eq!(
        identities(&after, &pool, "alice").await.unwrap()[0]["userId"],
        "g-1"
    );
    {
        let state = after.app.store.pool(&pool).unwrap();
        let state = state.read();
        let key = cognito_emulator::idp::engine::links::linked_user(&state, "Google", "g-1");
        assert_eq!(state.user(key.unwrap()).unwrap().username, "alice");
    }
    after.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}
