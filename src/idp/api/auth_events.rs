//! A user's sign-in history and feedback on it: AdminListUserAuthEvents,
//! UpdateAuthEventFeedback, AdminUpdateAuthEventFeedback. Events are recorded by
//! [`crate::idp::engine::auth_events`] while threat protection is on.

use crate::app::{App, RequestContext};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::generated::cognito_idp::*;
use crate::idp::api::{decode_token, encode_token, page_size};
use crate::idp::engine::auth_events;
use crate::idp::store::{UserKey, UserPool};

/// Events and feedback need threat protection (AUDIT or ENFORCED). Text unconfirmed.
fn check_enabled(pool: &UserPool) -> ApiResult<()> {
    if auth_events::kept(pool) {
        return Ok(());
    }
    Err(ApiError::new(
        ErrorCode::UserPoolAddOnNotEnabledException,
        "Threat protection (advanced security) is not enabled for this user pool.",
    ))
}

pub fn admin_list_user_auth_events(
    app: &App,
    _: &RequestContext,
    input: AdminListUserAuthEventsRequest,
) -> ApiResult<AdminListUserAuthEventsResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let pool = pool.read();
    check_enabled(&pool)?;
    let user = pool.user(pool.find_user(&input.username)?)?;
    let limit = page_size(input.max_results);
    // The token names the last event of the previous page.
    let start = match decode_token(input.next_token.as_deref())? {
        Some(id) => {
            user.extras()
                .auth_events
                .iter()
                .position(|e| e.event.event_id.as_deref() == Some(id.as_str()))
                .ok_or_else(|| ApiError::invalid_parameter("Invalid pagination token."))?
                + 1
        }
        None => 0,
    };
    let rest = &user.extras().auth_events[start.min(user.extras().auth_events.len())..];
    let events: Vec<AuthEventType> = rest.iter().take(limit).map(|e| e.event.clone()).collect();
    let next_token = (rest.len() > limit)
        .then(|| {
            events
                .last()
                .and_then(|e| e.event_id.as_deref())
                .map(encode_token)
        })
        .flatten();
    Ok(AdminListUserAuthEventsResponse {
        auth_events: Some(events),
        next_token,
    })
}

/// Records feedback on one of the user's events; `token` is checked for the public call.
fn give_feedback(
    pool: &mut UserPool,
    user: UserKey,
    event_id: &str,
    token: Option<&str>,
    value: FeedbackValueType,
    provider: &str,
    now: f64,
) -> ApiResult<()> {
    let event = pool
        .user(user)?
        .extras()
        .auth_events
        .iter()
        .find(|e| e.event.event_id.as_deref() == Some(event_id))
        // Text unconfirmed.
        .ok_or_else(|| ApiError::resource_not_found("Auth event not found."))?;
    if let Some(token) = token {
        let matches: bool =
            subtle::ConstantTimeEq::ct_eq(event.feedback_token.as_bytes(), token.as_bytes()).into();
        if !matches {
            // Text unconfirmed.
            return Err(ApiError::not_authorized("Invalid feedback token."));
        }
    }
    let feedback = EventFeedbackType {
        feedback_value: value,
        provider: provider.to_string(),
        feedback_date: Some(now),
    };
    pool.users.update(user, |u| {
        if let Some(e) = u
            .extras_mut()
            .auth_events
            .iter_mut()
            .find(|e| e.event.event_id.as_deref() == Some(event_id))
        {
            e.event.event_feedback = Some(feedback);
        }
    });
    Ok(())
}

pub fn update_auth_event_feedback(
    app: &App,
    _: &RequestContext,
    input: UpdateAuthEventFeedbackRequest,
) -> ApiResult<UpdateAuthEventFeedbackResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let mut pool = pool.write();
    check_enabled(&pool)?;
    let user = pool.find_user(&input.username)?;
    give_feedback(
        &mut pool,
        user,
        &input.event_id,
        Some(&input.feedback_token),
        input.feedback_value,
        // Provider names unconfirmed.
        "user",
        app.clock.now(),
    )?;
    Ok(UpdateAuthEventFeedbackResponse {})
}

pub fn admin_update_auth_event_feedback(
    app: &App,
    _: &RequestContext,
    input: AdminUpdateAuthEventFeedbackRequest,
) -> ApiResult<AdminUpdateAuthEventFeedbackResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let mut pool = pool.write();
    check_enabled(&pool)?;
    let user = pool.find_user(&input.username)?;
    give_feedback(
        &mut pool,
        user,
        &input.event_id,
        None,
        input.feedback_value,
        "admin",
        app.clock.now(),
    )?;
    Ok(AdminUpdateAuthEventFeedbackResponse {})
}
