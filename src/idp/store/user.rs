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

#[derive(Debug, Clone, Serialize, Deserialize)]
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
    pub mfa_options: Vec<MFAOptionType>,
    pub groups: BTreeSet<String>,
    /// External identities linked to this user (AdminLinkProviderForUser); shown as the
    /// `identities` attribute.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<ProviderLink>,
    /// MFA factors turned on, the preferred one and the software token.
    #[serde(default, skip_serializing_if = "UserMfa::is_empty")]
    pub mfa: UserMfa,
    /// Remembered devices (ConfirmDevice) and device keys handed out at sign-in.
    #[serde(default, skip_serializing_if = "Devices::is_empty")]
    pub devices: Devices,
    /// Sign-in, sign-up and password events, newest first (with threat protection on).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub auth_events: Vec<super::security::StoredAuthEvent>,
    /// Passkeys (CompleteWebAuthnRegistration), oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub passkeys: Vec<Passkey>,
    /// A password hash imported with the user (a user import job's PasswordHashingAlgorithm),
    /// until the first sign-in with that password replaces it with a password record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imported_hash: Option<ImportedHash>,
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
            mfa_options: Vec::new(),
            groups: BTreeSet::new(),
            links: Vec::new(),
            mfa: UserMfa::default(),
            devices: Devices::default(),
            auth_events: Vec::new(),
            passkeys: Vec::new(),
            imported_hash: None,
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
