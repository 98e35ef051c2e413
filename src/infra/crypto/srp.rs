//! Server side of Cognito's SRP-6a (USER_SRP_AUTH, PASSWORD_VERIFIER, DEVICE_SRP_AUTH,
//! DEVICE_PASSWORD_VERIFIER) and the client SECRET_HASH.
//!
//! Parameters: the 3072-bit group of RFC 5054 / RFC 3526, `g = 2`, `H = SHA-256`,
//! `k = H(PAD(N) | PAD(g))`. Every integer that is hashed goes through [`pad`]
//! (Java `BigInteger.toByteArray` form, as the Cognito clients use).
//!
//! A sign-in goes:
//! 1. `v = `[`verifier_from_x`]`(record.x)` (users) or [`device_verifier`] (devices);
//! 2. `A = `[`parse_a`]`(SRP_A)?`, `ch = `[`server_challenge`]`(&v)`; send `SRP_B = `[`to_hex`]`(ch.big_b)`,
//!    `SALT = `[`salt_hex`]`(salt)`;
//! 3. `K = `[`session_key`]`(&A, &ch.big_b, &ch.b, &v)?`,
//!    `expected = `[`claim_signature`]`(&K, pool_name, user_id, secret_block, timestamp)`,
//!    and [`verify_claim`]`(&expected, PASSWORD_CLAIM_SIGNATURE)`.
//!
//! For devices the pool name is replaced by the DeviceGroupKey and the user id by the DeviceKey.
//! The modular exponentiations run on aws-lc's BIGNUM (2.35× num-bigint's speed, see
//! `benches/srp.rs`), constant time where the exponent is secret (`x`, `b`).

mod bn;

use std::sync::LazyLock;

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use hmac::{Hmac, Mac};
use num_bigint::BigUint;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

const N_HEX: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD",
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F",
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510",
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C",
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
);

/// The group constants, computed once.
struct Group {
    n: BigUint,
    g: BigUint,
    k: BigUint,
}

static GROUP: LazyLock<Group> = LazyLock::new(|| {
    let n = BigUint::parse_bytes(N_HEX.as_bytes(), 16).expect("valid N");
    let g = BigUint::from(2u32);
    let k = hash_int(&[&pad(&n), &pad(&g)]);
    Group { n, g, k }
});

/// Standard base64 that accepts the `=` padding or its absence when decoding.
const LENIENT_B64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// `PAD(n)`: the big-endian bytes of `n` with a leading `0x00` when the top bit is set
/// (so `0` is `[0]`). Equal to the bytes of [`pad_hex`].
pub fn pad(n: &BigUint) -> Vec<u8> {
    let mut bytes = n.to_bytes_be();
    if bytes[0] >= 0x80 {
        bytes.insert(0, 0);
    }
    bytes
}

/// `padHex(n)`: lower-case hex of `n`, made even-length, with `00` prepended when the first
/// digit is 8 or more.
pub fn pad_hex(n: &BigUint) -> String {
    to_hex(&pad(n))
}

/// Lower-case hex of bytes, as is.
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 0x0f) as usize] as char);
    }
    s
}

/// The `SALT` challenge parameter for a user's stored salt: `padHex(int(salt))`, the canonical
/// form on which all clients agree. Equals `to_hex(salt)` when the salt is already canonical
/// (first byte in `0x01..=0x7f`). Device salts are sent as `to_hex` of the stored bytes instead.
pub fn salt_hex(salt: &[u8]) -> String {
    pad_hex(&BigUint::from_bytes_be(salt))
}

fn hash_int(parts: &[&[u8]]) -> BigUint {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    BigUint::from_bytes_be(&h.finalize())
}

fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

/// Secret exponents (`x`, `b`) are 256-bit.
const SECRET_EXPONENT_BYTES: usize = 32;

/// `base^exp mod N` on aws-lc; `secret` selects the constant-time exponentiation. Public for
/// load generators and other clients of this crate.
pub fn mod_exp(base: &BigUint, exp: &BigUint, secret: bool) -> BigUint {
    let n = &GROUP.n;
    // aws-lc refuses an unreduced base; only a device verifier or `A` can be one.
    let reduced;
    let base = if base < n {
        base
    } else {
        reduced = base % n;
        &reduced
    };
    let mut exp = exp.to_bytes_be();
    if secret && exp.len() < SECRET_EXPONENT_BYTES {
        // A fixed width: aws-lc's constant-time exponentiation runs over the exponent's width,
        // which would otherwise shrink when the secret's top bytes are zero.
        let mut padded = vec![0u8; SECRET_EXPONENT_BYTES - exp.len()];
        padded.extend_from_slice(&exp);
        exp = padded;
    }
    let base = base.to_bytes_be();
    let power = crate::infra::blocking::section(|| bn::mod_exp_n(&base, &exp, secret));
    BigUint::from_bytes_be(&power)
}

/// `v = g^x mod N`, with `x` the 32 big-endian bytes of `H(PAD(s) | H(pool|user|":"|pw))`
/// (exactly `PasswordRecord::x`).
pub fn verifier_from_x(x: &[u8]) -> BigUint {
    mod_exp(&GROUP.g, &BigUint::from_bytes_be(x), true)
}

/// The server's ephemeral values for one challenge: secret `b` and public `B = (k·v + g^b) mod N`.
#[derive(Clone)]
pub struct ServerChallenge {
    pub b: BigUint,
    pub big_b: BigUint,
}

impl std::fmt::Debug for ServerChallenge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerChallenge")
            .field("big_b", &to_hex(&self.big_b.to_bytes_be()))
            .finish_non_exhaustive()
    }
}

/// A fresh challenge with a random 256-bit `b` (drawn again in the negligible case `B ≡ 0`).
pub fn server_challenge(v: &BigUint) -> ServerChallenge {
    let mut rng = rand::thread_rng();
    loop {
        let mut bytes = [0u8; 32];
        rng.fill_bytes(&mut bytes);
        if let Some(ch) = server_challenge_with_b(v, BigUint::from_bytes_be(&bytes)) {
            return ch;
        }
    }
}

/// The challenge for a given `b`; `None` when `B mod N == 0` (unusable).
pub fn server_challenge_with_b(v: &BigUint, b: BigUint) -> Option<ServerChallenge> {
    let grp = &*GROUP;
    let big_b = (&grp.k * v + mod_exp(&grp.g, &b, true)) % &grp.n;
    if big_b == BigUint::ZERO {
        return None;
    }
    Some(ServerChallenge { b, big_b })
}

/// Longest `SRP_A` accepted: the hex digits of `N` (3072 bits), plus one `00` byte so that a
/// client sending `padHex(A)` still works. Anything longer is refused before any work, and a
/// pending challenge keeps at most 384 bytes of it.
pub const MAX_SRP_A_HEX_DIGITS: usize = 770;

/// Parses the client's `SRP_A`: hex digits of either case, no sign or separators, at most
/// [`MAX_SRP_A_HEX_DIGITS`] of them and a value below `2^3072` (leading zeros allowed within
/// that length). `None` when it is not such hex or when `A mod N == 0`.
/// The value is returned as sent (not reduced), since the client hashes it that way.
pub fn parse_a(srp_a_hex: &str) -> Option<BigUint> {
    const N_DIGITS: usize = 768;
    if srp_a_hex.is_empty()
        || srp_a_hex.len() > MAX_SRP_A_HEX_DIGITS
        || srp_a_hex.trim_start_matches('0').len() > N_DIGITS
        || !srp_a_hex.bytes().all(|c| c.is_ascii_hexdigit())
    {
        return None;
    }
    let a = BigUint::parse_bytes(srp_a_hex.as_bytes(), 16)?;
    if &a % &GROUP.n == BigUint::ZERO {
        return None;
    }
    Some(a)
}

/// `u = H(PAD(A) | PAD(B))`.
fn scrambler(a: &BigUint, big_b: &BigUint) -> BigUint {
    hash_int(&[&pad(a), &pad(big_b)])
}

/// Server's premaster secret `S = (A · v^u)^b mod N`.
fn server_secret(a: &BigUint, u: &BigUint, b: &BigUint, v: &BigUint) -> BigUint {
    let n = &GROUP.n;
    // `u` is public (a hash of A and B): the faster variable-time exponentiation will do.
    let base = ((a % n) * mod_exp(v, u, false)) % n;
    mod_exp(&base, b, true)
}

/// Cognito's HKDF step: `PRK = HMAC(PAD(u), PAD(S))`,
/// `K = HMAC(PRK, "Caldera Derived Key" | 0x01)[..16]`.
fn derive_key(u: &BigUint, s: &BigUint) -> [u8; 16] {
    let prk = hmac_sha256(&pad(u), &[&pad(s)]);
    let okm = hmac_sha256(&prk, &[b"Caldera Derived Key", &[1]]);
    let mut key = [0u8; 16];
    key.copy_from_slice(&okm[..16]);
    key
}

/// The 16-byte session key `K` from the client's `A`, the challenge (`B`, `b`) and the verifier.
/// `None` when `u == 0` or `A mod N == 0` (the exchange must then be refused).
pub fn session_key(a: &BigUint, big_b: &BigUint, b: &BigUint, v: &BigUint) -> Option<[u8; 16]> {
    if a % &GROUP.n == BigUint::ZERO {
        return None;
    }
    let u = scrambler(a, big_b);
    if u == BigUint::ZERO {
        return None;
    }
    Some(derive_key(&u, &server_secret(a, &u, b, v)))
}

/// The expected `PASSWORD_CLAIM_SIGNATURE` (raw bytes):
/// `HMAC-SHA256(K, poolName|userId|SECRET_BLOCK bytes|TIMESTAMP)`, where for devices
/// `poolName` is the DeviceGroupKey and `userId` the DeviceKey. `secret_block` is the
/// base64-decoded SECRET_BLOCK; `timestamp` is the string the client sent.
pub fn claim_signature(
    key: &[u8; 16],
    pool_name_or_group: &str,
    user_id_or_device: &str,
    secret_block: &[u8],
    timestamp: &str,
) -> [u8; 32] {
    hmac_sha256(
        key,
        &[
            pool_name_or_group.as_bytes(),
            user_id_or_device.as_bytes(),
            secret_block,
            timestamp.as_bytes(),
        ],
    )
}

/// Compares a claimed base64 signature (standard alphabet, padding optional) with the expected
/// bytes in constant time. Undecodable input is simply a mismatch.
pub fn verify_claim(expected: &[u8; 32], claimed_b64: &str) -> bool {
    ct_eq_b64(expected, claimed_b64)
}

fn ct_eq_b64(expected: &[u8], claimed_b64: &str) -> bool {
    match LENIENT_B64.decode(claimed_b64.trim()) {
        Ok(claimed) => claimed.ct_eq(expected).into(),
        Err(_) => false,
    }
}

fn secret_hash_bytes(client_secret: &str, username: &str, client_id: &str) -> [u8; 32] {
    hmac_sha256(
        client_secret.as_bytes(),
        &[username.as_bytes(), client_id.as_bytes()],
    )
}

/// `SECRET_HASH = Base64(HMAC-SHA256(client_secret, username | client_id))`.
pub fn secret_hash(client_secret: &str, username: &str, client_id: &str) -> String {
    STANDARD.encode(secret_hash_bytes(client_secret, username, client_id))
}

/// Constant-time check of a submitted SECRET_HASH (padding optional).
pub fn verify_secret_hash(
    client_secret: &str,
    username: &str,
    client_id: &str,
    provided_b64: &str,
) -> bool {
    ct_eq_b64(
        &secret_hash_bytes(client_secret, username, client_id),
        provided_b64,
    )
}

/// Cognito's `TIMESTAMP` format, `EEE MMM d HH:mm:ss UTC yyyy` in UTC with an unpadded day,
/// e.g. `Mon Jan 6 09:05:07 UTC 2025`. Out-of-range input yields the epoch.
pub fn timestamp(epoch_seconds: i64) -> String {
    let t = chrono::DateTime::from_timestamp(epoch_seconds, 0).unwrap_or_default();
    t.format("%a %b %-d %H:%M:%S UTC %Y").to_string()
}

/// Decodes ConfirmDevice's `DeviceSecretVerifierConfig` (standard base64 of `PAD(v)` and of the
/// salt bytes). Returns the verifier and the salt bytes as stored; the later `SALT` challenge
/// parameter is `to_hex(&salt)`. `None` for bad base64, an empty salt or `v mod N == 0`.
pub fn device_verifier(password_verifier_b64: &str, salt_b64: &str) -> Option<(BigUint, Vec<u8>)> {
    let v_bytes = LENIENT_B64.decode(password_verifier_b64.trim()).ok()?;
    let salt = LENIENT_B64.decode(salt_b64.trim()).ok()?;
    if v_bytes.is_empty() || salt.is_empty() {
        return None;
    }
    let v = BigUint::from_bytes_be(&v_bytes);
    if &v % &GROUP.n == BigUint::ZERO {
        return None;
    }
    Some((v, salt))
}

#[cfg(test)]
mod tests;
