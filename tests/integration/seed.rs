//! Declarative seeding: fixed ids, idempotence, clear errors.

use aws_sdk_cognitoidentityprovider::types::AuthFlowType;
use cognito_emulator::seed;

use crate::common::{err, start};

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/seed.example.yaml");

#[tokio::test]
async fn the_example_seed_creates_fixed_ids_and_is_idempotent() {
    let emulator = start().await;
    seed::apply_file(&emulator.app, EXAMPLE.as_ref())
        .await
        .unwrap();
    seed::apply_file(&emulator.app, EXAMPLE.as_ref())
        .await
        .unwrap();

    let pool = emulator
        .idp
        .describe_user_pool()
        .user_pool_id("us-east-1_Example01")
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap();
    assert_eq!(pool.name.as_deref(), Some("example"));
    assert_eq!(
        pool.arn.as_deref(),
        Some("arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_Example01")
    );
    assert_eq!(
        pool.estimated_number_of_users, 4,
        "applied twice, created once"
    );
    assert!(pool
        .schema_attributes
        .unwrap()
        .iter()
        .any(|a| a.name.as_deref() == Some("custom:tenant")));
    let pools = emulator
        .idp
        .list_user_pools()
        .max_results(10)
        .send()
        .await
        .unwrap();
    assert_eq!(pools.user_pools.unwrap().len(), 1);

    let clients = emulator
        .idp
        .list_user_pool_clients()
        .user_pool_id("us-east-1_Example01")
        .send()
        .await
        .unwrap();
    assert_eq!(clients.user_pool_clients.unwrap().len(), 3);
    assert_eq!(pool.domain.as_deref(), Some("example"));
    let servers = emulator
        .idp
        .list_resource_servers()
        .user_pool_id("us-east-1_Example01")
        .max_results(10)
        .send()
        .await
        .unwrap();
    assert_eq!(
        servers.resource_servers()[0].identifier(),
        Some("https://api.example.com")
    );
    let google = emulator
        .idp
        .describe_identity_provider()
        .user_pool_id("us-east-1_Example01")
        .provider_name("Google")
        .send()
        .await
        .unwrap()
        .identity_provider
        .unwrap();
    assert_eq!(google.attribute_mapping().unwrap()["email"], "email");
    // The machine client gets tokens with the seeded resource server's scope.
    let token = emulator
        .idp
        .get_client_token()
        .client_id("examplemachine000000000000")
        .secret("example_machine_secret_0123456789")
        .send()
        .await
        .unwrap()
        .client_authentication_result
        .unwrap()
        .access_token
        .unwrap();
    assert_eq!(
        crate::auth::claims(&token)["scope"],
        "https://api.example.com/read"
    );
    let backend = emulator
        .idp
        .describe_user_pool_client()
        .user_pool_id("us-east-1_Example01")
        .client_id("examplebackend000000000000")
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    assert_eq!(
        backend.client_secret.as_deref(),
        Some("example_backend_secret_0123456789")
    );

    // Seeded users sign in with their passwords through the fixed client id.
    let signed_in = emulator
        .idp
        .initiate_auth()
        .client_id("exampleweb0000000000000000")
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "admin@example.com")
        .auth_parameters("PASSWORD", "Admin1234")
        .send()
        .await
        .unwrap();
    let id_token = signed_in.authentication_result.unwrap().id_token.unwrap();
    let claims = crate::auth::claims(&id_token);
    assert_eq!(claims["custom:tenant"], "acme");
    assert_eq!(claims["cognito:groups"], serde_json::json!(["admins"]));

    let newbie = emulator
        .idp
        .initiate_auth()
        .client_id("exampleweb0000000000000000")
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "newbie@example.com")
        .auth_parameters("PASSWORD", "Welcome123")
        .send()
        .await
        .unwrap();
    assert_eq!(
        newbie.challenge_name.unwrap().as_str(),
        "NEW_PASSWORD_REQUIRED"
    );
    let pending = emulator
        .idp
        .initiate_auth()
        .client_id("exampleweb0000000000000000")
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "pending@example.com")
        .auth_parameters("PASSWORD", "Pending123")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(pending).0, "UserNotConfirmedException");
    let gone = emulator
        .idp
        .initiate_auth()
        .client_id("exampleweb0000000000000000")
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "gone@example.com")
        .auth_parameters("PASSWORD", "Gone12345")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(gone).1, "User is disabled.");
}

#[tokio::test]
async fn a_bad_seed_names_the_file_the_entry_and_the_problem() {
    let emulator = start().await;
    let dir = std::env::temp_dir().join(format!("seed-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    };

    let weak = write(
        "weak.yaml",
        "userPools:\n  - name: p\n    users:\n      - username: bob\n        password: short\n",
    );
    let message = seed::apply_file(&emulator.app, &weak).await.unwrap_err();
    assert_eq!(
        message,
        format!(
            "seed file {}: userPools[0] (p).users[0] (bob): InvalidPasswordException: Password did not conform with password policy: Password not long enough",
            weak.display()
        )
    );

    let typo = write("typo.yaml", "userPools:\n  - name: p\n    clientz: []\n");
    let message = seed::apply_file(&emulator.app, &typo).await.unwrap_err();
    assert!(
        message.starts_with(&format!("seed file {}: ", typo.display())),
        "{message}"
    );
    assert!(message.contains("unknown field `clientz`"), "{message}");

    let bad_id = write(
        "bad.json",
        r#"{"userPools": [{"id": "not a pool id", "name": "q"}]}"#,
    );
    let message = seed::apply_file(&emulator.app, &bad_id).await.unwrap_err();
    assert!(message.contains("userPools[0] (q): InvalidParameterException: 1 validation error detected: Value 'not a pool id' at 'userPoolId'"), "{message}");
}
