//! STS-shaped temporary credentials, recorded by AccessKeyId so a test can ask what a set of
//! credentials stands for (`/_emulator/credentials/{accessKeyId}`).

use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rand::distributions::{Distribution, Uniform};
use rand::RngCore;

use crate::app::App;
use crate::generated::cognito_identity::Credentials;
use crate::identity::store::Issued;

/// How long credentials last, as GetCredentialsForIdentity's.
pub const LIFETIME_SECONDS: f64 = 3600.0;

fn random_from(alphabet: &[u8], len: usize) -> String {
    let pick = Uniform::from(0..alphabet.len());
    let mut rng = rand::thread_rng();
    (0..len)
        .map(|_| alphabet[pick.sample(&mut rng)] as char)
        .collect()
}

/// What the credentials are for.
pub struct Grant {
    pub identity_id: String,
    pub identity_pool_id: String,
    pub role_arn: String,
    pub principal_tags: BTreeMap<String, String>,
    pub logins: Vec<String>,
}

/// New credentials for a grant: AccessKeyId `ASIA` + 16, a 40-character secret, an opaque
/// session token, expiring in an hour on the emulator's clock.
pub fn issue(app: &App, grant: Grant) -> Credentials {
    let access_key_id = format!(
        "ASIA{}",
        random_from(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
    );
    let secret_key = random_from(
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
        40,
    );
    let mut token = vec![0u8; 600];
    rand::thread_rng().fill_bytes(&mut token);
    let session_token = format!("IQoJb3JpZ2luX2Vj{}", STANDARD.encode(token));
    let now = app.clock.now();
    let expiration = (now + LIFETIME_SECONDS).floor();
    app.identity.record_issued(Issued {
        access_key_id: access_key_id.clone(),
        identity_id: grant.identity_id,
        identity_pool_id: grant.identity_pool_id,
        authenticated: !grant.logins.is_empty(),
        role_arn: grant.role_arn,
        principal_tags: grant.principal_tags,
        logins: grant.logins,
        expiration,
    });
    Credentials {
        access_key_id: Some(access_key_id),
        secret_key: Some(secret_key),
        session_token: Some(session_token),
        expiration: Some(expiration),
    }
}
