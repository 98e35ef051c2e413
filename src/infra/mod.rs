//! Infrastructure the services stand on: time, identifiers, kept messages, cryptography,
//! outgoing HTTP and Lambda invocations, and the blocking work's way off the async threads.
//! Nothing here knows about operations or pools.

pub mod blocking;
pub mod clock;
pub mod crypto;
pub mod http_client;
pub mod ids;
pub mod kms;
pub mod lambda;
pub mod messages;
