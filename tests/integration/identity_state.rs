//! Identity pools' state: durable across restarts (with `--data-dir`), rolled back when the
//! disk refuses a write, and created from seed files.

use aws_sdk_cognitoidentity::types::RoleMappingType;
use serde_json::{json, Value};

use crate::common::{start_with, Emulator};
use crate::identity_openid::{developer_pool, developer_token};
use crate::identity_pools::{identity_client, AUTH_ROLE};

#[tokio::test]
async fn identity_pools_identities_and_the_signing_key_survive_a_restart() {
    let dir = std::env::temp_dir().join(format!("identity-durable-{}", uuid_like()));
    let config = || {
        let mut config = cognito_emulator::config::Config::default_for_tests();
        config.data_dir = Some(dir.clone());
        // The issuer is the public URL: the same across the restart.
        config.public_url = Some("http://cognito.test:9229".into());
        config
    };
    let before = start_with(config()).await;
    let ci = identity_client(&before.url).await;
    let pool_id = developer_pool(&ci).await;
    let (identity_id, token) = developer_token(&ci, &pool_id, "user-1", None)
        .await
        .unwrap();
    let arn = format!("arn:aws:cognito-identity:us-east-1:000000000000:identitypool/{pool_id}");
    ci.tag_resource()
        .resource_arn(&arn)
        .tags("k", "v")
        .send()
        .await
        .unwrap();
    let deleted = ci
        .create_identity_pool()
        .identity_pool_name("deleted")
        .allow_unauthenticated_identities(true)
        .send()
        .await
        .unwrap()
        .identity_pool_id()
        .to_string();
    ci.delete_identity_pool()
        .identity_pool_id(&deleted)
        .send()
        .await
        .unwrap();
    before.stop().await;

    let after = start_with(config()).await;
    let ci = identity_client(&after.url).await;
    let pools = ci
        .list_identity_pools()
        .max_results(10)
        .send()
        .await
        .unwrap();
    assert_eq!(pools.identity_pools().len(), 1);
    let roles = ci
        .get_identity_pool_roles()
        .identity_pool_id(&pool_id)
        .send()
        .await
        .unwrap();
    assert_eq!(roles.roles().unwrap()["authenticated"], AUTH_ROLE);
    let tags = ci
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags().unwrap()["k"], "v");
    let found = ci
        .lookup_developer_identity()
        .identity_pool_id(&pool_id)
        .developer_user_identifier("user-1")
        .send()
        .await
        .unwrap();
    assert_eq!(found.identity_id(), Some(identity_id.as_str()));
    // A token signed before the restart still verifies.
    ci.get_credentials_for_identity()
        .identity_id(&identity_id)
        .logins("cognito-identity.amazonaws.com", &token)
        .send()
        .await
        .unwrap();
    after.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

fn uuid_like() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

/// A write of identity pools the disk refuses (full) is rolled back in memory too: the
/// caller gets InternalErrorException, the pool does not exist, and after a restart memory
/// equals what the disk acknowledged.
#[tokio::test]
async fn a_refused_identity_pool_write_is_rolled_back() {
    use std::process::Command;
    let dir = std::env::temp_dir().join(format!("identity-full-{}", uuid_like()));
    std::fs::create_dir_all(&dir).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=256k", "tmpfs"])
        .arg(&dir)
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("skipped: cannot mount a small tmpfs here (needs root / CAP_SYS_ADMIN)");
        let _ = std::fs::remove_dir_all(&dir);
        return;
    }
    let unmount = || {
        let _ = Command::new("umount").arg(&dir).status();
        let _ = std::fs::remove_dir_all(&dir);
    };
    let config = || {
        let mut config = cognito_emulator::config::Config::default_for_tests();
        config.data_dir = Some(dir.clone());
        config
    };
    let emulator = start_with(config()).await;
    let tags: serde_json::Map<String, Value> = (0..50)
        .map(|i| (format!("tag{i}"), json!("x".repeat(250))))
        .collect();
    let mut created = 0;
    let mut refused = None;
    for i in 0..2_000 {
        let body = json!({"IdentityPoolName": format!("pool{i}"), "AllowUnauthenticatedIdentities": true,
                          "IdentityPoolTags": tags});
        let (status, _, answer) = emulator
            .call(
                "AWSCognitoIdentityService.CreateIdentityPool",
                &body.to_string(),
            )
            .await;
        if status == 200 {
            created += 1;
        } else {
            refused = Some((i, status, answer));
            break;
        }
    }
    let Some((i, status, answer)) = refused else {
        unmount();
        panic!("the disk never filled up");
    };
    assert_eq!(status, 500, "{answer}");
    assert_eq!(answer["__type"], "InternalErrorException");
    let listed = |emulator: &Emulator| {
        let names: Vec<String> = emulator
            .app
            .identity
            .read()
            .pools
            .values()
            .map(|p| p.config.identity_pool_name.clone())
            .collect();
        names
    };
    let names = listed(&emulator);
    assert!(!names.contains(&format!("pool{i}")), "not in memory either");
    assert_eq!(names.len(), created);
    emulator.stop().await;
    let after = start_with(config()).await;
    assert_eq!(listed(&after).len(), created);
    after.stop().await;
    unmount();
}

#[tokio::test]
async fn the_example_seed_creates_an_identity_pool_with_a_fixed_id_and_roles() {
    let emulator = crate::common::start().await;
    let ci = identity_client(&emulator.url).await;
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/seed.example.yaml");
    for _ in 0..2 {
        cognito_emulator::seed::apply_file(&emulator.app, example.as_ref())
            .await
            .unwrap();
    }
    let id = "us-east-1:00000000-0000-4000-8000-00000000e001";
    let pools = ci
        .list_identity_pools()
        .max_results(60)
        .send()
        .await
        .unwrap();
    assert_eq!(
        pools.identity_pools().len(),
        1,
        "applying twice creates one pool"
    );
    let pool = ci
        .describe_identity_pool()
        .identity_pool_id(id)
        .send()
        .await
        .unwrap();
    assert_eq!(pool.identity_pool_name(), "example_identities");
    assert!(pool.allow_unauthenticated_identities());
    assert_eq!(
        pool.cognito_identity_providers()[0].client_id(),
        Some("exampleweb0000000000000000")
    );
    let roles = ci
        .get_identity_pool_roles()
        .identity_pool_id(id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        roles.roles().unwrap()["unauthenticated"],
        "arn:aws:iam::000000000000:role/example-guest"
    );
    let key = "cognito-idp.us-east-1.amazonaws.com/us-east-1_Example01:exampleweb0000000000000000";
    assert_eq!(
        roles.role_mappings().unwrap()[key].r#type(),
        &RoleMappingType::Token
    );
    // A guest of the seeded pool gets the seeded role.
    let guest = ci.get_id().identity_pool_id(id).send().await.unwrap();
    let output = ci
        .get_credentials_for_identity()
        .identity_id(guest.identity_id().unwrap())
        .send()
        .await
        .unwrap();
    let key = output.credentials().unwrap().access_key_id().unwrap();
    let issued = emulator
        .get_json(&format!("{}/_emulator/credentials/{key}", emulator.url))
        .await;
    assert_eq!(
        issued["roleArn"],
        "arn:aws:iam::000000000000:role/example-guest"
    );
    emulator.stop().await;
}

#[tokio::test]
async fn a_bad_identity_pool_in_a_seed_names_the_entry() {
    let emulator = crate::common::start().await;
    let seed: cognito_emulator::seed::Seed = serde_json::from_value(serde_json::json!({
        "identityPools": [{"id": "not-an-id", "name": "bad"}]
    }))
    .unwrap();
    let error = cognito_emulator::seed::apply(&emulator.app, &seed).unwrap_err();
    assert!(
        error.starts_with("identityPools[0] (bad): ValidationException: 1 validation error detected: Value 'not-an-id' at 'identityPoolId'"),
        "{error}"
    );
    emulator.stop().await;
}
