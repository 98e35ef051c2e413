//! CustomEmailSender and CustomSMSSender: the function is given the code (encrypted with the
//! AWS Encryption SDK under the pool's KMSKeyID, as Cognito does) and sends the message itself.
//! Cognito invokes them asynchronously, so their failures never fail the request; the
//! emulator waits for them (so a test sees the invocation at once) and logs failures.

use base64::Engine;
use serde_json::{json, Value};

use super::{string_map, Event, Function, Trigger};
use crate::app::{App, RequestContext};
use crate::error::ApiResult;
use crate::infra::crypto::encryption_sdk::{self, DataKey};
use crate::infra::kms;
use crate::infra::messages::Message;

/// Invokes the sender for `message`; `attributes` are the user's, as triggers see them.
pub fn send(
    app: &App,
    ctx: &RequestContext,
    function: &Function,
    message: &Message,
    attributes: Value,
) -> ApiResult<()> {
    let code = message.code.clone().unwrap_or_default();
    let key_id = app.store.pool(&message.user_pool_id).ok().and_then(|pool| {
        let pool = pool.read();
        pool.config.lambda_config.as_ref()?.kms_key_id.clone()
    });
    let code = match encrypt(app, key_id.as_deref(), &code) {
        Ok(code) => code,
        Err(reason) => {
            tracing::warn!(
                "{} not invoked: the code could not be encrypted: {reason}",
                function.trigger.name()
            );
            return Ok(());
        }
    };
    let (prefix, kind) = match function.trigger {
        Trigger::CustomEmailSender => ("CustomEmailSender", "customEmailSenderRequestV1"),
        _ => ("CustomSMSSender", "customSMSSenderRequestV1"),
    };
    let source = format!("{prefix}_{}", super::messages::source_suffix(message));
    let mut request = json!({
        "type": kind,
        "code": code,
        "userAttributes": attributes,
    });
    if let Some(metadata) = &ctx.caller.client_metadata {
        request["clientMetadata"] = string_map(metadata);
    }
    let invoked = function.invoke(
        app,
        ctx,
        Event {
            pool_id: &message.user_pool_id,
            trigger_source: &source,
            user_name: &message.username,
            client_id: ctx.caller.client_id.as_deref(),
            request,
            response: json!({}),
        },
    );
    if let Err(error) = invoked {
        // Asynchronous in Cognito: the caller never hears of it.
        tracing::warn!("{source} failed: {}", error.message);
    }
    Ok(())
}

/// The code as the function receives it: an Encryption SDK message (base64) with a data key
/// from `--kms-endpoint`, or, without one, the code itself (the emulator cannot make
/// ciphertext a function's KMS could decrypt).
fn encrypt(app: &App, key_id: Option<&str>, code: &str) -> Result<String, String> {
    let Some(endpoint) = app.config.kms_endpoint.as_deref() else {
        return Ok(code.to_string());
    };
    let key_id = key_id.ok_or("the pool's LambdaConfig has no KMSKeyID")?;
    let key = kms::generate_data_key(endpoint, key_id)?;
    let mut message_id = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut message_id);
    let message = encryption_sdk::encrypt(
        code.as_bytes(),
        &DataKey {
            plaintext: &key.plaintext,
            key_arn: &key.key_arn,
            wrapped: &key.wrapped,
        },
        message_id,
    )?;
    Ok(base64::engine::general_purpose::STANDARD.encode(message))
}
