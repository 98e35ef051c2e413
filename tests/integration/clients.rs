//! App clients through the SDK: defaults, token validities, OAuth rules, attribute
//! permissions, update as a full replacement, listing, and client secret rotation.

use std::collections::HashSet;

use aws_sdk_cognitoidentityprovider::types::*;
use serde_json::json;

use crate::common::{err, start, Emulator};

fn is_client_id(id: &str) -> bool {
    id.len() == 26
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
}

fn units(
    client: &UserPoolClientType,
) -> (
    Option<&TimeUnitsType>,
    Option<&TimeUnitsType>,
    Option<&TimeUnitsType>,
) {
    let units = client.token_validity_units().expect("token validity units");
    (
        units.access_token(),
        units.id_token(),
        units.refresh_token(),
    )
}

fn validities(client: &UserPoolClientType) -> (Option<i32>, Option<i32>, Option<i32>) {
    (
        client.access_token_validity(),
        client.id_token_validity(),
        Some(client.refresh_token_validity()),
    )
}

async fn describe(emulator: &Emulator, pool: &str, client: &str) -> UserPoolClientType {
    emulator
        .idp
        .describe_user_pool_client()
        .user_pool_id(pool)
        .client_id(client)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
}

#[tokio::test]
async fn create_user_pool_client_fills_in_defaults() {
    let emulator = start().await;
    let pool = emulator.pool("clients").await;
    let created = emulator
        .idp
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("web")
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    let id = created.client_id().unwrap().to_string();
    assert!(is_client_id(&id), "{id}");
    let described = describe(&emulator, &pool, &id).await;
    assert_eq!(created, described);
    for client in [&created, &described] {
        assert_eq!(client.user_pool_id(), Some(pool.as_str()));
        assert_eq!(client.client_name(), Some("web"));
        assert_eq!(client.client_secret(), None);
        assert!(client.creation_date().is_some());
        assert_eq!(validities(client), (Some(60), Some(60), Some(30)));
        assert_eq!(
            units(client),
            (
                Some(&TimeUnitsType::Minutes),
                Some(&TimeUnitsType::Minutes),
                Some(&TimeUnitsType::Days)
            )
        );
        let flows: HashSet<&ExplicitAuthFlowsType> = client.explicit_auth_flows().iter().collect();
        assert_eq!(
            flows,
            HashSet::from([
                &ExplicitAuthFlowsType::AllowRefreshTokenAuth,
                &ExplicitAuthFlowsType::AllowUserSrpAuth,
                &ExplicitAuthFlowsType::AllowCustomAuth,
            ])
        );
        assert_eq!(client.explicit_auth_flows().len(), 3);
        assert_eq!(client.enable_token_revocation(), Some(true));
        assert_eq!(client.auth_session_validity(), Some(3));
        assert_eq!(
            client.prevent_user_existence_errors(),
            Some(&PreventUserExistenceErrorTypes::Legacy)
        );
        assert_eq!(client.allowed_o_auth_flows_user_pool_client(), Some(false));
        assert_eq!(
            client.enable_propagate_additional_user_context_data(),
            Some(false)
        );
        assert!(client.allowed_o_auth_flows().is_empty());
        assert!(client.read_attributes().is_empty());
    }

    // A generated secret comes back from create and describe alike.
    let confidential = emulator
        .idp
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("server")
        .generate_secret(true)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    let secret = confidential
        .client_secret()
        .expect("generated secret")
        .to_string();
    assert!((24..=64).contains(&secret.len()), "{secret}");
    assert!(
        secret.chars().all(|c| c.is_ascii_alphanumeric()),
        "{secret}"
    );
    let confidential_id = confidential.client_id().unwrap();
    assert!(is_client_id(confidential_id));
    assert_ne!(confidential_id, id);
    let described = describe(&emulator, &pool, confidential_id).await;
    assert_eq!(described.client_secret(), Some(secret.as_str()));

    // Explicit flows given replace the default set.
    let password_client = emulator
        .idp
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("password")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled)
        .enable_token_revocation(false)
        .auth_session_validity(10)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    assert_eq!(
        password_client.explicit_auth_flows(),
        &[
            ExplicitAuthFlowsType::AllowUserPasswordAuth,
            ExplicitAuthFlowsType::AllowRefreshTokenAuth
        ]
    );
    assert_eq!(
        password_client.prevent_user_existence_errors(),
        Some(&PreventUserExistenceErrorTypes::Enabled)
    );
    assert_eq!(password_client.enable_token_revocation(), Some(false));
    assert_eq!(password_client.auth_session_validity(), Some(10));

    let missing = "abcdefghijklmnopqrstuvwxyz";
    let (code, message) = err(emulator
        .idp
        .describe_user_pool_client()
        .user_pool_id(&pool)
        .client_id(missing)
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "ResourceNotFoundException");
    assert_eq!(
        message,
        format!("User pool client {missing} does not exist.")
    );
    let (code, message) = err(emulator
        .idp
        .create_user_pool_client()
        .user_pool_id("us-east-1_Missing00")
        .client_name("x")
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "ResourceNotFoundException");
    assert_eq!(message, "User pool us-east-1_Missing00 does not exist.");
}

#[tokio::test]
async fn token_validities_with_and_without_units() {
    let emulator = start().await;
    let pool = emulator.pool("validity").await;

    // Without units the numbers are hours (access, ID) and days (refresh).
    let client = emulator
        .idp
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("no-units")
        .access_token_validity(2)
        .id_token_validity(3)
        .refresh_token_validity(10)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    assert_eq!(validities(&client), (Some(2), Some(3), Some(10)));
    assert_eq!(
        units(&client),
        (
            Some(&TimeUnitsType::Hours),
            Some(&TimeUnitsType::Hours),
            Some(&TimeUnitsType::Days)
        )
    );
    let described = describe(&emulator, &pool, client.client_id().unwrap()).await;
    assert_eq!(validities(&described), (Some(2), Some(3), Some(10)));

    let client = emulator
        .idp
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("units")
        .access_token_validity(30)
        .id_token_validity(1)
        .refresh_token_validity(120)
        .token_validity_units(
            TokenValidityUnitsType::builder()
                .access_token(TimeUnitsType::Minutes)
                .id_token(TimeUnitsType::Hours)
                .refresh_token(TimeUnitsType::Minutes)
                .build(),
        )
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    assert_eq!(validities(&client), (Some(30), Some(1), Some(120)));
    assert_eq!(
        units(&client),
        (
            Some(&TimeUnitsType::Minutes),
            Some(&TimeUnitsType::Hours),
            Some(&TimeUnitsType::Minutes)
        )
    );

    // A unit without a value: the default duration expressed in that unit.
    let client = emulator
        .idp
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("unit-only")
        .token_validity_units(
            TokenValidityUnitsType::builder()
                .access_token(TimeUnitsType::Hours)
                .build(),
        )
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    assert_eq!(validities(&client), (Some(1), Some(60), Some(30)));

    let out_of_range = [
        // 2 days of access token (max 1 day).
        (Some(2), Some(TimeUnitsType::Days), None, None),
        // 25 hours, no unit.
        (Some(25), None, None, None),
        // 4 minutes of ID token (min 5 minutes).
        (None, None, Some(4), Some(TimeUnitsType::Minutes)),
    ];
    for (access, access_unit, id_token, id_unit) in out_of_range {
        let (code, message) = err(emulator
            .idp
            .create_user_pool_client()
            .user_pool_id(&pool)
            .client_name("bad")
            .set_access_token_validity(access)
            .set_id_token_validity(id_token)
            .token_validity_units(
                TokenValidityUnitsType::builder()
                    .set_access_token(access_unit)
                    .set_id_token(id_unit)
                    .build(),
            )
            .send()
            .await
            .unwrap_err());
        assert_eq!(code, "InvalidParameterException");
        assert_eq!(message, "Invalid range for token validity.");
    }
    // Refresh tokens: at least an hour, at most ten years.
    for (value, unit) in [(59, TimeUnitsType::Minutes), (3651, TimeUnitsType::Days)] {
        let (code, message) = err(emulator
            .idp
            .create_user_pool_client()
            .user_pool_id(&pool)
            .client_name("bad-refresh")
            .refresh_token_validity(value)
            .token_validity_units(
                TokenValidityUnitsType::builder()
                    .refresh_token(unit)
                    .build(),
            )
            .send()
            .await
            .unwrap_err());
        assert_eq!(
            (code.as_str(), message.as_str()),
            (
                "InvalidParameterException",
                "Invalid range for token validity."
            )
        );
    }
    let listed = emulator
        .idp
        .list_user_pool_clients()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    assert_eq!(
        listed.user_pool_clients().len(),
        3,
        "refused clients are not created"
    );
}

#[tokio::test]
async fn oauth_settings_are_checked_together() {
    let emulator = start().await;
    let pool = emulator.pool("oauth").await;
    let base = || {
        emulator
            .idp
            .create_user_pool_client()
            .user_pool_id(&pool)
            .client_name("oauth")
            .allowed_o_auth_flows_user_pool_client(true)
    };

    let (code, message) = err(base()
        .generate_secret(true)
        .allowed_o_auth_flows(OAuthFlowType::ClientCredentials)
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_scopes("api/read")
        .callback_urls("https://app.example.com/cb")
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        message,
        "client_credentials flow can not be selected along with code flow or implicit flow."
    );

    let (code, message) = err(base()
        .allowed_o_auth_flows(OAuthFlowType::ClientCredentials)
        .allowed_o_auth_scopes("api/read")
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        message,
        "client_credentials flow can not be selected if client does not have a client secret."
    );

    let (code, message) = err(base()
        .generate_secret(true)
        .allowed_o_auth_flows(OAuthFlowType::ClientCredentials)
        .allowed_o_auth_scopes("openid")
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        message,
        "client_credentials flow can only be used with custom scopes."
    );

    let (code, message) = err(base()
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_scopes("openid")
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        message,
        "CallbackURLs must be specified for the code and implicit flows."
    );

    let (code, message) = err(base()
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_scopes("openid")
        .callback_urls("https://app.example.com/cb")
        .default_redirect_uri("https://elsewhere.example.com/")
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        message,
        "DefaultRedirectURI must be one of the CallbackURLs."
    );

    let (code, message) = err(base()
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_scopes("openid")
        .allowed_o_auth_scopes("unknownscope")
        .callback_urls("https://app.example.com/cb")
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "ScopeDoesNotExistException");
    assert_eq!(message, "Invalid scope requested: unknownscope");

    let (code, message) = err(base()
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_scopes("openid")
        .callback_urls("https://app.example.com/cb")
        .supported_identity_providers("Google")
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        message,
        format!("The provider Google does not exist for User Pool {pool}")
    );

    // A valid code-flow client keeps everything.
    let client = base()
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_scopes("openid")
        .allowed_o_auth_scopes("email")
        .callback_urls("https://app.example.com/cb")
        .callback_urls("http://localhost:3000/cb")
        .logout_urls("https://app.example.com/bye")
        .default_redirect_uri("https://app.example.com/cb")
        .supported_identity_providers("COGNITO")
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    let described = describe(&emulator, &pool, client.client_id().unwrap()).await;
    for c in [&client, &described] {
        assert_eq!(c.allowed_o_auth_flows_user_pool_client(), Some(true));
        assert_eq!(c.allowed_o_auth_flows(), &[OAuthFlowType::Code]);
        assert_eq!(
            c.allowed_o_auth_scopes(),
            &["openid".to_string(), "email".to_string()]
        );
        assert_eq!(
            c.callback_urls(),
            &[
                "https://app.example.com/cb".to_string(),
                "http://localhost:3000/cb".to_string()
            ]
        );
        assert_eq!(
            c.logout_urls(),
            &["https://app.example.com/bye".to_string()]
        );
        assert_eq!(c.default_redirect_uri(), Some("https://app.example.com/cb"));
        assert_eq!(c.supported_identity_providers(), &["COGNITO".to_string()]);
    }

    // A confidential client-credentials client with a custom scope (of a resource server).
    emulator
        .idp
        .create_resource_server()
        .user_pool_id(&pool)
        .identifier("api")
        .name("API")
        .scopes(
            ResourceServerScopeType::builder()
                .scope_name("read")
                .scope_description("Read")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let machine = base()
        .generate_secret(true)
        .allowed_o_auth_flows(OAuthFlowType::ClientCredentials)
        .allowed_o_auth_scopes("api/read")
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    assert_eq!(
        machine.allowed_o_auth_flows(),
        &[OAuthFlowType::ClientCredentials]
    );
    assert!(machine.client_secret().is_some());
}

#[tokio::test]
async fn read_and_write_attributes_must_exist_in_the_schema() {
    let emulator = start().await;
    let pool = emulator
        .idp
        .create_user_pool()
        .pool_name("attributes")
        .schema(
            SchemaAttributeType::builder()
                .name("tier")
                .attribute_data_type(AttributeDataType::String)
                .build(),
        )
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let client = emulator
        .idp
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("app")
        .read_attributes("email")
        .read_attributes("email_verified")
        .read_attributes("custom:tier")
        .write_attributes("email")
        .write_attributes("custom:tier")
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    let id = client.client_id().unwrap().to_string();
    let described = describe(&emulator, &pool, &id).await;
    assert_eq!(
        described.read_attributes(),
        &[
            "email".to_string(),
            "email_verified".to_string(),
            "custom:tier".to_string()
        ]
    );
    assert_eq!(
        described.write_attributes(),
        &["email".to_string(), "custom:tier".to_string()]
    );

    let (code, message) = err(emulator
        .idp
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("bad")
        .read_attributes("custom:nope")
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        message,
        "Invalid read attributes specified while creating a client"
    );
    for bad in ["sub", "favourite_colour"] {
        let (code, message) = err(emulator
            .idp
            .create_user_pool_client()
            .user_pool_id(&pool)
            .client_name("bad")
            .write_attributes(bad)
            .send()
            .await
            .unwrap_err());
        assert_eq!(code, "InvalidParameterException");
        assert_eq!(
            message, "Invalid write attributes specified while creating a client",
            "{bad}"
        );
    }
    let (code, message) = err(emulator
        .idp
        .update_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&id)
        .write_attributes("sub")
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        message,
        "Invalid write attributes specified while updating a client"
    );
    let (code, message) = err(emulator
        .idp
        .update_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&id)
        .read_attributes("nope")
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        message,
        "Invalid read attributes specified while updating a client"
    );
    // The refused update changed nothing.
    assert_eq!(describe(&emulator, &pool, &id).await, described);
}

#[tokio::test]
async fn update_user_pool_client_resets_omitted_settings_but_keeps_the_secret() {
    let emulator = start().await;
    let pool = emulator.pool("update").await;
    let created = emulator
        .idp
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("original")
        .generate_secret(true)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .access_token_validity(2)
        .prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled)
        .read_attributes("email")
        .enable_token_revocation(false)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    let id = created.client_id().unwrap().to_string();
    let secret = created.client_secret().unwrap().to_string();

    let updated = emulator
        .idp
        .update_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&id)
        .client_name("renamed")
        .refresh_token_validity(5)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    let described = describe(&emulator, &pool, &id).await;
    assert_eq!(updated, described);
    assert_eq!(described.client_id(), Some(id.as_str()));
    assert_eq!(described.client_name(), Some("renamed"));
    assert_eq!(described.client_secret(), Some(secret.as_str()));
    assert_eq!(described.creation_date(), created.creation_date());
    assert!(
        described.last_modified_date().unwrap().as_secs_f64()
            >= created.last_modified_date().unwrap().as_secs_f64()
    );
    // Omitted settings are back to their defaults.
    assert_eq!(validities(&described), (Some(60), Some(60), Some(5)));
    assert_eq!(
        units(&described),
        (
            Some(&TimeUnitsType::Minutes),
            Some(&TimeUnitsType::Minutes),
            Some(&TimeUnitsType::Days)
        )
    );
    assert_eq!(described.explicit_auth_flows().len(), 3);
    assert!(described
        .explicit_auth_flows()
        .contains(&ExplicitAuthFlowsType::AllowUserSrpAuth));
    assert_eq!(
        described.prevent_user_existence_errors(),
        Some(&PreventUserExistenceErrorTypes::Legacy)
    );
    assert!(described.read_attributes().is_empty());
    assert_eq!(described.enable_token_revocation(), Some(true));

    // Without ClientName the name stays.
    emulator
        .idp
        .update_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        describe(&emulator, &pool, &id).await.client_name(),
        Some("renamed")
    );

    let (code, message) = err(emulator
        .idp
        .update_user_pool_client()
        .user_pool_id(&pool)
        .client_id("abcdefghijklmnopqrstuvwxyz")
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "ResourceNotFoundException");
    assert_eq!(
        message,
        "User pool client abcdefghijklmnopqrstuvwxyz does not exist."
    );
}

#[tokio::test]
async fn list_and_delete_user_pool_clients() {
    let emulator = start().await;
    let pool = emulator.pool("list").await;
    let other_pool = emulator.pool("other").await;
    let mut created = HashSet::new();
    for i in 0..5 {
        let client = emulator
            .idp
            .create_user_pool_client()
            .user_pool_id(&pool)
            .client_name(format!("client-{i}"))
            .send()
            .await
            .unwrap()
            .user_pool_client
            .unwrap();
        created.insert((
            client.client_id().unwrap().to_string(),
            format!("client-{i}"),
        ));
    }
    emulator
        .idp
        .create_user_pool_client()
        .user_pool_id(&other_pool)
        .client_name("elsewhere")
        .send()
        .await
        .unwrap();

    let mut seen = Vec::new();
    let mut sizes = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = emulator
            .idp
            .list_user_pool_clients()
            .user_pool_id(&pool)
            .max_results(2)
            .set_next_token(token.take())
            .send()
            .await
            .unwrap();
        sizes.push(page.user_pool_clients().len());
        for client in page.user_pool_clients() {
            assert_eq!(client.user_pool_id(), Some(pool.as_str()));
            seen.push((
                client.client_id().unwrap().to_string(),
                client.client_name().unwrap().to_string(),
            ));
        }
        match page.next_token() {
            Some(next) => token = Some(next.to_string()),
            None => break,
        }
    }
    assert_eq!(sizes, vec![2, 2, 1]);
    assert_eq!(seen.len(), 5);
    assert_eq!(seen.into_iter().collect::<HashSet<_>>(), created);

    let (victim, _) = created.iter().next().unwrap().clone();
    emulator
        .idp
        .delete_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&victim)
        .send()
        .await
        .unwrap();
    let listed = emulator
        .idp
        .list_user_pool_clients()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.user_pool_clients().len(), 4);
    assert!(listed
        .user_pool_clients()
        .iter()
        .all(|c| c.client_id() != Some(victim.as_str())));
    assert_eq!(listed.next_token(), None);
    for result in [
        emulator
            .idp
            .describe_user_pool_client()
            .user_pool_id(&pool)
            .client_id(&victim)
            .send()
            .await
            .map(|_| ())
            .map_err(err),
        emulator
            .idp
            .delete_user_pool_client()
            .user_pool_id(&pool)
            .client_id(&victim)
            .send()
            .await
            .map(|_| ())
            .map_err(err),
    ] {
        let (code, message) = result.unwrap_err();
        assert_eq!(code, "ResourceNotFoundException");
        assert_eq!(
            message,
            format!("User pool client {victim} does not exist.")
        );
    }
    // A client belongs to its pool only.
    let (survivor, _) = created
        .iter()
        .find(|(id, _)| *id != victim)
        .unwrap()
        .clone();
    let (code, _) = err(emulator
        .idp
        .describe_user_pool_client()
        .user_pool_id(&other_pool)
        .client_id(&survivor)
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "ResourceNotFoundException");
}

#[tokio::test]
async fn client_secrets_rotate_with_at_most_two() {
    let emulator = start().await;
    let pool = emulator.pool("secrets").await;
    let client = emulator
        .idp
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("rotating")
        .generate_secret(true)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    let id = client.client_id().unwrap().to_string();
    let first_value = client.client_secret().unwrap().to_string();

    let listed = emulator
        .idp
        .list_user_pool_client_secrets()
        .user_pool_id(&pool)
        .client_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.client_secrets().len(), 1);
    let first = &listed.client_secrets()[0];
    let first_id = first.client_secret_id().unwrap().to_string();
    assert!(first_id.starts_with(&format!("{id}--")), "{first_id}");
    assert!(
        first_id[id.len() + 2..].chars().all(|c| c.is_ascii_digit()),
        "{first_id}"
    );
    assert_eq!(
        first.client_secret_value(),
        None,
        "listing never shows values"
    );
    assert!(first.client_secret_create_date().is_some());

    let added = emulator
        .idp
        .add_user_pool_client_secret()
        .user_pool_id(&pool)
        .client_id(&id)
        .send()
        .await
        .unwrap()
        .client_secret_descriptor
        .unwrap();
    let second_value = added
        .client_secret_value()
        .expect("value on add")
        .to_string();
    let second_id = added.client_secret_id().unwrap().to_string();
    assert_ne!(second_value, first_value);
    assert_ne!(second_id, first_id);
    assert!(second_id.starts_with(&format!("{id}--")));

    let listed = emulator
        .idp
        .list_user_pool_client_secrets()
        .user_pool_id(&pool)
        .client_id(&id)
        .send()
        .await
        .unwrap();
    let ids: Vec<&str> = listed
        .client_secrets()
        .iter()
        .filter_map(|s| s.client_secret_id())
        .collect();
    assert_eq!(ids, vec![first_id.as_str(), second_id.as_str()]);
    assert!(listed
        .client_secrets()
        .iter()
        .all(|s| s.client_secret_value().is_none()));
    assert_eq!(listed.next_token(), None);
    // Describe shows the first secret.
    assert_eq!(
        describe(&emulator, &pool, &id).await.client_secret(),
        Some(first_value.as_str())
    );

    // A third is refused (raw call: the SDK would retry LimitExceededException).
    let (status, body) = emulator
        .idp_call(
            "AddUserPoolClientSecret",
            json!({"UserPoolId": pool, "ClientId": id, "ClientSecret": "ThirdSecretValue0123456789"}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["__type"], "LimitExceededException");
    assert_eq!(
        body["message"],
        format!("Client {id} already has the maximum of 2 client secrets.")
    );

    // Deleting the first makes the second the one describe shows.
    emulator
        .idp
        .delete_user_pool_client_secret()
        .user_pool_id(&pool)
        .client_id(&id)
        .client_secret_id(&first_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        describe(&emulator, &pool, &id).await.client_secret(),
        Some(second_value.as_str())
    );

    // A custom secret value is kept as given.
    let custom = emulator
        .idp
        .add_user_pool_client_secret()
        .user_pool_id(&pool)
        .client_id(&id)
        .client_secret("CustomSecretValue0123456789")
        .send()
        .await
        .unwrap()
        .client_secret_descriptor
        .unwrap();
    assert_eq!(
        custom.client_secret_value(),
        Some("CustomSecretValue0123456789")
    );
    let custom_id = custom.client_secret_id().unwrap().to_string();
    emulator
        .idp
        .delete_user_pool_client_secret()
        .user_pool_id(&pool)
        .client_id(&id)
        .client_secret_id(&second_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        describe(&emulator, &pool, &id).await.client_secret(),
        Some("CustomSecretValue0123456789")
    );

    let (code, message) = err(emulator
        .idp
        .delete_user_pool_client_secret()
        .user_pool_id(&pool)
        .client_id(&id)
        .client_secret_id(&custom_id)
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        message,
        "The last client secret of a client cannot be deleted."
    );

    let (code, message) = err(emulator
        .idp
        .delete_user_pool_client_secret()
        .user_pool_id(&pool)
        .client_id(&id)
        .client_secret_id(&first_id)
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "ResourceNotFoundException");
    assert_eq!(message, format!("Client secret {first_id} does not exist."));

    let (code, _) = err(emulator
        .idp
        .list_user_pool_client_secrets()
        .user_pool_id(&pool)
        .client_id("abcdefghijklmnopqrstuvwxyz")
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "ResourceNotFoundException");
}
