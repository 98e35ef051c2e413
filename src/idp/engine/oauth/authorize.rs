//! `/oauth2/authorize`: checks a browser's request against the client's OAuth settings, and
//! once a user is signed in (hosted session or sign-in page) answers it with a code or, for
//! the implicit flow, tokens.

use std::collections::BTreeMap;

use super::{allows_flow, grant_scopes};
use crate::app::{App, RequestContext};
use crate::error::ApiResult;
use crate::generated::cognito_idp::OAuthFlowType;
use crate::idp::engine::tokens::{self, Grant};
use crate::idp::engine::triggers::token_generation::{self, source};
use crate::idp::store::oauth::{AuthorizationCode, HostedSession};
use crate::idp::store::{PoolHandle, UserKey};

/// Codes are single use and live five minutes.
const CODE_LIFETIME: f64 = 300.0;
/// A hosted-UI session lasts an hour.
pub const SESSION_LIFETIME: f64 = 3600.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseType {
    Code,
    Token,
}

/// An authorize request that passed every check.
pub struct Authorization {
    pub pool: PoolHandle,
    pub client_id: String,
    pub redirect_uri: String,
    pub response_type: ResponseType,
    /// The granted scopes, space-separated.
    pub scope: String,
    pub state: Option<String>,
    pub nonce: Option<String>,
    /// PKCE: (method, challenge).
    pub challenge: Option<(String, String)>,
    /// `identity_provider` / `idp_identifier`, resolved to a provider name (not COGNITO).
    pub identity_provider: Option<String>,
    /// `prompt=login`: sign in again even within a hosted session.
    pub prompt_login: bool,
}

/// Why an authorize request is refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The client or redirect URI cannot be trusted: an error page, no redirect.
    Page(String),
    /// Sent back to the client's redirect URI (`?error=...`, with `state`).
    Redirect(String),
}

/// `redirect_uri` with parameters added to its query (code flow, errors) or fragment
/// (implicit flow).
pub fn redirect_to(redirect_uri: &str, params: &[(&str, &str)], fragment: bool) -> String {
    let encoded: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish();
    if fragment {
        return format!("{redirect_uri}#{encoded}");
    }
    let separator = if redirect_uri.contains('?') { '&' } else { '?' };
    format!("{redirect_uri}{separator}{encoded}")
}

/// Checks the request in Cognito's order: client and redirect URI first (failures are
/// shown, not redirected), then response type, flow, scopes, PKCE and identity provider
/// (failures go back to the redirect URI).
pub fn check(app: &App, params: &BTreeMap<String, String>) -> Result<Authorization, Refusal> {
    let get = |name: &str| {
        params
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    let client_id = get("client_id")
        .ok_or_else(|| Refusal::Page("Required parameter client_id is missing.".into()))?;
    let pool = app
        .store
        .pool_for_client(client_id)
        .map_err(|_| Refusal::Page("Invalid client_id: no such app client.".into()))?;
    let config = pool
        .read()
        .client(client_id)
        .map(|c| c.config.clone())
        .map_err(|_| Refusal::Page("Invalid client_id: no such app client.".into()))?;
    let redirect_uri = get("redirect_uri")
        .ok_or_else(|| Refusal::Page("Required parameter redirect_uri is missing.".into()))?;
    let callbacks = config.callback_urls.as_deref().unwrap_or_default();
    if !callbacks.iter().any(|c| c == redirect_uri) {
        // Cognito's error page says `redirect_mismatch`.
        return Err(Refusal::Page(
            "redirect_mismatch: redirect_uri is not one of the app client's callback URLs.".into(),
        ));
    }
    let state = get("state").map(str::to_string);
    let refuse = |error: &str, description: &str| {
        let mut params = vec![("error", error)];
        if !description.is_empty() {
            params.push(("error_description", description));
        }
        if let Some(state) = &state {
            params.push(("state", state));
        }
        Refusal::Redirect(redirect_to(redirect_uri, &params, false))
    };
    let response_type = match get("response_type") {
        Some("code") => ResponseType::Code,
        Some("token") => ResponseType::Token,
        None => return Err(refuse("invalid_request", "response_type is required")),
        Some(_) => return Err(refuse("unsupported_response_type", "")),
    };
    let flow = match response_type {
        ResponseType::Code => OAuthFlowType::Code,
        ResponseType::Token => OAuthFlowType::Implicit,
    };
    if !allows_flow(&config, flow) {
        return Err(refuse("unauthorized_client", ""));
    }
    let allowed = config.allowed_oauth_scopes.clone().unwrap_or_default();
    let scope = grant_scopes(get("scope"), &allowed)
        .ok_or_else(|| refuse("invalid_scope", ""))?
        .join(" ");
    let challenge = match (get("code_challenge"), get("code_challenge_method")) {
        (None, None) => None,
        (None, Some(_)) => {
            return Err(refuse(
                "invalid_request",
                "code_challenge is required with code_challenge_method",
            ))
        }
        // RFC 7636: without a method the challenge is `plain`.
        (Some(c), None | Some("plain")) => Some(("plain".to_string(), c.to_string())),
        (Some(c), Some("S256")) => Some(("S256".to_string(), c.to_string())),
        (Some(_), Some(_)) => {
            return Err(refuse(
                "invalid_request",
                "code_challenge_method must be S256 or plain",
            ))
        }
    };
    let identity_provider = resolve_provider(&pool, &config, &get)
        .map_err(|description| refuse("invalid_request", &description))?;
    Ok(Authorization {
        client_id: client_id.to_string(),
        redirect_uri: redirect_uri.to_string(),
        response_type,
        scope,
        state,
        nonce: get("nonce").map(str::to_string),
        challenge,
        identity_provider,
        prompt_login: get("prompt") == Some("login"),
        pool,
    })
}

/// `identity_provider` (a provider name) or `idp_identifier` (one of a provider's
/// identifiers): which of the client's providers to go to directly. None: the sign-in page.
fn resolve_provider<'a>(
    pool: &PoolHandle,
    config: &crate::generated::cognito_idp::UserPoolClientType,
    get: &impl Fn(&str) -> Option<&'a str>,
) -> Result<Option<String>, String> {
    let pool = pool.read();
    let name = match (get("identity_provider"), get("idp_identifier")) {
        (Some(name), _) => name.to_string(),
        (None, Some(identifier)) => pool
            .identity_providers
            .values()
            .find(|p| {
                p.idp_identifiers
                    .iter()
                    .flatten()
                    .any(|i| i.eq_ignore_ascii_case(identifier))
            })
            .and_then(|p| p.provider_name.clone())
            .ok_or_else(|| format!("No identity provider has the identifier {identifier}."))?,
        (None, None) => return Ok(None),
    };
    let supported = config
        .supported_identity_providers
        .as_deref()
        .unwrap_or_default();
    if !supported.contains(&name) {
        return Err(format!(
            "The identity provider {name} is not supported by this app client."
        ));
    }
    Ok((name != "COGNITO").then_some(name))
}

/// The signed-in user's answer to the request: a code, or (implicit flow) tokens in the
/// fragment. Signs tokens: call it off the async threads.
pub fn answer(
    app: &App,
    request: &Authorization,
    user: UserKey,
    auth_time: i64,
) -> ApiResult<String> {
    let state = request.state.as_deref();
    match request.response_type {
        ResponseType::Code => {
            let code = crate::infra::ids::uuid();
            let now = app.clock.now();
            let mut pool = request.pool.write();
            let sub = pool.user(user)?.sub().to_string();
            pool.auth.oauth.add_code(
                code.clone(),
                AuthorizationCode {
                    client_id: request.client_id.clone(),
                    redirect_uri: request.redirect_uri.clone(),
                    user,
                    sub,
                    scope: request.scope.clone(),
                    nonce: request.nonce.clone(),
                    challenge: request.challenge.clone(),
                    auth_time,
                    expires: now + CODE_LIFETIME,
                },
                now,
            );
            let mut params = vec![("code", code.as_str())];
            params.extend(state.map(|s| ("state", s)));
            Ok(redirect_to(&request.redirect_uri, &params, false))
        }
        ResponseType::Token => {
            let ctx = RequestContext::new(app.region());
            let issued = tokens::issue(
                app,
                &ctx,
                &request.pool,
                Grant {
                    user,
                    client_id: request.client_id.clone(),
                    origin: Some((crate::infra::ids::uuid(), auth_time)),
                    with_refresh_token: false,
                    scope: Some(request.scope.clone()),
                    nonce: request.nonce.clone(),
                    device_key: None,
                    source: Default::default(),
                    trigger_source: source::HOSTED_AUTH,
                },
            );
            let result = match issued {
                Ok(result) => result,
                // A trigger's refusal goes back to the app as an OAuth error (unconfirmed:
                // Cognito's hosted pages show it as error_description).
                Err(error) if token_generation::is_lambda_error(&error) => {
                    let mut params = vec![
                        ("error_description", error.message.as_str()),
                        ("error", "invalid_request"),
                    ];
                    params.extend(state.map(|s| ("state", s)));
                    return Ok(redirect_to(&request.redirect_uri, &params, true));
                }
                Err(error) => return Err(error),
            };
            let expires_in = result.expires_in.unwrap_or(3600).to_string();
            let mut params = Vec::new();
            if let Some(id_token) = result.id_token.as_deref() {
                params.push(("id_token", id_token));
            }
            params.push(("access_token", result.access_token.as_deref().unwrap_or("")));
            params.push(("token_type", "Bearer"));
            params.push(("expires_in", &expires_in));
            params.extend(state.map(|s| ("state", s)));
            Ok(redirect_to(&request.redirect_uri, &params, true))
        }
    }
}

/// Starts a hosted-UI session for a user who signed in on the page; returns its cookie value.
pub fn start_session(app: &App, pool: &PoolHandle, user: UserKey) -> ApiResult<(String, i64)> {
    let now = app.clock.now();
    let id = crate::infra::ids::random_token();
    let mut guard = pool.write();
    let sub = guard.user(user)?.sub().to_string();
    let auth_time = now as i64;
    guard.auth.oauth.add_session(
        id.clone(),
        HostedSession {
            user,
            sub,
            auth_time,
            expires: now + SESSION_LIFETIME,
        },
        now,
    );
    Ok((id, auth_time))
}

/// The user a hosted-UI session cookie stands for, while it lasts and the user is the same
/// enabled user.
pub fn session_user(app: &App, pool: &PoolHandle, cookie: &str) -> Option<(UserKey, i64)> {
    let pool = pool.read();
    let session = pool.auth.oauth.session(cookie, app.clock.now())?;
    let user = pool.users.get(session.user)?;
    (user.sub() == session.sub && user.enabled).then_some((session.user, session.auth_time))
}

pub fn end_session(pool: &PoolHandle, cookie: &str) {
    pool.write().auth.oauth.end_session(cookie);
}

#[cfg(test)]
mod tests {
    use super::redirect_to;

    #[test]
    fn parameters_are_encoded_into_the_query_or_fragment() {
        assert_eq!(
            redirect_to(
                "https://app/cb",
                &[("code", "a b"), ("state", "x&y")],
                false
            ),
            "https://app/cb?code=a+b&state=x%26y"
        );
        assert_eq!(
            redirect_to("myapp://cb?k=v", &[("code", "c")], false),
            "myapp://cb?k=v&code=c"
        );
        assert_eq!(
            redirect_to("https://app/cb", &[("access_token", "t")], true),
            "https://app/cb#access_token=t"
        );
    }
}
