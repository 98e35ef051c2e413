//! One user as the store keeps it: its attributes (standard names interned) and its state.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::device::Devices;
use crate::generated::cognito_idp::{
    AttributeDataType, MFAOptionType, PasswordHashingAlgorithmType, UserStatusType,
};
use crate::infra::crypto::password::PasswordRecord;

/// The standard attributes and their types (every pool has them).
pub const STANDARD_ATTRIBUTES: &[(&str, AttributeDataType)] = &[
    ("sub", AttributeDataType::String),
    ("name", AttributeDataType::String),
    ("given_name", AttributeDataType::String),
    ("family_name", AttributeDataType::String),
    ("middle_name", AttributeDataType::String),
    ("nickname", AttributeDataType::String),
    ("preferred_username", AttributeDataType::String),
    ("profile", AttributeDataType::String),
    ("picture", AttributeDataType::String),
    ("website", AttributeDataType::String),
    ("email", AttributeDataType::String),
    ("email_verified", AttributeDataType::Boolean),
    ("gender", AttributeDataType::String),
    ("birthdate", AttributeDataType::String),
    ("zoneinfo", AttributeDataType::String),
    ("locale", AttributeDataType::String),
    ("phone_number", AttributeDataType::String),
    ("phone_number_verified", AttributeDataType::Boolean),
    ("address", AttributeDataType::String),
    ("updated_at", AttributeDataType::Number),
    ("identities", AttributeDataType::String),
];

/// The static copy of a standard attribute's name.
pub fn standard_name(name: &str) -> Option<&'static str> {
    STANDARD_ATTRIBUTES
        .iter()
        .map(|(n, _)| *n)
        .find(|n| *n == name)
}

/// A user's creation sequence number: the stable order ListUsers pages follow.
pub type UserKey = u64;

/// A user's attributes in the order they were first written. Standard names are static
/// strings and values are shared with the filter index, so a user costs few allocations.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(from = "Vec<(String, String)>", into = "Vec<(String, String)>")]
pub struct Attributes(Vec<(Cow<'static, str>, Arc<str>)>);

impl From<Vec<(String, String)>> for Attributes {
    fn from(pairs: Vec<(String, String)>) -> Self {
        Self::from_pairs(pairs)
    }
}

impl From<Attributes> for Vec<(String, String)> {
    fn from(attributes: Attributes) -> Self {
        attributes
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }
}

impl Attributes {
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut attributes = Self::default();
        for (name, value) in pairs {
            attributes.set(&name, value);
        }
        attributes
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.shared(name).map(|v| &**v)
    }

    pub(super) fn shared(&self, name: &str) -> Option<&Arc<str>> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    pub fn set(&mut self, name: &str, value: String) {
        match self.0.iter_mut().find(|(n, _)| n == name) {
            Some((_, v)) => *v = Arc::from(value),
            None => {
                let name = match standard_name(name) {
                    Some(standard) => Cow::Borrowed(standard),
                    None => Cow::Owned(name.to_string()),
                };
                self.0.push((name, Arc::from(value)));
            }
        }
    }

    pub fn remove(&mut self, name: &str) {
        self.0.retain(|(n, _)| n != name);
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_ref(), v.as_ref()))
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(from = "StoredUser")]
pub struct User {
    pub username: String,
    /// Every attribute including `sub`.
    pub attributes: Attributes,
    pub status: UserStatusType,
    pub enabled: bool,
    pub created: f64,
    pub modified: f64,
    pub password: Option<PasswordRecord>,
    pub temporary_password_expires: Option<f64>,
    pub groups: BTreeSet<String>,
    /// What most users never have, boxed and absent until set: a pool of 100,000 users pays
    /// about 170 bytes inline per user instead of 450 (see [`User::extras`]).
    extras: Option<Box<UserExtras>>,
}

/// The parts of a user that most users never have: MFA settings, devices, linked identities,
/// sign-in events, passkeys, an imported password hash.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserExtras {
    pub mfa_options: Vec<MFAOptionType>,
    /// External identities linked to this user (AdminLinkProviderForUser); shown as the
    /// `identities` attribute.
    pub links: Vec<ProviderLink>,
    /// MFA factors turned on, the preferred one and the software token.
    pub mfa: UserMfa,
    /// Remembered devices (ConfirmDevice) and device keys handed out at sign-in.
    pub devices: Devices,
    /// Sign-in, sign-up and password events, newest first (with threat protection on).
    pub auth_events: Vec<super::security::StoredAuthEvent>,
    /// Passkeys (CompleteWebAuthnRegistration), oldest first.
    pub passkeys: Vec<Passkey>,
    /// A password hash imported with the user (a user import job's PasswordHashingAlgorithm),
    /// until the first sign-in with that password replaces it with a password record.
    pub imported_hash: Option<ImportedHash>,
}

/// What [`User::extras`] shows for a user without any.
static NO_EXTRAS: UserExtras = UserExtras {
    mfa_options: Vec::new(),
    links: Vec::new(),
    mfa: UserMfa {
        enabled: BTreeSet::new(),
        preferred: None,
        software_token: None,
        pending_secret: None,
        passkey_mfa: false,
    },
    devices: Devices {
        confirmed: std::collections::BTreeMap::new(),
        unconfirmed: Vec::new(),
    },
    auth_events: Vec::new(),
    passkeys: Vec::new(),
    imported_hash: None,
};

/// A user as the durable store writes it: every field at the top level, as before the rarely
/// set ones moved into [`UserExtras`].
#[derive(Deserialize)]
struct StoredUser {
    username: String,
    /// Every attribute including `sub`.
    attributes: Attributes,
    status: UserStatusType,
    enabled: bool,
    created: f64,
    modified: f64,
    password: Option<PasswordRecord>,
    temporary_password_expires: Option<f64>,
    mfa_options: Vec<MFAOptionType>,
    groups: BTreeSet<String>,
    /// External identities linked to this user (AdminLinkProviderForUser); shown as the
    /// `identities` attribute.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    links: Vec<ProviderLink>,
    /// MFA factors turned on, the preferred one and the software token.
    #[serde(default, skip_serializing_if = "UserMfa::is_empty")]
    mfa: UserMfa,
    /// Remembered devices (ConfirmDevice) and device keys handed out at sign-in.
    #[serde(default, skip_serializing_if = "Devices::is_empty")]
    devices: Devices,
    /// Sign-in, sign-up and password events, newest first (with threat protection on).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    auth_events: Vec<super::security::StoredAuthEvent>,
    /// Passkeys (CompleteWebAuthnRegistration), oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    passkeys: Vec<Passkey>,
    /// A password hash imported with the user (a user import job's PasswordHashingAlgorithm),
    /// until the first sign-in with that password replaces it with a password record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    imported_hash: Option<ImportedHash>,
}

impl From<StoredUser> for User {
    fn from(stored: StoredUser) -> Self {
        let extras = UserExtras {
            mfa_options: stored.mfa_options,
            links: stored.links,
            mfa: stored.mfa,
            devices: stored.devices,
            auth_events: stored.auth_events,
            passkeys: stored.passkeys,
            imported_hash: stored.imported_hash,
        };
        Self {
            username: stored.username,
            attributes: stored.attributes,
            status: stored.status,
            enabled: stored.enabled,
            created: stored.created,
            modified: stored.modified,
            password: stored.password,
            temporary_password_expires: stored.temporary_password_expires,
            groups: stored.groups,
            extras: (extras != NO_EXTRAS).then(|| Box::new(extras)),
        }
    }
}

/// [`StoredUser`]'s shape written from a borrowed user, so that saving copies nothing.
#[derive(Serialize)]
struct StoredUserRef<'a> {
    username: &'a str,
    attributes: &'a Attributes,
    status: &'a UserStatusType,
    enabled: bool,
    created: f64,
    modified: f64,
    password: &'a Option<PasswordRecord>,
    temporary_password_expires: Option<f64>,
    mfa_options: &'a [MFAOptionType],
    groups: &'a BTreeSet<String>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    links: &'a [ProviderLink],
    #[serde(skip_serializing_if = "is_default")]
    mfa: &'a UserMfa,
    #[serde(skip_serializing_if = "is_default")]
    devices: &'a Devices,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    auth_events: &'a [super::security::StoredAuthEvent],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    passkeys: &'a [Passkey],
    #[serde(skip_serializing_if = "Option::is_none")]
    imported_hash: &'a Option<ImportedHash>,
}

fn is_default<T: Default + PartialEq>(value: &&T) -> bool {
    **value == T::default()
}

impl Serialize for User {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let extras = self.extras();
        StoredUserRef {
            username: &self.username,
            attributes: &self.attributes,
            status: &self.status,
            enabled: self.enabled,
            created: self.created,
            modified: self.modified,
            password: &self.password,
            temporary_password_expires: self.temporary_password_expires,
            mfa_options: &extras.mfa_options,
            groups: &self.groups,
            links: &extras.links,
            mfa: &extras.mfa,
            devices: &extras.devices,
            auth_events: &extras.auth_events,
            passkeys: &extras.passkeys,
            imported_hash: &extras.imported_hash,
        }
        .serialize(serializer)
    }
}

/// A password hash from another system: its algorithm and the hash as imported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportedHash {
    pub algorithm: PasswordHashingAlgorithmType,
    pub hash: String,
}

/// An MFA factor as the API names it in UserMFASettingList and challenges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum MfaFactor {
    #[serde(rename = "SMS_MFA")]
    Sms,
    #[serde(rename = "SOFTWARE_TOKEN_MFA")]
    SoftwareToken,
    #[serde(rename = "EMAIL_OTP")]
    Email,
}

impl MfaFactor {
    pub const ALL: [MfaFactor; 3] = [MfaFactor::Sms, MfaFactor::SoftwareToken, MfaFactor::Email];

    pub fn as_str(self) -> &'static str {
        match self {
            MfaFactor::Sms => "SMS_MFA",
            MfaFactor::SoftwareToken => "SOFTWARE_TOKEN_MFA",
            MfaFactor::Email => "EMAIL_OTP",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == name)
    }
}

/// A user's MFA settings (SetUserMFAPreference, VerifySoftwareToken).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UserMfa {
    #[serde(default)]
    pub enabled: BTreeSet<MfaFactor>,
    #[serde(default)]
    pub preferred: Option<MfaFactor>,
    /// The verified software token.
    #[serde(default)]
    pub software_token: Option<SoftwareToken>,
    /// A secret handed out by AssociateSoftwareToken (with an access token) and not yet
    /// verified.
    #[serde(default)]
    pub pending_secret: Option<String>,
    /// Passkey MFA (WebAuthnMfaSettings): the user's passkey sign-ins must verify the user,
    /// and then count as MFA where the pool requires it.
    #[serde(default)]
    pub passkey_mfa: bool,
}

impl UserMfa {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SoftwareToken {
    /// Base32, as handed to the user.
    pub secret: String,
    pub friendly_name: Option<String>,
    /// The last time step whose code was accepted: a code is good once.
    pub last_step: i64,
}

/// A registered passkey: the credential id and COSE public key (base64url) and what
/// ListWebAuthnCredentials shows of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Passkey {
    pub id: String,
    pub public_key: String,
    pub sign_count: u32,
    pub relying_party_id: String,
    pub friendly_name: String,
    #[serde(default)]
    pub attachment: Option<String>,
    #[serde(default)]
    pub transports: Vec<String>,
    pub created: f64,
}

/// One external identity linked to a user: the provider and the user's id there (the
/// value of the provider attribute the link names, `Cognito_Subject` by default).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderLink {
    pub provider_name: String,
    pub provider_type: String,
    pub attribute_name: String,
    pub user_id: String,
    pub created: f64,
}

impl User {
    /// A new, enabled user with no password and nothing else yet: each way of creating users
    /// (AdminCreateUser, SignUp, federation, migration, import) sets what it adds on top.
    pub fn new(username: String, attributes: Attributes, status: UserStatusType, now: f64) -> Self {
        Self {
            username,
            attributes,
            status,
            enabled: true,
            created: now,
            modified: now,
            password: None,
            temporary_password_expires: None,
            groups: BTreeSet::new(),
            extras: None,
        }
    }

    /// MFA settings, devices, links, events, passkeys and an imported hash (empty for most).
    pub fn extras(&self) -> &UserExtras {
        self.extras.as_deref().unwrap_or(&NO_EXTRAS)
    }

    /// The same, to change: allocated on first use.
    pub fn extras_mut(&mut self) -> &mut UserExtras {
        self.extras.get_or_insert_with(Box::default)
    }

    /// Frees the extras once a change has left them empty (a write that set nothing, the
    /// last device forgotten): called after every change by [`super::users::Users::update`].
    pub fn drop_empty_extras(&mut self) {
        if self.extras.as_deref() == Some(&NO_EXTRAS) {
            self.extras = None;
        }
    }

    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.get(name)
    }

    pub fn sub(&self) -> &str {
        self.attribute("sub").unwrap_or_default()
    }

    pub fn set_attribute(&mut self, name: &str, value: String) {
        self.attributes.set(name, value);
    }

    pub fn remove_attribute(&mut self, name: &str) {
        self.attributes.remove(name);
    }

    pub fn is_verified(&self, attribute: &str) -> bool {
        self.attribute(&format!("{attribute}_verified")) == Some("true")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> User {
        User::new(
            "alice".to_string(),
            Attributes::from_pairs(vec![("sub".to_string(), "s-1".to_string())]),
            UserStatusType::Confirmed,
            1.0,
        )
    }

    #[test]
    fn a_user_without_extras_is_saved_without_them_and_allocates_none_when_loaded() {
        let json = serde_json::to_value(user()).unwrap();
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        for absent in [
            "links",
            "mfa",
            "devices",
            "auth_events",
            "passkeys",
            "imported_hash",
        ] {
            assert!(!keys.contains(&absent), "{absent} in {keys:?}");
        }
        assert_eq!(json["mfa_options"], serde_json::json!([]));
        let loaded: User = serde_json::from_value(json).unwrap();
        assert!(loaded.extras.is_none());
        assert_eq!(loaded.username, "alice");
    }

    #[test]
    fn extras_survive_a_save_and_load_at_the_top_level_of_the_record() {
        let mut user = user();
        user.extras_mut()
            .mfa
            .enabled
            .insert(MfaFactor::SoftwareToken);
        user.extras_mut().mfa.preferred = Some(MfaFactor::SoftwareToken);
        let json = serde_json::to_value(&user).unwrap();
        assert!(json.get("mfa").is_some());
        let loaded: User = serde_json::from_value(json).unwrap();
        assert_eq!(loaded.extras(), user.extras());
        assert_eq!(
            loaded.extras().mfa.preferred,
            Some(MfaFactor::SoftwareToken)
        );
    }

    #[test]
    fn a_change_that_leaves_the_extras_empty_frees_them() {
        let mut user = user();
        user.extras_mut().mfa_options = Vec::new();
        assert!(user.extras.is_some());
        user.drop_empty_extras();
        assert!(user.extras.is_none());
        user.extras_mut().mfa.passkey_mfa = true;
        user.drop_empty_extras();
        assert!(user.extras().mfa.passkey_mfa);
    }
}
