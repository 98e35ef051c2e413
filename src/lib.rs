//! cognito-emulator: a local emulator of Amazon Cognito.
//!
//! A request flows one way: [`server`] (HTTP) → [`protocol`] (target, JSON, model validation)
//! → [`ops`] (one function per operation, grouped by domain) → [`store`] (pools and their
//! users, clients, groups) → back out through [`protocol`].

pub mod app;
pub mod attributes;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod emulator_api;
pub mod error;
pub mod generated;
pub mod ids;
pub mod messages;
pub mod ops;
pub mod password_policy;
pub mod protocol;
pub mod seed;
pub mod server;
pub mod store;
pub mod tokens;
pub mod well_known;
