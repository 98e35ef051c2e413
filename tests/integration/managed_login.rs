//! Managed login branding through the SDK: one style per app client, its Settings document
//! kept exactly, assets validated, updates that keep what they do not name.

use aws_sdk_cognitoidentityprovider::primitives::Blob;
use aws_sdk_cognitoidentityprovider::types::*;
use aws_smithy_types::Document;
use cognito_emulator::config::Config;

use crate::common::{err, png, start, start_with};

/// A JSON value as the SDK's Document (managed login Settings), and back.
fn document(value: serde_json::Value) -> Document {
    use serde_json::Value;
    match value {
        Value::Null => Document::Null,
        Value::Bool(b) => Document::Bool(b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Document::from(i),
            None => Document::from(n.as_f64().unwrap()),
        },
        Value::String(s) => Document::String(s),
        Value::Array(items) => Document::Array(items.into_iter().map(document).collect()),
        Value::Object(members) => {
            Document::Object(members.into_iter().map(|(k, v)| (k, document(v))).collect())
        }
    }
}

fn json(document: &Document) -> serde_json::Value {
    use aws_smithy_types::Number;
    use serde_json::Value;
    match document {
        Document::Null => Value::Null,
        Document::Bool(b) => Value::Bool(*b),
        Document::Number(Number::PosInt(n)) => Value::from(*n),
        Document::Number(Number::NegInt(n)) => Value::from(*n),
        Document::Number(Number::Float(f)) => Value::from(*f),
        Document::String(s) => Value::String(s.clone()),
        Document::Array(items) => Value::Array(items.iter().map(json).collect()),
        Document::Object(members) => {
            Value::Object(members.iter().map(|(k, v)| (k.clone(), json(v))).collect())
        }
    }
}

fn asset(
    category: AssetCategoryType,
    mode: ColorSchemeModeType,
    ext: AssetExtensionType,
    bytes: &[u8],
) -> AssetType {
    AssetType::builder()
        .category(category)
        .color_mode(mode)
        .extension(ext)
        .bytes(Blob::new(bytes.to_vec()))
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_managed_login_style_is_stored_exactly_and_found_by_id_and_client() {
    let emulator = start().await;
    let pool = emulator.pool("styles").await;
    let app = emulator.client(&pool, "app").await;
    let settings = serde_json::json!({
        "categories": {
            "global": { "colorSchemeMode": "DARK", "spacingDensity": "COMPACT" },
            "form": { "location": { "horizontal": "START" } }
        },
        "components": { "primaryButton": { "darkMode": { "defaults": { "backgroundColor": "ff9900ff" } } } },
        "list": [1, "two", true, null, 2.5]
    });
    let logo = asset(
        AssetCategoryType::FormLogo,
        ColorSchemeModeType::Dark,
        AssetExtensionType::Png,
        &png(300),
    );
    let created = emulator
        .idp
        .create_managed_login_branding()
        .user_pool_id(&pool)
        .client_id(&app)
        .settings(document(settings.clone()))
        .assets(logo.clone())
        .send()
        .await
        .unwrap()
        .managed_login_branding
        .unwrap();
    let id = created.managed_login_branding_id().unwrap().to_string();
    assert_eq!(id.len(), 36);
    assert_eq!(&id[14..15], "4", "a version 4 UUID: {id}");
    assert_eq!(created.user_pool_id(), Some(pool.as_str()));
    assert!(!created.use_cognito_provided_values());
    assert_eq!(json(created.settings().unwrap()), settings);
    assert_eq!(created.assets(), std::slice::from_ref(&logo));
    assert!(created.creation_date().is_some());
    assert_eq!(created.creation_date(), created.last_modified_date());

    let described = emulator
        .idp
        .describe_managed_login_branding()
        .user_pool_id(&pool)
        .managed_login_branding_id(&id)
        .send()
        .await
        .unwrap()
        .managed_login_branding
        .unwrap();
    assert_eq!(described, created);
    let by_client = emulator
        .idp
        .describe_managed_login_branding_by_client()
        .user_pool_id(&pool)
        .client_id(&app)
        .send()
        .await
        .unwrap()
        .managed_login_branding
        .unwrap();
    assert_eq!(by_client, created);

    // Merged resources: the defaults under the style's own values.
    let merged = emulator
        .idp
        .describe_managed_login_branding_by_client()
        .user_pool_id(&pool)
        .client_id(&app)
        .return_merged_resources(true)
        .send()
        .await
        .unwrap()
        .managed_login_branding
        .unwrap();
    let merged = json(merged.settings().unwrap());
    assert_eq!(merged["categories"]["global"]["colorSchemeMode"], "DARK");
    assert_eq!(
        merged["categories"]["global"]["pageHeader"]["enabled"],
        false
    );
    assert_eq!(
        merged["categories"]["form"]["location"]["horizontal"],
        "START"
    );
    assert_eq!(
        merged["categories"]["form"]["location"]["vertical"],
        "CENTER"
    );
    assert_eq!(merged["list"], settings["list"]);

    // Updates keep what they do not name: settings merge, assets replace their slot.
    let favicon = asset(
        AssetCategoryType::FaviconIco,
        ColorSchemeModeType::Light,
        AssetExtensionType::Ico,
        &[0, 0, 1, 0],
    );
    let new_logo = asset(
        AssetCategoryType::FormLogo,
        ColorSchemeModeType::Dark,
        AssetExtensionType::Svg,
        b"<svg/>",
    );
    let updated = emulator
        .idp
        .update_managed_login_branding()
        .user_pool_id(&pool)
        .managed_login_branding_id(&id)
        .settings(document(serde_json::json!({
            "categories": { "global": { "colorSchemeMode": "LIGHT" } }
        })))
        .assets(new_logo.clone())
        .assets(favicon.clone())
        .send()
        .await
        .unwrap()
        .managed_login_branding
        .unwrap();
    let mut expected = settings.clone();
    expected["categories"]["global"]["colorSchemeMode"] = "LIGHT".into();
    assert_eq!(json(updated.settings().unwrap()), expected);
    assert_eq!(updated.assets(), [new_logo, favicon]);
    assert_eq!(updated.creation_date(), created.creation_date());

    // Back to Cognito's values: no settings or assets of its own.
    let reverted = emulator
        .idp
        .update_managed_login_branding()
        .user_pool_id(&pool)
        .managed_login_branding_id(&id)
        .use_cognito_provided_values(true)
        .send()
        .await
        .unwrap()
        .managed_login_branding
        .unwrap();
    assert!(reverted.use_cognito_provided_values());
    assert_eq!(reverted.settings(), None);
    assert_eq!(reverted.assets(), []);

    emulator
        .idp
        .delete_managed_login_branding()
        .user_pool_id(&pool)
        .managed_login_branding_id(&id)
        .send()
        .await
        .unwrap();
    let gone = emulator
        .idp
        .describe_managed_login_branding()
        .user_pool_id(&pool)
        .managed_login_branding_id(&id)
        .send()
        .await;
    assert_eq!(
        gone.map_err(err).unwrap_err(),
        (
            "ResourceNotFoundException".to_string(),
            format!("Managed login branding {id} does not exist.")
        )
    );
    // The client may have a style again.
    let again = emulator
        .idp
        .create_managed_login_branding()
        .user_pool_id(&pool)
        .client_id(&app)
        .use_cognito_provided_values(true)
        .send()
        .await
        .unwrap()
        .managed_login_branding
        .unwrap();
    assert!(again.use_cognito_provided_values());
    assert_eq!(again.settings(), None);
    assert_ne!(again.managed_login_branding_id(), Some(id.as_str()));
}

#[tokio::test]
async fn managed_login_branding_refusals() {
    // Cognito takes requests of up to 2 MB here; the emulator's default limit is 1 MiB.
    let mut config = Config::default_for_tests();
    config.max_body_bytes = 4 << 20;
    let emulator = start_with(config).await;
    let pool = emulator.pool("styles").await;
    let app = emulator.client(&pool, "app").await;
    let create = || {
        emulator
            .idp
            .create_managed_login_branding()
            .user_pool_id(&pool)
            .client_id(&app)
    };
    let invalid = |message: &str| ("InvalidParameterException".to_string(), message.to_string());

    let refused = emulator
        .idp
        .create_managed_login_branding()
        .user_pool_id("us-east-1_nothere")
        .client_id(&app)
        .send()
        .await;
    assert_eq!(
        refused.map_err(err).unwrap_err(),
        (
            "ResourceNotFoundException".to_string(),
            "User pool us-east-1_nothere does not exist.".to_string()
        )
    );
    let refused = emulator
        .idp
        .create_managed_login_branding()
        .user_pool_id(&pool)
        .client_id("nosuchclient")
        .send()
        .await;
    assert_eq!(
        refused.map_err(err).unwrap_err(),
        (
            "ResourceNotFoundException".to_string(),
            "User pool client nosuchclient does not exist.".to_string()
        )
    );
    let refused = create()
        .use_cognito_provided_values(true)
        .settings(document(serde_json::json!({"categories": {}})))
        .send()
        .await;
    assert_eq!(
        refused.map_err(err).unwrap_err(),
        invalid("Settings and Assets must be omitted when UseCognitoProvidedValues is true.")
    );
    let refused = create()
        .assets(asset(
            AssetCategoryType::FaviconIco,
            ColorSchemeModeType::Light,
            AssetExtensionType::Png,
            &png(10),
        ))
        .send()
        .await;
    assert_eq!(
        refused.map_err(err).unwrap_err(),
        invalid("A FAVICON_ICO asset must have the extension ICO.")
    );
    let logo = asset(
        AssetCategoryType::PageHeaderLogo,
        ColorSchemeModeType::Light,
        AssetExtensionType::Png,
        &png(10),
    );
    let refused = create()
        .assets(logo.clone())
        .assets(logo.clone())
        .send()
        .await;
    assert_eq!(
        refused.map_err(err).unwrap_err(),
        invalid("Assets contain more than one PAGE_HEADER_LOGO asset for color mode LIGHT.")
    );
    let refused = create()
        .assets(asset(
            AssetCategoryType::PageBackground,
            ColorSchemeModeType::Dark,
            AssetExtensionType::Jpeg,
            &vec![0xFF; 1_000_001],
        ))
        .send()
        .await;
    assert_eq!(
        refused.map_err(err).unwrap_err(),
        invalid(
            "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=1000001 cap=1000001]' \
             at 'assets.1.member.bytes' failed to satisfy constraint: Member must have length less than or equal to 1000000"
        )
    );
    // Nothing was created by the refusals.
    let none = emulator
        .idp
        .describe_managed_login_branding_by_client()
        .user_pool_id(&pool)
        .client_id(&app)
        .send()
        .await;
    assert_eq!(
        none.map_err(err).unwrap_err(),
        (
            "ResourceNotFoundException".to_string(),
            format!("App client {app} has no managed login branding style.")
        )
    );

    let id = create()
        .send()
        .await
        .unwrap()
        .managed_login_branding
        .unwrap()
        .managed_login_branding_id
        .unwrap();
    let duplicate = create().send().await;
    assert_eq!(
        duplicate.map_err(err).unwrap_err(),
        (
            "ManagedLoginBrandingExistsException".to_string(),
            format!("A managed login branding style already exists for app client {app}.")
        )
    );
    let missing = "3f1c1b5e-8f0a-4c1e-9a7d-2b6f0e9d4c11";
    let refused = emulator
        .idp
        .update_managed_login_branding()
        .user_pool_id(&pool)
        .managed_login_branding_id(missing)
        .use_cognito_provided_values(true)
        .send()
        .await;
    assert_eq!(
        refused.map_err(err).unwrap_err(),
        (
            "ResourceNotFoundException".to_string(),
            format!("Managed login branding {missing} does not exist.")
        )
    );
    let refused = emulator
        .idp
        .update_managed_login_branding()
        .managed_login_branding_id(&id)
        .send()
        .await;
    assert_eq!(
        refused.map_err(err).unwrap_err(),
        invalid(
            "1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null"
        )
    );
    let refused = emulator
        .idp
        .delete_managed_login_branding()
        .user_pool_id(&pool)
        .managed_login_branding_id(missing)
        .send()
        .await;
    assert_eq!(
        refused.map_err(err).unwrap_err().0,
        "ResourceNotFoundException"
    );

    // Deleting the client deletes its style.
    emulator
        .idp
        .delete_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&app)
        .send()
        .await
        .unwrap();
    let gone = emulator
        .idp
        .describe_managed_login_branding()
        .user_pool_id(&pool)
        .managed_login_branding_id(&id)
        .send()
        .await;
    assert_eq!(
        gone.map_err(err).unwrap_err().0,
        "ResourceNotFoundException"
    );
}
