//! Cryptography. Password records now; SRP, JWT and TOTP arrive with the auth engine.

pub mod jwt;
pub mod password;
pub mod srp;
