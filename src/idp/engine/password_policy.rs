//! Password policies: checks with Cognito's messages, and generated
//! temporary passwords.

use rand::seq::SliceRandom;
use rand::Rng;

use crate::error::{ApiError, ErrorCode};
use crate::generated::cognito_idp::PasswordPolicyType;

pub const SYMBOLS: &str = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ";

pub use crate::idp::store::pool::default_password_policy as default_policy;

/// Which operation checks the password: Cognito words the message differently.
#[derive(Debug, Clone, Copy)]
pub enum Context {
    /// AdminCreateUser's temporary password.
    TemporaryPassword,
    /// AdminSetUserPassword (observed prefix; which other operations use it is unconfirmed).
    AdminSetPassword,
    /// SignUp, ChangePassword, ConfirmForgotPassword, NEW_PASSWORD_REQUIRED.
    UserPassword,
}

impl Context {
    fn prefix(self) -> &'static str {
        match self {
            Context::TemporaryPassword => "Password did not conform with password policy: ",
            Context::AdminSetPassword => "Password does not conform to policy: ",
            Context::UserPassword => "Password did not conform with policy: ",
        }
    }
}

/// A character-class rule: whether the policy requires it, the test, the message.
type Rule = (Option<bool>, fn(char) -> bool, &'static str);

/// The first rule `password` breaks, in the order Cognito reports them.
pub fn violation(policy: &PasswordPolicyType, password: &str) -> Option<&'static str> {
    let min = policy.minimum_length.unwrap_or(8).max(6) as usize;
    if password.chars().count() < min {
        return Some("Password not long enough");
    }
    let rules: [Rule; 4] = [
        (
            policy.require_lowercase,
            |c| c.is_ascii_lowercase(),
            "Password must have lowercase characters",
        ),
        (
            policy.require_uppercase,
            |c| c.is_ascii_uppercase(),
            "Password must have uppercase characters",
        ),
        (
            policy.require_numbers,
            |c| c.is_ascii_digit(),
            "Password must have numeric characters",
        ),
        (
            policy.require_symbols,
            |c| SYMBOLS.contains(c),
            "Password must have symbol characters",
        ),
    ];
    rules
        .into_iter()
        .find(|(required, test, _)| required.unwrap_or(false) && !password.chars().any(test))
        .map(|(_, _, message)| message)
}

pub fn check(
    policy: &PasswordPolicyType,
    password: &str,
    context: Context,
) -> Result<(), ApiError> {
    match violation(policy, password) {
        None => Ok(()),
        Some(rule) => Err(ApiError::new(
            ErrorCode::InvalidPasswordException,
            format!("{}{rule}", context.prefix()),
        )),
    }
}

/// A temporary password that satisfies `policy`.
pub fn generate(policy: &PasswordPolicyType) -> String {
    let mut rng = rand::thread_rng();
    let lower = b"abcdefghijkmnopqrstuvwxyz";
    let upper = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    let digits = b"23456789";
    let symbols = b"!@#%&*^$";
    let mut chars: Vec<u8> = [&lower[..], upper, digits, symbols]
        .iter()
        .map(|set| set[rng.gen_range(0..set.len())])
        .collect();
    let all: Vec<u8> = [&lower[..], upper, digits].concat();
    let len = (policy.minimum_length.unwrap_or(8).max(8) as usize).max(chars.len());
    while chars.len() < len {
        chars.push(all[rng.gen_range(0..all.len())]);
    }
    chars.shuffle(&mut rng);
    String::from_utf8(chars).expect("ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_the_first_broken_rule() {
        let policy = default_policy();
        assert_eq!(violation(&policy, "Ab1!"), Some("Password not long enough"));
        assert_eq!(
            violation(&policy, "ABCDEFG1!"),
            Some("Password must have lowercase characters")
        );
        assert_eq!(
            violation(&policy, "abcdefg1!"),
            Some("Password must have uppercase characters")
        );
        assert_eq!(
            violation(&policy, "abcdefgH!"),
            Some("Password must have numeric characters")
        );
        assert_eq!(
            violation(&policy, "abcdefgH1"),
            Some("Password must have symbol characters")
        );
        assert_eq!(violation(&policy, "abcd efgH1"), None, "space is a symbol");
    }

    #[test]
    fn generated_passwords_satisfy_the_policy() {
        let mut policy = default_policy();
        policy.minimum_length = Some(20);
        for _ in 0..100 {
            let password = generate(&policy);
            assert_eq!(violation(&policy, &password), None, "{password}");
            assert_eq!(password.len(), 20);
        }
    }
}
