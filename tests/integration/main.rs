//! Integration tests: the real server on an ephemeral port, driven by real clients.

mod auth;
mod branding;
mod clients;
mod common;
mod durable;
mod external;
mod groups;
mod javascript;
mod list_users;
mod oauth;
mod oauth_clients;
mod managed_login;
mod pools;
mod protocol;
mod seed;
mod sign_up;
mod srp;
mod terms;
mod users;
