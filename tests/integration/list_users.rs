//! ListUsers: the filter grammar, every searchable attribute, AttributesToGet, Limit and
//! pagination, and that changes to users show in later filters.

use std::collections::HashSet;

use aws_sdk_cognitoidentityprovider::types::*;

use crate::common::{err, start, Emulator};

fn attr(name: &str, value: &str) -> AttributeType {
    AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .unwrap()
}

async fn create(
    emulator: &Emulator,
    pool: &str,
    username: &str,
    attributes: &[(&str, &str)],
) -> String {
    let user = emulator
        .idp
        .admin_create_user()
        .user_pool_id(pool)
        .username(username)
        .set_user_attributes(Some(attributes.iter().map(|(n, v)| attr(n, v)).collect()))
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap()
        .user
        .unwrap();
    user.attributes()
        .iter()
        .find(|a| a.name() == "sub")
        .unwrap()
        .value()
        .unwrap()
        .to_string()
}

/// Every page of a listing, in order: (usernames, page sizes).
async fn list_all(
    emulator: &Emulator,
    pool: &str,
    filter: Option<&str>,
    limit: Option<i32>,
) -> (Vec<String>, Vec<usize>) {
    let mut names = Vec::new();
    let mut sizes = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = emulator
            .idp
            .list_users()
            .user_pool_id(pool)
            .set_filter(filter.map(str::to_string))
            .set_limit(limit)
            .set_pagination_token(token.take())
            .send()
            .await
            .unwrap_or_else(|e| panic!("{filter:?}: {:?}", err(e)));
        sizes.push(page.users().len());
        names.extend(
            page.users()
                .iter()
                .map(|u| u.username().unwrap().to_string()),
        );
        match page.pagination_token() {
            Some(next) => {
                assert!(!next.is_empty());
                token = Some(next.to_string());
            }
            None => break,
        }
    }
    (names, sizes)
}

/// The usernames a filter selects, sorted (the order of results is unspecified).
async fn matching(emulator: &Emulator, pool: &str, filter: &str) -> Vec<String> {
    let mut names = list_all(emulator, pool, Some(filter), None).await.0;
    names.sort();
    names
}

async fn filter_error(emulator: &Emulator, pool: &str, filter: &str) -> (String, String) {
    err(emulator
        .idp
        .list_users()
        .user_pool_id(pool)
        .filter(filter)
        .send()
        .await
        .unwrap_err())
}

#[tokio::test]
async fn filters_on_every_searchable_attribute() {
    let emulator = start().await;
    let pool = emulator.pool("filters").await;
    let alice_sub = create(
        &emulator,
        &pool,
        "alice",
        &[
            ("email", "alice@example.com"),
            ("phone_number", "+15555550001"),
            ("name", "Alice Smith"),
            ("given_name", "Alice"),
            ("family_name", "Smith"),
            ("preferred_username", "ally"),
        ],
    )
    .await;
    create(
        &emulator,
        &pool,
        "bob",
        &[
            ("email", "bob@example.org"),
            ("phone_number", "+15555550002"),
            ("name", "Bob \"The Builder\""),
            ("given_name", "Bob"),
            ("family_name", "Builder"),
            ("preferred_username", "bobby"),
        ],
    )
    .await;
    create(
        &emulator,
        &pool,
        "alfred",
        &[
            ("email", "alfred@example.com"),
            ("given_name", "Alfred"),
            ("family_name", "Smith"),
        ],
    )
    .await;
    emulator.set_password(&pool, "bob", "Permanent-Pass1").await;
    emulator
        .idp
        .admin_disable_user()
        .user_pool_id(&pool)
        .username("alfred")
        .send()
        .await
        .unwrap();

    let cases: Vec<(String, Vec<&str>)> = vec![
        (r#"username = "alice""#.into(), vec!["alice"]),
        (r#"username="alice""#.into(), vec!["alice"]),
        (r#"username = "ALICE""#.into(), vec![]),
        (r#"username ^= "al""#.into(), vec!["alfred", "alice"]),
        (r#"username^="al""#.into(), vec!["alfred", "alice"]),
        (r#"username ^= "ali""#.into(), vec!["alice"]),
        (r#"email = "bob@example.org""#.into(), vec!["bob"]),
        (r#"email ^= "al""#.into(), vec!["alfred", "alice"]),
        (r#"email = "nobody@example.com""#.into(), vec![]),
        (r#"phone_number = "+15555550002""#.into(), vec!["bob"]),
        (r#"phone_number ^= "+1555""#.into(), vec!["alice", "bob"]),
        (r#"name = "Alice Smith""#.into(), vec!["alice"]),
        (r#"name = "Bob \"The Builder\"""#.into(), vec!["bob"]),
        (r#"name ^= "Bob \"The""#.into(), vec!["bob"]),
        (r#"given_name ^= "Al""#.into(), vec!["alfred", "alice"]),
        (r#"given_name = "Bob""#.into(), vec!["bob"]),
        (r#"family_name = "Smith""#.into(), vec!["alfred", "alice"]),
        (r#"family_name ^= "B""#.into(), vec!["bob"]),
        (r#"preferred_username = "ally""#.into(), vec!["alice"]),
        (r#"preferred_username ^= "bob""#.into(), vec!["bob"]),
        (format!(r#"sub = "{alice_sub}""#), vec!["alice"]),
        (format!(r#"sub ^= "{}""#, &alice_sub[..8]), vec!["alice"]),
        (r#"cognito:user_status = "CONFIRMED""#.into(), vec!["bob"]),
        (r#"cognito:user_status = "confirmed""#.into(), vec!["bob"]),
        (
            r#"cognito:user_status = "Force_Change_Password""#.into(),
            vec!["alfred", "alice"],
        ),
        (r#"cognito:user_status = "UNCONFIRMED""#.into(), vec![]),
        (r#"status = "Disabled""#.into(), vec!["alfred"]),
        (r#"status = "Enabled""#.into(), vec!["alice", "bob"]),
        (r#"status = "enabled""#.into(), vec![]),
        ("".into(), vec!["alfred", "alice", "bob"]),
        ("  ".into(), vec!["alfred", "alice", "bob"]),
    ];
    for (filter, expected) in cases {
        assert_eq!(
            matching(&emulator, &pool, &filter).await,
            expected,
            "{filter}"
        );
    }

    // Listed users carry their attributes and state.
    let page = emulator
        .idp
        .list_users()
        .user_pool_id(&pool)
        .filter(r#"username = "alfred""#)
        .send()
        .await
        .unwrap();
    let alfred = &page.users()[0];
    assert!(!alfred.enabled());
    assert_eq!(
        alfred.user_status(),
        Some(&UserStatusType::ForceChangePassword)
    );
    assert!(alfred
        .attributes()
        .iter()
        .any(|a| a.name() == "email" && a.value() == Some("alfred@example.com")));
    assert!(alfred.user_create_date().is_some());

    // AttributesToGet narrows the attributes of every user.
    let page = emulator
        .idp
        .list_users()
        .user_pool_id(&pool)
        .attributes_to_get("email")
        .attributes_to_get("given_name")
        .send()
        .await
        .unwrap();
    assert_eq!(page.users().len(), 3);
    for user in page.users() {
        let names: HashSet<&str> = user.attributes().iter().map(|a| a.name()).collect();
        assert_eq!(
            names,
            HashSet::from(["email", "given_name"]),
            "{:?}",
            user.username()
        );
    }

    // Malformed filters and unknown attributes.
    for bad in [
        r#"email = alice"#,
        r#"email ~ "alice""#,
        r#"email "alice""#,
        r#"email = "alice"#,
        "email",
        r#"email = "a"b""#,
    ] {
        let (code, message) = filter_error(&emulator, &pool, bad).await;
        assert_eq!(code, "InvalidParameterException", "{bad}");
        assert_eq!(message, "Error while parsing filter.", "{bad}");
    }
    for (bad, attribute) in [
        (r#"custom:tier = "gold""#, "custom:tier"),
        (r#"locale = "en""#, "locale"),
        (r#"Email = "x""#, "Email"),
    ] {
        let (code, message) = filter_error(&emulator, &pool, bad).await;
        assert_eq!(code, "InvalidParameterException", "{bad}");
        assert_eq!(
            message,
            format!("Invalid search attribute: {attribute}"),
            "{bad}"
        );
    }

    // Limit is 0..=60.
    let (code, message) = err(emulator
        .idp
        .list_users()
        .user_pool_id(&pool)
        .limit(61)
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        message,
        "1 validation error detected: Value '61' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60"
    );
    let (code, message) = err(emulator
        .idp
        .list_users()
        .user_pool_id("us-east-1_Missing00")
        .send()
        .await
        .unwrap_err());
    assert_eq!(
        (code.as_str(), message.as_str()),
        (
            "ResourceNotFoundException",
            "User pool us-east-1_Missing00 does not exist."
        )
    );
}

#[tokio::test]
async fn pagination_returns_every_user_exactly_once() {
    let emulator = start().await;
    let pool = emulator.pool("many").await;
    let mut expected_users = HashSet::new();
    for i in 0..130 {
        let name = format!("user{i:03}");
        create(
            &emulator,
            &pool,
            &name,
            &[("email", &format!("{name}@example.com"))],
        )
        .await;
        expected_users.insert(name);
    }
    for i in 0..10 {
        create(
            &emulator,
            &pool,
            &format!("other{i}"),
            &[("email", &format!("other{i}@example.net"))],
        )
        .await;
    }

    let (all, sizes) = list_all(&emulator, &pool, None, Some(60)).await;
    assert_eq!(sizes, vec![60, 60, 20]);
    assert_eq!(all.len(), 140);
    assert_eq!(all.iter().collect::<HashSet<_>>().len(), 140);
    let (again, _) = list_all(&emulator, &pool, None, Some(60)).await;
    assert_eq!(all, again, "pages follow a stable order");
    // Absent Limit means 60.
    let (_, sizes) = list_all(&emulator, &pool, None, None).await;
    assert_eq!(sizes, vec![60, 60, 20]);

    for filter in [r#"email ^= "user""#, r#"username ^= "user""#] {
        let (found, sizes) = list_all(&emulator, &pool, Some(filter), Some(60)).await;
        assert_eq!(sizes, vec![60, 60, 10], "{filter}");
        assert_eq!(found.len(), 130, "{filter}");
        assert_eq!(
            found.iter().cloned().collect::<HashSet<_>>(),
            expected_users,
            "{filter}"
        );
        let (again, _) = list_all(&emulator, &pool, Some(filter), Some(60)).await;
        assert_eq!(found, again, "{filter}: stable order");
    }

    // Odd page sizes: exactly one page is short, and it is the last.
    let (found, sizes) = list_all(&emulator, &pool, Some(r#"email ^= "user1""#), Some(7)).await;
    assert_eq!(found.len(), 30);
    assert_eq!(sizes, vec![7, 7, 7, 7, 2]);
    assert!(found.iter().all(|n| n.starts_with("user1")));

    // A page exactly as large as the rest carries no token.
    let page = emulator
        .idp
        .list_users()
        .user_pool_id(&pool)
        .filter(r#"email ^= "other""#)
        .limit(10)
        .send()
        .await
        .unwrap();
    assert_eq!(page.users().len(), 10);
    assert_eq!(page.pagination_token(), None);

    let (code, _) = err(emulator
        .idp
        .list_users()
        .user_pool_id(&pool)
        .pagination_token("not a token!")
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "InvalidParameterException");
}

#[tokio::test]
async fn updates_and_deletes_show_in_filters() {
    let emulator = start().await;
    let pool = emulator.pool("changes").await;
    create(
        &emulator,
        &pool,
        "ursula",
        &[("email", "old@example.com"), ("given_name", "Ursula")],
    )
    .await;
    create(
        &emulator,
        &pool,
        "victor",
        &[("email", "victor@example.com")],
    )
    .await;
    assert_eq!(
        matching(&emulator, &pool, r#"email = "old@example.com""#).await,
        vec!["ursula"]
    );

    emulator
        .idp
        .admin_update_user_attributes()
        .user_pool_id(&pool)
        .username("ursula")
        .user_attributes(attr("email", "new@example.com"))
        .user_attributes(attr("family_name", "Le Guin"))
        .send()
        .await
        .unwrap();
    assert!(matching(&emulator, &pool, r#"email = "old@example.com""#)
        .await
        .is_empty());
    assert_eq!(
        matching(&emulator, &pool, r#"email = "new@example.com""#).await,
        vec!["ursula"]
    );
    assert_eq!(
        matching(&emulator, &pool, r#"email ^= "new""#).await,
        vec!["ursula"]
    );
    assert_eq!(
        matching(&emulator, &pool, r#"family_name = "Le Guin""#).await,
        vec!["ursula"]
    );

    emulator
        .idp
        .admin_delete_user_attributes()
        .user_pool_id(&pool)
        .username("ursula")
        .user_attribute_names("given_name")
        .send()
        .await
        .unwrap();
    assert!(matching(&emulator, &pool, r#"given_name = "Ursula""#)
        .await
        .is_empty());

    emulator
        .idp
        .admin_disable_user()
        .user_pool_id(&pool)
        .username("victor")
        .send()
        .await
        .unwrap();
    assert_eq!(
        matching(&emulator, &pool, r#"status = "Disabled""#).await,
        vec!["victor"]
    );
    emulator
        .idp
        .admin_enable_user()
        .user_pool_id(&pool)
        .username("victor")
        .send()
        .await
        .unwrap();
    assert!(matching(&emulator, &pool, r#"status = "Disabled""#)
        .await
        .is_empty());

    emulator
        .set_password(&pool, "victor", "Permanent-Pass1")
        .await;
    assert_eq!(
        matching(&emulator, &pool, r#"cognito:user_status = "CONFIRMED""#).await,
        vec!["victor"]
    );

    emulator
        .idp
        .admin_delete_user()
        .user_pool_id(&pool)
        .username("ursula")
        .send()
        .await
        .unwrap();
    assert!(matching(&emulator, &pool, r#"username = "ursula""#)
        .await
        .is_empty());
    assert!(matching(&emulator, &pool, r#"email ^= "new""#)
        .await
        .is_empty());
    assert_eq!(
        list_all(&emulator, &pool, None, None).await.0,
        vec!["victor"]
    );
}

#[tokio::test]
async fn case_insensitive_pools_filter_usernames_without_case() {
    let emulator = start().await;
    let pool = emulator
        .idp
        .create_user_pool()
        .pool_name("insensitive")
        .username_configuration(
            UsernameConfigurationType::builder()
                .case_sensitive(false)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    create(
        &emulator,
        &pool,
        "Alice",
        &[("email", "Alice@Example.com"), ("name", "Alice")],
    )
    .await;
    assert_eq!(
        matching(&emulator, &pool, r#"username = "alice""#).await,
        vec!["Alice"]
    );
    assert_eq!(
        matching(&emulator, &pool, r#"username ^= "AL""#).await,
        vec!["Alice"]
    );
    assert_eq!(
        matching(&emulator, &pool, r#"email = "alice@example.com""#).await,
        vec!["Alice"]
    );
    // Other attributes keep their case.
    assert!(matching(&emulator, &pool, r#"name = "alice""#)
        .await
        .is_empty());
}
