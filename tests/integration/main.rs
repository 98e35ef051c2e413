//! Integration tests: the real server on an ephemeral port, driven by real clients.

mod common;
mod external;
mod protocol;
