//! A pool's users and their indexes: by username (respecting case sensitivity), by sign-in
//! alias, and an ordered index of the attributes ListUsers can filter on, so lookups and
//! prefix filters never scan.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;
use std::sync::Arc;

pub use super::user::{standard_name, Attributes, User, UserKey, STANDARD_ATTRIBUTES};
use crate::generated::cognito_idp::UserStatusType;

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

/// What puts one user in the indexes: its folded username, sign-in aliases and searchable
/// values.
pub struct IndexEntries {
    username: Arc<str>,
    aliases: Vec<(u8, Arc<str>)>,
    search: Vec<(SearchAttribute, Arc<str>)>,
}

pub struct Users {
    case_sensitive: bool,
    aliases: SignInAliases,
    next_key: UserKey,
    /// Boxed: B-tree nodes are often half empty, and a user is ~200 bytes.
    by_key: BTreeMap<UserKey, Box<User>>,
    by_username: HashMap<Arc<str>, UserKey>,
    by_alias: HashMap<(u8, Arc<str>), UserKey>,
    /// Attribute values, shared with the users' own (no copies unless case-folded).
    search: BTreeSet<(SearchAttribute, Arc<str>, UserKey)>,
    /// Status filters have few distinct values: a key set per value is cheaper than entries.
    by_status: HashMap<UserStatusType, BTreeSet<UserKey>>,
    by_enabled: [BTreeSet<UserKey>; 2],
    /// Linked external identities: (provider name, the user's id there) → user.
    by_link: HashMap<(String, String), UserKey>,
    /// Users changed since the last time they were written to disk (tracked only when
    /// state is durable).
    dirty: BTreeSet<UserKey>,
    tracking: bool,
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
            by_status: HashMap::new(),
            by_enabled: Default::default(),
            by_link: HashMap::new(),
            dirty: BTreeSet::new(),
            tracking: false,
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
        self.by_key.get(&key).map(|user| &**user)
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
                    .get(&(i as u8, Arc::from(folded.as_ref())))
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
            .get(&(i as u8, Arc::from(self.fold(value).as_ref())))
            .copied()
    }

    /// The user an external identity is linked to.
    pub fn linked(&self, provider_name: &str, user_id: &str) -> Option<UserKey> {
        self.by_link
            .get(&(provider_name.to_string(), user_id.to_string()))
            .copied()
    }

    pub fn is_alias(&self, attribute: &str) -> bool {
        self.aliases.attributes.iter().any(|a| a == attribute)
    }

    pub fn insert(&mut self, user: User) -> UserKey {
        let key = self.next_key;
        self.next_key += 1;
        self.index(key, &user);
        self.by_key.insert(key, Box::new(user));
        self.changed(key);
        key
    }

    /// Fills a pool that has no users yet with users read from disk, under their old keys,
    /// with their [`Users::index_entries`] (computed on the threads that decoded them). The
    /// ordered indexes are built from sorted runs rather than by one insertion per entry,
    /// which was most of a restart.
    pub fn restore(&mut self, users: Vec<(UserKey, User, IndexEntries)>) {
        debug_assert!(self.is_empty(), "restore into an empty pool");
        self.by_username.reserve(users.len());
        let mut by_key = Vec::with_capacity(users.len());
        let mut search = Vec::with_capacity(users.len() * 4);
        let mut by_status: HashMap<UserStatusType, Vec<UserKey>> = HashMap::new();
        let mut by_enabled: [Vec<UserKey>; 2] = Default::default();
        for (key, user, entries) in users {
            self.next_key = self.next_key.max(key + 1);
            for alias in entries.aliases {
                self.by_alias.entry(alias).or_insert(key);
            }
            search.extend(
                entries
                    .search
                    .into_iter()
                    .map(|(attribute, value)| (attribute, value, key)),
            );
            self.by_username.insert(entries.username, key);
            by_status.entry(user.status).or_default().push(key);
            by_enabled[usize::from(user.enabled)].push(key);
            for link in &user.extras().links {
                self.by_link
                    .insert((link.provider_name.clone(), link.user_id.clone()), key);
            }
            by_key.push((key, Box::new(user)));
        }
        // Two sorted halves: collecting into the B-tree merges the runs in one pass.
        let middle = search.len() / 2;
        let (low, high) = search.split_at_mut(middle);
        std::thread::scope(|scope| {
            scope.spawn(|| low.sort_unstable());
            high.sort_unstable();
        });
        self.search = search.into_iter().collect();
        self.by_key = by_key.into_iter().collect();
        self.by_status = by_status
            .into_iter()
            .map(|(status, keys)| (status, keys.into_iter().collect()))
            .collect();
        self.by_enabled = by_enabled.map(|keys| keys.into_iter().collect());
    }

    pub fn has_changes(&self) -> bool {
        !self.dirty.is_empty()
    }

    /// The keys of users changed since the last call (for persistence).
    pub fn take_dirty(&mut self) -> BTreeSet<UserKey> {
        std::mem::take(&mut self.dirty)
    }

    /// Starts recording which users change, for persistence.
    pub fn track_changes(&mut self) {
        self.tracking = true;
    }

    fn changed(&mut self, key: UserKey) {
        if self.tracking {
            self.dirty.insert(key);
        }
    }

    /// Every user counts as changed (their pool was renamed).
    pub fn mark_all_dirty(&mut self) {
        self.dirty.extend(self.by_key.keys().copied());
    }

    /// Changes a user, keeping every index in step.
    pub fn update<R>(&mut self, key: UserKey, change: impl FnOnce(&mut User) -> R) -> Option<R> {
        let mut user = self.by_key.remove(&key)?;
        self.unindex(key, &user);
        let result = change(&mut user);
        user.drop_empty_extras();
        self.index(key, &user);
        self.changed(key);
        self.by_key.insert(key, user);
        Some(result)
    }

    pub fn remove(&mut self, key: UserKey) -> Option<User> {
        let user = self.by_key.remove(&key)?;
        self.unindex(key, &user);
        self.changed(key);
        Some(*user)
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
        if matches!(
            attribute,
            SearchAttribute::UserStatus | SearchAttribute::Status
        ) {
            return self.search_status(attribute, value, prefix, after.map(|(_, k)| k), limit);
        }
        let value = self.search_value(attribute, value);
        let start = match after {
            Some((v, k)) => Bound::Excluded((attribute, Arc::from(v.as_str()), k)),
            None => Bound::Included((attribute, Arc::from(value.as_ref()), 0)),
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

    /// `cognito:user_status` (matched case-insensitively) and `status` (Enabled/Disabled):
    /// the union of the matching values' key sets, in key order.
    fn search_status(
        &self,
        attribute: SearchAttribute,
        value: &str,
        prefix: bool,
        after: Option<UserKey>,
        limit: usize,
    ) -> (Vec<UserKey>, Option<(String, UserKey)>) {
        let matches = |candidate: &str, wanted: &str| {
            if prefix {
                candidate.starts_with(wanted)
            } else {
                candidate == wanted
            }
        };
        let sets: Vec<&BTreeSet<UserKey>> = match attribute {
            SearchAttribute::UserStatus => {
                let wanted = value.to_uppercase();
                self.by_status
                    .iter()
                    .filter(|(status, _)| matches(status.as_str(), &wanted))
                    .map(|(_, keys)| keys)
                    .collect()
            }
            _ => [("Disabled", 0), ("Enabled", 1)]
                .into_iter()
                .filter(|(name, _)| matches(name, value))
                .map(|(_, i)| &self.by_enabled[i])
                .collect(),
        };
        let start = after.map_or(Bound::Unbounded, Bound::Excluded);
        let mut keys: Vec<UserKey> = sets
            .iter()
            .flat_map(|set| set.range((start, Bound::Unbounded)).take(limit + 1))
            .copied()
            .collect();
        keys.sort_unstable();
        keys.truncate(limit + 1);
        let next = (keys.len() > limit).then(|| (String::new(), keys[limit - 1]));
        keys.truncate(limit);
        (keys, next)
    }

    fn search_value<'a>(&self, attribute: SearchAttribute, value: &'a str) -> Cow<'a, str> {
        match attribute {
            SearchAttribute::Username
            | SearchAttribute::Email
            | SearchAttribute::PreferredUsername => self.fold(value),
            _ => Cow::Borrowed(value),
        }
    }

    /// The value as indexed: the user's own string, or a folded copy in case-insensitive pools.
    fn indexed(&self, attribute: SearchAttribute, value: &Arc<str>) -> Arc<str> {
        match self.search_value(attribute, value) {
            Cow::Borrowed(_) => value.clone(),
            Cow::Owned(folded) => Arc::from(folded),
        }
    }

    fn search_entries(&self, user: &User, username: &Arc<str>) -> Vec<(SearchAttribute, Arc<str>)> {
        let mut entries = vec![(SearchAttribute::Username, username.clone())];
        if let Some(sub) = user.attributes.shared("sub") {
            entries.push((SearchAttribute::Sub, sub.clone()));
        }
        for (attribute, name) in SearchAttribute::ATTRIBUTES {
            if let Some(value) = user.attributes.shared(name) {
                entries.push((attribute, self.indexed(attribute, value)));
            }
        }
        entries
    }

    fn alias_entries(&self, user: &User) -> Vec<(u8, Arc<str>)> {
        self.aliases
            .attributes
            .iter()
            .enumerate()
            .filter_map(|(i, attribute)| {
                let value = user.attributes.shared(attribute)?;
                let needs_verification =
                    self.aliases.require_verified && attribute != "preferred_username";
                if needs_verification && !user.is_verified(attribute) {
                    return None;
                }
                let folded = match self.fold(value) {
                    Cow::Borrowed(_) => value.clone(),
                    Cow::Owned(folded) => Arc::from(folded),
                };
                Some((i as u8, folded))
            })
            .collect()
    }

    /// The index entries of a user, computed without touching the indexes.
    pub fn index_entries(&self, user: &User) -> IndexEntries {
        let username: Arc<str> = Arc::from(self.fold(&user.username).as_ref());
        IndexEntries {
            aliases: self.alias_entries(user),
            search: self.search_entries(user, &username),
            username,
        }
    }

    fn index(&mut self, key: UserKey, user: &User) {
        let entries = self.index_entries(user);
        // An alias belongs to one user; the operations move it explicitly (claim_aliases),
        // so an index update never takes it from its holder.
        for alias in entries.aliases {
            let holder = *self.by_alias.entry(alias).or_insert(key);
            debug_assert_eq!(holder, key, "alias taken over without claim_aliases");
        }
        for (attribute, value) in entries.search {
            self.search.insert((attribute, value, key));
        }
        self.by_username.insert(entries.username, key);
        self.by_status.entry(user.status).or_default().insert(key);
        self.by_enabled[usize::from(user.enabled)].insert(key);
        for link in &user.extras().links {
            self.by_link
                .insert((link.provider_name.clone(), link.user_id.clone()), key);
        }
    }

    fn unindex(&mut self, key: UserKey, user: &User) {
        let username: Arc<str> = Arc::from(self.fold(&user.username).as_ref());
        self.by_username.remove(&username);
        for alias in self.alias_entries(user) {
            if self.by_alias.get(&alias) == Some(&key) {
                self.by_alias.remove(&alias);
            }
        }
        for (attribute, value) in self.search_entries(user, &username) {
            self.search.remove(&(attribute, value, key));
        }
        if let Some(keys) = self.by_status.get_mut(&user.status) {
            keys.remove(&key);
        }
        self.by_enabled[usize::from(user.enabled)].remove(&key);
        for link in &user.extras().links {
            self.by_link
                .remove(&(link.provider_name.clone(), link.user_id.clone()));
        }
    }
}

#[cfg(test)]
mod tests;
