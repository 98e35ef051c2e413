//! Operations, one function each, grouped by domain. The tables below are the single list of
//! what is implemented: the dispatcher, the README's coverage list and the tests read them.

mod auth;
mod clients;
mod codes;
mod groups;
mod list_users;
mod pools;
mod self_service;
mod sign_up;
mod signing;
mod tags;
mod users;

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::app::App;
use crate::error::{ApiError, ApiResult};
use crate::generated::cognito_identity::Operation as Identity;
use crate::generated::cognito_idp::Operation as Idp;
use crate::protocol::{RequestContext, Target};

/// What every operation handler looks like: typed input in, typed output out.
type Handler<I, O> = fn(&App, &RequestContext, I) -> ApiResult<O>;

macro_rules! operations {
    ($table:ident, $dispatch:ident, $service:ident { $($op:ident => $handler:path,)* }) => {
        /// The operations of this service that are implemented.
        pub const $table: &[$service] = &[$($service::$op),*];

        #[allow(unused_variables)]
        fn $dispatch(app: &App, ctx: &RequestContext, op: $service, input: Value) -> ApiResult<String> {
            match op {
                $($service::$op => run(app, ctx, input, $handler),)*
                #[allow(unreachable_patterns)]
                other => Err(ApiError::not_implemented(other.name())),
            }
        }
    };
}

operations!(IMPLEMENTED_USER_POOL_OPERATIONS, dispatch_user_pools, Idp {
    CreateUserPool => pools::create_user_pool,
    DescribeUserPool => pools::describe_user_pool,
    UpdateUserPool => pools::update_user_pool,
    DeleteUserPool => pools::delete_user_pool,
    ListUserPools => pools::list_user_pools,
    AddCustomAttributes => pools::add_custom_attributes,
    GetUserPoolMfaConfig => pools::get_user_pool_mfa_config,
    SetUserPoolMfaConfig => pools::set_user_pool_mfa_config,
    TagResource => tags::tag_resource,
    UntagResource => tags::untag_resource,
    ListTagsForResource => tags::list_tags_for_resource,
    CreateUserPoolClient => clients::create_user_pool_client,
    DescribeUserPoolClient => clients::describe_user_pool_client,
    UpdateUserPoolClient => clients::update_user_pool_client,
    DeleteUserPoolClient => clients::delete_user_pool_client,
    ListUserPoolClients => clients::list_user_pool_clients,
    AddUserPoolClientSecret => clients::add_user_pool_client_secret,
    DeleteUserPoolClientSecret => clients::delete_user_pool_client_secret,
    ListUserPoolClientSecrets => clients::list_user_pool_client_secrets,
    AdminCreateUser => users::admin_create_user,
    AdminGetUser => users::admin_get_user,
    AdminDeleteUser => users::admin_delete_user,
    AdminEnableUser => users::admin_enable_user,
    AdminDisableUser => users::admin_disable_user,
    AdminUpdateUserAttributes => users::admin_update_user_attributes,
    AdminDeleteUserAttributes => users::admin_delete_user_attributes,
    AdminSetUserPassword => users::admin_set_user_password,
    AdminConfirmSignUp => users::admin_confirm_sign_up,
    AdminSetUserSettings => users::admin_set_user_settings,
    ListUsers => list_users::list_users,
    CreateGroup => groups::create_group,
    GetGroup => groups::get_group,
    UpdateGroup => groups::update_group,
    DeleteGroup => groups::delete_group,
    ListGroups => groups::list_groups,
    AdminAddUserToGroup => groups::admin_add_user_to_group,
    AdminRemoveUserFromGroup => groups::admin_remove_user_from_group,
    AdminListGroupsForUser => groups::admin_list_groups_for_user,
    ListUsersInGroup => groups::list_users_in_group,
    InitiateAuth => auth::initiate_auth,
    AdminInitiateAuth => auth::admin_initiate_auth,
    RespondToAuthChallenge => auth::respond_to_auth_challenge,
    AdminRespondToAuthChallenge => auth::admin_respond_to_auth_challenge,
    GetTokensFromRefreshToken => auth::get_tokens_from_refresh_token,
    GetUser => self_service::get_user,
    GlobalSignOut => self_service::global_sign_out,
    AdminUserGlobalSignOut => self_service::admin_user_global_sign_out,
    RevokeToken => self_service::revoke_token,
    ChangePassword => self_service::change_password,
    SignUp => sign_up::sign_up,
    ConfirmSignUp => sign_up::confirm_sign_up,
    ResendConfirmationCode => sign_up::resend_confirmation_code,
    ForgotPassword => sign_up::forgot_password,
    ConfirmForgotPassword => sign_up::confirm_forgot_password,
    AdminResetUserPassword => sign_up::admin_reset_user_password,
    DeleteUser => self_service::delete_user,
    DeleteUserAttributes => self_service::delete_user_attributes,
    SetUserSettings => self_service::set_user_settings,
    UpdateUserAttributes => self_service::update_user_attributes,
    GetUserAttributeVerificationCode => self_service::get_user_attribute_verification_code,
    VerifyUserAttribute => self_service::verify_user_attribute,
    GetSigningCertificate => signing::get_signing_certificate,
});

/// Operations that sign tokens or do SRP arithmetic: they run on the blocking pool so the
/// async threads keep serving.
const CPU_HEAVY: &[Idp] = &[
    Idp::InitiateAuth,
    Idp::AdminInitiateAuth,
    Idp::RespondToAuthChallenge,
    Idp::AdminRespondToAuthChallenge,
    Idp::GetTokensFromRefreshToken,
    Idp::GetSigningCertificate,
];

operations!(
    IMPLEMENTED_IDENTITY_POOL_OPERATIONS,
    dispatch_identity_pools,
    Identity {}
);

pub async fn dispatch(
    app: Arc<App>,
    ctx: RequestContext,
    target: Target,
    input: Value,
) -> ApiResult<String> {
    let store = app.clone();
    let result = run_operation(app, ctx, target, input).await;
    // With --data-dir, nothing is acknowledged before it is on disk.
    store.store.durable_commit().await?;
    result
}

async fn run_operation(
    app: Arc<App>,
    ctx: RequestContext,
    target: Target,
    input: Value,
) -> ApiResult<String> {
    match target {
        Target::UserPools(op) if CPU_HEAVY.contains(&op) => {
            tokio::task::spawn_blocking(move || perform_user_pools(&app, &ctx, op, input))
                .await
                .map_err(|e| ApiError::internal(format!("operation failed: {e}")))?
        }
        Target::UserPools(op) => perform_user_pools(&app, &ctx, op, input),
        Target::IdentityPools(op) => dispatch_identity_pools(&app, &ctx, op, input),
    }
}

/// Runs a cognito-idp operation on this thread and hands what it changed to persistence.
fn perform_user_pools(app: &App, ctx: &RequestContext, op: Idp, input: Value) -> ApiResult<String> {
    let output = dispatch_user_pools(app, ctx, op, input);
    app.store.operation_finished();
    output
}

/// Runs a cognito-idp operation in-process, validated as a request would be (seeding uses
/// this). Not for CPU-heavy operations on async threads.
pub fn call_user_pools(app: &App, op: Idp, input: Value) -> ApiResult<Value> {
    Target::UserPools(op).validate(&input)?;
    let ctx = RequestContext {
        request_id: crate::ids::uuid(),
    };
    let output = perform_user_pools(app, &ctx, op, input)?;
    serde_json::from_str(&output).map_err(|e| ApiError::internal(e.to_string()))
}

fn run<I: DeserializeOwned, O: Serialize>(
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

/// The output of operations whose model output is empty.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Empty {}

/// Converts between generated shapes that share member names (a request into the stored
/// settings, say), so every setting is kept without copying fields by hand.
pub fn reshape<T: DeserializeOwned>(value: impl Serialize) -> ApiResult<T> {
    serde_json::to_value(value)
        .and_then(serde_json::from_value)
        .map_err(|e| ApiError::internal(format!("reshape: {e}")))
}

/// Page sizes: `Limit`/`MaxResults` of 0 or absent mean the maximum, 60.
pub fn page_size(requested: Option<i64>) -> usize {
    match requested {
        Some(n) if n > 0 => n.min(60) as usize,
        _ => 60,
    }
}

/// Pagination tokens are opaque to clients: base64 of our own position text.
pub fn encode_token(position: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(position)
}

pub fn decode_token(token: Option<&str>) -> ApiResult<Option<String>> {
    use base64::Engine;
    let Some(token) = token else { return Ok(None) };
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .map(Some)
        .ok_or_else(|| ApiError::invalid_parameter("Invalid pagination token."))
}

/// One page of an ordered map's values after the key a token names; the next token when
/// more follow.
pub fn page_by_key<'a, V>(
    map: &'a std::collections::BTreeMap<String, V>,
    token: Option<&str>,
    limit: usize,
) -> ApiResult<(Vec<&'a V>, Option<String>)> {
    use std::ops::Bound;
    let after = decode_token(token)?;
    let start = after
        .as_ref()
        .map_or(Bound::Unbounded, |k| Bound::Excluded(k.clone()));
    let mut iter = map.range((start, Bound::Unbounded));
    let page: Vec<(&String, &V)> = iter.by_ref().take(limit).collect();
    let next = match (iter.next(), page.last()) {
        (Some(_), Some((key, _))) => Some(encode_token(key)),
        _ => None,
    };
    Ok((page.into_iter().map(|(_, v)| v).collect(), next))
}

/// The README's coverage section, produced from the tables above so it cannot drift.
pub fn coverage_markdown() -> String {
    fn section<Op: Copy + PartialEq>(
        title: &str,
        all: &[Op],
        implemented: &[Op],
        name: fn(Op) -> &'static str,
    ) -> String {
        let (done, todo): (Vec<Op>, Vec<Op>) = all.iter().partition(|op| implemented.contains(op));
        let list = |ops: &[Op]| {
            ops.iter()
                .map(|op| format!("`{}`", name(*op)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut text = format!(
            "**{title}: {} of {} operations implemented.**\n\n",
            done.len(),
            all.len()
        );
        if !done.is_empty() {
            text += &format!("Implemented: {}.\n\n", list(&done));
        }
        if !todo.is_empty() {
            text += &format!(
                "Not implemented yet (they answer `NotImplementedException`): {}.\n\n",
                list(&todo)
            );
        }
        text
    }
    let mut text = section(
        "cognito-idp (user pools)",
        Idp::ALL,
        IMPLEMENTED_USER_POOL_OPERATIONS,
        Idp::name,
    );
    text += &section(
        "cognito-identity (identity pools)",
        Identity::ALL,
        IMPLEMENTED_IDENTITY_POOL_OPERATIONS,
        Identity::name,
    );
    text.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    const START: &str =
        "<!-- coverage:start (generated: COGNITO_EMULATOR_UPDATE_README=1 cargo test readme) -->";
    const END: &str = "<!-- coverage:end -->";

    /// The README lists exactly what the dispatcher implements.
    #[test]
    fn readme_coverage_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
        let readme = std::fs::read_to_string(path).unwrap();
        let start = readme
            .find(START)
            .expect("README has the coverage start marker")
            + START.len();
        let end = readme
            .find(END)
            .expect("README has the coverage end marker");
        let expected = format!("\n{}\n", super::coverage_markdown());
        if readme[start..end] != expected {
            if std::env::var("COGNITO_EMULATOR_UPDATE_README").is_ok_and(|v| v == "1") {
                let updated = format!("{}{}{}", &readme[..start], expected, &readme[end..]);
                std::fs::write(path, updated).unwrap();
            } else {
                panic!("README coverage is stale: run COGNITO_EMULATOR_UPDATE_README=1 cargo test readme");
            }
        }
    }
}
