//! A software WebAuthn authenticator (and the browser around it) for the passkey tests:
//! P-256 or RSA keys (aws-lc-rs), CBOR by ciborium, `none` and `packed` attestations (self
//! and with an x5c certificate made by rcgen), assertions with a signature counter. Each
//! ceremony can be bent (another origin, relying party, challenge, flags, a broken
//! signature) to see the emulator refuse it.

use std::collections::HashMap;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair as RsaKeyPair, KeySize, PublicKeyComponents};
use aws_lc_rs::signature::{
    EcdsaKeyPair, KeyPair as _, ECDSA_P256_SHA256_ASN1_SIGNING, RSA_PKCS1_SHA256,
};
use aws_smithy_types::{Document, Number};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ciborium::Value as Cbor;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

pub const UP: u8 = 0x01;
pub const UV: u8 = 0x04;
const BE_BS: u8 = 0x18;
const AT: u8 = 0x40;

pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

enum Key {
    Ec(EcdsaKeyPair),
    Rsa(RsaKeyPair),
}

impl Key {
    fn sign(&self, message: &[u8]) -> Vec<u8> {
        let rng = SystemRandom::new();
        match self {
            Key::Ec(key) => key.sign(&rng, message).unwrap().as_ref().to_vec(),
            Key::Rsa(key) => {
                let mut signature = vec![0; key.public_modulus_len()];
                key.sign(&RSA_PKCS1_SHA256, &rng, message, &mut signature)
                    .unwrap();
                signature
            }
        }
    }

    fn cose(&self) -> Vec<u8> {
        let int = |i: i64| Cbor::Integer(i.into());
        let map = match self {
            Key::Ec(key) => {
                let point = key.public_key().as_ref();
                vec![
                    (int(1), int(2)),
                    (int(3), int(-7)),
                    (int(-1), int(1)),
                    (int(-2), Cbor::Bytes(point[1..33].to_vec())),
                    (int(-3), Cbor::Bytes(point[33..].to_vec())),
                ]
            }
            Key::Rsa(key) => {
                let parts = PublicKeyComponents::<Vec<u8>>::from(key.public_key());
                vec![
                    (int(1), int(3)),
                    (int(3), int(-257)),
                    (int(-1), Cbor::Bytes(parts.n)),
                    (int(-2), Cbor::Bytes(parts.e)),
                ]
            }
        };
        cbor(&Cbor::Map(map))
    }
}

fn cbor(value: &Cbor) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(value, &mut out).unwrap();
    out
}

/// Which attestation statement a registration carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attest {
    None,
    PackedSelf,
    PackedX5c,
}

/// How to bend one ceremony; the default is an honest one.
#[derive(Debug, Clone, Default)]
pub struct Bend {
    pub origin: Option<String>,
    pub rp_id: Option<String>,
    pub challenge: Option<String>,
    /// Flags instead of UP|UV|BE|BS.
    pub flags: Option<u8>,
    pub break_signature: bool,
    /// A counter to report instead of the next one.
    pub counter: Option<u32>,
}

pub struct Authenticator {
    key: Key,
    pub credential_id: Vec<u8>,
    pub counter: u32,
    aaguid: [u8; 16],
    /// The user handle the credential was made for.
    user_handle: Option<String>,
}

impl Authenticator {
    pub fn es256() -> Self {
        let key = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_ASN1_SIGNING).unwrap();
        Self::with(Key::Ec(key))
    }

    pub fn rs256() -> Self {
        Self::with(Key::Rsa(RsaKeyPair::generate(KeySize::Rsa2048).unwrap()))
    }

    fn with(key: Key) -> Self {
        Self {
            key,
            credential_id: rand::random::<[u8; 16]>().to_vec(),
            counter: 0,
            aaguid: [0x42; 16],
            user_handle: None,
        }
    }

    pub fn id(&self) -> String {
        b64(&self.credential_id)
    }

    fn client_data(kind: &str, challenge: &str, origin: &str) -> Vec<u8> {
        json!({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": false})
            .to_string()
            .into_bytes()
    }

    fn auth_data(&mut self, rp_id: &str, flags: u8, bend: &Bend, attested: bool) -> Vec<u8> {
        self.counter += 1;
        let counter = bend.counter.unwrap_or(self.counter);
        let mut data = Sha256::digest(bend.rp_id.as_deref().unwrap_or(rp_id)).to_vec();
        data.push(bend.flags.unwrap_or(flags) | if attested { AT } else { 0 });
        data.extend_from_slice(&counter.to_be_bytes());
        if attested {
            data.extend_from_slice(&self.aaguid);
            data.extend_from_slice(&(self.credential_id.len() as u16).to_be_bytes());
            data.extend_from_slice(&self.credential_id);
            data.extend_from_slice(&self.key.cose());
        }
        data
    }

    /// navigator.credentials.create() answered: a RegistrationResponseJSON.
    pub fn register(
        &mut self,
        options: &Value,
        origin: &str,
        attest: Attest,
        bend: &Bend,
    ) -> Value {
        let rp_id = options["rp"]["id"].as_str().unwrap().to_string();
        let challenge = bend
            .challenge
            .clone()
            .unwrap_or_else(|| options["challenge"].as_str().unwrap().to_string());
        self.user_handle = options["user"]["id"].as_str().map(str::to_string);
        let client_data = Self::client_data(
            "webauthn.create",
            &challenge,
            bend.origin.as_deref().unwrap_or(origin),
        );
        let auth_data = self.auth_data(&rp_id, UP | UV | BE_BS, bend, true);
        let mut signed = auth_data.clone();
        signed.extend_from_slice(&Sha256::digest(&client_data));
        let text = |s: &str| Cbor::Text(s.to_string());
        let statement = match attest {
            Attest::None => vec![],
            Attest::PackedSelf => {
                let mut sig = self.key.sign(&signed);
                if bend.break_signature {
                    let last = sig.len() - 1;
                    sig[last] ^= 1;
                }
                let alg = if matches!(self.key, Key::Ec(_)) {
                    -7
                } else {
                    -257
                };
                vec![
                    (text("alg"), Cbor::Integer(alg.into())),
                    (text("sig"), Cbor::Bytes(sig)),
                ]
            }
            Attest::PackedX5c => {
                let (cert, key) = attestation_certificate();
                let mut sig = key.sign(&signed);
                if bend.break_signature {
                    let last = sig.len() - 1;
                    sig[last] ^= 1;
                }
                vec![
                    (text("alg"), Cbor::Integer((-7).into())),
                    (text("sig"), Cbor::Bytes(sig)),
                    (text("x5c"), Cbor::Array(vec![Cbor::Bytes(cert)])),
                ]
            }
        };
        let format = if attest == Attest::None {
            "none"
        } else {
            "packed"
        };
        let object = Cbor::Map(vec![
            (text("fmt"), text(format)),
            (text("attStmt"), Cbor::Map(statement)),
            (text("authData"), Cbor::Bytes(auth_data)),
        ]);
        json!({
            "id": self.id(),
            "rawId": self.id(),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(&client_data),
                "attestationObject": b64(&cbor(&object)),
                "transports": ["internal", "hybrid"],
            },
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {"credProps": {"rk": true}},
        })
    }

    /// navigator.credentials.get() answered: an AuthenticationResponseJSON.
    pub fn assert(&mut self, options: &Value, origin: &str, bend: &Bend) -> Value {
        let rp_id = options["rpId"].as_str().unwrap().to_string();
        let challenge = bend
            .challenge
            .clone()
            .unwrap_or_else(|| options["challenge"].as_str().unwrap().to_string());
        let client_data = Self::client_data(
            "webauthn.get",
            &challenge,
            bend.origin.as_deref().unwrap_or(origin),
        );
        let auth_data = self.auth_data(&rp_id, UP | UV | BE_BS, bend, false);
        let mut signed = auth_data.clone();
        signed.extend_from_slice(&Sha256::digest(&client_data));
        let mut signature = self.key.sign(&signed);
        if bend.break_signature {
            let last = signature.len() - 1;
            signature[last] ^= 1;
        }
        json!({
            "id": self.id(),
            "rawId": self.id(),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(&client_data),
                "authenticatorData": b64(&auth_data),
                "signature": b64(&signature),
                "userHandle": self.user_handle,
            },
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
        })
    }
}

/// A packed attestation certificate (OU "Authenticator Attestation", not a CA) and its key.
fn attestation_certificate() -> (Vec<u8>, Key) {
    let key_pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut params = rcgen::CertificateParams::default();
    let mut name = rcgen::DistinguishedName::new();
    name.push(rcgen::DnType::CountryName, "SE");
    name.push(rcgen::DnType::OrganizationName, "Test Authenticators");
    name.push(
        rcgen::DnType::OrganizationalUnitName,
        "Authenticator Attestation",
    );
    name.push(rcgen::DnType::CommonName, "Test Batch 1");
    params.distinguished_name = name;
    params.is_ca = rcgen::IsCa::ExplicitNoCa;
    let cert = params.self_signed(&key_pair).unwrap();
    let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &key_pair.serialize_der())
        .unwrap();
    (cert.der().to_vec(), Key::Ec(key))
}

/// The SDK's Document as JSON.
pub fn to_json(document: &Document) -> Value {
    match document {
        Document::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
        Document::Array(items) => Value::Array(items.iter().map(to_json).collect()),
        Document::Number(Number::PosInt(n)) => json!(n),
        Document::Number(Number::NegInt(n)) => json!(n),
        Document::Number(Number::Float(n)) => json!(n),
        Document::String(s) => json!(s),
        Document::Bool(b) => json!(b),
        Document::Null => Value::Null,
    }
}

/// JSON as the SDK's Document.
pub fn to_document(value: &Value) -> Document {
    match value {
        Value::Object(map) => Document::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), to_document(v)))
                .collect::<HashMap<_, _>>(),
        ),
        Value::Array(items) => Document::Array(items.iter().map(to_document).collect()),
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Document::Number(Number::PosInt(u)),
            (None, Some(i)) => Document::Number(Number::NegInt(i)),
            _ => Document::Number(Number::Float(n.as_f64().unwrap())),
        },
        Value::String(s) => Document::String(s.clone()),
        Value::Bool(b) => Document::Bool(*b),
        Value::Null => Document::Null,
    }
}
