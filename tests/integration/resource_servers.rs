//! Resource servers: CRUD, paging, and the custom scopes app clients may allow (checked
//! against the pool's resource servers, taken away when a scope or server goes).

use aws_sdk_cognitoidentityprovider::types::*;

use crate::common::{err, start, Emulator};

fn scope(name: &str) -> ResourceServerScopeType {
    ResourceServerScopeType::builder()
        .scope_name(name)
        .scope_description(format!("{name} things"))
        .build()
        .unwrap()
}

async fn oauth_client(
    emulator: &Emulator,
    pool: &str,
    scopes: &[&str],
) -> Result<UserPoolClientType, (String, String)> {
    emulator
        .idp
        .create_user_pool_client()
        .user_pool_id(pool)
        .client_name("m2m")
        .generate_secret(true)
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_flows(OAuthFlowType::ClientCredentials)
        .set_allowed_o_auth_scopes(Some(scopes.iter().map(|s| s.to_string()).collect()))
        .send()
        .await
        .map(|r| r.user_pool_client.unwrap())
        .map_err(err)
}

async fn client_scopes(emulator: &Emulator, pool: &str, client_id: &str) -> Vec<String> {
    emulator
        .idp
        .describe_user_pool_client()
        .user_pool_id(pool)
        .client_id(client_id)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .allowed_o_auth_scopes()
        .to_vec()
}

#[tokio::test]
async fn resource_servers_and_client_scopes() {
    let emulator = start().await;
    let pool = emulator.pool("resources").await;
    let api = "https://api.example.com";

    // A scope must exist before a client can allow it.
    assert_eq!(
        oauth_client(&emulator, &pool, &["https://api.example.com/read"])
            .await
            .unwrap_err(),
        (
            "ScopeDoesNotExistException".into(),
            "Invalid scope requested: https://api.example.com/read".into()
        )
    );

    let created = emulator
        .idp
        .create_resource_server()
        .user_pool_id(&pool)
        .identifier(api)
        .name("Weather API")
        .scopes(scope("read"))
        .scopes(scope("write"))
        .send()
        .await
        .unwrap()
        .resource_server
        .unwrap();
    assert_eq!(created.user_pool_id(), Some(pool.as_str()));
    assert_eq!(created.identifier(), Some(api));
    assert_eq!(created.name(), Some("Weather API"));
    assert_eq!(created.scopes(), &[scope("read"), scope("write")]);

    let duplicate = emulator
        .idp
        .create_resource_server()
        .user_pool_id(&pool)
        .identifier(api)
        .name("Again")
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(
        duplicate,
        (
            "InvalidParameterException".into(),
            format!("{api} already exists in user pool {pool}.")
        )
    );
    let twice = emulator
        .idp
        .create_resource_server()
        .user_pool_id(&pool)
        .identifier("other")
        .name("Other")
        .scopes(scope("a"))
        .scopes(scope("a"))
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(
        twice,
        (
            "InvalidParameterException".into(),
            "Duplicate scope name a in the resource server.".into()
        )
    );
    // Scope names cannot contain `/` (the model's pattern).
    let slash = emulator
        .idp
        .create_resource_server()
        .user_pool_id(&pool)
        .identifier("other")
        .name("Other")
        .scopes(scope("a/b"))
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(slash.0, "InvalidParameterException");
    assert!(slash.1.contains("scopeName"), "{}", slash.1);

    let client = oauth_client(
        &emulator,
        &pool,
        &[
            "https://api.example.com/read",
            "https://api.example.com/write",
        ],
    )
    .await
    .unwrap();
    let client_id = client.client_id().unwrap();
    assert_eq!(
        oauth_client(&emulator, &pool, &["https://api.example.com/delete"])
            .await
            .unwrap_err(),
        (
            "ScopeDoesNotExistException".into(),
            "Invalid scope requested: https://api.example.com/delete".into()
        )
    );

    // An update replaces name and scopes; clients lose the scopes that went.
    let updated = emulator
        .idp
        .update_resource_server()
        .user_pool_id(&pool)
        .identifier(api)
        .name("Weather")
        .scopes(scope("read"))
        .send()
        .await
        .unwrap()
        .resource_server
        .unwrap();
    assert_eq!(updated.name(), Some("Weather"));
    assert_eq!(updated.scopes(), &[scope("read")]);
    assert_eq!(
        client_scopes(&emulator, &pool, client_id).await,
        vec!["https://api.example.com/read".to_string()]
    );
    let described = emulator
        .idp
        .describe_resource_server()
        .user_pool_id(&pool)
        .identifier(api)
        .send()
        .await
        .unwrap()
        .resource_server
        .unwrap();
    assert_eq!(described, updated);

    // Paging: identifiers in order, two per page.
    for id in ["b-api", "a-api", "c-api"] {
        emulator
            .idp
            .create_resource_server()
            .user_pool_id(&pool)
            .identifier(id)
            .name(id)
            .send()
            .await
            .unwrap();
    }
    let mut seen = Vec::new();
    let mut token = None;
    loop {
        let page = emulator
            .idp
            .list_resource_servers()
            .user_pool_id(&pool)
            .max_results(2)
            .set_next_token(token.take())
            .send()
            .await
            .unwrap();
        assert!(page.resource_servers().len() <= 2);
        seen.extend(
            page.resource_servers()
                .iter()
                .map(|s| s.identifier().unwrap().to_string()),
        );
        match page.next_token() {
            Some(next) => token = Some(next.to_string()),
            None => break,
        }
    }
    assert_eq!(seen, ["a-api", "b-api", "c-api", api]);
    let empty = emulator
        .idp
        .describe_resource_server()
        .user_pool_id(&pool)
        .identifier("a-api")
        .send()
        .await
        .unwrap()
        .resource_server
        .unwrap();
    assert!(empty.scopes().is_empty());

    // Deleting a resource server takes its scopes from clients.
    emulator
        .idp
        .delete_resource_server()
        .user_pool_id(&pool)
        .identifier(api)
        .send()
        .await
        .unwrap();
    assert!(client_scopes(&emulator, &pool, client_id).await.is_empty());
    let missing = emulator
        .idp
        .describe_resource_server()
        .user_pool_id(&pool)
        .identifier(api)
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(
        missing,
        (
            "ResourceNotFoundException".into(),
            format!("Resource server {api} does not exist.")
        )
    );
}
