//! Identifier formats: pool ids (`<region>_<9 alphanumerics>`), client ids and secrets, UUIDs, ARNs.

use rand::distributions::{Alphanumeric, Distribution, Uniform};
use rand::Rng;

const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

fn lower_alnum(len: usize) -> String {
    let mut rng = rand::thread_rng();
    let pick = Uniform::from(0..LOWER_ALNUM.len());
    (0..len)
        .map(|_| LOWER_ALNUM[pick.sample(&mut rng)] as char)
        .collect()
}

/// `<region>_<9 alphanumerics>`, e.g. `us-east-1_AbC123xyZ`.
pub fn user_pool_id(region: &str) -> String {
    let suffix: String = rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(9)
        .map(char::from)
        .collect();
    format!("{region}_{suffix}")
}

/// 26 lower-case alphanumerics, as Cognito's app client ids.
pub fn client_id() -> String {
    lower_alnum(26)
}

/// About 50 lower-case alphanumerics (observed lengths 49–52).
pub fn client_secret() -> String {
    lower_alnum(51)
}

/// 256 random bits, base64url: CSRF tokens and hosted-session ids.
pub fn random_token() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

pub fn user_pool_arn(region: &str, account: &str, pool_id: &str) -> String {
    format!("arn:aws:cognito-idp:{region}:{account}:userpool/{pool_id}")
}
