//! cognito-emulator: a local emulator of Amazon Cognito.
//!
//! A request flows one way (see ARCHITECTURE.md): [`http`] (axum routes) → [`protocol`]
//! (target, JSON, model validation) → [`service`] (picks the operation, waits for its durable
//! commit) → [`idp`] / [`identity`] (operation table → api → engine → store) → [`infra`]
//! (clock, ids, messages, crypto). Nothing points back up.

pub mod app;
pub mod config;
pub mod error;
pub mod generated;
pub mod http;
pub mod identity;
pub mod idp;
pub mod infra;
pub mod operation;
pub mod protocol;
pub mod schema;
pub mod seed;
pub mod service;
