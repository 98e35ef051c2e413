//! The AWS JSON 1.1 protocol of both services, free of any HTTP framework: `X-Amz-Target` to
//! an operation, a JSON body to a validated input, and an error to its AWS shape. The HTTP
//! layer ([`crate::http::aws_json`]) calls this; this calls no service.

pub mod validate;

use serde_json::Value;

use crate::error::{ApiError, ErrorCode};
use crate::generated::{cognito_identity, cognito_idp};
pub use crate::operation::Target;

pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// What AWS JSON 1.1 needs of an operation: its name in `X-Amz-Target`, and its input
/// checked against the model.
impl Target {
    pub fn parse(header: &str) -> Result<Self, ApiError> {
        let unknown = || {
            ApiError::new(
                ErrorCode::UnknownOperationException,
                format!("Unknown operation: {header}"),
            )
        };
        let (prefix, name) = header.rsplit_once('.').ok_or_else(unknown)?;
        match prefix {
            cognito_idp::TARGET_PREFIX => {
                cognito_idp::Operation::from_name(name).map(Target::UserPools)
            }
            cognito_identity::TARGET_PREFIX => {
                cognito_identity::Operation::from_name(name).map(Target::IdentityPools)
            }
            _ => None,
        }
        .ok_or_else(unknown)
    }

    pub fn validate(self, body: &Value) -> Result<(), ApiError> {
        // cognito-idp reports broken constraints as InvalidParameterException,
        // cognito-identity as ValidationException.
        let (shapes, input, code) = match self {
            Target::UserPools(op) => (
                cognito_idp::SHAPES,
                op.input_shape(),
                ErrorCode::InvalidParameterException,
            ),
            Target::IdentityPools(op) => (
                cognito_identity::SHAPES,
                op.input_shape(),
                ErrorCode::ValidationException,
            ),
        };
        match input {
            Some(index) => validate::validate(shapes, index, body, code),
            None => Ok(()),
        }
    }
}

pub fn parse_body(bytes: &[u8]) -> Result<Value, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Default::default()));
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(mut value @ Value::Object(_)) => {
            drop_nulls(&mut value);
            Ok(value)
        }
        Ok(_) => Err(ApiError::serialization(
            "The request body must be a JSON object.",
        )),
        Err(e) => Err(ApiError::serialization(format!(
            "The request body is not valid JSON: {e}"
        ))),
    }
}

/// A member or map entry whose value is null is taken as absent, as AWS does:
/// amazon-cognito-identity-js sends `"DEVICE_KEY": null` among its ChallengeResponses when
/// it answers again without its device key. (No shape of either model is a free-form
/// document, where a null could mean something.)
fn drop_nulls(value: &mut Value) {
    match value {
        Value::Object(entries) => {
            entries.retain(|_, v| !v.is_null());
            entries.values_mut().for_each(drop_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

/// `x-amzn-ErrorMessage` is cut to this many characters: boto3 fails on a 70 KB header and the
/// JavaScript SDK on anything over about 16 KB. The body keeps the whole message.
const MAX_HEADER_MESSAGE: usize = 1024;

/// An error as AWS JSON 1.1 answers it: the status, the body and the header values.
pub struct ErrorReply {
    pub status: u16,
    pub body: String,
    /// `x-amzn-ErrorType`.
    pub error_type: String,
    /// `x-amzn-ErrorMessage`: visible ASCII only.
    pub error_message: String,
}

impl ErrorReply {
    pub fn new(error: &ApiError) -> Self {
        Self {
            status: error.status(),
            body: serde_json::json!({"__type": error.code.as_str(), "message": error.message})
                .to_string(),
            error_type: format!("{}:", error.code),
            error_message: header_safe(&validate::cut(&error.message, MAX_HEADER_MESSAGE)),
        }
    }
}

/// Header values must be visible ASCII; anything else becomes `?`.
fn header_safe(text: &str) -> String {
    text.chars()
        .map(|c| if (' '..='~').contains(&c) { c } else { '?' })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn null_members_and_map_entries_are_absent() {
        let body = br#"{"ClientId":"c","Session":null,"ChallengeResponses":{"USERNAME":"u","DEVICE_KEY":null},"List":[{"a":null}]}"#;
        let value = super::parse_body(body).unwrap();
        assert_eq!(
            value,
            serde_json::json!({"ClientId":"c","ChallengeResponses":{"USERNAME":"u"},"List":[{}]})
        );
    }
}
