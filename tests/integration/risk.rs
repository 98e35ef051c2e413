//! Threat protection settings (DescribeRiskConfiguration, SetRiskConfiguration) per pool and
//! per client, and what the emulator honours of them: always-blocked IP ranges refuse
//! sign-ins in full-function (ENFORCED) mode, always-allowed ranges exempt addresses.

use aws_sdk_cognitoidentityprovider::types::{
    AccountTakeoverActionType, AccountTakeoverActionsType, AccountTakeoverEventActionType,
    AccountTakeoverRiskConfigurationType, AdvancedSecurityModeType, AuthFlowType,
    CompromisedCredentialsActionsType, CompromisedCredentialsEventActionType,
    CompromisedCredentialsRiskConfigurationType, ContextDataType, EventResponseType, EventType,
    NotifyConfigurationType, RiskDecisionType, RiskExceptionConfigurationType, RiskLevelType,
};

use crate::auth_events::{events, protected_pool};
use crate::common::{err, start, Emulator};

const PASSWORD: &str = "Perm4nent!pass";

async fn user(emulator: &Emulator, pool_id: &str) {
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(pool_id)
        .username("rita")
        .send()
        .await
        .unwrap();
    emulator.set_password(pool_id, "rita", PASSWORD).await;
}

async fn sign_in(emulator: &Emulator, client_id: &str) -> Result<(), (String, String)> {
    emulator
        .idp
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "rita")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .map(|_| ())
        .map_err(err)
}

fn ranges(blocked: &[&str], skipped: &[&str]) -> RiskExceptionConfigurationType {
    RiskExceptionConfigurationType::builder()
        .set_blocked_ip_range_list(Some(blocked.iter().map(|s| s.to_string()).collect()))
        .set_skipped_ip_range_list(Some(skipped.iter().map(|s| s.to_string()).collect()))
        .build()
}

async fn set_ranges(
    emulator: &Emulator,
    pool_id: &str,
    client_id: Option<&str>,
    exceptions: RiskExceptionConfigurationType,
) -> Result<(), (String, String)> {
    emulator
        .idp
        .set_risk_configuration()
        .user_pool_id(pool_id)
        .set_client_id(client_id.map(str::to_string))
        .risk_exception_configuration(exceptions)
        .send()
        .await
        .map(|_| ())
        .map_err(err)
}

fn blocked() -> Result<(), (String, String)> {
    Err((
        "NotAuthorizedException".into(),
        "Unable to login because of security reasons.".into(),
    ))
}

#[tokio::test]
async fn a_blocked_ip_range_refuses_sign_ins_and_a_skipped_one_exempts() {
    let emulator = start().await;
    let (pool_id, client_id) = protected_pool(&emulator, AdvancedSecurityModeType::Enforced).await;
    user(&emulator, &pool_id).await;
    sign_in(&emulator, &client_id).await.unwrap();

    // Tests connect from 127.0.0.1.
    set_ranges(&emulator, &pool_id, None, ranges(&["127.0.0.0/8"], &[]))
        .await
        .unwrap();
    assert_eq!(sign_in(&emulator, &client_id).await, blocked());
    let history = events(&emulator, &pool_id, "rita").await;
    let refused = &history[0];
    assert_eq!(refused.event_type(), Some(&EventType::SignIn));
    assert_eq!(refused.event_response(), Some(&EventResponseType::Fail));
    let risk = refused.event_risk().unwrap();
    assert_eq!(risk.risk_decision(), Some(&RiskDecisionType::Block));
    assert_eq!(risk.risk_level(), Some(&RiskLevelType::High));
    assert_eq!(
        refused.event_context_data().unwrap().ip_address(),
        Some("127.0.0.1")
    );
    // Even a wrong password gets the same answer: nothing is checked.
    let wrong = emulator
        .idp
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "rita")
        .auth_parameters("PASSWORD", "Wr0ng!pass")
        .send()
        .await
        .map(|_| ())
        .map_err(err);
    assert_eq!(wrong, blocked());

    // The address a server passes for an admin sign-in is the one that counts.
    let admin = |ip: &'static str| {
        emulator
            .idp
            .admin_initiate_auth()
            .user_pool_id(&pool_id)
            .client_id(&client_id)
            .auth_flow(AuthFlowType::AdminUserPasswordAuth)
            .auth_parameters("USERNAME", "rita")
            .auth_parameters("PASSWORD", PASSWORD)
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
    };
    admin("192.0.2.1").await.unwrap();
    set_ranges(&emulator, &pool_id, None, ranges(&["192.0.2.0/24"], &[]))
        .await
        .unwrap();
    assert_eq!(admin("192.0.2.1").await.map(|_| ()).map_err(err), blocked());
    admin("192.0.3.1").await.unwrap();
    sign_in(&emulator, &client_id).await.unwrap();

    // A client's own configuration replaces the pool's: here 127.0.0.1 is always allowed.
    set_ranges(&emulator, &pool_id, None, ranges(&["127.0.0.0/8"], &[]))
        .await
        .unwrap();
    let other = emulator.client(&pool_id, "other").await;
    emulator
        .idp
        .update_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(&other)
        .explicit_auth_flows(
            aws_sdk_cognitoidentityprovider::types::ExplicitAuthFlowsType::AllowUserPasswordAuth,
        )
        .explicit_auth_flows(
            aws_sdk_cognitoidentityprovider::types::ExplicitAuthFlowsType::AllowRefreshTokenAuth,
        )
        .send()
        .await
        .unwrap();
    set_ranges(
        &emulator,
        &pool_id,
        Some(&other),
        ranges(&["127.0.0.0/8"], &["127.0.0.1/32"]),
    )
    .await
    .unwrap();
    sign_in(&emulator, &other).await.unwrap();
    assert_eq!(sign_in(&emulator, &client_id).await, blocked());

    // Audit mode only observes.
    emulator
        .idp
        .update_user_pool()
        .user_pool_id(&pool_id)
        .user_pool_tier(aws_sdk_cognitoidentityprovider::types::UserPoolTierType::Plus)
        .user_pool_add_ons(
            aws_sdk_cognitoidentityprovider::types::UserPoolAddOnsType::builder()
                .advanced_security_mode(AdvancedSecurityModeType::Audit)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    sign_in(&emulator, &client_id).await.unwrap();
}

#[tokio::test]
async fn risk_configurations_are_stored_per_pool_and_client() {
    let emulator = start().await;
    let (pool_id, client_id) = protected_pool(&emulator, AdvancedSecurityModeType::Audit).await;
    let described = emulator
        .idp
        .describe_risk_configuration()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap()
        .risk_configuration
        .unwrap();
    assert_eq!(described.user_pool_id(), Some(pool_id.as_str()));
    assert!(described.risk_exception_configuration().is_none());
    assert!(described.last_modified_date().is_none());

    let takeover = AccountTakeoverRiskConfigurationType::builder()
        .actions(
            AccountTakeoverActionsType::builder()
                .high_action(
                    AccountTakeoverActionType::builder()
                        .event_action(AccountTakeoverEventActionType::Block)
                        .notify(true)
                        .build()
                        .unwrap(),
                )
                .low_action(
                    AccountTakeoverActionType::builder()
                        .event_action(AccountTakeoverEventActionType::NoAction)
                        .notify(false)
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .notify_configuration(
            NotifyConfigurationType::builder()
                .source_arn("arn:aws:ses:us-east-1:123456789012:identity/security@example.com")
                .from("security@example.com")
                .build()
                .unwrap(),
        )
        .build();
    let credentials = CompromisedCredentialsRiskConfigurationType::builder()
        .actions(
            CompromisedCredentialsActionsType::builder()
                .event_action(CompromisedCredentialsEventActionType::Block)
                .build()
                .unwrap(),
        )
        .build();
    let set = emulator
        .idp
        .set_risk_configuration()
        .user_pool_id(&pool_id)
        .account_takeover_risk_configuration(takeover.clone())
        .compromised_credentials_risk_configuration(credentials.clone())
        .risk_exception_configuration(ranges(&["203.0.113.0/24"], &["198.51.100.7/32"]))
        .send()
        .await
        .unwrap()
        .risk_configuration
        .unwrap();
    assert_eq!(set.account_takeover_risk_configuration(), Some(&takeover));
    assert_eq!(
        set.compromised_credentials_risk_configuration(),
        Some(&credentials)
    );
    assert!(set.last_modified_date().is_some());
    assert!(set.client_id().is_none());
    let described = emulator
        .idp
        .describe_risk_configuration()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap()
        .risk_configuration
        .unwrap();
    assert_eq!(described, set);
    // A client without its own configuration follows the pool's.
    let for_client = emulator
        .idp
        .describe_risk_configuration()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .send()
        .await
        .unwrap()
        .risk_configuration
        .unwrap();
    assert_eq!(for_client, set);
    set_ranges(
        &emulator,
        &pool_id,
        Some(&client_id),
        ranges(&["10.0.0.0/8"], &[]),
    )
    .await
    .unwrap();
    let for_client = emulator
        .idp
        .describe_risk_configuration()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .send()
        .await
        .unwrap()
        .risk_configuration
        .unwrap();
    assert_eq!(for_client.client_id(), Some(client_id.as_str()));
    assert_eq!(
        for_client
            .risk_exception_configuration()
            .unwrap()
            .blocked_ip_range_list(),
        ["10.0.0.0/8"]
    );
    assert!(for_client.account_takeover_risk_configuration().is_none());

    // Refused settings.
    let invalid = |message: &str| ("InvalidParameterException".to_string(), message.to_string());
    assert_eq!(
        set_ranges(&emulator, &pool_id, None, ranges(&["10.0.0.300/8"], &[])).await,
        Err(invalid(
            "Invalid IP range 10.0.0.300/8: use CIDR notation, e.g. 192.0.2.0/24."
        ))
    );
    assert_eq!(
        set_ranges(&emulator, &pool_id, None, ranges(&[], &["10.0.0.0/40"])).await,
        Err(invalid(
            "Invalid IP range 10.0.0.0/40: use CIDR notation, e.g. 192.0.2.0/24."
        ))
    );
    let without_source = AccountTakeoverRiskConfigurationType::builder()
        .actions(
            AccountTakeoverActionsType::builder()
                .medium_action(
                    AccountTakeoverActionType::builder()
                        .event_action(AccountTakeoverEventActionType::MfaIfConfigured)
                        .notify(true)
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .build();
    let answer = emulator
        .idp
        .set_risk_configuration()
        .user_pool_id(&pool_id)
        .account_takeover_risk_configuration(without_source)
        .send()
        .await
        .map_err(err);
    assert_eq!(
        answer.unwrap_err(),
        invalid("NotifyConfiguration with a SourceArn is required when an account takeover action notifies users.")
    );
    assert_eq!(
        set_ranges(&emulator, &pool_id, Some("nosuchclient"), ranges(&[], &[])).await,
        Err((
            "ResourceNotFoundException".into(),
            "User pool client nosuchclient does not exist.".into()
        ))
    );

    // Without threat protection there is nothing to configure.
    let (plain, _) = protected_pool(&emulator, AdvancedSecurityModeType::Off).await;
    let expected = (
        "UserPoolAddOnNotEnabledException".to_string(),
        "Threat protection (advanced security) is not enabled for this user pool.".to_string(),
    );
    let answer = emulator
        .idp
        .describe_risk_configuration()
        .user_pool_id(&plain)
        .send()
        .await
        .map_err(err);
    assert_eq!(answer.unwrap_err(), expected);
    assert_eq!(
        set_ranges(&emulator, &plain, None, ranges(&["10.0.0.0/8"], &[])).await,
        Err(expected)
    );
}

#[tokio::test]
async fn a_client_that_propagates_user_context_data_is_judged_by_the_users_address() {
    let emulator = start().await;
    let (pool_id, client_id) = protected_pool(&emulator, AdvancedSecurityModeType::Enforced).await;
    user(&emulator, &pool_id).await;
    set_ranges(&emulator, &pool_id, None, ranges(&["203.0.113.0/24"], &[]))
        .await
        .unwrap();
    let from = |ip: &'static str| {
        emulator
            .idp
            .initiate_auth()
            .client_id(&client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", "rita")
            .auth_parameters("PASSWORD", PASSWORD)
            .user_context_data(
                aws_sdk_cognitoidentityprovider::types::UserContextDataType::builder()
                    .ip_address(ip)
                    .build(),
            )
            .send()
    };
    // Without propagation the address a client claims is not used.
    from("203.0.113.5").await.unwrap();
    emulator
        .idp
        .update_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .explicit_auth_flows(
            aws_sdk_cognitoidentityprovider::types::ExplicitAuthFlowsType::AllowUserPasswordAuth,
        )
        .enable_propagate_additional_user_context_data(true)
        .send()
        .await
        .unwrap();
    assert_eq!(
        from("203.0.113.5").await.map(|_| ()).map_err(err),
        blocked()
    );
    from("198.51.100.5").await.unwrap();
    let history = events(&emulator, &pool_id, "rita").await;
    assert_eq!(
        history[0].event_context_data().unwrap().ip_address(),
        Some("198.51.100.5")
    );
}

#[tokio::test]
async fn the_hosted_sign_in_page_refuses_blocked_addresses_too() {
    let emulator = start().await;
    let (pool_id, _) = protected_pool(&emulator, AdvancedSecurityModeType::Enforced).await;
    user(&emulator, &pool_id).await;
    let callback = "http://localhost:3000/callback";
    let client = emulator
        .idp
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("web")
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_flows(aws_sdk_cognitoidentityprovider::types::OAuthFlowType::Code)
        .allowed_o_auth_scopes("openid")
        .callback_urls(callback)
        .supported_identity_providers("COGNITO")
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    let login = format!(
        "/login?response_type=code&client_id={client}&redirect_uri={}&scope=openid",
        url::form_urlencoded::byte_serialize(callback.as_bytes()).collect::<String>()
    );
    set_ranges(&emulator, &pool_id, None, ranges(&["127.0.0.0/8"], &[]))
        .await
        .unwrap();
    let mut browser = crate::oauth::Browser::new(&emulator.url);
    let page = browser.sign_in(&login, "rita", PASSWORD).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("Unable to login because of security reasons."),
        "{}",
        page.body
    );
    let history = events(&emulator, &pool_id, "rita").await;
    assert_eq!(
        history[0].event_risk().unwrap().risk_decision(),
        Some(&RiskDecisionType::Block)
    );

    set_ranges(&emulator, &pool_id, None, ranges(&[], &[]))
        .await
        .unwrap();
    let page = browser.sign_in(&login, "rita", PASSWORD).await;
    assert_eq!(page.status, 302, "{}", page.body);
    assert!(page.location.unwrap().starts_with(callback));
    let history = events(&emulator, &pool_id, "rita").await;
    assert_eq!(history[0].event_response(), Some(&EventResponseType::Pass));
    assert_eq!(
        history[0].event_context_data().unwrap().ip_address(),
        Some("127.0.0.1")
    );
}
