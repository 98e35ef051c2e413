//! RS256 JSON Web Tokens signed with a pool's keys, and the JWKS that publishes them.
//!
//! Signing uses aws-lc-rs with the key pair parsed once (about 650 µs per signature on the
//! development machine, 1.8× faster than jsonwebtoken, which re-parses the key on every
//! call). Verification accepts nothing but RS256 under one of our own `kid`s: no `alg`
//! confusion is possible.

use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Mutex;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{self, KeyPair as _, ParsedPublicKey};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// One RSA-2048 signing key with its key id.
pub struct SigningKey {
    pub kid: String,
    key_pair: KeyPair,
    /// The public key parsed once: parsing it (and its Montgomery constants) for every
    /// verification cost as much again as the verification.
    verifier: ParsedPublicKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", self.kid)
    }
}

impl SigningKey {
    /// A fresh key: 50–400 ms of CPU, so never on an async thread (see [`KeyReserve`]).
    pub fn generate() -> Self {
        let key_pair = KeyPair::generate(KeySize::Rsa2048).expect("RSA key generation");
        Self::from_key_pair(key_pair)
    }

    /// A key saved with [`SigningKey::pkcs8`].
    pub fn from_pkcs8(der: &[u8]) -> Option<Self> {
        KeyPair::from_pkcs8(der).ok().map(Self::from_key_pair)
    }

    pub fn pkcs8(&self) -> Vec<u8> {
        self.key_pair
            .as_der()
            .expect("PKCS#8 export")
            .as_ref()
            .to_vec()
    }

    fn from_key_pair(key_pair: KeyPair) -> Self {
        let public_der = key_pair.public_key().as_ref().to_vec();
        // Cognito's kids are base64 strings ending in `=`; ours hash the public key.
        let kid = STANDARD.encode(Sha256::digest(&public_der));
        let verifier = ParsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, &public_der)
            .expect("an RSA key pair's own public key parses");
        Self {
            kid,
            key_pair,
            verifier,
        }
    }

    /// The key as a JWKS entry.
    pub fn jwk(&self) -> Value {
        let public = self.key_pair.public_key();
        json!({
            "alg": "RS256",
            "e": URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero()),
            "kid": self.kid,
            "kty": "RSA",
            "n": URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero()),
            "use": "sig",
        })
    }

    /// A self-signed X.509 certificate for this key (base64 DER, no PEM armour), valid for ten
    /// years from `now` (epoch seconds), as GetSigningCertificate returns it.
    pub fn certificate(&self, common_name: &str, now: i64) -> String {
        let key_pair =
            rcgen::KeyPair::try_from(self.pkcs8().as_slice()).expect("our own PKCS#8 key");
        let mut params = rcgen::CertificateParams::default();
        let mut name = rcgen::DistinguishedName::new();
        name.push(rcgen::DnType::CommonName, common_name);
        params.distinguished_name = name;
        // X.509 dates end at year 9999, and the emulator's clock can be moved anywhere.
        let (year, month, day) = civil_date(now);
        let year = year.clamp(1950, 9989);
        params.not_before = rcgen::date_time_ymd(year, month, day);
        params.not_after = rcgen::date_time_ymd(year + 10, month, day.min(28));
        let certificate = params.self_signed(&key_pair).expect("certificate signing");
        STANDARD.encode(certificate.der())
    }

    /// `header.payload.signature` with Cognito's header, `{"kid":…,"alg":"RS256"}`.
    pub fn sign(&self, claims: &Value) -> String {
        let header = json!({"kid": self.kid, "alg": "RS256"});
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = self.sign_rsa_sha256(signing_input.as_bytes());
        format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    /// An RSASSA-PKCS1-v1_5 SHA-256 signature of `message` (JWTs' RS256; SAML's rsa-sha256).
    pub fn sign_rsa_sha256(&self, message: &[u8]) -> Vec<u8> {
        let mut signature = vec![0u8; self.key_pair.public_modulus_len()];
        crate::infra::blocking::section(|| {
            self.key_pair.sign(
                &signature::RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                message,
                &mut signature,
            )
        })
        .expect("RSA signing");
        signature
    }

    /// The claims of `token` if this key signed it with RS256. Expiry and the claims' meaning
    /// are the caller's to check.
    pub fn verify(&self, token: &str) -> Option<Value> {
        let (signing_input, signature) = token.rsplit_once('.')?;
        let (header, payload) = signing_input.split_once('.')?;
        let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).ok()?).ok()?;
        if header["alg"] != "RS256" || header["kid"] != self.kid.as_str() {
            return None;
        }
        let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
        self.verifier
            .verify_sig(signing_input.as_bytes(), &signature)
            .ok()?;
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
    }
}

/// (year, month, day) of a Unix time, UTC.
fn civil_date(epoch_seconds: i64) -> (i32, u8, u8) {
    use chrono::{DateTime, Datelike};
    let date = DateTime::from_timestamp(epoch_seconds, 0)
        .unwrap_or_default()
        .date_naive();
    (date.year(), date.month() as u8, date.day() as u8)
}

/// The `kid` in a token's header, without verifying anything.
pub fn kid_of(token: &str) -> Option<String> {
    let header = token.split('.').next()?;
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).ok()?).ok()?;
    header["kid"].as_str().map(str::to_owned)
}

/// Keys generated ahead of need by a background thread, so CreateUserPool never waits for
/// RSA key generation.
pub struct KeyReserve {
    ready: Mutex<Receiver<SigningKey>>,
}

impl KeyReserve {
    /// Starts the background generator, keeping up to `capacity` keys ready.
    pub fn start(capacity: usize) -> Self {
        let (sender, receiver) = sync_channel(capacity);
        std::thread::Builder::new()
            .name("key-reserve".into())
            .spawn(move || while sender.send(SigningKey::generate()).is_ok() {})
            .expect("spawn key generator");
        Self {
            ready: Mutex::new(receiver),
        }
    }

    /// A ready key, if one is waiting.
    pub fn try_take(&self) -> Option<SigningKey> {
        self.ready.lock().ok()?.try_recv().ok()
    }

    /// A key, waiting for (or making) one. Call only off the async threads.
    pub fn take(&self) -> SigningKey {
        self.try_take()
            .unwrap_or_else(|| crate::infra::blocking::section(SigningKey::generate))
    }
}

/// Verifies an RS256 JWT against a JWKS (another party's keys, e.g. an OIDC identity
/// provider's): the key its `kid` names, RSA only, RS256 only (no `alg` confusion: `none`,
/// HMAC and anything else are refused). Returns the payload; claims are the caller's to check.
pub fn verify_with_jwks(token: &str, jwks: &Value) -> Option<Value> {
    use aws_lc_rs::signature::RsaPublicKeyComponents;
    let (signing_input, signature) = token.rsplit_once('.')?;
    let (header, payload) = signing_input.split_once('.')?;
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).ok()?).ok()?;
    if header["alg"] != "RS256" {
        return None;
    }
    let jwk = jwks["keys"].as_array()?.iter().find(|k| {
        k["kty"] == "RSA"
            && (header["kid"].is_null() || k["kid"] == header["kid"])
            && (k["use"].is_null() || k["use"] == "sig")
            && (k["alg"].is_null() || k["alg"] == "RS256")
    })?;
    let n = URL_SAFE_NO_PAD
        .decode(jwk["n"].as_str()?.trim_end_matches('='))
        .ok()?;
    let e = URL_SAFE_NO_PAD
        .decode(jwk["e"].as_str()?.trim_end_matches('='))
        .ok()?;
    let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
    RsaPublicKeyComponents { n: &n, e: &e }
        .verify(
            &signature::RSA_PKCS1_2048_8192_SHA256,
            signing_input.as_bytes(),
            &signature,
        )
        .ok()?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_and_verifies_only_its_own_tokens() {
        let key = SigningKey::generate();
        let other = SigningKey::generate();
        let token = key.sign(&json!({"sub": "abc", "exp": 2}));
        assert_eq!(key.verify(&token).unwrap()["sub"], "abc");
        assert!(other.verify(&token).is_none());
        assert_eq!(kid_of(&token).as_deref(), Some(key.kid.as_str()));
        assert!(key.kid.ends_with('='));

        // Tampered payload.
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged = URL_SAFE_NO_PAD.encode(r#"{"sub":"admin","exp":2}"#);
        parts[1] = &forged;
        assert!(key.verify(&parts.join(".")).is_none());

        // alg=none is never accepted.
        let none_header =
            URL_SAFE_NO_PAD.encode(format!(r#"{{"kid":"{}","alg":"none"}}"#, key.kid));
        let unsigned = format!("{none_header}.{}.", token.split('.').nth(1).unwrap());
        assert!(key.verify(&unsigned).is_none());

        let restored = SigningKey::from_pkcs8(&key.pkcs8()).unwrap();
        assert_eq!(restored.kid, key.kid);
        assert!(restored.verify(&token).is_some());
        assert_eq!(key.jwk()["e"], "AQAB");
    }
}
