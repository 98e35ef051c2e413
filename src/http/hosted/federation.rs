//! Federated sign-in in the browser: from `/oauth2/authorize?identity_provider=…` to the
//! provider, back at `/oauth2/idpresponse` (OIDC), or through the stand-in page of a social
//! provider (`/standin/<provider>`), then a hosted session and the app's answer.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Map};

use super::oauth::refusal;
use super::{
    blocking, csrf_ok, csrf_refused, csrf_token, decode_pairs, error_page, form_page, html,
    internal_error, redirect, session_cookie_name, set_cookie,
};
use crate::app::App;
use crate::generated::cognito_idp::IdentityProviderTypeType as Kind;
use crate::idp::engine::federation::{self, oidc::OidcProvider, saml, ProviderAnswer};
use crate::idp::engine::oauth::authorize::{self, Authorization};
use crate::idp::store::PoolHandle;

pub(super) fn provider_details(pool: &PoolHandle, provider: &str) -> BTreeMap<String, String> {
    pool.read()
        .identity_providers
        .get(provider)
        .and_then(|p| p.provider_details.clone())
        .unwrap_or_default()
}

/// The first leg: sends the browser to the provider (or its stand-in).
pub async fn start(
    app: &Arc<App>,
    request: Authorization,
    query: &str,
    provider: &str,
) -> Response {
    let Some(kind) = federation::provider_type(&request.pool, provider) else {
        return error_page(StatusCode::BAD_REQUEST, "No such identity provider.");
    };
    match kind {
        Kind::Oidc => {
            let details = provider_details(&request.pool, provider);
            let oidc = match OidcProvider::from_details(&details).await {
                Ok(oidc) => oidc,
                Err(message) => return error_page(StatusCode::BAD_GATEWAY, &message),
            };
            let (state, nonce) = federation::remember(app, &request, query, provider);
            redirect(&oidc.authorization_url(&federation::idp_response_url(app), &state, &nonce))
        }
        Kind::Google | Kind::Facebook | Kind::LoginWithAmazon | Kind::SignInWithApple => {
            let (state, _) = federation::remember(app, &request, query, provider);
            let state: String = url::form_urlencoded::byte_serialize(state.as_bytes()).collect();
            redirect(&format!("/standin/{provider}?state={state}"))
        }
        Kind::Saml => {
            let details = provider_details(&request.pool, provider);
            if let Err(message) = saml::idp_metadata(&details) {
                return error_page(StatusCode::BAD_REQUEST, &message);
            }
            let pool = request.pool.clone();
            let (state, nonce) = federation::remember(app, &request, query, provider);
            match blocking(app, move |app| {
                saml::authn_request_url(app, &pool, &details, &state, &nonce)
            })
            .await
            {
                Ok(Ok(location)) => redirect(&location),
                Ok(Err(message)) => error_page(StatusCode::BAD_REQUEST, &message),
                Err(error) => internal_error(error),
            }
        }
    }
}

/// The last leg, once the provider has named its user: a federated user, a hosted session
/// and the authorize request's answer.
pub(super) async fn finish(
    app: &Arc<App>,
    pool: PoolHandle,
    authorize_query: String,
    provider: String,
    answer: ProviderAnswer,
    issuer: Option<String>,
) -> Response {
    let request = match authorize::check(app, &decode_pairs(authorize_query.as_bytes())) {
        Ok(request) => request,
        Err(r) => return refusal(r),
    };
    let pool_id = pool.read().id().to_string();
    let (redirect_uri, state) = (request.redirect_uri.clone(), request.state.clone());
    let signed_in = blocking(app, move |app| {
        let ctx = crate::app::RequestContext::new(app.region());
        let user = federation::sign_in(
            app,
            &ctx,
            &pool,
            &request.client_id,
            &provider,
            &answer,
            issuer.as_deref(),
        )?;
        let (session, auth_time) = authorize::start_session(app, &pool, user)?;
        let location = authorize::answer(app, &request, user, auth_time)?;
        Ok::<_, crate::error::ApiError>((location, session))
    })
    .await;
    match signed_in {
        // A trigger's refusal goes back to the app as Cognito sends it: invalid_request
        // with the trigger's message.
        Ok(Err(error)) if error.code.as_str().contains("Lambda") => {
            let mut answer = vec![
                ("error_description", error.message.as_str()),
                ("error", "invalid_request"),
            ];
            if let Some(state) = &state {
                answer.push(("state", state));
            }
            redirect(&authorize::redirect_to(&redirect_uri, &answer, false))
        }
        Ok(Ok((location, session))) => {
            let mut response = redirect(&location);
            response.headers_mut().insert(
                SET_COOKIE,
                set_cookie(
                    app,
                    &session_cookie_name(&pool_id),
                    &session,
                    authorize::SESSION_LIFETIME as i64,
                ),
            );
            response
        }
        Ok(Err(error)) if error.status() < 500 => {
            error_page(StatusCode::BAD_REQUEST, &error.message)
        }
        Ok(Err(error)) | Err(error) => internal_error(error),
    }
}

/// GET /oauth2/idpresponse: an OIDC provider's answer (`code` and `state`, or `error`).
pub async fn idp_response(State(app): State<Arc<App>>, RawQuery(query): RawQuery) -> Response {
    let params = decode_pairs(query.unwrap_or_default().as_bytes());
    let state = params.get("state").map(String::as_str).unwrap_or_default();
    let Some((pool, pending)) = federation::recall(&app, state) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Invalid state: this sign-in is unknown or has expired. Start again from the app.",
        );
    };
    if let Some(error) = params.get("error") {
        // The provider refused: the app hears it as an error on its redirect URI.
        let request =
            match authorize::check(&app, &decode_pairs(pending.authorize_query.as_bytes())) {
                Ok(request) => request,
                Err(r) => return refusal(r),
            };
        let description = params.get("error_description").cloned().unwrap_or_default();
        let mut answer = vec![
            ("error", error.as_str()),
            ("error_description", description.as_str()),
        ];
        if let Some(state) = &request.state {
            answer.push(("state", state));
        }
        return redirect(&authorize::redirect_to(
            &request.redirect_uri,
            &answer,
            false,
        ));
    }
    let Some(code) = params.get("code") else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "The identity provider sent no code.",
        );
    };
    let details = provider_details(&pool, &pending.provider);
    let answer = match OidcProvider::from_details(&details).await {
        Ok(oidc) => {
            oidc.exchange(
                code,
                &federation::idp_response_url(&app),
                &pending.nonce,
                app.clock.now(),
            )
            .await
        }
        Err(message) => Err(message),
    };
    match answer {
        Ok(answer) => {
            finish(
                &app,
                pool,
                pending.authorize_query,
                pending.provider,
                answer,
                None,
            )
            .await
        }
        Err(message) => error_page(
            StatusCode::BAD_GATEWAY,
            &format!("Signing in through {} failed: {message}", pending.provider),
        ),
    }
}

/// The claims a social provider's stand-in asks for, and the name of its user id.
fn stand_in_fields(kind: Kind) -> (&'static str, &'static [&'static str]) {
    let id = match kind {
        Kind::Facebook => "id",
        Kind::LoginWithAmazon => "user_id",
        _ => "sub",
    };
    (
        id,
        &[
            "email",
            "email_verified",
            "name",
            "given_name",
            "family_name",
            "picture",
        ],
    )
}

fn stand_in_page(
    provider: &str,
    kind: Kind,
    state: &str,
    csrf: &str,
    error: Option<&str>,
) -> String {
    let (id, fields) = stand_in_fields(kind);
    let inputs: String = std::iter::once(id)
        .chain(fields.iter().copied())
        .map(|name| {
            html::field(
                name,
                "text",
                name,
                if name == "email_verified" { "true" } else { "" },
            )
        })
        .collect();
    let body = format!(
        "<h1>{provider} (stand-in)</h1><p class=\"info\"><strong>This is not {kind}.</strong> \
cognito-emulator cannot reach {kind} offline; type the identity {kind} would return, and the \
app signs in as that federated user, with the tokens Cognito would issue.</p>{error}\
<form name=\"standInForm\" method=\"post\" action=\"/standin/{provider_path}\">{csrf}{state}{inputs}\
<button type=\"submit\" class=\"submitButton-customizable\">Sign in as this {kind} user</button></form>",
        provider = html::escape(provider),
        provider_path = html::escape(&url::form_urlencoded::byte_serialize(provider.as_bytes()).collect::<String>()),
        kind = html::escape(kind.as_str()),
        error = html::error_message(error),
        csrf = html::hidden("_csrf", csrf),
        state = html::hidden("state", state),
    );
    html::page(&format!("{provider} stand-in"), &body, None)
}

/// The pending sign-in and provider type a stand-in request names.
fn stand_in_request(app: &App, provider: &str, state: &str) -> Option<Kind> {
    let (pool_id, _) = state.split_once('~')?;
    let pool = app.store.pool(pool_id).ok()?;
    let pending = pool
        .read()
        .auth
        .oauth
        .federation(state, app.clock.now())?
        .provider
        .clone();
    (pending == provider)
        .then(|| federation::provider_type(&pool, provider))
        .flatten()
        .filter(|k| !matches!(k, Kind::Oidc | Kind::Saml))
}

/// GET /standin/{provider}?state=…: the stand-in sign-in page of a social provider.
pub async fn stand_in_form(
    State(app): State<Arc<App>>,
    Path(provider): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let params = decode_pairs(query.unwrap_or_default().as_bytes());
    let state = params.get("state").cloned().unwrap_or_default();
    let Some(kind) = stand_in_request(&app, &provider, &state) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "This sign-in is unknown or has expired. Start again from the app.",
        );
    };
    let csrf = csrf_token(&headers);
    form_page(
        &app,
        stand_in_page(&provider, kind, &state, &csrf, None),
        &csrf,
    )
}

/// POST /standin/{provider}: signs in as the identity typed in.
pub async fn stand_in(
    State(app): State<Arc<App>>,
    Path(provider): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = decode_pairs(&body);
    if !csrf_ok(&headers, &form) {
        return csrf_refused();
    }
    let state = form.get("state").cloned().unwrap_or_default();
    let Some(kind) = stand_in_request(&app, &provider, &state) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "This sign-in is unknown or has expired. Start again from the app.",
        );
    };
    let (id, fields) = stand_in_fields(kind);
    if form.get(id).is_none_or(|v| v.trim().is_empty()) {
        let csrf = form["_csrf"].clone();
        let message = format!("{id} is required: the provider's id for the user.");
        return form_page(
            &app,
            stand_in_page(&provider, kind, &state, &csrf, Some(&message)),
            &csrf,
        );
    }
    let mut claims = Map::new();
    for name in std::iter::once(id).chain(fields.iter().copied()) {
        if let Some(value) = form.get(name).map(|v| v.trim()).filter(|v| !v.is_empty()) {
            let value = match (name, value) {
                ("email_verified", "true") => json!(true),
                ("email_verified", "false") => json!(false),
                _ => json!(value),
            };
            claims.insert(name.to_string(), value);
        }
    }
    let Some((pool, pending)) = federation::recall(&app, &state) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "This sign-in is unknown or has expired.",
        );
    };
    // Providers with ID tokens show the trigger the claims as `idToken`; Facebook and Login
    // with Amazon answer from their user-info endpoints (`userInfo`). The stand-in has no
    // tokens of the provider's: `tokenResponse` holds a made-up access token, so that a
    // function reading it finds one.
    let part = match kind {
        Kind::Facebook | Kind::LoginWithAmazon => "userInfo",
        _ => "idToken",
    };
    let mut answer = ProviderAnswer::single(part, claims);
    answer.parts.insert(
        "tokenResponse".into(),
        json!({
            "access_token": format!("stand-in-{}", crate::infra::ids::uuid()),
            "token_type": "Bearer",
            "expires_in": "3600",
        }),
    );
    finish(
        &app,
        pool,
        pending.authorize_query,
        pending.provider,
        answer,
        None,
    )
    .await
}
