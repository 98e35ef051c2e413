//! Integration tests: the real server on an ephemeral port, driven by real clients.

mod auth;
mod branding;
mod clients;
mod common;
mod domains;
mod durable;
mod external;
mod federation_admin;
mod groups;
mod identity_providers;
mod javascript;
mod list_users;
mod managed_login;
mod oauth;
mod oauth_clients;
mod pools;
mod protocol;
mod resource_servers;
mod saml;
mod seed;
mod sign_up;
mod srp;
mod terms;
mod users;
