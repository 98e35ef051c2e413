//! REFRESH_TOKEN_AUTH and GetTokensFromRefreshToken: new ID and access tokens from the same
//! sign-in; with rotation also a new refresh token, and the old one then dies.

use std::collections::BTreeMap;

use super::complete::tokens_step;
use super::{param, SignIn, Step};
use crate::error::{ApiError, ApiResult};
use crate::idp::engine::tokens::{self, Grant};
use crate::idp::engine::triggers::token_generation::{self, source};

impl SignIn<'_> {
    /// REFRESH_TOKEN_AUTH: the SECRET_HASH is over the username the SDK knows, or the
    /// internal one.
    pub(super) fn refresh_flow(&self, params: &BTreeMap<String, String>) -> ApiResult<Step> {
        let token = param(params, "REFRESH_TOKEN")?;
        if !self.rules.secrets.is_empty() {
            let record_user = {
                let pool = self.pool.read();
                pool.auth
                    .refresh_token(token)
                    .and_then(|r| pool.users.get(r.user))
                    .map(|u| u.username.clone())
            };
            let names: Vec<&str> = params
                .get("USERNAME")
                .map(String::as_str)
                .into_iter()
                .chain(record_user.as_deref())
                .collect();
            self.rules.check_secret_hash(
                self.client_id,
                params.get("SECRET_HASH").map(String::as_str),
                &names,
            )?;
        }
        self.refresh(token)
    }

    pub fn refresh(&self, token: &str) -> ApiResult<Step> {
        let now = self.app.clock.now();
        let rotate = self.rules.rotation;
        let record = {
            let mut guard = self.pool.write();
            let record = guard
                .auth
                .refresh_token(token)
                .filter(|r| r.client_id == self.client_id)
                .cloned()
                .ok_or_else(|| ApiError::not_authorized("Invalid Refresh Token"))?;
            if record.revoked {
                return Err(tokens::revoked_refresh_token());
            }
            tokens::check_sign_in_live(&guard, &record.origin_jti)?;
            if record.expires <= now {
                return Err(ApiError::not_authorized("Refresh Token has expired"));
            }
            // A refresh token issued to a device works only with that device's DEVICE_KEY
            // (as Cognito's does once device tracking is on; text unconfirmed).
            if record.device_key.is_some() && *self.device.borrow() != record.device_key {
                return Err(ApiError::not_authorized("Invalid Refresh Token"));
            }
            let user = guard
                .users
                .get(record.user)
                .ok_or_else(ApiError::user_not_found)?;
            if !user.enabled {
                return Err(ApiError::not_authorized("User is disabled."));
            }
            // With rotation the old token is claimed before signing, so that of requests
            // racing with it exactly one is answered. No grace period for the old token is
            // modelled: it dies at once (unconfirmed).
            if rotate {
                guard.auth.revoke_refresh_token(token);
            }
            record
        };
        let grant = Grant {
            user: record.user,
            client_id: self.client_id.to_string(),
            origin: Some((record.origin_jti.clone(), record.auth_time)),
            with_refresh_token: rotate,
            scope: record.scope.clone(),
            nonce: None,
            device_key: record.device_key.clone(),
            source: self.source.clone(),
            trigger_source: source::REFRESH_TOKENS,
        };
        let result = tokens::issue(self.app, self.ctx, self.pool, grant);
        if rotate
            && result
                .as_ref()
                .is_err_and(token_generation::is_lambda_error)
        {
            // A failed PreTokenGeneration takes nothing away: the old token works again
            // (unconfirmed).
            let mut guard = self.pool.write();
            guard
                .auth
                .update_refresh_token(token, |r| r.revoked = false);
        }
        Ok(tokens_step(result?))
    }
}
