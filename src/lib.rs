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

/// mimalloc for the binary and everything else built on this library (the tests and the
/// benchmarks, which run the server in-process and so measure what ships). README's
/// Performance section has the figures.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
