//! What cognito-identity's api files share: pool settings and their checks, login
//! verification, role choice, credentials, OpenID tokens.

pub mod credentials;
pub mod identities;
pub mod logins;
pub mod openid;
pub mod pools;
pub mod roles;
