//! Cryptography: password records, SRP-6a, TOTP, RS256 JWTs and signing keys, WebAuthn.

pub mod encryption_sdk;
pub mod imported_hash;
pub mod jwt;
pub mod password;
pub mod srp;
pub mod totp;
pub mod webauthn;
