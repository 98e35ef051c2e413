//! USER_SRP_AUTH and its PASSWORD_VERIFIER challenge (SRP-6a over the 3072-bit group). The
//! modular exponentiations run outside the pool lock.

use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use num_bigint::BigUint;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::account::{check_lockout, check_user_state, record_failure};
use super::session::use_once;
use super::{incorrect, invalid_session, param, Answer, SignIn, Step, NOBODY};
use crate::error::{ApiError, ApiResult};
use crate::generated::cognito_idp::*;
use crate::idp::store::auth::Pending;
use crate::infra::crypto::srp;

impl SignIn<'_> {
    /// InitiateAuth USER_SRP_AUTH: PreAuthentication, then the challenge. (No UserMigration:
    /// the flow never shows the password.)
    pub(super) fn start_srp(&self, params: &BTreeMap<String, String>) -> ApiResult<Step> {
        let username = param(params, "USERNAME")?;
        param(params, "SRP_A")?;
        let secret_hash = params.get("SECRET_HASH").map(String::as_str);
        self.before_authentication(username, secret_hash, None)?;
        self.start_srp_for(params, false)
    }

    /// As [`Self::start_srp`]; `hash_checked` when the SECRET_HASH was checked already (a
    /// USER_AUTH session that chose PASSWORD_SRP).
    pub(super) fn start_srp_for(
        &self,
        params: &BTreeMap<String, String>,
        hash_checked: bool,
    ) -> ApiResult<Step> {
        let username = param(params, "USERNAME")?;
        let srp_a = param(params, "SRP_A")?;
        let a = srp::parse_a(srp_a)
            .ok_or_else(|| ApiError::invalid_parameter("Invalid SRP_A value."))?;
        // Under the lock: who is this, and their salt and x. No arithmetic here.
        let (key, internal, salt, x) = {
            let guard = self.pool.read();
            let found = if hash_checked {
                guard.users.find(username)
            } else {
                self.rules.check_secret_hash_for(
                    &guard,
                    self.client_id,
                    params.get("SECRET_HASH").map(String::as_str),
                    username,
                )?
            };
            let user = found.and_then(|k| guard.users.get(k));
            match user.and_then(|u| u.password.clone().map(|p| (u.username.clone(), p))) {
                Some((name, record)) => (found.expect("found"), name, record.salt, Some(record.x)),
                // Imported or migrated for a reset, without a password yet.
                None if user.is_some_and(|u| u.status == UserStatusType::ResetRequired) => {
                    let key = found.expect("found");
                    check_user_state(&guard, key, self.app.clock.now(), &self.rules)?;
                    return Err(ApiError::user_not_found());
                }
                None if user.is_some_and(|u| u.extras().imported_hash.is_some()) => {
                    // Text unconfirmed.
                    return Err(ApiError::not_authorized(
                        "The user's password was imported as a hash: sign in once with a flow that sends the password (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, or USER_AUTH with PASSWORD) before using SRP.",
                    ));
                }
                None if self.rules.prevent_user_existence_errors => {
                    let (fake, salt) = stable_fake_id(guard.id(), username);
                    (NOBODY, fake, salt, None)
                }
                None => return Err(ApiError::user_not_found()),
            }
        };
        // Outside the lock: the verifier and B (two modular exponentiations).
        let v = match x {
            Some(x) => srp::verifier_from_x(&x),
            None => srp::verifier_from_x(&rand::random::<[u8; 32]>()),
        };
        let challenge = srp::server_challenge(&v);
        let mut block = vec![0u8; 96];
        rand::thread_rng().fill_bytes(&mut block);
        let secret_block = STANDARD.encode(&block);
        let pending = Pending::PasswordVerifier {
            b: challenge.b.to_bytes_be(),
            big_b: challenge.big_b.to_bytes_be(),
            a: a.to_bytes_be(),
            v: v.to_bytes_be(),
        };
        let session = self.new_session(
            &mut self.pool.write(),
            key,
            &internal,
            pending,
            Some(secret_block.clone()),
        );
        let parameters = BTreeMap::from([
            ("SALT".to_string(), srp::salt_hex(&salt)),
            (
                "SRP_B".to_string(),
                srp::to_hex(&challenge.big_b.to_bytes_be()),
            ),
            ("SECRET_BLOCK".to_string(), secret_block),
            ("USER_ID_FOR_SRP".to_string(), internal.clone()),
            ("USERNAME".to_string(), internal),
        ]);
        Ok(Step {
            challenge_name: Some(ChallengeNameType::PasswordVerifier),
            session: Some(session),
            challenge_parameters: Some(parameters),
            ..Default::default()
        })
    }

    pub(super) fn verify_srp(&self, answer: &Answer) -> ApiResult<Step> {
        // Missing parameters are reported in this order.
        answer.param("USERNAME")?;
        let secret_block = answer.param("PASSWORD_CLAIM_SECRET_BLOCK")?;
        let signature = answer.param("PASSWORD_CLAIM_SIGNATURE")?;
        let timestamp = answer.param("TIMESTAMP")?;
        let now = self.app.clock.now();
        // pycognito sends no Session here: the SECRET_BLOCK finds the challenge.
        let (id, found, pool_name) = {
            let guard = self.pool.read();
            let (id, found) = self.find_session(&guard, answer.session, Some(secret_block))?;
            if found.secret_block.as_deref() != Some(secret_block) {
                return Err(invalid_session());
            }
            self.check_answer_hash(answer, &found.username)?;
            (id, found, guard.srp_pool_name().to_string())
        };
        let Pending::PasswordVerifier { b, big_b, a, v } = &found.pending else {
            return Err(invalid_session());
        };
        // Outside the lock: S, K and the expected signature.
        let claim = Claim {
            secret_block,
            timestamp,
            signature,
        };
        let valid = claim.is_valid([a, big_b, b, v], &pool_name, &found.username)?;
        let mut guard = self.pool.write();
        // A correct proof naming a device the user does not have is refused before the
        // challenge is spent: amazon-cognito-identity-js answers it again without the key.
        if valid && found.user != NOBODY {
            self.check_device(&guard, found.user)?;
        }
        // Answered concurrently: only the first answer counts.
        use_once(&mut guard, &id)?;
        if found.user == NOBODY {
            return Err(incorrect());
        }
        check_lockout(&guard, found.user, now)?;
        if !valid {
            crate::idp::engine::auth_events::password_failed(&mut guard, self, found.user, now);
            record_failure(&mut guard, found.user, now);
            return Err(incorrect());
        }
        guard.auth.lockouts.remove(&found.user);
        check_user_state(&guard, found.user, now, &self.rules)?;
        drop(guard);
        self.after_first_factor(found.user)
    }
}

/// A UUID-looking id that is the same for the same (pool, name), so probing an unknown
/// user's SRP challenge twice reveals nothing.
fn stable_fake_id(pool_id: &str, name: &str) -> (String, [u8; 16]) {
    let digest = Sha256::new()
        .chain_update(pool_id)
        .chain_update([0])
        .chain_update(name)
        .finalize();
    let mut salt = [0u8; 16];
    salt.copy_from_slice(&digest[16..32]);
    salt[0] = (salt[0] & 0x7f).max(1);
    let h = srp::to_hex(&digest[..16]);
    (
        format!(
            "{}-{}-4{}-a{}-{}",
            &h[0..8],
            &h[8..12],
            &h[13..16],
            &h[17..20],
            &h[20..32]
        ),
        salt,
    )
}

/// An SRP answer's proof: PASSWORD_CLAIM_SECRET_BLOCK, TIMESTAMP and PASSWORD_CLAIM_SIGNATURE.
pub(super) struct Claim<'a> {
    pub secret_block: &'a str,
    pub timestamp: &'a str,
    pub signature: &'a str,
}

impl Claim<'_> {
    /// Whether the signature is right for the kept `[A, B, b, v]` (S and K, then the expected
    /// HMAC; run it outside any lock). `name` and `id` are the pool name and user id, or for a
    /// device its DeviceGroupKey and DeviceKey.
    pub(super) fn is_valid(&self, kept: [&Vec<u8>; 4], name: &str, id: &str) -> ApiResult<bool> {
        let block_bytes = STANDARD
            .decode(self.secret_block)
            .map_err(|_| invalid_session())?;
        let [a, big_b, b, v] = kept.map(|bytes| BigUint::from_bytes_be(bytes));
        let key = srp::session_key(&a, &big_b, &b, &v);
        Ok(key.is_some_and(|key| {
            let expected = srp::claim_signature(&key, name, id, &block_bytes, self.timestamp);
            srp::verify_claim(&expected, self.signature)
        }))
    }
}
