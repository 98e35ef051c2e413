//! Log export settings: GetLogDeliveryConfiguration and SetLogDeliveryConfiguration. The
//! emulator sends nothing to CloudWatch Logs, S3 or Firehose (its messages and sign-in events
//! are kept and logged locally); it keeps the configuration and checks it as Cognito does.

use crate::app::{App, RequestContext};
use crate::error::{ApiError, ApiResult};
use crate::generated::cognito_idp::*;
use crate::idp::engine::feature_plans;

pub fn get_log_delivery_configuration(
    app: &App,
    _: &RequestContext,
    input: GetLogDeliveryConfigurationRequest,
) -> ApiResult<GetLogDeliveryConfigurationResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let pool = pool.read();
    // A pool that never had one answers an empty list (unconfirmed).
    Ok(GetLogDeliveryConfigurationResponse {
        log_delivery_configuration: Some(LogDeliveryConfigurationType {
            user_pool_id: input.user_pool_id.clone(),
            log_configurations: pool.security.log_delivery.clone(),
        }),
    })
}

pub fn set_log_delivery_configuration(
    app: &App,
    _: &RequestContext,
    input: SetLogDeliveryConfigurationRequest,
) -> ApiResult<SetLogDeliveryConfigurationResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let mut pool = pool.write();
    check(&input.log_configurations)?;
    if input
        .log_configurations
        .iter()
        .any(|c| c.event_source == EventSourceName::UserAuthEvents)
    {
        feature_plans::check_user_activity_logs(&pool.config)?;
    }
    pool.security.log_delivery = input.log_configurations.clone();
    pool.header_changed();
    Ok(SetLogDeliveryConfigurationResponse {
        log_delivery_configuration: Some(LogDeliveryConfigurationType {
            user_pool_id: input.user_pool_id,
            log_configurations: input.log_configurations,
        }),
    })
}

/// Cognito's rules for each entry: notification errors go to CloudWatch Logs at ERROR; user
/// activity (threat protection) goes at INFO to one of CloudWatch Logs, S3 or Firehose; one
/// destination per entry and one entry per event source. The texts are unconfirmed.
fn check(configs: &[LogConfigurationType]) -> ApiResult<()> {
    for (i, config) in configs.iter().enumerate() {
        let source = config.event_source.as_str();
        if configs[..i]
            .iter()
            .any(|c| c.event_source == config.event_source)
        {
            return Err(ApiError::invalid_parameter(format!(
                "Only one log configuration is allowed for the event source {source}."
            )));
        }
        let destinations = [
            config.cloud_watch_logs_configuration.as_ref().map(|c| {
                (
                    "CloudWatchLogsConfiguration",
                    c.log_group_arn.as_deref(),
                    "logs",
                )
            }),
            config
                .s3_configuration
                .as_ref()
                .map(|c| ("S3Configuration", c.bucket_arn.as_deref(), "s3")),
            config
                .firehose_configuration
                .as_ref()
                .map(|c| ("FirehoseConfiguration", c.stream_arn.as_deref(), "firehose")),
        ];
        let given: Vec<_> = destinations.into_iter().flatten().collect();
        let [(destination, arn, service)] = given[..] else {
            return Err(ApiError::invalid_parameter(format!(
                "A log configuration for {source} needs exactly one of CloudWatchLogsConfiguration, S3Configuration and FirehoseConfiguration."
            )));
        };
        let Some(arn) = arn else {
            return Err(ApiError::invalid_parameter(format!(
                "{destination} needs the ARN of its destination."
            )));
        };
        if arn.split(':').nth(2) != Some(service) {
            return Err(ApiError::invalid_parameter(format!(
                "{arn} is not an ARN of the {service} service, which {destination} needs."
            )));
        }
        match config.event_source {
            EventSourceName::UserNotification => {
                if config.log_level != LogLevel::Error {
                    return Err(ApiError::invalid_parameter(
                        "User notification logs (userNotification) are exported at the ERROR log level.",
                    ));
                }
                if destination != "CloudWatchLogsConfiguration" {
                    return Err(ApiError::invalid_parameter(
                        "User notification logs (userNotification) can only be exported to CloudWatch Logs.",
                    ));
                }
            }
            EventSourceName::UserAuthEvents => {
                if config.log_level != LogLevel::Info {
                    return Err(ApiError::invalid_parameter(
                        "User activity logs (userAuthEvents) are exported at the INFO log level.",
                    ));
                }
            }
        }
    }
    Ok(())
}
