//! Provisioned API rate limits (Get/UpdateProvisionedLimit): Cognito's categories with their
//! free rates, raised where Cognito allows it, kept per region and across a restart.

use aws_sdk_cognitoidentityprovider::types::{LimitClass, LimitDefinitionType};
use cognito_emulator::config::Config;

use crate::common::{err, start, start_with, Emulator};

fn category(name: &str) -> LimitDefinitionType {
    LimitDefinitionType::builder()
        .limit_class(LimitClass::ApiCategory)
        .attributes("Category", name)
        .build()
        .unwrap()
}

/// `(provisioned, free)`.
async fn get(emulator: &Emulator, name: &str) -> Result<(i32, i32), (String, String)> {
    emulator
        .idp
        .get_provisioned_limit()
        .limit_definition(category(name))
        .send()
        .await
        .map(|out| {
            let limit = out.limit.unwrap();
            assert_eq!(limit.limit_definition.unwrap(), category(name));
            (limit.provisioned_limit_value, limit.free_limit_value)
        })
        .map_err(err)
}

async fn update(
    emulator: &Emulator,
    name: &str,
    value: i32,
) -> Result<(i32, i32), (String, String)> {
    emulator
        .idp
        .update_provisioned_limit()
        .limit_definition(category(name))
        .requested_limit_value(value)
        .send()
        .await
        .map(|out| {
            let limit = out.limit.unwrap();
            (limit.provisioned_limit_value, limit.free_limit_value)
        })
        .map_err(err)
}

#[tokio::test]
async fn categories_start_at_their_free_rate_and_adjustable_ones_can_be_raised() {
    let emulator = start().await;
    assert_eq!(get(&emulator, "UserAuthentication").await, Ok((120, 120)));
    assert_eq!(get(&emulator, "UserCreation").await, Ok((50, 50)));
    assert_eq!(get(&emulator, "ClientAuthentication").await, Ok((150, 150)));

    assert_eq!(
        update(&emulator, "UserAuthentication", 300).await,
        Ok((300, 120))
    );
    assert_eq!(get(&emulator, "UserAuthentication").await, Ok((300, 120)));
    // Back down to the free rate is allowed; below it is not.
    assert_eq!(
        update(&emulator, "UserAuthentication", 120).await,
        Ok((120, 120))
    );
    assert_eq!(
        update(&emulator, "UserAuthentication", 100).await,
        Err((
            "InvalidParameterException".into(),
            "RequestedLimitValue must be at least the UserAuthentication category's default limit, 120.".into()
        ))
    );
    assert_eq!(
        update(&emulator, "UserAuthentication", 5_000).await,
        Err((
            "ServiceQuotaExceededException".into(),
            "RequestedLimitValue exceeds the account's maximum for the UserAuthentication category, 1200.".into()
        ))
    );
    assert_eq!(
        update(&emulator, "UserList", 60).await,
        Err((
            "InvalidParameterException".into(),
            "The UserList category's limit cannot be adjusted.".into()
        ))
    );
    assert_eq!(get(&emulator, "UserList").await, Ok((30, 30)));
    assert_eq!(
        get(&emulator, "Everything").await,
        Err((
            "ResourceNotFoundException".into(),
            "No API category named Everything.".into()
        ))
    );
    let without_category = emulator
        .idp
        .get_provisioned_limit()
        .limit_definition(
            LimitDefinitionType::builder()
                .limit_class(LimitClass::ApiCategory)
                .attributes("Name", "UserRead")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(
        without_category,
        (
            "InvalidParameterException".into(),
            "An API_CATEGORY limit needs the attribute Category.".into()
        )
    );
}

#[tokio::test]
async fn a_raised_limit_survives_a_restart_and_a_reset_forgets_it() {
    let dir = std::env::temp_dir().join(format!("cognito-limits-{}", uuid::Uuid::new_v4()));
    let config = || {
        let mut config = Config::default_for_tests();
        config.data_dir = Some(dir.clone());
        config
    };
    let before = start_with(config()).await;
    assert_eq!(update(&before, "UserToken", 600).await, Ok((600, 120)));
    before.stop().await;
    let after = start_with(config()).await;
    assert_eq!(get(&after, "UserToken").await, Ok((600, 120)));
    let reset = after
        .http
        .post(format!("{}/_emulator/reset", after.url))
        .send()
        .await
        .unwrap();
    assert!(reset.status().is_success());
    assert_eq!(get(&after, "UserToken").await, Ok((120, 120)));
    after.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}
