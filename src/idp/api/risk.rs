//! Threat protection settings: DescribeRiskConfiguration and SetRiskConfiguration, per pool
//! and per app client (a client's configuration replaces the pool's for it). What the
//! emulator honours is in [`crate::idp::engine::risk`].

use crate::app::{App, RequestContext};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::generated::cognito_idp::*;
use crate::idp::engine::risk;
use crate::idp::store::UserPool;

/// Risk configuration needs threat protection on (AUDIT or ENFORCED), which itself needs
/// the Plus feature plan. Text unconfirmed.
fn check_enabled(pool: &UserPool) -> ApiResult<()> {
    if risk::mode(pool) != AdvancedSecurityModeType::Off {
        return Ok(());
    }
    Err(ApiError::new(
        ErrorCode::UserPoolAddOnNotEnabledException,
        "Threat protection (advanced security) is not enabled for this user pool.",
    ))
}

/// `ALL` (as CloudFormation writes it) means the pool's own configuration (unconfirmed).
fn client_of(pool: &UserPool, client_id: Option<&str>) -> ApiResult<Option<String>> {
    match client_id {
        None | Some("ALL") => Ok(None),
        Some(id) => {
            pool.client(id)?;
            Ok(Some(id.to_string()))
        }
    }
}

pub fn describe_risk_configuration(
    app: &App,
    _: &RequestContext,
    input: DescribeRiskConfigurationRequest,
) -> ApiResult<DescribeRiskConfigurationResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let pool = pool.read();
    check_enabled(&pool)?;
    let client = client_of(&pool, input.client_id.as_deref())?;
    // A client without its own configuration is shown the pool's (unconfirmed).
    let config = pool
        .security
        .risk_for(client.as_deref())
        .cloned()
        .unwrap_or_else(|| RiskConfigurationType {
            user_pool_id: Some(input.user_pool_id.clone()),
            ..Default::default()
        });
    Ok(DescribeRiskConfigurationResponse {
        risk_configuration: config,
    })
}

/// Notifications need somewhere to send from (unconfirmed text).
fn check_notify(config: Option<&AccountTakeoverRiskConfigurationType>) -> ApiResult<()> {
    let Some(config) = config else { return Ok(()) };
    let actions = [
        &config.actions.low_action,
        &config.actions.medium_action,
        &config.actions.high_action,
    ];
    let notifies = actions.into_iter().flatten().any(|a| a.notify);
    if notifies && config.notify_configuration.is_none() {
        return Err(ApiError::invalid_parameter(
            "NotifyConfiguration with a SourceArn is required when an account takeover action notifies users.",
        ));
    }
    Ok(())
}

pub fn set_risk_configuration(
    app: &App,
    _: &RequestContext,
    input: SetRiskConfigurationRequest,
) -> ApiResult<SetRiskConfigurationResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let mut pool = pool.write();
    check_enabled(&pool)?;
    let client = client_of(&pool, input.client_id.as_deref())?;
    check_notify(input.account_takeover_risk_configuration.as_ref())?;
    if let Some(exceptions) = &input.risk_exception_configuration {
        risk::check_ranges(exceptions)?;
    }
    let config = RiskConfigurationType {
        user_pool_id: Some(input.user_pool_id.clone()),
        client_id: client.clone(),
        account_takeover_risk_configuration: input.account_takeover_risk_configuration,
        compromised_credentials_risk_configuration: input
            .compromised_credentials_risk_configuration,
        risk_exception_configuration: input.risk_exception_configuration,
        last_modified_date: Some(app.clock.now()),
    };
    let empty = config.account_takeover_risk_configuration.is_none()
        && config.compromised_credentials_risk_configuration.is_none()
        && config.risk_exception_configuration.is_none();
    let security = &mut pool.security;
    // Setting nothing removes the configuration (a client then follows the pool's;
    // unconfirmed).
    match (&client, empty) {
        (Some(id), true) => {
            security.client_risk.remove(id);
        }
        (Some(id), false) => {
            security.client_risk.insert(id.clone(), config.clone());
        }
        (None, true) => security.risk = None,
        (None, false) => security.risk = Some(config.clone()),
    }
    pool.header_changed();
    Ok(SetRiskConfigurationResponse {
        risk_configuration: config,
    })
}
