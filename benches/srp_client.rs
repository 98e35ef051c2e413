//! A small SRP-6a client written from the reference's formulas, independent of the server's
//! code; shared by the SRP integration tests and the benchmark.

use std::collections::HashMap;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use num_bigint::BigUint;
use sha2::{Digest, Sha256};

/// The TIMESTAMP clients send (any well-formed value works).
pub const TIMESTAMP: &str = "Mon Jan 6 09:05:07 UTC 2025";

const N_HEX: &str = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF";

/// padHex as bytes: minimal big-endian with a leading zero byte when the top bit is set.
fn pad(n: &BigUint) -> Vec<u8> {
    let mut bytes = n.to_bytes_be();
    if bytes[0] & 0x80 != 0 {
        bytes.insert(0, 0);
    }
    bytes
}

fn h(parts: &[&[u8]]) -> Vec<u8> {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().to_vec()
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().to_vec()
}

/// `base^exp mod n`.
pub type ModPow = fn(&BigUint, &BigUint, &BigUint) -> BigUint;

pub struct Client {
    n: BigUint,
    g: BigUint,
    a: BigUint,
    big_a: BigUint,
    modpow: ModPow,
}

impl Client {
    /// With num-bigint's arithmetic: independent of the server's (the tests use this).
    pub fn new() -> Self {
        Self::with_modpow(|base, exp, n| base.modpow(exp, n))
    }

    /// With another exponentiation (the benchmark's load generator uses a faster one, so it
    /// leaves more of the two cores to the server).
    pub fn with_modpow(modpow: ModPow) -> Self {
        let n = BigUint::parse_bytes(N_HEX.as_bytes(), 16).unwrap();
        let g = BigUint::from(2u8);
        let a = BigUint::from_bytes_be(&rand::random::<[u8; 32]>());
        let big_a = modpow(&g, &a, &n);
        Self {
            n,
            g,
            a,
            big_a,
            modpow,
        }
    }

    pub fn srp_a(&self) -> String {
        self.big_a.to_str_radix(16)
    }

    /// PASSWORD_CLAIM_SIGNATURE for a PASSWORD_VERIFIER challenge's parameters.
    pub fn sign(
        &self,
        pool_name: &str,
        password: &str,
        parameters: &HashMap<String, String>,
    ) -> String {
        let (user_id, salt_hex, b_hex) = (
            &parameters["USER_ID_FOR_SRP"],
            &parameters["SALT"],
            &parameters["SRP_B"],
        );
        let (secret_block, timestamp) = (&parameters["SECRET_BLOCK"], TIMESTAMP);
        let big_b = BigUint::parse_bytes(b_hex.as_bytes(), 16).unwrap();
        let salt = BigUint::parse_bytes(salt_hex.as_bytes(), 16).unwrap();
        let k = BigUint::from_bytes_be(&h(&[&pad(&self.n), &pad(&self.g)]));
        let u = BigUint::from_bytes_be(&h(&[&pad(&self.big_a), &pad(&big_b)]));
        let inner = h(&[format!("{pool_name}{user_id}:{password}").as_bytes()]);
        let x = BigUint::from_bytes_be(&h(&[&pad(&salt), &inner]));
        let gx = (k * (self.modpow)(&self.g, &x, &self.n)) % &self.n;
        let base = (&big_b + &self.n - gx) % &self.n;
        let s = (self.modpow)(&base, &(&self.a + &u * &x), &self.n);
        let prk = hmac(&pad(&u), &[&pad(&s)]);
        let key = &hmac(&prk, &[b"Caldera Derived Key", &[1u8]])[..16];
        let block = STANDARD.decode(secret_block).unwrap();
        STANDARD.encode(hmac(
            key,
            &[
                pool_name.as_bytes(),
                user_id.as_bytes(),
                &block,
                timestamp.as_bytes(),
            ],
        ))
    }
}

/// ConfirmDevice's `DeviceSecretVerifierConfig` for a device password, as the SDKs build it:
/// a random 16-byte salt `s`, `x = H(PAD(s) | H(groupKey | deviceKey | ":" | password))`;
/// returns `(PasswordVerifier, Salt)` = standard base64 of `PAD(g^x mod N)` and of `PAD(s)`.
#[allow(dead_code)] // not every crate that includes this file uses it
pub fn device_verifier(group_key: &str, device_key: &str, password: &str) -> (String, String) {
    let n = BigUint::parse_bytes(N_HEX.as_bytes(), 16).unwrap();
    let salt = pad(&BigUint::from_bytes_be(&rand::random::<[u8; 16]>()));
    let inner = h(&[format!("{group_key}{device_key}:{password}").as_bytes()]);
    let x = BigUint::from_bytes_be(&h(&[&salt, &inner]));
    let v = BigUint::from(2u8).modpow(&x, &n);
    (STANDARD.encode(pad(&v)), STANDARD.encode(salt))
}
