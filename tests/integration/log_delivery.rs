//! Log export settings (Get/SetLogDeliveryConfiguration): kept per pool and checked as
//! Cognito checks them; nothing is exported.

use aws_sdk_cognitoidentityprovider::types::{
    CloudWatchLogsConfigurationType, EventSourceName, FirehoseConfigurationType,
    LogConfigurationType, LogLevel, S3ConfigurationType, UserPoolTierType,
};

use crate::common::{err, start, Emulator};

const LOG_GROUP: &str = "arn:aws:logs:us-east-1:123456789012:log-group:cognito-errors";
const STREAM: &str = "arn:aws:firehose:us-east-1:123456789012:deliverystream/auth-events";
const BUCKET: &str = "arn:aws:s3:::auth-events-bucket";

fn entry(
    source: EventSourceName,
    level: LogLevel,
) -> aws_sdk_cognitoidentityprovider::types::builders::LogConfigurationTypeBuilder {
    LogConfigurationType::builder()
        .event_source(source)
        .log_level(level)
}

fn cloud_watch(arn: &str) -> CloudWatchLogsConfigurationType {
    CloudWatchLogsConfigurationType::builder()
        .log_group_arn(arn)
        .build()
}

fn notification_errors() -> LogConfigurationType {
    entry(EventSourceName::UserNotification, LogLevel::Error)
        .cloud_watch_logs_configuration(cloud_watch(LOG_GROUP))
        .build()
        .unwrap()
}

fn auth_events_to_firehose() -> LogConfigurationType {
    entry(EventSourceName::UserAuthEvents, LogLevel::Info)
        .firehose_configuration(
            FirehoseConfigurationType::builder()
                .stream_arn(STREAM)
                .build(),
        )
        .build()
        .unwrap()
}

async fn set(
    emulator: &Emulator,
    pool_id: &str,
    configs: Vec<LogConfigurationType>,
) -> Result<Vec<LogConfigurationType>, (String, String)> {
    emulator
        .idp
        .set_log_delivery_configuration()
        .user_pool_id(pool_id)
        .set_log_configurations(Some(configs))
        .send()
        .await
        .map(|out| out.log_delivery_configuration.unwrap().log_configurations)
        .map_err(err)
}

async fn get(emulator: &Emulator, pool_id: &str) -> Vec<LogConfigurationType> {
    let out = emulator
        .idp
        .get_log_delivery_configuration()
        .user_pool_id(pool_id)
        .send()
        .await
        .unwrap()
        .log_delivery_configuration
        .unwrap();
    assert_eq!(out.user_pool_id, pool_id);
    out.log_configurations
}

fn invalid(message: &str) -> Result<Vec<LogConfigurationType>, (String, String)> {
    Err(("InvalidParameterException".into(), message.into()))
}

#[tokio::test]
async fn a_configuration_is_kept_replaced_and_cleared() {
    let emulator = start().await;
    let pool_id = emulator.pool("logs").await;
    assert!(get(&emulator, &pool_id).await.is_empty());

    let kept = set(&emulator, &pool_id, vec![notification_errors()])
        .await
        .unwrap();
    assert_eq!(kept, vec![notification_errors()]);
    let read = get(&emulator, &pool_id).await;
    assert_eq!(read, vec![notification_errors()]);
    assert_eq!(
        read[0]
            .cloud_watch_logs_configuration
            .as_ref()
            .unwrap()
            .log_group_arn
            .as_deref(),
        Some(LOG_GROUP)
    );

    set(&emulator, &pool_id, vec![]).await.unwrap();
    assert!(get(&emulator, &pool_id).await.is_empty());

    let missing = emulator
        .idp
        .get_log_delivery_configuration()
        .user_pool_id("us-east-1_missing0")
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(missing.0, "ResourceNotFoundException");
}

#[tokio::test]
async fn user_activity_logs_need_the_plus_plan() {
    let emulator = start().await;
    let essentials = emulator.pool("essentials").await;
    let refused = set(&emulator, &essentials, vec![auth_events_to_firehose()]).await;
    assert_eq!(
        refused,
        Err((
            "FeatureUnavailableInTierException".into(),
            "User activity log export (userAuthEvents) is available in the PLUS feature plan only."
                .into()
        ))
    );
    assert!(
        get(&emulator, &essentials).await.is_empty(),
        "nothing was kept"
    );

    let plus = emulator
        .idp
        .create_user_pool()
        .pool_name("plus")
        .user_pool_tier(UserPoolTierType::Plus)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let both = vec![notification_errors(), auth_events_to_firehose()];
    assert_eq!(set(&emulator, &plus, both.clone()).await.unwrap(), both);
    assert_eq!(get(&emulator, &plus).await, both);
    let to_s3 = entry(EventSourceName::UserAuthEvents, LogLevel::Info)
        .s3_configuration(S3ConfigurationType::builder().bucket_arn(BUCKET).build())
        .build()
        .unwrap();
    assert_eq!(
        set(&emulator, &plus, vec![to_s3.clone()]).await.unwrap(),
        vec![to_s3]
    );
}

#[tokio::test]
async fn entries_are_checked() {
    let emulator = start().await;
    let pool_id = emulator.pool("checks").await;
    let info_notifications = entry(EventSourceName::UserNotification, LogLevel::Info)
        .cloud_watch_logs_configuration(cloud_watch(LOG_GROUP))
        .build()
        .unwrap();
    assert_eq!(
        set(&emulator, &pool_id, vec![info_notifications]).await,
        invalid("User notification logs (userNotification) are exported at the ERROR log level.")
    );
    let notifications_to_s3 = entry(EventSourceName::UserNotification, LogLevel::Error)
        .s3_configuration(S3ConfigurationType::builder().bucket_arn(BUCKET).build())
        .build()
        .unwrap();
    assert_eq!(
        set(&emulator, &pool_id, vec![notifications_to_s3]).await,
        invalid(
            "User notification logs (userNotification) can only be exported to CloudWatch Logs."
        )
    );
    let two_destinations = entry(EventSourceName::UserNotification, LogLevel::Error)
        .cloud_watch_logs_configuration(cloud_watch(LOG_GROUP))
        .s3_configuration(S3ConfigurationType::builder().bucket_arn(BUCKET).build())
        .build()
        .unwrap();
    assert_eq!(
        set(&emulator, &pool_id, vec![two_destinations]).await,
        invalid("A log configuration for userNotification needs exactly one of CloudWatchLogsConfiguration, S3Configuration and FirehoseConfiguration.")
    );
    let no_destination = entry(EventSourceName::UserNotification, LogLevel::Error)
        .build()
        .unwrap();
    assert_eq!(
        set(&emulator, &pool_id, vec![no_destination]).await,
        invalid("A log configuration for userNotification needs exactly one of CloudWatchLogsConfiguration, S3Configuration and FirehoseConfiguration.")
    );
    assert_eq!(
        set(
            &emulator,
            &pool_id,
            vec![notification_errors(), notification_errors()]
        )
        .await,
        invalid("Only one log configuration is allowed for the event source userNotification.")
    );
    let wrong_service = entry(EventSourceName::UserNotification, LogLevel::Error)
        .cloud_watch_logs_configuration(cloud_watch(STREAM))
        .build()
        .unwrap();
    assert_eq!(
        set(&emulator, &pool_id, vec![wrong_service]).await,
        invalid(&format!(
            "{STREAM} is not an ARN of the logs service, which CloudWatchLogsConfiguration needs."
        ))
    );
    // More than two entries break the model's limit.
    let three = vec![
        notification_errors(),
        auth_events_to_firehose(),
        notification_errors(),
    ];
    let (code, _) = set(&emulator, &pool_id, three).await.unwrap_err();
    assert_eq!(code, "InvalidParameterException");
    assert!(
        get(&emulator, &pool_id).await.is_empty(),
        "nothing was kept"
    );
}
