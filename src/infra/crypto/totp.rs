//! TOTP (RFC 6238): HMAC-SHA1, 30-second steps, 6 digits, secrets in upper-case base32
//! without padding, as Cognito's software-token MFA and every authenticator app use them.

use aws_lc_rs::hmac;
use data_encoding::BASE32_NOPAD;
use rand::RngCore;

pub const STEP_SECONDS: i64 = 30;
/// Steps of clock skew accepted either side of now (Cognito's window is unconfirmed; RFC
/// 6238 §5.2 recommends one).
const SKEW_STEPS: i64 = 1;

/// A fresh 160-bit shared secret, base32 (32 characters).
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::thread_rng().fill_bytes(&mut bytes);
    BASE32_NOPAD.encode(&bytes)
}

/// The time step `unix_seconds` falls in.
pub fn step_at(unix_seconds: f64) -> i64 {
    (unix_seconds.floor() as i64).div_euclid(STEP_SECONDS)
}

/// The 6-digit code of `step`, or None for a secret that is not base32.
pub fn code_at(secret_base32: &str, step: i64) -> Option<String> {
    let key = BASE32_NOPAD
        .decode(secret_base32.trim_end_matches('=').as_bytes())
        .ok()?;
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, &key);
    let mac = hmac::sign(&key, &step.to_be_bytes());
    let mac = mac.as_ref();
    let offset = (mac[mac.len() - 1] & 0x0f) as usize;
    let bin = u32::from_be_bytes([
        mac[offset],
        mac[offset + 1],
        mac[offset + 2],
        mac[offset + 3],
    ]) & 0x7fff_ffff;
    Some(format!("{:06}", bin % 1_000_000))
}

/// The step whose code `code` is, within the skew window around `now`, if any. Every
/// candidate is compared in constant time.
pub fn matching_step(secret_base32: &str, code: &str, now: f64) -> Option<i64> {
    let current = step_at(now);
    let mut found = None;
    for step in current - SKEW_STEPS..=current + SKEW_STEPS {
        let expected = code_at(secret_base32, step)?;
        let same: bool = subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), code.as_bytes()).into();
        if same && found.is_none() {
            found = Some(step);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_vectors() {
        let all: serde_json::Value =
            serde_json::from_str(include_str!("../../../fixtures/srp-test-vectors.json")).unwrap();
        let t = &all["totp_rfc6238"];
        let secret = t["secret_base32"].as_str().unwrap();
        let cases = t["cases"].as_array().unwrap();
        assert_eq!(cases.len(), 4);
        for case in cases {
            let time = case["unix_time"].as_i64().unwrap();
            let code = case["code"].as_str().unwrap();
            assert_eq!(code_at(secret, step_at(time as f64)).unwrap(), code);
        }
    }

    #[test]
    fn window_and_secrets() {
        let secret = new_secret();
        assert_eq!(secret.len(), 32);
        assert!(secret
            .chars()
            .all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c)));
        let now = 1_700_000_000.0;
        let step = step_at(now);
        for delta in [-1, 0, 1] {
            let code = code_at(&secret, step + delta).unwrap();
            assert_eq!(matching_step(&secret, &code, now), Some(step + delta));
        }
        let far = code_at(&secret, step + 3).unwrap();
        assert_eq!(matching_step(&secret, &far, now), None);
        assert_eq!(code_at("not base32!", 1), None);
    }
}
