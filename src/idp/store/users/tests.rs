use super::*;

fn user(name: &str, email: &str) -> User {
    User::new(
        name.to_string(),
        Attributes::from_pairs([
            ("sub".to_string(), format!("sub-{name}")),
            ("email".to_string(), email.to_string()),
            ("email_verified".to_string(), "true".to_string()),
        ]),
        UserStatusType::Confirmed,
        0.0,
    )
}

#[test]
fn case_insensitive_pools_fold_usernames_and_aliases() {
    let aliases = SignInAliases {
        attributes: vec!["email".into()],
        require_verified: true,
    };
    let mut users = Users::new(false, aliases);
    let key = users.insert(user("Alice", "Alice@Example.com"));
    assert_eq!(users.find("alice"), Some(key));
    assert_eq!(users.find("ALICE@example.COM"), Some(key));
    users.update(key, |u| u.set_attribute("email_verified", "false".into()));
    assert_eq!(
        users.find("alice@example.com"),
        None,
        "unverified e-mail is no alias"
    );
}

#[test]
fn prefix_search_pages_in_order() {
    let mut users = Users::new(true, SignInAliases::default());
    for i in 0..25 {
        users.insert(user(&format!("u{i:02}"), &format!("u{i:02}@example.com")));
    }
    users.insert(user("other", "zed@example.com"));
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let (page, next) = users.search(SearchAttribute::Email, "u", true, after, 10);
        seen.extend(page.iter().map(|k| users.get(*k).unwrap().username.clone()));
        match next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    assert_eq!(seen.len(), 25);
    assert_eq!(seen[0], "u00");
    assert_eq!(seen[24], "u24");
    let (exact, _) = users.search(SearchAttribute::Email, "zed@example.com", false, None, 10);
    assert_eq!(exact.len(), 1);
}

#[test]
fn updates_move_index_entries() {
    let mut users = Users::new(true, SignInAliases::default());
    let key = users.insert(user("bob", "bob@example.com"));
    users.update(key, |u| {
        u.set_attribute("email", "robert@example.com".into())
    });
    assert!(users
        .search(SearchAttribute::Email, "bob", true, None, 10)
        .0
        .is_empty());
    assert_eq!(
        users
            .search(SearchAttribute::Email, "robert", true, None, 10)
            .0,
        vec![key]
    );
    users.remove(key);
    assert!(users
        .search(SearchAttribute::Username, "bob", false, None, 10)
        .0
        .is_empty());
    assert_eq!(users.find("bob"), None);
}

#[test]
fn status_filters_page_through_key_sets() {
    let mut users = Users::new(true, SignInAliases::default());
    let keys: Vec<UserKey> = (0..7)
        .map(|i| users.insert(user(&format!("s{i}"), "x@example.com")))
        .collect();
    users.update(keys[1], |u| u.status = UserStatusType::ForceChangePassword);
    users.update(keys[4], |u| u.enabled = false);
    let (page, next) = users.search(SearchAttribute::UserStatus, "confirmed", false, None, 4);
    assert_eq!(page, vec![keys[0], keys[2], keys[3], keys[4]]);
    let (rest, last) = users.search(SearchAttribute::UserStatus, "CONFIRMED", false, next, 4);
    assert_eq!(rest, vec![keys[5], keys[6]]);
    assert!(last.is_none());
    let (either, _) = users.search(SearchAttribute::UserStatus, "FORCE", true, None, 10);
    assert_eq!(either, vec![keys[1]]);
    assert_eq!(
        users
            .search(SearchAttribute::Status, "Disabled", false, None, 10)
            .0,
        vec![keys[4]]
    );
    assert_eq!(
        users
            .search(SearchAttribute::Status, "Enabled", false, None, 10)
            .0
            .len(),
        6
    );
    users.remove(keys[4]);
    assert!(users
        .search(SearchAttribute::Status, "Disabled", false, None, 10)
        .0
        .is_empty());
}
