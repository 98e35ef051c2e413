//! A user's sign-in history with threat protection on: sign-up, failed and passed sign-ins,
//! password change, forgotten password, resent codes, newest first and paged, with the
//! source address; feedback on events by the administrator and by the user.

use aws_sdk_cognitoidentityprovider::types::{
    AdvancedSecurityModeType, AuthEventType, AuthFlowType, ChallengeName, ChallengeResponse,
    ContextDataType, EventResponseType, EventType, ExplicitAuthFlowsType as Flow,
    FeedbackValueType, RiskDecisionType, UserPoolAddOnsType, UserPoolTierType,
};

use crate::common::{err, start, Emulator};

const PASSWORD: &str = "Perm4nent!pass";

/// A Plus pool with threat protection in `mode`, and a client for every password flow.
pub async fn protected_pool(
    emulator: &Emulator,
    mode: AdvancedSecurityModeType,
) -> (String, String) {
    let pool_id = emulator
        .idp
        .create_user_pool()
        .pool_name("protected")
        .user_pool_tier(UserPoolTierType::Plus)
        .user_pool_add_ons(
            UserPoolAddOnsType::builder()
                .advanced_security_mode(mode)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let client_id = emulator
        .client_with_flows(
            &pool_id,
            "app",
            &[
                Flow::AllowUserPasswordAuth,
                Flow::AllowAdminUserPasswordAuth,
                Flow::AllowRefreshTokenAuth,
            ],
        )
        .await;
    (pool_id, client_id)
}

pub async fn events(emulator: &Emulator, pool_id: &str, username: &str) -> Vec<AuthEventType> {
    emulator
        .idp
        .admin_list_user_auth_events()
        .user_pool_id(pool_id)
        .username(username)
        .send()
        .await
        .unwrap()
        .auth_events
        .unwrap_or_default()
}

fn kinds(events: &[AuthEventType]) -> Vec<(EventType, EventResponseType)> {
    events
        .iter()
        .map(|e| {
            (
                e.event_type().unwrap().clone(),
                e.event_response().unwrap().clone(),
            )
        })
        .collect()
}

fn password_step(event: &AuthEventType) -> Vec<(ChallengeName, ChallengeResponse)> {
    event
        .challenge_responses()
        .iter()
        .map(|c| {
            (
                c.challenge_name().unwrap().clone(),
                c.challenge_response().unwrap().clone(),
            )
        })
        .collect()
}

async fn admin_sign_in(
    emulator: &Emulator,
    pool_id: &str,
    client_id: &str,
    password: &str,
    ip: &str,
) -> Result<(), (String, String)> {
    emulator
        .idp
        .admin_initiate_auth()
        .user_pool_id(pool_id)
        .client_id(client_id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "eve")
        .auth_parameters("PASSWORD", password)
        .context_data(
            ContextDataType::builder()
                .ip_address(ip)
                .server_name("app.example.com")
                .server_path("/login")
                .set_http_headers(Some(vec![]))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .map(|_| ())
        .map_err(err)
}

#[tokio::test]
async fn the_history_records_sign_ups_sign_ins_and_password_events() {
    let emulator = start().await;
    let (pool_id, client_id) = protected_pool(&emulator, AdvancedSecurityModeType::Audit).await;
    emulator
        .idp
        .sign_up()
        .client_id(&client_id)
        .username("eve")
        .password(PASSWORD)
        .user_attributes(
            aws_sdk_cognitoidentityprovider::types::AttributeType::builder()
                .name("email")
                .value("eve@example.com")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    emulator
        .idp
        .resend_confirmation_code()
        .client_id(&client_id)
        .username("eve")
        .send()
        .await
        .unwrap();
    emulator
        .idp
        .admin_confirm_sign_up()
        .user_pool_id(&pool_id)
        .username("eve")
        .send()
        .await
        .unwrap();
    emulator.advance_clock(1.0).await;
    assert_eq!(
        admin_sign_in(&emulator, &pool_id, &client_id, "Wr0ng!pass", "203.0.113.9").await,
        Err((
            "NotAuthorizedException".into(),
            "Incorrect username or password.".into()
        ))
    );
    emulator.advance_clock(1.0).await;
    admin_sign_in(&emulator, &pool_id, &client_id, PASSWORD, "203.0.113.9")
        .await
        .unwrap();
    emulator.advance_clock(1.0).await;
    // A public sign-in: the connection's own address.
    let tokens = emulator
        .idp
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "eve")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    emulator
        .idp
        .change_password()
        .access_token(tokens.access_token.unwrap())
        .previous_password(PASSWORD)
        .proposed_password("N3w!password")
        .send()
        .await
        .unwrap();
    emulator
        .idp
        .admin_update_user_attributes()
        .user_pool_id(&pool_id)
        .username("eve")
        .user_attributes(
            aws_sdk_cognitoidentityprovider::types::AttributeType::builder()
                .name("email_verified")
                .value("true")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    emulator
        .idp
        .forgot_password()
        .client_id(&client_id)
        .username("eve")
        .send()
        .await
        .unwrap();
    let listed = events(&emulator, &pool_id, "eve").await;
    assert_eq!(listed[0].event_type(), Some(&EventType::ForgotPassword));
    assert_eq!(
        listed[0].event_response(),
        Some(&EventResponseType::InProgress)
    );
    let code = emulator
        .messages(&pool_id, Some("eve"))
        .await
        .last()
        .unwrap()["code"]
        .as_str()
        .unwrap()
        .to_string();
    emulator
        .idp
        .confirm_forgot_password()
        .client_id(&client_id)
        .username("eve")
        .confirmation_code(code)
        .password("Another!pass1")
        .send()
        .await
        .unwrap();

    let listed = events(&emulator, &pool_id, "eve").await;
    assert_eq!(
        kinds(&listed),
        [
            (EventType::ForgotPassword, EventResponseType::Pass),
            (EventType::PasswordChange, EventResponseType::Pass),
            (EventType::SignIn, EventResponseType::Pass),
            (EventType::SignIn, EventResponseType::Pass),
            (EventType::SignIn, EventResponseType::Fail),
            (EventType::ResendCode, EventResponseType::Pass),
            (EventType::SignUp, EventResponseType::Pass),
        ]
    );
    let ip = |e: &AuthEventType| {
        e.event_context_data()
            .and_then(|c| c.ip_address())
            .map(str::to_string)
    };
    assert_eq!(ip(&listed[2]).as_deref(), Some("127.0.0.1"));
    assert_eq!(
        ip(&listed[3]).as_deref(),
        Some("203.0.113.9"),
        "from ContextData"
    );
    assert_eq!(ip(&listed[4]).as_deref(), Some("203.0.113.9"));
    assert_eq!(
        password_step(&listed[3]),
        [(ChallengeName::Password, ChallengeResponse::Success)]
    );
    assert_eq!(
        password_step(&listed[4]),
        [(ChallengeName::Password, ChallengeResponse::Failure)]
    );
    assert!(password_step(&listed[6]).is_empty());
    for event in &listed {
        let risk = event.event_risk().unwrap();
        assert_eq!(risk.risk_decision(), Some(&RiskDecisionType::NoRisk));
        assert_eq!(risk.compromised_credentials_detected(), Some(false));
        assert!(event.event_id().unwrap().len() == 36);
    }
    let dates: Vec<f64> = listed
        .iter()
        .map(|e| e.creation_date().unwrap().as_secs_f64())
        .collect();
    assert!(
        dates.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {dates:?}"
    );
    assert!(
        dates[3] - dates[4] >= 1.0,
        "the clock moved a second between them"
    );

    // Paged.
    let first = emulator
        .idp
        .admin_list_user_auth_events()
        .user_pool_id(&pool_id)
        .username("eve")
        .max_results(3)
        .send()
        .await
        .unwrap();
    assert_eq!(first.auth_events().len(), 3);
    let mut all: Vec<AuthEventType> = first.auth_events().to_vec();
    let mut next = first.next_token().map(str::to_string);
    while let Some(token) = next {
        let page = emulator
            .idp
            .admin_list_user_auth_events()
            .user_pool_id(&pool_id)
            .username("eve")
            .max_results(3)
            .next_token(token)
            .send()
            .await
            .unwrap();
        all.extend(page.auth_events().iter().cloned());
        next = page.next_token().map(str::to_string);
    }
    assert_eq!(all, listed);

    // Other users have their own histories; unknown users are errors.
    let answer = emulator
        .idp
        .admin_list_user_auth_events()
        .user_pool_id(&pool_id)
        .username("nobody")
        .send()
        .await
        .map_err(err);
    assert_eq!(
        answer.unwrap_err(),
        (
            "UserNotFoundException".into(),
            "User does not exist.".into()
        )
    );
}

#[tokio::test]
async fn feedback_is_recorded_on_the_event() {
    let emulator = start().await;
    let (pool_id, client_id) = protected_pool(&emulator, AdvancedSecurityModeType::Enforced).await;
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("eve")
        .send()
        .await
        .unwrap();
    emulator.set_password(&pool_id, "eve", PASSWORD).await;
    admin_sign_in(&emulator, &pool_id, &client_id, PASSWORD, "198.51.100.1")
        .await
        .unwrap();
    admin_sign_in(&emulator, &pool_id, &client_id, PASSWORD, "198.51.100.2")
        .await
        .unwrap();
    let listed = events(&emulator, &pool_id, "eve").await;
    let (newer, older) = (
        listed[0].event_id().unwrap().to_string(),
        listed[1].event_id().unwrap().to_string(),
    );

    emulator
        .idp
        .admin_update_auth_event_feedback()
        .user_pool_id(&pool_id)
        .username("eve")
        .event_id(&newer)
        .feedback_value(FeedbackValueType::Invalid)
        .send()
        .await
        .unwrap();
    let listed = events(&emulator, &pool_id, "eve").await;
    let feedback = listed[0].event_feedback().unwrap();
    assert_eq!(feedback.feedback_value(), &FeedbackValueType::Invalid);
    assert_eq!(feedback.provider(), "admin");
    assert!(feedback.feedback_date().is_some());
    assert!(listed[1].event_feedback().is_none());

    // The user's own feedback needs the event's feedback token (sent in notification
    // e-mails by Cognito; listed by an emulator endpoint here).
    let tokens = emulator
        .get_json(&format!(
            "{}/_emulator/feedback-tokens/{pool_id}/eve",
            emulator.url
        ))
        .await;
    let tokens = tokens["events"].as_array().unwrap();
    assert_eq!(tokens.len(), 2);
    assert_eq!(tokens[1]["eventId"], older.as_str());
    let token = tokens[1]["feedbackToken"].as_str().unwrap().to_string();
    let answer = emulator
        .idp
        .update_auth_event_feedback()
        .user_pool_id(&pool_id)
        .username("eve")
        .event_id(&older)
        .feedback_token("not-the-token")
        .feedback_value(FeedbackValueType::Valid)
        .send()
        .await
        .map_err(err);
    assert_eq!(
        answer.unwrap_err(),
        (
            "NotAuthorizedException".into(),
            "Invalid feedback token.".into()
        )
    );
    emulator
        .idp
        .update_auth_event_feedback()
        .user_pool_id(&pool_id)
        .username("eve")
        .event_id(&older)
        .feedback_token(token)
        .feedback_value(FeedbackValueType::Valid)
        .send()
        .await
        .unwrap();
    let listed = events(&emulator, &pool_id, "eve").await;
    let feedback = listed[1].event_feedback().unwrap();
    assert_eq!(feedback.feedback_value(), &FeedbackValueType::Valid);
    assert_eq!(feedback.provider(), "user");

    let answer = emulator
        .idp
        .admin_update_auth_event_feedback()
        .user_pool_id(&pool_id)
        .username("eve")
        .event_id("no-such-event")
        .feedback_value(FeedbackValueType::Valid)
        .send()
        .await
        .map_err(err);
    assert_eq!(
        answer.unwrap_err(),
        (
            "ResourceNotFoundException".into(),
            "Auth event not found.".into()
        )
    );
}

#[tokio::test]
async fn without_threat_protection_there_is_no_history() {
    let emulator = start().await;
    let (pool_id, client_id) = protected_pool(&emulator, AdvancedSecurityModeType::Off).await;
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("eve")
        .send()
        .await
        .unwrap();
    emulator.set_password(&pool_id, "eve", PASSWORD).await;
    admin_sign_in(&emulator, &pool_id, &client_id, PASSWORD, "198.51.100.1")
        .await
        .unwrap();
    let expected = (
        "UserPoolAddOnNotEnabledException".to_string(),
        "Threat protection (advanced security) is not enabled for this user pool.".to_string(),
    );
    let answer = emulator
        .idp
        .admin_list_user_auth_events()
        .user_pool_id(&pool_id)
        .username("eve")
        .send()
        .await
        .map_err(err);
    assert_eq!(answer.unwrap_err(), expected);
    let answer = emulator
        .idp
        .admin_update_auth_event_feedback()
        .user_pool_id(&pool_id)
        .username("eve")
        .event_id("any")
        .feedback_value(FeedbackValueType::Valid)
        .send()
        .await
        .map_err(err);
    assert_eq!(answer.unwrap_err(), expected);

    // Turned on later: the history starts then.
    emulator
        .idp
        .update_user_pool()
        .user_pool_id(&pool_id)
        .user_pool_tier(UserPoolTierType::Plus)
        .user_pool_add_ons(
            UserPoolAddOnsType::builder()
                .advanced_security_mode(AdvancedSecurityModeType::Audit)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert!(events(&emulator, &pool_id, "eve").await.is_empty());
    admin_sign_in(&emulator, &pool_id, &client_id, PASSWORD, "198.51.100.1")
        .await
        .unwrap();
    assert_eq!(events(&emulator, &pool_id, "eve").await.len(), 1);
}
