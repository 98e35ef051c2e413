//! A user imported with its password's hash (a user import job's PasswordHashingAlgorithm):
//! the first sign-in that sends the password checks the hash, off the pool lock, and a
//! match becomes the user's password record (then SRP works too). A mismatch changes
//! nothing: the usual check that follows fails and counts towards the lockout.

use super::SignIn;
use crate::idp::store::UserKey;
use crate::infra::crypto::imported_hash;

impl SignIn<'_> {
    pub(super) fn adopt_imported_password(&self, key: UserKey, password: &str) {
        let hash = {
            let pool = self.pool.read();
            let Some(user) = pool.users.get(key) else {
                return;
            };
            match &user.extras().imported_hash {
                Some(hash) if user.password.is_none() => hash.clone(),
                _ => return,
            }
        };
        // Outside the lock: a bcrypt, scrypt, Argon2id or PBKDF2 computation.
        if !imported_hash::verify(hash.algorithm, &hash.hash, password) {
            return;
        }
        let mut pool = self.pool.write();
        let Some(user) = pool.users.get(key) else {
            return;
        };
        if user.password.is_some() || user.extras().imported_hash.as_ref() != Some(&hash) {
            return;
        }
        let record = pool.password_record(&user.username.clone(), password);
        pool.users.update(key, |u| {
            u.password = Some(record);
            u.extras_mut().imported_hash = None;
        });
    }
}
