//! cognito-identity pool management through the official Rust SDK: Create/Describe/Update/
//! Delete/ListIdentityPools, tags, roles and role mappings, principal tag maps.

use std::collections::HashMap;

use aws_sdk_cognitoidentity as identity;
use aws_sdk_cognitoidentity::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentity::types::{
    AmbiguousRoleResolutionType, CognitoIdentityProvider, MappingRule, MappingRuleMatchType,
    RoleMapping, RoleMappingType, RulesConfigurationType,
};

use crate::common::{start, Emulator};

pub const AUTH_ROLE: &str = "arn:aws:iam::000000000000:role/authenticated";
pub const UNAUTH_ROLE: &str = "arn:aws:iam::000000000000:role/unauthenticated";

/// An SDK client for the emulator's cognito-identity, signing for us-east-1.
pub async fn identity_client(url: &str) -> identity::Client {
    let sdk_config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(identity::config::Credentials::new(
            "AKIDEXAMPLE",
            "secret",
            None,
            None,
            "test",
        ))
        .endpoint_url(url)
        .load()
        .await;
    identity::Client::new(&sdk_config)
}

/// The code and message of an SDK error.
pub fn ierr<E: ProvideErrorMetadata, R>(
    error: identity::error::SdkError<E, R>,
) -> (String, String) {
    (
        error.code().unwrap_or_default().to_string(),
        error.message().unwrap_or_default().to_string(),
    )
}

fn pair(code: &str, message: &str) -> (String, String) {
    (code.to_string(), message.to_string())
}

/// A user pool provider for an identity pool.
pub fn user_pool_provider(pool_id: &str, client_id: &str, check: bool) -> CognitoIdentityProvider {
    CognitoIdentityProvider::builder()
        .provider_name(format!("cognito-idp.us-east-1.amazonaws.com/{pool_id}"))
        .client_id(client_id)
        .server_side_token_check(check)
        .build()
}

async fn setup() -> (Emulator, identity::Client) {
    let emulator = start().await;
    let client = identity_client(&emulator.url).await;
    (emulator, client)
}

#[tokio::test]
async fn pools_are_created_described_updated_listed_and_deleted() {
    let (emulator, ci) = setup().await;
    let created = ci
        .create_identity_pool()
        .identity_pool_name("my pool")
        .allow_unauthenticated_identities(true)
        .allow_classic_flow(true)
        .supported_login_providers("accounts.google.com", "google-app-id")
        .developer_provider_name("login.mycompany.myapp")
        .open_id_connect_provider_arns("arn:aws:iam::000000000000:oidc-provider/issuer.example.com")
        .saml_provider_arns("arn:aws:iam::000000000000:saml-provider/corp")
        .cognito_identity_providers(user_pool_provider("us-east-1_abc", "client1", true))
        .identity_pool_tags("team", "blue")
        .send()
        .await
        .unwrap();
    let id = created.identity_pool_id().to_string();
    let (region, uuid) = id.split_once(':').unwrap();
    assert_eq!(region, "us-east-1");
    assert_eq!(uuid.len(), 36);
    assert_eq!(created.identity_pool_name(), "my pool");
    assert!(created.allow_unauthenticated_identities());
    assert_eq!(created.allow_classic_flow(), Some(true));
    assert_eq!(
        created.developer_provider_name(),
        Some("login.mycompany.myapp")
    );
    assert_eq!(
        created.supported_login_providers().unwrap()["accounts.google.com"],
        "google-app-id"
    );
    let provider = &created.cognito_identity_providers()[0];
    assert_eq!(
        provider.provider_name(),
        Some("cognito-idp.us-east-1.amazonaws.com/us-east-1_abc")
    );
    assert_eq!(provider.server_side_token_check(), Some(true));
    assert_eq!(created.identity_pool_tags().unwrap()["team"], "blue");

    let described = ci
        .describe_identity_pool()
        .identity_pool_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(described.identity_pool_name(), "my pool");
    assert_eq!(
        described.saml_provider_arns(),
        ["arn:aws:iam::000000000000:saml-provider/corp"]
    );

    // Update takes the whole pool: what it omits is cleared (tags and the developer name stay).
    let updated = ci
        .update_identity_pool()
        .identity_pool_id(&id)
        .identity_pool_name("renamed")
        .allow_unauthenticated_identities(false)
        .send()
        .await
        .unwrap();
    assert_eq!(updated.identity_pool_name(), "renamed");
    assert!(!updated.allow_unauthenticated_identities());
    assert!(updated.supported_login_providers().is_none());
    assert!(updated.cognito_identity_providers().is_empty());
    assert_eq!(
        updated.developer_provider_name(),
        Some("login.mycompany.myapp")
    );
    assert_eq!(updated.identity_pool_tags().unwrap()["team"], "blue");
    let changed = ci
        .update_identity_pool()
        .identity_pool_id(&id)
        .identity_pool_name("renamed")
        .allow_unauthenticated_identities(false)
        .developer_provider_name("other.name")
        .send()
        .await
        .map_err(ierr)
        .unwrap_err();
    assert_eq!(
        changed,
        pair(
            "InvalidParameterException",
            "Cannot modify DeveloperProviderName once it is set."
        )
    );

    // Listing pages by MaxResults.
    for name in ["second", "third"] {
        ci.create_identity_pool()
            .identity_pool_name(name)
            .allow_unauthenticated_identities(false)
            .send()
            .await
            .unwrap();
    }
    let first = ci
        .list_identity_pools()
        .max_results(2)
        .send()
        .await
        .unwrap();
    assert_eq!(first.identity_pools().len(), 2);
    let token = first.next_token().unwrap().to_string();
    let second = ci
        .list_identity_pools()
        .max_results(2)
        .next_token(token)
        .send()
        .await
        .unwrap();
    assert_eq!(second.identity_pools().len(), 1);
    assert!(second.next_token().is_none());
    let mut names: Vec<String> = first
        .identity_pools()
        .iter()
        .chain(second.identity_pools())
        .map(|p| p.identity_pool_name().unwrap().to_string())
        .collect();
    names.sort();
    assert_eq!(names, ["renamed", "second", "third"]);

    ci.delete_identity_pool()
        .identity_pool_id(&id)
        .send()
        .await
        .unwrap();
    let missing = format!("IdentityPool '{id}' not found.");
    let gone = ci
        .describe_identity_pool()
        .identity_pool_id(&id)
        .send()
        .await
        .map_err(ierr)
        .unwrap_err();
    assert_eq!(gone, pair("ResourceNotFoundException", &missing));
    let gone = ci
        .delete_identity_pool()
        .identity_pool_id(&id)
        .send()
        .await
        .map_err(ierr)
        .unwrap_err();
    assert_eq!(gone, pair("ResourceNotFoundException", &missing));
    let gone = ci
        .update_identity_pool()
        .identity_pool_id(&id)
        .identity_pool_name("x")
        .allow_unauthenticated_identities(true)
        .send()
        .await
        .map_err(ierr)
        .unwrap_err();
    assert_eq!(gone, pair("ResourceNotFoundException", &missing));

    // Model constraints: the pool name's pattern, a malformed user pool provider.
    let bad = ci
        .create_identity_pool()
        .identity_pool_name("bad/name")
        .allow_unauthenticated_identities(true)
        .send()
        .await
        .map_err(ierr)
        .unwrap_err();
    assert_eq!(bad.0, "ValidationException");
    assert!(bad.1.contains("identityPoolName"), "{}", bad.1);
    let bad = ci
        .create_identity_pool()
        .identity_pool_name("p")
        .allow_unauthenticated_identities(true)
        .cognito_identity_providers(
            CognitoIdentityProvider::builder()
                .provider_name("accounts.example.com")
                .client_id("c")
                .build(),
        )
        .send()
        .await
        .map_err(ierr)
        .unwrap_err();
    assert_eq!(
        bad,
        pair(
            "InvalidParameterException",
            "Invalid Cognito Identity Provider name: accounts.example.com. Expected cognito-idp.<region>.amazonaws.com/<userPoolId>."
        )
    );
    emulator.stop().await;
}

#[tokio::test]
async fn tags_are_set_listed_and_removed_by_arn() {
    let (emulator, ci) = setup().await;
    let id = ci
        .create_identity_pool()
        .identity_pool_name("tagged")
        .allow_unauthenticated_identities(true)
        .identity_pool_tags("a", "1")
        .send()
        .await
        .unwrap()
        .identity_pool_id()
        .to_string();
    let arn = format!("arn:aws:cognito-identity:us-east-1:000000000000:identitypool/{id}");
    ci.tag_resource()
        .resource_arn(&arn)
        .tags("b", "2")
        .tags("a", "3")
        .send()
        .await
        .unwrap();
    let tags = ci
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(
        tags.tags().unwrap(),
        &HashMap::from([
            ("a".to_string(), "3".to_string()),
            ("b".to_string(), "2".to_string())
        ])
    );
    ci.untag_resource()
        .resource_arn(&arn)
        .tag_keys("a")
        .send()
        .await
        .unwrap();
    let tags = ci
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags().unwrap().len(), 1);
    let described = ci
        .describe_identity_pool()
        .identity_pool_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(described.identity_pool_tags().unwrap()["b"], "2");

    let unknown = "arn:aws:cognito-identity:us-east-1:000000000000:identitypool/us-east-1:00000000-0000-0000-0000-000000000000";
    let message = format!("Resource {unknown} does not exist.");
    let e = ci
        .tag_resource()
        .resource_arn(unknown)
        .tags("x", "y")
        .send()
        .await
        .map_err(ierr)
        .unwrap_err();
    assert_eq!(e, pair("ResourceNotFoundException", &message));
    let e = ci
        .untag_resource()
        .resource_arn(unknown)
        .tag_keys("x")
        .send()
        .await
        .map_err(ierr)
        .unwrap_err();
    assert_eq!(e, pair("ResourceNotFoundException", &message));
    let e = ci
        .list_tags_for_resource()
        .resource_arn(unknown)
        .send()
        .await
        .map_err(ierr)
        .unwrap_err();
    assert_eq!(e, pair("ResourceNotFoundException", &message));
    emulator.stop().await;
}

#[tokio::test]
async fn roles_and_role_mappings_are_checked_and_kept() {
    let (emulator, ci) = setup().await;
    let provider = "cognito-idp.us-east-1.amazonaws.com/us-east-1_abc";
    let id = ci
        .create_identity_pool()
        .identity_pool_name("roles")
        .allow_unauthenticated_identities(true)
        .cognito_identity_providers(user_pool_provider("us-east-1_abc", "client1", false))
        .send()
        .await
        .unwrap()
        .identity_pool_id()
        .to_string();
    let empty = ci
        .get_identity_pool_roles()
        .identity_pool_id(&id)
        .send()
        .await
        .unwrap();
    assert!(empty.roles().unwrap().is_empty());
    assert!(empty.role_mappings().is_none());

    let rules = RoleMapping::builder()
        .r#type(RoleMappingType::Rules)
        .ambiguous_role_resolution(AmbiguousRoleResolutionType::Deny)
        .rules_configuration(
            RulesConfigurationType::builder()
                .rules(
                    MappingRule::builder()
                        .claim("cognito:groups")
                        .match_type(MappingRuleMatchType::Contains)
                        .value("admin")
                        .role_arn("arn:aws:iam::000000000000:role/admin")
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let key = format!("{provider}:client1");
    ci.set_identity_pool_roles()
        .identity_pool_id(&id)
        .roles("authenticated", AUTH_ROLE)
        .roles("unauthenticated", UNAUTH_ROLE)
        .role_mappings(&key, rules.clone())
        .send()
        .await
        .unwrap();
    let got = ci
        .get_identity_pool_roles()
        .identity_pool_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(got.identity_pool_id(), Some(id.as_str()));
    assert_eq!(got.roles().unwrap()["authenticated"], AUTH_ROLE);
    assert_eq!(got.roles().unwrap()["unauthenticated"], UNAUTH_ROLE);
    assert_eq!(got.role_mappings().unwrap()[&key], rules);

    let attempt = |mapping: RoleMapping, key: String| {
        let ci = ci.clone();
        let id = id.clone();
        async move {
            ci.set_identity_pool_roles()
                .identity_pool_id(id)
                .roles("authenticated", AUTH_ROLE)
                .role_mappings(key, mapping)
                .send()
                .await
                .map_err(ierr)
                .unwrap_err()
        }
    };
    // A provider the pool does not have.
    let e = attempt(rules.clone(), "accounts.google.com".into()).await;
    assert_eq!(
        e,
        pair(
            "InvalidParameterException",
            &format!("Role mapping for accounts.google.com is not valid: the provider is not configured in identity pool {id}.")
        )
    );
    // Rules without rules, Token with rules, no ambiguity resolution.
    let no_rules = RoleMapping::builder()
        .r#type(RoleMappingType::Rules)
        .ambiguous_role_resolution(AmbiguousRoleResolutionType::Deny)
        .build()
        .unwrap();
    assert_eq!(
        attempt(no_rules, key.clone()).await,
        pair(
            "InvalidParameterException",
            &format!("RulesConfiguration must be specified when the role mapping of {key} is of type Rules.")
        )
    );
    let mut token_with_rules = rules.clone();
    token_with_rules.r#type = RoleMappingType::Token;
    assert_eq!(
        attempt(token_with_rules, key.clone()).await,
        pair(
            "InvalidParameterException",
            &format!("RulesConfiguration must not be specified when the role mapping of {key} is of type Token.")
        )
    );
    let unresolved = RoleMapping::builder()
        .r#type(RoleMappingType::Token)
        .build()
        .unwrap();
    assert_eq!(
        attempt(unresolved, key.clone()).await,
        pair(
            "InvalidParameterException",
            &format!("AmbiguousRoleResolution must be specified for the role mapping of {key}.")
        )
    );
    // Role ARNs, and the roles map's keys (the model's pattern).
    let e = ci
        .set_identity_pool_roles()
        .identity_pool_id(&id)
        .roles("authenticated", "not-a-role-arn-at-all")
        .send()
        .await
        .map_err(ierr)
        .unwrap_err();
    assert_eq!(
        e,
        pair(
            "InvalidParameterException",
            "Invalid role ARN: not-a-role-arn-at-all"
        )
    );
    let e = ci
        .set_identity_pool_roles()
        .identity_pool_id(&id)
        .roles("admin", AUTH_ROLE)
        .send()
        .await
        .map_err(ierr)
        .unwrap_err();
    assert_eq!(e.0, "ValidationException");
    let unknown = "us-east-1:00000000-0000-0000-0000-000000000000";
    let e = ci
        .get_identity_pool_roles()
        .identity_pool_id(unknown)
        .send()
        .await
        .map_err(ierr)
        .unwrap_err();
    assert_eq!(
        e,
        pair(
            "ResourceNotFoundException",
            &format!("IdentityPool '{unknown}' not found.")
        )
    );
    let e = ci
        .set_identity_pool_roles()
        .identity_pool_id(unknown)
        .roles("authenticated", AUTH_ROLE)
        .send()
        .await
        .map_err(ierr)
        .unwrap_err();
    assert_eq!(
        e,
        pair(
            "ResourceNotFoundException",
            &format!("IdentityPool '{unknown}' not found.")
        )
    );
    emulator.stop().await;
}

#[tokio::test]
async fn each_region_has_its_own_identity_pools() {
    let (emulator, ci) = setup().await;
    let id = ci
        .create_identity_pool()
        .identity_pool_name("east")
        .allow_unauthenticated_identities(true)
        .send()
        .await
        .unwrap()
        .identity_pool_id()
        .to_string();
    let sdk_config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("eu-west-1"))
        .credentials_provider(identity::config::Credentials::new(
            "AKIDEXAMPLE",
            "secret",
            None,
            None,
            "test",
        ))
        .endpoint_url(&emulator.url)
        .load()
        .await;
    let west = identity::Client::new(&sdk_config);
    let listed = west
        .list_identity_pools()
        .max_results(10)
        .send()
        .await
        .unwrap();
    assert!(listed.identity_pools().is_empty());
    let e = west
        .describe_identity_pool()
        .identity_pool_id(&id)
        .send()
        .await
        .map_err(ierr)
        .unwrap_err();
    assert_eq!(
        e,
        pair(
            "ResourceNotFoundException",
            &format!("IdentityPool '{id}' not found.")
        )
    );
    let created = west
        .create_identity_pool()
        .identity_pool_name("west")
        .allow_unauthenticated_identities(true)
        .send()
        .await
        .unwrap();
    assert!(created.identity_pool_id().starts_with("eu-west-1:"));
    // Unsigned calls (an app's GetId) reach a pool of any region.
    let guest = west.get_id().identity_pool_id(&id).send().await.unwrap();
    assert!(guest.identity_id().unwrap().starts_with("us-east-1:"));
    emulator.stop().await;
}
