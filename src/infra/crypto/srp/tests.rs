use super::*;
use serde_json::Value;

/// What an SRP client (pycognito / amazon-cognito-identity-js) computes.
mod client {
    use super::super::*;

    pub fn x(salt: &[u8], pool_or_group: &str, user_or_device: &str, pw: &str) -> [u8; 32] {
        let inner = Sha256::new()
            .chain_update(format!("{pool_or_group}{user_or_device}:{pw}"))
            .finalize();
        Sha256::new()
            .chain_update(salt)
            .chain_update(inner)
            .finalize()
            .into()
    }

    pub fn big_a(a: &BigUint) -> BigUint {
        GROUP.g.modpow(a, &GROUP.n)
    }

    /// `S = (B − k·g^x)^(a + u·x) mod N` and the derived key.
    pub fn key(a: &BigUint, big_b: &BigUint, x: &[u8]) -> (BigUint, [u8; 16]) {
        let grp = &*GROUP;
        let x = BigUint::from_bytes_be(x);
        let big_a = big_a(a);
        let u = scrambler(&big_a, big_b);
        assert_ne!(u, BigUint::ZERO);
        let kgx = (&grp.k * grp.g.modpow(&x, &grp.n)) % &grp.n;
        let base = (big_b % &grp.n + &grp.n - kgx) % &grp.n;
        let s = base.modpow(&(a + &u * &x), &grp.n);
        let key = derive_key(&u, &s);
        (s, key)
    }
}

fn vectors() -> Value {
    serde_json::from_str(include_str!("../../../../fixtures/srp-test-vectors.json")).unwrap()
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("vector field {key}"))
}

fn int(hex: &str) -> BigUint {
    BigUint::parse_bytes(hex.as_bytes(), 16).unwrap()
}

fn bytes(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn padding_rules() {
    assert_eq!(pad_hex(&BigUint::ZERO), "00");
    assert_eq!(pad_hex(&BigUint::from(2u32)), "02");
    assert_eq!(pad_hex(&BigUint::from(0x7fu32)), "7f");
    assert_eq!(pad_hex(&BigUint::from(0x80u32)), "0080");
    assert_eq!(pad_hex(&BigUint::from(0x123u32)), "0123");
    assert_eq!(pad_hex(&BigUint::from(0x8123u32)), "008123");
    assert_eq!(pad(&BigUint::from(0xffu32)), vec![0, 0xff]);
    assert_eq!(salt_hex(&[0x1f, 0x2e]), "1f2e");
    assert_eq!(salt_hex(&[0x00, 0x9a]), "009a");
    assert_eq!(salt_hex(&[0x00, 0x1a]), "1a");
}

#[test]
fn user_srp_vector() {
    let all = vectors();
    let t = &all["user_srp"];
    assert_eq!(GROUP.k, int(s(t, "k_hex")));

    let salt = bytes(s(t, "salt_hex"));
    let pool = s(t, "pool_id").split_once('_').unwrap().1;
    let user = s(t, "username");
    let x = client::x(&salt, pool, user, s(t, "password"));
    assert_eq!(to_hex(&x), s(t, "x_hex"));
    assert_eq!(salt_hex(&salt), s(t, "salt_hex"));

    let v = verifier_from_x(&x);
    assert_eq!(pad_hex(&v), s(t, "v_hex"));

    let a = int(s(t, "a_hex"));
    assert_eq!(client::big_a(&a).to_str_radix(16), s(t, "A_hex"));
    let big_a = parse_a(s(t, "A_hex")).unwrap();

    let ch = server_challenge_with_b(&v, int(s(t, "b_hex"))).unwrap();
    assert_eq!(ch.big_b.to_str_radix(16), s(t, "B_hex"));

    let u = scrambler(&big_a, &ch.big_b);
    assert_eq!(u.to_str_radix(16), s(t, "u_hex"));
    let secret = server_secret(&big_a, &u, &ch.b, &v);
    assert_eq!(pad_hex(&secret), s(t, "S_hex"));

    let key = session_key(&big_a, &ch.big_b, &ch.b, &v).unwrap();
    assert_eq!(to_hex(&key), s(t, "hkdf_key_hex"));
    let (client_s, client_key) = client::key(&a, &ch.big_b, &x);
    assert_eq!(client_s, secret);
    assert_eq!(client_key, key);

    let block = STANDARD.decode(s(t, "secret_block_b64")).unwrap();
    let sig = claim_signature(&key, pool, user, &block, s(t, "timestamp"));
    assert_eq!(STANDARD.encode(sig), s(t, "signature_b64"));
    assert!(verify_claim(&sig, s(t, "signature_b64")));
    assert!(verify_claim(
        &sig,
        s(t, "signature_b64").trim_end_matches('=')
    ));
    let wrong = claim_signature(&key, pool, user, &block, "Mon Jan 6 09:05:08 UTC 2025");
    assert!(!verify_claim(&wrong, s(t, "signature_b64")));
    assert!(!verify_claim(&sig, "not base64!"));
    assert!(!verify_claim(&sig, ""));
}

#[test]
fn device_srp_vector() {
    let all = vectors();
    let t = &all["device_srp"];
    let cfg = &t["DeviceSecretVerifierConfig"];
    let (v, salt) = device_verifier(s(cfg, "PasswordVerifier"), s(cfg, "Salt")).unwrap();
    assert_eq!(to_hex(&salt), s(t, "SALT_challenge_param_hex"));

    let group = s(t, "device_group_key");
    let device = s(t, "device_key");
    let x = client::x(&salt, group, device, s(t, "device_password"));
    assert_eq!(verifier_from_x(&x), v);
    assert_eq!(STANDARD.encode(pad(&v)), s(cfg, "PasswordVerifier"));

    let a = int(s(t, "a_hex"));
    assert_eq!(client::big_a(&a).to_str_radix(16), s(t, "A_hex"));
    let big_a = parse_a(s(t, "A_hex")).unwrap();
    let ch = server_challenge_with_b(&v, int(s(t, "b_hex"))).unwrap();
    assert_eq!(ch.big_b.to_str_radix(16), s(t, "B_hex"));
    assert_eq!(scrambler(&big_a, &ch.big_b).to_str_radix(16), s(t, "u_hex"));

    let key = session_key(&big_a, &ch.big_b, &ch.b, &v).unwrap();
    assert_eq!(to_hex(&key), s(t, "hkdf_key_hex"));
    assert_eq!(client::key(&a, &ch.big_b, &x).1, key);

    let block = STANDARD.decode(s(t, "secret_block_b64")).unwrap();
    let sig = claim_signature(&key, group, device, &block, s(t, "timestamp"));
    assert_eq!(STANDARD.encode(sig), s(t, "signature_b64"));
    assert!(verify_claim(&sig, s(t, "signature_b64")));

    assert!(device_verifier("!!", s(cfg, "Salt")).is_none());
    assert!(device_verifier(s(cfg, "PasswordVerifier"), "").is_none());
    assert!(device_verifier("AA==", s(cfg, "Salt")).is_none());
}

#[test]
fn secret_hash_vector() {
    let all = vectors();
    let t = &all["secret_hash"];
    let (secret, user, client) = (s(t, "client_secret"), s(t, "username"), s(t, "client_id"));
    assert_eq!(secret_hash(secret, user, client), s(t, "SECRET_HASH"));
    assert!(verify_secret_hash(
        secret,
        user,
        client,
        s(t, "SECRET_HASH")
    ));
    assert!(!verify_secret_hash(
        secret,
        "bob",
        client,
        s(t, "SECRET_HASH")
    ));
    assert!(!verify_secret_hash(secret, user, client, "garbage"));
    assert!(!verify_secret_hash(secret, user, client, ""));
}

#[test]
fn round_trip_with_random_values() {
    let mut rng = rand::thread_rng();
    for i in 0..3 {
        let mut salt = [0u8; 16];
        rng.fill_bytes(&mut salt);
        salt[0] = (salt[0] & 0x7f) | 1;
        let user = format!("user-{i}");
        let x = client::x(&salt, "Pool9", &user, "correct horse");
        let v = verifier_from_x(&x);

        let mut a_bytes = [0u8; 32];
        rng.fill_bytes(&mut a_bytes);
        let a = BigUint::from_bytes_be(&a_bytes);
        let big_a = parse_a(&client::big_a(&a).to_str_radix(16)).unwrap();

        let ch = server_challenge(&v);
        let server_key = session_key(&big_a, &ch.big_b, &ch.b, &v).unwrap();
        let (_, client_key) = client::key(&a, &ch.big_b, &x);
        assert_eq!(server_key, client_key);

        let ts = timestamp(1_736_154_307 + i64::from(i));
        let block = [7u8; 48];
        let expected = claim_signature(&server_key, "Pool9", &user, &block, &ts);
        let sent = STANDARD.encode(claim_signature(&client_key, "Pool9", &user, &block, &ts));
        assert!(verify_claim(&expected, &sent));

        // A client that knows a different password derives a different key.
        let bad_x = client::x(&salt, "Pool9", &user, "wrong");
        let (_, bad_key) = client::key(&a, &ch.big_b, &bad_x);
        let forged = STANDARD.encode(claim_signature(&bad_key, "Pool9", &user, &block, &ts));
        assert!(!verify_claim(&expected, &forged));
    }
}

#[test]
fn parse_a_validation() {
    let n_hex = GROUP.n.to_str_radix(16);
    assert!(parse_a("0").is_none());
    assert!(parse_a("0000").is_none());
    assert!(parse_a(&n_hex).is_none());
    assert!(parse_a(&(&GROUP.n * 3u32).to_str_radix(16)).is_none());
    assert!(parse_a("").is_none());
    assert!(parse_a("xyz").is_none());
    assert!(parse_a("+1f").is_none());
    assert!(parse_a("1_f").is_none());
    assert!(parse_a(" 1f").is_none());
    assert_eq!(parse_a("001F"), Some(BigUint::from(0x1fu32)));
    // Length: up to 768 significant digits, plus one padding byte of zeros.
    let big = "f".repeat(768);
    assert!(parse_a(&big).is_some());
    assert!(parse_a(&format!("00{big}")).is_some());
    assert!(parse_a(&format!("000{big}")).is_none());
    assert!(parse_a(&format!("1{big}")).is_none());
    assert!(parse_a(&format!("{}1", "0".repeat(770))).is_none());
    assert_eq!(
        parse_a(&format!("{}1", "0".repeat(769))),
        Some(BigUint::from(1u32))
    );
    assert_eq!(parse_a("abc"), Some(BigUint::from(0xabcu32)));
}

#[test]
fn aws_lc_exponentiation_matches_num_bigint() {
    let n = &GROUP.n;
    let mut rng = rand::thread_rng();
    let mut random = |len: usize| {
        let mut bytes = vec![0u8; len];
        rng.fill_bytes(&mut bytes);
        BigUint::from_bytes_be(&bytes)
    };
    for secret in [true, false] {
        for (base, exp) in [
            (random(384) % n, random(32)),
            (random(400), random(32)),
            (n + 5u32, random(64)),
            (BigUint::from(2u32), BigUint::ZERO),
            (BigUint::ZERO, random(32)),
        ] {
            assert_eq!(mod_exp(&base, &exp, secret), base.modpow(&exp, n));
        }
    }
}

#[test]
fn timestamp_format() {
    assert_eq!(timestamp(1_736_154_307), "Mon Jan 6 09:05:07 UTC 2025");
    assert_eq!(timestamp(1_739_293_209), "Tue Feb 11 17:00:09 UTC 2025");
    assert_eq!(timestamp(0), "Thu Jan 1 00:00:00 UTC 1970");
    assert_eq!(timestamp(951_782_400), "Tue Feb 29 00:00:00 UTC 2000");
}

/// Prints the cost of each server step (`cargo test --lib srp -- --nocapture`).
#[test]
fn timing() {
    use std::time::{Duration, Instant};
    let x = client::x(&[0x11; 16], "Pool", "user", "pw");
    let big_a = client::big_a(&BigUint::from(123_456_789u64));
    let _ = session_key(
        &big_a,
        &server_challenge(&verifier_from_x(&x)).big_b,
        &BigUint::from(5u32),
        &verifier_from_x(&x),
    );
    let rounds = 10u32;
    let (mut t_v, mut t_ch, mut t_key) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    for _ in 0..rounds {
        let start = Instant::now();
        let v = verifier_from_x(&x);
        t_v += start.elapsed();
        let start = Instant::now();
        let ch = server_challenge(&v);
        t_ch += start.elapsed();
        let start = Instant::now();
        assert!(session_key(&big_a, &ch.big_b, &ch.b, &v).is_some());
        t_key += start.elapsed();
    }
    println!(
        "srp per sign-in: verifier_from_x {:?}, server_challenge {:?}, session_key {:?}",
        t_v / rounds,
        t_ch / rounds,
        t_key / rounds
    );
}
