//! GetClientToken: the API form of the token endpoint's client_credentials grant.

use crate::app::{App, RequestContext};
use crate::error::{ApiError, ApiResult};
use crate::generated::cognito_idp::*;
use crate::idp::engine::oauth::{self, ClientCredentials};
use crate::idp::engine::tokens;

pub fn get_client_token(
    app: &App,
    _: &RequestContext,
    input: GetClientTokenRequest,
) -> ApiResult<GetClientTokenResponse> {
    let credentials = ClientCredentials {
        client_id: input.client_id.clone(),
        secret: Some(input.secret.clone()),
    };
    // Texts unconfirmed.
    let client = oauth::authenticate(app, &credentials).map_err(|_| {
        ApiError::not_authorized(format!(
            "Unable to verify secret for client {}",
            input.client_id
        ))
    })?;
    if !client.confidential || !oauth::allows_flow(&client.config, OAuthFlowType::ClientCredentials)
    {
        return Err(ApiError::invalid_parameter(
            "The client_credentials flow is not enabled for this client.",
        ));
    }
    let allowed = client
        .config
        .allowed_oauth_scopes
        .clone()
        .unwrap_or_default();
    let requested = input.scopes.as_ref().map(|s| s.join(" "));
    let scope = oauth::grant_scopes(requested.as_deref(), &allowed)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::invalid_parameter("Invalid scope requested."))?
        .join(" ");
    let (access_token, expires_in) =
        tokens::issue_client_token(app, &client.pool, &client.config, &scope);
    Ok(GetClientTokenResponse {
        client_authentication_result: Some(ClientAuthenticationResultType {
            access_token: Some(access_token),
            expires_in: Some(expires_in),
            token_type: Some("Bearer".to_string()),
        }),
    })
}
