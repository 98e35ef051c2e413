//! The OAuth 2.0 / OpenID Connect authorization server of a pool, as its hosted-UI domain
//! serves it: authorize (`authorize.rs`), the token endpoint (`token.rs`) and userInfo
//! (`userinfo.rs`). No HTTP here: `src/http/hosted` decodes requests and renders answers.
//!
//! The pool is found from the `client_id` (client ids are unique), so one emulator URL
//! serves every pool.

pub mod authorize;
pub mod exchange;
pub mod token;
pub mod userinfo;

use subtle::ConstantTimeEq;

use crate::app::App;
use crate::generated::cognito_idp::{OAuthFlowType, UserPoolClientType};
use crate::idp::store::PoolHandle;

/// An RFC 6749 error: its HTTP status, `error` code and `error_description`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    pub status: u16,
    pub error: &'static str,
    pub description: Option<String>,
}

impl OAuthError {
    pub fn new(status: u16, error: &'static str, description: impl Into<String>) -> Self {
        OAuthError {
            status,
            error,
            description: Some(description.into()),
        }
    }

    /// Cognito answers these without a description.
    pub fn bare(status: u16, error: &'static str) -> Self {
        OAuthError {
            status,
            error,
            description: None,
        }
    }

    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(400, "invalid_request", description)
    }

    pub fn invalid_client() -> Self {
        // Cognito answers 400 rather than RFC 6749's 401 (unconfirmed for Basic auth).
        Self::bare(400, "invalid_client")
    }

    pub fn invalid_grant() -> Self {
        Self::bare(400, "invalid_grant")
    }

    pub fn unauthorized_client() -> Self {
        Self::bare(400, "unauthorized_client")
    }
}

/// How a request to the token or revocation endpoint names its client: HTTP Basic
/// (client_secret_basic) or form members (client_secret_post, or a public client's id).
#[derive(Debug, Clone, Default)]
pub struct ClientCredentials {
    pub client_id: String,
    pub secret: Option<String>,
}

impl ClientCredentials {
    /// From an `Authorization: Basic` header, if any, else from the form's `client_id` and
    /// `client_secret`. A header and form naming different clients are refused.
    pub fn from_request(
        basic: Option<&str>,
        form: &std::collections::BTreeMap<String, String>,
    ) -> Result<Self, OAuthError> {
        let form_id = form.get("client_id").filter(|s| !s.is_empty());
        if let Some(header) = basic {
            let (id, secret) = parse_basic(header).ok_or_else(OAuthError::invalid_client)?;
            if form_id.is_some_and(|f| *f != id) {
                return Err(OAuthError::invalid_client());
            }
            return Ok(ClientCredentials {
                client_id: id,
                secret: Some(secret),
            });
        }
        let client_id = form_id
            .cloned()
            .ok_or_else(|| OAuthError::invalid_request("client_id is required"))?;
        Ok(ClientCredentials {
            client_id,
            secret: form.get("client_secret").cloned(),
        })
    }
}

/// `Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 §2.3.1; Cognito's ids and
/// secrets need no encoding).
fn parse_basic(header: &str) -> Option<(String, String)> {
    use base64::Engine;
    let (scheme, value) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(value.trim())
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_string(), secret.to_string()))
}

/// A client that authenticated: its pool and settings.
pub struct AuthenticatedClient {
    pub pool: PoolHandle,
    pub config: UserPoolClientType,
    pub confidential: bool,
}

/// Finds the client and checks its secret (compared in constant time with each of its
/// secrets). A client with secrets must present one; a public client needs none.
pub fn authenticate(
    app: &App,
    credentials: &ClientCredentials,
) -> Result<AuthenticatedClient, OAuthError> {
    let (pool, config, secrets) = find_client(app, &credentials.client_id)?;
    if !secrets.is_empty() {
        let given = credentials
            .secret
            .as_deref()
            .ok_or_else(OAuthError::invalid_client)?;
        let matches = secrets
            .iter()
            .any(|s| bool::from(s.as_bytes().ct_eq(given.as_bytes())));
        if !matches {
            return Err(OAuthError::invalid_client());
        }
    }
    Ok(AuthenticatedClient {
        pool,
        confidential: !secrets.is_empty(),
        config,
    })
}

/// A client found without checking any secret: for callers with IAM credentials
/// (GetDerivedToken).
pub fn authenticate_known(app: &App, client_id: &str) -> Result<AuthenticatedClient, OAuthError> {
    let (pool, config, secrets) = find_client(app, client_id)?;
    Ok(AuthenticatedClient {
        pool,
        confidential: !secrets.is_empty(),
        config,
    })
}

fn find_client(
    app: &App,
    client_id: &str,
) -> Result<(PoolHandle, UserPoolClientType, Vec<String>), OAuthError> {
    let pool = app
        .store
        .pool_for_client(client_id)
        .map_err(|_| OAuthError::invalid_client())?;
    let (config, secrets) = {
        let guard = pool.read();
        let client = guard
            .client(client_id)
            .map_err(|_| OAuthError::invalid_client())?;
        let secrets: Vec<String> = client.secrets.iter().map(|s| s.value.clone()).collect();
        (client.config.clone(), secrets)
    };
    Ok((pool, config, secrets))
}

/// Whether the client may use an OAuth flow at all, and this one.
pub fn allows_flow(config: &UserPoolClientType, flow: OAuthFlowType) -> bool {
    config.allowed_oauth_flows_user_pool_client == Some(true)
        && config
            .allowed_oauth_flows
            .as_deref()
            .unwrap_or_default()
            .contains(&flow)
}

/// The scopes granted for a request: those asked for that the client is allowed, in the
/// order asked (space- or `+`-separated); all the client's scopes when none are asked.
/// None when scopes were asked and none of them is allowed.
pub fn grant_scopes(requested: Option<&str>, allowed: &[String]) -> Option<Vec<String>> {
    let asked: Vec<&str> = requested
        .unwrap_or_default()
        .split([' ', '+'])
        .filter(|s| !s.is_empty())
        .collect();
    if asked.is_empty() {
        return Some(allowed.to_vec());
    }
    let mut granted: Vec<String> = Vec::new();
    for scope in asked {
        if allowed.iter().any(|a| a == scope) && !granted.iter().any(|g| g == scope) {
            granted.push(scope.to_string());
        }
    }
    (!granted.is_empty()).then_some(granted)
}

/// `/oauth2/revoke`: revokes a refresh token (and the tokens of its sign-in).
pub fn revoke(
    app: &App,
    credentials: &ClientCredentials,
    form: &std::collections::BTreeMap<String, String>,
) -> Result<(), OAuthError> {
    let client = authenticate(app, credentials)?;
    let token = form
        .get("token")
        .filter(|t| !t.is_empty())
        .ok_or_else(|| OAuthError::invalid_request("token is required"))?;
    if client.config.enable_token_revocation == Some(false) {
        return Err(OAuthError::invalid_request(
            "Token revocation is not enabled for this client.",
        ));
    }
    if token.split('.').count() == 3 {
        // An ID or access token: only refresh tokens can be revoked.
        return Err(OAuthError::bare(400, "unsupported_token_type"));
    }
    let mut pool = client.pool.write();
    crate::idp::engine::tokens::revoke_refresh_token(
        &mut pool,
        &credentials.client_id,
        token,
        app.clock.now(),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_filtered_by_the_clients_and_default_to_all() {
        let allowed = vec!["openid".to_string(), "email".to_string(), "api/read".into()];
        assert_eq!(grant_scopes(None, &allowed), Some(allowed.clone()));
        assert_eq!(
            grant_scopes(Some("email+openid unknown email"), &allowed),
            Some(vec!["email".to_string(), "openid".to_string()])
        );
        assert_eq!(grant_scopes(Some("phone"), &allowed), None);
    }

    #[test]
    fn basic_credentials_are_decoded_and_must_agree_with_the_form() {
        use base64::Engine;
        let header = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("client:s3cret")
        );
        let mut form = std::collections::BTreeMap::new();
        let c = ClientCredentials::from_request(Some(&header), &form).unwrap();
        assert_eq!(
            (c.client_id.as_str(), c.secret.as_deref()),
            ("client", Some("s3cret"))
        );
        form.insert("client_id".to_string(), "other".to_string());
        assert_eq!(
            ClientCredentials::from_request(Some(&header), &form).unwrap_err(),
            OAuthError::invalid_client()
        );
        assert!(ClientCredentials::from_request(Some("Bearer x"), &Default::default()).is_err());
        assert_eq!(
            ClientCredentials::from_request(None, &Default::default())
                .unwrap_err()
                .error,
            "invalid_request"
        );
    }
}
