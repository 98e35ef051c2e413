//! GetClientToken and GetDerivedToken: the API forms of the token endpoint's
//! client_credentials and token-exchange grants.

use crate::app::{App, RequestContext};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::generated::cognito_idp::*;
use crate::idp::engine::oauth::exchange::{self, Failure, Presented};
use crate::idp::engine::oauth::{self, ClientCredentials};
use crate::idp::engine::tokens;

pub fn get_client_token(
    app: &App,
    ctx: &RequestContext,
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
        tokens::issue_client_token(app, ctx, &client.pool, &client.config, &scope)?;
    Ok(GetClientTokenResponse {
        client_authentication_result: Some(ClientAuthenticationResultType {
            access_token: Some(access_token),
            expires_in: Some(expires_in),
            token_type: Some("Bearer".to_string()),
        }),
    })
}

pub fn get_derived_token(
    app: &App,
    ctx: &RequestContext,
    input: GetDerivedTokenRequest,
) -> ApiResult<GetDerivedTokenResponse> {
    // An unknown client is ResourceNotFoundException, as for InitiateAuth.
    app.store.pool_for_client(&input.client_id)?;
    let credentials = ClientCredentials {
        client_id: input.client_id.clone(),
        secret: input.client_secret.clone(),
    };
    // "You must have IAM credentials, or present the ClientId and, if the client has a
    // secret, ClientSecret": a signed request may leave the secret out (signatures are not
    // checked here); a secret that is given must be right. Texts unconfirmed.
    let client = match oauth::authenticate(app, &credentials) {
        Ok(client) => client,
        Err(_) if ctx.signed && input.client_secret.is_none() => {
            oauth::authenticate_known(app, &input.client_id)
                .map_err(|_| ApiError::client_not_found(&input.client_id))?
        }
        Err(_) => {
            return Err(ApiError::not_authorized(format!(
                "Unable to verify secret for client {}",
                input.client_id
            )))
        }
    };
    if input.actor_token.is_some() != input.actor_token_type.is_some() {
        return Err(ApiError::invalid_parameter(
            "ActorToken and ActorTokenType must be given together.",
        ));
    }
    let single = |list: &Option<Vec<String>>| list.as_ref().and_then(|l| l.first().cloned());
    let request = exchange::Request {
        subject: Presented {
            token: &input.subject_token,
            kind: input.subject_token_type,
            provider: input.subject_token_provider_name.as_deref(),
        },
        actor: input
            .actor_token
            .as_deref()
            .zip(input.actor_token_type)
            .map(|(token, kind)| Presented {
                token,
                kind,
                provider: input.actor_token_provider_name.as_deref(),
            }),
        scopes: input.scopes.clone(),
        audience: single(&input.audiences),
        resource: single(&input.resources),
        requested: input
            .requested_token_type
            .unwrap_or(IssuedTokenTypeIdentifierType::AccessToken),
    };
    let issued = exchange::exchange(app, &client, request).map_err(|failure| match failure {
        Failure::Request(message) | Failure::NotEnabled(message) => {
            ApiError::invalid_parameter(message)
        }
        Failure::PlanRequired => ApiError::new(
            ErrorCode::OperationNotEnabledException,
            "Token exchange requires the Essentials or Plus feature plan.",
        ),
        Failure::Token(message) => ApiError::not_authorized(message),
        Failure::UserNotFound => ApiError::user_not_found(),
        Failure::Scope => ApiError::invalid_parameter("Invalid scope requested."),
        Failure::Target(message) => ApiError::resource_not_found(message),
        Failure::NotImplemented(message) => {
            ApiError::new(ErrorCode::NotImplementedException, message)
        }
    })?;
    let token_type = match issued.kind {
        IssuedTokenTypeIdentifierType::AccessToken => OAuthTokenTypeType::Bearer,
        // RFC 8693 §2.2.1: "N_A" when the issued token is not an access token.
        IssuedTokenTypeIdentifierType::IdToken => OAuthTokenTypeType::NA,
    };
    Ok(GetDerivedTokenResponse {
        expires_in: Some(issued.expires_in),
        issued_token: issued.token,
        issued_token_type: issued.kind,
        scopes: issued.scopes,
        token_type,
    })
}
