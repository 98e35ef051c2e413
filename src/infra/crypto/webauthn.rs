//! WebAuthn (passkeys) as the W3C specification defines it, without any rule of our own:
//! client data, authenticator data, the `none` and `packed` attestation statements, and
//! ES256 / RS256 signatures over COSE keys. CBOR is decoded by ciborium, COSE keys by
//! coset, X.509 attestation certificates by x509-parser; signatures are checked by
//! aws-lc-rs, the crypto backend the rest of the emulator uses. Which challenge, origin and
//! relying party are acceptable is the caller's business.

use aws_lc_rs::signature::{self, RsaPublicKeyComponents, UnparsedPublicKey};
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine;
use ciborium::Value;
use coset::{iana, AsCborValue, CoseKey, Label, RegisteredLabel, RegisteredLabelWithPrivate};
use sha2::{Digest, Sha256};

/// What can be wrong with what an authenticator or browser sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// Not decodable as WebAuthn says (base64url, JSON, CBOR, lengths).
    Malformed(String),
    /// A key type, algorithm or attestation format this module does not verify.
    Unsupported(String),
    /// A signature (assertion or attestation) that does not verify.
    BadSignature,
    /// An attestation certificate that breaks the format's requirements.
    BadCertificate(String),
}

fn malformed(what: impl Into<String>) -> Error {
    Error::Malformed(what.into())
}

/// COSE algorithm identifiers: the two every relying party should offer.
pub const ES256: i64 = -7;
pub const RS256: i64 = -257;

/// Authenticator data flags.
pub const USER_PRESENT: u8 = 0x01;
pub const USER_VERIFIED: u8 = 0x04;
pub const BACKUP_ELIGIBLE: u8 = 0x08;
pub const BACKED_UP: u8 = 0x10;
const ATTESTED_DATA: u8 = 0x40;
const EXTENSION_DATA: u8 = 0x80;

/// base64url as WebAuthn's JSON forms use it; padding tolerated on input.
pub fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn from_b64url(text: &str) -> Result<Vec<u8>, Error> {
    let trimmed = text.trim_end_matches('=');
    URL_SAFE_NO_PAD
        .decode(trimmed)
        .or_else(|_| URL_SAFE.decode(text))
        .map_err(|_| malformed("not base64url"))
}

pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// `CollectedClientData`: what the browser says it was asked and by whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientData {
    /// `webauthn.create` or `webauthn.get`.
    pub kind: String,
    /// The challenge, base64url as the browser wrote it.
    pub challenge: String,
    pub origin: String,
    pub cross_origin: bool,
}

impl ClientData {
    pub fn parse(json: &[u8]) -> Result<Self, Error> {
        let value: serde_json::Value =
            serde_json::from_slice(json).map_err(|_| malformed("clientDataJSON is not JSON"))?;
        let text = |name: &str| {
            value[name]
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| malformed(format!("clientDataJSON has no {name}")))
        };
        Ok(Self {
            kind: text("type")?,
            challenge: text("challenge")?,
            origin: text("origin")?,
            cross_origin: value["crossOrigin"].as_bool().unwrap_or(false),
        })
    }
}

/// A credential public key, from its COSE form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicKey {
    /// P-256 point coordinates (32 bytes each).
    Es256 { x: Vec<u8>, y: Vec<u8> },
    /// RSA modulus and exponent, big-endian.
    Rs256 { n: Vec<u8>, e: Vec<u8> },
}

fn param(key: &CoseKey, label: i64) -> Option<&[u8]> {
    key.params
        .iter()
        .find(|(l, _)| *l == Label::Int(label))
        .and_then(|(_, v)| v.as_bytes())
        .map(Vec::as_slice)
}

impl PublicKey {
    /// A COSE_Key (RFC 9052) of type EC2/P-256 with ES256, or RSA with RS256.
    pub fn from_cose(bytes: &[u8]) -> Result<Self, Error> {
        let value: Value =
            ciborium::from_reader(bytes).map_err(|_| malformed("public key is not CBOR"))?;
        Self::from_cose_value(value)
    }

    fn from_cose_value(value: Value) -> Result<Self, Error> {
        let key = CoseKey::from_cbor_value(value).map_err(|_| malformed("not a COSE key"))?;
        let alg = match &key.alg {
            Some(RegisteredLabelWithPrivate::Assigned(alg)) => *alg as i64,
            Some(RegisteredLabelWithPrivate::PrivateUse(alg)) => *alg,
            _ => return Err(Error::Unsupported("a key without an algorithm".into())),
        };
        match (&key.kty, alg) {
            (RegisteredLabel::Assigned(iana::KeyType::EC2), ES256) => {
                let curve = key
                    .params
                    .iter()
                    .find(|(l, _)| *l == Label::Int(iana::Ec2KeyParameter::Crv as i64))
                    .and_then(|(_, v)| v.as_integer())
                    .map(i128::from);
                if curve != Some(iana::EllipticCurve::P_256 as i128) {
                    return Err(Error::Unsupported("an EC2 key not on P-256".into()));
                }
                let x = param(&key, iana::Ec2KeyParameter::X as i64);
                let y = param(&key, iana::Ec2KeyParameter::Y as i64);
                match (x, y) {
                    (Some(x), Some(y)) if x.len() == 32 && y.len() == 32 => Ok(Self::Es256 {
                        x: x.to_vec(),
                        y: y.to_vec(),
                    }),
                    _ => Err(malformed("EC2 key without 32-byte x and y")),
                }
            }
            (RegisteredLabel::Assigned(iana::KeyType::RSA), RS256) => {
                let n = param(&key, iana::RsaKeyParameter::N as i64);
                let e = param(&key, iana::RsaKeyParameter::E as i64);
                match (n, e) {
                    (Some(n), Some(e)) if !n.is_empty() && !e.is_empty() => Ok(Self::Rs256 {
                        n: n.to_vec(),
                        e: e.to_vec(),
                    }),
                    _ => Err(malformed("RSA key without n and e")),
                }
            }
            _ => Err(Error::Unsupported(format!("COSE algorithm {alg}"))),
        }
    }

    /// The COSE algorithm identifier.
    pub fn alg(&self) -> i64 {
        match self {
            Self::Es256 { .. } => ES256,
            Self::Rs256 { .. } => RS256,
        }
    }

    /// Whether `signature` (ASN.1 DER for ES256, PKCS#1 v1.5 for RS256) signs `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        crate::infra::blocking::section(|| self.verify_here(message, signature))
    }

    fn verify_here(&self, message: &[u8], signature: &[u8]) -> bool {
        match self {
            Self::Es256 { x, y } => {
                let mut point = Vec::with_capacity(65);
                point.push(0x04);
                point.extend_from_slice(x);
                point.extend_from_slice(y);
                UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_ASN1, point)
                    .verify(message, signature)
                    .is_ok()
            }
            Self::Rs256 { n, e } => RsaPublicKeyComponents { n, e }
                .verify(&signature::RSA_PKCS1_2048_8192_SHA256, message, signature)
                .is_ok(),
        }
    }
}

/// The credential an authenticator made, as registration's authenticator data carries it.
#[derive(Debug, Clone)]
pub struct AttestedCredential {
    pub aaguid: [u8; 16],
    pub id: Vec<u8>,
    pub public_key: PublicKey,
    /// The COSE_Key exactly as the authenticator encoded it (kept to verify assertions).
    pub cose_key: Vec<u8>,
}

/// Authenticator data (WebAuthn §6.1).
#[derive(Debug, Clone)]
pub struct AuthenticatorData {
    pub rp_id_hash: [u8; 32],
    pub flags: u8,
    pub sign_count: u32,
    pub attested: Option<AttestedCredential>,
}

impl AuthenticatorData {
    pub fn parse(bytes: &[u8]) -> Result<Self, Error> {
        if bytes.len() < 37 {
            return Err(malformed("authenticator data shorter than 37 bytes"));
        }
        let rp_id_hash: [u8; 32] = bytes[..32].try_into().expect("32 bytes");
        let flags = bytes[32];
        let sign_count = u32::from_be_bytes(bytes[33..37].try_into().expect("4 bytes"));
        let mut rest = &bytes[37..];
        let attested = if flags & ATTESTED_DATA != 0 {
            if rest.len() < 18 {
                return Err(malformed("attested credential data truncated"));
            }
            let aaguid: [u8; 16] = rest[..16].try_into().expect("16 bytes");
            let id_len = usize::from(u16::from_be_bytes([rest[16], rest[17]]));
            rest = &rest[18..];
            if rest.len() < id_len || id_len == 0 || id_len > 1023 {
                return Err(malformed("credential id length"));
            }
            let id = rest[..id_len].to_vec();
            rest = &rest[id_len..];
            // The key is one CBOR item; extensions may follow it.
            let before = rest;
            let value: Value = ciborium::from_reader(&mut rest)
                .map_err(|_| malformed("credential public key is not CBOR"))?;
            let cose_key = before[..before.len() - rest.len()].to_vec();
            let public_key = PublicKey::from_cose_value(value)?;
            Some(AttestedCredential {
                aaguid,
                id,
                public_key,
                cose_key,
            })
        } else {
            None
        };
        if flags & EXTENSION_DATA != 0 {
            let _: Value = ciborium::from_reader(&mut rest)
                .map_err(|_| malformed("extensions are not CBOR"))?;
        }
        if !rest.is_empty() {
            return Err(malformed("trailing bytes after authenticator data"));
        }
        Ok(Self {
            rp_id_hash,
            flags,
            sign_count,
            attested,
        })
    }

    pub fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }
}

/// How an attestation was vouched for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttestationType {
    /// `none`: nothing.
    None,
    /// `packed` signed by the credential's own key.
    SelfAttestation,
    /// `packed` signed by an attestation certificate (its chain is not checked against any
    /// trust anchor: there is no metadata service here).
    Basic,
}

/// An attestation object (WebAuthn §6.5), decoded.
#[derive(Debug, Clone)]
pub struct Attestation {
    pub format: String,
    pub statement: Value,
    pub auth_data_bytes: Vec<u8>,
    pub auth_data: AuthenticatorData,
}

fn map_get<'v>(map: &'v [(Value, Value)], name: &str) -> Option<&'v Value> {
    map.iter()
        .find(|(k, _)| k.as_text() == Some(name))
        .map(|(_, v)| v)
}

impl Attestation {
    pub fn parse(bytes: &[u8]) -> Result<Self, Error> {
        let value: Value =
            ciborium::from_reader(bytes).map_err(|_| malformed("attestationObject is not CBOR"))?;
        let map = value
            .as_map()
            .ok_or_else(|| malformed("attestationObject is not a map"))?;
        let format = map_get(map, "fmt")
            .and_then(Value::as_text)
            .ok_or_else(|| malformed("attestationObject has no fmt"))?
            .to_string();
        let statement = map_get(map, "attStmt")
            .filter(|v| v.is_map())
            .cloned()
            .ok_or_else(|| malformed("attestationObject has no attStmt"))?;
        let auth_data_bytes = map_get(map, "authData")
            .and_then(Value::as_bytes)
            .cloned()
            .ok_or_else(|| malformed("attestationObject has no authData"))?;
        let auth_data = AuthenticatorData::parse(&auth_data_bytes)?;
        Ok(Self {
            format,
            statement,
            auth_data_bytes,
            auth_data,
        })
    }

    /// Verifies the attestation statement over the authenticator data and the hash of the
    /// client data (WebAuthn §8.2 for `packed`, §8.7 for `none`).
    pub fn verify(&self, client_data_hash: &[u8; 32]) -> Result<AttestationType, Error> {
        let credential = self
            .auth_data
            .attested
            .as_ref()
            .ok_or_else(|| malformed("no attested credential data"))?;
        let statement = self.statement.as_map().expect("checked at parse");
        match self.format.as_str() {
            "none" => Ok(AttestationType::None),
            "packed" => {
                let alg = map_get(statement, "alg")
                    .and_then(Value::as_integer)
                    .and_then(|i| i64::try_from(i).ok())
                    .ok_or_else(|| malformed("packed attestation without alg"))?;
                let sig = map_get(statement, "sig")
                    .and_then(Value::as_bytes)
                    .ok_or_else(|| malformed("packed attestation without sig"))?;
                let mut signed = self.auth_data_bytes.clone();
                signed.extend_from_slice(client_data_hash);
                match map_get(statement, "x5c") {
                    None => {
                        if alg != credential.public_key.alg() {
                            return Err(malformed(
                                "self attestation alg differs from the credential's",
                            ));
                        }
                        if !credential.public_key.verify(&signed, sig) {
                            return Err(Error::BadSignature);
                        }
                        Ok(AttestationType::SelfAttestation)
                    }
                    Some(chain) => {
                        let first = chain
                            .as_array()
                            .and_then(|c| c.first())
                            .and_then(Value::as_bytes)
                            .ok_or_else(|| malformed("x5c is not an array of certificates"))?;
                        let key = attestation_certificate_key(first, alg, &credential.aaguid)?;
                        if !key.verify(&signed, sig) {
                            return Err(Error::BadSignature);
                        }
                        Ok(AttestationType::Basic)
                    }
                }
            }
            other => Err(Error::Unsupported(format!("attestation format {other}"))),
        }
    }
}

/// id-fido-gen-ce-aaguid: the AAGUID an attestation certificate vouches for.
const AAGUID_EXTENSION: &str = "1.3.6.1.4.1.45724.1.1.4";

/// The public key of a `packed` attestation certificate, after the checks of WebAuthn
/// §8.2.1: X.509 v3, subject OU "Authenticator Attestation", not a CA, and an AAGUID
/// extension (when present) equal to the credential's.
fn attestation_certificate_key(
    der: &[u8],
    alg: i64,
    aaguid: &[u8; 16],
) -> Result<PublicKey, Error> {
    use x509_parser::prelude::*;
    let bad = |why: &str| Error::BadCertificate(why.to_string());
    let (_, cert) = X509Certificate::from_der(der).map_err(|_| bad("not a DER certificate"))?;
    if cert.version() != X509Version::V3 {
        return Err(bad("not X.509 version 3"));
    }
    let unit_ok = cert
        .subject()
        .iter_organizational_unit()
        .any(|ou| ou.as_str() == Ok("Authenticator Attestation"));
    if !unit_ok {
        return Err(bad("subject OU is not \"Authenticator Attestation\""));
    }
    if let Ok(Some(constraints)) = cert.basic_constraints() {
        if constraints.value.ca {
            return Err(bad("a CA certificate"));
        }
    }
    for extension in cert.extensions() {
        if extension.oid.to_id_string() == AAGUID_EXTENSION {
            // An OCTET STRING wrapping the 16 bytes.
            let value = extension.value;
            if value.len() != 18 || value[0] != 0x04 || value[1] != 16 || &value[2..] != aaguid {
                return Err(bad("AAGUID extension differs from the credential's"));
            }
        }
    }
    let spki = cert.public_key();
    match (spki.parsed(), alg) {
        (Ok(x509_parser::public_key::PublicKey::EC(point)), ES256) => {
            let data = point.data();
            if data.len() != 65 || data[0] != 0x04 {
                return Err(bad("not an uncompressed P-256 point"));
            }
            Ok(PublicKey::Es256 {
                x: data[1..33].to_vec(),
                y: data[33..].to_vec(),
            })
        }
        (Ok(x509_parser::public_key::PublicKey::RSA(rsa)), RS256) => Ok(PublicKey::Rs256 {
            n: rsa.modulus.to_vec(),
            e: rsa.exponent.to_vec(),
        }),
        _ => Err(Error::Unsupported(format!(
            "attestation certificate key for algorithm {alg}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_data_is_read() {
        let json = br#"{"type":"webauthn.get","challenge":"abc","origin":"https://x.example","crossOrigin":false}"#;
        let data = ClientData::parse(json).unwrap();
        assert_eq!(data.kind, "webauthn.get");
        assert_eq!(data.challenge, "abc");
        assert_eq!(data.origin, "https://x.example");
        assert!(ClientData::parse(b"{}").is_err());
    }

    #[test]
    fn short_authenticator_data_is_malformed() {
        assert!(matches!(
            AuthenticatorData::parse(&[0; 36]),
            Err(Error::Malformed(_))
        ));
        let data =
            AuthenticatorData::parse(&[[1u8; 32].as_slice(), &[5, 0, 0, 0, 9]].concat()).unwrap();
        assert!(data.has(USER_PRESENT) && data.has(USER_VERIFIED));
        assert_eq!(data.sign_count, 9);
        assert!(data.attested.is_none());
    }

    #[test]
    fn base64url_with_or_without_padding() {
        assert_eq!(from_b64url("AQI").unwrap(), vec![1, 2]);
        assert_eq!(from_b64url("AQI=").unwrap(), vec![1, 2]);
        assert!(from_b64url("A+/=").is_err());
    }
}
