//! Hosted-UI domains: prefix and custom domains, one per pool, unique across pools, found
//! again by host name, and kept across a restart.

use aws_sdk_cognitoidentityprovider::types::*;
use cognito_emulator::config::Config;

use crate::common::{err, start, start_with, Emulator};

const CERT: &str =
    "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555";

async fn create_prefix(
    emulator: &Emulator,
    pool: &str,
    domain: &str,
) -> Result<(), (String, String)> {
    emulator
        .idp
        .create_user_pool_domain()
        .user_pool_id(pool)
        .domain(domain)
        .send()
        .await
        .map(|_| ())
        .map_err(err)
}

#[tokio::test]
async fn prefix_domain_lifecycle() {
    let emulator = start().await;
    let pool = emulator.pool("domains").await;
    let other = emulator.pool("other").await;

    let created = emulator
        .idp
        .create_user_pool_domain()
        .user_pool_id(&pool)
        .domain("my-app-1")
        .send()
        .await
        .unwrap();
    assert_eq!(created.cloud_front_domain(), None);
    assert_eq!(created.managed_login_version(), Some(1));

    let description = emulator
        .idp
        .describe_user_pool_domain()
        .domain("my-app-1")
        .send()
        .await
        .unwrap()
        .domain_description
        .unwrap();
    assert_eq!(description.user_pool_id(), Some(pool.as_str()));
    assert_eq!(description.domain(), Some("my-app-1"));
    assert_eq!(description.aws_account_id().map(str::len), Some(12));
    assert_eq!(description.s3_bucket(), Some("aws-cognito-prod-iad-assets"));
    let cloudfront = description.cloud_front_distribution().unwrap();
    assert!(cloudfront.starts_with('d') && cloudfront.ends_with(".cloudfront.net"));
    assert_eq!(cloudfront.len(), "d".len() + 13 + ".cloudfront.net".len());
    assert_eq!(description.status(), Some(&DomainStatusType::Active));
    assert_eq!(description.version().map(str::len), Some(14));
    assert_eq!(description.managed_login_version(), Some(1));
    assert!(description.custom_domain_config().is_none());

    let described = emulator
        .idp
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap();
    assert_eq!(described.domain(), Some("my-app-1"));
    assert_eq!(described.custom_domain(), None);

    // Found by prefix or by its host name in the pool's region, whatever the case or port.
    let store = &emulator.app.store;
    assert_eq!(store.pool_of_domain("my-app-1"), Some(pool.clone()));
    assert_eq!(
        store.pool_of_domain("My-App-1.auth.us-east-1.amazoncognito.com:443"),
        Some(pool.clone())
    );
    assert_eq!(
        store.pool_of_domain("my-app-1.auth.eu-west-1.amazoncognito.com"),
        None
    );
    assert_eq!(
        store.pool_of_domain("nope.auth.us-east-1.amazoncognito.com"),
        None
    );

    // One domain per pool, and each domain belongs to one pool.
    assert_eq!(
        create_prefix(&emulator, &pool, "my-app-2").await,
        Err((
            "InvalidParameterException".into(),
            "User pool already has a domain configured.".into()
        ))
    );
    assert_eq!(
        create_prefix(&emulator, &other, "my-app-1").await,
        Err((
            "InvalidParameterException".into(),
            "Domain already associated with another user pool.".into()
        ))
    );

    // A pool with a domain cannot be deleted.
    let refused = emulator
        .idp
        .delete_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(
        refused,
        (
            "InvalidParameterException".into(),
            "User pool cannot be deleted. It has a domain configured that should be deleted first."
                .into()
        )
    );

    // Deleting names the domain; a wrong name is refused.
    let wrong = emulator
        .idp
        .delete_user_pool_domain()
        .user_pool_id(&other)
        .domain("my-app-1")
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(
        wrong,
        (
            "InvalidParameterException".into(),
            "No such domain or user pool exists.".into()
        )
    );
    emulator
        .idp
        .delete_user_pool_domain()
        .user_pool_id(&pool)
        .domain("my-app-1")
        .send()
        .await
        .unwrap();
    let gone = emulator
        .idp
        .describe_user_pool_domain()
        .domain("my-app-1")
        .send()
        .await
        .unwrap()
        .domain_description
        .unwrap();
    assert_eq!(gone, DomainDescriptionType::builder().build());
    assert_eq!(store.pool_of_domain("my-app-1"), None);
    let described = emulator
        .idp
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap();
    assert_eq!(described.domain(), None);

    // The freed name can go to another pool; the pool itself can now be deleted.
    create_prefix(&emulator, &other, "my-app-1").await.unwrap();
    assert_eq!(store.pool_of_domain("my-app-1"), Some(other.clone()));
    emulator
        .idp
        .delete_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn prefixes_are_checked() {
    let emulator = start().await;
    let pool = emulator.pool("prefixes").await;
    let invalid = "The domain name contains an invalid character. Domain names can only contain lower-case letters, numbers, and hyphens. Please enter a different name that follows this format: ^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$";
    for bad in ["My-App", "-app", "app-", "auth.example.com", "under_score"] {
        assert_eq!(
            create_prefix(&emulator, &pool, bad).await,
            Err(("InvalidParameterException".into(), invalid.into())),
            "{bad}"
        );
    }
    for (bad, word) in [
        ("my-aws-app", "aws"),
        ("amazonapp", "amazon"),
        ("newcognito", "cognito"),
    ] {
        assert_eq!(
            create_prefix(&emulator, &pool, bad).await,
            Err((
                "InvalidParameterException".into(),
                format!("Domain cannot contain reserved word: {word}")
            ))
        );
    }
    let unknown_pool = create_prefix(&emulator, "us-east-1_nothere", "fine").await;
    assert_eq!(
        unknown_pool,
        Err((
            "ResourceNotFoundException".into(),
            "User pool us-east-1_nothere does not exist.".into()
        ))
    );
    let version = emulator
        .idp
        .create_user_pool_domain()
        .user_pool_id(&pool)
        .domain("fine")
        .managed_login_version(3)
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(version.0, "InvalidParameterException");
    assert_eq!(
        version.1,
        "Invalid ManagedLoginVersion 3: the version must be 1 or 2."
    );
}

#[tokio::test]
async fn custom_domain_and_updates() {
    let emulator = start().await;
    let pool = emulator.pool("custom").await;
    let config = |arn: &str| {
        CustomDomainConfigType::builder()
            .certificate_arn(arn)
            .build()
            .unwrap()
    };
    let bad_cert = emulator
        .idp
        .create_user_pool_domain()
        .user_pool_id(&pool)
        .domain("auth.example.com")
        .custom_domain_config(config("arn:aws:acm:eu-west-1:123456789012:certificate/abc"))
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(
        bad_cert,
        (
            "InvalidParameterException".into(),
            "The certificate arn:aws:acm:eu-west-1:123456789012:certificate/abc must be an ACM certificate in us-east-1.".into()
        )
    );
    let created = emulator
        .idp
        .create_user_pool_domain()
        .user_pool_id(&pool)
        .domain("auth.example.com")
        .custom_domain_config(config(CERT))
        .managed_login_version(2)
        .send()
        .await
        .unwrap();
    let cloudfront = created.cloud_front_domain().unwrap().to_string();
    assert!(cloudfront.starts_with('d') && cloudfront.ends_with(".cloudfront.net"));
    assert_eq!(created.managed_login_version(), Some(2));

    let description = emulator
        .idp
        .describe_user_pool_domain()
        .domain("auth.example.com")
        .send()
        .await
        .unwrap()
        .domain_description
        .unwrap();
    assert_eq!(
        description.cloud_front_distribution(),
        Some(cloudfront.as_str())
    );
    assert_eq!(
        description
            .custom_domain_config()
            .map(|c| c.certificate_arn()),
        Some(CERT)
    );
    assert_eq!(description.managed_login_version(), Some(2));
    let user_pool = emulator
        .idp
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap();
    assert_eq!(user_pool.custom_domain(), Some("auth.example.com"));
    assert_eq!(user_pool.domain(), None);
    assert_eq!(
        emulator.app.store.pool_of_domain("AUTH.example.com"),
        Some(pool.clone())
    );

    // A new certificate; the managed-login version stays when omitted.
    let new_cert = CERT.replace("5555", "6666");
    let updated = emulator
        .idp
        .update_user_pool_domain()
        .user_pool_id(&pool)
        .domain("auth.example.com")
        .custom_domain_config(config(&new_cert))
        .send()
        .await
        .unwrap();
    assert_eq!(updated.cloud_front_domain(), Some(cloudfront.as_str()));
    assert_eq!(updated.managed_login_version(), Some(2));
    let description = emulator
        .idp
        .describe_user_pool_domain()
        .domain("auth.example.com")
        .send()
        .await
        .unwrap()
        .domain_description
        .unwrap();
    assert_eq!(
        description
            .custom_domain_config()
            .map(|c| c.certificate_arn()),
        Some(new_cert.as_str())
    );
    let updated = emulator
        .idp
        .update_user_pool_domain()
        .user_pool_id(&pool)
        .domain("auth.example.com")
        .managed_login_version(1)
        .send()
        .await
        .unwrap();
    assert_eq!(updated.managed_login_version(), Some(1));

    let unknown = emulator
        .idp
        .update_user_pool_domain()
        .user_pool_id(&pool)
        .domain("login.example.com")
        .managed_login_version(2)
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(
        unknown,
        (
            "ResourceNotFoundException".into(),
            format!("Domain login.example.com does not exist in user pool {pool}.")
        )
    );

    // A prefix domain has no certificate to change.
    let prefix_pool = emulator.pool("prefix").await;
    create_prefix(&emulator, &prefix_pool, "plain")
        .await
        .unwrap();
    let refused = emulator
        .idp
        .update_user_pool_domain()
        .user_pool_id(&prefix_pool)
        .domain("plain")
        .custom_domain_config(config(CERT))
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(
        refused,
        (
            "InvalidParameterException".into(),
            "CustomDomainConfig cannot be set on a prefix domain.".into()
        )
    );
    let updated = emulator
        .idp
        .update_user_pool_domain()
        .user_pool_id(&prefix_pool)
        .domain("plain")
        .managed_login_version(2)
        .send()
        .await
        .unwrap();
    assert_eq!(updated.cloud_front_domain(), None);
    assert_eq!(updated.managed_login_version(), Some(2));
}

#[tokio::test]
async fn domains_survive_a_restart() {
    let dir = std::env::temp_dir().join(format!("cognito-domains-{}", uuid::Uuid::new_v4()));
    let config = || {
        let mut config = Config::default_for_tests();
        config.data_dir = Some(dir.clone());
        config
    };
    let before = start_with(config()).await;
    let pool = before.pool("kept").await;
    create_prefix(&before, &pool, "kept-domain").await.unwrap();
    before.stop().await;

    let after = start_with(config()).await;
    assert_eq!(
        after.app.store.pool_of_domain("kept-domain"),
        Some(pool.clone())
    );
    let other = after.pool("other").await;
    assert_eq!(
        create_prefix(&after, &other, "kept-domain").await,
        Err((
            "InvalidParameterException".into(),
            "Domain already associated with another user pool.".into()
        ))
    );
    let description = after
        .idp
        .describe_user_pool_domain()
        .domain("kept-domain")
        .send()
        .await
        .unwrap()
        .domain_description
        .unwrap();
    assert_eq!(description.user_pool_id(), Some(pool.as_str()));
    after.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}
