//! The classic hosted UI's customization through the SDK: CSS and a logo (served by the
//! emulator), pool-wide and per app client.

use aws_sdk_cognitoidentityprovider::primitives::Blob;
use aws_sdk_cognitoidentityprovider::types::*;
use cognito_emulator::generated::cognito_idp::DomainDescriptionType;

use cognito_emulator::config::Config;

use crate::common::{err, png, start, start_with, Emulator};

/// Gives a pool a hosted-UI domain, which UI customization requires. Set in the store
/// directly: CreateUserPoolDomain is being added on another branch.
fn give_domain(emulator: &Emulator, pool_id: &str) {
    let pool = emulator.app.store.pool(pool_id).unwrap();
    pool.write().domain = Some(DomainDescriptionType {
        domain: Some(format!(
            "looks-{}",
            pool_id.to_lowercase().replace('_', "-")
        )),
        user_pool_id: Some(pool_id.to_string()),
        ..Default::default()
    });
}

async fn get_ui(emulator: &Emulator, pool: &str, client: Option<&str>) -> UiCustomizationType {
    emulator
        .idp
        .get_ui_customization()
        .user_pool_id(pool)
        .set_client_id(client.map(str::to_string))
        .send()
        .await
        .unwrap()
        .ui_customization
        .unwrap()
}

/// (status, content type, bytes) of a GET.
async fn fetch(emulator: &Emulator, url: &str) -> (u16, String, Vec<u8>) {
    let response = emulator.http.get(url).send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (
        status,
        content_type,
        response.bytes().await.unwrap().to_vec(),
    )
}

const LABEL_CSS: &str = ".label-customizable { font-weight: 400; }";
const BANNER_CSS: &str = ".banner-customizable { background-color: #ff9900; }\n.submitButton-customizable:hover { color: white; }";

#[tokio::test]
async fn pool_wide_customization_is_stored_and_its_logo_served() {
    let emulator = start().await;
    let pool = emulator.pool("looks").await;
    give_domain(&emulator, &pool);
    let logo = png(2048);
    let set = emulator
        .idp
        .set_ui_customization()
        .user_pool_id(&pool)
        .css(LABEL_CSS)
        .image_file(Blob::new(logo.clone()))
        .send()
        .await
        .unwrap()
        .ui_customization
        .unwrap();
    let image_url = format!("{}/_emulator/ui-image/{pool}/ALL", emulator.url);
    assert_eq!(set.user_pool_id(), Some(pool.as_str()));
    assert_eq!(set.client_id(), Some("ALL"));
    assert_eq!(set.css(), Some(LABEL_CSS));
    assert_eq!(set.image_url(), Some(image_url.as_str()));
    assert!(set.css_version().is_some_and(|v| !v.is_empty()));
    assert!(set.creation_date().is_some());
    assert_eq!(set.creation_date(), set.last_modified_date());

    // Without a client id and with `ALL`: the same customization.
    assert_eq!(get_ui(&emulator, &pool, None).await, set);
    assert_eq!(get_ui(&emulator, &pool, Some("ALL")).await, set);

    let (status, content_type, bytes) = fetch(&emulator, &image_url).await;
    assert_eq!((status, content_type.as_str()), (200, "image/png"));
    assert_eq!(bytes, logo);

    // Each update is a new CSS version; CSS and logo are set together, so an update
    // without a logo removes it.
    let updated = emulator
        .idp
        .set_ui_customization()
        .user_pool_id(&pool)
        .client_id("ALL")
        .css(BANNER_CSS)
        .send()
        .await
        .unwrap()
        .ui_customization
        .unwrap();
    assert_eq!(updated.css(), Some(BANNER_CSS));
    assert_eq!(updated.image_url(), None);
    assert_ne!(updated.css_version(), set.css_version());
    assert_eq!(updated.creation_date(), set.creation_date());
    assert_eq!(get_ui(&emulator, &pool, None).await, updated);
    let (status, _, _) = fetch(&emulator, &image_url).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_client_falls_back_to_the_pool_wide_customization_until_it_has_its_own() {
    let emulator = start().await;
    let pool = emulator.pool("looks").await;
    give_domain(&emulator, &pool);
    let app = emulator.client(&pool, "app").await;

    // Nothing set anywhere: an empty customization.
    assert_eq!(
        get_ui(&emulator, &pool, Some(&app)).await,
        UiCustomizationType::builder().build()
    );

    let all = emulator
        .idp
        .set_ui_customization()
        .user_pool_id(&pool)
        .css(LABEL_CSS)
        .send()
        .await
        .unwrap()
        .ui_customization
        .unwrap();
    assert_eq!(get_ui(&emulator, &pool, Some(&app)).await, all);

    let jpeg = [vec![0xFF, 0xD8, 0xFF, 0xE0], vec![1; 100]].concat();
    let own = emulator
        .idp
        .set_ui_customization()
        .user_pool_id(&pool)
        .client_id(&app)
        .css(BANNER_CSS)
        .image_file(Blob::new(jpeg.clone()))
        .send()
        .await
        .unwrap()
        .ui_customization
        .unwrap();
    let image_url = format!("{}/_emulator/ui-image/{pool}/{app}", emulator.url);
    assert_eq!(own.client_id(), Some(app.as_str()));
    assert_eq!(own.css(), Some(BANNER_CSS));
    assert_eq!(own.image_url(), Some(image_url.as_str()));
    assert_eq!(get_ui(&emulator, &pool, Some(&app)).await, own);
    // The pool-wide one is untouched.
    assert_eq!(get_ui(&emulator, &pool, None).await, all);
    let (status, content_type, bytes) = fetch(&emulator, &image_url).await;
    assert_eq!(
        (status, content_type.as_str(), bytes),
        (200, "image/jpeg", jpeg)
    );

    // Setting neither CSS nor logo removes the client's own (what Terraform's destroy does).
    emulator
        .idp
        .set_ui_customization()
        .user_pool_id(&pool)
        .client_id(&app)
        .send()
        .await
        .unwrap();
    assert_eq!(get_ui(&emulator, &pool, Some(&app)).await, all);

    // Deleting the client forgets its customization with it.
    emulator
        .idp
        .set_ui_customization()
        .user_pool_id(&pool)
        .client_id(&app)
        .css(BANNER_CSS)
        .image_file(Blob::new(png(64)))
        .send()
        .await
        .unwrap();
    emulator
        .idp
        .delete_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&app)
        .send()
        .await
        .unwrap();
    assert_eq!(fetch(&emulator, &image_url).await.0, 404);
}

#[tokio::test]
async fn ui_customization_refusals() {
    let emulator = start().await;
    let pool = emulator.pool("looks").await;
    let set = |css: &str| {
        emulator
            .idp
            .set_ui_customization()
            .user_pool_id(&pool)
            .css(css)
    };

    // No domain yet: both operations refuse, as Cognito does.
    let no_domain = (
        "InvalidParameterException".to_string(),
        "There has to be an existing domain associated with this user pool".to_string(),
    );
    assert_eq!(
        set(LABEL_CSS).send().await.map_err(err).unwrap_err(),
        no_domain
    );
    let got = emulator
        .idp
        .get_ui_customization()
        .user_pool_id(&pool)
        .send()
        .await;
    assert_eq!(got.map_err(err).unwrap_err(), no_domain);
    give_domain(&emulator, &pool);

    let unknown_pool = emulator
        .idp
        .set_ui_customization()
        .user_pool_id("us-east-1_nothere")
        .css(LABEL_CSS)
        .send()
        .await;
    assert_eq!(
        unknown_pool.map_err(err).unwrap_err(),
        (
            "ResourceNotFoundException".to_string(),
            "User pool us-east-1_nothere does not exist.".to_string()
        )
    );
    let unknown_client = set(LABEL_CSS).client_id("nosuchclient").send().await;
    let not_found = (
        "ResourceNotFoundException".to_string(),
        "User pool client nosuchclient does not exist.".to_string(),
    );
    assert_eq!(unknown_client.map_err(err).unwrap_err(), not_found);
    let got = emulator
        .idp
        .get_ui_customization()
        .user_pool_id(&pool)
        .client_id("nosuchclient")
        .send()
        .await;
    assert_eq!(got.map_err(err).unwrap_err(), not_found);

    let invalid = |message: &str| ("InvalidParameterException".to_string(), message.to_string());
    let refused = set("body { color: red; }").send().await;
    assert_eq!(
        refused.map_err(err).unwrap_err(),
        invalid("Invalid CSS: the selector 'body' is not one of the customizable classes.")
    );
    let refused = set("@import url(https://example.com/x.css);").send().await;
    assert_eq!(
        refused.map_err(err).unwrap_err(),
        invalid("Invalid CSS: @import rules are not allowed.")
    );

    // Over Cognito's 100 KB but within the model's 131072 bytes.
    let refused = set(LABEL_CSS)
        .image_file(Blob::new(png(100 * 1024 + 1)))
        .send()
        .await;
    assert_eq!(
        refused.map_err(err).unwrap_err(),
        invalid("The image file is 102401 bytes; it can be no larger than 100 KB.")
    );
    // Over the model's limit: its validation message, the value shown as AWS (Java) does.
    let refused = set(LABEL_CSS)
        .image_file(Blob::new(png(131073)))
        .send()
        .await;
    assert_eq!(
        refused.map_err(err).unwrap_err(),
        invalid(
            "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=131073 cap=131073]' \
             at 'imageFile' failed to satisfy constraint: Member must have length less than or equal to 131072"
        )
    );
    let refused = set(LABEL_CSS)
        .image_file(Blob::new(b"GIF89a....".to_vec()))
        .send()
        .await;
    assert_eq!(
        refused.map_err(err).unwrap_err(),
        invalid("The image file must be a PNG or JPEG image.")
    );
    // Nothing was stored by the refused calls.
    assert_eq!(
        get_ui(&emulator, &pool, None).await,
        UiCustomizationType::builder().build()
    );
}

#[tokio::test]
async fn the_look_survives_a_restart() {
    let dir = std::env::temp_dir().join(format!("cognito-looks-{}", uuid::Uuid::new_v4()));
    let config = || {
        let mut config = Config::default_for_tests();
        config.data_dir = Some(dir.clone());
        config
    };
    let before = start_with(config()).await;
    let pool = before.pool("looks").await;
    give_domain(&before, &pool);
    let app = before.client(&pool, "app").await;
    let logo = png(500);
    let set = before
        .idp
        .set_ui_customization()
        .user_pool_id(&pool)
        .client_id(&app)
        .css(LABEL_CSS)
        .image_file(Blob::new(logo.clone()))
        .send()
        .await
        .unwrap()
        .ui_customization
        .unwrap();
    let terms = before
        .idp
        .create_terms()
        .user_pool_id(&pool)
        .client_id(&app)
        .terms_name("privacy-policy")
        .terms_source(TermsSourceType::Link)
        .enforcement(TermsEnforcementType::None)
        .links("cognito:default", "https://example.com/privacy")
        .send()
        .await
        .unwrap()
        .terms
        .unwrap();
    before.stop().await;

    let after = start_with(config()).await;
    let got = get_ui(&after, &pool, Some(&app)).await;
    let image_url = format!("{}/_emulator/ui-image/{pool}/{app}", after.url);
    assert_eq!(got.image_url(), Some(image_url.as_str()));
    assert_eq!(got.css(), set.css());
    assert_eq!(got.css_version(), set.css_version());
    assert_eq!(
        fetch(&after, &image_url).await,
        (200, "image/png".into(), logo)
    );
    let described = after
        .idp
        .describe_terms()
        .user_pool_id(&pool)
        .terms_id(terms.terms_id())
        .send()
        .await
        .unwrap()
        .terms
        .unwrap();
    assert_eq!(described, terms);
    after.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}
