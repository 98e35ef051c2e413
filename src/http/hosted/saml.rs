//! SAML 2.0: the identity provider's answer at `POST /saml2/idpresponse` (HTTP-POST binding,
//! SP- or IdP-initiated) and the pool's SP metadata at `GET /<poolId>/saml2/metadata`. The
//! SAML logic is in `idp::engine::federation::saml`.
//!
//! The identity provider's post is cross-site by design and carries no CSRF token: it is
//! trusted for its XML signature (checked against the provider's metadata), its audience
//! and destination, and (SP-initiated) the single-use pending sign-in its RelayState names.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::oauth::refusal;
use super::{blocking, decode_pairs, error_page, internal_error};
use crate::app::App;
use crate::idp::engine::federation::saml;

/// POST /saml2/idpresponse: `SAMLResponse` and `RelayState`.
pub async fn idp_response(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let form = decode_pairs(&body);
    let Some(saml_response) = form.get("SAMLResponse").filter(|r| !r.is_empty()) else {
        return error_page(StatusCode::BAD_REQUEST, "SAMLResponse is required.");
    };
    if saml_response.len() > saml::MAX_RESPONSE_CHARS {
        return error_page(
            StatusCode::BAD_REQUEST,
            "The SAML response is longer than 100,000 characters.",
        );
    }
    let relay_state = form.get("RelayState").cloned().unwrap_or_default();
    let saml_response = saml_response.clone();
    // Signature checking is CPU work: off the async threads.
    let accepted = blocking(&app, move |app| {
        saml::accept(app, &relay_state, &saml_response)
    })
    .await;
    match accepted {
        Ok(Ok(accepted)) => {
            super::federation::finish(
                &app,
                accepted.pool,
                accepted.authorize_query,
                accepted.provider,
                accepted.answer,
                Some(accepted.issuer),
            )
            .await
        }
        Ok(Err(r)) => refusal(r),
        Err(error) => internal_error(error),
    }
}

/// GET /{poolId}/saml2/metadata: the pool's SAML service provider metadata (an emulator
/// extension: Cognito publishes none, and the values are Cognito's).
pub async fn metadata(State(app): State<Arc<App>>, Path(pool_id): Path<String>) -> Response {
    let Ok(pool) = app.store.pool(&pool_id) else {
        return error_page(StatusCode::NOT_FOUND, "No such user pool.");
    };
    match blocking(&app, move |app| saml::sp_metadata(app, &pool)).await {
        Ok(xml) => {
            let mut response = (StatusCode::OK, xml).into_response();
            let headers = response.headers_mut();
            headers.insert(
                CONTENT_TYPE,
                HeaderValue::from_static("application/samlmetadata+xml"),
            );
            headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(error) => internal_error(error),
    }
}
