//! How a pool's pages look: the classic UI customization (CSS, logo) that applies to an app
//! client, where its logo is served, and the terms its pages link to. Used by the JSON API
//! (SetUICustomization / GetUICustomization) and by the hosted pages.

use crate::app::App;
use crate::error::ApiResult;
use crate::idp::store::branding::{UiCustomization, ALL_CLIENTS};
use crate::idp::store::UserPool;

/// What a hosted page needs to look as the pool's administrator configured it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageLook {
    /// The client's CSS, or else the pool-wide CSS.
    pub css: Option<String>,
    /// Where the client's logo (or else the pool-wide one) is served: a path on the emulator
    /// (`/_emulator/ui-image/...`), so the page's own origin serves it.
    pub logo_url: Option<String>,
    /// (label, URL) of each terms document of the client: "Terms of use", "Privacy policy".
    pub terms_links: Vec<(String, String)>,
}

/// The look of the pages an app client's users see.
pub fn page_look(pool: &UserPool, client_id: &str) -> PageLook {
    let (css, logo_url) = match effective_ui(pool, client_id) {
        Some((key, ui)) => (
            ui.css.clone(),
            ui.image.as_ref().map(|_| ui_image_path(pool.id(), key)),
        ),
        None => (None, None),
    };
    PageLook {
        css,
        logo_url,
        terms_links: terms_links(pool, client_id),
    }
}

/// The UI customization that applies to a client: its own, or else the pool-wide one (with
/// the key it is stored under: the client id or `ALL`). Cognito's documentation: "Amazon
/// Cognito applies the default configuration to every app client that doesn't have
/// client-level settings."
pub fn effective_ui<'a>(
    pool: &'a UserPool,
    client_id: &'a str,
) -> Option<(&'a str, &'a UiCustomization)> {
    let ui = &pool.branding.ui;
    ui.get(client_id)
        .map(|c| (client_id, c))
        .or_else(|| ui.get(ALL_CLIENTS).map(|c| (ALL_CLIENTS, c)))
}

/// The path of a stored logo, `/_emulator/ui-image/{pool}/{client id or ALL}`.
pub fn ui_image_path(pool_id: &str, key: &str) -> String {
    format!("/_emulator/ui-image/{pool_id}/{key}")
}

/// The full URL of a stored logo, as GetUICustomization's `ImageUrl`.
pub fn ui_image_url(app: &App, pool_id: &str, key: &str) -> String {
    format!("{}{}", app.public_url, ui_image_path(pool_id, key))
}

/// A stored logo: (media type, bytes); `None` when the pool has no logo under that key.
pub fn ui_image(app: &App, pool_id: &str, key: &str) -> ApiResult<Option<(String, Vec<u8>)>> {
    use base64::Engine;
    let pool = app.store.pool(pool_id)?;
    let pool = pool.read();
    Ok(pool
        .branding
        .ui
        .get(key)
        .and_then(|ui| ui.image.as_ref())
        .and_then(|image| {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(&image.base64)
                .ok()?;
            Some((image.content_type.clone(), bytes))
        }))
}

/// The media type of a logo from its first bytes: PNG or JPEG, the formats Cognito accepts.
pub fn image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else {
        None
    }
}

/// The client's terms as (label, URL), terms of use first. Cognito shows them only once
/// both documents exist ("You must provide both types of terms documents in at least one
/// language before Amazon Cognito displays your terms documents"). The page is in English:
/// the `cognito:english` link, with fallback to `cognito:default`.
fn terms_links(pool: &UserPool, client_id: &str) -> Vec<(String, String)> {
    let link = |name: &str| {
        pool.branding
            .terms
            .values()
            .find(|t| t.client_id == client_id && t.terms_name == name)
            .and_then(|t| {
                t.links
                    .get("cognito:english")
                    .or_else(|| t.links.get("cognito:default"))
            })
            .cloned()
    };
    match (link("terms-of-use"), link("privacy-policy")) {
        (Some(terms), Some(privacy)) => vec![
            ("Terms of use".to_string(), terms),
            ("Privacy policy".to_string(), privacy),
        ],
        _ => Vec::new(),
    }
}

/// The defaults a managed login style starts from, as `ReturnMergedResources` shows them
/// under the style's own settings. An abridged stand-in for Cognito's (much larger)
/// document, in its shape: `categories` and `components`.
pub fn default_settings() -> serde_json::Value {
    serde_json::json!({
        "categories": {
            "global": {
                "colorSchemeMode": "LIGHT",
                "pageHeader": { "enabled": false },
                "pageFooter": { "enabled": false },
                "spacingDensity": "REGULAR"
            },
            "form": {
                "displayGraphics": true,
                "location": { "horizontal": "CENTER", "vertical": "CENTER" },
                "sessionTimerDisplay": "NONE"
            },
            "auth": {
                "federation": { "interfaceStyle": "BUTTON_LIST", "order": [] }
            }
        },
        "components": {
            "primaryButton": {
                "lightMode": { "defaults": { "backgroundColor": "0972d3ff", "textColor": "ffffffff" } },
                "darkMode": { "defaults": { "backgroundColor": "539fe5ff", "textColor": "000716ff" } }
            },
            "pageBackground": {
                "lightMode": { "color": "ffffffff" },
                "darkMode": { "color": "044444ff" },
                "image": { "enabled": true }
            }
        }
    })
}

/// Merges `update` into `stored`: objects member by member (recursively), anything else
/// replaced.
pub fn merge_settings(stored: &mut serde_json::Value, update: serde_json::Value) {
    use serde_json::Value;
    match (stored, update) {
        (Value::Object(stored), Value::Object(update)) => {
            for (key, value) in update {
                match stored.get_mut(&key) {
                    Some(existing) => merge_settings(existing, value),
                    None => {
                        stored.insert(key, value);
                    }
                }
            }
        }
        (stored, update) => *stored = update,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::generated::cognito_idp::{TermsType, UserPoolType};
    use crate::idp::store::branding::Image;

    fn pool() -> UserPool {
        UserPool::new(UserPoolType {
            id: Some("us-east-1_abc".into()),
            ..Default::default()
        })
    }

    fn ui(css: &str, logo: bool) -> UiCustomization {
        UiCustomization {
            css: Some(css.into()),
            css_version: "1".into(),
            image: logo.then(|| Image {
                content_type: "image/png".into(),
                base64: "iVBORw0KGgo=".into(),
            }),
            created: 0.0,
            modified: 0.0,
        }
    }

    fn terms(id: &str, client: &str, name: &str, links: &[(&str, &str)]) -> TermsType {
        TermsType {
            terms_id: id.into(),
            client_id: client.into(),
            terms_name: name.into(),
            links: links
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
            ..Default::default()
        }
    }

    #[test]
    fn nothing_configured_looks_plain() {
        assert_eq!(page_look(&pool(), "client1"), PageLook::default());
    }

    #[test]
    fn a_client_without_its_own_customization_gets_the_pool_wide_one() {
        let mut pool = pool();
        pool.branding
            .ui
            .insert("ALL".into(), ui(".logo-customizable{max-width:50%}", true));
        pool.branding.ui.insert(
            "client2".into(),
            ui(".label-customizable{color:red}", false),
        );
        assert_eq!(
            page_look(&pool, "client1"),
            PageLook {
                css: Some(".logo-customizable{max-width:50%}".into()),
                logo_url: Some("/_emulator/ui-image/us-east-1_abc/ALL".into()),
                terms_links: vec![],
            }
        );
        // A client with its own settings never falls back, not even for the logo.
        assert_eq!(
            page_look(&pool, "client2"),
            PageLook {
                css: Some(".label-customizable{color:red}".into()),
                logo_url: None,
                terms_links: vec![],
            }
        );
    }

    #[test]
    fn a_clients_own_logo_is_served_under_its_id() {
        let mut pool = pool();
        pool.branding.ui.insert("client1".into(), ui("", true));
        assert_eq!(
            page_look(&pool, "client1").logo_url.as_deref(),
            Some("/_emulator/ui-image/us-east-1_abc/client1")
        );
    }

    #[test]
    fn terms_links_are_the_clients_own_in_english_once_both_exist() {
        let mut pool = pool();
        pool.branding.terms.insert(
            "a".into(),
            terms(
                "a",
                "client1",
                "privacy-policy",
                &[("cognito:default", "https://example.com/privacy")],
            ),
        );
        pool.branding.terms.insert(
            "b".into(),
            terms(
                "b",
                "client1",
                "terms-of-use",
                &[
                    ("cognito:default", "https://example.com/terms"),
                    ("cognito:english", "https://example.com/en/terms"),
                    ("cognito:french", "https://example.com/fr/terms"),
                ],
            ),
        );
        pool.branding.terms.insert(
            "c".into(),
            terms(
                "c",
                "client2",
                "terms-of-use",
                &[("cognito:default", "https://example.com/other")],
            ),
        );
        assert_eq!(
            page_look(&pool, "client1").terms_links,
            vec![
                (
                    "Terms of use".to_string(),
                    "https://example.com/en/terms".to_string()
                ),
                (
                    "Privacy policy".to_string(),
                    "https://example.com/privacy".to_string()
                ),
            ]
        );
        // Only one of the two documents: none is shown, as Cognito does.
        assert_eq!(page_look(&pool, "client2").terms_links, vec![]);
        // Neither an English nor a default link: none either.
        pool.branding.terms.insert(
            "d".into(),
            terms(
                "d",
                "client2",
                "privacy-policy",
                &[("cognito:french", "https://example.com/fr/vie-privee")],
            ),
        );
        assert_eq!(page_look(&pool, "client2").terms_links, vec![]);
        assert_eq!(page_look(&pool, "client3").terms_links, vec![]);
    }

    #[test]
    fn image_types_are_recognised_by_their_signature() {
        assert_eq!(image_type(b"\x89PNG\r\n\x1a\nrest"), Some("image/png"));
        assert_eq!(image_type(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(image_type(b"GIF89a"), None);
        assert_eq!(image_type(b""), None);
    }

    #[test]
    fn settings_merge_member_by_member() {
        let mut stored = serde_json::json!({
            "categories": { "global": { "colorSchemeMode": "DARK", "spacingDensity": "COMPACT" } },
            "list": [1, 2]
        });
        merge_settings(
            &mut stored,
            serde_json::json!({
                "categories": { "global": { "colorSchemeMode": "LIGHT" }, "form": { "x": 1 } },
                "list": [3]
            }),
        );
        assert_eq!(
            stored,
            serde_json::json!({
                "categories": {
                    "global": { "colorSchemeMode": "LIGHT", "spacingDensity": "COMPACT" },
                    "form": { "x": 1 }
                },
                "list": [3]
            })
        );
    }
}
