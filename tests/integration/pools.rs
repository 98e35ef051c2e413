//! User pools through the SDK: create (every setting kept), the defaults DescribeUserPool
//! fills in, update (a full replacement), delete, list, custom attributes, MFA config, tags.

use std::collections::{HashMap, HashSet};

use aws_sdk_cognitoidentityprovider::types::*;

use serde_json::json;

use crate::common::{err, start};

fn schema_attribute<'a>(pool: &'a UserPoolType, name: &str) -> &'a SchemaAttributeType {
    pool.schema_attributes()
        .iter()
        .find(|a| a.name() == Some(name))
        .unwrap_or_else(|| panic!("no schema attribute {name}"))
}

fn string_constraints(attribute: &SchemaAttributeType) -> (Option<&str>, Option<&str>) {
    let c = attribute
        .string_attribute_constraints()
        .expect("string constraints");
    (c.min_length(), c.max_length())
}

fn is_pool_id(id: &str) -> bool {
    id.strip_prefix("us-east-1_")
        .is_some_and(|s| s.len() == 9 && s.chars().all(|c| c.is_ascii_alphanumeric()))
}

#[tokio::test]
async fn create_user_pool_keeps_every_setting_given() {
    let emulator = start().await;
    let created = emulator
        .idp
        .create_user_pool()
        .pool_name("everything")
        .policies(
            UserPoolPolicyType::builder()
                .password_policy(
                    PasswordPolicyType::builder()
                        .minimum_length(12)
                        .require_uppercase(true)
                        .require_lowercase(false)
                        .require_numbers(true)
                        .require_symbols(false)
                        .password_history_size(5)
                        .temporary_password_validity_days(3)
                        .build(),
                )
                .build(),
        )
        .schema(
            SchemaAttributeType::builder()
                .name("email")
                .attribute_data_type(AttributeDataType::String)
                .required(true)
                .mutable(true)
                .build(),
        )
        .schema(
            SchemaAttributeType::builder()
                .name("tenant")
                .attribute_data_type(AttributeDataType::String)
                .mutable(false)
                .string_attribute_constraints(
                    StringAttributeConstraintsType::builder()
                        .min_length("1")
                        .max_length("20")
                        .build(),
                )
                .build(),
        )
        .schema(
            SchemaAttributeType::builder()
                .name("level")
                .attribute_data_type(AttributeDataType::Number)
                .number_attribute_constraints(
                    NumberAttributeConstraintsType::builder()
                        .min_value("0")
                        .max_value("10")
                        .build(),
                )
                .build(),
        )
        .username_attributes(UsernameAttributeType::Email)
        .username_configuration(
            UsernameConfigurationType::builder()
                .case_sensitive(false)
                .build()
                .unwrap(),
        )
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .verification_message_template(
            VerificationMessageTemplateType::builder()
                .email_message("Your code is {####}")
                .email_subject("Verify your e-mail")
                .sms_message("Code {####}")
                .default_email_option(DefaultEmailOptionType::ConfirmWithCode)
                .build(),
        )
        .admin_create_user_config(
            AdminCreateUserConfigType::builder()
                .allow_admin_create_user_only(true)
                .invite_message_template(
                    MessageTemplateType::builder()
                        .email_message("Hello {username}, your password is {####}")
                        .email_subject("Welcome")
                        .sms_message("Hi {username}: {####}")
                        .build(),
                )
                .build(),
        )
        .account_recovery_setting(
            AccountRecoverySettingType::builder()
                .recovery_mechanisms(
                    RecoveryOptionType::builder()
                        .name(RecoveryOptionNameType::AdminOnly)
                        .priority(1)
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .lambda_config(
            LambdaConfigType::builder()
                .pre_sign_up("arn:aws:lambda:us-east-1:000000000000:function:pre-sign-up")
                .custom_message("arn:aws:lambda:us-east-1:000000000000:function:custom-message")
                .build(),
        )
        .deletion_protection(DeletionProtectionType::Active)
        .user_pool_tags("team", "identity")
        .user_pool_tags("stage", "test")
        .user_pool_tier(UserPoolTierType::Plus)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap();
    let id = created.id().unwrap().to_string();
    let described = emulator
        .idp
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap();

    for pool in [&created, &described] {
        assert_eq!(pool.id(), Some(id.as_str()));
        assert_eq!(pool.name(), Some("everything"));
        let password = pool.policies().unwrap().password_policy().unwrap();
        assert_eq!(password.minimum_length(), Some(12));
        assert!(password.require_uppercase());
        assert!(!password.require_lowercase());
        assert!(password.require_numbers());
        assert!(!password.require_symbols());
        assert_eq!(password.password_history_size(), Some(5));
        assert_eq!(password.temporary_password_validity_days(), 3);

        let email = schema_attribute(pool, "email");
        assert_eq!(email.required(), Some(true));
        assert_eq!(email.mutable(), Some(true));
        let tenant = schema_attribute(pool, "custom:tenant");
        assert_eq!(
            tenant.attribute_data_type(),
            Some(&AttributeDataType::String)
        );
        assert_eq!(tenant.mutable(), Some(false));
        assert_eq!(tenant.required(), Some(false));
        assert_eq!(tenant.developer_only_attribute(), Some(false));
        assert_eq!(string_constraints(tenant), (Some("1"), Some("20")));
        let level = schema_attribute(pool, "custom:level");
        assert_eq!(
            level.attribute_data_type(),
            Some(&AttributeDataType::Number)
        );
        assert_eq!(level.mutable(), Some(true));
        let numbers = level.number_attribute_constraints().unwrap();
        assert_eq!(
            (numbers.min_value(), numbers.max_value()),
            (Some("0"), Some("10"))
        );
        assert!(pool
            .schema_attributes()
            .iter()
            .all(|a| a.name() != Some("tenant")));

        assert_eq!(pool.username_attributes(), &[UsernameAttributeType::Email]);
        assert!(pool.alias_attributes().is_empty());
        assert!(!pool.username_configuration().unwrap().case_sensitive());
        assert_eq!(
            pool.auto_verified_attributes(),
            &[VerifiedAttributeType::Email]
        );

        let template = pool.verification_message_template().unwrap();
        assert_eq!(template.email_message(), Some("Your code is {####}"));
        assert_eq!(template.email_subject(), Some("Verify your e-mail"));
        assert_eq!(template.sms_message(), Some("Code {####}"));
        assert_eq!(
            template.default_email_option(),
            Some(&DefaultEmailOptionType::ConfirmWithCode)
        );

        let admin = pool.admin_create_user_config().unwrap();
        assert!(admin.allow_admin_create_user_only());
        let invite = admin.invite_message_template().unwrap();
        assert_eq!(
            invite.email_message(),
            Some("Hello {username}, your password is {####}")
        );
        assert_eq!(invite.email_subject(), Some("Welcome"));
        assert_eq!(invite.sms_message(), Some("Hi {username}: {####}"));

        let recovery = pool
            .account_recovery_setting()
            .unwrap()
            .recovery_mechanisms();
        assert_eq!(recovery.len(), 1);
        assert_eq!(recovery[0].name(), &RecoveryOptionNameType::AdminOnly);
        assert_eq!(recovery[0].priority(), 1);

        let lambda = pool.lambda_config().unwrap();
        assert_eq!(
            lambda.pre_sign_up(),
            Some("arn:aws:lambda:us-east-1:000000000000:function:pre-sign-up")
        );
        assert_eq!(
            lambda.custom_message(),
            Some("arn:aws:lambda:us-east-1:000000000000:function:custom-message")
        );
        assert_eq!(lambda.post_confirmation(), None);

        assert_eq!(
            pool.deletion_protection(),
            Some(&DeletionProtectionType::Active)
        );
        let tags = pool.user_pool_tags().unwrap();
        assert_eq!(tags.len(), 2);
        assert_eq!(tags["team"], "identity");
        assert_eq!(tags["stage"], "test");
        assert_eq!(pool.user_pool_tier(), Some(&UserPoolTierType::Plus));
        assert_eq!(pool.mfa_configuration(), Some(&UserPoolMfaType::Off));
        assert_eq!(pool.estimated_number_of_users(), 0);
    }
}

#[tokio::test]
async fn describe_user_pool_fills_in_the_defaults() {
    let emulator = start().await;
    let id = emulator.pool("plain").await;
    assert!(is_pool_id(&id), "{id}");
    let pool = emulator
        .idp
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap();
    assert_eq!(pool.name(), Some("plain"));
    assert_eq!(
        pool.arn(),
        Some(format!("arn:aws:cognito-idp:us-east-1:000000000000:userpool/{id}").as_str())
    );
    assert!(pool.creation_date().is_some());
    assert_eq!(pool.creation_date(), pool.last_modified_date());

    let password = pool.policies().unwrap().password_policy().unwrap();
    assert_eq!(password.minimum_length(), Some(8));
    assert!(password.require_uppercase());
    assert!(password.require_lowercase());
    assert!(password.require_numbers());
    assert!(password.require_symbols());
    assert_eq!(password.temporary_password_validity_days(), 7);

    let names: HashSet<&str> = pool
        .schema_attributes()
        .iter()
        .filter_map(|a| a.name())
        .collect();
    for standard in [
        "sub",
        "address",
        "birthdate",
        "email",
        "email_verified",
        "family_name",
        "gender",
        "given_name",
        "locale",
        "middle_name",
        "name",
        "nickname",
        "phone_number",
        "phone_number_verified",
        "picture",
        "preferred_username",
        "profile",
        "updated_at",
        "website",
        "zoneinfo",
    ] {
        assert!(
            names.contains(standard),
            "{standard} missing from {names:?}"
        );
    }
    assert!(names.iter().all(|n| !n.starts_with("custom:")));
    let sub = schema_attribute(&pool, "sub");
    assert_eq!(sub.attribute_data_type(), Some(&AttributeDataType::String));
    assert_eq!(sub.mutable(), Some(false));
    assert_eq!(sub.required(), Some(true));
    assert_eq!(sub.developer_only_attribute(), Some(false));
    assert_eq!(string_constraints(sub), (Some("1"), Some("2048")));
    let email = schema_attribute(&pool, "email");
    assert_eq!(
        (email.mutable(), email.required()),
        (Some(true), Some(false))
    );
    assert_eq!(string_constraints(email), (Some("0"), Some("2048")));
    assert_eq!(
        string_constraints(schema_attribute(&pool, "birthdate")),
        (Some("10"), Some("10"))
    );
    let verified = schema_attribute(&pool, "email_verified");
    assert_eq!(
        verified.attribute_data_type(),
        Some(&AttributeDataType::Boolean)
    );
    assert!(verified.string_attribute_constraints().is_none());
    let updated_at = schema_attribute(&pool, "updated_at");
    assert_eq!(
        updated_at.attribute_data_type(),
        Some(&AttributeDataType::Number)
    );
    assert_eq!(
        updated_at
            .number_attribute_constraints()
            .unwrap()
            .min_value(),
        Some("0")
    );

    assert_eq!(pool.mfa_configuration(), Some(&UserPoolMfaType::Off));
    assert_eq!(pool.estimated_number_of_users(), 0);
    assert_eq!(
        pool.deletion_protection(),
        Some(&DeletionProtectionType::Inactive)
    );
    assert_eq!(pool.user_pool_tier(), Some(&UserPoolTierType::Essentials));
    let admin = pool.admin_create_user_config().unwrap();
    assert!(!admin.allow_admin_create_user_only());
    assert_eq!(admin.unused_account_validity_days(), 7);
    assert_eq!(
        pool.verification_message_template()
            .unwrap()
            .default_email_option(),
        Some(&DefaultEmailOptionType::ConfirmWithCode)
    );
    assert_eq!(
        pool.email_configuration().unwrap().email_sending_account(),
        Some(&EmailSendingAccountType::CognitoDefault)
    );
    let recovery: Vec<(RecoveryOptionNameType, i32)> = pool
        .account_recovery_setting()
        .unwrap()
        .recovery_mechanisms()
        .iter()
        .map(|r| (r.name().clone(), r.priority()))
        .collect();
    assert_eq!(
        recovery,
        vec![
            (RecoveryOptionNameType::VerifiedEmail, 1),
            (RecoveryOptionNameType::VerifiedPhoneNumber, 2)
        ]
    );
    assert!(pool.username_configuration().is_none());
    assert!(pool.username_attributes().is_empty());
    assert!(pool.alias_attributes().is_empty());

    // Defaults that read as zero or false through the SDK are really on the wire.
    let (status, raw) = emulator
        .idp_call("DescribeUserPool", json!({"UserPoolId": id}))
        .await;
    assert_eq!(status, 200);
    let raw = &raw["UserPool"];
    assert_eq!(raw["EstimatedNumberOfUsers"], 0);
    assert_eq!(raw["MfaConfiguration"], "OFF");
    assert_eq!(
        raw["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"],
        false
    );
    assert_eq!(
        raw["Policies"]["PasswordPolicy"]["TemporaryPasswordValidityDays"],
        7
    );
    let sub = raw["SchemaAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["Name"] == "sub")
        .unwrap();
    assert_eq!(sub["DeveloperOnlyAttribute"], false);
    assert_eq!(sub["Mutable"], false);
    assert_eq!(sub["Required"], true);

    // EstimatedNumberOfUsers follows the users.
    for name in ["one", "two"] {
        emulator
            .idp
            .admin_create_user()
            .user_pool_id(&id)
            .username(name)
            .message_action(MessageActionType::Suppress)
            .send()
            .await
            .unwrap();
    }
    let pool = emulator
        .idp
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap();
    assert_eq!(pool.estimated_number_of_users(), 2);

    // Pool ids are unique and well-formed.
    let other = emulator.pool("plain").await;
    assert!(is_pool_id(&other));
    assert_ne!(other, id);
}

#[tokio::test]
async fn update_user_pool_resets_omitted_settings() {
    let emulator = start().await;
    let id = emulator
        .idp
        .create_user_pool()
        .pool_name("before")
        .alias_attributes(AliasAttributeType::Email)
        .schema(
            SchemaAttributeType::builder()
                .name("tenant")
                .attribute_data_type(AttributeDataType::String)
                .build(),
        )
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .lambda_config(
            LambdaConfigType::builder()
                .pre_sign_up("arn:aws:lambda:us-east-1:000000000000:function:pre-sign-up")
                .build(),
        )
        .deletion_protection(DeletionProtectionType::Active)
        .admin_create_user_config(
            AdminCreateUserConfigType::builder()
                .allow_admin_create_user_only(true)
                .build(),
        )
        .verification_message_template(
            VerificationMessageTemplateType::builder()
                .email_message("Code: {####}")
                .build(),
        )
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let before = emulator
        .idp
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap();

    emulator
        .idp
        .update_user_pool()
        .user_pool_id(&id)
        .policies(
            UserPoolPolicyType::builder()
                .password_policy(
                    PasswordPolicyType::builder()
                        .minimum_length(10)
                        .require_uppercase(false)
                        .require_lowercase(true)
                        .require_numbers(false)
                        .require_symbols(false)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let after = emulator
        .idp
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap();

    let password = after.policies().unwrap().password_policy().unwrap();
    assert_eq!(password.minimum_length(), Some(10));
    assert!(!password.require_uppercase());
    assert!(password.require_lowercase());
    // The SDK sends 0 for the unset validity; 0 means the default.
    assert_eq!(password.temporary_password_validity_days(), 7);
    assert_eq!(
        after
            .admin_create_user_config()
            .unwrap()
            .unused_account_validity_days(),
        7
    );
    // Omitted settings are back to their defaults.
    assert!(after.auto_verified_attributes().is_empty());
    assert_eq!(after.lambda_config().and_then(|l| l.pre_sign_up()), None);
    assert_eq!(
        after.deletion_protection(),
        Some(&DeletionProtectionType::Inactive)
    );
    assert!(!after
        .admin_create_user_config()
        .unwrap()
        .allow_admin_create_user_only());
    assert_eq!(
        after
            .verification_message_template()
            .unwrap()
            .email_message(),
        None
    );
    assert_eq!(after.mfa_configuration(), Some(&UserPoolMfaType::Off));
    // What UpdateUserPool cannot change stays.
    assert_eq!(after.id(), Some(id.as_str()));
    assert_eq!(after.name(), Some("before"));
    assert_eq!(after.arn(), before.arn());
    assert_eq!(after.creation_date(), before.creation_date());
    assert!(
        after.last_modified_date().unwrap().as_secs_f64()
            >= before.last_modified_date().unwrap().as_secs_f64()
    );
    assert_eq!(after.alias_attributes(), &[AliasAttributeType::Email]);
    assert_eq!(after.schema_attributes(), before.schema_attributes());
    assert_eq!(
        schema_attribute(&after, "custom:tenant").mutable(),
        Some(true)
    );

    let (code, message) = err(emulator
        .idp
        .update_user_pool()
        .user_pool_id("us-east-1_NoSuchOne")
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "ResourceNotFoundException");
    assert_eq!(message, "User pool us-east-1_NoSuchOne does not exist.");
}

#[tokio::test]
async fn delete_user_pool_honours_deletion_protection() {
    let emulator = start().await;
    let id = emulator
        .idp
        .create_user_pool()
        .pool_name("protected")
        .deletion_protection(DeletionProtectionType::Active)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let (code, message) = err(emulator
        .idp
        .delete_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        message,
        "The user pool cannot be deleted because deletion protection is activated."
    );
    emulator
        .idp
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .expect("still there");

    emulator
        .idp
        .update_user_pool()
        .user_pool_id(&id)
        .deletion_protection(DeletionProtectionType::Inactive)
        .send()
        .await
        .unwrap();
    emulator
        .idp
        .delete_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap();

    let (code, message) = err(emulator
        .idp
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "ResourceNotFoundException");
    assert_eq!(message, format!("User pool {id} does not exist."));
    let (code, message) = err(emulator
        .idp
        .delete_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap_err());
    assert_eq!(
        (code.as_str(), message),
        (
            "ResourceNotFoundException",
            format!("User pool {id} does not exist.")
        )
    );
    let listed = emulator
        .idp
        .list_user_pools()
        .max_results(60)
        .send()
        .await
        .unwrap();
    assert!(listed.user_pools().is_empty());

    // Unprotected pools delete straight away, and only the one named goes.
    let keep = emulator.pool("keep").await;
    let gone = emulator.pool("gone").await;
    emulator
        .idp
        .delete_user_pool()
        .user_pool_id(&gone)
        .send()
        .await
        .unwrap();
    let listed = emulator
        .idp
        .list_user_pools()
        .max_results(60)
        .send()
        .await
        .unwrap();
    let ids: Vec<&str> = listed.user_pools().iter().filter_map(|p| p.id()).collect();
    assert_eq!(ids, vec![keep.as_str()]);
}

#[tokio::test]
async fn list_user_pools_pages_with_max_results_and_next_token() {
    let emulator = start().await;
    let mut created = HashMap::new();
    for i in 0..7 {
        let name = format!("pool-{i}");
        created.insert(emulator.pool(&name).await, name);
    }
    let mut seen: Vec<String> = Vec::new();
    let mut page_sizes = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = emulator
            .idp
            .list_user_pools()
            .max_results(3)
            .set_next_token(token.clone())
            .send()
            .await
            .unwrap();
        page_sizes.push(page.user_pools().len());
        for pool in page.user_pools() {
            let id = pool.id().unwrap().to_string();
            assert_eq!(pool.name(), Some(created[&id].as_str()));
            assert!(pool.creation_date().is_some());
            seen.push(id);
        }
        match page.next_token() {
            Some(next) => {
                assert!(!next.is_empty());
                token = Some(next.to_string());
            }
            None => break,
        }
    }
    assert_eq!(page_sizes, vec![3, 3, 1]);
    assert_eq!(seen.len(), 7);
    assert_eq!(
        seen.iter().cloned().collect::<HashSet<_>>(),
        created.keys().cloned().collect::<HashSet<_>>()
    );

    // One page with room to spare has no token.
    let all = emulator
        .idp
        .list_user_pools()
        .max_results(7)
        .send()
        .await
        .unwrap();
    assert_eq!(all.user_pools().len(), 7);
    assert_eq!(all.next_token(), None);

    // MaxResults is 1..=60.
    let (code, message) = err(emulator
        .idp
        .list_user_pools()
        .max_results(0)
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        message,
        "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"
    );
    let (code, message) = err(emulator
        .idp
        .list_user_pools()
        .max_results(61)
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        message,
        "1 validation error detected: Value '61' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 60"
    );
}

#[tokio::test]
async fn list_user_pools_shows_lambda_config() {
    let emulator = start().await;
    emulator
        .idp
        .create_user_pool()
        .pool_name("with-trigger")
        .lambda_config(
            LambdaConfigType::builder()
                .post_confirmation("arn:aws:lambda:us-east-1:000000000000:function:post")
                .build(),
        )
        .send()
        .await
        .unwrap();
    let listed = emulator
        .idp
        .list_user_pools()
        .max_results(10)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.user_pools().len(), 1);
    assert_eq!(
        listed.user_pools()[0]
            .lambda_config()
            .unwrap()
            .post_confirmation(),
        Some("arn:aws:lambda:us-east-1:000000000000:function:post")
    );
}

#[tokio::test]
async fn add_custom_attributes_extends_the_schema() {
    let emulator = start().await;
    let id = emulator.pool("custom").await;
    emulator
        .idp
        .add_custom_attributes()
        .user_pool_id(&id)
        .custom_attributes(
            SchemaAttributeType::builder()
                .name("tier")
                .attribute_data_type(AttributeDataType::String)
                .string_attribute_constraints(
                    StringAttributeConstraintsType::builder()
                        .max_length("8")
                        .build(),
                )
                .build(),
        )
        .custom_attributes(
            SchemaAttributeType::builder()
                .name("score")
                .attribute_data_type(AttributeDataType::Number)
                .mutable(false)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let pool = emulator
        .idp
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap();
    let tier = schema_attribute(&pool, "custom:tier");
    assert_eq!(tier.attribute_data_type(), Some(&AttributeDataType::String));
    assert_eq!((tier.mutable(), tier.required()), (Some(true), Some(false)));
    assert_eq!(
        tier.string_attribute_constraints().unwrap().max_length(),
        Some("8")
    );
    let score = schema_attribute(&pool, "custom:score");
    assert_eq!(
        score.attribute_data_type(),
        Some(&AttributeDataType::Number)
    );
    assert_eq!(score.mutable(), Some(false));

    // The new attribute can be written.
    let user = emulator
        .idp
        .admin_create_user()
        .user_pool_id(&id)
        .username("tiered")
        .user_attributes(
            AttributeType::builder()
                .name("custom:tier")
                .value("gold")
                .build()
                .unwrap(),
        )
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap()
        .user
        .unwrap();
    assert!(user
        .attributes()
        .iter()
        .any(|a| a.name() == "custom:tier" && a.value() == Some("gold")));

    let (code, message) = err(emulator
        .idp
        .add_custom_attributes()
        .user_pool_id(&id)
        .custom_attributes(
            SchemaAttributeType::builder()
                .name("tier")
                .attribute_data_type(AttributeDataType::String)
                .build(),
        )
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        message,
        "custom:tier: Existing attribute already has name custom:tier."
    );
    let secret = SchemaAttributeType::builder()
        .name("secret")
        .attribute_data_type(AttributeDataType::String)
        .developer_only_attribute(true)
        .build();
    let add_secret = || {
        emulator
            .idp
            .add_custom_attributes()
            .user_pool_id(&id)
            .custom_attributes(secret.clone())
            .send()
    };
    add_secret().await.unwrap();
    assert_eq!(
        err(add_secret().await.unwrap_err()),
        (
            "InvalidParameterException".to_string(),
            "dev:custom:secret: Existing attribute already has name dev:custom:secret.".to_string()
        )
    );

    let required = SchemaAttributeType::builder()
        .name("mandatory")
        .attribute_data_type(AttributeDataType::String)
        .required(true)
        .build();
    let (code, message) = err(emulator
        .idp
        .add_custom_attributes()
        .user_pool_id(&id)
        .custom_attributes(required.clone())
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        message,
        "Required custom attributes are not supported currently."
    );
    let (code, message) = err(emulator
        .idp
        .create_user_pool()
        .pool_name("required-custom")
        .schema(required)
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        message,
        "Required custom attributes are not supported currently."
    );

    // Nothing half-added by the failed calls.
    let pool = emulator
        .idp
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap();
    let custom: Vec<&str> = pool
        .schema_attributes()
        .iter()
        .filter_map(|a| a.name())
        .filter(|n| n.starts_with("custom:"))
        .collect();
    assert_eq!(custom, vec!["custom:tier", "custom:score"]);
    let listed = emulator
        .idp
        .list_user_pools()
        .max_results(60)
        .send()
        .await
        .unwrap();
    assert_eq!(
        listed.user_pools().len(),
        1,
        "the failed CreateUserPool made no pool"
    );

    let (code, message) = err(emulator
        .idp
        .add_custom_attributes()
        .user_pool_id("us-east-1_Missing00")
        .custom_attributes(SchemaAttributeType::builder().name("x").build())
        .send()
        .await
        .unwrap_err());
    assert_eq!(
        (code.as_str(), message.as_str()),
        (
            "ResourceNotFoundException",
            "User pool us-east-1_Missing00 does not exist."
        )
    );
}

#[tokio::test]
async fn user_pool_mfa_config_round_trips() {
    let emulator = start().await;
    let id = emulator.pool("mfa").await;
    let initial = emulator
        .idp
        .get_user_pool_mfa_config()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(initial.mfa_configuration(), Some(&UserPoolMfaType::Off));
    assert!(initial.software_token_mfa_configuration().is_none());

    let set = emulator
        .idp
        .set_user_pool_mfa_config()
        .user_pool_id(&id)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .mfa_configuration(UserPoolMfaType::On)
        .send()
        .await
        .unwrap();
    assert_eq!(set.mfa_configuration(), Some(&UserPoolMfaType::On));
    assert!(set.software_token_mfa_configuration().unwrap().enabled());
    let got = emulator
        .idp
        .get_user_pool_mfa_config()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(got.mfa_configuration(), Some(&UserPoolMfaType::On));
    assert!(got.software_token_mfa_configuration().unwrap().enabled());
    let pool = emulator
        .idp
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap();
    assert_eq!(pool.mfa_configuration(), Some(&UserPoolMfaType::On));

    let (code, message) = err(emulator
        .idp
        .set_user_pool_mfa_config()
        .user_pool_id(&id)
        .mfa_configuration(UserPoolMfaType::Optional)
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        message,
        "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration."
    );
    let got = emulator
        .idp
        .get_user_pool_mfa_config()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.mfa_configuration(),
        Some(&UserPoolMfaType::On),
        "a refused change changes nothing"
    );

    let (code, message) = err(emulator
        .idp
        .set_user_pool_mfa_config()
        .user_pool_id(&id)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .mfa_configuration(UserPoolMfaType::Off)
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        message,
        "Invalid MFA configuration given, can't turn off MFA and configure an MFA together."
    );
    emulator
        .idp
        .set_user_pool_mfa_config()
        .user_pool_id(&id)
        .mfa_configuration(UserPoolMfaType::Off)
        .send()
        .await
        .unwrap();
    let pool = emulator
        .idp
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap();
    assert_eq!(pool.mfa_configuration(), Some(&UserPoolMfaType::Off));

    // MFA at creation needs an SMS configuration.
    let (code, message) = err(emulator
        .idp
        .create_user_pool()
        .pool_name("mfa-on")
        .mfa_configuration(UserPoolMfaType::On)
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        message,
        "SMS configuration and Auth Role ARN are required when MFA is enabled."
    );

    let (code, message) = err(emulator
        .idp
        .get_user_pool_mfa_config()
        .user_pool_id("us-east-1_Missing00")
        .send()
        .await
        .unwrap_err());
    assert_eq!(
        (code.as_str(), message.as_str()),
        (
            "ResourceNotFoundException",
            "User pool us-east-1_Missing00 does not exist."
        )
    );
}

#[tokio::test]
async fn tags_are_managed_by_pool_arn() {
    let emulator = start().await;
    let pool = emulator
        .idp
        .create_user_pool()
        .pool_name("tagged")
        .user_pool_tags("a", "1")
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap();
    let arn = pool.arn().unwrap().to_string();
    let id = pool.id().unwrap().to_string();
    let tags = |out: aws_sdk_cognitoidentityprovider::operation::list_tags_for_resource::ListTagsForResourceOutput| {
        out.tags().cloned().unwrap_or_default()
    };

    let listed = tags(
        emulator
            .idp
            .list_tags_for_resource()
            .resource_arn(&arn)
            .send()
            .await
            .unwrap(),
    );
    assert_eq!(listed, HashMap::from([("a".to_string(), "1".to_string())]));

    emulator
        .idp
        .tag_resource()
        .resource_arn(&arn)
        .tags("b", "2")
        .tags("a", "3")
        .send()
        .await
        .unwrap();
    let listed = tags(
        emulator
            .idp
            .list_tags_for_resource()
            .resource_arn(&arn)
            .send()
            .await
            .unwrap(),
    );
    assert_eq!(
        listed,
        HashMap::from([
            ("a".to_string(), "3".to_string()),
            ("b".to_string(), "2".to_string())
        ])
    );

    emulator
        .idp
        .untag_resource()
        .resource_arn(&arn)
        .tag_keys("a")
        .tag_keys("absent")
        .send()
        .await
        .unwrap();
    let listed = tags(
        emulator
            .idp
            .list_tags_for_resource()
            .resource_arn(&arn)
            .send()
            .await
            .unwrap(),
    );
    assert_eq!(listed, HashMap::from([("b".to_string(), "2".to_string())]));
    let described = emulator
        .idp
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap();
    assert_eq!(
        described.user_pool_tags().cloned().unwrap_or_default(),
        listed
    );

    // A pool without tags lists none.
    let untagged = emulator.pool("untagged").await;
    let untagged_arn = format!("arn:aws:cognito-idp:us-east-1:000000000000:userpool/{untagged}");
    let listed = tags(
        emulator
            .idp
            .list_tags_for_resource()
            .resource_arn(&untagged_arn)
            .send()
            .await
            .unwrap(),
    );
    assert!(listed.is_empty());

    let missing = "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_Missing00";
    let (code, message) = err(emulator
        .idp
        .list_tags_for_resource()
        .resource_arn(missing)
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "ResourceNotFoundException");
    assert_eq!(message, format!("Resource {missing} does not exist."));
    let (code, _) = err(emulator
        .idp
        .tag_resource()
        .resource_arn(missing)
        .tags("k", "v")
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "ResourceNotFoundException");
    let (code, _) = err(emulator
        .idp
        .untag_resource()
        .resource_arn(missing)
        .tag_keys("k")
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "ResourceNotFoundException");
}

/// The error CreateUserPool gives for a pool with this one schema attribute.
async fn schema_error(
    emulator: &crate::common::Emulator,
    attribute: SchemaAttributeType,
) -> (String, String) {
    err(emulator
        .idp
        .create_user_pool()
        .pool_name("bad-schema")
        .schema(attribute)
        .send()
        .await
        .unwrap_err())
}

#[tokio::test]
async fn schema_attributes_are_checked() {
    let emulator = start().await;
    let invalid = |message: &str| ("InvalidParameterException".to_string(), message.to_string());
    let standard = |name: &str| SchemaAttributeType::builder().name(name);
    assert_eq!(
        schema_error(&emulator, standard("email").attribute_data_type(AttributeDataType::Number).build()).await,
        invalid("You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute email")
    );
    assert_eq!(
        schema_error(&emulator, standard("name").developer_only_attribute(true).build()).await,
        invalid("You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute name")
    );
    let no_type = invalid(
        "Invalid AttributeDataType input, consider using the provided AttributeDataType enum.",
    );
    assert_eq!(
        schema_error(&emulator, standard("tier").build()).await,
        no_type
    );
    let lengths = |min: &str, max: &str| {
        StringAttributeConstraintsType::builder()
            .min_length(min)
            .max_length(max)
            .build()
    };
    let values = |min: &str, max: &str| {
        NumberAttributeConstraintsType::builder()
            .min_value(min)
            .max_value(max)
            .build()
    };
    let string = |name: &str| standard(name).attribute_data_type(AttributeDataType::String);
    let number = |name: &str| standard(name).attribute_data_type(AttributeDataType::Number);
    let refused = [
        (
            string("tier")
                .string_attribute_constraints(lengths("0", "2049"))
                .build(),
            "custom:tier: String attributes cannot have a length of more than 2048",
        ),
        (
            standard("email")
                .string_attribute_constraints(lengths("0", "5000"))
                .build(),
            "email: String attributes cannot have a length of more than 2048",
        ),
        (
            string("tier")
                .string_attribute_constraints(lengths("10", "5"))
                .build(),
            "custom:tier: Max length cannot be less than min length.",
        ),
        (
            string("tier")
                .string_attribute_constraints(lengths("one", "5"))
                .build(),
            "Invalid StringAttributeConstraints for schema attribute custom:tier",
        ),
        (
            number("level")
                .number_attribute_constraints(values("low", "5"))
                .build(),
            "Invalid NumberAttributeConstraints for schema attribute custom:level",
        ),
        (
            number("level")
                .number_attribute_constraints(values("10", "5"))
                .build(),
            "custom:level: Max value cannot be less than min value.",
        ),
    ];
    for (attribute, message) in refused {
        assert_eq!(schema_error(&emulator, attribute).await, invalid(message));
    }
    // Matching the standard type, or giving limits that fit, is accepted.
    let pool = emulator
        .idp
        .create_user_pool()
        .pool_name("good-schema")
        .schema(string("email").required(true).build())
        .schema(
            number("level")
                .number_attribute_constraints(values("-5", "5"))
                .build(),
        )
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap();
    assert_eq!(schema_attribute(&pool, "email").required(), Some(true));
    let id = pool.id().unwrap();

    // AddCustomAttributes applies the same checks.
    let add = |attribute: SchemaAttributeType| {
        emulator
            .idp
            .add_custom_attributes()
            .user_pool_id(id)
            .custom_attributes(attribute)
            .send()
    };
    assert_eq!(
        err(add(standard("tier").build()).await.unwrap_err()),
        no_type
    );
    assert_eq!(
        err(add(string("tier")
            .string_attribute_constraints(lengths("0", "4096"))
            .build())
        .await
        .unwrap_err()),
        invalid("custom:tier: String attributes cannot have a length of more than 2048")
    );
}

#[tokio::test]
async fn verification_messages_mirror_the_template() {
    let emulator = start().await;
    let describe = |id: String| {
        let idp = emulator.idp.clone();
        async move {
            idp.describe_user_pool()
                .user_pool_id(id)
                .send()
                .await
                .unwrap()
                .user_pool
                .unwrap()
        }
    };
    let id = emulator
        .idp
        .create_user_pool()
        .pool_name("legacy")
        .email_verification_message("Legacy {####}")
        .email_verification_subject("Legacy subject")
        .sms_verification_message("Legacy SMS {####}")
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let pool = describe(id.clone()).await;
    let template = pool.verification_message_template().unwrap();
    assert_eq!(template.email_message(), Some("Legacy {####}"));
    assert_eq!(template.email_subject(), Some("Legacy subject"));
    assert_eq!(template.sms_message(), Some("Legacy SMS {####}"));

    // UpdateUserPool with only the template: the top-level members follow it.
    emulator
        .idp
        .update_user_pool()
        .user_pool_id(&id)
        .verification_message_template(
            VerificationMessageTemplateType::builder()
                .email_message("New {####}")
                .email_subject("New subject")
                .sms_message("New SMS {####}")
                .build(),
        )
        .send()
        .await
        .unwrap();
    let pool = describe(id.clone()).await;
    assert_eq!(pool.email_verification_message(), Some("New {####}"));
    assert_eq!(pool.email_verification_subject(), Some("New subject"));
    assert_eq!(pool.sms_verification_message(), Some("New SMS {####}"));

    // UpdateUserPool with only the top-level members: the template follows them.
    emulator
        .idp
        .update_user_pool()
        .user_pool_id(&id)
        .email_verification_message("Top {####}")
        .sms_verification_message("Top SMS {####}")
        .send()
        .await
        .unwrap();
    let pool = describe(id.clone()).await;
    let template = pool.verification_message_template().unwrap();
    assert_eq!(template.email_message(), Some("Top {####}"));
    assert_eq!(template.sms_message(), Some("Top SMS {####}"));
    assert_eq!(template.email_subject(), None, "omitted: reset");
    assert_eq!(pool.email_verification_subject(), None);

    // CreateUserPool with only the template.
    let pool = emulator
        .idp
        .create_user_pool()
        .pool_name("template")
        .verification_message_template(
            VerificationMessageTemplateType::builder()
                .email_message("Template {####}")
                .email_subject("Template subject")
                .sms_message("Template SMS {####}")
                .build(),
        )
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap();
    assert_eq!(pool.email_verification_message(), Some("Template {####}"));
    assert_eq!(pool.email_verification_subject(), Some("Template subject"));
    assert_eq!(pool.sms_verification_message(), Some("Template SMS {####}"));
    let pool = describe(pool.id().unwrap().to_string()).await;
    assert_eq!(pool.email_verification_message(), Some("Template {####}"));
}

/// Requests are served in the region the client signed for: a client for us-west-2 creates
/// `us-west-2_…` pools with us-west-2 ARNs and issuers, and each region lists only its own.
#[tokio::test]
async fn each_region_has_its_own_pools() {
    let mut config = cognito_emulator::config::Config::default_for_tests();
    config.aws_issuer = true;
    let emulator = crate::common::start_with(config).await;
    let west = crate::common::idp_client(&emulator.url, "us-west-2").await;
    let pool = west
        .create_user_pool()
        .pool_name("western")
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap();
    let west_id = pool.id.unwrap();
    assert!(west_id.starts_with("us-west-2_"), "{west_id}");
    assert_eq!(
        pool.arn.unwrap(),
        format!("arn:aws:cognito-idp:us-west-2:000000000000:userpool/{west_id}")
    );
    let east_id = emulator.pool("eastern").await;
    assert!(east_id.starts_with("us-east-1_"), "{east_id}");

    let names = |pools: Vec<aws_sdk_cognitoidentityprovider::types::UserPoolDescriptionType>| {
        pools
            .into_iter()
            .map(|p| p.name.unwrap())
            .collect::<Vec<_>>()
    };
    let listed_west = west.list_user_pools().max_results(60).send().await.unwrap();
    assert_eq!(names(listed_west.user_pools.unwrap()), ["western"]);
    let listed_east = emulator
        .idp
        .list_user_pools()
        .max_results(60)
        .send()
        .await
        .unwrap();
    assert_eq!(names(listed_east.user_pools.unwrap()), ["eastern"]);

    // Another region's pool does not exist here.
    let error = emulator
        .idp
        .describe_user_pool()
        .user_pool_id(&west_id)
        .send()
        .await
        .unwrap_err();
    let (code, message) = crate::common::err(error);
    assert_eq!(code, "ResourceNotFoundException");
    assert_eq!(message, format!("User pool {west_id} does not exist."));

    // Its tokens' issuer (AWS form) names its region.
    let discovery = emulator
        .get_json(&format!(
            "{}/{west_id}/.well-known/openid-configuration",
            emulator.url
        ))
        .await;
    assert_eq!(
        discovery["issuer"],
        format!("https://cognito-idp.us-west-2.amazonaws.com/{west_id}")
    );
}
