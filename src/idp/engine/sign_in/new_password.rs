//! NEW_PASSWORD_REQUIRED: a user with a temporary password chooses a new one, with any
//! required attributes still missing.

use super::{invalid_session, Answer, SignIn, Step};
use crate::error::{ApiError, ApiResult};
use crate::generated::cognito_idp::*;
use crate::idp::engine::attributes::WriteKind;
use crate::idp::engine::password_policy::{self, Context};
use crate::idp::engine::triggers::token_generation::source;
use crate::idp::engine::users::{check_user_writes, claim_aliases, release_aliases};
use crate::idp::store::auth::Pending;

impl SignIn<'_> {
    pub(super) fn new_password(&self, answer: &Answer) -> ApiResult<Step> {
        let username = answer.param("USERNAME")?;
        let new_password = answer.param("NEW_PASSWORD")?;
        let now = self.app.clock.now();
        let key = {
            let mut guard = self.pool.write();
            let (id, found) = self.find_session(&guard, answer.session, None)?;
            if found.pending != Pending::NewPassword
                || guard.users.find(username) != Some(found.user)
            {
                return Err(invalid_session());
            }
            self.check_answer_hash(answer, &found.username)?;
            let policy = guard.password_policy();
            password_policy::check(&policy, new_password, Context::UserPassword)?;
            let written: Vec<AttributeType> = answer
                .responses
                .iter()
                .filter_map(|(k, v)| {
                    k.strip_prefix("userAttributes.").map(|name| AttributeType {
                        name: name.to_string(),
                        value: Some(v.clone()),
                    })
                })
                .collect();
            let values = check_user_writes(&guard, self.client_id, &written, WriteKind::Update)?;
            let mut user = guard.user(found.user)?.clone();
            let missing = guard.missing_required(|name| {
                user.attribute(name).is_some() || values.contains_key(name)
            });
            if let Some(name) = missing.first() {
                // Text unconfirmed.
                return Err(ApiError::invalid_parameter(format!(
                    "Invalid attributes given, {name} is missing"
                )));
            }
            for (name, value) in values {
                user.set_attribute(&name, value);
            }
            user.password = Some(guard.password_record(&user.username, new_password));
            user.status = UserStatusType::Confirmed;
            user.temporary_password_expires = None;
            user.modified = now;
            let moves = claim_aliases(&guard, Some(found.user), &user, false, false)?;
            release_aliases(&mut guard, moves, now);
            guard.users.update(found.user, |u| *u = user);
            if let Some(s) = guard.auth.sessions.get_mut(&id) {
                s.used = true;
            }
            found.user
        };
        self.token_source.set(source::NEW_PASSWORD_CHALLENGE);
        self.after_first_factor(key)
    }
}
