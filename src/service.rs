//! Runs an operation of either service: the one entry every front door uses (the AWS JSON API,
//! seeding, and later the OAuth endpoints and hosted pages). It picks the thread an operation
//! runs on and answers only once the operation's changes are durably committed.

use std::sync::Arc;

use serde_json::Value;

use crate::app::{App, Caller, RequestContext};
use crate::error::{ApiError, ApiResult};
use crate::generated::cognito_identity::Operation as Identity;
use crate::generated::cognito_idp::Operation as Idp;
use crate::infra::blocking;
use crate::operation::Target;
use crate::{identity, idp};

/// Runs a validated request's operation and waits until what it changed is on disk.
pub async fn dispatch(
    app: Arc<App>,
    ctx: RequestContext,
    target: Target,
    input: Value,
) -> ApiResult<String> {
    perform(&app.clone(), run_operation(app, ctx, target, input)).await
}

/// Runs an operation, then waits until every change it made is durably committed (with
/// `--data-dir`; at once without). Every entry point goes through here. The operation may
/// await (a Lambda trigger, an identity provider): its changes are recorded by the pools
/// themselves, not by the thread it ran on. It must be `Send`, which is what keeps a pool
/// guard from being held across an await:
///
/// ```compile_fail
/// # async fn f(app: std::sync::Arc<cognito_emulator::app::App>) {
/// let pool = app.store.pool("us-east-1_x").unwrap();
/// cognito_emulator::service::perform(&app, async {
///     let guard = pool.write();
///     tokio::task::yield_now().await; // a guard across an await: does not compile
///     drop(guard);
///     Ok(())
/// })
/// .await;
/// # }
/// ```
///
/// If a durable write fails meanwhile, what it held is rolled back to what the disk has, and
/// an operation that overlapped it answers InternalErrorException rather than a success it
/// may have lost.
pub async fn perform<T>(
    app: &App,
    operation: impl std::future::Future<Output = ApiResult<T>> + Send,
) -> ApiResult<T> {
    // Odd while a rollback runs: an operation starting then may see its change undone.
    let rollbacks = app.store.rollbacks();
    let result = operation.await;
    app.store.durable_commit().await?;
    if rollbacks % 2 == 1 || app.store.rollbacks() != rollbacks {
        return Err(ApiError::internal(
            "The emulator could not write its durable state (is the disk full?); this request's changes were rolled back.",
        ));
    }
    result
}

async fn run_operation(
    app: Arc<App>,
    ctx: RequestContext,
    target: Target,
    input: Value,
) -> ApiResult<String> {
    let mut ctx = ctx;
    match target {
        Target::UserPools(_) => {
            check_region(&ctx, &input)?;
            ctx.caller = Caller::of(&input);
        }
        // Unsigned calls (GetId…) carry no region: the pool id's own region serves them.
        Target::IdentityPools(_) if ctx.signed => check_identity_region(&ctx, &input)?,
        Target::IdentityPools(_) => {}
    }
    match target {
        Target::UserPools(op) if idp::on_blocking_pool(op, &app, &input) => {
            on_blocking_pool(move || perform_user_pools(&app, &ctx, op, input)).await?
        }
        Target::UserPools(op) => perform_user_pools(&app, &ctx, op, input),
        Target::IdentityPools(op) if identity::on_blocking_pool(op, &input) => {
            on_blocking_pool(move || identity::call(&app, &ctx, op, input)).await?
        }
        Target::IdentityPools(op) => identity::call(&app, &ctx, op, input),
    }
}

/// Runs synchronous work on the blocking pool, on a thread marked as one that may block (see
/// `infra::blocking`).
pub async fn on_blocking_pool<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> ApiResult<T> {
    tokio::task::spawn_blocking(move || {
        let _scope = blocking::Scope::enter();
        work()
    })
    .await
    .map_err(|e| ApiError::internal(format!("operation failed: {e}")))
}

/// Runs a cognito-idp operation, then delivers the messages it built (only if it succeeded).
fn perform_user_pools(app: &App, ctx: &RequestContext, op: Idp, input: Value) -> ApiResult<String> {
    let output = idp::call(app, ctx, op, input)?;
    deliver_messages(app, ctx)
        .map_err(|e| crate::operation::as_modelled(op.name(), op.errors(), e))?;
    Ok(output)
}

/// Delivers the messages a successful operation or page built, after the pool's
/// CustomMessage trigger rewrote them and its custom senders were given them. A failing
/// CustomMessage fails the request, although what the operation changed stays (unconfirmed:
/// Cognito's order of commit and message).
pub fn deliver_messages(app: &App, ctx: &RequestContext) -> ApiResult<()> {
    let messages = ctx.outbox.take();
    if messages.is_empty() {
        return Ok(());
    }
    for message in idp::engine::triggers::messages::before_delivery(app, ctx, messages)? {
        app.messages.push(message);
    }
    Ok(())
}

/// A pool id names its region; as in AWS, a region does not see another region's pools.
fn check_region(ctx: &RequestContext, input: &Value) -> ApiResult<()> {
    match input.get("UserPoolId").and_then(Value::as_str) {
        Some(id) if id.split_once('_').map(|(region, _)| region) != Some(&ctx.region) => {
            Err(ApiError::pool_not_found(id))
        }
        _ => Ok(()),
    }
}

/// An identity pool id (`<region>:<uuid>`) names its region too.
fn check_identity_region(ctx: &RequestContext, input: &Value) -> ApiResult<()> {
    match input.get("IdentityPoolId").and_then(Value::as_str) {
        Some(id) if id.split_once(':').map(|(region, _)| region) != Some(&ctx.region) => Err(
            ApiError::resource_not_found(format!("IdentityPool '{id}' not found.")),
        ),
        _ => Ok(()),
    }
}

/// Runs a cognito-idp operation in-process without waiting for its commit: for seeding, which
/// validates its input first and runs inside one [`perform`] (without Lambda triggers), and
/// for hosted pages' blocking work (with them). Not for CPU-heavy operations on async threads.
pub fn call_user_pools(app: &App, op: Idp, input: Value, triggers: bool) -> ApiResult<Value> {
    let mut ctx = RequestContext::new(app.region());
    ctx.triggers = triggers;
    ctx.caller = Caller::of(&input);
    let output = perform_user_pools(app, &ctx, op, input)?;
    serde_json::from_str(&output).map_err(|e| ApiError::internal(e.to_string()))
}

/// Runs a cognito-identity operation in-process, as [`call_user_pools`] (for seeding).
pub fn call_identity_pools(app: &App, op: Identity, input: Value) -> ApiResult<Value> {
    let ctx = RequestContext::new(app.region());
    let output = identity::call(app, &ctx, op, input)?;
    serde_json::from_str(&output).map_err(|e| ApiError::internal(e.to_string()))
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
        idp::IMPLEMENTED,
        Idp::name,
    );
    text += &section(
        "cognito-identity (identity pools)",
        Identity::ALL,
        identity::IMPLEMENTED,
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
