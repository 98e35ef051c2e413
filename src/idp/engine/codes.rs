//! Verification codes: six digits, sent through the pool's message templates (kept at the
//! emulator's message endpoint), checked with Cognito's errors and attempt limit.

use rand::Rng;

use crate::app::{App, RequestContext};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::generated::cognito_idp::{CodeDeliveryDetailsType, DeliveryMediumType};
use crate::idp::engine::attributes::mask_destination;
use crate::idp::store::auth::{CodePurpose, PendingCode};
use crate::idp::store::{UserKey, UserPool};
use crate::infra::ids;
use crate::infra::messages::Message;

const DEFAULT_MESSAGE: &str = "Your verification code is {####}.";
const DEFAULT_SUBJECT: &str = "Your verification code";
/// Wrong codes allowed for one code before it is refused, even when right, until a new one
/// is requested: Cognito invalidates a code after about five (number unconfirmed).
const MAX_FAILURES: u32 = 5;
/// Codes one user may ask for (ForgotPassword, ResendConfirmationCode,
/// GetUserAttributeVerificationCode) per window: with [`MAX_FAILURES`] this bounds guesses
/// at a code to 25 an hour. Cognito throttles per user too (numbers unconfirmed).
const MAX_REQUESTS: usize = 5;
const REQUEST_WINDOW: f64 = 3_600.0;

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
    ctx: &RequestContext,
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
    let delivery = Delivery {
        attribute,
        to: &to,
        pending_value: None,
        trigger,
    };
    send_to(app, ctx, pool, key, purpose, delivery)
}

/// For a user asking for a code (ForgotPassword, ResendConfirmationCode,
/// GetUserAttributeVerificationCode): refused with LimitExceededException when the user has
/// asked too often lately; call it before [`send`].
pub fn check_request_rate(app: &App, pool: &mut UserPool, key: UserKey) -> ApiResult<()> {
    let now = app.clock.now();
    if pool
        .auth
        .allow_code_request(key, now, REQUEST_WINDOW, MAX_REQUESTS)
    {
        Ok(())
    } else {
        Err(limit_exceeded())
    }
}

/// Where a code goes and why.
pub struct Delivery<'a> {
    /// `email` or `phone_number`.
    pub attribute: &'a str,
    /// The address or number.
    pub to: &'a str,
    /// A new attribute value that takes effect when the code is used.
    pub pending_value: Option<String>,
    /// What the message is for, e.g. `ForgotPassword`.
    pub trigger: &'a str,
}

/// As [`send`], to an explicit address.
pub fn send_to(
    app: &App,
    ctx: &RequestContext,
    pool: &mut UserPool,
    key: UserKey,
    purpose: CodePurpose,
    delivery: Delivery,
) -> ApiResult<CodeDeliveryDetailsType> {
    let Delivery {
        attribute,
        to,
        pending_value,
        trigger,
    } = delivery;
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
    let template = pool
        .config
        .verification_message_template
        .clone()
        .unwrap_or_default();
    let content = match medium {
        DeliveryMediumType::Email => Content {
            template: template.email_message,
            subject: Some(
                template
                    .email_subject
                    .unwrap_or_else(|| DEFAULT_SUBJECT.to_string()),
            ),
        },
        DeliveryMediumType::Sms => Content {
            template: template.sms_message,
            subject: None,
        },
    };
    let recipient = Recipient {
        pool_id: pool.id(),
        username: &username,
        medium,
        to,
    };
    let code = deliver(app, ctx, recipient, content, trigger, 6);
    let now = app.clock.now();
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

/// Who a message goes to.
pub struct Recipient<'a> {
    pub pool_id: &'a str,
    pub username: &'a str,
    pub medium: DeliveryMediumType,
    /// The address or number.
    pub to: &'a str,
}

/// What a message says: its template, where `{####}` stands for the code (a default
/// sentence when None), and an e-mail's subject.
pub struct Content {
    pub template: Option<String>,
    pub subject: Option<String>,
}

/// Sends a fresh code of `digits` digits (kept at the message endpoint) and returns it.
pub fn deliver(
    app: &App,
    ctx: &RequestContext,
    recipient: Recipient,
    content: Content,
    trigger: &str,
    digits: u32,
) -> String {
    let code = format!(
        "{:0width$}",
        rand::thread_rng().gen_range(0..10u64.pow(digits)),
        width = digits as usize
    );
    let body = content
        .template
        .unwrap_or_else(|| DEFAULT_MESSAGE.to_string());
    ctx.outbox.send(Message {
        id: ids::uuid(),
        user_pool_id: recipient.pool_id.to_string(),
        username: recipient.username.to_string(),
        trigger: trigger.to_string(),
        delivery_medium: recipient.medium.as_str().to_string(),
        destination: recipient.to.to_string(),
        subject: content.subject,
        body: body.replace("{####}", &code),
        code: Some(code.clone()),
        created_at: app.clock.now(),
    });
    code
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
        return Err(limit_exceeded());
    }
    if pending.expires <= now {
        return Err(ApiError::new(
            ErrorCode::ExpiredCodeException,
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

fn limit_exceeded() -> ApiError {
    ApiError::new(
        ErrorCode::LimitExceededException,
        "Attempt limit exceeded, please try after some time.",
    )
}

pub fn mismatch() -> ApiError {
    ApiError::new(
        ErrorCode::CodeMismatchException,
        "Invalid verification code provided, please try again.",
    )
}
