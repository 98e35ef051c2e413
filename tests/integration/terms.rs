//! Terms documents through the SDK: one of each name per app client, links by language,
//! listing with pagination, and the refusals.

use std::collections::HashMap;

use aws_sdk_cognitoidentityprovider::types::*;

use crate::common::{err, start, Emulator};

fn links(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

async fn create(
    emulator: &Emulator,
    pool: &str,
    client: &str,
    name: &str,
    pairs: &[(&str, &str)],
) -> TermsType {
    emulator
        .idp
        .create_terms()
        .user_pool_id(pool)
        .client_id(client)
        .terms_name(name)
        .terms_source(TermsSourceType::Link)
        .enforcement(TermsEnforcementType::None)
        .set_links(Some(links(pairs)))
        .send()
        .await
        .unwrap()
        .terms
        .unwrap()
}

#[tokio::test]
async fn terms_are_created_described_updated_and_deleted() {
    let emulator = start().await;
    let pool = emulator.pool("terms").await;
    let app = emulator.client(&pool, "app").await;
    let pairs = [
        ("cognito:default", "https://example.com/terms"),
        ("cognito:french", "https://example.com/fr/conditions"),
    ];
    let created = create(&emulator, &pool, &app, "terms-of-use", &pairs).await;
    assert_eq!(created.terms_id().len(), 36);
    assert_eq!(created.user_pool_id(), pool);
    assert_eq!(created.client_id(), app);
    assert_eq!(created.terms_name(), "terms-of-use");
    assert_eq!(created.terms_source(), &TermsSourceType::Link);
    assert_eq!(created.enforcement(), &TermsEnforcementType::None);
    assert_eq!(created.links(), &links(&pairs));
    assert_eq!(created.creation_date(), created.last_modified_date());

    let described = emulator
        .idp
        .describe_terms()
        .user_pool_id(&pool)
        .terms_id(created.terms_id())
        .send()
        .await
        .unwrap()
        .terms
        .unwrap();
    assert_eq!(described, created);
    let by_client = emulator
        .idp
        .describe_terms_by_client()
        .user_pool_id(&pool)
        .client_id(&app)
        .terms_name("terms-of-use")
        .send()
        .await
        .unwrap()
        .terms
        .unwrap();
    assert_eq!(by_client, created);

    // Only what is given changes.
    let new_links = [("cognito:english", "https://example.com/en/terms")];
    let updated = emulator
        .idp
        .update_terms()
        .user_pool_id(&pool)
        .terms_id(created.terms_id())
        .set_links(Some(links(&new_links)))
        .send()
        .await
        .unwrap()
        .terms
        .unwrap();
    assert_eq!(updated.links(), &links(&new_links));
    assert_eq!(updated.terms_name(), "terms-of-use");
    assert_eq!(updated.creation_date(), created.creation_date());
    let renamed = emulator
        .idp
        .update_terms()
        .user_pool_id(&pool)
        .terms_id(created.terms_id())
        .terms_name("privacy-policy")
        .send()
        .await
        .unwrap()
        .terms
        .unwrap();
    assert_eq!(renamed.terms_name(), "privacy-policy");
    assert_eq!(renamed.links(), &links(&new_links));

    emulator
        .idp
        .delete_terms()
        .user_pool_id(&pool)
        .terms_id(created.terms_id())
        .send()
        .await
        .unwrap();
    let gone = emulator
        .idp
        .describe_terms()
        .user_pool_id(&pool)
        .terms_id(created.terms_id())
        .send()
        .await;
    assert_eq!(
        gone.map_err(err).unwrap_err(),
        (
            "ResourceNotFoundException".to_string(),
            format!("Terms {} does not exist.", created.terms_id())
        )
    );
}

#[tokio::test]
async fn terms_are_listed_in_pages() {
    let emulator = start().await;
    let pool = emulator.pool("terms").await;
    let mut made = Vec::new();
    for i in 0..3 {
        let client = emulator.client(&pool, &format!("app{i}")).await;
        for name in ["terms-of-use", "privacy-policy"] {
            let link = [("cognito:default", "https://example.com/doc")];
            made.push(create(&emulator, &pool, &client, name, &link).await);
        }
    }
    made.sort_by(|a, b| a.terms_id().cmp(b.terms_id()));

    let mut listed = Vec::new();
    let mut sizes = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = emulator
            .idp
            .list_terms()
            .user_pool_id(&pool)
            .max_results(4)
            .set_next_token(token.take())
            .send()
            .await
            .unwrap();
        sizes.push(page.terms().len());
        listed.extend(page.terms().iter().cloned());
        match page.next_token() {
            Some(next) => token = Some(next.to_string()),
            None => break,
        }
    }
    assert_eq!(sizes, [4, 2]);
    let expected: Vec<TermsDescriptionType> = made
        .iter()
        .map(|t| {
            TermsDescriptionType::builder()
                .terms_id(t.terms_id())
                .terms_name(t.terms_name())
                .enforcement(t.enforcement().clone())
                .creation_date(*t.creation_date())
                .last_modified_date(*t.last_modified_date())
                .build()
                .unwrap()
        })
        .collect();
    assert_eq!(listed, expected);

    let other = emulator.pool("empty").await;
    let empty = emulator
        .idp
        .list_terms()
        .user_pool_id(&other)
        .send()
        .await
        .unwrap();
    assert_eq!((empty.terms().len(), empty.next_token()), (0, None));
}

#[tokio::test]
async fn terms_refusals() {
    let emulator = start().await;
    let pool = emulator.pool("terms").await;
    let app = emulator.client(&pool, "app").await;
    let request = |client: &str, name: &str| {
        emulator
            .idp
            .create_terms()
            .user_pool_id(&pool)
            .client_id(client)
            .terms_name(name)
            .terms_source(TermsSourceType::Link)
            .enforcement(TermsEnforcementType::None)
    };
    let invalid = |message: &str| ("InvalidParameterException".to_string(), message.to_string());
    let default_link = links(&[("cognito:default", "https://example.com/terms")]);

    let refused = request("nosuchclient", "terms-of-use")
        .set_links(Some(default_link.clone()))
        .send()
        .await;
    assert_eq!(
        refused.map_err(err).unwrap_err(),
        (
            "ResourceNotFoundException".to_string(),
            "User pool client nosuchclient does not exist.".to_string()
        )
    );
    let refused = request(&app, "terms-of-use").send().await;
    assert_eq!(
        refused.map_err(err).unwrap_err(),
        invalid("Links are required when TermsSource is LINK.")
    );
    let refused = request(&app, "cookie-policy")
        .set_links(Some(default_link.clone()))
        .send()
        .await;
    assert_eq!(
        refused.map_err(err).unwrap_err(),
        invalid(
            "1 validation error detected: Value 'cookie-policy' at 'termsName' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: ^(terms-of-use|privacy-policy)$"
        )
    );
    let refused = request(&app, "terms-of-use")
        .set_links(Some(links(&[("en", "https://example.com/terms")])))
        .send()
        .await;
    assert_eq!(
        refused.map_err(err).unwrap_err().0,
        "InvalidParameterException"
    );

    let first = request(&app, "terms-of-use")
        .set_links(Some(default_link.clone()))
        .send()
        .await
        .unwrap()
        .terms
        .unwrap();
    let exists = (
        "TermsExistsException".to_string(),
        format!("Terms named terms-of-use already exist for app client {app}."),
    );
    let duplicate = request(&app, "terms-of-use")
        .set_links(Some(default_link.clone()))
        .send()
        .await;
    assert_eq!(duplicate.map_err(err).unwrap_err(), exists);
    // Renaming onto a name the client already has is a duplicate too.
    let privacy = request(&app, "privacy-policy")
        .set_links(Some(default_link.clone()))
        .send()
        .await
        .unwrap()
        .terms
        .unwrap();
    let renamed = emulator
        .idp
        .update_terms()
        .user_pool_id(&pool)
        .terms_id(privacy.terms_id())
        .terms_name("terms-of-use")
        .send()
        .await;
    assert_eq!(renamed.map_err(err).unwrap_err(), exists);
    // Another client may have its own.
    let other = emulator.client(&pool, "other").await;
    request(&other, "terms-of-use")
        .set_links(Some(default_link.clone()))
        .send()
        .await
        .unwrap();

    let missing = emulator
        .idp
        .describe_terms_by_client()
        .user_pool_id(&pool)
        .client_id(&other)
        .terms_name("privacy-policy")
        .send()
        .await;
    assert_eq!(
        missing.map_err(err).unwrap_err(),
        (
            "ResourceNotFoundException".to_string(),
            format!("App client {other} has no terms named privacy-policy.")
        )
    );
    let unknown_pool = emulator
        .idp
        .list_terms()
        .user_pool_id("us-east-1_nothere")
        .send()
        .await;
    assert_eq!(
        unknown_pool.map_err(err).unwrap_err(),
        (
            "ResourceNotFoundException".to_string(),
            "User pool us-east-1_nothere does not exist.".to_string()
        )
    );

    // Deleting a client deletes its terms.
    emulator
        .idp
        .delete_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&app)
        .send()
        .await
        .unwrap();
    let gone = emulator
        .idp
        .describe_terms()
        .user_pool_id(&pool)
        .terms_id(first.terms_id())
        .send()
        .await;
    assert_eq!(
        gone.map_err(err).unwrap_err().0,
        "ResourceNotFoundException"
    );
}
