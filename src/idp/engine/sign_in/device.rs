//! Remembered devices in a sign-in. After the first factor a remembered device proves
//! itself with SRP over its own verifier (from ConfirmDevice): `DEVICE_SRP_AUTH` (the
//! client's A) then `DEVICE_PASSWORD_VERIFIER` (its proof). A sign-in that names no device
//! in a pool that tracks devices gets a new device key with its tokens (`NewDeviceMetadata`).
//!
//! The math is user SRP's with the DeviceGroupKey for the pool name and the DeviceKey for
//! the user id. pycognito answers both steps without the Session: DEVICE_SRP_AUTH is found
//! by USERNAME and DEVICE_KEY, DEVICE_PASSWORD_VERIFIER by its SECRET_BLOCK.

use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rand::RngCore;

use super::session::use_once;
use super::{incorrect, invalid_session, Answer, Api, SignIn, Step};
use crate::error::{ApiError, ApiResult};
use crate::generated::cognito_idp::*;
use crate::idp::engine::devices::{
    device_not_found, new_device_key, new_group_key, tracks_devices,
};
use crate::idp::store::auth::Pending;
use crate::idp::store::device::UnconfirmedDevice;
use crate::idp::store::{UserKey, UserPool};
use crate::infra::crypto::srp;

impl SignIn<'_> {
    /// The device this sign-in names, if the pool tracks devices (the hosted pages never do).
    fn tracked_device(&self, pool: &UserPool) -> Option<String> {
        if self.api == Api::Hosted || !tracks_devices(pool) {
            return None;
        }
        self.device.borrow().clone()
    }

    /// A DEVICE_KEY the user does not have (never handed out to them, or forgotten) is
    /// refused once the first factor has succeeded.
    pub(super) fn check_device(&self, pool: &UserPool, user: UserKey) -> ApiResult<()> {
        match self.tracked_device(pool) {
            Some(key) if !pool.user(user)?.extras().devices.knows(&key) => Err(device_not_found()),
            _ => Ok(()),
        }
    }

    /// DEVICE_SRP_AUTH when the sign-in names a remembered device; None otherwise (a device
    /// that is not remembered is only tracked: it signs in as if unnamed, keeping its key).
    pub(super) fn device_challenge(&self, user: UserKey) -> ApiResult<Option<Step>> {
        let mut guard = self.pool.write();
        let Some(key) = self.tracked_device(&guard) else {
            return Ok(None);
        };
        let record = guard.user(user)?;
        if !record
            .extras()
            .devices
            .confirmed
            .get(&key)
            .is_some_and(|d| d.remembered)
        {
            return Ok(None);
        }
        let username = record.username.clone();
        let session = self.new_session(&mut guard, user, &username, Pending::DeviceSrpAuth, None);
        Ok(Some(Step {
            challenge_name: Some(ChallengeNameType::DeviceSrpAuth),
            session: Some(session),
            // Unconfirmed: clients read nothing here.
            challenge_parameters: Some(BTreeMap::new()),
            ..Default::default()
        }))
    }

    /// The device key for the tokens, and the NewDeviceMetadata when one is handed out now.
    pub(super) fn device_for_tokens(
        &self,
        user: UserKey,
    ) -> ApiResult<(Option<String>, Option<NewDeviceMetadataType>)> {
        let now = self.app.clock.now();
        let mut guard = self.pool.write();
        if self.api == Api::Hosted || !tracks_devices(&guard) {
            return Ok((None, None));
        }
        if let Some(key) = self.tracked_device(&guard) {
            // Forgotten since the first factor?
            if !guard.user(user)?.extras().devices.knows(&key) {
                return Err(device_not_found());
            }
            guard
                .users
                .update(user, |u| u.extras_mut().devices.signed_in(&key, now));
            return Ok((Some(key), None));
        }
        let device = UnconfirmedDevice {
            key: new_device_key(guard.id()),
            group_key: new_group_key(),
            created: now,
            last_authenticated: now,
        };
        let metadata = NewDeviceMetadataType {
            device_key: Some(device.key.clone()),
            device_group_key: Some(device.group_key.clone()),
        };
        let key = device.key.clone();
        guard
            .users
            .update(user, |u| u.extras_mut().devices.hand_out(device));
        Ok((Some(key), Some(metadata)))
    }

    /// DEVICE_SRP_AUTH's answer (USERNAME, DEVICE_KEY, SRP_A): the device's SRP challenge.
    pub(super) fn device_srp(&self, answer: &Answer) -> ApiResult<Step> {
        let username = answer.param("USERNAME")?;
        let device_key = answer.param("DEVICE_KEY")?;
        let srp_a = answer.param("SRP_A")?;
        let a = srp::parse_a(srp_a)
            .ok_or_else(|| ApiError::invalid_parameter("Invalid SRP_A value."))?;
        let (found, verifier, salt) = {
            let mut guard = self.pool.write();
            let user = guard.users.find(username);
            let id = match answer.session {
                Some(id) => id.to_string(),
                None => user
                    .and_then(|user| {
                        guard
                            .auth
                            .device_challenges
                            .get(&(user, device_key.to_string()))
                            .cloned()
                    })
                    .ok_or_else(invalid_session)?,
            };
            let (id, found) = self.find_session(&guard, Some(id.as_str()), None)?;
            if found.pending != Pending::DeviceSrpAuth
                || found.device_key.as_deref() != Some(device_key)
                || (user != Some(found.user) && username != found.username)
            {
                return Err(invalid_session());
            }
            self.check_device_answer_hash(answer, &found.username)?;
            let device = guard
                .user(found.user)?
                .extras()
                .devices
                .confirmed
                .get(device_key)
                .filter(|d| d.remembered)
                .ok_or_else(device_not_found)?;
            let (verifier, salt) = (device.verifier.clone(), device.salt.clone());
            use_once(&mut guard, &id)?;
            (found, verifier, salt)
        };
        // Outside the lock: B (two modular exponentiations).
        let (v, salt) = srp::device_verifier(&verifier, &salt)
            .ok_or_else(|| ApiError::internal("a stored device verifier does not decode"))?;
        let challenge = srp::server_challenge(&v);
        let mut block = vec![0u8; 96];
        rand::thread_rng().fill_bytes(&mut block);
        let secret_block = STANDARD.encode(&block);
        let pending = Pending::DevicePasswordVerifier {
            b: challenge.b.to_bytes_be(),
            big_b: challenge.big_b.to_bytes_be(),
            a: a.to_bytes_be(),
            v: v.to_bytes_be(),
        };
        let session = self.new_session(
            &mut self.pool.write(),
            found.user,
            &found.username,
            pending,
            Some(secret_block.clone()),
        );
        let parameters = BTreeMap::from([
            (
                "SRP_B".to_string(),
                srp::to_hex(&challenge.big_b.to_bytes_be()),
            ),
            // The salt bytes as ConfirmDevice sent them (clients send a canonical PAD(s)).
            ("SALT".to_string(), srp::to_hex(&salt)),
            ("SECRET_BLOCK".to_string(), secret_block),
            ("USERNAME".to_string(), found.username.clone()),
            ("DEVICE_KEY".to_string(), device_key.to_string()),
        ]);
        Ok(Step {
            challenge_name: Some(ChallengeNameType::DevicePasswordVerifier),
            session: Some(session),
            challenge_parameters: Some(parameters),
            ..Default::default()
        })
    }

    /// DEVICE_PASSWORD_VERIFIER's answer: the device's proof, then what follows the device
    /// step (MFA is skipped when the pool lets a remembered device stand in for it).
    pub(super) fn verify_device(&self, answer: &Answer) -> ApiResult<Step> {
        // Missing parameters are reported in this order.
        answer.param("USERNAME")?;
        let secret_block = answer.param("PASSWORD_CLAIM_SECRET_BLOCK")?;
        let signature = answer.param("PASSWORD_CLAIM_SIGNATURE")?;
        let timestamp = answer.param("TIMESTAMP")?;
        let device_key = answer.param("DEVICE_KEY")?;
        let (id, found, group_key) = {
            let guard = self.pool.read();
            let (id, found) = self.find_session(&guard, answer.session, Some(secret_block))?;
            if found.secret_block.as_deref() != Some(secret_block)
                || found.device_key.as_deref() != Some(device_key)
            {
                return Err(invalid_session());
            }
            self.check_device_answer_hash(answer, &found.username)?;
            let group_key = guard
                .user(found.user)?
                .extras()
                .devices
                .confirmed
                .get(device_key)
                .map(|d| d.group_key.clone())
                .ok_or_else(device_not_found)?;
            (id, found, group_key)
        };
        let Pending::DevicePasswordVerifier { b, big_b, a, v } = &found.pending else {
            return Err(invalid_session());
        };
        // Outside the lock: S, K and the expected signature.
        let claim = super::srp::Claim {
            secret_block,
            timestamp,
            signature,
        };
        let valid = claim.is_valid([a, big_b, b, v], &group_key, device_key)?;
        {
            let mut guard = self.pool.write();
            // Answered concurrently: only the first answer counts.
            use_once(&mut guard, &id)?;
            if !valid {
                // Text unconfirmed. Not counted towards the password lockout: the device's
                // password is 40 random bytes, not the user's.
                return Err(incorrect());
            }
            let remembered = guard
                .user(found.user)?
                .extras()
                .devices
                .confirmed
                .get(device_key)
                .is_some_and(|d| d.remembered);
            if !remembered {
                return Err(device_not_found());
            }
        }
        self.token_source
            .set(crate::idp::engine::triggers::token_generation::source::AUTHENTICATE_DEVICE);
        self.after_device(found.user, true)
    }

    /// The device steps take SECRET_HASH when sent: pycognito sends none with DEVICE_SRP_AUTH
    /// (unconfirmed whether Cognito then insists on it).
    fn check_device_answer_hash(&self, answer: &Answer, session_user: &str) -> ApiResult<()> {
        if answer.get("SECRET_HASH").is_none() {
            return Ok(());
        }
        self.check_answer_hash(answer, session_user)
    }
}
