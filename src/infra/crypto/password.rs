//! Password records. We keep SRP's private value
//! `x = SHA256(salt | SHA256(poolName | username | ":" | password))`, which is itself a salted
//! hash: a password sign-in recomputes and compares it, and SRP derives its verifier
//! `v = g^x mod N` from it when needed. Plain passwords are never kept.

use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PasswordRecord {
    /// 16 random bytes whose first byte is below 0x80, so SRP's padded-hex form of the salt
    /// is exactly these bytes.
    #[serde(with = "hex_bytes")]
    pub salt: [u8; 16],
    #[serde(with = "hex_bytes")]
    pub x: [u8; 32],
}

/// Byte arrays as hex strings on disk (JSON arrays of numbers would be three times larger).
mod hex_bytes {
    use serde::{de::Error, Deserializer, Serializer};

    pub fn serialize<S: Serializer, const N: usize>(
        bytes: &[u8; N],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&crate::infra::crypto::srp::to_hex(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>, const N: usize>(
        deserializer: D,
    ) -> Result<[u8; N], D::Error> {
        struct Hex<const N: usize>;
        impl<const N: usize> serde::de::Visitor<'_> for Hex<N> {
            type Value = [u8; N];
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                write!(f, "{N} bytes in hex")
            }
            fn visit_str<E: Error>(self, text: &str) -> Result<[u8; N], E> {
                let digits = text.as_bytes();
                let nibble = |d: u8| (d as char).to_digit(16).map(|n| n as u8);
                let mut bytes = [0u8; N];
                if digits.len() != 2 * N {
                    return Err(E::invalid_length(digits.len(), &self));
                }
                for (byte, pair) in bytes.iter_mut().zip(digits.chunks_exact(2)) {
                    *byte = match (nibble(pair[0]), nibble(pair[1])) {
                        (Some(high), Some(low)) => high << 4 | low,
                        _ => return Err(E::invalid_value(serde::de::Unexpected::Str(text), &self)),
                    };
                }
                Ok(bytes)
            }
        }
        deserializer.deserialize_str(Hex::<N>)
    }
}

impl std::fmt::Debug for PasswordRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordRecord(..)")
    }
}

impl PasswordRecord {
    /// `pool_name` is the part of the pool id after `_`; `username` is the one SRP clients
    /// hash (USER_ID_FOR_SRP), i.e. the user's internal username.
    pub fn new(pool_name: &str, username: &str, password: &str) -> Self {
        let mut salt = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut salt);
        // Neither 0x00 (clients would strip it) nor >= 0x80 (clients would pad it).
        salt[0] = (salt[0] & 0x7f).max(1);
        let x = derive_x(&salt, pool_name, username, password);
        Self { salt, x }
    }

    /// Constant-time comparison of the recomputed value.
    pub fn verify(&self, pool_name: &str, username: &str, password: &str) -> bool {
        let candidate = derive_x(&self.salt, pool_name, username, password);
        candidate.ct_eq(&self.x).into()
    }
}

fn derive_x(salt: &[u8], pool_name: &str, username: &str, password: &str) -> [u8; 32] {
    let inner = Sha256::new()
        .chain_update(pool_name.as_bytes())
        .chain_update(username.as_bytes())
        .chain_update(b":")
        .chain_update(password.as_bytes())
        .finalize();
    Sha256::new()
        .chain_update(salt)
        .chain_update(inner)
        .finalize()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_through_json_as_hex() {
        let record = PasswordRecord::new("pool", "user", "Passw0rd!");
        let json = serde_json::to_string(&record).unwrap();
        assert!(
            json.contains(&crate::infra::crypto::srp::to_hex(&record.x)),
            "{json}"
        );
        assert!(json.len() < 140, "{json}");
        let back: PasswordRecord = serde_json::from_str(&json).unwrap();
        assert!(back == record);
        assert!(serde_json::from_str::<PasswordRecord>(r#"{"salt":"00","x":"zz"}"#).is_err());
        let not_hex = json.replace(
            &crate::infra::crypto::srp::to_hex(&record.salt),
            &"g0".repeat(16),
        );
        assert!(serde_json::from_str::<PasswordRecord>(&not_hex).is_err());
    }

    #[test]
    fn verifies_only_the_same_password() {
        let record = PasswordRecord::new("AbC123xyZ", "alice", "Passw0rd!");
        assert!(record.verify("AbC123xyZ", "alice", "Passw0rd!"));
        assert!(!record.verify("AbC123xyZ", "alice", "Passw0rd?"));
        assert!(!record.verify("AbC123xyZ", "bob", "Passw0rd!"));
        assert!((1..0x80).contains(&record.salt[0]));
    }
}
