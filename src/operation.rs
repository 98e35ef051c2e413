//! What an operation is: a typed handler in an operation table. The tables (`idp/mod.rs`,
//! `identity/mod.rs`) are built with [`operations!`]; each call decodes the input, runs the
//! handler, encodes the output and holds the error to the operation's model.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::app::{App, RequestContext};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::generated::{cognito_identity, cognito_idp};

/// An operation of either service, resolved from `X-Amz-Target`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    UserPools(cognito_idp::Operation),
    IdentityPools(cognito_identity::Operation),
}

impl Target {
    /// Whether AWS requires a SigV4 signature (AWS credentials) for the operation.
    pub fn is_signed(self) -> bool {
        match self {
            Target::UserPools(op) => op.is_signed(),
            Target::IdentityPools(op) => op.is_signed(),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Target::UserPools(op) => op.name(),
            Target::IdentityPools(op) => op.name(),
        }
    }
}

/// What every operation handler looks like: typed input in, typed output out.
pub type Handler<I, O> = fn(&App, &RequestContext, I) -> ApiResult<O>;

/// A service's operation table: `$table` lists the implemented operations and `$call` runs
/// one (decoding its input, encoding its output); the others answer NotImplementedException.
macro_rules! operations {
    ($table:ident, $call:ident, $service:ident { $($op:ident => $handler:path,)* }) => {
        /// The operations of this service that are implemented.
        pub const $table: &[$service] = &[$($service::$op),*];

        #[allow(unused_variables)]
        pub fn $call(
            app: &crate::app::App,
            ctx: &crate::app::RequestContext,
            op: $service,
            input: serde_json::Value,
        ) -> crate::error::ApiResult<String> {
            let result = match op {
                $($service::$op => crate::operation::run(app, ctx, input, $handler),)*
                #[allow(unreachable_patterns)]
                other => Err(crate::error::ApiError::not_implemented(other.name())),
            };
            result.map_err(|e| crate::operation::as_modelled(op.name(), op.errors(), e))
        }
    };
}
pub(crate) use operations;

/// Errors Cognito answers for one operation although its model does not list them.
const ALSO_ANSWERED: &[(&str, ErrorCode)] = &[
    // Documented under AdminCreateUser's ForceAliasCreation.
    ("AdminCreateUser", ErrorCode::AliasExistsException),
    // An unknown user, as every other Admin* user operation answers (unconfirmed).
    ("AdminGetDevice", ErrorCode::UserNotFoundException),
    ("AdminListDevices", ErrorCode::UserNotFoundException),
    // GetClientToken calls PreTokenGeneration V3_0 (documented), whose errors its model does
    // not list: the Lambda errors every other token-issuing operation answers.
    ("GetClientToken", ErrorCode::UserLambdaValidationException),
    ("GetClientToken", ErrorCode::InvalidLambdaResponseException),
    ("GetClientToken", ErrorCode::UnexpectedLambdaException),
];

/// Holds an operation to its model's list of errors. An internal failure takes the fault
/// code the operation lists (InternalErrorException or InternalServerException). A code the
/// list lacks (and that is not one Cognito answers off-model, see
/// [`ErrorCode::is_off_model`]) is a bug: debug builds, and so every test, turn it into a
/// failure naming it; release builds log it and answer it as it is.
pub(crate) fn as_modelled(operation: &str, listed: &[ErrorCode], mut error: ApiError) -> ApiError {
    if error.status() == 500 {
        if let Some(fault) = listed.iter().find(|code| code.status() == 500) {
            error.code = *fault;
        }
        return error;
    }
    let also = ALSO_ANSWERED.contains(&(operation, error.code));
    if listed.contains(&error.code) || error.code.is_off_model() || also {
        return error;
    }
    if cfg!(debug_assertions) {
        ApiError::internal(format!(
            "{operation} answered {}, which its model does not list: {}",
            error.code, error.message
        ))
    } else {
        tracing::warn!(operation, code = %error.code, "error not in the operation's model");
        error
    }
}

pub(crate) fn run<I: DeserializeOwned, O: Serialize>(
    app: &App,
    ctx: &RequestContext,
    input: Value,
    handler: Handler<I, O>,
) -> ApiResult<String> {
    // The validator has already checked types, so this only fails on shapes it cannot see.
    let input: I =
        serde_json::from_value(input).map_err(|e| ApiError::serialization(e.to_string()))?;
    let output = handler(app, ctx, input)?;
    // Straight to JSON text: no intermediate Value on the way out.
    serde_json::to_string(&output).map_err(|e| ApiError::internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::as_modelled;
    use crate::error::{ApiError, ErrorCode};
    use crate::generated::cognito_idp::Operation;

    /// Every error an operation answers is checked against its model's list as it is
    /// answered; in debug builds (all tests) an unlisted one becomes a failure naming it.
    #[test]
    fn errors_are_held_to_the_model() {
        let op = Operation::AdminGetUser;
        let listed = ApiError::user_not_found();
        assert_eq!(as_modelled(op.name(), op.errors(), listed.clone()), listed);
        let unlisted = ApiError::new(ErrorCode::CodeMismatchException, "x");
        let answered = as_modelled(op.name(), op.errors(), unlisted);
        assert_eq!(answered.code, ErrorCode::InternalErrorException);
        assert_eq!(
            answered.message,
            "AdminGetUser answered CodeMismatchException, which its model does not list: x"
        );
        // Off-model codes Cognito really answers pass.
        let off = ApiError::serialization("bad JSON");
        assert_eq!(as_modelled(op.name(), op.errors(), off.clone()), off);
        // Internal failures take the fault code the operation lists.
        let op = Operation::AddUserPoolClientSecret;
        let internal = as_modelled(op.name(), op.errors(), ApiError::internal("boom"));
        assert_eq!(internal.code, ErrorCode::InternalServerException);
    }
}
