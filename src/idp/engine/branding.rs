//! How a pool's pages look: the classic UI customization (CSS, logo) that applies to an app
//! client and where its logo is served, and managed login's default settings. Used by the
//! JSON API and by the hosted pages.

use crate::app::App;
use crate::error::ApiResult;
use crate::idp::store::branding::{UiCustomization, ALL_CLIENTS};
use crate::idp::store::UserPool;

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
    use super::*;

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
