//! GetSigningCertificate: a real X.509 certificate for the pool's signing key.

use crate::app::App;
use crate::app::RequestContext;
use crate::error::ApiResult;
use crate::generated::cognito_idp::*;
use crate::idp::engine::tokens::pool_keys;

pub fn get_signing_certificate(
    app: &App,
    _: &RequestContext,
    input: GetSigningCertificateRequest,
) -> ApiResult<GetSigningCertificateResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let keys = pool_keys(app, &pool);
    let certificate = keys
        .id
        .certificate(&input.user_pool_id, app.clock.now() as i64);
    Ok(GetSigningCertificateResponse {
        certificate: Some(certificate),
    })
}
