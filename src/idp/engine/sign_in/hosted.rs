//! The hosted sign-in page: the same password checks, lockout and account states as
//! USER_PASSWORD_AUTH, and the same challenges after it; the end is a signed-in user, for
//! whom the OAuth endpoints then issue a code or tokens.

use super::{SignIn, Step};
use crate::error::ApiResult;
use crate::idp::store::UserKey;

impl SignIn<'_> {
    /// The page's username and password. The step is a challenge to answer (with
    /// [`SignIn::respond`]) or, once [`SignIn::signed_in_user`] is set, the end.
    pub fn hosted_password(&self, username: &str, password: &str) -> ApiResult<Step> {
        debug_assert!(self.api == super::Api::Hosted);
        crate::idp::engine::auth_events::screen_sign_in(self, Some(username))?;
        self.before_authentication(username, None, Some(password))?;
        let user = self.check_password(username, password, None)?;
        self.after_first_factor(user)
    }

    /// The user a hosted sign-in has signed in, once no challenge is left.
    pub fn signed_in_user(&self) -> Option<UserKey> {
        self.signed_in.get()
    }
}
