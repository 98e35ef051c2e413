//! A user's history of sign-in, sign-up and password events (AdminListUserAuthEvents), kept
//! while the pool's threat protection is on (AUDIT or ENFORCED), newest first, on the user.
//! One call per place in the flows that produce them.

use crate::app::{App, RequestContext};
use crate::generated::cognito_idp::*;
use crate::idp::engine::risk::{self, Source, Verdict};
use crate::idp::engine::sign_in::SignIn;
use crate::idp::store::security::{StoredAuthEvent, EVENTS_KEPT};
use crate::idp::store::{UserKey, UserPool};

/// What happened, as an event records it.
pub struct Happened {
    pub kind: EventType,
    pub response: EventResponseType,
    /// The password step's outcome (sign-in events).
    pub password: Option<ChallengeResponse>,
    pub verdict: Verdict,
}

/// Whether this pool keeps events at all.
pub fn kept(pool: &UserPool) -> bool {
    risk::mode(pool) != AdvancedSecurityModeType::Off
}

/// Records an event for a user (nothing when threat protection is off).
pub fn record(pool: &mut UserPool, user: UserKey, source: &Source, now: f64, happened: Happened) {
    if !kept(pool) {
        return;
    }
    let event = AuthEventType {
        event_id: Some(crate::infra::ids::uuid()),
        event_type: Some(happened.kind),
        creation_date: Some(now),
        event_response: Some(happened.response),
        event_risk: Some(risk::event_risk(happened.verdict)),
        challenge_responses: Some(
            happened
                .password
                .map(|outcome| ChallengeResponseType {
                    challenge_name: Some(ChallengeName::Password),
                    challenge_response: Some(outcome),
                })
                .into_iter()
                .collect(),
        ),
        event_context_data: Some(EventContextDataType {
            ip_address: source.ip.map(|ip| ip.to_string()),
            device_name: source.user_agent.clone(),
            ..Default::default()
        }),
        event_feedback: None,
    };
    let stored = StoredAuthEvent {
        event,
        feedback_token: crate::infra::ids::random_token(),
    };
    pool.users.update(user, |u| {
        u.extras_mut().auth_events.insert(0, stored);
        u.extras_mut().auth_events.truncate(EVENTS_KEPT);
    });
}

/// A request's event that is not a sign-in: passed, or in progress until a later step
/// completes it.
fn request(
    app: &App,
    ctx: &RequestContext,
    pool: &mut UserPool,
    user: UserKey,
    kind: EventType,
    response: EventResponseType,
) {
    let happened = Happened {
        kind,
        response,
        password: None,
        verdict: Verdict::NoRisk,
    };
    record(pool, user, &Source::of(ctx), app.clock.now(), happened);
}

/// SignUp.
pub fn signed_up(app: &App, ctx: &RequestContext, pool: &mut UserPool, user: UserKey) {
    request(
        app,
        ctx,
        pool,
        user,
        EventType::SignUp,
        EventResponseType::Pass,
    );
}

/// ResendConfirmationCode.
pub fn code_resent(app: &App, ctx: &RequestContext, pool: &mut UserPool, user: UserKey) {
    request(
        app,
        ctx,
        pool,
        user,
        EventType::ResendCode,
        EventResponseType::Pass,
    );
}

/// ChangePassword.
pub fn password_changed(app: &App, ctx: &RequestContext, pool: &mut UserPool, user: UserKey) {
    let pass = EventResponseType::Pass;
    request(app, ctx, pool, user, EventType::PasswordChange, pass);
}

/// ForgotPassword: in progress until the new password is confirmed.
pub fn password_forgotten(app: &App, ctx: &RequestContext, pool: &mut UserPool, user: UserKey) {
    let pending = EventResponseType::InProgress;
    request(app, ctx, pool, user, EventType::ForgotPassword, pending);
}

/// ConfirmForgotPassword: the newest ForgotPassword event in progress passes; with none in
/// progress, a passed one is recorded.
pub fn password_reset(app: &App, ctx: &RequestContext, pool: &mut UserPool, user: UserKey) {
    if !kept(pool) {
        return;
    }
    let kind = EventType::ForgotPassword;
    let done = pool.users.update(user, |u| {
        u.extras_mut()
            .auth_events
            .iter_mut()
            .find(|e| {
                e.event.event_type == Some(kind)
                    && e.event.event_response == Some(EventResponseType::InProgress)
            })
            .map(|e| e.event.event_response = Some(EventResponseType::Pass))
            .is_some()
    });
    if done == Some(false) {
        request(app, ctx, pool, user, kind, EventResponseType::Pass);
    }
}

/// A sign-in whose password (or SRP proof) was wrong.
pub fn password_failed(pool: &mut UserPool, sign_in: &SignIn, user: UserKey, now: f64) {
    let happened = Happened {
        kind: EventType::SignIn,
        response: EventResponseType::Fail,
        password: Some(ChallengeResponse::Failure),
        verdict: Verdict::NoRisk,
    };
    record(pool, user, &sign_in.source, now, happened);
}

/// A sign-in that passed its first factor and gets tokens (or a hosted session).
pub fn signed_in(sign_in: &SignIn, user: UserKey) {
    if !kept(&sign_in.pool.read()) {
        return;
    }
    let now = sign_in.app.clock.now();
    let happened = Happened {
        kind: EventType::SignIn,
        response: EventResponseType::Pass,
        password: Some(ChallengeResponse::Success),
        verdict: Verdict::NoRisk,
    };
    record(
        &mut sign_in.pool.write(),
        user,
        &sign_in.source,
        now,
        happened,
    );
}

/// Refuses a sign-in from an always-blocked address, recording the attempt on the user it
/// names (when there is one).
pub fn screen_sign_in(sign_in: &SignIn, username: Option<&str>) -> crate::error::ApiResult<()> {
    let verdict = risk::verdict(
        &sign_in.pool.read(),
        Some(sign_in.client_id),
        &sign_in.source,
    );
    if verdict == Verdict::NoRisk {
        return Ok(());
    }
    let now = sign_in.app.clock.now();
    let mut pool = sign_in.pool.write();
    let user = username.and_then(|name| pool.users.find(name));
    if let Some(user) = user {
        let happened = Happened {
            kind: EventType::SignIn,
            response: EventResponseType::Fail,
            password: None,
            verdict,
        };
        record(&mut pool, user, &sign_in.source, now, happened);
    }
    Err(risk::blocked())
}

/// Each of a user's events with its feedback token, newest first (for the emulator's own
/// endpoint: Cognito mails these tokens in its notifications).
pub fn feedback_tokens(
    app: &App,
    pool_id: &str,
    username: &str,
) -> crate::error::ApiResult<Vec<(String, String)>> {
    let pool = app.store.pool(pool_id)?;
    let pool = pool.read();
    let user = pool.user(pool.find_user(username)?)?;
    Ok(user
        .extras()
        .auth_events
        .iter()
        .map(|e| {
            (
                e.event.event_id.clone().unwrap_or_default(),
                e.feedback_token.clone(),
            )
        })
        .collect())
}
