//! Groups and memberships: CRUD, listing with pagination, and memberships that follow
//! deletions of groups and users.

use std::collections::HashSet;

use aws_sdk_cognitoidentityprovider::types::*;

use crate::common::{err, start, Emulator};

const ROLE: &str = "arn:aws:iam::000000000000:role/admins";

async fn create_user(emulator: &Emulator, pool: &str, username: &str) {
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(pool)
        .username(username)
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
}

async fn create_group(emulator: &Emulator, pool: &str, name: &str) {
    emulator
        .idp
        .create_group()
        .user_pool_id(pool)
        .group_name(name)
        .send()
        .await
        .unwrap();
}

async fn add(emulator: &Emulator, pool: &str, username: &str, group: &str) {
    emulator
        .idp
        .admin_add_user_to_group()
        .user_pool_id(pool)
        .username(username)
        .group_name(group)
        .send()
        .await
        .unwrap();
}

/// Every member of a group across pages of `limit`: (usernames, page sizes).
async fn members(
    emulator: &Emulator,
    pool: &str,
    group: &str,
    limit: i32,
) -> (Vec<String>, Vec<usize>) {
    let mut names = Vec::new();
    let mut sizes = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = emulator
            .idp
            .list_users_in_group()
            .user_pool_id(pool)
            .group_name(group)
            .limit(limit)
            .set_next_token(token.take())
            .send()
            .await
            .unwrap();
        sizes.push(page.users().len());
        names.extend(
            page.users()
                .iter()
                .map(|u| u.username().unwrap().to_string()),
        );
        match page.next_token() {
            Some(next) => token = Some(next.to_string()),
            None => break,
        }
    }
    (names, sizes)
}

/// Every group of a user across pages of `limit`: (group names, page sizes).
async fn groups_of(
    emulator: &Emulator,
    pool: &str,
    username: &str,
    limit: i32,
) -> (Vec<String>, Vec<usize>) {
    let mut names = Vec::new();
    let mut sizes = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = emulator
            .idp
            .admin_list_groups_for_user()
            .user_pool_id(pool)
            .username(username)
            .limit(limit)
            .set_next_token(token.take())
            .send()
            .await
            .unwrap();
        sizes.push(page.groups().len());
        names.extend(
            page.groups()
                .iter()
                .map(|g| g.group_name().unwrap().to_string()),
        );
        match page.next_token() {
            Some(next) => token = Some(next.to_string()),
            None => break,
        }
    }
    (names, sizes)
}

fn sorted(mut names: Vec<String>) -> Vec<String> {
    names.sort();
    names
}

#[tokio::test]
async fn group_crud_and_listing() {
    let emulator = start().await;
    let pool = emulator.pool("groups").await;
    let created = emulator
        .idp
        .create_group()
        .user_pool_id(&pool)
        .group_name("admins")
        .description("Administrators")
        .role_arn(ROLE)
        .precedence(1)
        .send()
        .await
        .unwrap()
        .group
        .unwrap();
    let fetched = emulator
        .idp
        .get_group()
        .user_pool_id(&pool)
        .group_name("admins")
        .send()
        .await
        .unwrap()
        .group
        .unwrap();
    assert_eq!(created, fetched);
    assert_eq!(fetched.group_name(), Some("admins"));
    assert_eq!(fetched.user_pool_id(), Some(pool.as_str()));
    assert_eq!(fetched.description(), Some("Administrators"));
    assert_eq!(fetched.role_arn(), Some(ROLE));
    assert_eq!(fetched.precedence(), Some(1));
    assert!(fetched.creation_date().is_some());
    assert_eq!(fetched.creation_date(), fetched.last_modified_date());

    let (code, message) = err(emulator
        .idp
        .create_group()
        .user_pool_id(&pool)
        .group_name("admins")
        .description("again")
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "GroupExistsException");
    assert_eq!(message, "A group with the name already exists.");
    let unchanged = emulator
        .idp
        .get_group()
        .user_pool_id(&pool)
        .group_name("admins")
        .send()
        .await
        .unwrap()
        .group
        .unwrap();
    assert_eq!(unchanged.description(), Some("Administrators"));

    let updated = emulator
        .idp
        .update_group()
        .user_pool_id(&pool)
        .group_name("admins")
        .description("Operators")
        .role_arn("arn:aws:iam::000000000000:role/operators")
        .precedence(5)
        .send()
        .await
        .unwrap()
        .group
        .unwrap();
    let fetched = emulator
        .idp
        .get_group()
        .user_pool_id(&pool)
        .group_name("admins")
        .send()
        .await
        .unwrap()
        .group
        .unwrap();
    assert_eq!(updated, fetched);
    assert_eq!(fetched.description(), Some("Operators"));
    assert_eq!(
        fetched.role_arn(),
        Some("arn:aws:iam::000000000000:role/operators")
    );
    assert_eq!(fetched.precedence(), Some(5));
    assert_eq!(fetched.creation_date(), created.creation_date());
    assert!(
        fetched.last_modified_date().unwrap().as_secs_f64()
            >= created.last_modified_date().unwrap().as_secs_f64()
    );

    // A group made without the optional settings has none.
    create_group(&emulator, &pool, "plain").await;
    let plain = emulator
        .idp
        .get_group()
        .user_pool_id(&pool)
        .group_name("plain")
        .send()
        .await
        .unwrap()
        .group
        .unwrap();
    assert_eq!(
        (plain.description(), plain.role_arn(), plain.precedence()),
        (None, None, None)
    );

    for name in ["g1", "g2", "g3", "g4"] {
        create_group(&emulator, &pool, name).await;
    }
    let mut seen = Vec::new();
    let mut sizes = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = emulator
            .idp
            .list_groups()
            .user_pool_id(&pool)
            .limit(2)
            .set_next_token(token.take())
            .send()
            .await
            .unwrap();
        sizes.push(page.groups().len());
        seen.extend(
            page.groups()
                .iter()
                .map(|g| g.group_name().unwrap().to_string()),
        );
        match page.next_token() {
            Some(next) => token = Some(next.to_string()),
            None => break,
        }
    }
    assert_eq!(sizes, vec![2, 2, 2]);
    assert_eq!(seen.len(), 6);
    assert_eq!(
        seen.iter().map(String::as_str).collect::<HashSet<_>>(),
        HashSet::from(["admins", "plain", "g1", "g2", "g3", "g4"])
    );
    let all = emulator
        .idp
        .list_groups()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    assert_eq!(all.groups().len(), 6);
    assert_eq!(all.next_token(), None);

    emulator
        .idp
        .delete_group()
        .user_pool_id(&pool)
        .group_name("g2")
        .send()
        .await
        .unwrap();
    let all = emulator
        .idp
        .list_groups()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    assert_eq!(all.groups().len(), 5);
    assert!(all.groups().iter().all(|g| g.group_name() != Some("g2")));

    // Missing groups.
    let missing = [
        emulator
            .idp
            .get_group()
            .user_pool_id(&pool)
            .group_name("g2")
            .send()
            .await
            .map(|_| ())
            .map_err(err),
        emulator
            .idp
            .delete_group()
            .user_pool_id(&pool)
            .group_name("g2")
            .send()
            .await
            .map(|_| ())
            .map_err(err),
        emulator
            .idp
            .update_group()
            .user_pool_id(&pool)
            .group_name("g2")
            .description("x")
            .send()
            .await
            .map(|_| ())
            .map_err(err),
        emulator
            .idp
            .list_users_in_group()
            .user_pool_id(&pool)
            .group_name("g2")
            .send()
            .await
            .map(|_| ())
            .map_err(err),
    ];
    for result in missing {
        assert_eq!(
            result.unwrap_err(),
            (
                "ResourceNotFoundException".to_string(),
                "Group not found.".to_string()
            )
        );
    }
    // A group name is per pool.
    let other = emulator.pool("other").await;
    create_group(&emulator, &other, "admins").await;
    let (code, message) = err(emulator
        .idp
        .create_group()
        .user_pool_id("us-east-1_Missing00")
        .group_name("admins")
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
    let (code, _) = err(emulator
        .idp
        .list_groups()
        .user_pool_id("us-east-1_Missing00")
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "ResourceNotFoundException");
}

#[tokio::test]
async fn memberships_follow_groups_and_users() {
    let emulator = start().await;
    let pool = emulator.pool("members").await;
    for user in ["u1", "u2", "u3", "u4", "u5"] {
        create_user(&emulator, &pool, user).await;
    }
    for group in ["g1", "g2", "g3"] {
        create_group(&emulator, &pool, group).await;
    }
    for user in ["u1", "u2", "u3", "u4", "u5"] {
        add(&emulator, &pool, user, "g1").await;
    }
    add(&emulator, &pool, "u1", "g2").await;
    add(&emulator, &pool, "u1", "g3").await;
    // Adding twice changes nothing.
    add(&emulator, &pool, "u1", "g1").await;

    let (names, sizes) = members(&emulator, &pool, "g1", 2).await;
    assert_eq!(sizes, vec![2, 2, 1]);
    assert_eq!(sorted(names), vec!["u1", "u2", "u3", "u4", "u5"]);
    let page = emulator
        .idp
        .list_users_in_group()
        .user_pool_id(&pool)
        .group_name("g2")
        .send()
        .await
        .unwrap();
    let listed = &page.users()[0];
    assert_eq!(listed.username(), Some("u1"));
    assert_eq!(
        listed.user_status(),
        Some(&UserStatusType::ForceChangePassword)
    );
    assert!(listed.attributes().iter().any(|a| a.name() == "sub"));

    let (groups, sizes) = groups_of(&emulator, &pool, "u1", 2).await;
    assert_eq!(sizes, vec![2, 1]);
    assert_eq!(sorted(groups), vec!["g1", "g2", "g3"]);
    assert_eq!(groups_of(&emulator, &pool, "u2", 60).await.0, vec!["g1"]);

    let (code, message) = err(emulator
        .idp
        .admin_add_user_to_group()
        .user_pool_id(&pool)
        .username("nobody")
        .group_name("g1")
        .send()
        .await
        .unwrap_err());
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("UserNotFoundException", "User does not exist.")
    );
    let (code, message) = err(emulator
        .idp
        .admin_add_user_to_group()
        .user_pool_id(&pool)
        .username("u1")
        .group_name("nogroup")
        .send()
        .await
        .unwrap_err());
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("ResourceNotFoundException", "Group not found.")
    );
    let (code, _) = err(emulator
        .idp
        .admin_list_groups_for_user()
        .user_pool_id(&pool)
        .username("nobody")
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "UserNotFoundException");

    // Removing a membership.
    emulator
        .idp
        .admin_remove_user_from_group()
        .user_pool_id(&pool)
        .username("u2")
        .group_name("g1")
        .send()
        .await
        .unwrap();
    assert_eq!(
        sorted(members(&emulator, &pool, "g1", 60).await.0),
        vec!["u1", "u3", "u4", "u5"]
    );
    assert!(groups_of(&emulator, &pool, "u2", 60).await.0.is_empty());
    let (code, _) = err(emulator
        .idp
        .admin_remove_user_from_group()
        .user_pool_id(&pool)
        .username("u2")
        .group_name("nogroup")
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "ResourceNotFoundException");

    // Deleting a group removes its memberships.
    emulator
        .idp
        .delete_group()
        .user_pool_id(&pool)
        .group_name("g2")
        .send()
        .await
        .unwrap();
    assert_eq!(
        sorted(groups_of(&emulator, &pool, "u1", 60).await.0),
        vec!["g1", "g3"]
    );
    // A new group of the same name starts empty.
    create_group(&emulator, &pool, "g2").await;
    assert!(members(&emulator, &pool, "g2", 60).await.0.is_empty());
    assert_eq!(
        sorted(groups_of(&emulator, &pool, "u1", 60).await.0),
        vec!["g1", "g3"]
    );

    // Deleting a user removes its memberships, and a new user of that name has none.
    emulator
        .idp
        .admin_delete_user()
        .user_pool_id(&pool)
        .username("u3")
        .send()
        .await
        .unwrap();
    assert_eq!(
        sorted(members(&emulator, &pool, "g1", 60).await.0),
        vec!["u1", "u4", "u5"]
    );
    create_user(&emulator, &pool, "u3").await;
    assert!(groups_of(&emulator, &pool, "u3", 60).await.0.is_empty());
    assert_eq!(
        sorted(members(&emulator, &pool, "g1", 60).await.0),
        vec!["u1", "u4", "u5"]
    );
}

#[tokio::test]
async fn memberships_accept_aliases() {
    let emulator = start().await;
    let pool = emulator
        .idp
        .create_user_pool()
        .pool_name("by-email")
        .username_attributes(UsernameAttributeType::Email)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let sub = emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool)
        .username("walt@example.com")
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap()
        .user
        .unwrap()
        .username
        .unwrap();
    create_group(&emulator, &pool, "staff").await;
    add(&emulator, &pool, "walt@example.com", "staff").await;
    assert_eq!(
        members(&emulator, &pool, "staff", 60).await.0,
        vec![sub.clone()]
    );
    assert_eq!(groups_of(&emulator, &pool, &sub, 60).await.0, vec!["staff"]);
    assert_eq!(
        groups_of(&emulator, &pool, "walt@example.com", 60).await.0,
        vec!["staff"]
    );
}
