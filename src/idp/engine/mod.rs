//! Rules shared by the JSON API, and later by the OAuth endpoints and the hosted pages:
//! attributes, password policy, codes, tokens, and sign-in.

pub mod attributes;
pub mod auth_events;
pub mod branding;
pub mod client_rules;
pub mod codes;
pub mod devices;
pub mod feature_plans;
pub mod federation;
pub mod identity_providers;
pub mod links;
pub mod mfa;
pub mod oauth;
pub mod passkey_registration;
pub mod passkeys;
pub mod password_policy;
pub mod risk;
pub mod sessions;
pub mod sign_in;
pub mod tokens;
pub mod triggers;
pub mod user_import;
pub mod users;
