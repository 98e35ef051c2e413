//! A pool's users and their indexes: by username (respecting case sensitivity), by sign-in
//! alias, and an ordered index of the attributes ListUsers can filter on, so lookups and
//! prefix filters never scan.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;

use crate::crypto::password::PasswordRecord;
use crate::generated::cognito_idp::{MFAOptionType, UserStatusType};

/// A user's creation sequence number: the stable order ListUsers pages follow.
pub type UserKey = u64;

#[derive(Debug, Clone)]
pub struct User {
    pub username: String,
    /// Every attribute including `sub`, in the order they were first written.
    pub attributes: Vec<(String, String)>,
    pub status: UserStatusType,
    pub enabled: bool,
    pub created: f64,
    pub modified: f64,
    pub password: Option<PasswordRecord>,
    pub temporary_password_expires: Option<f64>,
    pub mfa_options: Vec<MFAOptionType>,
    pub groups: BTreeSet<String>,
}

impl User {
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn sub(&self) -> &str {
        self.attribute("sub").unwrap_or_default()
    }

    pub fn set_attribute(&mut self, name: &str, value: String) {
        match self.attributes.iter_mut().find(|(n, _)| n == name) {
            Some((_, v)) => *v = value,
            None => self.attributes.push((name.to_string(), value)),
        }
    }

    pub fn remove_attribute(&mut self, name: &str) {
        self.attributes.retain(|(n, _)| n != name);
    }

    pub fn is_verified(&self, attribute: &str) -> bool {
        self.attribute(&format!("{attribute}_verified")) == Some("true")
    }
}

/// The attributes ListUsers filters can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SearchAttribute {
    Username,
    Email,
    PhoneNumber,
    Name,
    GivenName,
    FamilyName,
    PreferredUsername,
    UserStatus,
    Status,
    Sub,
}

impl SearchAttribute {
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "username" => Self::Username,
            "email" => Self::Email,
            "phone_number" => Self::PhoneNumber,
            "name" => Self::Name,
            "given_name" => Self::GivenName,
            "family_name" => Self::FamilyName,
            "preferred_username" => Self::PreferredUsername,
            "cognito:user_status" => Self::UserStatus,
            "status" => Self::Status,
            "sub" => Self::Sub,
            _ => return None,
        })
    }

    const ATTRIBUTES: [(Self, &'static str); 6] = [
        (Self::Email, "email"),
        (Self::PhoneNumber, "phone_number"),
        (Self::Name, "name"),
        (Self::GivenName, "given_name"),
        (Self::FamilyName, "family_name"),
        (Self::PreferredUsername, "preferred_username"),
    ];
}

/// Which attributes also identify a user, from the pool's UsernameAttributes/AliasAttributes.
#[derive(Debug, Clone, Default)]
pub struct SignInAliases {
    /// Names (`email`, `phone_number`, `preferred_username`) that identify a user.
    pub attributes: Vec<String>,
    /// With UsernameAttributes the e-mail/phone is the sign-in name even unverified; with
    /// AliasAttributes it only identifies the user once verified.
    pub require_verified: bool,
}

pub struct Users {
    case_sensitive: bool,
    aliases: SignInAliases,
    next_key: UserKey,
    by_key: BTreeMap<UserKey, User>,
    by_username: HashMap<Box<str>, UserKey>,
    by_alias: HashMap<(u8, Box<str>), UserKey>,
    search: BTreeSet<(SearchAttribute, Box<str>, UserKey)>,
}

impl Users {
    pub fn new(case_sensitive: bool, aliases: SignInAliases) -> Self {
        Self {
            case_sensitive,
            aliases,
            next_key: 1,
            by_key: BTreeMap::new(),
            by_username: HashMap::new(),
            by_alias: HashMap::new(),
            search: BTreeSet::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.by_key.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    /// Lower-cases names in pools whose usernames are case-insensitive.
    pub fn fold<'a>(&self, value: &'a str) -> Cow<'a, str> {
        if self.case_sensitive {
            Cow::Borrowed(value)
        } else {
            Cow::Owned(value.to_lowercase())
        }
    }

    pub fn get(&self, key: UserKey) -> Option<&User> {
        self.by_key.get(&key)
    }

    /// The user a name identifies: its username, else an active sign-in alias.
    pub fn find(&self, name: &str) -> Option<UserKey> {
        let folded = self.fold(name);
        if let Some(key) = self.by_username.get(folded.as_ref()) {
            return Some(*key);
        }
        self.aliases
            .attributes
            .iter()
            .enumerate()
            .find_map(|(i, _)| {
                self.by_alias
                    .get(&(i as u8, Box::from(folded.as_ref())))
                    .copied()
            })
    }

    pub fn find_by_username(&self, username: &str) -> Option<UserKey> {
        self.by_username.get(self.fold(username).as_ref()).copied()
    }

    /// The user whose active alias `attribute` equals `value`.
    pub fn alias_owner(&self, attribute: &str, value: &str) -> Option<UserKey> {
        let i = self
            .aliases
            .attributes
            .iter()
            .position(|a| a == attribute)?;
        self.by_alias
            .get(&(i as u8, Box::from(self.fold(value).as_ref())))
            .copied()
    }

    pub fn is_alias(&self, attribute: &str) -> bool {
        self.aliases.attributes.iter().any(|a| a == attribute)
    }

    pub fn insert(&mut self, user: User) -> UserKey {
        let key = self.next_key;
        self.next_key += 1;
        self.index(key, &user);
        self.by_key.insert(key, user);
        key
    }

    /// Changes a user, keeping every index in step.
    pub fn update<R>(&mut self, key: UserKey, change: impl FnOnce(&mut User) -> R) -> Option<R> {
        let mut user = self.by_key.remove(&key)?;
        self.unindex(key, &user);
        let result = change(&mut user);
        self.index(key, &user);
        self.by_key.insert(key, user);
        Some(result)
    }

    pub fn remove(&mut self, key: UserKey) -> Option<User> {
        let user = self.by_key.remove(&key)?;
        self.unindex(key, &user);
        Some(user)
    }

    /// Up to `limit` users after `after` in creation order, and the key to continue from.
    pub fn page(&self, after: Option<UserKey>, limit: usize) -> (Vec<UserKey>, Option<UserKey>) {
        let start = after.map_or(Bound::Unbounded, Bound::Excluded);
        let mut iter = self
            .by_key
            .range((start, Bound::Unbounded))
            .map(|(k, _)| *k);
        let page: Vec<UserKey> = iter.by_ref().take(limit).collect();
        let next = iter.next().and(page.last().copied());
        (page, next)
    }

    /// Users whose `attribute` equals (or, with `prefix`, starts with) `value`, in index
    /// order, after the position `after`; returns the page and the position to continue from.
    pub fn search(
        &self,
        attribute: SearchAttribute,
        value: &str,
        prefix: bool,
        after: Option<(String, UserKey)>,
        limit: usize,
    ) -> (Vec<UserKey>, Option<(String, UserKey)>) {
        let value = self.search_value(attribute, value);
        let start = match after {
            Some((v, k)) => Bound::Excluded((attribute, Box::from(v.as_str()), k)),
            None => Bound::Included((attribute, Box::from(value.as_ref()), 0)),
        };
        let mut iter = self
            .search
            .range((start, Bound::Unbounded))
            .take_while(|(a, v, _)| {
                *a == attribute
                    && if prefix {
                        v.starts_with(value.as_ref())
                    } else {
                        v.as_ref() == value.as_ref()
                    }
            });
        let page: Vec<(&str, UserKey)> = iter
            .by_ref()
            .take(limit)
            .map(|(_, v, k)| (v.as_ref(), *k))
            .collect();
        let next = iter
            .next()
            .and(page.last().map(|(v, k)| (v.to_string(), *k)));
        (page.into_iter().map(|(_, k)| k).collect(), next)
    }

    fn search_value<'a>(&self, attribute: SearchAttribute, value: &'a str) -> Cow<'a, str> {
        match attribute {
            SearchAttribute::UserStatus => Cow::Owned(value.to_uppercase()),
            SearchAttribute::Username
            | SearchAttribute::Email
            | SearchAttribute::PreferredUsername => self.fold(value),
            _ => Cow::Borrowed(value),
        }
    }

    fn search_entries(&self, user: &User) -> Vec<(SearchAttribute, Box<str>)> {
        let mut entries = vec![
            (
                SearchAttribute::Username,
                Box::from(self.fold(&user.username).as_ref()),
            ),
            (SearchAttribute::Sub, Box::from(user.sub())),
            (SearchAttribute::UserStatus, Box::from(user.status.as_str())),
            (
                SearchAttribute::Status,
                Box::from(if user.enabled { "Enabled" } else { "Disabled" }),
            ),
        ];
        for (attribute, name) in SearchAttribute::ATTRIBUTES {
            if let Some(value) = user.attribute(name) {
                entries.push((
                    attribute,
                    Box::from(self.search_value(attribute, value).as_ref()),
                ));
            }
        }
        entries
    }

    fn alias_entries(&self, user: &User) -> Vec<(u8, Box<str>)> {
        self.aliases
            .attributes
            .iter()
            .enumerate()
            .filter_map(|(i, attribute)| {
                let value = user.attribute(attribute)?;
                let needs_verification =
                    self.aliases.require_verified && attribute != "preferred_username";
                if needs_verification && !user.is_verified(attribute) {
                    return None;
                }
                Some((i as u8, Box::from(self.fold(value).as_ref())))
            })
            .collect()
    }

    fn index(&mut self, key: UserKey, user: &User) {
        self.by_username
            .insert(Box::from(self.fold(&user.username).as_ref()), key);
        for alias in self.alias_entries(user) {
            self.by_alias.insert(alias, key);
        }
        for (attribute, value) in self.search_entries(user) {
            self.search.insert((attribute, value, key));
        }
    }

    fn unindex(&mut self, key: UserKey, user: &User) {
        self.by_username.remove(self.fold(&user.username).as_ref());
        for alias in self.alias_entries(user) {
            if self.by_alias.get(&alias) == Some(&key) {
                self.by_alias.remove(&alias);
            }
        }
        for (attribute, value) in self.search_entries(user) {
            self.search.remove(&(attribute, value, key));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str, email: &str) -> User {
        User {
            username: name.to_string(),
            attributes: vec![
                ("sub".into(), format!("sub-{name}")),
                ("email".into(), email.to_string()),
                ("email_verified".into(), "true".into()),
            ],
            status: UserStatusType::Confirmed,
            enabled: true,
            created: 0.0,
            modified: 0.0,
            password: None,
            temporary_password_expires: None,
            mfa_options: Vec::new(),
            groups: BTreeSet::new(),
        }
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
}
