//! Verification codes: six digits, sent through the pool's message templates (kept at the
//! emulator's message endpoint), checked with Cognito's errors and attempt limit.

use rand::Rng;

use crate::app::App;
use crate::error::{ApiError, ApiResult};
use crate::generated::cognito_idp::{CodeDeliveryDetailsType, DeliveryMediumType};
use crate::idp::engine::attributes::mask_destination;
use crate::idp::store::auth::{CodePurpose, PendingCode};
use crate::idp::store::{UserKey, UserPool};
use crate::infra::ids;
use crate::infra::messages::Message;

const DEFAULT_MESSAGE: &str = "Your verification code is {####}.";
const DEFAULT_SUBJECT: &str = "Your verification code";
/// Wrong codes allowed before LimitExceededException (number unconfirmed).
const MAX_FAILURES: u32 = 5;

impl CodePurpose {
    /// Confirmation codes live 24 hours, password-reset codes 1 hour.
    fn lifetime(&self) -> f64 {
        match self {
            CodePurpose::SignUp | CodePurpose::VerifyAttribute(_) => 86_400.0,
            CodePurpose::ForgotPassword => 3_600.0,
        }
    }
}

/// Makes a new code for `(user, purpose)`, sent to the user's current `attribute`, and
/// returns the CodeDeliveryDetails Cognito answers with.
pub fn send(
    app: &App,
    pool: &mut UserPool,
    key: UserKey,
    purpose: CodePurpose,
    attribute: &str,
    trigger: &str,
) -> ApiResult<CodeDeliveryDetailsType> {
    let user = pool.users.get(key).ok_or_else(ApiError::user_not_found)?;
    let to = user
        .attribute(attribute)
        .ok_or_else(|| {
            ApiError::invalid_parameter(format!("The user has no {attribute} to send a code to."))
        })?
        .to_string();
    send_to(app, pool, key, purpose, attribute, &to, None, trigger)
}

/// As [`send`], to an explicit address; `pending_value` takes effect when the code is used.
#[allow(clippy::too_many_arguments)]
pub fn send_to(
    app: &App,
    pool: &mut UserPool,
    key: UserKey,
    purpose: CodePurpose,
    attribute: &str,
    to: &str,
    pending_value: Option<String>,
    trigger: &str,
) -> ApiResult<CodeDeliveryDetailsType> {
    let username = pool
        .users
        .get(key)
        .ok_or_else(ApiError::user_not_found)?
        .username
        .clone();
    let medium = if attribute == "email" {
        DeliveryMediumType::Email
    } else {
        DeliveryMediumType::Sms
    };
    let code = format!("{:06}", rand::thread_rng().gen_range(0..1_000_000));
    let template = pool
        .config
        .verification_message_template
        .clone()
        .unwrap_or_default();
    let (body, subject) = match medium {
        DeliveryMediumType::Email => (
            template
                .email_message
                .unwrap_or_else(|| DEFAULT_MESSAGE.to_string()),
            Some(
                template
                    .email_subject
                    .unwrap_or_else(|| DEFAULT_SUBJECT.to_string()),
            ),
        ),
        DeliveryMediumType::Sms => (
            template
                .sms_message
                .unwrap_or_else(|| DEFAULT_MESSAGE.to_string()),
            None,
        ),
    };
    let now = app.clock.now();
    app.messages.push(Message {
        id: ids::uuid(),
        user_pool_id: pool.id().to_string(),
        username,
        trigger: trigger.to_string(),
        delivery_medium: medium.as_str().to_string(),
        destination: to.to_string(),
        subject,
        body: body.replace("{####}", &code),
        code: Some(code.clone()),
        created_at: now,
    });
    let expires = now + purpose.lifetime();
    pool.auth.add_code(
        (key, purpose),
        PendingCode {
            code,
            expires,
            failures: 0,
            pending_value,
        },
        now,
    );
    Ok(CodeDeliveryDetailsType {
        destination: Some(mask_destination(to)),
        delivery_medium: Some(medium),
        attribute_name: Some(attribute.to_string()),
    })
}

/// Checks a code (counting wrong ones) without using it up: the caller [`consume`]s it once
/// everything else about the request has succeeded, so a refused request can be retried
/// with the same code. Returns the value the code is to make effective, if any.
pub fn check(
    pool: &mut UserPool,
    key: UserKey,
    purpose: CodePurpose,
    given: &str,
    now: f64,
) -> ApiResult<Option<String>> {
    let slot = (key, purpose);
    let Some(pending) = pool.auth.codes.get_mut(&slot) else {
        return Err(mismatch());
    };
    if pending.failures >= MAX_FAILURES {
        return Err(ApiError::new(
            "LimitExceededException",
            "Attempt limit exceeded, please try after some time.",
        ));
    }
    if pending.expires <= now {
        return Err(ApiError::new(
            "ExpiredCodeException",
            "Invalid code provided, please request a code again.",
        ));
    }
    let matches: bool =
        subtle::ConstantTimeEq::ct_eq(pending.code.as_bytes(), given.as_bytes()).into();
    if !matches {
        pending.failures += 1;
        return Err(mismatch());
    }
    Ok(pending.pending_value.clone())
}

/// Uses a checked code up.
pub fn consume(pool: &mut UserPool, key: UserKey, purpose: CodePurpose) {
    pool.auth.codes.remove(&(key, purpose));
}

pub fn mismatch() -> ApiError {
    ApiError::new(
        "CodeMismatchException",
        "Invalid verification code provided, please try again.",
    )
}
