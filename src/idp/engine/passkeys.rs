//! Passkeys (WebAuthn) as a user pool has them: the relying party and user verification a
//! pool asks for, the origins it accepts, the options handed to browsers, and the checks of
//! a registration or an assertion against them. The WebAuthn formats themselves are in
//! [`crate::infra::crypto::webauthn`].
//!
//! Accepted origins for relying party id `R`: `https://R` and `https://<sub>.R` (any port),
//! and when `R` is `localhost`, `http://localhost:<any port>` too (browsers treat it as a
//! secure context).

use rand::RngCore;
use serde_json::{json, Value};

use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::generated::cognito_idp::*;
use crate::idp::store::user::Passkey;
use crate::idp::store::UserPool;
use crate::infra::crypto::webauthn::{
    self, b64url, from_b64url, sha256, Attestation, AuthenticatorData, ClientData, PublicKey,
};

/// How long a registration or sign-in challenge may be answered, and the `timeout` the
/// options carry (unconfirmed: Cognito's value is not documented).
pub const CHALLENGE_SECONDS: f64 = 300.0;
/// Passkeys one user may register (unconfirmed: Cognito documents a limit of 20).
pub const MAX_PASSKEYS: usize = 20;

/// A pool's passkey settings, as they apply to one request.
#[derive(Debug, Clone)]
pub struct Settings {
    pub rp_id: String,
    pub user_verification: UserVerificationType,
}

impl Settings {
    fn uv(&self) -> &'static str {
        self.user_verification.as_str()
    }
}

/// Whether WEB_AUTHN is one of the pool's first factors (choice-based sign-in).
pub fn enabled(pool: &UserPool) -> bool {
    allowed_first_factors(pool).contains(&AuthFactorType::WebAuthn)
}

/// The pool's `Policies.SignInPolicy.AllowedFirstAuthFactors` (PASSWORD when unset).
pub fn allowed_first_factors(pool: &UserPool) -> Vec<AuthFactorType> {
    pool.config
        .policies
        .as_ref()
        .and_then(|p| p.sign_in_policy.as_ref())
        .and_then(|s| s.allowed_first_auth_factors.clone())
        .unwrap_or_else(|| vec![AuthFactorType::Password])
}

/// The relying party id a pool uses when WebAuthnConfiguration names none: its domain's
/// host (a prefix domain's `<prefix>.auth.<region>.amazoncognito.com`, or the custom domain).
pub fn default_rp_id(pool: &UserPool) -> Option<String> {
    let domain = pool.domain.as_ref()?;
    let name = domain.domain.clone()?;
    if domain.custom_domain_config.is_some() {
        return Some(name);
    }
    let region = pool.id().split('_').next().unwrap_or("us-east-1");
    Some(format!("{name}.auth.{region}.amazoncognito.com"))
}

/// The settings for registering or using passkeys, or Cognito's errors when the pool has
/// passkeys off or no relying party.
pub fn settings(pool: &UserPool) -> ApiResult<Settings> {
    if !enabled(pool) || pool.config.user_pool_tier == Some(UserPoolTierType::Lite) {
        // Text unconfirmed.
        return Err(ApiError::new(
            ErrorCode::WebAuthnNotEnabledException,
            "Passkeys are not enabled for this user pool: WEB_AUTHN is not in its AllowedFirstAuthFactors.",
        ));
    }
    let config = pool.mfa.web_authn_configuration.clone().unwrap_or_default();
    let rp_id = config
        .relying_party_id
        .or_else(|| default_rp_id(pool))
        .ok_or_else(|| {
            // Text unconfirmed.
            ApiError::new(
                ErrorCode::WebAuthnConfigurationMissingException,
                "The user pool has no relying party ID for passkeys: set WebAuthnConfiguration.RelyingPartyId or add a domain.",
            )
        })?;
    Ok(Settings {
        rp_id,
        user_verification: config
            .user_verification
            .unwrap_or(UserVerificationType::Preferred),
    })
}

/// Whether a browser origin may use passkeys of relying party `rp_id` (see the module doc).
pub fn origin_allowed(rp_id: &str, origin: &str) -> bool {
    let Ok(url) = url::Url::parse(origin) else {
        return false;
    };
    if url.origin().ascii_serialization() != origin.trim_end_matches('/') {
        return false;
    }
    let Some(host) = url.host_str() else {
        return false;
    };
    let rp_id = rp_id.to_ascii_lowercase();
    let under_rp = host == rp_id || host.ends_with(&format!(".{rp_id}"));
    match url.scheme() {
        "https" => under_rp,
        "http" => rp_id == "localhost" && host == "localhost",
        _ => false,
    }
}

/// SetUserPoolMfaConfig's WebAuthnConfiguration: a relying party id that is a host name,
/// UserVerification `preferred` unless given; left out, the pool keeps the one it had
/// (unconfirmed: Cognito documents no reset).
pub fn configure(
    previous: Option<&WebAuthnConfigurationType>,
    given: Option<WebAuthnConfigurationType>,
) -> ApiResult<Option<WebAuthnConfigurationType>> {
    let Some(mut config) = given else {
        return Ok(previous.cloned());
    };
    if let Some(rp_id) = &config.relying_party_id {
        let label_ok = |l: &str| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        };
        if !rp_id.split('.').all(label_ok) {
            // Text unconfirmed.
            return Err(ApiError::invalid_parameter(format!(
                "Invalid RelyingPartyId {rp_id}: a relying party ID is a domain name, without scheme, port or path."
            )));
        }
        config.relying_party_id = Some(rp_id.to_ascii_lowercase());
    }
    config
        .user_verification
        .get_or_insert(UserVerificationType::Preferred);
    Ok(Some(config))
}

pub fn new_challenge() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    b64url(&bytes)
}

fn descriptor(passkey: &Passkey) -> Value {
    let mut d = json!({"type": "public-key", "id": passkey.id});
    if !passkey.transports.is_empty() {
        d["transports"] = json!(passkey.transports);
    }
    d
}

/// The user a passkey belongs to, as WebAuthn's `user` member names them.
pub struct Holder<'a> {
    pub sub: &'a str,
    pub username: &'a str,
    pub display_name: &'a str,
}

/// PublicKeyCredentialCreationOptions (JSON form) for StartWebAuthnRegistration.
pub fn creation_options(
    settings: &Settings,
    holder: &Holder,
    existing: &[Passkey],
    challenge: &str,
) -> Value {
    json!({
        "challenge": challenge,
        "rp": {"id": settings.rp_id, "name": settings.rp_id},
        // The user handle: the sub (unconfirmed: Cognito's handle is opaque).
        "user": {
            "id": b64url(holder.sub.as_bytes()),
            "name": holder.username,
            "displayName": holder.display_name,
        },
        "pubKeyCredParams": [
            {"type": "public-key", "alg": webauthn::ES256},
            {"type": "public-key", "alg": webauthn::RS256},
        ],
        "timeout": (CHALLENGE_SECONDS * 1000.0) as i64,
        "excludeCredentials": existing.iter().map(descriptor).collect::<Vec<_>>(),
        "authenticatorSelection": {
            "residentKey": "required",
            "requireResidentKey": true,
            "userVerification": settings.uv(),
        },
        "extensions": {"credProps": true},
    })
}

/// PublicKeyCredentialRequestOptions (JSON form) for the WEB_AUTHN challenge.
pub fn request_options(settings: &Settings, passkeys: &[Passkey], challenge: &str) -> Value {
    json!({
        "challenge": challenge,
        "rpId": settings.rp_id,
        "timeout": (CHALLENGE_SECONDS * 1000.0) as i64,
        "allowCredentials": passkeys
            .iter()
            .filter(|p| p.relying_party_id == settings.rp_id)
            .map(descriptor)
            .collect::<Vec<_>>(),
        "userVerification": settings.uv(),
    })
}

fn invalid(what: &str) -> ApiError {
    // Text unconfirmed.
    ApiError::invalid_parameter(format!("Invalid WebAuthn credential: {what}."))
}

fn field<'v>(credential: &'v Value, path: &[&str]) -> ApiResult<&'v str> {
    let mut at = credential;
    for name in path {
        at = &at[*name];
    }
    at.as_str()
        .ok_or_else(|| invalid(&format!("{} missing", path.join("."))))
}

fn decoded(credential: &Value, path: &[&str]) -> ApiResult<Vec<u8>> {
    from_b64url(field(credential, path)?)
        .map_err(|_| invalid(&format!("{} is not base64url", path.join("."))))
}

fn format_error(error: webauthn::Error) -> ApiError {
    match error {
        webauthn::Error::Unsupported(what) => ApiError::new(
            ErrorCode::WebAuthnCredentialNotSupportedException,
            format!("The credential is not supported: {what}."),
        ),
        webauthn::Error::Malformed(what) | webauthn::Error::BadCertificate(what) => invalid(&what),
        webauthn::Error::BadSignature => invalid("the attestation signature does not verify"),
    }
}

/// The client data checks both ceremonies share: type, challenge, origin.
fn check_client_data(
    settings: &Settings,
    data: &ClientData,
    kind: &str,
    challenge: &str,
) -> Result<(), Failure> {
    if data.kind != kind {
        return Err(Failure::Invalid(format!(
            "clientDataJSON.type is not {kind}"
        )));
    }
    if data.challenge.trim_end_matches('=') != challenge {
        return Err(Failure::Challenge);
    }
    if !origin_allowed(&settings.rp_id, &data.origin) {
        return Err(Failure::Origin(data.origin.clone()));
    }
    Ok(())
}

/// What can make a ceremony fail, before it becomes the error of the operation at hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    Invalid(String),
    Challenge,
    Origin(String),
    RelyingParty,
    UserPresence,
    UserVerification,
    UnknownCredential,
    Signature,
    Counter,
}

impl Failure {
    /// As CompleteWebAuthnRegistration answers it.
    fn registration_error(self) -> ApiError {
        match self {
            Failure::Invalid(what) => invalid(&what),
            // Texts unconfirmed.
            Failure::Challenge => ApiError::new(
                ErrorCode::WebAuthnChallengeNotFoundException,
                "The credential answers no registration challenge of this user: call StartWebAuthnRegistration again.",
            ),
            Failure::Origin(origin) => ApiError::new(
                ErrorCode::WebAuthnOriginNotAllowedException,
                format!("The origin {origin} is not allowed for this relying party."),
            ),
            Failure::RelyingParty => ApiError::new(
                ErrorCode::WebAuthnRelyingPartyMismatchException,
                "The credential was created for another relying party.",
            ),
            Failure::UserPresence => invalid("the user was not present"),
            Failure::UserVerification => invalid("the user was not verified, and the pool requires user verification"),
            Failure::Signature => invalid("the attestation signature does not verify"),
            Failure::UnknownCredential | Failure::Counter => invalid("unexpected credential"),
        }
    }

    /// As a WEB_AUTHN challenge answer is refused (RespondToAuthChallenge lists no WebAuthn
    /// errors: NotAuthorizedException, texts unconfirmed).
    pub fn sign_in_error(self) -> ApiError {
        let why = match self {
            Failure::Invalid(what) => return invalid(&what),
            Failure::Challenge => "the assertion answers another challenge".to_string(),
            Failure::Origin(origin) => format!("the origin {origin} is not allowed"),
            Failure::RelyingParty => "the assertion is for another relying party".into(),
            Failure::UserPresence => "the user was not present".into(),
            Failure::UserVerification => "the user was not verified".into(),
            Failure::UnknownCredential => "the credential is not registered for the user".into(),
            Failure::Signature => "the assertion signature does not verify".into(),
            Failure::Counter => {
                "the signature counter went backwards (a cloned authenticator?)".into()
            }
        };
        ApiError::not_authorized(format!("Passkey authentication failed: {why}."))
    }
}

fn check_flags(settings: &Settings, data: &AuthenticatorData) -> Result<(), Failure> {
    if data.rp_id_hash != sha256(settings.rp_id.as_bytes()) {
        return Err(Failure::RelyingParty);
    }
    if !data.has(webauthn::USER_PRESENT) {
        return Err(Failure::UserPresence);
    }
    if settings.user_verification == UserVerificationType::Required
        && !data.has(webauthn::USER_VERIFIED)
    {
        return Err(Failure::UserVerification);
    }
    Ok(())
}

/// A friendly name for well-known passkey providers, by AAGUID (unconfirmed: Cognito names
/// credentials after their provider too).
fn provider_name(aaguid: &[u8; 16]) -> &'static str {
    const KNOWN: &[(&str, &str)] = &[
        ("fbfc3007154e4ecc8c0b6e020557d7bd", "iCloud Keychain"),
        (
            "ea9b8d664d011d213ce4b6b48cb575d4",
            "Google Password Manager",
        ),
        ("08987058cadc4b81b6e130de50dcbe96", "Windows Hello"),
        ("bada5566a7aa401fbd9645619a55120d", "1Password"),
        ("d548826e79b4db40a3d811116f7e8349", "Bitwarden"),
    ];
    let hex: String = aaguid.iter().map(|b| format!("{b:02x}")).collect();
    KNOWN
        .iter()
        .find(|(id, _)| *id == hex)
        .map_or("Passkey", |(_, name)| name)
}

/// Checks a RegistrationResponseJSON against the challenge it must answer and makes the
/// passkey to keep. Signature arithmetic: call it with no pool lock held.
pub fn finish_registration(
    settings: &Settings,
    challenge: &str,
    existing: &[Passkey],
    credential: &Value,
    now: f64,
) -> ApiResult<Passkey> {
    if credential["type"]
        .as_str()
        .is_some_and(|t| t != "public-key")
    {
        return Err(invalid("type is not public-key"));
    }
    let raw_id = decoded(credential, &["rawId"]).or_else(|_| decoded(credential, &["id"]))?;
    let client_json = decoded(credential, &["response", "clientDataJSON"])?;
    let attestation_bytes = decoded(credential, &["response", "attestationObject"])?;
    let client_data = ClientData::parse(&client_json).map_err(format_error)?;
    check_client_data(settings, &client_data, "webauthn.create", challenge)
        .map_err(Failure::registration_error)?;
    let attestation = Attestation::parse(&attestation_bytes).map_err(format_error)?;
    check_flags(settings, &attestation.auth_data).map_err(Failure::registration_error)?;
    let attested = attestation
        .auth_data
        .attested
        .clone()
        .ok_or_else(|| invalid("no attested credential data"))?;
    if attested.id != raw_id {
        return Err(invalid("rawId differs from the attested credential id"));
    }
    attestation
        .verify(&sha256(&client_json))
        .map_err(format_error)?;
    let id = b64url(&attested.id);
    if existing.iter().any(|p| p.id == id) {
        // Text unconfirmed.
        return Err(invalid("this passkey is already registered for the user"));
    }
    let transports = credential["response"]["transports"]
        .as_array()
        .map(|t| {
            t.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    Ok(Passkey {
        id,
        public_key: b64url(&attested.cose_key),
        sign_count: attestation.auth_data.sign_count,
        relying_party_id: settings.rp_id.clone(),
        friendly_name: provider_name(&attested.aaguid).to_string(),
        attachment: credential["authenticatorAttachment"]
            .as_str()
            .map(str::to_string),
        transports,
        created: now,
    })
}

/// A verified assertion: which passkey, and its new signature counter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asserted {
    pub id: String,
    pub sign_count: u32,
    pub user_verified: bool,
}

/// Checks an AuthenticationResponseJSON (WebAuthn §7.2) against the challenge it answers
/// and the user's passkeys. Signature arithmetic: call it with no pool lock held.
pub fn check_assertion(
    settings: &Settings,
    challenge: &str,
    passkeys: &[Passkey],
    credential: &Value,
) -> Result<Asserted, Failure> {
    let bad = |e: ApiError| Failure::Invalid(e.message);
    let raw_id = decoded(credential, &["rawId"])
        .or_else(|_| decoded(credential, &["id"]))
        .map_err(bad)?;
    let id = b64url(&raw_id);
    let passkey = passkeys
        .iter()
        .find(|p| p.id == id)
        .ok_or(Failure::UnknownCredential)?;
    let client_json = decoded(credential, &["response", "clientDataJSON"]).map_err(bad)?;
    let auth_bytes = decoded(credential, &["response", "authenticatorData"]).map_err(bad)?;
    let signature = decoded(credential, &["response", "signature"]).map_err(bad)?;
    let client_data =
        ClientData::parse(&client_json).map_err(|e| Failure::Invalid(format!("{e:?}")))?;
    check_client_data(settings, &client_data, "webauthn.get", challenge)?;
    let auth_data =
        AuthenticatorData::parse(&auth_bytes).map_err(|e| Failure::Invalid(format!("{e:?}")))?;
    check_flags(settings, &auth_data)?;
    let key = from_b64url(&passkey.public_key)
        .ok()
        .and_then(|cose| PublicKey::from_cose(&cose).ok())
        .ok_or_else(|| Failure::Invalid("stored key unreadable".into()))?;
    let mut signed = auth_bytes.clone();
    signed.extend_from_slice(&sha256(&client_json));
    if !key.verify(&signed, &signature) {
        return Err(Failure::Signature);
    }
    // Counters of 0 mean the authenticator keeps none (synced passkeys).
    let count = auth_data.sign_count;
    if (count != 0 || passkey.sign_count != 0) && count <= passkey.sign_count {
        return Err(Failure::Counter);
    }
    Ok(Asserted {
        id,
        sign_count: count,
        user_verified: auth_data.has(webauthn::USER_VERIFIED),
    })
}

/// GetUserAuthFactors' ConfiguredUserAuthFactors: the pool's first factors this user has
/// what they need for (a password, a verified e-mail or phone, a passkey of the pool's
/// relying party).
pub fn configured_factors(pool: &UserPool, user: &crate::idp::store::User) -> Vec<AuthFactorType> {
    let rp = settings(pool).ok().map(|s| s.rp_id);
    allowed_first_factors(pool)
        .into_iter()
        .filter(|factor| match factor {
            AuthFactorType::Password => user.password.is_some(),
            AuthFactorType::EmailOtp => user.is_verified("email"),
            AuthFactorType::SmsOtp => user.is_verified("phone_number"),
            AuthFactorType::WebAuthn => user
                .extras()
                .passkeys
                .iter()
                .any(|p| Some(&p.relying_party_id) == rp.as_ref()),
            AuthFactorType::SoftwareToken => false,
        })
        .collect()
}

/// ListWebAuthnCredentials' view of a passkey.
pub fn describe(passkey: &Passkey) -> WebAuthnCredentialDescription {
    WebAuthnCredentialDescription {
        credential_id: passkey.id.clone(),
        friendly_credential_name: passkey.friendly_name.clone(),
        relying_party_id: passkey.relying_party_id.clone(),
        authenticator_attachment: passkey.attachment.clone(),
        authenticator_transports: passkey.transports.clone(),
        created_at: passkey.created,
    }
}

#[cfg(test)]
mod tests {
    use super::origin_allowed;

    #[test]
    fn origins_of_the_relying_party_and_its_subdomains() {
        assert!(origin_allowed("example.com", "https://example.com"));
        assert!(origin_allowed("example.com", "https://login.example.com"));
        assert!(origin_allowed("example.com", "https://example.com:8443"));
        assert!(!origin_allowed("example.com", "http://example.com"));
        assert!(!origin_allowed("example.com", "https://evilexample.com"));
        assert!(!origin_allowed(
            "example.com",
            "https://example.com.evil.net"
        ));
        assert!(!origin_allowed("example.com", "https://example.com/path"));
        assert!(origin_allowed("localhost", "http://localhost:3000"));
        assert!(origin_allowed("localhost", "http://localhost"));
        assert!(origin_allowed("localhost", "https://localhost:5173"));
        assert!(!origin_allowed("localhost", "http://127.0.0.1:3000"));
        assert!(!origin_allowed("example.com", "http://localhost:3000"));
    }
}
