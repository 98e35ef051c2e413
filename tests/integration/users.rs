//! Users as an administrator manages them: AdminCreateUser (invitations, temporary
//! passwords), username rules, aliases, case sensitivity, attribute checks, and the other
//! Admin* user operations.

use aws_sdk_cognitoidentityprovider::operation::admin_get_user::AdminGetUserOutput;
use aws_sdk_cognitoidentityprovider::operation::create_user_pool::builders::CreateUserPoolFluentBuilder;
use aws_sdk_cognitoidentityprovider::types::*;

use crate::common::{err, start, Emulator};

fn attr(name: &str, value: &str) -> AttributeType {
    AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .unwrap()
}

fn value<'a>(attributes: &'a [AttributeType], name: &str) -> Option<&'a str> {
    attributes
        .iter()
        .find(|a| a.name() == name)
        .and_then(|a| a.value())
}

fn is_uuid(value: &str) -> bool {
    value.len() == 36
        && value == value.to_lowercase()
        && uuid::Uuid::parse_str(value).is_ok_and(|u| u.get_version_num() == 4)
}

/// A user created without an invitation.
async fn create(
    emulator: &Emulator,
    pool: &str,
    username: &str,
    attributes: &[(&str, &str)],
) -> UserType {
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(pool)
        .username(username)
        .set_user_attributes(Some(attributes.iter().map(|(n, v)| attr(n, v)).collect()))
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap_or_else(|e| panic!("create {username}: {:?}", err(e)))
        .user
        .unwrap()
}

async fn get(emulator: &Emulator, pool: &str, username: &str) -> AdminGetUserOutput {
    emulator
        .idp
        .admin_get_user()
        .user_pool_id(pool)
        .username(username)
        .send()
        .await
        .unwrap_or_else(|e| panic!("get {username}: {:?}", err(e)))
}

async fn get_err(emulator: &Emulator, pool: &str, username: &str) -> (String, String) {
    err(emulator
        .idp
        .admin_get_user()
        .user_pool_id(pool)
        .username(username)
        .send()
        .await
        .unwrap_err())
}

async fn pool_with(
    emulator: &Emulator,
    name: &str,
    configure: impl FnOnce(CreateUserPoolFluentBuilder) -> CreateUserPoolFluentBuilder,
) -> String {
    configure(emulator.idp.create_user_pool().pool_name(name))
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap()
}

fn satisfies_default_policy(password: &str) -> bool {
    password.len() >= 8
        && password.chars().any(|c| c.is_ascii_lowercase())
        && password.chars().any(|c| c.is_ascii_uppercase())
        && password.chars().any(|c| c.is_ascii_digit())
        && password.chars().any(|c| !c.is_ascii_alphanumeric())
}

#[tokio::test]
async fn admin_create_user_sends_an_invitation_with_a_temporary_password() {
    let emulator = start().await;
    let pool = emulator.pool("invites").await;
    let created = emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool)
        .username("alice")
        .user_attributes(attr("email", "alice@example.com"))
        .user_attributes(attr("email_verified", "true"))
        .desired_delivery_mediums(DeliveryMediumType::Email)
        .send()
        .await
        .unwrap()
        .user
        .unwrap();
    assert_eq!(created.username(), Some("alice"));
    assert_eq!(
        created.user_status(),
        Some(&UserStatusType::ForceChangePassword)
    );
    assert!(created.enabled());
    assert!(created.user_create_date().is_some());
    let sub = value(created.attributes(), "sub").expect("sub").to_string();
    assert!(is_uuid(&sub), "{sub}");
    assert_eq!(
        value(created.attributes(), "email"),
        Some("alice@example.com")
    );
    assert_eq!(value(created.attributes(), "email_verified"), Some("true"));

    let fetched = get(&emulator, &pool, "alice").await;
    assert_eq!(fetched.username(), "alice");
    assert_eq!(
        fetched.user_status(),
        Some(&UserStatusType::ForceChangePassword)
    );
    assert!(fetched.enabled());
    assert_eq!(value(fetched.user_attributes(), "sub"), Some(sub.as_str()));
    assert_eq!(fetched.user_create_date(), created.user_create_date());

    let messages = emulator.messages(&pool, Some("alice")).await;
    assert_eq!(messages.len(), 1, "{messages:?}");
    let invitation = &messages[0];
    let password = invitation["code"].as_str().unwrap().to_string();
    assert!(satisfies_default_policy(&password), "{password}");
    assert_eq!(invitation["trigger"], "AdminCreateUser");
    assert_eq!(invitation["deliveryMedium"], "EMAIL");
    assert_eq!(invitation["destination"], "alice@example.com");
    assert_eq!(invitation["userPoolId"], pool.as_str());
    assert_eq!(invitation["username"], "alice");
    assert_eq!(invitation["subject"], "Your temporary password");
    assert_eq!(
        invitation["body"],
        format!("Your username is alice and temporary password is {password}.")
    );

    // RESEND issues a new temporary password.
    let resent = emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool)
        .username("alice")
        .message_action(MessageActionType::Resend)
        .desired_delivery_mediums(DeliveryMediumType::Email)
        .send()
        .await
        .unwrap()
        .user
        .unwrap();
    assert_eq!(
        resent.user_status(),
        Some(&UserStatusType::ForceChangePassword)
    );
    assert_eq!(value(resent.attributes(), "sub"), Some(sub.as_str()));
    let messages = emulator.messages(&pool, Some("alice")).await;
    assert_eq!(messages.len(), 2);
    let second = messages[1]["code"].as_str().unwrap();
    assert_ne!(second, password);
    assert!(satisfies_default_policy(second), "{second}");
    assert_eq!(
        messages[1]["body"],
        format!("Your username is alice and temporary password is {second}.")
    );

    let (code, message) = err(emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool)
        .username("nobody")
        .message_action(MessageActionType::Resend)
        .send()
        .await
        .unwrap_err());
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("UserNotFoundException", "User does not exist.")
    );

    // SUPPRESS keeps nothing but still makes a FORCE_CHANGE_PASSWORD user.
    let bob = emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool)
        .username("bob")
        .user_attributes(attr("email", "bob@example.com"))
        .desired_delivery_mediums(DeliveryMediumType::Email)
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap()
        .user
        .unwrap();
    assert_eq!(
        bob.user_status(),
        Some(&UserStatusType::ForceChangePassword)
    );
    assert!(emulator.messages(&pool, Some("bob")).await.is_empty());

    // The default medium is SMS, to the phone number.
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool)
        .username("carol")
        .user_attributes(attr("phone_number", "+15555550100"))
        .send()
        .await
        .unwrap();
    let messages = emulator.messages(&pool, Some("carol")).await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["deliveryMedium"], "SMS");
    assert_eq!(messages[0]["destination"], "+15555550100");
    assert!(messages[0].get("subject").is_none());

    // A given temporary password is used as is.
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool)
        .username("dave")
        .user_attributes(attr("email", "dave@example.com"))
        .temporary_password("Given-Pass1")
        .desired_delivery_mediums(DeliveryMediumType::Email)
        .send()
        .await
        .unwrap();
    let messages = emulator.messages(&pool, Some("dave")).await;
    assert_eq!(messages[0]["code"], "Given-Pass1");

    // An e-mail invitation needs an e-mail address.
    let (code, message) = err(emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool)
        .username("erin")
        .desired_delivery_mediums(DeliveryMediumType::Email)
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        message,
        "User has no attribute matching desired delivery mediums"
    );
    assert_eq!(
        get_err(&emulator, &pool, "erin").await.0,
        "UserNotFoundException"
    );

    // Passwords that break the policy, and duplicates, are refused.
    for (password, rule) in [
        ("Ab1!xyz", "Password not long enough"),
        ("ABCDEFG1!", "Password must have lowercase characters"),
        ("abcdefg1!", "Password must have uppercase characters"),
        ("abcdefgH!", "Password must have numeric characters"),
        ("abcdefgH1", "Password must have symbol characters"),
    ] {
        let (code, message) = err(emulator
            .idp
            .admin_create_user()
            .user_pool_id(&pool)
            .username("frank")
            .temporary_password(password)
            .send()
            .await
            .unwrap_err());
        assert_eq!(code, "InvalidPasswordException");
        assert_eq!(
            message,
            format!("Password did not conform with password policy: {rule}")
        );
    }
    assert_eq!(
        get_err(&emulator, &pool, "frank").await.0,
        "UserNotFoundException"
    );
    let (code, message) = err(emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await
        .unwrap_err());
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("UsernameExistsException", "User account already exists")
    );

    let (code, message) = err(emulator
        .idp
        .admin_create_user()
        .user_pool_id("us-east-1_Missing00")
        .username("x")
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
async fn invitations_follow_the_pool_template_and_policy() {
    let emulator = start().await;
    let pool = pool_with(&emulator, "templated", |b| {
        b.admin_create_user_config(
            AdminCreateUserConfigType::builder()
                .invite_message_template(
                    MessageTemplateType::builder()
                        .email_message("Hello {username}, sign in with {####}")
                        .email_subject("Welcome aboard")
                        .sms_message("{username}: {####}")
                        .build(),
                )
                .build(),
        )
        .policies(
            UserPoolPolicyType::builder()
                .password_policy(
                    PasswordPolicyType::builder()
                        .minimum_length(16)
                        .require_lowercase(true)
                        .require_uppercase(false)
                        .require_numbers(false)
                        .require_symbols(false)
                        .build(),
                )
                .build(),
        )
    })
    .await;
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool)
        .username("gina")
        .user_attributes(attr("email", "gina@example.com"))
        .user_attributes(attr("phone_number", "+15555550101"))
        .desired_delivery_mediums(DeliveryMediumType::Email)
        .desired_delivery_mediums(DeliveryMediumType::Sms)
        .send()
        .await
        .unwrap();
    let messages = emulator.messages(&pool, Some("gina")).await;
    assert_eq!(messages.len(), 2, "{messages:?}");
    let email = messages
        .iter()
        .find(|m| m["deliveryMedium"] == "EMAIL")
        .unwrap();
    let sms = messages
        .iter()
        .find(|m| m["deliveryMedium"] == "SMS")
        .unwrap();
    let password = email["code"].as_str().unwrap();
    assert!(password.len() >= 16, "{password}");
    assert!(password.chars().any(|c| c.is_ascii_lowercase()));
    assert_eq!(
        email["body"],
        format!("Hello gina, sign in with {password}")
    );
    assert_eq!(email["subject"], "Welcome aboard");
    assert_eq!(sms["body"], format!("gina: {password}"));
    assert_eq!(sms["destination"], "+15555550101");

    // The pool's own policy decides what a given temporary password needs.
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool)
        .username("henry")
        .temporary_password("onlylowercaseletters")
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    let (code, message) = err(emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool)
        .username("ivy")
        .temporary_password("Short-Pass1!")
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "InvalidPasswordException");
    assert_eq!(
        message,
        "Password did not conform with password policy: Password not long enough"
    );
}

#[tokio::test]
async fn username_attributes_make_the_sub_the_username() {
    let emulator = start().await;
    let pool = pool_with(&emulator, "by-email", |b| {
        b.username_attributes(UsernameAttributeType::Email)
    })
    .await;
    let user = create(&emulator, &pool, "carol@example.com", &[]).await;
    let sub = value(user.attributes(), "sub").unwrap().to_string();
    assert!(is_uuid(&sub));
    assert_eq!(user.username(), Some(sub.as_str()));
    assert_eq!(value(user.attributes(), "email"), Some("carol@example.com"));
    let fetched = get(&emulator, &pool, "carol@example.com").await;
    assert_eq!(fetched.username(), sub);
    assert_eq!(get(&emulator, &pool, &sub).await.username(), sub);

    let (code, message) = err(emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool)
        .username("carol")
        .send()
        .await
        .unwrap_err());
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("InvalidParameterException", "Username should be an email.")
    );
    let (code, message) = err(emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool)
        .username("carol@example.com")
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "UsernameExistsException");
    assert_eq!(message, "An account with the given email already exists.");

    let phone_pool = pool_with(&emulator, "by-phone", |b| {
        b.username_attributes(UsernameAttributeType::PhoneNumber)
    })
    .await;
    let (code, message) = err(emulator
        .idp
        .admin_create_user()
        .user_pool_id(&phone_pool)
        .username("carol@example.com")
        .send()
        .await
        .unwrap_err());
    assert_eq!(
        (code.as_str(), message.as_str()),
        (
            "InvalidParameterException",
            "Username should be a phone number."
        )
    );
    let user = create(&emulator, &phone_pool, "+15555550102", &[]).await;
    assert_eq!(
        value(user.attributes(), "phone_number"),
        Some("+15555550102")
    );

    let either = pool_with(&emulator, "by-either", |b| {
        b.username_attributes(UsernameAttributeType::Email)
            .username_attributes(UsernameAttributeType::PhoneNumber)
    })
    .await;
    let (code, message) = err(emulator
        .idp
        .admin_create_user()
        .user_pool_id(&either)
        .username("plainname")
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        message,
        "Username should be either an email or a phone number."
    );

    // UsernameAttributes and AliasAttributes exclude each other.
    let (code, _) = err(emulator
        .idp
        .create_user_pool()
        .pool_name("both")
        .username_attributes(UsernameAttributeType::Email)
        .alias_attributes(AliasAttributeType::PreferredUsername)
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "InvalidParameterException");
}

#[tokio::test]
async fn alias_attributes_resolve_and_conflict() {
    let emulator = start().await;
    let pool = pool_with(&emulator, "aliases", |b| {
        b.alias_attributes(AliasAttributeType::Email)
            .alias_attributes(AliasAttributeType::PreferredUsername)
    })
    .await;
    let (code, message) = err(emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool)
        .username("dave@example.com")
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        message,
        "Username cannot be of email format, since user pool is configured for email alias."
    );

    create(
        &emulator,
        &pool,
        "dave",
        &[
            ("email", "dave@example.com"),
            ("email_verified", "true"),
            ("preferred_username", "davey"),
        ],
    )
    .await;
    assert_eq!(
        get(&emulator, &pool, "dave@example.com").await.username(),
        "dave"
    );
    assert_eq!(get(&emulator, &pool, "davey").await.username(), "dave");

    // An unverified e-mail is no alias and takes nothing from anyone.
    create(&emulator, &pool, "erin", &[("email", "erin@example.com")]).await;
    assert_eq!(
        get_err(&emulator, &pool, "erin@example.com").await.0,
        "UserNotFoundException"
    );
    create(&emulator, &pool, "erin2", &[("email", "dave@example.com")]).await;
    assert_eq!(
        get(&emulator, &pool, "dave@example.com").await.username(),
        "dave"
    );

    // A verified e-mail another user holds as alias is a conflict...
    let (code, message) = err(emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool)
        .username("frank")
        .user_attributes(attr("email", "dave@example.com"))
        .user_attributes(attr("email_verified", "true"))
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "AliasExistsException");
    assert_eq!(message, "An account with the email already exists.");
    assert_eq!(
        get_err(&emulator, &pool, "frank").await.0,
        "UserNotFoundException"
    );
    let (code, message) = err(emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool)
        .username("gina")
        .user_attributes(attr("preferred_username", "davey"))
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "AliasExistsException");
    assert_eq!(
        message,
        "An account with the preferred_username already exists."
    );
    // ...also when an update would verify it.
    let (code, _) = err(emulator
        .idp
        .admin_update_user_attributes()
        .user_pool_id(&pool)
        .username("erin2")
        .user_attributes(attr("email_verified", "true"))
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "AliasExistsException");
    assert_eq!(
        value(
            get(&emulator, &pool, "erin2").await.user_attributes(),
            "email_verified"
        ),
        None
    );

    // ...unless ForceAliasCreation moves it.
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool)
        .username("frank")
        .user_attributes(attr("email", "dave@example.com"))
        .user_attributes(attr("email_verified", "true"))
        .force_alias_creation(true)
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    assert_eq!(
        get(&emulator, &pool, "dave@example.com").await.username(),
        "frank"
    );
    let dave = get(&emulator, &pool, "dave").await;
    assert_eq!(
        value(dave.user_attributes(), "email"),
        Some("dave@example.com")
    );
    assert_eq!(
        value(dave.user_attributes(), "email_verified"),
        Some("false")
    );
    assert_eq!(get(&emulator, &pool, "davey").await.username(), "dave");
}

#[tokio::test]
async fn case_sensitivity_of_usernames() {
    let emulator = start().await;
    let insensitive = pool_with(&emulator, "insensitive", |b| {
        b.username_configuration(
            UsernameConfigurationType::builder()
                .case_sensitive(false)
                .build()
                .unwrap(),
        )
        .alias_attributes(AliasAttributeType::Email)
    })
    .await;
    create(
        &emulator,
        &insensitive,
        "Henry",
        &[("email", "Henry@Example.com"), ("email_verified", "true")],
    )
    .await;
    let fetched = get(&emulator, &insensitive, "henry").await;
    assert_eq!(
        fetched.username(),
        "Henry",
        "the stored username keeps its case"
    );
    assert_eq!(
        get(&emulator, &insensitive, "HENRY").await.username(),
        "Henry"
    );
    assert_eq!(
        get(&emulator, &insensitive, "henry@example.COM")
            .await
            .username(),
        "Henry"
    );
    let (code, message) = err(emulator
        .idp
        .admin_create_user()
        .user_pool_id(&insensitive)
        .username("HENRY")
        .send()
        .await
        .unwrap_err());
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("UsernameExistsException", "User account already exists")
    );
    emulator
        .idp
        .admin_disable_user()
        .user_pool_id(&insensitive)
        .username("hEnRy")
        .send()
        .await
        .unwrap();
    assert!(!get(&emulator, &insensitive, "Henry").await.enabled());

    // Pools are case sensitive by default.
    let sensitive = emulator.pool("sensitive").await;
    create(&emulator, &sensitive, "Henry", &[]).await;
    let (code, message) = get_err(&emulator, &sensitive, "henry").await;
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("UserNotFoundException", "User does not exist.")
    );
    create(&emulator, &sensitive, "henry", &[]).await;
    assert_eq!(
        get(&emulator, &sensitive, "henry").await.username(),
        "henry"
    );
    assert_eq!(
        get(&emulator, &sensitive, "Henry").await.username(),
        "Henry"
    );
}

#[tokio::test]
async fn attributes_are_checked_against_the_schema() {
    let emulator = start().await;
    let pool = pool_with(&emulator, "schema", |b| {
        b.schema(
            SchemaAttributeType::builder()
                .name("tenant")
                .attribute_data_type(AttributeDataType::String)
                .mutable(false)
                .string_attribute_constraints(
                    StringAttributeConstraintsType::builder()
                        .max_length("5")
                        .build(),
                )
                .build(),
        )
        .schema(
            SchemaAttributeType::builder()
                .name("level")
                .attribute_data_type(AttributeDataType::Number)
                .build(),
        )
    })
    .await;
    let refused = [
        ("foo", "x", "Attributes did not conform to the schema: foo: Attribute does not exist in the schema.\n"),
        (
            "custom:nope",
            "x",
            "Attributes did not conform to the schema: custom:nope: Attribute does not exist in the schema.\n",
        ),
        ("email", "not-an-email", "Invalid email address format."),
        ("phone_number", "5555550100", "Invalid phone number format."),
        ("phone_number", "+1 555 555", "Invalid phone number format."),
        (
            "sub",
            "11111111-1111-4111-8111-111111111111",
            "Attributes did not conform to the schema: sub: Attribute cannot be updated. (changing an immutable attribute)",
        ),
        ("custom:tenant", "toolong", "Attributes did not conform to the schema: custom:tenant: String must be no longer than 5 characters"),
        ("custom:level", "high", "Attributes did not conform to the schema: custom:level: Number must be a valid number"),
    ];
    for (name, bad, expected) in refused {
        let (code, message) = err(emulator
            .idp
            .admin_create_user()
            .user_pool_id(&pool)
            .username("ivan")
            .user_attributes(attr(name, bad))
            .message_action(MessageActionType::Suppress)
            .send()
            .await
            .unwrap_err());
        assert_eq!(code, "InvalidParameterException", "{name}");
        assert_eq!(message, expected, "{name}");
    }
    let (code, message) = err(emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool)
        .username("ivan")
        .user_attributes(attr("custom:a", "1"))
        .user_attributes(attr("name", "Ivan"))
        .user_attributes(attr("custom:b", "2"))
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap_err());
    assert_eq!(
        (code.as_str(), message.as_str()),
        (
            "InvalidParameterException",
            "Attributes did not conform to the schema: custom:a: Attribute does not exist in the schema.\ncustom:b: Attribute does not exist in the schema.\n"
        )
    );
    assert_eq!(
        get_err(&emulator, &pool, "ivan").await.0,
        "UserNotFoundException"
    );

    // Immutable custom attributes may be set at creation, never changed afterwards.
    create(
        &emulator,
        &pool,
        "ivan",
        &[("custom:tenant", "acme"), ("custom:level", "3")],
    )
    .await;
    let (code, message) = err(emulator
        .idp
        .admin_update_user_attributes()
        .user_pool_id(&pool)
        .username("ivan")
        .user_attributes(attr("custom:tenant", "other"))
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        message,
        "Attributes did not conform to the schema: custom:tenant: Attribute cannot be updated. (changing an immutable attribute)"
    );
    for (name, bad, expected) in [
        ("sub", "x", "Attributes did not conform to the schema: sub: Attribute cannot be updated. (changing an immutable attribute)"),
        ("email", "nope", "Invalid email address format."),
        ("unknown", "x", "Attributes did not conform to the schema: unknown: Attribute does not exist in the schema.\n"),
    ] {
        let (code, message) = err(emulator
            .idp
            .admin_update_user_attributes()
            .user_pool_id(&pool)
            .username("ivan")
            .user_attributes(attr(name, bad))
            .send()
            .await
            .unwrap_err());
        assert_eq!((code.as_str(), message.as_str()), ("InvalidParameterException", expected));
    }
    let ivan = get(&emulator, &pool, "ivan").await;
    assert_eq!(value(ivan.user_attributes(), "custom:tenant"), Some("acme"));
    assert_eq!(value(ivan.user_attributes(), "custom:level"), Some("3"));
    emulator
        .idp
        .admin_update_user_attributes()
        .user_pool_id(&pool)
        .username("ivan")
        .user_attributes(attr("custom:level", "4"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        value(
            get(&emulator, &pool, "ivan").await.user_attributes(),
            "custom:level"
        ),
        Some("4")
    );
}

#[tokio::test]
async fn get_update_delete_enable_and_disable_users() {
    let emulator = start().await;
    let pool = pool_with(&emulator, "lifecycle", |b| {
        b.schema(
            SchemaAttributeType::builder()
                .name("email")
                .attribute_data_type(AttributeDataType::String)
                .required(true)
                .mutable(true)
                .build(),
        )
    })
    .await;
    let created = create(
        &emulator,
        &pool,
        "jack",
        &[
            ("email", "jack@example.com"),
            ("email_verified", "true"),
            ("given_name", "Jack"),
        ],
    )
    .await;
    // Required attributes are not enforced by AdminCreateUser.
    create(&emulator, &pool, "no-email", &[]).await;
    let (code, message) = get_err(&emulator, &pool, "jill").await;
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("UserNotFoundException", "User does not exist.")
    );

    // Enable / disable.
    emulator
        .idp
        .admin_disable_user()
        .user_pool_id(&pool)
        .username("jack")
        .send()
        .await
        .unwrap();
    assert!(!get(&emulator, &pool, "jack").await.enabled());
    emulator
        .idp
        .admin_enable_user()
        .user_pool_id(&pool)
        .username("jack")
        .send()
        .await
        .unwrap();
    assert!(get(&emulator, &pool, "jack").await.enabled());
    for result in [
        emulator
            .idp
            .admin_disable_user()
            .user_pool_id(&pool)
            .username("jill")
            .send()
            .await
            .map(|_| ())
            .map_err(err),
        emulator
            .idp
            .admin_enable_user()
            .user_pool_id(&pool)
            .username("jill")
            .send()
            .await
            .map(|_| ())
            .map_err(err),
    ] {
        assert_eq!(
            result.unwrap_err(),
            (
                "UserNotFoundException".to_string(),
                "User does not exist.".to_string()
            )
        );
    }

    // Updates: new values, and a changed e-mail is no longer verified.
    emulator
        .idp
        .admin_update_user_attributes()
        .user_pool_id(&pool)
        .username("jack")
        .user_attributes(attr("email", "jack@new.example.com"))
        .user_attributes(attr("family_name", "Frost"))
        .send()
        .await
        .unwrap();
    let jack = get(&emulator, &pool, "jack").await;
    assert_eq!(
        value(jack.user_attributes(), "email"),
        Some("jack@new.example.com")
    );
    assert_eq!(
        value(jack.user_attributes(), "email_verified"),
        Some("false")
    );
    assert_eq!(value(jack.user_attributes(), "family_name"), Some("Frost"));
    assert_eq!(value(jack.user_attributes(), "given_name"), Some("Jack"));
    assert_eq!(
        value(jack.user_attributes(), "sub"),
        value(created.attributes(), "sub")
    );
    assert!(
        jack.user_last_modified_date().unwrap().as_secs_f64()
            >= created.user_last_modified_date().unwrap().as_secs_f64()
    );
    // ...unless the same call verifies it.
    emulator
        .idp
        .admin_update_user_attributes()
        .user_pool_id(&pool)
        .username("jack")
        .user_attributes(attr("email", "jack@third.example.com"))
        .user_attributes(attr("email_verified", "true"))
        .send()
        .await
        .unwrap();
    let jack = get(&emulator, &pool, "jack").await;
    assert_eq!(
        value(jack.user_attributes(), "email"),
        Some("jack@third.example.com")
    );
    assert_eq!(
        value(jack.user_attributes(), "email_verified"),
        Some("true")
    );
    let (code, _) = err(emulator
        .idp
        .admin_update_user_attributes()
        .user_pool_id(&pool)
        .username("jill")
        .user_attributes(attr("given_name", "Jill"))
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "UserNotFoundException");

    // Deleting attributes.
    emulator
        .idp
        .admin_delete_user_attributes()
        .user_pool_id(&pool)
        .username("jack")
        .user_attribute_names("given_name")
        .user_attribute_names("family_name")
        .send()
        .await
        .unwrap();
    let jack = get(&emulator, &pool, "jack").await;
    assert_eq!(value(jack.user_attributes(), "given_name"), None);
    assert_eq!(value(jack.user_attributes(), "family_name"), None);
    assert_eq!(
        value(jack.user_attributes(), "email"),
        Some("jack@third.example.com")
    );
    for (name, expected) in [
        ("email", "Attributes did not conform to the schema: email: The attribute is required"),
        ("sub", "Attributes did not conform to the schema: sub: The attribute is required"),
        ("nonsense", "Attributes did not conform to the schema: Type for attribute {nonsense} could not be determined"),
    ] {
        let (code, message) = err(emulator
            .idp
            .admin_delete_user_attributes()
            .user_pool_id(&pool)
            .username("jack")
            .user_attribute_names(name)
            .send()
            .await
            .unwrap_err());
        assert_eq!((code.as_str(), message.as_str()), ("InvalidParameterException", expected));
    }
    assert_eq!(
        value(
            get(&emulator, &pool, "jack").await.user_attributes(),
            "email"
        ),
        Some("jack@third.example.com")
    );

    // In a pool where e-mail is optional, deleting it also drops email_verified.
    let optional = emulator.pool("optional").await;
    create(
        &emulator,
        &optional,
        "kate",
        &[("email", "kate@example.com"), ("email_verified", "true")],
    )
    .await;
    emulator
        .idp
        .admin_delete_user_attributes()
        .user_pool_id(&optional)
        .username("kate")
        .user_attribute_names("email")
        .send()
        .await
        .unwrap();
    let kate = get(&emulator, &optional, "kate").await;
    assert_eq!(value(kate.user_attributes(), "email"), None);
    assert_eq!(value(kate.user_attributes(), "email_verified"), None);
    assert!(value(kate.user_attributes(), "sub").is_some());

    // Deleting users.
    emulator
        .idp
        .admin_delete_user()
        .user_pool_id(&pool)
        .username("jack")
        .send()
        .await
        .unwrap();
    let (code, message) = get_err(&emulator, &pool, "jack").await;
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("UserNotFoundException", "User does not exist.")
    );
    let (code, message) = err(emulator
        .idp
        .admin_delete_user()
        .user_pool_id(&pool)
        .username("jack")
        .send()
        .await
        .unwrap_err());
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("UserNotFoundException", "User does not exist.")
    );
    // The name is free again, with a new sub.
    let again = create(&emulator, &pool, "jack", &[("email", "jack@example.com")]).await;
    assert_ne!(
        value(again.attributes(), "sub"),
        value(created.attributes(), "sub")
    );
}

#[tokio::test]
async fn passwords_confirmation_and_settings() {
    let emulator = start().await;
    let pool = emulator.pool("passwords").await;
    create(
        &emulator,
        &pool,
        "liam",
        &[("phone_number", "+15555550103")],
    )
    .await;

    let (code, message) = err(emulator
        .idp
        .admin_confirm_sign_up()
        .user_pool_id(&pool)
        .username("liam")
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "NotAuthorizedException");
    assert_eq!(
        message,
        "User cannot be confirmed. Current status is FORCE_CHANGE_PASSWORD"
    );

    emulator
        .set_password(&pool, "liam", "Permanent-Pass1")
        .await;
    assert_eq!(
        get(&emulator, &pool, "liam").await.user_status(),
        Some(&UserStatusType::Confirmed)
    );
    let (code, message) = err(emulator
        .idp
        .admin_confirm_sign_up()
        .user_pool_id(&pool)
        .username("liam")
        .send()
        .await
        .unwrap_err());
    assert_eq!(
        (code.as_str(), message.as_str()),
        (
            "NotAuthorizedException",
            "User cannot be confirmed. Current status is CONFIRMED"
        )
    );
    // RESEND is only for users still waiting on their temporary password.
    let (code, message) = err(emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool)
        .username("liam")
        .message_action(MessageActionType::Resend)
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "UnsupportedUserStateException");
    assert_eq!(
        message,
        "Resend not possible. liam status is not FORCE_CHANGE_PASSWORD"
    );
    assert!(emulator.messages(&pool, Some("liam")).await.is_empty());

    emulator
        .idp
        .admin_set_user_password()
        .user_pool_id(&pool)
        .username("liam")
        .password("Temporary-Pass1")
        .permanent(false)
        .send()
        .await
        .unwrap();
    assert_eq!(
        get(&emulator, &pool, "liam").await.user_status(),
        Some(&UserStatusType::ForceChangePassword)
    );
    emulator
        .idp
        .admin_set_user_password()
        .user_pool_id(&pool)
        .username("liam")
        .password("Temporary-Pass2")
        .send()
        .await
        .unwrap();
    assert_eq!(
        get(&emulator, &pool, "liam").await.user_status(),
        Some(&UserStatusType::ForceChangePassword),
        "Permanent defaults to false"
    );

    for (password, rule) in [
        ("Ab1!xyz", "Password not long enough"),
        ("ABCDEFG1!", "Password must have lowercase characters"),
        ("abcdefg1!", "Password must have uppercase characters"),
        ("No-Digits-Here", "Password must have numeric characters"),
        ("NoSymbols123", "Password must have symbol characters"),
    ] {
        let (code, message) = err(emulator
            .idp
            .admin_set_user_password()
            .user_pool_id(&pool)
            .username("liam")
            .password(password)
            .permanent(true)
            .send()
            .await
            .unwrap_err());
        assert_eq!(code, "InvalidPasswordException");
        assert_eq!(
            message,
            format!("Password does not conform to policy: {rule}")
        );
    }
    assert_eq!(
        get(&emulator, &pool, "liam").await.user_status(),
        Some(&UserStatusType::ForceChangePassword)
    );
    let (code, message) = err(emulator
        .idp
        .admin_set_user_password()
        .user_pool_id(&pool)
        .username("nobody")
        .password("Permanent-Pass1")
        .permanent(true)
        .send()
        .await
        .unwrap_err());
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("UserNotFoundException", "User does not exist.")
    );
    let (code, _) = err(emulator
        .idp
        .admin_confirm_sign_up()
        .user_pool_id(&pool)
        .username("nobody")
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "UserNotFoundException");

    // AdminSetUserSettings keeps the (legacy) MFA options.
    assert!(get(&emulator, &pool, "liam").await.mfa_options().is_empty());
    emulator
        .idp
        .admin_set_user_settings()
        .user_pool_id(&pool)
        .username("liam")
        .mfa_options(
            MfaOptionType::builder()
                .delivery_medium(DeliveryMediumType::Sms)
                .attribute_name("phone_number")
                .build(),
        )
        .send()
        .await
        .unwrap();
    let liam = get(&emulator, &pool, "liam").await;
    assert_eq!(liam.mfa_options().len(), 1);
    assert_eq!(
        liam.mfa_options()[0].delivery_medium(),
        Some(&DeliveryMediumType::Sms)
    );
    assert_eq!(liam.mfa_options()[0].attribute_name(), Some("phone_number"));
    emulator
        .idp
        .admin_set_user_settings()
        .user_pool_id(&pool)
        .username("liam")
        .set_mfa_options(Some(vec![]))
        .send()
        .await
        .unwrap();
    assert!(get(&emulator, &pool, "liam").await.mfa_options().is_empty());
    let (code, _) = err(emulator
        .idp
        .admin_set_user_settings()
        .user_pool_id(&pool)
        .username("nobody")
        .set_mfa_options(Some(vec![]))
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "UserNotFoundException");
}

#[tokio::test]
async fn boolean_attributes_accept_any_case() {
    let emulator = start().await;
    let pool = pool_with(&emulator, "booleans", |b| {
        b.schema(
            SchemaAttributeType::builder()
                .name("active")
                .attribute_data_type(AttributeDataType::Boolean)
                .build(),
        )
    })
    .await;
    create(
        &emulator,
        &pool,
        "bool",
        &[
            ("email", "bool@example.com"),
            ("email_verified", "TRUE"),
            ("custom:active", "False"),
        ],
    )
    .await;
    let user = get(&emulator, &pool, "bool").await;
    assert_eq!(
        value(user.user_attributes(), "email_verified"),
        Some("true")
    );
    assert_eq!(
        value(user.user_attributes(), "custom:active"),
        Some("false")
    );
    emulator
        .idp
        .admin_update_user_attributes()
        .user_pool_id(&pool)
        .username("bool")
        .user_attributes(attr("phone_number", "+14155550100"))
        .user_attributes(attr("phone_number_verified", "tRuE"))
        .user_attributes(attr("custom:active", "TRUE"))
        .send()
        .await
        .unwrap();
    let user = get(&emulator, &pool, "bool").await;
    assert_eq!(
        value(user.user_attributes(), "phone_number_verified"),
        Some("true")
    );
    assert_eq!(value(user.user_attributes(), "custom:active"), Some("true"));
    let (code, message) = err(emulator
        .idp
        .admin_update_user_attributes()
        .user_pool_id(&pool)
        .username("bool")
        .user_attributes(attr("custom:active", "yes"))
        .send()
        .await
        .unwrap_err());
    assert_eq!(
        (code.as_str(), message.as_str()),
        (
            "InvalidParameterException",
            "Attributes did not conform to the schema: custom:active: Boolean must be true or false"
        )
    );
}

/// AdminUpdateUserAttributes sends a code to a new auto-verified address, unless the same
/// call marks it verified.
#[tokio::test]
async fn admin_updates_of_auto_verified_addresses_send_a_code_unless_vouched_for() {
    use aws_sdk_cognitoidentityprovider::types::{
        AttributeType, MessageActionType, VerifiedAttributeType,
    };
    let emulator = crate::common::start().await;
    let pool_id = emulator
        .idp
        .create_user_pool()
        .pool_name("verified")
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let attribute = |name: &str, value: &str| {
        AttributeType::builder()
            .name(name)
            .value(value)
            .build()
            .unwrap()
    };
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("ann")
        .message_action(MessageActionType::Suppress)
        .user_attributes(attribute("email", "ann@example.com"))
        .user_attributes(attribute("email_verified", "true"))
        .send()
        .await
        .unwrap();
    let update = |attributes: Vec<AttributeType>| {
        emulator
            .idp
            .admin_update_user_attributes()
            .user_pool_id(&pool_id)
            .username("ann")
            .set_user_attributes(Some(attributes))
            .send()
    };
    let email_of = || async {
        let user = emulator
            .idp
            .admin_get_user()
            .user_pool_id(&pool_id)
            .username("ann")
            .send()
            .await
            .unwrap();
        let get = |name: &str| {
            user.user_attributes()
                .iter()
                .find(|a| a.name == name)
                .and_then(|a| a.value.clone())
                .unwrap_or_default()
        };
        (get("email"), get("email_verified"))
    };
    update(vec![attribute("email", "ann@example.org")])
        .await
        .unwrap();
    assert_eq!(
        email_of().await,
        ("ann@example.org".to_string(), "false".to_string())
    );
    let messages = emulator.messages(&pool_id, Some("ann")).await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["trigger"], "UpdateUserAttribute");
    assert_eq!(messages[0]["destination"], "ann@example.org");
    update(vec![
        attribute("email", "ann@example.net"),
        attribute("email_verified", "true"),
    ])
    .await
    .unwrap();
    assert_eq!(
        email_of().await,
        ("ann@example.net".to_string(), "true".to_string())
    );
    assert_eq!(emulator.messages(&pool_id, Some("ann")).await.len(), 1);
}
