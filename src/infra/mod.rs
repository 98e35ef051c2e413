//! Infrastructure the services stand on: time, identifiers, kept messages, cryptography,
//! outgoing HTTP and Lambda invocations.
//! Nothing here knows about operations or pools.

pub mod clock;
pub mod crypto;
pub mod http_client;
pub mod ids;
pub mod kms;
pub mod lambda;
pub mod messages;
